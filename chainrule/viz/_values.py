"""How chainrule.viz writes values: numbers as short decimals, small tensors
in full, large ones summarised (shape and range), so a trace stays readable."""
from .._tensor import Tensor

SMALL = 6          # tensors with at most this many elements are written out


def raw(value):
    """The array behind a Tensor (or the array itself)."""
    return value._data if isinstance(value, Tensor) else value


def number(v, digits=5):
    """A float as a trace writes it: 48, 0.5, 1.2346e+05, nan."""
    if isinstance(v, bool):
        return str(v)
    f = float(v)
    if f == f and abs(f) < 1e15 and f == int(f):
        return str(int(f))
    return f"{f:.{digits}g}"


def is_array(value):
    d = raw(value)
    return hasattr(d, "shape") and hasattr(d, "dtype")


def values(value, small=SMALL):
    """The value itself: 72, [1, 2, 3], or a summary for a large tensor."""
    d = raw(value)
    if not is_array(d):
        return repr(d)
    if d.dtype.kind not in "fiub":
        return f"tensor of shape {shape(d)}"
    if d.ndim == 0:
        return number(d.item())
    if d.size <= small:
        if d.ndim == 1:
            return "[" + ", ".join(number(v) for v in d.tolist()) + "]"
        return "[" + ", ".join(values(row, small) for row in d) + "]"
    if d.size == 0:
        return f"empty {shape(d)}"
    return f"{shape(d)} in [{number(d.min().item())}, {number(d.max().item())}]"


def shape(d):
    return "(" + ", ".join(map(str, raw(d).shape)) + ")"


def brief(value, small=4):
    """Shape and, when small, the values: '(2) [1, 2]' (graph labels)."""
    d = raw(value)
    if not is_array(d):
        return repr(d)
    if d.size <= small and d.dtype.kind in "fiub":
        return f"{shape(d)} [" + ", ".join(number(v, 4) for v in d.reshape(-1).tolist()) + "]"
    return shape(d)

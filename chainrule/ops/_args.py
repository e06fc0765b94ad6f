"""Turning user arguments into what ops compute with: Tensors, Python numbers,
dtypes chosen by PyTorch's promotion rule.  Shared by every op module."""
import numbers
import operator

from .. import _dtypes
from .. import _errors
from .._tensor import Tensor
from . import _backend

_HOST_ARRAY = _backend.HOST_ARRAY      # user data: NumPy's arrays and scalars
_HOST_SCALAR = _backend.HOST_SCALAR

_float, _int, _bool = float, int, bool


def as_operand(v):
    """A Tensor stays; a Python number stays (it promotes weakly); a NumPy
    scalar becomes a Python number; anything array-like becomes a Tensor."""
    if isinstance(v, Tensor):
        return v
    c = v.__class__
    if c is _float or c is _int or c is _bool:
        return v
    if isinstance(v, _HOST_SCALAR):
        return v.item()
    if isinstance(v, numbers.Number):
        return v
    from .._factories import as_tensor, tensor   # (cycle: _factories imports shape_args)
    if isinstance(v, _HOST_ARRAY) or _backend.is_array(v):
        return as_tensor(v) if v.dtype in _dtypes.FROM_NP else tensor(v)
    return tensor(v)


def as_tensor_arg(v):
    """For ops whose inputs must be Tensors (e.g. torch.sin(x))."""
    if isinstance(v, Tensor):
        return v
    if (isinstance(v, _HOST_ARRAY) or _backend.is_array(v)) and v.dtype in _dtypes.FROM_NP:
        from .._factories import as_tensor   # (cycle: _factories imports shape_args)
        return as_tensor(v)
    raise TypeError(f"expected Tensor as argument, but got {type(v).__name__}")


def promoted_arrays(*operands):
    """Raw values of `operands` (Tensors and Python numbers) cast to their
    PyTorch result dtype; returns (values, dtype)."""
    dt = _dtypes.result_type(*operands)
    npd = dt.np
    vals = []
    for v in operands:
        if isinstance(v, Tensor):
            d = v._data
            vals.append(d if d.dtype == npd else d.astype(npd))
        else:
            vals.append(v)
    return vals, dt


def to_float_array(d):
    """Integer and bool data become the default float dtype (torch.sin(int) is float)."""
    if d.dtype.kind in "fc":
        return d
    return d.astype(_dtypes.get_default_dtype().np)


def broadcast_shapes(a, b):
    """The shape a and b broadcast to (ValueError if they do not)."""
    n = len(a) - len(b)
    if n > 0:
        b = (1,) * n + tuple(b)
    elif n < 0:
        a = (1,) * -n + tuple(a)
    out = []
    for x, y in zip(a, b):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise ValueError(f"shapes {tuple(a)} and {tuple(b)} do not broadcast")
    return tuple(out)


def check_broadcast(a, b):
    try:
        return broadcast_shapes(a, b)
    except ValueError:
        raise _errors.broadcast_mismatch(a, b) from None


def normalize_dim(dim, ndim):
    """PyTorch's dim rules: negative dims count from the end; IndexError otherwise."""
    n = ndim if ndim else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim})")
    return dim % n


def normalize_dims(dim, ndim):
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        dims = tuple(normalize_dim(d, ndim) for d in dim)
        if len(dims) > 1 and len(set(dims)) != len(dims):
            for k, d in enumerate(dims):
                if d in dims[:k]:
                    raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return dims
    return (normalize_dim(dim, ndim),)


def shape_args(args, name=None, argname="size"):
    """`f(2, 3)`, `f((2, 3))`, `f([2, 3])` and `f(torch.Size([2, 3]))` all mean shape (2, 3).

    name: the function, for PyTorch's TypeError when an entry is not an integer."""
    packed = len(args) == 1 and isinstance(args[0], (tuple, list))
    seq = args[0] if packed else args
    for s in seq:
        if s.__class__ is not _int:
            return _checked_shape(seq, packed or len(args) != 1, name, argname)
    return tuple(seq)


def _checked_shape(seq, several, name, argname):
    out = []
    for i, s in enumerate(seq):
        try:
            out.append(operator.index(s))
        except TypeError:
            if name is None:
                raise TypeError(f"expected a tuple of ints, but got {type(s).__name__}") from None
            if several:
                raise TypeError(f"{name}(): argument '{argname}' failed to unpack the object at "
                                f"pos {i + 1} with error \"type must be tuple of ints,but got "
                                f"{type(s).__name__}\"") from None
            raise TypeError(f"{name}(): argument '{argname}' (position 1) must be tuple of ints, "
                            f"not {type(s).__name__}") from None
    return tuple(out)


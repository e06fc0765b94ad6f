"""torch.testing: assert_close, with PyTorch's default tolerances and messages."""
import math

import numpy as np

from . import _dtypes
from ._tensor import Tensor

__all__ = ["assert_close"]

# dtype -> (rtol, atol) when neither is given; integers and bools compare exactly.
_TOLERANCES = {"float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


def _tolerances(*dtypes):
    pairs = [_TOLERANCES.get(d.name, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _type_name(v):
    if isinstance(v, Tensor):
        return "<class 'torch.Tensor'>"
    return repr(type(v))


class _Failure(Exception):
    def __init__(self, exc_type, text):
        super().__init__(text)
        self.exc_type = exc_type
        self.text = text


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    try:
        _compare(actual, expected, rtol, atol, equal_nan, check_dtype, check_stride, "")
    except _Failure as f:
        if f.exc_type is AssertionError:
            text = f.text
            if msg is not None:
                text = msg(text) if callable(msg) else msg
            raise AssertionError(text) from None
        raise f.exc_type(f.text) from None


def _is_number(v):
    return isinstance(v, (bool, int, float)) and not isinstance(v, Tensor)


def _compare(actual, expected, rtol, atol, equal_nan, check_dtype, check_stride, where):
    seq = (list, tuple)
    if isinstance(actual, seq) and isinstance(expected, seq):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, f"The length of the sequences mismatch: "
                                           f"{len(actual)} != {len(expected)}{where}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, check_dtype, check_stride, where or
                     f"\n\nThe failure occurred for item [{i}]")
        return
    if isinstance(actual, dict) and isinstance(expected, dict):
        if set(actual) != set(expected):
            raise _Failure(AssertionError, f"The keys of the mappings do not match:{where}")
        for k in actual:
            _compare(actual[k], expected[k], rtol, atol, equal_nan, check_dtype, check_stride,
                     where or f"\n\nThe failure occurred for item [{k!r}]")
        return
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        return _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype,
                                check_stride, where)
    if _is_number(actual) and _is_number(expected):
        return _compare_scalars(actual, expected, rtol, atol, equal_nan, where)
    raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type "
                              f"{_type_name(actual)} and {_type_name(expected)}.")


def _attribute(name, a, e, where):
    raise _Failure(AssertionError, f"The values for attribute '{name}' do not match: "
                                   f"{a} != {e}.{where}")


def _compare_tensors(a, e, rtol, atol, equal_nan, check_dtype, check_stride, where):
    if a.shape != e.shape:
        _attribute("shape", a.shape, e.shape, where)
    if check_dtype and a.dtype is not e.dtype:
        _attribute("dtype", a.dtype, e.dtype, where)
    if check_stride and a.stride() != e.stride():
        _attribute("stride()", a.stride(), e.stride(), where)
    if rtol is None:
        rtol, atol = _tolerances(a.dtype, e.dtype)
    exact = not (a.dtype.is_floating_point or e.dtype.is_floating_point)
    # (the differences in the operands' common float dtype, float32 for integers, as PyTorch)
    common = _dtypes.promote_types(a.dtype, e.dtype)
    ct = common.np if common.is_floating_point else np.float32
    x = np.asarray(a.detach().numpy(), dtype=np.float64)
    y = np.asarray(e.detach().numpy(), dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = np.abs(x - y)
        ok = (x == y) | (np.isfinite(abs_diff) & (abs_diff <= atol + rtol * np.abs(y)))
        if equal_nan:
            ok |= np.isnan(x) & np.isnan(y)
        if ok.all():
            return
        rel_diff = (np.abs(x.astype(ct) - y.astype(ct)) / np.abs(y.astype(ct))).astype(np.float64)
    bad = ~ok
    n_bad, n = int(bad.sum()), ok.size
    lines = [f"Tensor-likes are not {'equal' if exact else 'close'}!", "",
             f"Mismatched elements: {n_bad} / {n} ({100.0 * n_bad / n:.1f}%)"]
    for what, diff, tol in (("absolute", abs_diff, atol), ("relative", rel_diff, rtol)):
        d = np.where(bad, diff, -np.inf)
        d = np.where(np.isnan(d), np.inf, d)
        idx = np.unravel_index(int(np.argmax(d)), diff.shape) if diff.ndim else ()
        v = float(diff[idx]) if diff.ndim else float(diff)
        shown = int(v) if exact and what == "absolute" and math.isfinite(v) else v
        line = f"Greatest {what} difference: {shown} at index {tuple(int(i) for i in idx)}"
        lines.append(line if exact else line + f" (up to {tol} allowed)")
    raise _Failure(AssertionError, "\n".join(lines) + where)


def _compare_scalars(a, e, rtol, atol, equal_nan, where):
    exact = not (isinstance(a, float) or isinstance(e, float))
    if rtol is None:
        rtol, atol = (0.0, 0.0) if exact else _tolerances(_dtypes.float64)
    if a == e or (equal_nan and a != a and e != e):
        return
    d = abs(a - e)
    if not exact and math.isfinite(d) and d <= atol + rtol * abs(e):
        return
    rel = d / abs(e) if e else float("inf")
    if exact:
        text = (f"Scalars are not equal!\n\nExpected {e} but got {a}.\nAbsolute difference: {d}"
                f"\nRelative difference: {rel}")
    else:
        text = (f"Scalars are not close!\n\nExpected {e} but got {a}.\nAbsolute difference: "
                f"{d} (up to {atol} allowed)\nRelative difference: {rel} (up to {rtol} allowed)")
    raise _Failure(AssertionError, text + where)

"""Turning user arguments into what ops compute with: Tensors, Python numbers,
dtypes chosen by PyTorch's promotion rule.  Shared by every op module."""
import numbers

import numpy as np

from .. import _dtypes
from .. import _errors
from .._tensor import Tensor

_float, _int, _bool = float, int, bool


def as_operand(v):
    """A Tensor stays; a Python number stays (it promotes weakly); a NumPy
    scalar becomes a Python number; anything array-like becomes a Tensor."""
    if isinstance(v, Tensor):
        return v
    c = v.__class__
    if c is _float or c is _int or c is _bool:
        return v
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, numbers.Number):
        return v
    from .._factories import as_tensor, tensor   # (cycle: _factories imports shape_args)
    if isinstance(v, np.ndarray):
        return as_tensor(v) if v.dtype in _dtypes.FROM_NP else tensor(v)
    return tensor(v)


def as_tensor_arg(v):
    """For ops whose inputs must be Tensors (e.g. torch.sin(x))."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, np.ndarray) and v.dtype in _dtypes.FROM_NP:
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


def check_broadcast(a, b):
    try:
        return np.broadcast_shapes(a, b)
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
        return tuple(normalize_dim(d, ndim) for d in dim)
    return (normalize_dim(dim, ndim),)


def shape_args(args):
    """`f(2, 3)`, `f((2, 3))`, `f([2, 3])` and `f(torch.Size([2, 3]))` all mean shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(s) for s in args)


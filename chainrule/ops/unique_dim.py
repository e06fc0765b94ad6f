"""unique(dim=): the distinct slices along dim, sorted lexicographically, with
the inverse (which unique slice each input slice is) and the counts.

The slices are flattened to rows and handed to the array library's
unique(axis=0); `chainrule.unique` is scans.unique extended with dim.  As in
PyTorch there is no derivative: a backward through the values raises its error.
"""
from .. import _dtypes
from . import _backend
from ._args import as_tensor_arg, normalize_dim
from ._dispatch import apply
from ._registry import defop, expose
from .scans import unique as _unique_flat

_XP = _backend.NUMPY.xp
_INT64 = _dtypes.int64.np


def _rows(x, dim, xp):
    n = 1
    for i, s in enumerate(x.shape):
        n *= s if i != dim else 1
    return xp.moveaxis(x, dim, 0).reshape(x.shape[dim], n)     # (not -1: it may be empty)


def _unique_rows(x, dim, *, xp=_XP):
    rows = _rows(x, dim, xp)
    values = xp.unique(rows, axis=0)
    rest = tuple(n for i, n in enumerate(x.shape) if i != dim)
    return xp.moveaxis(values.reshape((values.shape[0],) + rest), 0, dim)


def _unique_rows_inverse(x, dim, *, xp=_XP):
    return xp.unique(_rows(x, dim, xp), axis=0, return_inverse=True)[1].reshape(-1).astype(_INT64)


def _unique_rows_counts(x, dim, *, xp=_XP):
    return xp.unique(_rows(x, dim, xp), axis=0, return_counts=True)[1].astype(_INT64)


def _no_derivative(F, g):
    raise NotImplementedError("the derivative for 'unique_dim' is not implemented.")


UNIQUE_DIM = defop("unique_dim", _unique_rows, _no_derivative, params=("dim",),
                   node_name="UniqueDimBackward0", quiet=False)
UNIQUE_DIM_INVERSE = defop("unique_dim_inverse", _unique_rows_inverse, params=("dim",), quiet=False)
UNIQUE_DIM_COUNTS = defop("unique_dim_counts", _unique_rows_counts, params=("dim",), quiet=False)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    if dim is None:
        return _unique_flat(input, sorted, return_inverse, return_counts)
    input = as_tensor_arg(input)
    d = input._data
    if d.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = normalize_dim(dim, d.ndim)
    if any(n == 0 for i, n in enumerate(d.shape) if i != dim):
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                           "cannot be applied")
    out = [apply(UNIQUE_DIM, (input,), (d,), (dim,))]
    if return_inverse:
        out.append(apply(UNIQUE_DIM_INVERSE, (input,), (d,), (dim,)))
    if return_counts:
        out.append(apply(UNIQUE_DIM_COUNTS, (input,), (d,), (dim,)))
    return out[0] if len(out) == 1 else tuple(out)


expose(unique, formulas=False)

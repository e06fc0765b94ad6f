"""Scans and order statistics: cumsum, cumprod, sort, topk, median and kin (issue 11).

Scans (cumsum, cumprod, logcumsumexp) are ops with formulas; the reverse
cumulative sum (`rcumsum`) is cumsum's adjoint and each is the other's
derivative.  Selections (sort, topk, kthvalue, cummax, median...) compute
their indices without a derivative, then take the values at those indices
with reduce's MAX_DIM op under the grad_fn name PyTorch gives: its gradient
scatters g back to the chosen positions (repeated positions add up).
"""
from .. import _dtypes
from .._factories import arange
from .._tensor import Tensor
from . import _backend, _out
from ._args import as_tensor_arg, normalize_dim, normalize_dims
from . import _batching
from ._dispatch import apply
from ._registry import defop, expose, TensorOps
from .reduce import (AMAX, AMIN, MAX_DIM, MEAN, STD, VAR, _return_type, _var_args, unreduce,
                     sum as _sum)
from .pointwise import isnan as _isnan

_XP = _backend.NUMPY.xp      # forwards' `xp` by default; _backend.bind gives other libraries theirs
_INT64 = _dtypes.int64.np
_UNSET = object()            # an argument not given (PyTorch picks another overload then)


def _last(ndim, dim, sl):
    """An index tuple taking slice `sl` along `dim` (everything elsewhere)."""
    return (slice(None),) * dim + (sl,)


def _flip(x, dim):
    return x[_last(x.ndim, dim, slice(None, None, -1))]


# --- forwards (raw arrays) ------------------------------------------------------------------
def _cumsum(x, dim, *, xp=_XP):
    if x.ndim == 0:
        return x.copy()
    return xp.cumsum(x, axis=dim)


def _rcumsum(x, dim, *, xp=_XP):
    """Sums from the end: out[i] = x[i] + x[i+1] + ... along dim."""
    if x.ndim == 0:
        return x.copy()
    return _flip(xp.cumsum(_flip(x, dim), axis=dim), dim)


def _cumprod(x, dim, *, xp=_XP):
    if x.ndim == 0:
        return x.copy()
    return xp.cumprod(x, axis=dim)


def _logcumsumexp(x, dim, *, xp=_XP):
    """A Hillis-Steele scan with logaddexp: stable for any range of values."""
    y = x.copy()
    if x.ndim == 0:
        return y
    n = x.shape[dim]
    s = 1
    while s < n:
        prev = y[_last(y.ndim, dim, slice(None, n - s))].copy()
        y[_last(y.ndim, dim, slice(s, None))] = xp.logaddexp(y[_last(y.ndim, dim, slice(s, None))], prev)
        s *= 2
    return y


def _order(x, dim, descending, *, xp=_XP):
    """The indices that sort x along dim, stably (equal values keep their order;
    NaN counts as the largest value, as in PyTorch)."""
    if x.ndim == 0:
        return xp.zeros((), dtype=_INT64)
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable").astype(_INT64)
    # Descending and stable: sort the reversed slice ascending, reverse the
    # result, and map the positions back.
    r = xp.argsort(_flip(x, dim), axis=dim, kind="stable").astype(_INT64)
    return (x.shape[dim] - 1) - _flip(r, dim)


def _topk_index(x, k, dim, largest, *, xp=_XP):
    idx = _order(x, dim, largest, xp=xp)
    return idx if x.ndim == 0 else idx[_last(x.ndim, dim, slice(None, k))]


def _kth_index(x, k, dim, keepdim, *, xp=_XP):
    idx = _order(x, dim, False, xp=xp)
    if x.ndim == 0:
        return idx
    idx = idx[_last(x.ndim, dim, slice(k - 1, k))]
    return idx if keepdim else idx.squeeze(dim)


def _cum_extreme_index(x, dim, is_max, *, xp=_XP):
    """Where the running max (min) of x along dim was found: the latest of
    equal values, NaN counting as beyond every number (PyTorch's cummax).  A
    Hillis-Steele scan over (value, index) pairs: log2(n) vectorized steps."""
    if x.ndim == 0:
        return xp.zeros((), dtype=_INT64)
    n = x.shape[dim]
    along = [1] * x.ndim
    along[dim] = n
    i = xp.zeros(x.shape, dtype=_INT64) + xp.arange(n, dtype=_INT64).reshape(tuple(along))
    v = x.copy()
    floating = x.dtype.kind in "fc"
    s = 1
    while s < n:
        head, tail = _last(x.ndim, dim, slice(None, n - s)), _last(x.ndim, dim, slice(s, None))
        pv, cv = v[head], v[tail]
        earlier = pv > cv if is_max else pv < cv       # ties go to the later index
        if floating:
            earlier = earlier | (xp.isnan(pv) & ~xp.isnan(cv))
        nv, ni = xp.where(earlier, pv, cv), xp.where(earlier, i[head], i[tail])
        v[tail] = nv
        i[tail] = ni
        s *= 2
    return i


def _median_index(x, dim, keepdim, ignore_nan, *, xp=_XP):
    """Where the lower median of x along dim is.  median: a slice with NaN has
    its (first) NaN as median; nanmedian: the lower median of the numbers."""
    if x.ndim == 0:
        return xp.zeros((), dtype=_INT64)
    order = _order(x, dim, False, xp=xp)         # NaN last, in their original order
    n = x.shape[dim]
    shape = tuple(1 if i == dim else s for i, s in enumerate(x.shape))
    pos = xp.zeros(shape, dtype=_INT64) + (n - 1) // 2
    if x.dtype.kind in "fc":
        numbers = (~xp.isnan(x)).sum(axis=dim, keepdims=True).astype(_INT64)
        if ignore_nan:
            pos = xp.where(numbers > 0, (numbers - 1) // 2, n // 2)
        else:
            pos = xp.where(numbers < n, numbers, pos)
    idx = xp.take_along_axis(order, pos, axis=dim)
    return idx if keepdim else idx.squeeze(dim)


def _median_all(x, ignore_nan, shape=None, *, xp=_XP):
    f = x.reshape(-1)
    if f.size == 0:
        return xp.full((), float("nan"), dtype=x.dtype)
    idx = _median_index(f, 0, True, ignore_nan, xp=xp)
    return xp.take_along_axis(f, idx, axis=0).reshape(())


def _mode_index(x, dim, keepdim, *, xp=_XP):
    """Where the most frequent value of x along dim is (the smallest such value;
    its last occurrence), by comparing every pair of a slice's elements."""
    if x.ndim == 0:
        return xp.zeros((), dtype=_INT64)
    y = x.swapaxes(dim, -1)
    n = y.shape[-1]
    count = (y[..., :, None] == y[..., None, :]).sum(axis=-1)
    top = count == count.max(axis=-1, keepdims=True)
    rank = xp.argsort(xp.argsort(y, axis=-1, kind="stable"), axis=-1, kind="stable")
    first = xp.where(top, rank, n).argmin(axis=-1)[..., None]       # the smallest top value
    same = y == xp.take_along_axis(y, first, axis=-1)
    idx = (n - 1) - _flip(same, y.ndim - 1).argmax(axis=-1)          # its last occurrence
    idx = xp.asarray(idx, dtype=_INT64)
    if keepdim:
        idx = xp.expand_dims(idx, -1).swapaxes(dim, -1)
    return idx


# --- backward helpers (written with F, so they serve both modes) ------------------------------
def _cumprod_grad(F, g, x, out, dim):
    # grad_i = sum_{k >= i} g_k prod_{j <= k, j != i} x_j.  Before a slice's first
    # zero that is rcumsum(g * out) / x; at the first zero it is rcumsum(g * out')
    # with out' the cumprod of x with that zero read as 1; after it, 0.
    zero = x == 0
    if not bool(zero.any()):
        return F.rcumsum(g * out, dim) / x
    if isinstance(x, Tensor):
        # Recorded for higher derivatives: the masks above would hide how the
        # zero entries depend on x, so spell the products out instead.
        return _cumprod_grad_products(F, g, x, dim)
    nz = F.cumsum(zero, dim)
    before = nz == 0
    first = zero & (nz == 1)
    a = F.rcumsum(g * out, dim) / F.where(zero, 1, x)
    b = F.rcumsum(g * F.cumprod(F.where(first, 1, x), dim), dim)
    return F.where(before, a, F.where(first, b, 0))


def _cumprod_grad_products(F, g, x, dim):
    """cumprod's gradient as sum_{k >= i} g_k prod_{j <= k, j != i} x_j, written
    out with an n x n matrix per slice (no division: right at zeros, to every
    order; used only where x has zeros and the backward is recorded)."""
    if x.ndim == 0:
        return g + 0 * x
    xt, gt = x.transpose(dim, -1), g.transpose(dim, -1)
    n = xt.shape[-1]
    k = arange(n)
    rows = xt.unsqueeze(-2).expand(*xt.shape[:-1], n, n)
    others = F.where(k[None, :] == k[:, None], 1, rows).cumprod(-1)   # [i, k]: without x_i
    grad = (F.where(k[None, :] >= k[:, None], others, 0) * gt.unsqueeze(-2)).sum(-1)
    return grad.transpose(dim, -1)


def _signed_logs(u, xp):
    """log(u) of u's positive and of its negative part (-inf where the part is 0)."""
    pos, neg = u > 0, u < 0
    inf = float("inf")
    return (xp.where(pos, xp.log(xp.where(pos, u, 1)), -inf),
            xp.where(neg, xp.log(xp.where(neg, -u, 1)), -inf))


def _tail(u, x, y, dim, *, xp=_XP):
    """out_i = sum_{k >= i} u_k exp(x_i - y_k) along dim: logcumsumexp's
    gradient (u = g, y = its output), summed in log space (stable for any
    spread of x; u's positive and negative parts apart)."""
    if x.ndim == 0:
        return u * xp.exp(x - y)
    lp, ln = _signed_logs(u, xp)
    return (xp.exp(x + _flip(_logcumsumexp(_flip(lp - y, dim), dim, xp=xp), dim)) -
            xp.exp(x + _flip(_logcumsumexp(_flip(ln - y, dim), dim, xp=xp), dim)))


def _head(u, x, y, dim, *, xp=_XP):
    """out_k = sum_{i <= k} u_i exp(x_i - y_k) along dim: _tail's adjoint in u."""
    if x.ndim == 0:
        return u * xp.exp(x - y)
    lp, ln = _signed_logs(u, xp)
    return xp.exp(_logcumsumexp(lp + x, dim, xp=xp) - y) - xp.exp(_logcumsumexp(ln + x, dim, xp=xp) - y)


CUMSUM = defop("cumsum", _cumsum, lambda F, g, dim: F.rcumsum(g, dim), params=("dim",))
RCUMSUM = defop("rcumsum", _rcumsum, lambda F, g, dim: F.cumsum(g, dim), params=("dim",))
CUMPROD = defop("cumprod", _cumprod, lambda F, g, x, out, dim: _cumprod_grad(F, g, x, out, dim),
                params=("dim",))
LOGCUMSUMEXP = defop("logcumsumexp", _logcumsumexp,
                     lambda F, g, x, out, dim: F.lcse_tail(g, x, out, dim),
                     params=("dim",))
# The two weighted scans its gradient is made of, each the other's adjoint:
# tail(u, x, y)_i = sum_{k >= i} u_k exp(x_i - y_k), head(u, x, y)_k = sum_{i <= k} u_i exp(x_i - y_k).
LCSE_TAIL = defop("lcse_tail", _tail,
                  lambda F, g, x, y, dim: F.lcse_head(g, x, y, dim),
                  lambda F, g, out: g * out,
                  lambda F, g, u, x, y, dim: -u * F.lcse_head(g, x, y, dim),
                  inputs=("u", "x", "y"), params=("dim",))
LCSE_HEAD = defop("lcse_head", _head,
                  lambda F, g, x, y, dim: F.lcse_tail(g, x, y, dim),
                  lambda F, g, u, x, y, dim: u * F.lcse_tail(g, x, y, dim),
                  lambda F, g, out: -g * out,
                  inputs=("u", "x", "y"), params=("dim",))
# median() over everything: as max(), ties (and NaNs, when the median is NaN)
# share the gradient evenly.
MEDIAN_ALL = defop("median_all", _median_all,
                   lambda F, g, x, out: g * _hits(x, out) / F.sum_nograd(_hits(x, out), None),
                   params=("ignore_nan", "shape"), node_name="MedianBackward0")


def _hits(x, out):
    return (x == out) | ((x != x) & (out != out))


def _nansum(x, dims, keepdim, shape=None, *, xp=_XP):
    if x.dtype.kind in "fc":
        x = xp.where(x != x, 0, x)
    return x.sum(axis=dims, keepdims=keepdim)


NANSUM = defop("nansum", _nansum,
               lambda F, g, x, shape, dims, keepdim: unreduce(F, g, shape, dims, keepdim) * (x == x),
               params=("dims", "keepdim", "shape"))


# Index results (no derivative).
ORDER = defop("order", _order, quiet=False)
TOPK_INDEX = defop("topk_index", _topk_index, quiet=False)
KTH_INDEX = defop("kth_index", _kth_index, quiet=False)
MEDIAN_INDEX = defop("median_index", _median_index, quiet=False)
MODE_INDEX = defop("mode_index", _mode_index, quiet=False)
CUM_EXTREME_INDEX = defop("cum_extreme_index", _cum_extreme_index, quiet=False)


# --- public functions -----------------------------------------------------------------------
def _need_dim(name, dim):
    if dim is None:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')


def _scan_args(name, input, dim, dtype):
    _need_dim(name, dim)
    input = as_tensor_arg(input)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    if dtype is not None:
        d = d.astype(_dtypes.as_dtype(dtype).np)
    elif d.dtype.kind in "biu":
        d = d.astype(_INT64)         # PyTorch accumulates integers and bools as int64
    return input, d, dim


def cumsum(input, dim=None, *, dtype=None, out=None):
    if out is not None:
        return _out.into(out, cumsum(input, dim, dtype=_out.reduction_dtype(dtype, out)), "cumsum")
    input, d, dim = _scan_args("cumsum", input, dim, dtype)
    return apply(CUMSUM, (input,), (d,), (dim,))


def cumprod(input, dim=None, *, dtype=None, out=None):
    if out is not None:
        return _out.into(out, cumprod(input, dim, dtype=_out.reduction_dtype(dtype, out)),
                         "cumprod")
    input, d, dim = _scan_args("cumprod", input, dim, dtype)
    return apply(CUMPROD, (input,), (d,), (dim,))


def logcumsumexp(input, dim=None, *, out=None):
    if out is not None:
        return _out.into(out, logcumsumexp(input, dim), "logcumsumexp",
                         exact="expected scalar_type {r} but found {o}")
    _need_dim("logcumsumexp", dim)
    input = as_tensor_arg(input)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    if d.dtype.kind not in "fc":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                           f"'{_dtypes.FROM_NP[d.dtype].legacy}'")
    return apply(LOGCUMSUMEXP, (input,), (d,), (dim,))


def _taken(input, d, idx, dim, keepdim, name):
    """input's values at idx along dim, recorded as `name` (the gradient
    scatters back to the taken positions)."""
    if d.ndim == 0:
        return apply(AMAX, (input,), (d,), (None, False, d.shape), AMAX.variant(name))
    return apply(MAX_DIM, (input,), (d,), (idx._data, dim, keepdim, d.shape), MAX_DIM.variant(name))


def sort(input, *args, stable=_UNSET, dim=-1, descending=False, out=None):
    # PyTorch's two forms: sort(input, dim=-1, descending=False), and with
    # `stable` given, sort(input, *, stable, dim=-1, descending=False).
    if out is not None:
        return _out.into(out, sort(input, *args, stable=stable, dim=dim, descending=descending),
                         "sort")
    if args:
        if stable is not _UNSET or len(args) > 2:
            got = ", ".join(["Tensor"] + [type(a).__name__ for a in args] +
                            ([f"stable={type(stable).__name__}"] if stable is not _UNSET else []))
            raise TypeError(f"sort() received an invalid combination of arguments - got ({got}), "
                            "but expected one of:")
        dim = args[0]
        if len(args) > 1:
            descending = args[1]
    input = as_tensor_arg(input)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    indices = apply(ORDER, (input,), (d,), (dim, bool(descending)))
    values = _taken(input, d, indices, dim, True,
                    "SortBackward0" if stable is _UNSET else "SortBackward1")
    return _return_type("sort")(values, indices)


def argsort(input, dim=-1, descending=False, *, stable=False, out=None):
    if out is not None:
        return _out.into(out, argsort(input, dim, descending, stable=stable), "argsort",
                         exact=_out.EXPECTED)
    input = as_tensor_arg(input)
    d = input._data
    return apply(ORDER, (input,), (d,), (normalize_dim(dim, d.ndim), bool(descending)))


def msort(input, *, out=None):
    if out is not None:
        return _out.into(out, msort(input), "msort", exact=_out.EXPECTED)
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    # (the k values always come sorted: PyTorch leaves their order open for sorted=False)
    if out is not None:
        return _out.into(out, topk(input, k, dim, largest, sorted), "topk")
    input = as_tensor_arg(input)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    n = d.shape[dim] if d.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    indices = apply(TOPK_INDEX, (input,), (d,), (k, dim, bool(largest)))
    values = _taken(input, d, indices, dim, True, "TopkBackward0")
    return _return_type("topk")(values, indices)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, kthvalue(input, k, dim, keepdim), "kthvalue")
    input = as_tensor_arg(input)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    n = d.shape[dim] if d.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    indices = apply(KTH_INDEX, (input,), (d,), (k, dim, keepdim))
    values = _taken(input, d, indices, dim, keepdim, "KthvalueBackward0")
    return _return_type("kthvalue")(values, indices)


def _cum_extreme(name, input, dim, is_max):
    _need_dim(name, dim)
    input = as_tensor_arg(input)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    indices = apply(CUM_EXTREME_INDEX, (input,), (d,), (dim, is_max))
    values = _taken(input, d, indices, dim, True, "CummaxBackward0" if is_max else "CumminBackward0")
    return _return_type(name)(values, indices)


def cummax(input, dim=None, *, out=None):
    if out is not None:
        return _out.into(out, cummax(input, dim), "cummax")
    return _cum_extreme("cummax", input, dim, True)


def cummin(input, dim=None, *, out=None):
    if out is not None:
        return _out.into(out, cummin(input, dim), "cummin")
    return _cum_extreme("cummin", input, dim, False)


def _check_reduced_dim(name, d, dim):
    if d.ndim and d.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def _no_bool(name, d):
    if d.dtype.kind == "b":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


def _median(name, input, dim, keepdim, ignore_nan):
    input = as_tensor_arg(input)
    d = input._data
    _no_bool(name, d)
    if dim is None:
        return apply(MEDIAN_ALL, (input,), (d,), (ignore_nan, d.shape),
                     MEDIAN_ALL.variant("NanmedianBackward0") if ignore_nan else None)
    dim = normalize_dim(dim, d.ndim)
    _check_reduced_dim(name, d, dim)
    indices = apply(MEDIAN_INDEX, (input,), (d,), (dim, keepdim, ignore_nan))
    values = _taken(input, d, indices, dim, keepdim,
                    "NanmedianBackward1" if ignore_nan else "MedianBackward1")
    return _return_type(name)(values, indices)


def median(input, dim=None, keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, median(input, dim, keepdim), "median")
    return _median("median", input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, nanmedian(input, dim, keepdim), "nanmedian")
    return _median("nanmedian", input, dim, keepdim, True)


def mode(input, dim=-1, keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, mode(input, dim, keepdim), "mode")
    input = as_tensor_arg(input)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    _check_reduced_dim("mode", d, dim)
    indices = apply(MODE_INDEX, (input,), (d,), (dim, keepdim))
    values = _taken(input, d, indices, dim, keepdim, "ModeBackward0")
    return _return_type("mode")(values, indices)


class _MinMax(tuple):
    """torch.return_types.aminmax: a (min, max) named tuple."""

    def __new__(cls, min, max):
        return tuple.__new__(cls, (min, max))

    min = property(lambda self: self[0])
    max = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.aminmax(\nmin={self[0]!r},\nmax={self[1]!r})"


_MinMax.__name__ = _MinMax.__qualname__ = "aminmax"
_AMINMAX_MIN = AMIN.variant("AminmaxBackward0")
_AMINMAX_MAX = AMAX.variant("AminmaxBackward0")


def aminmax(input, *, dim=None, keepdim=False, out=None):
    if out is not None:
        return _out.into(out, aminmax(input, dim=dim, keepdim=keepdim), "aminmax")
    input = as_tensor_arg(input)
    d = input._data
    if dim is None:
        if d.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        dims = None
    else:
        dim = normalize_dim(dim, d.ndim)
        if d.ndim and d.shape[dim] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {dim} to have non-zero size.")
        dims = (dim,) if d.ndim else None
    params = (dims, keepdim, d.shape)
    return _MinMax(apply(AMIN, (input,), (d,), params, _AMINMAX_MIN),
                   apply(AMAX, (input,), (d,), params, _AMINMAX_MAX))


_VAR_MEAN = (VAR.variant("VarMeanBackward0"), MEAN.variant("VarMeanBackward0"))
_STD_MEAN = (STD.variant("StdMeanBackward0"), MEAN.variant("StdMeanBackward0"))


def _float_only(name, input):
    if isinstance(input, Tensor) and input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name} only support floating point and complex dtypes")


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    _float_only("var_mean", input)
    input, d, dims, c = _var_args("var_mean", input, dim, unbiased, correction)
    return (apply(VAR, (input,), (d,), (dims, c, keepdim, d.shape), _VAR_MEAN[0]),
            apply(MEAN, (input,), (d,), (dims, keepdim, d.shape), _VAR_MEAN[1]))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    _float_only("std_mean", input)
    input, d, dims, c = _var_args("std_mean", input, dim, unbiased, correction)
    return (apply(STD, (input,), (d,), (dims, c, keepdim, d.shape), _STD_MEAN[0]),
            apply(MEAN, (input,), (d,), (dims, keepdim, d.shape), _STD_MEAN[1]))


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return _out.into(out, nansum(input, dim, keepdim, dtype=_out.reduction_dtype(dtype, out)),
                         "nansum")
    input = as_tensor_arg(input)
    d = input._data
    dims = normalize_dims(dim, d.ndim)
    dims = None if d.ndim == 0 else dims
    if dtype is not None:
        d = d.astype(_dtypes.as_dtype(dtype).np)
    elif d.dtype.kind in "biu":
        d = d.astype(_INT64)
    return apply(NANSUM, (input,), (d,), (dims, keepdim, d.shape))


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return _out.into(out, nanmean(input, dim, keepdim, dtype=dtype), "nanmean")
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_dtypes.FROM_NP[d.dtype].legacy}")
    # PyTorch's composition: nansum / the count of numbers (grad_fn DivBackward0).
    count = _sum(~_isnan(input), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / count


def count_nonzero(input, dim=None):
    input = as_tensor_arg(input)
    return _sum(input != 0, dim)


def _rcumsum_tensor(g, dim):
    return apply(RCUMSUM, (g,), (g._data,), (dim,))


def _weighted_tensor(op):
    def f(u, x, y, dim):
        return apply(op, (u, x, y), (u._data, x._data, y._data), (dim,))
    return f


# --- public forms ---------------------------------------------------------------------------
expose(cumsum, inplace=True)
expose(cumprod, inplace=True)
expose(logcumsumexp, formulas=False)
for _fn in (sort, argsort, msort, topk, kthvalue, cummax, cummin, median, nanmedian, mode):
    expose(_fn, formulas=False)
expose(aminmax, formulas=False)
expose(var_mean, method=False, formulas=False)
expose(std_mean, method=False, formulas=False)
for _fn in (nansum, nanmean, count_nonzero):
    expose(_fn, formulas=False)
TensorOps.rcumsum = staticmethod(_rcumsum_tensor)
TensorOps.lcse_tail = staticmethod(_weighted_tensor(LCSE_TAIL))
TensorOps.lcse_head = staticmethod(_weighted_tensor(LCSE_HEAD))


# --- unique, bincount, histc ------------------------------------------------------------------
def _no_unique_derivative(F, g):
    raise NotImplementedError("the derivative for '_unique2' is not implemented.")


def _unique_values(x, sorted, *, xp=_XP):
    return xp.unique(x.reshape(-1))


def _unique_inverse(x, *, xp=_XP):
    return xp.unique(x.reshape(-1), return_inverse=True)[1].reshape(x.shape).astype(_INT64)


def _unique_counts(x, *, xp=_XP):
    return xp.unique(x.reshape(-1), return_counts=True)[1].astype(_INT64)


_INT64 = _dtypes.int64.np
# Sorted unique values (PyTorch sorts on the CPU whether or not sorted= asks);
# a gradient through them is PyTorch's error.
UNIQUE = defop("unique", _unique_values, _no_unique_derivative, params=("sorted",),
               node_name="Unique2Backward0", quiet=False)
UNIQUE_INVERSE = defop("unique_inverse", _unique_inverse, quiet=False)
UNIQUE_COUNTS = defop("unique_counts", _unique_counts, quiet=False)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    input = as_tensor_arg(input)
    if dim is not None:
        raise NotImplementedError("chainrule: unique(dim=) is not implemented yet")
    d = input._data
    out = [apply(UNIQUE, (input,), (d,), (sorted,))]
    if return_inverse:
        out.append(apply(UNIQUE_INVERSE, (input,), (d,)))
    if return_counts:
        out.append(apply(UNIQUE_COUNTS, (input,), (d,)))
    return out[0] if len(out) == 1 else tuple(out)


def _run_starts(x, xp):
    flat = x.reshape(-1)
    return xp.concatenate([flat[:1] == flat[:1], flat[1:] != flat[:-1]]) if flat.size else \
        flat.astype(bool)


def _consecutive_values(x, *, xp=_XP):
    return x.reshape(-1)[_run_starts(x, xp)]


def _consecutive_inverse(x, *, xp=_XP):
    return (xp.cumsum(_run_starts(x, xp)) - 1).reshape(x.shape).astype(_INT64)


def _consecutive_counts(x, *, xp=_XP):
    starts = xp.nonzero(_run_starts(x, xp))[0]
    ends = xp.concatenate([starts[1:], xp.asarray([x.size], dtype=starts.dtype)])
    return (ends - starts).astype(_INT64)


UNIQUE_CONSECUTIVE = defop("unique_consecutive", _consecutive_values, quiet=False)
CONSECUTIVE_INVERSE = defop("unique_consecutive_inverse", _consecutive_inverse, quiet=False)
CONSECUTIVE_COUNTS = defop("unique_consecutive_counts", _consecutive_counts, quiet=False)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    input = as_tensor_arg(input)
    if dim is not None:
        raise NotImplementedError("chainrule: unique_consecutive(dim=) is not implemented yet")
    d = input._data
    out = [apply(UNIQUE_CONSECUTIVE, (input,), (d,))]
    if return_inverse:
        out.append(apply(CONSECUTIVE_INVERSE, (input,), (d,)))
    if return_counts:
        out.append(apply(CONSECUTIVE_COUNTS, (input,), (d,)))
    return out[0] if len(out) == 1 else tuple(out)


def _bincount(x, weights, minlength, *, xp=_XP):
    return xp.bincount(x, weights, minlength)


BINCOUNT = defop("bincount", _bincount, params=("weights", "minlength"), quiet=False)


def bincount(input, weights=None, minlength=0):
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind not in "iub":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{input.dtype.legacy}'")
    if d.ndim != 1 or d.dtype.kind == "b" or (d.size and d.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    w = None
    if weights is not None:
        weights = as_tensor_arg(weights)
        w = weights._data
        if w.dtype.kind not in "f":
            w = w.astype(_dtypes.float64.np)       # integer weights count in double
    out = apply(BINCOUNT, (input,), (d,), (w, minlength))
    if w is not None and out._data.dtype != w.dtype:
        out = out.to(_dtypes.FROM_NP[w.dtype])
    return out


def _histc(x, bins, lo, hi, *, xp=_XP):
    counts, _ = xp.histogram(x, bins, (lo, hi))
    return counts.astype(x.dtype)


HISTC = defop("histc", _histc, params=("bins", "lo", "hi"), quiet=False)


def histc(input, bins=100, min=0, max=0, *, out=None):
    if out is not None:
        return _out.into(out, histc(input, bins, min, max), "histc",
                         exact="torch.histogram: input tensor and hist tensor should have the "
                               "same dtype, but got input {rc} and hist {oc}")
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind not in "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{input.dtype.legacy}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi:
        if d.size:
            lo, hi = float(d.min()), float(d.max())
        if lo == hi:
            lo, hi = lo - 1, hi + 1
    return apply(HISTC, (input,), (d,), (bins, lo, hi))


for _fn in (unique, unique_consecutive, bincount, histc):
    expose(_fn, formulas=False)


# vmap (ops/_batching.py): the dim param moves past the batch dimension.
_batching.batching(_batching.reducing(0), CUMSUM, RCUMSUM, CUMPROD, LOGCUMSUMEXP)
_batching.batching(_batching.reducing(0, 2), NANSUM)

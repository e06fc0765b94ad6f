"""Pooling over three spatial dimensions: max_pool3d, avg_pool3d,
adaptive_avg_pool3d, adaptive_max_pool3d (issue 11).

pool.py's constructions, written for any number of spatial dimensions over
conv_nd.py's strided windows and registered as PyTorch's 3-D ops (their own
grad_fn names); pool.py's tuned 1-D/2-D arrays stay as they are:

* max pooling: the index of each window's maximum (a scan over the kernel
  offsets, no derivative), then the values taken at those flat per-volume
  indices (MaxPool3DWithIndicesBackward0); taking and putting back are each
  other's derivatives.
* average pooling: window sums over the strided view divided by PyTorch's
  divisor; its adjoint spreads g / divisor back, one strided add per kernel
  offset, and the spreading's derivative is the pooling again.
* adaptive average pooling: separable, one averaging matrix per dimension.
* adaptive max pooling: each bin's members gathered (bins padded by
  repeating their last member), the maximum's index taken, then max
  pooling's take under AdaptiveMaxPool3DBackward0.
"""
import itertools
import math

from .. import _dtypes
from . import _backend
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import defop, expose
from .conv_nd import windows_nd
from .pool import _bins, _bin_members, _divided, _not_implemented, _out_size, _sizes
from .reduce import mean

_NUMPY = _backend.NUMPY
_XP = _NUMPY.xp
_INT64 = _dtypes.int64.np
_ND = 3

__all__ = ["max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "adaptive_avg_pool3d",
           "adaptive_max_pool3d"]


def _as_planes(a, n):
    """(..., *spatial) as (B, 1, *spatial): every volume pools alike."""
    return a.reshape((-1, 1) + tuple(a.shape[a.ndim - n:]))


def _flat(coords, sizes):
    """Row-major flat index of per-dimension coordinates."""
    idx = coords[0]
    for c, n in zip(coords[1:], sizes[1:]):
        idx = idx * n + c
    return idx


def _grid(vals, i, n):
    """vals (o,) along dimension i of n (broadcastable over the others)."""
    return vals.reshape(tuple(-1 if j == i else 1 for j in range(n)))


# --- max pooling ----------------------------------------------------------------------------
def _max_pool_index(x, kernel, stride, padding, dilation, out, *, be=_NUMPY):
    """Per output element, the flat index of its window's maximum in its
    input volume: the first maximum, or the last NaN where there is one
    (PyTorch's scan), never a padding position."""
    xp = be.xp
    n = len(out)
    sp = tuple(x.shape[x.ndim - n:])
    floating = x.dtype.kind == "f"
    fill = float("-inf") if floating else (x.min() if x.size else 0)
    win = windows_nd(_as_planes(x, n), padding, out, kernel, stride, dilation, fill, be)
    K = math.prod(kernel)
    lead = tuple(range(2 + n, 2 + 2 * n)) + tuple(range(2 + n))
    cols = xp.ascontiguousarray(win.transpose(lead)).reshape((K,) + win.shape[:2 + n])
    nan = floating and bool(xp.isnan(x).any())
    best = cols[0]
    pos = xp.zeros(best.shape, dtype=_INT64)
    for k in range(1, K):              # pool.py's scan: later offsets take over only if larger
        v = cols[k]
        take = v > best
        if nan:
            take = take | xp.isnan(v)
            best = xp.where(take, v, best)
        else:
            best = xp.maximum(best, v)
        pos = xp.maximum(pos, take * k)
    # The chosen offset's coordinate along each dimension.
    ks = xp.arange(K, dtype=_INT64)
    offs = []
    for i in reversed(range(n)):
        offs.append(ks % kernel[i])
        ks = ks // kernel[i]
    offs.reverse()
    starts = [_grid(xp.arange(o, dtype=_INT64) * s - p, i, n)
              for i, (o, s, p) in enumerate(zip(out, stride, padding))]
    coords = [st + xp.take(off * d, pos) for st, off, d in zip(starts, offs, dilation)]
    outside = None
    for c, size in zip(coords, sp):
        o = (c < 0) | (c >= size)
        outside = o if outside is None else outside | o
    if bool(outside.any()):
        # Only where every real value of the window equals the padding: then
        # its first real position is PyTorch's answer.
        firsts = [st + (xp.maximum(-st, 0) + d - 1) // d * d for st, d in zip(starts, dilation)]
        coords = [xp.where(outside, f, c) for f, c in zip(firsts, coords)]
    idx = _flat(coords, sp).astype(_INT64)
    return idx.reshape(tuple(x.shape[:x.ndim - n]) + tuple(out))


def _take(x, idx, x_shape, *, xp=_XP):
    """x's values at the flat per-volume indices idx."""
    vol = math.prod(x_shape[len(x_shape) - _ND:])
    flat = x.reshape(-1, vol)
    per = math.prod(idx.shape[idx.ndim - _ND:])
    taken = xp.take_along_axis(flat, idx.reshape(flat.shape[0], per), axis=1)
    return taken.reshape(idx.shape)


def _put(g, idx, x_shape, *, xp=_XP):
    """g added into zeros shaped x_shape at the flat per-volume indices idx."""
    vol = math.prod(x_shape[len(x_shape) - _ND:])
    rows = math.prod(x_shape) // vol if vol else 0
    planes = idx.reshape(rows, math.prod(idx.shape[idx.ndim - _ND:]))
    base = xp.arange(rows, dtype=_INT64).reshape(-1, 1) * vol
    out = xp.bincount((planes + base).reshape(-1), weights=g.reshape(-1), minlength=rows * vol)
    return out.astype(g.dtype).reshape(tuple(x_shape))


MAX_POOL_INDEX = defop("max_pool3d_index", _max_pool_index,
                       params=("kernel", "stride", "padding", "dilation", "out"))
POOL_TAKE = defop("max_pool3d_take", _take,
                  lambda F, g, idx, x_shape: F.max_pool3d_put(g, idx, x_shape), None,
                  inputs=("x", "idx"), params=("x_shape",),
                  node_name="MaxPool3DWithIndicesBackward0", quiet=False)
POOL_PUT = defop("max_pool3d_put", _put,
                 lambda F, g, idx, x_shape: F.max_pool3d_take(g, idx, x_shape), None,
                 inputs=("g", "idx"), params=("x_shape",),
                 node_name="MaxPool3DWithIndicesBackwardBackward0")
# adaptive_max_pool3d's pair: the same arrays, under its own names at both orders.
ADAPTIVE_TAKE = defop("adaptive_max_pool3d_take", _take,
                      lambda F, g, idx, x_shape: F.adaptive_max_pool3d_put(g, idx, x_shape), None,
                      inputs=("x", "idx"), params=("x_shape",),
                      node_name="AdaptiveMaxPool3DBackward0", quiet=False)
ADAPTIVE_PUT = defop("adaptive_max_pool3d_put", _put,
                     lambda F, g, idx, x_shape: F.adaptive_max_pool3d_take(g, idx, x_shape), None,
                     inputs=("g", "idx"), params=("x_shape",),
                     node_name="AdaptiveMaxPool3DBackwardBackward0")


def _max_pool3d_take(x, idx, x_shape):
    return apply(POOL_TAKE, (x, idx), (x._data, idx._data), (x_shape,))


def _max_pool3d_put(g, idx, x_shape):
    return apply(POOL_PUT, (g, idx), (g._data, idx._data), (x_shape,))


def _adaptive_max_pool3d_take(x, idx, x_shape):
    return apply(ADAPTIVE_TAKE, (x, idx), (x._data, idx._data), (x_shape,))


def _adaptive_max_pool3d_put(g, idx, x_shape):
    return apply(ADAPTIVE_PUT, (g, idx), (g._data, idx._data), (x_shape,))


for _fn, _name in ((_max_pool3d_take, "max_pool3d_take"), (_max_pool3d_put, "max_pool3d_put"),
                   (_adaptive_max_pool3d_take, "adaptive_max_pool3d_take"),
                   (_adaptive_max_pool3d_put, "adaptive_max_pool3d_put")):
    expose(_fn, _name, function=False, method=False)


# --- average pooling ------------------------------------------------------------------------
def _divisor(in_sp, out, kernel, stride, padding, count_include_pad, divisor_override, xp,
             dtype):
    """PyTorch's divisor per output position (*out): the window clipped to the
    padded input (count_include_pad) or to the input, or the override."""
    if divisor_override is not None:
        return divisor_override
    n = len(out)
    d = None
    for i, (m, o, k, s, p) in enumerate(zip(in_sp, out, kernel, stride, padding)):
        start = xp.arange(o, dtype=_INT64) * s - p
        end = xp.minimum(start + k, m + p)
        if not count_include_pad:
            end = xp.minimum(end, m)
            start = xp.maximum(start, 0)
        size = _grid(end - start, i, n)
        d = size if d is None else d * size
    return d.astype(dtype)


def _avg_pool(x, kernel, stride, padding, count_include_pad, divisor_override, x_shape, y_shape,
              *, be=_NUMPY):
    xp = be.xp
    n = len(kernel)
    out = tuple(y_shape[len(y_shape) - n:])
    win = windows_nd(_as_planes(x, n), padding, out, kernel, stride, (1,) * n, 0, be)
    s = win.sum(axis=tuple(range(2 + n, 2 + 2 * n)))
    d = _divisor(x_shape[len(x_shape) - n:], out, kernel, stride, padding, count_include_pad,
                 divisor_override, xp, s.dtype if s.dtype.kind == "f" else _INT64)
    return _divided(s, d, xp).astype(x.dtype).reshape(tuple(y_shape))


def _avg_pool_spread(g, kernel, stride, padding, count_include_pad, divisor_override, x_shape,
                     y_shape, *, be=_NUMPY):
    """avg_pool3d's adjoint: each output's g / divisor added to its window,
    one strided add of the whole batch per kernel offset."""
    xp = be.xp
    n = len(kernel)
    sp = tuple(x_shape[len(x_shape) - n:])
    out = tuple(y_shape[len(y_shape) - n:])
    d = _divisor(sp, out, kernel, stride, padding, count_include_pad, divisor_override, xp,
                 g.dtype)
    v = _as_planes(g, n) / d
    full = tuple(max(p + m, (o - 1) * s + k) for p, m, o, s, k in
                 zip(padding, sp, out, stride, kernel))
    z = xp.zeros((v.shape[0], 1) + full, dtype=g.dtype)
    for offset in itertools.product(*(range(k) for k in kernel)):
        dst = (slice(None), slice(None)) + tuple(slice(i, i + (o - 1) * s + 1, s)
                                                 for i, o, s in zip(offset, out, stride))
        z[dst] += v
    crop = (slice(None), slice(None)) + tuple(slice(p, p + m) for p, m in zip(padding, sp))
    return xp.ascontiguousarray(z[crop]).reshape(tuple(x_shape))


_AVG_PARAMS = ("kernel", "stride", "padding", "count_include_pad", "divisor_override", "x_shape",
               "y_shape")


def _avg_dx(F, g, kernel, stride, padding, count_include_pad, divisor_override, x_shape, y_shape):
    return F.avg_pool3d_spread(g, kernel, stride, padding, count_include_pad, divisor_override,
                               x_shape, y_shape)


def _spread_dg(F, g, kernel, stride, padding, count_include_pad, divisor_override, x_shape,
               y_shape):
    return F.avg_pool3d_op(g, kernel, stride, padding, count_include_pad, divisor_override,
                           x_shape, y_shape)


AVG_POOL = defop("avg_pool3d_op", _avg_pool, _avg_dx, params=_AVG_PARAMS,
                 node_name="AvgPool3DBackward0")
AVG_POOL_SPREAD = defop("avg_pool3d_spread", _avg_pool_spread, _spread_dg, params=_AVG_PARAMS,
                        node_name="AvgPool3DBackwardBackward0")


def _avg_pool_t(x, *params):
    return apply(AVG_POOL, (x,), (x._data,), params)


def _avg_pool_spread_t(g, *params):
    return apply(AVG_POOL_SPREAD, (g,), (g._data,), params)


expose(_avg_pool_t, "avg_pool3d_op", function=False, method=False)
expose(_avg_pool_spread_t, "avg_pool3d_spread", function=False, method=False)


# --- adaptive average pooling ---------------------------------------------------------------
def _separable(x, mats, xp):
    """x (B, *spatial) with matrix mats[i] (o_i, n_i) applied along spatial
    dimension i: y = sum over n of A0[o0, n0] A1[o1, n1] ... x[n0, n1, ...]."""
    y = x
    for i, a in enumerate(mats):       # dimension i moved last, multiplied, moved back
        y = xp.moveaxis(xp.matmul(xp.moveaxis(y, 1 + i, -1), a.T), -1, 1 + i)
    return y


def _adaptive_avg(x, in_sp, out, *, xp=_XP):
    mats = [_bins(m, o, xp, x.dtype) for m, o in zip(in_sp, out)]
    lead = tuple(x.shape[:x.ndim - len(out)])
    y = _separable(x.reshape((-1,) + tuple(in_sp)), mats, xp)
    return xp.ascontiguousarray(y).reshape(lead + tuple(out))


def _adaptive_avg_spread(g, in_sp, out, *, xp=_XP):
    mats = [_bins(m, o, xp, g.dtype).T for m, o in zip(in_sp, out)]
    lead = tuple(g.shape[:g.ndim - len(out)])
    y = _separable(g.reshape((-1,) + tuple(out)), mats, xp)
    return xp.ascontiguousarray(y).reshape(lead + tuple(in_sp))


ADAPTIVE_AVG = defop("adaptive_avg_pool3d_op", _adaptive_avg,
                     lambda F, g, in_sp, out: F.adaptive_avg3d_spread(g, in_sp, out),
                     params=("in_sp", "out"), node_name="AdaptiveAvgPool3DBackward0")
ADAPTIVE_AVG_SPREAD = defop("adaptive_avg3d_spread", _adaptive_avg_spread,
                            lambda F, g, in_sp, out: F.adaptive_avg_pool3d_op(g, in_sp, out),
                            params=("in_sp", "out"),
                            node_name="AdaptiveAvgPool3DBackwardBackward0")


def _adaptive_avg_t(x, in_sp, out):
    return apply(ADAPTIVE_AVG, (x,), (x._data,), (in_sp, out))


def _adaptive_avg_spread_t(g, in_sp, out):
    return apply(ADAPTIVE_AVG_SPREAD, (g,), (g._data,), (in_sp, out))


expose(_adaptive_avg_t, "adaptive_avg_pool3d_op", function=False, method=False)
expose(_adaptive_avg_spread_t, "adaptive_avg3d_spread", function=False, method=False)


# --- adaptive max pooling -----------------------------------------------------------------
def _adaptive_max_index(x, out, *, xp=_XP):
    """Per output element, the flat index of its bin's maximum (the first;
    the last NaN where there is one, as PyTorch's scan)."""
    n = len(out)
    sp = tuple(x.shape[x.ndim - n:])
    members = [_bin_members(m, o, xp) for m, o in zip(sp, out)]      # (o_i, k_i)
    ks = tuple(mb.shape[1] for mb in members)
    # flat[o0, o1, o2, k0, k1, k2]: the member's flat index in the volume
    coords = [mb.reshape(tuple(out[j] if j == i else 1 for j in range(n))
                         + tuple(ks[j] if j == i else 1 for j in range(n)))
              for i, mb in enumerate(members)]
    flat = _flat(coords, sp).reshape(tuple(out) + (math.prod(ks),))
    planes = x.reshape(-1, math.prod(sp))
    vals = planes[:, flat]                                       # (B, *out, K)
    pos = vals.argmax(axis=-1)
    if x.dtype.kind == "f" and bool(xp.isnan(x).any()):
        nan = xp.isnan(vals)
        last_nan = (vals.shape[-1] - 1) - nan[..., ::-1].argmax(axis=-1)
        pos = xp.where(nan.any(axis=-1), last_nan, pos)
    full = xp.zeros(pos.shape[:1] + (1,) * (n + 1), dtype=_INT64) + flat
    idx = xp.take_along_axis(full, pos[..., None], axis=-1)
    return idx.reshape(tuple(x.shape[:x.ndim - n]) + tuple(out))


ADAPTIVE_MAX_INDEX = defop("adaptive_max_pool3d_index", _adaptive_max_index, params=("out",))


# --- argument checks (PyTorch's texts) and the public functions ---------------------------------
def _triple(v, name, what, allow_empty=False):
    if isinstance(v, (tuple, list)):
        if allow_empty and len(v) == 0:
            return None
        if len(v) == 1:
            return (int(v[0]),) * _ND
        if len(v) == _ND:
            return tuple(int(i) for i in v)
        raise RuntimeError(f"{name}: {what}")
    return (int(v),) * _ND


def _check_volume(x, fname):
    """(PyTorch's text names non-batch dimension 0 whichever one is empty.)"""
    s = tuple(x.shape)
    if any(n == 0 for n in s[1:]):
        raise RuntimeError(f"{fname}: Expected input's non-batch dimensions to have positive "
                           f"length, but input has a shape of {_sizes(s)} and non-batch "
                           "dimension 0 has length zero!")


def _geometry(name, x, kernel_size, stride, padding, dilation, ceil_mode, avg):
    """Checked kernel, stride, padding, dilation and output size for a 3-D pool."""
    either = "" if avg else "either "        # (the two pools word their texts apart)
    kernel = _triple(kernel_size, name, f"kernel_size must {either}be a single int, or a tuple "
                                        "of three ints")
    omitted = "be omitted" if avg else "either be omitted"
    stride = _triple(stride, name, f"stride must {omitted}, a single int, or a tuple of three "
                                   "ints", allow_empty=True) if stride is not None else None
    stride = stride or kernel
    padding = _triple(padding, name, f"padding must {either}be a single int, or a tuple of three "
                                     "ints")
    dilation = _triple(dilation, name, "dilation must be either a single int, or a tuple of "
                                       "three ints")
    if x._data.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kT: {kernel[0]} "
                           f"kH: {kernel[1]} kW: {kernel[2]}")
    if any(s == 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"stride should be greater than zero, but got dT: {stride[0]} "
                           f"dH: {stride[1]} dW: {stride[2]}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationT: "
                           f"{dilation[0]} dilationH: {dilation[1]} dilationW: {dilation[2]}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(padding)}")
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    _check_volume(x, "avg_pool3d()" if avg else "max_pool3d_with_indices_out_cpu_template()")
    s = tuple(x.shape)
    sp = s[-3:]
    if avg and any(n < k for n, k in zip(sp, kernel)):      # (padding does not count here)
        raise RuntimeError(f"input image (T: {sp[0]} H: {sp[1]} W: {sp[2]}) smaller than kernel "
                           f"size (kT: {kernel[0]} kH: {kernel[1]} kW: {kernel[2]})")
    out = tuple(_out_size(n, k, st, p, d, ceil_mode) for n, k, st, p, d in
                zip(sp, kernel, stride, padding, dilation))
    if any(o < 1 for o in out):
        raise RuntimeError(f"Given input size: ({s[-4]}x{sp[0]}x{sp[1]}x{sp[2]}). Calculated "
                           f"output size: ({s[-4]}x{out[0]}x{out[1]}x{out[2]}). Output size is "
                           "too small")
    return kernel, stride, padding, dilation, out


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    x = as_tensor_arg(input)
    kernel, stride, padding, dilation, out = _geometry(
        "max_pool3d", x, kernel_size, stride, padding, dilation, ceil_mode, False)
    if x._data.dtype.kind not in "fiu":
        _not_implemented("max_pool3d", x)
    idx = apply(MAX_POOL_INDEX, (x,), (x._data,), (kernel, stride, padding, dilation, out))
    y = apply(POOL_TAKE, (x, idx), (x._data, idx._data), (tuple(x.shape),))
    return (y, idx) if return_indices else y


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode,
                                   return_indices)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    x = as_tensor_arg(input)
    if x._data.dtype.kind not in "fiu":
        _not_implemented("avg_pool3d", x)
    kernel, stride, padding, _, out = _geometry("avg_pool3d", x, kernel_size, stride, padding, 1,
                                                ceil_mode, True)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    xs = tuple(x.shape)
    params = (kernel, stride, padding, bool(count_include_pad),
              None if divisor_override is None else int(divisor_override), xs, xs[:-3] + out)
    return apply(AVG_POOL, (x,), (x._data,), params)


def _adaptive_size(s, output_size, message):
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != _ND:
            raise RuntimeError(message)
        return tuple(s[len(s) - _ND + i] if o is None else int(o)
                     for i, o in enumerate(output_size))
    return (int(output_size),) * _ND


def _check_adaptive(name, s, colon):
    if len(s) not in (4, 5):
        raise RuntimeError(f"{name}(): Expected 4D or 5D tensor, but got{colon} {_sizes(s)}")
    for i in range(1, len(s)):
        if s[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {_sizes(s)} with dimension {i} "
                               "being empty")


def adaptive_avg_pool3d(input, output_size):
    x = as_tensor_arg(input)
    s = tuple(x.shape)
    name = "adaptive_avg_pool3d"
    out = _adaptive_size(s, output_size, f"{name}: output_size must be 3")
    _check_adaptive(name, s, "")
    if any(o < 0 for o in out):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{out[0]}, {out[1]},{out[2]}}}")
    if x._data.dtype.kind != "f":
        _not_implemented("adaptive_avg_pool3d_cpu", x)
    if out == (1, 1, 1):
        return mean(x, (-1, -2, -3), keepdim=True)      # PyTorch's shortcut (MeanBackward1)
    return apply(ADAPTIVE_AVG, (x,), (x._data,), (s[-3:], out))


def adaptive_max_pool3d(input, output_size, return_indices=False):
    x = as_tensor_arg(input)
    s = tuple(x.shape)
    name = "adaptive_max_pool3d"
    out = _adaptive_size(s, output_size, f"{name}(): internal error: output_size.size() must be 3")
    _check_adaptive(name, s, ":")
    if any(o < 0 for o in out):
        bad = next(o for o in out if o < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: "
                           f"{_sizes(s[:-3] + out)}")
    if x._data.dtype.kind != "f":
        _not_implemented("adaptive_max_pool3d_cpu", x)
    idx = apply(ADAPTIVE_MAX_INDEX, (x,), (x._data,), (out,))
    y = apply(ADAPTIVE_TAKE, (x, idx), (x._data, idx._data), (s,))
    return (y, idx) if return_indices else y


# torch.max_pool3d: torch's top-level signature (no return_indices).
def _torch_max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


_torch_max_pool3d.__name__ = _torch_max_pool3d.__qualname__ = "max_pool3d"
expose(_torch_max_pool3d, "max_pool3d", method=False, formulas=False)

"""Convolutions over three spatial dimensions: conv3d and conv_transpose3d
(issue 11).

The same three bilinear ops as conv.py's (the convolution, its input
gradient = the transposed convolution, its weight gradient), each the
others' derivative, written once for any number of spatial dimensions and
registered for the 3-D case; conv.py's tuned 1-D/2-D arrays stay as they
are.  The checks, argument rules and PyTorch's texts are conv.py's.

The arrays: im2col through one strided view of the (padded) input,
(N, C, *out, *kernel), copied once to columns (G, N*P, C/G*K) (P output
positions, K kernel offsets), then one matmul per group over the whole
batch.  The transposed convolution is one batched matmul (every window's
share of the input) and col2im: one strided add of the whole batch per
kernel offset (K adds), never a loop over positions.
"""
import itertools
import math

from . import _backend
from . import _batching
from ._dispatch import apply
from ._registry import defop, expose
from . import conv as _conv2

_NUMPY = _backend.NUMPY

__all__ = ["conv3d", "conv_transpose3d"]


# --- raw arrays, any number of spatial dimensions ---------------------------------------------
def padded_nd(x, lo, size, fill, xp):
    """x (..., *spatial) placed `lo` elements into a (..., *size) array of
    `fill` (cropped where size ends before x does); x itself when nothing
    needs adding."""
    n = len(size)
    sp = x.shape[x.ndim - n:]
    if all(p == 0 for p in lo) and all(a >= b for a, b in zip(sp, size)):
        return x
    out = xp.full(tuple(x.shape[:x.ndim - n]) + tuple(size), fill, dtype=x.dtype)
    keep = [max(0, min(a, s - p)) for a, s, p in zip(sp, size, lo)]
    dst = (Ellipsis,) + tuple(slice(p, p + k) for p, k in zip(lo, keep))
    src = (Ellipsis,) + tuple(slice(0, k) for k in keep)
    out[dst] = x[src]
    return out


def windows_nd(x, lo, out, kernel, stride, dilation, fill, be):
    """The windows of x (N, C, *spatial) padded by `lo` (`fill` around it), as
    a strided view (N, C, *out, *kernel)."""
    need = tuple(max(0, (o - 1) * s + (k - 1) * d + 1)
                 for o, k, s, d in zip(out, kernel, stride, dilation))
    xp_ = padded_nd(x, lo, need, fill, be.xp)
    st = be.strides(xp_)
    sp = st[2:]
    shape = tuple(x.shape[:2]) + tuple(out) + tuple(kernel)
    strides = (tuple(st[:2]) + tuple(a * s for a, s in zip(sp, stride))
               + tuple(a * d for a, d in zip(sp, dilation)))
    return be.as_strided(xp_, shape, strides)


def _columns(x, padding, out, kernel, stride, dilation, groups, be):
    """x's windows as (G, N*P, C/G*K): a row per (sample, output position),
    its columns (channel, kernel offset) in the weight's order."""
    n = len(out)
    N, C = x.shape[:2]
    win = windows_nd(x, padding, out, kernel, stride, dilation, 0, be)
    win = win.reshape((N, groups, C // groups) + tuple(out) + tuple(kernel))
    order = (1, 0) + tuple(range(3, 3 + n)) + (2,) + tuple(range(3 + n, 3 + 2 * n))
    return win.transpose(order).reshape(groups, N * math.prod(out),
                                        (C // groups) * math.prod(kernel))


def _conv(x, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape, *, be=_NUMPY):
    N, O = y_shape[0], y_shape[1]
    out = tuple(y_shape[2:])
    cols = _columns(x, padding, out, tuple(w.shape[2:]), stride, dilation, groups, be)
    wm = w.reshape(groups, O // groups, -1).transpose(0, 2, 1)            # (G, C/G*K, O/G)
    y = be.xp.matmul(cols, wm)                                            # (G, N*P, O/G)
    y = y.reshape(groups, N, math.prod(out), O // groups).transpose(1, 0, 3, 2)
    return be.xp.ascontiguousarray(y).reshape(tuple(y_shape))


def _conv_input_grad(g, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape, *,
                     be=_NUMPY):
    xp = be.xp
    N, O = g.shape[:2]
    out = tuple(g.shape[2:])
    kernel = tuple(w.shape[2:])
    Cg = w.shape[1]
    sp = tuple(x_shape[2:])
    wm = w.reshape(groups, O // groups, Cg * math.prod(kernel)).transpose(0, 2, 1)
    cols = xp.matmul(wm, g.reshape(N, groups, O // groups, math.prod(out)))  # (N, G, C/G*K, P)
    cols = cols.reshape((N, groups * Cg) + kernel + out)
    full = tuple(max(p + n, (o - 1) * s + d * (k - 1) + 1) for p, n, o, s, d, k in
                 zip(padding, sp, out, stride, dilation, kernel))
    z = xp.zeros((N, groups * Cg) + full, dtype=cols.dtype)
    for offset in itertools.product(*(range(k) for k in kernel)):   # one add per kernel offset
        dst = (slice(None), slice(None)) + tuple(
            slice(i * d, i * d + (o - 1) * s + 1, s)
            for i, d, o, s in zip(offset, dilation, out, stride))
        z[dst] += cols[(slice(None), slice(None)) + offset]
    crop = (slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in zip(padding, sp))
    return xp.ascontiguousarray(z[crop]).reshape(tuple(x_shape))


def _conv_weight_grad(x, g, stride, padding, dilation, groups, x_shape, w_shape, y_shape, *,
                      be=_NUMPY):
    N, O = g.shape[:2]
    out = tuple(g.shape[2:])
    cols = _columns(x, padding, out, tuple(w_shape[2:]), stride, dilation, groups, be)
    gm = g.reshape(N, groups, O // groups, math.prod(out)).transpose(1, 2, 0, 3)
    gm = gm.reshape(groups, O // groups, N * math.prod(out))
    return be.xp.matmul(gm, cols).reshape(tuple(w_shape))


def _conv_bias(x, w, b, *geometry, be=_NUMPY):
    y = _conv(x, w, *geometry, be=be)
    return y + _conv2._bias_shape(b, y.ndim)


def _conv_input_grad_bias(g, w, b, *geometry, be=_NUMPY):
    x = _conv_input_grad(g, w, *geometry, be=be)
    return x + _conv2._bias_shape(b, x.ndim)


# --- the ops and their formulas (conv.py's, on these ops) ---------------------------------------
def _conv_dx(F, g, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv3_nd_input_grad(g, w, stride, padding, dilation, groups, x_shape, w_shape,
                                 y_shape)


def _conv_dw(F, g, x, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv3_nd_weight_grad(x, g, stride, padding, dilation, groups, x_shape, w_shape,
                                  y_shape)


def _convt_dy(F, g, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv3_nd(g, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape)


def _convt_dw(F, g, y, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv3_nd_weight_grad(g, y, stride, padding, dilation, groups, x_shape, w_shape,
                                  y_shape)


def _convw_dx(F, g, y, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv3_nd_input_grad(y, g, stride, padding, dilation, groups, x_shape, w_shape,
                                 y_shape)


def _convw_dy(F, g, x, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv3_nd(x, g, stride, padding, dilation, groups, x_shape, w_shape, y_shape)


_GEOMETRY = _conv2._GEOMETRY
_db = _conv2._conv_db
CONV = defop("conv3_nd", _conv, _conv_dx, _conv_dw, inputs=("x", "w"), params=_GEOMETRY,
             node_name="ConvolutionBackward0")
CONV_BIAS = defop("conv3_nd_bias", _conv_bias, _conv_dx, _conv_dw, _db,
                  inputs=("x", "w", "b"), params=_GEOMETRY, node_name="ConvolutionBackward0")
CONV_T = defop("conv3_nd_input_grad", _conv_input_grad, _convt_dy, _convt_dw,
               inputs=("y", "w"), params=_GEOMETRY, node_name="ConvolutionBackward0")
CONV_T_BIAS = defop("conv3_nd_input_grad_bias", _conv_input_grad_bias, _convt_dy, _convt_dw,
                    _db, inputs=("y", "w", "b"), params=_GEOMETRY,
                    node_name="ConvolutionBackward0")
CONV_W = defop("conv3_nd_weight_grad", _conv_weight_grad, _convw_dx, _convw_dy,
               inputs=("x", "y"), params=_GEOMETRY, node_name="ConvolutionBackwardBackward0")
_CONV_BB = CONV.variant("ConvolutionBackwardBackward0")
_CONV_T_BB = CONV_T.variant("ConvolutionBackwardBackward0")


def _conv3_nd(x, w, *geometry):
    return apply(CONV, (x, w), (x._data, w._data), geometry, _CONV_BB)


def _conv3_nd_input_grad(y, w, *geometry):
    return apply(CONV_T, (y, w), (y._data, w._data), geometry, _CONV_T_BB)


def _conv3_nd_weight_grad(x, y, *geometry):
    return apply(CONV_W, (x, y), (x._data, y._data), geometry)


for _fn, _name in ((_conv3_nd, "conv3_nd"), (_conv3_nd_input_grad, "conv3_nd_input_grad"),
                   (_conv3_nd_weight_grad, "conv3_nd_weight_grad")):
    expose(_fn, _name, function=False, method=False)


# --- the public functions ---------------------------------------------------------------------
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv2._conv_any("conv3d", 3, input, weight, bias, stride, padding, dilation, groups,
                            ops=(CONV, CONV_BIAS))


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv2._conv_transpose_any("conv_transpose3d", 3, input, weight, bias, stride,
                                      padding, output_padding, groups, dilation,
                                      ops=(CONV_T, CONV_T_BIAS))


for _fn in (conv3d, conv_transpose3d):
    expose(_fn, method=False, formulas=False)

_batching.batching(_conv2._batched_conv, CONV, CONV_BIAS)

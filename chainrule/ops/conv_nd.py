"""Convolutions over three spatial dimensions: conv3d and conv_transpose3d,
and the front doors that take any dimension: torch.convolution and
torch.conv_tbc (issue 11).

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
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import defop, expose
from . import conv as _conv2
from .pad import pad as _pad
from .shape import CLONE, narrow, permute

_NUMPY = _backend.NUMPY

__all__ = ["conv3d", "conv_transpose3d", "convolution", "conv_tbc"]


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


_OPS = {3: ((CONV, CONV_BIAS), (CONV_T, CONV_T_BIAS))}     # conv.py's own serve 1-D and 2-D


def _int_list(v, name, position):
    """PyTorch's argument parser on an int[] argument: a tuple or list of ints."""
    head = f"convolution(): argument '{name}' (position {position}) must be"
    if not isinstance(v, (tuple, list)):
        raise TypeError(f"{head} tuple of ints, not {type(v).__name__}")
    for i, e in enumerate(v):
        if not isinstance(e, int) or isinstance(e, bool):
            raise TypeError(f"{head} tuple of ints, but found element of type "
                            f"{type(e).__name__} at pos {i}")
    return tuple(v)


_MISSING = object()     # (an argument not given: PyTorch's parser names the missing ones)


def _check_given(fname, names, values):
    missing = [n for n, v in zip(names, values) if v is _MISSING]
    if len(missing) == 1:
        raise TypeError(f'{fname}() missing 1 required positional arguments: "{missing[0]}"')
    if missing:
        raise TypeError(f"{fname}() missing {len(missing)} required positional argument: "
                        + ", ".join(f'"{n}"' for n in missing))


def convolution(input, weight, bias, stride=_MISSING, padding=_MISSING, dilation=_MISSING,
                transposed=_MISSING, output_padding=_MISSING, groups=_MISSING):
    """torch.convolution: the convolution (or its transpose) of any dimension,
    chosen by the weight's rank; batched input only."""
    _check_given("convolution", ("stride", "padding", "dilation", "transposed", "output_padding",
                                 "groups"),
                 (stride, padding, dilation, transposed, output_padding, groups))
    stride = _int_list(stride, "stride", 4)
    padding = _int_list(padding, "padding", 5)
    dilation = _int_list(dilation, "dilation", 6)
    if not isinstance(transposed, bool):
        raise TypeError(f"convolution(): argument 'transposed' (position 7) must be bool, not "
                        f"{type(transposed).__name__}")
    output_padding = _int_list(output_padding, "output_padding", 8)
    if not isinstance(groups, int) or isinstance(groups, bool):
        raise TypeError(f"convolution(): argument 'groups' (position 9) must be int, not "
                        f"{type(groups).__name__}")
    x, w = as_tensor_arg(input), as_tensor_arg(weight)
    if w._data.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    nd = w._data.ndim - 2
    if x._data.ndim != w._data.ndim:
        raise RuntimeError(f"Expected {w._data.ndim}-dimensional input for {w._data.ndim}-"
                           f"dimensional weight {_conv2._sizes(w.shape)}, but got "
                           f"{x._data.ndim}-dimensional input of size {_conv2._sizes(x.shape)} "
                           "instead")
    if nd > 3:
        raise NotImplementedError(f"convolution: {nd} spatial dimensions are not supported")
    for v, what in ((stride, "stride"), (padding, "padding"), (dilation, "dilation"),
                    (output_padding, "output_padding")):
        if len(v) != 1:
            _conv2._geometry_len(v, nd, what)
    name = f"conv{nd}d"
    plain, trans = _OPS.get(nd, (None, None))
    if transposed:
        return _conv2._conv_transpose_any("conv_transpose" + name[4:], nd, x, w, bias, stride,
                                          padding, output_padding, groups, dilation, ops=trans)
    return _conv2._conv_any(name, nd, x, w, bias, stride, padding, dilation, groups, ops=plain)


_TBC = CLONE.variant("ConvTbcBackward0")


def conv_tbc(input, weight, bias=_MISSING, pad=0):
    """The 1-D convolution in time-batch-channel layout: y[t, b, o] = bias[o]
    + sum over k, c of x[t + k - pad, b, c] * weight[k, c, o] (x zero outside
    its length; a negative pad crops it).  conv1d on permuted views, the
    result laid out (T', B, O) by one copy: PyTorch's ConvTbcBackward0."""
    _check_given("conv_tbc", ("bias",), (bias,))
    if bias is None:
        raise TypeError("conv_tbc(): argument 'bias' (position 3) must be Tensor, not NoneType")
    x, w, b = as_tensor_arg(input), as_tensor_arg(weight), as_tensor_arg(bias)
    pad = int(pad)
    if x._data.ndim != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if w._data.ndim != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if b._data.ndim != 1:
        raise RuntimeError("Bias must be 1-D")
    T, B, C = x.shape
    K, Cw, O = w.shape
    if b.shape[0] != O:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    if C != Cw:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    out = T + 2 * pad - K + 1
    if out < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {out}: "
                           f"[{out}, {B}, {O}]")
    xd, wd = x._data.dtype, w._data.dtype
    if xd != wd:
        names = _conv2._SCALAR_TYPE
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{names.get(xd.name, xd.name)} and {names.get(wd.name, wd.name)}")
    if b._data.dtype != xd:
        b = b.to(x.dtype)
    if pad < 0:                          # the input cropped by -pad at both ends
        x = narrow(x, 0, -pad, T + 2 * pad)
        pad = 0
    extra = 1 if out == 0 else 0         # (conv1d refuses an empty output: one frame more)
    xt = permute(x, (1, 2, 0))           # (B, C, T)
    if extra:
        xt = _pad(xt, (0, extra))
    y = _conv2.conv1d(xt, permute(w, (2, 1, 0)), b, 1, pad)   # (B, O, T')
    if extra:
        y = narrow(y, 2, 0, 0)
    y = permute(y, (2, 0, 1))
    return apply(CLONE, (y,), (y._data,), ("C",), _TBC)


for _fn in (conv3d, conv_transpose3d, convolution, conv_tbc):
    expose(_fn, method=False, formulas=False)

_batching.batching(_conv2._batched_conv, CONV, CONV_BIAS)

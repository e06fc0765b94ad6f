"""Convolutions: conv1d, conv2d and their transposes (issue 13).

Three bilinear ops close under differentiation.  With
B(x, w, g) = <conv(x, w), g>:

    conv_nd(x, w)               = dB/dg   the convolution itself
    conv_nd_input_grad(g, w)    = dB/dx   the transposed convolution
    conv_nd_weight_grad(x, g)   = dB/dw   input correlated with the output gradient

and the derivative of each with respect to either operand is one of the
other two (see the formulas below), so backward, create_graph and forward
mode all run on the same three ops.  conv_transpose1d/2d are
conv_nd_input_grad seen as a forward.

Every op carries the full geometry as params (stride, padding, dilation,
groups and the three shapes x_shape, w_shape, y_shape): the output size is
never recomputed from the input, because a transposed convolution with
output_padding >= stride gives an input that a convolution would map to a
larger output.  `padding` is the padding before each spatial dimension; the
padding after it follows from the shapes (padding='same' with an even kernel
pads one more after than before, as PyTorch does).

The arrays: im2col through a strided view of the (padded) input, then one
matmul per group over the whole batch: no Python loop over pixels or batch
elements.  With one group and 4 channels or more the input is first copied
channels-last and the columns are (N*OH*OW, KH*KW*C) (see _im2col_rows);
otherwise the view is (N, C, OH, OW, KH, KW) and the columns (G, C/G*KH*KW,
N*OH*OW).  The transposed convolution is
either the same correlation, of the padded gradient with the flipped kernel,
or one batched matmul (each window's share of the input) and col2im, a
strided add per kernel offset (kh*kw adds over the whole batch): whichever
was measured faster for the shapes (see _conv_input_grad).  1-D arrays get a
size-1 height and go the same way.
"""
import warnings

from .. import _dtypes
from . import _backend
from ._args import as_tensor_arg
from . import _batching
from . import _memory_format
from . import conv_winograd
from ._dispatch import apply
from ._registry import defop, expose, complex_like
from .shape import reshape, squeeze, unsqueeze

_NUMPY = _backend.NUMPY

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]


# --- raw arrays: 1-D as 2-D, padding, windows -----------------------------------------------
def _as2d(a):
    """An (N, C, L) array seen as (N, C, 1, L); 4-D arrays stay."""
    if a.ndim == 3:
        return a.reshape(a.shape[0], a.shape[1], 1, a.shape[2])
    return a


def _two(t, fill):
    """A 1-D geometry tuple with `fill` for the size-1 height."""
    t = tuple(t)
    return (fill,) + t if len(t) == 1 else t


def padded(x, lo, size, fill, xp):
    """x (..., H, W) placed `lo` elements into a (..., *size) array of `fill`
    (cropped where size ends before x does: windows never reach there).  x
    itself when nothing needs adding."""
    H, W = x.shape[-2:]
    if lo == (0, 0) and H >= size[0] and W >= size[1]:
        return x
    out = xp.full(tuple(x.shape[:-2]) + tuple(size), fill, dtype=x.dtype)
    h = max(0, min(H, size[0] - lo[0]))
    w = max(0, min(W, size[1] - lo[1]))
    out[..., lo[0]:lo[0] + h, lo[1]:lo[1] + w] = x[..., :h, :w]
    return out


def windows(x, lo, out_hw, k_hw, stride, dilation, fill, be):
    """The windows of x (N, C, H, W) padded by `lo` (`fill` around it), as a
    strided view (N, C, OH, OW, KH, KW): no copy beyond the padding."""
    need = tuple(max(0, (o - 1) * s + (k - 1) * d + 1)
                 for o, k, s, d in zip(out_hw, k_hw, stride, dilation))
    xp_ = padded(x, lo, need, fill, be.xp)
    sn, sc, sh, sw = be.strides(xp_)
    shape = tuple(x.shape[:2]) + tuple(out_hw) + tuple(k_hw)
    return be.as_strided(xp_, shape, (sn, sc, sh * stride[0], sw * stride[1],
                                      sh * dilation[0], sw * dilation[1]))


def _im2col(x, lo, out_hw, k_hw, stride, dilation, groups, be):
    """x's windows as matrices, one per group: (G, C/G*KH*KW, N*OH*OW).  The
    window positions stay innermost, where a stride-1 window view reads whole
    rows: the copy runs 2-3 times faster than with the kernel offsets
    innermost."""
    N, C = x.shape[:2]
    (OH, OW), (KH, KW) = out_hw, k_hw
    win = windows(x, lo, out_hw, k_hw, stride, dilation, 0, be)
    win = win.reshape(N, groups, C // groups, OH, OW, KH, KW).transpose(1, 2, 5, 6, 0, 3, 4)
    return win.reshape(groups, (C // groups) * KH * KW, N * OH * OW)


def _im2col_rows(x, lo, out_hw, k_hw, stride, dilation, be):
    """x's windows as one matrix (N*OH*OW, KH*KW*C) (groups=1): a row per
    window position, its columns (i, j, c) with the channel innermost.  x is
    copied once, padded, to channels-last, where one kernel row of a window
    (KW*C values at dilation 1) lies in one run of memory: the copy into
    columns then reads runs of KW*C rather than of OW (32 channels, 3x3, 8x8:
    runs of 96 against 8); the matmul reads the columns contiguous as well."""
    xp = be.xp
    N, C, H, W = x.shape
    (OH, OW), (KH, KW) = out_hw, k_hw
    need = tuple(max(0, (o - 1) * s + (k - 1) * d + 1)
                 for o, k, s, d in zip(out_hw, k_hw, stride, dilation))
    if lo == (0, 0) and H >= need[0] and W >= need[1]:
        z = xp.ascontiguousarray(x.transpose(0, 2, 3, 1))
    else:
        z = xp.zeros((N,) + need + (C,), dtype=x.dtype)
        h = max(0, min(H, need[0] - lo[0]))
        w = max(0, min(W, need[1] - lo[1]))
        z[:, lo[0]:lo[0] + h, lo[1]:lo[1] + w] = x[:, :, :h, :w].transpose(0, 2, 3, 1)
    sn, sh, sw, sc = be.strides(z)
    win = be.as_strided(z, (N, OH, OW, KH, KW, C), (sn, sh * stride[0], sw * stride[1],
                                                     sh * dilation[0], sw * dilation[1], sc))
    return win.reshape(N * OH * OW, KH * KW * C)


def _rows_route(groups, C):
    """Whether the channels-last columns serve (groups=1, 4 channels or more):
    measured at batch 64, 3x3, 8x8, one thread, 32 out channels: 0.21 / 0.51
    / 3.6 ms against 0.30 / 0.74 / 4.9 ms for 4 / 16 / 64 in channels, but
    0.13 against 0.07 ms for one (a channels-last copy of one channel is a
    transpose for nothing)."""
    return groups == 1 and C >= 4


def _winograd(w4, stride, dilation, groups, dtype, pixels):
    return conv_winograd.applies(w4.shape, _two(stride, 1), _two(dilation, 1), groups, dtype,
                                 pixels)


def channels_last(x, w, be):
    """PyTorch's layout for a 2-D convolution's result: channels-last when
    the input or the weight (4-D both) suggests it (see _memory_format.py)."""
    return x.ndim == 4 and (_memory_format.array_suggests_channels_last(x, be)
                            or _memory_format.array_suggests_channels_last(w, be))


def _conv(x, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape, *, be=_NUMPY):
    x4, w4 = _as2d(x), _as2d(w)
    N = x4.shape[0]
    O, Cg, KH, KW = w4.shape
    OH, OW = _two(y_shape[2:], 1)
    cl = channels_last(x, w, be)
    if _winograd(w4, stride, dilation, groups, x4.dtype, N * OH * OW):
        y = conv_winograd.conv(x4, w4, _two(padding, 0), (OH, OW), be=be, channels_last=cl)
        return y if cl else y.reshape(tuple(y_shape))
    if _rows_route(groups, x4.shape[1]):
        cols = _im2col_rows(x4, _two(padding, 0), (OH, OW), (KH, KW), _two(stride, 1),
                            _two(dilation, 1), be)                    # (N*OH*OW, KH*KW*C)
        y = be.xp.matmul(cols, w4.transpose(2, 3, 1, 0).reshape(KH * KW * Cg, O))
        if cl:
            return y.reshape(N, OH, OW, O).transpose(0, 3, 1, 2)      # NHWC as it came
        y = y.reshape(N, OH * OW, O).transpose(0, 2, 1)
        return be.xp.ascontiguousarray(y).reshape(tuple(y_shape))
    cols = _im2col(x4, _two(padding, 0), (OH, OW), (KH, KW), _two(stride, 1),
                   _two(dilation, 1), groups, be)
    # One matmul per group over the whole batch ((G, O/G, K) @ (G, K, N*OH*OW);
    # measured 0.5 ms against 0.7 ms for N*G small ones at batch 64, 16->32
    # channels, 8x8), then y's layout (a copy of the output only).
    if cl and groups == 1:
        # the product transposed, (N*OH*OW, K) @ (K, O): NHWC as it comes
        # (BLAS reads the columns transposed itself; batch 64, 1 -> 32
        # channels, 8x8: 0.47-0.52 ms against 0.85-1.24 ms for the NCHW
        # product and its copy, one loaded run)
        y = be.xp.matmul(cols[0].T, w4.reshape(O, Cg * KH * KW).T)
        return y.reshape(N, OH, OW, O).transpose(0, 3, 1, 2)
    y = be.xp.matmul(w4.reshape(groups, O // groups, Cg * KH * KW), cols)
    if cl:
        out = _memory_format.empty_channels_last(tuple(y_shape), y.dtype, be.xp)
        out[...] = y.reshape(O, N, OH, OW).transpose(1, 0, 2, 3)
        return out
    y = y.reshape(groups, O // groups, N, OH * OW).transpose(2, 0, 1, 3)
    return be.xp.ascontiguousarray(y).reshape(tuple(y_shape))


def _conv_input_grad(g, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape, *,
                     be=_NUMPY):
    """The transposed convolution, g (shaped y_shape) to x_shape, by one of
    two routes (at batch 64, 3x3, 8x8, one thread):

    * stride 1, as many x channels as g channels or more than a quarter of
      them: correlate g, padded, with the flipped kernel (_conv: im2col +
      matmul): 0.6 ms against 1.1 ms for 32 -> 16 channels;
    * otherwise col2im: one batched matmul gives every window's share of x,
      then one strided add per kernel offset puts them in place (kh*kw adds
      of whole batches): 0.09 ms against 0.37 ms for 16 -> 1 channel, and it
      never multiplies the zeros a stride would put between g's elements."""
    xp = be.xp
    g4, w4 = _as2d(g), _as2d(w)
    N, O, OH, OW = g4.shape
    _, Cg, KH, KW = w4.shape
    H, W = _two(x_shape[2:], 1)
    (sh, sw), (ph, pw), (dh, dw) = _two(stride, 1), _two(padding, 0), _two(dilation, 1)
    eh, ew = dh * (KH - 1), dw * (KW - 1)
    if sh == sw == 1 and ph <= eh and pw <= ew and O <= 4 * groups * Cg:
        # The kernel with in and out channels swapped within each group, flipped;
        # g padded by eh - ph before (and up to H + eh after) by the im2col
        # itself (one copy of g, not a padded one and then its columns).
        wt = w4.reshape(groups, O // groups, Cg, KH, KW).transpose(0, 2, 1, 3, 4)
        wt = wt.reshape(groups * Cg, O // groups, KH, KW)[:, :, ::-1, ::-1]
        x = _conv(g4, wt, (1, 1), (eh - ph, ew - pw), (dh, dw), groups, None, None,
                  (N, groups * Cg, H, W), be=be)
        return x.reshape(tuple(x_shape))
    wm = w4.reshape(groups, O // groups, Cg * KH * KW).transpose(0, 2, 1).copy()  # (G, K, O/G)
    cols = xp.matmul(wm, g4.reshape(N, groups, O // groups, OH * OW))       # (N, G, K, OH*OW)
    cols = cols.reshape(N, groups * Cg, KH, KW, OH, OW)
    z = xp.zeros((N, groups * Cg, max(ph + H, (OH - 1) * sh + eh + 1),
                  max(pw + W, (OW - 1) * sw + ew + 1)), dtype=cols.dtype)
    for i in range(KH):
        for j in range(KW):
            z[:, :, i * dh:i * dh + (OH - 1) * sh + 1:sh,
              j * dw:j * dw + (OW - 1) * sw + 1:sw] += cols[:, :, i, j]
    return xp.ascontiguousarray(z[:, :, ph:ph + H, pw:pw + W]).reshape(tuple(x_shape))


def _conv_weight_grad(x, g, stride, padding, dilation, groups, x_shape, w_shape, y_shape, *,
                      be=_NUMPY):
    x4, g4 = _as2d(x), _as2d(g)
    N, O, OH, OW = g4.shape
    KH, KW = _two(w_shape[2:], 1)
    C = x4.shape[1]
    if conv_winograd.applies(tuple(w_shape), _two(stride, 1), _two(dilation, 1), groups,
                             x4.dtype, N * OH * OW):
        return conv_winograd.weight_grad(x4, g4, _two(padding, 0), be=be).reshape(tuple(w_shape))
    if _rows_route(groups, C):
        cols = _im2col_rows(x4, _two(padding, 0), (OH, OW), (KH, KW), _two(stride, 1),
                            _two(dilation, 1), be)                    # (N*OH*OW, KH*KW*C)
        gm = g4.reshape(N, O, OH * OW).transpose(1, 0, 2).reshape(O, N * OH * OW)
        dw = be.xp.matmul(gm, cols).reshape(O, KH, KW, C).transpose(0, 3, 1, 2)
        return be.xp.ascontiguousarray(dw).reshape(tuple(w_shape))
    cols = _im2col(x4, _two(padding, 0), (OH, OW), (KH, KW), _two(stride, 1),
                   _two(dilation, 1), groups, be)                         # (G, K, N*OH*OW)
    gm = g4.reshape(N, groups, O // groups, OH * OW).transpose(1, 2, 0, 3)
    gm = gm.reshape(groups, O // groups, N * OH * OW)
    return be.xp.matmul(gm, cols.transpose(0, 2, 1)).reshape(tuple(w_shape))


def _bias_shape(b, ndim):
    return b.reshape((1, b.shape[0]) + (1,) * (ndim - 2))


def _conv_bias(x, w, b, *geometry, be=_NUMPY):
    stride, padding, dilation, groups, _, _, y_shape = geometry
    x4, w4 = _as2d(x), _as2d(w)
    OH, OW = _two(y_shape[2:], 1)
    if _winograd(w4, stride, dilation, groups, x4.dtype, x4.shape[0] * OH * OW):
        # (the bias goes into the transformed tiles: see conv_winograd.conv)
        cl = channels_last(x, w, be)
        y = conv_winograd.conv(x4, w4, _two(padding, 0), (OH, OW), bias=b, be=be,
                               channels_last=cl)
        return y if cl else y.reshape(tuple(y_shape))
    return _plus_bias(_conv(x, w, *geometry, be=be), b, be.xp)


def _conv_input_grad_bias(g, w, b, *geometry, be=_NUMPY):
    return _plus_bias(_conv_input_grad(g, w, *geometry, be=be), b, be.xp)


def _plus_bias(y, b, xp):
    """y + b over the channels, into y where the dtypes agree (y is the
    convolution's own fresh result: a full-size array fewer, 512 KiB per
    call in the digits example's first layer)."""
    if y.dtype != b.dtype:
        return y + _bias_shape(b, y.ndim)
    return xp.add(y, _bias_shape(b, y.ndim), out=y)


# --- the ops and their formulas ---------------------------------------------------------------
_GEOMETRY = ("stride", "padding", "dilation", "groups", "x_shape", "w_shape", "y_shape")


# conv_nd(x, w): dx is the transposed convolution of g, dw the correlation of x with g.
def _conv_dx(F, g, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv_nd_input_grad(g, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape)


def _conv_dw(F, g, x, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv_nd_weight_grad(x, g, stride, padding, dilation, groups, x_shape, w_shape, y_shape)


def _conv_db(F, g):
    return g.sum((0,) + tuple(range(2, g.ndim)))


# conv_nd_input_grad(y, w) (y: y-shaped, the result x-shaped): linear in both.
def _convt_dy(F, g, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv_nd(g, w, stride, padding, dilation, groups, x_shape, w_shape, y_shape)


def _convt_dw(F, g, y, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv_nd_weight_grad(g, y, stride, padding, dilation, groups, x_shape, w_shape, y_shape)


# conv_nd_weight_grad(x, y) (the result w-shaped).
def _convw_dx(F, g, y, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv_nd_input_grad(y, g, stride, padding, dilation, groups, x_shape, w_shape, y_shape)


def _convw_dy(F, g, x, stride, padding, dilation, groups, x_shape, w_shape, y_shape):
    return F.conv_nd(x, g, stride, padding, dilation, groups, x_shape, w_shape, y_shape)


CONV = defop("conv_nd", _conv, _conv_dx, _conv_dw, inputs=("x", "w"), params=_GEOMETRY,
             node_name="ConvolutionBackward0")
CONV_BIAS = defop("conv_nd_bias", _conv_bias, _conv_dx, _conv_dw, _conv_db,
                  inputs=("x", "w", "b"), params=_GEOMETRY, node_name="ConvolutionBackward0")
CONV_T = defop("conv_nd_input_grad", _conv_input_grad, _convt_dy, _convt_dw, inputs=("y", "w"),
               params=_GEOMETRY, node_name="ConvolutionBackward0")
CONV_T_BIAS = defop("conv_nd_input_grad_bias", _conv_input_grad_bias, _convt_dy, _convt_dw,
                    _conv_db, inputs=("y", "w", "b"), params=_GEOMETRY,
                    node_name="ConvolutionBackward0")
CONV_W = defop("conv_nd_weight_grad", _conv_weight_grad, _convw_dx, _convw_dy, inputs=("x", "y"),
               params=_GEOMETRY, node_name="ConvolutionBackwardBackward0")
# PyTorch records a convolution's own backward as one ConvolutionBackwardBackward0.
_CONV_BB = CONV.variant("ConvolutionBackwardBackward0")
_CONV_T_BB = CONV_T.variant("ConvolutionBackwardBackward0")


# The formulas' F.<name> on Tensors (create_graph=True), with the forwards' signatures.
def _conv_nd(x, w, *geometry):
    return apply(CONV, (x, w), (x._data, w._data), geometry, _CONV_BB)


def _conv_nd_input_grad(y, w, *geometry):
    return apply(CONV_T, (y, w), (y._data, w._data), geometry, _CONV_T_BB)


def _conv_nd_weight_grad(x, y, *geometry):
    return apply(CONV_W, (x, y), (x._data, y._data), geometry)


for _fn, _name in ((_conv_nd, "conv_nd"), (_conv_nd_input_grad, "conv_nd_input_grad"),
                   (_conv_nd_weight_grad, "conv_nd_weight_grad")):
    expose(_fn, _name, function=False, method=False)


# --- argument checks (PyTorch's texts) ----------------------------------------------------------
def _sizes(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _expand(v, n):
    """An int or a sequence of ints as an n-tuple (a 1-sequence repeats, as
    PyTorch's int[n] arguments allow)."""
    if isinstance(v, (tuple, list)):
        t = tuple(int(i) for i in v)
        return t * n if len(t) == 1 else t
    return (int(v),) * n


def _geometry_len(t, n, name):
    if len(t) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values "
                           f"to match the convolution dimensions, but got {name}={list(t)}")


_TENSOR_TYPE = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
                "float16": "torch.HalfTensor", "int64": "torch.LongTensor",
                "int32": "torch.IntTensor", "int16": "torch.ShortTensor",
                "int8": "torch.CharTensor", "uint8": "torch.ByteTensor", "bool": "torch.BoolTensor"}
_C_TYPE = _dtypes.C_NAMES
_SCALAR_TYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _check_dtypes(x, w, b):
    xd, wd = x._data.dtype, w._data.dtype
    if xd != wd:
        if xd.itemsize > wd.itemsize and xd.kind == wd.kind == "f":
            raise RuntimeError(f"expected scalar type {_SCALAR_TYPE[xd.name]} but found "
                               f"{_SCALAR_TYPE[wd.name]}")
        raise RuntimeError(f"Input type ({_TENSOR_TYPE.get(xd.name, xd.name)}) and weight type "
                           f"({_TENSOR_TYPE.get(wd.name, wd.name)}) should be the same or input "
                           "should be a MKLDNN tensor and weight is a dense tensor")
    if b is not None and b._data.dtype != xd:
        bd = b._data.dtype
        raise RuntimeError(f"Input type ({_C_TYPE.get(xd.name, xd.name)}) and bias type "
                           f"({_C_TYPE.get(bd.name, bd.name)}) should be the same")


def _check_common(name, x, w, b, stride, padding, dilation, groups, nd, transposed):
    """PyTorch's checks, in its order; returns (x, unbatched)."""
    if x._data.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {_sizes(x.shape)}")
    k = w._data.ndim - 2
    _geometry_len(stride, k, "stride")
    if not isinstance(padding, str):
        _geometry_len(padding, k, "padding")
    _geometry_len(dilation, k, "dilation")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if not isinstance(padding, str) and any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d < 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    unbatched = x._data.ndim == nd + 1
    xs = (1,) + tuple(x.shape) if unbatched else tuple(x.shape)
    ws = tuple(w.shape)
    if len(ws) != len(xs):
        raise RuntimeError(f"Expected {len(ws)}-dimensional input for {len(ws)}-dimensional "
                           f"weight {_sizes(ws)}, but got {len(xs)}-dimensional input of size "
                           f"{_sizes(xs)} instead")
    if ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {_sizes(ws)} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{_sizes(ws)}] instead")
    if not transposed:
        if xs[1] != ws[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {_sizes(ws)}, expected "
                               f"input{_sizes(xs)} to have {ws[1] * groups} channels, but got "
                               f"{xs[1]} channels instead")
        if b is not None and (b._data.ndim != 1 or b.shape[0] != ws[0]):
            raise RuntimeError(f"Given weight of size {_sizes(ws)}, expected bias to be "
                               f"1-dimensional with {ws[0]} elements, but got bias of size "
                               f"{_sizes(b.shape)} instead")
    else:
        if xs[1] != ws[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {_sizes(ws)}, expected "
                               f"input{_sizes(xs)} to have {ws[0]} channels, but got {xs[1]} "
                               f"channels instead")
        if b is not None and (b._data.ndim != 1 or b.shape[0] != ws[1] * groups):
            raise RuntimeError(f"Given transposed=1, weight of size {_sizes(ws)}, expected bias "
                               f"to be 1-dimensional with {ws[1] * groups} elements, but got "
                               f"bias of size {_sizes(b.shape)} instead")
    _check_dtypes(x, w, b)
    if any(d == 0 for d in dilation):
        # (PyTorch's text depends on the kernel its dtype selects)
        if x._data.dtype.name == "float64":
            raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
        raise RuntimeError("non-positive dilation is not supported")
    return unbatched


_SAME_WARNING = ("Using padding='same' with even kernel lengths and odd dilation may require a "
                 "zero-padded copy of the input be created")


def _conv_any(name, nd, input, weight, bias, stride, padding, dilation, groups, ops=None):
    """The checks and geometry of every convolution; `ops` (the op without and
    with bias) for the arrays of other dims than conv.py's (conv_nd.py)."""
    x, w = as_tensor_arg(input), as_tensor_arg(weight)
    b = None if bias is None else as_tensor_arg(bias)
    stride, dilation = _expand(stride, nd), _expand(dilation, nd)
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _expand(padding, nd)
    groups = int(groups)
    unbatched = _check_common(name, x, w, b, stride, padding, dilation, groups, nd, False)
    if unbatched:
        x = unsqueeze(x, 0)
    xs, ws = tuple(x.shape), tuple(w.shape)
    eff = [d * (k - 1) + 1 for d, k in zip(dilation, ws[2:])]
    if padding == "same":
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        total = [e - 1 for e in eff]
        if any(t % 2 for t in total):
            warnings.warn(_SAME_WARNING, UserWarning, stacklevel=3)
        # The padding after is total - total // 2: one more than before where
        # total is odd; the output keeps the input's size.
        padding = tuple(t // 2 for t in total)
        out = xs[2:]
    else:
        if padding == "valid":
            padding = (0,) * nd
        padded_in = [n + 2 * p for n, p in zip(xs[2:], padding)]
        if any(e > n for e, n in zip(eff, padded_in)):
            dims = " x ".join(str(n) for n in padded_in)
            ks = " x ".join(str(e) for e in eff)
            raise RuntimeError(f"Calculated padded input size per channel: ({dims}). Kernel size: "
                               f"({ks}). Kernel size can't be greater than actual input size")
        out = tuple((n - e) // s + 1 for n, e, s in zip(padded_in, eff, stride))
    ys = (xs[0], ws[0]) + tuple(out)
    geometry = (stride, padding, dilation, groups, xs, ws, ys)
    if b is None:
        y = apply(CONV if ops is None else ops[0], (x, w), (x._data, w._data), geometry)
    else:
        y = apply(CONV_BIAS if ops is None else ops[1], (x, w, b), (x._data, w._data, b._data),
                  geometry)
    _complex_named(y)
    return squeeze(y, 0) if unbatched else y


def _complex_named(y):
    """PyTorch computes a complex convolution from real ones (Gauss's three
    products), so its result's grad_fn is an AddBackward0: the same name here,
    on the convolution's own node."""
    node = y._grad_fn
    if node is not None and y._data.dtype.kind == "c":
        node.__class__ = complex_like(node, node._op.variant("AddBackward0"))


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv_any("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv_any("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose_any(name, nd, input, weight, bias, stride, padding, output_padding, groups,
                        dilation, ops=None):
    x, w = as_tensor_arg(input), as_tensor_arg(weight)
    b = None if bias is None else as_tensor_arg(bias)
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    stride, dilation = _expand(stride, nd), _expand(dilation, nd)
    padding, output_padding = _expand(padding, nd), _expand(output_padding, nd)
    groups = int(groups)
    unbatched = _check_common(name, x, w, b, stride, padding, dilation, groups, nd, True)
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        hw = ["depth", "height", "width"][3 - nd:]
        parts = [f"output_padding_{n}: {v}" for n, v in zip(hw, output_padding)]
        parts += [f"stride_{n}: {v}" for n, v in zip(hw, stride)]
        parts += [f"dilation_{n}: {v}" for n, v in zip(hw, dilation)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           "got " + " ".join(parts))
    if unbatched:
        x = unsqueeze(x, 0)
    ys, ws = tuple(x.shape), tuple(w.shape)
    out = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
                zip(ys[2:], stride, padding, dilation, ws[2:], output_padding))
    if any(o <= 0 for o in out):
        dims = " x ".join(str(n) for n in ys[2:])
        raise RuntimeError(f"Given input size per channel: ({dims}). Calculated output size per "
                           f"channel: ({' x '.join(str(o) for o in out)}). Output size is too "
                           "small")
    xs = (ys[0], ws[1] * groups) + out
    geometry = (stride, padding, dilation, groups, xs, ws, ys)
    if b is None:
        y = apply(CONV_T if ops is None else ops[0], (x, w), (x._data, w._data), geometry)
    else:
        y = apply(CONV_T_BIAS if ops is None else ops[1], (x, w, b), (x._data, w._data, b._data),
                  geometry)
    _complex_named(y)
    return squeeze(y, 0) if unbatched else y


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose_any("conv_transpose1d", 1, input, weight, bias, stride, padding,
                               output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose_any("conv_transpose2d", 2, input, weight, bias, stride, padding,
                               output_padding, groups, dilation)


for _fn in (conv1d, conv2d, conv_transpose1d, conv_transpose2d):
    expose(_fn, method=False, formulas=False)


# --- vmap (ops/_batching.py) ------------------------------------------------------------------
def _batched_conv(c):
    """conv1d/conv2d on a batch: with one weight for every sample the batch
    folds into the images' batch dimension; with a weight per sample (what
    per-sample gradients differentiate), a grouped convolution, one group of
    output channels per sample (the images' channels stacked likewise)."""
    stride, padding, dilation, groups, xs, ws, ys = c.params
    size = c.size
    x, w = c.xs[0], c.xs[1]
    b = c.xs[2] if len(c.xs) == 3 else None
    if not c.batched[1] and (b is None or not c.batched[2]):
        x = reshape(x, (size * xs[0],) + tuple(xs[1:]))
        geometry = (stride, padding, dilation, groups, (size * xs[0],) + tuple(xs[1:]), ws,
                    (size * ys[0],) + tuple(ys[1:]))
        y = c.apply([x, w] + ([] if b is None else [b]), geometry)
        return reshape(y, (size,) + tuple(ys))
    x = _batching.materialize(c, x, 0)                    # (B, N, C, *spatial)
    w = _batching.materialize(c, w, 1)                    # (B, O, C / groups, *kernel)
    n, ch = xs[0], xs[1]
    x = reshape(x.movedim(0, 1), (n, size * ch) + tuple(xs[2:]))
    w = reshape(w, (size * ws[0],) + tuple(ws[1:]))
    parts = [x, w]
    if b is not None:
        parts.append(reshape(_batching.materialize(c, b, 2), (size * ws[0],)))
    geometry = (stride, padding, dilation, size * groups, tuple(x.shape), tuple(w.shape),
                (n, size * ys[1]) + tuple(ys[2:]))
    call = _batching.Call(c.op, c.inputs, parts, [False] * len(parts),
                          tuple(p._data for p in parts), geometry, c.node_cls, size)
    y = call.apply(parts)                                 # (N, B * O, *out)
    return reshape(y, (n, size) + tuple(ys[1:])).movedim(1, 0)


_batching.batching(_batched_conv, CONV, CONV_BIAS)

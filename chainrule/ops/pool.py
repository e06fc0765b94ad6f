"""Pooling: max_pool1d/2d, avg_pool1d/2d, adaptive_avg_pool1d/2d, adaptive_max_pool1d/2d
(issue 13).

max_pool2d is two ops, as PyTorch's max_pool2d_with_indices: the indices of
each window's maximum (an op without derivative, over the strided windows
view that conv.py's im2col uses), then the values taken at those indices
(MaxPool2DWithIndicesBackward0), whose gradient puts g back at the indices
(windows that overlap add up); taking and putting are each other's
derivatives.

avg_pool2d is linear: window sums over the strided view divided by PyTorch's
divisor; its gradient spreads g / divisor back over the windows (a loop over
the kh*kw kernel offsets, each a strided slice of the whole batch), and the
spreading's own gradient is the pooling again.

adaptive_avg_pool2d is linear and separable: y = Ah @ x @ Aw^T with Ah, Aw the
averaging matrices of PyTorch's bins (start = floor(i*H/OH), end =
ceil((i+1)*H/OH)); its gradient is Ah^T @ g @ Aw.

adaptive_max_pool2d gathers each bin's members (bins padded to the longest
by repeating their last member), finds the maximum's index and takes it with
max_pool2d's op, under PyTorch's AdaptiveMaxPool2DBackward0.

The 1-D forms are the 2-D ones on a size-1 height, as PyTorch computes them
(hence their SqueezeBackward1 grad_fn).
"""
from .. import _dtypes
from . import _backend
from . import _memory_format
from . import _scratch
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import defop, expose
from .conv import windows
from .reduce import mean
from .shape import squeeze, unsqueeze

_NUMPY = _backend.NUMPY
_XP = _NUMPY.xp
_INT64 = _dtypes.int64.np
_INT32 = _dtypes.int32.np
_UINT8 = _dtypes.uint8.np
_UINT16 = _dtypes.uint16.np

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "max_pool1d_with_indices", "max_pool2d_with_indices"]


def _as4d(a):
    """(C, H, W) or (N, C, H, W) as (B, 1, H, W): every plane pools alike."""
    return a.reshape((-1, 1) + tuple(a.shape[-2:]))


# --- max pooling ----------------------------------------------------------------------------
def _max_pool_index(x, kernel, stride, padding, dilation, out_hw, whole=False, nhwc=False, *,
                    be=_NUMPY):
    """Per output element, the flat index h*W + w of its window's maximum in
    its input plane: the first maximum, or the last NaN where there is one
    (PyTorch's scan), never a padding position.  whole: the index into all
    of x's planes laid end to end instead (plane * H*W + h*W + w), which the
    _flat ops below take as it is; nhwc (with whole, x 4-D and no padding):
    the index into x's elements in NHWC order, ((n*H + h)*W + w)*C + c,
    which a channels-last x holds in memory.  The per-plane indices (what
    a user sees) are laid out channels-last where x suggests it, as
    PyTorch's."""
    if nhwc:
        return _max_pool_index_nhwc(x, kernel, stride, dilation, out_hw, be)
    idx = _max_pool_index_nchw(x, kernel, stride, padding, dilation, out_hw, whole, be)
    return _laid_out_as(idx, x, be)


def _laid_out_as(a, x, be):
    """a (a pooling's fresh result), channels-last where x suggests it (the
    layout PyTorch gives its poolings' results)."""
    return _channels_last_if(a, a.ndim == 4 and _memory_format.array_suggests_channels_last(x, be),
                             be)


def _channels_last_if(a, cl, be):
    """a, laid out channels-last (a copy where it is not) when cl."""
    if cl and be.strides(a) != _memory_format.channels_last_strides(a.shape, a.itemsize):
        out = _memory_format.empty_channels_last(a.shape, a.dtype, be.xp)
        out[...] = a
        return out
    return a


def _grad_layout(out, idx, be):
    """A pooling's input gradient out in PyTorch's layout: channels-last
    where the input suggested it, which the indices' layout (idx, made by
    _max_pool_index) tells."""
    cl = idx.ndim == 4 and idx.size and \
        be.strides(idx) == _memory_format.channels_last_strides(idx.shape, idx.itemsize)
    return _channels_last_if(out, cl and out.ndim == 4, be)


def _max_pool_index_nhwc(x, kernel, stride, dilation, out_hw, be):
    """_max_pool_index's nhwc form: every window inside x (no padding).
    Read through its NHWC view, x's values at one kernel offset (i, j) for
    every output are one strided view (N, OH, OW, C) whose rows are runs of
    C values, so the scan runs over the outputs only (not over every input
    position, as the shifted scan of an NCHW x must): per offset, one
    comparison, one running maximum of the values and one of the chosen
    offset's distance from the window's start (the first maximum stays: a
    later offset takes over only where larger, and the distances grow with
    the offset); the window's start is added last.  With NaN in x the NCHW
    scan (which knows PyTorch's NaN rule) answers, renumbered."""
    xp = be.xp
    N, C, H, W = x.shape
    OH, OW = out_hw
    (KH, KW), (sh, sw), (dh, dw) = kernel, stride, dilation
    m = x.transpose(0, 2, 3, 1)
    if x.dtype.kind == "f" and x.size and bool(xp.isnan(x.max())):
        idx = _max_pool_index_nchw(x, kernel, stride, (0, 0), dilation, out_hw, True, be)
        hw, plane = idx % (H * W), idx // (H * W)
        idx = ((plane // C) * (H * W) + hw) * C + plane % C
        return _laid_out_as(idx, x, be)
    K = KH * KW
    key = (be.name, x.dtype, "max_pool_nhwc", tuple(x.shape), kernel, stride, dilation)
    bufs = _scratch.take(key)               # (kept between calls: see _scratch.py)
    shape = (N, OH, OW, C)
    # The indices as int32 where they fit (the scan's running maximum and
    # the add move half the bytes of int64 ones; a take converts them as it
    # reads: 18 us at 65,536)
    idt = _INT32 if x.size <= 2 ** 31 - 1 else _INT64
    starts = bufs.get("starts")
    if starts is None:
        # each window's first element in NHWC order (kept: built once per shape)
        starts = bufs["starts"] = (
            (xp.arange(N, dtype=idt) * (H * W * C)).reshape(N, 1, 1, 1)
            + (xp.arange(OH, dtype=idt) * (sh * W * C)).reshape(1, OH, 1, 1)
            + (xp.arange(OW, dtype=idt) * (sw * C)).reshape(1, 1, OW, 1)
            + xp.arange(C, dtype=idt))

    def at(k):
        i, j = divmod(k, KW)
        return m[:, i * dh: i * dh + (OH - 1) * sh + 1: sh, j * dw: j * dw + (OW - 1) * sw + 1: sw]

    def offset(k):       # (offsets grow with k: a window's row is narrower than W)
        i, j = divmod(k, KW)
        return xp.asarray((i * dh * W + j * dw) * C, dtype=idt)

    if K == 1:
        idx = starts.copy()
    else:
        # The running maximum of the chosen offset itself (no numbering of
        # the offsets to look up afterwards: a take from a table cost 120 us)
        idx = xp.empty(shape, dtype=idt)
        take = _scratch.buf(bufs, "take", shape, _dtypes.bool.np, xp)
        best = at(0)
        best_buf = _scratch.buf(bufs, "best", shape, x.dtype, xp) if K > 2 else None
        for k in range(1, K):
            v = at(k)
            xp.greater(v, best, out=take)
            if k == 1:
                xp.multiply(take, offset(1), out=idx)
            else:
                xp.maximum(idx, take.view(_UINT8) * offset(k), out=idx)
            if k < K - 1:
                best = xp.maximum(best, v, out=best_buf)
        idx += starts
    _scratch.give(key, bufs)
    return idx.transpose(0, 3, 1, 2)


def _max_pool_index_nchw(x, kernel, stride, padding, dilation, out_hw, whole, be):
    xp = be.xp
    H, W = x.shape[-2:]
    OH, OW = out_hw
    floating = x.dtype.kind == "f"
    # (NaN anywhere makes the maximum NaN: one reduction, no full-size mask)
    nan = floating and x.size > 0 and bool(xp.isnan(x.max()))
    # every window inside x (no padding to fill or to avoid)
    inside = (padding == (0, 0) and (OH - 1) * stride[0] + (kernel[0] - 1) * dilation[0] < H
              and (OW - 1) * stride[1] + (kernel[1] - 1) * dilation[1] < W)
    if inside and not nan and x.size:
        return _max_pool_index_shifted(x, kernel, stride, dilation, out_hw, whole, be)
    # Padding holds -inf (floats) or the smallest value of x (integers); a
    # window whose maximum is that value takes its first real position below.
    fill = float("-inf") if floating else (x.min() if x.size else 0)
    win = windows(_as4d(x), padding, out_hw, kernel, stride, dilation, fill, be)
    # A scan over the kernel offsets in PyTorch's order, on the windows copied
    # with the offset leading, so each pass reads one contiguous plane.  A
    # later offset takes over only where it is larger (the first maximum
    # stays) or NaN (the last NaN wins, as PyTorch's scan); offsets only grow,
    # so the position is a running maximum, not a select (np.where mispredicts
    # its branches on such masks: 4x slower).  Measured (2x2, batch 64, 64
    # channels, 8x8, one thread) 0.4 ms against 3.9 ms for argmax over the
    # windows copied to a trailing axis of 4.
    KH, KW = kernel
    K = KH * KW
    # (the copy in a buffer kept between calls: see _scratch.py)
    key = (be.name, x.dtype, "max_pool_index", (KH, KW) + win.shape[:4])
    bufs = _scratch.take(key)
    cols = _scratch.buf(bufs, "cols", (KH, KW) + win.shape[:4], x.dtype, xp)
    cols[...] = win.transpose(4, 5, 0, 1, 2, 3)
    cols = cols.reshape((K,) + win.shape[:4])
    best = cols[0]
    # the offsets as uint8 where they fit (int64 positions took 5x as long:
    # 0.42 against 0.08 ms for the loop, 2x2 at batch 64, 64 channels, 8x8)
    small = K <= 255
    pos = xp.zeros(best.shape, dtype=_UINT8 if small else _INT64)
    for k in range(1, K):
        v = cols[k]
        take = v > best
        if nan:
            take = take | xp.isnan(v)
            best = xp.where(take, v, best)
        else:
            best = xp.maximum(best, v)
        pos = xp.maximum(pos, take * (xp.asarray(k, dtype=_UINT8) if small else k))
    _scratch.give(key, bufs)
    ki = xp.arange(K, dtype=_INT64)
    ki, kj = ki // KW, ki % KW
    oh = xp.arange(OH, dtype=_INT64) * stride[0] - padding[0]
    ow = xp.arange(OW, dtype=_INT64) * stride[1] - padding[1]
    if inside:
        # Every window inside x: the index is the window's start plus the
        # chosen offset's flat distance from it.
        idx = xp.take(ki * (dilation[0] * W) + kj * dilation[1], pos)
        idx += oh.reshape(OH, 1) * W + ow.reshape(1, OW)
        if whole:
            idx = _planes_end_to_end(idx, H * W, xp)
        return idx.reshape(tuple(x.shape[:-2]) + (OH, OW))
    h = oh.reshape(OH, 1) + xp.take(ki * dilation[0], pos)
    w = ow.reshape(1, OW) + xp.take(kj * dilation[1], pos)
    outside = (h < 0) | (h >= H) | (w < 0) | (w >= W)
    if bool(outside.any()):
        # Only where every real value of the window equals the padding: then
        # its first real position is PyTorch's answer.
        h0 = xp.arange(OH, dtype=_INT64) * stride[0] - padding[0]
        w0 = xp.arange(OW, dtype=_INT64) * stride[1] - padding[1]
        h0 = h0 + (xp.maximum(-h0, 0) + dilation[0] - 1) // dilation[0] * dilation[0]
        w0 = w0 + (xp.maximum(-w0, 0) + dilation[1] - 1) // dilation[1] * dilation[1]
        h = xp.where(outside, h0.reshape(OH, 1), h)
        w = xp.where(outside, w0.reshape(1, OW), w)
    idx = (h * W + w).astype(_INT64)
    if whole:
        idx = _planes_end_to_end(idx, H * W, xp)
    return idx.reshape(tuple(x.shape[:-2]) + (OH, OW))


def _max_pool_index_shifted(x, kernel, stride, dilation, out_hw, whole, be):
    """_max_pool_index where every window lies inside x and x holds no NaN,
    by a separable scan over x's planes laid end to end.  With f = x's flat
    values, a window starting at p holds f[p + i*dh*W + j*dw]: f and its
    shifted copies (views, no copy) are compared elementwise over the whole
    array at once, first along the rows (j), then across them (i), so each
    pass is one long contiguous loop; every position p gets the offset
    i*dh*W + j*dw of its window's first maximum, and the window starts then
    take theirs.  The positions that start no window (and read across a
    row's or a plane's end) are computed and never read.  The scan keeps
    PyTorch's order: the first maximum along each row, then the first row
    holding the largest of those.  Measured (2x2 over batch 64, 64 channels,
    8x8, one thread): 0.43 ms against 0.86 ms for the windows copy and scan
    of _max_pool_index."""
    xp = be.xp
    (KH, KW), (sh, sw), (dh, dw) = kernel, stride, dilation
    H, W = x.shape[-2:]
    f = x.reshape(-1)
    n = f.size
    lw = n - (KW - 1) * dw                  # the row scan's positions
    lh = lw - (KH - 1) * dh * W             # the window scan's
    # the offsets in the narrowest unsigned type that holds the largest
    # (wider ones cost as much again per pass)
    top = (KH - 1) * dh * W + (KW - 1) * dw
    odt = _UINT8 if top <= 255 else _UINT16 if top <= 65535 else _INT64
    key = (be.name, x.dtype, "max_pool_shifted", tuple(x.shape), kernel, stride, dilation, whole)
    bufs = _scratch.take(key)               # (kept between calls: see _scratch.py)
    take = _scratch.buf(bufs, "take", (lw,), _dtypes.bool.np, xp)
    # Along the rows: best[p] is the largest of f[p + j*dw], j < KW, and
    # col[p] the offset j*dw of the first j holding it.  A later j takes
    # over only where it is larger, and offsets only grow, so col is a
    # running maximum of take * j*dw.
    best = f[:lw]
    col = _scratch.buf(bufs, "col", (lw,), odt, xp)
    row_best = _scratch.buf(bufs, "row_best", (lw,), x.dtype, xp) if KW > 1 else None
    if KW == 1:
        col[...] = 0
    for j in range(1, KW):
        v = f[j * dw: j * dw + lw]
        xp.greater(v, best, out=take)
        if j == 1:
            # (from the bool array itself: the same bytes read through a
            # uint8 view copy 10x slower, 90 against 9 us here)
            col[...] = take
            if dw != 1:
                col *= xp.asarray(dw, dtype=odt)
        else:
            xp.maximum(col, take.view(_UINT8) * xp.asarray(j * dw, dtype=odt), out=col)
        best = xp.maximum(best, v, out=row_best)
    # Across the rows: the window's row is the first i whose best[p +
    # i*dh*W] is largest; its offset i*dh*W + col there is larger than any
    # earlier row's (a window's row is narrower than W), so again a running
    # maximum.
    pos = col[:lh]
    if KH > 1:
        wbest = best[:lh]
        win_best = _scratch.buf(bufs, "win_best", (lh,), x.dtype, xp) if KH > 2 else None
        out_pos = _scratch.buf(bufs, "pos", (lh,), odt, xp)
        tk = take[:lh]
        for i in range(1, KH):
            s = i * dh * W
            v = best[s: s + lh]
            xp.greater(v, wbest, out=tk)
            if i < KH - 1:
                wbest = xp.maximum(wbest, v, out=win_best)
            q = col[s: s + lh] + xp.asarray(s, dtype=odt)
            q *= tk.view(_UINT8)      # (as bytes: a bool operand costs a cast, 33 against 17 us)
            pos = xp.maximum(pos, q, out=out_pos)
    # The windows' starts, in x's planes end to end for the take (and for
    # the index where whole); both kept too: 0.35 ms a call to build.
    starts = bufs.get("starts")
    if starts is None:
        OH, OW = out_hw
        planes = n // (H * W)
        starts = bufs["starts"] = (
            (xp.arange(planes, dtype=_INT64) * (H * W)).reshape(-1, 1, 1)
            + (xp.arange(OH, dtype=_INT64) * (sh * W)).reshape(1, OH, 1)
            + xp.arange(OW, dtype=_INT64) * sw).reshape(-1)
    offset = xp.take(pos, starts)
    if not whole:
        if "plane_starts" not in bufs:
            bufs["plane_starts"] = starts % (H * W)
        idx = xp.add(bufs["plane_starts"], offset)
    else:
        idx = xp.add(starts, offset)
    _scratch.give(key, bufs)
    return idx.reshape(tuple(x.shape[:-2]) + tuple(out_hw))


def _planes_end_to_end(idx, plane, xp):
    """Per-plane flat indices idx (B, 1, OH, OW), in place, as indices into
    all B planes laid end to end."""
    idx += (xp.arange(idx.shape[0], dtype=_INT64) * plane).reshape(-1, 1, 1, 1)
    return idx


def _flat_index(idx, plane, xp):
    """Per-plane flat indices as indices into all the planes laid end to end."""
    n = 1
    for d in idx.shape[:-2]:
        n *= d
    planes = idx.reshape(n, idx.shape[-2] * idx.shape[-1])
    rows = (xp.arange(n, dtype=_INT64) * plane).reshape(n, 1)
    return (planes + rows).reshape(-1)


def _take(x, idx, x_shape, *, be=_NUMPY):
    """x's values at the flat per-plane indices idx: one take over all the
    planes end to end (measured at batch 64, 64 channels, 8x8 into 4x4, one
    thread: 0.08 ms against 0.21 ms for take_along_axis per plane)."""
    xp = be.xp
    flat = _flat_index(idx, x.shape[-2] * x.shape[-1], xp)
    return _laid_out_as(xp.take(x.reshape(-1), flat).reshape(idx.shape), x, be)


def _put(g, idx, x_shape, *, be=_NUMPY):
    """g added into zeros shaped x_shape at the flat per-plane indices idx
    (an unbuffered add: overlapping windows may share an index).  Measured
    as _take: 0.14 ms against 0.40 ms for a bincount, whose float64 sums
    then need a cast."""
    xp = be.xp
    size = 1
    for n in x_shape:
        size *= n
    out = _backend.zeros_to_scatter_into(xp, (size,), g)
    be.add_at(out, _flat_index(idx, x_shape[-2] * x_shape[-1], xp), g.reshape(-1))
    return _grad_layout(out.reshape(tuple(x_shape)), idx, be)


MAX_POOL_INDEX = defop("max_pool2d_index", _max_pool_index,
                       params=("kernel", "stride", "padding", "dilation", "out_hw", "whole", "nhwc"))
POOL_TAKE = defop("max_pool_take", _take, lambda F, g, idx, x_shape: F.max_pool_put(g, idx, x_shape),
                  None, inputs=("x", "idx"), params=("x_shape",),
                  node_name="MaxPool2DWithIndicesBackward0", quiet=False)
POOL_PUT = defop("max_pool_put", _put, lambda F, g, idx, x_shape: F.max_pool_take(g, idx, x_shape),
                 None, inputs=("g", "idx"), params=("x_shape",),
                 node_name="MaxPool2DWithIndicesBackwardBackward0")


def _max_pool_take(x, idx, x_shape):
    return apply(POOL_TAKE, (x, idx), (x._data, idx._data), (x_shape,))


def _max_pool_put(g, idx, x_shape):
    return apply(POOL_PUT, (g, idx), (g._data, idx._data), (x_shape,))


expose(_max_pool_take, "max_pool_take", function=False, method=False)
expose(_max_pool_put, "max_pool_put", function=False, method=False)


# max_pool2d without indices: the index op's whole=True form, which take and
# put use as it is, where the per-plane form (the indices a user sees) is
# converted by each of take and put, through a full-size temporary.  Measured
# (2x2 over batch 64, 64 channels, 8x8, one thread; index, take, put): 0.53,
# 0.04, 0.09 ms against 0.51, 0.10, 0.16 ms, and that temporary (512 KiB at
# the backward's peak in the digits example) is gone.
# nhwc: idx counts x's elements in NHWC order (see _max_pool_index); its
# arrays are read in that order (a view of a channels-last array, else a
# copy), and the results are channels-last.
def _nhwc(a):
    return a.transpose(0, 2, 3, 1).reshape(-1)


def _take_flat(x, idx, x_shape, nhwc=False, *, be=_NUMPY):
    xp = be.xp
    if nhwc:
        N, C, OH, OW = idx.shape
        return xp.take(_nhwc(x), _nhwc(idx)).reshape(N, OH, OW, C).transpose(0, 3, 1, 2)
    return _laid_out_as(xp.take(x.reshape(-1), idx.reshape(-1)).reshape(idx.shape), x, be)


def _put_flat(g, idx, x_shape, nhwc=False, *, be=_NUMPY):
    size = 1
    for n in x_shape:
        size *= n
    out = _backend.zeros_to_scatter_into(be.xp, (size,), g)
    if nhwc:
        be.add_at(out, _nhwc(idx), _nhwc(g))             # (windows that overlap add up)
        N, C, H, W = x_shape
        return out.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    be.add_at(out, idx.reshape(-1), g.reshape(-1))
    return _grad_layout(out.reshape(tuple(x_shape)), idx, be)


POOL_TAKE_FLAT = defop("max_pool_take_flat", _take_flat,
                       lambda F, g, idx, x_shape, nhwc: F.max_pool_put_flat(g, idx, x_shape, nhwc),
                       None, inputs=("x", "idx"), params=("x_shape", "nhwc"),
                       node_name="MaxPool2DWithIndicesBackward0", quiet=False)
POOL_PUT_FLAT = defop("max_pool_put_flat", _put_flat,
                      lambda F, g, idx, x_shape, nhwc: F.max_pool_take_flat(g, idx, x_shape, nhwc),
                      None, inputs=("g", "idx"), params=("x_shape", "nhwc"),
                      node_name="MaxPool2DWithIndicesBackwardBackward0")


def _max_pool_take_flat(x, idx, x_shape, nhwc=False):
    return apply(POOL_TAKE_FLAT, (x, idx), (x._data, idx._data), (x_shape, nhwc))


def _max_pool_put_flat(g, idx, x_shape, nhwc=False):
    return apply(POOL_PUT_FLAT, (g, idx), (g._data, idx._data), (x_shape, nhwc))


expose(_max_pool_take_flat, "max_pool_take_flat", function=False, method=False)
expose(_max_pool_put_flat, "max_pool_put_flat", function=False, method=False)


# --- average pooling ------------------------------------------------------------------------
def _divisor(in_hw, out_hw, kernel, stride, padding, count_include_pad, divisor_override, xp,
             dtype):
    """PyTorch's divisor per output position, (OH, OW): the window clipped to
    the padded input (count_include_pad) or to the input, or the override."""
    if divisor_override is not None:
        return divisor_override
    sizes = []
    for n, o, k, s, p in zip(in_hw, out_hw, kernel, stride, padding):
        start = xp.arange(o, dtype=_INT64) * s - p
        end = xp.minimum(start + k, n + p)
        if not count_include_pad:
            end = xp.minimum(end, n)
            start = xp.maximum(start, 0)
        sizes.append(end - start)
    return (sizes[0].reshape(-1, 1) * sizes[1].reshape(1, -1)).astype(dtype)


def _divided(s, d, xp):
    if s.dtype.kind == "f":
        return s / d
    # Integers: C's truncating division, as PyTorch's integer kernel.
    d = d if isinstance(d, int) else d.astype(s.dtype)
    q = xp.abs(s) // d
    return xp.where(s < 0, -q, q).astype(s.dtype)


def _avg_pool(x, kernel, stride, padding, count_include_pad, divisor_override, x_shape, y_shape,
              *, be=_NUMPY):
    xp = be.xp
    out_hw = tuple(y_shape[-2:])
    win = windows(_as4d(x), padding, out_hw, kernel, stride, (1, 1), 0, be)
    s = win.sum(axis=(-2, -1))
    d = _divisor(x_shape[-2:], out_hw, kernel, stride, padding, count_include_pad,
                 divisor_override, xp, s.dtype if s.dtype.kind == "f" else _INT64)
    return _divided(s, d, xp).astype(x.dtype).reshape(tuple(y_shape))


def _avg_pool_spread(g, kernel, stride, padding, count_include_pad, divisor_override, x_shape,
                     y_shape, *, be=_NUMPY):
    """avg_pool's adjoint: each output's g / divisor added to its window, a
    strided add per kernel offset.  Measured against the transposed
    convolution with a ones kernel (conv.py), batch 64, 32 channels, 8x8, one
    thread: 0.19 against 0.49 ms (2x2, stride 2), 1.2 against 1.1 ms (3x3,
    stride 1, padding 1), 0.51 against 1.18 ms (3x3, stride 2, padding 1)."""
    xp = be.xp
    H, W = x_shape[-2:]
    OH, OW = y_shape[-2:]
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    d = _divisor((H, W), (OH, OW), kernel, stride, padding, count_include_pad, divisor_override,
                 xp, g.dtype)
    v = _as4d(g) / d
    z = xp.zeros((v.shape[0], 1, max(ph + H, (OH - 1) * sh + kh), max(pw + W, (OW - 1) * sw + kw)),
                 dtype=g.dtype)
    for i in range(kh):               # a strided slice per kernel offset (kh*kw adds)
        for j in range(kw):
            z[:, :, i:i + (OH - 1) * sh + 1:sh, j:j + (OW - 1) * sw + 1:sw] += v
    return xp.ascontiguousarray(z[:, :, ph:ph + H, pw:pw + W]).reshape(tuple(x_shape))


_AVG_PARAMS = ("kernel", "stride", "padding", "count_include_pad", "divisor_override", "x_shape",
               "y_shape")


def _avg_dx(F, g, kernel, stride, padding, count_include_pad, divisor_override, x_shape, y_shape):
    return F.avg_pool_spread(g, kernel, stride, padding, count_include_pad, divisor_override,
                             x_shape, y_shape)


def _spread_dg(F, g, kernel, stride, padding, count_include_pad, divisor_override, x_shape,
               y_shape):
    return F.avg_pool(g, kernel, stride, padding, count_include_pad, divisor_override, x_shape,
                      y_shape)


AVG_POOL = defop("avg_pool", _avg_pool, _avg_dx, params=_AVG_PARAMS,
                 node_name="AvgPool2DBackward0")
AVG_POOL_SPREAD = defop("avg_pool_spread", _avg_pool_spread, _spread_dg, params=_AVG_PARAMS,
                        node_name="AvgPool2DBackwardBackward0")


def _avg_pool_t(x, *params):
    return apply(AVG_POOL, (x,), (x._data,), params)


def _avg_pool_spread_t(g, *params):
    return apply(AVG_POOL_SPREAD, (g,), (g._data,), params)


expose(_avg_pool_t, "avg_pool", function=False, method=False)
expose(_avg_pool_spread_t, "avg_pool_spread", function=False, method=False)


# --- adaptive average pooling ---------------------------------------------------------------
def _bins(n, o, xp, dtype):
    """(o, n): row i averages PyTorch's bin i of n inputs."""
    i = xp.arange(o, dtype=_INT64).reshape(-1, 1)
    start, end = (i * n) // o, -((-(i + 1) * n) // o)
    k = xp.arange(n, dtype=_INT64).reshape(1, -1)
    inside = (k >= start) & (k < end)
    return inside.astype(dtype) / (end - start).astype(dtype)


def _adaptive_avg(x, in_hw, out_hw, *, xp=_XP):
    ah = _bins(in_hw[0], out_hw[0], xp, x.dtype)
    aw = _bins(in_hw[1], out_hw[1], xp, x.dtype)
    return xp.matmul(xp.matmul(ah, x), aw.T)


def _adaptive_avg_spread(g, in_hw, out_hw, *, xp=_XP):
    ah = _bins(in_hw[0], out_hw[0], xp, g.dtype)
    aw = _bins(in_hw[1], out_hw[1], xp, g.dtype)
    return xp.matmul(xp.matmul(ah.T, g), aw)


ADAPTIVE_AVG = defop("adaptive_avg_pool", _adaptive_avg,
                     lambda F, g, in_hw, out_hw: F.adaptive_avg_spread(g, in_hw, out_hw),
                     params=("in_hw", "out_hw"), node_name="AdaptiveAvgPool2DBackward0")
ADAPTIVE_AVG_SPREAD = defop("adaptive_avg_spread", _adaptive_avg_spread,
                            lambda F, g, in_hw, out_hw: F.adaptive_avg_pool(g, in_hw, out_hw),
                            params=("in_hw", "out_hw"),
                            node_name="AdaptiveAvgPool2DBackwardBackward0")


def _adaptive_avg_t(x, in_hw, out_hw):
    return apply(ADAPTIVE_AVG, (x,), (x._data,), (in_hw, out_hw))


def _adaptive_avg_spread_t(g, in_hw, out_hw):
    return apply(ADAPTIVE_AVG_SPREAD, (g,), (g._data,), (in_hw, out_hw))


expose(_adaptive_avg_t, "adaptive_avg_pool", function=False, method=False)
expose(_adaptive_avg_spread_t, "adaptive_avg_spread", function=False, method=False)


# --- adaptive max pooling -----------------------------------------------------------------
def _bin_members(n, o, xp):
    """(o, k): the input positions of each of PyTorch's o bins over n inputs,
    k the longest bin's length; a shorter bin repeats its last position
    (which changes neither its maximum nor where that is first found)."""
    i = xp.arange(o, dtype=_INT64).reshape(-1, 1)
    start, end = (i * n) // o, -((-(i + 1) * n) // o)
    k = max(-((-n) // o) + 1, 1) if o else 1
    return xp.minimum(start + xp.arange(k, dtype=_INT64).reshape(1, -1), end - 1)


def _adaptive_max_index(x, out_hw, *, xp=_XP):
    """Per output element, the flat index h*W + w of its bin's maximum (the
    first; the last NaN where there is one, as PyTorch's scan)."""
    H, W = x.shape[-2:]
    OH, OW = out_hw
    rows, cols = _bin_members(H, OH, xp), _bin_members(W, OW, xp)      # (OH, kh), (OW, kw)
    kh, kw = rows.shape[1], cols.shape[1]
    flat = (rows.reshape(OH, 1, kh, 1) * W + cols.reshape(1, OW, 1, kw)).reshape(OH, OW, kh * kw)
    planes = x.reshape(-1, H * W)
    vals = planes[:, flat]                                              # (B, OH, OW, kh*kw)
    pos = vals.argmax(axis=-1)
    if x.dtype.kind == "f" and bool(xp.isnan(x).any()):
        nan = xp.isnan(vals)
        last_nan = (kh * kw - 1) - nan[..., ::-1].argmax(axis=-1)
        pos = xp.where(nan.any(axis=-1), last_nan, pos)
    idx = xp.take_along_axis(xp.zeros(pos.shape[:1] + (1, 1, 1), dtype=_INT64) + flat,
                             pos[..., None], axis=-1)
    return idx.reshape(tuple(x.shape[:-2]) + (OH, OW))


ADAPTIVE_MAX_INDEX = defop("adaptive_max_pool2d_index", _adaptive_max_index, params=("out_hw",))
_ADAPTIVE_MAX_TAKE = POOL_TAKE.variant("AdaptiveMaxPool2DBackward0")


# --- argument checks (PyTorch's texts) and the public functions ---------------------------------
def _sizes(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _pair(v, name, what, allow_empty=False):
    if isinstance(v, (tuple, list)):
        if allow_empty and len(v) == 0:
            return None
        if len(v) == 1:
            return (int(v[0]),) * 2
        if len(v) == 2:
            return (int(v[0]), int(v[1]))
        raise RuntimeError(f"{name}: {what}")
    return (int(v), int(v))


def _out_size(n, k, s, p, d, ceil_mode):
    """PyTorch's pooling_output_shape."""
    span = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    o = span // s + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return o


def _not_implemented(name, x):
    raise NotImplementedError(f'"{name}" not implemented for '
                              f"'{x.dtype.legacy}'")


def _pool_geometry(name, x, kernel_size, stride, padding, dilation, ceil_mode):
    """Checked kernel, stride, padding, dilation and output size for a 2-D pool."""
    kernel = _pair(kernel_size, name, "kernel_size must either be a single int, or a tuple of "
                                      "two ints")
    stride = _pair(stride, name, "stride must either be omitted, a single int, or a tuple of two "
                                 "ints", allow_empty=True) if stride is not None else None
    stride = stride or kernel
    padding = _pair(padding, name, "padding must either be a single int, or a tuple of two ints")
    dilation = _pair(dilation, name, "dilation must be either a single int, or a tuple of two "
                                     "ints")
    if stride[0] == 0 or stride[1] == 0:
        raise RuntimeError("stride should not be zero")
    if kernel[0] <= 0 or kernel[1] <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} "
                           f"kW: {kernel[1]}")
    if dilation[0] <= 0 or dilation[1] <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: "
                           f"{dilation[0]} dilationW: {dilation[1]}")
    if padding[0] < 0 or padding[1] < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(padding)}")
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    s = tuple(x.shape)
    ndim = len(s)
    if any(n == 0 for n in s[ndim - 3:]) or ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size "
                           f"for input, but got:{_sizes(s)}")
    if padding[1] > kernel[1] // 2 or padding[0] > kernel[0] // 2:
        # (a second check, on the kernel itself: a dilated kernel does not widen it)
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, "
                           f"kH = {kernel[0]}")
    H, W = s[-2:]
    out = tuple(_out_size(n, k, st, p, d, ceil_mode) for n, k, st, p, d in
                zip((H, W), kernel, stride, padding, dilation))
    if out[0] < 1 or out[1] < 1:
        raise RuntimeError(f"Given input size: ({s[-3]}x{H}x{W}). Calculated output size: "
                           f"({s[-3]}x{out[0]}x{out[1]}). Output size is too small")
    return kernel, stride, padding, dilation, out


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    x = as_tensor_arg(input)
    if x._data.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if x._data.dtype.kind not in "fiu":
        _not_implemented("max_pool2d", x)
    kernel, stride, padding, dilation, out = _pool_geometry(
        "max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    if not return_indices:
        # (the indices no user sees: over all planes at once, see _take_flat;
        # in NHWC order for a channels-last x with every window inside)
        nhwc = _nhwc_route(x._data, kernel, stride, padding, dilation, out)
        idx = apply(MAX_POOL_INDEX, (x,), (x._data,),
                    (kernel, stride, padding, dilation, out, True, nhwc))
        return apply(POOL_TAKE_FLAT, (x, idx), (x._data, idx._data), (tuple(x.shape), nhwc))
    idx = apply(MAX_POOL_INDEX, (x,), (x._data,),
                (kernel, stride, padding, dilation, out, False, False))
    y = apply(POOL_TAKE, (x, idx), (x._data, idx._data), (tuple(x.shape),))
    return y, idx


def _nhwc_route(d, kernel, stride, padding, dilation, out):
    """Whether max_pool2d scans the windows of the array d in NHWC order:
    4-D, channels-last in memory (and not contiguous too: then both orders
    are one), no padding, every window inside."""
    if d.ndim != 4 or padding != (0, 0):
        return False
    be = _backend.backend_of(d)
    if be.is_contiguous(d) or not _memory_format.is_channels_last_contiguous(
            d.shape, be.strides(d), d.itemsize):
        return False
    return all((o - 1) * s + (k - 1) * dl < n
               for o, s, k, dl, n in zip(out, stride, kernel, dilation, d.shape[2:]))


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode,
                                   return_indices)


def _one_int(v, fname, argname):
    """A 1-D pool's int[1] argument as an int (PyTorch's argument parser's
    error for a sequence of another length)."""
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise RuntimeError(f"{fname}() argument '{argname}' should contain one int "
                               f"(got {len(v)})")
        v = v[0]
    return int(v)


def _no_stride(stride):
    return stride is None or (isinstance(stride, (tuple, list)) and not stride)


def _check_1d_rank(x, fname):
    if x._data.ndim not in (2, 3) or any(n == 0 for n in x.shape[-2:]):
        raise RuntimeError(f"{fname}: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{_sizes(x.shape)}")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    x = as_tensor_arg(input)
    _check_1d_rank(x, "max_pool1d")
    name = "max_pool1d"
    k = _one_int(kernel_size, name, "kernel_size")
    s = None if _no_stride(stride) else (1, _one_int(stride, name, "stride"))
    p = _one_int(padding, name, "padding")
    d = _one_int(dilation, name, "dilation")
    y, idx = max_pool2d_with_indices(unsqueeze(x, -2), (1, k), s, (0, p), (1, d), ceil_mode)
    y = squeeze(y, -2)
    return (y, squeeze(idx, -2)) if return_indices else y


def _check_max_pool1d(x, kernel_size, stride, padding, dilation, ceil_mode):
    """max_pool1d's own checks (PyTorch runs them where no indices are asked for)."""
    def one(v, what, text):
        if isinstance(v, (tuple, list)):
            if len(v) != 1:
                raise RuntimeError(f"max_pool1d() {what} must be {text} of size 1 but got size "
                                   f"{len(v)}")
            v = v[0]
        return int(v)
    k = one(kernel_size, "kernel_size", "an int, list of ints or tuple of ints")
    s = k if _no_stride(stride) else one(stride, "stride",
                                         "None, an int, list of ints, or tuple of ints")
    p = one(padding, "padding", "an int, list of ints, or tuple of ints")
    d = one(dilation, "dilation", "an int, list of ints or tuple of ints")
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={p} and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    out = _out_size(x.shape[-1], k, s, p, d, ceil_mode)
    if out <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    if not return_indices:
        x = as_tensor_arg(input)
        _check_1d_rank(x, "max_pool1d")
        if x._data.dtype.kind not in "fiu":
            _not_implemented("max_pool1d_impl", x)
        _check_max_pool1d(x, kernel_size, stride, padding, dilation, ceil_mode)
    return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode,
                                   return_indices)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    x = as_tensor_arg(input)
    if x._data.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(x._data.ndim, 1)}, {max(x._data.ndim, 1) - 1}], but got -3)")
    if x._data.dtype.kind not in "fiu":
        _not_implemented("avg_pool2d", x)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    kernel, stride, padding, _, out = _pool_geometry("avg_pool2d", x, kernel_size, stride,
                                                     padding, 1, ceil_mode)
    xs = tuple(x.shape)
    params = (kernel, stride, padding, bool(count_include_pad),
              None if divisor_override is None else int(divisor_override), xs, xs[:-2] + out)
    return apply(AVG_POOL, (x,), (x._data,), params)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    x = as_tensor_arg(input)
    if x._data.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x._data.ndim}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "avg_pool1d)")
    name = "avg_pool1d"
    k = _one_int(kernel_size, name, "kernel_size")
    s = None if _no_stride(stride) else (1, _one_int(stride, name, "stride"))
    p = _one_int(padding, name, "padding")
    y = avg_pool2d(unsqueeze(x, -2), (1, k), s, (0, p), ceil_mode, count_include_pad)
    return squeeze(y, -2)


def adaptive_avg_pool2d(input, output_size):
    x = as_tensor_arg(input)
    s = tuple(x.shape)
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
        out = tuple(s[len(s) - 2 + i] if o is None else int(o) for i, o in enumerate(output_size))
    else:
        out = (int(output_size),) * 2
    if len(s) not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{_sizes(s)}")
    for i in range(1, len(s)):
        if s[i] == 0:
            raise RuntimeError(f"adaptive_avg_pool2d(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but input has sizes {_sizes(s)} with "
                               f"dimension {i} being empty")
    if out[0] < 0 or out[1] < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than "
                           f"or equal to 0 but received {{{out[0]}, {out[1]}}}")
    if x._data.dtype.kind != "f":
        _not_implemented("adaptive_avg_pool2d", x)
    if out == (1, 1):
        return mean(x, (-1, -2), keepdim=True)          # PyTorch's shortcut (MeanBackward1)
    return apply(ADAPTIVE_AVG, (x,), (x._data,), (s[-2:], out))


def adaptive_avg_pool1d(input, output_size):
    x = as_tensor_arg(input)
    if x._data.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x._data.ndim}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "adaptive_avg_pool1d)")
    output_size = _one_int(output_size, "adaptive_avg_pool1d", "output_size")
    return squeeze(adaptive_avg_pool2d(unsqueeze(x, -2), (1, output_size)), -2)


def _adaptive_size(fname, s, output_size):
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise RuntimeError(f"{fname}(): internal error: output_size.size() must be 2")
        return tuple(s[len(s) - 2 + i] if o is None else int(o)
                     for i, o in enumerate(output_size))
    return (int(output_size),) * 2


def adaptive_max_pool2d(input, output_size, return_indices=False):
    x = as_tensor_arg(input)
    s = tuple(x.shape)
    name = "adaptive_max_pool2d"
    out = _adaptive_size(name, s, output_size)
    if len(s) not in (3, 4):
        raise RuntimeError(f"{name}(): Expected 3D or 4D tensor, but got: {_sizes(s)}")
    for i in range(1, len(s)):
        if s[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {_sizes(s)} with dimension {i} "
                               "being empty")
    if out[0] < 0 or out[1] < 0:
        bad = out[0] if out[0] < 0 else out[1]
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: "
                           f"{_sizes(s[:-2] + out)}")
    if x._data.dtype.kind != "f":
        _not_implemented(name, x)
    idx = apply(ADAPTIVE_MAX_INDEX, (x,), (x._data,), (out,))
    y = apply(POOL_TAKE, (x, idx), (x._data, idx._data), (s,), _ADAPTIVE_MAX_TAKE)
    return (y, idx) if return_indices else y


def adaptive_max_pool1d(input, output_size, return_indices=False):
    x = as_tensor_arg(input)
    if x._data.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x._data.ndim}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "adaptive_max_pool1d)")
    output_size = _one_int(output_size, "adaptive_max_pool1d", "output_size")
    y, idx = adaptive_max_pool2d(unsqueeze(x, -2), (1, output_size), True)
    y = squeeze(y, -2)
    return (y, squeeze(idx, -2)) if return_indices else y


# torch.<name>: the functions with torch's top-level signatures (no return_indices
# where torch has none; adaptive_max_pool1d always returns the indices).
def _torch_max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def _torch_max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def _torch_max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                                   ceil_mode=False):
    return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)


def _torch_adaptive_max_pool1d(input, output_size):
    return adaptive_max_pool1d(input, output_size, True)


for _fn, _name in ((_torch_max_pool1d, "max_pool1d"), (_torch_max_pool2d, "max_pool2d"),
                   (_torch_max_pool1d_with_indices, "max_pool1d_with_indices"),
                   (_torch_adaptive_max_pool1d, "adaptive_max_pool1d"),
                   (avg_pool1d, "avg_pool1d"), (adaptive_avg_pool1d, "adaptive_avg_pool1d")):
    _fn.__name__ = _fn.__qualname__ = _name      # (Python's TypeErrors name the function)
    expose(_fn, _name, method=False, formulas=False)

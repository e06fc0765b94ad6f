"""Winograd's minimal filtering F(4x4, 3x3) for 2-D 3x3 convolutions
(stride 1, dilation 1, one group): the forward and the weight gradient of
ops/conv.py's fast path (the input gradient is a forward with the flipped
kernel there, so it comes here too).

The output is cut into 4x4 tiles; each reads a 6x6 tile of the padded
input.  With the Toom-Cook matrices of the points 0, 1, -1, 2, -2 and
infinity (AT 4x6, G 6x3, BT 6x6; derived for this module by solving the
bilinear identity sum_k AT[i,k] G[k,j] BT[k,l] = [l == i + j], which makes
the scheme a correlation, the convolution of deep learning):

    y_tile = AT (sum_c (G w_oc G^T) * (BT d_c BT^T)) AT^T

so the multiplications over the channels become 36 matrix products, one per
position (u, v) of the 6x6 transformed tile, (tiles, C) @ (C, O): 36 * 6 * 6 / 16
= 2.25 products per output and channel pair against im2col's 9 (at batch 64,
32 -> 64 channels, 8x8: 0.35 ms of matmuls against 1.65 ms, one thread).

The transforms are small matrix products too, laid out so that each runs
over whole contiguous slabs: the padded input is copied once to (H, W, N, C)
(rows outermost, so the six input rows of a band of tiles are one (6, W*N*C)
block and BT multiplies it in one product; then the columns, with the
result written through a transposed view into (6, 6, tiles, C)); the
products' output (6, 6, tiles, O) goes through AT the same way and back to
NCHW through NHWC (two copies with contiguous runs: a single 6-d transpose
was measured 5 times slower).  Tiles are ordered (tile row, tile column,
image), which is what lets the input bands be single products.

The weight gradient is the same bilinear form read the other way: the
output gradient's tiles go through AT^T (6x4 per side), one product per
(u, v) contracts them with the input's transformed tiles over the tiles,
(C, tiles) @ (tiles, O), and G^T brings the 6x6 result back to 3x3.

The results are the exact convolution up to float rounding: the transforms'
entries are small integers and fractions with denominators 4, 6, 12, 24, and
the float32 error against a float64 convolution was measured at 5e-6 to
1.4e-5 of the largest |value| (im2col's: about 7e-7; the bound is stated in
tests/test_conv_winograd.py).
"""
import weakref

from . import _backend
from . import _scratch

_NUMPY = _backend.NUMPY

# F(4x4, 3x3): AT (4, 6), G (6, 3), BT (6, 6) as exact rationals.
_AT = ((1, 1, 1, 1, 1, 0),
       (0, 1, -1, 2, -2, 0),
       (0, 1, 1, 4, 4, 0),
       (0, 1, -1, 8, -8, 1))
_G = ((1 / 4, 0, 0),
      (-1 / 6, -1 / 6, -1 / 6),
      (-1 / 6, 1 / 6, -1 / 6),
      (1 / 24, 1 / 12, 1 / 6),
      (1 / 24, -1 / 12, 1 / 6),
      (0, 0, 1))
_BT = ((4, 0, -5, 0, 1, 0),
       (0, -4, -4, 1, 1, 0),
       (0, 4, -4, -1, 1, 0),
       (0, -2, -1, 2, 1, 0),
       (0, 2, -1, -2, 1, 0),
       (0, 4, 0, -5, 0, 1))

MIN_CHANNELS = 4    # in and out channels, at least (see applies)
MIN_PIXELS = 512    # output pixels over the batch, at least

_MATS = {}   # (backend name, dtype) -> (AT, ATt, BT, G2, G2t) arrays


def _mats(be, dtype):
    key = (be.name, dtype)
    m = _MATS.get(key)
    if m is None:
        xp = be.xp
        at = xp.asarray(_AT, dtype=dtype)
        bt = xp.asarray(_BT, dtype=dtype)
        g = xp.asarray(_G, dtype=dtype)
        g2 = (g[:, None, :, None] * g[None, :, None, :]).reshape(36, 9)    # kron(G, G)
        m = (at, xp.ascontiguousarray(at.T), bt, g2, xp.ascontiguousarray(g2.T))
        _MATS[key] = m
    return m


def applies(w_shape, stride, dilation, groups, dtype, pixels):
    """Whether this path serves the convolution: 3x3, stride 1, dilation 1,
    one group, float32 or float64, 4 channels or more on both sides and 512
    output pixels (batch * height * width) or more: where the transforms
    pay.  Measured forward, one thread, Winograd against im2col: batch 64,
    8x8: 4 -> 4 channels 0.10 / 0.13 ms, 16 -> 16 0.29 / 0.40 ms, 32 -> 64
    1.1 / 1.9 ms; but 2 -> 8 channels 0.10 / 0.08 ms, 1 -> 32 (one channel:
    matrices NumPy hands to no BLAS) 3.1 / 0.15 ms, and one 4x4 image of 16
    -> 16 channels 0.020 / 0.011 ms."""
    return (len(w_shape) == 4 and w_shape[2] == w_shape[3] == 3 and groups == 1
            and tuple(stride) == (1, 1) and tuple(dilation) == (1, 1)
            and dtype.name in ("float32", "float64")
            and min(w_shape[0], w_shape[1]) >= MIN_CHANNELS and pixels >= MIN_PIXELS)


def _weak(x):
    """A weak reference to the array x (None for an array type without them)."""
    try:
        return weakref.ref(x)
    except TypeError:
        return None


def _tiles(oh, ow):
    return -(-oh // 4), -(-ow // 4)


_buf = _scratch.buf


def _input_tiles(x, ph, pw, th, tw, bufs, be):
    """x (N, C, H, W) padded by (ph, pw) before, as transformed tiles
    BT d BT^T: (36, th * tw * N, C), position (u, v) outermost."""
    xp = be.xp
    N, C, H, W = x.shape
    dt = x.dtype
    hp, wp = 4 * th + 2, 4 * tw + 2
    nc = N * C
    row = wp * nc
    z = _buf(bufs, "z", (hp, wp, N, C), dt, xp)
    h, w = max(0, min(H, hp - ph)), max(0, min(W, wp - pw))
    # zeros only around the copy of x (a kept buffer: its other calls may pad
    # otherwise), a third of z at 8x8 padded by 1: 0.1 ms a call less here
    z[:ph] = 0
    z[ph + h:] = 0
    z[ph:ph + h, :pw] = 0
    z[ph:ph + h, pw + w:] = 0
    z[ph:ph + h, pw:pw + w] = x[:, :, :h, :w].transpose(2, 3, 0, 1)
    bt = _mats(be, dt)[2]
    it = dt.itemsize
    # rows: band i of tiles reads padded rows 4i .. 4i+5, one (6, W*N*C) block
    bands = be.as_strided(z, (th, 6, row), (4 * row * it, row * it, it))
    r = xp.matmul(bt, bands, out=_buf(bufs, "r", (th, 6, row), dt, xp))    # (th, u, wp, NC)
    # columns: tile j reads columns 4j .. 4j+5 of each transformed row
    cols = be.as_strided(r, (th, 6, tw, 6, nc), (6 * row * it, row * it, 4 * nc * it,
                                                 nc * it, it))
    v = _buf(bufs, "v", (6, 6, th, tw, nc), dt, xp)
    xp.matmul(bt, cols, out=v.transpose(2, 0, 3, 1, 4))       # (th, u, tw, v, N*C)
    return v.reshape(36, th * tw * N, C)


def conv(x, w, padding, out_hw, bias=None, be=_NUMPY, channels_last=False):
    """The correlation of x (N, C, H, W) with w (O, C, 3, 3), padded by
    `padding` before (zeros after as far as out_hw needs): (N, O, *out_hw),
    plus bias (O,) when given; laid out NHWC where channels_last."""
    xp = be.xp
    N = x.shape[0]
    O, C = w.shape[:2]
    dt = x.dtype
    (ph, pw), (oh, ow) = padding, out_hw
    th, tw = _tiles(oh, ow)
    T = th * tw * N
    key = (be.name, dt, "conv", N, C, O, th, tw)
    bufs = _scratch.take(key)   # intermediates kept between calls (_scratch.py)
    at, _, _, g2, _ = _mats(be, dt)
    v = _input_tiles(x, ph, pw, th, tw, bufs, be)              # (36, T, C)
    bufs["v_of"] = (_weak(x), (ph, pw))      # (whose tiles v holds: see weight_grad)
    u = xp.matmul(g2, w.reshape(O * C, 9).T, out=_buf(bufs, "u", (36, O * C), dt, xp))
    u = u.reshape(36, O, C).transpose(0, 2, 1)
    m = xp.matmul(v, u, out=_buf(bufs, "m", (36, T, O), dt, xp))
    if bias is not None:
        # AT's column 1 is all ones: what is added at transformed position
        # (1, 1) reaches every output of its tile once, so the bias goes in
        # there, on 1/36 of m, instead of over the whole output (adding it
        # in the copy to NCHW read that copy's source 5x slower, 0.47
        # against 0.09 ms a call in the digits example).
        m[7] += bias
    p = xp.matmul(at, m.reshape(6, 6 * T * O), out=_buf(bufs, "p", (4, 6 * T * O), dt, xp))
    y = xp.matmul(at, p.reshape(4, 6, T * O), out=_buf(bufs, "y", (4, 4, T * O), dt, xp))
    # (p, q, th, tw, N, O) -> NHWC, then NCHW
    tiles = y.reshape(4, 4, th, tw, N, O).transpose(4, 2, 0, 3, 1, 5)
    if channels_last and (4 * th, 4 * tw) == (oh, ow):
        # NHWC is the result itself (the copy to NCHW saved: the slower of
        # the two, its runs as short as a row)
        out = xp.empty((N, th, 4, tw, 4, O), dtype=dt)
        out[...] = tiles
        _scratch.give(key, bufs)
        return out.reshape(N, oh, ow, O).transpose(0, 3, 1, 2)
    nhwc = _buf(bufs, "nhwc", (N, th, 4, tw, 4, O), dt, xp)
    nhwc[...] = tiles
    if channels_last:
        src = nhwc.reshape(N, 4 * th, 4 * tw, O)[:, :oh, :ow]
        out = xp.empty(src.shape, dtype=dt)
        out[...] = src
        _scratch.give(key, bufs)
        return out.transpose(0, 3, 1, 2)
    if (4 * th, 4 * tw) == (oh, ow):
        src = nhwc.reshape(N, oh * ow, O).transpose(0, 2, 1)
    else:
        src = nhwc.reshape(N, 4 * th, 4 * tw, O).transpose(0, 3, 1, 2)[:, :, :oh, :ow]
    out = xp.empty(src.shape, dtype=dt)
    out[...] = src
    _scratch.give(key, bufs)
    return out.reshape(N, O, oh, ow)


def weight_grad(x, g, padding, be=_NUMPY):
    """The gradient of sum(conv(x, w) * g) with respect to w: (O, C, 3, 3)."""
    xp = be.xp
    N, C = x.shape[:2]
    O, oh, ow = g.shape[1:]
    dt = x.dtype
    ph, pw = padding
    th, tw = _tiles(oh, ow)
    T = th * tw * N
    key = (be.name, dt, "weight_grad", N, C, O, th, tw)
    bufs = _scratch.take(key)   # intermediates kept between calls (_scratch.py)
    _, att, _, _, g2t = _mats(be, dt)
    # The forward's transformed tiles of this very x, where its buffers still
    # hold them (no call of the same shapes since): the weight gradient of a
    # training step then skips the input transform, 0.8 ms a call in the
    # digits example.  x is the array the forward saw (the node's saved
    # input, unchanged: backward refuses an x changed in place since).
    fkey = (be.name, dt, "conv", N, C, O, th, tw)
    fbufs = _scratch.take(fkey)
    tag = fbufs.get("v_of")
    if tag is not None and tag[0] is not None and tag[0]() is x and tag[1] == (ph, pw):
        v = fbufs["v"].reshape(36, T, C)
    else:
        v = _input_tiles(x, ph, pw, th, tw, bufs, be)          # (36, T, C)
    gt = g.transpose(0, 2, 3, 1)
    whole = (4 * th, 4 * tw) == (oh, ow)
    if whole and be.is_contiguous(gt):
        gn = gt                  # a channels-last g's memory is NHWC, tiles whole
    else:
        gn = _buf(bufs, "gn", (N, 4 * th, 4 * tw, O), dt, xp)  # NHWC, tiles whole
        if not whole:
            gn[...] = 0
        gn[:, :oh, :ow] = gt
    gq = _buf(bufs, "gq", (4, 4, th, tw, N, O), dt, xp)
    gq[...] = gn.reshape(N, th, 4, tw, 4, O).transpose(2, 4, 1, 3, 0, 5)
    p = xp.matmul(att, gq.reshape(4, 4 * T * O), out=_buf(bufs, "p", (6, 4 * T * O), dt, xp))
    gy = xp.matmul(att, p.reshape(6, 4, T * O), out=_buf(bufs, "gy", (6, 6, T * O), dt, xp))
    du = xp.matmul(v.transpose(0, 2, 1), gy.reshape(36, T, O),
                   out=_buf(bufs, "du", (36, C, O), dt, xp))   # AT^T g AT against the tiles
    dw = xp.matmul(g2t, du.reshape(36, C * O)).reshape(9, C, O)
    _scratch.give(key, bufs)
    if fbufs:
        _scratch.give(fkey, fbufs)
    return xp.ascontiguousarray(dw.transpose(2, 1, 0)).reshape(O, C, 3, 3)

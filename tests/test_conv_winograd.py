"""The Winograd F(4x4, 3x3) path of conv2d (chainrule/ops/conv_winograd.py):
which convolutions take it, float64 values and first and second derivatives
against torch and by finite differences, and its float32 rounding measured
against a float64 convolution."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import gradcheck, gradgradcheck
from chainrule.ops import conv as conv_ops
from chainrule.ops import _scratch, conv_winograd

RNG = np.random.default_rng(7)
F64 = np.dtype("float64")
F32 = np.dtype("float32")


def _torch():
    return pytest.importorskip("torch")


@pytest.fixture
def everywhere(monkeypatch):
    """Small shapes take the Winograd path too (gradcheck's inputs stay small)."""
    monkeypatch.setattr(conv_winograd, "MIN_PIXELS", 1)


def test_which_convolutions_take_it():
    a = conv_winograd.applies
    # the digits example's second convolution, forward and (flipped) input gradient
    assert a((64, 32, 3, 3), (1, 1), (1, 1), 1, F32, 64 * 8 * 8)
    assert a((32, 64, 3, 3), (1, 1), (1, 1), 1, F64, 64 * 8 * 8)
    assert not a((32, 1, 3, 3), (1, 1), (1, 1), 1, F32, 64 * 8 * 8)      # one in channel
    assert not a((64, 32, 3, 3), (2, 1), (1, 1), 1, F32, 4096)             # strided
    assert not a((64, 32, 3, 3), (1, 1), (1, 2), 1, F32, 4096)             # dilated
    assert not a((64, 16, 3, 3), (1, 1), (1, 1), 2, F32, 4096)             # grouped
    assert not a((64, 32, 5, 5), (1, 1), (1, 1), 1, F32, 4096)             # 5x5
    assert not a((64, 32, 1, 3), (1, 1), (1, 1), 1, F32, 4096)             # conv1d's 1x3
    assert not a((64, 32, 3, 3), (1, 1), (1, 1), 1, np.dtype("float16"), 4096)
    assert not a((64, 32, 3, 3), (1, 1), (1, 1), 1, np.dtype("complex128"), 4096)
    assert not a((16, 16, 3, 3), (1, 1), (1, 1), 1, F32, 16)               # one 4x4 image


@pytest.mark.parametrize("shape, out_ch, padding", [
    ((4, 8, 12, 11), 5, 1),          # tiles cropped in both directions
    ((3, 4, 16, 16), 6, 0),
    ((2, 6, 15, 18), 4, 2),
    ((3, 5, 13, 20), 7, (1, 0)),
    ((1, 4, 24, 24), 4, "same"),
])
def test_float64_against_torch(shape, out_ch, padding):
    """Values and the gradients of x, w and b against torch (float64, 1e-10);
    each call takes the Winograd path (forward, input and weight gradients)."""
    torch = _torch()
    x = RNG.standard_normal(shape)
    w = RNG.standard_normal((out_ch, shape[1], 3, 3))
    b = RNG.standard_normal(out_ch)
    v_shape = tuple(torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w),
                                               padding=padding).shape)
    v = RNG.standard_normal(v_shape)
    pixels = v_shape[0] * v_shape[2] * v_shape[3]
    assert conv_winograd.applies(w.shape, (1, 1), (1, 1), 1, F64, pixels)
    outs = []
    for lib in (cr, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = lib.nn.functional.conv2d(*xs, padding=padding)
        outs.append([y] + list(lib.autograd.grad(y, xs, lib.tensor(v))))
    assert type(outs[0][0].grad_fn).__name__ == type(outs[1][0].grad_fn).__name__
    for a, t in zip(*outs):
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-10)


def test_float64_against_im2col():
    """The raw forward and weight gradient against the im2col route they
    replace (the routes compute the same sums in other orders)."""
    x = RNG.standard_normal((4, 9, 10, 7))
    w = RNG.standard_normal((6, 9, 3, 3))
    g = RNG.standard_normal((4, 6, 10, 7))
    y = conv_winograd.conv(x, w, (1, 1), (10, 7))
    dw = conv_winograd.weight_grad(x, g, (1, 1))
    cols = conv_ops._im2col(x, (1, 1), (10, 7), (3, 3), (1, 1), (1, 1), 1, conv_ops._NUMPY)[0]
    ref_y = (w.reshape(6, -1) @ cols).reshape(6, 4, 10, 7).transpose(1, 0, 2, 3)
    ref_dw = (g.transpose(1, 0, 2, 3).reshape(6, -1) @ cols.T).reshape(6, 9, 3, 3)
    np.testing.assert_allclose(y, ref_y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, ref_dw, rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_gradcheck_and_gradgradcheck(everywhere, padding):
    """Finite differences of the Winograd forward, of its backward (input
    gradient: a Winograd forward; weight gradient: weight_grad) and of that
    backward again (create_graph: the ops' formulas on the same path)."""
    x = cr.tensor(RNG.standard_normal((2, 4, 5, 6)), requires_grad=True)
    w = cr.tensor(RNG.standard_normal((4, 4, 3, 3)), requires_grad=True)
    b = cr.tensor(RNG.standard_normal(4), requires_grad=True)

    def f(x, w, b):
        return cr.nn.functional.conv2d(x, w, b, padding=padding)

    assert conv_winograd.applies(tuple(w.shape), (1, 1), (1, 1), 1, F64, 2)
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_float32_rounding_against_float64():
    """The measured float32 error of the path (the digits example's second
    convolution: batch 64, 32 -> 64 channels, 8x8, padding 1), as a share of
    the largest |value| of the exact (float64) result, measured over three
    seeds: forward 5e-6 to 6e-6, input gradient 6e-6 to 7e-6, weight gradient
    7e-6 to 1.4e-5, where im2col's float32 matmuls give about 7e-7.  The
    bound here is 3e-5."""
    x = RNG.standard_normal((64, 32, 8, 8))
    w = RNG.standard_normal((64, 32, 3, 3)) / 17
    g = RNG.standard_normal((64, 64, 8, 8))
    geo = ((1, 1), (1, 1), (1, 1), 1, x.shape, w.shape, g.shape)
    for fn, args in ((conv_ops._conv, (x, w)), (conv_ops._conv_input_grad, (g, w)),
                     (conv_ops._conv_weight_grad, (x, g))):
        exact = fn(*args, *geo)
        got = fn(*(a.astype(np.float32) for a in args), *geo)
        assert got.dtype == np.float32
        assert np.abs(got - exact).max() <= 3e-5 * np.abs(exact).max(), fn.__name__
    assert conv_winograd.applies(w.shape, (1, 1), (1, 1), 1, F32, 4096)


def test_float32_against_torch():
    """The digits example's second convolution in float32, values and
    gradients against torch: rtol 1e-4 with atol 1e-4 of the largest
    |value| (the path's float32 rounding measured above, plus torch's own)."""
    torch = _torch()
    x = RNG.standard_normal((64, 32, 8, 8)).astype(np.float32)
    w = (RNG.standard_normal((64, 32, 3, 3)) / 17).astype(np.float32)
    b = RNG.standard_normal(64).astype(np.float32)
    v = RNG.standard_normal((64, 64, 8, 8)).astype(np.float32)
    outs = []
    for lib in (cr, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = lib.nn.functional.conv2d(*xs, padding=1)
        outs.append([y] + list(lib.autograd.grad(y, xs, lib.tensor(v))))
    for a, t in zip(*outs):
        a, t = a.detach().numpy(), t.detach().numpy()
        assert a.dtype == t.dtype == np.float32
        np.testing.assert_allclose(a, t, rtol=1e-4, atol=1e-4 * np.abs(t).max())


def _im2col_conv(x, w, padding, out_hw):
    cols = conv_ops._im2col(x, padding, out_hw, (3, 3), (1, 1), (1, 1), 1, conv_ops._NUMPY)[0]
    y = (w.reshape(w.shape[0], -1) @ cols).reshape((w.shape[0], x.shape[0]) + out_hw)
    return y.transpose(1, 0, 2, 3)


@pytest.mark.parametrize("limit", [None, 1])
def test_scratch_reuse(monkeypatch, limit):
    """Calls whose intermediates share the kept buffers (same shapes, other
    paddings and data) each give their own convolution, with the cache as is
    and with a limit that keeps nothing."""
    if limit is not None:
        monkeypatch.setattr(_scratch, "LIMIT_BYTES", limit)
    w = RNG.standard_normal((5, 6, 3, 3))
    calls = [((2, 6, 11, 11), (1, 1), (11, 11)), ((2, 6, 11, 11), (0, 0), (9, 9)),
             ((2, 6, 11, 11), (0, 1), (9, 11)), ((3, 6, 8, 8), (1, 1), (8, 8))] * 2
    for shape, padding, out_hw in calls:
        x = RNG.standard_normal(shape)
        y = conv_winograd.conv(x, w, padding, out_hw)
        np.testing.assert_allclose(y, _im2col_conv(x, w, padding, out_hw), rtol=1e-12,
                                   atol=1e-12)
        g = RNG.standard_normal(y.shape)
        dw = conv_winograd.weight_grad(x, g, padding)
        cols = conv_ops._im2col(x, padding, out_hw, (3, 3), (1, 1), (1, 1), 1,
                                conv_ops._NUMPY)[0]
        ref = (g.transpose(1, 0, 2, 3).reshape(5, -1) @ cols.T).reshape(5, 6, 3, 3)
        np.testing.assert_allclose(dw, ref, rtol=1e-12, atol=1e-11)
    if limit is not None:
        assert not _scratch._CACHE              # nothing kept past the limit


def test_weight_grad_reuses_the_forwards_tiles_only_of_the_same_input(monkeypatch):
    """The weight gradient takes the forward's transformed input tiles where
    the forward's buffers still hold those of this very x and padding (one
    input transform fewer per step), and transforms x itself after a forward
    of the same shapes on another input or with another padding: gradients
    against torch in each case (float64)."""
    torch = _torch()
    made = []
    real = conv_winograd._input_tiles
    monkeypatch.setattr(conv_winograd, "_input_tiles",
                        lambda *a, **k: made.append(a[0]) or real(*a, **k))
    w0 = RNG.standard_normal((5, 6, 3, 3))
    x1, x2 = RNG.standard_normal((2, 6, 6, 12, 12))    # 12x12 padded by 1 or 0: 3x3 tiles both
    v = RNG.standard_normal((6, 5, 12, 12))

    def grads(lib, second, pad2, order):
        w = lib.tensor(w0, requires_grad=True)
        xs = [lib.tensor(a, requires_grad=True) for a in (x1, x2)]
        y1 = lib.nn.functional.conv2d(xs[0], w, padding=1)
        y2 = lib.nn.functional.conv2d(xs[second], w, padding=pad2)
        out = []
        for y in ((y1, y2) if order == "in turn" else (y2, y1)):
            out += lib.autograd.grad((y * lib.tensor(v[..., :y.shape[-2], :y.shape[-1]])).sum(),
                                     [w] + xs, allow_unused=True)
        return [None if g is None else g.detach().numpy() for g in out]

    for case in ((1, 1, "in turn"), (1, 1, "latest first"), (0, 0, "in turn")):
        made.clear()
        mine, ref = grads(cr, *case), grads(torch, *case)
        for a, b in zip(mine, ref):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
        # two forwards, two input gradients and the earlier forward's weight
        # gradient transform their inputs; the latest forward's does not
        assert len(made) == 5, (case, len(made))


def test_scratch_keeps_the_newest_keys_within_its_limit(monkeypatch):
    """_scratch's running count of the bytes it keeps: the least recently
    given keys go first, a key given twice counts once, and a key too large
    on its own is not kept."""
    monkeypatch.setattr(_scratch, "_CACHE", {})
    monkeypatch.setattr(_scratch, "_BYTES", {})
    monkeypatch.setattr(_scratch, "_total", [0])
    monkeypatch.setattr(_scratch, "LIMIT_BYTES", 1000)

    def give(key, nbytes):
        bufs = _scratch.take(key)
        _scratch.buf(bufs, "a", (nbytes,), np.uint8, np)
        _scratch.give(key, bufs)

    give("a", 400)
    give("b", 400)
    give("a", 400)               # taken and given back: now the newest
    assert list(_scratch._CACHE) == ["b", "a"] and _scratch._total == [800]
    give("c", 300)               # past the limit: the oldest, b, goes
    assert list(_scratch._CACHE) == ["a", "c"] and _scratch._total == [700]
    bufs = _scratch.take("a")
    assert bufs["a"].size == 400 and _scratch._total == [300]
    _scratch.give("d", {"a": np.empty(2000, np.uint8)})    # alone past the limit
    assert list(_scratch._CACHE) == [] and _scratch._total == [0]


def test_forward_mode_and_vmap(everywhere):
    """Forward mode (jvp) and vmap over a batch of images with one weight
    (folded into the convolution's batch) through the Winograd path, against
    torch.func (float64)."""
    torch = _torch()
    x = RNG.standard_normal((2, 4, 5, 6))
    w = RNG.standard_normal((5, 4, 3, 3))
    tx, tw = RNG.standard_normal(x.shape), RNG.standard_normal(w.shape)
    xb = RNG.standard_normal((3, 2, 4, 5, 6))
    outs = []
    for lib in (cr, torch):
        def f(a, b, lib=lib):
            return lib.nn.functional.conv2d(a, b, padding=1)
        y, t = lib.func.jvp(f, (lib.tensor(x), lib.tensor(w)), (lib.tensor(tx), lib.tensor(tw)))
        v = lib.func.vmap(f, in_dims=(0, None))(lib.tensor(xb), lib.tensor(w))
        outs.append([a.detach().numpy() for a in (y, t, v)])
    assert conv_winograd.applies(w.shape, (1, 1), (1, 1), 1, F64, 2 * 5 * 6)
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)

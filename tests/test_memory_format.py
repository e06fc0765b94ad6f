"""Memory formats: channels-last tensors as PyTorch makes and keeps them.

PyTorch keeps no layout flag: a tensor is channels-last when its strides say
so, and convolutions and max-pooling give their results the layout their
input suggests.  These tests hold chainrule's strides to torch's along the
path PyTorch's own digits example takes (NumPy images -> tensor -> a batch
by indexing -> conv -> relu -> conv -> relu -> max_pool), and the values,
indices and derivatives of the channels-last kernels to torch's bit for bit
(max-pooling) or to float64 rounding (convolution)."""
import itertools

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")


def _lib_array(L, a):
    return L.from_numpy(np.array(a, copy=True))


def _layouts():
    """(name, f(L, array) -> 4-D tensor of shape (2, 3, 4, 5)) over NumPy's
    base array of that shape."""
    def strided_one(L, a):            # a (2, 1, 4, 5) whose channel stride is 1 element
        b = np.ascontiguousarray(a[:, :1])
        return L.from_numpy(np.lib.stride_tricks.as_strided(
            b, b.shape, (b.strides[0], b.itemsize, b.strides[2], b.strides[3])))
    return {
        "contiguous": lambda L, a: _lib_array(L, a),
        "channels_last": lambda L, a: _lib_array(L, a).contiguous(memory_format=L.channels_last),
        "permuted": lambda L, a: _lib_array(L, a.transpose(0, 2, 3, 1)).permute(0, 3, 1, 2),
        "nhcw": lambda L, a: _lib_array(L, a.transpose(0, 2, 1, 3)).permute(0, 2, 1, 3),
        "sliced_cl": lambda L, a: _lib_array(L, np.concatenate([a, a], 3).transpose(0, 2, 3, 1))
        .permute(0, 3, 1, 2)[..., :5],
        "every_other": lambda L, a: _lib_array(L, np.concatenate([a, a], 0))[::2],
        "one_channel": strided_one,
        "one_channel_plain": lambda L, a: _lib_array(L, a[:, :1]),
        "zero_channel_stride": lambda L, a: L.from_numpy(np.ascontiguousarray(a[:, 0])[:, None]),
        "n111": lambda L, a: _lib_array(L, a[:, :1, :1, :1]),
        "n1h1": lambda L, a: _lib_array(L, a[:, :1, :, :1]),
    }


LAYOUTS = _layouts()
BASE = np.arange(120, dtype=np.float64).reshape(2, 3, 4, 5) / 7


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_is_contiguous_per_memory_format_against_torch(name):
    c, t = LAYOUTS[name](cr, BASE), LAYOUTS[name](torch, BASE)
    assert c.stride() == t.stride()
    for fmt in ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format"):
        assert c.is_contiguous(memory_format=getattr(cr, fmt)) == \
            t.is_contiguous(memory_format=getattr(torch, fmt)), fmt
    # contiguous / clone / to in each format: the strides, and a copy only when needed
    for fmt in ("contiguous_format", "channels_last"):
        for f in (lambda L, x: x.contiguous(memory_format=getattr(L, fmt)),
                  lambda L, x: x.clone(memory_format=getattr(L, fmt)),
                  lambda L, x: x.to(memory_format=getattr(L, fmt)),
                  lambda L, x: x.to(L.float32, memory_format=getattr(L, fmt))):
            rc, rt = f(cr, c), f(torch, t)
            assert rc.stride() == rt.stride(), fmt
            assert (rc is c) == (rt is t)
            np.testing.assert_array_equal(rc.numpy(), rt.numpy())
    assert c.clone().stride() == t.clone().stride()          # preserve_format


def test_memory_format_errors_against_torch():
    for L in (cr, torch):
        x3, x4, x5 = L.zeros(2, 3, 4), L.zeros(2, 3, 4, 5), L.zeros(2, 3, 4, 5, 6)
        for fmt, bad in (("channels_last", x3), ("channels_last", x5), ("channels_last_3d", x4)):
            for f in (lambda x: x.contiguous(memory_format=getattr(L, fmt)),
                      lambda x: x.clone(memory_format=getattr(L, fmt)),
                      lambda x: x.to(memory_format=getattr(L, fmt))):
                with pytest.raises(RuntimeError, match=f"required rank {5 if '3d' in fmt else 4} "
                                                       f"tensor to use {fmt} format"):
                    f(bad)
        assert x4.contiguous(memory_format=L.preserve_format) is x4
        with pytest.raises(RuntimeError, match="preserve memory format is unsupported by the "
                                               "contiguous operator"):
            x4.transpose(1, 2).contiguous(memory_format=L.preserve_format)
        assert x5.contiguous(memory_format=L.channels_last_3d).stride() == (360, 1, 90, 18, 3)


def _arrays():
    """NumPy arrays whose strides PyTorch keeps (or not) when it wraps or copies them."""
    images = np.random.default_rng(0).random((10, 8, 8)).astype(np.float32)[:, None]
    return {
        "images[:, None]": images,                                # channel stride 0
        "fancy(images)": images[np.array([3, 1, 2, 0])],          # NumPy's own stride there
        "fancy(images)[1:]": images[np.array([3, 1, 2, 0])][1:],  # (with a base)
        "transposed": np.zeros((3, 4)).T,
        "permuted": np.zeros((3, 4, 5)).transpose(0, 2, 1),
        "every_other": np.zeros((5, 1, 3))[::2],
        "plain": np.zeros((2, 1, 1, 3)),
    }


@pytest.mark.parametrize("name", sorted(_arrays()))
def test_wrapped_and_copied_arrays_keep_torchs_strides(name):
    a = _arrays()[name]
    for make in ("from_numpy", "as_tensor", "tensor"):
        c, t = getattr(cr, make)(a), getattr(torch, make)(a)
        assert c.stride() == t.stride(), make
        np.testing.assert_array_equal(c.numpy(), t.numpy())
    idx = [a.shape[0] - 1, 0]
    c, t = (L.tensor(a)[L.tensor(idx)] for L in (cr, torch))
    assert c.stride() == t.stride()
    np.testing.assert_array_equal(c.numpy(), t.numpy())


@pytest.mark.parametrize("name", ["contiguous", "channels_last", "permuted", "sliced_cl"])
def test_batch_selection_keeps_the_layout(name):
    c, t = LAYOUTS[name](cr, BASE), LAYOUTS[name](torch, BASE)
    for pick in ([1, 0, 1], [True, False]):
        rc, rt = c[cr.tensor(pick)], t[torch.tensor(pick)]
        assert rc.stride() == rt.stride()
        np.testing.assert_array_equal(rc.numpy(), rt.numpy())


def _conv_pair(L, layout, w_layout, a, wv, bv, **kw):
    x = LAYOUTS[layout](L, a) if layout in LAYOUTS else _lib_array(L, a)
    x = x.detach().requires_grad_()
    w = _lib_array(L, wv)
    if w_layout == "channels_last":
        w = w.contiguous(memory_format=L.channels_last)
    w.requires_grad_()
    b = None if bv is None else _lib_array(L, bv).requires_grad_()
    y = L.nn.functional.conv2d(x, w, b, **kw)
    return x, w, b, y


CONV_GEOMETRY = [dict(), dict(padding=1), dict(stride=2), dict(dilation=2, padding=2),
                 dict(groups=3, padding=1)]


@pytest.mark.parametrize("layout,w_layout,geometry,bias", [
    (lay, wl, i, b) for lay, wl, i, b in itertools.product(
        sorted(LAYOUTS), ["contiguous", "channels_last"], range(len(CONV_GEOMETRY)),
        [False, True])])
def test_conv2d_layout_values_and_gradients_against_torch(layout, w_layout, geometry, bias):
    kw = CONV_GEOMETRY[geometry]
    rng = np.random.default_rng(geometry)
    _, C, H, W = LAYOUTS[layout](torch, BASE).shape
    if C % kw.get("groups", 1):
        pytest.skip("channels not divisible by groups")
    k = 3 if min(H, W) >= 3 else 1          # (1x1 over the N111 and N1H1 layouts)
    if k == 1:
        kw = {n: v for n, v in kw.items() if n == "stride"}
    wv = rng.standard_normal((6, C // kw.get("groups", 1), k, k))
    bv = rng.standard_normal(6) if bias else None
    res = {}
    for L in (cr, torch):
        x, w, b, y = _conv_pair(L, layout, w_layout, BASE, wv, bv, **kw)
        g = _lib_array(L, np.cos(np.arange(y.numel())).reshape(tuple(y.shape)))
        grads = L.autograd.grad(y, [x, w] + ([b] if bias else []), g)
        res[L] = (y.stride(), y.detach().numpy(), [gr.numpy() for gr in grads])
    (sc, yc, gc), (st, yt, gt) = res[cr], res[torch]
    assert sc == st
    np.testing.assert_allclose(yc, yt, rtol=1e-12, atol=1e-12)
    for a, b in zip(gc, gt):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("dtype,hw,bias", itertools.product(
    ["float32", "float64"], [8, 7], [False, True]))
def test_winograd_conv_channels_last_against_torch(dtype, hw, bias):
    """The 3x3 path (4+ channels, 512+ output pixels) laid out channels-last:
    whole tiles (8x8) and cropped ones (7x7), with and without bias; the
    weight gradient from a channels-last output gradient."""
    from chainrule.ops import conv_winograd
    rng = np.random.default_rng(hw)
    a = rng.standard_normal((16, 8, hw, hw)).astype(dtype)
    wv = rng.standard_normal((12, 8, 3, 3)).astype(dtype)
    bv = rng.standard_normal(12).astype(dtype) if bias else None
    assert conv_winograd.applies(wv.shape, (1, 1), (1, 1), 1, np.dtype(dtype), 16 * hw * hw)
    res = {}
    for L in (cr, torch):
        x = _lib_array(L, a).contiguous(memory_format=L.channels_last).requires_grad_()
        w = _lib_array(L, wv).requires_grad_()
        b = None if bv is None else _lib_array(L, bv).requires_grad_()
        y = L.nn.functional.conv2d(x, w, b, padding=1)
        g = _lib_array(L, np.sin(np.arange(y.numel())).reshape(tuple(y.shape)).astype(dtype))
        g = g.contiguous(memory_format=L.channels_last)
        grads = L.autograd.grad(y, [x, w], g)
        res[L] = (y.stride(), grads[0].stride(), y.detach().numpy(), [t.numpy() for t in grads])
    c, t = res[cr], res[torch]
    assert c[:2] == t[:2]
    tol = dict(rtol=1e-4, atol=2e-4) if dtype == "float32" else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(c[2], t[2], **tol)
    for p, q in zip(c[3], t[3]):
        np.testing.assert_allclose(p, q, **tol)


def _pool_input(kind, dtype, shape, rng):
    if kind == "ties":
        a = rng.integers(-1, 2, shape).astype(np.float64)
        if dtype != "int64":        # zeros of both signs: the first of a window's maxima wins
            a = np.where(a == 0, np.where(rng.random(shape) < .5, -0.0, 0.0), a)
    else:
        a = rng.standard_normal(shape)
        if kind == "nan":
            a[rng.random(shape) < 0.1] = np.nan
    return a.astype(dtype)


def _same_bits(p, q):
    assert p.shape == q.shape and p.dtype == q.dtype
    np.testing.assert_array_equal(p, q)
    if p.dtype.kind == "f":
        np.testing.assert_array_equal(np.signbit(p), np.signbit(q))


POOL_GEOMETRY = [(2, 2, 0, 1, False), (2, 1, 0, 1, False), (3, 2, 1, 1, False),
                 (3, 2, 0, 1, True), (2, 2, 0, 2, False), (3, 3, 0, 1, False), (1, 1, 0, 1, False),
                 (2, 2, 1, 1, True)]


@pytest.mark.parametrize("layout,geometry,kind,dtype,indices", [
    c for c in itertools.product(["channels_last", "sliced_cl", "contiguous", "one_channel"],
                                 range(len(POOL_GEOMETRY)), ["rand", "ties", "nan"],
                                 ["float32", "float64", "int64"], [False, True])
    if not (c[2] == "nan" and c[3] == "int64")])
def test_max_pool2d_channels_last_bits_against_torch(layout, geometry, kind, dtype, indices):
    """Values, strides, indices, gradient and second derivative of
    max_pool2d bit for bit against torch's, channels-last inputs (the NHWC
    scan) beside the others."""
    k, s, p, d, ceil = POOL_GEOMETRY[geometry]
    rng = np.random.default_rng(geometry)
    a = _pool_input(kind, dtype, (2, 3, 7, 6), rng)
    if layout == "one_channel":
        a = a[:, :1]
    gv = rng.standard_normal((2, a.shape[1], 7, 6))
    res = {}
    for L in (cr, torch):
        x = _lib_array(L, a)
        if layout == "channels_last":
            x = x.contiguous(memory_format=L.channels_last)
        elif layout == "sliced_cl":
            x = x.contiguous(memory_format=L.channels_last)[:, :, :, :5]
        if dtype != "int64":
            x.requires_grad_()
        out = L.nn.functional.max_pool2d(x, k, s, p, d, ceil, indices)
        y = out[0] if indices else out
        r = [y.stride(), y.detach().numpy()]
        if indices:
            r += [out[1].stride(), out[1].numpy()]
        if dtype != "int64":
            g = _lib_array(L, gv[:, :, :y.shape[2], :y.shape[3]].astype(dtype)).requires_grad_()
            gx, = L.autograd.grad(y, x, g, create_graph=True)
            gg, = L.autograd.grad(gx, g, L.ones_like(gx) * 0.5 + x.detach())
            r += [gx.stride(), gx.detach().numpy(), gg.numpy()]
        res[L] = r
    c, t = res[cr], res[torch]
    assert len(c) == len(t)
    for p_, q_ in zip(c, t):
        if isinstance(p_, tuple):
            assert p_ == q_
        else:
            _same_bits(p_, q_)


def test_digits_pipeline_is_channels_last_as_in_torch():
    """The digits example's batches (images from NumPy, picked by index)
    suggest channels-last to both libraries, and every layer keeps it."""
    digits = pytest.importorskip("chainrule.examples.digits")
    pytest.importorskip("sklearn")
    x, y = digits.split_digits(0)[:2]
    strides = {}
    for L in (cr, torch):
        digits.use_backend(L.__name__)
        L.manual_seed(0)
        loader, _ = digits.make_loader(x, y, 64, 0)
        xb, _ = next(iter(loader))
        m = digits.build_model()
        F = L.nn.functional
        a = F.relu(m.conv1(xb))
        b = m.pool(F.relu(m.conv2(a)))
        strides[L] = [xb.stride(), a.stride(), b.stride(), b.flatten(1).stride()]
    digits.use_backend("chainrule")
    assert strides[cr] == strides[torch]
    assert strides[cr][2] == (1024, 1, 256, 64)           # channels-last

"""grid_sample / grid_sampler(_2d/_3d) and affine_grid / affine_grid_generator
(ops/grid_sample.py) beyond the op table: every mode, padding mode and
align_corners against torch (values; input and grid gradients; second and
third order), grids far outside and on pixel centres, size-1 inputs,
float32, the align_corners warnings, and misuse (PyTorch's exception types
and first message lines)."""
import itertools

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

from test_misuse import _check  # noqa: E402  (outcomes and warnings side by side)

RNG = np.random.default_rng(0)

SETTINGS = [(n, m, p, a) for n in (2, 3)
            for m in ("bilinear", "nearest", "bicubic")
            for p in ("zeros", "border", "reflection")
            for a in (False, True) if not (n == 3 and m == "bicubic")]


def _orders(L, x, g, **kw):
    """y, first-order gradients of <y, v> and second/third-order ones of
    their squares, as NumPy arrays (None where a gradient does not reach)."""
    xs, gs = L.tensor(x, requires_grad=True), L.tensor(g, requires_grad=True)
    y = L.nn.functional.grid_sample(xs, gs, **kw)
    v = L.tensor(np.random.default_rng(1).standard_normal(tuple(y.shape)), dtype=y.dtype)
    gx, gg = L.autograd.grad((y * v).sum(), (xs, gs), create_graph=True)
    h = L.autograd.grad((gx ** 2).sum() + (gg ** 2).sum(), (xs, gs), create_graph=True,
                        allow_unused=True)
    reached = [t for t in h if t is not None and t.requires_grad]
    third = (L.autograd.grad(sum(t.sum() for t in reached), (xs, gs), allow_unused=True)
             if reached else (None, None))
    out = [y, gx, gg, *h, *third]
    return [None if t is None else t.detach().numpy() for t in out], type(y.grad_fn).__name__


def _same_arrays(mine, ref, tol):
    for a, b in zip(mine, ref):
        if a is None or b is None:          # an unreached gradient: zero on the other side
            assert not np.any(a if a is not None else (b if b is not None else 0))
            continue
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("nd, mode, padding, align", SETTINGS)
def test_modes_against_torch_to_third_order(nd, mode, padding, align):
    x = RNG.standard_normal((2, 2, 4, 3, 5)[:2 + nd])
    g = RNG.uniform(-1.6, 1.6, (2, 3, 2, 2)[:1 + nd] + (nd,))      # well outside, both sides
    kw = dict(mode=mode, padding_mode=padding, align_corners=align)
    mine, name = _orders(cr, x, g, **kw)
    ref, ref_name = _orders(torch, x, g, **kw)
    assert name == ref_name
    _same_arrays(mine, ref, 1e-9)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("align", [False, True])
def test_pixel_centres_and_corners(mode, align):
    """A grid on the pixel centres reads the input back exactly (align_corners
    decides where they lie); the corners +-1 too."""
    x = RNG.standard_normal((1, 2, 3, 4))
    H, W = 3, 4
    if align:
        ys, xs = np.linspace(-1, 1, H), np.linspace(-1, 1, W)
    else:
        ys, xs = (2 * np.arange(H) + 1) / H - 1, (2 * np.arange(W) + 1) / W - 1
    g = np.stack(np.meshgrid(xs, ys), -1)[None]                    # (1, H, W, 2): (x, y)
    y = cr.nn.functional.grid_sample(cr.tensor(x), cr.tensor(g), mode=mode, align_corners=align)
    np.testing.assert_allclose(y.numpy(), x, rtol=1e-12, atol=1e-12)
    corners = np.array([[[[-1.0, -1.0], [1.0, 1.0]]]])
    mine = cr.nn.functional.grid_sample(cr.tensor(x), cr.tensor(corners), mode=mode,
                                        align_corners=align).numpy()
    ref = torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(corners), mode=mode,
                                          align_corners=align).numpy()
    np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode, padding", itertools.product(["bilinear", "nearest", "bicubic"],
                                                            ["zeros", "border", "reflection"]))
def test_size_one_input_and_float32(mode, padding):
    for shape, dtype in (((1, 2, 1, 1), np.float64), ((2, 3, 4, 5), np.float32),
                         ((1, 1, 1, 4), np.float64)):
        x = RNG.standard_normal(shape).astype(dtype)
        g = RNG.uniform(-2, 2, (shape[0], 3, 2, 2)).astype(dtype)
        for align in (False, True):
            kw = dict(mode=mode, padding_mode=padding, align_corners=align)
            mine = cr.nn.functional.grid_sample(cr.tensor(x), cr.tensor(g), **kw)
            ref = torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(g), **kw)
            assert str(mine.dtype) == str(ref.dtype)
            tol = 1e-5 if dtype == np.float32 else 1e-12
            np.testing.assert_allclose(mine.numpy(), ref.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("size, theta", [((2, 3, 4, 5), (2, 2, 3)), ((1, 2, 3, 1, 2), (1, 3, 4)),
                                         ((2, 1, 1, 5), (2, 2, 3)), ((1, 1, 1, 1), (1, 2, 3))])
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_against_torch(size, theta, align):
    t = RNG.standard_normal(theta)
    out = []
    for L in (cr, torch):
        ts = L.tensor(t, requires_grad=True)
        y = L.affine_grid_generator(ts, list(size), align)
        g, = L.autograd.grad((y ** 3).sum(), ts, create_graph=True)
        h, = L.autograd.grad((g ** 2).sum(), ts)
        out.append((y.detach().numpy(), g.detach().numpy(), h.numpy(), type(y.grad_fn).__name__))
    for a, b in zip(out[0][:3], out[1][:3]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert out[0][3] == out[1][3]


@pytest.mark.parametrize("size", [(2, 1, 3, 4), (1, 2, 2, 3, 2)])
def test_functional_affine_grid_against_torch(size):
    t = RNG.standard_normal((size[0],) + ((2, 3) if len(size) == 4 else (3, 4)))
    out = []
    for L in (cr, torch):
        ts = L.tensor(t, requires_grad=True)
        y = L.nn.functional.affine_grid(ts, size, align_corners=False)
        g, = L.autograd.grad((y ** 3).sum(), ts)
        out.append((y.detach().numpy(), g.numpy(), type(y.grad_fn).__name__))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-10, atol=1e-12)
    assert out[0][2] == out[1][2]


def test_identity_theta_samples_the_input_back():
    """The spatial transformer's identity: affine_grid of [I | 0], sampled."""
    x = RNG.standard_normal((2, 3, 4, 5))
    theta = cr.tensor(np.tile(np.eye(2, 3), (2, 1, 1)))
    for align in (False, True):
        grid = cr.nn.functional.affine_grid(theta, (2, 3, 4, 5), align_corners=align)
        y = cr.nn.functional.grid_sample(cr.tensor(x), grid, align_corners=align)
        np.testing.assert_allclose(y.numpy(), x, rtol=1e-12, atol=1e-12)


def _x(L, *shape):
    return L.tensor(np.arange(float(np.prod(shape))).reshape(shape) / 7.0)


def _g(L, *shape):
    return L.tensor(np.linspace(-1.2, 1.1, int(np.prod(shape))).reshape(shape))


_GS = lambda L, x, g, **k: L.nn.functional.grid_sample(_x(L, *x), _g(L, *g), **k)  # noqa: E731

CASES = {
    # the align_corners=None warning, for both (and its absence when given); values: above
    "grid_sample_default_align": lambda L: _GS(L, (1, 2, 3, 3), (1, 2, 2, 2)).shape,
    "grid_sample_explicit_align": lambda L: _GS(L, (1, 2, 3, 3), (1, 2, 2, 2),
                                                align_corners=True).shape,
    "affine_grid_default_align": lambda L: L.nn.functional.affine_grid(_x(L, 1, 2, 3),
                                                                       (1, 1, 2, 2)),
    "affine_grid_unit_size_aligned": lambda L: L.nn.functional.affine_grid(
        _x(L, 1, 2, 3), (1, 1, 1, 2), align_corners=True),
    "grid_sample_mode": lambda L: _GS(L, (1, 2, 3, 3), (1, 2, 2, 2), mode="linear",
                                      padding_mode="wrap"),
    "grid_sample_padding_mode": lambda L: _GS(L, (1, 2, 3, 3), (1, 2, 2, 2), padding_mode="wrap"),
    "grid_sample_bicubic_3d": lambda L: _GS(L, (1, 2, 3, 3, 3), (1, 2, 2, 2, 3), mode="bicubic",
                                            align_corners=False),
    "grid_sample_batch": lambda L: _GS(L, (2, 2, 3, 3), (1, 2, 2, 3), align_corners=False),
    "grid_sample_last_dim": lambda L: _GS(L, (2, 2, 3, 3), (2, 2, 2, 3), align_corners=False),
    "grid_sample_grid_rank": lambda L: _GS(L, (2, 2, 3, 3), (2, 2, 2), align_corners=False),
    "grid_sample_unbatched": lambda L: _GS(L, (2, 3, 3), (2, 2, 1), align_corners=False),
    "grid_sample_rank_6": lambda L: _GS(L, (1, 1, 2, 2, 2, 2), (1, 2, 2, 2, 2, 4),
                                        align_corners=False),
    "grid_sample_3d_grid_2d": lambda L: _GS(L, (1, 2, 3, 3, 3), (1, 2, 2, 2, 2),
                                            align_corners=False),
    "grid_sample_empty_spatial": lambda L: _GS(L, (2, 2, 0, 3), (2, 2, 2, 2), align_corners=False),
    "grid_sample_empty_channels": lambda L: _GS(L, (2, 0, 3, 3), (2, 2, 2, 2), align_corners=False),
    "grid_sample_empty_grid": lambda L: _GS(L, (2, 2, 3, 3), (2, 0, 2, 2), align_corners=False),
    "grid_sample_dtypes": lambda L: L.nn.functional.grid_sample(
        _x(L, 1, 2, 3, 3).float(), _g(L, 1, 2, 2, 2), align_corners=False),
    "grid_sample_long": lambda L: L.nn.functional.grid_sample(
        _x(L, 1, 2, 3, 3).long(), _g(L, 1, 2, 2, 2).long(), align_corners=False),
    "grid_sample_3d_long": lambda L: L.nn.functional.grid_sample(
        _x(L, 1, 2, 3, 3, 3).long(), _g(L, 1, 2, 2, 2, 3), align_corners=False),
    "grid_sampler_mode_str": lambda L: L.grid_sampler(_x(L, 1, 2, 3, 3), _g(L, 1, 2, 2, 2),
                                                      "bilinear", 0, False),
    "grid_sampler_align_int": lambda L: L.grid_sampler(_x(L, 1, 2, 3, 3), _g(L, 1, 2, 2, 2),
                                                       0, 0, 1),
    "grid_sampler_missing": lambda L: L.grid_sampler(_x(L, 1, 2, 3, 3), _g(L, 1, 2, 2, 2), 0, 0),
    "grid_sampler_2d_on_5d": lambda L: L.grid_sampler_2d(_x(L, 1, 2, 3, 3, 3),
                                                         _g(L, 1, 2, 2, 2, 3), 0, 0, False),
    "grid_sampler_3d_on_4d": lambda L: L.grid_sampler_3d(_x(L, 1, 2, 3, 3), _g(L, 1, 2, 2, 2),
                                                         0, 0, False),
    "grid_sampler_3d_bicubic": lambda L: L.grid_sampler_3d(_x(L, 1, 2, 3, 3, 3),
                                                           _g(L, 1, 2, 2, 2, 3), 2, 0, False),
    "affine_grid_complex": lambda L: L.nn.functional.affine_grid(
        _x(L, 1, 2, 3).to(L.complex128), (1, 1, 2, 2), align_corners=False),
    "affine_grid_long": lambda L: L.nn.functional.affine_grid(_x(L, 1, 2, 3).long(), (1, 1, 2, 2),
                                                              align_corners=False),
    "affine_grid_theta_for_3d": lambda L: L.nn.functional.affine_grid(
        _x(L, 1, 2, 3), (1, 1, 2, 2, 2), align_corners=False),
    "affine_grid_theta_for_2d": lambda L: L.nn.functional.affine_grid(
        _x(L, 1, 3, 4), (1, 1, 2, 2), align_corners=False),
    "affine_grid_size_3": lambda L: L.nn.functional.affine_grid(_x(L, 1, 2, 3), (1, 1, 2),
                                                                align_corners=False),
    "affine_grid_zero_size": lambda L: L.nn.functional.affine_grid(_x(L, 1, 2, 3), (1, 1, 0, 2),
                                                                   align_corners=False),
    "affine_grid_batch": lambda L: L.nn.functional.affine_grid(_x(L, 2, 2, 3), (3, 1, 2, 2),
                                                               align_corners=False),
    "affine_grid_size_list": lambda L: L.nn.functional.affine_grid(_x(L, 2, 2, 3), [2, 1, 2, 3],
                                                                   align_corners=False),
    "affine_grid_generator_batch": lambda L: L.affine_grid_generator(_x(L, 2, 2, 3), (3, 1, 2, 2),
                                                                     False),
    "affine_grid_generator_3d_theta_2d": lambda L: L.affine_grid_generator(
        _x(L, 2, 2, 3), (2, 1, 2, 2, 2), False),
    "affine_grid_generator_rank": lambda L: L.affine_grid_generator(_x(L, 2, 2, 3), (2, 1, 2),
                                                                    False),
    "affine_grid_generator_missing": lambda L: L.affine_grid_generator(_x(L, 2, 2, 3),
                                                                       (2, 1, 2, 2)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_misuse_and_warnings(name):
    _check(CASES[name])

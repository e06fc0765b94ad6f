"""Three spatial dimensions (ops/conv_nd.py, ops/pool_nd.py) beyond the op
table: random geometries against torch (values, every input's gradient,
indices), integer dtypes, NaN and -inf windows, the double-backward graph,
the torch namespace, per-sample gradients under vmap, and misuse (PyTorch's
exception types and first message lines)."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

from test_conv import _same  # noqa: E402  (values and gradients of every input against torch)
from test_misuse import _check  # noqa: E402  (the side-by-side comparison of outcomes)

RNG = np.random.default_rng(0)


# --- random geometries (hypothesis, bounded) ------------------------------------------------------
from hypothesis import HealthCheck, Phase, given, settings, strategies as st  # noqa: E402

_SETTINGS = settings(max_examples=25, deadline=None, database=None, derandomize=True,
                     phases=[Phase.explicit, Phase.generate, Phase.shrink],
                     suppress_health_check=[HealthCheck.too_slow])


def _three(draw, lo, hi):
    return tuple(draw(st.integers(lo, hi)) for _ in range(3))


@st.composite
def _conv_geometry(draw):
    groups = draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k, s, d, p = _three(draw, 1, 3), _three(draw, 1, 2), _three(draw, 1, 2), _three(draw, 0, 1)
    sp = [draw(st.integers(max(1, d[i] * (k[i] - 1) + 1 - 2 * p[i]), 5)) for i in range(3)]
    return dict(n=draw(st.integers(1, 2)), c_in=c_in, c_out=c_out, k=k, sp=sp,
                kw=dict(stride=s, padding=p, dilation=d, groups=groups))


@_SETTINGS
@given(_conv_geometry(), st.booleans(), st.integers(0, 2 ** 31 - 1))
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_conv3d_random_geometry(geo, transposed, seed):
    rng = np.random.default_rng(seed)
    g = geo["kw"]["groups"]
    x = rng.standard_normal((geo["n"], geo["c_in"], *geo["sp"]))
    if not transposed:
        w = rng.standard_normal((geo["c_out"], geo["c_in"] // g, *geo["k"]))
        _same("conv3d", [x, w, rng.standard_normal(geo["c_out"])], geo["kw"])
        return
    kw = dict(geo["kw"])
    kw["output_padding"] = tuple(max(s, d) - 1 for s, d in zip(kw["stride"], kw["dilation"]))
    w = rng.standard_normal((geo["c_in"], geo["c_out"] // g, *geo["k"]))
    out = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
           zip(geo["sp"], kw["stride"], kw["padding"], kw["dilation"], geo["k"],
               kw["output_padding"])]
    if min(out) < 1:
        return                       # torch refuses it (checked in misuse)
    _same("conv_transpose3d", [x, w, rng.standard_normal(geo["c_out"])], kw)


@st.composite
def _pool_geometry(draw):
    k, s, d = _three(draw, 1, 3), _three(draw, 1, 3), _three(draw, 1, 2)
    p = tuple(draw(st.integers(0, k[i] // 2)) for i in range(3))
    sp = [draw(st.integers(max(1, d[i] * (k[i] - 1) + 1 - 2 * p[i]), 5)) for i in range(3)]
    return dict(shape=(draw(st.integers(1, 2)), 2, *sp), k=k, s=s, d=d, p=p,
                ceil=draw(st.booleans()))


@_SETTINGS
@given(_pool_geometry(), st.booleans(), st.booleans())
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_pool3d_random_geometry(geo, include_pad, with_divisor):
    n = int(np.prod(geo["shape"]))
    x = RNG.permutation(n).reshape(geo["shape"]) / 10.0
    _same("max_pool3d", [x], dict(kernel_size=geo["k"], stride=geo["s"], padding=geo["p"],
                                  dilation=geo["d"], ceil_mode=geo["ceil"], return_indices=True))
    if all(n >= k for n, k in zip(geo["shape"][2:], geo["k"])):     # (torch's avg_pool3d rule)
        _same("avg_pool3d", [x], dict(kernel_size=geo["k"], stride=geo["s"], padding=geo["p"],
                                      ceil_mode=geo["ceil"], count_include_pad=include_pad,
                                      divisor_override=3 if with_divisor else None))


@pytest.mark.parametrize("shape, out", [((2, 2, 5, 7, 3), (2, 3, 2)), ((1, 3, 4, 4), (4, 1, 5)),
                                        ((2, 1, 3, 6, 2), (None, 4, 2)),
                                        ((1, 2, 3, 3, 3), 2)])
def test_adaptive_pool3d_sizes(shape, out):
    x = RNG.permutation(int(np.prod(shape))).reshape(shape) / 10.0
    _same("adaptive_avg_pool3d", [x], dict(output_size=out))
    _same("adaptive_max_pool3d", [x], dict(output_size=out, return_indices=True))


def test_non_contiguous_inputs():
    """Transposed and strided views go in as they are (the windows read their strides)."""
    a = RNG.standard_normal((3, 2, 5, 4, 6))
    w = RNG.standard_normal((3, 3, 2, 2, 2))
    for f in (lambda L, x, w: L.nn.functional.conv3d(x, w, padding=1),
              lambda L, x, w: L.nn.functional.conv_transpose3d(x, w, stride=2),
              lambda L, x, w: L.nn.functional.max_pool3d(x, 2, 1, 1) * w.sum(),
              lambda L, x, w: L.nn.functional.avg_pool3d(x, 2, 1, 1) * w.sum(),
              lambda L, x, w: L.nn.functional.adaptive_max_pool3d(x, (2, 3, 1)) * w.sum(),
              lambda L, x, w: L.nn.functional.adaptive_avg_pool3d(x, (2, 3, 1)) * w.sum()):
        out = []
        for L in (cr, torch):
            xs, ws = L.tensor(a, requires_grad=True), L.tensor(w, requires_grad=True)
            x = xs.transpose(0, 1)[:, :, ::2]
            y = f(L, x, ws.transpose(2, 4))
            gx, gw = L.autograd.grad((y * y).sum(), (xs, ws))
            out.append([t.detach().numpy() for t in (y, gx, gw)])
        for m, r in zip(*out):
            np.testing.assert_allclose(m, r, rtol=1e-10, atol=1e-10)


def test_integer_dtypes_match_torch():
    x = np.arange(-30, 24).reshape(1, 2, 3, 3, 3)
    w = np.arange(-4, 12).reshape(2, 1, 2, 2, 2)
    for f in (lambda L, a: L.nn.functional.conv3d(a, L.tensor(w), groups=2, padding=1),
              lambda L, a: L.nn.functional.max_pool3d(a, 3, 2, 1),
              lambda L, a: L.nn.functional.avg_pool3d(a, 2, 1, 1),
              lambda L, a: L.nn.functional.avg_pool3d(a, 3, 2, 1, True, False)):
        mine, ref = f(cr, cr.tensor(x)), f(torch, torch.tensor(x))
        assert str(mine.dtype) == str(ref.dtype)
        np.testing.assert_array_equal(mine.numpy(), ref.numpy())


def test_max_pool3d_nan_and_minus_inf_windows():
    nan, inf = float("nan"), float("inf")
    x = np.array([[nan, 1.0, nan, -inf], [2.0, nan, -inf, -inf], [0.0, 1.0, 5.0, -inf]])
    all_minus_inf = np.full((3, 4), -inf)        # windows of -inf only, inside and at the padding
    x = np.stack([x, all_minus_inf, x[::-1]])[None, None]        # (1, 1, 3, 3, 4)
    for kw in (dict(kernel_size=2), dict(kernel_size=2, stride=1, padding=1),
               dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)):
        a, ai = F.max_pool3d(cr.tensor(x), return_indices=True, **kw)
        b, bi = TF.max_pool3d(torch.tensor(x), return_indices=True, **kw)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        np.testing.assert_array_equal(ai.numpy(), bi.numpy())
    for out in (2, (1, 3, 2)):
        a, ai = F.adaptive_max_pool3d(cr.tensor(x), out, return_indices=True)
        b, bi = TF.adaptive_max_pool3d(torch.tensor(x), out, return_indices=True)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        np.testing.assert_array_equal(ai.numpy(), bi.numpy())


@pytest.mark.parametrize("f", [
    lambda L, x, w: L.nn.functional.conv3d(x, w, padding=1),
    lambda L, x, w: L.nn.functional.conv_transpose3d(x, w, stride=2),
    lambda L, x, w: L.nn.functional.max_pool3d(x * w.sum(), 2, 1),
    lambda L, x, w: L.nn.functional.avg_pool3d(x * w.sum(), 2, 1, 1),
    lambda L, x, w: L.nn.functional.adaptive_avg_pool3d(x * w.sum(), (2, 1, 3)),
    lambda L, x, w: L.nn.functional.adaptive_max_pool3d(x * w.sum(), (2, 1, 3)),
])
def test_double_backward_graph_names_and_third_order(f):
    """Second-order nodes carry torch's names; third order agrees in value
    (the formulas are recorded ops all the way)."""
    x = RNG.permutation(2 * 3 * 3 * 3).reshape(1, 2, 3, 3, 3) / 10.0 + 0.05
    w = RNG.standard_normal((2, 2, 2, 2, 2))
    names = []
    for lib in (cr, torch):
        xs, ws = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = f(lib, xs, ws)
        v = lib.tensor(np.random.default_rng(3).standard_normal(tuple(y.shape)))
        gx, gw = lib.autograd.grad((y * v).sum(), (xs, ws), create_graph=True)
        names.append((type(gx.grad_fn).__name__, type(gw.grad_fn).__name__))
        h = lib.autograd.grad((gx * gx).sum() + (gw * gw).sum(), (xs, ws), create_graph=True)
        names.append([float(t.detach().sum()) for t in h])
    assert names[0] == names[2]
    np.testing.assert_allclose(names[1], names[3], rtol=1e-10)


def test_per_sample_gradients_under_vmap():
    """vmap over grad: a weight per sample (the grouped route) against a loop."""
    x = cr.tensor(RNG.standard_normal((3, 1, 2, 3, 3, 3)))
    w = cr.tensor(RNG.standard_normal((2, 2, 2, 2, 2)))

    def loss(w, x):
        return (F.conv3d(x, w, padding=1) ** 2).sum()
    batched = cr.func.vmap(cr.func.grad(loss), in_dims=(None, 0))(w, x)
    for i in range(3):
        np.testing.assert_allclose(batched[i].numpy(), cr.func.grad(loss)(w, x[i]).numpy(),
                                   rtol=1e-12, atol=1e-12)
    ws = cr.stack([w, w * 2, -w])
    batched = cr.func.vmap(lambda w, x: F.conv3d(x, w), in_dims=(0, 0))(ws, x)
    for i in range(3):
        np.testing.assert_allclose(batched[i].numpy(), F.conv3d(x[i], ws[i]).numpy(),
                                   rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f", [
    # torch.convolution ignores output_padding when not transposed
    lambda L, a, w, b: L.convolution(a, w, None, [1], [1], [1], False, [1], 1),
    # conv_tbc takes a bias of another float dtype (the result keeps the input's)
    lambda L, a, w, b: L.conv_tbc(a[0].permute(1, 2, 0), w[..., 0].permute(2, 1, 0), b.float(), 1),
])
def test_lenient_arguments_as_torch(f):
    a, w = RNG.standard_normal((2, 3, 4, 4)), RNG.standard_normal((3, 3, 2, 2))
    b = RNG.standard_normal(3)
    mine = f(cr, cr.tensor(a), cr.tensor(w), cr.tensor(b))
    ref = f(torch, torch.tensor(a), torch.tensor(w), torch.tensor(b))
    assert tuple(mine.shape) == tuple(ref.shape) and str(mine.dtype) == str(ref.dtype)
    np.testing.assert_allclose(mine.numpy(), ref.numpy(), rtol=1e-12, atol=1e-12)


def test_torch_namespace():
    for name in ("conv3d", "conv_transpose3d", "max_pool3d", "convolution", "conv_tbc"):
        assert hasattr(torch, name) and callable(getattr(cr, name)), name
    for name in ("avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d"):
        assert hasattr(TF, name) and hasattr(F, name), name
    x = RNG.standard_normal((2, 3, 4, 5))
    _check(lambda L: L.max_pool3d(L.tensor(x), 2, (), 0, 1, False))
    _check(lambda L: L.max_pool3d(L.tensor(x), 2, return_indices=True))
    _check(lambda L: L.nn.functional.max_pool3d_with_indices(L.tensor(x), 2))


# --- misuse: PyTorch's exception types and messages ----------------------------------------------
def _x(L, *shape):
    return L.tensor(np.arange(float(np.prod(shape))).reshape(shape) / 7.0)


_C3 = lambda L, x, w, *a, **k: L.nn.functional.conv3d(_x(L, *x), _x(L, *w), *a, **k)  # noqa: E731
_T3 = lambda L, x, w, *a, **k: L.nn.functional.conv_transpose3d(  # noqa: E731
    _x(L, *x), _x(L, *w), *a, **k)
_MP = lambda L, x, *a, **k: L.nn.functional.max_pool3d(_x(L, *x), *a, **k)  # noqa: E731
_AP = lambda L, x, *a, **k: L.nn.functional.avg_pool3d(_x(L, *x), *a, **k)  # noqa: E731
_AAP = lambda L, x, *a: L.nn.functional.adaptive_avg_pool3d(_x(L, *x), *a)  # noqa: E731
_AMP = lambda L, x, *a: L.nn.functional.adaptive_max_pool3d(_x(L, *x), *a)  # noqa: E731

MISUSE = {
    "conv3d_rank": lambda L: _C3(L, (4, 4), (2, 2, 2, 2, 2)),
    "conv3d_rank_high": lambda L: _C3(L, (1, 1, 2, 4, 4, 4), (2, 2, 2, 2, 2)),
    "conv3d_weight_rank": lambda L: _C3(L, (1, 2, 4, 4, 4), (2, 2, 2, 2)),
    "conv3d_channels": lambda L: _C3(L, (1, 3, 4, 4, 4), (2, 2, 2, 2, 2)),
    "conv3d_groups_indivisible": lambda L: _C3(L, (1, 4, 4, 4, 4), (3, 2, 2, 2, 2), groups=2),
    "conv3d_groups_zero": lambda L: _C3(L, (1, 4, 4, 4, 4), (4, 2, 2, 2, 2), groups=0),
    "conv3d_kernel_too_big": lambda L: _C3(L, (1, 2, 4, 4, 4), (2, 2, 5, 2, 2)),
    "conv3d_dilated_kernel_too_big": lambda L: _C3(L, (1, 2, 4, 4, 4), (2, 2, 2, 2, 2),
                                                   dilation=(1, 4, 1)),
    "conv3d_bias_size": lambda L: L.nn.functional.conv3d(_x(L, 1, 2, 3, 3, 3),
                                                         _x(L, 2, 2, 2, 2, 2), _x(L, 3)),
    "conv3d_stride_length": lambda L: _C3(L, (1, 2, 4, 4, 4), (2, 2, 2, 2, 2), stride=(1, 1)),
    "conv3d_stride_zero": lambda L: _C3(L, (1, 2, 4, 4, 4), (2, 2, 2, 2, 2), stride=0),
    "conv3d_negative_padding": lambda L: _C3(L, (1, 2, 4, 4, 4), (2, 2, 2, 2, 2), padding=-1),
    "conv3d_same_strided": lambda L: _C3(L, (1, 2, 4, 4, 4), (2, 2, 2, 2, 2), stride=2,
                                         padding="same"),
    "conv3d_bad_padding_string": lambda L: _C3(L, (1, 2, 4, 4, 4), (2, 2, 2, 2, 2),
                                               padding="full"),
    # (torch's text depends on the kernel it picks for the sizes: these take conv2d's rule)
    "conv3d_weight_dtype": lambda L: L.nn.functional.conv3d(_x(L, 2, 4, 5, 5, 5).float(),
                                                            _x(L, 6, 2, 3, 3, 3), groups=2),
    "conv3d_input_dtype": lambda L: L.nn.functional.conv3d(_x(L, 2, 4, 5, 5, 5),
                                                           _x(L, 6, 2, 3, 3, 3).float(), groups=2),
    "conv3d_bias_dtype": lambda L: L.nn.functional.conv3d(
        _x(L, 1, 2, 3, 3, 3), _x(L, 2, 2, 2, 2, 2), _x(L, 2).float()),
    "conv3d_empty_batch": lambda L: _C3(L, (0, 2, 3, 3, 3), (2, 2, 2, 2, 2)),
    "convt3d_channels": lambda L: _T3(L, (1, 3, 2, 2, 2), (2, 2, 2, 2, 2)),
    "convt3d_output_padding": lambda L: _T3(L, (1, 2, 2, 2, 2), (2, 2, 2, 2, 2),
                                            output_padding=1),
    "convt3d_output_padding_strided": lambda L: _T3(L, (1, 2, 2, 2, 2), (2, 2, 2, 2, 2), stride=2,
                                                    output_padding=(0, 0, 2)),
    "convt3d_padding_string": lambda L: _T3(L, (1, 2, 2, 2, 2), (2, 2, 2, 2, 2), padding="same"),
    "convt3d_output_too_small": lambda L: _T3(L, (1, 2, 2, 2, 2), (2, 2, 2, 2, 2), padding=2),
    "convt3d_groups": lambda L: _T3(L, (1, 4, 2, 2, 2), (4, 1, 2, 2, 2), groups=3),
    "convt3d_bias_size": lambda L: L.nn.functional.conv_transpose3d(
        _x(L, 1, 4, 2, 2, 2), _x(L, 4, 1, 2, 2, 2), _x(L, 4), groups=2),
    "maxpool3d_rank": lambda L: _MP(L, (4, 4, 4), 2),
    "maxpool3d_rank_high": lambda L: _MP(L, (1, 1, 2, 4, 4, 4), 2),
    "maxpool3d_kernel_pair": lambda L: _MP(L, (1, 2, 4, 4, 4), (2, 2)),
    "maxpool3d_stride_pair": lambda L: _MP(L, (1, 2, 4, 4, 4), 2, (1, 1)),
    "maxpool3d_padding_pair": lambda L: _MP(L, (1, 2, 4, 4, 4), 2, 1, (1, 1)),
    "maxpool3d_dilation_pair": lambda L: _MP(L, (1, 2, 4, 4, 4), 2, 1, 0, (1, 1)),
    "maxpool3d_kernel_zero": lambda L: _MP(L, (1, 2, 4, 4, 4), 0, 1),
    "maxpool3d_stride_zero": lambda L: _MP(L, (1, 2, 4, 4, 4), 2, 0),
    "maxpool3d_dilation_zero": lambda L: _MP(L, (1, 2, 4, 4, 4), 2, dilation=0),
    "maxpool3d_pad_too_big": lambda L: _MP(L, (1, 2, 4, 4, 4), 2, padding=2),
    "maxpool3d_negative_pad": lambda L: _MP(L, (1, 2, 4, 4, 4), 2, padding=-1),
    "maxpool3d_output_too_small": lambda L: _MP(L, (1, 2, 4, 4, 4), 5),
    "maxpool3d_empty_channels": lambda L: _MP(L, (2, 0, 4, 4, 4), 2),
    "maxpool3d_empty_depth": lambda L: _MP(L, (1, 2, 4, 4, 0), 2),
    "maxpool3d_empty_batch": lambda L: _MP(L, (0, 2, 4, 4, 4), 2),
    "maxpool3d_bool": lambda L: L.nn.functional.max_pool3d(_x(L, 1, 2, 2, 2, 2) > 1, 2),
    "avgpool3d_rank": lambda L: _AP(L, (4, 4, 4), 2),
    "avgpool3d_kernel_pair": lambda L: _AP(L, (1, 2, 4, 4, 4), (2, 2)),
    "avgpool3d_stride_pair": lambda L: _AP(L, (1, 2, 4, 4, 4), 2, (1, 1)),
    "avgpool3d_padding_pair": lambda L: _AP(L, (1, 2, 4, 4, 4), 2, 1, (1, 1)),
    "avgpool3d_kernel_zero": lambda L: _AP(L, (1, 2, 4, 4, 4), 0, 1),
    "avgpool3d_stride_zero": lambda L: _AP(L, (1, 2, 4, 4, 4), 2, 0),
    "avgpool3d_pad_too_big": lambda L: _AP(L, (1, 2, 4, 4, 4), 2, padding=2),
    "avgpool3d_negative_pad": lambda L: _AP(L, (1, 2, 4, 4, 4), 2, padding=-1),
    "avgpool3d_kernel_too_big": lambda L: _AP(L, (1, 2, 4, 4, 4), 5),
    "avgpool3d_kernel_over_input_with_padding": lambda L: _AP(L, (1, 2, 2, 2, 2), 3, 1, 1),
    "maxpool3d_kernel_over_input_with_padding": lambda L: _MP(L, (1, 2, 2, 2, 2), 3, 1, 1).shape,
    "avgpool3d_divisor_zero": lambda L: _AP(L, (1, 2, 4, 4, 4), 2, divisor_override=0),
    "avgpool3d_empty_depth": lambda L: _AP(L, (1, 2, 4, 4, 0), 1),
    "avgpool3d_empty_batch": lambda L: _AP(L, (0, 2, 4, 4, 4), 2),
    "avgpool3d_long": lambda L: L.nn.functional.avg_pool3d(_x(L, 1, 1, 2, 2, 2).long(), 2),
    "adaptive_avg3d_rank": lambda L: _AAP(L, (4, 4, 4), 2),
    "adaptive_avg3d_size_pair": lambda L: _AAP(L, (1, 2, 4, 4, 4), (2, 2)),
    "adaptive_avg3d_negative": lambda L: _AAP(L, (1, 2, 4, 4, 4), -1),
    "adaptive_avg3d_empty_dim": lambda L: _AAP(L, (2, 0, 4, 4, 4), 2),
    "adaptive_avg3d_empty_batch": lambda L: _AAP(L, (0, 2, 4, 4, 4), 2),
    "adaptive_avg3d_long": lambda L: L.nn.functional.adaptive_avg_pool3d(
        _x(L, 1, 1, 2, 2, 2).long(), 2),
    "adaptive_max3d_rank": lambda L: _AMP(L, (4, 4, 4), 2),
    "adaptive_max3d_size_pair": lambda L: _AMP(L, (1, 2, 4, 4, 4), (2, 2)),
    "adaptive_max3d_negative": lambda L: _AMP(L, (1, 2, 4, 4, 4), -1),
    "adaptive_max3d_zero": lambda L: _AMP(L, (1, 2, 4, 4, 4), 0),
    "adaptive_max3d_empty_dim": lambda L: _AMP(L, (2, 0, 4, 4, 4), 2),
    "adaptive_max3d_empty_batch": lambda L: _AMP(L, (0, 2, 4, 4, 4), 2),
    "adaptive_max3d_long": lambda L: L.nn.functional.adaptive_max_pool3d(
        _x(L, 1, 1, 2, 2, 2).long(), 2),
    # torch.convolution: the argument parser's types, then the geometry
    "convolution_int_stride": lambda L: L.convolution(_x(L, 2, 3, 5), _x(L, 4, 3, 2), None, 1,
                                                      [0], [1], False, [0], 1),
    "convolution_float_element": lambda L: L.convolution(_x(L, 2, 3, 5), _x(L, 4, 3, 2), None,
                                                         [1], [0.5], [1], False, [0], 1),
    "convolution_padding_string": lambda L: L.convolution(_x(L, 2, 3, 5), _x(L, 4, 3, 2), None,
                                                          [1], "same", [1], False, [0], 1),
    "convolution_transposed_int": lambda L: L.convolution(_x(L, 2, 3, 5), _x(L, 4, 3, 2), None,
                                                          [1], [0], [1], 1, [0], 1),
    "convolution_groups_float": lambda L: L.convolution(_x(L, 2, 3, 5), _x(L, 4, 3, 2), None,
                                                        [1], [0], [1], False, [0], 1.0),
    "convolution_missing_groups": lambda L: L.convolution(_x(L, 2, 3, 5), _x(L, 4, 3, 2), None,
                                                          [1], [0], [1], False, [0]),
    "convolution_weight_rank": lambda L: L.convolution(_x(L, 2, 3), _x(L, 3, 3), None, [1], [0],
                                                       [1], False, [0], 1),
    "convolution_unbatched": lambda L: L.convolution(_x(L, 3, 5), _x(L, 4, 3, 2), None, [1], [0],
                                                     [1], False, [0], 1),
    "convolution_stride_length": lambda L: L.convolution(_x(L, 2, 3, 5), _x(L, 4, 3, 2), None,
                                                         [1, 1], [0], [1], False, [0], 1),
    "convolution_empty_dilation": lambda L: L.convolution(_x(L, 2, 3, 5), _x(L, 4, 3, 2), None,
                                                          [1], [0], [], False, [0], 1),
    "convolution_empty_output_padding": lambda L: L.convolution(
        _x(L, 2, 3, 5), _x(L, 4, 3, 2), None, [1], [0], [1], False, [], 1),
    "convolution_transposed_channels": lambda L: L.convolution(
        _x(L, 2, 3, 5), _x(L, 4, 3, 2), None, [1], [0], [1], True, [0], 1),
    "convolution_output_padding": lambda L: L.convolution(
        _x(L, 2, 3, 4, 4), _x(L, 3, 3, 2, 2), None, [1], [1], [1], True, [1], 1),
    "convolution_negative_padding": lambda L: L.convolution(
        _x(L, 2, 3, 4, 4), _x(L, 3, 3, 2, 2), None, [1], [-1], [1], False, [0], 1),
    "convolution_missing_two": lambda L: L.convolution(_x(L, 2, 3, 5), _x(L, 4, 3, 2), None,
                                                       [1], [0], [1], False),
    # conv_tbc: torch's checks, in its order
    "conv_tbc_input_rank": lambda L: L.conv_tbc(_x(L, 2, 3), _x(L, 2, 3, 4), _x(L, 4)),
    "conv_tbc_weight_rank": lambda L: L.conv_tbc(_x(L, 5, 2, 3), _x(L, 3, 4), _x(L, 4)),
    "conv_tbc_bias_rank": lambda L: L.conv_tbc(_x(L, 5, 2, 3), _x(L, 2, 3, 4), _x(L, 1, 4)),
    "conv_tbc_bias_size": lambda L: L.conv_tbc(_x(L, 5, 2, 3), _x(L, 2, 3, 4), _x(L, 2)),
    "conv_tbc_channels": lambda L: L.conv_tbc(_x(L, 5, 2, 3), _x(L, 2, 2, 4), _x(L, 4)),
    "conv_tbc_kernel_too_long": lambda L: L.conv_tbc(_x(L, 5, 2, 3), _x(L, 7, 3, 4), _x(L, 4)),
    "conv_tbc_crop_too_far": lambda L: L.conv_tbc(_x(L, 5, 2, 3), _x(L, 2, 3, 4), _x(L, 4), -3),
    "conv_tbc_empty_output": lambda L: L.conv_tbc(_x(L, 5, 2, 3), _x(L, 6, 3, 4), _x(L, 4)),
    "conv_tbc_missing_bias": lambda L: L.conv_tbc(_x(L, 5, 2, 3), _x(L, 2, 3, 4)),
    "conv_tbc_dtypes": lambda L: L.conv_tbc(_x(L, 5, 2, 3).float(), _x(L, 2, 3, 4), _x(L, 4)),
    "conv_tbc_weight_dtype": lambda L: L.conv_tbc(_x(L, 5, 2, 3), _x(L, 2, 3, 4).float(),
                                                  _x(L, 4)),
    "conv_tbc_bias_none": lambda L: L.conv_tbc(_x(L, 5, 2, 3), _x(L, 2, 3, 4), None),
    "conv_tbc_long": lambda L: L.conv_tbc(_x(L, 5, 2, 3).long(), _x(L, 2, 3, 4).long(),
                                          _x(L, 4).long(), 1),
    "conv_tbc_no_method": lambda L: _x(L, 5, 2, 3).conv_tbc,
}


@pytest.mark.parametrize("name", sorted(MISUSE))
def test_misuse(name):
    _check(MISUSE[name])

"""nn.functional's activations, losses and normalisations beyond the op table
(tests/_opcases_nn_functional.py): every option and reduction against torch, batch
norm's running statistics, derivative conventions at kinks, the erf the gelu
uses, and misuse (error types, messages and warnings) side by side with torch.
"""
import math
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops import _special

from test_misuse import _check, needs_torch, torch

TF = torch.nn.functional if torch is not None else None


def _pair(a, dtype="float64", grad=True):
    """The same values as a chainrule and a torch tensor."""
    a = np.asarray(a, dtype=np.float64)
    return (cr.tensor(a, dtype=getattr(cr, dtype), requires_grad=grad),
            torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=grad))


def _close(c, t, rtol=1e-10, atol=1e-12):
    c = np.asarray(c.detach().numpy(), dtype=np.float64)
    t = np.asarray(t.detach().numpy(), dtype=np.float64)
    assert c.shape == t.shape
    np.testing.assert_allclose(c, t, rtol=rtol, atol=atol, equal_nan=True)


def _same_value_and_grads(f_cr, f_t, arrays, rtol=1e-10, atol=1e-12):
    """f(lib, *leaves): value, dtype, grad_fn name and gradients agree with torch's."""
    pairs = [_pair(a) for a in arrays]
    y_c = f_cr(*[p[0] for p in pairs])
    y_t = f_t(*[p[1] for p in pairs])
    assert str(y_c.dtype) == str(y_t.dtype)
    assert type(y_c.grad_fn).__name__ == type(y_t.grad_fn).__name__
    _close(y_c, y_t, rtol, atol)
    v = np.random.default_rng(0).standard_normal(tuple(y_t.shape))
    g_c = cr.autograd.grad(y_c, [p[0] for p in pairs], cr.tensor(v, dtype=cr.float64),
                           allow_unused=True)
    g_t = torch.autograd.grad(y_t, [p[1] for p in pairs], torch.tensor(v), allow_unused=True)
    for a, b in zip(g_c, g_t):
        assert (a is None) == (b is None)
        if a is not None:
            _close(a, b, rtol, atol)


RNG = np.random.default_rng(7)


# --- the erf behind gelu ------------------------------------------------------------------------
def test_erf_matches_math_erf_to_a_few_ulp():
    x = np.concatenate([np.linspace(-7, 7, 4001), [0.0, 1e-300, -1e-8, 1e-5, 0.125, 2.0, -2.0, 30.0],
                        np.geomspace(1e-12, 6.5, 500)])
    got = _special.erf(x, xp=np)
    want = np.array([math.erf(v) for v in x])
    assert np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300)) < 1e-15   # relative, tiny x too
    got_c = _special.erfc(x, xp=np)
    want_c = np.array([math.erfc(v) for v in x])
    assert np.max(np.abs(got_c - want_c) / np.maximum(want_c, 1e-300)) < 1e-14


def test_erf_special_values_and_float32():
    x = np.array([np.inf, -np.inf, np.nan, -0.0])
    got = _special.erf(x, xp=np)
    assert got[0] == 1.0 and got[1] == -1.0 and np.isnan(got[2]) and got[3] == 0.0
    assert np.signbit(got[3])                       # erf(-0.) is -0.
    assert list(_special.erfc(x, xp=np)[:2]) == [0.0, 2.0]
    for dt, tol in ((np.float32, 3e-7), (np.float16, 1e-3)):
        xs = np.linspace(-4, 4, 101).astype(dt)
        want = np.array([math.erf(v) for v in xs.astype(np.float64)])
        for f, ref in ((_special.erf, want), (_special.erfc, 1 - want)):
            got = f(xs, xp=np)
            assert got.dtype == dt
            assert np.max(np.abs(got.astype(np.float64) - ref)) < tol


# --- activations: options and values against torch ------------------------------------------------
ACTIVATION_CALLS = [
    ("leaky_relu", dict(negative_slope=0.05)),
    ("elu", dict(alpha=2.5)),
    ("celu", dict(alpha=0.5)),     # (torch's celu gradient rounds 1/alpha to float32)
    ("selu", {}),
    ("gelu", {}),
    ("gelu", dict(approximate="tanh")),
    ("silu", {}),
    ("mish", {}),
    ("softplus", dict(beta=0.5, threshold=3.0)),
    ("softplus", dict(beta=3.0)),
    ("hardtanh", dict(min_val=-2.0, max_val=0.5)),
    ("relu6", {}),
    ("hardsigmoid", {}),
    ("hardswish", {}),
    ("logsigmoid", {}),
    ("softsign", {}),
    ("tanhshrink", {}),
    ("relu", {}),
    ("sigmoid", {}),
    ("tanh", {}),
]


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", ACTIVATION_CALLS, ids=[f"{n}-{sorted(k)}" for n, k in ACTIVATION_CALLS])
def test_activation_over_a_wide_range(name, kw, dtype):
    """Values and gradients over [-30, 30] (where exp overflows in float32 for
    the untaken branch), in both float dtypes."""
    a = np.concatenate([np.linspace(-30, 30, 61), [-3.0, 3.0, 6.0, 0.5]])
    (xc, xt) = _pair(a, dtype)
    yc, yt = getattr(cr.nn.functional, name)(xc, **kw), getattr(TF, name)(xt, **kw)
    assert str(yc.dtype) == str(yt.dtype)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    _close(yc, yt, **tol)
    (gc,), (gt,) = cr.autograd.grad(yc.sum(), [xc]), torch.autograd.grad(yt.sum(), [xt])
    _close(gc, gt, **tol)


@needs_torch
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family_with_dim_and_dtype(dim):
    a = RNG.standard_normal((3, 4))
    for name in ("softmax", "log_softmax"):
        xc, xt = _pair(a, "float32")
        yc = getattr(cr.nn.functional, name)(xc, dim=dim, dtype=cr.float64)
        yt = getattr(TF, name)(xt, dim=dim, dtype=torch.float64)
        assert str(yc.dtype) == str(yt.dtype) == "torch.float64"
        _close(yc, yt, 1e-6, 1e-7)


# Derivatives at kinks are conventions: compare with torch exactly there.
KINKS = [
    ("leaky_relu", [0.0, -1.0, 1.0], {}),
    ("hardtanh", [-1.0, 1.0, 0.0, 2.0], {}),
    ("relu6", [0.0, 6.0, 3.0], {}),
    ("hardsigmoid", [-3.0, 3.0, 0.0], {}),
    ("hardswish", [-3.0, 3.0, 0.0], {}),
    ("elu", [0.0], {}),
    ("celu", [0.0], dict(alpha=2.0)),
    ("softplus", [20.0, 10.0], dict(beta=2.0)),
]


@needs_torch
@pytest.mark.parametrize("name,values,kw", KINKS, ids=[k[0] for k in KINKS])
def test_derivative_conventions_at_kinks(name, values, kw):
    xc, xt = _pair(values)
    (gc,) = cr.autograd.grad(getattr(cr.nn.functional, name)(xc, **kw).sum(), [xc])
    (gt,) = torch.autograd.grad(getattr(TF, name)(xt, **kw).sum(), [xt])
    _close(gc, gt, 0, 2e-16)          # (softplus: 0.5 tanh(x/2) + 0.5 for e^x / (e^x + 1))


@needs_torch
def test_threshold_and_prelu_at_their_kinks():
    xc, xt = _pair([0.5, 0.4, 0.6, 0.0])
    _close(cr.autograd.grad(cr.nn.functional.threshold(xc, 0.5, -1.0).sum(), [xc])[0],
           torch.autograd.grad(TF.threshold(xt, 0.5, -1.0).sum(), [xt])[0], 0, 0)
    xc, xt = _pair([[0.0, 1.0], [-1.0, 0.0]])
    wc, wt = _pair([0.25, 0.5])
    gc = cr.autograd.grad(cr.nn.functional.prelu(xc, wc).sum(), [xc, wc])
    gt = torch.autograd.grad(TF.prelu(xt, wt).sum(), [xt, wt])
    for a, b in zip(gc, gt):
        _close(a, b, 0, 0)


@needs_torch
def test_inplace_activations_change_their_input():
    for name, kw in [("leaky_relu", {}), ("elu", {}), ("hardtanh", {}), ("relu6", {}),
                     ("silu", {}), ("hardswish", {}), ("threshold", dict(threshold=0.1, value=5.0))]:
        a = RNG.standard_normal(5)
        xc, xt = _pair(a)
        yc, yt = xc * 1, xt * 1
        outc = getattr(cr.nn.functional, name)(yc, inplace=True, **kw)
        outt = getattr(TF, name)(yt, inplace=True, **kw)
        assert outc is yc and outt is yt
        assert yc.grad_fn.name() == yt.grad_fn.name()
        assert yc._version == yt._version
        _close(yc, yt)
        _close(cr.autograd.grad(yc.sum(), [xc])[0], torch.autograd.grad(yt.sum(), [xt])[0])


def test_rrelu_in_training_draws_a_slope_per_negative_element():
    x = cr.tensor([-1.0, -2.0, 3.0, -4.0] * 50, requires_grad=True)
    y = cr.nn.functional.rrelu(x, 0.1, 0.3, training=True)
    assert y.grad_fn.name() == "RreluWithNoiseBackward0"
    neg = x.detach().numpy() < 0
    slope = y.detach().numpy()[neg] / x.detach().numpy()[neg]
    assert np.all((slope >= 0.1) & (slope <= 0.3)) and np.std(slope) > 0.01
    assert np.array_equal(y.detach().numpy()[~neg], x.detach().numpy()[~neg])
    (g,) = cr.autograd.grad(y.sum(), [x])
    assert np.allclose(g.numpy()[neg], slope) and np.all(g.numpy()[~neg] == 1)


# --- losses: every reduction -------------------------------------------------------------------
POINTWISE_LOSSES = [
    ("mse_loss", {}),
    ("l1_loss", {}),
    ("smooth_l1_loss", dict(beta=0.7)),
    ("huber_loss", dict(delta=0.4)),
    ("soft_margin_loss", {}),
]


@needs_torch
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name,kw", POINTWISE_LOSSES, ids=[n for n, _ in POINTWISE_LOSSES])
def test_pointwise_losses_each_reduction(name, kw, reduction):
    x, t = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 3, 4))
    if name == "soft_margin_loss":
        t = np.sign(t)
        _same_value_and_grads(lambda a: getattr(cr.nn.functional, name)(
            a, cr.tensor(t), reduction=reduction, **kw),
            lambda a: getattr(TF, name)(a, torch.tensor(t), reduction=reduction, **kw), [x])
        return
    _same_value_and_grads(lambda a, b: getattr(cr.nn.functional, name)(a, b, reduction=reduction, **kw),
                          lambda a, b: getattr(TF, name)(a, b, reduction=reduction, **kw), [x, t])


@needs_torch
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_elementwise_weight_of_regression_losses(name, reduction):
    x, t, w = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4)), RNG.uniform(0, 2, (3, 4))
    _same_value_and_grads(
        lambda a, b: getattr(cr.nn.functional, name)(a, b, reduction=reduction, weight=cr.tensor(w)),
        lambda a, b: getattr(TF, name)(a, b, reduction=reduction, weight=torch.tensor(w)), [x, t])


@needs_torch
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_bce_and_bce_with_logits_each_reduction(reduction):
    p, t = RNG.uniform(0.05, 0.95, (3, 4)), RNG.uniform(0, 1, (3, 4))
    w, pw = RNG.uniform(0, 2, (4,)), RNG.uniform(0.5, 3, (4,))
    _same_value_and_grads(
        lambda a, b: cr.nn.functional.binary_cross_entropy(a, b, weight=cr.tensor(w), reduction=reduction),
        lambda a, b: TF.binary_cross_entropy(a, b, weight=torch.tensor(w), reduction=reduction), [p, t])
    x = RNG.standard_normal((3, 4)) * 4
    _same_value_and_grads(
        lambda a, b: cr.nn.functional.binary_cross_entropy_with_logits(
            a, b, weight=cr.tensor(w), pos_weight=cr.tensor(pw), reduction=reduction),
        lambda a, b: TF.binary_cross_entropy_with_logits(
            a, b, weight=torch.tensor(w), pos_weight=torch.tensor(pw), reduction=reduction), [x, t])


@needs_torch
def test_bce_clamps_its_logs_at_minus_100():
    """Inputs exactly 0 and 1: PyTorch's log clamp gives finite losses and gradients."""
    p, t = [0.0, 1.0, 0.0, 1.0, 0.5], [0.0, 1.0, 1.0, 0.0, 0.3]
    for reduction in ("none", "sum"):
        _same_value_and_grads(
            lambda a: cr.nn.functional.binary_cross_entropy(a, cr.tensor(t, dtype=cr.float64),
                                                            reduction=reduction),
            lambda a: TF.binary_cross_entropy(a, torch.tensor(t, dtype=torch.float64),
                                              reduction=reduction), [p], rtol=1e-8, atol=1e-6)


@needs_torch
def test_bce_with_logits_is_stable_for_large_logits():
    x, t = [-800.0, -50.0, 50.0, 800.0], [1.0, 0.0, 1.0, 0.0]
    _same_value_and_grads(
        lambda a: cr.nn.functional.binary_cross_entropy_with_logits(a, cr.tensor(t, dtype=cr.float64),
                                                                    reduction="none"),
        lambda a: TF.binary_cross_entropy_with_logits(a, torch.tensor(t, dtype=torch.float64),
                                                      reduction="none"), [x])


CE_SHAPES = [((5, 4), (5,)), ((4,), ()), ((2, 3, 4), (2, 4)), ((2, 3, 2, 2), (2, 2, 2))]


@needs_torch
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [-100, 1])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("shapes", CE_SHAPES, ids=[str(s[0]) for s in CE_SHAPES])
def test_cross_entropy_with_class_indices(shapes, reduction, ignore, weighted, smoothing):
    xs, ts = shapes
    c = xs[0] if len(xs) == 1 else xs[1]
    x = RNG.standard_normal(xs)
    t = RNG.integers(0, c, ts)
    w = RNG.uniform(0.2, 2.0, c) if weighted else None

    def call(F, L, a):
        return F.cross_entropy(a, L.tensor(t), weight=None if w is None else L.tensor(w),
                               ignore_index=ignore, reduction=reduction, label_smoothing=smoothing)
    _same_value_and_grads(lambda a: call(cr.nn.functional, cr, a), lambda a: call(TF, torch, a), [x])


@needs_torch
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shapes", [((4,), 1), ((3, 4), [1, 1, 1])], ids=["1d", "2d"])
def test_cross_entropy_smoothing_every_target_ignored(shapes, weighted):
    """label_smoothing with every target ignored under 'mean': the loss is
    NaN (0 / 0) and the gradient 0, as PyTorch's masked_fill makes it, not
    NaN (inf * 0).  (test_cross_entropy_with_class_indices meets this only
    when its random targets happen to be all ignored.)"""
    xs, t = shapes
    x = RNG.standard_normal(xs)
    w = RNG.uniform(0.2, 2.0, 4) if weighted else None

    def call(F, L, a):
        return F.cross_entropy(a, L.tensor(t), weight=None if w is None else L.tensor(w),
                               ignore_index=1, label_smoothing=0.15)
    _same_value_and_grads(lambda a: call(cr.nn.functional, cr, a), lambda a: call(TF, torch, a), [x])


@needs_torch
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 2)])
def test_cross_entropy_with_class_probabilities(shape, reduction, weighted, smoothing):
    x = RNG.standard_normal(shape)
    p = RNG.uniform(0, 1, shape)
    c = shape[0] if len(shape) == 1 else shape[1]
    w = RNG.uniform(0.2, 2.0, c) if weighted else None

    def call(F, L, a, b):
        return F.cross_entropy(a, b, weight=None if w is None else L.tensor(w),
                               reduction=reduction, label_smoothing=smoothing)
    _same_value_and_grads(lambda a, b: call(cr.nn.functional, cr, a, b),
                          lambda a, b: call(TF, torch, a, b), [x, p])


@needs_torch
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_nll_loss_weight_and_ignore_index(reduction):
    x = RNG.standard_normal((6, 3))
    t = [0, 2, 1, 2, 2, 0]
    w = [0.5, 2.0, 1.5]
    _same_value_and_grads(
        lambda a: cr.nn.functional.nll_loss(a, cr.tensor(t), cr.tensor(w, dtype=cr.float64),
                                            ignore_index=2, reduction=reduction),
        lambda a: TF.nll_loss(a, torch.tensor(t), torch.tensor(w, dtype=torch.float64),
                              ignore_index=2, reduction=reduction), [x])


@needs_torch
def test_nll_loss_uint8_target_and_all_ignored():
    x = RNG.standard_normal((3, 4))
    _same_value_and_grads(lambda a: cr.nn.functional.nll_loss(a, cr.tensor([1, 3, 0], dtype=cr.uint8)),
                          lambda a: TF.nll_loss(a, torch.tensor([1, 3, 0], dtype=torch.uint8)), [x])
    xc, xt = _pair(x)
    yc = cr.nn.functional.nll_loss(xc, cr.tensor([-100, -100, -100]))
    yt = TF.nll_loss(xt, torch.tensor([-100, -100, -100]))
    assert math.isnan(yc.item()) and math.isnan(yt.item())
    assert yc.grad_fn.name() == yt.grad_fn.name()


@needs_torch
@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_each_reduction(reduction, log_target):
    x = np.log(RNG.uniform(0.1, 1, (3, 4)))
    t = RNG.uniform(0, 1, (3, 4))
    if log_target:
        t = np.log(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # ('mean' warns in both: test_misuse_nn compares)
        _same_value_and_grads(
            lambda a, b: cr.nn.functional.kl_div(a, b, reduction=reduction, log_target=log_target),
            lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target), [x, t])


@needs_torch
def test_cosine_similarity_and_pairwise_distance_options():
    x, y = RNG.standard_normal((3, 5)), RNG.standard_normal((3, 5))
    for dim, eps in ((0, 1e-8), (1, 0.5)):
        _same_value_and_grads(lambda a, b: cr.nn.functional.cosine_similarity(a, b, dim, eps),
                              lambda a, b: TF.cosine_similarity(a, b, dim, eps), [x, y])
    for p in (1.0, 2.0, 3.0, float("inf")):
        _same_value_and_grads(lambda a, b: cr.nn.functional.pairwise_distance(a, b, p, 1e-3),
                              lambda a, b: TF.pairwise_distance(a, b, p, 1e-3), [x, y])
    # a zero vector: the clamped norm keeps the result finite
    z = np.zeros((2, 5))
    _same_value_and_grads(lambda a, b: cr.nn.functional.cosine_similarity(a, b),
                          lambda a, b: TF.cosine_similarity(a, b), [z, y[:2]])


# --- normalisations ----------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 5), (2, 3, 2, 2)])
def test_batch_norm_running_statistics_over_steps(shape):
    c = shape[1]
    rm_c, rv_c = cr.zeros(c, dtype=cr.float64), cr.ones(c, dtype=cr.float64)
    rm_t, rv_t = torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)
    w, b = RNG.standard_normal(c), RNG.standard_normal(c)
    for step in range(4):
        x = RNG.standard_normal(shape) * (step + 1) + step
        training = step < 3
        _same_value_and_grads(
            lambda a, ww, bb: cr.nn.functional.batch_norm(a, rm_c, rv_c, ww, bb, training, 0.2, 1e-4),
            lambda a, ww, bb: TF.batch_norm(a, rm_t, rv_t, ww, bb, training, 0.2, 1e-4), [x, w, b])
        _close(rm_c, rm_t)
        _close(rv_c, rv_t)
        assert rm_c._version == rm_t._version
    assert not rm_c.requires_grad


@needs_torch
def test_instance_norm_running_statistics():
    rm_c, rv_c = cr.zeros(3, dtype=cr.float64), cr.ones(3, dtype=cr.float64)
    rm_t, rv_t = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    x = RNG.standard_normal((2, 3, 4))
    _same_value_and_grads(lambda a: cr.nn.functional.instance_norm(a, rm_c, rv_c, momentum=0.3),
                          lambda a: TF.instance_norm(a, rm_t, rv_t, momentum=0.3), [x])
    _close(rm_c, rm_t)
    _close(rv_c, rv_t)
    _same_value_and_grads(lambda a: cr.nn.functional.instance_norm(a, rm_c, rv_c, use_input_stats=False),
                          lambda a: TF.instance_norm(a, rm_t, rv_t, use_input_stats=False), [x])


@needs_torch
def test_layer_and_group_norm_float32_and_eps():
    x = RNG.standard_normal((2, 4, 3)) * 3 + 1
    for dtype in ("float32", "float64"):
        xc, xt = _pair(x, dtype)
        tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else {}
        _close(cr.nn.functional.layer_norm(xc, (4, 3), eps=0.1), TF.layer_norm(xt, (4, 3), eps=0.1), **tol)
        _close(cr.nn.functional.group_norm(xc, 2, eps=0.1), TF.group_norm(xt, 2, eps=0.1), **tol)
        _close(cr.nn.functional.normalize(xc, 3.0, 2), TF.normalize(xt, 3.0, 2), **tol)


# --- misuse, side by side with torch ---------------------------------------------------------
def _x(L, *shape, dtype=None):
    return L.ones(*shape, dtype=dtype or L.float32) * 0.5


def _long(L, values):
    return L.tensor(values, dtype=L.int64)


MISUSE = {
    # activations
    **{f"{n}_long": (lambda L, n=n: getattr(L.nn.functional, n)(L.tensor([1, 2])))
       for n in ("leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus",
                 "hardsigmoid", "hardswish", "logsigmoid", "glu")},
    "hardtanh_long": lambda L: L.nn.functional.hardtanh(L.tensor([-3, 0, 3])),
    "relu6_long": lambda L: L.nn.functional.relu6(L.tensor([-3, 0, 9])),
    "threshold_long": lambda L: L.nn.functional.threshold(L.tensor([1, 2]), 1, 7),
    "hardtanh_bool": lambda L: L.nn.functional.hardtanh(L.tensor([True])),
    "prelu_long": lambda L: L.nn.functional.prelu(L.tensor([1, 2]), L.tensor([1])),
    "glu_odd": lambda L: L.nn.functional.glu(L.ones(3)),
    "glu_odd_dim": lambda L: L.nn.functional.glu(L.ones(4, 3), 1),
    "glu_0d": lambda L: L.nn.functional.glu(L.tensor(1.0)),
    "glu_dim_out_of_range": lambda L: L.nn.functional.glu(L.ones(4, 2), 2),
    "gelu_bad_approximate": lambda L: L.nn.functional.gelu(L.ones(2), approximate="foo"),
    "prelu_channels": lambda L: L.nn.functional.prelu(L.ones(2, 3), L.ones(2)),
    "prelu_1d_channels": lambda L: L.nn.functional.prelu(L.ones(3), L.ones(3)),
    "hardtanh_min_above_max": lambda L: L.nn.functional.hardtanh(L.ones(2), 2.0, 1.0),
    "leaky_relu_inplace_leaf": lambda L: L.nn.functional.leaky_relu(L.ones(2, requires_grad=True),
                                                                    inplace=True),
    "elu_inplace_leaf": lambda L: L.nn.functional.elu(L.ones(2, requires_grad=True), inplace=True),
    "celu_zero_alpha": lambda L: L.nn.functional.celu(L.ones(2), alpha=0.0),
    "relu6_bool": lambda L: L.nn.functional.relu6(L.tensor([True])),
    "float16_activations": lambda L: [str(getattr(L.nn.functional, n)(L.ones(2, dtype=L.float16)).dtype)
                                      for n in ("elu", "gelu", "silu", "softplus", "hardswish")],
    "hardshrink_long": lambda L: L.nn.functional.hardshrink(L.tensor([1, 2])),
    "softshrink_long": lambda L: L.nn.functional.softshrink(L.tensor([1, 2])),
    "softshrink_negative_lambda": lambda L: L.nn.functional.softshrink(_x(L, 2), -1.0),
    "softshrink_negative_lambda_double": lambda L: L.nn.functional.softshrink(_x(L, 2, dtype=L.float64), -0.5),
    "rrelu_long": lambda L: L.nn.functional.rrelu(L.tensor([1, 2])),
    "rrelu_training_long": lambda L: L.nn.functional.rrelu(L.tensor([1, 2]), training=True),
    "softsign_long": lambda L: L.nn.functional.softsign(L.tensor([1, 2])),
    # losses: reductions, shapes, dtypes
    **{f"{n}_bad_reduction": (lambda L, n=n: getattr(L.nn.functional, n)(_x(L, 3), _x(L, 3),
                                                                         reduction="foo"))
       for n in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss",
                 "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div")},
    "nll_bad_reduction": lambda L: L.nn.functional.nll_loss(_x(L, 2, 3), _long(L, [0, 1]),
                                                            reduction="avg"),
    "ce_bad_reduction": lambda L: L.nn.functional.cross_entropy(_x(L, 2, 3), _long(L, [0, 1]),
                                                                reduction="avg"),
    "mse_broadcast_warns": lambda L: tuple(L.nn.functional.mse_loss(_x(L, 3, 4), _x(L, 4)).shape),
    "l1_broadcast_warns": lambda L: tuple(L.nn.functional.l1_loss(_x(L, 3, 4), _x(L, 4)).shape),
    "huber_broadcast_warns": lambda L: tuple(L.nn.functional.huber_loss(_x(L, 3, 4), _x(L, 1, 4)).shape),
    "mse_shape_mismatch": lambda L: L.nn.functional.mse_loss(_x(L, 3, 4), _x(L, 3)),
    "mse_long": lambda L: L.nn.functional.mse_loss(L.tensor([1, 2]), L.tensor([1, 2])),
    "mse_mixed_dtypes": lambda L: L.nn.functional.mse_loss(_x(L, 2), _x(L, 2, dtype=L.float64)).dtype,
    "mse_weight_shape": lambda L: L.nn.functional.mse_loss(_x(L, 2), _x(L, 2), weight=_x(L, 3)),
    "size_average_warns": lambda L: tuple(L.nn.functional.mse_loss(_x(L, 2, 2), _x(L, 2, 2),
                                                                   size_average=False).shape),
    "reduce_false_warns": lambda L: tuple(L.nn.functional.l1_loss(_x(L, 2, 2), _x(L, 2, 2),
                                                                  reduce=False).shape),
    "smooth_l1_negative_beta": lambda L: L.nn.functional.smooth_l1_loss(_x(L, 2), _x(L, 2), beta=-1.0),
    "huber_zero_delta": lambda L: L.nn.functional.huber_loss(_x(L, 2), _x(L, 2), delta=0.0),
    "soft_margin_target_requires_grad": lambda L: L.nn.functional.soft_margin_loss(
        _x(L, 2), L.ones(2, requires_grad=True)),
    "bce_out_of_range": lambda L: L.nn.functional.binary_cross_entropy(L.tensor([1.5]), L.tensor([1.0])),
    "bce_negative": lambda L: L.nn.functional.binary_cross_entropy(L.tensor([-0.5]), L.tensor([1.0])),
    "bce_shape": lambda L: L.nn.functional.binary_cross_entropy(_x(L, 3, 1), _x(L, 3)),
    "bce_dtype": lambda L: L.nn.functional.binary_cross_entropy(_x(L, 3), _x(L, 3, dtype=L.float64)),
    "bce_long_target": lambda L: L.nn.functional.binary_cross_entropy(_x(L, 3), L.ones(3, dtype=L.int64)),
    "bce_weight_requires_grad": lambda L: L.nn.functional.binary_cross_entropy(
        _x(L, 3), _x(L, 3), weight=L.ones(3, requires_grad=True)),
    "bce_logits_shape": lambda L: L.nn.functional.binary_cross_entropy_with_logits(_x(L, 3, 1), _x(L, 3)),
    "bce_logits_weight_requires_grad": lambda L: L.nn.functional.binary_cross_entropy_with_logits(
        _x(L, 3), _x(L, 3), weight=L.ones(3, requires_grad=True)),
    "bce_logits_pos_weight_requires_grad": lambda L: L.nn.functional.binary_cross_entropy_with_logits(
        _x(L, 3), _x(L, 3), pos_weight=L.ones(3, requires_grad=True)),
    "bce_logits_mixed_dtypes": lambda L: L.nn.functional.binary_cross_entropy_with_logits(
        _x(L, 3), _x(L, 3, dtype=L.float64)).dtype,
    "kl_div_mean_warns": lambda L: tuple(L.nn.functional.kl_div(_x(L, 2, 2), _x(L, 2, 2)).shape),
    "kl_div_batchmean_silent": lambda L: tuple(L.nn.functional.kl_div(_x(L, 2, 2), _x(L, 2, 2),
                                                                      reduction="batchmean").shape),
    # nll_loss / cross_entropy
    "nll_target_out_of_bounds": lambda L: L.nn.functional.nll_loss(_x(L, 3, 4), _long(L, [0, 5, 1])),
    "nll_target_negative": lambda L: L.nn.functional.nll_loss(_x(L, 3, 4), _long(L, [0, -1, 1])),
    "nll_float_target": lambda L: L.nn.functional.nll_loss(_x(L, 3, 4), L.tensor([0.0, 1.0, 1.0])),
    "nll_int32_target": lambda L: L.nn.functional.nll_loss(_x(L, 3, 4), L.tensor([0, 1, 1], dtype=L.int32)),
    "nll_batch_mismatch": lambda L: L.nn.functional.nll_loss(_x(L, 3, 4), _long(L, [0, 1])),
    "nll_2d_target": lambda L: L.nn.functional.nll_loss(_x(L, 3, 4), _long(L, [[0], [1], [1]])),
    "nll_weight_size": lambda L: L.nn.functional.nll_loss(_x(L, 3, 4), _long(L, [0, 1, 2]),
                                                          weight=L.ones(3)),
    "nll_weight_dtype": lambda L: L.nn.functional.nll_loss(_x(L, 3, 4), _long(L, [0, 1, 2]),
                                                           weight=L.ones(4, dtype=L.float64)),
    "nll_spatial_target_shape": lambda L: L.nn.functional.nll_loss(_x(L, 2, 3, 4),
                                                                   L.zeros(2, 5, dtype=L.int64)),
    "nll_1d_input_1d_target": lambda L: L.nn.functional.nll_loss(L.tensor([0.5, -1.0, 2.0]), _long(L, [1]),
                                                                 reduction="none"),
    "nll_1d_input_long_target": lambda L: L.nn.functional.nll_loss(_x(L, 3), _long(L, [1, 2])),
    "ce_1d_input_1d_target": lambda L: L.nn.functional.cross_entropy(L.tensor([0.5, -1.0, 2.0]), _long(L, [2])),
    "nll_0d_input": lambda L: L.nn.functional.nll_loss(L.tensor(0.5), _long(L, 1)),
    "nll_long_input": lambda L: L.nn.functional.nll_loss(L.tensor([[1, 2]]), _long(L, [0])),
    "ce_target_out_of_bounds": lambda L: L.nn.functional.cross_entropy(_x(L, 3, 4), _long(L, [0, 4, 1])),
    "ce_label_smoothing_range": lambda L: L.nn.functional.cross_entropy(_x(L, 3, 4), _long(L, [0, 1, 1]),
                                                                        label_smoothing=1.5),
    "ce_multi_target": lambda L: L.nn.functional.cross_entropy(_x(L, 3, 4), L.rand(3, 5)),
    "ce_probabilities_ignore_index": lambda L: L.nn.functional.cross_entropy(_x(L, 3, 4), _x(L, 3, 4),
                                                                             ignore_index=1),
    "ce_probabilities_long": lambda L: L.nn.functional.cross_entropy(_x(L, 3, 4),
                                                                     L.ones(3, 4, dtype=L.int64)),
    "ce_long_input": lambda L: L.nn.functional.cross_entropy(L.tensor([[1, 2]]), _long(L, [0])),
    "ce_float_indices": lambda L: L.nn.functional.cross_entropy(_x(L, 3, 4), L.tensor([0.0, 1.0, 2.0])),
    # normalisations
    "layer_norm_shape": lambda L: L.nn.functional.layer_norm(_x(L, 3, 4), (5,)),
    "layer_norm_shape_2d": lambda L: L.nn.functional.layer_norm(_x(L, 3, 4), (3, 5)),
    "layer_norm_weight_shape": lambda L: L.nn.functional.layer_norm(_x(L, 3, 4), (4,), L.ones(3)),
    "layer_norm_bias_shape": lambda L: L.nn.functional.layer_norm(_x(L, 3, 4), (4,), None, L.ones(3)),
    "layer_norm_long": lambda L: L.nn.functional.layer_norm(L.ones(3, 4, dtype=L.int64), (4,)),
    "layer_norm_int_shape": lambda L: L.nn.functional.layer_norm(_x(L, 3, 4), 4),
    "layer_norm_empty_shape": lambda L: L.nn.functional.layer_norm(L.tensor(1.0), ()),
    "batch_norm_eval_without_stats": lambda L: L.nn.functional.batch_norm(_x(L, 3, 4), None, None),
    "batch_norm_one_value_per_channel": lambda L: L.nn.functional.batch_norm(_x(L, 1, 4), None, None,
                                                                             training=True),
    "batch_norm_running_mean_size": lambda L: L.nn.functional.batch_norm(_x(L, 3, 4), L.zeros(3),
                                                                         L.ones(3)),
    "batch_norm_weight_size": lambda L: L.nn.functional.batch_norm(_x(L, 3, 4), L.zeros(4), L.ones(4),
                                                                   L.ones(3)),
    "batch_norm_1d": lambda L: L.nn.functional.batch_norm(_x(L, 4), L.zeros(4), L.ones(4)),
    "batch_norm_long": lambda L: L.nn.functional.batch_norm(L.ones(3, 4, dtype=L.int64), L.zeros(4),
                                                            L.ones(4)),
    "batch_norm_mixed_dtype_stats": lambda L: L.nn.functional.batch_norm(
        _x(L, 3, 4), L.zeros(4, dtype=L.float64), L.ones(4, dtype=L.float64)),
    "batch_norm_momentum_none": lambda L: L.nn.functional.batch_norm(_x(L, 3, 4), None, None,
                                                                     training=True, momentum=None),
    "batch_norm_only_running_mean": lambda L: L.nn.functional.batch_norm(_x(L, 3, 4), L.zeros(4), None,
                                                                         training=True),
    "batch_norm_eval_without_var": lambda L: L.nn.functional.batch_norm(_x(L, 3, 4), L.zeros(4), None),
    "float16_norms_and_losses": lambda L: [str(v.dtype) for v in (
        L.nn.functional.layer_norm(L.ones(2, 3, dtype=L.float16), (3,)),
        L.nn.functional.cross_entropy(L.ones(3, 4, dtype=L.float16), _long(L, [0, 1, 2])),
        L.nn.functional.mse_loss(L.ones(3, dtype=L.float16), L.ones(3)))],
    "batch_norm_empty_batch": lambda L: tuple(L.nn.functional.batch_norm(
        L.ones(0, 4), L.zeros(4), L.ones(4), training=True).shape),
    "group_norm_groups": lambda L: L.nn.functional.group_norm(_x(L, 2, 4, 3), 3),
    "group_norm_weight": lambda L: L.nn.functional.group_norm(_x(L, 2, 4, 3), 2, L.ones(3)),
    "group_norm_zero_groups": lambda L: L.nn.functional.group_norm(_x(L, 2, 4, 3), 0),
    "group_norm_negative_groups": lambda L: L.nn.functional.group_norm(_x(L, 2, 4, 3), -3),
    "group_norm_one_value_per_group": lambda L: L.nn.functional.group_norm(_x(L, 1, 4, 1), 4),
    "group_norm_one_value_2d": lambda L: L.nn.functional.group_norm(_x(L, 1, 2), 2),
    "group_norm_1d": lambda L: L.nn.functional.group_norm(_x(L, 4), 2),
    "instance_norm_one_position": lambda L: L.nn.functional.instance_norm(_x(L, 2, 3, 1)),
    "normalize_long": lambda L: L.nn.functional.normalize(L.ones(3, 4, dtype=L.int64)),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(MISUSE))
def test_misuse_nn_matches_torch(name):
    _check(MISUSE[name])


# --- half precision: computed in float32 and rounded once, as PyTorch's kernels -------------------
@needs_torch
@pytest.mark.parametrize("name", ["elu", "selu", "silu", "softplus", "logsigmoid", "hardswish",
                                  "hardsigmoid", "leaky_relu", "gelu", "mish"])
def test_float16_activations_round_once(name):
    a = np.linspace(-6, 6, 401)
    c = getattr(cr.nn.functional, name)(cr.tensor(a, dtype=cr.float16))
    t = getattr(TF, name)(torch.tensor(a, dtype=torch.float16))
    assert str(c.dtype) == str(t.dtype) == "torch.float16"
    c, t = c.double().numpy(), t.double().numpy()
    # equal but for a rare last-bit tie of the float32 values (and, near 0, the float32
    # rounding of torch's own 1 + erf(x) tail)
    assert np.mean(c != t) < 0.1
    assert np.all(np.abs(c - t) <= 2 ** -10 * np.maximum(np.abs(t), 2 ** -8))


@needs_torch
def test_float16_norms_and_losses():
    b = RNG.standard_normal((8, 16))
    xc, xt = cr.tensor(b, dtype=cr.float16), torch.tensor(b, dtype=torch.float16)
    for f in (lambda F, x: F.layer_norm(x, (16,)), lambda F, x: F.group_norm(x, 4),
              lambda F, x: F.mse_loss(x, x * 0 + 1), lambda F, x: F.smooth_l1_loss(x, x * 0)):
        c, t = f(cr.nn.functional, xc), f(TF, xt)
        assert str(c.dtype) == str(t.dtype)
        np.testing.assert_allclose(c.double().numpy(), t.double().numpy(), rtol=1e-3, atol=1e-3)

"""nn's activation, loss and normalisation layers against torch.nn with the
same weights (copied from the torch layer by state_dict): forward values,
grad_fn names, input and parameter gradients (float64, tight tolerance) in
train and eval modes, reprs, state_dict keys / dtypes / shapes, running
statistics over several steps, and the layers' own errors."""
import inspect
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.nn import modules as _files

torch = pytest.importorskip("torch")

from _nn_twin import copy_weights, same  # noqa: E402

TOL = dict(rtol=1e-12, atol=1e-12)


def _np(t):
    return t.detach().numpy()


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _pair(make):
    m_t, m_cr = make(torch).double(), make(cr).double()
    copy_weights(m_t, m_cr)
    return m_cr, m_t


def _run(m, L, arrays, grads):
    xs = [L.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    # (through a product, so that an in-place layer changes a non-leaf)
    ins = [x * 1 if g else x for x, g in zip(xs, grads)]
    y = m(*ins)
    return xs, y


def _check(make, arrays, grads=None, train=True):
    """Forward, dtype, grad_fn name, input and parameter gradients for a
    random upstream gradient; the running buffers after the step too."""
    grads = grads or [True] * len(arrays)
    m_cr, m_t = _pair(make)
    m_cr.train(train)
    m_t.train(train)
    xs_cr, y_cr = _run(m_cr, cr, arrays, grads)
    xs_t, y_t = _run(m_t, torch, arrays, grads)
    assert y_cr.shape == y_t.shape and str(y_cr.dtype) == str(y_t.dtype)
    assert np.allclose(_np(y_cr), _np(y_t), **TOL, equal_nan=True)
    assert type(y_cr.grad_fn).__name__ == type(y_t.grad_fn).__name__
    g = _rand(*y_t.shape, seed=7)
    y_cr.backward(cr.tensor(g))
    y_t.backward(torch.tensor(g))
    for a, b, gr in zip(xs_cr, xs_t, grads):
        if gr:
            assert np.allclose(_np(a.grad), _np(b.grad), **TOL), "input grad"
    grads_t = dict(m_t.named_parameters())
    for n, p in m_cr.named_parameters():
        assert np.allclose(_np(p.grad), _np(grads_t[n].grad), **TOL), n
    bufs_t = dict(m_t.named_buffers())
    for n, b in m_cr.named_buffers():
        assert np.allclose(_np(b), _np(bufs_t[n]), **TOL), n


# --- activations -------------------------------------------------------------------------------
ACTIVATIONS = [
    lambda L: L.nn.ReLU(), lambda L: L.nn.ReLU(inplace=True), lambda L: L.nn.ReLU6(),
    lambda L: L.nn.ReLU6(True), lambda L: L.nn.LeakyReLU(), lambda L: L.nn.LeakyReLU(0.2, True),
    lambda L: L.nn.ELU(), lambda L: L.nn.ELU(0.5, inplace=True), lambda L: L.nn.SELU(),
    lambda L: L.nn.SELU(True), lambda L: L.nn.CELU(), lambda L: L.nn.CELU(2.0, True),
    lambda L: L.nn.GELU(), lambda L: L.nn.GELU(approximate="tanh"), lambda L: L.nn.SiLU(),
    lambda L: L.nn.SiLU(True), lambda L: L.nn.Mish(), lambda L: L.nn.Softplus(),
    lambda L: L.nn.Softplus(2, 1.5), lambda L: L.nn.Hardtanh(), lambda L: L.nn.Hardtanh(-0.5, 2.0),
    lambda L: L.nn.Hardtanh(-1.0, 0.5, True), lambda L: L.nn.Hardsigmoid(),
    lambda L: L.nn.Hardswish(), lambda L: L.nn.Tanh(), lambda L: L.nn.Sigmoid(),
    lambda L: L.nn.LogSigmoid(), lambda L: L.nn.Softsign(), lambda L: L.nn.Tanhshrink(),
    lambda L: L.nn.Threshold(0.1, 20.0), lambda L: L.nn.Threshold(-0.2, 3.0, True),
    lambda L: L.nn.GLU(), lambda L: L.nn.GLU(0), lambda L: L.nn.PReLU(),
    lambda L: L.nn.PReLU(3, 0.1), lambda L: L.nn.Hardshrink(), lambda L: L.nn.Hardshrink(0.3),
    lambda L: L.nn.Softshrink(), lambda L: L.nn.Softshrink(0.2), lambda L: L.nn.RReLU(),
    lambda L: L.nn.RReLU(0.1, 0.3), lambda L: L.nn.Softmax(1), lambda L: L.nn.Softmax(-1),
    lambda L: L.nn.Softmin(0), lambda L: L.nn.LogSoftmax(1), lambda L: L.nn.Softmax2d(),
    lambda L: L.nn.Hardsigmoid(True), lambda L: L.nn.Hardswish(True), lambda L: L.nn.Mish(True),
    lambda L: L.nn.RReLU(inplace=True),
]


@pytest.mark.parametrize("make", ACTIVATIONS, ids=lambda f: "")
@pytest.mark.parametrize("shape", [(4, 3, 2, 2), (2, 3)])
def test_activation_matches_torch(make, shape):
    name = type(make(cr)).__name__
    if len(shape) < 3:             # (Softmax2d takes 3-D or more, GLU an even size)
        shape = {"Softmax2d": (3, 2, 2), "GLU": (2, 4)}.get(name, shape)
    arr = _rand(*shape) * 2
    # RReLU trains with a random slope per element: compared in evaluation mode
    _check(make, [arr], train=name != "RReLU")


@pytest.mark.parametrize("make", ACTIVATIONS, ids=lambda f: "")
def test_activation_repr_and_state(make):
    same(lambda L: [repr(make(L)), list(make(L).state_dict()),
                    sorted(k for k in vars(make(L)) if not k.startswith("_"))])


@pytest.mark.parametrize("shape", [(), (0,), (5,)])
def test_activation_0d_and_empty(shape):
    for make in (lambda L: L.nn.ReLU(), lambda L: L.nn.GELU(), lambda L: L.nn.PReLU(),
                 lambda L: L.nn.Softplus(), lambda L: L.nn.LeakyReLU(0.3)):
        _check(make, [_rand(*shape)])


def test_rrelu_training_slopes_in_range():
    m = cr.nn.RReLU(0.1, 0.3)
    x = cr.tensor(-np.abs(_rand(1000)) - 0.1)
    ratio = _np(m(x)) / _np(x)
    assert (ratio >= 0.1).all() and (ratio <= 0.3).all() and ratio.std() > 0.03
    m.eval()
    assert np.allclose(_np(m(x)) / _np(x), 0.2)


def test_prelu_default_weight():
    same(lambda L: [L.nn.PReLU().weight.tolist(), str(L.nn.PReLU().weight.dtype),
                    L.nn.PReLU(4, 0.5, dtype=L.float64).weight.tolist(),
                    str(L.nn.PReLU(2, dtype=L.float64).weight.dtype),
                    type(L.nn.PReLU().weight).__name__])


@pytest.mark.parametrize("f", [
    lambda L: L.nn.Hardtanh(1.0, -1.0),
    lambda L: L.nn.Hardtanh(1.0, 1.0),
    lambda L: L.nn.Softmax2d()(L.ones(2, 2)),
    lambda L: L.nn.Softmax2d()(L.ones(2, 2, 2, 2, 2)),
    lambda L: L.nn.PReLU(3)(L.ones(2, 4)),
    lambda L: L.nn.GLU()(L.ones(2, 3)),
    lambda L: L.nn.GELU("foo")(L.ones(2)),
    lambda L: L.nn.ReLU(True)(L.ones(2, requires_grad=True)),
    lambda L: L.nn.CELU(0.0)(L.ones(2)),
    lambda L: L.nn.ELU()(L.ones(2, dtype=L.long)),
], ids=lambda f: "")
def test_activation_errors(f):
    same(f)


def test_hardtanh_legacy_keywords():
    def legacy(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m = L.nn.Hardtanh(min_value=-2.0, max_value=3.0)
        return [repr(m), [(c.category.__name__, str(c.message)) for c in w]]
    same(legacy)


# --- losses ------------------------------------------------------------------------------------
def _probs(*shape, seed=0):
    return 1 / (1 + np.exp(-_rand(*shape, seed=seed)))


def _labels(n, c, seed=0):
    return np.random.default_rng(seed).integers(0, c, size=n)


POINTWISE_LOSSES = [lambda L, r: L.nn.MSELoss(reduction=r), lambda L, r: L.nn.L1Loss(reduction=r),
                    lambda L, r: L.nn.SmoothL1Loss(reduction=r),
                    lambda L, r: L.nn.SmoothL1Loss(reduction=r, beta=0.5),
                    lambda L, r: L.nn.HuberLoss(reduction=r, delta=0.7),
                    lambda L, r: L.nn.SoftMarginLoss(reduction=r)]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("make", POINTWISE_LOSSES, ids=lambda f: "")
@pytest.mark.parametrize("shape", [(4, 3), (), (0, 2)])
def test_pointwise_loss_matches_torch(make, reduction, shape):
    if shape == (0, 2) and reduction == "mean":
        return                                   # (nan; its gradient's shape only is compared)
    margin = "SoftMargin" in repr(make(cr, "mean"))
    # (soft_margin_loss is not differentiable in its target, in either library)
    target = np.sign(_rand(*shape, seed=1)) if margin else _rand(*shape, seed=1)
    _check(lambda L: make(L, reduction), [_rand(*shape), target], [True, not margin])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kldiv_loss_matches_torch(reduction, log_target):
    inp = np.log(_probs(3, 4))
    tgt = np.log(_probs(3, 4, seed=1)) if log_target else _probs(3, 4, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)     # (the 'mean' warning: compared below)
        _check(lambda L: L.nn.KLDivLoss(reduction=reduction, log_target=log_target), [inp, tgt])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_losses_match_torch(reduction, weighted):
    w = (lambda L: L.tensor(_probs(3, seed=5))) if weighted else (lambda L: None)
    _check(lambda L: L.nn.BCELoss(weight=w(L), reduction=reduction),
           [_probs(4, 3), _probs(4, 3, seed=1)])
    pw = (lambda L: L.tensor(_probs(3, seed=6) * 3)) if weighted else (lambda L: None)
    _check(lambda L: L.nn.BCEWithLogitsLoss(weight=w(L), reduction=reduction, pos_weight=pw(L)),
           [_rand(4, 3), _probs(4, 3, seed=1)])


@pytest.mark.parametrize("kw", [{}, {"reduction": "sum"}, {"reduction": "none"},
                                {"ignore_index": 1}, {"label_smoothing": 0.2},
                                {"label_smoothing": 0.1, "ignore_index": 2, "weighted": True},
                                {"weighted": True}, {"weighted": True, "reduction": "none"}],
                         ids=str)
def test_cross_entropy_and_nll_match_torch(kw):
    kw = dict(kw)
    weighted = kw.pop("weighted", False)
    w = (lambda L: L.tensor(_probs(4, seed=3))) if weighted else (lambda L: None)
    x, t = _rand(5, 4), _labels(5, 4)
    _check(lambda L: L.nn.CrossEntropyLoss(weight=w(L), **kw), [x, t], [True, False])
    x3, t3 = _rand(2, 4, 3), _labels(6, 4, seed=2).reshape(2, 3)
    _check(lambda L: L.nn.CrossEntropyLoss(weight=w(L), **kw), [x3, t3], [True, False])
    kw.pop("label_smoothing", None)
    _check(lambda L: L.nn.NLLLoss(weight=w(L), **kw),
           [np.log(_probs(5, 4)), t], [True, False])


def test_cross_entropy_with_probabilities():
    p = _probs(5, 4, seed=1)
    _check(lambda L: L.nn.CrossEntropyLoss(label_smoothing=0.1),
           [_rand(5, 4), p / p.sum(1)[:, None]])


@pytest.mark.parametrize("make, shapes", [
    (lambda L: L.nn.CosineSimilarity(), [(4, 3), (4, 3)]),
    (lambda L: L.nn.CosineSimilarity(0, 1e-6), [(4, 3), (1, 3)]),
    (lambda L: L.nn.PairwiseDistance(), [(4, 3), (4, 3)]),
    (lambda L: L.nn.PairwiseDistance(1.0, keepdim=True), [(4, 3), (3,)]),
    (lambda L: L.nn.PairwiseDistance(3, 1e-3), [(2, 5), (2, 5)]),
], ids=lambda f: "")
def test_distances_match_torch(make, shapes):
    _check(make, [_rand(*s, seed=i) for i, s in enumerate(shapes)])


LOSS_MAKERS = [
    lambda L: L.nn.MSELoss(), lambda L: L.nn.L1Loss(reduction="sum"),
    lambda L: L.nn.SmoothL1Loss(beta=0.5), lambda L: L.nn.HuberLoss(delta=2.0),
    lambda L: L.nn.SoftMarginLoss(), lambda L: L.nn.KLDivLoss(log_target=True),
    lambda L: L.nn.NLLLoss(ignore_index=3), lambda L: L.nn.BCELoss(),
    lambda L: L.nn.CrossEntropyLoss(),
    lambda L: L.nn.CrossEntropyLoss(weight=L.ones(3), label_smoothing=0.1),
    lambda L: L.nn.NLLLoss(weight=L.tensor([1.0, 2.0])),
    lambda L: L.nn.BCELoss(weight=L.ones(2)),
    lambda L: L.nn.BCEWithLogitsLoss(pos_weight=L.ones(2)),
    lambda L: L.nn.BCEWithLogitsLoss(weight=L.ones(2), pos_weight=L.ones(2)),
    lambda L: L.nn.CosineSimilarity(), lambda L: L.nn.PairwiseDistance(p=1.5),
]


@pytest.mark.parametrize("make", LOSS_MAKERS, ids=lambda f: "")
def test_loss_repr_attributes_and_state(make):
    def describe(L):
        m = make(L)
        attrs = {k: v for k, v in vars(m).items() if not k.startswith("_") and k != "training"}
        return [repr(m), attrs, list(m._buffers), list(m.state_dict()),
                [(k, v.tolist()) for k, v in m.state_dict().items()]]
    same(describe)


@pytest.mark.parametrize("flags", [(False, None), (None, False), (True, True), (False, True)],
                         ids=str)
def test_loss_legacy_flags(flags):
    def legacy(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m = L.nn.MSELoss(size_average=flags[0], reduce=flags[1])
            c = L.nn.CrossEntropyLoss(size_average=flags[0], reduce=flags[1])
        out = m(L.tensor([1.0, 2.0]), L.tensor([0.0, 0.0]))
        return [m.reduction, c.reduction, out.tolist(), [str(c.message) for c in w]]
    same(legacy)


@pytest.mark.parametrize("f", [
    lambda L: L.nn.MSELoss(reduction="foo")(L.ones(2), L.ones(2)),
    lambda L: L.nn.CrossEntropyLoss(label_smoothing=1.5)(L.ones(2, 3), L.tensor([0, 1])),
    lambda L: L.nn.NLLLoss()(L.ones(2, 3), L.tensor([0, 1, 2])),
    lambda L: L.nn.CrossEntropyLoss(weight=L.ones(2))(L.ones(2, 3), L.tensor([0, 1])),
    lambda L: L.nn.BCELoss()(L.ones(2, 3), L.ones(3, 2)),
    lambda L: L.nn.KLDivLoss(reduction="foo")(L.ones(2), L.ones(2)),
], ids=lambda f: "")
def test_loss_errors(f):
    same(f)


def test_kldiv_mean_warning():
    def warned(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            L.nn.KLDivLoss()(L.zeros(2, 2), L.ones(2, 2))
        return [(c.category.__name__, str(c.message)) for c in w]
    same(warned)


# --- batch norm ---------------------------------------------------------------------------------
BATCHNORMS = [
    (lambda L, **k: L.nn.BatchNorm1d(3, **k), [(6, 3), (4, 3, 5)]),
    (lambda L, **k: L.nn.BatchNorm2d(3, **k), [(4, 3, 2, 3)]),
    (lambda L, **k: L.nn.BatchNorm3d(3, **k), [(2, 3, 2, 2, 2)]),
]
BN_OPTIONS = [{}, {"momentum": None}, {"momentum": 0.3, "eps": 1e-3}, {"affine": False},
              {"track_running_stats": False}, {"bias": False},
              {"affine": False, "track_running_stats": False}]


@pytest.mark.parametrize("opts", BN_OPTIONS, ids=str)
@pytest.mark.parametrize("make, shapes", BATCHNORMS, ids=["1d", "2d", "3d"])
def test_batchnorm_matches_torch_over_steps(make, shapes, opts):
    """Three training steps (grads, running statistics, num_batches_tracked),
    then evaluation, on the same module pair."""
    m_cr, m_t = _pair(lambda L: make(L, **opts))
    for shape in shapes:
        for step in range(3):
            for train in (True, True, False):
                m_cr.train(train)
                m_t.train(train)
                x = _rand(*shape, seed=step) * 2 + 1
                xs_cr, y_cr = _run(m_cr, cr, [x], [True])
                xs_t, y_t = _run(m_t, torch, [x], [True])
                assert np.allclose(_np(y_cr), _np(y_t), **TOL)
                assert type(y_cr.grad_fn).__name__ == type(y_t.grad_fn).__name__
                g = _rand(*shape, seed=9)
                y_cr.backward(cr.tensor(g))
                y_t.backward(torch.tensor(g))
                assert np.allclose(_np(xs_cr[0].grad), _np(xs_t[0].grad), **TOL)
                for (n, p), (_, q) in zip(m_cr.named_parameters(), m_t.named_parameters()):
                    assert np.allclose(_np(p.grad), _np(q.grad), **TOL), n
                sd_t = m_t.state_dict()
                for k, v in m_cr.state_dict().items():
                    assert np.allclose(_np(v), sd_t[k].numpy(), **TOL), k


@pytest.mark.parametrize("opts", BN_OPTIONS + [{"dtype": "float64"}], ids=str)
@pytest.mark.parametrize("make", [b[0] for b in BATCHNORMS], ids=["1d", "2d", "3d"])
def test_batchnorm_repr_and_state_dict(make, opts):
    def describe(L):
        kw = dict(opts)
        if "dtype" in kw:
            kw["dtype"] = getattr(L, kw["dtype"])
        m = make(L, **kw)
        return [repr(m), [(k, str(v.dtype), list(v.shape), v.tolist())
                          for k, v in m.state_dict().items()],
                list(m._buffers), [n for n, _ in m.named_parameters()],
                {k: v for k, v in vars(m).items() if not k.startswith("_") and k != "training"}]
    same(describe)


def test_batchnorm_loads_torch_state_dict_and_resets():
    m_t = torch.nn.BatchNorm1d(3)
    m_t(torch.randn(5, 3))
    m_cr = cr.nn.BatchNorm1d(3)
    copy_weights(m_t, m_cr)
    assert m_cr.num_batches_tracked.item() == 1
    assert str(m_cr.num_batches_tracked.dtype) == "torch.int64"
    m_cr.reset_running_stats()
    assert m_cr.num_batches_tracked.item() == 0
    assert _np(m_cr.running_var).tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("f", [
    lambda L: L.nn.BatchNorm1d(3)(L.ones(2, 3, 4, 5)),
    lambda L: L.nn.BatchNorm1d(3)(L.ones(3)),
    lambda L: L.nn.BatchNorm2d(3)(L.ones(2, 3, 4)),
    lambda L: L.nn.BatchNorm3d(3)(L.ones(2, 3, 4)),
    lambda L: L.nn.BatchNorm1d(3)(L.ones(1, 3)),
    lambda L: L.nn.BatchNorm1d(3)(L.ones(2, 4)),
    lambda L: L.nn.BatchNorm1d(3).double()(L.ones(2, 3)),
], ids=lambda f: "")
def test_batchnorm_errors(f):
    same(f)


# --- layer, group and instance norm -------------------------------------------------------------
@pytest.mark.parametrize("make, shape", [
    (lambda L: L.nn.LayerNorm(4), (3, 4)),
    (lambda L: L.nn.LayerNorm([2, 4], eps=1e-3), (3, 2, 4)),
    (lambda L: L.nn.LayerNorm(4, elementwise_affine=False), (2, 3, 4)),
    (lambda L: L.nn.LayerNorm(4, bias=False), (4,)),
    (lambda L: L.nn.GroupNorm(2, 4), (3, 4, 5)),
    (lambda L: L.nn.GroupNorm(1, 4, affine=False), (3, 4)),
    (lambda L: L.nn.GroupNorm(4, 4, eps=1e-2, bias=False), (2, 4, 2, 3)),
    (lambda L: L.nn.InstanceNorm1d(3), (2, 3, 5)),
    (lambda L: L.nn.InstanceNorm1d(3, affine=True), (3, 5)),
    (lambda L: L.nn.InstanceNorm2d(3, affine=True, track_running_stats=True), (2, 3, 2, 3)),
    (lambda L: L.nn.InstanceNorm2d(3, track_running_stats=True, momentum=None), (2, 3, 2, 3)),
    (lambda L: L.nn.InstanceNorm3d(2, affine=True), (2, 2, 2, 2, 3)),
], ids=lambda f: "")
@pytest.mark.parametrize("train", [True, False])
def test_norm_layers_match_torch(make, shape, train):
    for step in range(2):         # (the running statistics, where tracked, move each step)
        _check(make, [_rand(*shape, seed=step) * 3 - 1], train=train)


@pytest.mark.parametrize("make", [
    lambda L: L.nn.LayerNorm(4), lambda L: L.nn.LayerNorm((2, 3), elementwise_affine=False),
    lambda L: L.nn.LayerNorm([3], bias=False, dtype=L.float64),
    lambda L: L.nn.GroupNorm(2, 4), lambda L: L.nn.GroupNorm(2, 4, affine=False),
    lambda L: L.nn.GroupNorm(1, 2, bias=False),
    lambda L: L.nn.InstanceNorm1d(3), lambda L: L.nn.InstanceNorm2d(3, affine=True),
    lambda L: L.nn.InstanceNorm3d(3, track_running_stats=True, momentum=None),
], ids=lambda f: "")
def test_norm_layers_repr_and_state_dict(make):
    same(lambda L: [repr(make(L)), [(k, str(v.dtype), list(v.shape), v.tolist())
                                    for k, v in make(L).state_dict().items()],
                    list(make(L)._buffers)])


def test_instance_norm_running_stats_over_steps():
    m_cr, m_t = _pair(lambda L: L.nn.InstanceNorm1d(3, track_running_stats=True, momentum=0.3))
    for step in range(4):
        x = _rand(2, 3, 5, seed=step)
        m_cr(cr.tensor(x))
        m_t(torch.tensor(x))
    for (n, a), (_, b) in zip(m_cr.named_buffers(), m_t.named_buffers()):
        assert np.allclose(_np(a), _np(b), **TOL), n
    m_cr.eval()
    m_t.eval()
    x = _rand(2, 3, 5, seed=9)
    assert np.allclose(_np(m_cr(cr.tensor(x))), _np(m_t(torch.tensor(x))), **TOL)


def test_instance_norm_feature_warning():
    def warned(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            L.nn.InstanceNorm1d(4)(L.ones(3, 4))
        return [(c.category.__name__, str(c.message)) for c in w]
    same(warned)


@pytest.mark.parametrize("f", [
    lambda L: L.nn.GroupNorm(3, 4),
    lambda L: L.nn.GroupNorm(2, 4)(L.ones(3, 6)),
    lambda L: L.nn.LayerNorm(3)(L.ones(2, 4)),
    lambda L: L.nn.InstanceNorm1d(3)(L.ones(2, 3, 4, 5)),
    lambda L: L.nn.InstanceNorm2d(3)(L.ones(2, 3)),
    lambda L: L.nn.InstanceNorm3d(3)(L.ones(2, 3, 4)),
    lambda L: L.nn.InstanceNorm1d(3, affine=True)(L.ones(2, 4, 5)),
    lambda L: L.nn.InstanceNorm1d(3)(L.ones(3, 1)),
], ids=lambda f: "")
def test_norm_layer_errors(f):
    same(f)


def test_module_names_exported():
    names = ["ReLU", "GELU", "PReLU", "Softmax2d", "MSELoss", "CrossEntropyLoss",
             "BCEWithLogitsLoss", "CosineSimilarity", "PairwiseDistance", "BatchNorm3d",
             "LayerNorm", "GroupNorm", "InstanceNorm2d"]
    for n in names:
        assert n in cr.nn.__all__ and getattr(cr.nn, n) is getattr(cr.nn.modules, n)


# --- local response norm ------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 2, 3, 7])
@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 5, 2, 3), (1, 4, 2, 2, 2), (0, 5, 3), (2, 5, 0)])
def test_local_response_norm_matches_torch(size, shape):
    _check(lambda L: L.nn.LocalResponseNorm(size, alpha=0.3, beta=0.6, k=1.5),
           [_rand(*shape) * 2])


def test_local_response_norm_repr_and_errors():
    same(lambda L: [repr(L.nn.LocalResponseNorm(2)), repr(L.nn.LocalResponseNorm(3, 1e-3, 0.5, 2)),
                    list(L.nn.LocalResponseNorm(2).state_dict())])
    same(lambda L: L.nn.LocalResponseNorm(2)(L.ones(2, 3)))
    same(lambda L: L.nn.functional.local_response_norm(L.ones(3), 2))


# --- second order, float32, dtype moves ---------------------------------------------------------
@pytest.mark.parametrize("make, shape", [
    (lambda L: L.nn.BatchNorm1d(3), (5, 3)),
    (lambda L: L.nn.LayerNorm(4), (2, 4)),
    (lambda L: L.nn.GroupNorm(2, 4), (2, 4, 3)),
    (lambda L: L.nn.LocalResponseNorm(3), (2, 4, 3)),
    (lambda L: L.nn.PReLU(3), (2, 3, 2)),
    (lambda L: L.nn.GELU("tanh"), (3, 4)),
], ids=lambda f: "")
def test_second_order_through_modules(make, shape):
    m_cr, m_t = _pair(make)
    res = []
    for L, m in ((cr, m_cr), (torch, m_t)):
        x = L.tensor(_rand(*shape), requires_grad=True)
        y = (m(x) * L.tensor(_rand(*shape, seed=3))).sum()
        params = list(m.parameters())
        gs = L.autograd.grad(y, [x] + params, create_graph=True)
        # (a bias's first derivative does not depend on anything: unused)
        h = L.autograd.grad(sum((g * g).sum() for g in gs), [x] + params, allow_unused=True)
        res.append([None if t is None else _np(t) for t in h])
    for a, b in zip(*res):
        assert (a is None) == (b is None)
        assert a is None or np.allclose(a, b, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("make, shape", [
    (lambda L: L.nn.BatchNorm2d(3), (2, 3, 2, 2)), (lambda L: L.nn.LayerNorm(4), (3, 4)),
    (lambda L: L.nn.PReLU(), (3, 4)), (lambda L: L.nn.GELU(), (3, 4)),
    (lambda L: L.nn.LogSoftmax(1), (3, 4)), (lambda L: L.nn.InstanceNorm1d(3), (2, 3, 4)),
], ids=lambda f: "")
def test_float32_modules(make, shape):
    m_t, m_cr = make(torch), make(cr)
    copy_weights(m_t, m_cr)
    x = _rand(*shape).astype(np.float32)
    y_cr, y_t = m_cr(cr.tensor(x)), m_t(torch.tensor(x))
    assert str(y_cr.dtype) == str(y_t.dtype) == "torch.float32"
    assert np.allclose(_np(y_cr), _np(y_t), rtol=1e-5, atol=1e-6)
    for (n, a), (_, b) in zip(m_cr.named_buffers(), m_t.named_buffers()):
        assert str(a.dtype) == str(b.dtype) and np.allclose(_np(a), _np(b), rtol=1e-5), n


def test_dtype_moves_keep_the_counter_int64():
    same(lambda L: [(k, str(v.dtype)) for k, v in
                    L.nn.BatchNorm1d(2).double().state_dict().items()] +
         [(k, str(v.dtype)) for k, v in
          L.nn.CrossEntropyLoss(weight=L.ones(2)).double().state_dict().items()])


# --- loading old checkpoints ----------------------------------------------------------------------
def test_batchnorm_loads_state_dict_without_counter():
    def load(L):
        m = L.nn.BatchNorm1d(2)
        m(L.tensor([[1.0, 2.0], [3.0, 5.0]]))
        d = {"weight": L.ones(2), "bias": L.zeros(2), "running_mean": L.ones(2),
             "running_var": L.ones(2)}
        r = m.load_state_dict(d)
        return [str(r), m.num_batches_tracked.item(), sorted(d)]
    same(load)


def test_batchnorm_version_2_checkpoint_needs_counter():
    def load(L):
        d = L.nn.BatchNorm1d(2).state_dict()
        del d["num_batches_tracked"]
        return L.nn.BatchNorm1d(2).load_state_dict(d)
    same(load)


@pytest.mark.parametrize("keys", [("running_mean", "running_var"), ("running_var",)], ids=str)
def test_instance_norm_refuses_old_running_stats(keys):
    same(lambda L: L.nn.Sequential(L.nn.InstanceNorm1d(2)).load_state_dict(
        {f"0.{k}": L.ones(2) for k in keys}))


# --- warnings and training-mode nodes -----------------------------------------------------------
def test_softmax_implicit_dim_warning():
    def warned(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = [L.nn.Softmax()(L.ones(2, 3)).shape, L.nn.LogSoftmax()(L.ones(3)).shape,
                   L.nn.Softmin()(L.ones(2, 3, 4)).shape]
        return [out, [(c.category.__name__, str(c.message)) for c in w]]
    same(warned)


def test_rrelu_training_node_name():
    same(lambda L: [type(L.nn.RReLU()(L.ones(3, requires_grad=True) * -1).grad_fn).__name__,
                    type(L.nn.RReLU().eval()(L.ones(3, requires_grad=True) * -1).grad_fn).__name__])


# --- signatures, in-place results ---------------------------------------------------------------
LAYER_NAMES = (_files._activation.__all__ + _files._loss.__all__ + _files._distance.__all__
               + _files._batchnorm.__all__ + _files._instancenorm.__all__
               + _files._normalization.__all__)


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_constructor_and_forward_signatures(name):
    def params(fn):
        return [(p.name, p.default, p.kind) for p in inspect.signature(fn).parameters.values()]
    mine, ref = getattr(cr.nn, name), getattr(torch.nn, name)
    assert params(mine.__init__) == params(ref.__init__)
    assert [p[0] for p in params(mine.forward)] == [p[0] for p in params(ref.forward)]
    # the base classes: torch's all there (ours may add private helpers between)
    ours = [c.__name__ for c in mine.__mro__]
    theirs = [c.__name__ for c in ref.__mro__]
    assert [n for n in ours if n in theirs] == theirs
    assert mine.__module__.rsplit(".", 1)[1] == ref.__module__.rsplit(".", 1)[1]   # (its file)


@pytest.mark.parametrize("make", [m for m in ACTIVATIONS if "inplace" in vars(m(cr))],
                         ids=lambda f: "")
def test_inplace_layers_write_their_input(make):
    def run(L):
        x = L.tensor(_rand(2, 3) - 0.5, requires_grad=True) * 1
        y = make(L)(x)
        return [y is x, x._version, type(y.grad_fn).__name__]
    same(run)


# --- mixed dtypes -------------------------------------------------------------------------------
_DTYPES = ["float16", "float32", "float64", "long"]


@pytest.mark.parametrize("x_dtype", _DTYPES)
@pytest.mark.parametrize("p_dtype", _DTYPES[:3])
@pytest.mark.parametrize("form", ["LayerNorm", "GroupNorm", "F.layer_norm(bias only)",
                                  "F.layer_norm(weight same, bias other)", "BatchNorm1d",
                                  "BatchNorm1d.eval", "F.batch_norm(stats other)",
                                  "F.batch_norm(no affine)"])
def test_norm_parameter_dtypes_as_torch(x_dtype, p_dtype, form):
    """A float32 LayerNorm / GroupNorm on float64 or integer input is refused
    with PyTorch's mixed-dtype message; on float16 input it computes (mixed
    precision), and the other combinations raise as PyTorch does."""
    def run(L):
        x = L.tensor(_rand(2, 4), dtype=getattr(L, x_dtype))
        p = L.tensor([0.5, 1.0, 1.5, 2.0], dtype=getattr(L, p_dtype))
        F = L.nn.functional
        if form == "LayerNorm":
            m = L.nn.LayerNorm(4, dtype=getattr(L, p_dtype))
            y = m(x)
        elif form == "GroupNorm":
            y = L.nn.GroupNorm(2, 4, dtype=getattr(L, p_dtype))(x)
        elif form == "F.layer_norm(bias only)":
            y = F.layer_norm(x, (4,), None, p)
        elif form.startswith("BatchNorm1d"):
            m = L.nn.BatchNorm1d(4, dtype=getattr(L, p_dtype))
            y = (m.eval() if form.endswith("eval") else m)(x)
            return [str(y.dtype), np.round(y.detach().to(L.float64).numpy(), 2).tolist(),
                    [np.round(b.numpy(), 3).tolist() for b in m.buffers()]]
        elif form.startswith("F.batch_norm"):
            same_dtype = getattr(L, x_dtype) if x.is_floating_point() else L.float32
            w = None if "no affine" in form else L.ones(4, dtype=same_dtype)
            y = F.batch_norm(x, L.zeros(4, dtype=p.dtype), L.ones(4, dtype=p.dtype), w, None,
                             True)
        else:
            w = L.ones(4, dtype=x.dtype) if x.is_floating_point() else None
            y = F.layer_norm(x, (4,), w, p)
        return [str(y.dtype), np.round(y.detach().to(L.float64).numpy(), 2).tolist()]
    same(run)

"""nn.init and nn.utils: distributions by their moments and bounds (fixed
seeds, tolerances a few standard errors wide), the deterministic fills
against torch, errors and warnings as torch's; gradient clipping and the
parameter/vector conversions against torch on the same gradients."""
import math
import warnings

import numpy as np
import pytest

import chainrule as cr

from _nn_twin import needs_torch, same, torch

N = 200_000          # samples per distribution check (standard error ~ 0.0022 std)


def _fill(fn, shape, *args, **kwargs):
    cr.manual_seed(0)
    t = cr.empty(*shape, dtype=cr.float64)
    r = fn(t, *args, **kwargs)
    assert r is t
    return t.numpy()


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv2d", None), ("conv_transpose3d", None), ("sigmoid", None),
    ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
    ("leaky_relu", 3), ("selu", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    same(lambda L: L.nn.init.calculate_gain(nonlinearity, param))


def test_uniform_and_normal():
    u = _fill(cr.nn.init.uniform_, (N,), -2.0, 3.0)
    assert u.min() >= -2.0 and u.max() < 3.0
    assert abs(u.mean() - 0.5) < 0.02 and abs(u.std() - 5 / math.sqrt(12)) < 0.02
    n = _fill(cr.nn.init.normal_, (N,), 1.5, 0.5)
    assert abs(n.mean() - 1.5) < 0.005 and abs(n.std() - 0.5) < 0.005


def test_trunc_normal_bounds_and_moments():
    t = _fill(cr.nn.init.trunc_normal_, (N,), 0.0, 1.0, -1.0, 2.0)
    assert t.min() >= -1.0 and t.max() <= 2.0
    # moments of the standard normal truncated to [-1, 2]
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)      # noqa: E731
    Phi = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))            # noqa: E731
    Z = Phi(2) - Phi(-1)
    mean = (phi(-1) - phi(2)) / Z
    var = 1 + (-1 * phi(-1) - 2 * phi(2)) / Z - mean ** 2
    assert abs(t.mean() - mean) < 0.005 and abs(t.std() - math.sqrt(var)) < 0.005


@needs_torch
@pytest.mark.parametrize("fn, shape, args, std", [
    ("xavier_uniform_", (300, 500), (), math.sqrt(2 / 800)),
    ("xavier_uniform_", (30, 20, 3, 3), (2.0,), 2 * math.sqrt(2 / (450))),
    ("xavier_normal_", (300, 500), (), math.sqrt(2 / 800)),
    ("kaiming_uniform_", (300, 500), (), math.sqrt(2 / 500)),
    ("kaiming_uniform_", (300, 500), (math.sqrt(5),), math.sqrt(2 / 6 / 500)),
    ("kaiming_normal_", (300, 500), (0, "fan_out", "relu"), math.sqrt(2 / 300)),
    ("kaiming_normal_", (40, 25, 2, 2), (0.1, "fan_in", "leaky_relu"),
     math.sqrt(2 / 1.01 / 100)),
])
def test_fan_based_inits(fn, shape, args, std):
    w = _fill(getattr(cr.nn.init, fn), shape, *args)
    se = std / math.sqrt(w.size)             # the mean's standard error (the std's is ~0.7 of it)
    assert abs(w.mean()) < 4 * se
    assert abs(w.std() - std) < 4 * se
    if "uniform" in fn:
        bound = math.sqrt(3) * std
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound
    # torch's the same distribution (spread)
    t = getattr(torch.nn.init, fn)(torch.empty(*shape, dtype=torch.float64), *args)
    assert abs(t.std().item() - std) < 4 * se


def test_deterministic_fills_match_torch():
    def fills(L):
        init = L.nn.init
        out = []
        for f in (lambda t: init.constant_(t, 0.25), init.ones_, init.zeros_, init.eye_):
            t = L.full((2, 3), 7.0)
            r = f(t)
            out.append((r is t, t.tolist()))
        out.append(init.constant_(L.ones(2, dtype=L.int64), 3.7).tolist())
        p = L.nn.Parameter(L.ones(2, 2))
        r = init.zeros_(p)
        out.append((r is p, type(r).__name__, r.requires_grad, r.grad_fn, p.tolist()))
        return out
    same(fills)


def test_orthogonal():
    for shape in [(6, 4), (4, 6), (3, 2, 2), (5, 5)]:
        cr.manual_seed(0)
        w = cr.empty(*shape, dtype=cr.float64)
        cr.nn.init.orthogonal_(w, gain=2.0)
        m = w.numpy().reshape(shape[0], -1)
        small = min(m.shape)
        gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
        assert np.allclose(gram, 4 * np.eye(small), atol=1e-12)


@needs_torch
def test_orthonormal_columns_is_qr_with_positive_r():
    a = np.random.default_rng(0).standard_normal((7, 4))
    q = cr.nn.init.orthonormal_columns(cr.tensor(a)).numpy()
    qt, rt = torch.linalg.qr(torch.tensor(a))
    expected = (qt * torch.sign(torch.diagonal(rt))).numpy()
    assert np.allclose(q, expected, atol=1e-12)


def test_inits_do_not_record_and_keep_the_parameter():
    p = cr.nn.Parameter(cr.ones(3, 4))
    for fn in (cr.nn.init.uniform_, cr.nn.init.normal_, cr.nn.init.xavier_normal_,
               cr.nn.init.kaiming_uniform_, cr.nn.init.trunc_normal_, cr.nn.init.orthogonal_):
        r = fn(p)
        assert r is p and p.grad_fn is None and p.requires_grad and p.is_leaf


def test_generator_argument_repeats():
    g1, g2 = cr.Generator().manual_seed(5), cr.Generator().manual_seed(5)
    a = cr.nn.init.uniform_(cr.empty(10), generator=g1)
    b = cr.nn.init.uniform_(cr.empty(10), generator=g2)
    assert a.tolist() == b.tolist()


@pytest.mark.parametrize("f", [
    lambda L: L.nn.init.calculate_gain("leaky_relu", True),
    lambda L: L.nn.init.calculate_gain("foo"),
    lambda L: L.nn.init.xavier_uniform_(L.ones(3)),
    lambda L: L.nn.init.xavier_normal_(L.ones(())),
    lambda L: L.nn.init.kaiming_uniform_(L.ones(3, 2), mode="bad"),
    lambda L: L.nn.init.kaiming_normal_(L.ones(3)),
    lambda L: L.nn.init.eye_(L.ones(3)),
    lambda L: L.nn.init.orthogonal_(L.ones(3)),
    lambda L: L.nn.init.orthogonal_(L.ones(0, 3)).shape == (0, 3),
], ids=lambda f: "")
def test_init_errors(f):
    same(f)


@pytest.mark.parametrize("f", [
    lambda L: L.nn.init.kaiming_normal_(L.ones(0, 3)).shape,
    lambda L: L.nn.init.kaiming_uniform_(L.ones(2, 0)).shape,
    lambda L: L.nn.init.trunc_normal_(L.ones(3), mean=10.0).shape,
], ids=["kaiming_normal-empty", "kaiming_uniform-empty", "trunc_normal-far-mean"])
def test_init_warnings(f):
    def warned(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = f(L)
        return list(r), [(x.category.__name__, str(x.message)) for x in w]
    same(warned)


# --- nn.utils ----------------------------------------------------------------------------------
def _grads_model(L):
    L.manual_seed(0)
    m = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.Linear(4, 2), L.nn.Linear(2, 2)).double()
    with L.no_grad():
        for k, p in enumerate(m.parameters()):
            p.copy_(L.arange(p.numel(), dtype=L.float64).reshape(p.shape) * 0.1 - 0.3 * k)
    x = L.tensor([[1.0, -2.0, 0.5], [0.0, 1.0, 2.0]], dtype=L.float64)
    m[2].weight.requires_grad_(False)         # a parameter without a gradient
    (m(x) ** 2).sum().backward()
    return m


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    def clip(L):
        m = _grads_model(L)
        total = L.nn.utils.clip_grad_norm_(m.parameters(), max_norm, norm_type=norm_type)
        return [round(total.item(), 10), str(total.dtype), total.shape == ()] + \
            [None if p.grad is None else np.round(p.grad.numpy(), 10).tolist()
             for p in m.parameters()]
    same(clip)


def test_clip_grad_norm_single_tensor_empty_and_nonfinite():
    def edge(L):
        p = L.ones(3, requires_grad=True)
        (p * L.tensor([3.0, 0.0, 4.0])).sum().backward()
        t1 = L.nn.utils.clip_grad_norm_(p, 1.0)
        out = [round(t1.item(), 7), [round(v, 6) for v in p.grad.tolist()]]
        t0 = L.nn.utils.clip_grad_norm_([L.ones(2, requires_grad=True)], 1.0)
        out.append((t0.item(), str(t0.dtype)))
        q = L.ones(2, requires_grad=True)
        q.grad = L.tensor([math.inf, 1.0])
        tq = L.nn.utils.clip_grad_norm_([q], 1.0)
        out.append((tq.item(), repr(q.grad.tolist())))     # (repr: nan == nan)
        return out
    same(edge)

    def nonfinite(L):
        q = L.ones(2, requires_grad=True)
        q.grad = L.tensor([math.nan, 1.0])
        L.nn.utils.clip_grad_norm_([q], 1.0, error_if_nonfinite=True)
    same(nonfinite)


def test_clip_grad_value_matches_torch():
    def clip(L):
        m = _grads_model(L)
        r = L.nn.utils.clip_grad_value_(m.parameters(), 0.75)
        return [r] + [None if p.grad is None else np.round(p.grad.numpy(), 12).tolist()
                      for p in m.parameters()]
    same(clip)


def test_parameters_to_vector_and_back():
    def convert(L):
        m = _grads_model(L)
        v = L.nn.utils.parameters_to_vector(m.parameters())
        out = [list(v.shape), type(v.grad_fn).__name__, np.round(v.detach().numpy(), 12).tolist()]
        L.nn.utils.vector_to_parameters(L.arange(v.numel(), dtype=L.float64), m.parameters())
        out.append([p.tolist() for p in m.parameters()])
        out.append([type(p).__name__ for p in m.parameters()])
        return out
    same(convert)
    same(lambda L: L.nn.utils.vector_to_parameters([1.0], L.nn.Linear(1, 1).parameters()))

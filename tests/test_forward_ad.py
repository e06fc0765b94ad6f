"""Forward-mode AD (autograd.forward_ad): tangents pushed through every op in
the shared case table agree with reverse mode (<v, J t> computed both ways)
and with finite differences; the API's errors are PyTorch's."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.autograd.forward_ad as fwAD

from _opcases import CASES, make_inputs

EPS = 1e-6


def _jvp_forward(case, arrays, tangents):
    with fwAD.dual_level():
        duals = [fwAD.make_dual(cr.tensor(a), cr.tensor(t)) for a, t in zip(arrays, tangents)]
        out = case.f(cr, *duals)
        primal, tangent = fwAD.unpack_dual(out)
        return primal.numpy(), (None if tangent is None else tangent.numpy())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_forward_matches_reverse_and_finite_differences(case):
    arrays = make_inputs(case, seed=3)
    rng = np.random.default_rng(5)
    tangents = [rng.standard_normal(a.shape) for a in arrays]
    if "no_forward_ad" in case.tags:
        # PyTorch has no forward-mode formula here: its refusal
        with pytest.raises(NotImplementedError, match="^Trying to use forward AD with"):
            _jvp_forward(case, arrays, tangents)
        return
    out, jt = _jvp_forward(case, arrays, tangents)
    if jt is None:
        jt = np.zeros_like(out)
    assert jt.shape == out.shape
    # finite differences along the tangent direction
    plus = case.f(cr, *[cr.tensor(a + EPS * t) for a, t in zip(arrays, tangents)]).numpy()
    minus = case.f(cr, *[cr.tensor(a - EPS * t) for a, t in zip(arrays, tangents)]).numpy()
    np.testing.assert_allclose(jt, (plus - minus) / (2 * EPS), rtol=1e-5, atol=1e-6)
    # reverse mode: <v, J t> = <J^T v, t>
    xs = [cr.tensor(a, requires_grad=True) for a in arrays]
    y = case.f(cr, *xs)
    if y.numel() == 0 or not y.requires_grad:
        return
    v = rng.standard_normal(y.shape)
    grads = cr.autograd.grad(y, xs, grad_outputs=cr.tensor(v), allow_unused=True)
    rev = sum(float((g.numpy() * t).sum()) for g, t in zip(grads, tangents) if g is not None)
    assert float((v * jt).sum()) == pytest.approx(rev, rel=1e-6, abs=1e-8)


def test_dual_level_api_and_errors():
    x = cr.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="you must first enter a dual level"):
        fwAD.make_dual(x, cr.ones(2))
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="different size"):
            fwAD.make_dual(x, cr.ones(3))
        d = fwAD.make_dual(x, cr.tensor([1.0, 0.0]))
        p, t = fwAD.unpack_dual(d * d)
        assert p.tolist() == [1.0, 4.0] and t.tolist() == [2.0, 0.0]
        assert fwAD.unpack_dual(x).tangent is None
    assert fwAD.unpack_dual(d).tangent is None       # tangents end with the level


def test_matches_torch_forward_ad():
    torch = pytest.importorskip("torch")
    import torch.autograd.forward_ad as tfw
    a = np.array([0.3, -1.2, 2.0])
    t = np.array([1.0, 2.0, -0.5])
    res = []
    for lib, fw in ((cr, fwAD), (torch, tfw)):
        with fw.dual_level():
            d = fw.make_dual(lib.tensor(a), lib.tensor(t))
            y = lib.log_softmax(d.sin() * d, 0)
            res.append(fw.unpack_dual(y).tangent.numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-10)


# --- property: random shapes (hypothesis) -------------------------------------------------------
from hypothesis import given, settings, strategies as st  # noqa: E402

_shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


def _broadcast_pair(draw):
    a = draw(_shapes)
    # b: a suffix of a with some dims set to 1, possibly shorter
    k = draw(st.integers(0, len(a)))
    b = tuple(1 if draw(st.booleans()) else n for n in a[len(a) - k:])
    return (a, b) if draw(st.booleans()) else (b, a)


_BINARY = {
    "add": lambda L, x, y: x + y, "mul": lambda L, x, y: x * y,
    "div": lambda L, x, y: x / (y * y + 1), "maximum": lambda L, x, y: L.maximum(x, y),
    "where": lambda L, x, y: L.where(x > 0, x * y, y.sin()),
}
_UNARY = {
    "sum_dim": lambda L, x: x.sum(-1) if x.dim() else x.sum(),
    "softmax": lambda L, x: L.softmax(x, -1) if x.dim() else x.exp(),
    "tanh_prod": lambda L, x: (x.tanh() * x).prod() if x.numel() else x.sum(),
    "norm": lambda L, x: x.norm(),
    "logsumexp": lambda L, x: L.logsumexp(x, -1) if x.dim() else x,
}


def _fwd_rev_agree(f, arrays, seed):
    rng = np.random.default_rng(seed)
    tangents = [rng.standard_normal(a.shape) for a in arrays]
    with fwAD.dual_level():
        duals = [fwAD.make_dual(cr.tensor(a), cr.tensor(t)) for a, t in zip(arrays, tangents)]
        out = f(cr, *duals)
        jt = fwAD.unpack_dual(out).tangent
    xs = [cr.tensor(a, requires_grad=True) for a in arrays]
    y = f(cr, *xs)
    v = rng.standard_normal(tuple(y.shape))
    grads = cr.autograd.grad(y, xs, grad_outputs=cr.tensor(v), allow_unused=True)
    rev = sum(float((g.numpy() * t).sum()) for g, t in zip(grads, tangents) if g is not None)
    fwd = 0.0 if jt is None else float((v * jt.numpy()).sum())
    assert fwd == pytest.approx(rev, rel=1e-7, abs=1e-9)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(data=st.data(), name=st.sampled_from(sorted(_BINARY)), seed=st.integers(0, 1000))
def test_property_binary_forward_equals_reverse(data, name, seed):
    a, b = _broadcast_pair(data.draw)
    rng = np.random.default_rng(seed)
    _fwd_rev_agree(_BINARY[name], [rng.standard_normal(a), rng.standard_normal(b)], seed)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(shape=_shapes, name=st.sampled_from(sorted(_UNARY)), seed=st.integers(0, 1000))
def test_property_unary_forward_equals_reverse(shape, name, seed):
    _fwd_rev_agree(_UNARY[name], [np.random.default_rng(seed).standard_normal(shape)], seed)


def test_custom_function_jvp_and_missing_jvp_error():
    def classes(lib):
        class Sin(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_forward(x)
                return x.sin()

            @staticmethod
            def backward(ctx, g):
                return g

            @staticmethod
            def jvp(ctx, t):
                (x,) = ctx.saved_tensors
                return t * x.cos()

        class NoJvp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2
        return Sin, NoJvp

    libs = [(cr, fwAD)]
    try:
        import torch
        import torch.autograd.forward_ad as tfw
        libs.append((torch, tfw))
    except ImportError:
        pass
    for lib, fw in libs:
        Sin, NoJvp = classes(lib)
        with fw.dual_level():
            d = fw.make_dual(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 0.5]))
            t = fw.unpack_dual(Sin.apply(d)).tangent
            np.testing.assert_allclose(t.numpy(), np.cos([1.0, 2.0]) * [1.0, 0.5], rtol=1e-6)
            with pytest.raises(NotImplementedError, match="You must implement the jvp function"):
                NoJvp.apply(d)


REVERSE_OVER_FORWARD = {
    "no_grad_block": lambda lib, d, w: (lambda c: (c * d).sin())(_no_grad(lib, lambda: d * d)),
    "saved_output": lambda lib, d, w: d.exp() * w + d.tanh().sigmoid(),
    "sqrt_log": lambda lib, d, w: (d * d + 1).sqrt().log() * w,   # (softmax: torch raises)
    "matmul": lambda lib, d, w: (d[:, None] * w[None, :]) @ (d + w),
    "tangent_only_in_no_grad": lambda lib, d, w: _no_grad(lib, lambda: d.tanh()),
}


def _no_grad(lib, fn):
    with lib.no_grad():
        return fn()


@pytest.mark.parametrize("name", sorted(REVERSE_OVER_FORWARD))
def test_reverse_over_forward_against_torch(name):
    """With grad mode on, a tangent is a function of the primals and tangents
    that require grad (autograd.grad of it works, as in PyTorch); what a
    no_grad block computed is a constant to it."""
    torch = pytest.importorskip("torch")
    body = REVERSE_OVER_FORWARD[name]

    def scenario(lib):
        fw = lib.autograd.forward_ad
        x = lib.tensor([1.5, -0.5], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([0.3, 2.0], dtype=lib.float64, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, w * 2)
            _, t = fw.unpack_dual(body(lib, d, w))
            out = [t.requires_grad, t.detach().numpy()]
            if t.requires_grad:
                grads = lib.autograd.grad(t.sum(), (x, w), allow_unused=True)
                out += [None if g is None else g.numpy() for g in grads]
        return out

    mine, theirs = scenario(cr), scenario(torch)
    assert mine[0] == theirs[0] and len(mine) == len(theirs)
    for a, b in zip(mine[1:], theirs[1:]):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)

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

"""chainrule.viz.explain: the trace of a backward pass.  The seed's
polynomial must show the hand computation of seed 001 (48, 16, 8, summed to
72 at x); tracing must change no gradient (checked against an untraced
backward and against torch); the engine's observer must be gone afterwards."""
import numpy as np
import pytest

import chainrule
from chainrule import viz
from chainrule.autograd import engine


def _seed():
    x = chainrule.tensor(4.0, requires_grad=True)
    z = chainrule.pow(x, 3) + 2 * chainrule.pow(x, 2) + 8 * x
    return x, z


def test_the_seed_polynomial_shows_the_hand_computation():
    x, z = _seed()
    t = viz.explain(z, {"x": x}, names={"z": z})
    assert float(x.grad) == 72.0
    rows = t.rows()
    pows = [r for r in rows if r[1] == "PowBackward0"]
    # the local derivatives of x**3 and x**2 at 4, and what they pass to x
    assert sorted((r[2], r[4], r[6]) for r in pows) == [("1", "48", "48"), ("2", "8", "16")]
    mul_8 = [r for r in rows if r[1] == "MulBackward0" and r[4] == "8"]
    assert len(mul_8) == 1 and mul_8[0][6] == "8" and mul_8[0][7].startswith("x ")
    mul_2 = [r for r in rows if r[1] == "MulBackward0" and r[4] == "2"]
    assert len(mul_2) == 1 and mul_2[0][6] == "2" and mul_2[0][7].startswith("PowBackward0")
    leaf = rows[-1]
    assert leaf[1] == "x (leaf)" and leaf[6] == "x.grad = 72"
    parts, total = leaf[2].split(" = ")
    assert sorted(parts.split(" + "), key=float) == ["8", "16", "48"] and total == "72"
    # the leaf runs last, once every path has reached it
    assert [s.label for s in t.steps].index("x") == len(t.steps) - 1
    text = str(t)
    assert "backward of z = 128" in text and "x.grad = 72" in text
    assert "grad * other * self ** (other - 1)" in text       # pow's rule, as derivatives.yaml
    assert "<table>" in t._repr_html_()


def test_steps_follow_the_engine_and_sums_where_paths_meet():
    a = chainrule.tensor([1.0, 2.0], requires_grad=True)
    b = a * 3
    y = (b * b + b).sum()
    t = viz.explain(y, {"a": a})
    mul_b = [s for s in t.steps if s.label == "MulBackward0" and len(s.flows) == 2]
    assert len(mul_b) == 1
    # b is used three times: three flows meet at b's node (MulBackward0 of a * 3)
    b_node = [s for s in t.steps if s.obj is b.grad_fn][0]
    assert len(b_node.parts) == 3
    np.testing.assert_allclose(sum(f.grad for f in b_node.parts), b_node.grad)
    np.testing.assert_allclose(b_node.grad, 2 * b.detach().numpy() + 1)
    # every flow's local derivative times the incoming gradient is what it passed on
    for s in t.steps:
        for f in s.flows:
            if f.local is not None:
                np.testing.assert_allclose(np.broadcast_to(s.grad * f.local, f.grad.shape), f.grad)


def test_broadcasting_sums_the_gradient_of_the_broadcast_input():
    x = chainrule.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    c = chainrule.tensor(0.5, requires_grad=True)
    t = viz.explain((x * c).sum(), {"x": x, "c": c})
    mul = [s for s in t.steps if s.label == "MulBackward0"][0]
    to_c = [f for f in mul.flows if f.input_name == "other"][0]
    assert to_c.local.shape == (2, 3) and to_c.grad.shape == ()       # summed over both dims
    assert float(to_c.grad) == 21.0 and float(c.grad) == 21.0


def _graphs(lib):
    """Graphs with broadcasting, reuse, reductions, matmul, views, in-place
    changes, hooks and a custom Function: (loss, leaves)."""
    rng = np.random.default_rng(0)
    w = lib.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = lib.tensor(rng.standard_normal(3), requires_grad=True)
    x = lib.tensor(rng.standard_normal((5, 4)))
    h = lib.tanh(x @ w + b)
    h.register_hook(lambda gr: gr * 2)
    v = h[:, 1:].clone()
    v.mul_(h[:, :2])
    loss = (v.exp().mean(0) ** 2).sum() + lib.nn.functional.softplus(h).sum() / 3
    return loss, (w, b)


def test_tracing_changes_no_gradient():
    plain_loss, plain = _graphs(chainrule)
    plain_loss.backward()
    traced_loss, traced = _graphs(chainrule)
    t = viz.explain(traced_loss)
    assert len(t.steps) > 10
    for p, q in zip(plain, traced):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    torch = pytest.importorskip("torch")
    ref_loss, ref = _graphs(torch)
    ref_loss.backward()
    for p, q in zip(ref, traced):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-12)


def test_a_second_order_trace_changes_no_gradient():
    x = chainrule.tensor([0.3, -1.2], dtype=chainrule.float64, requires_grad=True)
    y = (chainrule.sin(x) * x).sum()
    with pytest.warns(UserWarning, match="reference cycle"):         # as backward's
        t = viz.explain(y, {"x": x}, create_graph=True)
    (gg,) = chainrule.autograd.grad(x.grad.sum(), x)
    xd = x.detach().numpy()
    np.testing.assert_allclose(gg.numpy(), 2 * np.cos(xd) - xd * np.sin(xd))
    assert len(t.steps) == 4


def test_the_observer_is_gone_afterwards_even_on_error():
    x, z = _seed()
    viz.explain(z, {"x": x})
    assert engine.OBSERVER[0] is None
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        viz.explain(z, {"x": x})
    assert engine.OBSERVER[0] is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        viz.explain(chainrule.ones(2).sum())
    assert engine.OBSERVER[0] is None


def test_a_deep_chain_traces_without_recursion():
    x = chainrule.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0
    t = viz.explain(y, {"x": x})
    assert len(t.steps) == 20001 and float(x.grad) == 1.0
    src = t.graph(names={"x": x}).source
    assert "19,994 more nodes" in src          # drawn as its ends around one counted box


def test_custom_function_and_multi_output_nodes():
    class Cube(chainrule.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * g

    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    a, b = chainrule.split(Cube.apply(x), 1)
    t = viz.explain((a * 2 + b).sum(), {"x": x})
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])
    labels = [s.label for s in t.steps]
    assert "CubeBackward" in labels and labels[-1] == "x"
    cube = t.steps[labels.index("CubeBackward")]
    assert [f.input_name for f in cube.flows] == ["input"] and cube.flows[0].rule is None


def test_edge_gradients_in_the_graph():
    x, z = _seed()
    src = viz.explain(z, {"x": x}, names={"z": z}).graph(names={"x": x, "z": z}).source
    import re
    labels = dict(re.findall(r'^\s*(n\d+) \[id=n\d+, [^\]]*label="([^"]*)"', src, flags=re.M))
    leaf = [k for k, v in labels.items() if v.startswith("x\\n")][0]
    into_leaf = re.findall(rf"^\s*{leaf} -> (n\d+) \[[^\]]*label=\"([^\"]*)\"", src, flags=re.M)
    assert sorted(v for _, v in into_leaf) == ["16", "48", "8"]
    steps = sorted(v.split(":")[0] for v in labels.values() if v.startswith("step "))
    assert steps == [f"step {i}" for i in range(1, 7)]
    out = [k for k, v in labels.items() if v.startswith("z\\n")][0]
    assert re.search(rf"-> {out} \[[^\]]*label=\"1\"", src)          # the seed

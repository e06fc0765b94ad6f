"""Backward formulas that are one op each (tanh's and sigmoid's derivatives,
the transposed matrix products): derivatives of first, second and third order
against torch's, the nodes a backward with create_graph records, and the
composite fallback for operands a single op does not take."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.ops._registry import TensorOps

torch = pytest.importorskip("torch")

RTOL = {np.float32: 2e-5, np.float64: 1e-12}
ATOL = {np.float32: 2e-6, np.float64: 1e-13}


def _close(a, b, dt):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy()
    assert a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=RTOL[dt], atol=ATOL[dt])


def _three_orders(L, f, arrays):
    """f's gradient, the gradient of its squared norm, and the gradient of
    that one's sum: first, second and third derivatives (each kept in the graph)."""
    xs = [L.tensor(a, requires_grad=True) for a in arrays]
    y = f(L, *xs)
    g = L.autograd.grad(y.sum(), xs, create_graph=True)
    s = sum((gi * gi).sum() for gi in g)
    gg = L.autograd.grad(s, xs, create_graph=True)
    t = sum((gi * gi * gi).sum() for gi in gg)
    ggg = L.autograd.grad(t, xs)
    return g, gg, ggg


CASES = {
    "tanh": (lambda L, x: L.tanh(x), [(3, 4)]),
    "sigmoid": (lambda L, x: L.sigmoid(x), [(3, 4)]),
    "tanh(mv)": (lambda L, w, v: L.tanh(L.mv(w, v)), [(5, 3), (3,)]),
    "sigmoid(mm)": (lambda L, a, b: L.sigmoid(a @ b), [(4, 3), (3, 2)]),
    "tanh(mm) twice": (lambda L, a, b: L.tanh(L.tanh(a @ b) @ b.mT), [(4, 3), (3, 2)]),
    "sin(mv) of a vector": (lambda L, w, v: L.sin(L.mv(w, v)) * L.mv(w, v), [(2, 6), (6,)]),
    "F.linear": (lambda L, x, w, b: L.tanh(L.nn.functional.linear(x, w, b)),
                 [(4, 3), (2, 3), (2,)]),
    "relu": (lambda L, x: L.relu(x) * x, [(3, 4)]),
    "relu(mm)": (lambda L, a, b: L.relu(a @ b) ** 2, [(4, 3), (3, 2)]),
}


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(CASES))
def test_three_orders_of_derivative_agree_with_torch(case, dt):
    f, shapes = CASES[case]
    rng = np.random.default_rng(len(case))
    arrays = [rng.standard_normal(s).astype(dt) for s in shapes]
    ours = _three_orders(cr, f, arrays)
    theirs = _three_orders(torch, f, arrays)
    for order_ours, order_theirs in zip(ours, theirs):
        for a, b in zip(order_ours, order_theirs):
            _close(a, b, dt)


@pytest.mark.parametrize("fn, name", [("tanh", "TanhBackwardBackward0"),
                                      ("sigmoid", "SigmoidBackwardBackward0"),
                                      ("relu", "ThresholdBackwardBackward0")])
def test_the_derivative_is_one_node_named_as_torch_names_it(fn, name):
    for L in (cr, torch):
        x = L.tensor([0.3, -1.2, 2.0], requires_grad=True)
        g, = L.autograd.grad(getattr(L, fn)(x).sum(), x, create_graph=True)
        assert g.grad_fn.name() == name


def _graph_nodes(t, stop):
    """The nodes reachable from t's grad_fn, not counting those of `stop`'s graph."""
    seen, old, stack = set(), set(), [stop.grad_fn]
    while stack:
        n = stack.pop()
        if n is not None and n not in old:
            old.add(n)
            stack += [e for e, _ in n.next_functions]
    stack = [t.grad_fn]
    while stack:
        n = stack.pop()
        if n is not None and n not in seen and n not in old:
            seen.add(n)
            stack += [e for e, _ in n.next_functions]
    return seen


def test_a_hessian_vector_product_records_no_more_nodes_than_torch():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((6, 6)).astype(np.float32)
    x0 = rng.standard_normal(6).astype(np.float32)
    counts = {}
    for L in (cr, torch):
        w = L.tensor(w0, requires_grad=True)
        y = L.tanh(L.mv(w, L.tensor(x0))).sum()
        g, = L.autograd.grad(y, w, create_graph=True)
        counts[L.__name__] = len(_graph_nodes(g, y))
    assert counts["chainrule"] <= counts["torch"]


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["float32", "float64"])
def test_hessian_vector_product_of_a_layer_agrees_with_torch(dt):
    rng = np.random.default_rng(1)
    w0, v0 = (rng.standard_normal((8, 8)).astype(dt) * 0.3 for _ in range(2))
    x0 = rng.standard_normal(8).astype(dt)
    out = []
    for L in (cr, torch):
        w = L.tensor(w0, requires_grad=True)
        y = L.tanh(L.mv(w, L.tensor(x0))).sum()
        g, = L.autograd.grad(y, w, create_graph=True)
        hv, = L.autograd.grad((g * L.tensor(v0)).sum(), w)
        out.append((g, hv))
    for a, b in zip(*out):
        _close(a, b, dt)


def test_the_plain_backward_is_the_composite_formula_bit_for_bit():
    """On arrays a fused formula computes exactly the expression it replaces."""
    rng = np.random.default_rng(2)
    for dt in (np.float32, np.float64):
        g, y = rng.standard_normal(7).astype(dt), np.tanh(rng.standard_normal(7)).astype(dt)
        assert (cr.ops._registry.ArrayOps.tanh_backward(g, y) == g * (1 - y * y)).all()
        assert (cr.ops._registry.ArrayOps.sigmoid_backward(g, y) == g * y * (1 - y)).all()
        assert (cr.ops._registry.ArrayOps.relu_backward(g, g) == np.where(g <= 0, 0, g)).all()
        a, b = rng.standard_normal((4, 3)).astype(dt), rng.standard_normal((5, 3)).astype(dt)
        assert (cr.ops._registry.ArrayOps.mm_nt(a, b) == np.matmul(a, b.swapaxes(0, 1))).all()
        v = rng.standard_normal(4).astype(dt)
        assert (cr.ops._registry.ArrayOps.mv_t(a, v) == np.matmul(a.swapaxes(0, 1), v)).all()


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_relu_backward_of_special_values_is_torchs(dt, create_graph):
    """threshold_backward: g where the output is positive or NaN, else exactly 0
    (an infinite or NaN g at a negative input gives 0, a NaN input passes g),
    first and second order."""
    x0 = np.array([np.nan, -1.0, 0.0, 2.0, -0.0, np.inf, -np.inf, 3.0], dt)
    g0 = np.array([5.0, np.inf, -3.0, 1.0, np.nan, 2.0, np.nan, -np.inf], dt)
    out = []
    for L in (cr, torch):
        x = L.tensor(x0, requires_grad=True)
        g = L.tensor(g0, requires_grad=True)
        gx, = L.autograd.grad(L.relu(x), x, g, create_graph=create_graph)
        row = [gx.detach().numpy()]
        if create_graph:
            gg, = L.autograd.grad(gx, g, L.tensor(np.arange(8, dtype=dt)))
            row.append(gg.numpy())
        out.append(row)
    for a, b in zip(*out):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
        assert (np.signbit(a) == np.signbit(b)).all()       # 0, never -0


@pytest.mark.parametrize("dt", [np.float16, np.float32, np.float64],
                         ids=["float16", "float32", "float64"])
def test_relu_backward_bit_mask_shapes(dt):
    """The bit-mask form of threshold_backward on 0-d values, a transposed
    input and a broadcast gradient (sum's), in each float width: torch's
    values and signs."""
    rng = np.random.default_rng(3)
    x2 = rng.standard_normal((5, 4)).astype(dt)
    x2[0, :2] = 0.0
    cases = [(np.array(-2.0, dt), None), (np.array(0.5, dt), None), (x2, "T"), (x2, "sum")]
    for x0, how in cases:
        got = []
        for L in (cr, torch):
            x = L.tensor(x0, requires_grad=True)
            y = L.relu(x.T if how == "T" else x)
            if how == "sum":
                y.sum().backward()
            else:
                y.backward(L.tensor(np.full(tuple(y.shape), -1.5, dt)))
            got.append(x.grad.numpy())
        assert got[0].dtype == got[1].dtype
        np.testing.assert_array_equal(got[0], got[1])
        assert (np.signbit(got[0]) == np.signbit(got[1])).all()


_CLAMPS = {"relu": lambda L, x: L.relu(x),
           "clamp_min": lambda L, x: L.clamp(x, min=0.25),
           "clamp_max": lambda L, x: L.clamp(x, max=-0.25),
           "clamp_both": lambda L, x: L.clamp(x, -0.5, 0.5),
           "hardtanh": lambda L, x: L.nn.functional.hardtanh(x),
           "relu6": lambda L, x: L.nn.functional.relu6(x),
           # (slopes in [0, 1] take maximum(x, slope * x), the others where)
           "leaky_relu": lambda L, x: L.nn.functional.leaky_relu(x),
           "leaky_relu_0.2": lambda L, x: L.nn.functional.leaky_relu(x, 0.2),
           "leaky_relu_1": lambda L, x: L.nn.functional.leaky_relu(x, 1.0),
           "leaky_relu_1.5": lambda L, x: L.nn.functional.leaky_relu(x, 1.5),
           "leaky_relu_-0.3": lambda L, x: L.nn.functional.leaky_relu(x, -0.3)}


@pytest.mark.parametrize("dt", [np.float16, np.float32, np.float64],
                         ids=["float16", "float32", "float64"])
@pytest.mark.parametrize("name", sorted(_CLAMPS))
@pytest.mark.parametrize("n", [0, 1, 7, 40_003])
def test_relu_and_clamps_bits_against_torch(dt, name, n):
    """relu, the one- and two-sided clamps (forward through NumPy's clip
    ufunc where it is faster) and leaky_relu: torch's bits, the sign of zero (-0.0 stays
    -0.0) and NaN included, on sizes that take the vectorised loop and its
    tail; a 0-d input too; and the gradients."""
    rng = np.random.default_rng(n)
    x0 = (rng.standard_normal(n) * 4).astype(dt)
    x0[: min(n, 6)] = np.array([-0.0, 0.0, np.nan, -np.inf, np.inf, -0.25], dt)[: min(n, 6)]
    if n > 100:
        x0[rng.integers(0, n, 50)] = -0.0
        x0[rng.integers(0, n, 5)] = np.nan
    for a in (x0, np.array(-0.0, dt), np.array(3.5, dt)):
        got = []
        for L in (cr, torch):
            x = L.tensor(a, requires_grad=True)
            y = _CLAMPS[name](L, x)
            y.sum().backward()
            grad = x.grad.numpy()
            if name in ("hardtanh", "relu6"):
                # (torch's own gradient at NaN differs by size there: 1 from its
                # scalar loop, 0 from its vectorised one, as its clamp gives; ours 0)
                grad = np.where(np.isnan(a), 0, grad).astype(dt)
            got.append((y.detach().numpy(), grad))
        for ours, theirs in zip(*got):
            assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
            assert ours.tobytes() == theirs.tobytes() or (
                np.array_equal(ours, theirs, equal_nan=True) and
                (np.signbit(ours) == np.signbit(theirs))[~np.isnan(ours)].all())


def test_operands_a_single_op_does_not_take_fall_back_to_the_composite():
    """Mixed dtypes (and broadcasting) go through the composite formula, with
    PyTorch's promotion: the results are torch's."""
    g32 = np.array([0.5, -1.0, 2.0], np.float32)
    y64 = np.array([0.25, 0.5, -0.75])
    ours = TensorOps.tanh_backward(cr.tensor(g32), cr.tensor(y64))
    theirs = torch.tensor(g32) * (1 - torch.tensor(y64) ** 2)
    _close(ours, theirs, np.float64)
    ours = TensorOps.sigmoid_backward(cr.tensor(g32), cr.tensor(0.5))       # broadcast
    assert ours.dtype == cr.float32 and ours.shape == (3,)
    np.testing.assert_allclose(ours.numpy(), g32 * 0.25)
    a, b = np.ones((2, 3), np.float32), np.ones((4, 3), np.float64)
    with pytest.raises(RuntimeError, match="same dtype"):
        TensorOps.mm_nt(cr.tensor(a), cr.tensor(b))
    c = TensorOps.mm_nt(cr.tensor(np.ones((2, 2, 3))), cr.tensor(np.ones((4, 3))))   # batched
    assert c.shape == (2, 2, 4)


def test_constant_steps_of_a_create_graph_backward_still_feed_hooks_tensors():
    """A node whose formulas need no graph (a sum spreading a constant seed)
    runs on arrays; a hook or retain_grad downstream still sees what torch's does."""
    out = {}
    for L in (cr, torch):
        x = L.tensor([0.5, -1.0, 2.0], requires_grad=True)
        h = L.tanh(x * 3)
        h.retain_grad()
        seen = []
        h.register_hook(lambda g: seen.append(g.clone()))
        g, = L.autograd.grad((h.sum() * 2).sum(), x, create_graph=True)
        gg, = L.autograd.grad(g.sum(), x)
        out[L.__name__] = (g, gg, seen[0], h.grad)
        assert not seen[0].requires_grad and not h.grad.requires_grad
    for a, b in zip(out["chainrule"], out["torch"]):
        _close(a, b, np.float32)


def test_a_gradient_asked_for_at_a_non_leaf_is_torchs_view():
    """grad() of a sum with respect to an intermediate tensor, with create_graph:
    the gradient torch returns (an expanded view of the seed), not a bare array."""
    for L in (cr, torch):
        x = L.tensor([0.5, -1.0, 2.0], requires_grad=True)
        h = x * 3
        g, = L.autograd.grad(h.sum(), h, create_graph=True)
        assert g._is_view() and (g == 1).all()
        with pytest.raises(RuntimeError, match="more than one element"):
            g.add_(1)


def test_a_hessian_vector_product_of_modules_parameters_agrees_with_torch():
    """(weights are nn.Parameters: the single-op products take them too)"""
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal((5, 4)).astype(np.float32)
    weights = [rng.standard_normal(s).astype(np.float32) * 0.5 for s in ((6, 4), (6,), (1, 6), (1,))]
    out = {}
    for L in (cr, torch):
        lin1, lin2 = L.nn.Linear(4, 6), L.nn.Linear(6, 1)
        with L.no_grad():
            for p, a in zip((lin1.weight, lin1.bias, lin2.weight, lin2.bias), weights):
                p.copy_(L.tensor(a))
        ps = [lin1.weight, lin2.weight]
        y = lin2(L.sigmoid(lin1(L.tensor(x0)))).pow(2).mean()
        gs = L.autograd.grad(y, ps, create_graph=True)
        hv = L.autograd.grad(sum((g * g).sum() for g in gs), ps)
        out[L.__name__] = [t.detach().numpy() for t in (*gs, *hv)]
    for a, b in zip(out["chainrule"], out["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_the_single_op_products_take_parameters():
    w = cr.nn.Parameter(cr.ones(3, 2))
    g = cr.ones(4, 2, requires_grad=True)
    for prod in (TensorOps.mm_nt(g, w), TensorOps.mm_tn(w, w), TensorOps.tanh_backward(w, w)):
        assert [type(e).__name__ for e, _ in prod.grad_fn.next_functions] == ["AccumulateGrad"] * 2


@pytest.mark.parametrize("dt", [np.float16, np.float32, np.float64],
                         ids=["float16", "float32", "float64"])
def test_where_by_bits_against_numpy_and_torch(dt, monkeypatch):
    """torch.where and the formulas' F.where choose the bits by a mask for
    large float operands (see pointwise._blend): the bits np.where and
    torch.where give, NaN payloads and signs of zero included, under
    broadcasting of each argument, literal zeros, non-contiguous and mixed
    dtype operands; gradients through a large where as torch's."""
    from chainrule.ops import pointwise
    from chainrule.ops.pointwise import _select
    monkeypatch.setattr(pointwise, "_BLEND_MIN", 1)      # (by bits at every size here)
    monkeypatch.setattr(pointwise, "_BLEND_MIN_ZERO", 1)
    rng = np.random.default_rng(7)
    a = rng.standard_normal((70, 80)).astype(dt)
    b = rng.standard_normal((70, 80)).astype(dt)
    a[0, :4] = [np.nan, -0.0, np.inf, -np.nan]
    b[1, :4] = [np.nan, -0.0, -np.inf, 0.0]
    c = rng.random((70, 80)) > 0.5
    cases = [(c, a, b), (c, a, 0), (c, 0, b), (c, a, 0.0), (c, a, -0.0), (c, -0.0, b),
             (c, a, 1.5), (c, a[:, :1], b), (c, a, b[0]), (c[:, ::-1], a.T.copy().T, b[::-1]),
             (c, np.array(2.0, dt), b), (c[0], a, b), (rng.random((3, 70, 80)) > 0.5, a, b),
             (c, a, b.astype(np.float64)), (c, a.astype(np.float32), b.astype(np.float64))]
    for cond, x, y in cases:
        got, want = _select(cond, x, y), np.where(cond, x, y)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.tobytes() == want.tobytes()
    for cond, x, y in cases[:3] + cases[7:9]:
        ours = cr.where(cr.tensor(cond), *(cr.tensor(v) if isinstance(v, np.ndarray) else v
                                          for v in (x, y)))
        theirs = torch.where(torch.tensor(cond), *(torch.tensor(v) if isinstance(v, np.ndarray)
                                                   else v for v in (x, y)))
        assert ours.numpy().tobytes() == theirs.numpy().tobytes()
    grads = []
    for L in (cr, torch):
        x, y = L.tensor(a, requires_grad=True), L.tensor(b, requires_grad=True)
        (L.where(L.tensor(c), x, y) * L.tensor(b)).sum().backward()
        grads.append((x.grad.numpy(), y.grad.numpy()))
    for ours, theirs in zip(*grads):
        assert ours.tobytes() == theirs.tobytes()


_SELECTS = {
    "leaky_relu_-0.3": lambda F, x, y: F.leaky_relu(x, -0.3),
    "elu": lambda F, x, y: F.elu(x), "selu": lambda F, x, y: F.selu(x),
    "celu": lambda F, x, y: F.celu(x, 0.7), "softplus": lambda F, x, y: F.softplus(x, 2.0, 1.0),
    "hardshrink": lambda F, x, y: F.hardshrink(x, 0.4),
    "softshrink": lambda F, x, y: F.softshrink(x, 0.4),
    "threshold": lambda F, x, y: F.threshold(x, 0.1, -2.0),
    "prelu": lambda F, x, y: F.prelu(x, x.new_tensor([0.25])),
    "smooth_l1": lambda F, x, y: F.smooth_l1_loss(x, y, reduction="none", beta=0.5),
    "huber": lambda F, x, y: F.huber_loss(x, y, reduction="none", delta=0.7),
    "hardswish": lambda F, x, y: F.hardswish(x),
}


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(_SELECTS))
def test_selects_by_bits_are_np_where_bits(dt, name, monkeypatch):
    """The ops whose forwards or formulas select with where give, on arrays
    large enough for the selection by bits, the very bits np.where gives
    (forward, gradient and second derivative), NaN and -0.0 included."""
    from chainrule.ops import pointwise
    rng = np.random.default_rng(11)
    a = (rng.standard_normal(20_001) * 2).astype(dt)
    a[:5] = [np.nan, -0.0, 0.0, 0.4, -0.4]
    b = (rng.standard_normal(20_001) * 2).astype(dt)
    runs = []
    for limit in (1, 10 ** 12):                              # by bits, then np.where
        monkeypatch.setattr(pointwise, "_BLEND_MIN", limit)
        monkeypatch.setattr(pointwise, "_BLEND_MIN_ZERO", limit)
        x, y = cr.tensor(a, requires_grad=True), cr.tensor(b)
        out = _SELECTS[name](cr.nn.functional, x, y)
        (g,) = cr.autograd.grad((out * out).sum(), x, create_graph=True)
        (h,) = cr.autograd.grad(g.sum(), x)
        runs.append([t.detach().numpy().tobytes() for t in (out, g, h)])
    assert runs[0] == runs[1]

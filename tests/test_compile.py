"""chainrule.compile: a replayed call gives exactly the eager results and
gradients (values bit for bit, .grad, requires_grad), Python control flow
becomes guards (other paths record new variants), tensors from outside are
read afresh, and what cannot be replayed runs eagerly with a warning."""
import warnings

import numpy as np
import pytest

import chainrule as torch
from _backends import numpy_only


def _poly(x):
    return torch.pow(x, 3) + 2 * torch.pow(x, 2) + 8 * x


def _seed_control_flow(a):
    # seed 001's function: a loop and a branch on tensor values
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def _grads(fn, values, dtype=torch.float32):
    x = torch.tensor(values, dtype=dtype, requires_grad=True)
    y = fn(x)
    (y if y.dim() == 0 else y.sum()).backward()
    return y.detach().numpy(), x.grad.numpy(), y


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def test_the_polynomial_replays_with_eager_values_and_gradients():
    f = torch.compile(_poly)
    for v in [4.0, 4.0, 2.0, -1.5, 0.0]:
        ey, eg, _ = _grads(_poly, v)
        cy, cg, y = _grads(f, v)
        _same(cy, ey)
        _same(cg, eg)
    assert float(_grads(f, 4.0)[1]) == 72.0
    assert type(y.grad_fn).__name__ == "CompiledFunctionBackward"
    (prog,) = list(f._variants.values())[0]
    assert len(prog.backward) == 6            # the recorded nodes, replayed by one


@pytest.mark.parametrize("values", [[0.5, 0.2], [0.4, 0.2], [-0.5, 0.2], [3.0, -400.0],
                                    [1e-3, 1e-3], [0.5, 0.2]])
def test_control_flow_becomes_guards(values):
    f = torch.compile(_seed_control_flow)
    for vs in ([0.5, 0.2], values, [0.5, 0.2], values):       # recorded paths, then replays
        ey, eg, _ = _grads(_seed_control_flow, vs)
        cy, cg, _ = _grads(f, vs)
        _same(cy, ey)
        _same(cg, eg)
    assert "guard bool(" in f.explain()


def test_every_variant_is_kept_and_replayed():
    f = torch.compile(_seed_control_flow)
    inputs = [[0.5, 0.2], [0.4, 0.2], [-0.5, 0.2]]
    for vs in inputs:
        _grads(f, vs)
    (programs,) = f._variants.values()
    assert len(programs) == 3
    from chainrule._compiler.program import MISS
    hits = []
    original = type(programs[0]).run

    def counting(self, flat):
        r = original(self, flat)
        hits.append(r is not MISS)
        return r
    type(programs[0]).run = counting
    try:
        for vs in inputs:
            _grads(f, vs)
    finally:
        type(programs[0]).run = original
    assert len(programs) == 3                     # nothing recorded again
    assert hits.count(True) == 3                  # each call replayed one of them


def test_a_module_reads_its_parameters_afresh():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    compiled = torch.compile(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(5, 3)
    y = torch.randn(5, 1)
    for step in range(4):
        opt.zero_grad()
        out = compiled(x)
        loss = torch.nn.functional.mse_loss(out, y)
        loss.backward()
        grads = [p.grad.clone() for p in model.parameters()]
        opt.zero_grad()
        ref = torch.nn.functional.mse_loss(model(x), y)
        ref.backward()
        _same(loss.detach().numpy(), ref.detach().numpy())
        for g, p in zip(grads, model.parameters()):
            _same(g.numpy(), p.grad.numpy())
        opt.step()
    # attributes pass through to the module, as torch.compile's OptimizedModule
    assert all(a is b for a, b in zip(compiled.parameters(), model.parameters()))
    assert compiled._orig_mod is model


def test_against_torch_on_broadcasting_reductions_and_matmul():
    ref = pytest.importorskip("torch")

    def fn(lib, w, x, b):
        h = lib.tanh(x @ w + b)
        return (h.softmax(-1) * h).sum(0).mean() + (w ** 2).sum() / 7

    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((4, 3)), rng.standard_normal((6, 4)), rng.standard_normal(3)]
    f = torch.compile(lambda w, x, b: fn(torch, w, x, b))
    for _ in range(3):
        ts = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = f(*ts)
        out.backward()
        rs = [ref.tensor(a, requires_grad=True) for a in arrays]
        rout = fn(ref, *rs)
        rout.backward()
        np.testing.assert_allclose(out.detach().numpy(), rout.detach().numpy(), rtol=1e-12)
        for t, r in zip(ts, rs):
            np.testing.assert_allclose(t.grad.numpy(), r.grad.numpy(), rtol=1e-10, atol=1e-14)
        arrays = [a * 1.1 for a in arrays]


def test_second_derivatives_through_a_compiled_function():
    f = torch.compile(lambda x: (torch.sin(x) * x).sum())
    for i in range(4):
        x = torch.tensor([0.3, -1.2 + i], dtype=torch.float64, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            (g,) = torch.autograd.grad(f(x), x, create_graph=True)
        (h,) = torch.autograd.grad(g.sum(), x)
        xd = x.detach().numpy()
        np.testing.assert_allclose(g.detach().numpy(), np.sin(xd) + xd * np.cos(xd))
        np.testing.assert_allclose(h.numpy(), 2 * np.cos(xd) - xd * np.sin(xd))
        # the first replayed call's backward with create_graph reran the function;
        # from then on the signature runs eagerly, told once
        texts = [str(w.message) for w in caught]
        assert (i == 1) == any("differentiated with create_graph" in t for t in texts)
    (why,) = f._variants.values()
    assert why == "its outputs are differentiated with create_graph"
    assert f(x).grad_fn.name() == "SumBackward0"            # an eager graph


def test_grad_mode_shapes_and_arguments_make_signatures():
    f = torch.compile(lambda x, k=2.0: x * k + 1)
    with torch.no_grad():
        y = f(torch.ones(2, requires_grad=True))
    assert not y.requires_grad
    assert f(torch.ones(2, requires_grad=True)).requires_grad
    assert f(torch.ones(3)).shape == (3,)
    assert f(torch.ones(2), k=3.0).tolist() == [4.0, 4.0]
    assert f(torch.ones(2), k=5.0).tolist() == [6.0, 6.0]      # a new value: a new signature
    assert f(torch.ones(2), k=3.0).tolist() == [4.0, 4.0]
    assert f(torch.ones(2, dtype=torch.float64)).dtype == torch.float64
    assert len(f._variants) == 6


def test_item_values_are_guarded():
    def fn(x):
        s = x.sum().item()
        return x * s
    f = torch.compile(fn)
    for v in ([1.0, 2.0], [1.0, 2.0], [3.0, 1.0], [1.0, 2.0]):
        _same(f(torch.tensor(v)).numpy(), fn(torch.tensor(v)).numpy())


@pytest.mark.parametrize("body,why", [
    (lambda x: x.clone().add_(1), "in-place"),
    (lambda x: x * torch.rand(x.shape), "random"),
    (lambda x: torch.tensor(x.detach().numpy() * 2) + x, "numpy()"),
    (lambda x: x.sum().backward() or x * 2, "backward"),
    (lambda x: torch.func.vmap(torch.sin)(x) * 2, "vmap"),
])
def test_what_cannot_be_replayed_runs_eagerly(body, why):
    f = torch.compile(body)
    torch.manual_seed(0)
    x = torch.ones(3, requires_grad=True)
    with pytest.warns(UserWarning, match="chainrule.compile: cannot compile"):
        first = f(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # warned once
        for _ in range(2):
            torch.manual_seed(1)
            again = f(x)
            torch.manual_seed(1)
            _same(again.detach().numpy(), body(x).detach().numpy())
    assert first.shape == (3,)
    assert "runs eagerly" in f.explain()


def test_too_many_variants_fall_back_with_a_warning():
    f = torch.compile(lambda x: x * 2 if x.item() > 0 else x)
    with pytest.warns(UserWarning, match="variants"):
        for v in range(1, 12):
            f(torch.tensor(float(v)))
    assert f(torch.tensor(3.0)).item() == 6.0


def test_the_seed_polynomial_explained():
    f = torch.compile(_poly)
    f(torch.tensor(4.0, requires_grad=True))
    text = f.explain()
    assert "6 array calls" in text and "pow(arg0, 3" in text and "backward: 6 nodes" in text


def _message(fn):
    try:
        fn()
    except RuntimeError as e:
        return str(e).splitlines()[0]
    return None


def test_misuse_raises_as_in_eager_mode():
    def scenario(f, modify):
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        y = f(w)
        if modify:
            with torch.no_grad():
                w.add_(1)
        y.backward()
        return y
    body = lambda w: (w * w).sum()       # noqa: E731
    f = torch.compile(body)
    scenario(f, False)                    # recorded
    eager = _message(lambda: scenario(body, True))
    assert eager is not None and "modified by an inplace operation" in eager
    assert _message(lambda: scenario(f, True)) == eager
    # a second backward through the freed graph
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = f(w)
    y.backward(retain_graph=True)
    y.backward()
    assert w.grad.tolist() == [4.0, 8.0]
    assert _message(y.backward) == _message(lambda: (lambda z: (z.backward(), z.backward()))(
        body(torch.tensor([1.0, 2.0], requires_grad=True))))


def test_several_outputs_and_hooks():
    body = lambda x: (x.sin() * 2, x.cos().sum(), 3)     # noqa: E731
    f = torch.compile(body)
    for _ in range(3):
        x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
        a, b, c = f(x)
        seen = []
        a.register_hook(lambda g: seen.append(g.tolist()))
        (a.sum() + b).backward()
        xr = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
        ar, br, cr = body(xr)
        (ar.sum() + br).backward()
        _same(a.detach().numpy(), ar.detach().numpy())
        _same(x.grad.numpy(), xr.grad.numpy())
        assert c == 3 and seen == [[1.0, 1.0]]


def test_copy_construction_inside_is_refused():
    body = lambda x: torch.tensor(x) * 2         # noqa: E731
    f = torch.compile(body)
    with pytest.warns(UserWarning):
        f(torch.tensor([1.0, 2.0]))
    with pytest.warns(UserWarning, match="copy construct"):         # (torch's own warning)
        assert f(torch.tensor([3.0, 5.0])).tolist() == [6.0, 10.0]


def test_a_value_computed_behind_the_dispatch_point_is_caught_on_new_inputs():
    def body(x):
        hidden = torch.Tensor._make(x._data * 3)   # no op recorded: baked in when captured
        return x + hidden
    f = torch.compile(body)
    f(torch.tensor([1.0, 2.0]))
    assert f(torch.tensor([1.0, 2.0])).tolist() == [4.0, 8.0]        # the recorded inputs
    with pytest.warns(UserWarning, match="differs from eager mode on new inputs"):
        assert f(torch.tensor([2.0, 0.0])).tolist() == [8.0, 0.0]
    assert f(torch.tensor([5.0, 1.0])).tolist() == [20.0, 4.0]     # eager from then on


def test_cross_entropy_of_a_small_mlp_against_eager():
    # (cross_entropy hands an op a None among its arrays: a constant like any other)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    body = lambda x, y: torch.nn.functional.cross_entropy(model(x), y)     # noqa: E731
    f = torch.compile(body)
    y = torch.tensor([0, 1, 2, 1])
    for step in range(3):
        x = torch.randn(4, 6)
        loss = f(x, y)
        loss.backward()
        got = [p.grad.clone() for p in model.parameters()]
        model.zero_grad()
        ref = body(x, y)
        ref.backward()
        _same(loss.detach().numpy(), ref.detach().numpy())
        for g, p in zip(got, model.parameters()):
            _same(g.numpy(), p.grad.numpy())
        model.zero_grad()


INDEXING = {
    "repeat": lambda x: x.repeat(2, 1) * 2,
    "flip": lambda x: x.flip(0) * 2,
    "tensor_index": lambda x: x[torch.tensor([1, 0])],
    "list_index": lambda x: x[[1, 0, 1]] * 3,
    "gather": lambda x: x.gather(1, torch.tensor([[0], [1]])),
    "sort": lambda x: x.sort(dim=0)[0] * 2,
    "max_dim": lambda x: x.max(dim=0)[0] * 2,
    "topk": lambda x: x.flatten().topk(2)[0],
    "embedding": lambda x: torch.nn.functional.embedding(torch.tensor([1, 0, 1]), x),
    "masked": lambda x: x[x > 0.5] * 2,               # (runs eagerly: a computed mask)
}


@pytest.mark.parametrize("name", sorted(INDEXING))
def test_indexing_and_selection_against_eager(name):
    fn = INDEXING[name]
    f = torch.compile(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # (the masked case says it runs eagerly)
        for v in ([[0.1, 0.9], [0.7, 0.3]], [[0.8, 0.2], [0.4, 0.6]], [[0.3, 0.5], [0.9, 0.1]],
                  [[0.1, 0.9], [0.7, 0.3]]):
            a = torch.tensor(v, requires_grad=True)
            b = torch.tensor(v, requires_grad=True)
            got, ref = f(a), fn(b)
            got.sum().backward()
            ref.sum().backward()
            _same(got.detach().numpy(), ref.detach().numpy())
            _same(a.grad.numpy(), b.grad.numpy())


def test_second_derivatives_when_the_input_comes_from_a_node():
    # (the compiled node's edges are nodes: the engine's array path for
    # constant nodes must not take it)
    f = torch.compile(lambda y: (y ** 3).sum())
    for _ in range(3):
        x = torch.tensor([0.5, -2.0], dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(f(x * 1.0), x, create_graph=True)
        (h,) = torch.autograd.grad(g.sum(), x)
        np.testing.assert_allclose(g.detach().numpy(), 3 * x.detach().numpy() ** 2)
        np.testing.assert_allclose(h.numpy(), 6 * x.detach().numpy())


def test_a_custom_function_without_grad_is_recorded_inside():
    # (its forward's ops reach the capture; clearing forward mode inside a
    # Function's forward must not hide them)
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            raise AssertionError("not reached: nothing requires grad")

    f = torch.compile(lambda x: Cube.apply(x) * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for v in ([1.0, 2.0], [3.0, -1.0], [0.5, 4.0]):
            assert f(torch.tensor(v)).tolist() == [2 * a ** 3 for a in v]


@numpy_only("the other library is the strict one, NumPy's arrays the default")
def test_arrays_of_another_library_get_their_own_program():
    # (same shape and dtype, another array library: the NumPy program's
    # forwards must not be replayed on them)
    import _strict_array as S
    f = torch.compile(lambda x: (x * 2).sum())
    f(torch.ones(2))
    f(torch.ones(2))
    r = f(torch.Tensor._make(S.StrictArray(np.ones(2, np.float32))))
    assert type(r._data) is S.StrictArray and r.item() == 4.0
    assert len(f._variants) == 2


class _Cube(torch.autograd.Function):
    """x ** 3 as a custom Function (its node is none of the registry's)."""
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a ** 3

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * 3 * a ** 2


def test_a_custom_function_inside_runs_eagerly_with_fresh_graphs():
    # (its output's node is not a recorded one: the replay's backward would
    # reach the first call's node, its graph freed, and the first call's input)
    def fn(x):
        return torch.asinh(_Cube.apply(x)) * 2
    f = torch.compile(fn)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for v in ([0.5, 1.5], [0.5, 1.5], [2.0, -1.0]):
            x = torch.tensor(v, dtype=torch.float64, requires_grad=True)
            f(x).sum().backward()
            xd = np.array(v)
            np.testing.assert_allclose(x.grad.numpy(), 2 * 3 * xd ** 2 / np.sqrt(xd ** 6 + 1))
    assert any("custom Function" in str(w.message) for w in caught)


def test_retain_grad_inside_on_new_input_values():
    # (the first replay on new values is checked against an eager run in the
    # call's own grad mode: retain_grad() under no_grad would raise)
    def fn(x):
        y = x * 3
        y.retain_grad()
        return (y.sin() * y).sum()
    f = torch.compile(fn)
    for v in ([0.5, 1.5], [0.5, 1.5], [0.25, -1.0], [0.25, -1.0]):
        x = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        f(x).backward()
        x2 = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        fn(x2).backward()
        _same(x.grad.numpy(), x2.grad.numpy())

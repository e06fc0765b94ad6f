"""chainrule.compile's replay at the NumPy floor: the inlined backward
(formulas traced once at capture, numbers folded to 0-d arrays), the
generated one-output call, the engine's one-node walk.  Every rule keeps
eager mode's values bit for bit and torch's mathematics: gradients from
their formulas, fresh outputs at every call, the guarded paths of the seed."""
import warnings

import numpy as np
import pytest

import chainrule as torch
from chainrule._compiler import inline
from _backends import numpy_only

# (the inlined backward is generated for NumPy's arrays only; other libraries
# keep generate_backward's)
inlined = numpy_only("the inlined backward")

try:
    import torch as real_torch
except ImportError:                    # pragma: no cover - torch absent
    real_torch = None
needs_torch = pytest.mark.skipif(real_torch is None, reason="torch is not installed")


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def _program(f):
    (programs,) = f._variants.values()
    return programs[0]


def _poly(x):
    return x ** 3 + 2 * x ** 2 + 8 * x


@inlined
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(), (1,), (3, 2), (0,)])
def test_the_inlined_backward_of_the_polynomial_is_its_derivative(dtype, shape):
    f = torch.compile(lambda x: _poly(x).sum())
    rng = np.random.default_rng(0)
    for _ in range(4):
        v = rng.normal(size=shape) * 3
        x = torch.tensor(v, dtype=dtype, requires_grad=True)
        f(x).backward()
        x2 = torch.tensor(v, dtype=dtype, requires_grad=True)
        _poly(x2).sum().backward()
        _same(x.grad.numpy(), x2.grad.numpy())          # eager, bit for bit
        want = 3 * v ** 2 + 4 * v + 8                    # d/dx (x^3 + 2x^2 + 8x)
        np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-5 if dtype == torch.float32
                                   else 1e-12, atol=1e-5)
    p = _program(f)
    src = p.back.source
    assert "SLOW(v, gs)" in src and "f0_0(" not in src   # inlined, no formula calls
    assert "c3_" in src and "c8_" in src                # the exponent and the 8, folded


@inlined
def test_the_inlined_backward_reads_fresh_values_at_each_call():
    f = torch.compile(lambda x, w: (torch.tanh(x @ w) * w.sum()).mean())
    for seed in range(3):
        rng = np.random.default_rng(seed)
        xv, wv = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
        grads = []
        for fn in (f, lambda x, w: (torch.tanh(x @ w) * w.sum()).mean()):
            x = torch.tensor(xv, requires_grad=True)
            w = torch.tensor(wv, requires_grad=True)
            fn(x, w).backward()
            grads.append((x.grad.numpy(), w.grad.numpy()))
        for a, b in zip(*grads):
            _same(a, b)
    assert "F_mm" in _program(f).back.source or "@" in _program(f).back.source


@needs_torch
@inlined
def test_broadcast_and_gradcheck_through_the_inlined_backward():
    def fn(a, b):
        return ((a * b + b / 3.0 - a ** 2) * 0.5).sum()
    f = torch.compile(fn)
    rng = np.random.default_rng(1)
    for _ in range(3):
        av, bv = rng.normal(size=(3, 1)), rng.normal(size=(4,)) + 2.0
        a = torch.tensor(av, requires_grad=True)
        b = torch.tensor(bv, requires_grad=True)
        f(a, b).backward()
        ta = real_torch.tensor(av, requires_grad=True)
        tb = real_torch.tensor(bv, requires_grad=True)
        fn(ta, tb).backward()
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-12)
    assert "SLOW" in _program(f).back.source
    a = torch.tensor(rng.normal(size=(3, 1)), requires_grad=True)
    b = torch.tensor(rng.normal(size=(4,)) + 2.0, requires_grad=True)
    assert torch.autograd.gradcheck(f, (a, b))


@inlined
def test_a_difference_from_the_generic_backward_keeps_the_generic_one(monkeypatch):
    monkeypatch.setattr(inline, "_same", lambda a, b: False)
    f = torch.compile(lambda x: _poly(x).sum())
    for v in (4.0, 2.0):
        x = torch.tensor([v], requires_grad=True)
        f(x).backward()
        assert float(x.grad) == 3 * v * v + 4 * v + 8
    assert "f0_0(" in _program(f).back.source         # the formulas called, not inlined


def test_a_stand_in_refuses_conversions_to_python():
    tracer = inline._Tracer({})
    s = inline._Sym("t", np.ones(3), tracer)
    for convert in (bool, float, len, list):
        with pytest.raises(inline._Untraceable):
            convert(s)
    assert s.__class__ is np.ndarray and isinstance(s, np.ndarray)   # as the real value's
    t = (s * 2.0 + 1) / s
    assert tracer.lines[-1].endswith("/ t")
    _same(inline._real(t), (np.ones(3) * 2.0 + 1) / np.ones(3))


@inlined
def test_a_gradient_given_with_another_dtype_takes_the_generic_backward():
    f = torch.compile(lambda x: x * 3.0)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        x.grad = None
        f(x).backward(torch.tensor([1.0, 2.0], dtype=torch.float64))
        _same(x.grad.numpy(), np.array([3.0, 6.0], np.float32))


# --- fresh outputs at every call -------------------------------------------------------------
def test_a_returned_tensor_is_not_overwritten_by_the_next_call():
    f = torch.compile(lambda x: x * 2.0 + 1)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    outs = [f(x) for _ in range(4)]
    with torch.no_grad():
        x.mul_(10)
    outs.append(f(x))
    for y in outs[:4]:
        _same(y.detach().numpy(), np.array([3.0, 5.0], np.float32))
    _same(outs[4].detach().numpy(), np.array([21.0, 41.0], np.float32))
    outs[1].detach().zero_()                  # no two calls share an output's storage
    for i, y in enumerate(outs[:4]):
        _same(y.detach().numpy(), np.zeros(2, np.float32) if i == 1 else
              np.array([3.0, 5.0], np.float32))


def test_gradients_of_separate_calls_are_separate_arrays():
    f = torch.compile(lambda x: (x + 1).sum())       # (its backward passes the seed on)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    grads = []
    for _ in range(3):
        x.grad = None
        f(x).backward()
        grads.append(x.grad)
    grads[0].add_(5)                               # a user's in-place change of one .grad
    _same(grads[1].numpy(), np.ones(2, np.float32))
    _same(grads[2].numpy(), np.ones(2, np.float32))
    f(x).backward()                                # accumulated into the existing .grad
    _same(x.grad.numpy(), np.full(2, 2.0, np.float32))


# --- the seed's control flow: its loop and branch as guards ------------------------------------
def _seed_f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


@pytest.mark.parametrize("others", [[0.0139, 0.5, -0.0139, 700.0, -3.0, 1e-3, 0.0139]])
def test_the_seed_control_flow_on_a_0d_input_takes_other_paths(others):
    f = torch.compile(_seed_f)
    for v in [0.0139, 0.0139] + others:
        a = torch.tensor(v, requires_grad=True)
        y = f(a)
        y.backward()
        b = torch.tensor(v, requires_grad=True)
        z = _seed_f(b)
        z.backward()
        _same(y.detach().numpy(), z.detach().numpy())
        _same(a.grad.numpy(), b.grad.numpy())
        # the mathematics: c = 2^(n+1) a, times 100 where it is negative
        n = 0
        while abs(v * 2 ** (n + 1)) < 1000:
            n += 1
        factor = 2.0 ** (n + 1) * (1 if v * 2 > 0 else 100)
        np.testing.assert_allclose(float(a.grad), factor, rtol=1e-6)
    assert len(f._variants[next(iter(f._variants))]) >= 4     # a variant per path


# --- conversions to Python inside a compiled step ------------------------------------------
def test_loss_item_inside_a_step_runs_the_step_eagerly_with_one_warning():
    # (zero_grad's .grad = None is an effect, and a replay checks every guard
    # before its first effect: a conversion after it cannot be replayed)
    def make():
        torch.manual_seed(0)
        model = torch.nn.Linear(2, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        logged = []

        def step(x, y):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            logged.append(loss.item())
            loss.backward()
            opt.step()
            return loss
        return step, model, logged
    x, y = torch.ones(4, 2), torch.zeros(4, 1)
    (step, model, logged), (step2, model2, logged2) = make(), make()
    f = torch.compile(step)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        losses = [f(x, y) for _ in range(6)]
    assert [str(m.message) for m in w] == [
        "chainrule.compile: cannot compile step: a conversion of a tensor to Python after an "
        "in-place change or a backward (a replay could no longer stop there); return the "
        "tensor; it runs eagerly"]
    eager = [step2(x, y) for _ in range(6)]
    assert logged == logged2 and [float(a) for a in losses] == [float(b) for b in eager]
    _same(model.weight.detach().numpy(), model2.weight.detach().numpy())


def test_a_0d_output_and_input_replay():
    f = torch.compile(lambda a: (a * a - 3.0 * a).sum())
    for v in (2.0, 2.0, -1.0, 0.0):
        a = torch.tensor(v, requires_grad=True)
        y = f(a)
        y.backward()
        assert y.dim() == 0 and y.grad_fn is not None
        assert float(a.grad) == 2 * v - 3


# --- the engine's one-node walk --------------------------------------------------------------
@needs_torch
def test_one_node_backwards_match_torch_with_hooks_retain_and_repeated_leaves():
    for lib in (torch, real_torch):
        w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        seen = []
        w.sum().backward()
        (w * 3).sum().backward()                    # two nodes
        w.register_hook(lambda g: seen.append(g.sum().item()) or g * 2)
        w.sum().backward()                          # a hook on the leaf: the full walk
        y = w.exp()
        y.backward(lib.ones(3), retain_graph=True)
        y.backward(lib.ones(3))                     # retained once
        with pytest.raises(RuntimeError) as e:
            y.backward(lib.ones(3))
        assert "Trying to backward through the graph a second time" in str(e.value)
        v = lib.tensor([0.5, 1.5], requires_grad=True)
        v.grad = lib.tensor([1.0, 1.0])
        (v * v).sum().backward()                    # a leaf twice: summed, then accumulated
        if lib is torch:
            mine = (w.grad.numpy().copy(), v.grad.numpy().copy(), list(seen))
        else:
            theirs = (w.grad.numpy().copy(), v.grad.numpy().copy(), list(seen))
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-6)
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-6)
    assert mine[2] == theirs[2]


@inlined
def test_explain_shows_the_generated_code():
    f = torch.compile(lambda x: _poly(x).sum())
    x = torch.tensor([4.0], requires_grad=True)
    for _ in range(2):
        f(x).backward()
    text = f.explain(code=True)
    assert "generated call:" in text and "def call(flat):" in text
    assert "generated backward:" in text and "F_pow(v[0], c2_float32)" in text
    assert "def call" not in f.explain()


@inlined
def test_a_formula_that_turns_values_into_python_is_called_the_others_inlined(monkeypatch):
    from chainrule.ops import pointwise
    node = pointwise.POW.Node
    (fn, slots), other = node.formulas

    def branching(F, g, a, b):            # (a Python branch on the values: not traceable)
        if bool((g == g).all()):
            return fn(F, g, a, b)
        return g * 0
    monkeypatch.setattr(node, "formulas", ((branching, slots), other))
    f = torch.compile(lambda x: _poly(x).sum())
    for v in (4.0, 4.0, 1.5):
        x = torch.tensor([v, -v], requires_grad=True)
        f(x).backward()
        x2 = torch.tensor([v, -v], requires_grad=True)
        _poly(x2).sum().backward()
        _same(x.grad.numpy(), x2.grad.numpy())
        np.testing.assert_allclose(x.grad.numpy(), 3 * np.array([v, -v]) ** 2 +
                                   4 * np.array([v, -v]) + 8, rtol=1e-6)
    src = _program(f).back.source
    assert "SLOW(v, gs)" in src and src.count("(A, g") + src.count("(A, t") == 2   # the two pows
    assert "c8_float32" in src                   # the others inlined


# --- 0-d values as NumPy scalars, operators for arithmetic and comparisons ----------------------
def _scalar_mix(a, n):
    b = a / 0.0 if n == 0 else a * 3.0 - 1.0     # inf, -inf or nan at 0: no warning
    if (b - b != b - b).any():                      # (nan != nan)
        b = a * 2.0
    while (b * b) < 50.0:
        b = b + 1.5 / (a + 1.0)
    return (b <= 60.0).float() * b / 2.0


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
def test_0d_arithmetic_and_comparisons_replay_as_eagerly(dtype):
    f = torch.compile(_scalar_mix)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for v, n in [(0.5, 1), (0.5, 1), (2.0, 1), (0.0, 0), (0.0, 0), (-3.0, 0), (40.0, 1)]:
            a = torch.tensor(v, dtype=dtype, requires_grad=True)
            y = f(a, n)
            y.backward()
            b = torch.tensor(v, dtype=dtype, requires_grad=True)
            z = _scalar_mix(b, n)
            z.backward()
            assert type(y._data) is type(z._data) and y.dtype == z.dtype
            _same(y.detach().numpy(), z.detach().numpy())
            if b.grad is None:
                assert a.grad is None
            else:
                _same(a.grad.numpy(), b.grad.numpy())


@inlined
def test_0d_comparisons_in_a_loop_are_scalar_operators():
    f = torch.compile(_seed_f)
    for _ in range(2):
        f(torch.tensor(0.0139, requires_grad=True)).backward()
    src = _program(f).forward.source
    assert " < CS" in src                     # the loop's test: a scalar comparison
    assert "= abs(v" in src                   # the 2-norm of a 0-d float: its absolute value
    assert "if not v" in src and "G3(" not in src   # bool() guards written as `if`
    ints = torch.compile(lambda a: a * 3 if (a * 3 < 100) else a)   # (integers: the ufunc)
    for v in (5, 5, 50):
        t = torch.tensor(v)
        _same(ints(t).numpy(), np.array(v * 3 if v * 3 < 100 else v))


@inlined
def test_the_backward_inside_a_training_step_is_inlined_and_exact():
    def run(compiled):
        torch.manual_seed(3)
        model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        x = torch.linspace(-1, 1, 12).reshape(6, 2)
        y = (x[:, :1] * x[:, 1:]).sin()

        def step():
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss
        fn = torch.compile(step) if compiled else step
        losses = [fn().detach().numpy() for _ in range(8)]
        return fn, losses, [p.detach().numpy().copy() for p in model.parameters()]
    fn, losses, params = run(True)
    _, losses2, params2 = run(False)
    for a, b in zip(losses + params, losses2 + params2):
        _same(a, b)
    env = _program(fn).forward.__globals__
    backs = [v.source for k, v in env.items() if k.startswith("B") and hasattr(v, "source")]
    assert backs and all("SLOW(v, gs)" in s for s in backs)


# --- the implicit seed folded ---------------------------------------------------------------
def _folded_and_general(src):
    """The two bodies of an inlined backward: under `if g is ONE:`, and after."""
    head, rest = src.split("    if g is ONE:\n")
    folded, general = rest.split("    if g is None or")
    return folded, general


@inlined
@pytest.mark.parametrize("shape", [(), (1,)])
def test_what_follows_from_the_implicit_seed_alone_is_computed_once(shape):
    f = torch.compile(_poly)
    for v in (4.0, -1.5, 0.25):
        x = torch.tensor(np.full(shape, v), requires_grad=True)
        f(x).backward()
        x2 = torch.tensor(np.full(shape, v), requires_grad=True)
        _poly(x2).backward()
        _same(x.grad.numpy(), x2.grad.numpy())          # eager, bit for bit
        assert float(x.grad) == 3 * v * v + 4 * v + 8
        # another seed than the implicit 1 takes the general body
        x3 = torch.tensor(np.full(shape, v), requires_grad=True)
        f(x3).backward(torch.tensor(np.full(shape, 2.0)))
        assert float(x3.grad) == 2 * (3 * v * v + 4 * v + 8)
    folded, general = _folded_and_general(_program(f).back.source)
    # g * 8, g * 2 * 2 and g * 3 are constants there: 5 array calls instead of 9
    # (x ** 2's backward is g * 2 * x: no pow(x, 1))
    assert folded.count(" = ") == 5 and general.count(" = ") == 9
    assert " g " not in folded and "g * " in general


@inlined
def test_a_folded_gradient_is_a_fresh_array_at_every_call():
    # (3 x).sum()'s gradient is the constant 3: a copy at each call, so that
    # writing into one .grad changes no later one
    f = torch.compile(lambda x: (3 * x).sum())
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        x.grad = None
        f(x).backward()
        assert x.grad.tolist() == [3.0, 3.0]
        x.grad.add_(100)
    folded, _ = _folded_and_general(_program(f).back.source)
    assert ".copy()" in folded
    # a hook that doubles the gradient in place doubles it once per call
    y = torch.tensor([1.0, 2.0], requires_grad=True)
    y.register_hook(lambda g: g.mul_(2))
    for _ in range(3):
        y.grad = None
        f(y).backward()
        assert y.grad.tolist() == [6.0, 6.0]


def test_a_folded_constant_is_read_only():
    t = inline._Tracer({})
    s = t.constant(np.ones(3))
    assert t.is_const(s) and not inline._real(s).flags.writeable
    assert not t.is_const(inline._Sym("v[0]", np.ones(3), t))


@inlined
def test_the_mean_loss_of_a_training_step_folds_its_seed():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(5, 3), torch.randn(5, 1)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss
    fn = torch.compile(step)
    for _ in range(4):
        fn()
    env = _program(fn).forward.__globals__
    backs = [v.source for k, v in env.items() if k.startswith("B") and hasattr(v, "source")]
    assert backs and all("if g is ONE:" in s for s in backs)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_the_seed_loop_replays_as_eagerly_at_edge_values(dtype):
    # nan and inf leave the loop at once (nan takes the else branch), a
    # negative zero's norm is 0 but the loop ends at its first doubling;
    # each path's variant is replayed at a second call
    f = torch.compile(_seed_f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # (more paths than variants kept)
        for v in [float("nan"), float("inf"), -float("inf"), 999.0, -600.0, 0.3, 2e-5]:
            for _ in range(2):
                a = torch.tensor(v, dtype=dtype, requires_grad=True)
                y = f(a)
                y.backward()
                b = torch.tensor(v, dtype=dtype, requires_grad=True)
                z = _seed_f(b)
                z.backward()
                _same(y.detach().numpy(), z.detach().numpy())
                _same(a.grad.numpy(), b.grad.numpy())
    # the norm of a 0-d tensor under other orders is not the absolute value's line
    g = torch.compile(lambda a: a * (a.norm(p=1) + a.norm(p=3)))
    for v in (-2.0, -2.0, 3.0):
        a = torch.tensor(v, dtype=dtype, requires_grad=True)
        _same(g(a).detach().numpy(), (a * (a.norm(p=1) + a.norm(p=3))).detach().numpy())


def test_the_grad_of_a_0d_leaf_from_a_replay_is_an_array():
    f = torch.compile(_seed_f)
    for _ in range(3):
        a = torch.tensor(0.0139, requires_grad=True)
        f(a).backward()
        assert a.grad.numpy().__class__ is np.ndarray
        a.grad.add_(1)
        assert a.grad.item() == 131073.0
    w = torch.tensor(0.5, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)

    def step(x):
        opt.zero_grad()
        (w * x).sum().backward()
        opt.step()
        return w.grad
    fn = torch.compile(step)
    x = torch.tensor([1.0, 2.0])
    for _ in range(4):
        g = fn(x)
        assert g.numpy().__class__ is np.ndarray and g.item() == 3.0
        g.add_(1)

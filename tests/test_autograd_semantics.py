"""Issue 12's corners of autograd, each run side by side with torch (values,
gradients, requires_grad, whether a graph is attached, exceptions)."""
import numpy as np
import pytest

from _twin import torch, both, raises_same, vals  # noqa: F401


def _state(t):
    """What a PyTorch user observes of a result."""
    if t is None:
        return None
    return (vals(t).tolist(), t.requires_grad, t.grad_fn is None, str(t.dtype))


# --- the same root given several times ---------------------------------------------------
def test_backward_same_root_twice_sums_both_gradients(lib=None):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        lib.autograd.backward([y, y], [lib.ones(2), lib.tensor([1.0, 3.0])])
        return x.grad
    got = both(scenario)
    np.testing.assert_allclose(got[3], [4.0, 8.0])     # 2*1 + 2*1, 2*1 + 2*3


def test_grad_same_root_twice_sums_both_gradients():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.sin()
        return lib.autograd.grad([y, y, y.sum()], [x], [lib.ones(2), lib.ones(2), None])
    got = both(scenario)
    np.testing.assert_allclose(got[0][3], 3 * np.cos([1.0, 2.0]), rtol=1e-6)


def test_backward_same_scalar_root_twice_and_a_leaf_root():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        s = (x * 3).sum()
        lib.autograd.backward([s, x, s], [None, lib.ones(2), None])
        return x.grad
    got = both(scenario)
    np.testing.assert_allclose(got[3], [7.0, 7.0])


# --- torch.func transforms and grad modes ---------------------------------------------------
def _cube(x):
    return x ** 3


def _inner_no_grad(x):
    with _lib_of(x).no_grad():
        c = x * x
    return c * x


def _inner_enable_grad(x):
    with _lib_of(x).enable_grad():
        return x ** 3


def _lib_of(t):
    import chainrule
    return chainrule if isinstance(t, chainrule.Tensor) else torch


FUNC_CASES = {
    # (transform applied, whether the input requires grad, whether an outer no_grad is around)
    "grad": lambda lib, f: lib.func.grad(f),
    "grad_grad": lambda lib, f: lib.func.grad(lib.func.grad(f)),
    "vjp": lambda lib, f: (lambda x: lib.func.vjp(f, x)[1](lib.ones_like(x))[0]),
    "vjp_value": lambda lib, f: (lambda x: lib.func.vjp(f, x)[0]),
    "jacrev": lambda lib, f: lib.func.jacrev(f),
    "jacfwd": lambda lib, f: lib.func.jacfwd(f),
    "jvp": lambda lib, f: (lambda x: lib.func.jvp(f, (x,), (lib.ones_like(x),))[1]),
    "hessian": lambda lib, f: lib.func.hessian(f),
    "grad_and_value": lambda lib, f: (lambda x: lib.func.grad_and_value(f)(x)[1]),
}
FUNCS = {"cube": _cube, "inner_no_grad": _inner_no_grad, "inner_enable_grad": _inner_enable_grad}


# A PyTorch quirk not copied: under an outer no_grad, torch's jacfwd of a
# function that re-enables grad inside returns a leaf that claims
# requires_grad=True but has no grad_fn (differentiating it raises "does not
# require grad"); chainrule's result says requires_grad=False.
_TORCH_QUIRK = {("jacfwd", "inner_enable_grad", True, True)}


def _func_case_params():
    for transform in sorted(FUNC_CASES):
        for func in sorted(FUNCS):
            for rg in (False, True):
                for ng in (False, True):
                    marks = ()
                    # (without torch there is no quirk to differ from: the case runs
                    # chainrule alone and passes)
                    if (transform, func, rg, ng) in _TORCH_QUIRK and torch is not None:
                        marks = pytest.mark.xfail(strict=True, reason="torch's requires-grad leaf "
                                                  "without a grad_fn, not copied")
                    yield pytest.param(transform, func, rg, ng, marks=marks,
                                       id=f"{transform}-{func}-rg{int(rg)}-nograd{int(ng)}")


@pytest.mark.parametrize("transform,func,requires_grad,outer_no_grad", _func_case_params())
def test_func_transforms_under_grad_modes(transform, func, requires_grad, outer_no_grad):
    def scenario(lib):
        x = lib.tensor(1.5, dtype=lib.float64, requires_grad=requires_grad)
        fn = FUNC_CASES[transform](lib, FUNCS[func])
        if outer_no_grad:
            with lib.no_grad():
                r = fn(x)
        else:
            r = fn(x)
        out = [_state(r)]
        if r.requires_grad:          # the result connects to the user's graph: differentiate it
            out.append(_state(lib.autograd.grad(r, x, allow_unused=True)[0]))
        return out
    both(scenario)


def test_transform_inside_no_grad_inside_transform():
    """The inner transform ignores the no_grad for its own derivative; to the
    outer transform its result is a constant."""
    def scenario(lib):
        def outer(x):
            with lib.no_grad():
                g = lib.func.grad(_cube)(x)
            return g * x
        x = lib.tensor(2.0, dtype=lib.float64)
        return lib.func.grad(outer)(x), outer(x)
    both(scenario)


# --- inference tensors ------------------------------------------------------------------------
def _outcome(f):
    try:
        r = f()
    except Exception as e:      # noqa: BLE001 - compared by type and first line
        return ("raises", type(e).__name__, str(e).splitlines()[0])
    return _state(r) if hasattr(r, "requires_grad") else r


def test_inference_mode_false_inside_inference_mode():
    def scenario(lib):
        out = []
        with lib.inference_mode():
            w = lib.ones(2)
            with lib.inference_mode(False):
                out.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
                v = lib.ones(2)
                out.append((v.is_inference(), (v * w).is_inference()))
                with lib.inference_mode():
                    out.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
                out.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
            out.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
        with lib.no_grad():
            with lib.inference_mode(False):
                out.append(lib.is_grad_enabled())
        out.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
        return out
    both(scenario)


def test_views_keep_the_kind_of_what_they_view():
    def scenario(lib):
        with lib.inference_mode():
            w = lib.ones(2, 2)
            n = lib.ones(2, 2)
        n = lib.ones(2, 2)
        with lib.inference_mode():
            nv = n.view(4)                        # a view of a normal tensor: normal
            made = (nv.is_inference(), n[0].is_inference(), (n + 1).is_inference(),
                    n.t().is_inference())
        return [made,
                (lib.is_inference(w), w[0:1].is_inference(), w.view(4).is_inference(),
                 w.t().is_inference(), (w * 2).is_inference(), w.clone().is_inference()),
                _outcome(lambda: nv.add_(1)),                  # allowed outside: nv is normal
                _outcome(lambda: lib.cat([w.view(4), n.view(4)]).is_inference()),
                _outcome(lambda: lib.ones(2, 2).copy_(w)),
                _outcome(lambda: lib.is_inference(3)),
                # refused: views of an inference tensor (torch writes before it
                # refuses, so nothing is compared after these)
                _outcome(lambda: w.view(4).requires_grad_()),
                _outcome(lambda: w.view(4).add_(1)),
                _outcome(lambda: w[0].mul_(2))]
    both(scenario)


# --- grad-mode decorators on generators, classes, coroutines -------------------------------------
def _modes(lib):
    return (lib.is_grad_enabled(), lib.is_inference_mode_enabled())


DECORATORS = {
    "no_grad": lambda lib: lib.no_grad(),
    "no_grad_bare": lambda lib: lib.no_grad,
    "enable_grad": lambda lib: lib.enable_grad(),
    "set_grad_enabled_false": lambda lib: lib.set_grad_enabled(False),
    "inference_mode": lambda lib: lib.inference_mode(),
    "inference_mode_bare": lambda lib: lib.inference_mode,
    "inference_mode_false": lambda lib: lib.inference_mode(False),
}


@pytest.mark.parametrize("outer", ["plain", "no_grad"])
@pytest.mark.parametrize("deco", sorted(DECORATORS))
def test_decorated_generator_holds_the_mode_across_yields(deco, outer):
    def scenario(lib):
        @DECORATORS[deco](lib)
        def gen(n):
            got = []
            for _ in range(n):
                got.append(_modes(lib))
                sent = yield _modes(lib)
                got.append(sent)
            try:
                yield "before throw"
            except KeyError:
                got.append(("caught", _modes(lib)))
            yield got
            raise ValueError("done " + str(_modes(lib)))

        def run():
            out = []
            g = gen(2)
            out.append(next(g))
            out.append(_modes(lib))                   # the caller's mode between steps
            out.append(g.send("a"))
            out.append(g.send("b"))
            out.append(g.throw(KeyError("k")))
            out.append(_modes(lib))
            out.append(_outcome(lambda: next(g)))      # the ValueError, raised inside the mode
            out.append(_modes(lib))
            g2 = gen(1)
            next(g2)
            g2.close()                                 # GeneratorExit inside, mode restored
            out.append(_modes(lib))
            return out
        if outer == "no_grad":
            with lib.no_grad():
                return run()
        return run()
    both(scenario)


def test_decorated_function_restores_the_mode_after_an_exception():
    def scenario(lib):
        @lib.no_grad()
        def bad():
            raise ValueError("x")
        return [_outcome(bad), _modes(lib)]
    both(scenario)


def test_decorated_coroutine_runs_under_the_callers_mode():
    import asyncio

    def scenario(lib):
        @lib.no_grad()
        async def co():
            await asyncio.sleep(0)
            return _modes(lib)
        return asyncio.run(co())
    both(scenario)


def test_decorating_a_class_warns_and_constructs_under_the_mode():
    import warnings

    def scenario(lib):
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")

            @lib.no_grad()
            class C:
                def __init__(self):
                    self.mode = _modes(lib)
        return [(w.category.__name__, str(w.message)) for w in ws], C().mode, _modes(lib)
    both(scenario)


# --- small things a user meets ----------------------------------------------------------------
def test_constants():
    def scenario(lib):
        return [lib.inf, repr(lib.nan), lib.pi, lib.e, lib.newaxis]
    both(scenario)


def test_numpy_under_no_grad_on_a_tensor_that_requires_grad():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.no_grad():
            a = x.numpy()
            b = np.asarray(x)
        return [a.tolist(), b.tolist(), _outcome(lambda: x.numpy()),
                _outcome(lambda: np.asarray(x))]
    both(scenario)


NESTED_LIST_INDICES = {
    "lists": [[0, 1], [1, 2]],
    "list_and_broadcast": [[[0, 1]], [[0], [2]]],
    "ragged": [[0, 1], [1]],
    "one_list": [[0, 1]],
    "slice_inside": [slice(0, 2)],
    "none_inside": [None],
    "ellipsis_inside": [Ellipsis, 1],
    "bool_list_inside": [[True, False, True]],
    "flat_ints": [0, 2],
    "thirty_two_lists": [[0]] * 32,
    "thirty_one_lists": [[0]] * 31,
}


@pytest.mark.parametrize("key", sorted(NESTED_LIST_INDICES))
def test_nested_list_indices_as_torch_reads_them(key):
    import warnings

    def scenario(lib):
        idx = NESTED_LIST_INDICES[key]
        x = lib.arange(12.0).reshape(3, 4).requires_grad_()
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            y = _outcome(lambda: x[idx])
        out = [y, [str(w.message).split(" (Triggered")[0] for w in ws]]
        if y[0] != "raises":
            z = lib.zeros(3, 4)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")      # (compared above)
                x[idx].sum().backward()
                z[idx] = 1.0
            out += [vals(x.grad).tolist(), vals(z).tolist()]
        return out
    both(scenario)


# --- custom Functions: what backward receives, once_differentiable, mark_dirty ------------------
def _fn_class(lib, forward, backward, name="Fn"):
    return type(name, (lib.autograd.Function,), {"forward": staticmethod(forward),
                                                  "backward": staticmethod(backward)})


def _received(seen):
    return [None if g is None else vals(g).tolist() for g in seen]


def test_function_returning_a_non_tensor_gets_none_for_it():
    def scenario(lib):
        seen = []

        def backward(ctx, g, g2):
            seen.extend([g, g2])
            return g * 2
        Fn = _fn_class(lib, lambda ctx, a: (a * 2, 3), backward)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y, n = Fn.apply(x)
        y.sum().backward()
        return n, x.grad, _received(seen)
    both(scenario)


@pytest.mark.parametrize("materialize", [True, False])
@pytest.mark.parametrize("which", [0, 1])
def test_function_materialize_grads_and_non_differentiable_outputs(materialize, which):
    def scenario(lib):
        seen = []

        def forward(ctx, a):
            ctx.set_materialize_grads(materialize)
            c = a.detach() * 3
            ctx.mark_non_differentiable(c)
            return a * 2, c, a * 4

        def backward(ctx, g, g2, g3):
            seen.extend([g, g2, g3])
            return sum(2 * t for t in (g, g3) if t is not None) if (g, g3) != (None, None) else None
        Fn = _fn_class(lib, forward, backward)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        outs = Fn.apply(x)
        outs[(0, 2)[which]].sum().backward()
        return x.grad, _received(seen), [o.requires_grad for o in outs]
    both(scenario)


def test_function_returning_an_input_that_does_not_require_grad():
    def scenario(lib):
        seen = []

        def backward(ctx, g, g2):
            seen.extend([g, g2])
            return g * 2, g2
        Fn = _fn_class(lib, lambda ctx, a, b: (a * 2, b), backward)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([5.0, 6.0])
        y, bb = Fn.apply(x, b)
        (y.sum() + bb.sum()).backward()
        return x.grad, bb.requires_grad, bb is b, _received(seen)
    both(scenario)


@pytest.mark.parametrize("grad_output_requires_grad", [False, True])
def test_once_differentiable_results_refuse_a_second_derivative(grad_output_requires_grad):
    def scenario(lib):
        modes = []

        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            modes.append(lib.is_grad_enabled())
            a, = ctx.saved_tensors
            return 2 * a * g
        Fn = _fn_class(lib, forward, backward)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        v = lib.ones(2, requires_grad=grad_output_requires_grad)
        g, = lib.autograd.grad(Fn.apply(x), x, v, create_graph=True)
        out = [_state(g), g.grad_fn.name() if g.grad_fn is not None else None, modes]
        if g.requires_grad:
            out.append(_outcome(lambda: g.sum().backward()))
        return out
    both(scenario)


def test_mark_dirty_on_a_tensor_that_is_not_returned():
    def scenario(lib):
        def forward(ctx, a, b):
            b.add_(1)
            ctx.mark_dirty(b)
            return a * 2
        Fn = _fn_class(lib, forward, lambda ctx, g: (g, None))
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        return _outcome(lambda: Fn.apply(x, lib.ones(2)))
    both(scenario)


def test_custom_function_node_names_and_repr():
    def scenario(lib):
        FooBar = _fn_class(lib, lambda ctx, a: a * 2, lambda ctx, g: g * 2, "FooBar")
        y = FooBar.apply(lib.tensor([1.0], requires_grad=True))
        r = repr(y.grad_fn)
        return (type(y.grad_fn).__name__, y.grad_fn.name(), repr(y).split("grad_fn=")[1],
                r.startswith("<") and r.split(".")[-1].startswith("FooBarBackward object at"))
    both(scenario)


HAS_AUX = {
    "grad": lambda lib, f, x: lib.func.grad(lambda a: (f(a).sum(), AUX), has_aux=True)(x),
    "grad_and_value": lambda lib, f, x: lib.func.grad_and_value(
        lambda a: (f(a).sum(), AUX), has_aux=True)(x),
    "vjp": lambda lib, f, x: lib.func.vjp(lambda a: (f(a), AUX), x, has_aux=True)[2],
    "jacrev": lambda lib, f, x: lib.func.jacrev(lambda a: (f(a), AUX), has_aux=True)(x),
    "jvp": lambda lib, f, x: lib.func.jvp(lambda a: (f(a), AUX), (x,), (x,), has_aux=True)[2],
    "jacfwd": lambda lib, f, x: lib.func.jacfwd(lambda a: (f(a), AUX), has_aux=True)(x),
}
AUX = "a string"


@pytest.mark.parametrize("transform", sorted(HAS_AUX))
def test_has_aux_that_is_not_a_tensor_is_refused(transform):
    raises_same(lambda lib: HAS_AUX[transform](lib, lambda a: a ** 2,
                                               lib.tensor([1.0, 2.0], dtype=lib.float64)))


# --- in-place on views made in no_grad mode, and on views of them -----------------------------
def _no_grad_view_programs():
    def leaf_view_of_no_grad_view(lib, x, y):
        with lib.no_grad():
            v = x[1:]
        return v[1:]

    def nonleaf_view_of_no_grad_view(lib, x, y):
        with lib.no_grad():
            v = y[1:]
        return v[1:]

    def no_grad_view_of_view(lib, x, y):
        v = y[1:]
        with lib.no_grad():
            return v[1:]

    def no_grad_view_of_no_grad_view(lib, x, y):
        with lib.no_grad():
            return y[1:][1:]

    def view_of_view_of_no_grad_view(lib, x, y):
        with lib.no_grad():
            v = y[1:]
        return v[1:][:1]

    def view_of_detached(lib, x, y):
        return y.detach()[1:][1:]
    return {f.__name__: f for f in (leaf_view_of_no_grad_view, nonleaf_view_of_no_grad_view,
                                    no_grad_view_of_view, no_grad_view_of_no_grad_view,
                                    view_of_view_of_no_grad_view, view_of_detached)}


NO_GRAD_VIEWS = _no_grad_view_programs()


@pytest.mark.parametrize("in_no_grad", [False, True])
@pytest.mark.parametrize("program", sorted(NO_GRAD_VIEWS))
def test_inplace_on_views_of_no_grad_views(program, in_no_grad):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = x * 1
        w = NO_GRAD_VIEWS[program](lib, x, y)

        def change():
            if in_no_grad:
                with lib.no_grad():
                    w.mul_(2)
            else:
                w.mul_(2)
            y.sum().backward()
            return w.requires_grad, vals(y).tolist(), x.grad
        return _outcome(change)
    both(scenario)


# --- forward-mode tangents through in-place changes ------------------------------------------------
def _fw_programs():
    def mul_(lib, x):
        y = x * 1
        y.mul_(2)
        return (y,)

    def mul_on_view(lib, x):
        y = x * 1
        v = y[1:]
        v.mul_(2)
        return (y, v)

    def setitem_into_constant(lib, x):
        y = lib.zeros(3, dtype=lib.float64)
        y[1:] = x[:2]
        return (y,)

    def copy_into_view_of_constant(lib, x):
        y = lib.zeros(3, dtype=lib.float64)
        v = y[1:]
        v.copy_(x[:2])
        return (y, v)

    def view_made_in_no_grad(lib, x):
        y = x * 1
        with lib.no_grad():
            v = y[1:]
        v.mul_(3)
        return (y, v)

    def view_of_detached(lib, x):
        y = x * 1
        v = y.detach()[1:]
        v.mul_(3)
        return (y, v)

    def add_into_constant(lib, x):
        y = lib.zeros(3, dtype=lib.float64)
        y.add_(x)
        return (y,)

    def setitem_constant(lib, x):
        y = x.clone()
        y[0] = 5.0
        return (y,)

    def base_changed_views_follow(lib, x):
        y = x * 2
        v = y.view(3)
        w = y[:2]
        y.add_(x)
        return (y, v, w)

    def base_mul_by_dual(lib, x):
        y = x * 2
        v = y[:2]
        y.mul_(x)
        return (y, v)

    def transposed_view_of_constant(lib, x):
        y = lib.ones(3, dtype=lib.float64)
        v = y.t()
        v.mul_(x)
        return (y, v)

    def view_of_view_then_base(lib, x):
        y = lib.zeros(2, 3, dtype=lib.float64)
        v = y[1]
        w = v[1:]
        w.copy_(x[:2])
        y.mul_(2)
        return (y, v, w)

    def fill_(lib, x):
        y = x * 1
        y.fill_(2.0)
        return (y,)

    def change_the_dual_itself(lib, x):
        x.mul_(2)
        v = x[1:]
        v.add_(1)
        return (x, v)

    def change_under_no_grad(lib, x):
        y = x * 1
        with lib.no_grad():
            y.mul_(4)
            y[0] = 1.0
        return (y,)
    return {f.__name__: f for f in (
        mul_, mul_on_view, setitem_into_constant, copy_into_view_of_constant,
        view_made_in_no_grad, view_of_detached, add_into_constant, setitem_constant,
        base_changed_views_follow, base_mul_by_dual, transposed_view_of_constant,
        view_of_view_then_base, fill_, change_the_dual_itself, change_under_no_grad)}


FW_INPLACE = _fw_programs()


@pytest.mark.parametrize("program", sorted(FW_INPLACE))
def test_forward_mode_tangents_through_inplace_changes(program):
    def scenario(lib):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            p = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
            x = fw.make_dual(p, lib.tensor([1.0, 10.0, 100.0], dtype=lib.float64))
            outs = FW_INPLACE[program](lib, x)
            return ([(vals(o).tolist(), fw.unpack_dual(o).tangent) for o in outs],
                    fw.unpack_dual(x).tangent, fw.unpack_dual(p).tangent)
    both(scenario)


def test_dual_tangent_is_its_own_and_primal_changes_leave_it():
    def scenario(lib):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            q = lib.tensor([1.0, 2.0], dtype=lib.float64)
            x = fw.make_dual(q, lib.tensor([1.0, 10.0], dtype=lib.float64))
            q.mul_(3)                      # the dual's value changes (shared storage), not its tangent
            r = lib.tensor([1.0, 2.0], dtype=lib.float64)
            r.add_(x)
            return [vals(x).tolist(), fw.unpack_dual(x).tangent, fw.unpack_dual(q).tangent,
                    fw.unpack_dual(r).tangent]
    both(scenario)


def test_dual_tensors_print_their_tangent():
    def scenario(lib):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            x = fw.make_dual(lib.tensor([1.0, 2.0]), lib.ones(2))
            y = fw.make_dual(lib.tensor([1.0, 2.0], requires_grad=True), lib.ones(2))
            z = fw.make_dual(lib.tensor(1.5, dtype=lib.float64), lib.tensor(2.0, dtype=lib.float64))
            long = fw.make_dual(lib.arange(30.0), lib.arange(30.0))
            shown = [repr(x), repr(x * 2), repr(y), str(z), repr(long)]
        return shown + [repr(x)]           # the level has closed: no tangent
    both(scenario)


# --- custom Functions and views: changed in place inside, returned, changed after ----------------
def _mul_view_fn(lib):
    def forward(ctx, a):
        a.mul_(2)
        ctx.mark_dirty(a)
        return a
    return _fn_class(lib, forward, lambda ctx, g: g * 2, "MulView")


def test_function_changing_an_input_view_in_place_rebases_the_base():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = x * 1
        v = y[1:]
        out = _mul_view_fn(lib).apply(v)
        names = (out is v, type(out.grad_fn).__name__, y.grad_fn.name(), v._version)
        (y * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).sum().backward()
        return names, vals(y).tolist(), x.grad
    both(scenario)


@pytest.mark.parametrize("use", ["base", "view_times_base"])
def test_gradcheck_through_a_function_changing_a_view_in_place(use):
    def scenario(lib):
        MulView = _mul_view_fn(lib)

        def f(x):
            y = x * 1
            v = y[1:]
            o = MulView.apply(v)
            return y if use == "base" else o * y[1:]
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        return (lib.autograd.gradcheck(f, (x,)), lib.autograd.gradgradcheck(f, (x,)))
    assert both(scenario) == (True, True)


@pytest.mark.parametrize("how", ["view_of_input", "input_as_is", "view_of_output_view"])
def test_inplace_on_a_view_a_function_returned_is_refused(how):
    def scenario(lib):
        if how == "input_as_is":
            Fn = _fn_class(lib, lambda ctx, a: a, lambda ctx, g: g, "ReturnsInput")
        else:
            Fn = _fn_class(lib, lambda ctx, a: a[1:], lambda ctx, g: lib.cat(
                [lib.zeros(1, dtype=g.dtype), g]), "ReturnsView")
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        o = Fn.apply(x * 1)
        target = o[:1] if how == "view_of_output_view" else o
        return _outcome(lambda: target.mul_(2))
    both(scenario)


# --- saved-tensor hooks ------------------------------------------------------------------------------
def _hooks(lib):
    return lib.autograd.graph


def test_saved_tensor_hooks_pack_once_unpack_per_backward():
    def scenario(lib):
        log = []

        def pack(t):
            log.append(("pack", tuple(t.shape), t.requires_grad))
            return t.detach().clone()

        def unpack(p):
            log.append(("unpack", tuple(p.shape)))
            return p
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        with _hooks(lib).saved_tensors_hooks(pack, unpack):
            w = ((x.exp() * x).sin()).sum()
        counts = [sorted(log)]
        log.clear()
        w.backward(retain_graph=True)
        counts.append(len(log))
        log.clear()
        w.backward()
        counts.append(len(log))
        return counts, x.grad, _outcome(lambda: w.backward())
    both(scenario)


def test_saved_tensor_hooks_identity_nesting_and_no_grad():
    def scenario(lib):
        H = _hooks(lib)
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        seen, order = [], []
        with H.saved_tensors_hooks(lambda t: seen.append(t) or t, lambda t: t):
            x * x
            with lib.no_grad():
                x * x                         # nothing saved: no pack
        with H.saved_tensors_hooks(lambda t: order.append("outer") or t, lambda t: t):
            with H.saved_tensors_hooks(lambda t: order.append("inner") or t, lambda t: t):
                x * x
            x * x
        return [s is x for s in seen], order
    both(scenario)


def test_saved_tensor_hooks_own_the_values_no_version_check():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        with _hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
            y = x * 1
            z = y * y
        y.add_(1)
        z.sum().backward()                    # the hooks hand back the changed y
        return x.grad
    both(scenario)


def test_saved_tensor_hooks_errors():
    def bad_unpack(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with _hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: 3):
            b = x * x
        b.sum().backward()

    def hooks_inside_disable(lib):
        with _hooks(lib).disable_saved_tensors_hooks("no hooks here"):
            with _hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
                pass

    def disable_inside_hooks(lib):
        with _hooks(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
            with _hooks(lib).disable_saved_tensors_hooks("not with hooks"):
                pass
    for s in (bad_unpack, hooks_inside_disable, disable_inside_hooks):
        raises_same(s)


def test_save_on_cpu_custom_functions_and_second_order():
    def scenario(lib):
        H = _hooks(lib)
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        with H.save_on_cpu():
            e = (x * x.sin()).sum()
        e.backward()
        out = [x.grad]
        log = []
        Fn = _fn_class(lib, lambda ctx, a: (ctx.save_for_backward(a), a * 2)[1],
                       lambda ctx, g: g * ctx.saved_tensors[0])
        with H.saved_tensors_hooks(lambda t: log.append("p") or t, lambda t: log.append("u") or t):
            r = Fn.apply(x)
        r.sum().backward()
        out.append(log)
        with H.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
            q = (x ** 3).sum()
        g, = lib.autograd.grad(q, x, create_graph=True)
        out += [_state(g), lib.autograd.grad(g.sum(), x)]
        return out
    both(scenario)


# --- more hooks: post-accumulate, multi-grad, ordering ---------------------------------------------
def test_post_accumulate_grad_hook():
    def scenario(lib):
        log = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x.register_post_accumulate_grad_hook(
            lambda p: log.append((vals(p.grad).tolist(), p is x)))
        (x * 3).sum().backward()
        (x * 2).sum().backward()
        h.remove()
        (x * 3).sum().backward()
        errors = [_outcome(lambda: (x * 1).register_post_accumulate_grad_hook(lambda p: None)),
                  _outcome(lambda: lib.ones(2).register_post_accumulate_grad_hook(lambda p: None))]
        return log, errors
    both(scenario)


def test_multi_grad_hook_all_and_any():
    def scenario(lib):
        G = lib.autograd.graph
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0], requires_grad=True)
        seen = []
        h = G.register_multi_grad_hook((a, b), lambda grads: seen.append(
            ["all"] + [None if g is None else vals(g).tolist() for g in grads]))
        (a * 2).sum().backward()                       # b not reached: None for it
        ((a * 2).sum() + b.sum()).backward()
        h2 = G.register_multi_grad_hook((a, b), lambda g: seen.append(("any", vals(g).tolist())),
                                        mode="any")
        ((a * 2).sum() + b.sum()).backward()
        lib.autograd.backward([(a * 3).sum(), b.sum()])
        h.remove()
        h2.remove()
        (a * 2).sum().backward()
        return seen, _outcome(lambda: G.register_multi_grad_hook((a,), lambda g: None, mode="x"))
    both(scenario)


def test_hook_order_on_one_node():
    def scenario(lib):
        c = lib.tensor([1.0, 2.0], requires_grad=True)
        d = c * 2
        order = []
        d.grad_fn.register_prehook(lambda go: order.append("pre1"))
        d.grad_fn.register_prehook(lambda go: order.append("pre2"))
        d.register_hook(lambda g: order.append("tensor1"))
        d.grad_fn.register_hook(lambda gi, go: order.append("post1"))
        d.register_hook(lambda g: order.append("tensor2"))
        d.retain_grad()
        d.register_hook(lambda g: order.append("tensor3"))
        d.grad_fn.register_hook(lambda gi, go: order.append("post2"))
        d.sum().backward()
        return order
    both(scenario)


# --- forward mode: custom Functions' jvp, gradcheck's forward checks, forward over reverse ---------
def _jvp_fn(lib, forward, jvp, backward, name="Fn"):
    return type(name, (lib.autograd.Function,), {"forward": staticmethod(forward),
                                                  "jvp": staticmethod(jvp),
                                                  "backward": staticmethod(backward)})


def _dual_call(lib, fn, *args):
    fw = lib.autograd.forward_ad
    with fw.dual_level():
        x = fw.make_dual(lib.tensor([1.0, 2.0], dtype=lib.float64),
                         lib.tensor([1.0, 3.0], dtype=lib.float64))
        out = fn(*[x if a is None else a for a in args])
        outs = out if isinstance(out, tuple) else (out,)
        return [fw.unpack_dual(o).tangent for o in outs]


JVP_CASES = {
    # save_for_forward, and a non-tensor argument before the tensor
    "save_for_forward_nontensor_first": (
        lambda ctx, k, a: (setattr(ctx, "k", k), ctx.save_for_forward(a), a * k * a)[2],
        lambda ctx, dk, da: 2 * ctx.k * ctx.saved_tensors[0] * da,
        lambda ctx, g: (None, g), (3.0, None)),
    "input_as_is_jvp_not_a_view": (lambda ctx, a: a, lambda ctx, da: da, lambda ctx, g: g, (None,)),
    "input_as_is_jvp_a_view": (lambda ctx, a: a, lambda ctx, da: da.view_as(da),
                               lambda ctx, g: g, (None,)),
    "view_jvp_not_a_view": (lambda ctx, a: a.view_as(a), lambda ctx, da: da * 2,
                            lambda ctx, g: g, (None,)),
    "dirty_input_jvp_in_place": (
        lambda ctx, a: (a.mul_(2), ctx.mark_dirty(a), a)[2], lambda ctx, da: da.mul_(2),
        lambda ctx, g: g * 2, "dirty"),
    "wrong_number_of_tangents": (lambda ctx, a: (a * 2, a * 3), lambda ctx, da: da * 2,
                                 lambda ctx, g, h: g * 2, (None,)),
}


@pytest.mark.parametrize("case", sorted(JVP_CASES))
def test_custom_function_jvp(case):
    forward, jvp, backward, args = JVP_CASES[case]

    def scenario(lib):
        Fn = _jvp_fn(lib, forward, jvp, backward)
        if args == "dirty":
            return _outcome(lambda: _dual_call(lib, lambda x: Fn.apply(x * 1), None))
        return _outcome(lambda: _dual_call(lib, Fn.apply, *args))
    both(scenario)


def _sin_with_jvp(lib, factor):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        ctx.save_for_forward(a)
        return a.sin()

    def jvp(ctx, da):
        a, = ctx.saved_tensors
        return da * a.cos() * factor

    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * a.cos()
    return _jvp_fn(lib, forward, jvp, backward, "Sin")


@pytest.mark.parametrize("factor", [1.0, 2.0])
@pytest.mark.parametrize("flags", [dict(check_forward_ad=True),
                                   dict(check_forward_ad=True, check_backward_ad=False,
                                        check_undefined_grad=False),
                                   dict(check_forward_ad=True, raise_exception=False)])
def test_gradcheck_checks_forward_mode(flags, factor):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        return _outcome(lambda: lib.autograd.gradcheck(_sin_with_jvp(lib, factor).apply, (x,),
                                                       **flags))
    both(scenario)


FWD_OVER_REV = {
    "sin": (lambda L, a, b: a.sin() * b, ),
    "matmul_tanh": (lambda L, a, b: (a @ b.reshape(3, 1)).tanh(), ),
    "softmax": (lambda L, a, b: L.softmax(a * b, 0), ),
    "pow_sum": (lambda L, a, b: (a ** 3 * b).sum(), ),
    "exp_sigmoid": (lambda L, a, b: (a.exp() + b.sigmoid()) * a, ),
}


@pytest.mark.parametrize("name", sorted(FWD_OVER_REV))
def test_forward_over_reverse(name):
    """gradgradcheck(check_fwd_over_rev=True): forward mode through backward
    graphs (saved outputs such as softmax's and tanh's carry their tangents)."""
    f, = FWD_OVER_REV[name]

    def scenario(lib):
        a = lib.tensor([0.3, 1.2, -0.7], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
        return [lib.autograd.gradgradcheck(lambda a, b: f(lib, a, b), (a, b), check_fwd_over_rev=True),
                lib.autograd.gradcheck(lambda a, b: f(lib, a, b), (a, b), check_forward_ad=True)]
    assert both(scenario) == [True, True]


# --- anomaly mode, reentrant backward ------------------------------------------------------------
def test_nested_anomaly_modes_and_their_state():
    import warnings

    def scenario(lib):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        out = []
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            with lib.autograd.detect_anomaly():
                with lib.autograd.detect_anomaly(check_nan=False):
                    out.append(_outcome(lambda: (x.sqrt() * 0).sum().backward()))
                    out.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
                out.append(_outcome(lambda: (x.sqrt() * 0).sum().backward()))
                out.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
        out.append([(w.category.__name__, str(w.message).splitlines()[0]) for w in ws
                    if "Traceback of forward call" not in str(w.message)])
        out.append(any("Error detected in SqrtBackward0" in str(w.message) for w in ws))
        lib.set_anomaly_enabled(True, check_nan=False)
        out.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
        lib.set_anomaly_enabled(False)
        out.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
        return out
    both(scenario)


def _reentrant(lib):
    class Re(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, depth):
            ctx.depth = depth
            return a * 1

        @staticmethod
        def backward(ctx, g):
            if ctx.depth > 0:
                with lib.enable_grad():
                    inner = lib.tensor([1.0], requires_grad=True)
                    Re.apply(inner, ctx.depth - 1).sum().backward()
            return g * 2, None
    return Re


def test_reentrant_backward_side_by_side():
    def scenario(lib):
        a = lib.tensor([1.0], requires_grad=True)
        _reentrant(lib).apply(a, 50).sum().backward()
        return a.grad
    both(scenario)


def test_reentrant_backward_thousands_deep():
    """Each level nests an engine run; past a few dozen on one thread the engine
    moves to a fresh one, so there is no RecursionError (torch is not run at this
    depth: its own reentrant threads abort at interpreter exit)."""
    import chainrule as cr
    a = cr.tensor([1.0], requires_grad=True)
    _reentrant(cr).apply(a, 3000).sum().backward()
    assert a.grad.tolist() == [2.0]


# --- a second backward through nodes whose saved values are index tensors -----------------------
def _I(lib):
    return lib.tensor([1, 0, 2])


SECOND_BACKWARD = {
    "sort": lambda L, x: x.sort()[0], "topk": lambda L, x: x.topk(2)[0],
    "kthvalue": lambda L, x: x.kthvalue(2)[0], "median_dim": lambda L, x: x.median(0)[0],
    "median": lambda L, x: x.median(), "mode": lambda L, x: x.mode(0)[0],
    "cummax": lambda L, x: x.cummax(0)[0], "cummin": lambda L, x: x.cummin(0)[0],
    "max_dim": lambda L, x: x.max(0)[0], "min_dim": lambda L, x: x.min(0)[0],
    "max": lambda L, x: x.max(), "amax": lambda L, x: x.amax(0),
    "gather": lambda L, x: x.gather(0, _I(L)), "index_select": lambda L, x: x.index_select(0, _I(L)),
    "take": lambda L, x: x.take(_I(L)), "index_tensor": lambda L, x: x[_I(L)],
    "index_mask": lambda L, x: x[x > 0], "slice": lambda L, x: x[1:],
    "scatter": lambda L, x: L.zeros(4).scatter(0, _I(L), x[:3]),
    "scatter_add": lambda L, x: L.zeros(4).scatter_add(0, _I(L), x[:3]),
    "index_add": lambda L, x: L.zeros(4).index_add(0, _I(L), x[:3]),
    "take_along_dim": lambda L, x: x.take_along_dim(_I(L)),
    "masked_select": lambda L, x: x.masked_select(x > 0),
    "embedding": lambda L, x: L.nn.functional.embedding(_I(L), x.view(4, 1)),
    "max_pool": lambda L, x: L.nn.functional.max_pool1d(x.view(1, 1, 4), 2),
    "index_fill": lambda L, x: x.index_fill(0, _I(L), 0.0),
    "masked_fill": lambda L, x: x.masked_fill(x > 0, 0.0),
    "index_copy": lambda L, x: L.zeros(4).index_copy(0, _I(L), x[:3]),
    "flip": lambda L, x: x.flip(0), "repeat_interleave": lambda L, x: x.repeat_interleave(2),
    "nll_loss": lambda L, x: L.nn.functional.nll_loss(x.view(1, 4), L.tensor([1])),
}


@pytest.mark.parametrize("op", sorted(SECOND_BACKWARD))
def test_second_backward_is_refused_where_torch_refuses(op):
    def scenario(lib):
        x = lib.tensor([0.5, -1.0, 2.0, 0.25], requires_grad=True)
        y = SECOND_BACKWARD[op](lib, x).sum()
        y.backward(retain_graph=True)
        y.backward()                          # retained: fine
        return x.grad, _outcome(lambda: y.backward())
    both(scenario)


def test_deprecated_jacobian_helpers():
    import importlib
    import warnings

    def scenario(lib):
        gc = (lib.autograd.gradcheck if lib.__name__ == "chainrule" else
              importlib.import_module("torch.autograd.gradcheck"))
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([3.0], dtype=lib.float64, requires_grad=True)
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            out = [gc.get_numerical_jacobian(lambda a: (a[0] * a[0] * a[1], a[0]), (x, y)),
                   gc.get_numerical_jacobian(lambda a: a[0].sin() * a[1], (x, y), target=(y,)),
                   gc.get_analytical_jacobian((x, y), x * x * y),
                   _outcome(lambda: gc.get_analytical_jacobian((x,), x * 2, grad_out=2.0))]
        return out + [[w.category.__name__ for w in ws]]
    both(scenario)


BAD_BACKWARDS = {
    "list": (lambda L, g: [g * 2], False), "extra_not_none": (lambda L, g: (g, g), False),
    "extra_none": (lambda L, g: (g, None), False), "fewer": (lambda L, g: g, True),
    "none": (lambda L, g: (None,), False), "smaller_shape": (lambda L, g: g[:1], False),
    "larger_shape": (lambda L, g: g.expand(3, 2), False), "number": (lambda L, g: 3.0, False),
    "for_a_non_tensor": (lambda L, g: (g, g), True), "other_dtype": (lambda L, g: g.double(), False),
    "empty": (lambda L, g: (), False), "generator": (lambda L, g: (t for t in [g]), False),
}


@pytest.mark.parametrize("case", sorted(BAD_BACKWARDS))
def test_custom_function_backward_results(case):
    bw, extra_arg = BAD_BACKWARDS[case]

    def scenario(lib):
        Fn = _fn_class(lib, lambda ctx, a, *rest: a * 2, lambda ctx, g: bw(lib, g))
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = Fn.apply(x, 3) if extra_arg else Fn.apply(x)
        return _outcome(lambda: (y.sum().backward(), x.grad)[1])
    both(scenario)


SETITEM_SHAPES = {
    "tensor_index": lambda L: (L.zeros(3), L.tensor([0, 1]), L.ones(3)),
    "tensor_index_rows": lambda L: (L.zeros(3, 2), L.tensor([0, 1]), L.ones(3)),
    "empty_mask": lambda L: (L.zeros(3, 2), L.zeros(3, 2) > 5, L.ones(2)),
    "bool_rows": lambda L: (L.zeros(3, 2), L.tensor([True, False, True]), L.ones(3, 2)),
    "int_index": lambda L: (L.zeros(3, 2), 0, L.ones(3)),
    "column": lambda L: (L.zeros(3, 2), (slice(None), 0), L.ones(2)),
    "slice": lambda L: (L.zeros(4), slice(1, 3), L.ones(3)),
}


@pytest.mark.parametrize("case", sorted(SETITEM_SHAPES))
def test_setitem_with_a_value_of_the_wrong_shape(case):
    def scenario(lib):
        x, idx, v = SETITEM_SHAPES[case](lib)
        x[idx] = v
    raises_same(scenario)

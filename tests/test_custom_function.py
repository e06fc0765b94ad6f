"""torch.autograd.Function conformance: ctx API, needs_input_grad, non-tensor args,
mark_non_differentiable / mark_dirty / set_materialize_grads, multiple outputs,
setup_context, once_differentiable, double backward, and the error texts.

Each scenario is written once as ``scenario(lib)`` and run with lib=chainrule and, when
installed, lib=torch (2.13) as the reference; known values are asserted as well."""
import numpy as np
import pytest

import chainrule as cr

from _twin import torch, norm, assert_same, both, first_line, raises_same, vals, name, qname  # noqa: F401,E402



FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.")


# --- Function classes, built per library -----------------------------------------------------
_CACHE = {}


def fns(lib):
    """The test Functions, defined against lib.autograd.Function (cached per library)."""
    if lib.__name__ in _CACHE:
        return _CACHE[lib.__name__]
    Function = lib.autograd.Function
    once_differentiable = lib.autograd.function.once_differentiable
    log = []

    class MyExp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class SaveInput(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * g * x

    class Cube(Function):              # backward is differentiable: double backward works
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    class CubeOnce(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            log.append(("once", type(g).__name__, g.requires_grad))
            return g * 3 * x ** 2

    class MulAB(Function):
        @staticmethod
        def forward(ctx, a, b):
            log.append(("fwd_needs", tuple(ctx.needs_input_grad)))
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            log.append(("bwd_needs", tuple(ctx.needs_input_grad)))
            ga = g * b if ctx.needs_input_grad[0] else None
            gb = g * a if ctx.needs_input_grad[1] else None
            return ga, gb

    class Scale(Function):             # non-tensor arguments: backward returns None for them
        @staticmethod
        def forward(ctx, x, k, mode):
            ctx.k = k
            ctx.mode = mode
            return x * k if mode == "mul" else x + k

        @staticmethod
        def backward(ctx, g):
            return (g * ctx.k if ctx.mode == "mul" else g), None, None

    class WithAux(Function):           # mark_non_differentiable on a float and a bool output
        @staticmethod
        def forward(ctx, x):
            out = x * 2
            aux = x.detach().abs() + 1
            flag = x > 0
            ctx.mark_non_differentiable(aux, flag)
            return out, aux, flag

        @staticmethod
        def backward(ctx, g, g_aux, g_flag):
            log.append(("aux_bwd", g_aux is None, g_flag is None))
            return g * 2

    class TwoOut(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            log.append(("twoout", ga.tolist(), gb.tolist()))
            return ga * 2 + gb * 3

    class TwoOutNoMat(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            log.append(("nomat", ga is None, gb is None))
            g = 0
            if ga is not None:
                g = g + ga * 2
            if gb is not None:
                g = g + gb * 3
            return g

    class ScaleSC(Function):           # setup_context style
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.k = k
            ctx.save_for_backward(x, output)

        @staticmethod
        def backward(ctx, g):
            x, out = ctx.saved_tensors
            log.append(("sc", x.tolist(), out.tolist()))
            return g * ctx.k, None

    class Bad(Function):               # wrong gradient shape
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return lib.ones(3)

    class Bad2(Function):              # wrong gradient count
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    class SaveInt(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

    class Legacy(Function):
        def forward(self, x):
            return x * 2

        def backward(self, g):
            return g * 2

    class DoubleInplace(Function):     # mark_dirty: modifies its input in place
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class NoneGrad(Function):          # returns None for an input that requires grad
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g, None

    ns = dict(MyExp=MyExp, SaveInput=SaveInput, Cube=Cube, CubeOnce=CubeOnce, MulAB=MulAB,
              Scale=Scale, WithAux=WithAux, TwoOut=TwoOut, TwoOutNoMat=TwoOutNoMat,
              ScaleSC=ScaleSC, Bad=Bad, Bad2=Bad2, SaveInt=SaveInt, Legacy=Legacy,
              DoubleInplace=DoubleInplace, NoneGrad=NoneGrad, log=log)
    _CACHE[lib.__name__] = ns
    return ns


def F(lib):
    ns = fns(lib)
    ns["log"].clear()
    return ns


# --- basic save_for_backward / saved_tensors ----------------------------------------------
def test_exp_function_forward_backward_and_grad_fn_name():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([0.0, 1.0, -1.0], requires_grad=True)
        y = f["MyExp"].apply(x)
        info = dict(y=y, rg=y.requires_grad, leaf=y.is_leaf, cls=type(y.grad_fn).__name__,
                    gname=y.grad_fn.name(), rep=repr(y))
        (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        info["xgrad"] = x.grad
        return info

    r = both(scenario)
    e = np.exp([0.0, 1.0, -1.0])
    np.testing.assert_allclose(r["y"][3], e, rtol=1e-6)
    np.testing.assert_allclose(r["xgrad"][3], e * [1.0, 2.0, 3.0], rtol=1e-6)
    assert r["rg"] is True and r["leaf"] is False
    assert r["cls"] == "MyExpBackward" and r["gname"] == "MyExpBackward"
    assert r["rep"].endswith("grad_fn=<MyExpBackward>)")


def test_function_next_functions_and_composition():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = f["SaveInput"].apply(x * 3)
        nf = y.grad_fn.next_functions
        shape = [(None if n is None else type(n).__name__, i) for n, i in nf]
        z = f["MyExp"].apply(y).sum()
        z.backward()
        return dict(shape=shape, xgrad=x.grad)

    r = both(scenario)
    assert r["shape"] == [("MulBackward0", 0)]
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(r["xgrad"][3], np.exp(9 * x ** 2) * 18 * x, rtol=1e-5)


def test_no_input_requires_grad_gives_plain_output():
    def scenario(lib):
        f = F(lib)
        y = f["MyExp"].apply(lib.tensor([0.0, 1.0]))
        x = lib.tensor([0.0], requires_grad=True)
        with lib.no_grad():
            z = f["MyExp"].apply(x)
        return dict(y=y, rg=y.requires_grad, gf=y.grad_fn, zrg=z.requires_grad, zgf=z.grad_fn)

    r = both(scenario)
    assert r["rg"] is False and r["gf"] is None and r["zrg"] is False and r["zgf"] is None
    np.testing.assert_allclose(r["y"][3], [1.0, np.e], rtol=1e-6)


# --- needs_input_grad, non-tensor arguments, None gradients ---------------------------------
@pytest.mark.parametrize("which", [(True, False), (False, True), (True, True)])
def test_needs_input_grad(which):
    def scenario(lib):
        f = F(lib)
        a = lib.tensor([1.0, 2.0], requires_grad=which[0])
        b = lib.tensor([3.0, 4.0], requires_grad=which[1])
        f["MulAB"].apply(a, b).sum().backward()
        return dict(log=list(f["log"]), agrad=a.grad, bgrad=b.grad)

    r = both(scenario)
    assert r["log"] == [("fwd_needs", which), ("bwd_needs", which)]
    if which[0]:
        np.testing.assert_allclose(r["agrad"][3], [3.0, 4.0])
    else:
        assert r["agrad"] is None
    if which[1]:
        np.testing.assert_allclose(r["bgrad"][3], [1.0, 2.0])
    else:
        assert r["bgrad"] is None


def test_non_tensor_arguments():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = f["Scale"].apply(x, 2.5, "mul")
        z = f["Scale"].apply(y, 1.0, "add")
        z.sum().backward()
        return dict(y=y, z=z, xgrad=x.grad, zname=type(z.grad_fn).__name__)

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [2.5, 5.0])
    np.testing.assert_allclose(r["z"][3], [3.5, 6.0])
    np.testing.assert_allclose(r["xgrad"][3], [2.5, 2.5])
    assert r["zname"] == "ScaleBackward"


def test_backward_returning_none_for_input_requiring_grad():
    def scenario(lib):
        f = F(lib)
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        f["NoneGrad"].apply(a, b).sum().backward()
        return dict(agrad=a.grad, bgrad=b.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["agrad"][3], [1.0, 1.0])
    assert r["bgrad"] is None


# --- mark_non_differentiable, multiple outputs, materialize -------------------------------
def test_mark_non_differentiable():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([3.0, -1.0, 2.0], requires_grad=True)
        out, aux, flag = f["WithAux"].apply(x)
        info = dict(out=out, aux=aux, flag=flag, orq=out.requires_grad,
                    arg=aux.requires_grad, agf=aux.grad_fn, aleaf=aux.is_leaf,
                    frg=flag.requires_grad, fgf=flag.grad_fn,
                    oname=type(out.grad_fn).__name__)
        (out * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        info["xgrad"] = x.grad
        info["log"] = list(f["log"])
        return info

    r = both(scenario)
    np.testing.assert_allclose(r["out"][3], [6.0, -2.0, 4.0])
    np.testing.assert_allclose(r["aux"][3], [4.0, 2.0, 3.0])
    assert r["flag"][3].tolist() == [True, False, True] and r["flag"][2] == "torch.bool"
    assert r["orq"] is True and r["arg"] is False and r["agf"] is None
    assert r["frg"] is False and r["fgf"] is None
    np.testing.assert_allclose(r["xgrad"][3], [2.0, 20.0, 200.0])
    assert r["oname"] == "WithAuxBackward"
    # non-differentiable outputs are materialised as zeros (torch passes zeros, not None)
    assert r["log"] == [("aux_bwd", False, False)]


def test_mark_non_differentiable_output_cannot_be_backpropagated():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([3.0, -1.0], requires_grad=True)
        _, aux, _ = f["WithAux"].apply(x)
        aux.sum().backward()

    raises_same(scenario, RuntimeError,
                "element 0 of tensors does not require grad and does not have a grad_fn")


def test_multiple_outputs_share_one_node_and_materialized_zero_grads():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = f["TwoOut"].apply(x)
        same = a.grad_fn is b.grad_fn
        a.sum().backward()          # b unused: its gradient is materialised as zeros
        g1 = x.grad.clone()
        a2, b2 = f["TwoOut"].apply(x)
        (a2 + b2 * 10).sum().backward()
        return dict(same=same, g1=g1, g2=x.grad, log=list(f["log"]))

    r = both(scenario)
    assert r["same"] is True
    np.testing.assert_allclose(r["g1"][3], [2.0, 2.0])
    np.testing.assert_allclose(r["g2"][3], [2.0 + 2 + 30, 2.0 + 2 + 30])
    assert r["log"] == [("twoout", [1.0, 1.0], [0.0, 0.0]), ("twoout", [1.0, 1.0], [10.0, 10.0])]


def test_set_materialize_grads_false_passes_none():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = f["TwoOutNoMat"].apply(x)
        b.sum().backward()
        return dict(xgrad=x.grad, log=list(f["log"]))

    r = both(scenario)
    assert r["log"] == [("nomat", True, False)]
    np.testing.assert_allclose(r["xgrad"][3], [3.0, 3.0])


# --- setup_context style, apply ---------------------------------------------------------
def test_setup_context_style():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, -2.0], requires_grad=True)
        y = f["ScaleSC"].apply(x, 4.0)
        info = dict(y=y, name=type(y.grad_fn).__name__)
        y.sum().backward()
        info["xgrad"] = x.grad
        info["log"] = list(f["log"])
        return info

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [4.0, -8.0])
    np.testing.assert_allclose(r["xgrad"][3], [4.0, 4.0])
    assert r["name"] == "ScaleSCBackward"
    assert r["log"] == [("sc", [1.0, -2.0], [4.0, -8.0])]


def test_mark_dirty_inplace_function():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        out = f["DoubleInplace"].apply(y)
        info = dict(ident=out is y, y=y, v=y._version, name=type(y.grad_fn).__name__)
        # torch: mul_ inside forward bumps to 1, mark_dirty bumps again -> 2
        (out * out).sum().backward()
        info["xgrad"] = x.grad
        return info

    r = both(scenario)
    assert r["ident"] is True and r["v"] == 2 and r["name"] == "DoubleInplaceBackward"
    np.testing.assert_allclose(r["y"][3], [2.0, 4.0])
    np.testing.assert_allclose(r["xgrad"][3], [8.0, 16.0])


# --- double backward, once_differentiable -----------------------------------------------
def test_double_backward_through_function():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = f["Cube"].apply(x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        info = dict(g=g, grg=g.requires_grad)
        (gg,) = lib.autograd.grad(g.sum(), x)
        info["gg"] = gg
        return info

    r = both(scenario)
    np.testing.assert_allclose(r["g"][3], [3.0, 12.0])
    np.testing.assert_allclose(r["gg"][3], [6.0, 12.0])
    assert r["grg"] is True


def test_double_backward_via_backward_create_graph():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([2.0], requires_grad=True)
        y = f["Cube"].apply(x)
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        g.backward()
        return dict(g=g, xgrad=x.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["g"][3], [12.0])
    np.testing.assert_allclose(r["xgrad"][3], [12.0])


def test_once_differentiable_first_order_and_second_order_error():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = f["CubeOnce"].apply(x)
        y.sum().backward(retain_graph=True)
        g1 = x.grad
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        try:
            lib.autograd.grad(g.sum(), x)
            err = None
        except RuntimeError as e:
            err = first_line(e)
        return dict(g1=g1, g=g, grg=g.requires_grad, err=err, log=list(f["log"]))

    r = both(scenario)
    np.testing.assert_allclose(r["g1"][3], [3.0, 12.0])
    np.testing.assert_allclose(r["g"][3], [3.0, 12.0])
    # inside a once_differentiable backward, grads do not require grad
    assert r["log"] == [("once", "Tensor", False), ("once", "Tensor", False)]
    assert r["grg"] is False
    assert r["err"] == "element 0 of tensors does not require grad and does not have a grad_fn"


# --- errors -------------------------------------------------------------------------------
def test_wrong_gradient_count_error():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0], requires_grad=True)
        f["Bad2"].apply(x, y).sum().backward()

    raises_same(scenario, RuntimeError,
                "function Bad2Backward returned an incorrect number of gradients (expected 2, got 1)")


def test_wrong_gradient_shape_error():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        f["Bad"].apply(x).sum().backward()

    raises_same(scenario, RuntimeError,
                "Function BadBackward returned an invalid gradient at index 0 - got [3] but "
                "expected shape compatible with [2]")


def test_save_for_backward_non_tensor_type_error():
    def scenario(lib):
        f = F(lib)
        f["SaveInt"].apply(lib.tensor([1.0], requires_grad=True))

    raises_same(scenario, TypeError,
                "save_for_backward can only save variables, but argument 0 is of type int")


def test_legacy_instance_call_error():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # torch warns about instantiating first
            f["Legacy"]()(x)

    raises_same(scenario, RuntimeError,
                "Legacy autograd function with non-static forward method is deprecated. Please "
                "use new-style autograd function with static forward method. (Example: "
                "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")


def test_backward_twice_saved_tensors_freed_error():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = f["MyExp"].apply(x)
        y.sum().backward()
        y.sum().backward()

    raises_same(scenario, RuntimeError, FREED_MSG)


def test_backward_twice_with_retain_graph_accumulates():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        y = f["MyExp"].apply(x)
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        return dict(xgrad=x.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["xgrad"][3], 2 * np.exp([0.0, 1.0]), rtol=1e-6)


def test_saved_tensors_access_after_backward_error():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = f["MyExp"].apply(x)
        y.sum().backward()
        y.grad_fn.saved_tensors

    raises_same(scenario, RuntimeError, FREED_MSG)


def test_saved_tensors_readable_from_node_before_backward():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = f["SaveInput"].apply(x)
        (s,) = y.grad_fn.saved_tensors
        return dict(s=s, same_values=bool((s == x).all()))

    r = both(scenario)
    np.testing.assert_allclose(r["s"][3], [1.0, 2.0])
    assert r["same_values"] is True


def test_inplace_modification_of_saved_input_detected():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        y = f["SaveInput"].apply(h)
        h.add_(1)
        y.sum().backward()

    raises_same(scenario, RuntimeError,
                "one of the variables needed for gradient computation has been modified by an "
                "inplace operation: [torch.FloatTensor [2]], which is output 0 of Add, is at "
                "version 1; expected version 0 instead. Hint: enable anomaly detection to find "
                "the operation that failed to compute its gradient, with "
                "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def test_inplace_modification_of_saved_output_detected():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = f["MyExp"].apply(x)
        y.mul_(2)
        y.sum().backward()

    # torch names the node that saved the output (MyExp), not its current grad_fn (Mul)
    raises_same(scenario, RuntimeError,
                "one of the variables needed for gradient computation has been modified by an "
                "inplace operation: [torch.FloatTensor [2]], which is output 0 of MyExp, is at "
                "version 1; expected version 0 instead. Hint: enable anomaly detection to find "
                "the operation that failed to compute its gradient, with "
                "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def test_inplace_modification_of_saved_leaf_under_no_grad_detected():
    def scenario(lib):
        f = F(lib)
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = f["SaveInput"].apply(x)
        with lib.no_grad():
            x.mul_(2)
        y.sum().backward()

    raises_same(scenario, RuntimeError,
                "one of the variables needed for gradient computation has been modified by an "
                "inplace operation: [torch.FloatTensor [3]] is at version 1; expected version 0 "
                "instead. Hint: enable anomaly detection to find the operation that failed to "
                "compute its gradient, with torch.autograd.set_detect_anomaly(True, "
                "check_nan=False).")

"""Hooks and graph introspection: Tensor.register_hook, retain_grad/retains_grad,
grad_fn.next_functions / name(), Node.register_hook / register_prehook,
backward(inputs=...), autograd.grad with non-leaf inputs, and their messages.

Each scenario is written once as ``scenario(lib)`` and run with lib=chainrule and, when
installed, lib=torch (2.13) as the reference; known values are asserted as well."""
import warnings

import numpy as np
import pytest

import chainrule as cr

from _twin import torch, norm, assert_same, both, first_line, raises_same, vals, name, qname  # noqa: F401,E402



NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information.")


def lst(t):
    return None if t is None else t.detach().tolist()


def fn_name(node):
    return None if node is None else type(node).__name__


def graph(node, depth=4):
    """The next_functions structure as nested (class name, index, children) tuples."""
    if node is None or depth == 0:
        return None
    return tuple((fn_name(n), i, graph(n, depth - 1)) for n, i in node.next_functions)


# --- Tensor.register_hook ---------------------------------------------------------------
def test_hook_on_leaf_replaces_gradient():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        h = x.register_hook(lambda g: seen.append(lst(g)) or g * 10)
        (x * x).sum().backward()
        g1 = x.grad.clone()
        h.remove()
        (x * x).sum().backward()
        return dict(seen=seen, g1=g1, g2=x.grad)

    r = both(scenario)
    assert r["seen"] == [[2.0, 4.0]]
    np.testing.assert_allclose(r["g1"][3], [20.0, 40.0])
    np.testing.assert_allclose(r["g2"][3], [22.0, 44.0])


def test_hook_on_nonleaf_replaces_gradient_flowing_on():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        seen = []
        y.register_hook(lambda g: seen.append(lst(g)) or g + 1)
        (y * lib.tensor([1.0, 2.0])).sum().backward()
        return dict(seen=seen, xgrad=x.grad)

    r = both(scenario)
    assert r["seen"] == [[1.0, 2.0]]
    np.testing.assert_allclose(r["xgrad"][3], [6.0, 9.0])



@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_hook_changing_the_implicit_scalar_gradient_in_place(shape):
    # backward() of a one-element output seeds it with a shared read-only 1:
    # hooks get a private copy they may change in place, and the next
    # backward starts from 1 again.
    def scenario(lib):
        x = lib.ones(shape, requires_grad=True)
        z = x * 3
        h = z.register_hook(lambda g: g.mul_(2))
        z.backward()
        first = x.grad.clone()
        h.remove()
        (x * 3).backward()
        return dict(first=first, second=x.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["first"][3], np.full(shape, 6.0))
    np.testing.assert_allclose(r["second"][3], np.full(shape, 9.0))

def test_hook_returning_none_observes_only_and_hooks_chain_in_order():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        order = []
        y.register_hook(lambda g: order.append(("a", lst(g))))
        y.register_hook(lambda g: order.append(("b", lst(g))) or g * 3)
        y.register_hook(lambda g: order.append(("c", lst(g))) or g + 1)
        y.sum().backward()
        return dict(order=order, xgrad=x.grad)

    r = both(scenario)
    assert r["order"] == [("a", [1.0, 1.0]), ("b", [1.0, 1.0]), ("c", [3.0, 3.0])]
    np.testing.assert_allclose(r["xgrad"][3], [8.0, 8.0])


def test_hook_called_once_with_summed_gradient_when_tensor_used_twice():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        calls = []
        y.register_hook(lambda g: calls.append(lst(g)))
        (y * 2 + y * y).sum().backward()
        return dict(calls=calls, xgrad=x.grad)

    r = both(scenario)
    assert r["calls"] == [[4.0, 6.0]]
    np.testing.assert_allclose(r["xgrad"][3], [4.0, 6.0])


def test_handle_remove_on_nonleaf_and_double_remove():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        calls = []
        h = y.register_hook(lambda g: calls.append(1) or g * 100)
        h.remove()
        h.remove()               # a second remove is harmless
        y.sum().backward()
        return dict(calls=calls, xgrad=x.grad)

    r = both(scenario)
    assert r["calls"] == []
    np.testing.assert_allclose(r["xgrad"][3], [2.0, 2.0])


def test_hooks_fire_for_autograd_grad():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        seen = []
        y.register_hook(lambda g: seen.append(("y", lst(g))) or g * 2)
        x.register_hook(lambda g: seen.append(("x", lst(g))))
        (g,) = lib.autograd.grad(y.sum(), x)
        return dict(seen=seen, g=g, xgrad=x.grad)

    r = both(scenario)
    # both hooks fire, the leaf's too, although autograd.grad does not accumulate into x.grad
    assert r["seen"] == [("y", [1.0, 1.0]), ("x", [4.0, 8.0])]
    np.testing.assert_allclose(r["g"][3], [4.0, 8.0])
    assert r["xgrad"] is None


def test_input_hook_replacement_changes_autograd_grad_result():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: g * 100)
        (g,) = lib.autograd.grad((x * x).sum(), x)
        return dict(g=g, xgrad=x.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["g"][3], [200.0, 400.0])
    assert r["xgrad"] is None


def test_hook_changing_size_error():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: lib.ones(3))
        y.sum().backward()

    raises_same(scenario, RuntimeError, "hook '<lambda>' has changed the size of value")


def test_register_hook_on_tensor_without_grad_error():
    def scenario(lib):
        lib.tensor([1.0, 2.0]).register_hook(lambda g: g)

    raises_same(scenario, RuntimeError,
                "cannot register a hook on a tensor that doesn't require gradient")


# --- retain_grad ---------------------------------------------------------------------------
def test_retain_grad_and_retains_grad():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        z = y * y
        before = (x.retains_grad, y.retains_grad, z.retains_grad)
        y.retain_grad()
        x.retain_grad()              # no-op on a leaf
        after = (x.retains_grad, y.retains_grad, z.retains_grad)
        z.sum().backward()
        return dict(before=before, after=after, ygrad=y.grad, xgrad=x.grad)

    r = both(scenario)
    assert r["before"] == (False, False, False)
    assert r["after"] == (False, True, False)
    np.testing.assert_allclose(r["ygrad"][3], [6.0, 12.0])
    np.testing.assert_allclose(r["xgrad"][3], [18.0, 36.0])


def test_retain_grad_accumulates_and_sees_hook_result():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 5)   # registered after retain_grad, still reflected
        y.sum().backward(retain_graph=True)
        g1 = y.grad.clone()
        y.sum().backward()
        return dict(g1=g1, g2=y.grad, xgrad=x.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["g1"][3], [5.0, 5.0])
    np.testing.assert_allclose(r["g2"][3], [10.0, 10.0])
    np.testing.assert_allclose(r["xgrad"][3], [20.0, 20.0])


def test_retain_grad_on_tensor_without_grad_error():
    def scenario(lib):
        lib.tensor([1.0, 2.0]).retain_grad()

    raises_same(scenario, RuntimeError, "can't retain_grad on Tensor that has requires_grad=False")


# --- the non-leaf .grad warning -----------------------------------------------------------
def _grad_warnings(t):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = t.grad
    return g, [(c.category.__name__, str(c.message)) for c in caught]


def test_nonleaf_grad_access_warns_and_returns_none():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.sum().backward()
        g, ws = _grad_warnings(y)
        # torch appends a "(Triggered internally at ...)" suffix; compare up to it
        ws = [(c, m.split(" (Triggered internally")[0]) for c, m in ws]
        return dict(g=g, ws=ws)

    r = both(scenario)
    assert r["g"] is None
    assert r["ws"] == [("UserWarning", NONLEAF_GRAD_WARNING)]


@pytest.mark.parametrize("case", ["leaf", "retained", "plain", "after_inputs"])
def test_no_grad_warning_for_leaves_and_retained(case):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        if case == "leaf":
            t = x
        elif case == "retained":
            y.retain_grad()
            t = y
        elif case == "plain":
            t = lib.tensor([1.0])
        else:
            t = y                     # backward(inputs=[y]) populates the non-leaf's .grad
        y.sum().backward(inputs=[y] if case == "after_inputs" else None)
        g, ws = _grad_warnings(t)
        return dict(g=g, ws=ws)

    r = both(scenario)
    assert r["ws"] == []


# --- graph structure ----------------------------------------------------------------------
def test_next_functions_structure():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        c = lib.tensor([5.0, 6.0])
        y = ((x * c) + w.exp()).sum()
        mul = y.grad_fn.next_functions[0][0].next_functions[0][0]
        acc_x = mul.next_functions[0][0]
        return dict(graph=graph(y.grad_fn), name=y.grad_fn.name(),
                    mulname=mul.name(), const=mul.next_functions[1],
                    var_is_x=acc_x.variable is x, accname=fn_name(acc_x),
                    xgf=x.grad_fn)

    r = both(scenario)
    assert r["graph"] == (("AddBackward0", 0, (
        ("MulBackward0", 0, (("AccumulateGrad", 0, ()), (None, 0, None))),
        ("ExpBackward0", 0, (("AccumulateGrad", 0, ()),)))),)
    assert r["name"] == "SumBackward0" and r["mulname"] == "MulBackward0"
    assert r["const"] == (None, 0)
    assert r["var_is_x"] is True and r["accname"] == "AccumulateGrad" and r["xgf"] is None


def test_accumulate_grad_node_is_shared_per_leaf():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 2
        b = x + 1
        na = a.grad_fn.next_functions[0][0]
        nb = b.grad_fn.next_functions[0][0]
        return dict(same=na is nb, name=na.name(), n_next=len(na.next_functions))

    r = both(scenario)
    assert r["same"] is True and r["n_next"] == 0
    assert r["name"] == "torch::autograd::AccumulateGrad"


def test_next_functions_index_for_multi_output_and_view():
    def scenario(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 1
        v = y[0]
        t = y.t()
        z = v + t[1]
        return dict(graph=graph(z.grad_fn, 3), vname=v.grad_fn.name(), tname=t.grad_fn.name())

    r = both(scenario)
    assert r["vname"] == "SelectBackward0" and r["tname"] == "TBackward0"
    assert r["graph"] == (("SelectBackward0", 0, (("MulBackward0", 0, (("AccumulateGrad", 0, None), (None, 0, None))),)),
                          ("SelectBackward0", 0, (("TBackward0", 0, (("MulBackward0", 0, None),)),)))


# --- Node hooks -----------------------------------------------------------------------------
def test_node_register_hook_and_prehook_observe():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * lib.tensor([3.0, 4.0])
        rec = []
        h1 = y.grad_fn.register_prehook(lambda go: rec.append(("pre", [lst(g) for g in go])))
        h2 = y.grad_fn.register_hook(
            lambda gi, go: rec.append(("post", [lst(g) for g in gi], [lst(g) for g in go])))
        y.sum().backward(retain_graph=True)
        h1.remove()
        h2.remove()
        y.sum().backward()
        return dict(rec=rec, xgrad=x.grad)

    r = both(scenario)
    assert r["rec"] == [("pre", [[1.0, 1.0]]), ("post", [[3.0, 4.0], None], [[1.0, 1.0]])]
    np.testing.assert_allclose(r["xgrad"][3], [6.0, 8.0])


def test_node_hook_replaces_grad_inputs():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        y = x * w
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, gi[1]))
        y.sum().backward()
        return dict(xgrad=x.grad, wgrad=w.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["xgrad"][3], [30.0, 40.0])
    np.testing.assert_allclose(r["wgrad"][3], [1.0, 2.0])


def test_node_prehook_replaces_grad_outputs():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.grad_fn.register_prehook(lambda go: (go[0] * 0 + 1,))
        (y * 7).sum().backward()
        return dict(xgrad=x.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["xgrad"][3], np.exp([1.0, 2.0]), rtol=1e-6)


def test_node_hook_on_sum_sees_scalar_grad_output():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        s = (x * 2).sum()
        rec = []
        s.grad_fn.register_hook(lambda gi, go: rec.append(([lst(g) for g in gi],
                                                             [lst(g) for g in go])))
        s.backward(lib.tensor(2.0))
        return dict(rec=rec, xgrad=x.grad)

    r = both(scenario)
    assert r["rec"] == [([[2.0, 2.0, 2.0]], [2.0])]
    np.testing.assert_allclose(r["xgrad"][3], [4.0, 4.0, 4.0])


def test_node_hooks_on_accumulate_grad():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        rec = []
        acc.register_prehook(lambda go: rec.append(("pre", [lst(g) for g in go])))
        y.sum().backward()
        return dict(rec=rec, xgrad=x.grad)

    r = both(scenario)
    assert r["rec"] == [("pre", [[2.0, 2.0]])]
    np.testing.assert_allclose(r["xgrad"][3], [2.0, 2.0])


# --- backward(inputs=...) and autograd.grad with non-leaf inputs --------------------------
def test_backward_inputs_restricts_to_leaf():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[x])
        return dict(xgrad=x.grad, wgrad=w.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["xgrad"][3], [3.0, 4.0])
    assert r["wgrad"] is None


def test_backward_inputs_with_nonleaf():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        (y * y).sum().backward(inputs=[y])
        return dict(xgrad=x.grad, ygrad=y.grad, rg=y.retains_grad)

    r = both(scenario)
    assert r["xgrad"] is None
    np.testing.assert_allclose(r["ygrad"][3], [4.0, 8.0])
    assert r["rg"] is True          # torch 2.13: a non-leaf passed as inputs= now retains grad


def test_backward_inputs_mixed_and_accumulating():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = (y * y).sum()
        z.backward(inputs=[y, x], retain_graph=True)
        z.backward(inputs=[x])
        return dict(xgrad=x.grad, ygrad=y.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["xgrad"][3], [16.0, 32.0])
    # y became retains_grad=True in the first call, so the second call accumulates into it too
    np.testing.assert_allclose(r["ygrad"][3], [8.0, 16.0])


def test_autograd_backward_inputs_function_form():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        lib.autograd.backward([(x * w).sum()], inputs=[w])
        return dict(xgrad=x.grad, wgrad=w.grad)

    r = both(scenario)
    assert r["xgrad"] is None
    np.testing.assert_allclose(r["wgrad"][3], [1.0, 2.0])


def test_autograd_grad_with_nonleaf_inputs():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = (y ** 2).sum()
        gy, gx = lib.autograd.grad(z, [y, x], retain_graph=True)
        (gy2,) = lib.autograd.grad(z, y)
        return dict(gy=gy, gx=gx, gy2=gy2, xgrad=x.grad, gyrg=gy.requires_grad)

    r = both(scenario)
    np.testing.assert_allclose(r["gy"][3], [4.0, 8.0])
    np.testing.assert_allclose(r["gx"][3], [8.0, 16.0])
    np.testing.assert_allclose(r["gy2"][3], [4.0, 8.0])
    assert r["xgrad"] is None and r["gyrg"] is False


def test_autograd_grad_nonleaf_input_create_graph():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        z = (y ** 3).sum()
        (gy,) = lib.autograd.grad(z, y, create_graph=True)
        (gx,) = lib.autograd.grad(gy.sum(), x)
        return dict(gy=gy, gx=gx, name=type(gy.grad_fn).__name__)

    r = both(scenario)
    np.testing.assert_allclose(r["gy"][3], [27.0, 108.0])
    np.testing.assert_allclose(r["gx"][3], [54.0, 108.0])


def test_autograd_grad_nonleaf_not_in_graph_unused_error():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        other = x * 5
        lib.autograd.grad(y.sum(), [y, other])

    raises_same(scenario, RuntimeError,
                "The differentiated Tensor at index 1 appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior.")

"""In-place ops and version counters, run against chainrule and (when installed)
torch 2.13 as the reference.

Every scenario is written once as ``scenario(lib)``; ``both`` runs it with
lib=chainrule and lib=torch and compares the results (values, gradients, grad_fn
names, ``_version`` numbers); ``raises_same`` compares exception type and the
first line of the message.  Mathematically known values are asserted as well so
the tests mean something without torch."""
import numpy as np
import pytest

import chainrule as cr

from _twin import torch, norm, assert_same, both, first_line, raises_same, vals, name, qname  # noqa: F401,E402



HINT = ("Hint: enable anomaly detection to find the operation that failed to compute its "
        "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")


def modified_msg(shape, version, output_of=None, expected=0):
    which = f", which is output 0 of {output_of}," if output_of else ""
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [torch.FloatTensor [{shape}]]{which} is at version {version}; "
            f"expected version {expected} instead. " + HINT)


LEAF_MSG = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_MSG = "a view of a leaf Variable that requires grad is being used in an in-place operation."


# --- each in-place op on a non-leaf inside a graph -----------------------------------------
X0 = [0.5, -1.0, 2.0]

# (call, forward f(x), derivative d f/dx, torch grad_fn name)
OPS = {
    "add_": (lambda lib, y: y.add_(1.5), lambda x: x + 1.5, lambda x: np.ones_like(x), "AddBackward0"),
    "add_alpha": (lambda lib, y: y.add_(lib.ones(3), alpha=2), lambda x: x + 2,
                  lambda x: np.ones_like(x), "AddBackward0"),
    "sub_": (lambda lib, y: y.sub_(0.5), lambda x: x - 0.5, lambda x: np.ones_like(x), "SubBackward0"),
    "mul_": (lambda lib, y: y.mul_(3.0), lambda x: 3 * x, lambda x: np.full_like(x, 3.0), "MulBackward0"),
    "div_": (lambda lib, y: y.div_(4.0), lambda x: x / 4, lambda x: np.full_like(x, 0.25), "DivBackward0"),
    "pow_": (lambda lib, y: y.pow_(2), lambda x: x ** 2, lambda x: 2 * x, "PowBackward0"),
    "clamp_": (lambda lib, y: y.clamp_(-0.5, 1.0), lambda x: np.clip(x, -0.5, 1.0),
               lambda x: ((x >= -0.5) & (x <= 1.0)).astype(float), "ClampBackward1"),
    "clamp_min": (lambda lib, y: y.clamp_(min=0.0), lambda x: np.maximum(x, 0.0),
                  lambda x: (x >= 0).astype(float), "ClampBackward1"),
    "exp_": (lambda lib, y: y.exp_(), np.exp, np.exp, "ExpBackward0"),
    "zero_": (lambda lib, y: y.zero_(), np.zeros_like, np.zeros_like, "ZeroBackward0"),
    "fill_": (lambda lib, y: y.fill_(3.0), lambda x: np.full_like(x, 3.0), np.zeros_like, "FillBackward2"),
    "copy_": (lambda lib, y: y.copy_(lib.tensor([7.0, 8.0, 9.0])), lambda x: np.array([7.0, 8.0, 9.0]),
              np.zeros_like, "CopyBackwards"),
}


@pytest.mark.parametrize("op", list(OPS))
def test_inplace_op_on_nonleaf_values_grad_version(op):
    call, f, df, gname = OPS[op]

    def scenario(lib):
        x = lib.tensor(X0, requires_grad=True)
        y = x * 1
        ident = call(lib, y) is y              # in-place ops return self
        w = lib.tensor([1.0, 2.0, 3.0])
        (y * w).sum().backward()
        return dict(ident=ident, y=y, version=y._version, name=name(y), qname=qname(y),
                    leaf=y.is_leaf, rg=y.requires_grad, xgrad=x.grad)

    r = both(scenario)
    x = np.array(X0)
    assert r["ident"] is True
    assert r["version"] == 1
    assert r["name"] == gname
    assert r["qname"] == ("torch::autograd::" + gname if gname == "CopyBackwards" else gname)
    assert r["leaf"] is False and r["rg"] is True
    np.testing.assert_allclose(r["y"][3], f(x), rtol=1e-6)
    np.testing.assert_allclose(r["xgrad"][3], df(x) * np.array([1.0, 2.0, 3.0]), rtol=1e-6)


@pytest.mark.parametrize("op", list(OPS))
def test_inplace_op_on_plain_tensor(op):
    call, f, _, _ = OPS[op]

    def scenario(lib):
        t = lib.tensor(X0)
        r = call(lib, t)
        return dict(ident=r is t, t=t, version=t._version, rg=t.requires_grad, gf=t.grad_fn)

    r = both(scenario)
    assert r["ident"] is True and r["version"] == 1 and r["rg"] is False and r["gf"] is None
    np.testing.assert_allclose(r["t"][3], f(np.array(X0)), rtol=1e-6)


def test_inplace_with_tensor_argument_requiring_grad():
    # mul_/add_/copy_ by a tensor that requires grad: the gradient reaches it too
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = lib.tensor([2.0, -1.0, 0.5], requires_grad=True)
        y = x * 2
        y.mul_(w)
        y.add_(w, alpha=3)
        y.sum().backward()
        return dict(y=y, xgrad=x.grad, wgrad=w.grad, version=y._version, name=name(y))

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [2 * 2 + 6, 4 * -1 + -3, 6 * 0.5 + 1.5])
    np.testing.assert_allclose(r["xgrad"][3], [4.0, -2.0, 1.0])
    np.testing.assert_allclose(r["wgrad"][3], [2 + 3, 4 + 3, 6 + 3])
    assert r["version"] == 2 and r["name"] == "AddBackward0"


def test_inplace_on_constant_with_grad_argument_makes_it_nonleaf():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = lib.zeros(2)
        a.add_(x * 3)
        info = dict(rg=a.requires_grad, leaf=a.is_leaf, name=name(a))
        a.sum().backward()
        info["xgrad"] = x.grad
        return info

    r = both(scenario)
    assert r["rg"] is True and r["leaf"] is False and r["name"] == "AddBackward0"
    np.testing.assert_allclose(r["xgrad"][3], [3.0, 3.0])


def test_copy_into_nonleaf_from_grad_source():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        s = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)
        y = x * 2
        y.copy_(s * s)
        (y * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        return dict(y=y, xgrad=x.grad, sgrad=s.grad, name=name(y))

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [16.0, 25.0, 36.0])
    np.testing.assert_allclose(r["xgrad"][3], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(r["sgrad"][3], [8.0, 100.0, 1200.0])
    assert r["name"] == "CopyBackwards"


# --- augmented assignment ---------------------------------------------------------------
def test_iadd_imul_are_inplace_and_differentiable():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        yid = id(y)
        y += x
        y *= 3
        same = id(y) == yid
        y.sum().backward()
        return dict(same=same, y=y, version=y._version, name=name(y), xgrad=x.grad)

    r = both(scenario)
    assert r["same"] is True and r["version"] == 2 and r["name"] == "MulBackward0"
    np.testing.assert_allclose(r["y"][3], [6.0, 12.0, 18.0])
    np.testing.assert_allclose(r["xgrad"][3], [6.0, 6.0, 6.0])


def test_isub_idiv_on_plain_tensor_keep_identity():
    def scenario(lib):
        t = lib.tensor([4.0, 8.0])
        tid = id(t)
        t -= 1
        t /= 2
        return dict(same=id(t) == tid, t=t, version=t._version)

    r = both(scenario)
    assert r["same"] is True and r["version"] == 2
    np.testing.assert_allclose(r["t"][3], [1.5, 3.5])


# --- setitem ----------------------------------------------------------------------------
def test_setitem_differentiable_in_base_and_value():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        v = lib.tensor(10.0, requires_grad=True)
        u = lib.tensor([20.0, 30.0], requires_grad=True)
        y = x * 2
        y[0] = v
        y[2:4] = u * 2
        (y * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        return dict(y=y, version=y._version, name=name(y), qname=qname(y), xgrad=x.grad,
                    vgrad=v.grad, ugrad=u.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [10.0, 4.0, 40.0, 60.0])
    np.testing.assert_allclose(r["xgrad"][3], [0.0, 4.0, 0.0, 0.0])
    np.testing.assert_allclose(r["vgrad"][3], 1.0)
    np.testing.assert_allclose(r["ugrad"][3], [6.0, 8.0])
    assert r["version"] == 2 and r["name"] == "CopySlices"
    assert r["qname"] == "torch::autograd::CopySlices"


def test_setitem_broadcast_scalar_and_mask():
    def scenario(lib):
        x = lib.tensor([[1.0, -2.0], [-3.0, 4.0]], requires_grad=True)
        v = lib.tensor(5.0, requires_grad=True)
        y = x.clone()
        y[y < 0] = 0.0
        y[1] = v                           # broadcast a 0-d tensor into a row
        y.sum().backward()
        return dict(y=y, xgrad=x.grad, vgrad=v.grad, version=y._version)

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [[1.0, 0.0], [5.0, 5.0]])
    np.testing.assert_allclose(r["xgrad"][3], [[1.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(r["vgrad"][3], 2.0)
    assert r["version"] == 2


def test_setitem_on_plain_tensor_with_grad_value_makes_graph():
    def scenario(lib):
        v = lib.tensor([1.0, 2.0], requires_grad=True)
        buf = lib.zeros(4)
        buf[1:3] = v * v
        info = dict(rg=buf.requires_grad, leaf=buf.is_leaf, name=name(buf), version=buf._version)
        (buf * lib.arange(4.0)).sum().backward()
        info["vgrad"] = v.grad
        info["buf"] = buf
        return info

    r = both(scenario)
    assert r["rg"] is True and r["leaf"] is False and r["name"] == "CopySlices"
    assert r["version"] == 1
    np.testing.assert_allclose(r["buf"][3], [0.0, 1.0, 4.0, 0.0])
    np.testing.assert_allclose(r["vgrad"][3], [2.0, 8.0])


def test_setitem_integer_index_tensor():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        v = lib.tensor([7.0, 8.0], requires_grad=True)
        y = x * 3
        y[lib.tensor([3, 0])] = v
        (y * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        return dict(y=y, xgrad=x.grad, vgrad=v.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [8.0, 6.0, 9.0, 7.0])
    np.testing.assert_allclose(r["xgrad"][3], [0.0, 6.0, 9.0, 0.0])
    np.testing.assert_allclose(r["vgrad"][3], [4.0, 1.0])


# --- in-place on non-leaves inside a graph: correct gradients -----------------------------
def test_inplace_after_use_by_op_that_does_not_save_it():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 2
        b = a * 3          # saves only the constant, not a
        c = a + 1          # saves nothing
        a.add_(1)
        (a + b + c).sum().backward()
        return dict(a=a, xgrad=x.grad, version=a._version)

    r = both(scenario)
    np.testing.assert_allclose(r["a"][3], [3.0, 5.0])
    np.testing.assert_allclose(r["xgrad"][3], [2 + 6 + 2, 2 + 6 + 2])
    assert r["version"] == 1


@pytest.mark.parametrize("reader", ["mul_scalar", "rmul_scalar", "mul_const_tensor", "div_scalar",
                                    "add_scalar"])
def test_reader_that_only_needs_constant_does_not_lock_input(reader):
    # torch saves `self` for mul/div only when the *other* operand requires grad
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 2
        c = {"mul_scalar": lambda: a * 3, "rmul_scalar": lambda: 3 * a,
             "mul_const_tensor": lambda: a * lib.tensor([3.0, 4.0]),
             "div_scalar": lambda: a / 4, "add_scalar": lambda: a + 1}[reader]()
        a.add_(1)
        c.sum().backward()
        return dict(xgrad=x.grad)

    r = both(scenario)
    expected = {"mul_scalar": [6.0, 6.0], "rmul_scalar": [6.0, 6.0], "mul_const_tensor": [6.0, 8.0],
                "div_scalar": [0.5, 0.5], "add_scalar": [2.0, 2.0]}[reader]
    np.testing.assert_allclose(r["xgrad"][3], expected)


def test_chain_of_inplace_ops_gradient():
    def scenario(lib):
        x = lib.tensor([0.5, 1.0, 1.5], requires_grad=True)
        y = x.clone()
        y.mul_(2).add_(1).pow_(2)     # (2x+1)^2, chained in-place returns self
        y.sum().backward()
        return dict(y=y, xgrad=x.grad, version=y._version, name=name(y))

    r = both(scenario)
    x = np.array([0.5, 1.0, 1.5])
    np.testing.assert_allclose(r["y"][3], (2 * x + 1) ** 2)
    np.testing.assert_allclose(r["xgrad"][3], 4 * (2 * x + 1))
    assert r["version"] == 3 and r["name"] == "PowBackward0"


def test_inplace_exp_saved_output_used_for_gradient():
    # exp_ saves its in-place output; a later op that does not save y leaves it usable
    def scenario(lib):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        y = x * 1
        y.exp_()
        z = y * 2
        z.sum().backward()
        return dict(xgrad=x.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["xgrad"][3], 2 * np.exp([0.0, 1.0]), rtol=1e-6)


# --- version counters ---------------------------------------------------------------------
def test_version_shared_with_views_and_detach_but_not_data():
    def scenario(lib):
        t = lib.zeros(4)
        v = t[1:]
        w = t.view(2, 2)
        d = t.detach()
        out = [(t._version, v._version, w._version, d._version)]
        t.add_(1)
        out.append((t._version, v._version, w._version, d._version))
        v.mul_(2)
        out.append((t._version, v._version, w._version, d._version))
        d.sub_(1)
        out.append((t._version, v._version, w._version, d._version))
        t.data.add_(1)                  # .data has its own version counter in torch
        out.append((t._version, v._version, w._version, d._version))
        t[0] = 3.0
        out.append((t._version, v._version, w._version, d._version))
        return dict(versions=out, t=t)

    r = both(scenario)
    assert r["versions"] == [(0, 0, 0, 0), (1, 1, 1, 1), (2, 2, 2, 2), (3, 3, 3, 3),
                             (3, 3, 3, 3), (4, 4, 4, 4)]
    np.testing.assert_allclose(r["t"][3], [3.0, 2.0, 2.0, 2.0])


def test_version_starts_at_zero_and_out_of_place_does_not_bump():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = y + 1
        _ = y.sum()
        c = y.clone()
        c.add_(1)
        return dict(versions=(x._version, y._version, z._version, c._version))

    r = both(scenario)
    assert r["versions"] == (0, 0, 0, 1)


def test_leaf_version_bumped_by_no_grad_update_and_zero_grad():
    def scenario(lib):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        with lib.no_grad():
            w -= 0.1 * w.grad
            w.mul_(2)
        g = w.grad
        gv0 = g._version          # the grad buffer's own count is an engine detail; compare the bump
        g.zero_()
        return dict(w=w, wv=w._version, gv=g._version - gv0, g=g, leaf=w.is_leaf,
                    rg=w.requires_grad, gf=w.grad_fn)

    r = both(scenario)
    assert r["wv"] == 2 and r["gv"] == 1
    np.testing.assert_allclose(r["w"][3], [2 * (1 - 0.2), 2 * (2 - 0.4)], rtol=1e-6)
    np.testing.assert_allclose(r["g"][3], [0.0, 0.0])
    assert r["leaf"] is True and r["rg"] is True and r["gf"] is None


# --- "modified by an inplace operation" ------------------------------------------------
def test_saved_output_modified_error():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.add_(1)
        y.sum().backward()

    raises_same(scenario, RuntimeError, modified_msg(2, 1, "Exp"))


def test_saved_nonleaf_input_modified_by_add_error():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        z = y * y
        y.add_(1)
        z.sum().backward()

    raises_same(scenario, RuntimeError, modified_msg(3, 1, "Add"))


def test_saved_input_modified_twice_reports_version_2():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        z = y.sin()
        y.mul_(2)
        y.mul_(2)
        z.sum().backward()

    raises_same(scenario, RuntimeError, modified_msg(3, 2, "Mul"))


def test_saved_leaf_modified_under_no_grad_error():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
        y = x * x
        with lib.no_grad():
            x.add_(1)
        y.sum().backward()

    raises_same(scenario, RuntimeError, modified_msg(5, 1))


def test_saved_tensor_modified_through_view_error():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        z = y.pow(2)
        y[0:2].mul_(3)
        z.sum().backward()

    got = raises_same(scenario, RuntimeError)
    assert got[1].startswith("one of the variables needed for gradient computation has been "
                             "modified by an inplace operation: [torch.FloatTensor [3]]")
    assert "is at version 1; expected version 0 instead." in got[1]


def test_modified_saved_tensor_error_also_in_autograd_grad():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.mul_(2)
        lib.autograd.grad(y.sum(), x)

    raises_same(scenario, RuntimeError, modified_msg(2, 1, "Exp"))


def test_inplace_not_saved_is_fine_with_retain_graph_second_pass_fails():
    # first backward works (the add_ happens later), then the add_ invalidates the saved output
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        s = y.sum()
        s.backward(retain_graph=True)
        g1 = x.grad.clone()
        with lib.no_grad():
            y.add_(1)
        try:
            s.backward()
            err = None
        except RuntimeError as e:
            err = first_line(e)
        return dict(g1=g1, err=err)

    r = both(scenario)
    np.testing.assert_allclose(r["g1"][3], np.exp([1.0, 2.0]), rtol=1e-6)
    assert r["err"] == modified_msg(2, 1, "Exp")


# --- in-place on leaves requiring grad -----------------------------------------------------
@pytest.mark.parametrize("how", ["add_", "mul_", "zero_", "iadd", "fill_", "copy_"])
def test_inplace_on_leaf_requiring_grad_error(how):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        if how == "iadd":
            x += 1
        elif how == "copy_":
            x.copy_(lib.zeros(2))
        elif how == "fill_":
            x.fill_(1.0)
        else:
            getattr(x, how)(*([2.0] if how in ("add_", "mul_") else []))

    raises_same(scenario, RuntimeError, LEAF_MSG)


@pytest.mark.parametrize("how", ["setitem_int", "slice_mul_", "setitem_slice", "view_add_", "select_iadd"])
def test_inplace_on_view_of_leaf_requiring_grad_error(how):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        if how == "setitem_int":
            x[0] = 5
        elif how == "slice_mul_":
            x[0:1].mul_(2)
        elif how == "setitem_slice":
            x[1:3] = lib.zeros(2)
        elif how == "view_add_":
            x.view(2, 2).add_(1)
        else:
            v = x[2]
            v += 1

    raises_same(scenario, RuntimeError, VIEW_LEAF_MSG)


def test_failed_inplace_on_leaf_leaves_it_untouched():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        try:
            x.add_(1)
        except RuntimeError:
            pass
        return dict(x=x, v=x._version, leaf=x.is_leaf, gf=x.grad_fn)

    r = both(scenario)
    np.testing.assert_allclose(r["x"][3], [1.0, 2.0])
    assert r["v"] == 0 and r["leaf"] is True and r["gf"] is None


def test_inplace_on_leaf_allowed_under_no_grad_sgd_loop():
    def scenario(lib):
        w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        lr = 0.1
        losses = []
        for _ in range(3):
            loss = (w * w).sum()
            losses.append(loss.item())
            loss.backward()
            with lib.no_grad():
                w -= lr * w.grad
            w.grad.zero_()
        return dict(w=w, losses=losses, leaf=w.is_leaf, rg=w.requires_grad, gf=w.grad_fn,
                    version=w._version, grad=w.grad)

    r = both(scenario)
    np.testing.assert_allclose(r["w"][3], np.array([1.0, -2.0, 3.0]) * 0.8 ** 3, rtol=1e-6)
    np.testing.assert_allclose(r["losses"], [14.0, 14.0 * 0.64, 14.0 * 0.64 ** 2], rtol=1e-5)
    assert r["leaf"] is True and r["rg"] is True and r["gf"] is None and r["version"] == 3
    np.testing.assert_allclose(r["grad"][3], [0.0, 0.0, 0.0])


def test_setitem_on_leaf_under_no_grad_allowed():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with lib.no_grad():
            x[0] = 10.0
            x[1:].mul_(2)
        (x * x).sum().backward()
        return dict(x=x, grad=x.grad, v=x._version, leaf=x.is_leaf)

    r = both(scenario)
    np.testing.assert_allclose(r["x"][3], [10.0, 4.0, 6.0])
    np.testing.assert_allclose(r["grad"][3], [20.0, 8.0, 12.0])
    assert r["v"] == 2 and r["leaf"] is True


def test_inplace_on_leaf_via_data_and_detach_allowed():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.data.mul_(3)
        x.detach().add_(1)
        (x * 2).sum().backward()
        return dict(x=x, grad=x.grad, v=x._version, rg=x.requires_grad)

    r = both(scenario)
    np.testing.assert_allclose(r["x"][3], [4.0, 7.0])
    np.testing.assert_allclose(r["grad"][3], [2.0, 2.0])
    assert r["v"] == 1 and r["rg"] is True


# --- in-place through views of non-leaf tensors ------------------------------------------
def test_select_view_mul_of_nonleaf():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        y[0].mul_(2)
        y.sum().backward()
        return dict(y=y, xgrad=x.grad, v=y._version, name=name(y))

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [2.0, 2.0, 3.0])
    np.testing.assert_allclose(r["xgrad"][3], [2.0, 1.0, 1.0])
    assert r["v"] == 1 and r["name"] == "CopySlices"


def test_view_transpose_mul_of_nonleaf():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = x * 1
        y.view(2, 2).t().mul_(lib.tensor([[1.0, 10.0], [100.0, 1000.0]]))
        (y * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        return dict(y=y, xgrad=x.grad, v=y._version, name=name(y))

    r = both(scenario)
    # y.view(2,2) = [[y0,y1],[y2,y3]]; its transpose [[y0,y2],[y1,y3]] * [[1,10],[100,1000]]
    np.testing.assert_allclose(r["y"][3], [1.0, 200.0, 30.0, 4000.0])
    np.testing.assert_allclose(r["xgrad"][3], [1.0, 200.0, 30.0, 4000.0])
    assert r["v"] == 1 and r["name"] == "CopySlices"


def test_slice_iadd_of_nonleaf():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[1:] += 1                # iadd on the view (v1), then setitem writes it back (v2)
        (y * y).sum().backward()
        return dict(y=y, xgrad=x.grad, v=y._version)

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [2.0, 5.0, 7.0])
    np.testing.assert_allclose(r["xgrad"][3], [8.0, 20.0, 28.0])
    assert r["v"] == 2


def test_view_sees_base_inplace_and_view_grad_is_correct():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        v = y[1:]
        y.mul_(lib.tensor([2.0, 3.0, 4.0]))
        info = dict(v=v, vv=v._version, vrg=v.requires_grad)
        (v * v).sum().backward()
        info["xgrad"] = x.grad
        return info

    r = both(scenario)
    np.testing.assert_allclose(r["v"][3], [6.0, 12.0])
    assert r["vv"] == 1 and r["vrg"] is True
    # v = [3 x1, 4 x2] -> d/dx sum(v^2) = [0, 18 x1, 32 x2]
    np.testing.assert_allclose(r["xgrad"][3], [0.0, 36.0, 96.0])


def test_base_sees_view_inplace_with_grad_value():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        s = lib.tensor(2.0, requires_grad=True)
        y = x.clone()
        v = y.view(2, 2)[:, 1]
        v.mul_(s)
        (y * y).sum().backward()
        return dict(y=y, xgrad=x.grad, sgrad=s.grad, yv=y._version)

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [1.0, 4.0, 3.0, 8.0])
    np.testing.assert_allclose(r["xgrad"][3], [2.0, 16.0, 6.0, 32.0])
    np.testing.assert_allclose(r["sgrad"][3], 2 * 2.0 * (2.0 ** 2 + 4.0 ** 2))   # d/ds = 2 s (x1^2+x3^2)
    assert r["yv"] == 1


def test_inplace_on_view_of_plain_base_with_grad_value():
    def scenario(lib):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        base = lib.zeros(2, 2)
        base[0].add_(w)
        info = dict(rg=base.requires_grad, leaf=base.is_leaf, name=name(base))
        (base * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
        info["wgrad"] = w.grad
        return info

    r = both(scenario)
    assert r["rg"] is True and r["leaf"] is False and r["name"] == "CopySlices"
    np.testing.assert_allclose(r["wgrad"][3], [1.0, 2.0])


# --- detach_ and no_grad views ------------------------------------------------------------
def test_detach_inplace_on_view_error():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        y[:2].detach_()

    raises_same(scenario, RuntimeError,
                startswith="Can't detach views in-place. Use detach() instead.")


def test_detach_inplace_on_view_of_plain_tensor_error():
    def scenario(lib):
        t = lib.zeros(3)
        t[1:].detach_()

    raises_same(scenario, RuntimeError,
                startswith="Can't detach views in-place. Use detach() instead.")


def test_detach_inplace_on_nonview():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        r = y.detach_()
        return dict(ident=r is y, rg=y.requires_grad, leaf=y.is_leaf, gf=y.grad_fn, y=y)

    r = both(scenario)
    assert r["ident"] is True and r["rg"] is False and r["leaf"] is True and r["gf"] is None
    np.testing.assert_allclose(r["y"][3], [3.0, 6.0])


NO_GRAD_VIEW_MSG = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
    "code by moving both the view and the inplace either both inside the no_grad block (if you "
    "don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked).")


@pytest.mark.parametrize("leaf", [False, True])
def test_view_created_in_no_grad_modified_with_grad_enabled_error(leaf):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x if leaf else x * 1
        with lib.no_grad():
            v = y[:2]
        v.mul_(2)

    raises_same(scenario, RuntimeError, NO_GRAD_VIEW_MSG)


def test_view_created_in_no_grad_modified_in_no_grad_ok():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        with lib.no_grad():
            v = y[:2]
            v.mul_(2)
        info = dict(y=y, vrg=v.requires_grad, yv=y._version)
        y.sum().backward()
        info["xgrad"] = x.grad
        return info

    r = both(scenario)
    np.testing.assert_allclose(r["y"][3], [2.0, 4.0, 3.0])
    # torch quirk: a no_grad view of a tensor requiring grad still reports requires_grad=True
    assert r["vrg"] is True and r["yv"] == 1
    np.testing.assert_allclose(r["xgrad"][3], [1.0, 1.0, 1.0])

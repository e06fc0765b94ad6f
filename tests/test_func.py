"""chainrule.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian.

Checked against closed forms and finite differences, for composition
(grad(grad(f)), jacrev(jacrev(f)), hessian, closures over outer inputs), for
not leaking requires_grad or touching the inputs, and, where torch is
installed, against torch.func on the same scenarios (results, structures,
requires_grad, signed zeros, error types and first message lines)."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.func as F

try:
    import torch
    import torch.func as TF
except ImportError:      # the torch comparisons skip themselves
    torch = None

from _twin import outcome, assert_same_outcome, assert_same_case  # noqa: E402

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

X = [1.0, -2.0, 3.0]
Y = [0.5, 4.0]
A = [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 1.0, 1.0]]


def arr(t):
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def fd_grad(f, x, eps=1e-6):
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        g[idx] = (f(xp) - f(xm)) / (2 * eps)
    return g


# --------------------------------------------------------------------------
# closed forms, finite differences, composition
# --------------------------------------------------------------------------

def test_grad_closed_form_and_no_leak():
    x = cr.tensor(X)
    g = F.grad(lambda a: (a ** 3).sum())(x)
    np.testing.assert_allclose(arr(g), 3 * np.array(X) ** 2)
    assert not g.requires_grad and g.grad_fn is None
    assert not x.requires_grad and x.grad is None and x.is_leaf
    np.testing.assert_array_equal(arr(x), X)


def test_grad_finite_differences_float64():
    x = cr.tensor(X, dtype=cr.float64)
    f = lambda a: (a.sin() * a.exp()).sum() / (1 + (a ** 2).sum())     # noqa: E731
    g = F.grad(f)(x)
    fd = fd_grad(lambda a: (np.sin(a) * np.exp(a)).sum() / (1 + (a ** 2).sum()), X)
    np.testing.assert_allclose(arr(g), fd, rtol=1e-6)


def test_higher_order_grads_0d():
    s = cr.tensor(1.5)
    f = lambda a: a ** 4       # noqa: E731
    assert F.grad(f)(s).item() == pytest.approx(4 * 1.5 ** 3)
    assert F.grad(F.grad(f))(s).item() == pytest.approx(12 * 1.5 ** 2)
    g3 = F.grad(F.grad(F.grad(f)))(s)
    assert g3.item() == pytest.approx(24 * 1.5) and not g3.requires_grad
    assert F.grad(F.grad(lambda a: a.sin()))(s).item() == pytest.approx(-np.sin(1.5), rel=1e-6)


def test_argnums_and_has_aux():
    x, y = cr.tensor(X), cr.tensor(Y)
    f = lambda a, b: (a ** 2).sum() * b.sum()     # noqa: E731
    gx, gy = F.grad(f, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(arr(gx), 2 * np.array(X) * sum(Y))
    np.testing.assert_allclose(arr(gy), np.full(2, sum(v * v for v in X)))
    np.testing.assert_allclose(arr(F.grad(f, argnums=-1)(x, y)), arr(gy))
    g, aux = F.grad(lambda a: ((a ** 2).sum(), {"twice": a * 2}), has_aux=True)(x)
    np.testing.assert_allclose(arr(aux["twice"]), 2 * np.array(X))
    assert not aux["twice"].requires_grad
    (g, (val, aux)) = F.grad_and_value(lambda a: ((a ** 2).sum(), a), has_aux=True)(x)
    assert val.item() == pytest.approx(14.0) and not val.requires_grad
    g = F.grad(lambda d: (d["a"] ** 2).sum() + d["b"].sum())({"a": x, "b": y})
    assert set(g) == {"a", "b"}
    np.testing.assert_allclose(arr(g["b"]), [1.0, 1.0])


def test_jacrev_jacfwd_closed_forms():
    x = cr.tensor(X)
    for jac in (F.jacrev, F.jacfwd):
        J = jac(lambda a: a ** 2)(x)
        np.testing.assert_allclose(arr(J), np.diag(2 * np.array(X)))
        Am = cr.tensor(A)
        np.testing.assert_allclose(arr(jac(lambda a: Am @ a)(x)), A)
        Jx, Jy = jac(lambda a, b: a * b.sum(), argnums=(0, 1))(x, cr.tensor(Y))
        assert Jx.shape == (3, 3) and Jy.shape == (3, 2)
        np.testing.assert_allclose(arr(Jy), np.outer(X, np.ones(2)))
        J0 = jac(lambda a: a.sum() * a)(cr.tensor(2.0))          # 0-d in and out
        assert J0.shape == () and J0.item() == pytest.approx(4.0)
        assert not J.requires_grad


def test_hessian_closed_forms_and_compositions():
    x = cr.tensor(X)
    f = lambda a: (a ** 3).sum()       # noqa: E731
    expected = np.diag(6 * np.array(X))
    for H in (F.hessian(f)(x), F.jacrev(F.jacrev(f))(x), F.jacfwd(F.jacrev(f))(x),
              F.jacrev(F.jacfwd(f))(x), F.jacfwd(F.jacfwd(f))(x)):
        np.testing.assert_allclose(arr(H), expected)
        assert not H.requires_grad
    Am = cr.tensor(A)
    H = F.hessian(lambda a: a @ Am @ a)(x)
    np.testing.assert_allclose(arr(H), np.array(A) + np.array(A).T)
    H = F.hessian(lambda a: a ** 4)(cr.tensor(2.0))
    assert H.shape == () and H.item() == pytest.approx(48.0)
    assert not x.requires_grad and x.grad is None


def test_vjp_and_jvp():
    x = cr.tensor(X)
    Am = cr.tensor(A)
    out, vjp_fn = F.vjp(lambda a: Am @ a, x)
    np.testing.assert_allclose(arr(out), np.array(A) @ np.array(X))
    v = cr.tensor([1.0, -1.0, 0.5])
    (g,) = vjp_fn(v)
    np.testing.assert_allclose(arr(g), np.array(A).T @ arr(v))
    (g2,) = vjp_fn(v)                           # the graph is retained
    np.testing.assert_allclose(arr(g2), arr(g))
    out, t = F.jvp(lambda a: Am @ a, (x,), (v,))
    np.testing.assert_allclose(arr(t), np.array(A) @ arr(v))
    out, t = F.jvp(lambda a, b: (a * b.sum(), b.exp()), (x, cr.tensor(Y)),
                   (cr.ones(3), cr.tensor([1.0, 0.0])))
    assert isinstance(t, tuple)
    np.testing.assert_allclose(arr(t[0]), np.array(X) * 1.0 + sum(Y))
    np.testing.assert_allclose(arr(t[1]), [np.exp(0.5), 0.0], rtol=1e-6)


def test_nested_closures_and_perturbation_confusion():
    s = cr.tensor(1.5)
    # d/dx [x * d/dy (x + y)] = 1: the inner derivative does not see the outer x
    assert F.grad(lambda a: a * F.grad(lambda b: a + b)(s))(s).item() == pytest.approx(1.0)
    # d/dx sum(x * d/dy sum(x*y)) = d/dx sum(x*x) = 2x
    x = cr.tensor(X)
    g = F.grad(lambda a: (a * F.grad(lambda b: (a * b).sum())(x)).sum())(x)
    np.testing.assert_allclose(arr(g), 2 * np.array(X))


def test_composes_with_ordinary_autograd():
    w = cr.tensor([2.0, 1.0, -1.0], requires_grad=True)
    x = cr.tensor(X)
    g = F.grad(lambda a: (a * w).sum())(x)       # = w, connected to w
    assert g.requires_grad
    (dw,) = cr.autograd.grad((g * g).sum(), w)
    np.testing.assert_allclose(arr(dw), 2 * arr(w))
    xr = cr.tensor(X, requires_grad=True)
    g = F.grad(lambda a: (a ** 3).sum())(xr)     # 3 x^2, differentiable in xr
    (gg,) = cr.autograd.grad(g.sum(), xr)
    np.testing.assert_allclose(arr(gg), 6 * np.array(X))
    assert xr.grad is None


def test_ignores_outer_no_grad():
    x = cr.tensor(X)
    with cr.no_grad():
        g = F.grad(lambda a: (a ** 3).sum())(x)
        H = F.hessian(lambda a: (a ** 3).sum())(x)
    np.testing.assert_allclose(arr(g), 3 * np.array(X) ** 2)
    np.testing.assert_allclose(arr(H), np.diag(6 * np.array(X)))


def test_errors():
    x = cr.tensor(X)
    with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar Tensor"):
        F.grad(lambda a: a)(x)
    with pytest.raises(RuntimeError, match="argnums must be non-empty"):
        F.grad(lambda a: a.sum(), argnums=())(x)
    with pytest.raises(ValueError, match="Thing passed to transform API must be Tensor"):
        F.grad(lambda a: a.sum())(3.0)


# --------------------------------------------------------------------------
# against torch.func
# --------------------------------------------------------------------------

def _cases(T, F):
    x = T.tensor(X)
    y = T.tensor(Y)
    s = T.tensor(1.5)
    xr = T.tensor(X, requires_grad=True)
    w = T.tensor([2.0, 1.0, -1.0], requires_grad=True)
    Am = T.tensor(A)

    def vjp_of(f, *p):
        return F.vjp(f, *p)

    return {
        "grad1": lambda: F.grad(lambda a: (a ** 3).sum())(x),
        "grad0d": lambda: F.grad(lambda a: a ** 3)(s),
        "gradgrad": lambda: F.grad(F.grad(lambda a: a ** 3))(s),
        "gradgradgrad": lambda: F.grad(F.grad(F.grad(lambda a: a ** 4)))(s),
        "grad_argnums": lambda: F.grad(lambda a, b: (a * b.sum()).sum(), argnums=1)(x, y),
        "grad_argnums_t": lambda: F.grad(lambda a, b: (a ** 2).sum() * b.sum(),
                                         argnums=(0, 1))(x, y),
        "grad_neg": lambda: F.grad(lambda a, b: (a ** 2).sum() * b.sum(), argnums=-1)(x, y),
        "grad_aux": lambda: F.grad(lambda a: ((a ** 2).sum(), a * 3), has_aux=True)(x),
        "grad_dict": lambda: F.grad(lambda d: (d["a"] ** 2).sum() + d["b"].sum())(
            {"a": x, "b": y}),
        "grad_list": lambda: F.grad(lambda d: (d[0] ** 2).sum() + d[1].sum())([x, y]),
        "grad_kw": lambda: F.grad(lambda a, c=1.0: (a * c).sum())(x, c=3.0),
        "grad_unused": lambda: F.grad(lambda a, b: a.sum(), argnums=(0, 1))(x, y),
        "grad_closure": lambda: F.grad(lambda a: (a * w).sum())(x),
        "grad_xr": lambda: F.grad(lambda a: (a ** 3).sum())(xr),
        "gav": lambda: F.grad_and_value(lambda a: (a ** 3).sum())(x),
        "gav_aux": lambda: F.grad_and_value(lambda a: ((a ** 3).sum(), {"z": a}),
                                            has_aux=True)(x),
        "grad_nonscalar": lambda: F.grad(lambda a: a)(x),
        "grad_float": lambda: F.grad(lambda a: a.sum().item())(x),
        "grad_bad_aux": lambda: F.grad(lambda a: a.sum(), has_aux=True)(x),
        "grad_aux_int": lambda: F.grad(lambda a: (a.sum(), 3), has_aux=True)(x),
        "grad_argnum_range": lambda: F.grad(lambda a: a.sum(), argnums=2)(x),
        "grad_argnum_dup": lambda: F.grad(lambda a: a.sum(), argnums=(0, 0))(x),
        "grad_argnum_empty": lambda: F.grad(lambda a: a.sum(), argnums=())(x),
        "grad_argnum_list": lambda: F.grad(lambda a: a.sum(), argnums=[0])(x),
        "grad_argnum_float": lambda: F.grad(lambda a: a.sum(), argnums=1.0)(x),
        "grad_not_tensor": lambda: F.grad(lambda a: a.sum())(3.0),
        "grad_int_tensor": lambda: F.grad(lambda a: a.sum())(T.arange(3)),
        "vjp_out": lambda: vjp_of(lambda a: a ** 2, x)[0],
        "vjp_fn": lambda: vjp_of(lambda a: a ** 2, x)[1](T.tensor([1.0, 2.0, 3.0])),
        "vjp_multi": lambda: vjp_of(lambda a, b: (a * b.sum(), {"k": b * 2}), x, y)[1](
            (T.ones(3), {"k": T.ones(2)})),
        "vjp_bad_struct": lambda: vjp_of(lambda a: a ** 2, x)[1]((T.ones(3), T.ones(3))),
        "vjp_bad_struct2": lambda: vjp_of(lambda a: (a, {"k": a}), x)[1](T.ones(3)),
        "vjp_bad_shape": lambda: vjp_of(lambda a: a ** 2, x)[1](T.ones(2)),
        "vjp_aux": lambda: F.vjp(lambda a: (a ** 2, a.sum()), x, has_aux=True)[::2],
        "vjp_bad_aux": lambda: F.vjp(lambda a: a, x, has_aux=True),
        "vjp_none_out": lambda: F.vjp(lambda a: None, x),
        "vjp_int_out": lambda: F.vjp(lambda a: (a, 3), x),
        "vjp_bool_out": lambda: F.vjp(lambda a: a > 0, x),
        "vjp_float_in": lambda: F.vjp(lambda a: a.sum(), 3.0),
        "vjp_xr": lambda: vjp_of(lambda a: a ** 2, xr)[1](T.ones(3)),
        "vjp_ct_requires_grad": lambda: vjp_of(lambda a: a ** 3, x)[1](xr),
        "jvp1": lambda: F.jvp(lambda a: a ** 2, (x,), (T.ones(3),)),
        "jvp2": lambda: F.jvp(lambda a, b: (a * b.sum(), b * 2), (x, y),
                              (T.ones(3), T.tensor([1.0, -1.0]))),
        "jvp0d": lambda: F.jvp(lambda a: a * T.tensor([1.0, 2.0, 3.0]), (s,), (T.tensor(1.0),)),
        "jvp_aux": lambda: F.jvp(lambda a: (a.sin(), a), (x,), (T.ones(3),), has_aux=True),
        "jvp_const": lambda: F.jvp(lambda a: (a * 2, a.detach()), (x,), (T.ones(3),)),
        "jvp_const_strict": lambda: F.jvp(lambda a: (a * 2, a.detach()), (x,), (T.ones(3),),
                                          strict=True),
        "jvp_struct": lambda: F.jvp(lambda a: a, (x,), (x, x)),
        "jvp_primals_not_tuple": lambda: F.jvp(lambda a: a, x, (x,)),
        "jvp_tangents_not_tuple": lambda: F.jvp(lambda a: a, (x,), x),
        "jvp_size": lambda: F.jvp(lambda a: a, (x,), (T.ones(2),)),
        "jvp_empty": lambda: F.jvp(lambda a: a, (), ()),
        "jvp_float_out": lambda: F.jvp(lambda a: a.sum().item(), (x,), (x,)),
        "jvp_bad_aux": lambda: F.jvp(lambda a: a, (x,), (x,), has_aux=True),
        "jvp_dict": lambda: F.jvp(lambda d: d["a"] * d["b"].sum(), ({"a": x, "b": y},),
                                  ({"a": T.ones(3), "b": T.ones(2)},)),
        "jvp_tangent_requires_grad": lambda: F.jvp(lambda a: a ** 3, (x,), (xr,)),
        "jacrev1": lambda: F.jacrev(lambda a: a ** 2)(x),
        "jacrev_sin": lambda: F.jacrev(T.sin)(x),
        "jacrev_mat": lambda: F.jacrev(lambda a: Am @ a)(x),
        "jacrev_multi": lambda: F.jacrev(lambda a, b: (a * b.sum(), b * 2),
                                         argnums=(0, 1))(x, y),
        "jacrev_arg1": lambda: F.jacrev(lambda a, b: a + b.sum(), argnums=1)(x, y),
        "jacrev_0d": lambda: F.jacrev(lambda a: a.sum())(T.tensor(2.0)),
        "jacrev_scalar_out": lambda: F.jacrev(lambda a: (a ** 2).sum())(x),
        "jacrev_aux": lambda: F.jacrev(lambda a: (a.sin(), a.cos()), has_aux=True)(x),
        "jacrev_dict": lambda: F.jacrev(lambda a: {"p": a ** 2, "q": a.sum()})(x),
        "jacrev_2d": lambda: F.jacrev(lambda a: a.t() @ a)(Am),
        "jacrev_jacrev": lambda: F.jacrev(F.jacrev(lambda a: (a ** 3).sum()))(x),
        "jacrev_bad_aux": lambda: F.jacrev(lambda a: a, has_aux=True)(x),
        "jacrev_float_out": lambda: F.jacrev(lambda a: 3.0)(x),
        "jacrev_chunk": lambda: F.jacrev(lambda a: a, chunk_size=0),
        "jacrev_not_tensor": lambda: F.jacrev(lambda a: a)(3.0),
        "jacfwd1": lambda: F.jacfwd(lambda a: a ** 2)(x),
        "jacfwd_multi": lambda: F.jacfwd(lambda a, b: (a * b.sum(), b * 2),
                                         argnums=(0, 1))(x, y),
        "jacfwd_aux": lambda: F.jacfwd(lambda a: (a.sin(), a.cos()), has_aux=True)(x),
        "jacfwd_jacrev": lambda: F.jacfwd(F.jacrev(lambda a: (a ** 3).sum()))(x),
        "jacfwd_bad_aux": lambda: F.jacfwd(lambda a: a, has_aux=True)(x),
        "jacfwd_float_out": lambda: F.jacfwd(lambda a: 3.0)(x),
        "jacfwd_not_tensor": lambda: F.jacfwd(lambda a: a)(3.0),
        "jacfwd_2d": lambda: F.jacfwd(lambda a: a.t() @ a)(Am),
        "hess1": lambda: F.hessian(lambda a: (a ** 3).sum())(x),
        "hess_quad": lambda: F.hessian(lambda a: a @ Am @ a)(x),
        "hess_nonscalar": lambda: F.hessian(lambda a: a ** 2)(x),
        "hess_t": lambda: F.hessian(lambda a, b: (a ** 2).sum() * b.sum(), argnums=(0, 1))(x, y),
        "hess_0d": lambda: F.hessian(lambda a: a ** 4)(s),
        "hess_xr": lambda: F.hessian(lambda a: (a ** 3).sum())(xr),
        "hess_closure": lambda: F.hessian(lambda a: (a ** 2 * w).sum())(x),
        "grad_of_jacrev": lambda: F.grad(lambda a: F.jacrev(lambda b: b ** 2)(a).sum())(x),
        "nested_closure": lambda: F.grad(
            lambda a: (a * F.grad(lambda b: (a * b).sum())(x)).sum())(x),
        "perturbation": lambda: F.grad(lambda a: a * F.grad(lambda b: a + b)(s))(s),
        "inputs_untouched": lambda: (F.hessian(lambda a: (a ** 3).sum())(x), x,
                                     x.requires_grad, x.grad),
    }


CASES = sorted(_cases(cr, F))


@needs_torch
@pytest.mark.parametrize("name", CASES)
def test_against_torch(name):
    c = outcome(_cases(cr, F)[name])
    t = outcome(_cases(torch, TF)[name])
    assert_same_outcome(c, t)


@needs_torch
@pytest.mark.parametrize("name", ["grad1", "hess1", "jvp1", "vjp_xr", "jacfwd1"])
def test_against_torch_under_no_grad(name):
    with cr.no_grad():
        c = outcome(_cases(cr, F)[name])
    with torch.no_grad():
        t = outcome(_cases(torch, TF)[name])
    assert_same_outcome(c, t)


@needs_torch
def test_grad_of_grad_result_against_torch_autograd():
    # A transform's result that depends on a user's requires_grad tensor is
    # differentiable by ordinary autograd, in both libraries.
    outs = []
    for T, FF in ((cr, F), (torch, TF)):
        xr = T.tensor(X, requires_grad=True)
        g = FF.grad(lambda a: (a.sin() * a ** 2).sum())(xr)
        (gg,) = T.autograd.grad(g.sum(), xr)
        outs.append(gg.detach().numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5)


# --------------------------------------------------------------------------
# more scenarios against torch.func
# --------------------------------------------------------------------------

def _more_cases(T, F):
    # functions handing back their input, outputs outside the graph, closures
    # and nesting (the double-backward fallbacks of jvp / jacfwd), empty sizes
    x = T.tensor(X)
    y = T.tensor(Y)
    e = T.zeros(0)
    xr = T.tensor(X, requires_grad=True)
    w = T.tensor([2.0, 1.0, -1.0], requires_grad=True)
    d = {}
    d["jacrev_id"] = lambda: F.jacrev(lambda a: a)(x)
    d["jacrev_id_xr"] = lambda: F.jacrev(lambda a: a)(xr)
    d["jacfwd_id"] = lambda: F.jacfwd(lambda a: a)(x)
    d["jacfwd_id_xr"] = lambda: F.jacfwd(lambda a: a)(xr)
    d["jacrev_mixed"] = lambda: F.jacrev(lambda a: (a, -a, a.sum()))(x)
    d["jacfwd_mixed"] = lambda: F.jacfwd(lambda a: (a, -a, a.sum()))(x)
    d["jacrev_closure"] = lambda: F.jacrev(lambda a: a * w)(x)
    d["jacfwd_closure"] = lambda: F.jacfwd(lambda a: a * w)(x)
    d["jacfwd_xr"] = lambda: F.jacfwd(lambda a: a ** 3)(xr)
    d["jacrev_empty"] = lambda: F.jacrev(lambda a: a.sum() * 2)(e)
    d["jacrev_empty_out"] = lambda: F.jacrev(lambda a: a[:0])(x)
    d["jacfwd_empty_out"] = lambda: F.jacfwd(lambda a: a[:0])(x)
    d["jacfwd_unused"] = lambda: F.jacfwd(lambda a, b: a * 2, argnums=(0, 1))(x, y)
    d["jacrev_unused"] = lambda: F.jacrev(lambda a, b: a * 2, argnums=(0, 1))(x, y)
    d["jacfwd_const"] = lambda: F.jacfwd(lambda a: (a * 2, a.detach()))(x)
    d["jacrev_const"] = lambda: F.jacrev(lambda a: (a * 2, a.detach()))(x)
    d["jvp_id"] = lambda: F.jvp(lambda a: a, (x,), (T.ones(3),))
    d["jvp_id_strict"] = lambda: F.jvp(lambda a: a, (x,), (T.ones(3),), strict=True)
    d["jvp_xr"] = lambda: F.jvp(lambda a: a ** 3, (xr,), (T.ones(3),))
    d["jvp_closure"] = lambda: F.jvp(lambda a: a * w, (x,), (T.ones(3),))
    d["jvp_strict"] = lambda: F.jvp(lambda a: a ** 3, (x,), (T.ones(3),), strict=True)
    d["jvp_in_grad"] = lambda: F.grad(
        lambda a: F.jvp(lambda b: (b ** 3).sum(), (a,), (T.ones(3),))[1])(x)
    d["jacfwd_in_grad"] = lambda: F.grad(lambda a: F.jacfwd(lambda b: b ** 3)(a).sum())(x)
    d["grad_in_jacfwd"] = lambda: F.jacfwd(F.grad(lambda b: (b ** 3).sum()))(x)
    d["jvp_of_grad"] = lambda: F.jvp(F.grad(lambda b: (b ** 3).sum()), (x,), (T.ones(3),))
    d["jvp_of_jvp"] = lambda: F.jvp(
        lambda a: F.jvp(lambda b: b ** 3, (a,), (T.ones(3),))[1], (x,), (T.ones(3),))
    d["jacfwd_jacfwd"] = lambda: F.jacfwd(F.jacfwd(lambda b: (b ** 3).sum()))(x)
    d["jacrev_jacfwd"] = lambda: F.jacrev(F.jacfwd(lambda b: b ** 3))(x)
    d["hess_t_xr"] = lambda: F.hessian(lambda a, b: (a ** 2).sum() * b.sum(),
                                       argnums=(0, 1))(xr, y)
    d["vjp_id"] = lambda: F.vjp(lambda a: a, x)[1](T.ones(3))
    d["vjp_noreq"] = lambda: F.vjp(lambda a: (a.detach(), a * 2), x)[1]((T.ones(3), T.ones(3)))
    d["vjp_cg_false"] = lambda: F.vjp(lambda a: a ** 2, xr)[1](T.ones(3), create_graph=False)
    d["vjp_unused"] = lambda: F.vjp(lambda a, b: a ** 2, x, y)[1](T.ones(3))
    d["jacfwd_aux_closure"] = lambda: F.jacfwd(lambda a: (a * w, a.sum()), has_aux=True)(x)
    d["jacrev_aux_closure"] = lambda: F.jacrev(lambda a: (a * w, a * w), has_aux=True)(x)
    d["jacfwd_dict"] = lambda: F.jacfwd(lambda a: {"p": a ** 2, "q": a.sum()})(x)
    d["jacfwd_dict_in"] = lambda: F.jacfwd(lambda dd: dd["a"] * dd["b"].sum())({"a": x, "b": y})
    d["jacrev_dict_in"] = lambda: F.jacrev(lambda dd: dd["a"] * dd["b"].sum())({"a": x, "b": y})
    d["jacfwd_argnum1"] = lambda: F.jacfwd(lambda a, b: a.sum() * b, argnums=1)(x, y)
    d["jacfwd_int"] = lambda: F.jacfwd(lambda a: a * 2)(T.arange(3))
    d["jacrev_int"] = lambda: F.jacrev(lambda a: a * 2)(T.arange(3))
    d["jacfwd_bool_out"] = lambda: F.jacfwd(lambda a: (a > 0))(x)
    d["jacrev_bool_out"] = lambda: F.jacrev(lambda a: (a > 0))(x)
    return d


@needs_torch
@pytest.mark.parametrize("name", sorted(_more_cases(cr, F)))
def test_more_against_torch(name):
    assert_same_case(_more_cases, name, F, TF)

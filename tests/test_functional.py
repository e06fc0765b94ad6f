"""chainrule.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp.

Checked against closed forms and central finite differences (float64), and,
where torch is installed, against torch.autograd.functional on the same
scenarios: results, shapes, tuple structures, requires_grad, error types and
the first line of the messages."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.autograd.functional as AF

try:
    import torch
    import torch.autograd.functional as TAF
except ImportError:      # the torch comparisons skip themselves
    torch = None

from _twin import outcome, assert_same_outcome, assert_same_case  # noqa: E402

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")


def arr(t):
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def fd_jacobian(f, xs, eps=1e-6):
    """Central differences of f (numpy arrays -> numpy array) w.r.t. each x."""
    xs = [np.asarray(x, np.float64) for x in xs]
    out = np.asarray(f(*xs), np.float64)
    jacs = []
    for k, x in enumerate(xs):
        J = np.zeros(out.shape + x.shape)
        for idx in np.ndindex(x.shape):
            xp = [y.copy() for y in xs]
            xm = [y.copy() for y in xs]
            xp[k][idx] += eps
            xm[k][idx] -= eps
            J[(Ellipsis,) + idx] = (np.asarray(f(*xp)) - np.asarray(f(*xm))) / (2 * eps)
        jacs.append(J)
    return jacs


X = [1.0, -2.0, 3.0]
Y = [0.5, 4.0]
A = [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 1.0, 1.0]]


# --------------------------------------------------------------------------
# closed forms and finite differences
# --------------------------------------------------------------------------

def test_jacobian_of_square_is_diag():
    x = cr.tensor(X)
    J = AF.jacobian(lambda a: a ** 2, x)
    assert isinstance(J, cr.Tensor) and J.shape == (3, 3)
    np.testing.assert_allclose(arr(J), np.diag(2 * np.array(X)))
    assert not J.requires_grad and not x.requires_grad and x.grad is None


def test_jacobian_matches_finite_differences_tuple_in_out():
    x = cr.tensor(X, dtype=cr.float64)
    y = cr.tensor(Y, dtype=cr.float64)

    def f(a, b):
        return (a.sin() * b.sum(), (a.unsqueeze(1) * b.exp()).tanh())

    J = AF.jacobian(f, (x, y))
    assert isinstance(J, tuple) and len(J) == 2
    assert all(isinstance(row, tuple) and len(row) == 2 for row in J)
    assert J[0][0].shape == (3, 3) and J[0][1].shape == (3, 2)
    assert J[1][0].shape == (3, 2, 3) and J[1][1].shape == (3, 2, 2)
    fds = [fd_jacobian(lambda a, b: np.sin(a) * b.sum(), (X, Y)),
           fd_jacobian(lambda a, b: np.tanh(a[:, None] * np.exp(b)), (X, Y))]
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(arr(J[i][j]), fds[i][j], rtol=1e-6, atol=1e-8)


def test_jacobian_structures():
    x, y = cr.tensor(X), cr.tensor(Y)
    J = AF.jacobian(lambda a, b: a.sum() * b, (x, y))          # tuple in, tensor out
    assert isinstance(J, tuple) and len(J) == 2 and J[0].shape == (2, 3)
    np.testing.assert_allclose(arr(J[0]), np.outer(Y, np.ones(3)))
    np.testing.assert_allclose(arr(J[1]), np.eye(2) * sum(X))
    J = AF.jacobian(lambda a: (a ** 2, a.sum()), x)            # tensor in, tuple out
    assert isinstance(J, tuple) and len(J) == 2
    assert J[0].shape == (3, 3) and J[1].shape == (3,)
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        AF.jacobian(lambda a: a * 2, [x])                      # a list is not a tuple


def test_jacobian_0d_and_unused_input():
    J = AF.jacobian(lambda a: a ** 3, cr.tensor(2.0))
    assert J.shape == () and J.item() == pytest.approx(12.0)
    J = AF.jacobian(lambda a, b: a * 2, (cr.tensor(X), cr.tensor(Y)))
    np.testing.assert_array_equal(arr(J[1]), np.zeros((3, 2)))


def test_jacobian_create_graph_allows_second_derivative():
    x = cr.tensor(X, requires_grad=True)
    J = AF.jacobian(lambda a: a ** 3, x, create_graph=True)
    assert J.requires_grad
    (g,) = cr.autograd.grad(J.sum(), x)
    np.testing.assert_allclose(arr(g), 6 * np.array(X))


def test_jacobian_vectorize_and_forward_mode_give_the_same():
    x = cr.tensor(X)
    f = lambda a: (a.exp() * a.sum(), a[:2] ** 2)      # noqa: E731
    ref = AF.jacobian(f, x)
    for kw in ({"vectorize": True}, {"vectorize": True, "strategy": "forward-mode"}):
        J = AF.jacobian(f, x, **kw)
        for a, b in zip(J, ref):
            np.testing.assert_allclose(arr(a), arr(b), rtol=1e-6)


def test_hessian_closed_forms():
    x = cr.tensor(X)
    H = AF.hessian(lambda a: (a ** 3).sum(), x)
    np.testing.assert_allclose(arr(H), np.diag(6 * np.array(X)))
    Am = cr.tensor(A)
    H = AF.hessian(lambda a: a @ Am @ a, x)
    np.testing.assert_allclose(arr(H), np.array(A) + np.array(A).T)
    H = AF.hessian(lambda a: a ** 4, cr.tensor(2.0))                  # 0-d
    assert H.shape == () and H.item() == pytest.approx(48.0)
    H = AF.hessian(lambda a: (a ** 3).sum(), x, vectorize=True,
                   outer_jacobian_strategy="forward-mode")
    np.testing.assert_allclose(arr(H), np.diag(6 * np.array(X)))


def test_hessian_tuple_inputs_finite_differences():
    x = cr.tensor(X, dtype=cr.float64)
    y = cr.tensor(Y, dtype=cr.float64)
    H = AF.hessian(lambda a, b: (a ** 2).sum() * b.exp().sum(), (x, y))
    assert isinstance(H, tuple) and all(isinstance(r, tuple) for r in H)
    assert [[h.shape for h in r] for r in H] == [[(3, 3), (3, 2)], [(2, 3), (2, 2)]]

    def grad_np(a, b):      # gradient of (a**2).sum() * exp(b).sum()
        return np.concatenate([2 * a * np.exp(b).sum(), (a ** 2).sum() * np.exp(b)])
    fd = fd_jacobian(grad_np, (X, Y))
    full = np.block([[arr(H[0][0]), arr(H[0][1])], [arr(H[1][0]), arr(H[1][1])]])
    np.testing.assert_allclose(full, np.concatenate(fd, axis=1), rtol=1e-6, atol=1e-6)


def test_vjp_jvp_hvp_vhp_closed_forms():
    x = cr.tensor(X)
    v = cr.tensor([1.0, 0.5, -1.0])
    Am = cr.tensor(A)
    out, g = AF.vjp(lambda a: Am @ a, x, v)
    np.testing.assert_allclose(arr(g), np.array(A).T @ arr(v))
    np.testing.assert_allclose(arr(out), np.array(A) @ np.array(X))
    out, g = AF.jvp(lambda a: Am @ a, x, v)
    np.testing.assert_allclose(arr(g), np.array(A) @ arr(v))
    f = lambda a: a @ Am @ a       # noqa: E731
    out, g = AF.hvp(f, x, v)
    np.testing.assert_allclose(arr(g), (np.array(A) + np.array(A).T) @ arr(v))
    out, g = AF.vhp(f, x, v)
    np.testing.assert_allclose(arr(g), arr(v) @ (np.array(A) + np.array(A).T))
    assert out.shape == () and not out.requires_grad and not g.requires_grad


def test_v_may_be_none_for_single_element():
    out, g = AF.vjp(lambda a: (a ** 2).sum(), cr.tensor(X))
    np.testing.assert_allclose(arr(g), 2 * np.array(X))
    out, g = AF.jvp(lambda a: a * cr.tensor([1.0, 2.0]), cr.tensor(3.0))
    np.testing.assert_allclose(arr(g), [1.0, 2.0])
    out, g = AF.hvp(lambda a: a ** 3, cr.tensor(2.0))
    assert g.item() == pytest.approx(12.0)


def test_tuple_vjp_jvp_finite_differences():
    x = cr.tensor(X, dtype=cr.float64)
    y = cr.tensor(Y, dtype=cr.float64)
    vx = cr.tensor([0.3, -1.0, 2.0], dtype=cr.float64)
    vy = cr.tensor([1.5, 0.25], dtype=cr.float64)
    f = lambda a, b: (a * b.sum(), (b * 2).exp())        # noqa: E731
    out, (ga, gb) = AF.jvp(f, (x, y), (vx, vy))
    assert isinstance(out, tuple) and len(out) == 2
    J = fd_jacobian(lambda a, b: np.concatenate([a * b.sum(), np.exp(2 * b)]), (X, Y))
    expect = J[0] @ arr(vx) + J[1] @ arr(vy)
    np.testing.assert_allclose(np.concatenate([arr(ga), arr(gb)]), expect, rtol=1e-6)
    u = (cr.tensor([1.0, 2.0, 3.0], dtype=cr.float64), cr.tensor([-1.0, 1.0], dtype=cr.float64))
    out, (va, vb) = AF.vjp(f, (x, y), u)
    uu = np.concatenate([arr(u[0]), arr(u[1])])
    np.testing.assert_allclose(arr(va), uu @ J[0], rtol=1e-6)
    np.testing.assert_allclose(arr(vb), uu @ J[1], rtol=1e-6)


def test_create_graph_results_stay_differentiable():
    x = cr.tensor(X, requires_grad=True)
    v = cr.ones(3)
    _, g = AF.vhp(lambda a: (a ** 3).sum(), x, v, create_graph=True)
    assert g.requires_grad                                   # 6 a * v
    (gg,) = cr.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(arr(gg), [6.0, 6.0, 6.0])
    _, g = AF.jvp(lambda a: a ** 3, x, v, create_graph=True)
    (gg,) = cr.autograd.grad(g.sum(), x)                     # d/dx sum(3 x^2)
    np.testing.assert_allclose(arr(gg), 6 * np.array(X))
    _, g = AF.vjp(lambda a: a ** 2, x, v)
    assert not g.requires_grad
    assert x.grad is None


def test_strict_errors():
    x, y = cr.tensor(X), cr.tensor(Y)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        AF.jacobian(lambda a, b: a * 2, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="does not require gradients"):
        AF.vjp(lambda a: a.detach(), x, cr.ones(3), strict=True)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function"):
        AF.hessian(lambda a: a.sum(), x, strict=True)
    with pytest.raises(RuntimeError, match="can only be None"):
        AF.vjp(lambda a: a ** 2, x)
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        AF.hvp(lambda a: ((a ** 3).sum(),), x, cr.ones(3))


# --------------------------------------------------------------------------
# against PyTorch
# --------------------------------------------------------------------------

def _cases(T, F):
    x = T.tensor(X)
    y = T.tensor(Y)
    Am = T.tensor(A)
    xr = T.tensor(X, requires_grad=True)
    s = T.tensor(2.0)
    return {
        "jac1": lambda: F.jacobian(lambda a: a ** 2, x),
        "jac_tin": lambda: F.jacobian(lambda a, b: a.sum() * b, (x, y)),
        "jac_tout": lambda: F.jacobian(lambda a: (a ** 2, a.sum()), x),
        "jac_both": lambda: F.jacobian(lambda a, b: (a * 2, b.exp()), (x, y)),
        "jac_0d": lambda: F.jacobian(lambda a: a ** 3, s),
        "jac_cg": lambda: F.jacobian(lambda a: a ** 3, x, create_graph=True),
        "jac_cg_xr": lambda: F.jacobian(lambda a: a ** 3, xr, create_graph=True),
        "jac_f64": lambda: F.jacobian(lambda a: a * 2, x.double()),
        "jac_strict": lambda: F.jacobian(lambda a, b: a * 2, (x, y), strict=True),
        "jac_strict_out": lambda: F.jacobian(lambda a: a.detach(), x, strict=True),
        "jac_strict_cg": lambda: F.jacobian(lambda a: a * 2, x, strict=True, create_graph=True),
        "jac_vec": lambda: F.jacobian(lambda a: a ** 2, x, vectorize=True),
        "jac_vec_strict": lambda: F.jacobian(lambda a: a ** 2, x, vectorize=True, strict=True),
        "jac_fwd": lambda: F.jacobian(lambda a: a ** 2, x, vectorize=True,
                                      strategy="forward-mode"),
        "jac_fwd_novec": lambda: F.jacobian(lambda a: a ** 2, x, strategy="forward-mode"),
        "jac_fwd_strict": lambda: F.jacobian(lambda a: a ** 2, x, strict=True,
                                             vectorize=True, strategy="forward-mode"),
        "jac_fwd_cg": lambda: F.jacobian(lambda a: a ** 2, x, create_graph=True,
                                         strategy="forward-mode"),
        "jac_bad_strategy": lambda: F.jacobian(lambda a: a ** 2, x, strategy="x"),
        "jac_list": lambda: F.jacobian(lambda a: a ** 2, [x]),
        "jac_bad_in": lambda: F.jacobian(lambda a, b: a ** 2, (x, 3)),
        "jac_bad_out": lambda: F.jacobian(lambda a: 3.0, x),
        "jac_empty_out": lambda: F.jacobian(lambda a: a[:0], x),
        "jac_empty_in": lambda: F.jacobian(lambda a: a.sum(), T.zeros(0)),
        "hess1": lambda: F.hessian(lambda a: (a ** 3).sum(), x),
        "hess_quad": lambda: F.hessian(lambda a: a @ Am @ a, x),
        "hess_t": lambda: F.hessian(lambda a, b: (a ** 2).sum() * b.sum(), (x, y)),
        "hess_0d": lambda: F.hessian(lambda a: a ** 4, s),
        "hess_cg": lambda: F.hessian(lambda a: (a ** 3).sum(), xr, create_graph=True),
        "hess_nonscalar": lambda: F.hessian(lambda a: a ** 2, x),
        "hess_tuple_out": lambda: F.hessian(lambda a: (a.sum(),), x),
        "hess_strict_lin": lambda: F.hessian(lambda a: a.sum(), x, strict=True),
        "hess_lin": lambda: F.hessian(lambda a: a.sum(), x),
        "hess_fwd_novec": lambda: F.hessian(lambda a: (a ** 3).sum(), x,
                                            outer_jacobian_strategy="forward-mode"),
        "hess_bad": lambda: F.hessian(lambda a: (a ** 3).sum(), x,
                                      outer_jacobian_strategy="bad"),
        "vjp1": lambda: F.vjp(lambda a: a ** 2, x, T.ones(3)),
        "vjp_none": lambda: F.vjp(lambda a: a ** 2, x),
        "vjp_scalar": lambda: F.vjp(lambda a: (a ** 2).sum(), x),
        "vjp_0d": lambda: F.vjp(lambda a: a ** 2, s),
        "vjp_t": lambda: F.vjp(lambda a, b: (a * b.sum(), b * 2), (x, y), (T.ones(3), T.ones(2))),
        "vjp_bad_v_size": lambda: F.vjp(lambda a: a ** 2, x, T.ones(2)),
        "vjp_bad_v_len": lambda: F.vjp(lambda a: (a ** 2, a), x, (T.ones(3),)),
        "vjp_bad_v_entry": lambda: F.vjp(lambda a: (a ** 2, a), x, (T.ones(3), T.ones(2))),
        "vjp_bad_v_single": lambda: F.vjp(lambda a: a ** 2, x, (T.ones(3), T.ones(3))),
        "vjp_bad_v_type": lambda: F.vjp(lambda a: a ** 2, x, [T.ones(3)]),
        "vjp_strict": lambda: F.vjp(lambda a, b: a * 2, (x, y), T.ones(3), strict=True),
        "vjp_strict_out": lambda: F.vjp(lambda a: a.detach(), x, T.ones(3), strict=True),
        "vjp_cg": lambda: F.vjp(lambda a: a ** 2, x, T.ones(3), create_graph=True),
        "vjp_cg_v": lambda: F.vjp(lambda a: a ** 3, x, xr, create_graph=True),
        "vjp_unused": lambda: F.vjp(lambda a, b: a * 2, (x, y), T.ones(3)),
        "jvp1": lambda: F.jvp(lambda a: a ** 2, x, T.ones(3)),
        "jvp_none": lambda: F.jvp(lambda a: a ** 2, x),
        "jvp_0d": lambda: F.jvp(lambda a: a ** 2, T.tensor(3.0)),
        "jvp_t": lambda: F.jvp(lambda a, b: (a * b.sum(), b * 2), (x, y), (T.ones(3), T.ones(2))),
        "jvp_strict": lambda: F.jvp(lambda a, b: a * 2, (x, y), (T.ones(3), T.ones(2)),
                                    strict=True),
        "jvp_strict_lin": lambda: F.jvp(lambda a: a * 2, x, T.ones(3), strict=True),
        "jvp_cg": lambda: F.jvp(lambda a: a ** 3, xr, T.ones(3), create_graph=True),
        "jvp_const": lambda: F.jvp(lambda a: (a * 2, a.detach()), x, T.ones(3)),
        "hvp1": lambda: F.hvp(lambda a: (a ** 3).sum(), x, T.ones(3)),
        "hvp_none": lambda: F.hvp(lambda a: (a ** 3).sum(), x),
        "hvp_0d": lambda: F.hvp(lambda a: a ** 3, s),
        "hvp_nonscalar": lambda: F.hvp(lambda a: a ** 3, x, T.ones(3)),
        "hvp_strict": lambda: F.hvp(lambda a: a.sum(), x, T.ones(3), strict=True),
        "hvp_t": lambda: F.hvp(lambda a, b: (a ** 2).sum() * b.sum(), (x, y),
                               (T.ones(3), T.ones(2))),
        "hvp_lin": lambda: F.hvp(lambda a: a.sum(), x, T.ones(3)),
        "hvp_cg": lambda: F.hvp(lambda a: (a ** 3).sum(), xr, x, create_graph=True),
        "vhp1": lambda: F.vhp(lambda a: a @ Am @ a, x, T.tensor([1.0, 0.0, 2.0])),
        "vhp_none": lambda: F.vhp(lambda a: (a ** 3).sum(), x),
        "vhp_nonscalar": lambda: F.vhp(lambda a: a ** 3, x, T.ones(3)),
        "vhp_strict": lambda: F.vhp(lambda a: a.sum(), x, T.ones(3), strict=True),
        "vhp_cg": lambda: F.vhp(lambda a: (a ** 3).sum(), x, T.ones(3), create_graph=True),
        "vhp_t": lambda: F.vhp(lambda a, b: (a ** 2).sum() * b.sum(), (x, y),
                               (T.ones(3), T.ones(2))),
    }


CASES = sorted(_cases(cr, AF))


@needs_torch
@pytest.mark.parametrize("name", CASES)
def test_against_torch(name):
    c = outcome(_cases(cr, AF)[name])
    t = outcome(_cases(torch, TAF)[name])
    assert_same_outcome(c, t)


@needs_torch
@pytest.mark.parametrize("name", ["jac1", "jac_cg_xr", "vjp_cg_v", "hvp_cg", "jvp_cg"])
def test_against_torch_under_no_grad(name):
    with cr.no_grad():
        c = outcome(_cases(cr, AF)[name])
    with torch.no_grad():
        t = outcome(_cases(torch, TAF)[name])
    assert_same_outcome(c, t)


@needs_torch
def test_forward_mode_hessian_values_against_torch():
    # PyTorch's forward-mode hessian calls requires_grad_() on the user's
    # inputs (its result then carries a grad_fn); chainrule leaves them alone,
    # so only the values (signed zeros included) are compared.
    c = AF.hessian(lambda a: (a ** 3).sum(), cr.tensor(X), vectorize=True,
                   outer_jacobian_strategy="forward-mode")
    t = TAF.hessian(lambda a: (a ** 3).sum(), torch.tensor(X), vectorize=True,
                    outer_jacobian_strategy="forward-mode")
    assert repr(c) == repr(t.detach())


# --------------------------------------------------------------------------
# functions that hand back their input (a leaf next to non-leaf outputs)
# --------------------------------------------------------------------------

def _identity_cases(T, F):
    x = T.tensor(X)
    y = T.tensor(Y)
    xr = T.tensor(X, requires_grad=True)
    v = T.tensor([1.0, -1.0, 0.5])
    cases = {}
    for cg in (False, True):
        for name, inp in (("x", x), ("xr", xr)):
            k = f"{name}_cg{cg}"
            cases["vjp_id_" + k] = lambda inp=inp, cg=cg: F.vjp(lambda a: a, inp, v,
                                                                create_graph=cg)
            cases["vjp_mixed_" + k] = lambda inp=inp, cg=cg: F.vjp(
                lambda a, b: (a, a * b.sum(), b), (inp, y), (v, v, T.ones(2)), create_graph=cg)
            cases["jvp_id_" + k] = lambda inp=inp, cg=cg: F.jvp(lambda a: a, inp, v,
                                                                create_graph=cg)
            cases["jvp_mixed_" + k] = lambda inp=inp, cg=cg: F.jvp(
                lambda a, b: (a, a * b.sum(), b), (inp, y), (v, T.ones(2)), create_graph=cg)
            cases["jac_id_" + k] = lambda inp=inp, cg=cg: F.jacobian(lambda a: a, inp,
                                                                     create_graph=cg)
            cases["jac_mixed_" + k] = lambda inp=inp, cg=cg: F.jacobian(
                lambda a, b: (a, a * b.sum(), b), (inp, y), create_graph=cg)
            cases["hvp_quad_" + k] = lambda inp=inp, cg=cg: F.hvp(
                lambda a: (a * a).sum() / 2, inp, v, create_graph=cg)
            cases["vhp_quad_" + k] = lambda inp=inp, cg=cg: F.vhp(
                lambda a: (a * a).sum() / 2, inp, v, create_graph=cg)
    cases["jac_fwd_mixed"] = lambda: F.jacobian(lambda a, b: (a, a * b.sum(), b), (x, y),
                                                vectorize=True, strategy="forward-mode")
    return cases


@needs_torch
@pytest.mark.parametrize("name", sorted(_identity_cases(cr, AF)))
def test_identity_functions_against_torch(name):
    assert_same_case(_identity_cases, name, AF, TAF)


@needs_torch
@pytest.mark.parametrize("fn", ["vjp", "jvp", "hvp", "vhp"])
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_v_is_never_handed_back(fn, create_graph, requires_grad):
    # the derivative of the identity (or of a half square, for hvp / vhp) is
    # v itself; both libraries return a new tensor object holding it
    for T, F in ((cr, AF), (torch, TAF)):
        v = T.tensor([5.0, 6.0])
        x = T.tensor([1.0, 2.0], requires_grad=requires_grad)
        f = (lambda a: a) if fn in ("vjp", "jvp") else (lambda a: (a * a).sum() / 2)
        _, g = getattr(F, fn)(f, x, v, create_graph=create_graph)
        assert g is not v and g.tolist() == [5.0, 6.0]


def test_forward_mode_blocks_have_the_output_dtype():
    # a column of the Jacobian is a tangent of the output, so every block of
    # a forward-mode Jacobian has the output's dtype, also the block of an
    # input without elements (which has no column to stack)
    J = AF.jacobian(lambda a, b: a.sum().double() + b.double(), (cr.zeros(0), cr.tensor(Y)),
                    vectorize=True, strategy="forward-mode")
    assert [j.dtype for j in J] == [cr.float64, cr.float64]
    assert J[0].shape == (2, 0)
    np.testing.assert_array_equal(arr(J[1]), np.eye(2))

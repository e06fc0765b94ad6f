"""torch.lobpcg (chainrule/_lobpcg.py): the k extreme eigenpairs against
NumPy's dense solver and torch's, gradients (first and second order, for
losses that do not depend on the eigenvectors' signs) against torch's and
finite differences, and misuse side by side with torch."""
import numpy as np
import pytest

import chainrule as cr

from test_misuse import _check, needs_torch

C = pytest.param
_N = 9


def _spd(seed, n=_N, batch=()):
    m = np.random.default_rng(seed).standard_normal(batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


@pytest.mark.parametrize("k,largest", [(1, True), (3, True), (2, False), (3, None)])
def test_eigenpairs_are_the_extreme_ones(k, largest):
    a = _spd(0)
    E, X = cr.lobpcg(cr.tensor(a), k=k, largest=largest)
    w, v = np.linalg.eigh(a)
    want = w[::-1][:k] if largest in (True, None) else w[:k]
    np.testing.assert_allclose(E.numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(a @ X.numpy(), X.numpy() * E.numpy(), atol=1e-10)
    np.testing.assert_allclose(X.numpy().T @ X.numpy(), np.eye(k), atol=1e-12)


def test_generalised_and_batched():
    a, b = _spd(1, batch=(2,)), _spd(2, batch=(2,))
    E, X = cr.lobpcg(cr.tensor(a), k=2, B=cr.tensor(b))
    assert tuple(E.shape) == (2, 2) and tuple(X.shape) == (2, _N, 2)
    x, e = X.numpy(), E.numpy()
    np.testing.assert_allclose(a @ x, b @ x * e[:, None, :], atol=1e-9)
    np.testing.assert_allclose(np.swapaxes(x, -1, -2) @ b @ x, np.broadcast_to(np.eye(2), (2, 2, 2)),
                               atol=1e-10)


def _loss(L, A, k, largest, W):
    E, X = L.lobpcg(A, k=k, largest=largest, **({"tol": 1e-12, "niter": 500}
                                                 if L is not cr else {}))
    P = X @ X.transpose(-2, -1)             # (the eigenvectors' signs drop out)
    return E, (E * L.arange(1.0, k + 1, dtype=L.float64)).sum() + (P * L.tensor(W)).sum()


@needs_torch
@pytest.mark.parametrize("k,largest", [(1, True), (2, True), (2, False), (3, True)])
def test_gradients_against_torch(k, largest):
    import torch
    W = np.random.default_rng(3).standard_normal((_N, _N))
    out = []
    for L in (cr, torch):
        a = L.tensor(_spd(4), requires_grad=True)
        E, loss = _loss(L, a, k, largest, W)
        g, = L.autograd.grad(loss, a, create_graph=True)
        h, = L.autograd.grad((g * L.tensor(W)).sum(), a)
        out.append((type(E.grad_fn).__name__, E.detach().numpy(), g.detach().numpy(), h.numpy()))
    (n1, e1, g1, h1), (n2, e2, g2, h2) = out
    assert n1 == n2 == "LOBPCGAutogradFunctionBackward"
    np.testing.assert_allclose(e1, e2, rtol=1e-10)
    np.testing.assert_allclose(g1, g2, atol=1e-9)
    np.testing.assert_allclose(h1, h2, atol=1e-8)


@needs_torch
def test_batched_gradient_against_torch():
    import torch
    out = []
    for L in (cr, torch):
        a = L.tensor(_spd(9, batch=(2,)), requires_grad=True)
        E, _ = L.lobpcg(a, k=2, **({"tol": 1e-13, "niter": 300} if L is torch else {}))
        g, = L.autograd.grad((E * L.tensor([1.0, -2.0], dtype=L.float64)).sum(), a)
        out.append(g.numpy())
    np.testing.assert_allclose(out[0], out[1], atol=1e-9)


def test_gradcheck_on_a_symmetric_parametrisation():
    W = np.random.default_rng(5).standard_normal((_N, _N))
    s = cr.tensor(np.random.default_rng(6).standard_normal((_N, _N)), requires_grad=True)

    def f(s):
        return _loss(cr, s + s.T + 20 * cr.eye(_N, dtype=cr.float64), 2, True, W)[1]
    assert cr.autograd.gradcheck(f, (s,))
    assert cr.autograd.gradgradcheck(f, (s,))


def _b_backward(L):
    a = L.tensor(_spd(7), requires_grad=True)
    E, _ = L.lobpcg(a, k=2, B=L.tensor(2 * np.eye(_N)))
    return type(E.grad_fn).__name__, L.autograd.grad(E.sum(), a)


_A = lambda L: L.tensor(_spd(8))          # noqa: E731
CASES = [
    C(_b_backward, id="backward-with-B"),
    C(lambda L: L.lobpcg(_A(L), k=4), id="k-too-large"),
    C(lambda L: L.lobpcg(_A(L), k=2, n=4), id="n-too-large"),
    C(lambda L: L.lobpcg(_A(L)[:, :3], k=1), id="not-square"),
    C(lambda L: L.lobpcg(L.ones(3), k=1), id="1d"),
    C(lambda L: L.lobpcg(_A(L), k=2, B=L.eye(3, dtype=L.float64)), id="B-shape"),
    C(lambda L: L.lobpcg(_A(L).float(), k=2)[0].dtype, id="float32"),
    C(lambda L: tuple(L.lobpcg(_A(L), X=L.ones(_N, 1, dtype=L.float64))[0].shape), id="k-from-X"),
    C(lambda L: tuple(L.lobpcg(_A(L), k=2, method="basic")[1].shape), id="method-basic"),
    C(lambda L: L.lobpcg(_A(L), k=3)[0].requires_grad, id="no-grad-input"),
]


@needs_torch
@pytest.mark.parametrize("case", CASES)
def test_misuse_matches_torch(case):
    _check(case)

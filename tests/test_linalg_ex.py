"""torch.linalg's _ex forms, cond and multi_dot (issue 11) beyond the op
table: batches with singular members, side by side with torch 2.13."""
import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

_SING = [[[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [1.0, 3.0]], [[0.0, 0.0], [0.0, 0.0]]]


@pytest.mark.parametrize("fn", ["inv_ex", "solve_ex"])
def test_singular_members_of_a_batch(fn):
    """info names the first zero pivot of each member (LAPACK's getrf); the
    regular member's result and its gradient are torch's (the singular
    members' values are unspecified in torch: not compared)."""
    got = []
    for L in (torch, cr):
        A = L.tensor(_SING, dtype=L.float64, requires_grad=True)
        if fn == "inv_ex":
            r, info = L.linalg.inv_ex(A)
        else:
            r, info = L.linalg.solve_ex(A, L.tensor([[1.0, 2.0]] * 3, dtype=L.float64))
        (r[1] * L.tensor([0.5, -1.5], dtype=L.float64)).sum().backward()
        got.append((info.tolist(), str(info.dtype), r[1].tolist(), A.grad[1].tolist()))
    assert got[0][:2] == got[1][:2] == ([2, 0, 1], "torch.int32")
    np.testing.assert_allclose(got[1][2], got[0][2], rtol=1e-12)
    np.testing.assert_allclose(got[1][3], got[0][3], rtol=1e-12)


def test_cholesky_ex_batch_infos_and_factors():
    got = []
    for L in (torch, cr):
        A = L.tensor([[[4.0, 2.0], [2.0, 3.0]], [[1.0, 2.0], [2.0, 1.0]], [[-1.0, 0.0], [0.0, 2.0]]],
                     dtype=L.float64)
        r = L.linalg.cholesky_ex(A)
        got.append((r.info.tolist(), r.L[0].tolist(), type(r).__name__))
    assert got[0] == got[1]
    assert got[0][0] == [0, 2, 1]


def test_multi_dot_order_matches_torch_in_float32():
    """The order of the products (the least multiplications, as torch picks it)
    shows in float32 rounding: chainrule's and torch's agree to rounding."""
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((30, 2), (2, 40), (40, 3), (3, 50))]
    t = torch.linalg.multi_dot([torch.tensor(a) for a in arrays]).numpy()
    c = cr.linalg.multi_dot([cr.tensor(a) for a in arrays]).numpy()
    exact = arrays[0].astype(np.float64) @ arrays[1] @ arrays[2] @ arrays[3]
    np.testing.assert_allclose(c, t, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(c, exact, rtol=1e-4, atol=1e-4)


def test_chain_order_is_the_cheapest():
    from chainrule.ops.linalg_ex import _chain_order
    # (10x30)(30x5)(5x60): (AB)C costs 1500 + 3000, A(BC) 9000 + 18000
    assert _chain_order([10, 30, 5, 60])[0][2] == 1
    # (5x10)(10x100)(100x2): A(BC) is cheaper
    assert _chain_order([5, 10, 100, 2])[0][2] == 0


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", float("inf"), -float("inf"), 1, -1])
def test_cond_values_and_singular(p):
    got = []
    for L in (torch, cr):
        A = L.tensor([[[2.0, 1.0], [1.0, 3.0]], [[1.0, 0.5], [0.2, 4.0]]], dtype=L.float64)
        got.append(L.linalg.cond(A, p).tolist())
    np.testing.assert_allclose(got[1], got[0], rtol=1e-12)
    if p not in (None, 2, -2, "nuc"):      # (torch: inf for a singular matrix, by nan_to_num)
        for L in (torch, cr):
            assert L.linalg.cond(L.tensor([[1.0, 2.0], [2.0, 4.0]]), p).item() == float("inf")

"""Misuse of the real-valued names of issue 11's last batch (triangular and
Cholesky solves, the deprecated decompositions, addr, vander, matrix_rank,
the removed stubs...), side by side with PyTorch: the same exception type and
first message line, or the same value (test_misuse.py's comparison)."""
import warnings

import numpy as np
import pytest

import chainrule as cr
from test_misuse import _check, needs_torch, torch

C = pytest.param


def _r(t):
    """Values to 5 decimals (LAPACK's order of operations is not chainrule's)."""
    return t.round(decimals=5)


def _F(L):
    return L.nn.functional


def _default_after(L, t):
    try:
        L.set_default_tensor_type(t)
        return L.ones(1).dtype
    finally:
        L.set_default_dtype(L.float32)


def _pts(L):
    return L.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [0.5, 2.0], [2.0, 2.0]])


def _hdd(L, r):
    """histogramdd's result, its float32 edges to 5 decimals (linspace's last bits differ)."""
    return (type(r).__name__, r.hist, tuple(_r(e) for e in r.bin_edges))


def _tri(L, upper=True, n=3):
    a = L.arange(1.0, n * n + 1).reshape(n, n) + 4 * L.eye(n)
    return a.triu() if upper else a.tril()


CASES = [
    # --- linalg.solve_triangular ---
    C(lambda L: L.linalg.solve_triangular(L.ones(3, 3), L.ones(3, 2)), id="solve_triangular-no-upper"),
    C(lambda L: L.linalg.solve_triangular(L.ones(2, 3), L.ones(2, 2), upper=True), id="solve_triangular-not-square"),
    C(lambda L: L.linalg.solve_triangular(L.ones(3, 3), L.ones(2, 2), upper=True), id="solve_triangular-shapes"),
    C(lambda L: L.linalg.solve_triangular(L.ones(3, 3), L.ones(3, 2), upper=True, left=False),
      id="solve_triangular-shapes-right"),
    C(lambda L: L.linalg.solve_triangular(L.ones(3, 3), L.ones(3), upper=True), id="solve_triangular-1d-B"),
    C(lambda L: L.linalg.solve_triangular(L.ones(3), L.ones(3, 1), upper=True), id="solve_triangular-1d-A"),
    C(lambda L: L.linalg.solve_triangular(L.ones(3, 3, dtype=L.long), L.ones(3, 1, dtype=L.long), upper=True),
      id="solve_triangular-int"),
    C(lambda L: L.linalg.solve_triangular(L.ones(4, 3, 3), L.ones(2, 3, 1), upper=True),
      id="solve_triangular-batch-mismatch"),
    C(lambda L: L.linalg.solve_triangular(_tri(L), L.ones(3, 2, dtype=L.float64), upper=True),
      id="solve_triangular-mixed-dtypes"),
    C(lambda L: L.linalg.solve_triangular(L.zeros(2, 2), L.ones(2, 1), upper=True), id="solve_triangular-singular"),
    C(lambda L: _r(L.linalg.solve_triangular(_tri(L), L.arange(6.0).reshape(3, 2), upper=True)),
      id="solve_triangular-values"),
    C(lambda L: _r(L.linalg.solve_triangular(_tri(L, False), L.ones(2, 3), upper=False, left=False,
                                          unitriangular=True)), id="solve_triangular-values-right-unit"),
    C(lambda L: L.linalg.solve_triangular(L.ones(0, 0), L.ones(0, 2), upper=True), id="solve_triangular-empty"),
    # --- triangular_solve ---
    C(lambda L: L.triangular_solve(L.ones(3, 2), L.ones(2, 2)), id="triangular_solve-shapes"),
    C(lambda L: L.triangular_solve(L.ones(3, 2), L.ones(3, 3, dtype=L.float64)), id="triangular_solve-dtypes"),
    C(lambda L: L.triangular_solve(L.ones(3), L.ones(3, 3)), id="triangular_solve-1d-b"),
    C(lambda L: L.triangular_solve(L.ones(3, 2), L.ones(3)), id="triangular_solve-1d-A"),
    C(lambda L: L.triangular_solve(L.ones(2, 1), L.ones(2, 3)), id="triangular_solve-not-square"),
    C(lambda L: L.triangular_solve(L.ones(3, 1, dtype=L.long), L.ones(3, 3, dtype=L.long)),
      id="triangular_solve-int"),
    C(lambda L: tuple(_r(t) for t in L.triangular_solve(L.arange(6.0).reshape(3, 2), _tri(L), transpose=True)),
      id="triangular_solve-values-transpose"),
    C(lambda L: type(L.triangular_solve(L.ones(3, 2), _tri(L))).__name__, id="triangular_solve-result-type"),
    # --- cholesky_solve / cholesky_inverse / torch.cholesky ---
    C(lambda L: L.cholesky_solve(L.ones(3, 2), L.ones(2, 2)), id="cholesky_solve-shapes"),
    C(lambda L: L.cholesky_solve(L.ones(3, 2), L.ones(3, 3, dtype=L.float64)), id="cholesky_solve-dtypes"),
    C(lambda L: L.cholesky_solve(L.ones(3), L.ones(3, 3)), id="cholesky_solve-1d"),
    C(lambda L: L.cholesky_solve(L.ones(3, 2), L.ones(3)), id="cholesky_solve-1d-factor"),
    C(lambda L: L.cholesky_solve(L.ones(3, 2, dtype=L.long), L.ones(3, 3, dtype=L.long)), id="cholesky_solve-int"),
    C(lambda L: _r(L.cholesky_solve(L.arange(6.0).reshape(3, 2), _tri(L, False))), id="cholesky_solve-values"),
    C(lambda L: L.cholesky_solve(L.ones(2, 1), L.zeros(2, 2)), id="cholesky_solve-singular"),
    C(lambda L: L.cholesky_inverse(L.ones(3, 3, dtype=L.long)), id="cholesky_inverse-int"),
    C(lambda L: L.cholesky_inverse(L.ones(3)), id="cholesky_inverse-1d"),
    C(lambda L: L.cholesky_inverse(L.ones(2, 3)), id="cholesky_inverse-not-square"),
    C(lambda L: L.cholesky_inverse(L.zeros(2, 2)), id="cholesky_inverse-singular"),
    C(lambda L: L.cholesky_inverse(L.stack([L.eye(2), L.zeros(2, 2)])), id="cholesky_inverse-singular-batch"),
    C(lambda L: _r(L.cholesky_inverse(_tri(L), upper=True)), id="cholesky_inverse-values-upper"),
    C(lambda L: L.cholesky(L.ones(2, 2) - 2 * L.eye(2)), id="cholesky-not-pd"),
    C(lambda L: L.cholesky(L.ones(2, 3)), id="cholesky-not-square"),
    C(lambda L: L.cholesky(L.ones(3)), id="cholesky-1d"),
    C(lambda L: L.cholesky(L.ones(2, 2, dtype=L.long)), id="cholesky-int"),
    C(lambda L: L.cholesky(L.tensor([[4.0, 2.0], [2.0, 3.0]]), upper=True), id="cholesky-values-upper"),
    # --- torch.svd / torch.qr ---
    C(lambda L: L.svd(L.ones(3)), id="svd-1d"),
    C(lambda L: L.svd(L.ones(3, 3, dtype=L.long)), id="svd-int"),
    C(lambda L: [tuple(t.shape) for t in L.svd(L.ones(4, 2, 3), some=False)], id="svd-shapes-not-some"),
    C(lambda L: [tuple(t.shape) for t in L.svd(L.ones(2, 3))], id="svd-shapes-some"),
    C(lambda L: L.svd(L.ones(2, 3, requires_grad=True), compute_uv=False)[0], id="svd-no-uv-zeros"),
    C(lambda L: L.svd(L.ones(2, 3), compute_uv=False)[2], id="svd-no-uv-V"),
    C(lambda L: type(L.svd(L.ones(2, 2))).__name__, id="svd-result-type"),
    C(lambda L: L.svd(L.ones(0, 3))[1], id="svd-empty"),
    C(lambda L: L.qr(L.ones(3)), id="qr-1d"),
    C(lambda L: [tuple(t.shape) for t in L.qr(L.ones(4, 2), some=False)], id="qr-not-some-shapes"),
    C(lambda L: type(L.qr(L.ones(2, 2))).__name__, id="qr-result-type"),
    # --- addr ---
    C(lambda L: L.addr(L.ones(3, 3), L.ones(3), L.ones(2)), id="addr-input-shape"),
    C(lambda L: L.addr(L.ones(3, 3), L.ones(3, 1), L.ones(3)), id="addr-2d-vec1"),
    C(lambda L: L.addr(L.ones(3, 3), L.ones(3), L.ones(1, 3)), id="addr-2d-vec2"),
    C(lambda L: L.addr(L.ones(3, 3, dtype=L.long), L.ones(3, dtype=L.long), L.ones(3, dtype=L.long), alpha=0.5),
      id="addr-int-float-alpha"),
    C(lambda L: L.addr(L.ones(3, 3, dtype=L.long), L.ones(3, dtype=L.long), L.ones(3, dtype=L.long), beta=0.5),
      id="addr-int-float-beta"),
    C(lambda L: L.addr(L.ones(2, 2, dtype=L.long), L.arange(2), L.arange(2), beta=2, alpha=3), id="addr-int-values"),
    C(lambda L: L.addr(L.ones(2, 2, dtype=L.bool), L.tensor([True, False]), L.tensor([False, True])),
      id="addr-bool"),
    C(lambda L: L.addr(L.ones(2, 2), L.arange(2), L.arange(2)), id="addr-promotes"),
    C(lambda L: L.addr(L.full((2, 2), float("nan")), L.ones(2), L.ones(2), beta=0), id="addr-beta0-ignores-nan"),
    C(lambda L: L.ones(2, 2).addr_(L.ones(2), L.arange(2.0), alpha=2), id="addr_-inplace"),
    # --- vander / linalg.vander ---
    C(lambda L: L.vander(L.ones(2, 2)), id="vander-2d"),
    C(lambda L: L.vander(L.arange(3), N=-1), id="vander-negative-N"),
    C(lambda L: L.vander(L.arange(3)), id="vander-int"),
    C(lambda L: L.vander(L.arange(3, dtype=L.int32), N=4), id="vander-int32-to-long"),
    C(lambda L: L.vander(L.tensor([True, False])), id="vander-bool"),
    C(lambda L: L.vander(L.arange(3.0), N=0), id="vander-N0"),
    C(lambda L: L.vander(L.ones(0)), id="vander-empty"),
    C(lambda L: L.linalg.vander(L.arange(3), N=1), id="linalg.vander-N1"),
    C(lambda L: L.linalg.vander(L.tensor([True])), id="linalg.vander-bool"),
    C(lambda L: L.linalg.vander(L.arange(6, dtype=L.int32).reshape(2, 3)), id="linalg.vander-int32-batch"),
    C(lambda L: L.linalg.vander(L.tensor(2.0)), id="linalg.vander-0d-default-N"),
    # --- nuclear_norm / frobenius_norm / linalg.matrix_rank ---
    C(lambda L: L.nuclear_norm(L.ones(3)), id="nuclear_norm-1d"),
    C(lambda L: _r(L.nuclear_norm(L.ones(2, 3, 4), keepdim=True)), id="nuclear_norm-keepdim"),
    C(lambda L: L.frobenius_norm(L.ones(2, 3, 4), dim=(0, 1, 2)), id="frobenius_norm-3-dims"),
    C(lambda L: L.linalg.solve_triangular(_tri(L).double(), L.ones(3, 1), upper=True).dtype,
      id="solve_triangular-dtype-of-A"),
    C(lambda L: L.linalg.solve_triangular(L.eye(2).half(), L.ones(2, 1).half(), upper=True),
      id="solve_triangular-half"),
    C(lambda L: L.frobenius_norm(L.ones(2, 3, dtype=L.long), dim=(0, 1)), id="frobenius_norm-int"),
    C(lambda L: L.frobenius_norm(L.arange(6.0).reshape(2, 3), dim=1, keepdim=True), id="frobenius_norm-values"),
    C(lambda L: L.linalg.matrix_rank(L.ones(3)), id="matrix_rank-1d"),
    C(lambda L: L.linalg.matrix_rank(L.ones(3, 3, dtype=L.long)), id="matrix_rank-int"),
    C(lambda L: L.linalg.matrix_rank(L.ones(3, 3)), id="matrix_rank-ones"),
    C(lambda L: L.linalg.matrix_rank(L.diag(L.tensor([1.0, 1e-3, 1e-9]))), id="matrix_rank-default-tol"),
    C(lambda L: L.linalg.matrix_rank(L.diag(L.tensor([1.0, 1e-3, 1e-9])), atol=1e-2), id="matrix_rank-atol"),
    C(lambda L: L.linalg.matrix_rank(L.diag(L.tensor([1.0, 1e-3, 1e-9])), rtol=1e-4), id="matrix_rank-rtol"),
    C(lambda L: L.linalg.matrix_rank(L.diag(L.tensor([4.0, 1e-3, 1e-9])), atol=0.5, rtol=0.1),
      id="matrix_rank-both"),
    C(lambda L: L.linalg.matrix_rank(L.diag(L.tensor([1.0, 1e-3, 1e-9])), tol=1e-5), id="matrix_rank-tol"),
    C(lambda L: L.linalg.matrix_rank(L.stack([L.eye(3), L.ones(3, 3)]),
                                     atol=L.tensor([0.5, 5.0])), id="matrix_rank-tensor-atol"),
    C(lambda L: L.linalg.matrix_rank(L.tensor([[2.0, 1.0], [1.0, 2.0]]) - L.eye(2) * 3, hermitian=True),
      id="matrix_rank-hermitian"),
    C(lambda L: L.linalg.matrix_rank(L.ones(2, 0, 3)), id="matrix_rank-empty"),
    C(lambda L: L.linalg.matrix_rank(L.ones(3, 3, requires_grad=True)).requires_grad, id="matrix_rank-no-grad"),
    # --- LU ---
    C(lambda L: L.linalg.lu_factor(L.ones(3)), id="lu_factor-1d"),
    C(lambda L: L.linalg.lu_factor(L.ones(3, 3, dtype=L.long)), id="lu_factor-int"),
    C(lambda L: L.linalg.lu_factor(L.ones(2, 2).half()), id="lu_factor-half"),
    C(lambda L: L.linalg.lu_factor(L.ones(3, 3), pivot=False), id="lu_factor-no-pivot"),
    C(lambda L: L.linalg.lu_factor(L.zeros(3, 3)), id="lu_factor-singular"),
    C(lambda L: L.linalg.lu_factor(L.stack([L.eye(2), L.tensor([[0.0, 1.0], [0.0, 0.0]])])),
      id="lu_factor-singular-batch"),
    C(lambda L: tuple(L.linalg.lu_factor_ex(L.zeros(3, 3))), id="lu_factor_ex-singular-info"),
    C(lambda L: L.linalg.lu_factor_ex(L.zeros(2, 2, 2), check_errors=True), id="lu_factor_ex-check-errors"),
    C(lambda L: tuple(_r(t) for t in L.linalg.lu_factor(L.tensor([[1.0, 2.0, 0.0], [3.0, 1.0, 1.0],
                                                                 [2.0, -1.0, 4.0]]))), id="lu_factor-values"),
    C(lambda L: tuple(L.linalg.lu_factor(L.tensor([[1.0, 2.0], [1.0, 2.0], [-1.0, 0.0]]))), id="lu_factor-ties-tall"),
    C(lambda L: tuple(L.linalg.lu_factor(L.ones(2, 0, 3))), id="lu_factor-empty"),
    C(lambda L: [type(r).__name__ for r in (L.linalg.lu_factor(L.eye(2)), L.linalg.lu(L.eye(2)),
                                             L.linalg.lu_factor_ex(L.eye(2)), L.lu_unpack(*L.linalg.lu_factor(L.eye(2))),
                                             L.lu(L.eye(2), get_infos=True))], id="lu-result-types"),
    C(lambda L: L.linalg.lu(L.ones(3)), id="linalg.lu-1d"),
    C(lambda L: L.linalg.lu(L.ones(3, 3, dtype=L.long)), id="linalg.lu-int"),
    C(lambda L: L.linalg.lu(L.ones(3, 3), pivot=False), id="linalg.lu-no-pivot"),
    C(lambda L: tuple(L.linalg.lu(L.zeros(2, 3))), id="linalg.lu-zeros-no-error"),
    C(lambda L: tuple(_r(t) for t in L.linalg.lu(L.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]).mT)),
      id="linalg.lu-values-tall"),
    C(lambda L: tuple(L.lu(L.zeros(2, 2), get_infos=True)), id="torch.lu-infos-singular"),
    C(lambda L: L.lu(L.zeros(2, 2)), id="torch.lu-singular-no-check"),
    C(lambda L: L.lu(L.ones(3)), id="torch.lu-1d"),
    C(lambda L: L.lu_unpack(L.ones(3, 3), L.ones(3, dtype=L.long)), id="lu_unpack-long-pivots"),
    C(lambda L: L.lu_unpack(L.ones(3, 3), L.ones(3, dtype=L.int32) * 5), id="lu_unpack-pivots-range"),
    C(lambda L: L.lu_unpack(L.ones(3), L.ones(3, dtype=L.int32)), id="lu_unpack-1d"),
    C(lambda L: tuple(L.lu_unpack(L.ones(3, 3), L.tensor([3, 3, 3], dtype=L.int32), unpack_data=False)),
      id="lu_unpack-no-data"),
    C(lambda L: tuple(L.lu_unpack(L.arange(6.0).reshape(2, 3), L.ones(2, dtype=L.int32), unpack_pivots=False)),
      id="lu_unpack-no-pivots-wide"),
    C(lambda L: tuple(L.lu_unpack(L.arange(6.0).reshape(3, 2), L.tensor([3, 2], dtype=L.int32))),
      id="lu_unpack-tall"),
    C(lambda L: L.linalg.lu_solve(L.ones(3, 3), L.ones(3, dtype=L.int32), L.ones(2, 1)), id="lu_solve-shapes"),
    C(lambda L: L.linalg.lu_solve(L.ones(3, 3), L.ones(3, dtype=L.int32), L.ones(3, 2), left=False),
      id="lu_solve-shapes-right"),
    C(lambda L: L.linalg.lu_solve(L.ones(3, 3), L.ones(3, dtype=L.long), L.ones(3, 1)), id="lu_solve-long-pivots"),
    C(lambda L: L.linalg.lu_solve(L.ones(2, 3), L.ones(2, dtype=L.int32), L.ones(2, 1)), id="lu_solve-not-square"),
    C(lambda L: L.linalg.lu_solve(L.ones(3, 3), L.ones(3, dtype=L.int32), L.ones(3)), id="lu_solve-1d-B"),
    C(lambda L: L.linalg.lu_solve(L.ones(3), L.ones(3, dtype=L.int32), L.ones(3, 1)), id="lu_solve-1d-LU"),
    C(lambda L: L.linalg.lu_solve(L.ones(3, 3), L.ones(2, dtype=L.int32), L.ones(3, 1)), id="lu_solve-pivots-size"),
    C(lambda L: L.linalg.lu_solve(L.ones(3, 3), L.ones(3, dtype=L.int32), L.ones(3, 1, dtype=L.float64)),
      id="lu_solve-dtypes"),
    C(lambda L: L.linalg.lu_solve(L.ones(2, 2, dtype=L.long), L.ones(2, dtype=L.int32), L.ones(2, 1, dtype=L.long)),
      id="lu_solve-int"),
    C(lambda L: L.linalg.lu_solve(L.ones(2, 2), L.ones(3, 2, dtype=L.int32), L.ones(2, 1)), id="lu_solve-pivots-batch"),
    C(lambda L: L.linalg.lu_solve(L.ones(2, 2).half(), L.ones(2, dtype=L.int32), L.ones(2, 1).half()),
      id="lu_solve-half"),
    C(lambda L: L.linalg.lu_solve(L.ones(2, 3), L.ones(2, dtype=L.long), L.ones(3)), id="lu_solve-pivots-first"),
    C(lambda L: _r(L.linalg.lu_solve(*L.linalg.lu_factor(L.tensor([[1.0, 2.0], [3.0, 1.0]])),
                                     L.tensor([[1.0], [2.0]]), adjoint=True)), id="lu_solve-values-adjoint"),
    C(lambda L: L.lu_solve(L.ones(2, 1), *L.linalg.lu_factor(L.tensor([[2.0, 1.0], [1.0, 3.0]]))).round(decimals=5),
      id="torch.lu_solve-values"),
    # --- linalg.lstsq ---
    C(lambda L: L.linalg.lstsq(L.ones(3, 2, dtype=L.long), L.ones(3, 1)), id="lstsq-dtypes"),
    C(lambda L: L.linalg.lstsq(L.ones(3, 2, dtype=L.long), L.ones(3, 1, dtype=L.long)), id="lstsq-int"),
    C(lambda L: L.linalg.lstsq(L.ones(3, 2).half(), L.ones(3, 1).half()), id="lstsq-half"),
    C(lambda L: L.linalg.lstsq(L.ones(3, 2), L.ones(4, 1), driver="foo"), id="lstsq-sizes-before-driver"),
    C(lambda L: L.linalg.lstsq(L.ones(3, 2), L.ones(3, 1), driver="foo"), id="lstsq-driver"),
    C(lambda L: L.linalg.lstsq(L.ones(3), L.ones(4, 1, dtype=L.long)), id="lstsq-1d-input"),
    C(lambda L: L.linalg.lstsq(L.ones(2, 4, 3), L.ones(4)), id="lstsq-dims"),
    C(lambda L: L.linalg.lstsq(L.ones(2, 3, 3), L.ones(3, 1)), id="lstsq-vector-rule"),
    C(lambda L: L.linalg.lstsq(L.ones(2, 3, 2), L.ones(3, 3, 1)), id="lstsq-batch-mismatch"),
    C(lambda L: tuple(_r(t) for t in L.linalg.lstsq(L.ones(3, 2), L.ones(3))), id="lstsq-vector-rank-deficient"),
    C(lambda L: tuple(_r(t) for t in L.linalg.lstsq(L.ones(3, 2), L.ones(3, 1), rcond=L.tensor(0.5))),
      id="lstsq-rcond-tensor"),
    C(lambda L: tuple(_r(t) for t in L.linalg.lstsq(L.eye(3)[:, :2] * L.tensor([1.0, 1e-3]), L.ones(3, 1),
                                                    rcond=1e-2, driver="gelsd")), id="lstsq-rcond-cuts"),
    C(lambda L: tuple(_r(t) for t in L.linalg.lstsq(L.arange(8.0).reshape(4, 2) ** 2, L.ones(4, 2),
                                                    driver="gels")), id="lstsq-gels-values"),
    C(lambda L: tuple(_r(t) for t in L.linalg.lstsq(L.ones(4, 3), L.arange(8.0).reshape(4, 2), driver="gelsd")),
      id="lstsq-rank-deficient-no-residuals"),
    C(lambda L: tuple(L.linalg.lstsq(L.ones(0, 2), L.ones(0, 1))), id="lstsq-empty-rows"),
    C(lambda L: tuple(L.linalg.lstsq(L.ones(2, 0), L.ones(2, 1), driver="gelsd")), id="lstsq-empty-cols"),
    C(lambda L: type(L.linalg.lstsq(L.ones(3, 2), L.ones(3, 1))).__name__, id="lstsq-result-type"),
    C(lambda L: [t.requires_grad for t in L.linalg.lstsq(L.ones(3, 2, requires_grad=True), L.ones(3, 1),
                                                         driver="gelsd")], id="lstsq-requires-grad"),
    # --- nn.functional: shuffles, pdist, losses, rms_norm, dropout variants, constant_pad_nd ---
    C(lambda L: _F(L).pixel_shuffle(L.ones(2, 4), 2), id="pixel_shuffle-2d"),
    C(lambda L: _F(L).pixel_shuffle(L.ones(1, 4, 2, 2), 0), id="pixel_shuffle-zero-factor"),
    C(lambda L: _F(L).pixel_shuffle(L.ones(1, 8, 2, 2), 3), id="pixel_shuffle-channels"),
    C(lambda L: _F(L).pixel_shuffle(L.arange(8.0).reshape(1, 4, 1, 2), 2), id="pixel_shuffle-values"),
    C(lambda L: _F(L).pixel_shuffle(L.arange(8).reshape(2, 4, 1, 1), 2), id="pixel_shuffle-int"),
    C(lambda L: _F(L).pixel_unshuffle(L.ones(4, 4), 2), id="pixel_unshuffle-2d"),
    C(lambda L: _F(L).pixel_unshuffle(L.ones(1, 3, 2), -1), id="pixel_unshuffle-negative"),
    C(lambda L: _F(L).pixel_unshuffle(L.ones(1, 3, 4), 2), id="pixel_unshuffle-height"),
    C(lambda L: _F(L).pixel_unshuffle(L.ones(1, 4, 3), 2), id="pixel_unshuffle-width"),
    C(lambda L: _F(L).pixel_unshuffle(L.arange(8.0).reshape(1, 2, 4), 2), id="pixel_unshuffle-values"),
    C(lambda L: L.channel_shuffle(L.ones(2, 4), 2), id="channel_shuffle-2d"),
    C(lambda L: L.channel_shuffle(L.ones(1, 4, 2), 0), id="channel_shuffle-zero-groups"),
    C(lambda L: L.channel_shuffle(L.ones(1, 4, 2), 3), id="channel_shuffle-indivisible"),
    C(lambda L: _F(L).channel_shuffle(L.arange(6).reshape(1, 6, 1), 2), id="channel_shuffle-values"),
    C(lambda L: L.pdist(L.ones(3)), id="pdist-1d"),
    C(lambda L: L.pdist(L.ones(3, 2, dtype=L.long)), id="pdist-int"),
    C(lambda L: L.pdist(L.ones(3, 2), -1), id="pdist-negative-p"),
    C(lambda L: L.pdist(L.ones(1, 2)), id="pdist-one-row"),
    C(lambda L: L.pdist(L.ones(0, 2)), id="pdist-no-rows"),
    C(lambda L: L.pdist(L.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 0.0]])), id="pdist-values"),
    C(lambda L: L.pdist(L.tensor([[0.0, 0.0], [3.0, 4.0]]), p=0), id="pdist-p0"),
    C(lambda L: L.autograd.grad(L.pdist(L.tensor([[1.0, 2.0], [1.0, 2.0]], requires_grad=True)).sum(),
                                 []) if False else (lambda x: (L.pdist(x).sum().backward(), x.grad)[1])(
        L.tensor([[1.0, 2.0], [1.0, 2.0], [0.0, 2.0]], requires_grad=True)), id="pdist-zero-distance-grad"),
    C(lambda L: _F(L).cosine_embedding_loss(L.ones(2, 3), L.ones(2, 3), L.ones(2, 1)), id="cosine_embedding-2d-target"),
    C(lambda L: _F(L).cosine_embedding_loss(L.ones(3), L.ones(3), L.ones(2)), id="cosine_embedding-1d-target-1d-inputs"),
    C(lambda L: _F(L).cosine_embedding_loss(L.ones(2, 3), L.ones(2, 3), L.tensor(1.0)), id="cosine_embedding-0d-target"),
    C(lambda L: _F(L).cosine_embedding_loss(L.ones(2, 3), L.ones(2, 3), L.ones(2), reduction="foo"),
      id="cosine_embedding-reduction"),
    C(lambda L: _r(_F(L).cosine_embedding_loss(L.tensor([[1.0, 0.0], [1.0, 1.0]]), L.tensor([[0.0, 1.0], [1.0, 1.0]]),
                                               L.tensor([1.0, -1.0]), margin=0.5, reduction="none")),
      id="cosine_embedding-values"),
    C(lambda L: _F(L).cosine_embedding_loss(L.zeros(2, 3), L.zeros(2, 3), L.tensor([1.0, 0.0])),
      id="cosine_embedding-zeros-and-target0"),
    C(lambda L: L.cosine_embedding_loss(L.ones(2, 3), L.ones(2, 3), L.tensor([1.0, -1.0])),
      id="torch.cosine_embedding_loss-default-reduction"),
    C(lambda L: _F(L).hinge_embedding_loss(L.tensor([0.3, 2.0, -1.0]), L.tensor([1.0, -1.0, 0.0]),
                                           reduction="none"), id="hinge_embedding-values"),
    C(lambda L: L.hinge_embedding_loss(L.tensor([0.3, 2.0]), L.tensor([1.0, -1.0])),
      id="torch.hinge_embedding_loss-default-reduction"),
    C(lambda L: _F(L).margin_ranking_loss(L.ones(3), L.ones(3), L.ones(1, 3)), id="margin_ranking-dims"),
    C(lambda L: _F(L).margin_ranking_loss(L.tensor([1.0, 2.0]), L.tensor([2.0, 0.0]), L.tensor([1.0, 1.0]),
                                          margin=0.5, reduction="sum"), id="margin_ranking-values"),
    C(lambda L: L.margin_ranking_loss(L.ones(2), L.zeros(2), L.tensor([1.0, -1.0])),
      id="torch.margin_ranking_loss-default-reduction"),
    C(lambda L: _F(L).triplet_margin_loss(L.ones(2, 3), L.ones(2, 3), L.ones(3)), id="triplet_margin-dims"),
    C(lambda L: _F(L).triplet_margin_loss(L.ones(2, 3), L.ones(2, 3), L.ones(2, 3), reduction="bad"),
      id="triplet_margin-reduction"),
    C(lambda L: _r(_F(L).triplet_margin_loss(L.zeros(2, 2), L.ones(2, 2), L.tensor([[0.0, 1.0], [3.0, 0.0]]),
                                             swap=True, reduction="none")), id="triplet_margin-values-swap"),
    C(lambda L: L.nn.TripletMarginLoss(margin=-1.0), id="TripletMarginLoss-margin"),
    C(lambda L: _F(L).poisson_nll_loss(L.ones(2), L.ones(2), reduction="foo"), id="poisson_nll-reduction"),
    C(lambda L: _r(_F(L).poisson_nll_loss(L.tensor([0.5, 1.0, 2.0]), L.tensor([0.0, 1.0, 4.0]), log_input=False,
                                          full=True, reduction="none")), id="poisson_nll-values-full"),
    C(lambda L: _r(_F(L).poisson_nll_loss(L.ones(2, 3), L.ones(3))), id="poisson_nll-broadcast"),
    C(lambda L: _F(L).rms_norm(L.ones(4, 2), (3,)), id="rms_norm-shape"),
    C(lambda L: _F(L).rms_norm(L.ones(4, 3), (3,), weight=L.ones(2)), id="rms_norm-weight-shape"),
    C(lambda L: _F(L).rms_norm(L.ones(4, 3), ()), id="rms_norm-empty-shape"),
    C(lambda L: _r(_F(L).rms_norm(L.tensor([[3.0, 4.0], [0.0, 0.0]]), [2])), id="rms_norm-values"),
    C(lambda L: _F(L).rms_norm(L.tensor([[3.0, 4.0]]).half(), [2]), id="rms_norm-half"),
    C(lambda L: _F(L).rms_norm(L.tensor([[3.0, 4.0]], dtype=L.float64), 2, eps=0.5), id="rms_norm-int-shape"),
    C(lambda L: _F(L).rms_norm(L.tensor([[3.0, 4.0]], dtype=L.float64), [2], eps=0.5), id="rms_norm-eps"),
    C(lambda L: _F(L).rms_norm(L.ones(2, 2, 3), [2, 3], weight=L.ones(3)), id="rms_norm-weight-2d-shape"),
    C(lambda L: _F(L).rms_norm(L.ones(2, 2), [2, 3]), id="rms_norm-shape-2d"),
    C(lambda L: _F(L).alpha_dropout(L.ones(3), 1.5), id="alpha_dropout-p"),
    C(lambda L: _F(L).feature_alpha_dropout(L.ones(3), -0.1, True), id="feature_alpha_dropout-p"),
    C(lambda L: _F(L).alpha_dropout(L.arange(3.0), 0.5), id="alpha_dropout-eval-default"),
    C(lambda L: _F(L).alpha_dropout(L.arange(3.0), 1.0, True), id="alpha_dropout-p1"),
    C(lambda L: L.feature_dropout(L.arange(3.0), 1.0, True), id="feature_dropout-p1-1d"),
    C(lambda L: L.feature_dropout(L.arange(3.0), 0.5, True), id="feature_dropout-1d"),
    C(lambda L: L.feature_alpha_dropout(L.ones(2, 3), 0.0, True), id="feature_alpha_dropout-p0"),
    C(lambda L: L.alpha_dropout(L.ones(0, 3), 0.5, True), id="alpha_dropout-empty"),
    C(lambda L: (lambda x: L.alpha_dropout_(x, 1.0, True) is x)(L.ones(2)), id="alpha_dropout_-same-object"),
    C(lambda L: L.constant_pad_nd(L.ones(2, 3), [1]), id="constant_pad_nd-odd"),
    C(lambda L: L.constant_pad_nd(L.ones(2, 3), [1, 1, 1, 1, 1, 1]), id="constant_pad_nd-too-long"),
    C(lambda L: L.constant_pad_nd(L.ones(2, 3), [1.5, 0]), id="constant_pad_nd-float"),
    C(lambda L: L.constant_pad_nd(L.arange(3), (1, 1), value=2.5), id="constant_pad_nd-int-value"),
    C(lambda L: L.constant_pad_nd(L.arange(6.0).reshape(2, 3), [-1, -1]), id="constant_pad_nd-crop"),
    # --- trapezoid / cumulative_trapezoid / gradient ---
    C(lambda L: L.trapezoid(L.ones(2, 0)), id="trapezoid-empty"),
    C(lambda L: L.trapezoid(L.ones(2, 0), L.ones(0)), id="trapezoid-empty-x"),
    C(lambda L: L.trapezoid(L.arange(3)), id="trapezoid-int"),
    C(lambda L: L.trapezoid(L.arange(3), L.arange(3)), id="trapezoid-int-x"),
    C(lambda L: L.trapezoid(L.ones(2, 3), L.ones(2)), id="trapezoid-x-length"),
    C(lambda L: L.trapezoid(L.tensor(1.0)), id="trapezoid-0d"),
    C(lambda L: L.trapezoid(L.ones(2, 3), 0.5), id="trapezoid-number-x"),
    C(lambda L: L.trapezoid(L.ones(2, 3), dim=2), id="trapezoid-dim"),
    C(lambda L: L.trapezoid(L.arange(6.0).reshape(2, 3), L.tensor([0.0, 1.0, 3.0])), id="trapezoid-values"),
    C(lambda L: L.cumulative_trapezoid(L.ones(2, 0)), id="cumulative_trapezoid-empty"),
    C(lambda L: L.cumulative_trapezoid(L.arange(3)), id="cumulative_trapezoid-int"),
    C(lambda L: L.cumulative_trapezoid(L.ones(2, 1)), id="cumulative_trapezoid-one"),
    C(lambda L: L.cumulative_trapezoid(L.arange(6.0).reshape(2, 3), L.tensor([0.0, 1.0, 3.0])),
      id="cumulative_trapezoid-values"),
    C(lambda L: L.gradient(L.ones(2, 4), edge_order=3), id="gradient-edge-order"),
    C(lambda L: L.gradient(L.ones(2, 4), dim=0, edge_order=2), id="gradient-too-short"),
    C(lambda L: L.gradient(L.ones(2, 4), spacing=[2.0, 3.0], dim=1), id="gradient-spacing-length"),
    C(lambda L: L.gradient(L.ones(2, 4), dim=(1, 1)), id="gradient-dims-repeat"),
    C(lambda L: L.gradient(L.tensor(1.0)), id="gradient-0d"),
    C(lambda L: L.gradient(L.tensor([1, 2, 4])), id="gradient-int"),
    C(lambda L: L.gradient(L.ones(2, 4), spacing=[L.tensor(2.0)], dim=1), id="gradient-0d-spacing-tensor"),
    C(lambda L: L.gradient(L.tensor([[1.0, 2, 4, 8], [0, 1, 0, 3]]), spacing=L.tensor(2.0)), id="gradient-spacing-tensor"),
    C(lambda L: tuple(_r(t) for t in L.gradient(L.tensor([[1.0, 2, 4, 8], [0, 1, 0, 3]]),
                                                spacing=(L.tensor([0.0, 1, 3, 4]),), dim=1, edge_order=2)),
      id="gradient-coords-values"),
    # --- bitwise shifts ---
    C(lambda L: L.bitwise_left_shift(L.tensor([1, -8, 5]), L.tensor([1, 2, 70])), id="lshift-wide"),
    C(lambda L: L.bitwise_right_shift(L.tensor([1, -8, 5]), L.tensor([-1, 2, 70])), id="rshift-out-of-range"),
    C(lambda L: L.bitwise_left_shift(L.tensor([1, -8, 5]), L.tensor([-1, 2, 3])), id="lshift-negative"),
    C(lambda L: L.bitwise_left_shift(L.tensor([1, 3], dtype=L.int8), 7), id="lshift-int8-wraps"),
    C(lambda L: L.bitwise_left_shift(L.tensor([1, 3], dtype=L.uint8), 7), id="lshift-uint8"),
    C(lambda L: L.bitwise_right_shift(L.tensor([200], dtype=L.uint8), L.tensor([9, -1, 3])), id="rshift-uint8"),
    C(lambda L: L.bitwise_left_shift(L.ones(2), 1), id="lshift-float"),
    C(lambda L: L.bitwise_right_shift(L.ones(2, dtype=L.long), 1.5), id="rshift-float-shift"),
    C(lambda L: L.bitwise_left_shift(L.tensor([True]), L.tensor([True])), id="lshift-bool"),
    C(lambda L: L.bitwise_left_shift(L.tensor([True]), 1), id="lshift-bool-number"),
    C(lambda L: L.bitwise_left_shift(3, L.tensor([1, 2])), id="lshift-number-first"),
    C(lambda L: L.bitwise_left_shift(L.tensor([1, 2], dtype=L.int16), L.tensor([1, 1])), id="lshift-promotes"),
    C(lambda L: L.tensor([1, 2]) << 1, id="lshift-operator"),
    C(lambda L: L.ones(2) << 1, id="lshift-operator-float"),
    C(lambda L: 100 >> L.tensor([1, 2]), id="rrshift-operator"),
    C(lambda L: 1 << L.tensor([1, 2]), id="rlshift-operator"),
    C(lambda L: L.tensor([1, 2], dtype=L.int8).bitwise_right_shift_(L.tensor([1, 2])), id="rshift_-inplace"),
    C(lambda L: L.tensor([1, 2]).bitwise_left_shift_(1.5), id="lshift_-float"),
    C(lambda L: (lambda t: (t.__ilshift__(2), t.__irshift__(1), t)[2])(L.tensor([1, -8, 5])), id="ilshift-irshift"),
    # --- empty_strided / empty_permuted / poisson / binomial ---
    C(lambda L: (lambda t: (t.stride(), tuple(t.shape), t.is_contiguous(), str(t.dtype)))(
        L.empty_strided((2, 3), (1, 2))), id="empty_strided-layout"),
    C(lambda L: (lambda t: (t.stride(), t.requires_grad, t.is_leaf))(
        L.empty_strided((2, 3, 4), (1, 8, 2), dtype=L.float64, requires_grad=True)), id="empty_strided-grad"),
    C(lambda L: L.empty_strided((2, 3), (1,)), id="empty_strided-dims"),
    C(lambda L: L.empty_strided((2, -3), (1, 1)), id="empty_strided-negative"),
    C(lambda L: tuple(L.empty_strided((0, 3), (3, 1)).shape), id="empty_strided-empty"),
    C(lambda L: (lambda t: (t.stride(), tuple(t.shape)))(L.empty_permuted((2, 3, 4), (2, 0, 1))),
      id="empty_permuted-layout"),
    C(lambda L: L.empty_permuted((2, 3), (0,)), id="empty_permuted-length"),
    C(lambda L: L.empty_permuted((2, 3), (0, 0)), id="empty_permuted-duplicate"),
    C(lambda L: (lambda t: (t.stride(), str(t.dtype)))(L.ones(2, dtype=L.float64).new_empty_strided((2, 2), (1, 2))),
      id="new_empty_strided"),
    C(lambda L: L.poisson(L.tensor([1, 2])), id="poisson-int"),
    C(lambda L: L.poisson(L.tensor([-1.0])), id="poisson-negative"),
    C(lambda L: L.poisson(L.tensor([float("nan")])), id="poisson-nan"),
    C(lambda L: L.poisson(L.zeros(3, dtype=L.float64)), id="poisson-zero-rate"),
    C(lambda L: (lambda a: (L.poisson(a).sum().backward(), a.grad)[1])(L.ones(3, requires_grad=True)),
      id="poisson-zero-grad"),
    C(lambda L: L.binomial(L.tensor([10, 5]), L.tensor([0.5, 1.0])), id="binomial-int-count"),
    C(lambda L: L.binomial(L.tensor([10.0], dtype=L.float64), L.tensor([0.5])), id="binomial-dtypes"),
    C(lambda L: L.binomial(L.tensor([10.0, 2.0, -3.0, 4.0]), L.tensor([1.5, 1.0, 0.5, -0.5])),
      id="binomial-edges"),
    C(lambda L: L.binomial(L.tensor([10.0], requires_grad=True), L.tensor([0.5])).sum().backward(),
      id="binomial-no-derivative"),
    # --- igamma / igammac ---
    C(lambda L: L.igamma(L.tensor([1, 2]), L.tensor([1, 2])), id="igamma-int"),
    C(lambda L: _r(L.igammac(L.tensor([1.0]), L.tensor([True]))), id="igammac-bool"),
    C(lambda L: L.igamma(L.ones(2), L.ones(3)), id="igamma-shapes"),
    C(lambda L: _r(L.igamma(L.tensor([0.0, 0.0, 1.0, 2.0, -1.0, 1.0, float("inf"), 1.0, float("nan")]),
                           L.tensor([0.0, 1.0, 0.0, float("inf"), 1.0, -1.0, 1.0, float("inf"), 1.0]))),
      id="igamma-edges"),
    C(lambda L: _r(L.igammac(L.tensor([0.0, 0.0, 1.0, 2.0, -1.0, float("inf")]),
                            L.tensor([0.0, 1.0, 0.0, float("inf"), 1.0, 1.0]))), id="igammac-edges"),
    C(lambda L: L.igamma(L.tensor([2.0], dtype=L.float64), L.tensor([1.0])).dtype, id="igamma-promotes"),
    C(lambda L: L.autograd.grad(L.igamma(L.tensor([1.5], requires_grad=True), L.tensor([2.0])).sum(),
                                 L.tensor([0.0]) if False else [])
      if False else (lambda a: L.autograd.grad(L.igamma(a, L.tensor([2.0])).sum(), a))(
          L.tensor([1.5], requires_grad=True)), id="igamma-no-derivative-in-a"),
    C(lambda L: (lambda a: L.autograd.grad(L.igammac(a, L.tensor([2.0])).sum(), a))(
        L.tensor([1.5], requires_grad=True)), id="igammac-no-derivative-in-a"),
    C(lambda L: (lambda t: (t.igamma_(L.tensor([1.0, 2.0])), _r(t))[1])(L.tensor([1.0, 3.0])), id="igamma_-inplace"),
    # --- index_reduce / torch.index_put_ ---
    C(lambda L: L.ones(3, 2).index_reduce(0, L.tensor([0, 1]), L.ones(2, 2), "sum"), id="index_reduce-sum"),
    C(lambda L: L.ones(3, 2).index_reduce(0, L.tensor([0.0, 1.0]), L.ones(2, 2), "prod"), id="index_reduce-float-index"),
    C(lambda L: L.ones(3, 2).index_reduce(0, L.tensor([[0, 1]]), L.ones(2, 2), "prod"), id="index_reduce-2d-index"),
    C(lambda L: L.ones(3, 2).index_reduce(0, L.tensor([0, 1, 2]), L.ones(2, 2), "prod"), id="index_reduce-count"),
    C(lambda L: L.ones(3, 2).index_reduce(0, L.tensor([0, 3]), L.ones(2, 2), "amax"), id="index_reduce-range"),
    C(lambda L: L.ones(3, 2).index_reduce(0, L.tensor([0, 1]), L.ones(2, 2, dtype=L.float64), "mean"),
      id="index_reduce-dtypes"),
    C(lambda L: L.ones(3, 2).index_reduce(0, L.tensor([0, 1]), L.ones(2, 3), "mean"), id="index_reduce-shape"),
    C(lambda L: L.ones(3).index_reduce(0, L.tensor([0, 0]), L.tensor(2.0), "prod"), id="index_reduce-0d-source"),
    C(lambda L: L.tensor(3.0).index_reduce(0, L.tensor([0]), L.tensor([2.0]), "prod"), id="index_reduce-0d-self"),
    C(lambda L: L.ones(3, dtype=L.long).index_reduce(0, L.tensor([0, 0]), L.tensor([-2, 3]), "mean"),
      id="index_reduce-int-mean"),
    C(lambda L: L.arange(6.0).reshape(3, 2).index_reduce_(0, L.tensor([0, 2, 0]),
                                                         L.tensor([[5.0, -1.0], [2.0, 9.0], [0.5, 7.0]]),
                                                         "amin", include_self=False), id="index_reduce_-amin"),
    C(lambda L: (lambda x: (L.index_put_(x, (L.tensor([0, 0]),), L.tensor([1.0, 2.0]), accumulate=True), x)[1])(
        L.zeros(3)), id="index_put_-accumulate"),
    C(lambda L: L.index_put_(L.zeros(3), (L.tensor([0, 2]),), L.tensor(5.0)), id="index_put_-broadcast"),
    # --- as_strided_scatter ---
    C(lambda L: L.as_strided_scatter(L.arange(6.0), L.ones(2, 2), (2, 2), (3, 1), 3), id="as_strided_scatter-bounds"),
    C(lambda L: L.as_strided_scatter(L.arange(6.0), L.ones(2, 2), (2, 3), (3, 1)), id="as_strided_scatter-src-size"),
    C(lambda L: L.as_strided_scatter(L.arange(6.0), L.arange(4.0).reshape(2, 2) + 10, (2, 2), (1, 2), 1),
      id="as_strided_scatter-values"),
    C(lambda L: L.as_strided_scatter(L.arange(6).reshape(2, 3), L.tensor([7, 8]), (2,), (4,)),
      id="as_strided_scatter-int"),
    C(lambda L: (lambda a, b: L.autograd.grad(L.as_strided_scatter(a, b, (2,), (3,)).sum(), b))(
        L.ones(6, requires_grad=True), L.ones(2, requires_grad=True)), id="as_strided_scatter-src-grad"),
    # --- resize_ / resize_as_ ---
    C(lambda L: L.arange(6.0).resize_(2, 2), id="resize_-shrink"),
    C(lambda L: L.arange(6.0).resize_((3, 2)), id="resize_-tuple"),
    C(lambda L: L.arange(6.0).resize_(2, 4)[0], id="resize_-grow-keeps-first"),
    C(lambda L: L.arange(6.0).resize_as_(L.ones(3, 1)), id="resize_as_"),
    C(lambda L: L.arange(6.0).requires_grad_().resize_(2, 3), id="resize_-requires-grad-leaf"),
    C(lambda L: (L.arange(6.0).requires_grad_() * 1).resize_(2, 3), id="resize_-requires-grad"),
    C(lambda L: L.arange(6.0).resize(3, 2), id="resize-deprecated"),
    C(lambda L: L.arange(6.0).resize_as(L.ones(2, 3)), id="resize_as-deprecated"),
    C(lambda L: L.resize_as_(L.arange(6.0), L.ones(2, 3)), id="torch.resize_as_"),
    C(lambda L: (lambda z, v: (z.resize_(2, 2), z.__setitem__((0, 1), 9.0), v)[2])(*(lambda z: (z, z[1:3]))(
        L.arange(6.0))), id="resize_-shrink-keeps-memory"),
    C(lambda L: (lambda z: (z.resize_(2, 3), z.resize_(2, 2), z._version)[2])(L.arange(6.0)), id="resize_-version"),
    C(lambda L: L.arange(6.0).resize_(0), id="resize_-empty"),
    # --- histogramdd ---
    C(lambda L: _hdd(L, L.histogramdd(_pts(L), bins=[2, 3])), id="histogramdd-bins-list"),
    C(lambda L: _hdd(L, L.histogramdd(_pts(L), bins=2, range=[0.0, 1.0, 0.0, 2.0])), id="histogramdd-range"),
    C(lambda L: _hdd(L, L.histogramdd(_pts(L), bins=[L.tensor([0.0, 1.0, 3.0]), L.tensor([0.0, 2.0])],
                                      weight=L.arange(5.0), density=True)), id="histogramdd-edges-weight-density"),
    C(lambda L: L.histogramdd(L.ones(3), bins=2), id="histogramdd-1d"),
    C(lambda L: L.histogramdd(_pts(L), bins=[2]), id="histogramdd-bins-length"),
    C(lambda L: L.histogramdd(_pts(L).long(), bins=2), id="histogramdd-int"),
    C(lambda L: L.histogramdd(_pts(L), bins=0), id="histogramdd-zero-bins"),
    C(lambda L: L.histogramdd(_pts(L), bins=2, range=[0.0, 1.0]), id="histogramdd-range-length"),
    C(lambda L: L.histogramdd(_pts(L), bins=2, weight=L.ones(4)), id="histogramdd-weight-shape"),
    C(lambda L: _hdd(L, L.histogramdd(L.ones(2, 3, 2), bins=2)), id="histogramdd-constant-batch"),
    C(lambda L: _hdd(L, L.histogramdd(L.ones(0, 2), bins=2)), id="histogramdd-empty"),
    C(lambda L: L.histogramdd(_pts(L), bins=2, range=[1.0, 0.0, 0.0, 1.0]), id="histogramdd-min-max"),
    C(lambda L: _hdd(L, L.histogramdd(_pts(L).double(), bins=(1, 4), density=True)), id="histogramdd-double"),
    C(lambda L: _hdd(L, L.histogramdd(L.tensor([[0.1, 0.2, 0.3], [0.9, 0.5, 0.1], [0.4, 0.4, 0.4]]),
                                      bins=[2, 1, 3])), id="histogramdd-3d"),
    # --- map2_, is_distributed, set_default_tensor_type, torch.random ---
    C(lambda L: L.ones(2, 3).map2_(L.arange(3.0), L.ones(2, 1) * 2, lambda s, x, y: s + x * y), id="map2_"),
    C(lambda L: L.ones(2, dtype=L.long).map2_(L.ones(2), L.ones(2), lambda s, x, y: s + x + y + 0.5),
      id="map2_-int-cast"),
    C(lambda L: L.ones(2, requires_grad=True).map2_(L.ones(2), L.ones(2), lambda a, b, c: a), id="map2_-grad"),
    C(lambda L: L.ones(2).map2_(L.ones(3), L.ones(2), lambda a, b, c: a), id="map2_-shapes"),
    C(lambda L: L.ones(2).is_distributed(), id="is_distributed"),
    C(lambda L: _default_after(L, L.DoubleTensor), id="set_default_tensor_type-class"),
    C(lambda L: _default_after(L, "torch.DoubleTensor"), id="set_default_tensor_type-name"),
    C(lambda L: _default_after(L, L.LongTensor), id="set_default_tensor_type-int"),
    C(lambda L: _default_after(L, "torch.cuda.FloatTensor"), id="set_default_tensor_type-cuda"),
    C(lambda L: sorted(set(L.random.__all__) - {"thread_safe_generator"}), id="random-all"),
    C(lambda L: L.ones(2, dtype=L.long).map2_(L.ones(2, dtype=L.long), L.ones(2, dtype=L.long),
                                              lambda s, x, y: s + x + y + 0.5), id="map2_-int"),
    C(lambda L: (L.manual_seed(3), L.random.initial_seed())[1], id="random-initial_seed"),
    # --- geqrf / orgqr / ormqr / householder_product ---
    C(lambda L: tuple(_r(t) for t in L.geqrf(L.tensor([[2.0, -1.0], [1.0, 3.0], [0.0, 1.0]]))), id="geqrf-values"),
    C(lambda L: tuple(_r(t) for t in L.geqrf(L.tensor([[0.0, 1.0], [0.0, 2.0]]))), id="geqrf-zero-column"),
    C(lambda L: tuple(_r(t) for t in L.geqrf(L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))), id="geqrf-wide"),
    C(lambda L: type(L.geqrf(L.eye(2))).__name__, id="geqrf-result-type"),
    C(lambda L: L.geqrf(L.ones(3)), id="geqrf-1d"),
    C(lambda L: L.geqrf(L.ones(3, 2, dtype=L.long)), id="geqrf-int"),
    C(lambda L: (lambda x: L.geqrf(x).a.sum().backward())(L.ones(2, 2, requires_grad=True)), id="geqrf-no-derivative"),
    C(lambda L: L.orgqr(L.ones(3, 2), L.ones(3)), id="orgqr-tau-long"),
    C(lambda L: L.orgqr(L.ones(2, 3), L.ones(2)), id="orgqr-wide"),
    C(lambda L: L.orgqr(L.ones(3), L.ones(2)), id="orgqr-1d"),
    C(lambda L: L.orgqr(L.ones(3, 2), L.ones(2, dtype=L.float64)), id="orgqr-dtypes"),
    C(lambda L: _r(L.linalg.householder_product(*L.geqrf(L.tensor([[2.0, -1.0], [1.0, 3.0], [0.0, 1.0]])))),
      id="householder_product-values"),
    C(lambda L: L.ormqr(L.ones(3, 2), L.ones(2), L.ones(2, 2)), id="ormqr-other-rows"),
    C(lambda L: L.ormqr(L.ones(3, 2), L.ones(3), L.ones(3, 2)), id="ormqr-tau"),
    C(lambda L: _r(L.ormqr(*L.geqrf(L.tensor([[2.0, -1.0], [1.0, 3.0], [0.0, 1.0]])), L.eye(3), transpose=True)),
      id="ormqr-values-transpose"),
    # --- embedding_renorm_, frombuffer, torch.functional ---
    C(lambda L: (lambda w: (L.embedding_renorm_(w, L.tensor([0, 2, 2]), 5.0, 2.0) is w, _r(w)))(
        L.arange(12.0).reshape(4, 3)), id="embedding_renorm_"),
    C(lambda L: (lambda b: (lambda t: (t.__setitem__(0, 5.0), t, bytes(b))[1:])(
        L.frombuffer(b, dtype=L.float32)))(bytearray(b"\x00\x00\x80?\x00\x00\x00@")), id="frombuffer-shares"),
    C(lambda L: L.frombuffer(bytearray(b"\x00\x00\xa0@"), dtype=L.uint8, count=2, offset=1), id="frombuffer-count-offset"),
    C(lambda L: L.frombuffer(bytearray(8), dtype=L.float32, count=3), id="frombuffer-too-long"),
    C(lambda L: L.frombuffer(bytearray(), dtype=L.float32), id="frombuffer-empty"),
    C(lambda L: L.frombuffer(bytearray(7), dtype=L.float32), id="frombuffer-multiple"),
    C(lambda L: L.frombuffer(bytearray(8), dtype=L.float32, offset=8), id="frombuffer-offset"),
    C(lambda L: sorted(set(L.functional.__all__) - {"stft", "istft"}),
      id="functional-all"),
    C(lambda L: L.functional.einsum("ij->j", L.ones(2, 3)), id="functional-einsum"),
    # --- embedding_bag / nn.EmbeddingBag ---
    C(lambda L: _F(L).embedding_bag(L.tensor([0, 2, 1]), L.ones(4, 3), L.tensor([0, 2]), mode="foo"),
      id="embedding_bag-mode"),
    C(lambda L: _F(L).embedding_bag(L.tensor([0, 2, 1]), L.ones(4, 3), L.tensor([0, 2]), mode="mean",
                                    per_sample_weights=L.ones(3)), id="embedding_bag-psw-mean"),
    C(lambda L: _F(L).embedding_bag(L.tensor([0, 2, 1]), L.ones(4, 3)), id="embedding_bag-no-offsets"),
    C(lambda L: _F(L).embedding_bag(L.tensor([[0, 2]]), L.ones(4, 3), L.tensor([0])), id="embedding_bag-2d-offsets"),
    C(lambda L: _F(L).embedding_bag(L.tensor([0, 9]), L.ones(4, 3), L.tensor([0])), id="embedding_bag-range"),
    C(lambda L: _F(L).embedding_bag(L.tensor([0, 9]), L.ones(4, 3, dtype=L.float64), L.tensor([0])),
      id="embedding_bag-range-double"),
    C(lambda L: _F(L).embedding_bag(L.tensor([0, 2, 1, 2, 3]), L.arange(12.0).reshape(4, 3), L.tensor([0, 2, 5]),
                                    mode="mean", include_last_offset=True), id="embedding_bag-last-offset"),
    C(lambda L: _F(L).embedding_bag(L.tensor([0, 2, 1, 2, 3]), L.arange(12.0).reshape(4, 3), L.tensor([0, 2, 2]),
                                    mode="max", padding_idx=2), id="embedding_bag-max-padding"),
    C(lambda L: tuple(L.embedding_bag(L.arange(12.0).reshape(4, 3), L.tensor([0, 2, 1, 2, 3]), L.tensor([0, 2, 2]),
                                      False, 0)), id="torch.embedding_bag-sum-float"),
    C(lambda L: tuple(L.embedding_bag(L.arange(12.0, dtype=L.float64).reshape(4, 3), L.tensor([0, 2, 1, 2, 3]),
                                      L.tensor([0, 2, 2]), False, 0)), id="torch.embedding_bag-sum-double"),
    C(lambda L: tuple(L.embedding_bag(L.arange(12.0).reshape(4, 3), L.tensor([0, 2, 1, 2, 3]), L.tensor([0, 2, 2]),
                                      False, 1)), id="torch.embedding_bag-mean"),
    C(lambda L: tuple(L.embedding_bag(L.arange(12.0).reshape(4, 3) * L.tensor([1.0, -1.0, 0.5]),
                                      L.tensor([0, 2, 1, 2, 3]), L.tensor([0, 1, 4]), False, 2)),
      id="torch.embedding_bag-max"),
    C(lambda L: (lambda m: (repr(m), list(m.state_dict()), m.weight[1].tolist()))(
        L.nn.EmbeddingBag(5, 3, mode="max", padding_idx=1)), id="EmbeddingBag-module"),
    # --- functions torch keeps only as erroring stubs ---
    C(lambda L: L.solve(L.ones(2, 1), L.eye(2)), id="solve-removed"),
    C(lambda L: L.lstsq(L.ones(2, 1), L.eye(2)), id="lstsq-removed"),
    C(lambda L: L.symeig(L.eye(2)), id="symeig-removed"),
    C(lambda L: L.eig(L.eye(2)), id="eig-removed"),
    C(lambda L: L.matrix_rank(L.eye(2)), id="matrix_rank-removed"),
    C(lambda L: L.ones(2, 1).solve(L.eye(2)), id="Tensor.solve-removed"),
    C(lambda L: L.ones(2, 1).lstsq(L.eye(2)), id="Tensor.lstsq-removed"),
    C(lambda L: L.eye(2).symeig(eigenvectors=True), id="Tensor.symeig-removed"),
    C(lambda L: L.eye(2).eig(), id="Tensor.eig-removed"),
]


@needs_torch
@pytest.mark.parametrize("case", CASES)
def test_misuse_matches_torch(case):
    _check(case)


@pytest.mark.parametrize("call, start", [
    (lambda: cr.cholesky(cr.eye(2)), "torch.cholesky is deprecated in favor of torch.linalg.cholesky"),
    (lambda: cr.qr(cr.eye(2)), "torch.qr is deprecated in favor of torch.linalg.qr"),
    (lambda: cr.triangular_solve(cr.ones(2, 1), cr.eye(2)),
     "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular"),
    (lambda: cr.nuclear_norm(cr.eye(2)), "at::nuclear_norm is deprecated"),
    (lambda: cr.frobenius_norm(cr.eye(2), (0, 1)), "at::frobenius_norm is deprecated"),
    (lambda: cr.lu(cr.eye(2)), "torch.lu is deprecated in favor of torch.linalg.lu_factor"),
    (lambda: cr.lu_solve(cr.ones(2, 1), *cr.linalg.lu_factor(cr.eye(2))),
     "torch.lu_solve is deprecated in favor of torch.linalg.lu_solve"),
])
def test_deprecated_forms_warn(call, start):
    """torch warns once per process (so the side-by-side cases cannot insist);
    chainrule warns at every call, with torch's text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert [w.category for w in caught] == [UserWarning]
    assert str(caught[0].message).startswith(start)


def test_removed_stub_texts():
    """The stubs' texts (torch 2.13's), checked without torch."""
    with pytest.raises(RuntimeError, match=r"^This function was deprecated since version 1.9 and is now "
                                           r"removed. `torch.solve` is deprecated"):
        cr.solve(cr.ones(2, 1), cr.eye(2))
    with pytest.raises(RuntimeError, match=r"Please use the `torch.linalg.matrix_rank` function"):
        cr.matrix_rank(cr.eye(2))


def _alpha_parts(p):
    alpha = 1.7580993408473766
    a = 1.0 / (((alpha * alpha * p + 1) * (1 - p)) ** 0.5)
    return a, alpha * a * p, alpha * a * p - alpha * a   # kept: a x + alpha a p; dropped: the last


@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_draws(feature):
    """Each element (each channel, for the feature form) is either a x + alpha a p (kept,
    probability 1 - p) or the constant alpha a p - alpha a; the gradient is a where kept
    and 0 where dropped; the eval form is the input itself."""
    p = 0.3
    a, shift, dropped = _alpha_parts(p)
    cr.manual_seed(0)
    x = cr.randn(200, 50, 2, dtype=cr.float64, requires_grad=True)
    f = cr.nn.functional.feature_alpha_dropout if feature else cr.nn.functional.alpha_dropout
    y = f(x, p, True)
    assert type(y.grad_fn).__name__ == "AddBackward0"
    kept_value = a * x.detach() + shift
    kept = (y.detach() - kept_value).abs() < 1e-12
    assert bool((kept | ((y.detach() - dropped).abs() < 1e-12)).all())
    if feature:                       # one draw per (sample, channel)
        assert bool((kept[..., 0] == kept[..., 1]).all())
    frac = kept.double().mean().item()
    assert abs(frac - (1 - p)) < 0.03
    y.sum().backward()
    assert bool(((x.grad - kept.double() * a).abs() < 1e-12).all())
    assert f(x, p, False) is x


def test_feature_dropout_draws():
    cr.manual_seed(1)
    x = cr.ones(300, 40, 3, dtype=cr.float64)
    y = cr.feature_dropout(x, 0.25, True)
    vals = set(y.flatten().tolist())
    assert vals <= {0.0, 1 / 0.75}
    assert bool((y[..., 0] == y[..., 2]).all())
    assert abs((y[..., 0] > 0).double().mean().item() - 0.75) < 0.03
    z = x.clone()
    assert cr.feature_dropout_(z, 0.25, True) is z


def test_alpha_dropout_keeps_selu_statistics():
    """Alpha dropout's point: standard normal inputs keep mean 0 and variance 1."""
    cr.manual_seed(2)
    x = cr.randn(400000, dtype=cr.float64)
    y = cr.nn.AlphaDropout(0.2).train()(x)
    assert abs(y.mean().item()) < 0.01 and abs(y.var().item() - 1) < 0.01
    assert cr.nn.AlphaDropout(0.2).eval()(x) is x


def test_poisson_binomial_moments():
    """The draws have the distributions' means and variances (NumPy's generator: the same
    distributions as PyTorch, not the same values); generator= is honoured."""
    g = cr.Generator().manual_seed(5)
    x = cr.poisson(cr.full((200000,), 3.0, dtype=cr.float64), generator=g)
    assert abs(x.mean().item() - 3) < 0.02 and abs(x.var().item() - 3) < 0.05
    assert bool((x == x.round()).all()) and x.dtype == cr.float64
    y = cr.binomial(cr.full((200000,), 10.0), cr.tensor([0.3]))
    assert abs(y.mean().item() - 3) < 0.02 and abs(y.var().item() - 2.1) < 0.05
    a = cr.poisson(cr.full((5,), 4.0), generator=cr.Generator().manual_seed(1))
    b = cr.poisson(cr.full((5,), 4.0), generator=cr.Generator().manual_seed(1))
    assert a.tolist() == b.tolist()


def test_igamma_closed_forms():
    """P(1, x) = 1 - e^-x, P(1/2, x) = erf(sqrt x), P(n, x) = 1 - e^-x sum_{k<n} x^k / k!
    and Q = 1 - P, to float64 accuracy, across both of the method's regions."""
    import math
    x = np.concatenate([np.linspace(1e-3, 3, 40), np.linspace(3, 60, 40)])
    xt = cr.tensor(x, dtype=cr.float64)
    cases = [(1.0, 1 - np.exp(-x)), (0.5, np.array([math.erf(math.sqrt(v)) for v in x]))]
    for n in (2, 5, 12):
        s = sum(x ** k / math.factorial(k) for k in range(n))
        cases.append((float(n), 1 - np.exp(-x) * s))
    for a, p in cases:
        at = cr.full((x.size,), a, dtype=cr.float64)
        assert np.allclose(cr.igamma(at, xt).numpy(), p, rtol=0, atol=2e-14), a
        assert np.allclose(cr.igammac(at, xt).numpy(), 1 - p, rtol=0, atol=2e-14), a


@needs_torch
def test_igamma_against_torch():
    """torch's values where its own kernel is accurate (a up to 20; beyond, torch's
    asymptotic expansion is off by ~1e-10 while chainrule's series / continued fraction are
    not: test_igamma_closed_forms)."""
    rng = np.random.default_rng(3)
    a = rng.uniform(0.01, 20, 400)
    x = rng.uniform(0, 40, 400)
    for name in ("igamma", "igammac"):
        mine = getattr(cr, name)(cr.tensor(a), cr.tensor(x)).numpy()
        ref = getattr(torch, name)(torch.tensor(a), torch.tensor(x)).numpy()
        assert np.allclose(mine, ref, rtol=0, atol=1e-13), np.abs(mine - ref).max()
        m32 = getattr(cr, name)(cr.tensor(a, dtype=cr.float32), cr.tensor(x, dtype=cr.float32)).numpy()
        r32 = getattr(torch, name)(torch.tensor(a, dtype=torch.float32), torch.tensor(x, dtype=torch.float32))
        assert m32.dtype == np.float32 and np.allclose(m32, r32.numpy(), rtol=0, atol=1e-6)


@needs_torch
def test_as_strided_scatter_torch_gradient_is_the_complement():
    """Why the op-table's as_strided_scatter rows skip torch's gradients: torch 2.13 gives the
    input the gradient on the window (which the output does not read) and zero off it.
    chainrule's is the derivative (test_ops_grad checks it by finite differences)."""
    w = np.arange(6.0)
    a = torch.arange(6.0, requires_grad=True)
    out = torch.as_strided_scatter(a * 1, torch.ones(2, 2), (2, 2), (3, 1), 0)
    g_torch = torch.autograd.grad((out * torch.tensor(w, dtype=torch.float32)).sum(), a)[0].numpy()
    x = cr.arange(6.0, requires_grad=True)
    out = cr.as_strided_scatter(x * 1, cr.ones(2, 2), (2, 2), (3, 1), 0)
    g = cr.autograd.grad((out * cr.tensor(w, dtype=cr.float32)).sum(), x)[0].numpy()
    window = np.zeros(6, bool)
    window[[0, 1, 3, 4]] = True
    assert np.array_equal(g, np.where(window, 0.0, w))
    assert np.array_equal(g_torch, np.where(window, w, 0.0))


def test_fork_rng_restores_the_generator():
    cr.manual_seed(3)
    a = cr.rand(2).tolist()
    cr.manual_seed(3)
    with cr.random.fork_rng():
        cr.rand(5)
    assert cr.rand(2).tolist() == a
    cr.manual_seed(3)
    with cr.random.fork_rng(enabled=False):
        cr.rand(5)
    assert cr.rand(2).tolist() != a


def _return_type_cases(L):
    x = L.tensor([[3.0, 1.0], [2.0, 5.0]])
    return [(L.max(x, 0), "max"), (L.min(x, 1), "min"), (L.sort(x), "sort"), (L.topk(x, 1), "topk"),
            (L.kthvalue(x, 1), "kthvalue"), (L.mode(x), "mode"), (L.median(x, 0), "median"),
            (L.nanmedian(x, 0), "nanmedian"), (L.cummax(x, 0), "cummax"), (L.cummin(x, 0), "cummin"),
            (L.slogdet(x), "slogdet"), (L.linalg.slogdet(x), "linalg_slogdet"),
            (L.aminmax(x), "aminmax"), (L.frexp(x), "frexp"), (L.geqrf(x), "geqrf"),
            (L.histogram(x.flatten(), 2), "histogram"), (L.histogramdd(x, 2), "histogramdd"),
            (L.linalg.eigh(x), "linalg_eigh"), (L.linalg.lstsq(x, x), "linalg_lstsq"),
            (L.linalg.lu(x), "linalg_lu"), (L.linalg.lu_factor(x), "linalg_lu_factor"),
            (L.linalg.lu_factor_ex(x), "linalg_lu_factor_ex"), (L.linalg.qr(x), "linalg_qr"),
            (L.linalg.svd(x), "linalg_svd"), (L.lu_unpack(*L.linalg.lu_factor(x)), "lu_unpack"),
            (L.qr(x), "qr"), (L.svd(x), "svd"), (L.triangular_solve(x, x), "triangular_solve")]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_return_types_are_the_results_classes():
    """torch.return_types.<name> is the class the function returns (isinstance works)."""
    for result, name in _return_type_cases(cr):
        assert isinstance(result, getattr(cr.return_types, name)), name
        assert type(result).__name__ == name
    if torch is not None:
        for result, name in _return_type_cases(torch):
            assert isinstance(result, getattr(torch.return_types, name)), name
            assert type(result).__name__ == name


@pytest.mark.parametrize("shape, rank, q", [((6, 5), 3, 4), ((4, 7), 2, 3), ((2, 5, 4), 2, 2)])
def test_svd_lowrank_exact_on_low_rank(shape, rank, q):
    """For a matrix of rank <= q the randomized SVD is the SVD: the singular values are the
    largest ones, U S V^T rebuilds A, and the gradient of sum(S) is the exact one (U V^T,
    torch's too where installed)."""
    rng = np.random.default_rng(rank)
    A = rng.standard_normal(shape[:-1] + (rank,)) @ rng.standard_normal(shape[:-2] + (rank, shape[-1]))
    a = cr.tensor(A, requires_grad=True)
    U, S, V = cr.svd_lowrank(a, q=q)
    assert tuple(S.shape) == shape[:-2] + (q,)
    s_true = np.linalg.svd(A, compute_uv=False)[..., :q]
    assert np.allclose(S.detach().numpy(), s_true, atol=1e-10)
    assert np.allclose((U @ cr.diag_embed(S) @ V.mT).detach().numpy(), A, atol=1e-10)
    g = cr.autograd.grad(cr.svd_lowrank(a, q=rank)[1].sum(), a)[0].numpy()
    u, _, vh = np.linalg.svd(A, full_matrices=False)
    assert np.allclose(g, u[..., :rank] @ vh[..., :rank, :], atol=1e-8)
    if torch is not None:
        t = torch.tensor(A, requires_grad=True)
        gt = torch.autograd.grad(torch.svd_lowrank(t, q=rank)[1].sum(), t)[0].numpy()
        assert np.allclose(g, gt, atol=1e-8)


def test_pca_lowrank_centres():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((8, 2)) @ rng.standard_normal((2, 5)) + 3.0
    U, S, V = cr.pca_lowrank(cr.tensor(A), q=3)
    assert np.allclose(S.numpy()[:2], np.linalg.svd(A - A.mean(0), compute_uv=False)[:2], atol=1e-10)
    assert abs(S.numpy()[2]) < 1e-10
    with pytest.raises(ValueError, match=r"q\(=10\) must be non-negative integer and not greater "
                                         r"than min\(m, n\)=5"):
        cr.pca_lowrank(cr.tensor(A), q=10)

"""Misuse of the ops of issue 11's second batch (special functions, pad,
einsum, cdist, scatter_reduce, masked_scatter, quantile), side by side with
PyTorch: the same exception type and first message line, or the same value
(test_misuse.py's comparison)."""
import pytest

from test_misuse import _check, needs_torch

C = pytest.param
_x2 = lambda L: L.arange(6.0).reshape(2, 3)           # noqa: E731
_x4 = lambda L: L.ones(1, 2, 3, 4)                      # noqa: E731


def _F(L):
    return L.nn.functional


CASES = [
    # --- special functions ---
    C(lambda L: L.polygamma(-1, L.ones(2)), id="polygamma-negative-n"),
    C(lambda L: L.ones(2).polygamma(-2), id="polygamma-method-negative-n"),
    C(lambda L: L.ones(2).polygamma_(-1), id="polygamma_-negative-n"),
    C(lambda L: L.polygamma(1.5, L.ones(2)), id="polygamma-float-n"),
    C(lambda L: L.erf(L.tensor([1, 2])), id="erf-int-gives-float"),
    C(lambda L: L.erfinv(L.tensor([-1.0, 1.0, 1.5, -2.0])), id="erfinv-out-of-domain"),
    C(lambda L: L.lgamma(L.tensor([0.0, -1.0, -2.0, float("inf"), float("-inf")])), id="lgamma-poles"),
    C(lambda L: L.digamma(L.tensor([0.0, -0.0, -1.0, float("inf"), float("-inf")])), id="digamma-poles"),
    C(lambda L: L.polygamma(2, L.tensor([0.0, -3.0, float("inf")])), id="polygamma2-poles"),
    C(lambda L: L.special.entr(L.tensor([0.0, -1.0, 2.0, float("nan")])), id="entr-values"),
    C(lambda L: L.special.polygamma(3, L.tensor([True])), id="special.polygamma-bool"),
    # --- nn.functional.pad ---
    C(lambda L: _F(L).pad(_x2(L), (1,)), id="pad-odd-length"),
    C(lambda L: _F(L).pad(_x2(L), (1, 1, 1, 1, 1, 1)), id="pad-too-long"),
    C(lambda L: _F(L).pad(_x2(L), (1, 1), mode="foo"), id="pad-unknown-mode"),
    C(lambda L: _F(L).pad(_x2(L), (-3, -1)), id="pad-negative-output"),
    C(lambda L: _F(L).pad(_x2(L), (-3, 0)), id="pad-crop-to-empty"),
    C(lambda L: _F(L).pad(_x2(L), (1.5, 1)), id="pad-float-pad"),
    C(lambda L: _F(L).pad(_x2(L), (1, 1), mode="reflect", value=1.0), id="pad-reflect-value"),
    C(lambda L: _F(L).pad(_x2(L), (1, 1), mode="reflect", value=0.0), id="pad-reflect-value-0"),
    C(lambda L: _F(L).pad(_x2(L), (3, 0), mode="reflect"), id="pad-reflect-too-wide"),
    C(lambda L: _F(L).pad(_x4(L), (1, 1, 3, 0), mode="reflect"), id="pad-reflect-2d-too-wide"),
    C(lambda L: _F(L).pad(L.ones(1, 1, 2, 3, 4), (1, 1, 1, 1, 2, 0), mode="reflect"),
      id="pad-reflect-3d-too-wide"),
    C(lambda L: _F(L).pad(_x2(L), (1, 1, 1, 1), mode="replicate"), id="pad-replicate-2d-on-2d"),
    C(lambda L: _F(L).pad(L.ones(3), (1, 1), mode="replicate"), id="pad-replicate-1d-input"),
    C(lambda L: _F(L).pad(_x4(L), (1, 1), mode="circular"), id="pad-circular-4d-size2"),
    C(lambda L: _F(L).pad(L.ones(2, 0), (1, 1), mode="reflect"), id="pad-reflect-empty"),
    C(lambda L: _F(L).pad(L.ones(3, 0, 2), (1, 1, 1, 1), mode="replicate"), id="pad-replicate-empty"),
    C(lambda L: _F(L).pad(L.ones(0, 3, 2), (1, 1), mode="reflect"), id="pad-reflect-batch0"),
    C(lambda L: _F(L).pad(_x2(L), (4, 0), mode="circular"), id="pad-circular-wraps-twice"),
    C(lambda L: _F(L).pad(_x2(L), (-3, 0), mode="reflect"), id="pad-reflect-too-small"),
    C(lambda L: _F(L).pad(L.ones(2, 2, 3), (0, 0, -2, 0), mode="replicate"), id="pad-replicate-too-small"),
    C(lambda L: _F(L).pad(L.tensor([1, 2]), (1, 1), value=2.5), id="pad-int-float-value"),
    C(lambda L: _F(L).pad(L.tensor(3.0), (1, 1)), id="pad-0d"),
    C(lambda L: _F(L).pad(_x2(L), (-4, 1), mode="circular"), id="pad-circular-crop-all"),
]


@needs_torch
@pytest.mark.parametrize("case", CASES)
def test_misuse_matches_torch(case):
    _check(case)

_a = lambda L: L.ones(2, 3)                   # noqa: E731
_b = lambda L: L.ones(3, 4)                   # noqa: E731
CASES += [
    # --- einsum ---
    C(lambda L: L.einsum("ij,jk->ik", _a(L), _b(L).double()), id="einsum-dtypes"),
    C(lambda L: L.einsum("ij,jk->ik", _a(L), L.ones(2, 4)), id="einsum-size-mismatch"),
    C(lambda L: L.einsum("ij,jk->ik", _a(L)), id="einsum-fewer-operands"),
    C(lambda L: L.einsum("ij->i", _a(L), _a(L)), id="einsum-more-operands"),
    C(lambda L: L.einsum("ij->ik", _a(L)), id="einsum-unknown-output"),
    C(lambda L: L.einsum("ij->ii", _a(L)), id="einsum-repeated-output"),
    C(lambda L: L.einsum("i1->i", _a(L)), id="einsum-bad-subscript"),
    C(lambda L: L.einsum("ij, j1", _a(L), L.ones(3, 1)), id="einsum-bad-subscript-after-space"),
    C(lambda L: L.einsum("ijk->i", _a(L)), id="einsum-too-many-subscripts"),
    C(lambda L: L.einsum("i->i", _a(L)), id="einsum-too-few-subscripts"),
    C(lambda L: L.einsum("...ijk->i", _a(L)), id="einsum-ellipsis-too-many"),
    C(lambda L: L.einsum("ii->i", _a(L)), id="einsum-diagonal-sizes"),
    C(lambda L: L.einsum("i.j", _a(L)), id="einsum-lone-dot"),
    C(lambda L: L.einsum("ij"), id="einsum-no-operands"),
    C(lambda L: L.einsum("ij->j...", _a(L)), id="einsum-output-ellipsis-only"),
    C(lambda L: L.einsum("ij,jk->ik", L.ones(2, 3, dtype=L.long), L.ones(3, 4, dtype=L.long)),
      id="einsum-int64"),
    C(lambda L: L.einsum("i,i", L.ones(1), L.ones(3)), id="einsum-broadcast-1"),
]

CASES += [
    # --- cdist ---
    C(lambda L: L.cdist(L.ones(3, 4), L.ones(5, 3)), id="cdist-columns"),
    C(lambda L: L.cdist(L.ones(4), L.ones(5, 4)), id="cdist-1d-x1"),
    C(lambda L: L.cdist(L.ones(3, 4), L.ones(4)), id="cdist-1d-x2"),
    C(lambda L: L.cdist(L.ones(3, 4), L.ones(5, 4), p=-1), id="cdist-negative-p"),
    C(lambda L: L.cdist(L.ones(3, 4, dtype=L.long), L.ones(5, 4, dtype=L.long)), id="cdist-int"),
    C(lambda L: L.cdist(L.ones(3, 4), L.ones(5, 4, dtype=L.float64)), id="cdist-dtypes"),
    C(lambda L: L.cdist(L.ones(2, 3, 4), L.ones(3, 5, 4)), id="cdist-batch-mismatch"),
    C(lambda L: L.cdist(L.ones(3, 4), L.ones(5, 4), compute_mode="foo"), id="cdist-bad-mode"),
    C(lambda L: L.cdist(L.ones(3, 0), L.ones(2, 0)), id="cdist-no-columns"),
    C(lambda L: L.cdist(L.tensor([[0.0, 1.0]]), L.tensor([[3.0, 5.0], [0.0, 1.0]]), p=float("inf")),
      id="cdist-inf-values"),
]

_q = lambda L: L.randn(3, 4)                  # noqa: E731
CASES += [
    # --- quantile / nanquantile ---
    C(lambda L: L.quantile(_q(L), 1.3), id="quantile-q-range"),
    C(lambda L: L.quantile(_q(L), -0.1, dim=1), id="quantile-q-negative"),
    C(lambda L: L.quantile(_q(L), L.tensor([0.3, 1.5])), id="quantile-q-tensor-range"),
    C(lambda L: L.quantile(_q(L), 0.3, interpolation="foo"), id="quantile-bad-interpolation"),
    C(lambda L: L.quantile(_q(L).long(), 0.3), id="quantile-int-input"),
    C(lambda L: L.quantile(_q(L), L.tensor([0.3], dtype=L.float64)), id="quantile-q-dtype"),
    C(lambda L: L.quantile(_q(L), L.tensor([[0.3]])), id="quantile-q-2d"),
    C(lambda L: L.quantile(L.ones(0, 3), 0.3), id="quantile-empty"),
    C(lambda L: L.quantile(L.ones(0, 3), 0.3, dim=0), id="quantile-empty-dim"),
    C(lambda L: L.quantile(_q(L), 0.3, dim=2), id="quantile-dim-range"),
    C(lambda L: L.nanquantile(_q(L), 2.0), id="nanquantile-q-range"),
    C(lambda L: L.quantile(L.tensor([1.0, float("nan"), 3.0]), 0.5), id="quantile-nan"),
    C(lambda L: L.nanquantile(L.tensor([[1.0, float("nan"), 3.0], [float("nan")] * 3]), 0.5, dim=1),
      id="nanquantile-nan-rows"),
    C(lambda L: L.quantile(L.tensor([0.0, 1.0, 2.0, 3.0, 4.0]), L.tensor([0.125, 0.375, 0.625, 0.875]),
                           interpolation="nearest"), id="quantile-nearest-half-even"),
    C(lambda L: L.quantile(L.tensor([1, 2]), 0.5), id="quantile-long"),
    C(lambda L: L.quantile(L.tensor([1.0, 2.0], dtype=L.float16), 0.5), id="quantile-half"),
]

_sx = lambda L: L.zeros(3, 4)                                 # noqa: E731
_si = lambda L: L.tensor([[0, 1, 0, 2], [0, 0, 2, 2]])        # noqa: E731
_ss = lambda L: L.ones(2, 4)                                  # noqa: E731
CASES += [
    # --- scatter_reduce / scatter(reduce=) ---
    C(lambda L: _sx(L).scatter_reduce(0, _si(L), _ss(L), "foo"), id="scatter_reduce-bad-reduce"),
    C(lambda L: _sx(L).scatter_reduce(0, _si(L), _ss(L).double(), "sum"), id="scatter_reduce-dtypes"),
    C(lambda L: _sx(L).scatter_reduce(0, _si(L).float(), _ss(L), "sum"), id="scatter_reduce-float-index"),
    C(lambda L: _sx(L).scatter_reduce(0, _si(L) + 5, _ss(L), "amax"), id="scatter_reduce-out-of-bounds"),
    C(lambda L: _sx(L).scatter_reduce(0, _si(L)[:, None], _ss(L), "sum"), id="scatter_reduce-index-dims"),
    C(lambda L: _sx(L).scatter_reduce(2, _si(L), _ss(L), "sum"), id="scatter_reduce-dim-range"),
    C(lambda L: _sx(L).scatter_reduce(0, _si(L), L.ones(1, 4), "sum"), id="scatter_reduce-src-small"),
    C(lambda L: _sx(L).scatter_reduce(0, _si(L).int(), _ss(L), "mean"), id="scatter_reduce-int32-index"),
    C(lambda L: L.tensor([1, 2, 3]).scatter_reduce(0, L.tensor([0, 0]), L.tensor([4, 5]), "mean"),
      id="scatter_reduce-int-mean-floors"),
    C(lambda L: L.tensor([1, 2, 3]).scatter_reduce(0, L.tensor([0, 0]), L.tensor([4, 6]), "mean",
                                                   include_self=False), id="scatter_reduce-int-mean-noself"),
    C(lambda L: L.tensor([1.0, 2, 3]).scatter_reduce(0, L.tensor([0, 0, 2]), L.tensor([4.0, float("nan"), -1]),
                                                     "amax"), id="scatter_reduce-nan"),
    C(lambda L: L.tensor([1, 5, 3]).scatter_reduce(0, L.tensor([1, 1]), L.tensor([4, 2]), "prod",
                                                   include_self=False), id="scatter_reduce-int-prod"),
    C(lambda L: _sx(L).scatter(0, _si(L), 2.0, reduce="foo"), id="scatter-bad-reduce"),
    C(lambda L: L.ones(3, 4).scatter(0, _si(L), 2.0, reduce="multiply"), id="scatter-multiply-value"),
    C(lambda L: L.ones(3, 4).scatter(0, _si(L), 2.0, reduce="add"), id="scatter-add-value"),
    C(lambda L: L.ones(3, 4).scatter_(0, _si(L), 3.0, reduce="multiply"), id="scatter_-multiply-value"),
]

_mx = lambda L: L.zeros(2, 3)                                               # noqa: E731
_mm = lambda L: L.tensor([[True, False, True], [False, True, True]])        # noqa: E731
_ms = lambda L: L.arange(1.0, 8.0)                                          # noqa: E731
CASES += [
    # --- masked_scatter ---
    C(lambda L: _mx(L).masked_scatter(_mm(L).long(), _ms(L)), id="masked_scatter-long-mask"),
    C(lambda L: _mx(L).masked_scatter(_mm(L), _ms(L).double()), id="masked_scatter-dtypes"),
    C(lambda L: _mx(L).masked_scatter(_mm(L), L.ones(2)), id="masked_scatter-short-source"),
    C(lambda L: _mx(L).masked_scatter(L.ones(2, 2, dtype=L.bool), _ms(L)), id="masked_scatter-bcast-error"),
    C(lambda L: _mx(L).masked_scatter(_mm(L), 5.0), id="masked_scatter-number-source"),
    C(lambda L: L.zeros(3).masked_scatter(_mm(L), _ms(L)), id="masked_scatter-bcast-input"),
    C(lambda L: L.zeros(3).masked_scatter_(_mm(L), _ms(L)), id="masked_scatter_-mask-bigger"),
    C(lambda L: _mx(L).masked_scatter_(_mm(L), _ms(L)), id="masked_scatter_-values"),
    C(lambda L: L.zeros(1, 3).masked_scatter_(_mm(L), _ms(L)), id="masked_scatter_-expand-error"),
    C(lambda L: L.zeros(0).masked_scatter(L.zeros(0, dtype=L.bool), L.zeros(0)), id="masked_scatter-empty"),
    C(lambda L: L.tensor([1, 2, 3]).masked_scatter(L.tensor([True, False, True]), L.tensor([7, 8])),
      id="masked_scatter-int"),
]

_u = lambda L: L.tensor([[1.0, 2.0], [1.0, 2.0], [0.0, 5.0]])      # noqa: E731
CASES += [
    # --- unique(dim=) ---
    C(lambda L: L.unique(_u(L), dim=0), id="unique-dim0"),
    C(lambda L: L.unique(_u(L), dim=0, return_inverse=True, return_counts=True), id="unique-dim0-all"),
    C(lambda L: _u(L).unique(dim=1, return_counts=True), id="unique-dim1-method"),
    C(lambda L: L.unique(L.tensor([[3, 1, 3], [2, 0, 2]]), dim=1, return_inverse=True, return_counts=True,
                         sorted=False), id="unique-int-dim1"),
    C(lambda L: L.unique(L.tensor([[[1, 2], [1, 2]], [[1, 2], [0, 2]]]), dim=-1, return_inverse=True),
      id="unique-3d-last"),
    C(lambda L: L.unique(L.zeros(0, 2), dim=1), id="unique-dim-zero-size-other"),
    C(lambda L: L.unique(L.zeros(0, 2), dim=0, return_inverse=True, return_counts=True), id="unique-dim-empty"),
    C(lambda L: L.unique(L.zeros(2, 2), dim=2), id="unique-dim-range"),
    C(lambda L: L.unique(L.tensor(3.0), dim=0), id="unique-dim-0d"),
    C(lambda L: L.unique(L.tensor([[0.0, 1], [-0.0, 1]]), dim=0), id="unique-dim-signed-zero"),
    C(lambda L: L.unique(L.tensor([[True, False], [True, False]]), dim=0), id="unique-dim-bool"),
    C(lambda L: L.unique(_u(L).requires_grad_(), dim=0).sum().backward(), id="unique-dim-backward"),
]

_pa = lambda L: L.randn(2, 3)          # noqa: E731
CASES += [
    # --- addmm addmv addbmm baddbmm trace kron vecdot matrix_power ---
    C(lambda L: L.trace(L.ones(2, 3, 4)), id="trace-3d"),
    C(lambda L: L.trace(L.tensor([[1, 2], [3, 4]])), id="trace-int"),
    C(lambda L: L.addmm(L.ones(2, 4), _pa(L), L.ones(4, 4)), id="addmm-shapes"),
    C(lambda L: L.addmm(L.ones(3, 4), _pa(L), L.ones(3, 4)), id="addmm-input-shape"),
    C(lambda L: L.addmm(L.ones(2, 4), L.ones(3), L.ones(3, 4)), id="addmm-1d"),
    C(lambda L: L.addmm(L.ones(2, 4), _pa(L), L.ones(3, 4).double()), id="addmm-dtypes"),
    C(lambda L: L.addmm(L.ones(2, 4).double(), _pa(L), L.ones(3, 4)), id="addmm-input-dtype"),
    C(lambda L: L.addmm(L.tensor([[float("nan")]]), L.ones(1, 2), L.ones(2, 1), beta=0), id="addmm-beta0-nan"),
    C(lambda L: L.addmm(L.ones(2, 4), L.ones(2, 3).double(), L.ones(3, 4)), id="addmm-mat1-dtype"),
    C(lambda L: L.addmm(L.ones(4, 2), L.ones(2, 3), L.ones(3, 4)), id="addmm-input-shape-last-dim"),
    C(lambda L: L.addmm(L.ones(1, 2, 4), L.ones(2, 3), L.ones(3, 4)), id="addmm-input-3d"),
    C(lambda L: L.nn.functional.linear(L.ones(2, 3), L.ones(4, 3), L.ones(4, 2)), id="linear-bias-shape"),
    C(lambda L: L.baddbmm(L.ones(1, 2, 2, 4), L.ones(2, 2, 3), L.ones(2, 3, 4)), id="baddbmm-input-4d"),
    C(lambda L: L.addbmm(L.ones(4, 2), L.ones(5, 2, 3), L.ones(5, 3, 4)), id="addbmm-input-shape"),
    C(lambda L: L.addmv(L.ones(2), _pa(L), L.ones(4)), id="addmv-shapes"),
    C(lambda L: L.addmv(L.ones(3), _pa(L), L.ones(3)), id="addmv-input-shape"),
    C(lambda L: L.baddbmm(L.ones(2, 2, 4), L.ones(2, 2, 3), L.ones(3, 3, 4)), id="baddbmm-shapes"),
    C(lambda L: L.addbmm(L.ones(2, 4), L.ones(5, 2, 3), L.ones(5, 2, 4)), id="addbmm-shapes"),
    C(lambda L: L.linalg.matrix_power(_pa(L), 2), id="matrix_power-not-square"),
    C(lambda L: L.linalg.matrix_power(L.ones(3), 2), id="matrix_power-1d"),
    C(lambda L: L.linalg.matrix_power(L.ones(3, 3), 2.5), id="matrix_power-float-n"),
    C(lambda L: L.linalg.matrix_power(L.tensor([[2.0, 1.0], [0.0, 3.0]]), 0), id="matrix_power-0"),
    C(lambda L: L.linalg.matrix_power(L.tensor([[2.0, 1.0], [0.0, 4.0]]), -1), id="matrix_power-inverse"),
    C(lambda L: L.linalg.vecdot(_pa(L), L.ones(2, 4)), id="vecdot-shapes"),
    C(lambda L: L.linalg.vecdot(_pa(L), _pa(L).double()), id="vecdot-dtypes"),
    C(lambda L: L.kron(L.tensor([1, 2]), L.tensor([[1, 0], [0, 1]])), id="kron-int"),
]

_spd_m = lambda L: L.tensor([[4.0, 1.0], [1.0, 3.0]])      # noqa: E731
CASES += [
    # --- linalg.eigh / eigvalsh / cholesky ---
    C(lambda L: L.linalg.eigh(L.ones(2, 3)), id="eigh-not-square"),
    C(lambda L: L.linalg.eigh(L.ones(3)), id="eigh-1d"),
    C(lambda L: L.linalg.eigh(_spd_m(L), UPLO="X"), id="eigh-bad-uplo"),
    C(lambda L: L.linalg.eigvalsh(L.ones(2, 2, dtype=L.long)), id="eigvalsh-int"),
    C(lambda L: L.linalg.eigvalsh(L.tensor([[1.0, 100.0], [0.0, 1.0]])), id="eigvalsh-uses-lower"),
    C(lambda L: L.linalg.eigvalsh(L.tensor([[1.0, 100.0], [0.0, 1.0]]), UPLO="U"), id="eigvalsh-upper"),
    C(lambda L: L.linalg.eigh(L.ones(0, 0)), id="eigh-empty"),
    C(lambda L: L.linalg.cholesky(-_spd_m(L)), id="cholesky-not-pd"),
    C(lambda L: L.linalg.cholesky(L.tensor([[1.0, 2.0], [2.0, 1.0]])), id="cholesky-minor-2"),
    C(lambda L: L.linalg.cholesky(L.stack([_spd_m(L), -_spd_m(L)])), id="cholesky-batch-element"),
    C(lambda L: L.linalg.cholesky(L.ones(2, 3)), id="cholesky-not-square"),
    C(lambda L: L.linalg.cholesky(L.ones(3, 3, dtype=L.long)), id="cholesky-int"),
    C(lambda L: L.linalg.cholesky(_spd_m(L), upper=True), id="cholesky-upper"),
    C(lambda L: L.linalg.cholesky(L.ones(3)), id="cholesky-1d"),
]
CASES += [
    # --- linalg.svd / svdvals ---
    C(lambda L: L.linalg.svdvals(L.ones(3)), id="svdvals-1d"),
    C(lambda L: L.linalg.svdvals(L.ones(3, 3, dtype=L.long)), id="svdvals-int"),
    C(lambda L: L.linalg.svd(L.ones(2, 2), driver="x"), id="svd-driver"),
    C(lambda L: L.linalg.svdvals(L.tensor([[3.0, 0.0], [0.0, -4.0]])), id="svdvals-values"),
    C(lambda L: L.linalg.matrix_norm(L.tensor([[3.0, 0.0], [0.0, -4.0]]), "nuc"), id="matrix_norm-nuc-values"),
    C(lambda L: L.linalg.svd(L.ones(0, 2)).S, id="svd-empty"),
]
CASES += [
    # --- linalg.qr ---
    C(lambda L: L.linalg.qr(L.ones(3, 2), mode="foo"), id="qr-bad-mode"),
    C(lambda L: L.linalg.qr(L.ones(3)), id="qr-1d"),
    C(lambda L: L.linalg.qr(L.ones(3, 3, dtype=L.long)), id="qr-int"),
    C(lambda L: L.linalg.qr(L.tensor([[3.0, 1.0], [4.0, 2.0]], dtype=L.float64), mode="r"), id="qr-mode-r"),
    C(lambda L: L.linalg.qr(L.randn(3, 2, requires_grad=True), mode="r")[1].sum().backward(),
      id="qr-mode-r-backward"),
    C(lambda L: L.linalg.qr(L.randn(3, 2, requires_grad=True), mode="complete")[0].sum().backward(),
      id="qr-complete-tall-backward"),
    C(lambda L: L.linalg.qr(L.tensor([[3.0, 1.0], [4.0, 2.0], [0.0, 0.0]], dtype=L.float64),
                            mode="complete").R,
      id="qr-complete-R"),
]
CASES += [
    # --- torch.special extras ---
    C(lambda L: L.special.multigammaln(L.tensor([2.2]), 0), id="multigammaln-p0"),
    C(lambda L: L.special.multigammaln(L.tensor([0.2, 3.0]), 2), id="multigammaln-below-domain"),
    C(lambda L: L.special.ndtri(L.tensor([0.0, 1.0, -1.0, 0.5, 2.0])), id="ndtri-ends"),
    C(lambda L: L.special.erfcx(L.tensor([float("inf"), -float("inf"), 0.0])), id="erfcx-infinities"),
    C(lambda L: L.special.log_ndtr(L.tensor([float("inf"), -float("inf")])), id="log_ndtr-infinities"),
    C(lambda L: L.special.i0e(L.tensor([float("inf"), -float("inf"), float("nan")])), id="i0e-infinities"),
    C(lambda L: L.special.xlog1py(L.tensor([0.0, 0.0, 2.0]), L.tensor([float("nan"), -1.0, -1.0])),
      id="xlog1py-zeros"),
    C(lambda L: L.special.xlog1py(2.0, 3.0), id="xlog1py-two-numbers"),
    C(lambda L: L.special.ndtr(L.tensor([1, 2])), id="ndtr-int"),
]
CASES += [
    C(lambda L: L.einsum(L.ones(2, 3), [0, 60]), id="einsum-sublist-range"),
    C(lambda L: L.einsum(L.ones(2, 3), [0, -1]), id="einsum-sublist-negative"),
]
CASES += [
    # --- empty inputs, side by side ---
    C(lambda L: L.nn.functional.pad(L.ones(2, 0), (1, 1), mode="circular"), id="pad-circular-empty-dim"),
    C(lambda L: L.nn.functional.pad(L.ones(2, 0), (0, 0), mode="circular"), id="pad-circular-empty-nothing"),
    C(lambda L: L.einsum("i,i->", L.ones(0), L.ones(0)), id="einsum-empty-dot"),
    C(lambda L: L.cdist(L.ones(2, 3), L.ones(0, 3)), id="cdist-empty-x2"),
    C(lambda L: L.quantile(L.ones(3), L.tensor([])), id="quantile-empty-q"),
    C(lambda L: L.linalg.eigh(L.ones(2, 0, 0))[0], id="eigh-empty-batch"),
    C(lambda L: L.linalg.svdvals(L.ones(0, 3)), id="svdvals-empty"),
    C(lambda L: L.linalg.cholesky(L.ones(0, 0)), id="cholesky-empty"),
]
CASES += [
    # --- torch.linalg's _ex forms, cond, multi_dot, tensorinv, tensorsolve (issue 11) ---
    C(lambda L: L.linalg.inv_ex(L.ones(3)), id="inv_ex-1d"),
    C(lambda L: L.linalg.inv_ex(L.ones(2, 3)), id="inv_ex-not-square"),
    C(lambda L: L.linalg.inv_ex(L.ones(2, 2, dtype=L.long)), id="inv_ex-int"),
    C(lambda L: L.linalg.inv_ex(L.tensor([[1.0, 2.0], [2.0, 4.0]])).info.tolist(), id="inv_ex-singular-info"),
    C(lambda L: L.linalg.inv_ex(L.stack([L.eye(3), L.zeros(3, 3)])).info.tolist(), id="inv_ex-batch-info"),
    C(lambda L: L.linalg.inv_ex(L.tensor([[1.0, 2.0], [2.0, 4.0]]), check_errors=True), id="inv_ex-check-errors"),
    C(lambda L: L.linalg.inv_ex(L.stack([L.eye(2), L.ones(2, 2)]), check_errors=True), id="inv_ex-check-errors-batch"),
    C(lambda L: L.linalg.cholesky_ex(L.ones(3)), id="cholesky_ex-1d"),
    C(lambda L: L.linalg.cholesky_ex(L.ones(2, 3)), id="cholesky_ex-not-square"),
    C(lambda L: L.linalg.cholesky_ex(L.ones(2, 2, dtype=L.long)), id="cholesky_ex-int"),
    C(lambda L: L.linalg.cholesky_ex(L.tensor([[1.0, 2.0], [2.0, 1.0]])).info.item(), id="cholesky_ex-info"),
    C(lambda L: L.linalg.cholesky_ex(L.tensor([[1.0, 2.0], [2.0, 1.0]])).L.tolist(), id="cholesky_ex-partial-factor"),
    C(lambda L: L.linalg.cholesky_ex(L.tensor([[-1.0, 0.0], [0.0, 1.0]])).info.item(), id="cholesky_ex-info-1"),
    C(lambda L: L.linalg.cholesky_ex(L.stack([L.eye(2), -L.eye(2)]), check_errors=True), id="cholesky_ex-check-errors-batch"),
    C(lambda L: L.linalg.cholesky_ex(-L.eye(3), check_errors=True), id="cholesky_ex-check-errors"),
    C(lambda L: L.linalg.solve_ex(L.ones(2, 3), L.ones(2)), id="solve_ex-not-square"),
    C(lambda L: L.linalg.solve_ex(L.eye(2), L.ones(3)), id="solve_ex-shapes"),
    C(lambda L: L.linalg.solve_ex(L.eye(2), L.ones(2, dtype=L.float64)), id="solve_ex-dtypes"),
    C(lambda L: L.linalg.solve_ex(L.ones(2, 2), L.ones(2)).info.item(), id="solve_ex-singular-info"),
    C(lambda L: L.linalg.solve_ex(L.ones(2, 2), L.ones(2), check_errors=True), id="solve_ex-check-errors"),
    C(lambda L: L.linalg.solve_ex(L.stack([L.eye(2), L.ones(2, 2)]), L.ones(2, 2), check_errors=True),
      id="solve_ex-check-errors-batch"),
    C(lambda L: L.linalg.cond(L.ones(3)), id="cond-1d"),
    C(lambda L: L.linalg.cond(L.ones(2, 3), "fro"), id="cond-fro-not-square"),
    C(lambda L: L.linalg.cond(L.ones(2, 3), 1), id="cond-1-not-square"),
    C(lambda L: L.linalg.cond(L.eye(2), 3), id="cond-bad-ord"),
    C(lambda L: L.linalg.cond(L.eye(2), "abc"), id="cond-bad-ord-str"),
    C(lambda L: L.linalg.cond(L.ones(2, 2, dtype=L.long)), id="cond-int"),
    C(lambda L: L.linalg.cond(L.ones(2, 2, dtype=L.long), "fro"), id="cond-int-fro"),
    C(lambda L: L.linalg.cond(L.tensor([[1.0, 2.0], [2.0, 4.0]]), "fro").item(), id="cond-singular-fro"),
    C(lambda L: L.linalg.cond(L.tensor([[1.0, 2.0], [2.0, 4.0]]), 1).item(), id="cond-singular-1"),
    C(lambda L: L.linalg.cond(L.zeros(0, 0)).item(), id="cond-empty"),
    C(lambda L: L.linalg.cond(L.zeros(0, 0), "fro").item(), id="cond-empty-fro"),
    C(lambda L: L.linalg.diagonal(L.ones(3)), id="linalg.diagonal-1d"),
    C(lambda L: L.linalg.diagonal(L.ones(3, 3), dim1=0, dim2=0), id="linalg.diagonal-same-dims"),
    C(lambda L: L.linalg.matmul(L.tensor(1.0), L.ones(2)), id="linalg.matmul-0d"),
    C(lambda L: L.linalg.multi_dot([L.ones(2, 2)]), id="multi_dot-one"),
    C(lambda L: L.linalg.multi_dot([]), id="multi_dot-none"),
    C(lambda L: L.linalg.multi_dot([L.ones(2, 2, 2), L.ones(2, 2)]), id="multi_dot-3d-first"),
    C(lambda L: L.linalg.multi_dot([L.ones(2, 2), L.ones(2, 2, 2)]), id="multi_dot-3d-last"),
    C(lambda L: L.linalg.multi_dot([L.ones(2, 2), L.ones(2), L.ones(2, 2)]), id="multi_dot-1d-middle"),
    C(lambda L: L.linalg.multi_dot([L.ones(2, 3), L.ones(2, 2)]), id="multi_dot-shapes"),
    C(lambda L: L.linalg.multi_dot([L.ones(2), L.ones(3)]), id="multi_dot-1d-shapes"),
    C(lambda L: L.linalg.multi_dot([L.ones(2, 2), L.ones(2, 2, dtype=L.float64)]), id="multi_dot-dtypes"),
    C(lambda L: L.linalg.multi_dot([L.ones(2), L.ones(2)]).tolist(), id="multi_dot-dot"),
    C(lambda L: L.linalg.tensorinv(L.ones(4, 2, 2), ind=0), id="tensorinv-ind-0"),
    C(lambda L: L.linalg.tensorinv(L.ones(4, 2, 3), ind=1), id="tensorinv-shapes"),
    C(lambda L: L.linalg.tensorinv(L.zeros(4, 2, 2), ind=1), id="tensorinv-singular"),
    C(lambda L: L.linalg.tensorsolve(L.ones(2, 3, 6), L.ones(3)), id="tensorsolve-shapes"),
    C(lambda L: L.linalg.tensorsolve(L.ones(6, 2, 3), L.ones(6), dims=(0,)), id="tensorsolve-dims-shapes"),
]

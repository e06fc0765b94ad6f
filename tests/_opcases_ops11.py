"""Op-table rows for nn.functional.pad (chainrule/ops/pad.py), einsum, cdist,
scatter_reduce, masked_scatter and quantile (see _opcases.py; appended to its CASES)."""
from _opcases import Case  # noqa: F401


def _F(L):
    return L.nn.functional


CASES = [
    # ---- nn.functional.pad ----
    Case("pad_constant", lambda L, x: _F(L).pad(x, (1, 2)), ((2, 3),)),
    Case("pad_constant_value_2d", lambda L, x: _F(L).pad(x, (1, 0, 2, 1), value=0.5), ((2, 3),)),
    Case("pad_constant_crop", lambda L, x: _F(L).pad(x, (-1, 2, 1, -1)), ((3, 4),)),
    Case("pad_constant_all_dims", lambda L, x: _F(L).pad(x, (1, 1, 0, 1, 1, 0)), ((2, 2, 2),)),
    Case("pad_constant_0d_none", lambda L, x: _F(L).pad(x, ()), ((),)),
    Case("pad_constant_empty", lambda L, x: _F(L).pad(x, (1, 1)), ((0, 2),)),
    Case("pad_constant_crop_all", lambda L, x: _F(L).pad(x, (-2, -1)), ((2, 3),)),
    Case("pad_reflect_1d", lambda L, x: _F(L).pad(x, (2, 1), mode="reflect"), ((2, 4),)),
    Case("pad_reflect_2d", lambda L, x: _F(L).pad(x, (1, 2, 2, 1), mode="reflect"), ((1, 2, 3, 4),)),
    Case("pad_reflect_3d", lambda L, x: _F(L).pad(x, (1, 1, 1, 0, 0, 1), mode="reflect"), ((2, 2, 2, 3),)),
    Case("pad_reflect_negative", lambda L, x: _F(L).pad(x, (-1, 2), mode="reflect"), ((2, 4),)),
    Case("pad_reflect_batch0", lambda L, x: _F(L).pad(x, (1, 1), mode="reflect"), ((0, 2, 3),)),
    Case("pad_replicate_1d", lambda L, x: _F(L).pad(x, (3, 1), mode="replicate"), ((2, 3),)),
    Case("pad_replicate_2d", lambda L, x: _F(L).pad(x, (1, 2, 3, 0), mode="replicate"), ((2, 2, 3),)),
    Case("pad_replicate_3d", lambda L, x: _F(L).pad(x, (0, 1, 1, 0, 2, 1), mode="replicate"), ((1, 2, 2, 2),)),
    Case("pad_circular_1d", lambda L, x: _F(L).pad(x, (2, 3), mode="circular"), ((2, 3),)),
    Case("pad_circular_2d", lambda L, x: _F(L).pad(x, (1, 1, 2, 0), mode="circular"), ((1, 2, 3, 3),)),
    Case("pad_circular_negative", lambda L, x: _F(L).pad(x, (-1, 2), mode="circular"), ((2, 4),)),
    Case("pad_then_square", lambda L, x: _F(L).pad(x * x, (1, 1), mode="reflect") * x.sum(), ((2, 3),)),
]
CASES += [
    Case("pad_circular_crop_left", lambda L, x: _F(L).pad(x, (2, -1, -1, 1), mode="circular"), ((1, 3, 4),)),
]
CASES += [
    # ---- einsum ----
    Case("einsum_matmul", lambda L, a, b: L.einsum("ij,jk->ik", a, b), ((2, 3), (3, 4))),
    Case("einsum_implicit", lambda L, a, b: L.einsum("ij,jk", a, b), ((2, 3), (3, 4))),
    Case("einsum_list_form", lambda L, a, b: L.einsum("ij,jk->ik", [a, b]), ((2, 3), (3, 2))),
    Case("einsum_transpose", lambda L, a: L.einsum("ij->ji", a), ((2, 3),)),
    Case("einsum_implicit_order", lambda L, a: L.einsum("ba", a), ((2, 3),)),
    Case("einsum_sum_all", lambda L, a: L.einsum("ij->", a), ((2, 3),)),
    Case("einsum_sum_dim", lambda L, a: L.einsum("ij->j", a), ((2, 3),)),
    Case("einsum_trace", lambda L, a: L.einsum("ii", a), ((3, 3),)),
    Case("einsum_diagonal", lambda L, a: L.einsum("ii->i", a), ((3, 3),)),
    Case("einsum_diag_3", lambda L, a, b: L.einsum("iij,j->ij", a, b), ((2, 2, 3), (3,))),
    Case("einsum_outer", lambda L, a, b: L.einsum("i,j->ij", a, b), ((3,), (2,))),
    Case("einsum_dot", lambda L, a, b: L.einsum("i,i->", a, b), ((4,), (4,))),
    Case("einsum_mv", lambda L, a, b: L.einsum("ij,j->i", a, b), ((2, 3), (3,))),
    Case("einsum_bmm", lambda L, a, b: L.einsum("bij,bjk->bik", a, b), ((2, 2, 3), (2, 3, 2))),
    Case("einsum_ellipsis", lambda L, a, b: L.einsum("...j,jk->...k", a, b), ((2, 2, 3), (3, 2))),
    Case("einsum_ellipsis_bcast", lambda L, a, b: L.einsum("...i,...i->...", a, b), ((2, 1, 3), (4, 3))),
    Case("einsum_ellipsis_middle", lambda L, a: L.einsum("i...j->j...i", a), ((2, 3, 1, 2),)),
    Case("einsum_ellipsis_implicit", lambda L, a: L.einsum("...ij", a), ((2, 2, 3),)),
    Case("einsum_bcast_size1", lambda L, a, b: L.einsum("i,i->i", a, b), ((1,), (3,))),
    Case("einsum_three", lambda L, a, b, c: L.einsum("ij,jk,kl->il", a, b, c), ((2, 3), (3, 2), (2, 2))),
    Case("einsum_three_mixed", lambda L, a, b, c: L.einsum("i,ij,k->jk", a, b, c), ((2,), (2, 3), (2,))),
    Case("einsum_sum_unshared", lambda L, a, b: L.einsum("ij,kl->ik", a, b), ((2, 3), (2, 2))),
    Case("einsum_0d", lambda L, a, b: L.einsum(",i->i", a, b), ((), (3,))),
    Case("einsum_0d_alone", lambda L, a: L.einsum("->", a), ((),)),
    Case("einsum_empty", lambda L, a, b: L.einsum("ij,jk->ik", a, b), ((0, 3), (3, 2))),
    Case("einsum_empty_contract", lambda L, a, b: L.einsum("ij,jk->ik", a, b), ((2, 0), (0, 2))),
    Case("einsum_spaces_upper", lambda L, a, b: L.einsum("Ab, bC -> CA", a, b), ((2, 3), (3, 2))),
]
def _no_torch_2nd(case):
    case.tags = ("torch_no_double_backward",)
    return case


CASES += [
    # ---- cdist (torch has no double backward for it, except its matmul route) ----
    _no_torch_2nd(Case("cdist", lambda L, a, b: L.cdist(a, b), ((3, 4), (5, 4)))),
    _no_torch_2nd(Case("cdist_p1", lambda L, a, b: L.cdist(a, b, p=1), ((3, 2), (4, 2)), "distinct")),
    _no_torch_2nd(Case("cdist_p0", lambda L, a, b: L.cdist(a, b, p=0), ((3, 2), (4, 2)))),
    _no_torch_2nd(Case("cdist_pinf", lambda L, a, b: L.cdist(a, b, p=float("inf")), ((3, 2), (4, 2)), "distinct")),
    _no_torch_2nd(Case("cdist_p3", lambda L, a, b: L.cdist(a, b, 3.0), ((2, 3), (3, 3)))),
    _no_torch_2nd(Case("cdist_p_half", lambda L, a, b: L.cdist(a, b, p=0.5), ((2, 3), (3, 3)), "distinct")),
    _no_torch_2nd(Case("cdist_p1_5", lambda L, a, b: L.cdist(a, b, p=1.5), ((2, 3), (3, 3)), "distinct")),
    _no_torch_2nd(Case("cdist_batched", lambda L, a, b: L.cdist(a, b), ((2, 3, 4), (2, 5, 4)))),
    _no_torch_2nd(Case("cdist_batch_bcast", lambda L, a, b: L.cdist(a, b, p=1), ((2, 1, 3, 2), (3, 4, 2)), "distinct")),
    _no_torch_2nd(Case("cdist_empty_rows", lambda L, a, b: L.cdist(a, b), ((0, 3), (2, 3)))),
    Case("cdist_mm_route", lambda L, a, b: L.cdist(a, b), ((26, 3), (2, 3))),
    _no_torch_2nd(Case("cdist_no_mm", lambda L, a, b: L.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist"),
         ((26, 2), (3, 2)))),
]
CASES += [
    # ---- quantile / nanquantile ----
    Case("quantile", lambda L, x: L.quantile(x, 0.3), ((3, 4),), "distinct"),
    Case("quantile_dim", lambda L, x: L.quantile(x, 0.7, dim=1), ((3, 4),), "distinct"),
    Case("quantile_dim_keepdim", lambda L, x: x.quantile(0.4, 0, keepdim=True), ((3, 4),), "distinct"),
    Case("quantile_keepdim_all", lambda L, x: L.quantile(x, 0.4, keepdim=True), ((2, 3),), "distinct"),
    Case("quantile_q_tensor", lambda L, x: L.quantile(x, L.tensor([0.1, 0.5, 0.9], dtype=x.dtype), dim=1),
         ((3, 5),), "distinct"),
    Case("quantile_q_tensor_keepdim", lambda L, x: L.quantile(x, L.tensor([0.25, 0.6], dtype=x.dtype), dim=0,
                                                              keepdim=True), ((4, 3),), "distinct"),
    Case("quantile_q_0d_tensor", lambda L, x: L.quantile(x, L.tensor(0.35, dtype=x.dtype), dim=-1),
         ((2, 4),), "distinct"),
    Case("quantile_3d_middle", lambda L, x: L.quantile(x, 0.6, dim=1), ((2, 3, 4),), "distinct"),
    Case("quantile_lower", lambda L, x: L.quantile(x, 0.3, dim=1, interpolation="lower"), ((3, 4),), "distinct"),
    Case("quantile_higher", lambda L, x: L.quantile(x, L.tensor([0.3, 0.8], dtype=x.dtype), interpolation="higher"),
         ((3, 4),), "distinct"),
    Case("quantile_midpoint", lambda L, x: L.quantile(x, 0.3, dim=0, interpolation="midpoint"), ((3, 4),),
         "distinct"),
    Case("quantile_nearest", lambda L, x: L.quantile(x, L.tensor([0.125, 0.375, 0.625], dtype=x.dtype), dim=1,
                                                     interpolation="nearest"), ((2, 5),), "distinct"),
    Case("quantile_0d", lambda L, x: L.quantile(x, 0.5), ((),), "distinct"),
    Case("quantile_0d_dim", lambda L, x: L.quantile(x, 0.5, dim=0, keepdim=True), ((),), "distinct"),
    Case("quantile_ends", lambda L, x: L.quantile(x, L.tensor([0.0, 1.0], dtype=x.dtype), dim=1), ((2, 3),),
         "distinct"),
    Case("nanquantile", lambda L, x: L.nanquantile(x, 0.3, dim=1), ((3, 4),), "distinct"),
    Case("nanquantile_with_nan", lambda L, x: L.nanquantile(
        L.where(L.tensor([[True, False, True, True], [True, True, True, True]]), x, float("nan")), 0.4, dim=1),
        ((2, 4),), "distinct"),
    Case("nanquantile_method", lambda L, x: x.nanquantile(L.tensor([0.2, 0.7], dtype=x.dtype)), ((5,),), "distinct"),
]


def _idx(L, rows):
    return L.tensor(rows)


_I2 = [[0, 1, 0, 2], [0, 0, 2, 2]]            # into a (3, 4) input along dim 0
_I1 = [[1, 1, 0], [2, 0, 0], [3, 3, 3]]       # into a (3, 4) input along dim 1
CASES += [
    # ---- scatter_reduce / scatter(reduce=) ----
    Case("scatter_reduce_sum", lambda L, x, s: x.scatter_reduce(0, _idx(L, _I2), s, "sum"), ((3, 4), (2, 4))),
    Case("scatter_reduce_sum_noself", lambda L, x, s: L.scatter_reduce(x, 0, _idx(L, _I2), s, "sum",
                                                                       include_self=False), ((3, 4), (2, 4))),
    Case("scatter_reduce_prod", lambda L, x, s: x.scatter_reduce(1, _idx(L, _I1), s, "prod"), ((3, 4), (3, 3)),
         "distinct"),
    Case("scatter_reduce_prod_noself", lambda L, x, s: x.scatter_reduce(0, _idx(L, _I2), s, "prod",
                                                                        include_self=False), ((3, 4), (2, 4)),
         "distinct"),
    Case("scatter_reduce_prod_zeros", lambda L, x, s: x.scatter_reduce(
        0, _idx(L, _I2), s * L.tensor([[0.0, 1, 1, 0], [1, 1, 0, 1]], dtype=s.dtype), "prod"),
        ((3, 4), (2, 4)), "distinct"),
    Case("scatter_reduce_prod_self_zero", lambda L, x, s: (x * L.tensor([[0.0, 1, 1, 1], [1, 1, 1, 1], [1, 1, 0, 1]],
                                                                        dtype=x.dtype)).scatter_reduce(
        0, _idx(L, _I2), s, "prod"), ((3, 4), (2, 4)), "distinct"),
    Case("scatter_reduce_mean", lambda L, x, s: x.scatter_reduce(1, _idx(L, _I1), s, "mean"), ((3, 4), (3, 3))),
    Case("scatter_reduce_mean_noself", lambda L, x, s: x.scatter_reduce(0, _idx(L, _I2), s, "mean",
                                                                        include_self=False), ((3, 4), (2, 4))),
    Case("scatter_reduce_amax", lambda L, x, s: x.scatter_reduce(0, _idx(L, _I2), s, "amax"), ((3, 4), (2, 4)),
         "distinct"),
    Case("scatter_reduce_amin_noself", lambda L, x, s: x.scatter_reduce(1, _idx(L, _I1), s, "amin",
                                                                        include_self=False), ((3, 4), (3, 3)),
         "distinct"),
    Case("scatter_reduce_amax_ties", lambda L, x, s: x.scatter_reduce(
        0, _idx(L, [[0, 0, 1, 1]]), L.cat([x[:1, :2], s[:, 2:]], 1), "amax"), ((3, 4), (1, 4)), "distinct"),
    Case("scatter_reduce_1d", lambda L, x, s: x.scatter_reduce(0, _idx(L, [0, 2, 0, 0]), s, "amin"), ((3,), (4,)),
         "distinct"),
]


def _m23(L):
    return L.tensor([[True, False, True], [False, True, True]])


CASES += [
    # ---- masked_scatter ----
    Case("masked_scatter", lambda L, x, s: x.masked_scatter(_m23(L), s), ((2, 3), (7,))),
    Case("masked_scatter_fn_2d_src", lambda L, x, s: L.masked_scatter(x, _m23(L), s), ((2, 3), (2, 3))),
    Case("masked_scatter_bcast_mask", lambda L, x, s: x.masked_scatter(L.tensor([True, False, True]), s),
         ((2, 3), (5,))),
    Case("masked_scatter_bcast_input", lambda L, x, s: x.masked_scatter(_m23(L), s), ((3,), (4,))),
    Case("masked_scatter_none", lambda L, x, s: x.masked_scatter(L.zeros(2, 3, dtype=L.bool), s), ((2, 3), (2,))),
    Case("masked_scatter_0d", lambda L, x, s: x.masked_scatter(L.tensor(True), s), ((), (2,))),
    Case("masked_scatter_empty", lambda L, x, s: x.masked_scatter(L.zeros(0, 3, dtype=L.bool), s), ((0, 3), (2,))),
    Case("masked_scatter_then_square", lambda L, x, s: x.masked_scatter(_m23(L), s * s) * x, ((2, 3), (4,))),
]
CASES += [
    # ---- addmm addmv addbmm baddbmm trace kron vecdot matrix_power chain_matmul ----
    Case("addmm", lambda L, c, a, b: L.addmm(c, a, b), ((2, 4), (2, 3), (3, 4))),
    Case("addmm_bcast_scaled", lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2.0), ((4,), (2, 3), (3, 4))),
    Case("addmm_beta0_method", lambda L, c, a, b: c.addmm(a, b, beta=0), ((2, 2), (2, 3), (3, 2))),
    Case("addmm_empty_inner", lambda L, c, a, b: L.addmm(c, a, b), ((2, 2), (2, 0), (0, 2))),
    Case("addmv", lambda L, c, a, v: L.addmv(c, a, v), ((2,), (2, 3), (3,))),
    Case("addmv_scaled_bcast", lambda L, c, a, v: L.addmv(c, a, v, beta=-1.0, alpha=0.5), ((), (2, 3), (3,))),
    Case("baddbmm", lambda L, c, a, b: L.baddbmm(c, a, b), ((2, 2, 4), (2, 2, 3), (2, 3, 4))),
    Case("baddbmm_bcast_scaled", lambda L, c, a, b: L.baddbmm(c, a, b, beta=2.0, alpha=-1.5), ((2, 1), (3, 2, 3), (3, 3, 1))),
    Case("addbmm", lambda L, c, a, b: L.addbmm(c, a, b), ((2, 4), (3, 2, 3), (3, 3, 4))),
    Case("addbmm_scaled", lambda L, c, a, b: c.addbmm(a, b, beta=0.5, alpha=3.0), ((1, 2), (2, 2, 3), (2, 3, 2))),
    Case("trace", lambda L, x: L.trace(x), ((3, 3),)),
    Case("trace_rect_method", lambda L, x: x.trace(), ((2, 4),)),
    Case("trace_empty", lambda L, x: L.trace(x), ((0, 3),)),
    Case("kron", lambda L, a, b: L.kron(a, b), ((2, 3), (2, 2))),
    Case("kron_mixed_dims", lambda L, a, b: L.kron(a, b), ((3,), (2, 2))),
    Case("kron_0d", lambda L, a, b: a.kron(b), ((), (3,))),
    Case("vecdot", lambda L, x, y: L.linalg.vecdot(x, y), ((2, 3), (3,))),
    Case("vecdot_dim0", lambda L, x, y: L.linalg.vecdot(x, y, dim=0), ((2, 3), (2, 3))),
    Case("matrix_power_3", lambda L, x: L.linalg.matrix_power(x, 3), ((3, 3),)),
    Case("matrix_power_5_batched", lambda L, x: L.linalg.matrix_power(x * 0.5, 5), ((2, 3, 3),)),
    Case("matrix_power_1", lambda L, x: L.matrix_power(x, 1), ((2, 2),)),
    Case("matrix_power_neg", lambda L, x: L.linalg.matrix_power(x + 3 * L.eye(3, dtype=x.dtype), -2), ((3, 3),)),
]


def _sym(x):
    return x + x.mT


def _spd(L, x):
    return x @ x.mT + L.eye(x.shape[-1], dtype=x.dtype)


CASES += [
    # ---- linalg.eigh / eigvalsh / cholesky (inputs made symmetric / positive-definite) ----
    Case("eigvalsh", lambda L, x: L.linalg.eigvalsh(_sym(x)), ((4, 4),)),
    Case("eigvalsh_upper_batched", lambda L, x: L.linalg.eigvalsh(_sym(x), UPLO="U"), ((2, 3, 3),)),
    Case("eigh_values", lambda L, x: L.linalg.eigh(_sym(x)).eigenvalues, ((3, 3),)),
    Case("eigh_vectors_sign_free", lambda L, x: (lambda r: r.eigenvectors * r.eigenvectors)(L.linalg.eigh(_sym(x))),
         ((3, 3),)),
    Case("eigh_rebuild", lambda L, x: (lambda r: (r[1] * r[0].unsqueeze(-2)) @ r[1].mT)(L.linalg.eigh(_sym(x))),
         ((2, 3, 3),)),
    Case("eigh_vectors_outer", lambda L, x: (lambda v: v[..., :1] @ v[..., :1].mT)(L.linalg.eigh(_sym(x))[1]),
         ((4, 4),)),
    Case("eigh_1x1", lambda L, x: L.linalg.eigh(_sym(x))[0], ((1, 1),)),
    Case("cholesky", lambda L, x: L.linalg.cholesky(_spd(L, x)), ((3, 3),)),
    Case("cholesky_upper_batched", lambda L, x: L.linalg.cholesky(_spd(L, x), upper=True), ((2, 3, 3),)),
    Case("cholesky_1x1", lambda L, x: L.linalg.cholesky(_spd(L, x)), ((1, 1),)),
]
CASES += [
    # ---- linalg.svd / svdvals / matrix_norm(2, -2, 'nuc') ----
    Case("svdvals", lambda L, x: L.linalg.svdvals(x), ((4, 3),)),
    Case("svdvals_wide_batched", lambda L, x: L.linalg.svdvals(x), ((2, 2, 3),)),
    Case("svd_S", lambda L, x: L.linalg.svd(x).S, ((3, 3),)),
    Case("svd_U_sign_free", lambda L, x: (lambda r: r.U * r.U)(L.linalg.svd(x, full_matrices=False)), ((4, 3),)),
    Case("svd_Vh_sign_free", lambda L, x: (lambda r: r.Vh * r.Vh)(L.linalg.svd(x, full_matrices=False)), ((2, 4),)),
    Case("svd_rebuild", lambda L, x: (lambda r: (r[0] * r[1].unsqueeze(-2)) @ r[2])(L.linalg.svd(x, False)),
         ((3, 2),)),
    Case("svd_full_narrowed", lambda L, x: (lambda r: L.cat([(r.U[:, :2] @ r.U[:, :2].mT).reshape(-1),
                                                             (r.Vh * r.Vh).reshape(-1)]))(L.linalg.svd(x)),
         ((3, 2),)),
    Case("matrix_norm_2", lambda L, x: L.linalg.matrix_norm(x, 2), ((3, 4),)),
    Case("matrix_norm_neg2_keepdim", lambda L, x: L.linalg.matrix_norm(x, -2, keepdim=True), ((2, 3, 3),)),
    Case("matrix_norm_nuc_dims", lambda L, x: L.linalg.matrix_norm(x, "nuc", dim=(0, 2)), ((3, 2, 4),)),
    Case("norm_nuc", lambda L, x: L.linalg.norm(x, "nuc"), ((3, 3),)),
]
CASES += [
    # ---- linalg.qr ----
    Case("qr_Q", lambda L, x: L.linalg.qr(x).Q, ((4, 3),)),
    Case("qr_R", lambda L, x: L.linalg.qr(x)[1], ((4, 3),)),
    Case("qr_square_batched", lambda L, x: (lambda r: r.Q @ r.R.mT)(L.linalg.qr(x)), ((2, 3, 3),)),
    Case("qr_wide", lambda L, x: (lambda r: L.cat([r.Q.reshape(-1), r.R.reshape(-1)]))(L.linalg.qr(x)), ((2, 4),)),
    Case("qr_complete_wide", lambda L, x: L.linalg.qr(x, mode="complete").R, ((2, 3),)),
]
CASES += [
    Case("einsum_sublist", lambda L, a, b: L.einsum(a, [0, 1], b, [1, 2], [0, 2]), ((2, 3), (3, 4))),
    Case("einsum_sublist_implicit", lambda L, a, b: L.einsum(a, [30, 1], b, [1, 2]), ((2, 3), (3, 4))),
    Case("einsum_sublist_ellipsis", lambda L, a: L.einsum(a, [Ellipsis, 1], [1, Ellipsis]), ((2, 3),)),
]
CASES += [
    # ---- linalg.matrix_exp / torch.matrix_exp, linalg.pinv / pinverse ----
    Case("matrix_exp", lambda L, x: L.linalg.matrix_exp(x), ((3, 3),)),
    Case("matrix_exp_batched", lambda L, x: L.matrix_exp(x), ((2, 4, 4),)),
    Case("matrix_exp_scaled", lambda L, x: (x * 4).matrix_exp(), ((3, 3),)),   # (squarings)
    Case("matrix_exp_1x1", lambda L, x: L.linalg.matrix_exp(x), ((1, 1),)),
    Case("pinv_square", lambda L, x: L.linalg.pinv(x + 2 * L.eye(3, dtype=x.dtype)), ((3, 3),)),
    Case("pinv_tall", lambda L, x: L.linalg.pinv(x), ((4, 2),)),
    Case("pinv_wide_batched", lambda L, x: L.linalg.pinv(x), ((2, 2, 5),)),
    Case("pinverse_method", lambda L, x: x.pinverse(), ((3, 2),)),
]

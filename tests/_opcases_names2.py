"""Op-table rows for the real-valued names of issue 11's last batch
(chainrule/ops/linalg_more.py and friends; see _opcases.py, appended to its CASES)."""
from _opcases import Case


def _wc(L, x):
    """Well conditioned: x + 3 I (a triangle of it, for the triangular solves)."""
    return x + 3 * L.eye(x.shape[-1], dtype=x.dtype)


def _spd(L, x):
    return x @ x.mT + L.eye(x.shape[-1], dtype=x.dtype)


def _factor(L, x, upper=False):
    """A triangular factor with a diagonal in [1.4, 2.6]: far from singular."""
    f = 0.3 * x + 2 * L.eye(x.shape[-1], dtype=x.dtype)
    return f.triu() if upper else f.tril()


def _chol(L, x):
    return L.linalg.cholesky(_spd(L, x))


CASES = [
    # ---- linalg.solve_triangular / triangular_solve ----
    Case("solve_triangular_upper", lambda L, a, b: L.linalg.solve_triangular(_wc(L, a), b, upper=True),
         ((3, 3), (3, 2))),
    Case("solve_triangular_lower", lambda L, a, b: L.linalg.solve_triangular(_wc(L, a), b, upper=False),
         ((3, 3), (3, 1))),
    Case("solve_triangular_unit", lambda L, a, b: L.linalg.solve_triangular(
        a, b, upper=False, unitriangular=True), ((3, 3), (3, 2))),
    Case("solve_triangular_right", lambda L, a, b: L.linalg.solve_triangular(
        _wc(L, a), b, upper=True, left=False), ((3, 3), (2, 3))),
    Case("solve_triangular_right_unit_lower", lambda L, a, b: L.linalg.solve_triangular(
        a, b, upper=False, left=False, unitriangular=True), ((2, 2), (3, 2))),
    Case("solve_triangular_bcast", lambda L, a, b: L.linalg.solve_triangular(_wc(L, a), b, upper=True),
         ((2, 1, 3, 3), (4, 3, 2))),
    Case("solve_triangular_1x1", lambda L, a, b: L.linalg.solve_triangular(_wc(L, a), b, upper=False),
         ((1, 1), (1, 3))),
    Case("solve_triangular_empty_rhs", lambda L, a, b: L.linalg.solve_triangular(
        _wc(L, a), b, upper=True), ((3, 3), (3, 0))),
    Case("triangular_solve", lambda L, b, a: L.triangular_solve(b, _wc(L, a)).solution,
         ((3, 2), (3, 3))),
    Case("triangular_solve_lower_transpose", lambda L, b, a: L.triangular_solve(
        b, _wc(L, a), upper=False, transpose=True)[0], ((2, 3, 2), (3, 3))),
    Case("triangular_solve_unit_method", lambda L, b, a: b.triangular_solve(
        a, unitriangular=True).solution, ((3, 1), (3, 3))),
    Case("triangular_solve_coefficient", lambda L, b, a: (lambda r: r[0].sum() * r[1])(
        L.triangular_solve(b, _wc(L, a))), ((3, 2), (3, 3))),
    # ---- cholesky_solve / cholesky_inverse / torch.cholesky ----
    Case("cholesky_solve", lambda L, b, x: L.cholesky_solve(b, _chol(L, x)), ((3, 2), (3, 3))),
    Case("cholesky_solve_upper_bcast", lambda L, b, x: L.cholesky_solve(b, _chol(L, x).mT, upper=True),
         ((2, 3, 1), (3, 3))),
    Case("cholesky_solve_tril_factor", lambda L, b, l: L.cholesky_solve(b, _factor(L, l)), ((3, 2), (3, 3))),
    Case("cholesky_solve_method_triu_factor", lambda L, b, l: b.cholesky_solve(_factor(L, l, True), True),
         ((2, 2), (2, 2))),
    Case("cholesky_inverse", lambda L, x: L.cholesky_inverse(_chol(L, x)), ((3, 3),)),
    Case("cholesky_inverse_triu_batch", lambda L, l: L.cholesky_inverse(_factor(L, l, True), upper=True),
         ((2, 3, 3),)),
    Case("cholesky_inverse_method", lambda L, l: _factor(L, l).cholesky_inverse(), ((2, 2),)),
    Case("torch_cholesky", lambda L, x: L.cholesky(_spd(L, x)), ((3, 3),)),
    Case("torch_cholesky_upper_method", lambda L, x: _spd(L, x).cholesky(upper=True), ((2, 3, 3),)),
    # ---- torch.svd / torch.qr (deprecated forms) ----
    Case("torch_svd_S", lambda L, x: L.svd(x).S, ((4, 3),)),
    Case("torch_svd_V_sign_free", lambda L, x: (lambda r: r.V * r.V)(L.svd(x)), ((2, 4),)),
    Case("torch_svd_rebuild", lambda L, x: (lambda r: (r.U * r.S.unsqueeze(-2)) @ r.V.mT)(L.svd(x)),
         ((2, 3, 2),)),
    Case("torch_svd_not_some_narrowed", lambda L, x: (lambda r: (r.U[:, :2] * r.S) @ r.V[:, :2].mT)(
        L.svd(x, some=False)), ((2, 3),)),
    Case("torch_svd_no_uv", lambda L, x: x.svd(compute_uv=False)[1], ((3, 4),)),
    Case("torch_qr", lambda L, x: (lambda r: r.Q @ r.R + r.R)(L.qr(x)), ((3, 3),)),
    Case("torch_qr_wide_not_some", lambda L, x: (lambda r: r[0].sum() * r[1])(x.qr(some=False)),
         ((2, 3),)),
    # ---- addr ----
    Case("addr", lambda L, x, u, v: L.addr(x, u, v), ((3, 2), (3,), (2,))),
    Case("addr_beta_alpha", lambda L, x, u, v: L.addr(x, u, v, beta=0.5, alpha=-2), ((3, 2), (3,), (2,))),
    Case("addr_bcast_input", lambda L, x, u, v: x.addr(u, v, alpha=3), ((2,), (3,), (2,))),
    Case("addr_0d_input_beta0", lambda L, x, u, v: L.addr(x, u, v, beta=0), ((), (2,), (4,))),
    Case("addr_empty", lambda L, x, u, v: L.addr(x, u, v), ((0, 3), (0,), (3,))),
    # ---- vander ----
    # (torch 2.13's own vander backward fails: "modified by an inplace operation")
    Case("vander", lambda L, x: L.vander(x), ((3,),), tags=("torch_backward_fails",)),
    Case("vander_N_increasing", lambda L, x: L.vander(x, N=4, increasing=True), ((3,),),
         tags=("torch_backward_fails",)),
    Case("vander_N1", lambda L, x: L.vander(x, N=1) * x.unsqueeze(1), ((3,),)),
    Case("linalg_vander", lambda L, x: L.linalg.vander(x), ((3,),)),
    Case("linalg_vander_batch_N", lambda L, x: L.linalg.vander(x, N=4), ((2, 3),)),
    Case("linalg_vander_0d", lambda L, x: L.linalg.vander(x, N=3), ((),)),
    # ---- nuclear_norm / frobenius_norm ----
    Case("nuclear_norm", lambda L, x: L.nuclear_norm(x), ((3, 4),)),
    Case("nuclear_norm_dim_keepdim", lambda L, x: L.nuclear_norm(x, (0, 2), True), ((3, 2, 4),)),
    Case("nuclear_norm_batch", lambda L, x: L.nuclear_norm(x), ((2, 3, 3),)),
    Case("frobenius_norm", lambda L, x: L.frobenius_norm(x, (0, 1)), ((3, 4),)),
    Case("frobenius_norm_one_dim_keepdim", lambda L, x: L.frobenius_norm(x, 1, True), ((2, 3, 4),)),
    Case("frobenius_norm_empty_dims", lambda L, x: L.frobenius_norm(x, ()), ((2, 3),)),
]

CASES += [
    # ---- LU: linalg.lu_factor / lu / lu_solve, torch.lu / lu_unpack / lu_solve ----
    Case("lu_factor", lambda L, x: L.linalg.lu_factor(x).LU, ((3, 3),)),
    Case("lu_factor_batch", lambda L, x: L.linalg.lu_factor(x)[0], ((2, 4, 4),)),
    Case("lu_factor_wide", lambda L, x: L.linalg.lu_factor(x).LU, ((2, 4),)),
    Case("lu_factor_tall", lambda L, x: L.linalg.lu_factor(x).LU, ((4, 2),)),
    Case("lu_factor_ex", lambda L, x: L.linalg.lu_factor_ex(x).LU, ((3, 3),)),
    Case("linalg_lu_L", lambda L, x: L.linalg.lu(x).L, ((3, 3),)),
    Case("linalg_lu_U_batch", lambda L, x: L.linalg.lu(x).U, ((2, 3, 3),)),
    Case("linalg_lu_LU_wide", lambda L, x: (lambda r: r.L @ r.U[..., :2] + r.U.sum())(L.linalg.lu(x)), ((2, 5),)),
    Case("linalg_lu_LU_tall", lambda L, x: (lambda r: r.L.sum(-1) * r.U.sum())(L.linalg.lu(x)), ((5, 3),)),
    Case("linalg_lu_rebuild", lambda L, x: (lambda r: r.P @ r.L @ r.U)(L.linalg.lu(x)), ((3, 4),)),
    Case("linalg_lu_1x1", lambda L, x: L.linalg.lu(x).U, ((1, 1),)),
    Case("torch_lu", lambda L, x: L.lu(x)[0], ((3, 3),)),
    Case("torch_lu_infos_method", lambda L, x: x.lu(get_infos=True)[0], ((2, 2, 3),)),
    Case("lu_unpack_L", lambda L, x: (lambda r: L.lu_unpack(r[0], r[1]).L)(L.linalg.lu_factor(x)), ((3, 3),)),
    Case("lu_unpack_U_wide", lambda L, x: (lambda r: L.lu_unpack(r[0], r[1]).U)(L.linalg.lu_factor(x)), ((2, 3),)),
    Case("lu_unpack_L_tall_raw", lambda L, x: L.lu_unpack(x, L.tensor([1, 2], dtype=L.int32))[1], ((3, 2),)),
    Case("lu_unpack_U_raw", lambda L, x: L.lu_unpack(x, L.tensor([2, 2], dtype=L.int32)).U, ((2, 2),)),
    Case("lu_solve", lambda L, x, b: (lambda r: L.linalg.lu_solve(r[0], r[1], b))(L.linalg.lu_factor(_wc(L, x))),
         ((3, 3), (3, 2))),
    Case("lu_solve_adjoint", lambda L, x, b: (lambda r: L.linalg.lu_solve(r[0], r[1], b, adjoint=True))(
        L.linalg.lu_factor(_wc(L, x))), ((3, 3), (3, 1))),
    Case("lu_solve_right_bcast", lambda L, x, b: (lambda r: L.linalg.lu_solve(r[0], r[1], b, left=False))(
        L.linalg.lu_factor(_wc(L, x))), ((3, 3), (2, 1, 3))),
    Case("lu_solve_right_adjoint_batch", lambda L, x, b: (lambda r: L.linalg.lu_solve(
        r[0], r[1], b, left=False, adjoint=True))(L.linalg.lu_factor(_wc(L, x))), ((2, 3, 3), (2, 3))),
    Case("lu_solve_raw_lu", lambda L, lu, b: L.linalg.lu_solve(_wc(L, lu), L.tensor([2, 2, 3], dtype=L.int32), b),
         ((3, 3), (3, 2))),
    Case("torch_lu_solve", lambda L, b, x: (lambda r: L.lu_solve(b, r[0], r[1]))(L.lu(_wc(L, x))),
         ((3, 2), (3, 3))),
    Case("torch_lu_solve_method", lambda L, b, x: (lambda r: b.lu_solve(r[0], r[1]))(L.lu(_wc(L, x))),
         ((2, 3, 1), (3, 3))),
]

CASES += [
    # ---- linalg.lstsq (solution and residuals; every driver) ----
    Case("lstsq_tall", lambda L, a, b: L.linalg.lstsq(a, b).solution, ((4, 3), (4, 2))),
    Case("lstsq_square_batch", lambda L, a, b: L.linalg.lstsq(_wc(L, a), b)[0], ((2, 3, 3), (2, 3, 1))),
    Case("lstsq_wide_gelsd", lambda L, a, b: L.linalg.lstsq(a, b, driver="gelsd").solution, ((2, 4), (2, 3))),
    Case("lstsq_vector_bcast", lambda L, a, b: L.linalg.lstsq(a, b, driver="gelss").solution, ((2, 4, 3), (2, 4))),
    Case("lstsq_bcast_rhs", lambda L, a, b: L.linalg.lstsq(a, b).solution, ((2, 4, 3), (1, 4, 2))),
    Case("lstsq_residuals_gels", lambda L, a, b: L.linalg.lstsq(a, b, driver="gels").residuals, ((5, 3), (5, 2))),
    Case("lstsq_residuals_gelsd_vector", lambda L, a, b: L.linalg.lstsq(a, b, driver="gelsd").residuals,
         ((4, 2), (4,))),
    Case("lstsq_both_gelss", lambda L, a, b: (lambda r: r.solution.sum() * r.residuals)(
        L.linalg.lstsq(a, b, driver="gelss")), ((2, 4, 2), (2, 4, 3))),
]

_Y4 = [1.0, -1.0, 1.0, -1.0]


def _F(L):
    return L.nn.functional


def _t(L, v, like):
    return L.tensor(v, dtype=like.dtype)


CASES += [
    # ---- nn.functional: shuffles, pdist, the embedding / ranking losses, rms_norm ----
    Case("pixel_shuffle", lambda L, x: _F(L).pixel_shuffle(x, 2), ((2, 8, 3, 2),)),
    Case("pixel_shuffle_3d_r3", lambda L, x: L.pixel_shuffle(x, 3), ((9, 2, 1),)),
    Case("pixel_shuffle_batch_dims", lambda L, x: L.pixel_shuffle(x, 1), ((2, 1, 2, 2, 1),)),
    Case("pixel_unshuffle", lambda L, x: _F(L).pixel_unshuffle(x, 2), ((3, 4, 6),)),
    Case("pixel_unshuffle_batch", lambda L, x: L.pixel_unshuffle(x, 3), ((2, 1, 3, 3),)),
    # (torch 2.13's own backward fails on an empty batch: "returned an invalid gradient")
    Case("pixel_shuffle_empty", lambda L, x: L.pixel_shuffle(x, 2), ((0, 4, 2, 2),), "any",
         ("torch_backward_fails",)),
    Case("channel_shuffle", lambda L, x: _F(L).channel_shuffle(x, 3), ((2, 6, 2, 2),)),
    Case("channel_shuffle_3d", lambda L, x: L.channel_shuffle(x, 2), ((1, 4, 3),)),
    Case("pdist", lambda L, x: _F(L).pdist(x), ((4, 3),), "distinct", ("torch_no_double_backward",)),
    Case("pdist_p1", lambda L, x: L.pdist(x, p=1), ((4, 2),), "distinct", ("torch_no_double_backward",)),
    Case("pdist_p3", lambda L, x: L.pdist(x, 3), ((3, 3),), "distinct", ("torch_no_double_backward",)),
    Case("pdist_inf", lambda L, x: L.pdist(x, float("inf")), ((3, 2),), "distinct", ("torch_no_double_backward",)),
    Case("pdist_one_row", lambda L, x: L.pdist(x), ((1, 3),), "any", ("torch_no_double_backward",)),
    Case("cosine_embedding_loss", lambda L, a, b: _F(L).cosine_embedding_loss(a, b, _t(L, _Y4, a), margin=0.2),
         ((4, 3), (4, 3))),
    Case("cosine_embedding_loss_none", lambda L, a, b: _F(L).cosine_embedding_loss(
        a, b, _t(L, _Y4, a), margin=-0.5, reduction="none"), ((4, 3), (4, 3))),
    Case("cosine_embedding_loss_0d_sum", lambda L, a, b: _F(L).cosine_embedding_loss(
        a, b, _t(L, -1.0, a), reduction="sum"), ((3,), (3,))),
    Case("torch_cosine_embedding_loss", lambda L, a, b: L.cosine_embedding_loss(a, b, _t(L, _Y4, a), 0.1, 2),
         ((4, 2), (4, 2))),
    Case("hinge_embedding_loss", lambda L, a: _F(L).hinge_embedding_loss(a, _t(L, _Y4, a)), ((4,),), "away"),
    Case("hinge_embedding_loss_none_bcast", lambda L, a: _F(L).hinge_embedding_loss(
        a, _t(L, _Y4, a), margin=0.5, reduction="none"), ((2, 4),), "away"),
    Case("torch_hinge_embedding_loss", lambda L, a: L.hinge_embedding_loss(a, _t(L, _Y4, a), 2.0, 0),
         ((4,),), "away"),
    Case("margin_ranking_loss", lambda L, a, b: _F(L).margin_ranking_loss(a, b, _t(L, _Y4, a), margin=0.1),
         ((4,), (4,)), "distinct"),
    Case("margin_ranking_loss_sum", lambda L, a, b: L.margin_ranking_loss(a, b, _t(L, _Y4, a), 0.0, 2),
         ((4,), (4,)), "distinct"),
    Case("triplet_margin_loss", lambda L, a, p, n: _F(L).triplet_margin_loss(a, p, n), ((4, 3), (4, 3), (4, 3))),
    Case("triplet_margin_loss_swap_p1_none", lambda L, a, p, n: _F(L).triplet_margin_loss(
        a, p, n, margin=3.0, p=1, swap=True, reduction="none"), ((4, 3), (4, 3), (4, 3)), "distinct"),
    Case("triplet_margin_loss_1d", lambda L, a, p, n: L.triplet_margin_loss(a, p, n, 2.0), ((3,), (3,), (3,))),
    Case("triplet_margin_loss_mean", lambda L, a, p, n: L.triplet_margin_loss(a, p, n, 2.0, 2, 1e-6, False, 1),
         ((2, 3), (2, 3), (2, 3))),
    Case("poisson_nll_loss", lambda L, x, t: _F(L).poisson_nll_loss(x, t.abs()), ((4, 3), (4, 3)), "away"),
    Case("poisson_nll_loss_rates_full_none", lambda L, x, t: _F(L).poisson_nll_loss(
        x.abs(), t.abs() * 3, log_input=False, full=True, reduction="none"), ((4, 3), (4, 3)), "away"),
    Case("torch_poisson_nll_loss_sum", lambda L, x, t: L.poisson_nll_loss(x, t.abs() * 2, True, True, 1e-8, 2),
         ((2, 3), (2, 3)), "away"),
    Case("rms_norm", lambda L, x: _F(L).rms_norm(x, (3,)), ((4, 3),)),
    Case("rms_norm_weight_eps", lambda L, x, w: _F(L).rms_norm(x, (2, 3), weight=w, eps=1e-3),
         ((4, 2, 3), (2, 3))),
    Case("torch_rms_norm", lambda L, x: L.rms_norm(x, [4]), ((4,),)),
    Case("constant_pad_nd", lambda L, x: L.constant_pad_nd(x, (1, 2, -1, 1), 0.5), ((4, 3),)),
    Case("constant_pad_nd_default_3d", lambda L, x: L.constant_pad_nd(x, [2, 0, 0, 1, 1, 1]), ((2, 3, 1),)),
]

CASES += [
    # ---- trapezoid / trapz / cumulative_trapezoid / gradient ----
    Case("trapezoid", lambda L, y: L.trapezoid(y), ((2, 3),)),
    Case("trapezoid_dx_dim0", lambda L, y: L.trapezoid(y, dx=0.5, dim=0), ((3, 2),)),
    Case("trapezoid_x", lambda L, y, x: L.trapezoid(y, x), ((2, 3), (3,))),
    Case("trapezoid_x_bcast", lambda L, y, x: L.trapezoid(y, x, dim=0), ((3, 2), (3, 1))),
    Case("trapezoid_one_sample", lambda L, y: L.trapezoid(y), ((2, 1),)),
    Case("trapz_x", lambda L, y, x: L.trapz(y, x), ((4,), (4,))),
    Case("trapz_dx", lambda L, y: L.trapz(y, dx=2.0), ((2, 3),)),
    Case("cumulative_trapezoid", lambda L, y: L.cumulative_trapezoid(y), ((2, 4),)),
    Case("cumulative_trapezoid_dx_dim0", lambda L, y: L.cumulative_trapezoid(y, dx=3, dim=0), ((3, 2),)),
    Case("cumulative_trapezoid_x", lambda L, y, x: L.cumulative_trapezoid(y, x), ((2, 3), (3,))),
    Case("gradient_dim1", lambda L, y: L.gradient(y, dim=1)[0], ((2, 4),)),
    Case("gradient_all_spacing", lambda L, y: (lambda g: g[0] * g[1])(L.gradient(y, spacing=[2.0, 0.5])),
         ((3, 4),)),
    Case("gradient_edge2", lambda L, y: L.gradient(y, edge_order=2, dim=0)[0], ((4, 2),)),
    Case("gradient_coords", lambda L, y, x: L.gradient(y, spacing=(x.cumsum(0),), dim=-1)[0],
         ((2, 4), (4,)), "pos"),
    Case("gradient_coords_edge2", lambda L, y, x: L.gradient(y, spacing=(x.cumsum(0),), edge_order=2)[0],
         ((5,), (5,)), "pos"),
]

CASES += [
    # ---- igamma / igammac (the gradient in x only: PyTorch has none in a) ----
    Case("igamma", lambda L, x: L.igamma(L.tensor([0.5, 1.0, 2.5, 7.0], dtype=x.dtype), x), ((4,),), "pos"),
    Case("igamma_bcast_method", lambda L, x: L.tensor([[1.5], [3.0]], dtype=x.dtype).igamma(x * 3), ((3,),), "pos"),
    Case("igammac", lambda L, x: L.igammac(L.tensor([0.5, 2.0, 4.0], dtype=x.dtype), x * 4), ((3,),), "pos"),
    Case("special_gammaincc_0d", lambda L, x: L.special.gammaincc(L.tensor(1.7, dtype=x.dtype), x), ((),), "pos"),
]

CASES += [
    # ---- index_reduce (prod, mean, amax, amin; include_self) ----
    Case("index_reduce_prod", lambda L, x, s: x.index_reduce(0, L.tensor([0, 2, 0, 1]), s, "prod"),
         ((3, 2), (4, 2))),
    Case("index_reduce_prod_no_self", lambda L, x, s: L.index_reduce(
        x, 1, L.tensor([1, 1, 0]), s, "prod", include_self=False), ((2, 3), (2, 3))),
    Case("index_reduce_mean", lambda L, x, s: x.index_reduce(0, L.tensor([0, 2, 0, 1]), s, "mean"),
         ((3, 2), (4, 2))),
    Case("index_reduce_mean_no_self", lambda L, x, s: x.index_reduce(
        0, L.tensor([2, 2]), s, "mean", include_self=False), ((3,), (2,))),
    Case("index_reduce_amax", lambda L, x, s: x.index_reduce(0, L.tensor([0, 2, 0, 1]), s, "amax"),
         ((3, 2), (4, 2)), "distinct"),
    Case("index_reduce_amin_no_self", lambda L, x, s: x.index_reduce(
        -1, L.tensor([0, 0, 1]), s, "amin", include_self=False), ((2, 2), (2, 3)), "distinct"),
    Case("index_put_top_level", lambda L, x, v: L.index_put_(x * 1, (L.tensor([0, 0, 2]),), v, accumulate=True),
         ((3, 2), (3, 2))),
]

CASES += [
    # ---- as_strided_scatter (torch 2.13's own gradient for the input keeps the window and
    # drops the rest, the reverse of the truth: test_misuse_names shows it) ----
    Case("as_strided_scatter", lambda L, x, s: L.as_strided_scatter(x, s, (2, 2), (3, 1), 1),
         ((6,), (2, 2)), "any", ("torch_wrong_gradient",)),
    Case("as_strided_scatter_2d_method", lambda L, x, s: x.as_strided_scatter(s, (2, 2), (1, 2)),
         ((2, 3), (2, 2)), "any", ("torch_wrong_gradient",)),
    Case("as_strided_scatter_src_only", lambda L, s: L.as_strided_scatter(L.arange(6.0, dtype=s.dtype), s, (3,), (2,)),
         ((3,),)),
]

CASES += [
    # ---- householder_product / orgqr / ormqr (geqrf has no derivative, as PyTorch's) ----
    Case("householder_product", lambda L, a, t: L.linalg.householder_product(a, t), ((4, 3), (3,))),
    Case("householder_product_fewer_tau", lambda L, a, t: L.linalg.householder_product(a, t), ((3, 3), (2,))),
    Case("orgqr_batch_method", lambda L, a, t: a.orgqr(t), ((2, 3, 2), (2, 2))),
    Case("ormqr", lambda L, a, t, c: L.ormqr(a, t, c), ((4, 3), (3,), (4, 2))),
    Case("ormqr_transpose_right", lambda L, a, t, c: a.ormqr(t, c, left=False, transpose=True),
         ((3, 2), (2,), (2, 3))),
    Case("ormqr_of_geqrf", lambda L, c: (lambda r: L.ormqr(r.a, r.tau, c))(
        L.geqrf(L.tensor([[2.0, -1.0, 0.5], [1.0, 3.0, -2.0], [0.0, 1.0, 1.5]], dtype=c.dtype))), ((3, 2),)),
]

CASES += [
    # ---- norm_except_dim (weight normalisation's norm) ----
    Case("norm_except_dim_0", lambda L, v: L.norm_except_dim(v, 2, 0), ((2, 3, 4),)),
    Case("norm_except_dim_mid", lambda L, v: L.norm_except_dim(v, 2, 1), ((2, 3, 4),)),
    Case("norm_except_dim_last_p3", lambda L, v: L.norm_except_dim(v, 3, 2), ((2, 3, 4),)),
    Case("norm_except_dim_all", lambda L, v: L.norm_except_dim(v, 2, -1), ((2, 3),)),
]

_BAG_I = [0, 2, 1, 2, 3]
_BAG_O = [0, 2, 2]


def _bag(L, w, **kw):
    return _F(L).embedding_bag(L.tensor(_BAG_I), w, L.tensor(_BAG_O), **kw)


CASES += [
    # ---- embedding_bag (sum / mean / max; per_sample_weights; padding_idx) ----
    Case("embedding_bag_mean", lambda L, w: _bag(L, w), ((4, 3),)),
    Case("embedding_bag_sum_padding", lambda L, w: _bag(L, w, mode="sum", padding_idx=2), ((4, 3),)),
    Case("embedding_bag_max", lambda L, w: _bag(L, w, mode="max"), ((4, 3),), "distinct"),
    Case("embedding_bag_psw", lambda L, w, p: _bag(L, w, mode="sum", per_sample_weights=p), ((4, 3), (5,)),
         "any", ("torch_no_double_backward",)),
    Case("embedding_bag_2d_last_offset", lambda L, w: _F(L).embedding_bag(L.tensor([[0, 3], [1, 1]]), w,
                                                                        mode="sum"), ((4, 2),)),
    Case("torch_embedding_bag_max", lambda L, w: L.embedding_bag(w, L.tensor(_BAG_I), L.tensor(_BAG_O),
                                                                 False, 2)[0], ((4, 3),), "distinct"),
]

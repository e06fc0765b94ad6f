"""Op-table rows for the elementwise ops added with issue 11's missing names
(chainrule/ops/pointwise_more.py; see _opcases.py, appended to its CASES)."""
from _opcases import Case


CASES = [
    Case("addcmul", lambda L, a, b, c: L.addcmul(a, b, c), ((2, 3), (2, 3), (2, 3))),
    Case("addcmul_value_bcast", lambda L, a, b, c: L.addcmul(a, b, c, value=-0.5),
         ((3,), (2, 1), (1, 3))),
    Case("addcmul_0d", lambda L, a, b, c: L.addcmul(a, b, c, value=2), ((), (), (3,))),
    Case("addcmul_empty", lambda L, a, b, c: L.addcmul(a, b, c), ((0, 2), (0, 2), (2,))),
    Case("addcmul_method", lambda L, a, b, c: a.addcmul(b, c, value=3), ((2, 2), (2, 2), (2,))),
    Case("addcdiv", lambda L, a, b, c: L.addcdiv(a, b, c), ((2, 3), (2, 3), (2, 3)), "away"),
    Case("addcdiv_value_bcast", lambda L, a, b, c: L.addcdiv(a, b, c, value=0.7),
         ((2, 1), (3,), (2, 3)), "away"),
    Case("addcdiv_0d", lambda L, a, b, c: L.addcdiv(a, b, c, value=-2), ((), (), ()), "away"),
    Case("addcdiv_empty", lambda L, a, b, c: L.addcdiv(a, b, c), ((0,), (0,), (1,)), "away"),
    Case("fmax", lambda L, a, b: L.fmax(a, b), ((2, 3), (2, 3)), "distinct"),
    Case("fmax_bcast", lambda L, a, b: L.fmax(a, b), ((2, 1), (3,)), "distinct"),
    Case("fmax_0d", lambda L, a, b: L.fmax(a, b), ((), (2,)), "distinct"),
    Case("fmin", lambda L, a, b: L.fmin(a, b), ((2, 3), (2, 3)), "distinct"),
    Case("fmin_bcast_method", lambda L, a, b: a.fmin(b), ((3,), (2, 3)), "distinct"),
    Case("fmin_empty", lambda L, a, b: L.fmin(a, b), ((0, 3), (3,)), "distinct"),
    Case("ldexp", lambda L, a, b: L.ldexp(a, b), ((2, 3), (2, 3))),
    Case("ldexp_bcast", lambda L, a, b: a.ldexp(b), ((3,), (2, 1))),
    Case("ldexp_0d", lambda L, a, b: L.ldexp(a, b), ((), ())),
    Case("nextafter", lambda L, a, b: L.nextafter(a, b) * a, ((2, 3), (2, 3))),
    Case("nextafter_bcast", lambda L, a, b: L.nextafter(a, b) * b, ((3,), (2, 3))),
    Case("float_power", lambda L, a, b: L.float_power(a, b), ((2, 3), (2, 3)), "pos"),
    Case("float_power_scalar", lambda L, a: L.float_power(a, 2.5), ((2, 3),), "pos"),
    Case("float_power_scalar_base", lambda L, a: L.float_power(1.5, a), ((3,),)),
    Case("float_power_bcast_0d", lambda L, a, b: a.float_power(b), ((), (2,)), "pos"),
    Case("frexp_mantissa", lambda L, a: L.frexp(a)[0] * a, ((2, 3),)),
    Case("frexp_mantissa_0d", lambda L, a: L.frexp(a).mantissa, ((),)),
    Case("positive", lambda L, a: L.positive(a) * a, ((3,),)),
]


def _weighted(L, pieces, dim):
    """The pieces of a split put back together, each scaled differently (so a
    gradient routed to the wrong piece shows)."""
    return L.cat([p * (k + 1) for k, p in enumerate(pieces)], dim)


CASES += [
    # ---- shape: chainrule/ops/shape_more.py ----
    Case("ravel", lambda L, x: L.ravel(x) * 2, ((2, 3),)),
    Case("ravel_transposed", lambda L, x: x.t().ravel(), ((2, 3),)),
    Case("ravel_0d", lambda L, x: x.ravel(), ((),)),
    Case("tensor_split_sections", lambda L, x: _weighted(L, L.tensor_split(x, 3, 1), 1), ((2, 7),)),
    Case("tensor_split_indices", lambda L, x: _weighted(L, x.tensor_split([1, 3], 0), 0), ((5, 2),)),
    Case("tensor_split_index_tensor", lambda L, x: _weighted(
        L, L.tensor_split(x, L.tensor([2]), -1), -1), ((2, 4),)),
    Case("hsplit", lambda L, x: _weighted(L, L.hsplit(x, 2), 1), ((2, 4, 1),)),
    Case("hsplit_1d", lambda L, x: _weighted(L, x.hsplit([1]), 0), ((3,),)),
    Case("vsplit", lambda L, x: _weighted(L, L.vsplit(x, [1, 2]), 0), ((3, 2),)),
    Case("dsplit", lambda L, x: _weighted(L, L.dsplit(x, 2), 2), ((1, 2, 4),)),
    Case("split_with_sizes", lambda L, x: _weighted(L, x.split_with_sizes([1, 2], 1), 1), ((2, 3),)),
    Case("unsafe_split", lambda L, x: _weighted(L, L.unsafe_split(x, 2), 0), ((5, 2),)),
    Case("unsafe_chunk", lambda L, x: _weighted(L, x.unsafe_chunk(2, 1), 1), ((2, 4),)),
    Case("unsafe_split_with_sizes", lambda L, x: _weighted(
        L, L.unsafe_split_with_sizes(x, [2, 1], 1), 1), ((2, 3),)),
    Case("unfold_overlap", lambda L, x: x.unfold(1, 3, 1), ((2, 5),)),
    Case("unfold_step_gap", lambda L, x: x.unfold(0, 2, 3) * 2, ((7, 2),)),
    Case("unfold_square", lambda L, x: x.unfold(-1, 2, 1) * x.unfold(-1, 2, 1), ((2, 2, 4),)),
    Case("unfold_empty", lambda L, x: x.unfold(1, 2, 1), ((0, 3),)),
    Case("narrow_copy", lambda L, x: x.narrow_copy(1, 1, 2) * 3, ((2, 4),)),
    Case("narrow_copy_neg_dim", lambda L, x: L.narrow_copy(x, -1, 0, 1), ((3, 2),)),
    Case("sum_to_size", lambda L, x: x.sum_to_size(1, 3), ((2, 3),)),
    Case("sum_to_size_lead", lambda L, x: x.sum_to_size(3, 1), ((2, 3, 4),)),
    Case("sum_to_size_same", lambda L, x: x.sum_to_size(2, 3) * x, ((2, 3),)),
    Case("diff", lambda L, x: L.diff(x), ((2, 4),)),
    Case("diff_n2_dim0", lambda L, x: x.diff(n=2, dim=0), ((4, 2),)),
    Case("diff_prepend_append", lambda L, x, p, a: L.diff(x, prepend=p, append=a),
         ((2, 3), (2, 1), (2, 2))),
    Case("diff_square", lambda L, x: L.diff(x * x, n=3), ((5,),)),
    Case("diff_empty", lambda L, x: L.diff(x), ((2, 0),)),
    Case("cartesian_prod", lambda L, a, b: L.cartesian_prod(a, b), ((2,), (3,))),
    Case("cartesian_prod_three", lambda L, a, b, c: L.cartesian_prod(a, b, c) * 2,
         ((2,), (1,), (2,))),
    Case("cartesian_prod_one", lambda L, a: L.cartesian_prod(a) * a, ((3,),)),
    Case("combinations", lambda L, x: L.combinations(x), ((4,),)),
    Case("combinations_r3_repl", lambda L, x: L.combinations(x, 3, with_replacement=True), ((3,),)),
    Case("combinations_none", lambda L, x: L.combinations(x, 3), ((2,),)),
    Case("select_scatter", lambda L, x, s: L.select_scatter(x, s, 0, 1), ((3, 2), (2,))),
    Case("select_scatter_neg", lambda L, x, s: x.select_scatter(s * s, -1, -1), ((2, 3), (2,))),
    Case("slice_scatter", lambda L, x, s: L.slice_scatter(x, s, 1, 0, 4, 2), ((2, 4), (2, 2))),
    Case("slice_scatter_default", lambda L, x, s: x.slice_scatter(s), ((2, 2), (2, 2))),
    Case("diagonal_scatter", lambda L, x, s: L.diagonal_scatter(x, s), ((3, 3), (3,))),
    Case("diagonal_scatter_offset", lambda L, x, s: L.diagonal_scatter(x, s, 1), ((3, 4), (3,))),
    Case("diagonal_scatter_neg_offset", lambda L, x, s: x.diagonal_scatter(s, -1), ((3, 3), (2,))),
    Case("diagonal_scatter_dims", lambda L, x, s: L.diagonal_scatter(x, s, 0, 0, 2),
         ((2, 3, 2), (3, 2))),
    Case("diagonal_scatter_adjacent", lambda L, x, s: L.diagonal_scatter(x, s, 0, 1, 2),
         ((2, 3, 3), (2, 3))),
    Case("index_put", lambda L, x, v: L.index_put(x, (L.tensor([0, 2]),), v), ((3, 2), (2, 2))),
    Case("index_put_2d_bcast", lambda L, x, v: x.index_put((L.tensor([0, 1]), L.tensor([1, 0])), v),
         ((2, 2), (1,))),
    Case("index_put_accumulate", lambda L, x, v: L.index_put(
        x, (L.tensor([0, 0, 2]),), v, accumulate=True), ((3, 2), (3, 2))),
    Case("index_put_accumulate_bcast", lambda L, x, v: x.index_put(
        (L.tensor([1, 1]), L.tensor([0, 0])), v, True) * x, ((2, 2), ())),
    Case("put", lambda L, x, s: L.put(x, L.tensor([0, 5, -1]), s), ((2, 4), (3,))),
    Case("put_accumulate", lambda L, x, s: x.put(L.tensor([[1, 1], [0, 3]]), s, accumulate=True),
         ((2, 2), (2, 2))),
]

CASES += [
    # ---- statistics: chainrule/ops/statistics.py ----
    Case("cov", lambda L, x: L.cov(x), ((3, 5),)),
    Case("cov_1d", lambda L, x: L.cov(x), ((4,),)),
    Case("cov_correction0_method", lambda L, x: x.cov(correction=0), ((2, 4),)),
    Case("cov_fweights", lambda L, x: L.cov(x, fweights=L.tensor([1, 3, 2, 1])), ((2, 4),)),
    Case("cov_aweights", lambda L, x, a: L.cov(x, aweights=a * a + 0.5), ((3, 4), (4,))),
    Case("cov_both_weights", lambda L, x, a: L.cov(x, correction=1, fweights=L.tensor([2, 1, 1, 3]),
                                                   aweights=a * a + 0.5), ((2, 4), (4,))),
    Case("corrcoef", lambda L, x: L.corrcoef(x), ((3, 6),)),
    Case("corrcoef_method_1d", lambda L, x: x.corrcoef(), ((4,),)),
    Case("dist", lambda L, a, b: L.dist(a, b), ((2, 3), (2, 3))),
    Case("dist_bcast_p1", lambda L, a, b: L.dist(a, b, 1), ((2, 3), (3,)), "distinct"),
    Case("dist_p3_method", lambda L, a, b: a.dist(b, p=3), ((4,), (4,)), "distinct"),
    Case("dist_pinf", lambda L, a, b: L.dist(a, b, float("inf")), ((3,), (3,)), "distinct"),
    Case("dist_0d", lambda L, a, b: L.dist(a, b), ((), ()), "distinct"),
]

CASES += [
    Case("block_diag", lambda L, a, b: L.block_diag(a, b), ((2, 2), (1, 3))),
    Case("block_diag_mixed_dims", lambda L, a, b, c: L.block_diag(a, b, c) * 2, ((2,), (), (2, 1))),
    Case("block_diag_one", lambda L, a: L.block_diag(a * a), ((2, 3),)),
    Case("block_diag_empty_block", lambda L, a, b: L.block_diag(a, b), ((0, 2), (2, 1))),
]

CASES += [
    Case("as_strided", lambda L, x: x.as_strided((2, 2), (1, 2)), ((6,),)),
    Case("as_strided_overlap", lambda L, x: L.as_strided(x, (3, 2), (1, 1)) * 2, ((2, 2),)),
    Case("as_strided_offset", lambda L, x: L.as_strided(x, (2,), (3,), 1), ((2, 3),)),
    Case("as_strided_transposed", lambda L, x: x.t().as_strided((3, 2), (2, 1)), ((2, 3),)),
    Case("as_strided_of_square", lambda L, x: (x * x).as_strided((2,), (2,)), ((4,),)),
]

CASES += [
    Case("renorm", lambda L, x: L.renorm(x * 2, 2, 0, 1.0), ((3, 4),), "away"),
    Case("renorm_dim1_p1", lambda L, x: x.renorm(1, 1, 1.5), ((2, 3, 2),), "away"),
    Case("renorm_p3_last", lambda L, x: L.renorm(x, 3, -1, 0.8), ((3, 2),), "away"),
]

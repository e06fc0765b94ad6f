"""Op-table rows for nn's functional layers (chainrule/nn/functional_layers.py
and chainrule/ops/layers.py; appended to _opcases.CASES): addmm, linear on
every input rank with and without bias, bilinear, embedding (with repeated
indices), dropout where it is deterministic.  (padding_idx's zero gradient
is not the derivative, so it is checked against torch in test_nn_layers.py.)"""
from _opcases import Case


def _F(L):
    return L.nn.functional


def _idx(L):
    return L.tensor([[0, 2, 2], [3, 0, 1]])


CASES = [
    Case("addmm", lambda L, c, a, b: L.addmm(c, a, b), ((3, 2), (3, 4), (4, 2))),
    Case("addmm_bcast_row", lambda L, c, a, b: L.addmm(c, a, b), ((2,), (3, 4), (4, 2))),
    Case("addmm_scalar_bias", lambda L, c, a, b: L.addmm(c, a, b), ((), (3, 4), (4, 2))),
    Case("addmm_beta_alpha", lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=-2.0),
         ((3, 1), (3, 4), (4, 2))),
    Case("addmm_transposed_mat2", lambda L, c, a, b: L.addmm(c, a, b.t()),
         ((3, 2), (3, 4), (2, 4))),
    Case("addmm_method", lambda L, c, a, b: c.addmm(a, b, alpha=0.5), ((2,), (3, 4), (4, 2))),
    Case("addmm_empty", lambda L, c, a, b: L.addmm(c, a, b), ((2,), (0, 4), (4, 2))),
    Case("linear_2d", lambda L, x, w, b: _F(L).linear(x, w, b), ((5, 4), (3, 4), (3,))),
    Case("linear_1d", lambda L, x, w, b: _F(L).linear(x, w, b), ((4,), (3, 4), (3,))),
    Case("linear_3d", lambda L, x, w, b: _F(L).linear(x, w, b), ((2, 5, 4), (3, 4), (3,))),
    Case("linear_empty_batch", lambda L, x, w, b: _F(L).linear(x, w, b), ((0, 4), (3, 4), (3,))),
    Case("linear_no_bias_2d", lambda L, x, w: _F(L).linear(x, w), ((5, 4), (3, 4))),
    Case("linear_no_bias_1d", lambda L, x, w: _F(L).linear(x, w), ((4,), (3, 4))),
    Case("linear_no_bias_3d", lambda L, x, w: _F(L).linear(x, w), ((2, 5, 4), (3, 4))),
    Case("bilinear", lambda L, x, y, w, b: _F(L).bilinear(x, y, w, b),
         ((5, 2), (5, 3), (4, 2, 3), (4,))),
    Case("bilinear_no_bias_3d", lambda L, x, y, w: _F(L).bilinear(x, y, w),
         ((2, 5, 2), (2, 5, 3), (4, 2, 3))),
    Case("bilinear_1d", lambda L, x, y, w, b: _F(L).bilinear(x, y, w, b),
         ((2,), (3,), (4, 2, 3), (4,))),
    Case("embedding", lambda L, w: _F(L).embedding(_idx(L), w), ((4, 3),)),
    Case("embedding_0d_index", lambda L, w: _F(L).embedding(L.tensor(1), w), ((4, 3),)),
    Case("embedding_empty_index", lambda L, w: _F(L).embedding(L.tensor([], dtype=L.int64), w),
         ((4, 3),)),
    Case("embedding_then_mul", lambda L, w: _F(L).embedding(_idx(L), w) * w[1],
         ((4, 3),)),
    Case("dropout_eval", lambda L, x: _F(L).dropout(x, 0.5, training=False) * 2, ((3, 4),)),
    Case("dropout_p0", lambda L, x: _F(L).dropout(x, 0.0) * 2, ((3, 4),)),
    Case("dropout_p1", lambda L, x: _F(L).dropout(x, 1.0), ((3, 4),)),
]

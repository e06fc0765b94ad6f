"""Op-table rows for chainrule/ops/select.py (see _opcases.py; appended to its CASES)."""
from _opcases import Case  # noqa: F401

CASES = [
    # ---- split, chunk, unbind, narrow ----
    Case("split_int", lambda L, x: L.split(x, 2)[1], ((5, 3),)),
    Case("split_int_dim1_last", lambda L, x: x.split(2, dim=1)[-1], ((2, 5),)),
    Case("split_sizes", lambda L, x: x.split([1, 3, 0, 1], 0)[1], ((5, 2),)),
    Case("split_sizes_fn_neg_dim", lambda L, x: L.split(x, [2, 2], -1)[0], ((3, 4),)),
    Case("chunk", lambda L, x: L.chunk(x, 3)[2], ((7, 2),)),
    Case("chunk_dim1", lambda L, x: x.chunk(2, dim=1)[0], ((2, 3),)),
    Case("unbind", lambda L, x: L.unbind(x)[1], ((3, 2),)),
    Case("unbind_dim1", lambda L, x: x.unbind(1)[2], ((2, 4, 2),)),
    Case("narrow_fn", lambda L, x: L.narrow(x, 1, 1, 2), ((2, 4),)),
    # ---- flip, roll, rot90, movedim, swapaxes ----
    Case("flip", lambda L, x: L.flip(x, [0]), ((3, 4),)),
    Case("flip_two_dims", lambda L, x: x.flip(0, 2), ((2, 3, 2),)),
    Case("flip_neg_dim_tuple", lambda L, x: x.flip((-1,)), ((2, 3),)),
    Case("fliplr", lambda L, x: L.fliplr(x), ((3, 4),)),
    Case("flipud", lambda L, x: x.flipud(), ((3, 2),)),
    Case("flip_transposed", lambda L, x: x.t().flip(1), ((3, 4),)),
    Case("roll_flat", lambda L, x: L.roll(x, 2), ((3, 4),)),
    Case("roll_dim", lambda L, x: x.roll(-1, 1), ((3, 4),)),
    Case("roll_two_dims", lambda L, x: x.roll((1, 5), (0, 1)), ((3, 4),)),
    Case("rot90", lambda L, x: L.rot90(x), ((3, 4),)),
    Case("rot90_k2", lambda L, x: x.rot90(2), ((3, 4),)),
    Case("rot90_k3_dims", lambda L, x: x.rot90(3, [2, 0]), ((2, 3, 4),)),
    Case("rot90_neg_k", lambda L, x: L.rot90(x, -1, (0, 1)), ((2, 3),)),
    Case("rot90_k0", lambda L, x: L.rot90(x, 0), ((2, 3),)),
    Case("movedim", lambda L, x: L.movedim(x, 0, 2), ((2, 3, 4),)),
    Case("movedim_lists", lambda L, x: x.movedim((0, 1), (-1, 0)), ((2, 3, 4),)),
    Case("moveaxis", lambda L, x: L.moveaxis(x, -1, 0), ((2, 3, 4),)),
    Case("swapaxes", lambda L, x: L.swapaxes(x, 0, 2), ((2, 3, 4),)),
    Case("swapdims_method", lambda L, x: x.swapdims(1, 0), ((2, 3),)),
]

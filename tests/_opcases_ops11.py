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

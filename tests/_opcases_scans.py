"""Op-table rows for chainrule/ops/scans.py (see _opcases.py; appended to its CASES)."""
from _opcases import Case  # noqa: F401

CASES = [
    # ---- scans ----
    Case("cumsum", lambda L, x: L.cumsum(x, 1), ((3, 4),)),
    Case("cumsum_method_dim0", lambda L, x: x.cumsum(0), ((3, 4),)),
    Case("cumsum_neg_dim_3d", lambda L, x: x.cumsum(dim=-1), ((2, 3, 4),)),
    Case("cumsum_dtype", lambda L, x: L.cumsum(x, 0, dtype=L.float64), ((5,),)),
    Case("cumsum_0d", lambda L, x: x.cumsum(0), ((),)),
    Case("cumsum_empty", lambda L, x: x.cumsum(1), ((2, 0),)),
    Case("cumprod", lambda L, x: L.cumprod(x, 1), ((3, 4),)),
    Case("cumprod_method_dim0", lambda L, x: x.cumprod(0), ((4, 3),)),
    Case("cumprod_3d", lambda L, x: x.cumprod(dim=1), ((2, 3, 2),)),
    Case("cumprod_0d", lambda L, x: x.cumprod(0), ((),)),
    Case("cumprod_with_zeros", lambda L, x: (x * L.tensor([1.0, 0.0, 1.0, 0.0, 1.0], dtype=x.dtype)).cumprod(0),
         ((5,),)),
    Case("logcumsumexp", lambda L, x: L.logcumsumexp(x, 1), ((3, 5),)),
    Case("logcumsumexp_method", lambda L, x: x.logcumsumexp(0), ((4, 3),)),
    Case("logcumsumexp_large", lambda L, x: L.logcumsumexp(x + 1000.0, -1), ((2, 4),)),
    Case("logcumsumexp_0d", lambda L, x: x.logcumsumexp(0), ((),)),
]

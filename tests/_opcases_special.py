"""Op-table rows for chainrule/ops/special.py (see _opcases.py; appended to its CASES).

The gamma family is also run left of zero (shifted inputs that stay clear of
the poles at the non-positive integers), where the reflection formulas work."""
from _opcases import Case  # noqa: F401

CASES = [
    Case("erf", lambda L, x: L.erf(x), ((3, 4),)),
    Case("erf_method_0d", lambda L, x: x.erf(), ((),)),
    Case("erf_empty", lambda L, x: L.erf(x), ((0, 3),)),
    Case("erf_wide", lambda L, x: L.erf(3 * x), ((5,),)),
    Case("erf_bcast", lambda L, x, y: L.erf(x * y), ((2, 3), (3,))),
    Case("erfc", lambda L, x: L.erfc(x), ((3, 4),)),
    Case("erfc_tail", lambda L, x: x.erfc() * 1e3, ((4,),), "pos"),
    Case("erfc_0d", lambda L, x: L.erfc(x), ((),)),
    Case("erfinv", lambda L, x: L.erfinv(0.9 * x), ((3, 4),), "small"),
    Case("erfinv_method_0d", lambda L, x: (0.5 * x).erfinv(), ((),), "small"),
    Case("erfinv_empty", lambda L, x: L.erfinv(x), ((0,),), "small"),
    Case("lgamma", lambda L, x: L.lgamma(x), ((3, 4),), "pos"),
    Case("lgamma_large", lambda L, x: x.lgamma() * 0 + L.lgamma(10 * x), ((4,),), "pos"),
    Case("lgamma_negative", lambda L, x: L.lgamma(0.3 * x - 2.9), ((3, 2),), "pos"),
    Case("lgamma_0d", lambda L, x: x.lgamma(), ((),), "pos"),
    Case("lgamma_empty", lambda L, x: L.lgamma(x), ((2, 0),), "pos"),
    Case("digamma", lambda L, x: L.digamma(x), ((3, 4),), "pos"),
    Case("digamma_negative", lambda L, x: L.digamma(0.3 * x - 2.9), ((5,),), "pos"),
    Case("digamma_large", lambda L, x: x.digamma() + L.digamma(20 * x), ((4,),), "pos"),
    Case("digamma_0d", lambda L, x: x.digamma(), ((),), "pos"),
    Case("digamma_bcast", lambda L, x, y: L.digamma(x + y), ((2, 3), (3,)), "pos"),
    Case("polygamma1", lambda L, x: L.polygamma(1, x), ((3, 4),), "pos"),
    Case("polygamma2_method", lambda L, x: x.polygamma(2), ((4,),), "pos"),
    Case("polygamma3_negative", lambda L, x: L.polygamma(3, 0.3 * x - 2.9), ((4,),), "pos"),
    Case("polygamma0", lambda L, x: L.polygamma(0, x), ((3,),), "pos"),
    Case("polygamma_0d", lambda L, x: L.polygamma(1, x), ((),), "pos"),
    Case("polygamma_empty", lambda L, x: L.polygamma(2, x), ((0, 2),), "pos"),
    Case("special_erf", lambda L, x: L.special.erf(x), ((3,),)),
    Case("special_gammaln", lambda L, x: L.special.gammaln(x), ((3,),), "pos"),
    Case("special_psi", lambda L, x: L.special.psi(x), ((3,),), "pos"),
    Case("special_polygamma", lambda L, x: L.special.polygamma(1, x), ((3,),), "pos"),
    Case("special_expit", lambda L, x: L.special.expit(x), ((3,),)),
    Case("special_entr", lambda L, x: L.special.entr(x), ((3, 4),), "pos"),
    Case("special_entr_0d", lambda L, x: L.special.entr(x), ((),), "pos"),
    Case("special_xlogy", lambda L, x, y: L.special.xlogy(x, y), ((3,), (3,)), "pos"),
]
CASES += [
    Case("i0", lambda L, x: L.i0(x), ((3, 4),)),
    Case("i0_wide_method", lambda L, x: (4 * x).i0(), ((5,),)),
    Case("i0_0d_special", lambda L, x: L.special.i0(x), ((),)),
    Case("special_i1", lambda L, x: L.special.i1(x), ((3, 4),)),
    Case("special_i1_wide", lambda L, x: L.special.i1(4 * x), ((5,),)),
    Case("special_i1_at_zero", lambda L, x: L.special.i1(x * 0), ((3,),)),
    Case("special_i1_empty", lambda L, x: L.special.i1(x), ((0, 2),)),
]

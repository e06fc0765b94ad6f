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

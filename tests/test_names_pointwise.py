"""The elementwise ops of chainrule/ops/pointwise_more.py side by side with torch:
the non-differentiable ones (heaviside, gcd, lcm, isin, isposinf, isneginf, frexp's
exponent), integer and mixed dtypes, in-place forms and PyTorch's errors.  Their
gradients are in the op table (tests/_opcases_names.py)."""
import math

import numpy as np
import pytest

from _twin import both, raises_same, vals, name

INF, NAN = math.inf, math.nan


def _t(lib, v, dt=None):
    return lib.tensor(v, dtype=getattr(lib, dt) if dt else None)


def test_heaviside():
    def scenario(lib):
        x = _t(lib, [-1.5, 0.0, 2.0, 0.0, NAN])
        r = lib.heaviside(x, _t(lib, [0.5, 0.5, 0.5, 7.0, 0.5]))
        ri = lib.heaviside(_t(lib, [-2, 0, 3]), _t(lib, [9]))
        g = _t(lib, [1.0, 0.0], "float64").requires_grad_()
        rg = lib.heaviside(g * 1, _t(lib, 0.5, "float64"))
        y = _t(lib, [0.0, -1.0])
        y.heaviside_(_t(lib, [2.0, 2.0]))
        return vals(r), str(r.dtype), vals(ri), str(ri.dtype), name(rg), vals(y), y._version
    got = both(scenario)
    np.testing.assert_array_equal(got[0][:4], [0.0, 0.5, 1.0, 7.0])
    raises_same(lambda lib: lib.heaviside(_t(lib, [1.0]), _t(lib, [1])), RuntimeError)
    raises_same(lambda lib: lib.heaviside(_t(lib, [1.0]), 0.5), TypeError)
    raises_same(lambda lib: lib.heaviside(_t(lib, [1.0, 2.0], "float64").requires_grad_(),
                                          _t(lib, [0.5], "float64")).sum().backward(),
                RuntimeError)


@pytest.mark.parametrize("fn", ["gcd", "lcm"])
def test_gcd_lcm(fn):
    def scenario(lib):
        a = _t(lib, [12, -18, 0, 7, 0], "int32")
        b = _t(lib, [8, 12, 5, -21, 0], "int32")
        r = getattr(lib, fn)(a, b)
        rb = getattr(lib, fn)(_t(lib, [[6], [-4]], "int64"), _t(lib, [4, 9], "int16"))
        c = _t(lib, [4, 6], "int8")
        getattr(c, fn + "_")(_t(lib, [6, 4], "int8"))
        d = _t(lib, [10, 15])
        getattr(lib, fn + "_")(d, _t(lib, [4, 6]))
        return vals(r), str(r.dtype), vals(rb), str(rb.dtype), vals(c), c._version, vals(d)
    both(scenario)
    raises_same(lambda lib: getattr(lib, fn)(_t(lib, [1.0]), _t(lib, [2.0])), NotImplementedError)
    raises_same(lambda lib: getattr(lib, fn)(_t(lib, [1]), _t(lib, [2.0])), NotImplementedError)
    raises_same(lambda lib: getattr(lib, fn)(_t(lib, [True]), _t(lib, [False])),
                NotImplementedError)


def test_gcd_values_without_torch():
    import chainrule as cr
    assert cr.gcd(cr.tensor([12, -18]), cr.tensor([8, 12])).tolist() == [4, 6]
    assert cr.lcm(cr.tensor([4, -6]), cr.tensor([6, 4])).tolist() == [12, 12]


def test_isposinf_isneginf_isin():
    def scenario(lib):
        x = _t(lib, [INF, -INF, 1.0, NAN, 0.0])
        r = (lib.isposinf(x), lib.isneginf(x), x.isposinf(), lib.isneginf(_t(lib, [1, 2])),
             lib.isposinf(_t(lib, 2.0, "float64")))
        e = _t(lib, [[1, 2], [3, 4]])
        s = (lib.isin(e, _t(lib, [2, 4, 9])), lib.isin(e, _t(lib, [2.0, 3.5])),
             lib.isin(e, 3), lib.isin(2, _t(lib, [1, 2])), lib.isin(_t(lib, [1.0, NAN]), 1.0),
             lib.isin(e, _t(lib, [1, 4]), invert=True),
             lib.isin(e, _t(lib, [1, 4]), assume_unique=True),
             lib.isin(_t(lib, []), _t(lib, [1.0])), lib.isin(e, _t(lib, [], "int64")))
        return [(vals(t), str(t.dtype), tuple(t.shape)) for t in r + s]
    got = both(scenario)
    np.testing.assert_array_equal(got[0][0], [True, False, False, False, False])


def test_frexp():
    def scenario(lib):
        x = _t(lib, [0.0, 1.0, -3.5, 1e-3, 1024.0, INF, NAN])
        m, e = lib.frexp(x)
        r = x.frexp()
        h = lib.frexp(_t(lib, [6.0, -0.25], "float64"))
        return (vals(m), str(m.dtype), vals(e), str(e.dtype), vals(r.mantissa),
                vals(r.exponent), vals(h.mantissa), str(h.mantissa.dtype), str(h.exponent.dtype),
                type(r).__name__)
    got = both(scenario)
    np.testing.assert_array_equal(got[2][:5], [0, 1, 2, -9, 11])
    raises_same(lambda lib: lib.frexp(_t(lib, [1, 2])), RuntimeError)


def test_fmax_fmin_nan_and_ints():
    def scenario(lib):
        a = _t(lib, [1.0, NAN, NAN, -2.0])
        b = _t(lib, [NAN, 3.0, NAN, -1.0])
        ai = _t(lib, [1, 5], "int32")
        bi = _t(lib, [4, 2], "int64")
        xs = lib.tensor([1.0, NAN, 2.0], dtype=lib.float64, requires_grad=True)
        ys = lib.tensor([NAN, 1.0, 2.0], dtype=lib.float64, requires_grad=True)
        lib.fmax(xs, ys).sum().backward()
        gx, gy = xs.grad, ys.grad
        return (vals(lib.fmax(a, b)), vals(lib.fmin(a, b)), vals(lib.fmax(ai, bi)),
                str(lib.fmin(ai, bi).dtype), str(lib.fmax(a, _t(lib, [1], "int64")).dtype),
                vals(gx), vals(gy))
    got = both(scenario)
    np.testing.assert_array_equal(got[0][[0, 1, 3]], [1.0, 3.0, -1.0])
    raises_same(lambda lib: lib.fmax(_t(lib, [1.0]), 2.0), TypeError)
    raises_same(lambda lib: lib.fmin(_t(lib, [1.0, 2.0]), _t(lib, [1.0, 2.0, 3.0])), RuntimeError)


def test_addcmul_addcdiv_dtypes_inplace_errors():
    def scenario(lib):
        i = lib.addcmul(_t(lib, [1, 2]), _t(lib, [1, 3]), _t(lib, [2, 2]), value=3)
        f = lib.addcdiv(_t(lib, [1, 2]), _t(lib, [1.0, 3.0]), _t(lib, [2, 2]))
        m = lib.addcmul(_t(lib, [1.0], "float64"), _t(lib, [2.0]), _t(lib, [3]))
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y.addcmul_(x, x, value=0.5)
        y.addcdiv_(x, _t(lib, [2.0, 4.0]))
        y.sum().backward()
        return (vals(i), str(i.dtype), vals(f), str(f.dtype), str(m.dtype), vals(y), name(y),
                y._version, vals(x.grad))
    got = both(scenario)
    np.testing.assert_array_equal(got[0], [7, 20])
    raises_same(lambda lib: lib.addcdiv(_t(lib, [1]), _t(lib, [1]), _t(lib, [2])), RuntimeError)
    raises_same(lambda lib: lib.addcmul(_t(lib, [1.0, 2.0]), _t(lib, [1.0, 2.0, 3.0]),
                                        _t(lib, [1.0])), RuntimeError)
    raises_same(lambda lib: _t(lib, [1, 2]).addcmul_(_t(lib, [1.0]), _t(lib, [1.0])),
                RuntimeError)


def test_ldexp_nextafter_float_power_dtypes_inplace():
    def scenario(lib):
        a = lib.ldexp(_t(lib, [1, 3]), _t(lib, [3, -1]))
        b = lib.ldexp(_t(lib, [1.5], "float64"), _t(lib, [2]))
        c = lib.nextafter(_t(lib, [1.0, 0.0]), _t(lib, [2.0, -1.0]))
        d = lib.float_power(_t(lib, [2, 3]), 2)
        e = lib.float_power(_t(lib, [4.0]), _t(lib, [0.5]))
        f = _t(lib, [2.0, 3.0], "float64")
        f.float_power_(2)
        g = _t(lib, [1.0, 2.0])
        g.ldexp_(_t(lib, [1.0, 2.0]))
        h = _t(lib, [1.0], "float64")
        lib.ldexp_(h, _t(lib, [3.0], "float64"))
        return [(vals(t), str(t.dtype)) for t in (a, b, c, d, e, f, g, h)] + [
            (c - _t(lib, [1.0, 0.0])).tolist()]
    got = both(scenario)
    np.testing.assert_array_equal(got[0][0], [8.0, 1.5])
    raises_same(lambda lib: lib.nextafter(_t(lib, [1]), _t(lib, [2])), NotImplementedError)
    raises_same(lambda lib: _t(lib, [2.0]).float_power_(2), RuntimeError)
    raises_same(lambda lib: lib.ldexp(_t(lib, [1.0]), 2), TypeError)


def test_positive():
    def scenario(lib):
        x = _t(lib, [1, -2])
        return lib.positive(x) is x, x.positive() is x
    both(scenario)
    raises_same(lambda lib: lib.positive(_t(lib, [True])), RuntimeError)

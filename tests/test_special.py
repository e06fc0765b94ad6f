"""Accuracy of chainrule's special functions (chainrule/ops/_special.py)
against PyTorch over wide ranges, in float64 and float32, and their values
at the poles, infinities and nan.

float64: within a few ulps of torch (relative 1e-14 where the function is
away from its zeros; an absolute floor of 1e-14 where it crosses zero, since
there every method loses relative accuracy).  float32: chainrule rounds a
float64 result, torch computes in float32, so the bound is a few float32 ulps
with an absolute floor near zeros and poles.
"""
import math

import numpy as np
import pytest

import chainrule as cr

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs the torch reference")

_RNG = np.random.default_rng(11)
_WIDE = np.concatenate([np.linspace(-30, 30, 6001), _RNG.standard_normal(500) * 5,
                        np.logspace(-300, 300, 121), -np.logspace(-300, 2, 61)])
_UNIT = np.concatenate([np.linspace(-1, 1, 4001), 1 - np.logspace(-16, -1, 60),
                        -np.logspace(-300, -1, 60)])
_SPECIAL = np.array([0.0, -0.0, math.inf, -math.inf, math.nan, -1.0, -2.0, -7.0, 1.0, 2.0, 0.5,
                     -0.5, 1e308, -1e308])

# name, chainrule function, torch function, inputs, float64 rtol, atol (f64), float32 rtol, atol
_FUNCS = [
    ("erf", cr.erf, lambda t: torch.erf(t), _WIDE, 4e-15, 0, 3e-7, 1e-30),
    ("erfc", cr.erfc, lambda t: torch.erfc(t), _WIDE[np.abs(_WIDE) < 26], 1e-14, 0, 3e-7, 1e-37),
    ("erfinv", cr.erfinv, lambda t: torch.erfinv(t), _UNIT, 4e-15, 0, 3e-7, 0),
    ("lgamma", cr.lgamma, lambda t: torch.lgamma(t), _WIDE, 1e-14, 1e-14, 3e-6, 1e-5),
    ("digamma", cr.digamma, lambda t: torch.digamma(t), _WIDE, 1e-14, 1e-14, 3e-6, 1e-4),
    ("polygamma1", lambda x: cr.polygamma(1, x), lambda t: torch.polygamma(1, t),
     _WIDE[(_WIDE > 0) | (np.abs(_WIDE) < 20)], 1e-8, 1e-14, 3e-5, 1e-5),   # (torch's trigamma:
    # 1e-9 relative, e.g. pi^2/6 at 1 as 1.6449340676; test_values_from_mathematics is exact)
    ("polygamma2", lambda x: cr.polygamma(2, x), lambda t: torch.polygamma(2, t),
     _WIDE[(_WIDE > 0) | (np.abs(_WIDE) < 20)], 1e-13, 1e-12, 1e-4, 1e-4),
    ("polygamma5", lambda x: x.polygamma(5), lambda t: t.polygamma(5),
     _WIDE[(_WIDE > 0) & (_WIDE < 1e40)], 1e-14, 0, 3e-6, 1e-30),
]


_FUNCS += [
    ("i0", cr.i0, lambda t: torch.i0(t), _WIDE[np.abs(_WIDE) < 1e3], 1e-13, 0, 3e-6, 0),
    ("i1", cr.special.i1, lambda t: torch.special.i1(t), _WIDE[np.abs(_WIDE) < 1e3], 1e-13, 0, 3e-6, 0),
]


_PROB = np.concatenate([np.linspace(0, 1, 2001), np.logspace(-300, 0, 121),
                        1 - np.logspace(-16, 0, 60), [-1.0, 2.0, math.nan]])
_FUNCS += [
    ("erfcx", cr.special.erfcx, lambda t: torch.special.erfcx(t), _WIDE, 1e-14, 0, 4e-6, 0),
    ("log_ndtr", cr.special.log_ndtr, lambda t: torch.special.log_ndtr(t), _WIDE, 1e-14, 1e-300,
     2e-5, 1e-30),                # (torch's float32 kernel: a few 1e-6 in the upper tail)
    ("ndtri", cr.special.ndtri, lambda t: torch.special.ndtri(t), _PROB, 1e-13, 0, 3e-6, 0),
    ("i0e", cr.special.i0e, lambda t: torch.special.i0e(t), _WIDE, 1e-14, 0, 3e-6, 0),
    ("i1e", cr.special.i1e, lambda t: torch.special.i1e(t), _WIDE, 1e-14, 0, 3e-6, 1e-37),
]


def _agree(mine, ref, rtol, atol):
    mine, ref = np.asarray(mine), np.asarray(ref)
    same = (mine == ref) | (np.isnan(mine) & np.isnan(ref))
    finite = np.isfinite(mine) & np.isfinite(ref)
    m, r = np.where(finite, mine, 0.0), np.where(finite, ref, 0.0)
    close = finite & (np.abs(m - r) <= atol + rtol * np.abs(r))
    ok = same | close
    return ok.all(), list(zip(np.asarray(mine)[~ok][:3], ref[~ok][:3]))


@needs_torch
@pytest.mark.parametrize("name, mine, ref, xs, rtol64, atol64, rtol32, atol32", _FUNCS,
                         ids=[f[0] for f in _FUNCS])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_accuracy_against_torch(name, mine, ref, xs, rtol64, atol64, rtol32, atol32, dtype):
    # Near the negative poles torch loses digits (its reduction of x near an
    # integer; mpmath agrees with chainrule there, e.g. digamma(-7.99834644...)
    # = -602.61000659704(33), torch ...0073): compare the gamma family on the
    # negative side only away from the poles.
    away = 0.05
    if dtype == "float32":
        xs = xs[(np.abs(xs) < 3e38)]
        rtol, atol = rtol32, atol32
        away = 0.15
    else:
        rtol, atol = rtol64, atol64
    if name.startswith(("lgamma", "digamma", "polygamma")):
        xs = xs[(xs > 0) | (np.abs(xs - np.rint(xs)) > away)]
    a = xs.astype(dtype)
    got = mine(cr.tensor(a))
    want = ref(torch.tensor(a))
    assert str(got.dtype) == str(want.dtype)
    ok, bad = _agree(got.numpy(), want.numpy(), rtol, atol)
    assert ok, f"{name} {dtype}: chainrule vs torch {bad}"


@needs_torch
@pytest.mark.parametrize("fn", ["erf", "erfc", "erfinv", "lgamma", "digamma"])
def test_special_values_match_torch(fn):
    xs = np.concatenate([_SPECIAL, [1.5, -1.5, 1 - 1e-16]])
    for dtype in ("float64", "float32"):
        got = getattr(cr, fn)(cr.tensor(xs, dtype=getattr(cr, dtype))).numpy()
        want = getattr(torch, fn)(torch.tensor(xs, dtype=getattr(torch, dtype))).numpy()
        np.testing.assert_allclose(got, want, rtol=3e-6 if dtype == "float32" else 4e-15,
                                   atol=0 if dtype == "float32" else 1e-15, equal_nan=True)
        assert (np.signbit(got) == np.signbit(want))[~np.isnan(want)].all()


@needs_torch
@pytest.mark.parametrize("n", [1, 2, 3])
def test_polygamma_special_values(n):
    # At the negative integers torch's trigamma returns rounding noise of a
    # pole (sin(pi x) is not exactly 0): chainrule gives the pole's inf there,
    # as torch does for polygamma(n >= 2) and at 0.
    xs = np.array([0.0, math.inf, math.nan, 1.0, 0.5, -0.5, -1.5, 1e10])
    got = cr.polygamma(n, cr.tensor(xs, dtype=cr.float64)).numpy()
    want = torch.polygamma(n, torch.tensor(xs, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-8 if n == 1 else 1e-13, equal_nan=True)


def test_values_from_mathematics():
    """Known closed forms (no torch needed)."""
    x = cr.tensor([0.5, 1.0, 2.0, 5.0], dtype=cr.float64)
    np.testing.assert_allclose(cr.lgamma(x).numpy(),
                               [0.5 * math.log(math.pi), 0.0, 0.0, math.log(24.0)], atol=1e-15)
    g = 0.5772156649015329
    np.testing.assert_allclose(cr.digamma(x).numpy(),
                               [-g - 2 * math.log(2), -g, 1 - g, 1 + 1 / 2 + 1 / 3 + 1 / 4 - g],
                               rtol=1e-15)
    np.testing.assert_allclose(cr.polygamma(1, cr.tensor([1.0, 0.5], dtype=cr.float64)).numpy(),
                               [math.pi ** 2 / 6, math.pi ** 2 / 2], rtol=1e-15)
    e = cr.tensor([0.1, 1.0, 3.0, -2.0], dtype=cr.float64)
    np.testing.assert_allclose(cr.erf(e).numpy(), [math.erf(v) for v in [0.1, 1.0, 3.0, -2.0]],
                               rtol=5e-16)
    np.testing.assert_allclose(cr.erfc(e).numpy(), [math.erfc(v) for v in [0.1, 1.0, 3.0, -2.0]],
                               rtol=1e-15)
    np.testing.assert_allclose(cr.erfc(cr.tensor([10.0, 20.0], dtype=cr.float64)).numpy(),
                               [math.erfc(10.0), math.erfc(20.0)], rtol=1e-14)
    y = cr.tensor([-0.999, -0.3, 0.0, 0.7, 0.9999999], dtype=cr.float64)
    np.testing.assert_allclose(cr.erf(cr.erfinv(y)).numpy(), y.numpy(), rtol=1e-15)
    lg = [math.lgamma(v) for v in (-0.5, -2.5, -10.3, 171.5, 1e5)]
    np.testing.assert_allclose(cr.lgamma(cr.tensor([-0.5, -2.5, -10.3, 171.5, 1e5],
                                                   dtype=cr.float64)).numpy(), lg, rtol=1e-14)


def test_integer_inputs_give_float32_and_methods_inplace():
    assert cr.erf(cr.tensor([1, 2])).dtype == cr.float32
    assert cr.lgamma(cr.tensor([True])).dtype == cr.float32
    x = cr.tensor([0.5, 2.0], dtype=cr.float64)
    for name in ("erf", "erfc", "lgamma", "digamma"):
        y = x.clone()
        getattr(y, name + "_")()
        np.testing.assert_array_equal(y.numpy(), getattr(cr, name)(x).numpy())
    y = x.clone().polygamma_(2)
    np.testing.assert_array_equal(y.numpy(), x.polygamma(2).numpy())
    assert cr.special.psi is cr.special.digamma and cr.special.gammaln is cr.lgamma


def test_any_order_derivative():
    """lgamma -> digamma -> polygamma(1) -> polygamma(2)...: each derivative is the next."""
    x = cr.tensor(1.7, dtype=cr.float64, requires_grad=True)
    y = cr.lgamma(x)
    for n in range(5):
        (y,) = cr.autograd.grad(y, x, create_graph=True)
        want = cr.polygamma(n, x.detach()).item()
        assert y.item() == pytest.approx(want, rel=1e-13)


def test_polygamma_errors_without_torch():
    with pytest.raises(RuntimeError, match=r"^polygamma\(n, x\) does not support negative n\.$"):
        cr.polygamma(-1, cr.ones(2))
    with pytest.raises(TypeError, match=r"argument 'n' \(position 1\) must be int, not float"):
        cr.polygamma(1.5, cr.ones(2))

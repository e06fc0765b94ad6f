"""Special functions as pure array functions: erf, erfc, erfinv, lgamma,
digamma, polygamma.

NumPy has no vectorised erf or gamma family, and chainrule may not depend on
SciPy, so these are written here from textbook series, each taking the array
namespace `xp` (NumPy's by default; CuPy's or the strict test type's work the
same).  Every function computes in float64 and rounds to the input's float
dtype at the end, so float32 results are float64 values correctly rounded
(PyTorch's float32 kernels are within an ulp or two of that).

The methods (all standard mathematics, derived and coded here):
  erf, erfc  _erf.py's piecewise Taylor series (coefficients from math.erf and
         the Hermite recurrence) and, for erfc beyond 4, Laplace's continued fraction.
  erfinv a rough closed-form start (Winitzki's), then Halley steps on
         erf(y) = x, or on erfc(y) = 1 - |x| for |x| > 0.5 (1 - |x| is exact
         there, so the tail keeps its relative accuracy).
  lgamma Taylor series about 2 with the coefficients (zeta(k) - 1)/k, which
         fall like 2^-k:  lgamma(2 + z) = (1 - gamma) z + sum_k (-1)^k (zeta(k) - 1) z^k / k,
         about 1 via lgamma(1 + z) = lgamma(2 + z) - log1p(z); downward
         recurrence from [2.5, 10) (sums of positive logs); Stirling's series
         from 10; the reflection formula for x <= 0 with sin(pi x) reduced
         exactly (x - round(x)).
  digamma the same plan: psi(2 + z) = 1 - gamma + sum_k (-1)^k (zeta(k) - 1) z^(k-1),
         recurrence, the asymptotic series from 10, reflection (pi cot(pi x)).
  polygamma(n >= 1) psi^(n)(x) = (-1)^(n+1) n! zeta(n+1, x): the Hurwitz zeta
         by Euler-Maclaurin summation (a direct sum up to x + N, then the
         integral, half term and Bernoulli corrections); x < 0 by reflection,
         psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi d^n/dx^n cot(pi x), the
         derivatives of cot as polynomials in cot.
Poles follow PyTorch: lgamma is +inf at 0 and the negative integers, digamma
-inf at +0 (+inf at -0) and nan at the negative integers, polygamma(n >= 1)
(-1)^(n+1) inf at them.
"""
import math
from fractions import Fraction

from .. import _dtypes
from . import _backend, _erf

__all__ = ["erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "i0", "i1", "erfcx",
           "log_ndtr", "ndtri", "i0e", "i1e"]

_XP = _backend.NUMPY.xp
_FLOAT64 = _dtypes.float64.np
_SQRT_PI = math.sqrt(math.pi)
_TWO_OVER_SQRT_PI = 2.0 / _SQRT_PI
_EULER = 0.57721566490153286060651209
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _bernoulli(count):
    """B_0 .. B_{count-1} as Fractions (the Akiyama-Tanigawa recurrence)."""
    out = []
    a = []
    for m in range(count):
        a.append(Fraction(1, m + 1))
        for j in range(m, 0, -1):
            a[j - 1] = j * (a[j - 1] - a[j])
        out.append(a[0])
    out[1] = -out[1] if out[1] > 0 else out[1]          # the B_1 = -1/2 convention
    return out


_B = _bernoulli(42)
_B2K = [float(_B[2 * k]) for k in range(21)]             # B_0, B_2, ..., B_40


def _zeta_minus_one(s):
    """zeta(s) - 1 for an integer s >= 2, in plain Python floats: the sum over
    n = 2..N-1 plus Euler-Maclaurin's tail from N (exact to double precision)."""
    n_top = 12
    total = sum(n ** -float(s) for n in range(2, n_top))
    tail = n_top ** (1.0 - s) / (s - 1) + 0.5 * n_top ** -float(s)
    rising = float(s)                                     # s (s+1) ... (s+2k-2)
    for k in range(1, 12):
        tail += _B2K[k] / math.factorial(2 * k) * rising * n_top ** (-s - 2 * k + 1.0)
        rising *= (s + 2 * k - 1) * (s + 2 * k)
    return total + tail


_TAYLOR_TERMS = 44
_ZM1 = [0.0, 0.0] + [_zeta_minus_one(k) for k in range(2, _TAYLOR_TERMS + 2)]
# lgamma(2 + z) - (1 - gamma) z = sum_{k>=2} c_k z^k,  c_k = (-1)^k (zeta(k) - 1) / k
_LGAMMA2 = [(-1) ** k * _ZM1[k] / k for k in range(2, _TAYLOR_TERMS + 2)]
# psi(2 + z) - (1 - gamma) = sum_{k>=2} d_k z^(k-1),  d_k = (-1)^k (zeta(k) - 1)
_DIGAMMA2 = [(-1) ** k * _ZM1[k] for k in range(2, _TAYLOR_TERMS + 2)]


def _horner(coeffs, z):
    """sum_i coeffs[i] z^i."""
    acc = 0.0 * z + coeffs[-1]
    for c in reversed(coeffs[:-1]):
        acc = acc * z + c
    return acc


def _float64(x, xp):
    if x.dtype.kind == "c":            # (these series are for real arguments only)
        raise NotImplementedError("chainrule's special functions are not implemented for "
                                  "complex inputs")
    return x.astype(_FLOAT64)


def _result(r, x):
    """r (float64) in x's float dtype (integers give float32 in the public ops)."""
    return r.astype(x.dtype) if x.dtype.kind == "f" and x.dtype.itemsize != 8 else r


# --- erf / erfc ------------------------------------------------------------------------
def _exp_minus_square(x, xp):
    """e^{-x^2} without the rounding of x*x (which costs x^2 ulps of relative
    accuracy in the tail): x = h + l with h a multiple of 1/16, so h*h is exact."""
    h = xp.floor(x * 16.0) / 16.0
    return xp.exp(-h * h) * xp.exp(-(x - h) * (x + h))


def erf(x, *, xp=_XP):
    """The error function, elementwise (_erf.py's piecewise Taylor series, in float64)."""
    return _result(_erf.erf(_float64(x, xp), xp), x)


def erfc(x, *, xp=_XP):
    """The complementary error function 1 - erf(x), accurate in the tail."""
    return _result(_erf.erfc(_float64(x, xp), xp), x)


def erfinv(x, *, xp=_XP):
    """The inverse of erf on [-1, 1]: +-inf at +-1, nan outside."""
    d = _float64(x, xp)
    a = xp.abs(d)
    inside = a < 1.0
    a_in = xp.where(inside, a, 0.5)
    # Winitzki's closed form (relative error ~2e-3) as the starting point.
    w = xp.log((1.0 - a_in) * (1.0 + a_in))
    c = 2.0 / (math.pi * 0.147) + 0.5 * w
    y = xp.sqrt(xp.sqrt(c * c - w / 0.147) - c)
    tail = a_in > 0.5
    target = xp.where(tail, 1.0 - a_in, a_in)              # exact: Sterbenz
    for _ in range(3):                                      # Halley: cubic convergence
        resid = xp.where(tail, target - erfc(y, xp=xp), erf(y, xp=xp) - target)
        step = resid / (_TWO_OVER_SQRT_PI * xp.exp(-y * y))  # f / f'
        y = y - step / (1.0 + y * step)                     # f'' / f' = -2y
    r = xp.where(inside, y, xp.where(a == 1.0, math.inf, math.nan))
    r = xp.copysign(r, d)
    r = xp.where(xp.isnan(d), d, r)
    return _result(r, x)


# --- lgamma / digamma ----------------------------------------------------------------------
_ASYMPTOTIC_FROM = 10.0
_RECURRENCE_STEPS = 8       # from [2.5, 10) down to [1.5, 2.5)


def _lgamma_near2(z):
    """lgamma(2 + z), |z| <= 0.5."""
    return (1.0 - _EULER) * z + z * z * _horner(_LGAMMA2, z)


def _lgamma_pos(x, xp):
    """lgamma(x) for x > 0 (finite)."""
    # [10, inf): Stirling, (x - 1/2) log x - x + log(2 pi)/2 + sum B_2k / (2k (2k-1) x^(2k-1))
    big = xp.maximum(x, _ASYMPTOTIC_FROM)
    inv, inv2 = 1.0 / big, 1.0 / (big * big)
    series = _horner([_B2K[k] / (2 * k * (2 * k - 1)) for k in range(1, 10)], inv2) * inv
    logx = xp.log(big)
    stirling = (big - 0.5) * logx - big + _HALF_LOG_2PI + series
    stirling = xp.where(big == math.inf, math.inf, stirling)      # (not inf - inf)
    # [1.5, 10): recur down into [1.5, 2.5): lgamma(x) = lgamma(x - m) + sum_j log(x - j)
    mid = xp.clip(x, 1.5, _ASYMPTOTIC_FROM)
    m = xp.floor(mid - 1.5)
    prod = xp.ones_like(mid)
    for j in range(1, _RECURRENCE_STEPS + 1):
        prod = prod * xp.where(m >= j, mid - j, 1.0)
    recurred = _lgamma_near2(mid - m - 2.0) + xp.log(prod)
    # (0, 1.5): lgamma(1 + z) = lgamma(2 + z) - log1p(z), and x < 0.5 also - log(x)
    low = xp.clip(x, 1e-300, 1.5)
    z = xp.where(low < 0.5, low, low - 1.0)
    near1 = _lgamma_near2(z) - xp.log1p(z)
    near1 = xp.where(low < 0.5, near1 - xp.log(low), near1)
    return xp.where(x >= _ASYMPTOTIC_FROM, stirling, xp.where(x >= 1.5, recurred, near1))


def _sinpi_reduced(x, xp):
    """x - round(x) (exact) and the integer test, for the reflection formulas."""
    r = x - xp.rint(x)
    return r, r == 0.0


def _cotpi(r, xp):
    """cot(pi r) for 0 < |r| <= 1/2 to full relative accuracy: near +-1/2,
    where cot crosses zero, as tan(pi (1/2 - |r|)) (1/2 - |r| is exact)."""
    a = xp.abs(r)
    far = a > 0.25
    near_half = xp.copysign(xp.tan(math.pi * xp.where(far, 0.5 - a, 0.25)), r)
    t = math.pi * xp.where(far, 0.25, r)
    return xp.where(far, near_half, xp.cos(t) / xp.sin(t))


def lgamma(x, *, xp=_XP):
    """log |Gamma(x)|, elementwise."""
    d = _float64(x, xp)
    neg = d <= 0.0
    pos = _lgamma_pos(xp.where(neg, 1.0 - xp.where(xp.isfinite(d), d, 0.0), d), xp)
    # x <= 0: log(pi / |sin(pi x)|) - lgamma(1 - x)
    r, integer = _sinpi_reduced(xp.where(neg & xp.isfinite(d), d, 0.25), xp)
    s = xp.abs(xp.sin(math.pi * xp.where(integer, 0.25, r)))
    reflected = math.log(math.pi) - xp.log(s) - pos
    out = xp.where(neg, xp.where(integer | xp.isinf(d), math.inf, reflected), pos)
    out = xp.where(d == 0.0, math.inf, out)
    out = xp.where(xp.isnan(d), d, out)
    return _result(out, x)


def _digamma_pos(x, xp):
    """psi(x) for x > 0 (finite)."""
    # [10, inf): log x - 1/(2x) - sum B_2k / (2k x^2k)
    big = xp.maximum(x, _ASYMPTOTIC_FROM)
    inv2 = 1.0 / (big * big)
    series = _horner([_B2K[k] / (2 * k) for k in range(1, 10)], inv2) * inv2
    asym = xp.log(big) - 0.5 / big - series
    # [1.5, 10): psi(x) = psi(x - m) + sum_j 1 / (x - j)
    mid = xp.clip(x, 1.5, _ASYMPTOTIC_FROM)
    m = xp.floor(mid - 1.5)
    acc = xp.zeros_like(mid)
    for j in range(1, _RECURRENCE_STEPS + 1):
        acc = acc + xp.where(m >= j, 1.0 / (mid - j), 0.0)
    z = mid - m - 2.0
    recurred = (1.0 - _EULER) + z * _horner(_DIGAMMA2, z) + acc
    # (0, 1.5): psi(1 + z) = psi(2 + z) - 1 / (1 + z), and x < 0.5 also - 1/x
    low = xp.clip(x, 1e-300, 1.5)
    z = xp.where(low < 0.5, low, low - 1.0)
    near1 = (1.0 - _EULER) + z * _horner(_DIGAMMA2, z) - 1.0 / (1.0 + z)
    near1 = xp.where(low < 0.5, near1 - 1.0 / low, near1)
    return xp.where(x >= _ASYMPTOTIC_FROM, asym, xp.where(x >= 1.5, recurred, near1))


def digamma(x, *, xp=_XP):
    """psi(x) = d/dx lgamma(x), elementwise."""
    d = _float64(x, xp)
    neg = d <= 0.0
    finite = xp.isfinite(d)
    pos = _digamma_pos(xp.where(neg, 1.0 - xp.where(finite, d, 0.0), d), xp)
    # x <= 0: psi(x) = psi(1 - x) - pi cot(pi x)
    r, integer = _sinpi_reduced(xp.where(neg & finite, d, 0.25), xp)
    reflected = pos - math.pi * _cotpi(xp.where(integer, 0.25, r), xp)
    out = xp.where(neg, xp.where(integer | ~finite, math.nan, reflected), pos)
    out = xp.where(d == 0.0, xp.copysign(math.inf, -d), out)   # PyTorch: -inf at +0, inf at -0
    out = xp.where(d == math.inf, math.inf, out)
    out = xp.where(xp.isnan(d), d, out)
    return _result(out, x)


# --- polygamma -------------------------------------------------------------------------------
def _cot_derivative_poly(n):
    """Coefficients (constant first) of Q_n with d^n/dt^n cot(t) = Q_n(cot t):
    Q_0 = c and Q_{k+1} = -(1 + c^2) Q_k'."""
    q = [0, 1]
    for _ in range(n):
        dq = [i * q[i] for i in range(1, len(q))] + [0]
        nxt = [0] * (len(dq) + 2)
        for i, c in enumerate(dq):
            nxt[i] -= c
            nxt[i + 2] -= c
        while len(nxt) > 1 and nxt[-1] == 0:
            nxt.pop()
        q = nxt
    return [float(c) for c in q]


def _hurwitz_zeta(s, q, xp):
    """zeta(s, q) = sum_{k>=0} (q + k)^-s for an integer s >= 2 and q > 0:
    the first N terms directly, the rest by Euler-Maclaurin."""
    n_direct = 12 + s                  # keeps the correction series convergent for large s
    total = xp.zeros_like(q)
    for k in range(n_direct):
        total = total + (q + k) ** -float(s)
    a = q + n_direct
    total = total + a ** (1.0 - s) / (s - 1) + 0.5 * a ** -float(s)
    rising = float(s)
    inv_a2 = 1.0 / (a * a)
    power = a ** (-s - 1.0)
    for k in range(1, 15):
        total = total + (_B2K[k] / math.factorial(2 * k) * rising) * power
        power = power * inv_a2
        rising *= (s + 2 * k - 1) * (s + 2 * k)
    return total


def polygamma(x, n, *, xp=_XP):
    """psi^(n)(x), the n-th derivative of digamma (n = 0: digamma itself)."""
    if n == 0:
        return digamma(x, xp=xp)
    d = _float64(x, xp)
    neg = d <= 0.0
    finite = xp.isfinite(d)
    q = xp.where(neg, 1.0 - xp.where(finite, d, 0.0), d)
    fact = float(math.factorial(n))
    sign = 1.0 if n % 2 else -1.0                          # (-1)^(n+1)
    pos = sign * fact * _hurwitz_zeta(n + 1, xp.where(finite, q, 1.0), xp)
    # psi^(n)(inf) = 0; PyTorch gives that for n = 1 and nan from n = 2 (its
    # Hurwitz zeta at infinity), and chainrule follows it
    pos = xp.where(finite, pos, 0.0 if n == 1 else math.nan)
    # x <= 0: psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi^(n+1) Q_n(cot(pi x))
    r, integer = _sinpi_reduced(xp.where(neg & finite, d, 0.25), xp)
    cot = _cotpi(xp.where(integer, 0.25, r), xp)
    reflected = (-sign) * pos - math.pi ** (n + 1) * _horner(_cot_derivative_poly(n), cot)
    out = xp.where(neg, xp.where(integer, sign * math.inf, reflected), pos)
    out = xp.where(d == -math.inf, math.nan, out)
    out = xp.where(xp.isnan(d), d, out)
    return _result(out, x)


# --- modified Bessel functions I0, I1 --------------------------------------------------------------
# |x| <= 30: the power series I_nu(x) = sum_k (x/2)^(2k+nu) / (k! (k+nu)!), positive terms
# (80 terms reach 1e-17 of the sum at 30); beyond, Hankel's asymptotic series
# I_nu(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k a_k(nu) / x^k, a_k = prod_j (4nu^2 - (2j-1)^2) / (k! 8^k),
# with e^x and the 1/sqrt(2 pi x) combined in one exp (I0 stays finite a little past e^x's overflow).
_BESSEL_SERIES_TERMS = 80
_BESSEL_SERIES_TO = 30.0


def _bessel_asymptotic_coeffs(nu, count):
    out, c = [], 1.0
    for k in range(count):
        out.append(c)
        j = k + 1
        c = c * -(4 * nu * nu - (2 * j - 1) ** 2) / (j * 8.0)
    return out


_HANKEL = {nu: _bessel_asymptotic_coeffs(nu, 18) for nu in (0, 1)}


def _bessel_i(a, nu, xp):
    """I_nu(a) for a >= 0 (float64), nu = 0 or 1."""
    small = xp.minimum(a, _BESSEL_SERIES_TO)
    q = 0.25 * small * small
    term = (0.5 * small) if nu else xp.ones_like(small)
    total = term
    for k in range(1, _BESSEL_SERIES_TERMS):
        term = term * q / (k * (k + nu))
        total = total + term
    big = xp.maximum(a, _BESSEL_SERIES_TO)
    inv = 1.0 / big
    series = _horner([c for c in _HANKEL[nu]], inv)
    scale = xp.exp(big - 0.5 * xp.log(2.0 * math.pi * big))
    return xp.where(a <= _BESSEL_SERIES_TO, total, scale * series)


def _overflow_at(x):
    """Where PyTorch's kernels overflow: e^|x| past the dtype's largest value."""
    return 88.72283935546875 if x.dtype.kind == "f" and x.dtype.itemsize == 4 else \
        11.089866488461016 if x.dtype.kind == "f" and x.dtype.itemsize == 2 else 709.782712893384


def _bessel(x, nu, xp):
    d = _float64(x, xp)
    a = xp.abs(xp.where(xp.isnan(d), 0.0, d))
    r = xp.where(a > _overflow_at(x), math.inf, _bessel_i(a, nu, xp))
    r = xp.where(a == math.inf, math.nan, r)             # (PyTorch's kernels: nan at +-inf)
    if nu:
        r = xp.copysign(r, d)
    return _result(xp.where(xp.isnan(d), d, r), x)


def i0(x, *, xp=_XP):
    """The modified Bessel function of the first kind, order 0."""
    return _bessel(x, 0, xp)


def i1(x, *, xp=_XP):
    """The modified Bessel function of the first kind, order 1 (odd)."""
    return _bessel(x, 1, xp)


# --- erfcx, log_ndtr, ndtri, i0e, i1e ----------------------------------------------------------------
_CF_FROM = 1.0             # erfcx: the fraction from 1 (erfc(1) = 0.157), the product below
_CF_DEPTH = 200            # the continued fraction's depth: converged to 1e-17 at x = 1


def erfcx(x, *, xp=_XP):
    """e^{x^2} erfc(x) without overflow: Laplace's continued fraction gives it
    directly for x >= 1 (no e^{-x^2} to cancel); below, the product."""
    d = _float64(x, xp)
    far = d >= _CF_FROM
    big = xp.where(far, xp.minimum(d, 1e8), 2.0)
    acc = big
    for k in range(_CF_DEPTH, 0, -1):
        acc = big + (0.5 * k) / acc
    cf = 1.0 / (_SQRT_PI * acc)
    cf = xp.where(d > 1e8, 1.0 / (_SQRT_PI * xp.where(far, d, 1.0)), cf)   # (the series' limit)
    near = xp.where(far, 0.0, d)
    prod = xp.exp(near * near) * erfc(near, xp=xp)
    r = xp.where(far, cf, prod)
    r = xp.where(d == -math.inf, math.inf, xp.where(d == math.inf, 0.0, r))
    return _result(xp.where(xp.isnan(d), d, r), x)


_SQRT_HALF = math.sqrt(0.5)


def log_ndtr(x, *, xp=_XP):
    """log of the standard normal CDF: log(erfcx(-x/sqrt2) / 2) - x^2/2 in the
    lower tail (no underflow), log1p(-erfc(x/sqrt2) / 2) above."""
    d = _float64(x, xp)
    low = d < -1.0
    t = xp.where(low, d, -2.0)
    lower = xp.log(0.5 * erfcx(-t * _SQRT_HALF, xp=xp)) - 0.5 * t * t
    upper = xp.log1p(-0.5 * erfc(xp.where(low, 0.0, d) * _SQRT_HALF, xp=xp))
    r = xp.where(low, lower, upper)
    r = xp.where(d == -math.inf, -math.inf, r)
    return _result(xp.where(xp.isnan(d), d, r), x)


def _erfinv_from(a, target, tail, xp):
    """Halley's iteration for erf(y) = target (tail: erfc(y) = target), y >= 0,
    started from Winitzki's closed form in a = |x| or, in the tail, from
    erfc(y) ~ e^{-y^2} / (y sqrt(pi)) solved for y."""
    w = xp.log((1.0 - a) * (1.0 + a))
    c = 2.0 / (math.pi * 0.147) + 0.5 * w
    y = xp.sqrt(xp.maximum(xp.sqrt(c * c - w / 0.147) - c, 0.0))
    t = xp.where(tail, target, 0.5)
    y0 = xp.sqrt(-xp.log(t))
    y0 = xp.sqrt(xp.maximum(-xp.log(t * y0 * _SQRT_PI), 0.25))
    y = xp.where(tail, y0, y)
    for _ in range(4):
        resid = xp.where(tail, target - erfc(y, xp=xp), erf(y, xp=xp) - target)
        step = resid / (_TWO_OVER_SQRT_PI * _exp_minus_square(y, xp))
        y = y - step / (1.0 + y * step)
    return y


def ndtri(x, *, xp=_XP):
    """The inverse of the standard normal CDF: -sqrt2 erfcinv(2p), with the tail
    target 2p (or 2(1-p)) kept exact rather than 2p - 1."""
    d = _float64(x, xp)
    inside = (d > 0.0) & (d < 1.0)
    p = xp.where(inside, d, 0.5)
    q = xp.minimum(p, 1.0 - p)                     # the nearer tail's probability
    tail = q < 0.25
    a = 1.0 - 2.0 * q                              # |2p - 1|
    y = _erfinv_from(a, xp.where(tail, 2.0 * q, a), tail, xp)
    r = math.sqrt(2.0) * xp.where(p < 0.5, -y, y)
    r = xp.where(inside, r, xp.where(d == 0.0, -math.inf, xp.where(d == 1.0, math.inf, math.nan)))
    return _result(xp.where(xp.isnan(d), d, r), x)


def _bessel_scaled(x, nu, xp):
    """e^{-|x|} I_nu(x): the series times e^{-|x|}, the asymptotic series without e^x."""
    d = _float64(x, xp)
    a = xp.abs(xp.where(xp.isnan(d), 0.0, d))
    small = xp.minimum(a, _BESSEL_SERIES_TO)
    q = 0.25 * small * small
    term = (0.5 * small) if nu else xp.ones_like(small)
    total = term
    for k in range(1, _BESSEL_SERIES_TERMS):
        term = term * q / (k * (k + nu))
        total = total + term
    big = xp.maximum(a, _BESSEL_SERIES_TO)
    asym = _horner(_HANKEL[nu], 1.0 / big) / xp.sqrt(2.0 * math.pi * big)
    r = xp.where(a <= _BESSEL_SERIES_TO, total * xp.exp(-small), asym)
    r = xp.where(a == math.inf, 0.0, r)
    if nu:
        r = xp.copysign(r, d)
    return _result(xp.where(xp.isnan(d), d, r), x)


def i0e(x, *, xp=_XP):
    return _bessel_scaled(x, 0, xp)


def i1e(x, *, xp=_XP):
    return _bessel_scaled(x, 1, xp)


# --- the regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P ----------------
# P = x^a e^-x / Gamma(a) * sum_n x^n / (a (a+1) ... (a+n))        (x < a + 1)
# Q = x^a e^-x / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a ...)))
#                                                                  (x >= a + 1, Lentz's method)
# Edges as PyTorch: nan for a < 0, x < 0, a = x = 0 or a nan; P(0, x > 0) = 1, P(a, 0) = 0,
# P(a, inf) = 1, P(inf, x finite) = 0.
_TINY = 1e-300


def _incomplete_gamma(a, x, xp):
    """(P, Q) in float64 for float64 arrays a, x (broadcast)."""
    shape = (a + x).shape
    a = xp.broadcast_to(a, shape).astype(_FLOAT64)
    x = xp.broadcast_to(x, shape).astype(_FLOAT64)
    finite = (a > 0) & (x > 0) & xp.isfinite(a) & xp.isfinite(x)
    series = finite & (x < a + 1)
    frac = finite & ~series
    a1 = xp.where(finite, a, 1.0)
    log_pre = a1 * xp.log(xp.where(finite, x, 1.0)) - xp.where(finite, x, 1.0) - lgamma(a1, xp=xp)
    pre = xp.exp(log_pre)
    # series (elements not on it run with x = 0: one term, no work wasted on them)
    xs = xp.where(series, x, 0.0)
    term = 1.0 / a1
    total = term
    for n in range(1, 10000):
        term = term * xs / (a1 + n)
        total = total + term
        if not bool((abs(term) > abs(total) * 1e-17).any()):
            break
    p_series = pre * total
    # continued fraction (elements not on it run with x = a + 2)
    xc = xp.where(frac, x, a1 + 2.0)
    b = xc + 1.0 - a1
    c = 1.0 / _TINY + 0.0 * b
    d = 1.0 / b
    h = d
    done = ~frac
    for i in range(1, 10000):
        an = -i * (i - a1)
        b = b + 2.0
        d = an * d + b
        d = xp.where(abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = xp.where(abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        delta = d * c
        h = xp.where(done, h, h * delta)
        # an element stops once converged (more steps only add rounding); a step with
        # an = 0 (at i = a for an integer a) ends the fraction there
        done = done | (abs(delta - 1.0) <= 1e-16) | (an == 0)
        if bool(done.all()):
            break
    q_frac = pre * h
    P = xp.where(series, p_series, 1.0 - q_frac)
    Q = xp.where(series, 1.0 - p_series, q_frac)
    nan = xp.isnan(a) | xp.isnan(x) | (a < 0) | (x < 0) | ((a == 0) & (x == 0))
    one = ((a == 0) & (x > 0)) | ((x == float("inf")) & xp.isfinite(a))
    zero = ((x == 0) & (a > 0)) | ((a == float("inf")) & xp.isfinite(x))
    P = xp.where(one, 1.0, xp.where(zero, 0.0, P))
    Q = xp.where(one, 0.0, xp.where(zero, 1.0, Q))
    both_inf = (a == float("inf")) & (x == float("inf"))
    P = xp.where(nan | both_inf, float("nan"), P)
    Q = xp.where(nan | both_inf, float("nan"), Q)
    return P, Q


def igamma(a, x, *, xp=_XP):
    return _result(_incomplete_gamma(a, x, xp)[0], a)


def igammac(a, x, *, xp=_XP):
    return _result(_incomplete_gamma(a, x, xp)[1], a)

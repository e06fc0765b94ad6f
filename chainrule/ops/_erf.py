"""erf and erfc on raw float64 arrays, written with the array namespace `xp`
only (NumPy has no vectorised erf, and the op library may not name NumPy).
Their one caller is _special.py, whose erf/erfc (and through them gelu,
erfinv, erfcx...) cast any float input to float64, call these, and round the
result back to the input's dtype.

Pure array functions, no Tensors: `erf(x, xp)`, `erfc(x, xp)`.
Results are within a few units in the last place of Python's math.erf /
math.erfc (the tests compare them over a grid).

How: piecewise Taylor series.  [0, 6) is cut into bins of width 1/16 centred
on the multiples of 1/16 (the first, [0, 1/32), on 0: relative accuracy for
tiny x, where the series is x times a polynomial); around each centre c the
series of erf to degree 10 is

    erf(c + d) = erf(c) + 2/sqrt(pi) e^(-c^2) sum_j (-1)^(j-1) H_(j-1)(c) d^j / j!

(H the Hermite polynomials: the derivatives of e^(-x^2)), and |d| <= 1/32
makes the terms fall fast enough for 4e-16 relative everywhere (degree and
width chosen together: 1/4 would need degree 15, i.e. more lookups).  The coefficients are
computed here at import, from math.erf and the Hermite recurrence; each
element then costs one bin lookup per coefficient and a Horner step.
Beyond 6, erf is 1 to double precision.  erfc uses the same series (of
erfc: relative accuracy near 4, where erfc is 1e-8) below 4, and above it
the continued fraction

    erfc(a) = exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...))))

at depth 20, converged to rounding for a >= 4.  Every branch runs on every
element with its argument clamped into its range and `where` picks, so no
element overflows or warns, and any array library runs it.
"""
import math

from .. import _dtypes

__all__ = ["erf", "erfc"]

_WIDTH = 0.0625
_DEGREE = 10
_ERF_END = 6.0            # erf(x) == 1.0 in double from here on
_ERFC_END = 4.0           # the continued fraction takes over
_CF_DEPTH = 20
_ONE_OVER_SQRT_PI = 1.0 / math.sqrt(math.pi)
_INT64 = _dtypes.int64.np


def _taylor_columns(end, complement):
    """Column j: the degree-j Taylor coefficient of erf (or erfc) at each
    centre k/4, k = 0 .. 4 end."""
    rows = []
    for k in range(int(round(end / _WIDTH)) + 1):
        c = k * _WIDTH
        hermite = [1.0, 2 * c]
        for n in range(1, _DEGREE):
            hermite.append(2 * c * hermite[n] - 2 * n * hermite[n - 1])
        scale = 2 * _ONE_OVER_SQRT_PI * math.exp(-c * c)
        row = [math.erfc(c) if complement else math.erf(c)]
        factorial = 1.0
        for j in range(1, _DEGREE + 1):
            factorial *= j
            v = scale * (-1) ** (j - 1) * hermite[j - 1] / factorial
            row.append(-v if complement else v)
        rows.append(row)
    return [[r[j] for r in rows] for j in range(_DEGREE + 1)]


_COLUMNS = {"erf": _taylor_columns(_ERF_END, False), "erfc": _taylor_columns(_ERFC_END, True)}
_TABLES = {}              # (kind, xp, dtype) -> the columns as arrays of that library


def _table(kind, xp, dtype):
    key = (kind, xp, dtype)
    t = _TABLES.get(key)
    if t is None:
        t = _TABLES[key] = [xp.asarray(col, dtype=dtype) for col in _COLUMNS[kind]]
    return t


def _taylor(a, kind, xp):
    """The series of `kind` at a (0 <= a < the table's end)."""
    cols = _table(kind, xp, a.dtype)
    k = (a * (1 / _WIDTH) + 0.5).astype(_INT64)           # the nearest centre
    d = a - k.astype(a.dtype) * _WIDTH
    s = cols[_DEGREE][k]
    for j in range(_DEGREE - 1, -1, -1):
        s = s * d + cols[j][k]
    return s


def _fraction(a, xp):
    """erfc(a) for a >= 4."""
    f = a
    for k in range(_CF_DEPTH, 0, -1):
        f = a + (k / 2) / f
    # e^(-a^2) without the rounding of a*a (worth a^2 ulps in the tail):
    # a = h + l with h a multiple of 1/16, whose square is exact.
    h = xp.floor(a * 16.0) / 16.0
    return _ONE_OVER_SQRT_PI * xp.exp(-h * h) * xp.exp(-(a - h) * (a + h)) / f


def erf(x, xp):
    """The error function of a float64 array, elementwise."""
    a = xp.abs(x)
    inside = a < _ERF_END                      # (False for nan)
    s = xp.where(inside, _taylor(xp.where(inside, a, 0.0), "erf", xp), 1.0)
    return xp.where(x != x, x, xp.copysign(s, x))     # (nan stays nan; erf(-0.) is -0.)


def erfc(x, xp):
    """1 - erf(x), accurate also where erf(x) is close to 1 (x large)."""
    a = xp.abs(x)
    low = a < _ERFC_END
    pos = xp.where(low, _taylor(xp.where(low, a, 0.0), "erfc", xp),
                   _fraction(xp.where(low, _ERFC_END, xp.minimum(a, 30.0)), xp))  # erfc(|x|)
    pos = xp.where(a > 27.3, 0.0, pos)        # (underflowed; also keeps inf from the fraction)
    return xp.where(x < 0, 2.0 - pos, pos)

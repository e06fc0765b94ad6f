"""Special functions as differentiable ops: erf erfc erfinv lgamma digamma
polygamma i0, and torch.special's entr and i1.

The array work is in _special.py (series written for this project: NumPy
has none of these); here each op is one declaration with its derivative,
so any order of derivative works:
  erf' = 2/sqrt(pi) e^{-x^2},  erfinv' = sqrt(pi)/2 e^{erfinv(x)^2},
  lgamma' = digamma,  digamma' = polygamma(1),  polygamma(n)' = polygamma(n + 1),
  i0' = i1,  i1' = i0 - i1 / x.
"""
import math

from .. import _dtypes
from .._tensor import Tensor
from . import _out
from . import _backend, _special
from ._args import as_tensor_arg, check_broadcast, to_float_array
from . import _batching
from ._dispatch import apply
from ._registry import defop, elementwise, expose
from .pointwise import MUL, binary, binary_scalar_named, unary, x_times_log

_XP = _backend.NUMPY.xp
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)
_FIRST_OP = _batching.mark()       # (for the batching declaration at the end)


F32 = dict(float_result=True)
# name                 forward              d/dx, times g
erf = unary("erf", _special.erf, lambda F, g, x: g * _TWO_OVER_SQRT_PI * F.exp(-(x * x)), **F32)
erfc = unary("erfc", _special.erfc, lambda F, g, x: g * -_TWO_OVER_SQRT_PI * F.exp(-(x * x)), **F32)
erfinv = unary("erfinv", _special.erfinv, lambda F, g, out: g * _HALF_SQRT_PI * F.exp(out * out),
               **F32)
lgamma = unary("lgamma", _special.lgamma, lambda F, g, x: g * F.digamma(x), **F32)
digamma = unary("digamma", _special.digamma, lambda F, g, x: g * F.polygamma(x, 1), **F32)
i0 = unary("i0", _special.i0, lambda F, g, x: g * F.special_i1(x), **F32)
# i1' = i0 - i1 / x, which is 1/2 at 0 (torch.special.i1 only: no torch.i1 or Tensor.i1)
SPECIAL_I1 = defop("special_i1", _special.i1, lambda F, g, x, out: g * F.where(
    x == 0, 0.5, F.i0(x) - out / F.where(x == 0, 1, x)), node_name="SpecialI1Backward0")


def special_i1(input, *, out=None):
    if out is not None:
        return _out.into(out, special_i1(input), "special_i1")
    input = as_tensor_arg(input)
    return apply(SPECIAL_I1, (input,), (to_float_array(input._data),))


expose(special_i1, function=False, method=False)


# polygamma(n, x): n is a parameter, not an input.  In formulas F.polygamma
# takes (x, n) on arrays and on Tensors alike; the public function keeps
# PyTorch's order, polygamma(n, input), and the method x.polygamma(n).
POLYGAMMA = defop("polygamma", _special.polygamma,
                  lambda F, g, x, n: g * F.polygamma(x, n + 1), params=("n",))


def _polygamma_of(input, n):
    if input.__class__ is not Tensor:
        input = as_tensor_arg(input)
    if n.__class__ is not int:
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                            f"{type(n).__name__}")
        n = int(n)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    d = input._data
    if d.dtype.kind not in "f":
        d = to_float_array(d)
    return apply(POLYGAMMA, (input,), (d,), (n,))


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma, elementwise (PyTorch's argument order)."""
    if out is not None:
        return _out.into(out, polygamma(n, input), "polygamma")
    return _polygamma_of(input, n)


def _polygamma_method(self, n):
    return _polygamma_of(self, n)


_polygamma_method.__name__ = "polygamma"
expose(_polygamma_of, "polygamma", function=False, method=False)          # F.polygamma(x, n)
expose(polygamma, "polygamma", method=_polygamma_method, formulas=False)
expose(_polygamma_method, "polygamma", function=False, method=False, inplace=True, formulas=False)


# entr(x) = -x log x: 0 at 0, -inf below (PyTorch's special.entr).
def _entr(x, *, xp=_XP):
    safe = xp.where(x > 0, x, 1.0)
    r = xp.where(x > 0, -x * xp.log(safe), xp.where(x == 0, 0.0, -math.inf))
    return xp.where(x != x, x, r).astype(x.dtype)


ENTR = defop("special_entr", _entr, lambda F, g, x: g * -(F.log(x) + 1),
             node_name="SpecialEntrBackward0")


def entr(input, *, out=None):
    if out is not None:
        return _out.into(out, entr(input), "special_entr")
    input = as_tensor_arg(input)
    return apply(ENTR, (input,), (to_float_array(input._data),))



# --- torch.special only: erfcx log_ndtr ndtri i0e i1e ndtr xlog1py multigammaln -----------------
def _special_unary(name, forward, formula, node_name):
    """An elementwise op public only as torch.special.<name> (F.special_<name> in formulas)."""
    op = defop("special_" + name, forward, formula, node_name=node_name)

    def fn(input, *, out=None):
        if out is not None:
            return _out.into(out, fn(input), "special_" + name)
        input = as_tensor_arg(input)
        return apply(op, (input,), (to_float_array(input._data),))
    fn.__name__ = fn.__qualname__ = name
    expose(fn, "special_" + name, function=False, method=False)
    return fn


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SQRT_HALF = math.sqrt(0.5)
erfcx = _special_unary("erfcx", _special.erfcx,
                       lambda F, g, x, out: g * (2 * x * out - _TWO_OVER_SQRT_PI),
                       "SpecialErfcxBackward0")
# log_ndtr' = phi / Phi = sqrt(2/pi) / erfcx(-x/sqrt2): no underflow in either tail
log_ndtr = _special_unary("log_ndtr", _special.log_ndtr,
                          lambda F, g, x: g * _SQRT_2_OVER_PI / F.special_erfcx(-x * _SQRT_HALF),
                          "SpecialLogNdtrBackward0")
ndtri = _special_unary("ndtri", _special.ndtri,
                       lambda F, g, out: g * _SQRT_2PI * F.exp(0.5 * out * out),
                       "SpecialNdtriBackward0")
i0e = _special_unary("i0e", _special.i0e,
                     lambda F, g, x, out: g * (F.special_i1e(x) - F.sign(x) * out),
                     "SpecialI0EBackward0")
i1e = _special_unary("i1e", _special.i1e, lambda F, g, x, out: g * F.where(
    x == 0, 0.5, F.special_i0e(x) - out * (F.sign(x) + 1 / F.where(x == 0, 1, x))),
    "SpecialI1EBackward0")
_MUL_SCALAR = MUL.variant("MulBackward1")


def ndtr(input, *, out=None):
    """Phi(x) = (1 + erf(x / sqrt2)) / 2, composed as PyTorch composes it."""
    if out is not None:
        return _out.into(out, ndtr(input), "special_ndtr")
    input = as_tensor_arg(input)
    if input._data.dtype.kind == "c":
        raise NotImplementedError(f"\"erf_vml_cpu\" not implemented for '{input.dtype.legacy}'")
    if input._data.dtype.kind not in "f":
        input = as_tensor_arg(to_float_array(input._data))     # (integers: no gradient anyway)
    return MUL.binary(1 + erf(input * _SQRT_HALF), 0.5, _MUL_SCALAR)


# xlog1py(x, y) = x log1p(y), 0 where x == 0 (unless y is nan)
def _xlog1py(a, b, *, xp=_XP):
    return x_times_log(a, b, xp.log1p, xp)


XLOG1PY = defop("special_xlog1py", _xlog1py, lambda F, g, a, b: g * F.special_xlog1py(a != 0, b),
                lambda F, g, a, b: g * a / (1 + b), inputs=("a", "b"),
                node_name="SpecialXlog1PyBackward0")
binary(XLOG1PY, float_result=True)
_XLOG1PY_SCALAR_SELF = XLOG1PY.variant("SpecialXlog1PyBackward1")
_XLOG1PY_SCALAR_OTHER = XLOG1PY.variant("SpecialXlog1PyBackward2")


def xlog1py(input, other, *, out=None):
    if out is not None:
        return _out.into(out, xlog1py(input, other), "special_xlog1py")
    return binary_scalar_named(XLOG1PY, input, other, "special_xlog1py", _XLOG1PY_SCALAR_SELF,
                               _XLOG1PY_SCALAR_OTHER)


expose(xlog1py, "special_xlog1py", function=False, method=False)


# mvlgamma(x, p) = p(p-1)/4 log(pi) + sum_j lgamma(x - j/2): derivative sum_j digamma(x - j/2)
def _mvlgamma(x, p, *, xp=_XP):
    acc = xp.zeros_like(x) + p * (p - 1) / 4 * math.log(math.pi)
    for j in range(p):
        acc = acc + _special.lgamma(x - 0.5 * j, xp=xp)
    return acc.astype(x.dtype)


MVLGAMMA = defop("mvlgamma", _mvlgamma, lambda F, g, x, p: g * _digamma_sum(F, x, p),
                 params=("p",))


def _digamma_sum(F, x, p):
    acc = F.digamma(x)
    for j in range(1, p):
        acc = acc + F.digamma(x - 0.5 * j)
    return acc


def mvlgamma(input, p, *, out=None):
    if out is not None:
        return _out.into(out, mvlgamma(input, p), "mvlgamma")
    input = as_tensor_arg(input)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return apply(MVLGAMMA, (input,), (to_float_array(input._data),), (int(p),))


expose(mvlgamma, inplace=True, formulas=False)


# Every op above is elementwise, with no shapes in its params (Op.elementwise:
# viz's local derivatives, vmap's broadcasting).
elementwise(*_batching.declared_since(_FIRST_OP))


# igamma / igammac: the regularized incomplete gamma functions P(a, x), Q(a, x).
# d/dx P = x^(a-1) e^-x / Gamma(a) (Q: its negative); PyTorch has no derivative in a.
def _igamma_dx(F, a, x):
    return F.exp((a - 1) * F.log(x) - x - F.lgamma(a))


def _no_derivative_in_a(name):
    def formula(F, g):
        raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
    return formula


IGAMMA = defop("igamma", _special.igamma, _no_derivative_in_a("igamma"),
               lambda F, g, a, b: g * _igamma_dx(F, a, b), inputs=("a", "b"))
IGAMMAC = defop("igammac", _special.igammac, _no_derivative_in_a("igammac"),
                lambda F, g, a, b: -g * _igamma_dx(F, a, b), inputs=("a", "b"))


def _incomplete(op, name):
    def fn(input, other, *, out=None):
        if out is not None:
            return _out.into(out, fn(input, other), name)
        a, b = as_tensor_arg(input), as_tensor_arg(other)
        dt = _dtypes.promote_types(a.dtype, b.dtype)
        if dt.np.kind != "f":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dt.legacy}'")
        a, b = a.to(dt), b.to(dt)
        check_broadcast(a._data.shape, b._data.shape)
        return apply(op, (a, b), (a._data, b._data))
    fn.__name__ = fn.__qualname__ = name
    return fn


igamma = _incomplete(IGAMMA, "igamma")
igammac = _incomplete(IGAMMAC, "igammac")
expose(igamma, inplace=True)
expose(igammac, inplace=True)

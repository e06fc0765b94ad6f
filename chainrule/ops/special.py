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

from .._tensor import Tensor
from . import _backend, _special
from ._args import as_tensor_arg, to_float_array
from ._dispatch import apply
from ._registry import defop, expose
from .pointwise import unary

_XP = _backend.NUMPY.xp
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)


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


def special_i1(input):
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


def polygamma(n, input):
    """The n-th derivative of digamma, elementwise (PyTorch's argument order)."""
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


def entr(input):
    input = as_tensor_arg(input)
    return apply(ENTR, (input,), (to_float_array(input._data),))


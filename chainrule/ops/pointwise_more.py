"""More elementwise ops PyTorch has (issue 11's missing names): addcmul and
addcdiv (fused multiply/divide-add), fmax and fmin (NaN-ignoring maximum and
minimum), ldexp, nextafter, frexp, float_power, heaviside, gcd and lcm, the
predicates isposinf, isneginf and isin, and positive.

Derivatives are those of PyTorch's derivatives.yaml: fmax's goes to the
operand it picked (the first on ties and where the other is NaN), nextafter's
to its first input only, frexp's mantissa m = x / 2**e has dm/dx = 2**-e;
heaviside has none (PyTorch records it under the name NotImplemented and
fails at backward).  float_power is PyTorch's composition: a cast to double,
then pow."""
import math

from .. import _dtypes
from .._tensor import Tensor
from . import _backend, _out
from ._args import as_operand, as_tensor_arg, broadcast_shapes, check_broadcast, promoted_arrays
from . import _batching
from ._dispatch import apply
from ._registry import defop, elementwise, expose
from .pointwise import _float_binary, _not_implemented, pow as _pow, _tensor_arg
from .shape import to_dtype

_XP = _backend.NUMPY.xp
_FIRST_OP = _batching.mark()       # (for the batching declaration at the end)


# --- addcmul, addcdiv: input + value * t1 (*, /) t2 ------------------------------------------
ADDCMUL = defop("addcmul", lambda a, b, c, value: a + value * (b * c),
                lambda F, g: g, lambda F, g, c, value: g * c * value,
                lambda F, g, b, value: g * b * value, inputs=("a", "b", "c"), params=("value",))
ADDCDIV = defop("addcdiv", lambda a, b, c, value: a + value * (b / c),
                lambda F, g: g, lambda F, g, c, value: g * value / c,
                lambda F, g, b, c, value: -g * value * b / (c * c),
                inputs=("a", "b", "c"), params=("value",))


def _three(input, tensor1, tensor2, value):
    ts = tuple(as_tensor_arg(t) for t in (input, tensor1, tensor2))
    shapes = [t._data.shape for t in ts]
    check_broadcast(shapes[1], shapes[2])
    check_broadcast(shapes[0], broadcast_shapes(shapes[1], shapes[2]))
    arrays, dt = promoted_arrays(*ts)
    if dt.category == _dtypes.INT:
        value = int(value)            # (PyTorch casts the scalar to the integer dtype)
    return ts, arrays, dt, value


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    if out is not None:
        return _out.into(out, addcmul(input, tensor1, tensor2, value=value), "addcmul")
    ts, arrays, dt, value = _three(input, tensor1, tensor2, value)
    out = apply(ADDCMUL, ts, arrays, (value,))
    return out if out._data.dtype == dt.np else to_dtype(out, dt)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    if out is not None:
        return _out.into(out, addcdiv(input, tensor1, tensor2, value=value), "addcdiv")
    ts, arrays, dt, value = _three(input, tensor1, tensor2, value)
    if not (ts[1].dtype.category >= _dtypes.FLOAT or ts[2].dtype.category >= _dtypes.FLOAT):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) "
            "for float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    return apply(ADDCDIV, ts, arrays, (value,))


expose(addcmul, inplace=True)
expose(addcdiv, inplace=True)


# --- fmax, fmin: NaN only where both are NaN --------------------------------------------------
def _picks_first(F, a, b, first_wins):
    """Where fmax (fmin) returns a: a >= b (a <= b), or b is NaN."""
    return (first_wins(a, b)) | (b != b)


FMAX = defop("fmax", "fmax",
             lambda F, g, a, b: F.where(_picks_first(F, a, b, lambda p, q: p >= q), g, 0 * g),
             lambda F, g, a, b: F.where(_picks_first(F, a, b, lambda p, q: p >= q), 0 * g, g),
             inputs=("a", "b"))
FMIN = defop("fmin", "fmin",
             lambda F, g, a, b: F.where(_picks_first(F, a, b, lambda p, q: p <= q), g, 0 * g),
             lambda F, g, a, b: F.where(_picks_first(F, a, b, lambda p, q: p <= q), 0 * g, g),
             inputs=("a", "b"))


def _binary_promoted(op, input, other, fname):
    a = _tensor_arg(input, fname, "input", 1)
    b = _tensor_arg(other, fname, "other", 2)
    check_broadcast(a._data.shape, b._data.shape)
    (ad, bd), dt = promoted_arrays(a, b)
    return a, b, ad, bd, dt


def fmax(input, other, *, out=None):
    if out is not None:
        return _out.into(out, fmax(input, other), "fmax")
    a, b, ad, bd, _ = _binary_promoted(FMAX, input, other, "fmax")
    return apply(FMAX, (a, b), (ad, bd))


def fmin(input, other, *, out=None):
    if out is not None:
        return _out.into(out, fmin(input, other), "fmin")
    a, b, ad, bd, _ = _binary_promoted(FMIN, input, other, "fmin")
    return apply(FMIN, (a, b), (ad, bd))


expose(fmax)
expose(fmin)


# --- ldexp, nextafter ----------------------------------------------------------------------------
# ldexp(x, e) = x * 2**e: PyTorch computes it that way, so e may be fractional.
ldexp = _float_binary("ldexp", lambda a, b, *, xp=_XP: a * xp.exp2(b),
                      lambda F, g, b: g * F.exp2(b), lambda F, g, out: g * out * math.log(2.0))
nextafter = _float_binary("nextafter", "nextafter", lambda F, g: g, lambda F, g: 0 * g,
                          int_kernel=True)


# --- heaviside, gcd, lcm -----------------------------------------------------------------------
HEAVISIDE = defop("heaviside", lambda x, v, *, xp=_XP: xp.where(
    x == 0, v, xp.where(x > 0, xp.ones_like(x), xp.zeros_like(x))).astype(x.dtype),
    _not_implemented("heaviside"), _not_implemented("heaviside"), inputs=("a", "b"),
    node_name="NotImplemented")


def heaviside(input, values, *, out=None):
    if out is not None:
        return _out.into(out, heaviside(input, values), "heaviside",
                         exact="heaviside is not yet implemented for tensors with different "
                               "dtypes.")
    a = _tensor_arg(input, "heaviside", "input", 1)
    b = _tensor_arg(values, "heaviside", "values", 2)
    if a.dtype != b.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    check_broadcast(a._data.shape, b._data.shape)
    return apply(HEAVISIDE, (a, b), (a._data, b._data))


expose(heaviside, inplace=True)


def _integer_binary(name):
    op = defop(name, name, inputs=("a", "b"), quiet=False)

    def fn(input, other, *, out=None):
        if out is not None:
            return _out.into(out, fn(input, other), name)
        a = _tensor_arg(input, name, "input", 1)
        b = _tensor_arg(other, name, "other", 2)
        (ad, bd), dt = promoted_arrays(a, b)
        if dt.category != _dtypes.INT:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dt.legacy}'")
        check_broadcast(a._data.shape, b._data.shape)
        return apply(op, (a, b), (ad, bd))
    fn.__name__ = fn.__qualname__ = name
    expose(fn, inplace=True, formulas=False)
    return fn


gcd = _integer_binary("gcd")
lcm = _integer_binary("lcm")


# --- frexp: x = mantissa * 2**exponent, |mantissa| in [0.5, 1) --------------------------------
FREXP_EXPONENT = defop("frexp_exponent", lambda x, *, xp=_XP: xp.frexp(x)[1].astype(
    _dtypes.int32.np), quiet=False)
FREXP = defop("frexp", lambda x, *, xp=_XP: xp.frexp(x)[0],
              lambda F, g, x: g / F.exp2(F.frexp_exponent(x)))


def frexp_exponent(input):
    return apply(FREXP_EXPONENT, (input,), (input._data,))


expose(frexp_exponent, function=False, method=False)


class frexp_result(tuple):                 # noqa: N801  (torch.return_types.frexp)
    """torch.return_types.frexp: (mantissa, exponent)."""

    def __new__(cls, mantissa, exponent):
        return tuple.__new__(cls, (mantissa, exponent))

    mantissa = property(lambda self: self[0])
    exponent = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.frexp(\nmantissa={self[0]!r},\nexponent={self[1]!r})"


frexp_result.__name__ = frexp_result.__qualname__ = "frexp"


def frexp(input, *, out=None):
    if out is not None:
        return _out.into(out, frexp(input), "frexp")
    input = as_tensor_arg(input)
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    return frexp_result(apply(FREXP, (input,), (input._data,)), frexp_exponent(input))


expose(frexp, formulas=False)


# --- float_power: pow in double precision ----------------------------------------------------
def _as_double(v):
    if isinstance(v, Tensor):
        return to_dtype(v, _dtypes.complex128 if v.dtype.is_complex else _dtypes.float64)
    return v if isinstance(v, complex) else float(v)


def float_power(input, exponent, *, out=None):
    if out is not None:
        return _out.into(out, float_power(input, exponent), "float_power",
                         exact="the output given to float_power has dtype {o} but the "
                               "operation's result requires dtype {r}")
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return _pow(_as_double(input), _as_double(exponent))


def float_power_(self, exponent):
    if self.dtype != _dtypes.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype.legacy} but "
                           "the operation's result requires dtype Double")
    return self.pow_(_as_double(exponent))


expose(float_power, formulas=False)
expose(float_power_, function=False, formulas=False)


# --- predicates --------------------------------------------------------------------------------
ISPOSINF = defop("isposinf", lambda x, *, xp=_XP: xp.isinf(x) & (x > 0), quiet=False)
ISNEGINF = defop("isneginf", lambda x, *, xp=_XP: xp.isinf(x) & (x < 0), quiet=False)


def isposinf(input, *, out=None):
    if out is not None:
        return _out.into(out, isposinf(input), "isposinf",
                         exact="isposinf does not support non-boolean outputs.")
    input = as_tensor_arg(input)
    return apply(ISPOSINF, (input,), (input._data,))


def isneginf(input, *, out=None):
    if out is not None:
        return _out.into(out, isneginf(input), "isneginf",
                         exact="isneginf does not support non-boolean outputs.")
    input = as_tensor_arg(input)
    return apply(ISNEGINF, (input,), (input._data,))


expose(isposinf, formulas=False)
expose(isneginf, formulas=False)

ISIN = defop("isin", lambda a, b, invert, *, xp=_XP: xp.isin(a, b, invert=invert),
             inputs=("a", "b"), params=("invert",), quiet=False)


def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    if out is not None:
        return _out.into(out,
                         isin(elements, test_elements, assume_unique=assume_unique, invert=invert),
                         "isin", exact=_out.EXPECTED)
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments")
    a, b = as_operand(elements), as_operand(test_elements)
    (ad, bd), dt = promoted_arrays(a, b)
    # A number on either side becomes an array of the other's library.
    if not isinstance(a, Tensor):
        ad = _backend.namespace(bd).asarray(ad, dtype=dt.np)
    if not isinstance(b, Tensor):
        bd = _backend.namespace(ad).asarray([bd], dtype=dt.np)
    return apply(ISIN, (a, b), (ad, bd), (bool(invert),))


expose(isin, formulas=False)


def positive(input):
    input = as_tensor_arg(input)
    if input.dtype == _dtypes.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


expose(positive, formulas=False)

# Every op above is elementwise, with no shapes in its params (Op.elementwise:
# viz's local derivatives, vmap's broadcasting); the exceptions are not.
elementwise(*_batching.declared_since(_FIRST_OP, exclude=(ISIN,)))

"""Elementwise operations and their derivatives.

Each `defop` line is the whole definition of an op's calculus: forward on
arrays, then one backward formula per input (g is the output's gradient).
Broadcasting needs no formula: the node sums each gradient back to its
input's shape (Node.apply_formulas -> F.fit).
"""
import numpy as np

from ._registry import defop, record, TensorOps, ArrayOps
from . import _args
from ._args import as_operand, as_tensor_arg, promoted_arrays, to_float_array

Tensor = None  # bound by _args.bind via chainrule._tensor; see _bind below

# --- unary ops: y = f(x) --------------------------------------------------
# name          forward         d/dx, times g
NEG = defop("neg", np.negative, lambda F, g: -g)
EXP = defop("exp", np.exp, lambda F, g, out: g * out)
LOG = defop("log", np.log, lambda F, g, x: g / x)
SQRT = defop("sqrt", np.sqrt, lambda F, g, out: g / (2 * out))
SIN = defop("sin", np.sin, lambda F, g, x: g * F.cos(x))
COS = defop("cos", np.cos, lambda F, g, x: -g * F.sin(x))
TAN = defop("tan", np.tan, lambda F, g, out: g * (1 + out * out))
TANH = defop("tanh", np.tanh, lambda F, g, out: g * (1 - out * out))
ABS = defop("abs", np.abs, lambda F, g, x: g * F.sign(x))
SIGMOID = defop("sigmoid", lambda x: 0.5 * np.tanh(0.5 * x) + 0.5,   # stable for large |x|
                lambda F, g, out: g * out * (1 - out))
# g * sign(out) is the 0/1 mask, kept connected to the graph (as PyTorch does) so a
# second derivative of a ReLU network is zero rather than an error.
RELU = defop("relu", lambda x: np.maximum(x, 0), lambda F, g, out: g * F.sign(out))
RECIPROCAL = defop("reciprocal", np.reciprocal, lambda F, g, out: -g * out * out)
# sign is piecewise constant: zero derivative, recorded so that graphs stay connected.
SIGN = defop("sign", np.sign, lambda F, g: g * 0)

# Unary ops whose results are floating point even for integer input.
_FLOAT_RESULT = {EXP, LOG, SQRT, SIN, COS, TAN, TANH, SIGMOID, RECIPROCAL}


def _unary(op):
    float_result = op in _FLOAT_RESULT
    forward = op.forward

    def fn(input):
        if input.__class__ is not Tensor:
            input = as_tensor_arg(input)
        d = input._data
        if float_result and d.dtype.kind not in "fc":
            d = to_float_array(d)
        return record(op, forward(d), (input,))
    fn.__name__ = op.name
    fn.__qualname__ = op.name
    fn.__doc__ = f"Elementwise {op.name}; its derivative is in chainrule/ops/pointwise.py."
    return fn


neg = _unary(NEG)
exp = _unary(EXP)
log = _unary(LOG)
sqrt = _unary(SQRT)
sin = _unary(SIN)
cos = _unary(COS)
tan = _unary(TAN)
tanh = _unary(TANH)
abs = _unary(ABS)
sigmoid = _unary(SIGMOID)
relu = _unary(RELU)
reciprocal = _unary(RECIPROCAL)
sign = _unary(SIGN)
negative = neg
absolute = abs


# --- binary ops: y = f(a, b) -------------------------------------------------
ADD = defop("add", np.add, lambda F, g: g, lambda F, g: g, inputs=("a", "b"))
SUB = defop("sub", np.subtract, lambda F, g: g, lambda F, g: -g, inputs=("a", "b"))
MUL = defop("mul", np.multiply, lambda F, g, b: g * b, lambda F, g, a: g * a,
            inputs=("a", "b"))
DIV = defop("div", np.true_divide, lambda F, g, b: g / b, lambda F, g, a, b: -g * a / (b * b),
            inputs=("a", "b"))
# a ** b.  d/da = b a^(b-1);  d/db = a^b log a  (0 where a == 0, as PyTorch).
# a ** b.  d/da = b a^(b-1) (0 where b == 0);  d/db = a^b log a (0 where a == 0).
POW = defop("pow", np.power,
            lambda F, g, a, b: _pow_base_grad(F, g, a, b),
            lambda F, g, a, out: _pow_exponent_grad(F, g, a, out),
            inputs=("a", "b"))


def _pow_base_grad(F, g, a, b):
    if b.__class__ is int or b.__class__ is float:
        return g * 0 if b == 0 else g * b * F.pow(a, b - 1)
    return F.where(b == 0, 0, g * b * F.pow(a, b - 1))


def _pow_exponent_grad(F, g, a, out):
    if a.__class__ is int or a.__class__ is float:
        import math
        return g * out * (math.log(a) if a > 0 else 0.0)
    return g * out * F.log(F.where(a == 0, 1, a))


MAXIMUM = defop("maximum", np.maximum,
                lambda F, g, a, b: g * ((a > b) + (a == b) * 0.5),
                lambda F, g, a, b: g * ((b > a) + (a == b) * 0.5), inputs=("a", "b"))
MINIMUM = defop("minimum", np.minimum,
                lambda F, g, a, b: g * ((a < b) + (a == b) * 0.5),
                lambda F, g, a, b: g * ((b < a) + (a == b) * 0.5), inputs=("a", "b"))


# grad_fn names PyTorch gives the reflected and scalar forms.
_RSUB = SUB.variant("RsubBackward1")
_POW_TENSOR_EXP = POW.variant("PowBackward1")   # tensor ** tensor
_POW_SCALAR_BASE = POW.variant("PowBackward2")  # number ** tensor


def _apply_binary(op, a, b, node_cls=None, float_result=False):
    """a op b for Tensors and Python numbers, with PyTorch's type promotion."""
    # Fast paths first (same-dtype tensors; a float tensor and a number): they
    # need no promotion, and NumPy's own rules then agree with PyTorch's.
    if a.__class__ is Tensor:
        ad = a._data
        cb = b.__class__
        if cb is Tensor:
            bd = b._data
            if ad.dtype is bd.dtype and (not float_result or ad.dtype.kind == "f"):
                if ad.shape != bd.shape:
                    _args.check_broadcast(ad.shape, bd.shape)
                return record(op, op.forward(ad, bd), (a, b), (), node_cls)
        elif (cb is float or cb is int) and ad.dtype.kind == "f":
            return record(op, op.forward(ad, b), (a, b), (), node_cls)
    return _apply_binary_promoting(op, a, b, node_cls, float_result)


def _apply_binary_promoting(op, a, b, node_cls, float_result):
    a = as_operand(a)
    b = as_operand(b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError("expected at least one Tensor operand")
    (ad, bd), dt = promoted_arrays(a, b)
    if float_result and not dt.is_floating_point:
        ad = to_float_array(ad) if not isinstance(ad, (int, float)) else float(ad)
        bd = to_float_array(bd) if not isinstance(bd, (int, float)) else float(bd)
    sa, sb = getattr(ad, "shape", ()), getattr(bd, "shape", ())
    if sa != sb:
        _args.check_broadcast(sa, sb)
    return record(op, op.forward(ad, bd), (a, b), (), node_cls)


def add(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return _apply_binary(ADD, input, other)


def sub(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return _apply_binary(SUB, input, other)


def rsub(input, other, *, alpha=1):
    """other - input (PyTorch's `2 - x`)."""
    return _apply_binary(SUB, other, input, _RSUB)


def mul(input, other):
    return _apply_binary(MUL, input, other)


def div(input, other, *, rounding_mode=None):
    if rounding_mode is not None:
        from ..autograd import _nograd_result
        q = np.floor_divide if rounding_mode == "floor" else _trunc_div
        (ad, bd), dt = promoted_arrays(as_operand(input), as_operand(other))
        return _nograd_result(q(ad, bd))
    return _apply_binary(DIV, input, other, float_result=True)


def _trunc_div(a, b):
    return np.trunc(np.true_divide(a, b)).astype(np.result_type(a, b))


def rdiv(input, other):
    """other / input: PyTorch computes it as reciprocal(input) * other."""
    if isinstance(input, Tensor) and input._data.dtype.kind not in "fc":
        return _apply_binary(DIV, other, input, float_result=True)
    return mul(reciprocal(input), other)


def pow(input, exponent):
    if isinstance(input, Tensor):
        if isinstance(exponent, Tensor):
            return _apply_binary(POW, input, exponent, _POW_TENSOR_EXP)
        return _apply_binary(POW, input, exponent)
    return _apply_binary(POW, input, exponent, _POW_SCALAR_BASE)


def maximum(input, other):
    return _apply_binary(MAXIMUM, as_tensor_arg(input), as_tensor_arg(other))


def minimum(input, other):
    return _apply_binary(MINIMUM, as_tensor_arg(input), as_tensor_arg(other))


true_divide = divide = div
multiply = mul
subtract = sub


# --- where and clamp ----------------------------------------------------------
WHERE = defop("where", lambda c, a, b: np.where(c, a, b),
              None,
              lambda F, g, cond: F.where(cond, g, 0),
              lambda F, g, cond: F.where(cond, 0, g),
              inputs=("cond", "a", "b"))


def where(condition, input=None, other=None):
    condition = as_tensor_arg(condition) if not isinstance(condition, Tensor) else condition
    if input is None and other is None:
        from .shape import nonzero
        return nonzero(condition, as_tuple=True)
    a, b = as_operand(input), as_operand(other)
    (ad, bd), dt = promoted_arrays(a, b)
    out = np.where(condition._data, ad, bd)
    if out.dtype != dt.np:
        out = out.astype(dt.np)
    return record(WHERE, out, (condition, a, b))


# clamp keeps the gradient where min <= x <= max (both ends included, as PyTorch).
CLAMP = defop("clamp", lambda x, lo, hi: np.clip(x, lo, hi),
              lambda F, g, x, lo, hi: g * F.in_range(x, lo, hi),
              params=("lo", "hi"), node_name="ClampBackward1")


# clamp with tensor bounds: each bound gets the gradient where it was chosen.
CLAMP_T = defop("clamp_tensor", lambda x, lo, hi: _clip(x, lo, hi),
                lambda F, g, x, lo, hi: g * F.in_range(x, lo, hi),
                lambda F, g, x, lo, hi: g * (x < lo) * (True if hi is None else lo <= hi),
                lambda F, g, x, lo, hi: g * (x > hi) if lo is None else g * F.where(lo > hi, 1, x > hi),
                inputs=("x", "lo", "hi"), node_name="ClampBackward0")


def _clip(x, lo, hi):
    if lo is not None:
        x = np.maximum(x, lo)
    if hi is not None:
        x = np.minimum(x, hi)
    return x


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        input = as_tensor_arg(input)
        lo = as_operand(min) if min is not None else None
        hi = as_operand(max) if max is not None else None
        d, lod, hid = _clamp_arrays(input, lo, hi)
        return record(CLAMP_T, _clip(d, lod, hid), (input, lo, hi))
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind not in "fc" and (isinstance(min, float) or isinstance(max, float)):
        d = to_float_array(d)
    out = np.clip(d, min, max)
    if out.dtype != d.dtype:
        out = out.astype(d.dtype)
    return record(CLAMP, out, (input,), (min, max))


clip = clamp


def _clamp_arrays(x, lo, hi):
    vals, _ = promoted_arrays(*[v for v in (x, lo, hi) if v is not None])
    it = iter(vals)
    return tuple(next(it) if v is not None else None for v in (x, lo, hi))


def _in_range(x, lo, hi):
    """1 where lo <= x <= hi else 0, in x's dtype (None = unbounded)."""
    m = True
    if lo is not None:
        m = x >= lo
    if hi is not None:
        m = m & (x <= hi) if lo is not None else (x <= hi)
    return m


def _bind(tensor_cls):
    global Tensor
    Tensor = tensor_cls


# Non-differentiable helpers used by formulas, in both namespaces.
TensorOps.in_range = staticmethod(_in_range)
for _name, _fn in {"neg": neg, "exp": exp, "log": log, "sqrt": sqrt, "sin": sin, "cos": cos,
                   "tan": tan, "tanh": tanh, "abs": abs, "sigmoid": sigmoid, "relu": relu,
                   "reciprocal": reciprocal, "sign": sign, "pow": pow, "maximum": maximum,
                   "minimum": minimum, "where": where, "clamp": clamp}.items():
    setattr(TensorOps, _name, staticmethod(_fn))
ArrayOps.in_range = staticmethod(_in_range)
ArrayOps.where = staticmethod(np.where)
ArrayOps.pow = staticmethod(np.power)

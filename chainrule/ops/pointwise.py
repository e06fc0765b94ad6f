"""Elementwise operations and their derivatives.

Each `unary(...)` / `defop(...)` line is the whole definition of an op's
calculus: forward on arrays, then one backward formula per input (g is the
output's gradient).  `unary` also declares the op's public forms:
chainrule.<name>, Tensor.<name>, Tensor.<name>_ and F.<name> in formulas.
Broadcasting needs no formula: the node sums each gradient back to its
input's shape (Node.apply_formulas -> F.fit).  Forward mode and higher
derivatives come from the same formulas.

Forwards name a function of the array namespace ("sin" is np.sin on NumPy
arrays, cupy.sin on CuPy's) or take the namespace as the keyword `xp` (see
_backend.bind); none names NumPy.
"""
import math

from .. import _dtypes
from . import _backend, _out
from .._tensor import Tensor
from ._args import as_operand, as_tensor_arg, check_broadcast, promoted_arrays, to_float_array
from . import _batching
from ._dispatch import apply, apply_number, apply_one, apply_pair
from ._registry import defop, elementwise, expose, shows, TensorOps, array_op, complex_node
from .shape import nonzero
_FIRST_OP = _batching.mark()       # (for the batching declaration at the end)

_XP = _backend.NUMPY.xp      # forwards' `xp` by default; _backend.bind gives other libraries theirs
_F32, _F64 = _dtypes.float32.np, _dtypes.float64.np     # (compared by identity)
_ndarray = _backend.ndarray
_numpy_scalar = _backend.numpy_scalar   # a number as a NumPy operand costs less as a 0-d array


# --- unary ops: y = f(x) --------------------------------------------------------------
def unary(name, forward, formula, *, float_result=False, aliases=(), check=None,
          node_name=None, out_exact=None, complex_check=None):
    """Declare the elementwise op `name` and its public forms; returns the
    public function (its Op is `.op`).

    float_result: integer and bool inputs give the default float dtype
    (torch.sin(int_tensor) is float).  check(array): raises for input
    dtypes the op refuses (only called for integer and bool inputs);
    complex_check(array) likewise for complex ones (PyTorch's refusals).
    out_exact: the kernel's message when out= has another dtype than the
    result (see _out)."""
    op = defop(name, forward, formula, node_name=node_name)
    elementwise(op)

    def fn(input, *, out=None):
        if out is not None:
            return _out.into(out, fn(input), name, exact=out_exact)
        plain = input.__class__ is Tensor
        if not plain:
            input = as_tensor_arg(input)
        d = input._data
        dt = d.dtype
        # (float32 and float64 by identity first: 15 ns less than reading .kind, which
        # pays for the keyword-only `out`, whose function Python cannot specialize a call to)
        if dt is not _F32 and dt is not _F64 and dt.kind != "f":
            if dt.kind == "c":
                if complex_check is not None:
                    complex_check(d)
            else:
                if check is not None:
                    check(d)
                if float_result:
                    d = to_float_array(d)
        # (a plain Tensor: the dispatch point's one-tensor path)
        return apply_one(op, input, d) if plain else apply(op, (input,), (d,))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name}; its derivative is in chainrule/ops/pointwise.py."
    fn.op = op
    expose(fn, name, *aliases, inplace=True)
    return fn


def _no_bool_negation(d):
    if d.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def _refuses_complex(exc, message):
    def complex_check(d):
        raise exc(message.format(legacy=_dtypes.FROM_NP[d.dtype].legacy))
    return complex_check


F32 = dict(float_result=True)
# name                 forward        d/dx, times g
neg = unary("neg", "negative", lambda F, g: -g, aliases=("negative",), check=_no_bool_negation,
            out_exact=_out.FOUND)
exp = unary("exp", "exp", lambda F, g, out: g * out, **F32)
log = unary("log", "log", lambda F, g, x: g / x, **F32)
sqrt = unary("sqrt", "sqrt", lambda F, g, out: g / (2 * out), **F32)
sin = unary("sin", "sin", lambda F, g, x: g * F.cos(x), **F32)
cos = unary("cos", "cos", lambda F, g, x: -g * F.sin(x), **F32)
tan = unary("tan", "tan", lambda F, g, out: g * (1 + out * out), **F32)
# (tanh's, sigmoid's and relu's derivatives are one op each, defined below: see _fused_backward)
tanh = unary("tanh", "tanh", lambda F, g, out: F.tanh_backward(g, out), **F32)
abs = unary("abs", "abs", lambda F, g, x: _abs_grad(F, g, x), aliases=("absolute",),
            out_exact=_out.FOUND)
_NO_CLAMP = _refuses_complex(NotImplementedError, "clamp is not supported for complex types")
sigmoid = unary("sigmoid", lambda x, *, xp=_XP: 0.5 * xp.tanh(0.5 * x) + 0.5,   # stable for large |x|
                lambda F, g, out: F.sigmoid_backward(g, out), **F32)
# relu_backward (g where out > 0) stays connected to the graph through g (as PyTorch
# does) so a second derivative of a ReLU network is zero rather than an error.
# NumPy's maximum against a scalar runs an unvectorised loop; its clip ufunc does
# not (see _backend.numpy_clip_ufunc): relu over 262,144 float32 128 -> 43 us.
# It also keeps -0.0, as PyTorch's relu does (maximum gave +0.0).
# (0, inf, -inf) of each dtype the clip ufunc serves; none without the ufunc
_CLIP_UFUNC = _backend.numpy_clip_ufunc
_FLOAT_BOUNDS = {} if _CLIP_UFUNC is None else {
    d: (_numpy_scalar(0, d), _numpy_scalar(math.inf, d), _numpy_scalar(-math.inf, d))
    for d in (_F32, _F64)}


def _relu(x, *, xp=_XP):
    if xp is _XP:
        bounds = _FLOAT_BOUNDS.get(x.dtype)
        if bounds is not None:
            return _CLIP_UFUNC(x, bounds[0], bounds[1])
        return xp.maximum(x, 0)     # (float16's and integers' loops keep x on a tie: -0.0)
    # other array libraries: a select, which keeps -0.0 and NaN as PyTorch's relu
    return xp.where(x < 0, 0, x) if x.dtype.kind == "f" else xp.maximum(x, 0)


def _float_clip(x, lo, hi, xp):
    """xp.clip(x, lo, hi), None no bound; NumPy's float32 and float64 arrays
    through the clip ufunc itself, a missing bound infinite (np.clip's
    wrapper costs about 1 us and gives a one-sided clip to maximum's or
    minimum's unvectorised scalar loop)."""
    bounds = _FLOAT_BOUNDS.get(x.dtype) if xp is _XP else None
    if bounds is None:
        return xp.clip(x, lo, hi)
    return _CLIP_UFUNC(x, bounds[2] if lo is None else lo, bounds[1] if hi is None else hi)


relu = unary("relu", _relu, lambda F, g, out: F.relu_backward(g, out), complex_check=_NO_CLAMP)
reciprocal = unary("reciprocal", "reciprocal", lambda F, g, out: -g * out * out, **F32)
# sign is piecewise constant: zero derivative, recorded so that graphs stay connected.
sign = unary("sign", "sign", lambda F, g: g * 0, out_exact=_out.FOUND,
             complex_check=_refuses_complex(
                 NotImplementedError, "Unlike NumPy, torch.sign is not intended to support "
                 "complex numbers. Please use torch.sgn instead."))
log1p = unary("log1p", "log1p", lambda F, g, x: g / (1 + x), node_name="Log1PBackward0", **F32)
expm1 = unary("expm1", "expm1", lambda F, g, out: g * (out + 1), **F32)
LN2, LN10 = math.log(2.0), math.log(10.0)
_INT64 = _dtypes.int64.np
log2 = unary("log2", "log2", lambda F, g, x: g / (x * LN2), **F32)
log10 = unary("log10", "log10", lambda F, g, x: g / (x * LN10), **F32)
exp2 = unary("exp2", "exp2", lambda F, g, out: g * out * LN2, **F32)
square = unary("square", lambda x, *, xp=_XP: xp.square(x.astype(_INT64) if x.dtype.kind == "b" else x),
               lambda F, g, x: g * 2 * x, node_name="PowBackward0")     # (bools square to int64)
rsqrt = unary("rsqrt", lambda x, *, xp=_XP: 1 / xp.sqrt(x),
              lambda F, g, out: g * -0.5 * out * out * out, **F32)
asin = unary("asin", "arcsin", lambda F, g, x: g / F.sqrt(1 - x * x), aliases=("arcsin",), **F32)
acos = unary("acos", "arccos", lambda F, g, x: -g / F.sqrt(1 - x * x), aliases=("arccos",), **F32)
atan = unary("atan", "arctan", lambda F, g, x: g / (1 + x * x), aliases=("arctan",), **F32)
sinh = unary("sinh", "sinh", lambda F, g, x: g * F.cosh(x), **F32)
cosh = unary("cosh", "cosh", lambda F, g, x: g * F.sinh(x), **F32)
asinh = unary("asinh", "arcsinh", lambda F, g, x: g / F.sqrt(x * x + 1), aliases=("arcsinh",),
              **F32)
acosh = unary("acosh", "arccosh", lambda F, g, x: g / F.sqrt((x - 1) * (x + 1)),
              aliases=("arccosh",), **F32)
atanh = unary("atanh", "arctanh", lambda F, g, x: g / (1 - x * x), aliases=("arctanh",), **F32)
deg2rad = unary("deg2rad", "deg2rad", lambda F, g: g * (math.pi / 180), node_name="Deg2RadBackward0",
                complex_check=_refuses_complex(
                    RuntimeError, "deg2rad is not supported for complex tensors."), **F32)
rad2deg = unary("rad2deg", "rad2deg", lambda F, g: g * (180 / math.pi), node_name="Rad2DegBackward0",
                complex_check=_refuses_complex(
                    RuntimeError, "rad2deg is not supported for complex tensors."), **F32)
# sinc(x) = sin(pi x) / (pi x), 1 at 0; its derivative is 0 there.
sinc = unary("sinc", "sinc", lambda F, g, x: g * _sinc_grad(F, x), **F32)
sgn = unary("sgn", lambda x, *, xp=_XP: x.copy() if x.dtype.kind == "b" else xp.sign(x),
            lambda F, g: g * 0, out_exact=_out.FOUND)   # (real tensors: sign)


# --- tanh's, sigmoid's and relu's derivatives as ops of their own --------------------------
# d tanh = g (1 - y^2), d sigmoid = g y (1 - y) and d relu = g sign(y), y the
# saved output.  Written with F's operators these are two or three ops, hence as
# many nodes in a backward with create_graph (a Hessian-vector product builds
# them all); as one op each they record one node, named as PyTorch names it,
# whose own formulas give the second derivatives.  On arrays the forward
# computes exactly the expression the composite did, so plain backward results
# are the same bits.
def _tanh_backward(g, out):
    return g * (1 - out * out)


def _sigmoid_backward(g, out):
    return g * out * (1 - out)


# the signed integers of each float width, for the bit masks of _relu_backward and _blend
_SAME_WIDTH_INT = {2: _dtypes.int16.np, 4: _dtypes.int32.np, 8: _dtypes.int64.np}


def _relu_backward(g, out, *, xp=_XP):
    # PyTorch's threshold_backward: g where out > 0 or out is NaN, else +0.  (Not
    # g * sign(out), which gave NaN for an infinite g at a negative input and
    # for a NaN input, and held a second full-size temporary.)  As g's bits
    # and a mask of all ones or none: np.where's loop mispredicts its branch
    # on a ReLU's mask, 1.1 ms against 0.12 ms here over 262,144 float32.
    # (_blend's where(c, 0, b) at every size, its mask made in place: the
    # comparison is this function's own; through _select it cost 10% more,
    # 110 against 100 us, for the mask's copy.)
    ints = _SAME_WIDTH_INT.get(g.dtype.itemsize) if g.dtype.kind == "f" else None
    if ints is None:
        return xp.where(out <= 0, 0, g)
    mask = (out <= 0).view(_dtypes.int8.np)     # 1 where the gradient is 0
    mask -= 1                                  # now 0 there and -1 (all bits set) elsewhere
    return xp.bitwise_and(g.view(ints), mask).view(g.dtype)


TANH_BACKWARD = defop(
    "tanh_backward", _tanh_backward,
    lambda F, g, output: F.tanh_backward(g, output),              # d/d grad_output
    lambda F, g, grad_output, output: g * grad_output * (-2 * output),   # d/d output
    inputs=("grad_output", "output"), node_name="TanhBackwardBackward0")
SIGMOID_BACKWARD = defop(
    "sigmoid_backward", _sigmoid_backward,
    lambda F, g, output: F.sigmoid_backward(g, output),
    lambda F, g, grad_output, output: g * grad_output * (1 - 2 * output),
    inputs=("grad_output", "output"), node_name="SigmoidBackwardBackward0")


# (relu's: the mask's own derivative is zero, kept connected through g as PyTorch does)
RELU_BACKWARD = defop(
    "relu_backward", _relu_backward,
    lambda F, g, output: F.relu_backward(g, output),
    lambda F, g: g * 0,
    inputs=("grad_output", "output"), node_name="ThresholdBackwardBackward0")


def _fused_backward(op, composite):
    """The formula namespace's form of a fused derivative: one node where both
    operands are Tensors of one dtype and shape (what a backward hands it),
    else the composite (PyTorch's promotion and broadcasting)."""
    def fn(grad_output, output):
        if isinstance(grad_output, Tensor) and isinstance(output, Tensor):
            a, b = grad_output._data, output._data
            if a.dtype is b.dtype and a.shape == b.shape:
                return apply(op, (grad_output, output), (a, b))
        return composite(grad_output, output)
    fn.__name__ = fn.__qualname__ = op.name
    return expose(fn, op.name, function=False, method=False)


_fused_backward(TANH_BACKWARD, _tanh_backward)
_fused_backward(SIGMOID_BACKWARD, _sigmoid_backward)
_fused_backward(RELU_BACKWARD, lambda g, out: where(out <= 0, 0, g).to(
    _dtypes.result_type(g, out)))


@shows("grad * sgn(self)")
def _abs_grad(F, g, x):
    d = x._data if x.__class__ is not _ndarray and isinstance(x, Tensor) else x
    if d.dtype.kind != "c":
        return g * F.sign(x)
    # |z|: d|z|/dRe z + i d|z|/dIm z = z / |z| (0 at 0, as PyTorch)
    return g * F.where(x == 0, 0, x / F.where(x == 0, 1, F.abs(x)))


def _sinc_grad(F, x):
    px = x * math.pi
    safe = F.where(x == 0, 1, px)                        # keeps the unused branch finite
    return F.where(x == 0, 0, (F.cos(safe) * safe - F.sin(safe)) / (safe * x))


def _rounding(name, fn_name, kernel=None):
    """floor, ceil, trunc, round: integers come back as they are (a copy, as
    PyTorch's), bools are refused; piecewise constant, so a zero gradient,
    kept in the graph."""
    def forward(x, *, xp=_XP):
        return x.copy() if x.dtype.kind in "iu" else getattr(xp, fn_name)(x)
    forward.__name__ = fn_name
    return unary(name, forward, lambda F, g: g * 0, check=_no_kernel_for_bool(kernel or name),
                 out_exact=_out.FOUND,
                 complex_check=_refuses_complex(NotImplementedError, (
                     f"{name} is not supported for complex inputs" if name != "round" else
                     "\"round_vml_cpu\" not implemented for '{legacy}'")))


def _no_kernel_for_bool(name):
    def check(d):
        if d.dtype.kind == "b":
            raise NotImplementedError(f"\"{name}_vml_cpu\" not implemented for 'Bool'")
    return check


floor = _rounding("floor", "floor")
ceil = _rounding("ceil", "ceil")
trunc = _rounding("trunc", "trunc")
expose(trunc, "fix", inplace=True, formulas=False)
_round = _rounding("round", "rint")       # halves to even, as PyTorch's
ROUND_DECIMALS = defop("round_decimals", lambda x, decimals, *, xp=_XP: xp.round(x, decimals),
                       lambda F, g: g * 0, params=("decimals",), node_name="RoundBackward1")


def round(input, *, decimals=None, out=None):
    if out is not None:
        return _out.into(out, round(input, decimals=decimals), "round", exact=_out.FOUND)
    if decimals is None:
        return _round(input)
    input = as_tensor_arg(input)
    if input._data.dtype.kind not in "fc":
        # (PyTorch: only round() without decimals passes integers through)
        kernel = "round_vml_cpu" if decimals == 0 else "round_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype.legacy}'")
    return apply(ROUND_DECIMALS, (input,), (input._data,), (decimals,))


round.op = _round.op
expose(round, inplace=True, formulas=False)


def _frac(x, *, xp=_XP):
    return x - xp.trunc(x)


FRAC = defop("frac", _frac, lambda F, g: g)


def frac(input, *, out=None):
    if out is not None:
        return _out.into(out, frac(input), "frac", exact=_out.FOUND)
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{input.dtype.legacy}'")
    return apply(FRAC, (input,), (d,))


expose(frac, inplace=True)


# --- predicates: bool results, outside the graph -----------------------------------------
def _predicate(name, forward, inputs=("x",)):
    """A non-differentiable elementwise op on tensors (isnan, logical_and, ...)."""
    op = defop(name, forward, inputs=inputs, quiet=False)

    def fn(*tensors, out=None):
        if out is not None:
            return _out.into(out, fn(*tensors), name)
        tensors = tuple(t if t.__class__ is Tensor else as_tensor_arg(t) for t in tensors)
        return apply(op, tensors, tuple(t._data for t in tensors))
    fn.__name__ = fn.__qualname__ = name
    expose(fn, name, formulas=False)
    return fn


isnan = _predicate("isnan", "isnan")
isinf = _predicate("isinf", "isinf")
isfinite = _predicate("isfinite", "isfinite")


# --- binary ops: y = f(a, b) ---------------------------------------------------------------
ADD = defop("add", "add", lambda F, g: g, lambda F, g: g, inputs=("a", "b"))
SUB = defop("sub", "subtract", lambda F, g: g, lambda F, g: -g, inputs=("a", "b"))
MUL = defop("mul", "multiply", lambda F, g, b: g * b, lambda F, g, a: g * a,
            inputs=("a", "b"), numbers_as_arrays=True)
DIV = defop("div", "divide", lambda F, g, b: g / b, lambda F, g, a, b: -g * a / (b * b),
            inputs=("a", "b"), numbers_as_arrays=True)
# a ** b.  d/da = b a^(b-1) (0 where b == 0);  d/db = a^b log a (0 where a == 0).
POW = defop("pow", "power",
            lambda F, g, a, b: _pow_base_grad(F, g, a, b),
            lambda F, g, a, out: _pow_exponent_grad(F, g, a, out),
            inputs=("a", "b"))


@shows("grad * other * self ** (other - 1)")
def _pow_base_grad(F, g, a, b):
    if b.__class__ is int or b.__class__ is float:
        if b == 0:
            return g * 0
        if a.__class__ is _ndarray:      # plain backward: the numbers as 0-d arrays (faster)
            if b == 2:                   # (pow(a, 1) is a itself, exactly: one call fewer;
                # instructions, icount.py: the polynomial's step 265.8k -> 262.1k)
                return g * _numpy_scalar(b, a.dtype) * a
            return g * _numpy_scalar(b, a.dtype) * F.pow(a, _numpy_scalar(b - 1, a.dtype))
        return g * b * F.pow(a, b - 1)
    return F.where(b == 0, 0, g * b * F.pow(a, b - 1))


@shows("grad * result * log(self)")
def _pow_exponent_grad(F, g, a, out):
    if a.__class__ is int or a.__class__ is float:
        return g * out * (math.log(a) if a > 0 else 0.0)
    return g * out * F.log(F.where(a == 0, 1, a))


MAXIMUM = defop("maximum", "maximum",
                lambda F, g, a, b: g * ((a > b) + (a == b) * 0.5),
                lambda F, g, a, b: g * ((b > a) + (a == b) * 0.5), inputs=("a", "b"))
MINIMUM = defop("minimum", "minimum",
                lambda F, g, a, b: g * ((a < b) + (a == b) * 0.5),
                lambda F, g, a, b: g * ((b < a) + (a == b) * 0.5), inputs=("a", "b"))


def _floor_divide(a, b, *, xp=_XP):
    """PyTorch's floor division: Python's rule (NumPy's floor_divide), and a
    ZeroDivisionError for integers, where NumPy gives 0."""
    _check_int_divisor(a, b)
    return xp.floor_divide(a, b)


def _trunc_divide(a, b, *, xp=_XP):
    _check_int_divisor(a, b)
    if _kind(a) in "iub" and _kind(b) in "iub":
        q = xp.floor_divide(a, b)         # exact for integers; round towards zero
        return q + ((xp.remainder(a, b) != 0) & ((q < 0))).astype(q.dtype)
    return xp.trunc(xp.divide(a, b))


def _remainder(a, b, *, xp=_XP):
    _check_int_divisor(a, b)
    return xp.remainder(a, b)


def _check_int_divisor(a, b):
    """Integer division by zero is an error in PyTorch (NumPy gives 0)."""
    if _kind(a) in "iub" and _kind(b) in "iub" and \
            (b == 0 if b.__class__ is int or b.__class__ is bool else not b.all()):
        raise RuntimeError("ZeroDivisionError")


def _kind(v):
    d = getattr(v, "dtype", None)
    return d.kind if d is not None else ("i" if v.__class__ is int or v.__class__ is bool else "f")


def _not_implemented(name):
    def formula(F, g):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return formula


# Floor and truncated division are piecewise constant: zero gradient for both
# inputs, as PyTorch (DivBackward2); floor_divide itself has no derivative.
DIV_ROUNDED = defop("div_rounded", lambda a, b, mode, *, xp=_XP: (
                        _floor_divide if mode == "floor" else _trunc_divide)(a, b, xp=xp),
                    lambda F, g: g * 0, lambda F, g: g * 0, inputs=("a", "b"),
                    params=("mode",), node_name="DivBackward2")
FLOOR_DIVIDE = defop("floor_divide", _floor_divide, _not_implemented("floor_divide"),
                     _not_implemented("floor_divide"), inputs=("a", "b"),
                     node_name="NotImplemented")
# a mod b = a - floor(a / b) b: d/da = 1, d/db = -floor(a / b).
REMAINDER = defop("remainder", _remainder, lambda F, g: g,
                  lambda F, g, a, b: -g * F.div_rounded(a, b, "floor"), inputs=("a", "b"))

# number % tensor: PyTorch defines no derivative.
REMAINDER_SCALAR_BASE = defop("remainder_scalar_base", _remainder,
                              _not_implemented("remainder"), _not_implemented("remainder"),
                              inputs=("a", "b"), node_name="NotImplemented")

# grad_fn names PyTorch gives the reflected and scalar forms.
_RSUB = SUB.variant("RsubBackward1")
_POW_TENSOR_EXP = POW.variant("PowBackward1")   # tensor ** tensor
_POW_SCALAR_BASE = POW.variant("PowBackward2")  # number ** tensor
_REMAINDER_TENSOR = REMAINDER.variant("RemainderBackward1")


def binary(op, float_result=False):
    """op's binary form, f(a, b, node_cls=None, params=()) for Tensors and
    Python numbers with PyTorch's type promotion: what the public functions
    call (op.binary), and the Tensor operator itself (x + y, 2 * x), so that an
    operator costs one Python call.  float_result: integer operands give the
    default float dtype (true division)."""
    if not op.quiet:      # (apply_number runs every forward it gets quietly)
        raise ValueError(f"binary({op.name}): the operator path needs an op with quiet=True")

    def binary(a, b, node_cls=None, params=()):
        # Fast paths first (same-dtype tensors; a float tensor and a number): they
        # need no promotion, and NumPy's own rules then agree with PyTorch's.
        if a.__class__ is Tensor:
            ad = a._data
            cb = b.__class__
            if cb is Tensor:
                bd = b._data
                if ad.dtype is bd.dtype and (not float_result or ad.dtype.kind == "f"):
                    if ad.shape == bd.shape:
                        return apply_pair(op, a, b, ad, bd, params, node_cls)
                    # (shapes that do not broadcast make NumPy raise ValueError in the
                    # forward, before anything is recorded: checked only then, since
                    # checking first costs a third of the op)
                    try:
                        return apply_pair(op, a, b, ad, bd, params, node_cls)
                    except ValueError:
                        check_broadcast(ad.shape, bd.shape)
                        raise
            elif (cb is float or cb is int) and ad.dtype.kind == "f":
                if ad.__class__ is _ndarray:
                    return apply_number(op, a, b, ad, _numpy_scalar(b, ad.dtype), params, node_cls)
                return apply(op, (a, b), (ad, b), params, node_cls)
        return _apply_binary_promoting(op, a, b, node_cls, float_result, params)
    binary.__name__ = binary.__qualname__ = op.name
    op.binary = binary
    return binary


for _op in (ADD, SUB, MUL, POW, MAXIMUM, MINIMUM, DIV_ROUNDED, FLOOR_DIVIDE, REMAINDER,
            REMAINDER_SCALAR_BASE):
    binary(_op)
binary(DIV, float_result=True)


def _apply_binary_promoting(op, a, b, node_cls, float_result, params=()):
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
        check_broadcast(sa, sb)
    if dt.category == _dtypes.INT:
        ad, bd = _wrapped(ad, dt), _wrapped(bd, dt)
    elif dt.category == _dtypes.COMPLEX:
        # (a complex result from real tensors and a Python complex number: the
        # inputs alone would not tell the dispatch point the op is complex)
        if op.complex is None:
            raise NotImplementedError(f"\"{op.name}_cpu\" not implemented for '{dt.legacy}'")
        if op.complex == "holomorphic":
            node_cls = complex_node(node_cls or op.Node)
    return apply(op, (a, b), (ad, bd), params, node_cls)


def _wrapped(v, dt):
    """A Python int outside the integer dtype wraps around, as in PyTorch
    (int8 tensor + 1000 adds -24); NumPy would raise OverflowError."""
    if v.__class__ is int:
        bits = 8 * dt.itemsize
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if dt.is_signed else (0, (1 << bits) - 1)
        if not lo <= v <= hi:
            v &= (1 << bits) - 1          # the low bits, as the C cast keeps them
            return v - (1 << bits) if v > hi else v
    return v


def _is_bool(v):
    """A bool tensor or a Python bool (PyTorch refuses both in subtraction)."""
    return v.__class__ is bool or isinstance(v, Tensor) and v._data.dtype.kind == "b"


def add(input, other, *, alpha=1, out=None):
    if out is not None:
        return _out.into(out, add(input, other, alpha=alpha), "add")
    if alpha != 1:
        other = mul(other, alpha)
    return ADD.binary(input, other)


def sub(input, other, *, alpha=1, out=None):
    if out is not None:
        return _out.into(out, sub(input, other, alpha=alpha), "sub")
    if _is_bool(input) or _is_bool(other):
        _refuse_bool_subtraction(input, other)
    if alpha != 1:
        other = mul(other, alpha)
    return SUB.binary(input, other)


def rsub(input, other, *, alpha=1):
    """other - input (PyTorch's `2 - x`)."""
    if _is_bool(input) or _is_bool(other):
        _refuse_bool_subtraction(input, other)
    return SUB.binary(other, input, _RSUB)


def _refuse_bool_subtraction(a, b):
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                       "If you are trying to invert a mask, use the `~` or `logical_not()` "
                       "operator instead.")


def mul(input, other, *, out=None):
    if out is not None:
        return _out.into(out, mul(input, other), "mul")
    return MUL.binary(input, other)


def div(input, other, *, rounding_mode=None, out=None):
    if out is not None:
        return _out.into(out, div(input, other, rounding_mode=rounding_mode), "div")
    if rounding_mode is None:
        return DIV.binary(input, other)
    if rounding_mode not in ("floor", "trunc"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return DIV_ROUNDED.binary(input, other, None, (rounding_mode,))


def rdiv(input, other):
    """other / input: PyTorch computes it as reciprocal(input) * other."""
    if isinstance(input, Tensor) and input._data.dtype.kind not in "fc":
        return DIV.binary(other, input)
    return mul(reciprocal(input), other)


def floor_divide(input, other, *, out=None):
    if out is not None:
        return _out.into(out, floor_divide(input, other), "floor_divide")
    return FLOOR_DIVIDE.binary(input, other)


def remainder(input, other, *, out=None):
    if out is not None:
        return _out.into(out, remainder(input, other), "remainder")
    if not isinstance(input, Tensor):
        return REMAINDER_SCALAR_BASE.binary(input, other)
    return REMAINDER.binary(input, other, _REMAINDER_TENSOR if isinstance(other, Tensor) else None)


def pow(input, exponent, *, out=None):
    if out is not None:
        return _out.into(out, pow(input, exponent), "pow")
    if isinstance(exponent, Tensor) and exponent._data.dtype.kind in "iu" and \
            _integral(input) and (exponent._data < 0).any():
        return INT_POW.binary(input, exponent)
    if isinstance(input, Tensor):
        if input._data.dtype.kind in "iub" and exponent.__class__ is int and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if isinstance(exponent, Tensor):
            return POW.binary(input, exponent, _POW_TENSOR_EXP)
        return POW.binary(input, exponent)
    return POW.binary(input, exponent, _POW_SCALAR_BASE)


def _integral(v):
    return v._data.dtype.kind in "iub" if isinstance(v, Tensor) else v.__class__ in (int, bool)


def _int_power(a, b, *, xp=_XP):
    """Integer a ** b where some exponents are negative: as in C integer
    arithmetic (PyTorch), 1 / a**|b| truncates to 0 except for a = 1 and -1."""
    out = xp.power(a, xp.where(b < 0, 0, b))
    odd = (b % 2) != 0
    tiny = xp.where(a == 1, 1, xp.where(a == -1, xp.where(odd, -1, 1), 0))
    return xp.where(b < 0, tiny, out).astype(out.dtype, copy=False)


# Integer results never require grad: no formulas.
INT_POW = defop("pow_int", _int_power, inputs=("a", "b"))
binary(INT_POW)


def maximum(input, other, *, out=None):
    if out is not None:
        return _out.into(out, maximum(input, other), "maximum")
    input, other = as_tensor_arg(input), as_tensor_arg(other)
    _no_complex_extreme("maximum", input, other)
    return MAXIMUM.binary(input, other)


def minimum(input, other, *, out=None):
    if out is not None:
        return _out.into(out, minimum(input, other), "minimum")
    input, other = as_tensor_arg(input), as_tensor_arg(other)
    _no_complex_extreme("minimum", input, other)
    return MINIMUM.binary(input, other)


def _no_complex_extreme(name, a, b):
    if a._data.dtype.kind == "c" or b._data.dtype.kind == "c":
        raise RuntimeError(f"{name} not implemented for complex tensors.")


expose(add, inplace=True)
expose(sub, "sub", "subtract", inplace=True)
expose(rsub, method=False, formulas=False)
expose(mul, "mul", "multiply", inplace=True)
expose(div, "div", "divide", "true_divide", inplace=True)
expose(floor_divide, inplace=True)
expose(remainder, inplace=True)
expose(pow, inplace=True)
expose(maximum, inplace=True)
expose(minimum, inplace=True)
TensorOps.div_rounded = staticmethod(lambda a, b, mode: div(a, b, rounding_mode=mode))


# --- comparisons and logic: bool results, outside the graph ---------------------------------
def _comparison(name, ufunc, aliases):
    op = defop(name, ufunc, inputs=("a", "b"), quiet=False)

    def fn(input, other, *, out=None):
        if out is not None:
            return _out.into(out, fn(input, other), name)
        c = other.__class__
        if (c is float or c is int) and input.__class__ is Tensor and (
                (dt := input._data.dtype) is _F32 or dt is _F64 or dt.kind == "f"):  # the common case
            d = input._data
            if d.__class__ is _ndarray:
                # (the tensor-and-number path: a NumPy comparison sets no error
                # flags, so running it quietly changes nothing; 0-d, the seeds'
                # `while b.norm() < 1000`, compares NumPy scalars)
                return apply_number(op, input, other, d, _numpy_scalar(other, d.dtype), (), None)
            return apply(op, (input, other), (d, other))
        if c is Tensor and input.__class__ is Tensor:        # two tensors of one dtype
            ad, bd = input._data, other._data
            if (dt := ad.dtype) is bd.dtype:
                if dt is not _F32 and dt.kind == "c" and name in _SYMBOL:   # (< > <= >=: no order)
                    raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                              f"'{input.dtype.legacy}'")
                if ad.shape != bd.shape:
                    check_broadcast(ad.shape, bd.shape)
                return apply(op, (input, other), (ad, bd))
        if other is None:
            if name in ("eq", "ne"):
                return name == "ne"
            raise TypeError(f"'{_SYMBOL[name]}' not supported between instances of 'Tensor' "
                            "and 'NoneType'")
        a, b = as_operand(input), as_operand(other)
        (ad, bd), dt = promoted_arrays(a, b)
        if dt.is_complex and name in _SYMBOL:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dt.legacy}'")
        if isinstance(a, Tensor) and isinstance(b, Tensor) and ad.shape != bd.shape:
            check_broadcast(ad.shape, bd.shape)           # (PyTorch's error, not NumPy's)
        return apply(op, (a, b), (ad, bd))
    fn.__name__ = fn.__qualname__ = name
    fn.op = op
    expose(fn, name, *aliases, formulas=False)
    expose(fn, f"__{name}__", function=False, formulas=False)
    return fn


_SYMBOL = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
eq = _comparison("eq", "equal", ())
ne = _comparison("ne", "not_equal", ("not_equal",))
lt = _comparison("lt", "less", ("less",))
le = _comparison("le", "less_equal", ("less_equal",))
gt = _comparison("gt", "greater", ("greater",))
ge = _comparison("ge", "greater_equal", ("greater_equal",))


def _bitwise(name, ufunc, operator):
    op = defop(name, ufunc, inputs=("a", "b"), quiet=False)

    def fn(input, other, *, out=None):
        if out is not None:
            return _out.into(out, fn(input, other), name)
        a, b = as_operand(input), as_operand(other)
        (ad, bd), dt = promoted_arrays(a, b)
        if dt.category >= _dtypes.FLOAT:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dt.legacy}'")
        return apply(op, (a, b), (ad, bd))
    fn.__name__ = fn.__qualname__ = name
    expose(fn, name, formulas=False)
    expose(fn, operator, "__r" + operator[2:], function=False, formulas=False)
    return fn


bitwise_and = _bitwise("bitwise_and", "bitwise_and", "__and__")
bitwise_or = _bitwise("bitwise_or", "bitwise_or", "__or__")
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor", "__xor__")
BITWISE_NOT = defop("bitwise_not", "invert", quiet=False)


def bitwise_not(input, *, out=None):
    if out is not None:
        return _out.into(out, bitwise_not(input), "bitwise_not", exact=_out.FOUND)
    input = as_tensor_arg(input)
    if input._data.dtype.kind in "fc":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{input.dtype.legacy}'")
    return apply(BITWISE_NOT, (input,), (input._data,))


def _invert(input):
    """~x: PyTorch's operator refuses floats with a TypeError of its own."""
    if input._data.dtype.kind in "fc":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(input)


expose(bitwise_not, formulas=False)
expose(_invert, "__invert__", function=False, formulas=False)


logical_and = _predicate("logical_and", "logical_and", ("a", "b"))
logical_or = _predicate("logical_or", "logical_or", ("a", "b"))
logical_xor = _predicate("logical_xor", "logical_xor", ("a", "b"))
logical_not = _predicate("logical_not", "logical_not")


# --- where and clamp ------------------------------------------------------------------------
# NumPy's where takes about 4-5 ns an element on the development machines once
# its operands leave the L2 cache (1.16 ms over 262,144 float32, where an add
# takes 40 us; 1.3 ns an element up to 16,384).  For float operands of one
# dtype (or one of them a literal +0) the bits are chosen instead: b ^ ((a ^ b)
# & m), m all ones where c holds, three integer passes and the mask: the same
# bits, NaN payloads and signs of zero included, in 0.20 ms (0.09 against +0).
# Measured float32, np.where / by bits: 16,384 values 20 / 18 us, 32,768 99 /
# 28 us; float64 16,384 17 / 29 us, 65,536 265 / 89 us.  Against a literal 0
# (one integer pass and the mask) the bits win from 4,096: 6.7 / 5.8 us there,
# 1,024 2.9 / 4.4 us.
_BLEND_MIN = 32768       # elements of c, at least: below, np.where costs as little or less
_BLEND_MIN_ZERO = 4096   # ... where a or b is a literal 0


def _select(c, a, b, *, xp=_XP):
    """xp.where(c, a, b): by bits (_blend) for large NumPy float operands."""
    if xp is _XP and c.__class__ is _ndarray and c.dtype.kind == "b" and c.size >= (
            _BLEND_MIN if a.__class__ is b.__class__ else _BLEND_MIN_ZERO):
        out = _blend(c, a, b, xp)
        if out is not None:
            return out
    return xp.where(c, a, b)


def _is_plus_zero(v):
    return (v.__class__ is int or v.__class__ is float) and v == 0 and math.copysign(1, v) > 0


def _blend(c, a, b, xp):
    """where(c, a, b) by bits for NumPy float arrays a and b of one dtype, or
    one of them an array and the other a literal +0; None otherwise."""
    arrays = [v for v in (a, b) if v.__class__ is _ndarray]
    if not arrays or any(v.dtype != arrays[0].dtype for v in arrays):
        return None
    dt = arrays[0].dtype
    ints = _SAME_WIDTH_INT.get(dt.itemsize) if dt.kind == "f" else None
    if ints is None or (len(arrays) == 1 and not _is_plus_zero(b if a is arrays[0] else a)):
        return None
    mask = c.view(_dtypes.int8.np)               # 1 where c holds
    if b.__class__ is not _ndarray:              # where(c, a, 0): a's bits or none
        return xp.bitwise_and(a.view(ints), -mask).view(dt)
    if a.__class__ is not _ndarray:              # where(c, 0, b)
        return xp.bitwise_and(b.view(ints), mask - 1).view(dt)
    bi = b.view(ints)
    out = xp.bitwise_and(xp.bitwise_xor(a.view(ints), bi), -mask)
    return xp.bitwise_xor(out, bi, out=out).view(dt)


def _where(c, a, b, dtype=None, *, xp=_XP):
    out = _select(c, a, b, xp=xp)
    return out if dtype is None or out.dtype == dtype else out.astype(dtype)


WHERE = defop("where", _where,
              None,
              lambda F, g, cond: F.where(cond, g, 0),
              lambda F, g, cond: F.where(cond, 0, g),
              inputs=("cond", "a", "b"), params=("dtype",))


def where(condition, input=None, other=None, *, out=None):
    if out is not None:
        return _out.into(out, where(condition, input, other), "where",
                         exact="Expected out type to be {r} but got {o}")
    condition = as_tensor_arg(condition) if not isinstance(condition, Tensor) else condition
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    a, b = as_operand(input), as_operand(other)
    (ad, bd), dt = promoted_arrays(a, b)
    shape = condition._data.shape      # PyTorch broadcasts condition, input, other in turn
    for v in (ad, bd):
        s = getattr(v, "shape", ())
        if s != shape:
            shape = check_broadcast(shape, s)
    return apply(WHERE, (condition, a, b), (condition._data, ad, bd), (dt.np,))


def _where_method(self, condition, other):
    return where(condition, self, other)


expose(where, method=_where_method)


# clamp keeps the gradient where min <= x <= max (both ends included, as PyTorch).
def _clamp_scalar(x, lo, hi, dtype=None, *, xp=_XP):
    out = _float_clip(x, lo, hi, xp)
    return out if dtype is None or out.dtype == dtype else out.astype(dtype)


CLAMP = defop("clamp", _clamp_scalar,
              lambda F, g, x, lo, hi: g * F.in_range(x, lo, hi),
              params=("lo", "hi", "dtype"), node_name="ClampBackward1")


# clamp with tensor bounds: each bound gets the gradient where it was chosen.
def _clip(x, lo, hi, *, xp=_XP):
    if lo is not None:
        x = xp.maximum(x, lo)
    if hi is not None:
        x = xp.minimum(x, hi)
    return x


CLAMP_T = defop("clamp_tensor", _clip,
                lambda F, g, x, lo, hi: g * F.in_range(x, lo, hi),
                lambda F, g, x, lo, hi: g * (x < lo) * (True if hi is None else lo <= hi),
                lambda F, g, x, lo, hi: g * (x > hi) if lo is None else g * F.where(lo > hi, 1, x > hi),
                inputs=("x", "lo", "hi"), node_name="ClampBackward0")


def clamp(input, min=None, max=None, *, out=None):
    if out is not None:
        return _out.into(out, clamp(input, min, max), "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(input, Tensor) and input._data.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        input = as_tensor_arg(input)
        lo = as_operand(min) if min is not None else None
        hi = as_operand(max) if max is not None else None
        d, lod, hid = _clamp_arrays(input, lo, hi)
        return apply(CLAMP_T, (input, lo, hi), (d, lod, hid))
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind not in "fc" and (isinstance(min, float) or isinstance(max, float)):
        d = to_float_array(d)
    return apply(CLAMP, (input,), (d,), (min, max, d.dtype))


expose(clamp, "clamp", "clip", inplace=True)


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


# Formula helpers that are not public ops, in both namespaces.
TensorOps.in_range = staticmethod(_in_range)
array_op("in_range", _in_range)
array_op("where", _select)
array_op("pow", "power")


# --- more binary ops (issue 11) ---
def _tensor_arg(v, fname, argname, pos):
    """PyTorch's TypeError for an argument that must be a Tensor."""
    if isinstance(v, Tensor):
        return v
    raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, "
                    f"not {type(v).__name__}")


def _float_binary(name, forward, grad_a, grad_b, *, int_kernel=False, aliases=(), inplace=True,
                  node_name=None):
    """A two-tensor elementwise op with a float result: integer operands give the
    default float dtype, or (int_kernel: PyTorch has no integer kernel) are refused."""
    op = defop(name, forward, grad_a, grad_b, inputs=("a", "b"), node_name=node_name)
    elementwise(op)
    binary(op, float_result=True)

    def fn(input, other, *, out=None):
        if out is not None:
            return _out.into(out, fn(input, other), name)
        a = _tensor_arg(input, name, "input", 1)
        b = _tensor_arg(other, name, "other", 2)
        if int_kernel:
            dt = _dtypes.result_type(a, b)
            if not dt.is_floating_point:
                raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dt.legacy}'")
        return op.binary(a, b)
    fn.__name__ = fn.__qualname__ = name
    fn.op = op
    expose(fn, name, *aliases, inplace=inplace)
    return fn


def _logaddexp(a, b, *, xp=_XP):
    m = xp.maximum(a, b)
    m = xp.where(xp.isfinite(m), m, 0)
    return xp.log(xp.exp(a - m) + xp.exp(b - m)) + m


def _logaddexp2(a, b, *, xp=_XP):
    m = xp.maximum(a, b)
    m = xp.where(xp.isfinite(m), m, 0)
    return xp.log2(xp.exp2(a - m) + xp.exp2(b - m)) + m


# atan2(a, b): d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)
atan2 = _float_binary("atan2", "arctan2", lambda F, g, a, b: g * b / (a * a + b * b),
                      lambda F, g, a, b: -g * a / (a * a + b * b), aliases=("arctan2",))
hypot = _float_binary("hypot", "hypot", lambda F, g, a, out: g * a / out,
                      lambda F, g, b, out: g * b / out, int_kernel=True)
logaddexp = _float_binary("logaddexp", _logaddexp, lambda F, g, a, b: g * F.sigmoid(a - b),
                          lambda F, g, a, b: g * F.sigmoid(b - a), int_kernel=True,
                          inplace=False)
logaddexp2 = _float_binary("logaddexp2", _logaddexp2,
                           lambda F, g, a, b: g * F.sigmoid((a - b) * LN2),
                           lambda F, g, a, b: g * F.sigmoid((b - a) * LN2), int_kernel=True,
                           inplace=False)


# xlogy(a, b) = a log b, 0 where a == 0 (unless b is nan).
_FLOAT64 = _dtypes.float64.np


def x_times_log(a, b, log, xp):
    """a * log(b), 0 where a == 0 unless b is nan: xlogy's and xlog1py's
    forward (`log`: the namespace's log or log1p)."""
    if b.__class__ is float or b.__class__ is int:
        # (a's dtype, as a number promotes; a bool mask from the formula: float64)
        b = xp.asarray(b, dtype=a.dtype if a.dtype.kind == "f" else _FLOAT64)
    out = a * log(b)
    return xp.where((a == 0) & ~xp.isnan(b), 0, out).astype(out.dtype, copy=False)


def _xlogy(a, b, *, xp=_XP):
    return x_times_log(a, b, xp.log, xp)


XLOGY = defop("xlogy", _xlogy, lambda F, g, a, b: g * F.xlogy(a != 0, b),
              lambda F, g, a, b: g * a / b, inputs=("a", "b"))
binary(XLOGY, float_result=True)
_XLOGY_SCALAR_SELF = XLOGY.variant("XlogyBackward1")
_XLOGY_SCALAR_OTHER = XLOGY.variant("XlogyBackward2")


def binary_scalar_named(op, input, other, name, scalar_self, scalar_other):
    """op on (input, other), at least one a Tensor (else PyTorch's TypeError for
    `name`), recorded as the variant PyTorch names for a number in either place."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__}), but expected one of:")
    node = (None if isinstance(input, Tensor) and isinstance(other, Tensor)
            else scalar_self if not isinstance(input, Tensor) else scalar_other)
    return op.binary(input, other, node)


def xlogy(input, other, *, out=None):
    if out is not None:
        return _out.into(out, xlogy(input, other), "xlogy")
    return binary_scalar_named(XLOGY, input, other, "xlogy", _XLOGY_SCALAR_SELF,
                               _XLOGY_SCALAR_OTHER)


expose(xlogy, inplace=True)


# lerp(a, b, w) = a + w (b - a), computed as PyTorch does for |w| >= 0.5.
def _lerp(a, b, w, *, xp=_XP):
    d = b - a
    if w.__class__ is float or w.__class__ is int:
        return a + w * d if -0.5 < w < 0.5 else b - d * (1 - w)
    return xp.where(xp.abs(w) < 0.5, a + w * d, b - d * (1 - w))


LERP = defop("lerp", _lerp,
             lambda F, g, w: g * (1 - w), lambda F, g, w: g * w,
             inputs=("a", "b"), params=("w",))
LERP_T = defop("lerp_tensor", _lerp, lambda F, g, w: g * (1 - w), lambda F, g, w: g * w,
               lambda F, g, a, b: g * (b - a), inputs=("a", "b", "w"), node_name="LerpBackward1")


def lerp(input, end, weight, *, out=None):
    if out is not None:
        return _out.into(out, lerp(input, end, weight), "lerp", exact=_out.FOUND)
    a = _tensor_arg(input, "lerp", "input", 1)
    if not isinstance(end, Tensor):
        raise TypeError(f"lerp() received an invalid combination of arguments - got (Tensor, "
                        f"{type(end).__name__}, {type(weight).__name__}), but expected one of:")
    b = end
    ad, bd = a._data, b._data
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"expected dtype {_c_name(ad)} for `end` but got dtype {_c_name(bd)}")
    if isinstance(weight, Tensor):
        wd = weight._data
        if wd.dtype != ad.dtype:
            raise RuntimeError(f"expected dtype {_c_name(ad)} for `weight` but got dtype "
                               f"{_c_name(wd)}")
        if ad.dtype.kind not in "fc":
            raise NotImplementedError(f"\"lerp_kernel_tensor\" not implemented for "
                                      f"'{a.dtype.legacy}'")
        check_broadcast(check_broadcast(ad.shape, bd.shape), wd.shape)
        return apply(LERP_T, (a, b, weight), (ad, bd, wd))
    if ad.dtype.kind not in "fc":
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{a.dtype.legacy}'")
    check_broadcast(ad.shape, bd.shape)
    w = weight.item() if isinstance(weight, _backend.HOST_SCALAR) else weight
    return apply(LERP, (a, b), (ad, bd), (w,))


_C_NAMES = _dtypes.C_NAMES


def _c_name(d):
    """The C type name PyTorch's dtype checks print (float, double, long int, ...)."""
    return _C_NAMES.get(d.dtype.name, d.dtype.name)


expose(lerp, inplace=True)


# fmod: the remainder with the sign of the dividend.  d/da = 1, d/db = -trunc(a / b).
def _fmod(a, b, *, xp=_XP):
    _check_int_divisor(a, b)
    return xp.fmod(a, b)


FMOD = defop("fmod", _fmod, lambda F, g: g, lambda F, g, a, b: -g * F.trunc(a / b),
             inputs=("a", "b"))
binary(FMOD)
_FMOD_TENSOR = FMOD.variant("FmodBackward1")


def fmod(input, other, *, out=None):
    if out is not None:
        return _out.into(out, fmod(input, other), "fmod")
    a = _tensor_arg(input, "fmod", "input", 1)
    if _dtypes.result_type(a, as_operand(other)) is _dtypes.bool:
        raise NotImplementedError("\"fmod_cpu\" not implemented for 'Bool'")
    return FMOD.binary(a, other, _FMOD_TENSOR if isinstance(other, Tensor) else None)


expose(fmod, inplace=True)


# copysign(a, b) = |a| with b's sign: d/da = out / a (0 at a == 0); b gets no gradient.
COPYSIGN = defop("copysign", "copysign",
                 lambda F, g, a, out: g * F.where(a == 0, 0, out / F.where(a == 0, 1, a)),
                 lambda F, g: g * 0, inputs=("a", "b"), node_name="CopysignBackward0")
binary(COPYSIGN, float_result=True)
_COPYSIGN_SCALAR = COPYSIGN.variant("CopysignBackward1")


def copysign(input, other, *, out=None):
    if out is not None:
        return _out.into(out, copysign(input, other), "copysign")
    a = _tensor_arg(input, "copysign", "input", 1)
    return COPYSIGN.binary(a, other, None if isinstance(other, Tensor) else _COPYSIGN_SCALAR)


expose(copysign, inplace=True)


# clamp_min / clamp_max: clamp with one bound.
_CLAMP_MIN = CLAMP.variant("ClampMinBackward0")
_CLAMP_MAX = CLAMP.variant("ClampMaxBackward0")
_CLAMP_MIN_T = CLAMP_T.variant("ClampMinBackward1")
_CLAMP_MAX_T = CLAMP_T.variant("ClampMaxBackward1")


def _clamp_one(input, lo, hi):
    input = as_tensor_arg(input)
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        lo = as_operand(lo) if lo is not None else None
        hi = as_operand(hi) if hi is not None else None
        d, lod, hid = _clamp_arrays(input, lo, hi)
        return apply(CLAMP_T, (input, lo, hi), (d, lod, hid), (),
                     _CLAMP_MIN_T if hi is None else _CLAMP_MAX_T)
    d = input._data
    dt = _dtypes.result_type(input, as_operand(hi if lo is None else lo))
    if dt is _dtypes.bool:
        raise NotImplementedError(f"\"clamp_{'min' if hi is None else 'max'}_scalar_cpu\" not "
                                  "implemented for 'Bool'")
    if d.dtype != dt.np:
        d = d.astype(dt.np)
    return apply(CLAMP, (input,), (d,), (lo, hi, d.dtype), _CLAMP_MIN if hi is None else _CLAMP_MAX)


def clamp_min(input, min, *, out=None):
    if out is not None:
        return _out.into(out, clamp_min(input, min), "clamp_min")
    return _clamp_one(input, min, None)


def clamp_max(input, max, *, out=None):
    if out is not None:
        return _out.into(out, clamp_max(input, max), "clamp_max")
    return _clamp_one(input, None, max)


expose(clamp_min, inplace=True)
expose(clamp_max, inplace=True)


# nan_to_num: the gradient passes where x is finite.
def _nan_to_num(x, nan, posinf, neginf, *, xp=_XP):
    if x.dtype.kind not in "fc":
        return x.copy()
    return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


NAN_TO_NUM = defop("nan_to_num", _nan_to_num, lambda F, g, x: g * F.isfinite(x),
                   params=("nan", "posinf", "neginf"))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    if out is not None:
        return _out.into(out, nan_to_num(input, nan, posinf, neginf), "nan_to_num",
                         exact="nan_to_num: dtype of out: {o} should be same as input: {r}")
    input = as_tensor_arg(input)
    return apply(NAN_TO_NUM, (input,), (input._data,), (nan, posinf, neginf))


expose(nan_to_num, inplace=True)
TensorOps.isfinite = staticmethod(isfinite)


# logit(x) = log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given.
def _logit(x, eps, *, xp=_XP):
    if eps is not None:
        x = xp.clip(x, eps, 1 - eps)
    return xp.log(x / (1 - x))


def _logit_grad(F, g, x, eps):
    d = g / (x * (1 - x))
    if eps is None:
        return F.where((x < 0) | (x > 1), float("nan"), d)
    return F.where((x < eps) | (x > 1 - eps), 0, d)


LOGIT = defop("logit", _logit, _logit_grad, params=("eps",))


def logit(input, eps=None, *, out=None):
    if out is not None:
        return _out.into(out, logit(input, eps), "logit")
    input = as_tensor_arg(input)
    return apply(LOGIT, (input,), (to_float_array(input._data),), (eps,))


expose(logit, inplace=True)


# isclose / isreal / signbit: bool results, outside the graph.
def _isclose(a, b, rtol, atol, equal_nan, *, xp=_XP):
    if a.dtype.kind == "b":
        return a == b
    close = a == b                                    # (equal infinities too)
    if a.dtype.kind in "fc":
        if equal_nan:
            close = close | (xp.isnan(a) & xp.isnan(b))
        diff = xp.abs(a - b)
        return close | (xp.isfinite(diff) & (diff <= atol + rtol * xp.abs(b)))
    diff = xp.abs(a.astype(_FLOAT64) - b.astype(_FLOAT64))
    return close | (diff <= atol + rtol * xp.abs(b.astype(_FLOAT64)))


ISCLOSE = defop("isclose", _isclose, inputs=("a", "b"), params=("rtol", "atol", "equal_nan"))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    a = _tensor_arg(input, "isclose", "input", 1)
    b = _tensor_arg(other, "isclose", "other", 2)
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{a.dtype.legacy} did not match {b.dtype.legacy}")
    for name, v in (("rtol", rtol), ("atol", atol)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {v:g}")
    check_broadcast(a._data.shape, b._data.shape)
    return apply(ISCLOSE, (a, b), (a._data, b._data), (rtol, atol, equal_nan))


_BOOL = _dtypes.bool.np
ISREAL = defop("isreal", lambda x, *, xp=_XP: xp.ones_like(x, dtype=_BOOL), quiet=False)
SIGNBIT = defop("signbit", lambda x, *, xp=_XP: xp.zeros_like(x, dtype=_BOOL)
                if x.dtype.kind in "bu" else xp.signbit(x), quiet=False)


def isreal(input):
    input = as_tensor_arg(input)
    return apply(ISREAL, (input,), (input._data,))


def signbit(input, *, out=None):
    if out is not None:
        return _out.into(out, signbit(input), "signbit",
                         exact="signbit does not support non-boolean outputs.")
    input = as_tensor_arg(input)
    return apply(SIGNBIT, (input,), (input._data,))


for _fn in (isclose, isreal, signbit):
    expose(_fn, formulas=False)

# Every op above is elementwise, with no shapes in its params (Op.elementwise:
# viz's local derivatives, vmap's broadcasting).
elementwise(*_batching.declared_since(_FIRST_OP))

"""nn.functional's activations as registry ops: one declaration each (forward
on arrays, derivative as an F-formula), under the grad_fn names PyTorch
gives (EluBackward0 also for selu, HardtanhBackward0 also for relu6).

The formulas are written with F.<op> only, so plain backward, create_graph
and forward mode all use them.  Branches are `F.where` of the two sides, each
side kept finite where it is not taken (exp of a clamped argument), so that
a second derivative through the untaken side is 0 and not 0 * inf.

softsign and tanhshrink are compositions, as in PyTorch (their grad_fn is
DivBackward0 / SubBackward0 there too).
"""
import math

from .. import _inplace
from .._factories import rand as _rand
from . import _out
from . import _backend, _special
from ._half import in_float32
from ._args import as_tensor_arg
from . import _batching
from ._dispatch import apply
from ._registry import defop, elementwise, expose, TensorOps, array_op
from .pointwise import abs as _abs, relu as _relu, tanh as _tanh, _float_clip, _select
from .reduce import _implicit_dim, log_softmax as _log_softmax, softmax as _softmax
from .shape import cat as _cat

_XP = _backend.NUMPY.xp      # forwards' `xp` by default; _backend.bind gives other libraries theirs
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)      # the tanh form: 0.5 x (1 + tanh(K (x + C x^3)))
_GELU_C = 0.044715
_ONE_SIXTH_F32 = 0.1666666716337204     # float32(1/6)
_LARGEST = {2: "65504", 4: "3.40282e+38", 8: "1.79769e+308"}   # as PyTorch prints them
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_FIRST_OP = _batching.mark()       # (for the batching declaration at the end)


def _stable_sigmoid(x, xp):
    return 0.5 * xp.tanh(0.5 * x) + 0.5


# --- forwards (raw arrays) --------------------------------------------------------------------
def _leaky_relu(x, slope, *, xp=_XP):
    if slope.__class__ in (int, float) and 0 <= slope <= 1 and x.dtype.kind == "f":
        # the larger of x and slope * x is that select, in two vectorised
        # passes (np.where: 1.3 ms against 0.07 ms over 262,144 float32, see
        # pointwise._select); NaN stays NaN, -0.0 -0.0
        return xp.maximum(x, x * slope)
    return _select(x > 0, x, x * slope, xp=xp)


def _elu(x, alpha, scale, input_scale, *, xp=_XP):
    neg = alpha * xp.expm1(_float_clip(x, None, 0, xp) * input_scale)
    return scale * _select(x > 0, x, neg, xp=xp)


def _normal_cdf(x, *, xp=_XP):
    return 0.5 * (1.0 + _special.erf(x * _SQRT_HALF, xp=xp))


def _gelu(x, approximate, *, xp=_XP):
    if approximate == "tanh":
        return 0.5 * x * (1.0 + xp.tanh(_GELU_K * (x + _GELU_C * x * x * x)))
    return x * _normal_cdf(x, xp=xp)


def _softplus(x, beta, threshold, *, xp=_XP):
    bx = x * beta
    # (the log1p branch may overflow where it is not taken: quiet, as every forward)
    return _select(bx > threshold, x, xp.log1p(xp.exp(bx)) / beta, xp=xp)


def _hardtanh(x, lo, hi, *, xp=_XP):
    return _float_clip(x, lo, hi, xp).astype(x.dtype, copy=False)


def _hardsigmoid(x, *, xp=_XP):
    return xp.clip(x / 6 + 0.5, 0, 1)


def _hardswish(x, *, xp=_XP):
    return x * xp.clip(x + 3, 0, 6) / 6


def _log_sigmoid(x, *, xp=_XP):
    return _float_clip(x, None, 0, xp) - xp.log1p(xp.exp(-xp.abs(x)))


def _threshold(x, threshold, value, *, xp=_XP):
    return _select(x > threshold, x, value, xp=xp).astype(x.dtype, copy=False)


def _halves(x, dim):
    n = x.shape[dim] // 2
    lead = (slice(None),) * dim
    return x[lead + (slice(None, n),)], x[lead + (slice(n, None),)]


def _glu(x, dim, *, xp=_XP):
    a, b = _halves(x, dim)
    return a * _stable_sigmoid(b, xp)


def _hardshrink(x, lambd, *, xp=_XP):
    return _select((x > lambd) | (x < -lambd), x, 0, xp=xp).astype(x.dtype, copy=False)


def _softshrink(x, lambd, *, xp=_XP):
    inner = _select(x < -lambd, x + lambd, 0, xp=xp)
    return _select(x > lambd, x - lambd, inner, xp=xp).astype(x.dtype, copy=False)


def _prelu(x, w, *, xp=_XP):
    return _select(x > 0, x, w * x, xp=xp)


# --- formula helpers (both namespaces) ----------------------------------------------------------
def _glu_grad(F, g, x, dim):
    a, b = _halves(x, dim)
    s = F.sigmoid(b)
    return F.join_halves(g * s, g * a * s * (1 - s), dim)


def _gelu_grad(F, g, x, approximate):
    if approximate == "tanh":
        inner = _GELU_K * (x + _GELU_C * x * x * x)
        t = F.tanh(inner)
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _GELU_K * (1 + 3 * _GELU_C * x * x))
    return g * (F.normal_cdf(x) + x * F.exp(-0.5 * x * x) * _INV_SQRT_2PI)


def _join_halves_arrays(a, b, dim, *, xp=_XP):
    return xp.concatenate((a, b), axis=dim)


# name, forward, d/dx (times g)
LEAKY_RELU = defop("leaky_relu", in_float32(_leaky_relu),
                   lambda F, g, x, slope: F.where(x > 0, g, g * slope),
                   params=("slope",), node_name="LeakyReluBackward0")
ELU = defop("elu", in_float32(_elu),
            lambda F, g, x, alpha, scale, input_scale: F.where(
                x > 0, g * scale,
                g * (scale * alpha * input_scale) * F.exp(F.clamp(x, None, 0) * input_scale)),
            params=("alpha", "scale", "input_scale"), node_name="EluBackward0")
_CELU = ELU.variant("CeluBackward0")
NORMAL_CDF = defop("normal_cdf", in_float32(_normal_cdf),
                   lambda F, g, x: g * F.exp(-0.5 * x * x) * _INV_SQRT_2PI)
GELU = defop("gelu", in_float32(_gelu), _gelu_grad, params=("approximate",),
             node_name="GeluBackward0")
SILU = defop("silu", in_float32(lambda x, *, xp=_XP: x * _stable_sigmoid(x, xp)),
             lambda F, g, x: (lambda s: g * s * (1 + x * (1 - s)))(F.sigmoid(x)))
MISH = defop("mish", in_float32(lambda x, *, xp=_XP: x * xp.tanh(xp.logaddexp(0, x))),
             lambda F, g, x: (lambda t: g * (t + x * F.sigmoid(x) * (1 - t * t)))(
                 F.tanh(F.softplus(x, 1.0, 20.0))))
SOFTPLUS = defop("softplus", in_float32(_softplus),
                 lambda F, g, x, beta, threshold: F.where(x * beta > threshold, g,
                                                          g * F.sigmoid(x * beta)),
                 params=("beta", "threshold"))
# Hardtanh passes the gradient strictly inside (lo, hi), as PyTorch's.
HARDTANH = defop("hardtanh", _hardtanh, lambda F, g, x, lo, hi: g * ((x > lo) & (x < hi)),
                 params=("lo", "hi"))
# (PyTorch's hardsigmoid gradient is 1/6 rounded to float32, in float64 too: kept, so
# that the gradients print the same)
HARDSIGMOID = defop("hardsigmoid", in_float32(_hardsigmoid),
                    lambda F, g, x: g * ((x > -3) & (x < 3)) * _ONE_SIXTH_F32)
# hardswish: 0 up to -3, x/3 + 1/2 strictly inside, 1 from 3 on (PyTorch's ends).
HARDSWISH = defop("hardswish", in_float32(_hardswish),
                  lambda F, g, x: F.where(x <= -3, 0 * g, F.where(x < 3, g * (x / 3 + 0.5), g)))
LOG_SIGMOID = defop("log_sigmoid", in_float32(_log_sigmoid), lambda F, g, x: g * F.sigmoid(-x),
                    node_name="LogSigmoidBackward0")
THRESHOLD = defop("threshold", _threshold, lambda F, g, x, threshold: g * (x > threshold),
                  params=("threshold", "value"))
GLU = defop("glu", in_float32(_glu), _glu_grad, params=("dim",))
PRELU = defop("prelu", in_float32(_prelu),
              lambda F, g, x, w: F.where(x > 0, g, g * w),
              lambda F, g, x: F.where(x > 0, 0 * g, g * x),
              inputs=("x", "w"), node_name="PreluKernelBackward0")

# hardshrink / softshrink: the gradient passes where |x| > lambda.
def _shrink_grad(F, g, x, lambd):
    return g * ((x > lambd) | (x < -lambd))


HARDSHRINK = defop("hardshrink", _hardshrink, _shrink_grad, params=("lambd",))
SOFTSHRINK = defop("softshrink", _softshrink, _shrink_grad, params=("lambd",))
# rrelu: leaky_relu with slope (lower + upper) / 2 in evaluation, a random slope
# per element (uniform in [lower, upper]) in training: prelu's formulas, its name.
_RRELU_EVAL = LEAKY_RELU.variant("RreluWithNoiseBackward0")
_RRELU_TRAIN = PRELU.variant("RreluWithNoiseBackward0")
_RRELU_TRAIN_IN_PLACE = PRELU.variant("RreluWithNoiseBackward1")

array_op("join_halves", _join_halves_arrays)
TensorOps.join_halves = staticmethod(lambda a, b, dim: _cat((a, b), dim))


# --- public functions ---------------------------------------------------------------------------
def _float_input(input, kernel):
    """The input's array; PyTorch has no integer kernel for these (its error
    names the kernel it looked for)."""
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind not in "fc":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype.legacy}'")
    return input, d


def _maybe_inplace(input, inplace, compute):
    """compute(x, in_place) out of place, or as an in-place change of input
    (PyTorch's `inplace=True`; for some ops its node is then the Backward1
    variant)."""
    if inplace:
        return _inplace.apply(input, lambda old: compute(old, True))
    return compute(input, False)


# The ops whose in-place form PyTorch records as <Name>Backward1.
_BACKWARD1_IN_PLACE = {"leaky_relu", "elu", "threshold"}


def _unary(op, kernel, input, params=(), inplace=False, node_cls=None):
    """op on a float input (PyTorch's NotImplementedError naming `kernel`
    otherwise), out of place or in place."""
    def compute(x, in_place):
        x, d = _float_input(x, kernel)
        cls = node_cls
        if in_place and op.name in _BACKWARD1_IN_PLACE:
            cls = op.variant((node_cls or op.Node).__name__[:-1] + "1")
        return apply(op, (x,), (d,), params, cls)
    return _maybe_inplace(input, inplace, compute)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _unary(LEAKY_RELU, "leaky_relu_cpu", input, (negative_slope,), inplace)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    return _unary(ELU, "elu_cpu", input, (alpha, 1.0, 1.0), inplace)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def selu(input, inplace=False):
    return _unary(ELU, "elu_cpu", input, (SELU_ALPHA, SELU_SCALE, 1.0), inplace)


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _unary(ELU, "elu_cpu", input, (alpha, 1.0, 1.0 / alpha), inplace, _CELU)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _unary(GELU, "GeluKernelImpl", input, (approximate,), False)


def _normal_cdf_tensor(x):
    """Phi(x), the standard normal CDF (gelu's derivative uses it)."""
    return apply(NORMAL_CDF, (x,), (x._data,))


TensorOps.normal_cdf = staticmethod(_normal_cdf_tensor)


def silu(input, inplace=False):
    return _unary(SILU, "silu_cpu", input, (), inplace)


def mish(input, inplace=False):
    return _unary(MISH, "mish_cpu", input, (), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    return _unary(SOFTPLUS, "softplus_cpu", input, (beta, threshold), False)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")

    def compute(x, in_place):
        x = as_tensor_arg(x)
        d = x._data
        if d.dtype.kind == "b":
            raise RuntimeError("Bool inputs not supported for hardtanh")
        return apply(HARDTANH, (x,), (d,), (min_val, max_val))
    return _maybe_inplace(input, inplace, compute)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    return _unary(HARDSIGMOID, "hardsigmoid_cpu", input, (), inplace)


def hardswish(input, inplace=False):
    return _unary(HARDSWISH, "hardswish_cpu", input, (), inplace)


def logsigmoid(input):
    return _unary(LOG_SIGMOID, "log_sigmoid_cpu", input, (), False)


def hardshrink(input, lambd=0.5, *, out=None):
    if out is not None:
        return _out.into(out, hardshrink(input, lambd), "hardshrink", exact=_out.FOUND)
    return _unary(HARDSHRINK, "hardshrink_cpu", input, (lambd,))


def softshrink(input, lambd=0.5):
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind == "f" and lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, {_LARGEST[d.dtype.itemsize]}] for input "
                           f"dtype {input.dtype.legacy}, but found {lambd:g}")
    return _unary(SOFTSHRINK, "softshrink_check", input, (lambd,))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    if not training:
        return _unary(LEAKY_RELU, "leaky_relu_cpu", input, ((lower + upper) / 2,),
                      inplace, _RRELU_EVAL)

    def compute(x, in_place):
        x, d = _float_input(x, "rrelu_with_noise_out_cpu")
        noise = _rand(*d.shape, dtype=x.dtype) * (upper - lower) + lower
        return apply(PRELU, (x, noise), (d, noise._data), (),
                     _RRELU_TRAIN_IN_PLACE if in_place else _RRELU_TRAIN)
    return _maybe_inplace(input, inplace, compute)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def softsign(input):
    return input / (1 + _abs(input))


def tanhshrink(input):
    return input - _tanh(input)


def threshold(input, threshold, value, inplace=False, *, out=None):
    if out is not None:
        return _out.into(out, _threshold_out_of_place(input, threshold, value, inplace),
                         "threshold")

    def compute(x, in_place):
        x = as_tensor_arg(x)
        cls = THRESHOLD.variant("ThresholdBackward1") if in_place else None
        return apply(THRESHOLD, (x,), (x._data,), (threshold, value), cls)
    return _maybe_inplace(input, inplace, compute)


_threshold_out_of_place = threshold        # (its parameter `threshold` hides the function)


def threshold_(input, threshold, value):
    return _threshold_out_of_place(input, threshold, value, True)


def glu(input, dim=-1):
    input, d = _float_input(input, "glu_cpu")
    if d.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    nd = d.ndim
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                         f"but got {dim})")
    dim %= nd
    if d.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size "
                           f"{d.shape[dim]}")
    return apply(GLU, (input,), (d,), (dim,))


def prelu(input, weight):
    input, d = _float_input(input, "prelu_cpu")
    weight = as_tensor_arg(weight)
    w = weight._data
    channels = d.shape[1] if d.ndim >= 2 else 1
    if w.size != 1 and w.size != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {w.size} and channel size = {channels}.")
    if d.ndim >= 2 and w.ndim > 0:
        # The weight along dim 1 (PyTorch views it so, hence a ViewBackward0 under the node).
        weight = weight.reshape((w.size,) + (1,) * (d.ndim - 2))
        w = weight._data
    elif d.ndim == 0 and w.ndim:
        weight = weight.reshape(())          # (a 0-d input keeps its shape)
        w = weight._data
    return apply(PRELU, (input, weight), (d, w))


# --- nn.functional's signatures of ops that are also torch.<name> ------------------------------
def relu(input, inplace=False):
    if inplace:
        return input.relu_()
    return _relu(input)


def relu_(input):
    return input.relu_()


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:     # (chosen here, so that the warning names softmin as PyTorch's does)
        dim = _implicit_dim(dim, as_tensor_arg(input).dim(), "softmin")
    return _softmax(-input, dim, dtype)


# torch.<name> where PyTorch has one (its Tensor methods: prelu only).
for _fn in (selu, selu_, celu, celu_, threshold, threshold_):
    expose(_fn, function=True, method=False, formulas=False)
expose(prelu, function=True, method=True, formulas=False)
expose(hardshrink, function=True, method=True, formulas=False)
expose(rrelu, function=True, method=False, formulas=False)
expose(rrelu_, function=True, method=False, formulas=False)
expose(softplus, function=False, method=False)      # F.softplus in mish's formula

__all__ = ["relu", "relu_", "softmax", "log_softmax", "softmin", "leaky_relu", "leaky_relu_", "elu",
           "elu_", "selu", "selu_", "celu", "celu_", "gelu",
           "silu", "mish", "softplus", "hardtanh", "hardtanh_", "relu6", "hardsigmoid",
           "hardswish", "logsigmoid", "softsign", "tanhshrink", "threshold", "threshold_", "glu",
           "prelu", "hardshrink", "softshrink", "rrelu", "rrelu_"]

# Every op above is elementwise, with no shapes in its params (Op.elementwise:
# viz's local derivatives, vmap's broadcasting); the exceptions are not.
elementwise(*_batching.declared_since(_FIRST_OP, exclude=(GLU, PRELU)))

"""Complex numbers: the ops that build, take apart and conjugate complex
tensors, and which other ops take complex inputs that require grad.

PyTorch's convention for gradients: for a loss L (real) and an input z the
gradient is dL/d(Re z) + i dL/d(Im z), which is the conjugate Wirtinger
derivative (times two); for a holomorphic f that makes
grad_input = grad_output * conj(f'(z)).  The registry gets that from the
formulas the real ops already declare (see _registry.complex_node): an op
declared "holomorphic" below runs its formulas on the conjugated saved
values.  The ops here are not holomorphic (conj, real, imag, abs, angle) or
take real inputs to complex outputs (complex, polar): their formulas say
what the gradient is directly, and are declared "aware".  Any other op
refuses complex inputs that require grad at the dispatch point.

The views (real, imag, view_as_real, view_as_complex) share the input's
memory, as PyTorch's do: a write through one lands in the base.  conj() is
a copy marked conjugate (is_conj() is True, as for PyTorch's lazy conjugate
view), so a write to it does not reach its input.
"""
import math

from .. import _dtypes
from .._tensor import Tensor
from .._views import mark_view
from . import _backend, _out
from ._args import as_tensor_arg, broadcast_shapes
from ._dispatch import apply
from ._registry import defop, expose, complex_ready, elementwise, OPS
from . import pointwise as P, linalg as L, shape as S

_XP = _backend.NUMPY.xp


def _legacy(d):
    return _dtypes.FROM_NP[d.dtype].legacy


# --- conjugation --------------------------------------------------------------------------
CONJ = defop("conj", "conjugate", lambda F, g: F.conj(g))
CONJ_PHYSICAL = CONJ.variant("ConjPhysicalBackward0")


def conj(input):
    """The complex conjugate (a real tensor is returned as it is, as PyTorch)."""
    input = as_tensor_arg(input)
    if input._data.dtype.kind != "c":
        return input
    out = apply(CONJ, (input,), (input._data,))
    out._conj = True
    return out


def conj_physical(input, *, out=None):
    if out is not None:
        return _out.into(out, conj_physical(input), "conj_physical", exact=_out.FOUND)
    input = as_tensor_arg(input)
    if input._data.dtype.kind != "c":
        return input
    return apply(CONJ, (input,), (input._data,), (), CONJ_PHYSICAL)


def is_conj(input):
    return input.__dict__.get("_conj", False)


def resolve_conj(input):
    """A conjugate-marked tensor as a fresh one (PyTorch materialises its lazy
    conjugate here: CloneBackward0); any other tensor itself."""
    if not is_conj(input):
        return input
    return S.clone(input)


expose(conj, "conj")
expose(conj_physical, "conj_physical", inplace=True, formulas=False)
expose(resolve_conj, "resolve_conj", formulas=False)
expose(is_conj, "is_conj", formulas=False)


# --- real and imaginary parts ---------------------------------------------------------------
# L = Re z: dL/dx + i dL/dy = 1;  L = Im z: = i.  (real gradients in, complex out)
REAL = defop("real", lambda x: x.real, lambda F, g: g * (1 + 0j), node_name="SelectBackward0")
IMAG = defop("imag", lambda x: x.imag, lambda F, g: g * 1j, node_name="SelectBackward0")


def real(input):
    input = as_tensor_arg(input)
    if input._data.dtype.kind != "c":
        return input
    return mark_view(apply(REAL, (input,), (input._data,)), input, ("real", None))


def imag(input):
    input = as_tensor_arg(input)
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return mark_view(apply(IMAG, (input,), (input._data,)), input, ("imag", None))


def _as_real_view(x):
    # (a size-1 last axis takes the dtype change whatever the strides: a view)
    return x[..., None].view(x.real.dtype)


_C64, _C128, _F32 = _dtypes.complex64.np, _dtypes.complex128.np, _dtypes.float32.np


def _as_complex_view(x):
    return x.view(_C64 if x.dtype == _F32 else _C128)[..., 0]


VIEW_AS_REAL = defop("view_as_real", _as_real_view,
                     lambda F, g: F.complex(g[..., 0], g[..., 1]), node_name="ViewAsRealBackward0")
VIEW_AS_COMPLEX = defop("view_as_complex", _as_complex_view, lambda F, g: F.view_as_real(g),
                        node_name="ViewAsComplexBackward0")


def view_as_real(input):
    input = as_tensor_arg(input)
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return mark_view(apply(VIEW_AS_REAL, (input,), (input._data,)), input, ("view_as_real", None))


def view_as_complex(input):
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind != "f" or d.dtype.itemsize == 2:
        raise RuntimeError("view_as_complex is only supported for half, float and double tensors, "
                           f"but got a tensor of scalar type: {_legacy(d)}")
    if not d.ndim or d.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = _backend.backend_of(d).strides(d)
    if strides[-1] != d.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * d.itemsize) for s in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return mark_view(apply(VIEW_AS_COMPLEX, (input,), (d,)), input, ("view_as_complex", None))


def _cfloat(self):
    return S.to_dtype(self, _dtypes.complex64)


def _cdouble(self):
    return S.to_dtype(self, _dtypes.complex128)


expose(real, "real", method=False)
expose(imag, "imag", method=False)


def _part_property(part):
    def set_part(self, value):
        part(self).copy_(value)         # (a write through the view: lands in self)
    return property(part, set_part)


Tensor.real = _part_property(real)      # (properties in PyTorch, with setters)
Tensor.imag = _part_property(imag)
expose(view_as_real, "view_as_real")
expose(view_as_complex, "view_as_complex")
expose(_cfloat, "cfloat", function=False, formulas=False)
expose(_cdouble, "cdouble", function=False, formulas=False)


# --- complex(real, imag) and polar(abs, angle) ----------------------------------------------
def _complex(re, im, *, xp=_XP):
    shape = broadcast_shapes(re.shape, im.shape)
    out = xp.empty(shape, _C64 if re.dtype == _F32 else _C128)
    out.real = re           # (not re + 1j * im: inf * 1j would make a nan real part)
    out.imag = im
    return out


def _polar(r, theta, *, xp=_XP):
    return _complex(r * xp.cos(theta), r * xp.sin(theta), xp=xp)


COMPLEX = defop("complex", _complex, lambda F, g: F.real(g), lambda F, g: F.imag(g),
                inputs=("real", "imag"))
# s = r e^(i theta), real inputs: grad_r = Re(g conj(ds/dr)) = Re(g e^(-i theta)),
# grad_theta = Re(g conj(i r e^(i theta))) = r (Im g cos theta - Re g sin theta).
POLAR = defop("polar", _polar,
              lambda F, g, angle: F.real(g) * F.cos(angle) + F.imag(g) * F.sin(angle),
              lambda F, g, abs, angle: abs * (F.imag(g) * F.cos(angle) - F.real(g) * F.sin(angle)),
              inputs=("abs", "angle"))


def _two_floats(name, a, b):
    a, b = as_tensor_arg(a), as_tensor_arg(b)
    da, db = a._data, b._data
    if da.dtype.kind != "f" or db.dtype.kind != "f" or da.dtype.itemsize == 2:
        if da.dtype.kind == "f" and da.dtype == db.dtype:
            raise RuntimeError("chainrule has no complex32 (chalf): NumPy cannot hold it")
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_legacy(da)} and {_legacy(db)}")
    if da.dtype != db.dtype:
        raise RuntimeError(f"Expected object of scalar type {_legacy(da)} but got scalar type "
                           f"{_legacy(db)} for second argument")
    if da.shape != db.shape:
        P.check_broadcast(da.shape, db.shape)
    return a, b


def complex(real, imag, *, out=None):
    if out is not None:
        return _out.into(out, complex(real, imag), "complex")
    real, imag = _two_floats("complex", real, imag)
    return apply(COMPLEX, (real, imag), (real._data, imag._data))


def polar(abs, angle, *, out=None):
    if out is not None:
        return _out.into(out, polar(abs, angle), "polar")
    abs, angle = _two_floats("polar", abs, angle)
    return apply(POLAR, (abs, angle), (abs._data, angle._data))


expose(complex, "complex", method=False)
expose(polar, "polar", method=False)


# --- angle, and abs of complex numbers -------------------------------------------------------
def _angle(x, *, xp=_XP):
    if x.dtype.kind == "c":
        return xp.angle(x)
    # real numbers: 0 or pi (nan stays nan), as PyTorch's (-0.0 included: 0)
    return xp.where(x < 0, math.pi, xp.where(x != x, x, 0)).astype(x.dtype)


# theta = atan2(y, x): dtheta/dx + i dtheta/dy = (-y + i x) / |z|^2 = i z / |z|^2
# (0 at z = 0, as PyTorch); a real input's angle is piecewise constant.
def _angle_grad(F, g, x):
    d = x._data if isinstance(x, Tensor) else x
    if d.dtype.kind != "c":
        return g * 0
    sq = F.real(x) * F.real(x) + F.imag(x) * F.imag(x)
    safe = F.where(sq == 0, 1, sq)
    return F.where(sq == 0, 0, g * (x * 1j) / safe)


ANGLE = defop("angle", _angle, _angle_grad)
elementwise(ANGLE, CONJ, REAL, IMAG, COMPLEX, POLAR)


def angle(input, *, out=None):
    if out is not None:
        return _out.into(out, angle(input), "angle")
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind in "iub":
        d = P.to_float_array(d)
    return apply(ANGLE, (input,), (d,))


expose(angle, "angle")


def vdot(input, other, *, out=None):
    """sum(conj(input) * other) for 1-D tensors (dot for real ones)."""
    if out is not None:
        return _out.into(out, vdot(input, other), "vdot", exact=_out.DOT)
    return L.dot(conj(input), other)


expose(vdot, "vdot", formulas=False)


# --- which ops take complex inputs that require grad -----------------------------------------
complex_ready("aware", CONJ, REAL, IMAG, VIEW_AS_REAL, VIEW_AS_COMPLEX, COMPLEX, POLAR, ANGLE,
              P.abs.op)
complex_ready("holomorphic", *[OPS[n] for n in (
    "add", "sub", "mul", "div", "pow", "neg", "reciprocal", "exp", "log", "sqrt", "rsqrt",
    "square", "sin", "cos", "tan", "tanh", "sigmoid", "sinh", "cosh", "asin", "acos", "atan",
    "asinh", "acosh", "atanh", "expm1", "log1p", "log2", "log10", "exp2",
    "tanh_backward", "sigmoid_backward", "where",
    "sum", "mean", "prod", "matmul", "dot", "mm", "mm_nt", "mm_tn", "mv", "mv_t", "outer_product",
    "reshape", "squeeze", "unsqueeze", "expand", "sum_to", "permute", "getitem", "index_add_into",
    "index_put", "to_copy", "clone", "cat", "stack",
    # moving, picking and summing elements (linear: nothing to conjugate but g's path)
    "take_flat", "gather_along", "scatter_along", "diagonal", "diag_scatter", "tri",
    "constant_pad_nd", "pad_gather", "pad_scatter", "cumsum", "rcumsum", "block_diag",
    "put_flat", "add_at", "mask_pick", "masked_scatter_op", "unfold", "as_strided",
    # products and interpolation: holomorphic in every input
    "addmm", "addmv", "addbmm", "addcmul", "addcdiv", "lerp", "lerp_tensor", "cumprod",
    "linalg_inv", "linalg_det", "linalg_solve",
    # convolutions: bilinear, each one's derivatives the others (ops/conv.py)
    "conv_nd", "conv_nd_bias", "conv_nd_input_grad", "conv_nd_input_grad_bias",
    "conv_nd_weight_grad")])

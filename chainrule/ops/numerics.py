"""Numerical integration and differentiation of samples (trapezoid, trapz,
cumulative_trapezoid, gradient), composed of ops as PyTorch composes them,
and the bitwise shifts (issue 11).

trapezoid, spacing dx:  (sum(y) - (y_0 + y_last) / 2) dx
           with x:      sum(dx_i (y_i + y_i+1)) / 2,  dx = diff(x)
gradient (spacing h, edge_order 1): (y_i+1 - y_i-1) / 2h inside, one-sided
differences at the two ends; edge_order 2 uses the three-point one-sided
formulas; coordinates x give the non-uniform second-order formula.
"""
from .. import _dtypes, _factories
from .._tensor import Tensor
from . import _backend, _out
from . import pointwise as _pw, reduce as _reduce, scans as _scans, shape as _shape
from ._args import as_operand, as_tensor_arg, normalize_dim, promoted_arrays
from ._dispatch import apply
from ._registry import defop, expose

_XP = _backend.NUMPY.xp
_MUL_NUMBER = _pw.MUL.variant("MulBackward1")
_DIV_NUMBER = _pw.DIV.variant("DivBackward1")


def _select(y, dim, i):
    return _shape.select(y, dim, i)


def _narrow(y, dim, start, stop):
    idx = [slice(None)] * y._data.ndim
    idx[dim] = slice(start, stop)
    return y[tuple(idx)]


def _zeros_without(y, dim):
    shape = list(y.shape)
    del shape[dim]
    return _factories.zeros(shape, dtype=y.dtype)


def _x_along(x, y, dim):
    """x as PyTorch lines it up with y: a 1-D x along dim, else as given."""
    if x._data.ndim == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        shape = [1] * y._data.ndim
        shape[dim] = x.shape[0]
        return _shape.reshape(x, tuple(shape))
    return x


def _trapezoid_args(y, x, dx, dim, name):
    y = as_tensor_arg(y)
    if y._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = normalize_dim(dim, y._data.ndim)
    if x is not None and dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        f"Tensor, dx=...), but expected (Tensor y, Tensor x, *, int dim = -1) or "
                        f"(Tensor y, *, Number dx = 1, int dim = -1)")
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(x).__name__}), but expected one of:\n * (Tensor y, Tensor x, *, "
                        f"int dim = -1)\n * (Tensor y, *, Number dx = 1, int dim = -1)")
    return y, (as_tensor_arg(x) if x is not None else None), (1 if dx is None else dx), dim


def trapezoid(y, x=None, *, dx=None, dim=-1):
    y, x, dx, dim = _trapezoid_args(y, x, dx, dim, "trapezoid")
    if y.shape[dim] == 0:
        return _zeros_without(y, dim)
    if x is None:
        ends = (_select(y, dim, 0) + _select(y, dim, -1)) * 0.5
        return _pw.MUL.binary(_reduce.sum(y, dim) - ends, dx, _MUL_NUMBER)
    xv = _x_along(x, y, dim)
    d = _narrow(xv, dim, 1, None) - _narrow(xv, dim, 0, -1)
    s = _reduce.sum(d * (_narrow(y, dim, 0, -1) + _narrow(y, dim, 1, None)), dim)
    return _pw.DIV.binary(s, 2.0, _DIV_NUMBER)


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    y, x, dx, dim = _trapezoid_args(y, x, dx, dim, "cumulative_trapezoid")
    left, right = _narrow(y, dim, 0, -1), _narrow(y, dim, 1, None)
    if y.shape[dim] == 0:
        return _factories.zeros(tuple(left.shape), dtype=y.dtype)
    if x is None:
        return _scans.cumsum(dx / 2.0 * (left + right), dim)
    xv = _x_along(x, y, dim)
    d = _narrow(xv, dim, 1, None) - _narrow(xv, dim, 0, -1)
    return _pw.DIV.binary(_scans.cumsum(d * (left + right), dim), 2.0, _DIV_NUMBER)


# --- bitwise shifts ----------------------------------------------------------------------------
def _bits(dtype):
    return dtype.itemsize * 8


def _left_shift(a, s, *, xp=_XP):
    """a << s, wrapping; 0 for a shift < 0 or >= the width (PyTorch's kernel)."""
    n = _bits(a.dtype)
    ok = (s >= 0) & (s < n)
    safe = xp.where(ok, s, 0).astype(a.dtype)
    return xp.where(ok, a << safe, xp.zeros((), dtype=a.dtype))


def _right_shift(a, s, *, xp=_XP):
    """a >> s (arithmetic for signed types); out-of-range shifts fill with the sign."""
    n = _bits(a.dtype)
    ok = (s >= 0) & (s < n)
    safe = xp.where(ok, s, n - 1).astype(a.dtype)
    shifted = a >> safe
    if a.dtype.kind == "u":
        return xp.where(ok, shifted, xp.zeros((), dtype=a.dtype))
    return shifted


LSHIFT = defop("bitwise_left_shift", _left_shift, inputs=("a", "b"), quiet=False)
RSHIFT = defop("bitwise_right_shift", _right_shift, inputs=("a", "b"), quiet=False)


def _shift(op, kernel):
    def fn(input, other, *, out=None):
        if out is not None:
            return _out.into(out, fn(input, other), op.name)
        a, b = as_operand(input), as_operand(other)
        (ad, bd), dt = promoted_arrays(a, b)
        if dt.np.kind not in "iu":
            raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for '{dt.legacy}'")
        if not isinstance(input, Tensor):            # a number shifted: a 0-d tensor of dt
            a = _factories.tensor(input, dtype=dt)
            (ad, bd), dt = promoted_arrays(a, b)
        return apply(op, (a, b), (ad, bd))
    return fn


bitwise_left_shift = _shift(LSHIFT, "lshift")
bitwise_right_shift = _shift(RSHIFT, "rshift")
bitwise_left_shift.__name__ = bitwise_left_shift.__qualname__ = "bitwise_left_shift"
bitwise_right_shift.__name__ = bitwise_right_shift.__qualname__ = "bitwise_right_shift"


# --- gradient ------------------------------------------------------------------------------------
def _gradient_dims(y, dim):
    nd = y._data.ndim
    if dim is None:
        return list(range(nd))
    dims = [dim] if isinstance(dim, int) else list(dim)
    out = [normalize_dim(d, nd) for d in dims]
    seen = set()
    for d in out:
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return out


def _uniform(y, dim, h, edge_order):
    n = y.shape[dim]
    inner = (_narrow(y, dim, 2, None) - _narrow(y, dim, 0, -2)) / (2 * h)
    if edge_order == 1:
        first = (_narrow(y, dim, 1, 2) - _narrow(y, dim, 0, 1)) / h
        last = (_narrow(y, dim, n - 1, n) - _narrow(y, dim, n - 2, n - 1)) / h
    else:
        first = (-1.5 * _narrow(y, dim, 0, 1) + 2 * _narrow(y, dim, 1, 2)
                 - 0.5 * _narrow(y, dim, 2, 3)) / h
        last = (0.5 * _narrow(y, dim, n - 3, n - 2) - 2 * _narrow(y, dim, n - 2, n - 1)
                + 1.5 * _narrow(y, dim, n - 1, n)) / h
    return _shape.cat([first, inner, last], dim)


def _coords(y, dim, x, edge_order):
    """Second-order differences on the coordinates x (1-D, one per sample)."""
    n = y.shape[dim]
    shape = [1] * y._data.ndim
    shape[dim] = n
    x = _shape.reshape(x, tuple(shape))
    dx = _narrow(x, dim, 1, None) - _narrow(x, dim, 0, -1)
    a, b = _narrow(dx, dim, 0, -1), _narrow(dx, dim, 1, None)      # h_{i-1}, h_i
    inner = (a * a * _narrow(y, dim, 2, None) - b * b * _narrow(y, dim, 0, -2)
             + (b * b - a * a) * _narrow(y, dim, 1, -1)) / (a * b * (a + b))
    if edge_order == 1:
        first = (_narrow(y, dim, 1, 2) - _narrow(y, dim, 0, 1)) / _narrow(dx, dim, 0, 1)
        last = (_narrow(y, dim, n - 1, n) - _narrow(y, dim, n - 2, n - 1)) / \
            _narrow(dx, dim, n - 2, n - 1)
    else:
        h1, h2 = _narrow(dx, dim, 0, 1), _narrow(dx, dim, 1, 2)
        first = (-(2 * h1 + h2) / (h1 * (h1 + h2)) * _narrow(y, dim, 0, 1)
                 + (h1 + h2) / (h1 * h2) * _narrow(y, dim, 1, 2)
                 - h1 / (h2 * (h1 + h2)) * _narrow(y, dim, 2, 3))
        g1, g2 = _narrow(dx, dim, n - 3, n - 2), _narrow(dx, dim, n - 2, n - 1)
        last = (g2 / (g1 * (g1 + g2)) * _narrow(y, dim, n - 3, n - 2)
                - (g1 + g2) / (g1 * g2) * _narrow(y, dim, n - 2, n - 1)
                + (2 * g2 + g1) / (g2 * (g1 + g2)) * _narrow(y, dim, n - 1, n))
    return _shape.cat([first, inner, last], dim)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    y = as_tensor_arg(input)
    if y._data.dtype.kind == "c":
        raise NotImplementedError("chainrule: gradient does not take complex inputs yet")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = _gradient_dims(y, dim)
    listed = isinstance(spacing, (list, tuple))
    if listed:
        spacing = list(spacing)
        if len(spacing) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or "
                               f"it's spacing and dim arguments to have the same length, but got "
                               f"a spacing argument of length {len(spacing)} and a dim argument "
                               f"of length {len(dims)}.")
    else:
        spacing = [spacing] * len(dims)
    for d in dims:
        if y.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    if not y.is_floating_point():
        y = y.to(_dtypes.get_default_dtype())
    out = []
    for d, h in zip(dims, spacing):
        if isinstance(h, Tensor) and listed:
            if h._data.ndim != 1:
                raise RuntimeError(f"torch.gradient expected each element of spacing to have one "
                                   f"dimension, but got an element with {h._data.ndim} "
                                   f"dimensions!")
            out.append(_coords(y, d, h.to(y.dtype) if not h.is_floating_point() else h,
                               edge_order))
        else:
            if isinstance(h, Tensor):
                h = h.item()
            out.append(_uniform(y, d, h, edge_order))
    return tuple(out)


expose(trapezoid, method=False, formulas=False)
expose(trapz, method=False, formulas=False)
expose(cumulative_trapezoid, method=False, formulas=False)
expose(gradient, method=False, formulas=False)
expose(bitwise_left_shift, formulas=False)
expose(bitwise_right_shift, formulas=False)
expose(bitwise_left_shift, "__lshift__", function=False, formulas=False)
expose(bitwise_right_shift, "__rshift__", function=False, formulas=False)
expose(lambda self, other: bitwise_left_shift(other, self), "__rlshift__", function=False,
       formulas=False)
expose(lambda self, other: bitwise_right_shift(other, self), "__rrshift__", function=False,
       formulas=False)

"""Tensor methods and operators: each is the op function of the same name
(chainrule/ops/), so `x.sin()`, `torch.sin(x)` and the formulas' `F.sin`
are one implementation.  Also the comparisons (no gradient) and the few
in-place methods the core needs."""
import numpy as np

from . import _dtypes, _inplace
from ._grad_mode import STATE
from ._tensor import Tensor, device as _device
from .ops import pointwise as P, reduce as R, shape as S, linalg as L
from .ops._args import as_operand, promoted_arrays

_T = Tensor


# Methods that are the op of the same name, input first.
for _name, _fn in {
    "neg": P.neg, "negative": P.neg, "exp": P.exp, "log": P.log, "sqrt": P.sqrt, "sin": P.sin,
    "cos": P.cos, "tan": P.tan, "tanh": P.tanh, "abs": P.abs, "absolute": P.abs,
    "sigmoid": P.sigmoid, "relu": P.relu, "reciprocal": P.reciprocal, "sign": P.sign,
    "add": P.add, "sub": P.sub, "subtract": P.sub, "mul": P.mul, "multiply": P.mul,
    "div": P.div, "divide": P.div, "true_divide": P.div, "pow": P.pow, "maximum": P.maximum,
    "minimum": P.minimum, "clamp": P.clamp, "clip": P.clamp,
    "sum": R.sum, "mean": R.mean, "prod": R.prod, "max": R.max, "min": R.min, "amax": R.amax,
    "amin": R.amin, "argmax": R.argmax, "argmin": R.argmin, "norm": R.norm, "var": R.var,
    "std": R.std, "logsumexp": R.logsumexp, "softmax": R.softmax, "log_softmax": R.log_softmax,
    "reshape": S.reshape, "view": S.view, "view_as": S.view_as, "reshape_as": S.reshape_as,
    "flatten": S.flatten, "unflatten": S.unflatten, "squeeze": S.squeeze,
    "unsqueeze": S.unsqueeze, "expand": S.expand, "expand_as": S.expand_as,
    "broadcast_to": S.broadcast_to, "permute": S.permute, "transpose": S.transpose,
    "swapaxes": S.transpose, "swapdims": S.transpose, "t": S.t, "select": S.select,
    "narrow": S.narrow, "index_select": S.index_select, "gather": S.gather,
    "nonzero": S.nonzero, "clone": S.clone,
    "matmul": L.matmul, "dot": L.dot, "mm": L.mm, "mv": L.mv, "bmm": L.bmm, "outer": L.outer,
    "inner": L.dot,
}.items():
    setattr(Tensor, _name, _fn)        # a plain function is a method: x.sin() is sin(x)


def _where(self, condition, other):
    return P.where(condition, self, other)


Tensor.where = _where


# --- operators ---------------------------------------------------------------------------
_binary = P._apply_binary
Tensor.__add__ = lambda self, other: _binary(P.ADD, self, other)
Tensor.__radd__ = lambda self, other: _binary(P.ADD, self, other)
Tensor.__sub__ = lambda self, other: _binary(P.SUB, self, other)
Tensor.__rsub__ = lambda self, other: P.rsub(self, other)
Tensor.__mul__ = lambda self, other: _binary(P.MUL, self, other)
Tensor.__rmul__ = lambda self, other: _binary(P.MUL, self, other)
Tensor.__truediv__ = lambda self, other: _binary(P.DIV, self, other, None, True)
Tensor.__rtruediv__ = lambda self, other: P.rdiv(self, other)
Tensor.__pow__ = lambda self, other: P.pow(self, other)
Tensor.__rpow__ = lambda self, other: P.pow(other, self)
Tensor.__matmul__ = lambda self, other: L.matmul(self, other)
Tensor.__rmatmul__ = lambda self, other: L.matmul(other, self)
Tensor.__neg__ = lambda self: P.neg(self)
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = lambda self: P.abs(self)
Tensor.__getitem__ = lambda self, idx: S.getitem(self, idx)


# --- comparisons and logic: results are bool tensors, outside the graph ---------------------
def _compare(ufunc):
    def op(self, other):
        c = other.__class__
        if (c is float or c is int) and self._data.dtype.kind == "f":
            return Tensor._make(np.asarray(ufunc(self._data, other)))    # the common case
        if other is None:
            return False if ufunc is np.equal else (True if ufunc is np.not_equal else _none_cmp())
        (a, b), _ = promoted_arrays(self, as_operand(other))
        return Tensor._make(np.asarray(ufunc(a, b)))
    return op


def _none_cmp():
    raise TypeError("'<' not supported between instances of 'Tensor' and 'NoneType'")


for _name, _uf in {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
                   "gt": np.greater, "ge": np.greater_equal}.items():
    _op = _compare(_uf)
    setattr(Tensor, _name, _op)
    setattr(Tensor, f"__{_name}__", _op)
Tensor.greater = Tensor.gt
Tensor.less = Tensor.lt
Tensor.greater_equal = Tensor.ge
Tensor.less_equal = Tensor.le
Tensor.not_equal = Tensor.ne


def _logic(ufunc, name):
    def op(self, other):
        other = as_operand(other)
        (a, b), _ = promoted_arrays(self, other)
        if np.asarray(a).dtype.kind == "f" or np.asarray(b).dtype.kind == "f":
            raise RuntimeError(f"\"{name}_cpu\" not implemented for 'Float'")
        return Tensor._make(np.asarray(ufunc(a, b)))
    return op


Tensor.__and__ = Tensor.__rand__ = Tensor.bitwise_and = _logic(np.bitwise_and, "bitwise_and")
Tensor.__or__ = Tensor.__ror__ = Tensor.bitwise_or = _logic(np.bitwise_or, "bitwise_or")
Tensor.__xor__ = Tensor.__rxor__ = Tensor.bitwise_xor = _logic(np.bitwise_xor, "bitwise_xor")
Tensor.logical_and = lambda self, o: Tensor._make(np.logical_and(self._data, as_operand(o)._data))
Tensor.logical_or = lambda self, o: Tensor._make(np.logical_or(self._data, as_operand(o)._data))
Tensor.logical_not = lambda self: Tensor._make(np.logical_not(self._data))


def _invert(self):
    if self._data.dtype.kind == "f":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return Tensor._make(np.invert(self._data))


Tensor.__invert__ = Tensor.bitwise_not = _invert


def _no_grad_binary(ufunc):
    def op(self, other):
        (a, b), _ = promoted_arrays(self, as_operand(other))
        return Tensor._make(np.asarray(ufunc(a, b)))
    return op


def _reflected(ufunc):
    def op(self, other):
        (a, b), _ = promoted_arrays(as_operand(other), self)
        return Tensor._make(np.asarray(ufunc(a, b)))
    return op


Tensor.__floordiv__ = Tensor.floor_divide = _no_grad_binary(np.floor_divide)
Tensor.__rfloordiv__ = _reflected(np.floor_divide)
Tensor.__mod__ = Tensor.remainder = _no_grad_binary(np.remainder)
Tensor.__rmod__ = _reflected(np.remainder)
Tensor.isnan = lambda self: Tensor._make(np.isnan(self._data))
Tensor.isinf = lambda self: Tensor._make(np.isinf(self._data))
Tensor.isfinite = lambda self: Tensor._make(np.isfinite(self._data))
Tensor.all = lambda self, dim=None, keepdim=False: Tensor._make(np.asarray(self._data.all(
    axis=dim, keepdims=keepdim)))
Tensor.any = lambda self, dim=None, keepdim=False: Tensor._make(np.asarray(self._data.any(
    axis=dim, keepdims=keepdim)))
Tensor.equal = lambda self, other: bool(self._data.shape == other._data.shape and
                                        np.array_equal(self._data, other._data))
Tensor.allclose = lambda self, other, rtol=1e-05, atol=1e-08, equal_nan=False: bool(
    np.allclose(self._data, other._data, rtol, atol, equal_nan))


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """NumPy arrays or scalars on the left of an operator give a Tensor;
    other NumPy functions see the tensor as an array, as with PyTorch."""
    binary = _UFUNC_OPS.get(ufunc)
    if method == "__call__" and binary is not None and len(inputs) == 2 and not kwargs:
        return binary(*inputs)
    arrays = [x._data if isinstance(x, Tensor) else x for x in inputs]
    return getattr(ufunc, method)(*arrays, **kwargs)


_UFUNC_OPS = {
    np.add: P.add, np.subtract: P.sub, np.multiply: P.mul, np.true_divide: P.div,
    np.power: P.pow, np.matmul: L.matmul,
    np.equal: lambda a, b: _rev_cmp(a, b, "eq"), np.not_equal: lambda a, b: _rev_cmp(a, b, "ne"),
    np.less: lambda a, b: _rev_cmp(a, b, "lt"), np.less_equal: lambda a, b: _rev_cmp(a, b, "le"),
    np.greater: lambda a, b: _rev_cmp(a, b, "gt"),
    np.greater_equal: lambda a, b: _rev_cmp(a, b, "ge"),
}


def _rev_cmp(a, b, name):
    if isinstance(a, Tensor):
        return getattr(a, name)(b)
    flipped = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}[name]
    return getattr(b, flipped)(a)


Tensor.__array_ufunc__ = _array_ufunc


# --- dtype conversions and devices -------------------------------------------------------------
def _to(self, *args, **kwargs):
    dtype = kwargs.get("dtype")
    copy = kwargs.get("copy", False)
    for a in args:
        if isinstance(a, _dtypes.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, _device)):
            if _device(a).type != "cpu":
                raise RuntimeError(f"chainrule runs on the CPU; device {a!r} is not available")
    if dtype is None:
        return S.clone(self) if copy else self
    return S.to_dtype(self, dtype, copy)


Tensor.to = _to
Tensor.cpu = lambda self, *a, **k: self
Tensor.float = lambda self, memory_format=None: S.to_dtype(self, _dtypes.float32)
Tensor.double = lambda self, memory_format=None: S.to_dtype(self, _dtypes.float64)
Tensor.half = lambda self, memory_format=None: S.to_dtype(self, _dtypes.float16)
Tensor.long = lambda self, memory_format=None: S.to_dtype(self, _dtypes.int64)
Tensor.int = lambda self, memory_format=None: S.to_dtype(self, _dtypes.int32)
Tensor.short = lambda self, memory_format=None: S.to_dtype(self, _dtypes.int16)
Tensor.bool = lambda self, memory_format=None: S.to_dtype(self, _dtypes.bool)
Tensor.byte = lambda self, memory_format=None: S.to_dtype(self, _dtypes.uint8)
Tensor.type_as = lambda self, other: S.to_dtype(self, other.dtype)
Tensor.contiguous = lambda self, memory_format=None: self
Tensor.is_contiguous = lambda self, memory_format=None: bool(self._data.flags.c_contiguous)
Tensor.new_tensor = lambda self, data, dtype=None, requires_grad=False: _factories().tensor(
    data, dtype=dtype or self.dtype, requires_grad=requires_grad)
Tensor.new_zeros = lambda self, *size, dtype=None, requires_grad=False: _factories().zeros(
    *size, dtype=dtype or self.dtype, requires_grad=requires_grad)
Tensor.new_ones = lambda self, *size, dtype=None, requires_grad=False: _factories().ones(
    *size, dtype=dtype or self.dtype, requires_grad=requires_grad)
Tensor.new_full = lambda self, size, fill_value, dtype=None, requires_grad=False: \
    _factories().full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)
Tensor.new_empty = lambda self, *size, dtype=None, requires_grad=False: _factories().empty(
    *size, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _factories():
    from . import _factories as f
    return f


# --- in-place methods ----------------------------------------------------------------------------
# Each is its out-of-place op run through _inplace.apply, which handles version
# counters, leaf checks, history rebasing and views.


def _inplace_op(fn, name):
    def op(self, *args, **kwargs):
        return _inplace.apply(self, lambda old: fn(old, *args, **kwargs), args)
    op.__name__ = name
    op.__doc__ = f"In-place {fn.__name__}."
    return op


for _name, _fn in {"add_": P.add, "sub_": P.sub, "mul_": P.mul, "div_": P.div, "pow_": P.pow,
                   "clamp_": P.clamp, "clip_": P.clamp, "exp_": P.exp, "log_": P.log,
                   "sqrt_": P.sqrt, "sin_": P.sin, "cos_": P.cos, "tanh_": P.tanh,
                   "sigmoid_": P.sigmoid, "relu_": P.relu, "neg_": P.neg, "abs_": P.abs,
                   "tan_": P.tan, "reciprocal_": P.reciprocal, "sign_": P.sign,
                   "maximum_": P.maximum, "minimum_": P.minimum}.items():
    setattr(Tensor, _name, _inplace_op(_fn, _name))
Tensor.__iadd__ = Tensor.add_
Tensor.__isub__ = Tensor.sub_
Tensor.__imul__ = Tensor.mul_
Tensor.__itruediv__ = Tensor.div_
Tensor.__ipow__ = Tensor.pow_


def _fill_(self, value):
    name = "FillBackward3" if isinstance(value, Tensor) else "FillBackward2"
    return _inplace.apply(self, lambda old: S.index_put(old, (Ellipsis,), value, name), (value,))


def _zero_(self):
    return _inplace.apply(self, lambda old: S.index_put(old, (Ellipsis,), 0, "ZeroBackward0"), ())


def _copy_(self, src, non_blocking=False):
    src = src if isinstance(src, Tensor) else Tensor._make(np.asarray(src))
    return _inplace.apply(
        self, lambda old: S.index_put(old, (Ellipsis,), src.to(old.dtype), "CopyBackwards"),
        (src,))


def _setitem(self, idx, value):
    if STATE.enabled and self._grad_fn is None and self._requires_grad:
        # x[i] = v writes through a view of x, so PyTorch names the view.
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    _inplace.apply(self, lambda old: S.index_put(old, idx, value, _setitem_node(self, idx)),
                   (value,))


def _setitem_node(t, idx):
    """PyTorch's name for x[idx] = v: index_put_ for tensor/list indices, a
    plain copy for a 0-d target, else a copy into a slice of x."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    if any(isinstance(i, (Tensor, list, np.ndarray)) for i in parts):
        return "IndexPutBackward0"
    if t._data.ndim == 0 and t._view_of is None and all(i is Ellipsis for i in parts):
        return "CopyBackwards"
    return "CopySlices"


Tensor.fill_ = _fill_
Tensor.zero_ = _zero_
Tensor.copy_ = _copy_
Tensor.__setitem__ = _setitem

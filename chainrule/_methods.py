"""Tensor methods and operators, generated from the op registry: each is the
op function of the same name (chainrule/ops/), so `x.sin()`, `torch.sin(x)`
and the formulas' `F.sin` are one implementation, and a name is declared
once, beside its op (`expose` in ops/_registry.py).  What is left here is
what is not an op: dtype and device conversions, the `new_*` factories, and
the in-place driver around the ops' out-of-place forms.

NumPy is named here only for its protocols (`__array_ufunc__`: NumPy calling a
tensor's operators); array data is reached through ops/_backend.py."""
import numpy as np

from . import _dtypes, _factories, _inplace
from ._grad_mode import STATE
from ._tensor import Tensor, device as _device
from .ops import _backend, _registry, pointwise as P, shape as S, linalg as L, reduce as R  # noqa: F401  (R: its declarations fill the tables)
from .ops._args import as_operand
from .ops import _memory_format


# Methods that are the op of the same name, input first (a plain function is a
# method: x.sin() is sin(x)).
for _name, _fn in _registry.METHODS.items():
    setattr(Tensor, _name, _fn)


# --- operators whose argument order or form differs from the function's ----------------------
# (functions, not lambdas around them: an operator then costs one Python call)
Tensor.__add__ = Tensor.__radd__ = P.ADD.binary
Tensor.__mul__ = Tensor.__rmul__ = P.MUL.binary
Tensor.__truediv__ = P.DIV.binary
Tensor.__sub__ = P.sub
Tensor.__rsub__ = P.rsub
Tensor.__rtruediv__ = P.rdiv
Tensor.__floordiv__ = P.floor_divide
Tensor.__rfloordiv__ = lambda self, other: P.floor_divide(as_operand(other), self)
Tensor.__mod__ = P.remainder
Tensor.__rmod__ = lambda self, other: P.remainder(as_operand(other), self)
Tensor.__pow__ = P.pow
Tensor.__rpow__ = lambda self, other: P.pow(other, self)
Tensor.__neg__ = P.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = P.abs
Tensor.equal = lambda self, other: bool(
    self._data.shape == other._data.shape and
    _backend.namespace(self._data).array_equal(self._data, other._data))
Tensor.allclose = lambda self, other, rtol=1e-05, atol=1e-08, equal_nan=False: bool(
    _backend.namespace(self._data).allclose(self._data, other._data, rtol, atol, equal_nan))


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """NumPy arrays or scalars on the left of an operator give a Tensor;
    other NumPy functions see the tensor as an array, as with PyTorch."""
    binary = _UFUNC_OPS.get(ufunc)
    if method == "__call__" and binary is not None and len(inputs) == 2 and not kwargs:
        return binary(*inputs)
    arrays = [_backend.to_numpy(x._data) if isinstance(x, Tensor) else x for x in inputs]
    return getattr(ufunc, method)(*arrays, **kwargs)


_UFUNC_OPS = {
    np.add: P.add, np.subtract: P.sub, np.multiply: P.mul, np.true_divide: P.div,
    np.power: P.pow, np.matmul: L.matmul, np.floor_divide: P.floor_divide,
    np.remainder: P.remainder, np.equal: P.eq, np.not_equal: P.ne, np.less: P.lt,
    np.less_equal: P.le, np.greater: P.gt, np.greater_equal: P.ge,
}


Tensor.__array_ufunc__ = _array_ufunc


# --- dtype conversions and devices -------------------------------------------------------------
_TYPE_NAMES = {str: "str", int: "int", float: "float", bool: "bool"}


def _type_name(x):
    if isinstance(x, _dtypes.dtype):
        return "torch.dtype"
    if isinstance(x, _device):
        return "torch.device"
    if isinstance(x, Tensor):
        return "Tensor"
    return _TYPE_NAMES.get(type(x), type(x).__name__)


def _to_signature_error(args):
    return TypeError("to() received an invalid combination of arguments - got "
                     f"({', '.join(map(_type_name, args))}), but expected one of:")


def _to(self, *args, device=None, dtype=None, non_blocking=False, copy=False,
        memory_format=None):
    """PyTorch's three forms: to(dtype, ...), to(device, dtype, ...),
    to(other, ...) (other's dtype and device); devices other than the CPU
    raise as in PyTorch's CPU build."""
    if args:
        first, rest = args[0], args[1:]
        if isinstance(first, _dtypes.dtype):
            dtype, tail = first, ("non_blocking", "copy")
        elif isinstance(first, Tensor):
            dtype, device, tail = first.dtype, first.device, ("non_blocking", "copy")
        elif isinstance(first, (str, _device)) or (isinstance(first, int)
                                                   and not isinstance(first, bool)):
            device, tail = first, ("dtype", "non_blocking", "copy")
        else:
            raise _to_signature_error(args)
        if len(rest) > len(tail):
            raise _to_signature_error(args)
        for name, value in zip(tail, rest):
            if name == "dtype":
                if value is not None and not isinstance(value, _dtypes.dtype):
                    raise _to_signature_error(args)
                dtype = value
            elif not isinstance(value, bool):
                raise _to_signature_error(args)
            elif name == "copy":
                copy = value
    if device is not None:
        _factories.check_device(device)      # PyTorch's errors for devices we do not have
    if memory_format is not None and memory_format._name != "preserve_format":
        # a layout asked for: the result is in it (a copy unless self already is)
        # (PyTorch returns self when its strides suggest that format, dense or not)
        S.checked_format_name(memory_format, self._data)      # the rank's check
        if dtype is None or self.dtype is dtype:
            if not copy and _memory_format.suggested(self._data) == memory_format._name:
                return self
            return S.clone(self, memory_format=memory_format)
        # (a fresh tensor in that format, as PyTorch's _to_copy makes it)
        return S.clone(S.to_dtype(self, dtype), memory_format=memory_format)
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
Tensor.get_device = lambda self: -1          # PyTorch's answer for a CPU tensor
Tensor.is_cpu = property(lambda self: True)


def _new(factory, name):
    """x.new_zeros(...) and friends: x's dtype unless given; device= checked."""
    def new(self, *args, dtype=None, device=None, requires_grad=False, layout=None,
            pin_memory=False):
        return factory(*args, dtype=dtype or self.dtype, device=device,
                       requires_grad=requires_grad)
    new.__name__ = new.__qualname__ = name
    return new


Tensor.new_tensor = _new(_factories.tensor, "new_tensor")
Tensor.new_zeros = _new(_factories.zeros, "new_zeros")
Tensor.new_ones = _new(_factories.ones, "new_ones")
Tensor.new_full = _new(_factories.full, "new_full")
Tensor.new_empty = _new(_factories.empty, "new_empty")


# --- in-place methods ----------------------------------------------------------------------------
# Each is its out-of-place op run through _inplace.apply, which handles version
# counters, leaf checks, history rebasing and views.


def _inplace_op(fn, name):
    def op(self, *args, **kwargs):
        return _inplace.apply(self, lambda old: fn(old, *args, **kwargs), args, name)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"In-place {fn.__name__}."
    return op


for _name, _fn in _registry.INPLACE.items():
    setattr(Tensor, _name, _inplace_op(_fn, _name))


def _arithmetic_inplace(name, ufunc):
    """x.add_(y), sub_, mul_, div_: outside grad mode, one ufunc into x where
    _inplace.arithmetic_unrecorded can (an optimizer's step); else the general
    in-place path."""
    general = getattr(Tensor, name)
    takes_alpha = name in ("add_", "sub_")

    def op(self, other, *args, alpha=1, **kwargs):
        if not args and not kwargs and _inplace.arithmetic_unrecorded(self, ufunc, other, alpha):
            return self
        if takes_alpha:
            return general(self, other, *args, alpha=alpha, **kwargs)
        if alpha != 1:          # (mul_ and div_ take no alpha: the usual TypeError)
            kwargs["alpha"] = alpha
        return general(self, other, *args, **kwargs)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = general.__doc__
    return op


# (the ops' own NumPy forwards: the values are those of the out-of-place ops)
for _name, _op in (("add_", P.ADD), ("sub_", P.SUB), ("mul_", P.MUL), ("div_", P.DIV)):
    setattr(Tensor, _name, _arithmetic_inplace(_name, _op.forward))
Tensor.__iadd__ = Tensor.add_
Tensor.__isub__ = Tensor.sub_
Tensor.__imul__ = Tensor.mul_
Tensor.__itruediv__ = Tensor.div_
Tensor.__ipow__ = Tensor.pow_
Tensor.__ifloordiv__ = Tensor.floor_divide_
Tensor.__imod__ = Tensor.remainder_


def _fill_(self, value):
    name = "FillBackward3" if isinstance(value, Tensor) else "FillBackward2"
    return _inplace.apply(self, lambda old: S.index_put(old, (Ellipsis,), value, name), (value,),
                          "fill_")


def _zero_(self):
    return _inplace.apply(self, lambda old: S.index_put(old, (Ellipsis,), 0, "ZeroBackward0"), (),
                          "zero_")


def _copy_(self, src, non_blocking=False):
    src = src if isinstance(src, Tensor) else _factories.as_tensor(src)
    return _inplace.apply(
        self, lambda old: S.index_put(old, (Ellipsis,), src.to(old.dtype), "CopyBackwards"),
        (src,), "copy_")


def _setitem(self, idx, value):
    if STATE.enabled and self._grad_fn is None and self._requires_grad:
        # x[i] = v writes through a view of x, so PyTorch names the view.
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    _inplace.apply(self, lambda old: S.index_put(old, idx, value, _setitem_node(self, idx)),
                   (value,), "__setitem__")


def _setitem_node(t, idx):
    """PyTorch's name for x[idx] = v: index_put_ for tensor/list indices, a
    plain copy for a 0-d target, else a copy into a slice of x."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    if any(isinstance(i, (Tensor, list, _backend.HOST_ARRAY)) or _backend.is_array(i)
           for i in parts):
        return "IndexPutBackward0"
    if t._data.ndim == 0 and t._view_of is None and all(i is Ellipsis for i in parts):
        return "CopyBackwards"
    return "CopySlices"


Tensor.fill_ = _fill_
Tensor.zero_ = _zero_
Tensor.copy_ = _copy_
Tensor.__setitem__ = _setitem

"""A second array backend for the tests: a thin array type of our own that is
not NumPy's ndarray and refuses NumPy's calls.

`StrictArray` wraps an ndarray and offers what an array library such as CuPy
offers: operators (reflected and in-place), indexing (basic indexing gives
views, integer indexing a 0-d array rather than a scalar), shape / dtype /
ndim / size / itemsize / T, and the ndarray methods chainrule uses (sum,
reshape, astype...).
Its namespace `xp` has NumPy's function names; each unwraps its arguments,
calls NumPy and wraps the result.  What it refuses:

  * NumPy's protocols: `__array__`, `__array_ufunc__` and `__array_function__`
    raise TypeError, so `np.sin(a)`, `np.asarray(a)` or `np.ones(3) + a` on a
    StrictArray fail;
  * NumPy arrays mixed in: an ndarray operand, index or argument to `xp`
    raises TypeError (CuPy refuses host arrays in arithmetic too);
  * NumPy-only attributes: there is no `.base`, `.flags`, `.strides` or
    `.flat`; chainrule must ask the backend's adapter;
  * anything not listed: its namespace and its methods are exactly those
    chainrule uses, so the list below is what a new array library must offer.

So a stray `np.` call (or ndarray) in chainrule fails a test here instead of
on a GPU later.  `CHAINRULE_TEST_BACKEND=strict python -m pytest ...` makes it
the default backend (see conftest.py).
"""
import numbers
import types

import numpy as np

from chainrule.ops import _backend

__all__ = ["StrictArray", "xp", "STRICT"]


class _Refused(TypeError):
    pass


def _refuse(what):
    raise _Refused(f"StrictArray refuses {what}: chainrule must reach the array library "
                   "through its backend, not through NumPy")


def _unwrap(v):
    """An argument for NumPy: StrictArrays unwrapped (also inside tuples and
    lists), ndarrays refused, anything else (numbers, dtypes, slices) as is."""
    c = v.__class__
    if c is StrictArray:
        return v._a
    if c is tuple or c is list:
        return c(_unwrap(x) for x in v)
    if isinstance(v, np.ndarray):
        _refuse(f"a NumPy array argument (shape {v.shape})")
    return v


def _wrap(r):
    """A NumPy result as StrictArrays (NumPy's scalars become 0-d arrays)."""
    if isinstance(r, np.ndarray):
        return StrictArray(r)
    if isinstance(r, np.generic):
        return StrictArray(np.asarray(r))
    if r.__class__ is tuple or r.__class__ is list:
        return r.__class__(_wrap(x) for x in r)
    return r


def _operand(v):
    c = v.__class__
    if c is StrictArray:
        return v._a
    if c is float or c is int or c is bool or c is complex:
        return v
    if isinstance(v, np.ndarray):
        _refuse(f"a NumPy array operand (shape {v.shape})")
    if isinstance(v, (np.generic, numbers.Number)):
        return v
    return NotImplemented


def _binary(name):
    op = getattr(np.ndarray, name)

    def f(self, other):
        o = _operand(other)
        if o is NotImplemented:
            return NotImplemented
        return _wrap(op(self._a, o))
    f.__name__ = name
    return f


def _inplace(name):
    op = getattr(np.ndarray, name)

    def f(self, other):
        o = _operand(other)
        if o is NotImplemented:
            return NotImplemented
        op(self._a, o)
        return self
    f.__name__ = name
    return f


def _unary(name):
    op = getattr(np.ndarray, name)

    def f(self):
        return _wrap(op(self._a))
    f.__name__ = name
    return f


def _method(name):
    def f(self, *args, **kwargs):
        return _wrap(getattr(self._a, name)(*_unwrap(args),
                                            **{k: _unwrap(v) for k, v in kwargs.items()}))
    f.__name__ = name
    return f


def _index(idx):
    if idx.__class__ is tuple:
        return tuple(_index(i) for i in idx)
    if idx.__class__ is StrictArray:
        return idx._a
    if isinstance(idx, np.ndarray):
        _refuse(f"a NumPy array index (shape {idx.shape})")
    return idx


class StrictArray:
    """An array that is not NumPy's (see the module docstring)."""
    __slots__ = ("_a",)

    def __init__(self, a):
        if not isinstance(a, np.ndarray):
            raise TypeError(f"StrictArray wraps an ndarray, not {type(a).__name__}")
        self._a = a

    # --- NumPy's protocols: refused ---------------------------------------
    def __array__(self, *args, **kwargs):
        _refuse("conversion by NumPy (__array__)")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _refuse(f"NumPy's ufunc {ufunc.__name__}.{method}")

    def __array_function__(self, func, types, args, kwargs):
        _refuse(f"NumPy's function {func.__name__}")

    # --- DLPack: the memory, as CuPy exports it ----------------------------
    def __dlpack__(self, **kwargs):
        return self._a.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()

    # --- attributes --------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    T = property(lambda self: StrictArray(self._a.T))
    mT = property(lambda self: StrictArray(self._a.swapaxes(-2, -1)))

    def _set_part(part):
        def setter(self, value):
            setattr(self._a, part, _operand(value))
        return setter
    # complex arrays' parts: views, assignable (CuPy's arrays have both)
    real = property(lambda self: StrictArray(self._a.real), _set_part("real"))
    imag = property(lambda self: StrictArray(self._a.imag), _set_part("imag"))
    del _set_part

    # --- indexing: basic indexing gives views, integers a 0-d array -------
    def __getitem__(self, idx):
        i = _index(idx)
        r = self._a[i]
        if not isinstance(r, np.ndarray):
            t = i if i.__class__ is tuple else (i,)
            r = self._a[t + (Ellipsis,)] if Ellipsis not in t else np.asarray(r)
        return StrictArray(r)

    def __setitem__(self, idx, value):
        o = _operand(value)
        if o is NotImplemented:
            raise TypeError(f"cannot assign {type(value).__name__} into a StrictArray")
        self._a[_index(idx)] = o

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # --- conversions to Python ---------------------------------------------
    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __index__(self):
        return self._a.__index__()

    def __complex__(self):
        return complex(self._a)

    def __repr__(self):
        return "StrictArray(" + repr(self._a)[len("array("):]

    def __format__(self, spec):
        return format(self._a.item(), spec) if self._a.ndim == 0 else repr(self)

    def __reduce__(self):
        return (StrictArray, (self._a,))

    __hash__ = None


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
              "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__and__",
              "__rand__", "__or__", "__ror__", "__xor__", "__rxor__", "__lshift__",
              "__rshift__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
    setattr(StrictArray, _name, _binary(_name))
for _name in ("__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__", "__imod__",
              "__ipow__", "__iand__", "__ior__", "__ixor__"):
    setattr(StrictArray, _name, _inplace(_name))
for _name in ("__neg__", "__pos__", "__abs__", "__invert__"):
    setattr(StrictArray, _name, _unary(_name))
# Exactly the ndarray methods chainrule calls on arrays (CuPy's arrays have each).
for _name in ("all", "any", "argmax", "argmin", "astype", "copy", "item", "max", "mean", "min",
              "prod", "ravel", "reshape", "squeeze", "sum", "swapaxes", "tolist", "transpose",
              "view"):
    setattr(StrictArray, _name, _method(_name))


# --- the namespace: NumPy's names, on StrictArrays ----------------------------------------------
def _lift(fn, name):
    def f(*args, **kwargs):
        return _wrap(fn(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))
    f.__name__ = f.__qualname__ = name
    return f


# Exactly the functions chainrule calls through a backend's namespace (NumPy's
# names; CuPy has each of them): a new one needs adding here, deliberately.
NAMES = """
    abs add allclose arange array array_equal asarray ascontiguousarray bitwise_and bitwise_or
    bitwise_xor clip concatenate cos divide dot empty empty_like equal exp expand_dims expm1 eye
    floor_divide full greater greater_equal invert isfinite isinf isnan less less_equal linspace
    log log1p logical_and logical_not logical_or logical_xor logspace matmul maximum minimum
    multiply negative nonzero not_equal ones ones_like power reciprocal remainder sign sin sqrt
    squeeze stack subtract take_along_axis tan tanh trunc where zeros zeros_like
    arccos arccosh arcsin arcsinh arctan arctanh ceil cosh deg2rad exp2 floor log10 log2
    rad2deg rint round sinc sinh square
    argsort cumprod cumsum logaddexp
    repeat tile
    arctan2 copysign cross fmod hypot nan_to_num signbit
    bincount histogram unique
    einsum broadcast_to moveaxis
    fmax fmin gcd lcm nextafter frexp isin take
    conjugate angle
""".split()

xp = types.ModuleType("strict_xp", "NumPy's function names on StrictArrays (tests/_strict_array.py).")
for _name in NAMES:
    setattr(xp, _name, _lift(getattr(np, _name), _name))

xp.fft = types.ModuleType("strict_xp.fft", "NumPy's fft names on StrictArrays.")
xp.fft.fft = _lift(np.fft.fft, "fft")

# xp.linalg: exactly the functions chainrule calls there (NumPy's results as plain tuples).
xp.linalg = types.ModuleType("strict_xp.linalg", "NumPy's linalg names on StrictArrays.")
for _name in "det inv slogdet solve eigh eig cholesky svd qr".split():
    setattr(xp.linalg, _name, _lift(lambda *a, _f=getattr(np.linalg, _name), **k: (
        lambda r: tuple(r) if isinstance(r, tuple) else r)(_f(*a, **k)), _name))


def _add_at(out, idx, values):
    np.add.at(out._a, _index(idx), _operand(values))


def _readonly(a):
    a._a.flags.writeable = False
    return a


_NP = _backend.NUMPY          # the adapter's work is NumPy's, on the wrapped arrays
STRICT = _backend.register(_backend.Backend(
    "strict", xp, (StrictArray,),
    from_numpy=StrictArray,                    # shares the memory, as a CPU library does
    to_numpy=lambda a: a._a,
    add_at=_add_at,
    strides=lambda a: a._a.strides,
    as_strided=lambda a, shape, strides, offset=0: StrictArray(
        _NP.as_strided(a._a, shape, strides, offset)),
    readonly=_readonly,
    is_contiguous=lambda a: a._a.flags.c_contiguous,
    is_writeable=lambda a: a._a.flags.writeable,
    is_view=lambda a: a._a.base is not None,
    data_ptr=lambda a: _NP.data_ptr(a._a),
    storage_ptr=lambda a: _NP.storage_ptr(a._a),
    from_dlpack=lambda obj, copy=None: StrictArray(_NP.from_dlpack(obj, copy)),
))

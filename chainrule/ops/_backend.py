"""The array libraries chainrule computes with, each seen through one small
adapter: the only module of the op library, the engine and the view
bookkeeping that names NumPy.

A `Backend` is one array library as chainrule sees it:

  * `xp`: its namespace, with NumPy's function names (`xp.sin`, `xp.where`,
    `xp.zeros_like`, `xp.concatenate`...): the numpy module for NumPy, the
    cupy module for CuPy.  Forwards and raw-array formulas call only this,
    array methods (`x.sum(axis=...)`, `x.reshape(...)`, `x.astype(...)`) and
    operators; never `numpy` by name.
  * `array_types`: the classes of its arrays (`backend_of(a)` is a type lookup).
  * the adapter: what the op library needs beyond that namespace, written
    once per library: scatter-add (`add_at`), strided views (`strides`,
    `as_strided`, `readonly`, `is_contiguous`, `is_writeable`: the view ops
    give arrays PyTorch's layouts), whether an array views another's storage
    (`is_view`) and where its memory starts (`data_ptr`, `storage_ptr`), and
    the way to and from NumPy (`to_numpy`: printing, `.numpy()`; `from_numpy`:
    data the factories parse or draw on the host), and DLPack's exchange
    (`from_dlpack`, for the devices `dlpack_devices` names).

Op forwards are resolved per backend once, not per call (see `bind` and
`Op.forward_for`); the NumPy-bound forward is the declared function itself,
so the NumPy path costs nothing extra.

NumPy also plays a second part that no backend replaces: it is the host's
interchange format (user data given as ndarrays or NumPy scalars, `.numpy()`,
printing, the random generator).  `HOST_ARRAY` and `HOST_SCALAR` name those
types for the modules that accept such input.

Dtypes are NumPy dtype objects for every backend (`chainrule.float32.np`):
they only describe element types, and CuPy uses the same objects.
"""
import functools
import operator

import math

import numpy as np

__all__ = ["Backend", "NUMPY", "register", "backend_of", "namespace", "is_array", "foreign",
           "from_dlpack", "ShellArray", "SHELL_DTYPES", "shell_view",
           "is_writeable", "default", "set_default", "bind", "to_numpy", "ARRAY_TYPES",
           "FOREIGN", "ndarray", "as_array", "HOST_ARRAY", "HOST_SCALAR", "numpy_scalar",
           "numpy_clip_ufunc", "zeros_to_scatter_into", "SCALAR_OPERATORS"]


class Backend:
    """One array library: its namespace `xp`, its array classes and the
    adapter functions (see the module docstring).  `array_ops` is the raw
    formula namespace for its arrays, filled by ops/_registry.py on first use."""

    def __init__(self, name, xp, array_types, *, from_numpy, to_numpy, add_at, strides,
                 as_strided, readonly, is_contiguous, is_writeable, is_view, data_ptr,
                 storage_ptr, from_dlpack=None, dlpack_devices=(1,)):
        self.name = name
        self.xp = xp
        self.array_types = tuple(array_types)
        self.ndarray = self.array_types[0]
        self.from_numpy = from_numpy          # host ndarray -> array (sharing memory if it can)
        self.to_numpy = to_numpy              # array -> host ndarray (sharing memory if it can)
        self.add_at = add_at                  # add_at(out, idx, values): unbuffered out[idx] += values
        self.strides = strides                # strides(a): in bytes, as NumPy's
        # as_strided(a, shape, strides, offset=0): a view of a's memory with that
        # shape and byte strides, from `offset` bytes after a's first element
        self.as_strided = as_strided
        self.readonly = readonly              # readonly(a): a, refusing writes from now on
        self.is_contiguous = is_contiguous    # C order (size-1 dimensions do not count)
        self.is_writeable = is_writeable
        self.is_view = is_view                # is_view(a): a views another array's memory
        self.data_ptr = data_ptr              # the address of a's first element
        self.storage_ptr = storage_ptr        # the address of the memory a looks into
        # from_dlpack(obj, copy): an array of obj's memory (any object with __dlpack__ and
        # __dlpack_device__ on one of `dlpack_devices`, DLPack's device type numbers: 1 the CPU,
        # 2 CUDA); the namespace's from_dlpack by default.  Arrays export through their own
        # __dlpack__.
        self.from_dlpack = from_dlpack or (lambda obj, copy=None: xp.from_dlpack(obj, copy=copy))
        self.dlpack_devices = tuple(dlpack_devices)
        self.array_ops = None

    def __repr__(self):
        return f"<chainrule backend {self.name}>"


# --- NumPy's adapter ------------------------------------------------------------------------
class _Window:
    """The array interface of a view NumPy cannot make by indexing: x's
    memory seen with `shape` and `strides`, from `offset` bytes after x's
    first element.  `base` keeps x alive (and leads storage_ptr to x's
    memory)."""

    def __init__(self, x, shape, strides, offset):
        face = x.__array_interface__
        ptr, readonly = face["data"]
        face["data"] = (ptr + offset, readonly)
        face["shape"] = tuple(shape)
        face["strides"] = tuple(strides)
        self.__array_interface__ = face
        self.base = x


def _numpy_from_dlpack(obj, copy=None):
    a = np.from_dlpack(obj, copy=copy)
    if not a.flags.writeable and getattr(obj, "legacy_capsule", False):
        # A legacy DLPack capsule cannot say "read-only", and NumPy assumes it; PyTorch
        # assumes writeable, as chainrule does here (the same memory, writeable).
        face = a.__array_interface__
        face["data"] = (face["data"][0], False)
        holder = _Window.__new__(_Window)
        holder.__array_interface__, holder.base = face, a
        a = np.asarray(holder)
    return a


def _numpy_as_strided(x, shape, strides, offset=0):
    try:
        return np.ndarray(shape, x.dtype, x, offset, strides)   # x is one block: cheap
    except (TypeError, ValueError):
        return np.asarray(_Window(x, shape, strides, offset))


def _numpy_readonly(a):
    a.flags.writeable = False
    return a


def _numpy_data_ptr(a):
    return a.__array_interface__["data"][0]


def _numpy_storage_owner(a):
    """The array owning the memory `a` looks into: up its bases, through the
    holders that views built from an array interface keep (_Window, NumPy's
    as_strided, the factories' _Shared)."""
    while True:
        b = a.base
        if b is None:
            return a
        if b.__class__ is not np.ndarray:
            b = getattr(b, "base", None)
            if not isinstance(b, np.ndarray):
                return a
        a = b


NUMPY = Backend(
    "numpy", np, (np.ndarray,),
    from_numpy=lambda a: a,
    to_numpy=np.asarray,                      # (NumPy scalars, where NumPy gives them, too)
    add_at=np.add.at,
    strides=operator.attrgetter("strides"),
    as_strided=_numpy_as_strided,
    readonly=_numpy_readonly,
    is_contiguous=operator.attrgetter("flags.c_contiguous"),
    is_writeable=operator.attrgetter("flags.writeable"),
    is_view=lambda a: a.base is not None,
    data_ptr=_numpy_data_ptr,
    storage_ptr=lambda a: _numpy_data_ptr(_numpy_storage_owner(a)),
    from_dlpack=_numpy_from_dlpack,
)

ndarray = np.ndarray

# NumPy's clip ufunc itself (np.clip is a Python function around it, about 1 us
# a call).  Its float loops are vectorised where maximum's and minimum's
# against a scalar are not (measured over 262,144 float32 on the AVX2 machine,
# NumPy 2.4: maximum(x, 0) 128 us, clip(x, 0, inf) 43 us; float64 alike).
# None where this NumPy has no such ufunc.
try:
    from numpy._core.umath import clip as numpy_clip_ufunc
except ImportError:                          # pragma: no cover - other NumPy versions
    numpy_clip_ufunc = None


# --- PyTorch's shell dtypes (uint16, uint32, uint64) ----------------------------------------
# PyTorch makes, prints, converts, views and copies tensors of them, but most of its
# kernels refuse them ("add_stub" not implemented for 'UInt16').  NumPy computes with them
# all, so their arrays are of a subclass of ndarray: the dispatch point meets a class that
# is not ndarray, leaves its fast path for _forward_for, and that asks `shell_refusal`
# whether the op takes them.  The plain path pays nothing.  Results of other dtypes
# (a comparison's bools, a cast) come back as plain ndarrays; the factories and casts
# (shell_view) make ShellArrays, and ops on them keep the class.
SHELL_DTYPES = (np.dtype(np.uint16), np.dtype(np.uint32), np.dtype(np.uint64))


class ShellArray(np.ndarray):
    """An ndarray of a shell dtype (see above)."""

    def __array_wrap__(self, arr, context=None, return_scalar=False):
        if arr.dtype not in SHELL_DTYPES:
            arr = arr.view(np.ndarray)
            return arr[()] if return_scalar else arr
        return super().__array_wrap__(arr, context, return_scalar)

    def astype(self, dtype, *args, **kwargs):
        out = np.ndarray.astype(self, dtype, *args, **kwargs)
        return out if out.dtype in SHELL_DTYPES else out.view(np.ndarray)


_U16, _U32, _U64 = SHELL_DTYPES


def shell_view(a):
    """A NumPy array of a shell dtype as a ShellArray (anything else as it is)."""
    if a.__class__ is np.ndarray:
        d = a.dtype
        if d is _U16 or d is _U32 or d is _U64:    # (NumPy's dtypes are singletons)
            return a.view(ShellArray)
    return a


as_array = np.asarray          # NumPy returns scalars for 0-d results; the dispatch point wraps them
HOST_ARRAY = np.ndarray        # user data and .numpy() results (NumPy: the host's format)
HOST_SCALAR = np.generic

# --- Python numbers as NumPy operands -------------------------------------------------------
# NumPy's handling of a Python number given to a ufunc (NEP 50's weak scalars)
# costs about 0.24 us a call; a 0-d array of the other operand's dtype costs
# nothing, and gives the same result (the number is cast to that dtype either
# way, which is also what PyTorch does with a float tensor and a number).  The
# common numbers are kept per dtype, read-only; a zero is kept under a key of
# its sign (0.0 and -0.0 are one dict key, and the sign of a zero matters:
# `x > 0` in a loop is common), and nan is left out (it is no key).
# (float32's and float64's tables are found by the dtype's identity, NumPy's
# dtypes being singletons: hashing a dtype for _SCALARS costs as much as the
# rest of the lookup, and these two are nearly every call; instructions,
# benchmarks/icount.py: `x * 2.0` 18.1k -> 17.8k)
_SCALARS = {}                  # dtype -> {number: read-only 0-d array}
_SCALARS_PER_DTYPE = 256
_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)
_TABLE32 = _SCALARS[_FLOAT32] = {}
_TABLE64 = _SCALARS[_FLOAT64] = {}


def numpy_scalar(v, dtype):
    """Python number v as a 0-d ndarray of `dtype` (for the float fast paths)."""
    table = _TABLE32 if dtype is _FLOAT32 else _TABLE64 if dtype is _FLOAT64 else _table(dtype)
    a = table.get(v if v else _zero_key(v))
    if a is not None:
        return a
    return _new_scalar(table, v, dtype)


def _table(dtype):
    table = _SCALARS.get(dtype)
    if table is None:
        table = _SCALARS[dtype] = {}
    return table


def _new_scalar(table, v, dtype):
    """v as a 0-d array of dtype, kept in table unless it is nan."""
    a = _cast_number(v, dtype)
    if v == v:
        if len(table) >= _SCALARS_PER_DTYPE:
            # Full (an optimiser's step-dependent numbers fill it in about a
            # hundred steps): start afresh, so that the numbers in use now,
            # not the first ones ever seen, are the ones kept.
            table.clear()
        a.flags.writeable = False
        table[v if v else _zero_key(v)] = a
    return a


def _zero_key(v):
    return "-0" if v.__class__ is float and math.copysign(1.0, v) < 0 else "+0"


def _cast_number(v, dtype):
    # Out of the dtype's range the number becomes inf silently, as PyTorch does.
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array(v, dtype)


_BY_TYPE = {np.ndarray: NUMPY}
# Classes a forward may return as they are (every backend's arrays); anything
# else (NumPy's scalars for 0-d results) goes through as_array.
ARRAY_TYPES = {np.ndarray, ShellArray}     # (a ShellArray comes back as it is)
# Array classes of the backends other than NumPy: the engine and the nodes
# check a gradient's class against it to leave NumPy's generated fast path.
FOREIGN = set()
_DEFAULT = [NUMPY]


# NumPy's arithmetic and comparison ufuncs, each with the Python operator that
# computes it on two NumPy scalars of one float dtype, to the 0-d ufunc's bits
# at a quarter of its cost (tests/test_dispatch.py compares them over special
# values): the dispatch point's 0-d path (Op.on_scalars, apply_number) and
# chainrule.compile's replay of 0-d steps (which writes the symbol) use it.
SCALAR_OPERATORS = {ufunc: (symbol, fn) for ufunc, symbol, fn in [
    (np.add, "+", operator.add), (np.subtract, "-", operator.sub),
    (np.multiply, "*", operator.mul), (np.divide, "/", operator.truediv),
    (np.less, "<", operator.lt), (np.less_equal, "<=", operator.le),
    (np.greater, ">", operator.gt), (np.greater_equal, ">=", operator.ge),
    (np.equal, "==", operator.eq), (np.not_equal, "!=", operator.ne)]}


def zeros_to_scatter_into(xp, shape, like=None, dtype=None):
    """xp.zeros_like(like, shape=shape), or xp.zeros(shape, dtype) without
    `like`, with every element written now: the target of a scatter-add
    (add_at).  NumPy's zeros of a large array may be fresh calloc'd memory,
    whose pages the kernel maps on first touch, and add.at then touches them
    first in index order, which costs more than one sequential pass: 1 MiB
    from a fresh mapping each time, zeros + add.at 0.77 ms against 0.52 ms
    here (0.39 of it the sequential zeroing); in the digits example's
    max-pool backward (1 MiB, one add.at a batch), 0.13 to 1.15 ms a call
    depending on what the allocator hands out, against about 0.2 ms here,
    every time."""
    out = xp.empty(shape, dtype=dtype) if like is None else xp.empty_like(like, shape=shape)
    out[...] = 0
    return out


def register(backend):
    """Make `backend`'s arrays known (backend_of, the dispatch point) and give
    it its raw formula namespace."""
    for cls in backend.array_types:
        _BY_TYPE[cls] = backend
        ARRAY_TYPES.add(cls)
        if backend is not NUMPY:
            FOREIGN.add(cls)
    if backend.array_ops is None:
        from . import _registry      # (cycle: _registry imports this module)
        _registry.array_ops_for(backend)
    return backend


def backend_of(a):
    """The backend of array `a`.  Anything that is no registered array (a
    NumPy scalar, a Python number) belongs to NumPy."""
    return _BY_TYPE.get(a.__class__, NUMPY)


def namespace(a):
    """The array namespace of `a`: backend_of(a).xp."""
    return _BY_TYPE.get(a.__class__, NUMPY).xp


def is_array(a):
    """Whether `a` is an array of some registered backend."""
    return a.__class__ in _BY_TYPE


def foreign(values):
    """Whether any of `values` is an array of a backend other than NumPy."""
    if FOREIGN:
        for v in values:
            if v.__class__ in FOREIGN:
                return True
    return False


def is_writeable(a):
    """Whether writes into array `a` are allowed (NumPy's expanded views refuse them)."""
    return _BY_TYPE.get(a.__class__, NUMPY).is_writeable(a)


def to_numpy(a):
    """`a` as a NumPy array (the same memory where the backend allows)."""
    if a.__class__ is np.ndarray:
        return a
    return _BY_TYPE.get(a.__class__, NUMPY).to_numpy(a)


def from_dlpack(obj, copy=None):
    """An array of the memory `obj` exports through DLPack (shared unless copy), made by the
    backend serving obj's device (the default backend's first); BufferError where none does."""
    device = obj.__dlpack_device__()[0] if hasattr(obj, "__dlpack_device__") else 1
    for be in [_DEFAULT[0]] + list(_BY_TYPE.values()):
        if int(device) in be.dlpack_devices:
            return be.from_dlpack(obj, copy)
    raise BufferError(f"no array library of chainrule's takes DLPack device type {int(device)}")


def default():
    """The backend the factories create arrays with."""
    return _DEFAULT[0]


def set_default(backend):
    """Choose the backend the factories create arrays with (internal: a
    device setting will build on it); returns the previous one."""
    register(backend)
    prev = _DEFAULT[0]
    _DEFAULT[0] = backend
    return prev


def bind(decl, backend):
    """A forward (or raw formula helper) as declared, resolved for `backend`:

    * a string names a function of the namespace: "sin" -> backend.xp.sin;
    * a function with a keyword-only parameter `xp` (defaulting to NumPy's
      namespace) gets the backend's namespace; one with `be` (defaulting to
      NUMPY) gets the Backend itself, for the adapter functions.  For the
      library the default names that is the function itself, for others a
      functools.partial made once;
    * any other function uses array methods and operators only and serves
      every backend as it is.
    """
    if decl.__class__ is str:
        return getattr(backend.xp, decl)
    kw = getattr(decl, "__kwdefaults__", None)
    if kw:
        if "xp" in kw:
            return decl if kw["xp"] is backend.xp else functools.partial(decl, xp=backend.xp)
        if "be" in kw:
            return decl if kw["be"] is backend else functools.partial(decl, be=backend)
    return decl

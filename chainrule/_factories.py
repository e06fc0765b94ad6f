"""Ways to make tensors: from data, filled, ranges, random; and the legacy
constructors (FloatTensor, ...).

Filled tensors and ranges are made by the default array library
(`_backend.default()`, NumPy unless changed); Python data is parsed, and
random numbers are drawn, on the host with NumPy (the same values whichever
library computes), then handed to it.
"""
import itertools
import math
import operator
import warnings

import numpy as np

from . import _batched, _dtypes, _errors, _fpstate, _func_levels
from ._inplace_state import VMAP_ACTIVE as _VMAP_ACTIVE
from ._device import check_device, device as _device
from ._tensor import Tensor
from ._grad_mode import STATE
from ._inplace_state import CAPTURE as _CAPTURE
from .ops import _backend, _memory_format, _out
from .ops._args import shape_args

_DEFAULT = _backend._DEFAULT
_NUMPY = _backend.NUMPY
_ARRAY_TYPES = _backend.ARRAY_TYPES

__all__ = [
    "tensor", "as_tensor", "from_numpy", "arange", "zeros", "ones", "full", "empty", "eye",
    "linspace", "rand", "randn", "randint", "randperm", "manual_seed", "seed", "initial_seed",
    "zeros_like", "ones_like", "full_like", "empty_like", "rand_like", "randn_like",
    "randint_like", "FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor",
    "HalfTensor", "ByteTensor", "is_tensor", "numel", "Generator", "default_generator",
    "get_rng_state", "set_rng_state",
]


def _xp():
    """The namespace of the default array library."""
    return _DEFAULT[0].xp


def _on_default(data):
    """Host data (a NumPy array) as an array of the default library."""
    be = _DEFAULT[0]
    if be is not _NUMPY and isinstance(data, np.ndarray):
        return be.from_numpy(data)
    return _backend.shell_view(data)


def _finish(data, requires_grad):
    if _DEFAULT[0] is not _NUMPY and isinstance(data, np.ndarray):
        data = _DEFAULT[0].from_numpy(data)    # parsed or drawn on the host
    else:
        data = _backend.shell_view(data)
    t = Tensor._make(data)
    if STATE.inference:                 # made inside inference_mode
        t._inference = True
    if requires_grad:
        if data.dtype.kind not in "fc":
            raise _errors.int_requires_grad("factory")
        t._requires_grad = True
    return t


def _infer(arr):
    """PyTorch's dtype for data given as Python numbers."""
    k = arr.dtype.kind
    if k == "f":
        return _dtypes.get_default_dtype().np
    if k in "iu":
        return np.int64
    if k == "b":
        return np.bool_
    if k == "c":
        return _dtypes.default_complex_dtype().np
    raise TypeError(f"Could not infer dtype of {arr.dtype}")


_DEFAULT_FLOAT = _dtypes.get_default_dtype
_quietly = _fpstate.quietly_fast
_BIG = float(2 ** 63)        # |values| from here on do not fit int64


def _from_data(data, dtype):
    """An array holding `data` (Python numbers, nested lists, arrays, Tensors)."""
    if isinstance(data, Tensor):
        arr = data._data
        return _cast(arr, dtype.np) if dtype is not None else arr
    if isinstance(data, np.ndarray) or data.__class__ in _ARRAY_TYPES:   # (any library's arrays)
        if dtype is None:
            _numpy_dtype(data.dtype)
            return data
        return _cast(data, dtype.np)
    if isinstance(data, np.generic) and dtype is None:
        return np.array(data)        # a NumPy scalar keeps its own dtype
    if isinstance(data, (list, tuple)) and _holds_tensor(data):
        return _convert(data, dtype)
    try:
        arr = np.array(data)
    except (ValueError, TypeError, OverflowError):
        return _convert(data, dtype)         # raises PyTorch's error for the data
    k = arr.dtype.kind
    if k not in "fibc":
        # Strings, objects, numbers past int64 (NumPy makes them uint64 or
        # objects): PyTorch's own conversion decides.
        return _convert(data, dtype)
    if dtype is None:
        if k == "f" and arr.ndim and arr.size and _first_number(data).__class__ is int \
                and arr.max() >= _BIG:
            return _convert(data, None)      # ints past int64 that NumPy made floats
        return _cast(arr, _DEFAULT_FLOAT().np if k == "f" else _infer(arr))
    if dtype.np.kind in "iu" and arr.size and not _fits(arr, dtype.np):
        return _convert(data, dtype)         # raises PyTorch's overflow error
    return _cast(arr, dtype.np)


_PLAIN_NUMBERS = frozenset({float, int, bool})
_SEQUENCES = frozenset({list, tuple})
_chain = itertools.chain.from_iterable


def _holds_tensor(data):
    """Whether nested data has a Tensor in it (answered level by level at C
    speed for lists of Python numbers: tensor([...]) is the commonest call)."""
    level = data
    while True:
        kinds = set(map(type, level))
        if kinds <= _PLAIN_NUMBERS:
            return False
        if not kinds <= _SEQUENCES:
            return any(isinstance(v, Tensor) for v in _flat(level))
        level = list(_chain(level))         # one nesting level down


def _first_number(data):
    """The first scalar of nested data: NumPy turns all-integer data past
    int64 into floats, and such data begins with an int."""
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def _cast(arr, npd):
    """arr as npd; a float too large for npd becomes inf silently, as PyTorch
    (NumPy would warn "overflow encountered in cast")."""
    if arr.dtype == npd:
        return arr
    try:
        return _quietly(arr.astype, npd)
    except RuntimeError as e:
        return _fpstate.retry_quietly(e, arr.astype, npd)


def _fits(arr, npd):
    """Whether PyTorch converts arr's values to the integer dtype npd without its
    overflow error (negative integers wrap into unsigned types, as in C)."""
    info = np.iinfo(npd)
    lo, hi = arr.min(), arr.max()
    if arr.dtype.kind == "f":
        return bool(lo >= info.min and hi < float(int(info.max) + 1))    # False for NaN
    if arr.dtype.kind == "b":
        return True
    if info.min == 0:
        return bool(lo >= -int(info.max) and hi <= info.max)
    return bool(lo >= info.min and hi <= info.max)


# --- PyTorch's conversion of nested Python data ----------------------------------------------
# Only reached when NumPy cannot take the data as it is, or takes it differently
# from PyTorch: it follows PyTorch's steps (sizes from the first elements, then
# the dtype, then the values one by one) so that it fails where and as PyTorch does.
_MAX_DIMS = 64


def _is_sequence(v):
    """Python's sequence protocol (what PyTorch walks): not dicts or sets."""
    t = type(v)
    return not isinstance(v, dict) and hasattr(t, "__getitem__") and hasattr(t, "__len__")


def _type_name(v):
    return type(v).__name__


def _compute_sizes(data):
    sizes = []
    seq = data
    while _is_sequence(seq) and not isinstance(seq, Tensor):
        n = len(seq)
        sizes.append(n)
        if len(sizes) > _MAX_DIMS:
            raise ValueError(f"too many dimensions '{_type_name(seq)}'")
        if n == 0:
            break
        seq = seq[0]
    return sizes


def _infer_scalar(obj):
    if isinstance(obj, np.ndarray):
        return _numpy_dtype(obj.dtype)
    if isinstance(obj, np.generic):
        return _numpy_dtype(obj.dtype)
    if isinstance(obj, float):
        return _dtypes.get_default_dtype()
    if isinstance(obj, bool):
        return _dtypes.bool
    if isinstance(obj, int):
        return _dtypes.int64
    if isinstance(obj, complex):
        return _dtypes.default_complex_dtype()
    if isinstance(obj, Tensor):
        return obj.dtype
    if isinstance(obj, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{_type_name(obj)}'")
    if _is_sequence(obj):
        if len(obj) == 0:
            return _dtypes.get_default_dtype()
        dt = None
        for item in obj:
            d = _infer_scalar(item)
            dt = d if dt is None else _dtypes.promote_types(dt, d)
        return dt
    raise RuntimeError(f"Could not infer dtype of {_type_name(obj)}")


def _unpack_long(obj):
    v = operator.index(obj)        # TypeError: '...' object cannot be interpreted as an integer
    if not -2 ** 63 <= v < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    return v


def _unpack_double(obj):
    if isinstance(obj, (float, int)) or hasattr(obj, "__float__"):
        return float(obj)          # OverflowError: int too large to convert to float
    raise TypeError(f"must be real number, not {_type_name(obj)}")


def _store_scalar(obj, dt):
    npd = dt.np
    if npd.kind == "f":
        return _unpack_double(obj)
    if npd.kind == "c":
        return complex(obj)
    if npd.kind == "b":
        return bool(_unpack_double(obj)) if isinstance(obj, float) else bool(_unpack_long(obj))
    if isinstance(obj, float):
        v = obj
        ok = not math.isnan(v) and np.iinfo(npd).min <= v <= np.iinfo(npd).max
        v = int(v) if ok else 0
    else:
        v = _unpack_long(obj)
        info = np.iinfo(npd)
        ok = (-int(info.max) if info.min == 0 else info.min) <= v <= info.max
        if info.min == 0:
            v &= int(info.max)          # negative values wrap, as a C cast does
    if not ok:
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
    return v


def _store(obj, sizes, dim, dt, out):
    if dim == len(sizes):
        out.append(_store_scalar(obj, dt))
        return
    if isinstance(obj, Tensor) and tuple(obj._data.shape) == tuple(sizes[dim:]):
        out.extend(obj._data.astype(dt.np).ravel().tolist())
        return
    try:
        seq = list(obj) if not isinstance(obj, (str, bytes)) else None
    except TypeError:
        seq = None
    if seq is None:
        raise TypeError("not a sequence")
    if len(seq) != sizes[dim]:
        raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(seq)})")
    for item in seq:
        _store(item, sizes, dim + 1, dt, out)


def _convert(data, dtype):
    """`data` converted as PyTorch converts it, raising its errors."""
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{_type_name(data)}'")
    sizes = _compute_sizes(data)
    dt = _infer_scalar(data) if dtype is None else dtype
    if any(n == 0 for n in sizes):
        return np.zeros(sizes, dt.np)              # PyTorch stores nothing: no checks
    out = []
    _store(data, sizes, 0, dt, out)
    return np.array(out, dtype=dt.np).reshape(sizes)


def _numpy_dtype(npd):
    """The chainrule dtype of a NumPy array's dtype, with PyTorch's error for the
    types PyTorch does not take either."""
    d = _dtypes.FROM_NP.get(npd)
    if d is not None:
        return d
    if npd.kind in "OUSVMm":
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{npd.type.__name__}. The only supported "
            "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, "
            "int8, uint64, uint32, uint16, uint8, and bool.")
    return _dtypes.from_numpy_dtype(npd)     # a type PyTorch has but chainrule does not


def _flat(data):
    out = []
    stack = [data]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        else:
            out.append(v)
    return out or [0.0]


def _untensor(data):
    if isinstance(data, Tensor):
        return data._data.tolist()
    if isinstance(data, (list, tuple)):
        return [_untensor(v) for v in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data`, as torch.tensor."""
    if data.__class__ is float and dtype is None and device is None:
        # tensor(2.0): a Python float straight into the default dtype (a number
        # too large for it becomes inf silently, as in PyTorch)
        npd = _DEFAULT_FLOAT().np
        try:
            arr = _quietly(np.array, data, npd)
        except RuntimeError as e:
            arr = _fpstate.retry_quietly(e, np.array, data, npd)
        return _finish(arr, requires_grad)
    if device is not None:
        check_device(device)
    if isinstance(data, Tensor) and _CAPTURE[0] is not None:
        _CAPTURE[0].escape(data, "a copy construction (tensor(t))")
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    dt = None if dtype is None else _dtype_arg(dtype, "tensor")
    arr = _from_data(data, dt)
    if isinstance(data, (Tensor, np.ndarray)) or arr is data:
        # PyTorch copies an array or a tensor in preserve_format: its own
        # strides where its elements fill their memory exactly once (a
        # transposed array stays transposed; a batch of (N, 1, H, W) images
        # keeps the channel stride that makes it channels-last), else
        # contiguous.
        arr = _memory_format.preserved_copy(arr, _backend.backend_of(arr))
    elif arr.ndim:
        # (host data with NumPy; a tensor's data with its own library)
        arr = np.ascontiguousarray(arr) if arr.__class__ is np.ndarray else \
            _backend.namespace(arr).ascontiguousarray(arr)
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Share memory with `data` when it already is a suitable array or tensor."""
    if device is not None:
        check_device(device)
    dt = None if dtype is None else _dtype_arg(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return data if dt is None or data.dtype is dt else data.to(dt)
    arr = _from_data(data, dt)
    if arr is data and isinstance(arr, np.ndarray):
        arr = _shared(arr)
    return Tensor._make(_on_default(arr))


def from_numpy(ndarray):
    """A tensor sharing `ndarray`'s memory (changes show in both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _numpy_dtype(ndarray.dtype)
    return Tensor._make(_on_default(_shared(ndarray)))


class _Shared:
    """A NumPy array whose memory a tensor shares, seen without the array's
    own bases: PyTorch's storage starts at the array's first element, and
    Tensor.storage_offset() counts from the last array it finds up the bases
    (this holder has no `base`, so that is the tensor's own)."""

    def __init__(self, a):
        face = dict(a.__array_interface__)
        # (NumPy leaves a C-contiguous array's strides out of the interface,
        # and the array rebuilt from it would get its own for size-1
        # dimensions: PyTorch keeps the array's, which say channels-last for
        # a batch sliced from (N, 1, H, W) images.)
        face["strides"] = a.strides
        self.__array_interface__ = face
        self.array = a


def _shared(a):
    """The array a tensor sharing `a`'s memory keeps (from_numpy, as_tensor)."""
    if a.strides and min(a.strides) < 0:
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    return a if a.base is None else np.asarray(_Shared(a))


def _size(args, size, name=None):
    """Shapes come as varargs, one tuple/list, or the size= keyword."""
    if size is not None:
        if args:
            raise TypeError("got multiple values for argument 'size'")
        args = (size,)
    return shape_args(args, name)


def _negative_size(shape, name=None):
    """PyTorch's error for a negative size (zeros words it its own way)."""
    if name == "zeros":
        return RuntimeError("zeros: Dimension size must be non-negative.")
    bad = next((n for n in shape if n < 0), -1)
    return RuntimeError(f"Trying to create tensor with negative dimension {bad}: {list(shape)}")


def _alloc(fill, shape, npd, name=None):
    """fill(shape, dtype), with PyTorch's error for negative sizes."""
    try:
        return fill(shape, npd)
    except ValueError:
        if any(n < 0 for n in shape):
            raise _negative_size(shape, name) from None
        raise


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input._data.size


def _dtype_arg(dtype, name):
    """A dtype argument: a chainrule dtype, or Python's float/int/bool (as PyTorch allows)."""
    if dtype.__class__ is _dtypes.dtype:
        return dtype
    if dtype is float or dtype is int or dtype is bool:
        return _dtypes.as_dtype(dtype)
    raise TypeError(f"{name}(): argument 'dtype' must be torch.dtype, not {type(dtype).__name__}")


def _dt(dtype, default=None, name=None):
    if dtype is None:
        return default or _dtypes.get_default_dtype()
    if dtype.__class__ is _dtypes.dtype:
        return dtype
    return _dtype_arg(dtype, name) if name is not None else _dtypes.as_dtype(dtype)


def _filled(size, value, dtype, requires_grad, name="full"):
    shape = shape_args((size,), name)
    dt = _dt(dtype, None, name)
    return _finish(_alloc(lambda s, d: _xp().full(s, value, d), shape, dt.np), requires_grad)


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if out is not None:
        return _out.into(out,
                         zeros(*args, size=size, dtype=_out.factory_dtype(dtype, out),
                               device=device),
                         "zeros")
    if device is not None:
        check_device(device)
    return _finish(_alloc(_xp().zeros, _size(args, size, "zeros"), _dt(dtype, None, "zeros").np,
                          "zeros"), requires_grad)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if out is not None:
        return _out.into(out,
                         ones(*args, size=size, dtype=_out.factory_dtype(dtype, out),
                              device=device),
                         "ones")
    if device is not None:
        check_device(device)
    return _finish(_alloc(_xp().ones, _size(args, size, "ones"), _dt(dtype, None, "ones").np),
                   requires_grad)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          memory_format=None):
    if out is not None:
        return _out.into(out,
                         empty(*args, size=size, dtype=_out.factory_dtype(dtype, out),
                               device=device, memory_format=memory_format),
                         "empty")
    if device is not None:
        check_device(device)
    return _finish(_alloc(_xp().empty, _size(args, size, "empty"), _dt(dtype, None, "empty").np),
                   requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    if out is not None:
        return _out.into(out,
                         full(size, fill_value, dtype=_out.factory_dtype(dtype, out),
                              device=device),
                         "full")
    if device is not None:
        check_device(device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    elif not isinstance(fill_value, (int, float, complex, np.number, np.bool_)):
        raise TypeError("full(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(fill_value).__name__}")
    if dtype is None:
        dtype = _dtypes.scalar_dtype(fill_value)
    return _filled((size,) if isinstance(size, int) else size, fill_value, dtype, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if out is not None:
        return _out.into(out,
                         eye(n, m, dtype=_out.factory_dtype(dtype, out), device=device),
                         "eye")
    if device is not None:
        check_device(device)
    if m is None:
        m = n
    for pos, (arg, v) in enumerate((("n", n), ("m", m)), 1):
        if not hasattr(v, "__index__"):
            raise TypeError(f"eye(): argument '{arg}' (position {pos}) must be int, not "
                            f"{type(v).__name__}")
        if v < 0:
            raise RuntimeError(f"{arg} must be greater or equal to 0, got {v}")
    return _finish(_xp().eye(n, m, dtype=_dt(dtype, None, "eye").np), requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    if out is not None:
        return _out.into(out,
                         arange(start, end, step, dtype=_out.factory_dtype(dtype, out),
                                device=device),
                         "arange")
    if device is not None:
        check_device(device)
    if end is None:
        start, end = 0, start
    lo, hi, st = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    is_float = isinstance(lo, float) or isinstance(hi, float) or isinstance(st, float)
    if st == 0 or st != st:
        raise RuntimeError("step must be nonzero")
    if is_float and not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"unsupported range: {_num(lo)} -> {_num(hi)}")
    if (st > 0 and hi < lo) or (st < 0 and hi > lo):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        dt = _dtypes.get_default_dtype() if is_float else _dtypes.int64
    else:
        dt = _dt(dtype, None, "arange")
        if dt is _dtypes.bool or dt.is_complex:
            raise NotImplementedError(f"\"arange_cpu\" not implemented for '{dt.legacy}'")
    # Computed in float64 and then cast, as PyTorch sizes the result from the
    # double-precision arithmetic.
    return _finish(_xp().arange(lo, hi, st, dtype=_dtypes.float64.np if dt.is_floating_point else None)
                   .astype(dt.np), requires_grad)


def _num(v):
    """A bound as PyTorch's range errors print it (0, 0.5, inf, nan)."""
    return f"{v:g}" if isinstance(v, float) else str(v)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    if out is not None:
        return _out.into(out,
                         linspace(start, end, steps, dtype=_out.factory_dtype(dtype, out),
                                  device=device),
                         "linspace")
    if device is not None:
        check_device(device)
    if isinstance(steps, int) and steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(_xp().linspace(float(start), float(end), int(steps)).astype(
        _dt(dtype, None, "linspace").np), requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    if out is not None:
        return _out.into(out,
                         logspace(start, end, steps, base, dtype=_out.factory_dtype(dtype, out),
                                  device=device),
                         "logspace")
    if device is not None:
        check_device(device)
    if isinstance(steps, int) and steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(_xp().logspace(start, end, steps, base=base).astype(
        _dt(dtype, None, "logspace").np), requires_grad)


# --- random ---------------------------------------------------------------------------------
class Generator:
    """The random state behind rand/randn/randint/randperm (NumPy's PCG64; the
    values differ from PyTorch's, the distributions are the same).

    get_state() is a uint8 tensor, as PyTorch's, but of PCG64's state: the
    seed, the 128-bit state and increment, and the buffered 32-bit half
    (16 + 16 + 16 + 1 + 4 bytes, little-endian)."""

    def __init__(self, device="cpu", seed=None):
        check_device(device)
        self.device = _device(device)
        self.manual_seed(np.random.SeedSequence().entropy if seed is None else seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self.rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def initial_seed(self):
        return self._seed

    def seed(self):
        return self.manual_seed(np.random.SeedSequence().entropy % (2 ** 63))._seed

    def get_state(self):
        st = self.rng.bit_generator.state
        raw = b"".join([(self._seed % 2 ** 128).to_bytes(16, "little"),
                        st["state"]["state"].to_bytes(16, "little"),
                        st["state"]["inc"].to_bytes(16, "little"),
                        bytes([st["has_uint32"]]), st["uinteger"].to_bytes(4, "little")])
        return tensor(list(raw), dtype=_dtypes.uint8)

    def set_state(self, new_state):
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype != _dtypes.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = bytes(new_state.tolist())
        if len(raw) != _STATE_BYTES:
            # PyTorch's words, with chainrule's state size (PCG64's, not mt19937's)
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but "
                               f"found the input RNG state size to be {len(raw)}")
        word = lambda i: int.from_bytes(raw[i:i + 16], "little")      # noqa: E731
        self._seed = word(0)
        self.rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": word(16), "inc": word(32)},
            "has_uint32": raw[48], "uinteger": int.from_bytes(raw[49:53], "little")}
        return self


_STATE_BYTES = 53
default_generator = Generator(seed=0)


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def manual_seed(seed):
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def _rng(generator):
    if _VMAP_ACTIVE[0]:
        _batched.check_random()           # randomness='error' refuses every draw
    return (generator or default_generator).rng


def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    if out is not None:
        return _out.into(out,
                         rand(*args, size=size, generator=generator,
                              dtype=_out.factory_dtype(dtype, out), device=device),
                         "rand")
    if device is not None:
        check_device(device)
    dt = _dt(dtype, None, "rand")
    shape = _size(args, size, "rand")
    if _VMAP_ACTIVE[0]:
        t = _batched.per_sample_draw(lambda s: rand(s, generator=generator, dtype=dtype), shape)
        if t is not None:
            return _func_levels.requires_grad_internally(t) if requires_grad else t
    if dt.is_complex:           # both parts uniform on [0, 1), as PyTorch's
        return _finish(_complex_draw(lambda s: _rng(generator).random(s, dtype=np.float64),
                                     shape, dt, 1.0), requires_grad)
    return _finish(_alloc(lambda s, d: _rng(generator).random(s, dtype=np.float64), shape, None)
                   .astype(dt.np), requires_grad)


def _complex_draw(draw, shape, dt, scale):
    """Complex values whose parts are independent draws (times scale)."""
    parts = _alloc(lambda s, d: draw(tuple(s) + (2,)), shape, None) * scale
    out = np.empty(parts.shape[:-1], dt.np)
    out.real, out.imag = parts[..., 0], parts[..., 1]
    return out


def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    if out is not None:
        return _out.into(out,
                         randn(*args, size=size, generator=generator,
                               dtype=_out.factory_dtype(dtype, out), device=device),
                         "randn")
    if device is not None:
        check_device(device)
    dt = _dt(dtype, None, "randn")
    shape = _size(args, size, "randn")
    if _VMAP_ACTIVE[0]:
        t = _batched.per_sample_draw(lambda s: randn(s, generator=generator, dtype=dtype), shape)
        if t is not None:
            return _func_levels.requires_grad_internally(t) if requires_grad else t
    if dt.is_complex:           # E|z|^2 = 1: each part of variance 1/2, as PyTorch's
        return _finish(_complex_draw(lambda s: _rng(generator).standard_normal(s), shape, dt,
                                     math.sqrt(0.5)), requires_grad)
    return _finish(_alloc(lambda s, d: _rng(generator).standard_normal(s), shape, None)
                   .astype(dt.np), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False, out=None):
    if out is not None:
        return _out.into(out,
                         randint(low, high, size, generator=generator,
                                 dtype=_out.factory_dtype(dtype, out), device=device),
                         "randint")
    if device is not None:
        check_device(device)
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high          # randint(high, size)
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    dt = _dt(dtype, _dtypes.int64, "randint")
    if dt.is_complex:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean "
                           "types")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    shape = shape_args((size,), "randint")
    if _VMAP_ACTIVE[0]:
        t = _batched.per_sample_draw(
            lambda s: randint(low, high, s, generator=generator, dtype=dtype), shape)
        if t is not None:
            return t
    return _finish(_alloc(lambda s, d: _rng(generator).integers(low, high, s), shape, None)
                   .astype(dt.np), requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    if out is not None:
        return _out.into(out,
                         randperm(n, generator=generator, dtype=_out.factory_dtype(dtype, out),
                                  device=device),
                         "randperm")
    if device is not None:
        check_device(device)
    if n < 0:
        raise _negative_size((n,))
    return _finish(_rng(generator).permutation(n).astype(_dt(dtype, _dtypes.int64, "randperm").np),
                   requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False):
    if out is not None:
        return _out.into(out,
                         normal(mean, std, size, generator=generator, dtype=dtype, device=device),
                         "normal")
    if device is not None:
        check_device(device)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = _backend.to_numpy(mean._data) if isinstance(mean, Tensor) else mean
        s = _backend.to_numpy(std._data) if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        base = mean if isinstance(mean, Tensor) else std
        return _finish(_rng(generator).normal(m, s, shape).astype(base._data.dtype), requires_grad)
    shape = shape_args((size,)) if size is not None else ()
    if _VMAP_ACTIVE[0]:
        t = _batched.per_sample_draw(
            lambda s: normal(mean, std, s, generator=generator, dtype=dtype), shape)
        if t is not None:
            return _func_levels.requires_grad_internally(t) if requires_grad else t
    return _finish(_rng(generator).normal(mean, std, shape).astype(_dt(dtype).np), requires_grad)


# --- *_like ---------------------------------------------------------------------------------
def _like(input, dtype, name=None, device=None):
    if device is not None:
        check_device(device)
    return input._data.shape, (input.dtype if dtype is None else _dt(dtype, None, name))


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    shape, dt = _like(input, dtype, "zeros_like", device)
    return _finish(_backend.namespace(input._data).zeros(shape, dt.np), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    shape, dt = _like(input, dtype, "ones_like", device)
    return _finish(_backend.namespace(input._data).ones(shape, dt.np), requires_grad)


_WARNED_READONLY = [False]


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over a Python buffer's memory (no copy: writes go through)."""
    dt = _dtypes.as_dtype(dtype)
    size = memoryview(buffer).nbytes
    item = dt.np.itemsize
    if size == 0 or count == 0:
        raise ValueError(f"both buffer length ({size}) and count ({count}) must not be 0")
    if offset < 0 or offset >= size:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({size} bytes) minus 1")
    if count < 0:
        if (size - offset) % item:
            raise ValueError(f"buffer length ({size - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({item})")
        count = (size - offset) // item
    elif offset + count * item > size:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({size} bytes)")
    arr = np.frombuffer(buffer, dtype=dt.np, count=count, offset=offset)
    if not arr.flags.writeable and not _WARNED_READONLY[0]:
        _WARNED_READONLY[0] = True
        warnings.warn("The given buffer is not writable, and PyTorch does not support "
                      "non-writable tensors. This means you can write to the underlying "
                      "(supposedly non-writable) buffer using the tensor. You may want to copy "
                      "the buffer to protect its data or make it writable before converting it "
                      "to a tensor. This type of warning will be suppressed for the rest of this "
                      "program.", UserWarning, stacklevel=2)
    if not arr.flags.writeable:
        arr = arr.copy()              # (NumPy refuses writes there; chainrule gives a copy)
    return _finish(arr, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """A tensor of `size` laid out with `stride` (in elements) over just enough memory (its
    values are unspecified, as PyTorch's; chainrule's are zeros)."""
    if device is not None:
        check_device(device)
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of "
                           f"strides ({len(stride)})")
    npd = _dt(dtype, None, "empty_strided").np
    if any(n < 0 for n in size):
        raise _negative_size(size, None)
    n = 0 if any(k == 0 for k in size) else 1 + sum((k - 1) * st for k, st in zip(size, stride))
    base = _alloc(_xp().zeros, (n,), npd)
    be = _DEFAULT[0]
    view = be.as_strided(base, size, tuple(st * base.dtype.itemsize for st in stride))
    return _finish(view, requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """A tensor of `size` whose memory holds its dimensions in the order physical_layout
    (outermost first)."""
    if device is not None:
        check_device(device)
    size, order = tuple(int(s) for s in size), tuple(int(d) for d in physical_layout)
    if len(size) != len(order):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the "
                           f"physical_layout; i.e. len(size) = {len(size)} is not equal to "
                           f"len(physical_layout) = {len(order)}")
    if sorted(order) != list(range(len(size))):
        raise RuntimeError("Duplicate dim not allowed")
    npd = _dt(dtype, None, "empty_permuted").np
    phys = _alloc(_xp().zeros, tuple(size[d] for d in order), npd)
    inverse = tuple(order.index(i) for i in range(len(order)))
    return _finish(phys.transpose(inverse), requires_grad)


def _new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None,
                       requires_grad=False, pin_memory=False):
    return empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype,
                         device=device, requires_grad=requires_grad)


Tensor.new_empty_strided = _new_empty_strided


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    shape, dt = _like(input, dtype, "empty_like", device)
    return _finish(_backend.namespace(input._data).empty(shape, dt.np), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    shape, dt = _like(input, dtype, "full_like", device)
    return _finish(_backend.namespace(input._data).full(shape, fill_value, dt.np), requires_grad)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    shape, dt = _like(input, dtype, "rand_like", device)
    return rand(shape, generator=generator, dtype=dt, requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    shape, dt = _like(input, dtype, "randn_like", device)
    return randn(shape, generator=generator, dtype=dt, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype, "randint_like", device)
    return randint(low, high, shape, generator=generator, dtype=dt,
                   requires_grad=requires_grad)


# --- legacy constructors --------------------------------------------------------------------
def _legacy_new(dt, args, kwargs):
    """torch.FloatTensor([1, 2]) copies data; torch.FloatTensor(2, 3) is uninitialised."""
    if not args:
        return _xp().empty((0,), dt.np)
    if len(args) == 1 and not isinstance(args[0], int):
        a = args[0]
        if isinstance(a, Tensor):
            return a._data.astype(dt.np, copy=False)
        return _on_default(np.array(_untensor(a) if not isinstance(a, np.ndarray) else a,
                                    dtype=dt.np))
    return _xp().zeros(shape_args(args), dt.np)


def _legacy(dt):
    def make(*args, **kwargs):
        return Tensor._make(_legacy_new(dt, args, kwargs))
    make.__name__ = dt.legacy + "Tensor"
    return make


FloatTensor = _legacy(_dtypes.float32)
DoubleTensor = _legacy(_dtypes.float64)
HalfTensor = _legacy(_dtypes.float16)
LongTensor = _legacy(_dtypes.int64)
IntTensor = _legacy(_dtypes.int32)
BoolTensor = _legacy(_dtypes.bool)
ByteTensor = _legacy(_dtypes.uint8)
_LEGACY_TYPES = {"torch.FloatTensor": _dtypes.float32, "torch.DoubleTensor": _dtypes.float64,
                 "torch.HalfTensor": _dtypes.float16, "torch.LongTensor": _dtypes.int64,
                 "torch.IntTensor": _dtypes.int32, "torch.BoolTensor": _dtypes.bool,
                 "torch.ByteTensor": _dtypes.uint8}


def set_default_tensor_type(t):
    """Deprecated: the default dtype from a legacy tensor type (or its name)."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    name = t if isinstance(t, str) else "torch." + getattr(t, "__name__", str(t))
    if name.startswith("torch.cuda."):
        raise TypeError(f"type {name} not available. Torch not compiled with CUDA enabled.")
    dt = _LEGACY_TYPES.get(name)
    if dt is None:
        raise TypeError(f"invalid type: '{name}'")
    if not dt.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtypes.set_default_dtype(dt)

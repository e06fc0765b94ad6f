"""Ways to make tensors: from data, filled, ranges, random; and the legacy
constructors (FloatTensor, ...)."""
import warnings

import numpy as np

from . import _dtypes, _errors
from ._tensor import Tensor
from ._grad_mode import STATE
from .ops._args import shape_args

__all__ = [
    "tensor", "as_tensor", "from_numpy", "arange", "zeros", "ones", "full", "empty", "eye",
    "linspace", "rand", "randn", "randint", "randperm", "manual_seed", "seed", "initial_seed",
    "zeros_like", "ones_like", "full_like", "empty_like", "rand_like", "randn_like",
    "randint_like", "FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor",
    "HalfTensor", "ByteTensor", "is_tensor", "numel",
]


def _finish(data, requires_grad):
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
    raise TypeError(f"Could not infer dtype of {arr.dtype}")


def _from_data(data, dtype):
    """An array holding `data` (Python numbers, nested lists, arrays, Tensors)."""
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(dtype.np) if dtype is not None else arr
    if isinstance(data, np.ndarray):
        if dtype is None:
            _dtypes.from_numpy_dtype(data.dtype)
            return data
        return data.astype(dtype.np)
    if isinstance(data, (list, tuple)) and any(isinstance(v, Tensor) for v in _flat(data)):
        data = _untensor(data)
    try:
        arr = np.array(data)
    except ValueError as e:
        raise ValueError(str(e).replace("setting an array element with a sequence.",
                                        "expected sequence of equal lengths")) from None
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(_flat(data)[0]).__name__}")
    if isinstance(data, np.generic) and dtype is None:
        return arr                   # a NumPy scalar keeps its own dtype
    return arr.astype(dtype.np if dtype is not None else _infer(arr), copy=False)


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
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.clone()."
            "detach() or sourceTensor.clone().detach().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    dt = None if dtype is None else _dtypes.as_dtype(dtype)
    arr = _from_data(data, dt)
    if isinstance(data, (Tensor, np.ndarray)) or arr is data:
        arr = arr.copy()
    return _finish(np.ascontiguousarray(arr) if arr.ndim else arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Share memory with `data` when it already is a suitable array or tensor."""
    dt = None if dtype is None else _dtypes.as_dtype(dtype)
    if isinstance(data, Tensor):
        return data if dt is None or data.dtype is dt else data.to(dt)
    return Tensor._make(_from_data(data, dt))


def from_numpy(ndarray):
    """A tensor sharing `ndarray`'s memory (changes show in both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtypes.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _size(args, size):
    """Shapes come as varargs, one tuple/list, or the size= keyword."""
    if size is not None:
        if args:
            raise TypeError("got multiple values for argument 'size'")
        args = (size,)
    return shape_args(args)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input._data.size


def _dt(dtype, default=None):
    if dtype is None:
        return default or _dtypes.get_default_dtype()
    return _dtypes.as_dtype(dtype)


def _filled(size, value, dtype, requires_grad):
    shape = shape_args((size,))
    dt = _dt(dtype)
    return _finish(np.full(shape, value, dt.np), requires_grad)


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(np.zeros(_size(args, size), _dt(dtype).np), requires_grad)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(np.ones(_size(args, size), _dt(dtype).np), requires_grad)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          memory_format=None):
    return _finish(np.empty(_size(args, size), _dt(dtype).np), requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    if dtype is None:
        if isinstance(fill_value, Tensor):
            fill_value = fill_value.item()
        dtype = _dtypes.scalar_dtype(fill_value)
    return _filled((size,) if isinstance(size, int) else size, fill_value, dtype, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(np.eye(n, n if m is None else m, dtype=_dt(dtype).np), requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in vals)
        dt = _dtypes.get_default_dtype() if is_float else _dtypes.int64
    else:
        dt = _dtypes.as_dtype(dtype)
    # Computed in float64 and then cast, as PyTorch sizes the result from the
    # double-precision arithmetic.
    return _finish(np.arange(*vals, dtype=np.float64 if dt.is_floating_point else None)
                   .astype(dt.np), requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    return _finish(np.linspace(float(start), float(end), int(steps)).astype(_dt(dtype).np),
                   requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, requires_grad=False, **kw):
    return _finish(np.logspace(start, end, steps, base=base).astype(_dt(dtype).np), requires_grad)


# --- random ---------------------------------------------------------------------------------
class Generator:
    """The random state behind rand/randn/randint (NumPy's PCG64; the values
    differ from PyTorch's, the distributions are the same)."""

    def __init__(self, seed=None):
        self.manual_seed(np.random.SeedSequence().entropy if seed is None else seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self.rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def initial_seed(self):
        return self._seed

    def seed(self):
        return self.manual_seed(np.random.SeedSequence().entropy % (2 ** 63))._seed


default_generator = Generator(0)


def manual_seed(seed):
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def _rng(generator):
    return (generator or default_generator).rng


def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    dt = _dt(dtype)
    return _finish(_rng(generator).random(_size(args, size), dtype=np.float64).astype(dt.np),
                   requires_grad)


def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    dt = _dt(dtype)
    return _finish(_rng(generator).standard_normal(_size(args, size)).astype(dt.np),
                   requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    dt = _dt(dtype, _dtypes.int64)
    return _finish(_rng(generator).integers(low, high, shape_args((size,)) if isinstance(size, int)
                                            else tuple(size)).astype(dt.np), requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    return _finish(_rng(generator).permutation(n).astype(_dt(dtype, _dtypes.int64).np),
                   requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False):
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        base = mean if isinstance(mean, Tensor) else std
        return _finish(_rng(generator).normal(m, s, shape).astype(base._data.dtype), requires_grad)
    return _finish(_rng(generator).normal(mean, std, shape_args((size,)) if size is not None else ()).astype(_dt(dtype).np),
                   requires_grad)


# --- *_like ---------------------------------------------------------------------------------
def _like(input, dtype):
    return input._data.shape, (input.dtype if dtype is None else _dtypes.as_dtype(dtype))


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    shape, dt = _like(input, dtype)
    return _finish(np.zeros(shape, dt.np), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    shape, dt = _like(input, dtype)
    return _finish(np.ones(shape, dt.np), requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    shape, dt = _like(input, dtype)
    return _finish(np.empty(shape, dt.np), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    shape, dt = _like(input, dtype)
    return _finish(np.full(shape, fill_value, dt.np), requires_grad)


def rand_like(input, *, dtype=None, requires_grad=False, **kw):
    shape, dt = _like(input, dtype)
    return rand(shape, dtype=dt, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False, **kw):
    shape, dt = _like(input, dtype)
    return randn(shape, dtype=dt, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, requires_grad=False, **kw):
    shape, dt = _like(input, dtype)
    return randint(low, high, shape, dtype=dt, requires_grad=requires_grad)


# --- legacy constructors --------------------------------------------------------------------
def _legacy_new(dt, args, kwargs):
    """torch.FloatTensor([1, 2]) copies data; torch.FloatTensor(2, 3) is uninitialised."""
    if not args:
        return np.empty((0,), dt.np)
    if len(args) == 1 and not isinstance(args[0], int):
        a = args[0]
        if isinstance(a, Tensor):
            return a._data.astype(dt.np, copy=False)
        return np.array(_untensor(a) if not isinstance(a, np.ndarray) else a, dtype=dt.np)
    return np.zeros(shape_args(args), dt.np)


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

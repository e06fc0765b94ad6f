"""Questions about a tensor and its dtype that PyTorch answers without
computing (issue 11's missing names): is_complex, is_signed, is_nonzero,
is_same_size, is_neg (chainrule's tensors are never lazily negated, so
resolve_neg returns the tensor itself; is_conj and resolve_conj are in ops/complex.py),
can_cast; and the legacy tensor forms: Tensor.new, apply_, map_, char(), and
the conjugate transposes H, mH, adjoint() (plain transposes for real data)."""
import warnings

from . import _dtypes, _factories, _inplace
from ._tensor import Tensor, Size
from .ops import shape as S


def is_complex(input):
    return input._data.dtype.kind == "c"


def is_signed(input):
    return input.dtype.is_signed


def is_neg(input):
    return False


def resolve_neg(input):
    return input


def is_nonzero(input):
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item() != 0)


def is_same_size(input, other):
    return tuple(input.shape) == tuple(other.shape)


def can_cast(from_, to):
    """PyTorch's casting rule for in-place results: not float to integer, not
    anything but bool to bool (same-kind casting by category)."""
    if from_.category > to.category:
        return False       # (complex to real too, as PyTorch)
    return True


# --- conjugate transposes (real tensors: transposes) --------------------------------------------
def _H(self):
    nd = self._data.ndim
    if nd > 2 or nd == 1:
        extra = (". For batches of matrices, consider using tensor.mH" if nd > 2 else ".")
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D "
                           f"tensor{extra}")
    if nd == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return self
    return _conj_if_complex(S.transpose(self, 0, 1))


def _matrix_transpose(what):
    def transpose(self):
        nd = self._data.ndim
        if nd < 2:
            raise RuntimeError(f"tensor.{what} is only supported on matrices or batches of "
                               f"matrices. Got {nd}-D tensor.")
        return _conj_if_complex(S.transpose(self, -2, -1))
    return transpose


def _conj_if_complex(t):
    """The conjugate transposes of complex matrices conjugate (ConjBackward0)."""
    return t.conj() if t._data.dtype.kind == "c" else t


# --- legacy forms ---------------------------------------------------------------------------
def _new(self, *args, device=None):
    """x.new(...): sizes give an uninitialised tensor, a sequence or tensor
    gives a copy of the data, always in x's dtype."""
    if device is not None:
        _factories.check_device(device)
    if not args:
        return _factories.empty(0, dtype=self.dtype)
    if len(args) == 1 and not isinstance(args[0], int):
        data = args[0]
        if isinstance(data, Size):
            return _factories.empty(*data, dtype=self.dtype)
        if isinstance(data, Tensor):
            if data.dtype != self.dtype:
                raise TypeError(f"expected {_options(self.dtype)} (got {_options(data.dtype)})")
            return data.detach()        # (an alias of the data, as PyTorch)
        if isinstance(data, (float, bool, complex)):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        return _factories.tensor(data, dtype=self.dtype)
    return _factories.empty(*args, dtype=self.dtype)


_C10_NAMES = {"float64": "double", "float32": "float", "float16": "c10::Half", "int64": "long int",
              "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
              "complex128": "c10::complex<double>"}


def _options(dt):
    return (f"TensorOptions(dtype={_C10_NAMES[dt.name]}, device=cpu, layout=Strided, "
            "requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


def _refuse_grad(self, name):
    if self.requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")


def _apply_(self, callable):
    """Calls `callable` on every element in Python and writes the results back
    (in self's dtype), as PyTorch's CPU-only apply_."""
    _refuse_grad(self, "apply_")
    cast = float if self.dtype.is_floating_point else (bool if self.dtype == _dtypes.bool else int)
    flat = [cast(callable(v)) for v in self.reshape(-1).tolist()]
    return _write(self, flat)


def _map_(self, tensor, callable):
    """self[i] = callable(self[i], tensor[i]), tensor broadcast to self's shape."""
    _refuse_grad(self, "map_")
    other = tensor.expand(self.shape).reshape(-1).tolist()
    cast = float if self.dtype.is_floating_point else (bool if self.dtype == _dtypes.bool else int)
    flat = [cast(callable(a, b)) for a, b in zip(self.reshape(-1).tolist(), other)]
    return _write(self, flat)


def _map2_(self, x, y, callable):
    """self[i] = callable(self[i], x[i], y[i]), x and y broadcast to self's shape."""
    _refuse_grad(self, "map2_")
    for name, t in (("x", x), ("y", y)):
        if t.dtype != self.dtype:
            raise TypeError(f"map2_: expected torch.{self.dtype.legacy}Tensor for argument "
                            f"'{name}' (got torch.{t.dtype.legacy}Tensor)")
    xs = x.expand(self.shape).reshape(-1).tolist()
    ys = y.expand(self.shape).reshape(-1).tolist()
    cast = float if self.dtype.is_floating_point else (bool if self.dtype == _dtypes.bool else int)
    flat = [cast(callable(a, b, c)) for a, b, c in zip(self.reshape(-1).tolist(), xs, ys)]
    return _write(self, flat)


def _write(self, flat):
    # PyTorch's apply_ and map_ write the storage directly: no version bump.
    _inplace._store(self, _factories.tensor(flat, dtype=self.dtype).reshape(self.shape)._data)
    return self


Tensor.is_complex = is_complex
Tensor.is_signed = is_signed
Tensor.is_neg = is_neg
Tensor.resolve_neg = resolve_neg
Tensor.is_nonzero = is_nonzero
Tensor.is_same_size = is_same_size
Tensor.H = property(_H)
Tensor.mH = property(_matrix_transpose("mH"))
Tensor.adjoint = _matrix_transpose("adjoint()")
Tensor.new = _new
Tensor.apply_ = _apply_
Tensor.map_ = _map_
Tensor.map2_ = _map2_
Tensor.is_distributed = lambda self: False          # (no distributed tensors: PyTorch's too)
Tensor.char = lambda self, memory_format=None: S.to_dtype(self, _dtypes.int8)

FUNCTIONS = {f.__name__: f for f in (is_complex, is_signed, is_neg, resolve_neg, is_nonzero, is_same_size, can_cast)}
FUNCTIONS["adjoint"] = Tensor.adjoint

"""The Tensor: an array plus the bookkeeping autograd needs.

A thin front door.  The data lives in `_data` (a NumPy array; the array module
is taken from the data, so CuPy can slot in).  `_grad_fn` is the node that
produced it (None for leaves); `_requires_grad` says whether gradients flow to
it.  Operations are defined in chainrule/ops/ and attached as methods by
chainrule/_methods.py.
"""
import warnings

from . import _dtypes, _errors
from ._device import CPU as _CPU, CUDA_MISSING as _CUDA_MISSING, device
from ._grad_mode import STATE
from ._inplace_state import CAPTURE as _CAPTURE, FUNC_LEVEL as _FUNC_LEVEL
from ._inplace_state import VMAP_ACTIVE as _VMAP_ACTIVE
from ._printing import tensor_repr
from .ops import _backend, _memory_format

__all__ = ["Tensor", "Size", "device"]


class Size(tuple):
    """torch.Size: a tuple that prints as PyTorch's."""
    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r


_T_DEPRECATED = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
    "tensor.")
_new = object.__new__
_FROM_NP = _dtypes.FROM_NP
_to_numpy = _backend.to_numpy


class Tensor:
    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_grad", "__dict__", "__weakref__")

    # Rarely-set state lives in the instance dict, with these class defaults.
    _retains_grad = False
    _func_level = 0           # when made inside a torch.func transform (see _func_levels.py)
    _is_node = False          # in a graph edge, a leaf tensor (see autograd/graph.py)
    _acc_node = None
    _backward_hooks = None
    _post_acc_hooks = None
    _vbox = None              # version counter, shared with views (see _inplace.py)
    _view_of = None           # (base, steps) when this tensor views another's storage
    _inference = False        # made inside inference_mode
    _fw_tangent = None        # forward-mode tangent (autograd/forward_ad.py)
    _views = None             # live views of this tensor (_views.ViewRefs), see _inplace.py
    _storage_of = None        # the tensor detach() took this one's storage from
    _keeps_type = True        # ops on a subclass return that subclass (nn.Parameter: False)
    _constant_grad = False    # a create_graph gradient that has no graph (see _errors.no_grad_fn)
    _multi_view = None        # set on the outputs of split/unbind/chunk (see _inplace.py)
    _view_no_grad = False     # a view made in no_grad mode (True), or a view of one (see _views.py)
    _custom_fn_view = None    # (k, Function name): output k of a custom Function that is a view

    __array_priority__ = 1000      # NumPy defers to our reflected operators

    # --- construction -------------------------------------------------
    @staticmethod
    def _make(data, requires_grad=False, grad_fn=None):
        """Internal fast constructor: wrap `data` without copying."""
        t = _new(Tensor)
        t._data = data
        t._requires_grad = requires_grad
        t._grad_fn = grad_fn
        t._grad = None
        return t

    def __new__(cls, *args, **kwargs):
        # Legacy torch.Tensor(...): a list gives float data, sizes give an
        # uninitialised tensor of the default dtype.
        from ._factories import _legacy_new     # (cycle: _factories imports this module)
        data = _legacy_new(_dtypes.get_default_dtype(), args, kwargs)
        t = _new(cls)
        t._data = data
        t._requires_grad = False
        t._grad_fn = None
        t._grad = None
        return t

    def __init__(self, *args, **kwargs):
        pass

    # --- metadata -----------------------------------------------------
    @property
    def dtype(self):
        return _FROM_NP[self._data.dtype]

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        from .ops._args import normalize_dim    # (cycle: ops._args imports this module)
        return self._data.shape[normalize_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.size * self._data.itemsize

    # --- storage layout ---------------------------------------------------
    # The NumPy array is the truth: a view's array looks into its base's
    # memory with PyTorch's strides (the view ops in ops/shape.py build it so,
    # size-1 and empty dimensions included), so stride() is the array's
    # strides in elements and storage_offset() how far its first element lies
    # from the start of the memory it looks into.
    def stride(self, dim=None):
        d = layout_array(self)
        n = d.itemsize
        s = tuple([b // n for b in _backend.backend_of(d).strides(d)])
        if dim is None:
            return s
        if not (isinstance(dim, int) or
                isinstance(dim, _backend.HOST_SCALAR) and dim.dtype.kind in "iu") \
                or isinstance(dim, bool):
            raise TypeError(f"stride(): argument 'dim' (position 1) must be int, not "
                            f"{type(dim).__name__}")
        nd = len(s)
        if not nd:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        if not -nd <= dim < nd:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, "
                             f"{nd - 1}], but got {dim})")
        return s[dim]

    def is_contiguous(self, memory_format=None):
        # NumPy's C-contiguity is PyTorch's rule: size-1 dimensions do not
        # count, and an empty tensor is contiguous.
        d = self._data
        be = _backend.backend_of(d)
        if memory_format is None or memory_format._name in ("contiguous_format",
                                                             "preserve_format"):
            return be.is_contiguous(d)
        d = layout_array(self)
        return d.ndim == _memory_format.RANKS[memory_format._name] and _memory_format.is_channels_last_contiguous(
            d.shape, be.strides(d), d.itemsize)

    def storage_offset(self):
        d = self._data
        be = _backend.backend_of(d)
        return (be.data_ptr(d) - be.storage_ptr(d)) // d.itemsize

    def data_ptr(self):
        d = self._data
        # PyTorch: an empty tensor points nowhere
        return _backend.backend_of(d).data_ptr(d) if d.size else 0

    @property
    def device(self):
        return _CPU

    @property
    def is_cuda(self):
        return False

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        if isinstance(device, int) and not isinstance(device, bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        raise AssertionError(_CUDA_MISSING)

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad_fn(self):
        fn = self._grad_fn
        if fn is not None and fn._is_selector:
            return fn.edges[0]         # output k of a multi-output node: that node
        return fn

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if self._grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to "
                "use a computed variable in a subgraph that doesn't require differentiation "
                "use var_no_grad = var.detach().")
        if flag and self._data.dtype.kind not in "fc":
            raise _errors.int_requires_grad("setter")
        if flag and self._inference and not STATE.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad=True):
        if _FUNC_LEVEL[0] or _VMAP_ACTIVE[0]:
            # (cycle: _func_levels imports this module)
            from ._func_levels import check_requires_grad
            check_requires_grad(_VMAP_ACTIVE[0])
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want "
                    "to use a computed variable in a subgraph that doesn't require "
                    "differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind not in "fc":
            raise _errors.int_requires_grad("method")
        if requires_grad and self._inference and not STATE.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(_errors.NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        if _CAPTURE[0] is not None:          # (chainrule.compile follows .grad)
            _CAPTURE[0].grad_read(self, self._grad)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got "
                                f"grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to "
                    f"a tensor of size '{list(self._data.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_name(value.dtype)}' to a "
                    f"tensor with grad_dtype '{self.dtype.legacy}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
                    "gradient may break downstream systems that assume they match.")
        if _CAPTURE[0] is not None:
            _CAPTURE[0].grad_write(self, value)
        self._grad = value

    @grad.deleter
    def grad(self):
        if _CAPTURE[0] is not None:
            _CAPTURE[0].grad_write(self, None)
        self._grad = None

    def is_inference(self):
        return self._inference

    @property
    def _version(self):
        b = self._vbox
        return 0 if b is None else b[0]

    @property
    def _base(self):
        v = self._view_of
        return None if v is None else v[0]

    def _is_view(self):
        return self._view_of is not None

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def data(self):
        """The same storage, without history (and, as in PyTorch, its own
        version counter)."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        if _CAPTURE[0] is not None:          # (a new array: nothing a replay could follow)
            _CAPTURE[0].refuse("a .data assignment inside the function")
        self._data = value._data

    @property
    def T(self):
        nd = self._data.ndim
        if nd != 2:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity "
                          "in these cases." if nd == 0 else _T_DEPRECATED, UserWarning,
                          stacklevel=2)
        return self.permute(*range(nd - 1, -1, -1))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    # --- leaving autograd -----------------------------------------------
    def detach(self):
        from ._views import share_storage     # (cycle: _views imports this module)
        return share_storage(Tensor._make(self._data), self)

    def detach_(self):
        if self._view_of is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def numpy(self, *, force=False):
        if self._requires_grad and not force and STATE.enabled:     # (allowed under no_grad)
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        if _CAPTURE[0] is not None:
            _CAPTURE[0].escape(self, "numpy()")
        return _to_numpy(self._data)      # (the same memory where the array library allows)

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad and STATE.enabled:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        if _CAPTURE[0] is not None:
            _CAPTURE[0].escape(self, "a conversion to a NumPy array")
        a = _to_numpy(self._data)
        return a if dtype is None else a.astype(dtype, copy=False)

    def item(self):
        d = self._data
        if d.size != 1:
            raise RuntimeError(f"a Tensor with {d.size} elements cannot be converted to Scalar")
        if _CAPTURE[0] is not None:          # (chainrule.compile: the value becomes a guard)
            return _CAPTURE[0].guard(self, _item)
        return d.item()

    def tolist(self):
        if _CAPTURE[0] is not None:
            return _CAPTURE[0].guard(self, _tolist)
        return self._data.tolist()

    def __float__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if _CAPTURE[0] is not None:
            return _CAPTURE[0].guard(self, _float)
        if self._data.dtype.kind == "c":
            raise RuntimeError("value cannot be converted to type double without overflow")
        return float(self._data.item())

    def __int__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if _CAPTURE[0] is not None:
            return _CAPTURE[0].guard(self, _int)
        if self._data.dtype.kind == "c":
            raise RuntimeError("value cannot be converted to type int64_t without overflow")
        return int(self._data.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous"
                               if self._data.size == 0 else
                               "Boolean value of Tensor with more than one value is ambiguous")
        if _CAPTURE[0] is not None:
            return _CAPTURE[0].guard(self, _bool)
        return bool(self._data.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        if _CAPTURE[0] is not None:
            return _CAPTURE[0].guard(self, _int)
        return int(self._data.item())

    def __complex__(self):
        return complex(self.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        t = Tensor._make(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = t
        return t

    # --- printing -------------------------------------------------------
    def __repr__(self, *, tensor_contents=None):
        fn = self._grad_fn
        return tensor_repr(_to_numpy(self._data), dtype_name=self.dtype.name,
                           is_default_float=self.dtype is _dtypes.get_default_dtype() or
                           self.dtype is _dtypes.default_complex_dtype(),
                           requires_grad=self._requires_grad,
                           grad_fn_name=None if fn is None else type(fn).__name__,
                           tangent=self._fw_tangent)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return "torch." + self.dtype.legacy + "Tensor"
        if isinstance(dtype, str):
            dtype = _LEGACY_NAMES[dtype]
        return self.to(dtype)

    # --- autograd entry points ------------------------------------------
    # backward(), retain_grad() and register_hook() are defined beside the
    # engine, in chainrule/autograd/__init__.py (the engine imports this
    # module, so it cannot be imported from here).


def contiguous_strides(shape, itemsize):
    """PyTorch's strides, in bytes, of a fresh tensor of `shape` (sizes 0
    and 1 do not multiply the strides before them)."""
    out = [0] * len(shape)
    n = itemsize
    for i in range(len(shape) - 1, -1, -1):
        out[i] = n
        if shape[i] > 1:
            n *= shape[i]
    return tuple(out)


def layout_array(t):
    """t's array, as the view ops and stride() read it.  NumPy gives a fresh
    empty array (a factory's, an op's) zero strides where PyTorch's are the
    contiguous ones: such an array is read through a restrided alias.  A
    view's array (and so detach()'s of one) was built with PyTorch's strides
    and is taken as it is, zeros included (an expand to an empty shape)."""
    d = t._data
    if d.size:
        return d
    be = _backend.backend_of(d)
    if any(be.strides(d)):
        return d
    src = t
    while src._view_of is None and src._storage_of is not None:
        src = src._storage_of
    if src._view_of is not None:
        return d
    return be.as_strided(d, d.shape, contiguous_strides(d.shape, d.itemsize))


def _c_name(dt):
    return {"float32": "float", "float64": "double", "float16": "half", "int64": "long",
            "int32": "int", "bool": "bool"}.get(dt.name, dt.name)


def _rebuild(data, requires_grad):
    return Tensor._make(data, requires_grad)


_LEGACY_NAMES = {"torch." + d.legacy + "Tensor": d for d in _dtypes.ALL}


# An array's value as the Python conversions give it (chainrule.compile
# replays them as guards: see _compiler/capture.py).
def _item(d):
    return d.item()


def _tolist(d):
    return d.tolist()


def _float(d):
    return float(d.item())


def _int(d):
    return int(d.item())


def _bool(d):
    return bool(d.item())

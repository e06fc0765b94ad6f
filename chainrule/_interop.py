"""Tensors shared with other libraries: DLPack (torch.from_dlpack,
torch.utils.dlpack, Tensor.__dlpack__ / __dlpack_device__) and
Tensor.as_subclass.

DLPack hands over memory, not copies: numpy.from_dlpack(t) and
torch.from_dlpack(t) see t's elements, and chainrule.from_dlpack(obj) wraps
obj's memory (an ndarray, a torch tensor, a capsule from to_dlpack).  The
array comes from the array-backend seam (ops/_backend.from_dlpack: the backend
serving obj's device), and a tensor exports through its array's own
__dlpack__, so another array library (CuPy) serves without change here.  As
in PyTorch, a tensor that requires grad refuses to export (the consumer would
write behind autograd's back), and so does one marked conjugate; the legacy
to_dlpack does not check grad (PyTorch's does not).
"""
import enum

from . import _factories
from ._device import check_device
from ._tensor import Tensor
from .ops import _backend
from .ops.complex import is_conj

__all__ = ["from_dlpack", "to_dlpack", "DLDeviceType"]


class DLDeviceType(enum.IntEnum):
    """DLPack's device type numbers (torch.utils.dlpack.DLDeviceType)."""
    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


_INVALID = ("from_dlpack received an invalid capsule. Note that DLTensor capsules can be "
            "consumed only once, so you might have already constructed a tensor from it once.")


class _Capsule:
    """A bare DLPack capsule (to_dlpack's) given the protocol's two methods."""
    legacy_capsule = True       # (an unversioned one cannot say whether it is read-only)

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (DLDeviceType.kDLCPU, 0)


def _exportable(t):
    if t.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if is_conj(t):
        raise BufferError("Can't export tensors with the conjugate bit set")


def __dlpack__(self, *, stream=-1, max_version=None, dl_device=None, copy=None):
    _exportable(self)
    kwargs = {} if max_version is None else {"max_version": max_version}
    if dl_device is not None:
        kwargs["dl_device"] = dl_device
    if copy is not None:
        kwargs["copy"] = copy
    return self._data.__dlpack__(stream=None if stream == -1 else stream, **kwargs)


def __dlpack_device__(self):
    kind, index = self._data.__dlpack_device__()
    return (DLDeviceType(int(kind)), int(index))


def from_dlpack(ext_tensor, *, device=None, copy=None):
    """A tensor of the memory `ext_tensor` exports (shared unless copy=True)."""
    if device is not None:
        check_device(device)
    if not hasattr(ext_tensor, "__dlpack__"):
        if type(ext_tensor).__name__ != "PyCapsule":
            raise RuntimeError(_INVALID)
        ext_tensor = _Capsule(ext_tensor)
    try:
        arr = _backend.from_dlpack(ext_tensor, copy=copy)
    except (TypeError, ValueError) as e:
        if isinstance(ext_tensor, _Capsule):
            raise RuntimeError(_INVALID) from e
        raise
    if isinstance(arr, _backend.HOST_ARRAY):
        return _factories.from_numpy(arr)
    return Tensor._make(arr)


def to_dlpack(tensor):
    """A DLPack capsule of the tensor's memory, for from_dlpack (legacy interface)."""
    if is_conj(tensor):
        raise BufferError("Can't export tensors with the conjugate bit set")
    return tensor._data.__dlpack__(max_version=(1, 0))   # (versioned: it says read-only)


# --- as_subclass ------------------------------------------------------------------------------------
def as_subclass(self, cls):
    """A `cls` instance of self's memory, attached to the graph as an alias
    (AliasBackward0 where self requires grad, as PyTorch's)."""
    if not isinstance(cls, type):
        raise TypeError(f"cls must be a type (got {type(cls).__name__})")
    if not issubclass(cls, Tensor):
        raise TypeError("Creating a Tensor subclass from a class that does not inherit from "
                        "Tensor is not possible. Make sure your class inherits from Tensor.")
    out = Tensor.__getitem__(self, Ellipsis)
    out.__class__ = cls
    return out


Tensor.__dlpack__ = __dlpack__
Tensor.__dlpack_device__ = __dlpack_device__
Tensor.as_subclass = as_subclass

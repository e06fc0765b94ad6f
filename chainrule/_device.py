"""Devices as PyTorch's CPU build sees them: `device` objects parse and
compare like torch.device ('cpu', 'cpu:0', 'cuda:1', device('cuda', 1)),
and `check_device` raises what torch raises for a device it has not got
(CUDA: "Torch not compiled with CUDA enabled"; a bare index: no
accelerator).  chainrule computes on the CPU; the GPU work fills in the
'cuda' branch later, here and in chainrule/cuda.py."""

__all__ = ["device", "check_device", "CPU", "CUDA_MISSING", "set_default_device",
           "get_default_device"]

# The device types PyTorch's device strings may name.
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
CUDA_MISSING = "Torch not compiled with CUDA enabled"
_NO_ACCELERATOR = "Cannot access accelerator device when none is available."


def _is_index(x):
    return isinstance(x, int) and not isinstance(x, bool)


class device:
    """torch.device: a type and an optional index."""
    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif _is_index(type):
            raise RuntimeError(_NO_ACCELERATOR)
        elif ":" in type:
            if index is not None:
                raise RuntimeError("type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            type, idx = type.split(":", 1)
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in _DEVICE_TYPES:
            if not type:
                raise RuntimeError("Device string must not be empty")
            raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start "
                               f"of device string: {type}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # as torch.device: equal only to a device of the same type and index (not to a string)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def check_device(dev):
    """PyTorch's CPU-build errors for a device argument other than the CPU."""
    if _is_index(dev):
        raise RuntimeError(_NO_ACCELERATOR)
    d = dev if isinstance(dev, device) else device(dev)
    if d.type == "cpu":
        return d
    if d.type == "cuda":
        raise AssertionError(CUDA_MISSING)
    raise RuntimeError(f"chainrule runs on the CPU; device '{d}' is not available")


def set_default_device(dev):
    """Only the CPU (or None, the CPU again) can be the default here; CUDA
    raises at once (PyTorch's CPU build raises at the next factory call)."""
    if dev is not None:
        check_device(dev)


def get_default_device():
    return CPU

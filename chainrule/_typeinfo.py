"""torch.finfo and torch.iinfo: the numerical limits of a dtype."""
import numpy as np

from . import _dtypes


def _dtype_arg(name, type):
    if type is None:
        return _dtypes.get_default_dtype()
    if type.__class__ is not _dtypes.dtype:
        raise TypeError(f"{name}(): argument 'type' (position 1) must be torch.dtype, not "
                        f"{type.__class__.__name__}")
    return type


class _Limits:
    """What finfo and iinfo share: two are equal when they describe one dtype."""

    def __eq__(self, other):
        return other.__class__ is self.__class__ and self.dtype == other.dtype

    def __hash__(self):
        return hash((self.__class__.__name__, self.dtype))


class finfo(_Limits):
    """The limits of a floating-point dtype (torch.finfo)."""

    def __init__(self, type=None):
        dt = _dtype_arg("finfo", type).to_real()     # a complex dtype: its parts'
        if not dt.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        info = np.finfo(dt.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = dt.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")

    __str__ = __repr__


class iinfo(_Limits):
    """The limits of an integer dtype (torch.iinfo)."""

    def __init__(self, type):
        dt = _dtype_arg("iinfo", type)
        if dt is _dtypes.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if dt.is_floating_point or dt.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = np.iinfo(dt.np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = dt.name

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"

    __str__ = __repr__

"""chainrule.utils.dlpack: torch.utils.dlpack's names (see chainrule/_interop.py)."""
from .._interop import DLDeviceType, from_dlpack, to_dlpack  # noqa: F401

__all__ = ["from_dlpack", "to_dlpack", "DLDeviceType"]

"""Half precision computed in float32, as PyTorch's CPU kernels do for
activations, losses and normalisations: float16 operands are widened, the
forward runs in float32 and the result is rounded once (computing in float16
throughout would round at every step, 1 ulp off PyTorch's values in many
places)."""
from .. import _dtypes
from . import _backend

__all__ = ["in_float32"]

_XP = _backend.NUMPY.xp
_F16 = _dtypes.float16.np
_F32 = _dtypes.float32.np


def in_float32(fwd):
    """fwd (a forward taking arrays, parameters and maybe `xp`) run in float32
    when an argument is a float16 array; its result rounded back to float16."""
    takes_xp = "xp" in (getattr(fwd, "__kwdefaults__", None) or {})

    def forward(*args, xp=_XP):
        half = False
        for a in args:
            if getattr(a, "dtype", None) == _F16:
                half = True
                break
        if half:
            args = [a.astype(_F32) if getattr(a, "dtype", None) == _F16 else a for a in args]
        out = fwd(*args, xp=xp) if takes_xp else fwd(*args)
        return out.astype(_F16) if half else out
    forward.__name__ = forward.__qualname__ = fwd.__name__
    forward.__doc__ = fwd.__doc__
    return forward

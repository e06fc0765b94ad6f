"""The per-feature affine transform of the norm layers (BatchNorm and the
instance norms through _NormBase, LayerNorm, GroupNorm): its parameters'
registration and their identity initialisation."""
from ... import _factories
from .. import init
from ..parameter import Parameter

__all__ = ["add_affine", "reset_affine"]


def add_affine(module, shape, affine, bias, dtype, device):
    """weight and bias of `shape` when affine (bias=False registers bias as
    None), else both None, in that order (the state dict's)."""
    if affine:
        module.weight = Parameter(_factories.empty(shape, dtype=dtype, device=device))
        if bias:
            module.bias = Parameter(_factories.empty(shape, dtype=dtype, device=device))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def reset_affine(module, affine):
    """The identity transform: weight ones, bias zeros."""
    if affine:
        init.ones_(module.weight)
        if module.bias is not None:
            init.zeros_(module.bias)

"""chainrule.nn: neural-network building blocks, as torch.nn."""
from . import functional  # noqa: F401
from . import init, utils  # noqa: F401
from .parameter import Buffer, Parameter
from .modules import (Module, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict,
                      Identity, Linear, Bilinear, Flatten, Unflatten, Dropout, Embedding)

__all__ = ["Parameter", "Buffer", "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
           "ParameterDict", "Identity", "Linear", "Bilinear", "Flatten", "Unflatten", "Dropout",
           "Embedding", "functional", "init", "utils"]

"""chainrule.nn: neural-network building blocks, as torch.nn."""
from . import functional  # noqa: F401
from . import init, utils  # noqa: F401
from .parameter import Buffer, Parameter
from .modules import (Module, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict,
                      Identity, Linear, Bilinear, Flatten, Unflatten, Dropout, Embedding)
from .modules import *  # noqa: F401,F403  (the activation, loss and normalisation layers)
from . import modules as _modules

__all__ = ["Parameter", "Buffer", "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
           "ParameterDict", "Identity", "Linear", "Bilinear", "Flatten", "Unflatten", "Dropout",
           "Embedding", "functional", "init", "utils"]
__all__ += [n for n in _modules.__all__ if n not in __all__]

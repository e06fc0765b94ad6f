"""chainrule.optim: optimisers.  A minimal SGD for now."""
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD"]

"""chainrule.nn.functional: the activation and normalising functions, as in
torch.nn.functional.  Each is the op defined in chainrule/ops/."""
from ..ops.pointwise import relu, sigmoid, tanh
from ..ops.reduce import softmax, log_softmax, logsumexp
from ..ops.select import one_hot

__all__ = ["relu", "sigmoid", "tanh", "softmax", "log_softmax", "logsumexp", "one_hot"]
from ..ops.pad import pad

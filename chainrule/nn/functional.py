"""chainrule.nn.functional: the activation and normalising functions, as in
torch.nn.functional.  Each is the op defined in chainrule/ops/."""
from ..ops.pointwise import relu, sigmoid, tanh
from ..ops.reduce import softmax, log_softmax, logsumexp
from ..ops.select import one_hot

__all__ = ["relu", "sigmoid", "tanh", "softmax", "log_softmax", "logsumexp", "one_hot"]
from ..ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d

__all__ += ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]
from ..ops.pool import (max_pool1d, max_pool2d, avg_pool1d, avg_pool2d, adaptive_avg_pool1d,
                        adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d,
                        max_pool1d_with_indices, max_pool2d_with_indices)

__all__ += ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
            "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
            "max_pool1d_with_indices", "max_pool2d_with_indices"]

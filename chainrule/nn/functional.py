"""chainrule.nn.functional: the activation and normalising functions, as in
torch.nn.functional.  Each is the op defined in chainrule/ops/."""
from ..ops.pointwise import relu, sigmoid, tanh
from ..ops.reduce import softmax, log_softmax, logsumexp
from ..ops.select import one_hot

__all__ = ["relu", "sigmoid", "tanh", "softmax", "log_softmax", "logsumexp", "one_hot",
           "embedding_bag"]
from .functional_layers import linear, bilinear, dropout, embedding, embedding_bag  # noqa: E402,F401
# (relu, softmax and log_softmax again: nn.functional's own signatures, with inplace= and
# _stacklevel, over the same ops)
from ..ops.activations import (relu, relu_, softmax, log_softmax, softmin, leaky_relu,  # noqa: F811
                               leaky_relu_, elu, elu_, selu, selu_, celu, celu_, gelu, silu, mish,
                               softplus, hardtanh, hardtanh_, relu6, hardsigmoid, hardswish,
                               logsigmoid, softsign, tanhshrink, threshold, threshold_, glu, prelu,
                               hardshrink, softshrink, rrelu, rrelu_)

__all__ += ["relu_", "softmin", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu", "selu_",
            "celu", "celu_", "gelu", "silu", "mish", "softplus", "hardtanh", "hardtanh_", "relu6",
            "hardsigmoid", "hardswish", "logsigmoid", "softsign", "tanhshrink", "threshold",
            "threshold_", "glu", "prelu", "hardshrink", "softshrink", "rrelu", "rrelu_"]
from ..ops.losses import (mse_loss, l1_loss, smooth_l1_loss, huber_loss, soft_margin_loss,
                          binary_cross_entropy, binary_cross_entropy_with_logits, nll_loss,
                          cross_entropy, kl_div, cosine_similarity, pairwise_distance)

__all__ += ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss",
            "binary_cross_entropy", "binary_cross_entropy_with_logits", "nll_loss",
            "cross_entropy", "kl_div", "cosine_similarity", "pairwise_distance"]
from ..ops.ctc import ctc_loss  # noqa: E402

__all__ += ["ctc_loss"]
from ..ops.norms import layer_norm, batch_norm, group_norm, instance_norm, normalize

__all__ += ["layer_norm", "batch_norm", "group_norm", "instance_norm", "normalize"]
from ..ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d

__all__ += ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]
from ..ops.pool import (max_pool1d, max_pool2d, avg_pool1d, avg_pool2d, adaptive_avg_pool1d,
                        adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d,
                        max_pool1d_with_indices, max_pool2d_with_indices)

__all__ += ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
            "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
            "max_pool1d_with_indices", "max_pool2d_with_indices"]
from ..ops.conv_nd import conv3d, conv_transpose3d
from ..ops.pool_nd import (max_pool3d, max_pool3d_with_indices, avg_pool3d, adaptive_avg_pool3d,
                           adaptive_max_pool3d)

from ..ops.grid_sample import grid_sample, affine_grid

__all__ += ["grid_sample", "affine_grid"]
__all__ += ["conv3d", "conv_transpose3d", "max_pool3d", "max_pool3d_with_indices", "avg_pool3d",
            "adaptive_avg_pool3d", "adaptive_max_pool3d"]
from ..ops.pad import pad

__all__ += ["pad"]
from .functional_lrn import local_response_norm  # noqa: E402

__all__ += ["local_response_norm"]
from ..ops.nn_more import (pixel_shuffle, pixel_unshuffle, channel_shuffle, pdist,  # noqa: E402
                           cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss,
                           triplet_margin_loss, poisson_nll_loss, rms_norm, alpha_dropout,
                           feature_alpha_dropout)

__all__ += ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "pdist",
            "cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss",
            "triplet_margin_loss", "poisson_nll_loss", "rms_norm", "alpha_dropout",
            "feature_alpha_dropout"]

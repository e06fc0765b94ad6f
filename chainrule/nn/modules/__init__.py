"""nn's layers, one kind per file (module.py holds the Module base)."""
from .module import Module
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .linear import Identity, Linear, Bilinear
from .flatten import Flatten, Unflatten
from .dropout import Dropout, AlphaDropout, FeatureAlphaDropout
from .sparse import Embedding, EmbeddingBag
from .activation import (Threshold, ReLU, RReLU, Hardtanh, ReLU6, Sigmoid, Hardsigmoid, Tanh,
                         SiLU, Mish, Hardswish, ELU, CELU, SELU, GLU, GELU, Hardshrink, LeakyReLU,
                         LogSigmoid, Softplus, Softshrink, PReLU, Softsign, Tanhshrink, Softmin,
                         Softmax, Softmax2d, LogSoftmax)
from .loss import (L1Loss, MSELoss, SmoothL1Loss, HuberLoss, SoftMarginLoss, KLDivLoss, NLLLoss,
                   CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss,
                   HingeEmbeddingLoss, MarginRankingLoss, TripletMarginLoss, PoissonNLLLoss,
                   CTCLoss)
from .distance import CosineSimilarity, PairwiseDistance
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .normalization import LayerNorm, GroupNorm, LocalResponseNorm, RMSNorm
from .pixelshuffle import PixelShuffle, PixelUnshuffle, ChannelShuffle
from . import activation as _activation, loss as _loss, normalization as _normalization
from . import batchnorm as _batchnorm, instancenorm as _instancenorm, distance as _distance

__all__ = ["Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
           "ParameterDict", "Identity", "Linear", "Bilinear", "Flatten", "Unflatten", "Dropout",
           "Embedding", "AlphaDropout", "FeatureAlphaDropout", "PixelShuffle", "PixelUnshuffle",
           "ChannelShuffle", "EmbeddingBag"]
__all__ += (_activation.__all__ + _loss.__all__ + _distance.__all__ + _batchnorm.__all__
            + _instancenorm.__all__ + _normalization.__all__)
from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,  # noqa: E402
                   ConvTranspose3d)
from .pooling import (MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d,  # noqa: E402
                      AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, MaxPool3d,
                      AvgPool3d, AdaptiveAvgPool3d, AdaptiveMaxPool3d)

__all__ += ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d",
            "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
            "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Conv3d", "ConvTranspose3d", "MaxPool3d",
            "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d"]

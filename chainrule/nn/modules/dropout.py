"""Dropout: in training, zero each element with probability p and scale the
rest by 1/(1-p); in eval mode, the identity."""
from .. import functional_layers as F
from ...ops import nn_more as _nn_more
from .module import Module

__all__ = ["Dropout", "AlphaDropout", "FeatureAlphaDropout"]


class Dropout(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class AlphaDropout(Dropout):
    """Dropout that keeps SELU's self-normalising mean and variance."""

    def forward(self, input):
        return _nn_more.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(Dropout):
    """AlphaDropout of whole channels."""

    def forward(self, input):
        return _nn_more.feature_alpha_dropout(input, self.p, self.training)

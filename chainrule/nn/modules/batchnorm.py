"""BatchNorm1d/2d/3d, and _NormBase, the parameters and running statistics
they share with the instance norms.

Buffers as PyTorch's: running_mean (zeros) and running_var (ones) in the
layer's dtype, num_batches_tracked an int64 scalar; with
track_running_stats=False all three are registered as None (so they are
absent from the state dict).  In training the batch's statistics normalise
and the running ones move by `momentum` (None: the cumulative average,
momentum 1 / num_batches_tracked); in evaluation the running ones
normalise, or the batch's where there are none."""
from ... import _factories, _grad_mode
from ..._dtypes import int64 as _long
from .. import functional as F
from ._affine import add_affine, reset_affine
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]


class _NormBase(Module):
    _version = 2
    __constants__ = ["track_running_stats", "momentum", "eps", "num_features", "affine"]

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        add_affine(self, num_features, affine, bias, dtype, device)
        if self.track_running_stats:
            self.register_buffer("running_mean",
                                 _factories.zeros(num_features, dtype=dtype, device=device))
            self.register_buffer("running_var",
                                 _factories.ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked",
                                 _factories.tensor(0, dtype=_long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            with _grad_mode.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        reset_affine(self, self.affine)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        # Checkpoints of version 1 (or without metadata, a plain dict) may
        # lack num_batches_tracked: PyTorch keeps the module's count (0 when new).
        version = local_metadata.get("version", None)
        key = prefix + "num_batches_tracked"
        if (version is None or version < 2) and self.track_running_stats and \
                key not in state_dict:
            state_dict[key] = (self.num_batches_tracked if self.num_batches_tracked is not None
                               else _factories.tensor(0, dtype=_long))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


def _check_dims(input, allowed, wanted):
    if input.dim() not in allowed:
        raise ValueError(f"expected {wanted} input (got {input.dim()}D input)")


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with _grad_mode.no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / self.num_batches_tracked.item()
        # Batch statistics in training, and in evaluation when nothing is tracked.
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        # The running statistics move only when they exist and are tracked.
        keep = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep else None,
                            self.running_var if keep else None, self.weight, self.bias,
                            use_batch, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    def _check_input_dim(self, input):
        _check_dims(input, (2, 3), "2D or 3D")


class BatchNorm2d(_BatchNorm):
    def _check_input_dim(self, input):
        _check_dims(input, (4,), "4D")


class BatchNorm3d(_BatchNorm):
    def _check_input_dim(self, input):
        _check_dims(input, (5,), "5D")

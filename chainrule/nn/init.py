"""nn.init: fill a tensor in place (without recording) from PyTorch's
initialisation distributions; each returns the tensor.

The random numbers come from chainrule's generator (manual_seed, or the
`generator=` given), so a seeded run repeats; they are not PyTorch's stream.
"""
import math
import warnings

from .. import _factories, _grad_mode
from ..linalg import vector_norm
from ..ops.pointwise import where
from ..ops.linalg import matmul

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
           "zeros_", "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "orthogonal_"]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d")


def calculate_gain(nonlinearity, param=None):
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fans(tensor):
    """(fan_in, fan_out): dims 1 and 0, times the receptive field (dims 2...)."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


_calculate_fan_in_and_fan_out = _fans


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid = ["fan_in", "fan_out"]
    if mode not in valid:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid}")
    fan_in, fan_out = _fans(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill_from(tensor, values):
    with _grad_mode.no_grad():
        tensor.copy_(values)
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    u = _factories.rand(tensor.shape, dtype=tensor.dtype, generator=generator)
    shift = a * (1 + 1j) if tensor.is_complex() else a     # (both parts on [a, b), as PyTorch)
    return _fill_from(tensor, u * (b - a) + shift)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    n = _factories.randn(tensor.shape, dtype=tensor.dtype, generator=generator)
    shift = mean * (1 + 1j) if tensor.is_complex() else mean   # (PyTorch: both parts' mean)
    return _fill_from(tensor, n * std + shift)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Normal(mean, std) conditioned on [a, b]: draws outside are drawn again
    (the same distribution as PyTorch's inverse-CDF sampling)."""
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    with _grad_mode.no_grad():
        x = _factories.randn(tensor.shape, dtype=tensor.dtype, generator=generator) * std + mean
        outside = (x < a) | (x > b)
        for _ in range(1000):       # (each round keeps most draws: a handful of rounds suffice)
            if not bool(outside.any()):
                break
            fresh = _factories.randn(tensor.shape, dtype=tensor.dtype,
                                     generator=generator) * std + mean
            x = where(outside, fresh, x)
            outside = (x < a) | (x > b)
        x = x.clamp(a, b)
    return _fill_from(tensor, x)


def constant_(tensor, val):
    with _grad_mode.no_grad():
        tensor.fill_(val)
    return tensor


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    with _grad_mode.no_grad():
        tensor.zero_()
    return tensor


def eye_(tensor):
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill_from(tensor, _factories.eye(*tensor.shape, dtype=tensor.dtype))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _fans(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    return calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthonormal_columns(A):
    """The Q of A = QR (A: m x n, m >= n, full column rank) with R's diagonal
    positive, by Gram-Schmidt with a second orthogonalisation pass per
    column (which keeps Q orthonormal to rounding error): the same Q as
    PyTorch's QR followed by its sign correction."""
    m, n = A.shape
    Q = _factories.zeros(m, n, dtype=A.dtype)
    for j in range(n):
        v = A[:, j]
        if j:
            P = Q[:, :j]
            for _ in range(2):
                v = v - matmul(P, matmul(P.t(), v))
        Q[:, j] = v / vector_norm(v)
    return Q


def orthogonal_(tensor, gain=1, generator=None):
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with _grad_mode.no_grad():
        flat = _factories.randn(rows, cols, dtype=tensor.dtype, generator=generator)
        q = orthonormal_columns(flat.t() if rows < cols else flat)
        if rows < cols:
            q = q.t()
        return _fill_from(tensor, (q * gain).reshape(tensor.shape))

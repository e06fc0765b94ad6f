"""nn.functional.local_response_norm, composed of chainrule ops: each value
divided by (k + alpha * mean of the squares over `size` neighbouring
channels)^beta.  The channel window is zero-padded, size // 2 before and
(size - 1) // 2 after, and always averaged over `size` (PyTorch pools with
the padding counted)."""
from .. import _factories
from ..ops.shape import cat

__all__ = ["local_response_norm"]


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    dim = input.dim()
    if dim < 3:
        # (PyTorch's message, its line-continuation spaces included)
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input                         # (PyTorch hands an empty input back as it is)
    shape = tuple(input.shape)
    channels = shape[1]
    sq = input * input
    before = _factories.zeros((shape[0], size // 2) + shape[2:], dtype=input.dtype)
    after = _factories.zeros((shape[0], (size - 1) // 2) + shape[2:], dtype=input.dtype)
    padded = cat((before, sq, after), 1)
    # the window sum: `size` shifted slices (a loop over the window, not the data)
    total = padded[:, 0:channels]
    for j in range(1, size):
        total = total + padded[:, j:j + channels]
    div = (total / size * alpha + k) ** beta
    return input / div

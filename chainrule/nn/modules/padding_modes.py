"""The non-zero padding modes of the Conv layers ('reflect', 'replicate',
'circular'): each spatial dim gathered through index_select with the source
index of every padded position, so the padding is differentiable (repeated
sources accumulate their gradients) without a pad op of its own."""
from ... import _factories
from ..._dtypes import int64
from ...ops.select import index_select

__all__ = ["pad_by_mode"]


def _source(j, n, mode):
    """Where padded position j (in -before .. n+after-1) reads from."""
    if mode == "replicate":
        return min(max(j, 0), n - 1)
    if mode == "circular":
        return j % n
    # reflect: mirrored about the edge elements, which are not repeated
    if j < 0:
        return -j
    if j >= n:
        return 2 * (n - 1) - j
    return j


def _check(x, pads, mode):
    """torch's F.pad errors, in its order: the last dim first."""
    shape = list(x.shape)
    for k, (before, after) in enumerate(reversed(pads)):
        dim = x.dim() - 1 - k
        n = shape[dim]
        if mode == "reflect" and (before >= n or after >= n):
            raise RuntimeError(f"Argument #{4 + 2 * k}: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({before}, "
                               f"{after}) at dimension {dim} of input {shape}")
        if mode == "circular" and (before > n or after > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")


def pad_by_mode(x, pads, mode):
    """x padded on its last len(pads) dims; pads: (before, after) per dim, first dim first."""
    _check(x, pads, mode)
    first = x.dim() - len(pads)
    for k, (before, after) in enumerate(pads):
        if before == 0 and after == 0:
            continue
        dim = first + k
        n = x.shape[dim]
        idx = [_source(j, n, mode) for j in range(-before, n + after)]
        x = index_select(x, dim, _factories.tensor(idx, dtype=int64, device=x.device))
    return x


"""PyTorch's argument wideners for the conv and pooling layers (torch.nn.modules.utils):
one value per spatial dimension."""
from collections.abc import Iterable

__all__ = []


def _ntuple(v, n):
    """PyTorch's _single/_pair: any iterable made a tuple (a string too, as
    torch does: a transposed conv's padding="same" prints as its letters), a
    scalar repeated n times."""
    if isinstance(v, Iterable):
        return tuple(v)
    return (v,) * n


def _single(v):
    return _ntuple(v, 1)

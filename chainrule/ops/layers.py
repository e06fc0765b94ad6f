"""The op behind nn's Embedding layer (Linear's addmm is ops/products.py's).

embedding(weight, indices) reads rows of weight.  Its derivative scatter-adds
the gradient's rows back (EMBEDDING_DENSE_BACKWARD; repeated indices
accumulate, the padding row gets none; scale_grad_by_freq divides each by how often its
index is read), and that op's derivative is reading
the rows again with the padding positions zeroed (EMBEDDING_ROWS_MASKED),
whose derivative is the scatter once more: the three serve plain backward,
create_graph and forward mode.
"""
from .._tensor import Tensor
from . import _backend
from . import _batching
from ._dispatch import apply
from ._registry import defop, TensorOps

_NUMPY = _backend.NUMPY
_XP = _NUMPY.xp


# --- embedding ---------------------------------------------------------------------------------
# `pad`: the padding row (None: none); `inv_freq`: None, or for scale_grad_by_freq an array
# of 1 / (how often each row is read) -- both shape the gradient only.
def _rows(w, idx, n=None, pad=None, inv_freq=None, *, xp=_XP):
    return w[idx]


def _weighted(g, idx, pad, inv_freq, xp):
    """g (one row per index) with the padding positions zeroed and each row
    scaled by its index's inverse frequency."""
    if pad is not None:
        g = xp.where(xp.expand_dims(idx == pad, -1), xp.zeros_like(g), g)
    if inv_freq is not None:
        g = g * xp.expand_dims(inv_freq[idx], -1)
    return g


def _rows_masked(g, idx, n, pad, inv_freq, *, xp=_XP):
    return _weighted(g[idx], idx, pad, inv_freq, xp)


def _dense_backward(g, idx, n, pad, inv_freq, *, be=_NUMPY):
    """Zeros of (n, dim) with g's rows added at rows idx (weighted as above)."""
    xp = be.xp
    d = g.shape[-1]
    g = _weighted(g, idx, pad, inv_freq, xp)
    out = _backend.zeros_to_scatter_into(xp, (n, d), g)
    be.add_at(out, idx.reshape(-1), g.reshape(-1, d))
    return out


EMBEDDING = defop("embedding", _rows,
                  lambda F, g, idx, n, pad, inv_freq: F.embedding_dense_backward(g, idx, n, pad, inv_freq),
                  params=("idx", "n", "pad", "inv_freq"), quiet=False)
# (PyTorch's derivative of the scatter leaves scale_grad_by_freq's scaling out, so the
# second derivatives here do too: the pair below are each other's adjoints without it.)
EMBEDDING_DENSE_BACKWARD = defop(
    "embedding_dense_backward", _dense_backward,
    lambda F, g, idx, n, pad: F.embedding_rows_masked(g, idx, n, pad, None),
    params=("idx", "n", "pad", "inv_freq"))
EMBEDDING_ROWS_MASKED = defop(
    "embedding_rows_masked", _rows_masked,
    lambda F, g, idx, n, pad: F.embedding_dense_backward(g, idx, n, pad, None),
    params=("idx", "n", "pad", "inv_freq"), quiet=False)
TensorOps.embedding_dense_backward = staticmethod(
    lambda g, idx, n, pad, inv_freq: apply(EMBEDDING_DENSE_BACKWARD, (g,), (g._data,),
                                           (idx, n, pad, inv_freq)))
TensorOps.embedding_rows_masked = staticmethod(
    lambda g, idx, n, pad, inv_freq: apply(EMBEDDING_ROWS_MASKED, (g,), (g._data,),
                                           (idx, n, pad, inv_freq)))


@_batching.loops_when_batched('input')
def embedding(input, weight, padding_idx=None, scale_grad_by_freq=False):
    """weight's rows at the integer `input` (the functional form's core: the
    argument checks and padding_idx's normalisation are F.embedding's)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding(): argument 'indices' (position 2) must be Tensor, not "
                        f"{type(input).__name__}")
    i = input._data
    if i.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"torch.{input.dtype.legacy}Tensor instead (while checking "
                           "arguments for embedding)")
    w = weight._data
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = w.shape[0]
    if i.size and (i.min() < 0 or i.max() >= n):
        raise IndexError("index out of range in self")
    inv_freq = None
    if scale_grad_by_freq:
        xp = _backend.namespace(i)
        counts = xp.bincount(i.reshape(-1), minlength=n)
        inv_freq = 1.0 / xp.maximum(counts, 1).astype(w.dtype)
    return apply(EMBEDDING, (weight,), (w,), (i, n, padding_idx, inv_freq))

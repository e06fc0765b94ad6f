"""masked_scatter: source's elements, in order, written where mask is True.

Two linear ops, each the other's adjoint, so gradients of any order are
these two again:
  masked_scatter_op(x, src; mask)  x with x[mask] = src.flat[:k]
      d/dx: g where mask is False;  d/dsrc: mask_pick(g)
  mask_pick(g; mask, src_shape)    g[mask] into the first k places of a
      src-shaped block of zeros;  d/dg: masked_scatter_op(0, h)
"""
from .._tensor import Tensor
from . import _backend
from ._args import as_tensor_arg, check_broadcast
from . import _batching
from ._dispatch import apply
from ._registry import defop, expose

_XP = _backend.NUMPY.xp


def _scatter_forward(x, src, mask, *, xp=_XP):
    out = xp.broadcast_to(x, mask.shape).copy()
    k = int(mask.sum())
    out[mask] = src.reshape(-1)[:k]
    return out


def _pick_forward(g, mask, src_shape, *, xp=_XP):
    n = 1
    for s in src_shape:
        n *= s
    out = xp.zeros(n, dtype=g.dtype)
    picked = g[mask]
    out[:picked.shape[0]] = picked
    return out.reshape(src_shape)


# F.zeros_as(x): zeros of x's shape and dtype, a constant (for the adjoint of mask_pick).
ZEROS_AS = defop("zeros_as", lambda x, *, xp=_XP: xp.zeros_like(x), quiet=False)   # no formula
expose(lambda x: apply(ZEROS_AS, (x,), (x._data,)), "zeros_as", function=False, method=False)

MASKED_SCATTER = defop("masked_scatter_op", _scatter_forward,
                       lambda F, g, mask: F.where(mask, 0, g),
                       lambda F, g, src, mask: F.mask_pick(g, mask, tuple(src.shape)),
                       inputs=("x", "src"), params=("mask",), node_name="MaskedScatterBackward0")
MASK_PICK = defop("mask_pick", _pick_forward,
                  lambda F, h, x, mask: F.masked_scatter_op(F.zeros_as(x), h, mask),
                  params=("mask", "src_shape"), node_name="MaskPickBackward0")


def _masked_scatter_op(x, src, mask):
    return apply(MASKED_SCATTER, (x, src), (x._data, src._data), (mask,))


def _mask_pick(g, mask, src_shape):
    return apply(MASK_PICK, (g,), (g._data,), (mask, tuple(src_shape)))


expose(_masked_scatter_op, "masked_scatter_op", function=False, method=False)
expose(_mask_pick, "mask_pick", function=False, method=False)


@_batching.loops_when_batched('mask')
def masked_scatter(input, mask, source):
    input = as_tensor_arg(input)
    if not isinstance(source, Tensor):
        raise TypeError(f"masked_scatter(): argument 'source' (position 2) must be Tensor, not "
                        f"{type(source).__name__}")
    m = as_tensor_arg(mask)
    if m._data.dtype.kind != "b":
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{m.dtype.legacy}")
    d, s = input._data, source._data
    if d.dtype != s.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{input.dtype.legacy} and {source.dtype.legacy}")
    shape = check_broadcast(m._data.shape, d.shape)          # (PyTorch names the mask first)
    mb = _backend.namespace(d).broadcast_to(m._data, shape)
    if int(mb.sum()) > s.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return _masked_scatter_op(input, source, mb)


def _masked_scatter_inplace(self, mask, source):
    """self.masked_scatter_(mask, source): the mask must expand to self's shape."""
    ms, ss = tuple(as_tensor_arg(mask)._data.shape), tuple(self._data.shape)
    if len(ms) > len(ss):
        raise RuntimeError(f"expand(CPUBoolType{{{list(ms)}}}, size={list(ss)}): the number of "
                           f"sizes provided ({len(ss)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(ms)})")
    full = check_broadcast(ss, ms)                 # (PyTorch's message where they clash)
    if full != ss:
        k = next(i for i in range(len(full)) if full[i] != ss[i])
        raise RuntimeError(f"The expanded size of the tensor ({ss[k]}) must match the existing "
                           f"size ({full[k]}) at non-singleton dimension {k}.  Target sizes: "
                           f"{list(ss)}.  Tensor sizes: {list(ms)}")
    return masked_scatter(self, mask, source)


expose(masked_scatter, formulas=False)
expose(_masked_scatter_inplace, "masked_scatter", function=False, method=False, inplace=True,
       formulas=False)

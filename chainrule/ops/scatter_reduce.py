"""scatter_reduce (sum, prod, mean, amax, amin; include_self) and the
legacy scatter(reduce='add' | 'multiply').

The forward needs a scatter with a reduction, which array libraries spell
differently (NumPy's ufunc.at, CuPy's scatter_max...); only scatter-add is in
the backend seam, so the reduction is done here with plain array calls: the
source values are sorted by their target position (a stable argsort) and
combined within each run of equal targets by a segmented inclusive scan
(log2(n) passes, each combining an element with the one 1, 2, 4... places
before it when both go to the same target); a run's last element is its
total, written once per target.

The gradients are PyTorch's (derivatives.yaml, scatter_reduce_backward),
written with F ops so they differentiate again:
  sum   self: g (0 where scattered, without include_self)   src: g at the target
  mean  both: g / count at the target
  amax/amin  g shared equally among the values equal to the result
  prod  g * result / value, with zeros handled exactly (a lone zero's
        gradient is the product of the others; two zeros give zero)
"""
import warnings

from .. import _dtypes
from .._tensor import Tensor
from . import _backend, _out
from . import shape as S
from ._args import as_tensor_arg, normalize_dim
from . import _batching
from ._dispatch import apply
from ._registry import defop, expose, array_op
from .select import _scatter_checks, scatter as _plain_scatter, scatter_add

_XP = _backend.NUMPY.xp
_NUMPY = _backend.NUMPY
_INT64 = _dtypes.int64.np
_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


# --- the segmented reduction on arrays --------------------------------------------------------
def _combine(reduce, xp):
    return {"sum": xp.add, "mean": xp.add, "prod": xp.multiply, "amax": xp.maximum,
            "amin": xp.minimum}[reduce]


def _segment_reduce(t, v, op, xp):
    """Targets (each once) and op over the values sent to each."""
    order = xp.argsort(t, kind="stable")
    t, v = t[order], v[order]
    n = t.shape[0]
    s = 1
    while s < n:
        same = xp.concatenate([xp.zeros(s, dtype=bool), t[s:] == t[:-s]])
        prev = xp.concatenate([v[:s], v[:-s]])
        v = xp.where(same, op(v, prev), v)
        s *= 2
    last = xp.concatenate([t[1:] != t[:-1], xp.ones(min(n, 1), dtype=bool)])
    return t[last], v[last]


def _targets(shape, dim, idx, xp):
    """Flat positions in an array of `shape` that scatter along dim writes."""
    lin = 0
    stride = 1
    coords = S._along(idx, dim, xp)
    for k in range(len(shape) - 1, -1, -1):
        lin = lin + coords[k] * stride
        stride *= shape[k]
    return (lin + xp.zeros(idx.shape, dtype=_INT64)).reshape(-1)


def _scatter_reduce_forward(x, src, dim, idx, reduce, include_self, *, xp=_XP):
    out = x.copy().reshape(-1)
    if idx.size == 0:
        return out.reshape(x.shape)
    t, red = _segment_reduce(_targets(x.shape, dim, idx, xp), src.reshape(-1),
                             _combine(reduce, xp), xp)
    if reduce == "mean":
        _, count = _segment_reduce(_targets(x.shape, dim, idx, xp),
                                   xp.ones(idx.size, dtype=x.dtype), xp.add, xp)
        total = out[t] + red if include_self else red
        count = count + 1 if include_self else count
        out[t] = total // count if x.dtype.kind in "iub" else total / count
    else:
        out[t] = _combine(reduce, xp)(out[t], red) if include_self else red
    return out.reshape(x.shape)


# F.sr_gather / F.sr_scatter_add: gather and scatter-add along dim with a raw
# index array, the same signature on arrays and on Tensors (for the formulas).
def _gather_raw(a, dim, idx, *, xp=_XP):
    return a[S._along(idx, dim, xp)]


def _scatter_add_raw(base, dim, idx, vals, *, be=_NUMPY):
    out = base.copy()
    be.add_at(out, S._along(idx, dim, be.xp), vals)
    return out


array_op("sr_gather", _gather_raw)
array_op("sr_scatter_add", _scatter_add_raw)
expose(lambda a, dim, idx: S.gather(a, dim, as_tensor_arg(idx)), "sr_gather", function=False,
       method=False)
expose(lambda base, dim, idx, vals: scatter_add(base, dim, as_tensor_arg(idx), vals),
       "sr_scatter_add", function=False, method=False)


def _grads(F, g, x, src, out, dim, idx, reduce, include_self):
    G = lambda a: F.sr_gather(a, dim, idx)                          # noqa: E731
    SA = lambda base, vals: F.sr_scatter_add(base, dim, idx, vals)  # noqa: E731
    ones_src = src * 0 + 1
    hits = SA(x * 0, ones_src)                      # how many src values each position gets
    untouched = hits == 0
    if reduce == "sum":
        gx, gs = g, G(g)
    elif reduce == "mean":
        n = hits + 1 if include_self else hits
        gx = g / F.where(n == 0, 1, n)
        gs = G(gx)
    elif reduce in ("amax", "amin"):
        self_is = x == out if include_self else (x == out) & untouched
        src_is = src == G(out)
        n = SA(F.where(self_is, x * 0 + 1, 0), F.where(src_is, ones_src, 0))
        share = g / F.where(n == 0, 1, n)
        gx, gs = F.where(self_is, share, 0), F.where(src_is, G(share), 0)
    else:                                           # prod
        masked_self = F.where(x == 0, 1, x)
        gx = g * F.scatter_reduce_op(masked_self, src, dim, idx, reduce, include_self) / masked_self
        src_zero = src == 0
        zeros_there = G(SA(x * 0, F.where(src_zero, ones_src, 0)))
        single = src_zero & (zeros_there == 1)
        others = F.scatter_reduce_op(x, F.where(single, 1, src), dim, idx, reduce, include_self)
        gs = F.where(single, G(g * others), G(g * out) / F.where(src_zero, 1, src))
    if not include_self:
        gx = F.where(untouched, gx, 0)
    return gx, gs


SCATTER_REDUCE = defop("scatter_reduce_op", _scatter_reduce_forward, inputs=("x", "src"),
                       params=("dim", "idx", "reduce", "include_self"), combined=_grads,
                       node_name="ScatterReduceBackward0")


def _scatter_reduce_op(x, src, dim, idx, reduce, include_self, node=None):
    return apply(SCATTER_REDUCE, (x, src), (x._data, src._data),
                 (dim, idx, reduce, include_self), node)


expose(_scatter_reduce_op, "scatter_reduce_op", function=False, method=False)


# --- the public functions ---------------------------------------------------------------------
def _prepare(name, input, dim, index, src):
    input, src = as_tensor_arg(input), as_tensor_arg(src)
    d, s, i = input._data, src._data, index._data
    dim = normalize_dim(dim, d.ndim)
    if s.dtype != d.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if i.dtype != _INT64 and i.dtype != _dtypes.int32.np:
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if i.ndim == d.ndim and i.size:
        # PyTorch names the first index out of range in storage order
        flat = i.reshape(-1)
        bad = (flat < 0) | (flat >= d.shape[dim])
        if bool(bad.any()):
            raise RuntimeError(f"index {int(flat[bad.argmax()])} is out of bounds for dimension "
                               f"{dim} with size {d.shape[dim]}")
    _scatter_checks(d, dim, i, s.shape, name)
    if s.shape != i.shape:                         # only src's leading block is read
        src = S.getitem(src, tuple(slice(0, n) for n in i.shape))
    return input, src, dim, i.astype(_INT64)


@_batching.loops_when_batched('index')
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    if out is not None:
        return _out.into(out,
                         scatter_reduce(input, dim, index, src, reduce, include_self=include_self),
                         "scatter_reduce", exact=_out.EXPECTED)
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, "
                           f"got {reduce}")
    input, src, dim, idx = _prepare("scatter_reduce", input, dim, index, src)
    return _scatter_reduce_op(input, src, dim, idx, reduce, bool(include_self))


expose(scatter_reduce, inplace=True, formulas=False)

_LEGACY = {"add": "sum", "multiply": "prod"}


def _no_derivative(F, g, x, src):
    raise RuntimeError("derivative for aten::scatter is not implemented")


# PyTorch records scatter(reduce=) with a node that refuses to run.
SCATTER_LEGACY = defop("scatter_legacy_reduce", _scatter_reduce_forward, inputs=("x", "src"),
                       params=("dim", "idx", "reduce", "include_self"), combined=_no_derivative,
                       node_name="NotImplemented")


@_batching.loops_when_batched('index')
def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """scatter as in select.py, plus PyTorch's legacy reduce='add' | 'multiply'
    (no derivative in PyTorch: backward through it raises its error)."""
    if out is not None:
        return _out.into(out, scatter(input, dim, index, src, value, reduce=reduce), "scatter",
                         exact=_out.EXPECTED)
    if reduce is None:
        return _plain_scatter(input, dim, index, src, value)
    if reduce not in _LEGACY:
        raise RuntimeError("reduce argument must be either add or multiply.")
    if src is None:
        src = value
    input = as_tensor_arg(input)
    if not isinstance(src, Tensor):
        src = as_tensor_arg(_backend.namespace(input._data).full(index._data.shape, src,
                                                               dtype=input._data.dtype))
    else:
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and "
                      "will be removed in a future PyTorch release. Use torch.scatter_reduce "
                      "instead for more reduction options.", UserWarning, stacklevel=2)
    input, src, dim, idx = _prepare("scatter", input, dim, index, src)
    return apply(SCATTER_LEGACY, (input, src), (input._data, src._data),
                 (dim, idx, _LEGACY[reduce], True))


expose(scatter, inplace=True, formulas=False)


# --- index_reduce: scatter_reduce with one index per slice along dim (IndexReduceBackward0) ----
_INDEX_REDUCE = SCATTER_REDUCE.variant("IndexReduceBackward0")


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """self's slices index[i] along dim reduced with source's slice i (prod, mean, amax,
    amin): scatter_reduce with the index spread over source's other dimensions."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning,
                  stacklevel=2)
    input, source, index = as_tensor_arg(input), as_tensor_arg(source), as_tensor_arg(index)
    d, s, i = input._data, source._data, index._data
    dim = normalize_dim(dim, d.ndim)
    if i.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: "
                         f"{i.ndim} with type: {index.dtype.legacy} and size: "
                         f"[{', '.join(str(n) for n in i.shape)}]")
    if i.dtype != _INT64 and i.dtype != _dtypes.int32.np:
        raise RuntimeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype.legacy}")
    if s.dtype != d.dtype:
        raise RuntimeError(f"index_reduce_(): self ({input.dtype.legacy}) and source "
                           f"({source.dtype.legacy}) must have the same scalar type")
    k = i.size
    if s.ndim == 0 and d.ndim:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    sdim = s.shape[dim] if s.ndim else 1
    if k != sdim:
        raise RuntimeError(f"index_reduce_(): Number of indices ({k}) should be equal to "
                           f"source.size(dim): ({sdim}), for dim: {dim}")
    if s.ndim != d.ndim or any(a != b for j, (a, b) in enumerate(zip(s.shape, d.shape))
                               if j != dim):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = [{', '.join(map(str, d.shape))}] "
                           f"source.shape = [{', '.join(map(str, s.shape))}]")
    flat = i.reshape(-1)
    if k and bool(((flat < 0) | (flat >= (d.shape[dim] if d.ndim else 1))).any()):
        raise IndexError("index out of range in self")
    shape = [1] * max(s.ndim, 1)
    shape[dim] = k
    be = _backend.backend_of(i)
    idx = be.xp.broadcast_to(i.astype(_INT64).reshape(tuple(shape)), s.shape).astype(_INT64)
    return _scatter_reduce_op(input, source, dim, idx, reduce, bool(include_self), _INDEX_REDUCE)


expose(index_reduce, inplace=True, formulas=False)

"""torch.segment_reduce: sum / mean / max / min / prod over consecutive
segments along one axis, as one op under PyTorch's grad_fn name.

The segments are given by their lengths or their offsets along `axis`; the
lengths tensor may carry leading dimensions (the data's dimensions before
`axis`), one row of segments each.  With M the (segments x positions) 0/1
matrix of a row (M[s, p] = 1 where position p lies in segment s),

    sum  = M x (+ initial),            mean = (M x + initial) / |s| (initial where |s| = 0),
    max / min = the extreme of x over the segment (and initial),
    prod = the product over the segment (times initial).

An empty segment gives `initial`, or 0 / nan / -inf / inf / 1 without one.
The gradient is PyTorch's: M^T g for sum, M^T (g / |s|) for mean, g shared
equally by the elements equal to the extreme for max / min (none where initial
wins), and the product of the others (times initial) for prod, with one zero
in the segment getting the product of the rest and two or more zeros giving 0.
That backward is one op with no derivative of its own: a second derivative
raises PyTorch's error, as forward mode does.
"""
from .. import _dtypes
from .._tensor import Tensor
from ..autograd import forward_ad as _forward_ad
from . import _backend
from ._args import as_tensor_arg, normalize_dim
from ._dispatch import apply
from ._registry import defop, expose

_XP = _backend.NUMPY.xp
_INF = float("inf")
_NAN = float("nan")
_REDUCTIONS = {"sum": "sum", "mean": "mean", "max": "max", "amax": "max", "min": "min",
               "amin": "min", "prod": "prod"}
_NOT_IMPROVED = ("  (Could this error message be improved?  If so, please report an enhancement "
                 "request to PyTorch.)")


def _rows(x, axis):
    """x as lead + (n, T): the dimensions after `axis` flattened into one."""
    t = 1
    for k in x.shape[axis + 1:]:
        t *= k
    return x.reshape(x.shape[:axis + 1] + (t,))


def _segments(x, m, reduce, initial, *, xp=_XP):
    """The reduction of x (lead + (n,) + trail) over M (lead + (S, n))."""
    axis = m.ndim - 2
    shape = x.shape
    v = _rows(x, axis)                                             # lead + (n, T)
    mask = xp.expand_dims(m, -1)                                   # lead + (S, n, 1)
    ve = xp.expand_dims(v, -3)                                     # lead + (1, n, T)
    if reduce in ("max", "min") and not v.shape[-2]:               # nothing to take the extreme of
        out = xp.full(m.shape[:-1] + v.shape[-1:], -_INF if reduce == "max" else _INF,
                      dtype=x.dtype)
        if initial is not None:
            out = out * 0 + initial
    elif reduce in ("sum", "mean"):
        out = xp.matmul(m.astype(x.dtype), v)
        if initial is not None:
            out = out + initial
        if reduce == "mean":
            count = m.sum(axis=-1, keepdims=True).astype(x.dtype)
            out = xp.where(count > 0, out / xp.where(count > 0, count, 1),
                           _NAN if initial is None else initial)
    elif reduce == "prod":
        out = xp.where(mask, ve, 1).prod(axis=-2)
        if initial is not None:
            out = out * initial
    else:
        fill = -_INF if reduce == "max" else _INF
        out = (xp.where(mask, ve, fill).max(axis=-2) if reduce == "max"
               else xp.where(mask, ve, fill).min(axis=-2))
        if initial is not None:
            out = xp.maximum(out, initial) if reduce == "max" else xp.minimum(out, initial)
    return out.astype(x.dtype, copy=False).reshape(shape[:axis] + (m.shape[-2],) + shape[axis + 1:])



def _segment_grad(g, x, out, m, reduce, initial, *, xp=_XP):
    """PyTorch's gradient of segment_reduce (see the module docstring)."""
    axis = m.ndim - 2
    shape = x.shape
    v = _rows(x, axis)                                             # lead + (n, T)
    gv = _rows(g, axis)                                            # lead + (S, T)
    ov = out.reshape(gv.shape)
    mt = xp.moveaxis(m, -1, -2).astype(x.dtype)                    # lead + (n, S)
    if reduce == "sum":
        gx = xp.matmul(mt, gv)
    elif reduce == "mean":
        count = m.sum(axis=-1, keepdims=True).astype(x.dtype)
        gx = xp.matmul(mt, xp.where(count > 0, gv / xp.where(count > 0, count, 1), 0))
    else:
        mask = xp.expand_dims(m, -1)                               # lead + (S, n, 1)
        ve = xp.expand_dims(v, -3)                                 # lead + (1, n, T)
        ge, oe = xp.expand_dims(gv, -2), xp.expand_dims(ov, -2)    # lead + (S, 1, T)
        if reduce == "prod":
            zero = mask & (ve == 0)
            zeros = zero.sum(axis=-2, keepdims=True)
            rest = xp.where(mask & (ve != 0), ve, 1).prod(axis=-2, keepdims=True)
            if initial is not None:
                rest = rest * initial
            per = xp.where(ve == 0, xp.where(zeros == 1, rest, 0),
                           oe / xp.where(ve == 0, 1, ve)) * ge
            gx = xp.where(mask, per, 0).sum(axis=-3)
        else:
            hit = mask & (ve == oe)
            count = hit.sum(axis=-2, keepdims=True)
            share = xp.where(count > 0, ge / xp.where(count > 0, count, 1), 0)
            gx = xp.where(hit, share, 0).sum(axis=-3)
    return gx.astype(x.dtype, copy=False).reshape(shape)


def _no_derivative(F, g, g0, x, out):
    raise RuntimeError("derivative for aten::_segment_reduce_backward is not implemented")


SEGMENT_REDUCE_BACKWARD = defop("segment_reduce_backward", _segment_grad,
                                inputs=("g0", "x", "out"), params=("m", "reduce", "initial"),
                                combined=_no_derivative, node_name="NotImplemented")
SEGMENT_REDUCE = defop("segment_reduce", _segments,
                       lambda F, g, x, out, m, reduce, initial:
                       F.segment_reduce_backward(g, x, out, m, reduce, initial),
                       params=("m", "reduce", "initial"), node_name="SegmentReduceBackward0")


def _segment_reduce_backward(g, x, out, m, reduce, initial):
    return apply(SEGMENT_REDUCE_BACKWARD, (g, x, out), (g._data, x._data, out._data),
                 (m, reduce, initial))


expose(_segment_reduce_backward, "segment_reduce_backward", function=False, method=False)


def _tensor_arg(v, name):
    if not isinstance(v, Tensor):
        raise TypeError(f"segment_reduce(): argument '{name}' must be Tensor, not "
                        f"{type(v).__name__}")
    return v


def _mask(n, lo, lengths, xp):
    """M (lead + (S, n)): position p in segment s where lo[s] <= p < lo[s] + lengths[s]."""
    p = xp.arange(n).reshape((1,) * lo.ndim + (n,))
    lo = xp.expand_dims(lo, -1)
    return (p >= lo) & (p < lo + xp.expand_dims(lengths, -1))


def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0,
                   unsafe=False, initial=None):
    """torch.segment_reduce (see the module docstring)."""
    data = as_tensor_arg(data)
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    reduce = _REDUCTIONS[reduce]
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    d = data._data
    xp = _backend.namespace(d)
    axis = normalize_dim(axis, d.ndim)
    given = _tensor_arg(lengths, "lengths") if lengths is not None else \
        _tensor_arg(offsets, "offsets")
    k = given._data
    if k.dtype.kind not in "iu":
        kernel = "lengths" if lengths is not None else "offsets"
        raise NotImplementedError(f"\"_segment_reduce_{kernel}_cpu_kernel1\" not implemented for "
                                  f"'{given.dtype.legacy}'")
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"_segment_reduce_cpu\" not implemented for "
                                  f"'{data.dtype.legacy}'")
    if d.ndim < k.ndim:
        raise RuntimeError("Expected data.dim() >= lengths_value.dim() to be true, but got "
                           "false." + _NOT_IMPROVED)
    if axis != k.ndim - 1:
        raise RuntimeError(f"segment_reduce(): Expected axis to be the last dimension of lengths "
                           f"but got {axis}.")
    k = k.astype(_dtypes.int64.np)
    if lengths is not None:
        if not unsafe:
            if k.size and int(k.min()) < 0:
                raise RuntimeError("lengths contains negative value!")
            if bool((k.sum(axis=-1) != d.shape[axis]).any()):
                raise RuntimeError("segment_reduce(): Expected all rows of lengths along axis to "
                                   "sum to data.size(lengths.dim()-1) when !unsafe.")
        lo = xp.cumsum(k, axis=-1) - k
    else:
        diff = k[..., 1:] - k[..., :-1]
        if diff.size and int(diff.min()) < 0:
            raise RuntimeError("Expected segment_length >= 0 to be true, but got false." +
                               _NOT_IMPROVED)
        lo, k = k[..., :-1], diff
    if _forward_ad.current_level() is not None and data._fw_tangent is not None:
        raise NotImplementedError(
            "Trying to use forward AD with segment_reduce that does not support it because it "
            "has not been implemented yet.\nPlease file an issue to PyTorch at https://github.com/"
            "pytorch/pytorch/issues/new?template=feature-request.yml so that we can prioritize "
            "its implementation or submit a PR adding the implementation to derivatives.yaml")
    m = _mask(d.shape[axis], lo, k, xp)
    init = None if initial is None else float(initial)
    return apply(SEGMENT_REDUCE, (data,), (d,), (m, reduce, init))


expose(segment_reduce, method=False, formulas=False)

__all__ = ["segment_reduce"]

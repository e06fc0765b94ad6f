"""nn.functional's remaining real-valued functions (issue 11): pixel_shuffle,
pixel_unshuffle and channel_shuffle (three rearranging ops, each the
gradient of its inverse), pdist (one op), the embedding and ranking losses,
poisson_nll_loss and rms_norm (compositions of ops, as PyTorch composes
them, so the grad_fn names are its own), and alpha / feature dropout.

pdist: with S the (pairs x N) incidence matrix (+1 at row i, -1 at row j for
each i < j), pdist(x) = ||S x||_p row by row, so its gradient is S^T times
the vector norm's gradient (reduce.py's formula, any order).
"""
import math

from .. import _dtypes, _factories, _grad_mode
from . import _backend
from . import linalg as _la, losses as _losses, pointwise as _pw, reduce as _reduce
from . import select as _select, shape as _shape
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import defop, expose
from .pad import pad as _pad

_XP = _backend.NUMPY.xp


# --- pixel_shuffle / pixel_unshuffle / channel_shuffle -------------------------------------------
def _pixel_shuffle(x, r, *, xp=_XP):
    lead = x.shape[:-3]
    c, h, w = x.shape[-3:]
    n = len(lead)
    y = x.reshape(lead + (c // (r * r), r, r, h, w))
    y = y.transpose(tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2)).copy()
    return y.reshape(lead + (c // (r * r), h * r, w * r))


def _pixel_unshuffle(x, r, *, xp=_XP):
    lead = x.shape[:-3]
    c, h, w = x.shape[-3:]
    n = len(lead)
    y = x.reshape(lead + (c, h // r, r, w // r, r))
    y = y.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3)).copy()
    return y.reshape(lead + (c * r * r, h // r, w // r))


def _channel_shuffle(x, groups, *, xp=_XP):
    s = x.shape
    y = x.reshape((s[0], groups, s[1] // groups) + s[2:])
    return y.swapaxes(1, 2).copy().reshape(s)


PIXEL_SHUFFLE = defop("pixel_shuffle", _pixel_shuffle, lambda F, g, r: F.pixel_unshuffle(g, r),
                      params=("r",), quiet=False)
PIXEL_UNSHUFFLE = defop("pixel_unshuffle", _pixel_unshuffle,
                        lambda F, g, r: F.pixel_shuffle(g, r), params=("r",), quiet=False)
CHANNEL_SHUFFLE = defop("channel_shuffle", _channel_shuffle,
                        lambda F, g, x, groups: F.channel_shuffle(g, x.shape[1] // groups),
                        params=("groups",), quiet=False)


def _dims_at_least_3(name, d):
    if d.ndim < 3 and name == "channel_shuffle":
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes [{', '.join(str(s) for s in d.shape)}]")
    if d.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input "
                           f"with {d.ndim} dimension(s)")


def pixel_shuffle(input, upscale_factor):
    x = as_tensor_arg(input)
    d = x._data
    r = int(upscale_factor)
    _dims_at_least_3("pixel_shuffle", d)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if d.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{d.shape[-3]} is not divisible by {r * r}")
    return apply(PIXEL_SHUFFLE, (x,), (d,), (r,))


def pixel_unshuffle(input, downscale_factor):
    x = as_tensor_arg(input)
    d = x._data
    r = int(downscale_factor)
    _dims_at_least_3("pixel_unshuffle", d)
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for which, k in (("height", -2), ("width", -1)):
        if d.shape[k] % r:
            raise RuntimeError(f"pixel_unshuffle expects {which} to be divisible by "
                               f"downscale_factor, but input.size({k})={d.shape[k]} is not "
                               f"divisible by {r}")
    return apply(PIXEL_UNSHUFFLE, (x,), (d,), (r,))


def channel_shuffle(input, groups):
    x = as_tensor_arg(input)
    d = x._data
    g = int(groups)
    _dims_at_least_3("channel_shuffle", d)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    if d.shape[1] % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {d.shape[1]} "
                           f"channels and {g} groups.")
    return apply(CHANNEL_SHUFFLE, (x,), (d,), (g,))


expose(lambda x, r: apply(PIXEL_SHUFFLE, (x,), (x._data,), (r,)), "pixel_shuffle",
       function=False, method=False)
expose(lambda x, r: apply(PIXEL_UNSHUFFLE, (x,), (x._data,), (r,)), "pixel_unshuffle",
       function=False, method=False)
expose(lambda x, g: apply(CHANNEL_SHUFFLE, (x,), (x._data,), (g,)), "channel_shuffle",
       function=False, method=False)


# --- pdist ------------------------------------------------------------------------------------------
def _pairs(x, n, *, xp=_XP):
    """The (n(n-1)/2 x n) incidence matrix of the pairs i < j, in x's dtype (a constant)."""
    rows = [(i, j) for i in range(n) for j in range(i + 1, n)]
    s = xp.zeros((len(rows), n), dtype=x.dtype)
    for k, (i, j) in enumerate(rows):
        s[k, i] = 1
        s[k, j] = -1
    return s


PAIRS = defop("pdist_pairs", _pairs, params=("n",), quiet=False)
expose(lambda x, n: apply(PAIRS, (x,), (x._data,), (n,)), "pdist_pairs", function=False,
       method=False)


def _pdist(x, p, *, xp=_XP):
    diff = xp.matmul(_pairs(x, x.shape[0], xp=xp), x)
    return _la._vector_norm(diff, p, (1,), False, xp=xp)


def _pdist_grad(F, g, x, out, p):
    S = F.pdist_pairs(x, x.shape[0])
    diff = F.matmul(S, x)
    gd = _la._vector_norm_grad(F, g, diff, out, p, tuple(diff.shape), (1,), False)
    return F.matmul(F.mT(S), gd)


PDIST = defop("pdist", _pdist, _pdist_grad, params=("p",))


def pdist(input, p=2):
    x = as_tensor_arg(input)
    d = x._data
    if d.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {d.ndim}D")
    if d.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return apply(PDIST, (x,), (d,), (float(p),))


# --- losses (PyTorch's compositions) ---------------------------------------------------------------
def _reduce_loss(v, reduction):
    if reduction == "mean":
        return _reduce.mean(v)
    return _reduce.sum(v) if reduction == "sum" else v


def _size_list(t):
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    reduction = _losses._reduction_arg(reduction, size_average, reduce)
    x1, x2, y = as_tensor_arg(input1), as_tensor_arg(input2), as_tensor_arg(target)
    k = y._data.ndim
    if k not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if k == 1 else 1
    if x1._data.ndim != want or x2._data.ndim != want:
        raise RuntimeError(f"{k}D target tensor expects {want}D input tensors, but found inputs "
                           f"with sizes {_size_list(x1)} and {_size_list(x2)}.")
    eps = 1e-12
    prod = _reduce.sum(x1 * x2, k)
    m1 = _reduce.sum(x1 * x1, k) + eps
    m2 = _reduce.sum(x2 * x2, k) + eps
    cos = prod / _pw.sqrt(m1 * m2)
    zeros = _factories.zeros_like(cos)
    pos = 1 - cos
    neg = _pw.clamp_min(cos - margin, 0)
    out = _pw.where(y == 1, pos, zeros) + _pw.where(y == -1, neg, zeros)
    return _reduce_loss(out, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _losses._reduction_arg(reduction, size_average, reduce)
    x, y = as_tensor_arg(input), as_tensor_arg(target)
    zeros = _factories.zeros_like(x)
    margin_clamp = _pw.clamp_min(margin - x, 0)
    out = _pw.where(y != 1, margin_clamp, zeros) + _pw.where(y != -1, x, zeros)
    return _reduce_loss(out, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    reduction = _losses._reduction_arg(reduction, size_average, reduce)
    x1, x2, y = as_tensor_arg(input1), as_tensor_arg(input2), as_tensor_arg(target)
    if not (x1._data.ndim == x2._data.ndim == y._data.ndim):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: torch.Size({list(x1.shape)}), input2: "
                           f"torch.Size({list(x2.shape)}), target: torch.Size({list(y.shape)}) ")
    out = _pw.clamp_min(-y * (x1 - x2) + margin, 0)
    return _reduce_loss(out, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    reduction = _losses._reduction_arg(reduction, size_average, reduce)
    a, pos, neg = as_tensor_arg(anchor), as_tensor_arg(positive), as_tensor_arg(negative)
    da, dp, dn = a._data.ndim, pos._data.ndim, neg._data.ndim
    if not (da == dp == dn):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {da}D, positive {dp}D, "
                           f"and negative {dn}D inputs")
    d_pos = _losses.pairwise_distance(a, pos, p, eps)
    d_neg = _losses.pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = _pw.minimum(d_neg, _losses.pairwise_distance(pos, neg, p, eps))
    out = _pw.clamp_min(margin + d_pos - d_neg, 0)
    return _reduce_loss(out, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _losses._reduction_arg(reduction, size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    x, t = as_tensor_arg(input), as_tensor_arg(target)
    if log_input:
        loss = _pw.exp(x) - t * x
    else:
        loss = x - t * _pw.log(x + eps)
    if full:
        stirling = t * _pw.log(t) - t + 0.5 * _pw.log(2 * math.pi * t)
        loss = loss + _select.masked_fill(stirling, t <= 1, 0)
    return _reduce_loss(loss, reduction)


# --- rms_norm ---------------------------------------------------------------------------------------
_EPS = {2: 1.1920928955078125e-07, 4: 1.1920928955078125e-07, 8: 2.220446049250313e-16}


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2 over the last dims) + eps), times weight; eps defaults
    to the machine epsilon of the computing dtype (float32 for half inputs)."""
    x = as_tensor_arg(input)
    d = x._data
    if d.dtype.kind == "c":
        raise NotImplementedError("chainrule: rms_norm does not take complex inputs yet")
    if not isinstance(normalized_shape, (tuple, list)) and \
            not (hasattr(normalized_shape, "__len__") and hasattr(normalized_shape, "__iter__")):
        raise TypeError(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    ns = tuple(int(s) for s in normalized_shape)
    if not ns:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = "
                           f"{list(ns)}")
    if d.ndim < len(ns) or d.shape[d.ndim - len(ns):] != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*{', '.join(map(str, ns))}], but got input of size{list(d.shape)}")
    low = d.dtype.kind == "f" and d.dtype.itemsize < 4
    up = x.to(_dtypes.float32) if low else x
    if eps is None:
        eps = _EPS.get(up._data.dtype.itemsize, _EPS[4]) if up._data.dtype.kind == "f" else _EPS[4]
    dims = tuple(range(d.ndim - len(ns), d.ndim))
    r = _pw.rsqrt(_reduce.mean(up ** 2, dims, True) + eps)
    out = up * r
    if low:
        out = out.to(x.dtype)
    return out if weight is None else out * weight


# --- alpha and feature dropout ----------------------------------------------------------------------
_ALPHA = 1.7580993408473766


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_impl(input, p, train, *, feature, alpha, inplace):
    """PyTorch's dropout variants: the noise kept (1) with probability 1 - p
    (one draw per (sample, channel) for feature dropout); plain: x * noise /
    (1 - p); alpha: x * a noise + b, which keeps SELU's mean and variance."""
    x = as_tensor_arg(input)
    d = x._data
    if p == 0 or not train or d.size == 0:
        return x
    if p == 1:
        zero = _factories.zeros((), dtype=x.dtype)
        return x.mul_(zero) if inplace else x * zero
    if feature and d.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    with _grad_mode.no_grad():
        shape = tuple(d.shape[:2]) + (1,) * (d.ndim - 2) if feature else tuple(d.shape)
        noise = (_factories.rand(shape) >= p).to(x.dtype)
        if alpha:
            a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
            b = (noise - 1) * (_ALPHA * a) + _ALPHA * a * p
            noise = noise * a
        else:
            noise = noise / (1 - p)
    if not alpha:
        return x.mul_(noise) if inplace else x * noise
    return x.mul_(noise).add_(b) if inplace else x * noise + b


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, feature=False, alpha=True, inplace=inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, feature=True, alpha=True, inplace=inplace)


def _torch_dropout(feature, alpha, inplace):
    def f(input, p, train):
        return _dropout_impl(input, p, train, feature=feature, alpha=alpha, inplace=inplace)
    return f


torch_alpha_dropout = _torch_dropout(False, True, False)
torch_alpha_dropout_ = _torch_dropout(False, True, True)
torch_feature_alpha_dropout = _torch_dropout(True, True, False)
torch_feature_alpha_dropout_ = _torch_dropout(True, True, True)
torch_feature_dropout = _torch_dropout(True, False, False)
torch_feature_dropout_ = _torch_dropout(True, False, True)


# --- torch.constant_pad_nd --------------------------------------------------------------------------
def constant_pad_nd(input, pad, value=0):
    """torch.constant_pad_nd: F.pad's constant mode, with ATen's own messages."""
    x = as_tensor_arg(input)
    pad = tuple(pad)
    for i, v in enumerate(pad):
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError(f"constant_pad_nd(): argument 'pad' (position 2) must be tuple of "
                            f"ints, but found element of type {type(v).__name__} at pos {i}")
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) > 2 * x._data.ndim:
        raise RuntimeError(f"Length of pad should be no more than twice the number of dimensions "
                           f"of the input. Pad length is {len(pad)}while the input has "
                           f"{x._data.ndim}dimensions.")
    return _pad(x, pad, mode="constant", value=value)


# --- the torch.<loss> forms: ATen's signatures, reduction as a number (0 none, 1 mean, 2 sum);
# torch 2.13's bindings default it to 0 (no reduction), unlike nn.functional's 'mean'.
_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _enum(reduction):
    if isinstance(reduction, bool) or not isinstance(reduction, int) or \
            reduction not in _REDUCTIONS:
        raise TypeError(f"reduction must be 0, 1 or 2 (none, mean, sum), got {reduction!r}")
    return _REDUCTIONS[reduction]


def torch_cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return cosine_embedding_loss(input1, input2, target, margin, reduction=_enum(reduction))


def torch_hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return hinge_embedding_loss(input, target, margin, reduction=_enum(reduction))


def torch_margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    return margin_ranking_loss(input1, input2, target, margin, reduction=_enum(reduction))


def torch_triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                              reduction=0):
    return triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                               reduction=_enum(reduction))


def torch_poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_enum(reduction))


for _fn, _name in ((pixel_shuffle, "pixel_shuffle"), (pixel_unshuffle, "pixel_unshuffle"),
                   (channel_shuffle, "channel_shuffle"), (pdist, "pdist"),
                   (torch_cosine_embedding_loss, "cosine_embedding_loss"),
                   (torch_hinge_embedding_loss, "hinge_embedding_loss"),
                   (torch_margin_ranking_loss, "margin_ranking_loss"),
                   (torch_triplet_margin_loss, "triplet_margin_loss"),
                   (torch_poisson_nll_loss, "poisson_nll_loss"), (rms_norm, "rms_norm"),
                   (torch_alpha_dropout, "alpha_dropout"), (torch_alpha_dropout_, "alpha_dropout_"),
                   (torch_feature_alpha_dropout, "feature_alpha_dropout"),
                   (torch_feature_alpha_dropout_, "feature_alpha_dropout_"),
                   (torch_feature_dropout, "feature_dropout"),
                   (torch_feature_dropout_, "feature_dropout_"),
                   (constant_pad_nd, "constant_pad_nd")):
    expose(_fn, _name, method=False, formulas=False)


# --- embedding_bag ---------------------------------------------------------------------------------
# sum / mean: out = S W, S (bags x rows) the (weighted, for mean averaged) counts of each row in
# each bag, itself differentiable in per_sample_weights; max: out[b, d] = W[r[b, d], d], r the
# row of the bag's largest entry (0 for an empty bag); the gradient goes back to those entries.
def _bag_linear(w, s, *, xp=_XP):
    return xp.matmul(s, w)


EMBEDDING_BAG = defop("embedding_bag_linear", _bag_linear,
                      lambda F, g, s: F.matmul(F.mT(s), g),
                      lambda F, g, w: F.matmul(g, F.mT(w)),
                      inputs=("w", "s"), node_name="EmbeddingBagBackward0")


def _bag_max(w, flat, keep, *, xp=_XP):
    picked = w.reshape(-1)[flat.reshape(-1)].reshape(flat.shape)
    return xp.where(keep, picked, xp.zeros((), dtype=w.dtype))


EMBEDDING_BAG_MAX = defop("embedding_bag_max", _bag_max,
                          lambda F, g, w, flat, keep: F.put_flat(F.where(keep, g, 0), flat,
                                                                 tuple(w.shape)),
                          params=("flat", "keep"), inputs=("w",),
                          node_name="EmbeddingBagBackward0")

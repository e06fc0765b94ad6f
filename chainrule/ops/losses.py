"""nn.functional's losses as registry ops, under PyTorch's grad_fn names.

Pointwise losses (mse, smooth_l1, huber, soft_margin, binary_cross_entropy
and its logits form) are one op each: the forward computes the elementwise
loss and reduces it ('none', 'sum', 'mean'); each formula is the elementwise
derivative times the output gradient spread back (`_spread`: g itself, or g/n
for 'mean').  Broadcast inputs need nothing more: the node sums each gradient
back to its input's shape.

nll_loss is linear in its input: loss = -sum(x * M) with M the target's
one-hot rows times the class weights (0 where the target is ignore_index),
built once from the target (`_pick_weights`); 'mean' divides by sum(M), as
PyTorch's weighted mean does.  cross_entropy is log_softmax then nll_loss
(NllLossBackward0 over LogSoftmaxBackward0, as in PyTorch), plus the label
smoothing term; with class probabilities it is -(log_softmax * target)
summed.  l1_loss and kl_div are compositions of ops, as PyTorch's are.
"""
import warnings

from .. import _dtypes
from .._grad_mode import STATE
from . import _backend
from ._args import as_tensor_arg, check_broadcast, promoted_arrays
from . import _batching
from ._dispatch import apply
from ._half import in_float32
from ._registry import defop, expose, TensorOps
from .activations import logsigmoid as _logsigmoid
from .pointwise import DIV as _DIV, abs as _abs, exp as _exp, where as _where, xlogy as _xlogy, \
    _select
from .reduce import NORM as _NORM, log_softmax as _log_softmax, mean as _mean, sum as _sum
from .select import broadcast_tensors as _broadcast_tensors

_XP = _backend.NUMPY.xp      # forwards' `xp` by default; _backend.bind gives other libraries theirs
_INT64 = _dtypes.int64.np
_UINT8 = _dtypes.uint8.np
_NAN = float("nan")
_DIV_BY_NUMBER = _DIV.variant("DivBackward1")
_NORM_DIM = _NORM.variant("NormBackward1")


# --- reductions shared by the ops -------------------------------------------------------------
def _reduced(v, reduction):
    """The elementwise loss v reduced; 'mean' of nothing is nan, as in PyTorch."""
    if reduction == "none":
        return v
    s = v.sum()
    return s if reduction == "sum" else s * (1.0 / v.size if v.size else _NAN)


def _spread(g, reduction, n):
    """The output gradient as each element's share (broadcasts against them)."""
    return g * (1.0 / n if n else _NAN) if reduction == "mean" else g


def _reduction_arg(reduction, size_average=None, reduce=None):
    """PyTorch's reduction names, and its legacy size_average/reduce flags."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", UserWarning, stacklevel=3)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _warn_broadcast(d, t, stacklevel=3):
    if d.shape != t.shape:
        warnings.warn(f"Using a target size (torch.Size({list(t.shape)})) that is different to "
                      f"the input size (torch.Size({list(d.shape)})). This will likely lead to "
                      "incorrect results due to broadcasting. Please ensure they have the same "
                      "size.", UserWarning, stacklevel=stacklevel)


def _not_differentiable(name, arg, t):
    if t is not None and STATE.enabled and t.requires_grad:
        raise RuntimeError(f"The function '{name}' is not differentiable with respect to "
                           f"argument '{arg}'. This input cannot have requires_grad True.")


# --- pointwise losses ------------------------------------------------------------------------
def _mse(x, t, reduction, n):
    d = x - t
    return _reduced(d * d, reduction)


def _smooth_l1(x, t, reduction, n, beta, *, xp=_XP):
    d = xp.abs(x - t)
    return _reduced(_select(d < beta, 0.5 * d * d / beta, d - 0.5 * beta, xp=xp), reduction)


def _huber(x, t, reduction, n, delta, *, xp=_XP):
    d = xp.abs(x - t)
    return _reduced(_select(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta), xp=xp), reduction)


def _soft_margin(x, t, reduction, n, *, xp=_XP):
    return _reduced(xp.logaddexp(0, -t * x), reduction)


def _clamped_log(v, xp):
    return xp.maximum(xp.log(v), -100)      # PyTorch's clamp of BCE's logs


def _bce(x, t, w, reduction, n, *, xp=_XP):
    v = -(t * _clamped_log(x, xp) + (1 - t) * _clamped_log(1 - x, xp))
    return _reduced(v if w is None else v * w, reduction)


def _bce_logits(x, t, w, pw, reduction, n, *, xp=_XP):
    sp = xp.logaddexp(0, -x)                 # softplus(-x) = -log(sigmoid(x)), stable
    v = (1 - t) * x + (sp if pw is None else (1 + (pw - 1) * t) * sp)
    return _reduced(v if w is None else v * w, reduction)


def _smooth_l1_grad(F, g, x, t, reduction, n, beta):
    d = x - t
    return _spread(g, reduction, n) * F.where(F.abs(d) < beta, d / beta, F.sign(d))


def _huber_grad(F, g, x, t, reduction, n, delta):
    d = x - t
    return _spread(g, reduction, n) * F.where(F.abs(d) < delta, d, delta * F.sign(d))


def _bce_input_grad(F, g, x, t, w, reduction, n):
    # PyTorch's: (x - t) / max(x (1 - x), 1e-12), so x at 0 or 1 gives no inf.
    v = (x - t) / F.clamp((1 - x) * x, 1e-12, None)
    return _spread(g, reduction, n) * (v if w is None else v * w)


def _bce_target_grad(F, g, x, w, reduction, n):
    v = F.clamp(F.log(1 - x), -100, None) - F.clamp(F.log(x), -100, None)
    return _spread(g, reduction, n) * (v if w is None else v * w)


def _bce_logits_input_grad(F, g, x, t, w, pw, reduction, n):
    s = F.sigmoid(-x)
    v = (1 - t) - (s if pw is None else (1 + (pw - 1) * t) * s)
    return _spread(g, reduction, n) * (v if w is None else v * w)


def _bce_logits_target_grad(F, g, x, w, pw, reduction, n):
    v = -x if pw is None else -x - (pw - 1) * F.log_sigmoid(x)
    return _spread(g, reduction, n) * (v if w is None else v * w)


_RN = ("reduction", "n")
MSE_LOSS = defop("mse_loss", in_float32(_mse),
                 lambda F, g, x, t, reduction, n: _spread(g, reduction, n) * 2 * (x - t),
                 lambda F, g, x, t, reduction, n: _spread(g, reduction, n) * -2 * (x - t),
                 inputs=("x", "t"), params=_RN, node_name="MseLossBackward0")
SMOOTH_L1_LOSS = defop("smooth_l1_loss", in_float32(_smooth_l1), _smooth_l1_grad,
                       lambda F, g, x, t, reduction, n, beta:
                       -_smooth_l1_grad(F, g, x, t, reduction, n, beta),
                       inputs=("x", "t"), params=_RN + ("beta",),
                       node_name="SmoothL1LossBackward0")
HUBER_LOSS = defop("huber_loss", in_float32(_huber), _huber_grad,
                   lambda F, g, x, t, reduction, n, delta:
                   -_huber_grad(F, g, x, t, reduction, n, delta),
                   inputs=("x", "t"), params=_RN + ("delta",), node_name="HuberLossBackward0")
SOFT_MARGIN_LOSS = defop("soft_margin_loss", in_float32(_soft_margin),
                         lambda F, g, x, t, reduction, n:
                         _spread(g, reduction, n) * -t * F.sigmoid(-t * x),
                         None, inputs=("x", "t"), params=_RN,
                         node_name="SoftMarginLossBackward0")
BCE = defop("binary_cross_entropy", in_float32(_bce), _bce_input_grad, _bce_target_grad, None,
            inputs=("x", "t", "w"), params=_RN, node_name="BinaryCrossEntropyBackward0")
BCE_LOGITS = defop("binary_cross_entropy_with_logits", in_float32(_bce_logits),
                   _bce_logits_input_grad, _bce_logits_target_grad, None, None,
                   inputs=("x", "t", "w", "pw"), params=_RN, node_name="BinaryCrossEntropyWithLogitsBackward0")

TensorOps.log_sigmoid = staticmethod(_logsigmoid)


def _pair(input, target, kernel, warn=True):
    """Input and target as arrays of their promoted dtype (PyTorch has no
    integer kernels for these losses), warning first where they broadcast."""
    input, target = as_tensor_arg(input), as_tensor_arg(target)
    if warn:
        _warn_broadcast(input._data, target._data, 4)
    (d, t), dt = promoted_arrays(input, target)
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dt.legacy}'")
    shape = check_broadcast(d.shape, t.shape)
    return input, target, d, t, _count(shape)


def _count(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _weighted(loss, weight, reduction):
    """PyTorch's elementwise `weight` of mse/l1/huber: the weighted sum, or
    its mean by the sum of the weights."""
    v = loss * weight
    if reduction == "none":
        return v
    return _sum(v) if reduction == "sum" else _sum(v) / _sum(weight)


def _check_loss_weight(weight, input):
    weight = as_tensor_arg(weight)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    return weight


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction_arg(reduction, size_average, reduce)
    input, target, d, t, n = _pair(input, target, "mse_cpu")
    if weight is not None:
        weight = _check_loss_weight(weight, input)
        return _weighted(apply(MSE_LOSS, (input, target), (d, t), ("none", n)), weight, reduction)
    return apply(MSE_LOSS, (input, target), (d, t), (reduction, n))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction_arg(reduction, size_average, reduce)
    input, target = as_tensor_arg(input), as_tensor_arg(target)
    _warn_broadcast(input._data, target._data)
    loss = _abs(input - target)
    if weight is not None:
        return _weighted(loss, _check_loss_weight(weight, input), reduction)
    return loss if reduction == "none" else _sum(loss) if reduction == "sum" else _mean(loss)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    reduction = _reduction_arg(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)   # (PyTorch's choice too)
    input, target, d, t, n = _pair(input, target, "smooth_l1_cpu")
    return apply(SMOOTH_L1_LOSS, (input, target), (d, t), (reduction, n, beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    reduction = _reduction_arg(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target, d, t, n = _pair(input, target, "huber_cpu")
    if weight is not None:
        weight = _check_loss_weight(weight, input)
        loss = apply(HUBER_LOSS, (input, target), (d, t), ("none", n, delta)) * weight
        # (PyTorch's weighted huber 'mean' is the plain mean, unlike mse's and l1's)
        return loss if reduction == "none" else _sum(loss) if reduction == "sum" else _mean(loss)
    return apply(HUBER_LOSS, (input, target), (d, t), (reduction, n, delta))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction_arg(reduction, size_average, reduce)
    input, target, d, t, n = _pair(input, target, "soft_margin_cpu", warn=False)
    _not_differentiable("soft_margin_loss", "target", target)
    return apply(SOFT_MARGIN_LOSS, (input, target), (d, t), (reduction, n))


def _same_dtype(input, other):
    if other._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {other.dtype.legacy} but expected {input.dtype.legacy}")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _reduction_arg(reduction, size_average, reduce)
    input, target = as_tensor_arg(input), as_tensor_arg(target)
    d, t = input._data, target._data
    if d.shape != t.shape:
        raise ValueError(f"Using a target size (torch.Size({list(t.shape)})) that is different "
                         f"to the input size (torch.Size({list(d.shape)})) is deprecated. Please "
                         "ensure they have the same size.")
    _same_dtype(input, target)
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"binary_cross_entropy\" not implemented for "
                                  f"'{input.dtype.legacy}'")
    if d.size and not bool(((d >= 0) & (d <= 1)).all()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = None
    if weight is not None:
        weight = as_tensor_arg(weight)
        _not_differentiable("binary_cross_entropy", "weight", weight)
        weight = weight.expand(check_broadcast(t.shape, weight._data.shape))
        w = weight._data.astype(d.dtype, copy=False)
    return apply(BCE, (input, target, weight), (d, t, w), (reduction, d.size))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    reduction = _reduction_arg(reduction, size_average, reduce)
    input, target = as_tensor_arg(input), as_tensor_arg(target)
    if input._data.shape != target._data.shape:
        raise ValueError(f"Target size (torch.Size({list(target._data.shape)})) must be the same "
                         f"as input size (torch.Size({list(input._data.shape)}))")
    weight = None if weight is None else as_tensor_arg(weight)
    pos_weight = None if pos_weight is None else as_tensor_arg(pos_weight)
    _, dt = promoted_arrays(*[v for v in (input, target, weight, pos_weight) if v is not None])
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"binary_cross_entropy_with_logits\" not implemented for "
                                  f"'{dt.legacy}'")
    # (every operand in the promoted dtype: a float64 target makes a float64 loss)
    arrays = [None if v is None else v._data if v._data.dtype == dt.np else v._data.astype(dt.np)
              for v in (input, target, weight, pos_weight)]
    for name, v in (("weight", weight), ("pos_weight", pos_weight)):
        _not_differentiable("binary_cross_entropy_with_logits", name, v)
    shape = input._data.shape
    for v in arrays[2:]:
        if v is not None:
            shape = check_broadcast(shape, v.shape)
    return apply(BCE_LOGITS, (input, target, weight, pos_weight), tuple(arrays),
                 (reduction, _count(shape)))


# --- nll_loss and cross_entropy -----------------------------------------------------------------
def _nll(x, m, reduction, cdim, scale, gscale, *, xp=_XP):
    picked = -_select(m != 0, x * m, 0, xp=xp).sum(axis=cdim)
    if reduction == "none":
        return picked
    s = picked.sum()
    return s if reduction == "sum" else s * scale


def _nll_grad(F, g, m, reduction, cdim, gscale):
    if reduction == "none":
        shape = tuple(g.shape)
        g = F.reshape(g, shape[:cdim] + (1,) + shape[cdim:])
    elif reduction == "mean":
        g = g * gscale           # (0, not nan, where every target is ignored: PyTorch's)
    return -g * m


NLL_LOSS = defop("nll_loss", in_float32(_nll), _nll_grad, None, inputs=("x", "m"),
                 params=("reduction", "cdim", "scale", "gscale"), node_name="NllLossBackward0")
_NLL_LOSS_2D = NLL_LOSS.variant("NllLoss2DBackward0")     # PyTorch's name for 3-D and more


def _check_nll_shapes(d, t):
    if d.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {d.ndim})")
    if d.ndim <= 2 and t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if d.ndim == 1 and t.ndim == 1 and t.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                         f"{t.shape[0]}")
    if d.ndim >= 2 and (t.ndim == 0 or d.shape[0] != t.shape[0]):
        raise ValueError(f"Expected input batch_size ({d.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if d.ndim >= 3 and t.shape != d.shape[:1] + d.shape[2:]:
        raise RuntimeError(f"Expected target size {list(d.shape[:1] + d.shape[2:])}, got "
                           f"{list(t.shape)}")


def _nll_weights(x, t, w, ignore_index, *, xp=_XP):
    """M: for each target, a row along the class dim with the class weight at
    the target class and 0 elsewhere (all 0 where target == ignore_index)."""
    cdim = 0 if x.ndim == 1 else 1
    n = x.shape[cdim]
    along = tuple(n if i == cdim else 1 for i in range(x.ndim))
    classes = xp.arange(n).reshape(along)
    t = t.reshape(t.shape[:cdim] + (1,) + t.shape[cdim:])
    onehot = t == classes
    if 0 <= ignore_index < n:
        # (an ignore_index outside the classes equals none of them already)
        onehot &= t != ignore_index
    m = onehot.astype(x.dtype)
    return m if w is None else m * w.reshape(along)


NLL_WEIGHTS = defop("nll_weights", _nll_weights, inputs=("x", "t", "w"),
                    params=("ignore_index",), quiet=False)      # a constant: no gradient


def _pick_weights(input, target, weight, ignore_index):
    """The targets checked, and (M, the class dim, 1 / sum(M) for 'mean': nan
    for the loss, 0 for the gradient where sum(M) is 0)."""
    d, t = input._data, target._data
    if t.dtype != _INT64 and t.dtype != _UINT8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{target.dtype.legacy}")
    cdim = 0 if d.ndim == 1 else 1
    n = d.shape[cdim]
    # (the targets' extremes first: where they lie among the classes, as
    # nearly always, no target is out of bounds or ignored)
    inside = t.size == 0 or (int(t.min()) >= 0 and int(t.max()) < n)
    if not inside:
        bad = (t != ignore_index) & ((t < 0) | (t >= n))
        if bool(bad.any()):
            first = int(t.reshape(-1)[int(bad.reshape(-1).argmax())])
            raise IndexError(f"Target {first} is out of bounds.")
    m = apply(NLL_WEIGHTS, (input, target, weight),
              (d, t, None if weight is None else weight._data), (ignore_index,))
    if inside and weight is None and not 0 <= ignore_index < n:
        total = float(t.size)              # every target counts once
    else:
        total = float(m._data.sum())
    return m, cdim, (1.0 / total if total else _NAN), (1.0 / total if total else 0.0)


def _class_weight(weight, d):
    if weight is None:
        return None
    weight = as_tensor_arg(weight)
    n_classes = d.shape[0 if d.ndim == 1 else 1]
    if weight._data.size != n_classes:
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight._data.shape)}")
    if weight._data.dtype != d.dtype:
        raise RuntimeError(f"expected scalar type {_dtypes.FROM_NP[d.dtype].legacy} but found "
                           f"{weight.dtype.legacy}")
    return weight


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    reduction = _reduction_arg(reduction, size_average, reduce)
    input, target = as_tensor_arg(input), as_tensor_arg(target)
    d = input._data
    _check_nll_shapes(d, target._data)
    if d.ndim == 1 and target._data.ndim == 1:
        target = target.reshape(())            # (one class index for one sample, as PyTorch reads it)
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"nll_loss_out_frame\" not implemented for "
                                  f"'{input.dtype.legacy}'")
    weight = _class_weight(weight, d)
    m, cdim, scale, gscale = _pick_weights(input, target, weight, ignore_index)
    node = _NLL_LOSS_2D if d.ndim >= 3 else None
    out = apply(NLL_LOSS, (input, m), (d, m._data), (reduction, cdim, scale, gscale), node)
    if reduction == "none" and (d.ndim == 3 or d.ndim > 4):
        # PyTorch computes these as 4-D and views the losses back: a ViewBackward0 on top
        out = out.view(tuple(out.shape))
    return out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    reduction = _reduction_arg(reduction, size_average, reduce)
    input, target = as_tensor_arg(input), as_tensor_arg(target)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
    d = input._data
    cdim = 0 if d.ndim == 1 else 1
    if d.ndim >= 1 and target._data.shape == d.shape:
        return _cross_entropy_probabilities(input, target, weight, ignore_index, reduction,
                                            label_smoothing, cdim)
    if d.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {d.ndim})")
    lsm = _log_softmax(input, cdim)
    loss = nll_loss(lsm, target, weight, None, ignore_index, None, reduction)
    if label_smoothing == 0:
        return loss
    # The smoothing term: -sum_c w_c log p_c per sample (0 where ignored),
    # reduced with nll_loss's denominator.
    n_classes = d.shape[cdim]
    wb = None if weight is None else as_tensor_arg(weight).reshape(
        tuple(n_classes if i == cdim else 1 for i in range(d.ndim)))
    smooth = -_sum(lsm if wb is None else lsm * wb, cdim)
    # (a fill, as PyTorch's masked_fill: an ignored sample's gradient is 0
    # even where the mean's denominator is 0, not inf * 0)
    smooth = _where(target != ignore_index, smooth, 0)
    if reduction == "sum":
        smooth = _sum(smooth)
    elif reduction == "mean":
        _, _, scale, _ = _pick_weights(input, target, None if wb is None else as_tensor_arg(weight),
                                       ignore_index)
        smooth = _sum(smooth) * scale
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / n_classes)


def _cross_entropy_probabilities(input, target, weight, ignore_index, reduction, eps, cdim):
    d, t = input._data, target._data
    if t.dtype.kind != "f":
        raise RuntimeError(f"Expected floating point type for target with class probabilities, "
                           f"got {target.dtype.legacy}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    n_classes = d.shape[cdim]
    lsm = _log_softmax(input, cdim)
    if eps > 0:
        target = target * (1 - eps) + eps / n_classes
    prod = lsm * target
    if weight is not None:
        weight = _class_weight(weight, d)
        prod = prod * weight.reshape(tuple(n_classes if i == cdim else 1 for i in range(d.ndim)))
    if reduction == "none":
        return -_sum(prod, cdim)
    if reduction == "sum":
        return -_sum(prod)
    # (PyTorch divides by a number there: DivBackward1)
    return _DIV.binary(-_sum(prod), d.size // n_classes if n_classes else 0, _DIV_BY_NUMBER)


# --- kl_div -------------------------------------------------------------------------------------
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if size_average is not None or reduce is not None:
        reduction = _reduction_arg(reduction, size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return kl_div_reduced(input, target, reduction, log_target)


def kl_div_reduced(input, target, reduction, log_target=False):
    """kl_div without nn.functional's argument handling (torch.kl_div's core)."""
    input, target = as_tensor_arg(input), as_tensor_arg(target)
    if log_target:
        loss = _exp(target) * (target - input)
    else:
        loss = _xlogy(target, target) - target * input
    if reduction == "none":
        return loss
    if reduction == "sum":
        return _sum(loss)
    if reduction == "mean":
        return _mean(loss)
    total = _sum(loss)
    return total / input._data.shape[0] if input._data.ndim else total


# --- similarity and distance --------------------------------------------------------------------
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 x2) / (max(|x1|, eps) max(|x2|, eps)) along dim, each vector
    scaled by its own clamped norm first (PyTorch's order, for precision)."""
    x1, x2 = as_tensor_arg(x1), as_tensor_arg(x2)
    if x1.shape != x2.shape:
        # (the norms are those of the broadcast vectors: a (1, n) x2 against a
        # (4, n) x1 along dim 0 is four copies of it)
        x1, x2 = _broadcast_tensors(x1, x2)
    return _sum((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps)), dim)


def _clamped_norm(x, dim, eps):
    """|x| along dim, at least eps in value; PyTorch clamps it in place outside
    the graph, so the gradient flows as if unclamped: the same here, the
    clamp's change added as a constant."""
    n = x.norm(2, dim, keepdim=True)
    return n + (n.clamp_min(eps) - n).detach()


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    x1, x2 = as_tensor_arg(x1), as_tensor_arg(x2)
    diff = x1 - x2 + eps
    d = diff._data
    dims = (d.ndim - 1,) if d.ndim else None
    # torch.norm(diff, p, -1): the vector norm under the name NormBackward1
    return apply(_NORM, (diff,), (d,), (p, dims, keepdim, d.shape), _NORM_DIM)


# torch.<name> where PyTorch has one.
# (torch.binary_cross_entropy_with_logits and torch.kl_div are ATen forms taking an int
# reduction: not given.)
for _fn in (cosine_similarity, pairwise_distance):
    expose(_fn, function=True, method=False, formulas=False)

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "nll_loss",
           "cross_entropy", "kl_div", "cosine_similarity", "pairwise_distance"]


# vmap (ops/_batching.py): elementwise losses, reduced per sample.
_batching.batching(_batching.reducing_losses, MSE_LOSS, SMOOTH_L1_LOSS, HUBER_LOSS,
                   SOFT_MARGIN_LOSS, BCE)

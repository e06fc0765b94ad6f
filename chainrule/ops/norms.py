"""nn.functional's normalisations: layer_norm, batch_norm, group_norm,
instance_norm, normalize.

layer, batch (training) and group norm are one op, NATIVE_NORM, under
PyTorch's three names: x is seen as `gshape` (group norm splits the
channels into groups there), normalised to zero mean and unit (biased)
variance over the `red` dims of that view, then scaled and shifted by the
weight and bias, viewed as `wshape` (per channel, or the normalised shape's
trailing dims).  Its derivative is the classic one,

    dx = rstd (gx - mean(gx) - xhat mean(gx xhat)),   gx = g * weight,

with the statistics recomputed from x in F-ops, so it is differentiable
again (create_graph, forward mode).  Batch norm in evaluation mode uses the
running statistics: an affine map of x, its own op (BN_EVAL).  Running
statistics are updated in place, outside the graph, with the unbiased
batch variance, as PyTorch does.

normalize is a composition (x / max(norm, eps)), as in PyTorch.
"""
from .. import _dtypes
from .._grad_mode import no_grad
from .._inplace_state import CAPTURE as _CAPTURE
from . import _backend
from ._args import as_tensor_arg
from . import _batching
from ._dispatch import apply
from ._half import in_float32
from ._registry import defop, expose

_XP = _backend.NUMPY.xp      # forwards' `xp` by default; _backend.bind gives other libraries theirs


def _count(shape, dims):
    n = 1
    for i in dims:
        n *= shape[i]
    return n


def _stats(xg, red, eps, xp):
    """(x - mean) and 1 / sqrt(var + eps) over `red` (biased variance; sums
    times 1/n, so an empty slice gives nan without NumPy's warning)."""
    n = _count(xg.shape, red)
    inv = 1.0 / n if n else float("nan")
    c = xg - xg.sum(axis=red, keepdims=True) * inv
    return c, 1.0 / xp.sqrt((c * c).sum(axis=red, keepdims=True) * inv + eps)


def _affine(y, w, b, wshape):
    if w is not None:
        y = y * w.reshape(wshape)
    if b is not None:
        y = y + b.reshape(wshape)
    return y


def _native_norm(x, w, b, gshape, red, wshape, eps, *, xp=_XP):
    c, rstd = _stats(x.reshape(gshape), red, eps, xp)
    return _affine((c * rstd).reshape(x.shape), w, b, wshape)


def _bn_eval(x, w, b, rm, rv, wshape, eps, *, xp=_XP):
    y = (x - rm.reshape(wshape)) / xp.sqrt(rv.reshape(wshape) + eps)
    return _affine(y, w, b, wshape)


# --- formulas (F-ops: both namespaces) ----------------------------------------------------------
def _xhat(F, x, gshape, red, eps):
    """(x - mean) * rstd in the statistics view, and rstd."""
    xg = F.reshape(x, gshape)
    c = xg - F.mean(xg, red, True)
    rstd = F.rsqrt(F.mean(c * c, red, True) + eps)
    return c * rstd, rstd


def _norm_x_grad(F, g, x, w, gshape, red, wshape, eps):
    gx = g if w is None else g * F.reshape(w, wshape)
    xhat, rstd = _xhat(F, x, gshape, red, eps)
    gg = F.reshape(gx, gshape)
    dx = rstd * (gg - F.mean(gg, red, True) - xhat * F.mean(gg * xhat, red, True))
    return F.reshape(dx, tuple(x.shape))


def _param_sum(F, v, wshape, shape):
    """v summed over the dims where the parameter broadcasts, as the parameter's shape."""
    dims = tuple(i for i, s in enumerate(wshape) if s == 1 and v.shape[i] != 1)
    if dims:
        v = F.sum(v, dims, True)
    return F.reshape(v, tuple(shape))


def _norm_w_grad(F, g, x, w, gshape, red, wshape, eps):
    xhat, _ = _xhat(F, x, gshape, red, eps)
    return _param_sum(F, g * F.reshape(xhat, tuple(x.shape)), wshape, w.shape)


def _norm_b_grad(F, g, b, wshape):
    return _param_sum(F, g, wshape, b.shape)


def _bn_eval_x_grad(F, g, w, rv, wshape, eps):
    gx = g if w is None else g * F.reshape(w, wshape)
    return gx * F.rsqrt(F.reshape(rv, wshape) + eps)


def _bn_eval_w_grad(F, g, x, w, rm, rv, wshape, eps):
    xhat = (x - F.reshape(rm, wshape)) * F.rsqrt(F.reshape(rv, wshape) + eps)
    return _param_sum(F, g * xhat, wshape, w.shape)


_PARAMS = ("gshape", "red", "wshape", "eps")
NATIVE_NORM = defop("native_norm", in_float32(_native_norm), _norm_x_grad, _norm_w_grad,
                    lambda F, g, b, gshape, red, wshape, eps: _norm_b_grad(F, g, b, wshape),
                    inputs=("x", "w", "b"), params=_PARAMS, node_name="NativeLayerNormBackward0")
_LAYER_NORM = NATIVE_NORM.Node
_BATCH_NORM = NATIVE_NORM.variant("NativeBatchNormBackward0")
_GROUP_NORM = NATIVE_NORM.variant("NativeGroupNormBackward0")
BN_EVAL = defop("batch_norm_eval", in_float32(_bn_eval), _bn_eval_x_grad, _bn_eval_w_grad,
                lambda F, g, b, wshape, eps: _norm_b_grad(F, g, b, wshape), None, None,
                inputs=("x", "w", "b", "rm", "rv"), params=("wshape", "eps"),
                node_name="NativeBatchNormBackward0")


def _float_input(input, kernel):
    input = as_tensor_arg(input)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype.legacy}'")
    return input


def _mixed_affine(input, *params):
    """PyTorch's CPU rule for layer and group norm's weight and bias: when the
    first one given has another dtype than the input, all must be float32 and
    the input half precision (True: the parameters are then cast to it)."""
    given = [as_tensor_arg(v) for v in params if v is not None]
    if not given or given[0]._data.dtype == input._data.dtype:
        return False
    if any(_dtypes.FROM_NP[v._data.dtype] is not _dtypes.float32 for v in given):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if _dtypes.FROM_NP[input._data.dtype] is not _dtypes.float16:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    return True


def _affine_params(input, mixed, *params):
    """Layer and group norm's weight and bias as (tensor, array) pairs in the
    input's dtype: cast where mixed precision allows it, refused otherwise."""
    out = []
    for v in params:
        if v is not None:
            v = as_tensor_arg(v)
            if mixed:
                v = v.to(input.dtype)
            elif v._data.dtype != input._data.dtype:
                raise RuntimeError(f"expected scalar type {input.dtype.legacy} but found "
                                   f"{v.dtype.legacy}")
        out += [v, None if v is None else v._data]
    return out


# --- layer_norm ---------------------------------------------------------------------------------
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"layer_norm(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    ns = tuple(int(s) for s in normalized_shape)
    input = as_tensor_arg(input)
    d = input._data
    if not ns:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and tuple(v.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(v.shape)} and normalized_shape = {list(ns)}")
    if d.ndim < len(ns) or d.shape[d.ndim - len(ns):] != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size{list(d.shape)}")
    mixed = _mixed_affine(input, weight, bias)
    input = _float_input(input, "LayerNormKernelImpl")
    weight, w, bias, b = _affine_params(input, mixed, weight, bias)
    lead = d.ndim - len(ns)
    red = tuple(range(lead, d.ndim))
    wshape = (1,) * lead + ns
    return apply(NATIVE_NORM, (input, weight, bias), (d, w, b), (d.shape, red, wshape, eps),
                 _LAYER_NORM)


# --- batch_norm ---------------------------------------------------------------------------------
def _check_channels(name, v, channels):
    if v is not None and v._data.size != channels:
        raise RuntimeError(f"{name} should contain {channels} elements not {v._data.size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    input = as_tensor_arg(input)
    d = input._data
    if momentum is None:
        raise TypeError("batch_norm(): argument 'momentum' (position 7) must be float, not "
                        "NoneType")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"{'running_mean' if running_mean is None else 'running_var'} must "
                           f"be defined in evaluation mode")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    if training:
        size = d.shape
        per_channel = size[0] * _count(size, range(2, len(size))) if len(size) >= 1 else 1
        if per_channel == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size torch.Size({list(size)})")
    channels = d.shape[1] if d.ndim >= 2 else 0
    for name, v in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_channels(name, v, channels)
    input = _float_input(input, "batch_norm")
    # (PyTorch's kernel check comes first here, then its mixed-dtype rule)
    mixed = _mixed_affine(input, weight, bias, running_mean, running_var)
    weight, w, bias, b = _affine_params(input, mixed, weight, bias)
    rm_t, rm, rv_t, rv = _affine_params(input, mixed, running_mean, running_var)
    wshape = (1, channels) + (1,) * (d.ndim - 2)
    if not training:
        return apply(BN_EVAL, (input, weight, bias, rm_t, rv_t), (d, w, b, rm, rv), (wshape, eps))
    red = (0,) + tuple(range(2, d.ndim))
    out = apply(NATIVE_NORM, (input, weight, bias), (d, w, b), (d.shape, red, wshape, eps),
                _BATCH_NORM)
    if rm_t is not None:
        if mixed:
            # the float32 buffers themselves (rm_t, rv_t are half copies),
            # from float32 statistics of the half input
            rm_t, rv_t = as_tensor_arg(running_mean), as_tensor_arg(running_var)
            d = d.astype(rm_t._data.dtype)
        _update_running_stats(d, red, rm_t, rv_t, momentum)
    return out


def _update_running_stats(d, red, rm, rv, momentum):
    """running = (1 - momentum) running + momentum batch statistic, in place
    (the variance unbiased: n / (n - 1) times the one normalised with)."""
    if not _count(d.shape, red):
        return
    arrays = (d, None if rm is None else rm._data, None if rv is None else rv._data)
    if _CAPTURE[0] is not None:      # (chainrule.compile: a step of the replay, on the arrays)
        _CAPTURE[0].raw_effect(_running_update, arrays, (red, momentum),
                               [t for t in (rm, rv) if t is not None])
    _running_update(*arrays, red, momentum)


def _running_update(d, a_mean, a_var, red, momentum):
    """The running statistics' update, on arrays."""
    n = _count(d.shape, red)
    mean = d.sum(axis=red) * (1.0 / n)
    c = d - mean.reshape((1, -1) + (1,) * (d.ndim - 2))
    var = (c * c).sum(axis=red) * (1.0 / (n - 1) if n > 1 else float("nan"))
    # Written into the buffers' memory as PyTorch's kernel does: outside the
    # graph and without a version bump (torch leaves running_mean._version at 0).
    for a, stat in ((a_mean, mean), (a_var, var)):
        if a is not None:
            a[...] = (a * (1 - momentum) + stat * momentum).astype(a.dtype, copy=False)


# --- group_norm and instance_norm ---------------------------------------------------------------
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    input = as_tensor_arg(input)
    d = input._data
    if d.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{d.ndim}")
    channels = d.shape[1]
    # PyTorch's checks in its order: the values per group (its `//` by
    # num_groups raising Python's ZeroDivisionError for 0), then the group
    # count's sign, then divisibility.
    size = [d.shape[0] * channels // num_groups, num_groups] + list(d.shape[2:])
    if size[0] * _count(size, range(2, len(size))) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{size}")
    if num_groups <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {num_groups}")
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(d.shape)} and num_groups={num_groups}")
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and (v.dim() != 1 or v.numel() != channels):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(v.shape)} and "
                               f"input of shape {list(d.shape)}")
    mixed = _mixed_affine(input, weight, bias)
    input = _float_input(input, "GroupNormKernelImpl")
    weight, w, bias, b = _affine_params(input, mixed, weight, bias)
    gshape = (d.shape[0], num_groups, _count(d.shape, range(1, d.ndim)) // num_groups)
    wshape = (1, channels) + (1,) * (d.ndim - 2)
    return apply(NATIVE_NORM, (input, weight, bias), (d, w, b), (gshape, (2,), wshape, eps),
                 _GROUP_NORM)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    """Batch norm of each (sample, channel) over its positions: the input seen
    as one sample of N * C channels, as PyTorch computes it."""
    input = as_tensor_arg(input)
    d = input._data
    if d.ndim >= 2 and use_input_stats and _count(d.shape, range(2, d.ndim)) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"torch.Size({list(d.shape)})")
    n, c = d.shape[0], d.shape[1]
    x = input.reshape((1, n * c) + d.shape[2:])
    rep = [None if v is None else as_tensor_arg(v).repeat(n)
           for v in (running_mean, running_var, weight, bias)]
    out = batch_norm(x, rep[0], rep[1], rep[2], rep[3], use_input_stats, momentum, eps)
    if use_input_stats:
        # The running statistics: the mean over the batch of each channel's.
        with no_grad():
            for v, r in ((running_mean, rep[0]), (running_var, rep[1])):
                if v is not None:
                    v.copy_(r.reshape((n, c)).mean(0))
    return out.reshape(d.shape)


# --- normalize ----------------------------------------------------------------------------------
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    input = as_tensor_arg(input)
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


# torch.<name>: the ATen forms, whose arguments come in another order.
def _torch_layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05,
                      cudnn_enable=True):
    return layer_norm(input, normalized_shape, weight, bias, eps)


def _torch_group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return group_norm(input, num_groups, weight, bias, eps)


def _torch_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                      cudnn_enabled):
    return batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _torch_instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                         momentum, eps, cudnn_enabled):
    return instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                         momentum, eps)


for _name, _fn in (("layer_norm", _torch_layer_norm), ("group_norm", _torch_group_norm),
                   ("batch_norm", _torch_batch_norm), ("instance_norm", _torch_instance_norm)):
    _fn.__name__ = _fn.__qualname__ = _name
    expose(_fn, function=True, method=False, formulas=False)

__all__ = ["layer_norm", "batch_norm", "group_norm", "instance_norm", "normalize"]


# --- vmap (ops/_batching.py) ------------------------------------------------------------------
def _batched_norm(c):
    """layer_norm / group_norm of each sample: the statistics' view and the
    reduced dims gain the batch dimension; one weight and bias for every
    sample broadcast over it.  batch_norm (running statistics) and weights
    per sample take the loop."""
    if c.node_cls is _BATCH_NORM or any(c.batched[1:]):
        return NotImplemented
    gshape, red, wshape, eps = c.params
    return c.apply(c.xs, ((c.size,) + tuple(gshape), tuple(r + 1 for r in red),
                          (1,) + tuple(wshape), eps))


_batching.batching(_batched_norm, NATIVE_NORM)

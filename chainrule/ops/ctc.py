"""The connectionist temporal classification loss (torch.ctc_loss,
nn.functional.ctc_loss, nn.CTCLoss), as one op under PyTorch's grad_fn name.

Each target sequence l of length S is extended with blanks, l' = (b, l1, b,
l2, ..., b, lS, b) of length 2S + 1.  In log space the forward variable is

    alpha_t(s) = lp[t, l'_s] + logsumexp(alpha_{t-1}(s), alpha_{t-1}(s-1),
                                         alpha_{t-1}(s-2) if l'_s != b and l'_s != l'_{s-2})

from alpha_{-1} = (0, -inf, ...), and the loss is -logsumexp(alpha_{T-1}(2S),
alpha_{T-1}(2S-1)) with T the sample's input length.  One step computes every
sample and every label position at once (the extended labels of a batch are
padded to one length: positions past a sample's 2S + 1 never feed back into
lower ones); only time is a Python loop.  The backward variable beta runs the
same recursion from the end, and alpha_t(s) + beta_t(s) - lp[t, l'_s] is the
log probability of the paths through (t, s).

The gradient is PyTorch's: for t below the input length,

    d/d lp[t, c] = exp(lp[t, c]) - exp(logsumexp_{s: l'_s = c}(alpha_t(s) + beta_t(s)) + nll - lp[t, c])

(0 past it, and 0 for an infinite loss under zero_infinity).  The second term
is the true derivative; the first, exp(lp), assumes log_probs are log_softmax
outputs and is what log_softmax's backward then cancels, so torch returns (and
chainrule matches) that value for any input.  The backward recomputes alpha and
beta rather than saving them (PyTorch saves alpha).  It is one op,
ctc_loss_backward, with no derivative of its own: a second derivative raises
PyTorch's error, as does forward-mode AD.

'mean' divides each loss by its target length (at least 1), then averages
over the batch; 'sum' adds them (PyTorch's DivBackward0 / MeanBackward0 and
SumBackward0 on top).
"""
from .. import _dtypes
from .._tensor import Tensor
from ..autograd import forward_ad as _forward_ad
from . import _backend
from . import pointwise as _pw, reduce as _reduce, shape as _shape
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import defop, expose

_XP = _backend.NUMPY.xp
_INF = float("inf")
_CHECKING = " (while checking arguments for ctc_loss_allocate_outputs)"


def _lse(xp, *terms):
    """Elementwise logsumexp of same-shape arrays (all -inf gives -inf)."""
    m = terms[0]
    for v in terms[1:]:
        m = xp.maximum(m, v)
    safe = xp.where(m == -_INF, 0, m)
    s = xp.exp(terms[0] - safe)
    for v in terms[1:]:
        s = s + xp.exp(v - safe)
    return xp.log(s) + safe


def _emissions(lp, ext, xp):
    """lp[t, n, l'_s] for every time, sample and extended-label position: (T, N, L)."""
    n = lp.shape[1]
    return lp[:, xp.arange(n).reshape(n, 1), ext]


def _shift(a, k, xp):
    """a moved k positions up the label axis (-inf, or False, coming in)."""
    pad = xp.full(a.shape[:1] + (k,), -_INF if a.dtype.kind == "f" else 0, dtype=a.dtype)
    return xp.concatenate([pad, a], axis=1)[:, :a.shape[1]]


def _unshift(a, k, xp):
    """a moved k positions down the label axis (-inf, or False, coming in)."""
    pad = xp.full(a.shape[:1] + (k,), -_INF if a.dtype.kind == "f" else 0, dtype=a.dtype)
    return xp.concatenate([a, pad], axis=1)[:, k:]


def _log_alpha(em, skip, xp):
    """alpha_{t} for t = -1 .. T-1: (T + 1, N, L)."""
    t_len, n, length = em.shape
    a = xp.full((n, length), -_INF, dtype=em.dtype)
    a[:, 0] = 0
    out = xp.empty((t_len + 1, n, length), dtype=em.dtype)
    out[0] = a
    for t in range(t_len):
        a = _lse(xp, a, _shift(a, 1, xp), xp.where(skip, _shift(a, 2, xp), -_INF)) + em[t]
        out[t + 1] = a
    return out


def _log_beta(em, skip, il, tl, xp):
    """beta_t for t = 0 .. T-1 (-inf from each sample's input length on): (T, N, L)."""
    t_len, n, length = em.shape
    s = xp.arange(length).reshape(1, length)
    end = tl.reshape(n, 1) * 2
    term = xp.where((s == end) | (s == end - 1), 0.0, -_INF).astype(em.dtype)
    skip_next = _unshift(skip, 2, xp)          # may s jump to s + 2
    last = (il - 1).reshape(n, 1)
    b = xp.full((n, length), -_INF, dtype=em.dtype)
    out = xp.empty((t_len, n, length), dtype=em.dtype)
    for t in range(t_len - 1, -1, -1):
        rec = _lse(xp, b, _unshift(b, 1, xp), xp.where(skip_next, _unshift(b, 2, xp), -_INF))
        b = xp.where(t == last, term, xp.where(t < last, rec, -_INF)) + em[t]
        out[t] = b
    return out


def _ctc_nll(lp, ext, skip, il, tl, zero_infinity=False, *, xp=_XP):
    n = lp.shape[1]
    alpha = _log_alpha(_emissions(lp, ext, xp), skip, xp)
    rows = xp.arange(n)
    at_end = alpha[il, rows]                                 # (N, L): alpha after il steps
    last = at_end[rows, 2 * tl]
    before = xp.where(tl > 0, at_end[rows, xp.maximum(2 * tl - 1, 0)], -_INF)
    return -_lse(xp, last, before)


def _ctc_grad(g, lp, nll, ext, skip, il, tl, zero_infinity, *, xp=_XP):
    """PyTorch's gradient of the per-sample losses (see the module docstring)."""
    t_len, n, c = lp.shape
    em = _emissions(lp, ext, xp)
    ab = _log_alpha(em, skip, xp)[1:] + _log_beta(em, skip, il, tl, xp)     # (T, N, L)
    m = ab.max(axis=2, keepdims=True)
    m = xp.where(m == -_INF, 0, m)
    onehot = (ext.reshape(n, -1, 1) == xp.arange(c).reshape(1, 1, c)).astype(lp.dtype)
    per_class = xp.matmul(xp.exp(ab - m).transpose(1, 0, 2), onehot).transpose(1, 0, 2)
    lcab = xp.log(per_class) + m                                              # (T, N, C)
    res = xp.exp(lp) - xp.exp(lcab + nll.reshape(1, n, 1) - lp)
    keep = xp.arange(t_len).reshape(t_len, 1, 1) < il.reshape(1, n, 1)
    if zero_infinity:
        keep = keep & (nll != _INF).reshape(1, n, 1)
    return xp.where(keep, res * g.reshape(1, n, 1), 0).astype(lp.dtype, copy=False)


def _no_derivative(F, g, g0, lp, nll):
    raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


_PARAMS = ("ext", "skip", "il", "tl")
CTC_BACKWARD = defop("ctc_loss_backward", _ctc_grad, inputs=("g0", "lp", "nll"),
                     params=_PARAMS + ("zero_infinity",), combined=_no_derivative,
                     node_name="NotImplemented")
CTC_LOSS = defop("ctc_loss", _ctc_nll,
                 lambda F, g, lp, out, ext, skip, il, tl, zero_infinity:
                 F.ctc_loss_backward(g, lp, out, ext, skip, il, tl, zero_infinity),
                 inputs=("lp",), params=_PARAMS + ("zero_infinity",),
                 node_name="CtcLossBackward0")
# (zero_infinity is a parameter of the op only for its backward, as in PyTorch)


def _ctc_loss_backward(g, lp, nll, ext, skip, il, tl, zero_infinity):
    return apply(CTC_BACKWARD, (g, lp, nll), (g._data, lp._data, nll._data),
                 (ext, skip, il, tl, zero_infinity))


expose(_ctc_loss_backward, "ctc_loss_backward", function=False, method=False)


# --- the public forms -----------------------------------------------------------------------------
def _lengths(v, name, xp):
    """input_lengths / target_lengths: an integer tensor or a sequence of ints, as int64."""
    if isinstance(v, Tensor):
        d = v._data
        if d.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return d.reshape(-1).astype(_dtypes.int64.np)
    return xp.asarray([int(i) for i in v], dtype=_dtypes.int64.np).reshape(-1)


def _checked(log_probs, targets, input_lengths, target_lengths, blank):
    """The inputs batched, checked as PyTorch checks them, and the extended
    labels: (log_probs (T, N, C), ext, skip, il, tl, unbatched)."""
    log_probs, targets = as_tensor_arg(log_probs), as_tensor_arg(targets)
    xp = _backend.namespace(log_probs._data)
    il = _lengths(input_lengths, "input_lengths", xp)
    tl = _lengths(target_lengths, "target_lengths", xp)
    unbatched = log_probs.ndim != 3
    if unbatched:
        log_probs = _shape.unsqueeze(log_probs, 1)
        if targets.ndim == 1:
            targets = targets.reshape((1, -1))
    lp, tg = log_probs._data, targets._data
    if lp.size == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    if lp.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional tensor "
                           f"for argument #1 'log_probs'{_CHECKING}")
    t_len, n, c = lp.shape
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    if il.shape[0] != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.shape[0] != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    if tg.ndim not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {tg.ndim}-dimensional tensor "
                           f"for argument #2 'targets'{_CHECKING}")
    for name, v, top in (("target_lengths", tl, None), ("input_lengths", il, t_len)):
        if v.size and int(v.min()) < 0:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                               f"{int(v.min())}{_CHECKING}")
        if top is not None and v.size and int(v.max()) > top:
            raise RuntimeError(f"Expected {name} to have value at most {top}, but got value "
                               f"{int(v.max())}{_CHECKING}")
    s_max = int(tl.max()) if tl.size else 0
    tg = tg.astype(_dtypes.int64.np)
    if tg.ndim == 1:
        total = int(tl.sum())
        if tg.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got "
                               f"size {tg.shape[0]} for argument #2 'targets'{_CHECKING}")
        # the concatenated targets padded into rows
        starts = xp.cumsum(tl) - tl
        cols = xp.arange(s_max).reshape(1, s_max)
        inside = cols < tl.reshape(n, 1)
        flat = xp.where(inside, starts.reshape(n, 1) + cols, 0)
        padded = tg[flat] if total else xp.zeros((n, s_max), dtype=tg.dtype)
    else:
        if tg.shape[0] != n:
            raise RuntimeError(f"Expected tensor to have size {n} at dimension 0, but got size "
                               f"{tg.shape[0]} for argument #2 'targets'{_CHECKING}")
        if tg.shape[1] < s_max:
            raise RuntimeError(f"Expected tensor to have size at least {s_max} at dimension 1, "
                               f"but got size {tg.shape[1]} for argument #2 'targets'{_CHECKING}")
        padded = tg[:, :s_max]
    # extended labels: blank, l1, blank, l2, ..., blank (blank past each sample's end)
    length = 2 * s_max + 1
    s = xp.arange(length).reshape(1, length)
    label = padded[:, xp.minimum((s.reshape(-1) - 1) // 2, max(s_max - 1, 0))] if s_max else \
        xp.full((n, length), blank, dtype=tg.dtype)
    is_label = (s % 2 == 1) & (s < 2 * tl.reshape(n, 1) + 1)
    ext = xp.where(is_label, label, blank)
    two_back = xp.concatenate([xp.full((n, 2), -1, dtype=ext.dtype), ext], axis=1)[:, :length]
    skip = is_label & (ext != two_back) & (s >= 2)
    return log_probs, ext, skip, il, tl, unbatched


def _ctc(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
    lp_in = as_tensor_arg(log_probs)
    log_probs, ext, skip, il, tl, unbatched = _checked(lp_in, targets, input_lengths,
                                                       target_lengths, blank)
    lp = log_probs._data
    if lp.dtype.kind != "f" or lp.dtype.itemsize < 4:
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for "
                                  f"'{log_probs.dtype.legacy}'")
    if _forward_ad.current_level() is not None and lp_in._fw_tangent is not None:
        raise NotImplementedError(
            "Trying to use forward AD with _ctc_loss that does not support it because it has not "
            "been implemented yet.\nPlease file an issue to PyTorch at https://github.com/pytorch/"
            "pytorch/issues/new?template=feature-request.yml so that we can prioritize its "
            "implementation or submit a PR adding the implementation to derivatives.yaml")
    loss = apply(CTC_LOSS, (log_probs,), (lp,), (ext, skip, il, tl, bool(zero_infinity)))
    if zero_infinity:
        loss = _pw.where(loss == _INF, 0.0, loss)
    if reduction == "mean":
        xp = _backend.namespace(lp)
        denom = as_tensor_arg(xp.maximum(tl, 1).astype(lp.dtype))
        return _reduce.mean(loss / denom)
    if reduction == "sum":
        return _reduce.sum(loss)
    return _shape.squeeze(loss, 0) if unbatched else loss


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """nn.functional.ctc_loss."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _ctc(log_probs, targets, input_lengths, target_lengths, blank, reduction,
                zero_infinity)


def torch_ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0,
                   zero_infinity=False):
    """torch.ctc_loss: reduction as ATen's number (1 mean, 2 sum, anything else none; torch
    2.13's binding defaults it to none)."""
    red = {1: "mean", 2: "sum"}.get(reduction, "none")
    return _ctc(log_probs, targets, input_lengths, target_lengths, blank, red, zero_infinity)


expose(torch_ctc_loss, "ctc_loss", method=False, formulas=False)

__all__ = ["ctc_loss"]

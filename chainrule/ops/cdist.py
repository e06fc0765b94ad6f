"""torch.cdist: p-norm distances between the rows of x1 (..., P, M) and the
rows of x2 (..., R, M), batch dimensions broadcast.

One op: the forward on arrays, the gradient written with F ops from the
saved inputs and the saved distances, so higher orders come from the same
formula.  With d = x1_i - x2_j and D = ||d||_p, dD/dd is
  p = 2:    d / D             p = 1: sign(d)           p = 0: 0 (D counts nonzeros)
  p = inf:  sign(d) where |d| = D (every maximum, as PyTorch)
  other p:  sign(d) |d|^(p-1) / D^(p-1)
and 0 where D = 0 (and, for p < 1, where d = 0), as in PyTorch.
"""
import math

from . import _backend
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import defop, expose

_XP = _backend.NUMPY.xp
_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
          "donot_use_mm_for_euclid_dist")


def _diffs(x1, x2, reshape):
    """x1_i - x2_j as (..., P, R, M)."""
    s1, s2 = tuple(x1.shape), tuple(x2.shape)
    return reshape(x1, s1[:-1] + (1, s1[-1])) - reshape(x2, s2[:-2] + (1,) + s2[-2:])


def _forward(x1, x2, p, *, xp=_XP):
    d = xp.abs(_diffs(x1, x2, lambda a, s: a.reshape(s)))
    if p == 0:
        return (d != 0).sum(axis=-1).astype(x1.dtype)
    if p == 1:
        return d.sum(axis=-1)
    if p == 2:
        return xp.sqrt((d * d).sum(axis=-1))
    if p == math.inf:
        return d.max(axis=-1) if d.shape[-1] else d.sum(axis=-1)
    return (d ** p).sum(axis=-1) ** (1.0 / p)


def _weights(F, x1, x2, out, p):
    """dD/dd for every pair, (..., P, R, M)."""
    d = _diffs(x1, x2, F.reshape)
    D = F.reshape(out, tuple(out.shape) + (1,))
    if p == 0:
        return d * 0
    if p == 1:
        return F.sign(d)
    zero = D == 0
    if p == 2:
        return F.where(zero, 0, d / F.where(zero, 1, D))
    if p == math.inf:
        return F.where(F.abs(d) == D, F.sign(d), 0)
    a = F.abs(d)
    dead = zero | (a == 0) if p < 1 else zero
    safe_a, safe_D = F.where(dead, 1, a), F.where(zero, 1, D)
    return F.where(dead, 0, F.sign(d) * F.pow(safe_a / safe_D, p - 1))


def _grads(F, g, x1, x2, out, p):
    w = _weights(F, x1, x2, out, p) * F.reshape(g, tuple(g.shape) + (1,))
    nd = len(w.shape)
    # (each sum is brought back to its input's batch shape by the node)
    return F.sum(w, (nd - 2,), False), -F.sum(w, (nd - 3,), False)


CDIST = defop("cdist", _forward, inputs=("x1", "x2"), params=("p",), combined=_grads)
_CDIST_MM = CDIST.variant("ViewBackward0")      # PyTorch's matmul route for large p = 2 inputs


def cdist(x1, x2, p=2.0, compute_mode=None):
    x1, x2 = as_tensor_arg(x1), as_tensor_arg(x2)
    a, b = x1._data, x2._data
    if a.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if b.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {b.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                           f"X2: {b.shape[-1]}")
    if a.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {x1.dtype.legacy}")
    if b.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X2 got: {x2.dtype.legacy}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {x1.dtype.legacy} but found {x2.dtype.legacy}")
    if compute_mode is not None and compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    p = float(p)
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    batch1, batch2 = a.shape[:-2], b.shape[:-2]
    for i in range(1, min(len(batch1), len(batch2)) + 1):
        m, n = batch1[-i], batch2[-i]
        if m != n and m != 1 and n != 1:
            k = max(len(batch1), len(batch2)) - i
            raise RuntimeError(f"The size of tensor a ({m}) must match the size of tensor b ({n}) "
                               f"at non-singleton dimension {k}")
    mode = compute_mode or _MODES[0]
    big = a.shape[-2] > 25 or b.shape[-2] > 25
    node = _CDIST_MM if p == 2 and (mode == _MODES[1] or (mode == _MODES[0] and big)) else None
    return apply(CDIST, (x1, x2), (a, b), (p,), node)


expose(cdist, method=False, formulas=False)

"""Householder QR in LAPACK's packed form (issue 11): geqrf, orgqr /
linalg.householder_product, ormqr.

geqrf(A) -> (a, tau): R on and above a's diagonal, below it the reflectors'
vectors v_i (v_i[i] = 1 implied, zeros above), H_i = I - tau_i v_i v_i^T and
A = H_1 ... H_k R (LAPACK's dlarfg signs: beta = -sign(alpha) ||x||).  No
gradient, as PyTorch's.
householder_product(a, tau) = the first n columns of H_1 ... H_k; ormqr
multiplies another matrix by H_1 ... H_k (or its transpose) from either side.

Their gradients (written with F ops, so any order works): with
P_i = H_1 ... H_i-1, S_i = H_i+1 ... H_k E and the product's gradient G,
  <G, P_i dH_i S_i> = <M_i, dH_i>,  M_i = P_i^T G S_i^T,
  dH_i = -dtau_i v v^T - tau_i (dv v^T + v dv^T), so
  g_tau_i = -v^T M_i v,   g_v_i = -tau_i (M_i + M_i^T) v  (kept below the diagonal).
"""
from .. import _dtypes
from . import _backend, _out
from ._args import as_tensor_arg, check_broadcast
from ._dispatch import apply
from ._registry import defop, expose

_XP = _backend.NUMPY.xp


def _mT(x):
    return x.swapaxes(-2, -1)


# --- geqrf on arrays ---------------------------------------------------------------------------
def _geqrf_arrays(a, xp):
    m, n = a.shape[-2:]
    k = min(m, n)
    r = a.astype(a.dtype)                         # a copy, written below
    taus = []
    for j in range(k):
        alpha = r[..., j, j]
        x = r[..., j + 1:, j]
        xnorm = (x * x).sum(axis=-1) ** 0.5 if m > j + 1 else alpha * 0
        trivial = xnorm == 0
        beta = -xp.where(alpha >= 0, 1.0, -1.0) * (alpha * alpha + xnorm * xnorm) ** 0.5
        safe_beta = xp.where(trivial, 1.0, beta)
        tau = xp.where(trivial, 0.0, (beta - alpha) / safe_beta)
        scale = xp.where(trivial, 0.0, 1.0 / xp.where(trivial, 1.0, alpha - beta))
        v = xp.concatenate([xp.ones(alpha.shape + (1,), dtype=a.dtype),
                            x * scale.reshape(scale.shape + (1,))], axis=-1)      # (..., m-j)
        # apply H = I - tau v v^T to the trailing columns
        if j + 1 < n:
            block = r[..., j:, j + 1:]
            w = xp.matmul(v.reshape(v.shape[:-1] + (1, m - j)), block)           # (..., 1, n-j-1)
            r[..., j:, j + 1:] = block - tau.reshape(tau.shape + (1, 1)) * \
                v.reshape(v.shape + (1,)) * w
        r[..., j, j] = xp.where(trivial, alpha, beta)
        if m > j + 1:
            r[..., j + 1:, j] = v[..., 1:]
        taus.append(tau.astype(a.dtype))
    tau = xp.stack(taus, axis=-1) if taus else xp.zeros(a.shape[:-2] + (0,), dtype=a.dtype)
    return r, tau


def _geqrf_a(a, *, xp=_XP):
    return _geqrf_arrays(a, xp)[0]


def _geqrf_tau(a, *, xp=_XP):
    return _geqrf_arrays(a, xp)[1]


def _no_geqrf_derivative(F, g):
    raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


GEQRF_A = defop("geqrf_a", _geqrf_a, _no_geqrf_derivative, node_name="GeqrfBackward0")
GEQRF_TAU = defop("geqrf_tau", _geqrf_tau, _no_geqrf_derivative, node_name="GeqrfBackward0")


class geqrf_result(tuple):                  # torch.return_types.geqrf
    a = property(lambda self: self[0])
    tau = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.geqrf(\na={self[0]!r},\ntau={self[1]!r})"


geqrf_result.__name__ = geqrf_result.__qualname__ = "geqrf"
_GEQRF_CASTS = [_out.castable("torch.geqrf", "a"), _out.castable("torch.geqrf", "tau")]


def geqrf(input, *, out=None):
    if out is not None:
        return _out.into(out, geqrf(input), "geqrf", casts=_GEQRF_CASTS)
    A = as_tensor_arg(input)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if d.dtype.kind not in "fc" or d.dtype.itemsize < 4:
        raise NotImplementedError(f"\"geqrf_cpu\" not implemented for '{A.dtype.legacy}'")
    return geqrf_result((apply(GEQRF_A, (A,), (d,)), apply(GEQRF_TAU, (A,), (d,))))


# --- the product of the reflectors ------------------------------------------------------------
def _vectors(a, k, xp):
    """v_1 .. v_k as the columns of an (..., m, k) array: unit diagonal, a's entries below."""
    m = a.shape[-2]
    i = xp.arange(m).reshape(m, 1)
    j = xp.arange(k).reshape(1, k)
    part = a[..., :, :k]
    return xp.where(i > j, part, xp.zeros((), dtype=a.dtype)) + (i == j).astype(a.dtype)


def _reflectors(a, tau, xp):
    """H_1 .. H_k, each (..., m, m)."""
    m = a.shape[-2]
    k = tau.shape[-1]
    V = _vectors(a, k, xp)
    eye = xp.eye(m, dtype=a.dtype)
    out = []
    for i in range(k):
        v = V[..., :, i:i + 1]
        t = tau[..., i:i + 1].reshape(tau.shape[:-1] + (1, 1))
        out.append(eye - t * xp.matmul(v, _mT(v)))
    return out


def _full_q(a, tau, xp):
    m = a.shape[-2]
    q = xp.broadcast_to(xp.eye(m, dtype=a.dtype), a.shape[:-2] + (m, m))
    for h in _reflectors(a, tau, xp):
        q = xp.matmul(q, h)
    return q


def _householder_product(a, tau, *, xp=_XP):
    return _full_q(a, tau, xp)[..., :, :a.shape[-1]].astype(a.dtype)


def _ormqr(a, tau, c, left, transpose, *, xp=_XP):
    q = _full_q(a, tau, xp)
    if transpose:
        q = _mT(q)
    return xp.matmul(q, c) if left else xp.matmul(c, q)


# F versions of the pieces, for the gradients
def _F_vectors(F, a, k):
    m = a.shape[-2]
    n = a.shape[-1]
    below = F.getitem(a * F.lu_band(a, m, n, True), (Ellipsis, slice(None), slice(0, k)))
    return below + F.getitem(F.eye_mask(a, max(m, n)), (slice(0, m), slice(0, k)))


def _F_reflectors(F, a, tau):
    m = a.shape[-2]
    k = tau.shape[-1]
    V = _F_vectors(F, a, k)
    eye = F.eye_mask(a, m)
    hs, vs, ts = [], [], []
    for i in range(k):
        v = F.getitem(V, (Ellipsis, slice(None), slice(i, i + 1)))
        t = F.reshape(F.getitem(tau, (Ellipsis, slice(i, i + 1))), tuple(tau.shape[:-1]) + (1, 1))
        hs.append(eye - t * F.matmul(v, F.mT(v)))
        vs.append(v)
        ts.append(t)
    return hs, vs, ts


def _product_grads(F, gQ, a, tau, E):
    """(g_a, g_tau) from gQ, the gradient of H_1 ... H_k E (E constant; None: I)."""
    hs, vs, ts = _F_reflectors(F, a, tau)
    k = len(hs)
    m = a.shape[-2]
    # suffixes S_i = H_i+1 ... H_k E, right to left
    suffix = [None] * k
    s = E
    for i in range(k - 1, -1, -1):
        suffix[i] = s
        s = hs[i] if s is None else F.matmul(hs[i], s)
    prefix = None                                  # P_i = H_1 ... H_i-1
    ga_cols, gt = [], []
    for i in range(k):
        M = gQ if prefix is None else F.matmul(F.mT(prefix), gQ)
        if suffix[i] is not None:
            M = F.matmul(M, F.mT(suffix[i]))
        v, t = vs[i], ts[i]
        gt.append(-F.matmul(F.matmul(F.mT(v), M), v))                       # (..., 1, 1)
        ga_cols.append(-t * F.matmul(M + F.mT(M), v))                       # (..., m, 1)
        prefix = hs[i] if prefix is None else F.matmul(prefix, hs[i])
    n = a.shape[-1]
    ga = None
    for i, col in enumerate(ga_cols):
        padded = F.constant_pad_nd(col, ((0, 0),) * (len(a.shape) - 1) + ((i, n - i - 1),), 0)
        ga = padded if ga is None else ga + padded
    ga = ga * F.lu_band(a, m, n, True)
    g_tau = None
    kk = tau.shape[-1]
    for i, t in enumerate(gt):
        flat = F.reshape(t, tuple(tau.shape[:-1]) + (1,))
        padded = F.constant_pad_nd(flat, ((0, 0),) * (len(tau.shape) - 1) + ((i, kk - i - 1),), 0)
        g_tau = padded if g_tau is None else g_tau + padded
    return ga, g_tau


def _hp_grads(F, g, a, tau):
    m, n = a.shape[-2], a.shape[-1]
    E = F.getitem(F.eye_mask(a, m), (slice(None), slice(0, n)))
    ga, gt = _product_grads(F, g, a, tau, E)
    return ga, gt


HOUSEHOLDER = defop("linalg_householder_product", _householder_product,
                    inputs=("a", "tau"), combined=_hp_grads,
                    node_name="LinalgHouseholderProductBackward0")


def _ormqr_grads(F, g, a, tau, c, left, transpose):
    Q = F.linalg_householder_full(a, tau)
    if left:
        gq = F.matmul(g, F.mT(c))
        gc = F.matmul(Q if transpose else F.mT(Q), g)
    else:
        gq = F.matmul(F.mT(c), g)
        gc = F.matmul(g, Q if transpose else F.mT(Q))
    if transpose:
        gq = F.mT(gq)
    ga, gt = _product_grads(F, gq, a, tau, None)
    return ga, gt, F.sum_to(gc, tuple(c.shape))


ORMQR = defop("ormqr", _ormqr, inputs=("a", "tau", "c"), params=("left", "transpose"),
              combined=_ormqr_grads)
FULL_Q = defop("linalg_householder_full", lambda a, tau, *, xp=_XP: _full_q(a, tau, xp),
               inputs=("a", "tau"),
               combined=lambda F, g, a, tau: _product_grads(F, g, a, tau, None),
               node_name="LinalgHouseholderProductBackward0")
expose(lambda a, tau: apply(FULL_Q, (a, tau), (a._data, tau._data)), "linalg_householder_full",
       function=False, method=False)


def _check_pair(name, a, tau):
    ad, td = a._data, tau._data
    if ad.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if td.dtype != ad.dtype:
        raise RuntimeError(f"{name}: tau dtype {tau.dtype.legacy} does not match input dtype "
                           f"{a.dtype.legacy}")
    if ad.dtype.kind not in "fc" or ad.dtype.itemsize < 4:
        raise NotImplementedError(f"\"orgqr_cpu\" not implemented for '{a.dtype.legacy}'")


def householder_product(A, tau, *, out=None):
    if out is not None:
        return _out.into(out, householder_product(A, tau), "linalg_householder_product",
                         cast=_out.castable("torch.linalg.householder_product"))
    a, t = as_tensor_arg(A), as_tensor_arg(tau)
    name = "torch.linalg.householder_product"
    _check_pair(name, a, t)
    ad, td = a._data, t._data
    if ad.shape[-2] < ad.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if ad.shape[-1] < td.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if td.ndim != ad.ndim - 1 or td.shape[:-1] != ad.shape[:-2]:
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(td.shape[:-1])}")
    return apply(HOUSEHOLDER, (a, t), (ad, td))


def orgqr(input, input2, *, out=None):
    return householder_product(input, input2, out=out)


def ormqr(input, input2, input3, left=True, transpose=False, *, out=None):
    if out is not None:
        return _out.into(out, ormqr(input, input2, input3, left, transpose), "ormqr",
                         exact="torch.ormqr: Expected input and result to have the same dtype, "
                               "but input has dtype{r} and result has dtype {o}")
    a, t, c = as_tensor_arg(input), as_tensor_arg(input2), as_tensor_arg(input3)
    ad, td, cd = a._data, t._data, c._data
    name = "torch.ormqr"
    _check_pair(name, a, t)
    if cd.dtype != ad.dtype:
        raise RuntimeError(f"{name}: Expected input and other to have the same dtype, but got "
                           f"other.dtype = {c.dtype.legacy} and input.dtype = {a.dtype.legacy}")
    side = cd.shape[-2] if left else cd.shape[-1]
    if side != ad.shape[-2]:
        which = "other.shape[-2]" if left else "other.shape[-1]"
        raise RuntimeError(f"{name}: {which} must be equal to input.shape[-2]")
    if td.shape[-1] > min(side, ad.shape[-1]):
        which = "other.shape[-2]" if left else "other.shape[-1]"
        raise RuntimeError(f"{name}: tau.shape[-1] must be equal to min({which}, "
                           f"input.shape[-1])")
    check_broadcast(ad.shape[:-2], cd.shape[:-2])
    return apply(ORMQR, (a, t, c), (ad, td, cd), (bool(left), bool(transpose)))


expose(geqrf, formulas=False)
expose(orgqr, formulas=False)
expose(ormqr, formulas=False)

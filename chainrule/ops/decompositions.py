"""linalg.eigh, linalg.eigvalsh and linalg.cholesky, batched, with PyTorch's
gradients (each formula uses only F ops, so any order works).

eigh (A symmetric, A = V diag(L) V^T; PyTorch's LinalgEighBackward0):
  from the eigenvalues:  gA = V diag(gL) V^T
  from the eigenvectors: gA = V (skew(V^T gV) / E) V^T,  E_ij = L_j - L_i,
  the diagonal dropped (a unit eigenvector's length cannot change).
  eigh is two ops, one per output, that share the node name; each formula
  recomputes the other output it needs (the decomposition is deterministic).
cholesky (A = L L^T; PyTorch's LinalgCholeskyExBackward0):
  gA = sym(L^-T Phi(L^T gL) L^-1),  Phi: the lower triangle, diagonal halved.
"""
from .. import _dtypes
from .._tensor import Tensor
from . import _backend, _out
from . import reduce as _reduce
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import defop, expose, complex_ready
from .linalg import _LinAlgError, _square_float_matrix

_XP = _backend.NUMPY.xp


def _mT(x):
    return x.swapaxes(-2, -1)


# --- eigh ---------------------------------------------------------------------------------------
def _eigh_values(a, uplo, *, xp=_XP):
    return xp.linalg.eigh(a, UPLO=uplo)[0]


def _eigh_vectors(a, uplo, *, xp=_XP):
    return xp.linalg.eigh(a, UPLO=uplo)[1]


def _diag_embed(F, v):
    """v (..., n) as diagonal matrices (..., n, n), written with F ops."""
    n = v.shape[-1]
    return F.reshape(v, tuple(v.shape) + (1,)) * F.eye_mask(v, n)


def _values_grad(F, g, A, uplo):
    V = F.linalg_eigh_vectors(A, uplo)
    return F.matmul(F.matmul(V, _diag_embed(F, g)), F.mT(V))


def _vectors_grad(F, g, A, out, uplo):
    V = out
    L = F.linalg_eigh_values(A, uplo)
    n = L.shape[-1]
    M = F.matmul(F.mT(V), g)
    skew = (M - F.mT(M)) * 0.5
    E = F.reshape(L, tuple(L.shape[:-1]) + (1, n)) - F.reshape(L, tuple(L.shape) + (1,))
    off = 1 - F.eye_mask(L, n)
    inner = F.where(off == 0, 0, skew / F.where(off == 0, 1, E))
    return F.matmul(F.matmul(V, inner), F.mT(V))


EIGH_VALUES = defop("linalg_eigh_values", _eigh_values, _values_grad, inputs=("A",),
                    params=("uplo",), node_name="LinalgEighBackward0")
EIGH_VECTORS = defop("linalg_eigh_vectors", _eigh_vectors, _vectors_grad, inputs=("A",),
                     params=("uplo",), node_name="LinalgEighBackward0")


# F.eye_mask(x, n): the n x n identity in x's dtype, a constant (for diag_embed above)
def _eye_mask(x, n, *, xp=_XP):
    return xp.eye(n, dtype=x.dtype)


EYE_MASK = defop("eye_mask", _eye_mask, params=("n",), quiet=False)     # no formula: a constant
expose(lambda x, n: apply(EYE_MASK, (x,), (x._data,), (n,)), "eye_mask", function=False,
       method=False)
expose(lambda A, uplo: apply(EIGH_VALUES, (A,), (A._data,), (uplo,)), "linalg_eigh_values",
       function=False, method=False)
expose(lambda A, uplo: apply(EIGH_VECTORS, (A,), (A._data,), (uplo,)), "linalg_eigh_vectors",
       function=False, method=False)


def _eigh_args(name, A, UPLO):
    A = as_tensor_arg(A)
    d = A._data
    if d.ndim >= 2 and d.shape[-1] == d.shape[-2] and d.dtype.kind not in "fc":
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for '{A.dtype.legacy}'")
    A, d = _square_float_matrix(name, A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return A, d


_EIGH = _reduce._return_type("linalg_eigh")
_EIGH.eigenvalues = property(lambda self: self[0])
_EIGH.eigenvectors = property(lambda self: self[1])
_EIGH.__repr__ = lambda self: (f"torch.return_types.linalg_eigh(\neigenvalues={self[0]!r},\n"
                               f"eigenvectors={self[1]!r})")


def eigh(A, UPLO="L", *, out=None):
    if out is not None:
        return _out.into(out, eigh(A, UPLO), "linalg_eigh")
    A, d = _eigh_args("linalg.eigh", A, UPLO)
    return _EIGH(apply(EIGH_VALUES, (A,), (d,), (UPLO,)), apply(EIGH_VECTORS, (A,), (d,), (UPLO,)))


def eigvalsh(A, UPLO="L", *, out=None):
    if out is not None:
        return _out.into(out, eigvalsh(A, UPLO), "linalg_eigvalsh", exact=_out.EXPECTED)
    A, d = _eigh_args("linalg.eigvalsh", A, UPLO)
    return apply(EIGH_VALUES, (A,), (d,), (UPLO,))


# --- eig: general square matrices, complex results --------------------------------------------
# A V = V diag(L), V's columns of unit length (LAPACK's geev, as PyTorch).  With
# dV = V C: V^-1 dA V = C diag(L) - diag(L) C + diag(dL), so dL = diag(V^-1 dA V)
# and C_ab = (V^-1 dA V)_ab / (L_b - L_a) off the diagonal; Re C_bb follows from
# the unit length (Re v_b^H dv_b = 0), Im C_bb (the phase) is taken as 0, as
# PyTorch does (a loss must not depend on the phases).  Writing dLoss = Re <G, dA>
# in PyTorch's convention then gives
#   gA = V^-H (diag(gL) + K) V^H,
#   K_ab = N_ab / conj(L_b - L_a) (0 on the diagonal),  N = V^H gV - V^H V diag(Re diag(V^H gV)),
# the real part for a real A.
def _eig_values(a, *, xp=_XP):
    w = xp.linalg.eig(a)[0]
    return w if w.dtype.kind == "c" else w.astype(_COMPLEX_OF[w.dtype])


def _eig_vectors(a, *, xp=_XP):
    v = xp.linalg.eig(a)[1]
    return v if v.dtype.kind == "c" else v.astype(_COMPLEX_OF[v.dtype])


_COMPLEX_OF = {_dtypes.float32.np: _dtypes.complex64.np, _dtypes.float64.np: _dtypes.complex128.np}


def _adjoint(F, x):
    return F.conj(F.mT(x))


def _eig_grad_from(F, A, V, inner):
    """V^-H inner V^H, real for a real A."""
    gA = F.matmul(F.matmul(_adjoint(F, F.linalg_inv(V)), inner), _adjoint(F, V))
    d = A._data if isinstance(A, Tensor) else A
    return gA if d.dtype.kind == "c" else F.real(gA)


def _eig_values_grad(F, g, A):
    return _eig_grad_from(F, A, F.linalg_eig_vectors(A), _diag_embed(F, g))


def _eig_vectors_grad(F, g, A, out):
    V = out
    L = F.linalg_eig_values(A)
    n = L.shape[-1]
    Vh = _adjoint(F, V)
    M = F.matmul(Vh, g)
    eye = F.eye_mask(M, n)
    N = M - F.matmul(F.matmul(Vh, V), F.real(M) * eye)
    E = F.reshape(L, tuple(L.shape[:-1]) + (1, n)) - F.reshape(L, tuple(L.shape) + (1,))
    off = F.eye_mask(L, n) == 0
    K = F.where(off, N / F.where(off, F.conj(E), 1), 0)
    return _eig_grad_from(F, A, V, K)


EIG_VALUES = defop("linalg_eig_values", _eig_values, _eig_values_grad, inputs=("A",),
                   node_name="LinalgEigBackward0")
EIG_VECTORS = defop("linalg_eig_vectors", _eig_vectors, _eig_vectors_grad, inputs=("A",),
                    node_name="LinalgEigBackward0")
expose(lambda A: apply(EIG_VALUES, (A,), (A._data,)), "linalg_eig_values", function=False,
       method=False)
expose(lambda A: apply(EIG_VECTORS, (A,), (A._data,)), "linalg_eig_vectors", function=False,
       method=False)
complex_ready("aware", EIG_VALUES, EIG_VECTORS)

_EIG = _reduce._return_type("linalg_eig")
_EIG.eigenvalues = property(lambda self: self[0])
_EIG.eigenvectors = property(lambda self: self[1])
_EIG.__repr__ = lambda self: (f"torch.return_types.linalg_eig(\neigenvalues={self[0]!r},\n"
                              f"eigenvectors={self[1]!r})")


def _eig_args(name, A):
    A, d = _square_float_matrix(name, A)
    if not _backend.backend_of(d).xp.isfinite(d).all():
        raise RuntimeError(f"torch.linalg.eig: input tensor should not contain infs or NaNs.")
    return A, d


def eig(A, *, out=None):
    """linalg.eig: eigenvalues and unit eigenvectors of a square matrix, complex
    (each eigenvector's phase is LAPACK's: it may differ from PyTorch's build)."""
    if out is not None:
        return _out.into(out, eig(A), "linalg_eig")
    A, d = _eig_args("linalg.eig", A)
    return _EIG(apply(EIG_VALUES, (A,), (d,)), apply(EIG_VECTORS, (A,), (d,)))


def eigvals(A, *, out=None):
    if out is not None:
        return _out.into(out, eigvals(A), "linalg_eigvals")
    A, d = _eig_args("linalg.eigvals", A)
    return apply(EIG_VALUES, (A,), (d,), (), _EIGVALS)


_EIGVALS = EIG_VALUES.variant("LinalgEigBackward0")


# --- cholesky -----------------------------------------------------------------------------------
def _not_positive_definite(a, xp):
    """PyTorch's error: the first leading minor (of the first failing batch entry) that is not
    positive-definite."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for b in range(flat.shape[0]):
        for k in range(1, a.shape[-1] + 1):
            try:
                xp.linalg.cholesky(flat[b, :k, :k])
            except Exception as e:
                if type(e).__name__ != "LinAlgError":
                    raise
                where = f"(Batch element {b}): " if a.ndim > 2 else ""
                return _LinAlgError(f"linalg.cholesky: {where}The factorization could not be "
                                    f"completed because the input is not positive-definite (the "
                                    f"leading minor of order {k} is not positive-definite).")
    return _LinAlgError("linalg.cholesky: The factorization could not be completed because the "
                        "input is not positive-definite.")


def _cholesky(a, upper, *, xp=_XP):
    try:
        low = xp.linalg.cholesky(a)
    except Exception as e:
        if type(e).__name__ != "LinAlgError":
            raise
        raise _not_positive_definite(a, xp) from None
    return _mT(low) if upper else low


def _cholesky_grad(F, g, out, upper):
    L = F.mT(out) if upper else out
    gL = F.mT(g) if upper else g
    n = L.shape[-1]
    lower = F.tri_ones(L, n)
    P = F.matmul(F.mT(L), gL * lower) * lower
    P = P - 0.5 * P * F.eye_mask(L, n)
    Li = F.linalg_inv(L)
    G = F.matmul(F.matmul(F.mT(Li), P), Li)
    return 0.5 * (G + F.mT(G))


def _tri_ones(x, n, *, xp=_XP):
    i = xp.arange(n).reshape(n, 1)
    j = xp.arange(n).reshape(1, n)
    return (j <= i).astype(x.dtype)


TRI_ONES = defop("tri_ones", _tri_ones, params=("n",), quiet=False)      # a constant: ones on
# and below the diagonal, in x's dtype
expose(lambda x, n: apply(TRI_ONES, (x,), (x._data,), (n,)), "tri_ones", function=False,
       method=False)
CHOLESKY = defop("linalg_cholesky", _cholesky, _cholesky_grad, inputs=("A",), params=("upper",),
                 node_name="LinalgCholeskyExBackward0")


def cholesky(A, *, upper=False, out=None):
    if out is not None:
        return _out.into(out, cholesky(A, upper=upper), "linalg_cholesky_ex", exact=_out.EXPECTED)
    A = as_tensor_arg(A)
    d = A._data
    if d.ndim >= 2 and d.shape[-1] == d.shape[-2] and d.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.cholesky: Expected a floating point or complex tensor as "
                           f"input. Got {A.dtype.legacy}")
    A, d = _square_float_matrix("linalg.cholesky", A)
    return apply(CHOLESKY, (A,), (d,), (bool(upper),))


# --- svd / svdvals --------------------------------------------------------------------------------
# A = U diag(S) Vh (k = min(m, n)).  Three ops, one per output, sharing PyTorch's
# node name; Townsend's formulas ("Differentiating the singular value
# decomposition", 2016), for real A, with F_ij = 1 / (s_j^2 - s_i^2) off the diagonal:
#   from S:  gA = U diag(gS) Vh
#   from U:  gA = U (F o (U^T gU - gU^T U)) S Vh + (I - U U^T) gU S^-1 Vh
#   from V:  gA = U S (F o (V^T gV - gV^T V)) Vh + U S^-1 gV^T (I - V V^T)
# With full_matrices=True the extra columns of U (rows of Vh) get no gradient
# (PyTorch narrows them away too).
def _svd_s(a, *, xp=_XP):
    return xp.linalg.svd(a, compute_uv=False)


def _svd_u(a, full, *, xp=_XP):
    return xp.linalg.svd(a, full_matrices=full)[0]


def _svd_vh(a, full, *, xp=_XP):
    return xp.linalg.svd(a, full_matrices=full)[2]


def _svd_parts(F, A):
    return (F.linalg_svd_u(A, False), F.linalg_svd_s(A), F.linalg_svd_vh(A, False))


def _pair_factor(F, s):
    """F_ij = 1 / (s_j^2 - s_i^2) off the diagonal, 0 on it."""
    k = s.shape[-1]
    s2 = s * s
    E = F.reshape(s2, tuple(s2.shape[:-1]) + (1, k)) - F.reshape(s2, tuple(s2.shape) + (1,))
    off = 1 - F.eye_mask(s, k)
    return F.where(off == 0, 0, 1 / F.where(off == 0, 1, E))


def _s_grad(F, g, A):
    U, s, Vh = _svd_parts(F, A)
    return F.matmul(U * F.reshape(g, tuple(g.shape[:-1]) + (1, g.shape[-1])), Vh)


def _u_grad(F, g, A, full):
    U, s, Vh = _svd_parts(F, A)
    k = s.shape[-1]
    if full:
        g = F.getitem(g, (Ellipsis, slice(None), slice(0, k)))
    srow = F.reshape(s, tuple(s.shape[:-1]) + (1, k))
    M = F.matmul(F.mT(U), g)
    inner = _pair_factor(F, s) * (M - F.mT(M)) * srow
    m = U.shape[-2]
    proj = F.eye_mask(s, m) - F.matmul(U, F.mT(U))
    return F.matmul(F.matmul(U, inner), Vh) + F.matmul(F.matmul(proj, g) / srow, Vh)


def _vh_grad(F, g, A, full):
    U, s, Vh = _svd_parts(F, A)
    k = s.shape[-1]
    if full:
        g = F.getitem(g, (Ellipsis, slice(0, k), slice(None)))
    gV, V = F.mT(g), F.mT(Vh)
    scol = F.reshape(s, tuple(s.shape) + (1,))
    M = F.matmul(F.mT(V), gV)
    inner = scol * (_pair_factor(F, s) * (M - F.mT(M)))
    n = V.shape[-2]
    proj = F.eye_mask(s, n) - F.matmul(V, Vh)
    return F.matmul(F.matmul(U, inner), Vh) + F.matmul(U, F.matmul(g, proj) / scol)


SVD_S = defop("linalg_svd_s", _svd_s, _s_grad, inputs=("A",), node_name="LinalgSvdBackward0")
SVD_U = defop("linalg_svd_u", _svd_u, _u_grad, inputs=("A",), params=("full",),
              node_name="LinalgSvdBackward0")
SVD_VH = defop("linalg_svd_vh", _svd_vh, _vh_grad, inputs=("A",), params=("full",),
               node_name="LinalgSvdBackward0")
expose(lambda A: apply(SVD_S, (A,), (A._data,)), "linalg_svd_s", function=False, method=False)
expose(lambda A, full: apply(SVD_U, (A,), (A._data,), (full,)), "linalg_svd_u", function=False,
       method=False)
expose(lambda A, full: apply(SVD_VH, (A,), (A._data,), (full,)), "linalg_svd_vh", function=False,
       method=False)

class linalg_svd(tuple):                # noqa: N801  (PyTorch's class name)
    """torch.return_types.linalg_svd: (U, S, Vh)."""
    U = property(lambda self: self[0])
    S = property(lambda self: self[1])
    Vh = property(lambda self: self[2])

    def __repr__(self):
        return (f"torch.return_types.linalg_svd(\nU={self[0]!r},\nS={self[1]!r},\n"
                f"Vh={self[2]!r})")


def _svd_args(A):
    A = as_tensor_arg(A)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.svd: Expected a floating point or complex tensor as input. "
                           f"Got {A.dtype.legacy}")
    return A, d


def svd(A, full_matrices=True, *, driver=None, out=None):
    if out is not None:
        return _out.into(out, svd(A, full_matrices, driver=driver), "linalg_svd")
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")
    A, d = _svd_args(A)
    full = bool(full_matrices)
    return linalg_svd((apply(SVD_U, (A,), (d,), (full,)), apply(SVD_S, (A,), (d,)),
                       apply(SVD_VH, (A,), (d,), (full,))))


def svdvals(A, *, driver=None, out=None):
    if out is not None:
        return _out.into(out, svdvals(A, driver=driver), "linalg_svdvals", exact=_out.EXPECTED)
    A, d = _svd_args(A)
    return apply(SVD_S, (A,), (d,))


# --- qr ---------------------------------------------------------------------------------------------
# A = Q R.  Tall or square (m >= n), with copyltu(M) = the lower triangle of M
# mirrored above the diagonal (PyTorch's LinalgQrBackward0, which agrees):
#   gA = (gQ + Q copyltu(R gR^T - gQ^T Q)) R^-T
# Wide (m < n): A = [X | Y], R = [U | V]; gY = Q gV, and gX is the square
# formula with gQ + Y gV^T and gU.
_QR_MODES = ("reduced", "complete", "r")


def _qr_q(a, mode, *, xp=_XP):
    if mode == "r":
        return xp.zeros(0, dtype=a.dtype)
    return xp.linalg.qr(a, mode=mode)[0]


def _qr_r(a, mode, *, xp=_XP):
    return xp.linalg.qr(a, mode="reduced" if mode == "r" else mode)[1]


def _copyltu(F, M, k):
    strict = F.tri_ones(M, k) - F.eye_mask(M, k)
    low = M * strict
    return low + F.mT(low) + M * F.eye_mask(M, k)


def _qr_square_grad(F, gQ, gR, Q, R):
    k = R.shape[-1]
    M = -F.matmul(F.mT(gQ), Q) if gR is None else F.matmul(R, F.mT(gR))
    if gR is not None and gQ is not None:
        M = M - F.matmul(F.mT(gQ), Q)
    inner = F.matmul(Q, _copyltu(F, M, k))
    if gQ is not None:
        inner = gQ + inner
    return F.matmul(inner, F.mT(F.linalg_inv(R)))


def _qr_check_mode(mode, m, n):
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                           "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                           "differentiate through linalg.qr.")
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                           "nrows > ncols.")


def _qr_grad(F, gQ, gR, A, mode):
    m, n = A.shape[-2], A.shape[-1]
    _qr_check_mode(mode, m, n)
    Q, R = F.linalg_qr_q(A, "reduced"), F.linalg_qr_r(A, "reduced")
    if m >= n:
        return _qr_square_grad(F, gQ, gR, Q, R)
    nd = len(A.shape)
    U = F.getitem(R, (Ellipsis, slice(None), slice(0, m)))
    if gR is None:
        gX = _qr_square_grad(F, gQ, None, Q, U)
        return F.constant_pad_nd(gX, ((0, 0),) * (nd - 1) + ((0, n - m),), 0)
    Y = F.getitem(A, (Ellipsis, slice(None), slice(m, n)))
    gU = F.getitem(gR, (Ellipsis, slice(None), slice(0, m)))
    gV = F.getitem(gR, (Ellipsis, slice(None), slice(m, n)))
    gX = _qr_square_grad(F, F.matmul(Y, F.mT(gV)), gU, Q, U)
    gY = F.matmul(Q, gV)
    return (F.constant_pad_nd(gX, ((0, 0),) * (nd - 1) + ((0, n - m),), 0) +
            F.constant_pad_nd(gY, ((0, 0),) * (nd - 1) + ((m, 0),), 0))


QR_Q = defop("linalg_qr_q", _qr_q, lambda F, g, A, mode: _qr_grad(F, g, None, A, mode),
             inputs=("A",), params=("mode",), node_name="LinalgQrBackward0")
QR_R = defop("linalg_qr_r", _qr_r, lambda F, g, A, mode: _qr_grad(F, None, g, A, mode),
             inputs=("A",), params=("mode",), node_name="LinalgQrBackward0")
expose(lambda A, mode: apply(QR_Q, (A,), (A._data,), (mode,)), "linalg_qr_q", function=False,
       method=False)
expose(lambda A, mode: apply(QR_R, (A,), (A._data,), (mode,)), "linalg_qr_r", function=False,
       method=False)


class linalg_qr(tuple):                 # noqa: N801  (PyTorch's class name)
    """torch.return_types.linalg_qr: (Q, R)."""
    Q = property(lambda self: self[0])
    R = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.linalg_qr(\nQ={self[0]!r},\nR={self[1]!r})"


def qr(A, mode="reduced", *, out=None):
    if out is not None:
        return _out.into(out, qr(A, mode), "linalg_qr")
    A = as_tensor_arg(A)
    d = A._data
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    if d.ndim < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.qr: Expected a floating point or complex tensor as input. "
                           f"Got {A.dtype.legacy}")
    return linalg_qr((apply(QR_Q, (A,), (d,), (mode,)), apply(QR_R, (A,), (d,), (mode,))))

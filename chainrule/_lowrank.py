"""svd_lowrank and pca_lowrank: randomized low-rank SVD (Halko, Martinsson and
Tropp's range finder with `niter` subspace iterations), composed of
differentiable ops, so gradients flow as through any composition.  Random
draws are chainrule's (the same algorithm as PyTorch's, not the same values);
for a matrix of rank <= q the results agree with the exact SVD."""
from . import _factories
from .linalg import qr as _qr, svd as _svd
from .ops import reduce as _reduce


def _mT(x):
    return x.transpose(-2, -1)


def _basis(A, q, niter, M):
    """An orthonormal basis (..., m, q) approximately spanning the range of A - M."""
    n = A.shape[-1]
    R = _factories.randn(*(tuple(A.shape[:-2]) + (n, q)), dtype=A.dtype)
    X = A @ R if M is None else A @ R - M @ R
    Q = _qr(X).Q
    for _ in range(niter):
        Y = _mT(A) @ Q if M is None else _mT(A) @ Q - _mT(M) @ Q
        Q = _qr(Y).Q
        X = A @ Q if M is None else A @ Q - M @ Q
        Q = _qr(X).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """(U, S, V) with A - M ~ U diag(S) V^T, of rank at most q."""
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    m, n = A.shape[-2:]
    if m < n:                               # work on the tall transpose
        U, S, V = svd_lowrank(_mT(A), q, niter, None if M is None else _mT(M))
        return V, S, U
    Q = _basis(A, q, niter, M)
    B = _mT(Q) @ A if M is None else _mT(Q) @ A - _mT(Q) @ M
    U, S, Vh = _svd(B, full_matrices=False)
    return Q @ U, S, _mT(Vh)


def pca_lowrank(A, q=None, center=True, niter=2):
    """svd_lowrank of A with its column means removed (center=True)."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (isinstance(q, int) and 0 <= q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)="
                         f"{min(m, n)}")
    if not (isinstance(niter, int) and niter >= 0):
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter, None)
    C = _reduce.mean(A, -2, True)
    return svd_lowrank(A - C, q, niter, None)

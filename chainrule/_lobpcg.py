"""torch.lobpcg: the k largest (or smallest) eigenpairs of a symmetric matrix
A, or of the generalised problem A x = lambda B x (B symmetric positive
definite).

chainrule computes them with the dense symmetric eigensolver (linalg.eigh;
for B, of L^-1 A L^-T with L B's Cholesky factor, and X = L^-T W), not by
LOBPCG's block iteration: the results are the exact eigenpairs, the ones
LOBPCG converges to, so `method` ('ortho', 'basic'), `niter`, `tol`, `X`,
`iK`, `tracker` and the ortho parameters are accepted and change nothing.
Eigenvalues come largest first (smallest first with largest=False), as
PyTorch's; each eigenvector's sign is the solver's (PyTorch's depends on its
random start).

The gradient is PyTorch's (LOBPCGAutogradFunctionBackward): the derivative
of the k eigenpairs of A, symmetrised,

    gA = sym(V (diag(gE) + F o (V^T gV)) V^T),   F_ij = 1 / (lambda_j - lambda_i),

over all n eigenpairs with the unselected ones' gradients 0.  It is made of
differentiable ops, so second derivatives follow.  As in PyTorch, there is
no gradient through a B (backward raises).
"""
from . import linalg as _linalg
from ._grad_mode import no_grad
from .autograd.function import Function
from . import _dtypes, _factories
from .ops import select as _select_ops, shape as _shape
from .ops._args import as_tensor_arg

__all__ = ["lobpcg"]


def _mT(x):
    return x.transpose(-2, -1)


def _select(E, V, k, largest):
    if largest:
        return _select_ops.flip(E[..., -k:], (-1,)), _select_ops.flip(V[..., -k:], (-1,))
    return E[..., :k], V[..., :k]


def _eigenpairs(A, B):
    """All eigenpairs, ascending, of A (or of A x = lambda B x)."""
    if B is None:
        return _linalg.eigh(A)
    L = _linalg.cholesky(B)
    C = _linalg.solve_triangular(L, _mT(_linalg.solve_triangular(L, A, upper=False)),
                                 upper=False)
    E, W = _linalg.eigh(C)
    return E, _linalg.solve_triangular(_mT(L), W, upper=True)


class LOBPCGAutogradFunction(Function):
    """PyTorch's name for lobpcg's node (grad_fn LOBPCGAutogradFunctionBackward)."""

    @staticmethod
    def forward(ctx, A, k, B, largest):
        with no_grad():
            E, V = _eigenpairs(A, B)
        ctx.save_for_backward(A)
        ctx.k, ctx.largest, ctx.with_b = k, largest, B is not None
        Ek, Vk = _select(E, V, k, largest)
        return Ek, Vk

    @staticmethod
    def backward(ctx, gE, gX):
        if ctx.with_b:
            raise ValueError("lobpcg.backward does not support backward with B != I yet.")
        A, = ctx.saved_tensors
        # (recomputed from the saved A: under create_graph the formula is then differentiable
        # in A through the eigenpairs too, and second derivatives are exact)
        E, V = _eigenpairs(A, None)
        n, k = A.shape[-1], ctx.k
        # the selected eigenpairs' gradients in the ascending order of the full solution
        zeros_e = E * 0
        zeros_v = V * 0
        if gE is None:
            gE = zeros_e[..., :k]
        if gX is None:
            gX = zeros_v[..., :k]
        if ctx.largest:
            gE, gX = _select_ops.flip(gE, (-1,)), _select_ops.flip(gX, (-1,))
            gE_full = _shape.cat([zeros_e[..., :n - k], gE], -1)
            gV_full = _shape.cat([zeros_v[..., :n - k], gX], -1)
        else:
            gE_full = _shape.cat([gE, zeros_e[..., k:]], -1)
            gV_full = _shape.cat([gX, zeros_v[..., k:]], -1)
        diff = E.unsqueeze(-2) - E.unsqueeze(-1)                 # [i, j] = lambda_j - lambda_i
        eye = _eye_like(diff)
        F = (1 - eye) / (diff + eye)
        inner = _select_ops.diag_embed(gE_full) + F * (_mT(V) @ gV_full)
        gA = V @ inner @ _mT(V)
        return (gA + _mT(gA)) * 0.5, None, None, None


def _eye_like(m):
    return _factories.eye(m.shape[-1], dtype=m.dtype)


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None,
           method=None, tracker=None, ortho_iparams=None, ortho_fparams=None,
           ortho_bparams=None):
    """torch.lobpcg (see the module docstring): (E, X), the k eigenvalues and eigenvectors."""
    A = as_tensor_arg(A)
    if A.ndim < 2:
        raise IndexError("tuple index out of range")
    if A.is_complex():
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_dtypes.C_NAMES[A.dtype.name]} != float")
    if A.shape[-1] != A.shape[-2]:
        raise AssertionError(f"A must be square, got shape {A.shape}")
    if B is not None:
        B = as_tensor_arg(B)
        if tuple(B.shape) != tuple(A.shape):
            raise AssertionError(f"A and B must have same shape, got {A.shape} vs {B.shape}")
    if X is not None:
        X = as_tensor_arg(X)
        k = X.shape[-1]
    k = 1 if k is None else int(k)
    n = k if n is None else int(n)
    m = A.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m}) "
                         f"is smaller than 3 x the number of requested eigenpairs (={n})")
    largest = True if largest is None else bool(largest)
    if A.requires_grad or (B is not None and B.requires_grad):
        return LOBPCGAutogradFunction.apply(A, k, B, largest)
    E, V = _eigenpairs(A, B)
    return _select(E, V, k, largest)


"""Functions of a matrix: the exponential (linalg.matrix_exp, torch.matrix_exp)
and the pseudo-inverse (linalg.pinv, torch.pinverse), each one op with its
derivative.

matrix_exp's forward is scaling and squaring with the [13/13] Padé
approximant (Higham, "The scaling and squaring method for the matrix
exponential revisited", 2005): A is scaled by 2^-s until its 1-norm is below
theta_13, the approximant r(A) = (V - U)^-1 (V + U) evaluated with six matrix
products and one solve, then squared s times.  Its derivative is the adjoint
of the Fréchet derivative, read off the exponential of a block matrix
(Mathias 1996): exp([[A^T, G], [0, A^T]]) holds it in its top-right block,
so the formula is the op itself again, and second derivatives come free.

pinv's forward goes through the SVD (singular values below the cutoff count
as zero); its derivative, for a matrix whose rank does not change nearby
(Golub and Pereyra 1973, the adjoint written out):
    dL/dA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A),  P = pinv(A).
"""
import math

from . import _backend, _out
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import TensorOps, defop, expose, shows
from .linalg import _check_float, _check_square, _legacy

_XP = _backend.NUMPY.xp

# The [13/13] Padé coefficients of exp and the 1-norm below which it is
# accurate to double precision (Higham 2005, table 2.3).
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
           1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
           33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152
# Machine epsilon of the float dtypes, by their size in bytes (pinv's default rtol).
_EPS = {2: 2.0 ** -10, 4: 2.0 ** -23, 8: 2.0 ** -52}


def _matrix_exp(a, *, xp=_XP):
    n = a.shape[-1]
    if a.size == 0:
        return a.copy()
    norm = float(xp.abs(a).sum(axis=-2).max())          # the largest 1-norm of the batch
    s = max(0, int(math.ceil(math.log2(norm / _THETA13)))) if norm > 0 else 0
    a = a / (2.0 ** s) if s else a
    b = _PADE13
    eye = xp.eye(n, dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a2 @ a4
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 +
             b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + \
        b[0] * eye
    r = xp.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


@shows("top-right block of matrix_exp([[self^T, grad], [0, self^T]])")
def _matrix_exp_grad(F, g, A):
    n = A.shape[-1]
    xt = F.mT(A)
    lead = ((0, 0),) * (len(A.shape) - 2)
    # [[A^T, g], [0, A^T]], built by padding (one formula for arrays and Tensors)
    block = (F.constant_pad_nd(xt, lead + ((0, n), (0, n)), 0) +
             F.constant_pad_nd(g, lead + ((0, n), (n, 0)), 0) +
             F.constant_pad_nd(xt, lead + ((n, 0), (n, 0)), 0))
    return F.linalg_matrix_exp(block)[..., :n, n:]


MATRIX_EXP = defop("linalg_matrix_exp", _matrix_exp, _matrix_exp_grad, inputs=("A",),
                   node_name="LinalgMatrixExpBackward0")


def matrix_exp(A):
    """exp(A) = I + A + A^2/2 + ..., batched over leading dimensions."""
    A = as_tensor_arg(A)
    d = A._data
    _check_square("linalg.matrix_exp", d)
    _check_float("linalg.matrix_exp", d)
    return apply(MATRIX_EXP, (A,), (d,))


def _pinv(a, atol, rtol, *, xp=_XP):
    m, n = a.shape[-2:]
    if a.size == 0:
        return xp.zeros(a.shape[:-2] + (n, m), dtype=a.dtype)
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    cutoff = s.max(axis=-1, keepdims=True) * rtol
    if atol:
        cutoff = xp.maximum(cutoff, atol)
    inv = xp.where(s > cutoff, 1 / xp.where(s > cutoff, s, 1), 0)
    return (vh.swapaxes(-1, -2) * inv[..., None, :]) @ u.swapaxes(-1, -2)


@shows("-P^T grad P^T + (I - self P) grad^T P P^T + P^T P grad^T (I - P self),  P = result")
def _pinv_grad(F, g, A, out):
    p, pt, gt = out, F.mT(out), F.mT(g)
    term1 = -F.matmul(F.matmul(pt, g), pt)
    t2 = F.matmul(gt, F.matmul(p, pt))                   # (I - A p) g^T p p^T
    term2 = t2 - F.matmul(A, F.matmul(p, t2))
    t3 = F.matmul(F.matmul(pt, p), gt)                   # p^T p g^T (I - p A)
    term3 = t3 - F.matmul(F.matmul(t3, p), A)
    return term1 + term2 + term3


PINV = defop("linalg_pinv", _pinv, _pinv_grad, inputs=("A",), params=("atol", "rtol"),
             node_name="LinalgPinvBackward0")


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse, singular values at or below
    max(atol, rtol * largest) counting as zero (PyTorch's defaults: rtol =
    eps * max(m, n) when neither is given, 0 when only atol is)."""
    if out is not None:
        return _out.into(out, pinv(A, atol=atol, rtol=rtol, hermitian=hermitian), "linalg_pinv",
                         cast=(RuntimeError, "linalg.pinv: Expected result to be safely "
                                             "castable from {r} dtype, but got result with dtype "
                                             "{o}"))
    A = as_tensor_arg(A)
    d = A._data
    if d.ndim < 2 or d.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.pinv({_legacy(d)}{{{list(d.shape)}}}): expected a tensor "
                           f"with 2 or more dimensions of float, double, cfloat or cdouble types")
    for name, v in (("atol", atol), ("rtol", rtol)):
        if v is not None and not isinstance(v, (int, float)):
            raise TypeError(f"linalg.pinv: {name} as a tensor is not supported here; give a "
                            f"number")
    if rtol is None:
        rtol = 0.0 if atol else _EPS[d.real.dtype.itemsize] * max(d.shape[-2:])
    return apply(PINV, (A,), (d,), (float(atol or 0.0), float(rtol)))


def pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


TensorOps.linalg_matrix_exp = staticmethod(matrix_exp)
expose(matrix_exp, "matrix_exp", function=True, method=True, formulas=False)
expose(pinverse, "pinverse", function=True, method=True, formulas=False)

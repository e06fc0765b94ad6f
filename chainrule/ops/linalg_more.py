"""Triangular and Cholesky solves, the deprecated torch-level forms of the
decompositions (torch.svd, torch.qr, torch.cholesky), addr, vander, the
matrix norms torch keeps for TorchScript, matrix_rank, and the functions
torch 2.13 keeps only as erroring stubs (issue 11).

solve_triangular (X = A^-1 B, or B A^-1 with left=False; only A's triangle is
read, its diagonal taken as ones with unitriangular; PyTorch's
LinalgSolveTriangularBackward0):
  gB = A^-T g  (a triangular solve again, with the other triangle)
  gA = -gB X^T (left) or -X^T gB (right), kept on A's triangle (strictly so
       when unitriangular: those entries are never read).
cholesky_solve (X = (L L^T)^-1 B; PyTorch's CholeskySolveBackward0):
  gB = cholesky_solve(g, L);  C = gB X^T + X gB^T;  gL = -C L  (upper: -U C).
cholesky_inverse (X = (L L^T)^-1; PyTorch's CholeskyInverseBackward0):
  C = X (g + g^T) X;  gL = -C L  (upper: -U C).
Neither of the last two keeps its gradient on the triangle (PyTorch's do not).
Every formula is written with F ops, so each order of derivative works.
"""
import warnings as _warnings

from .._inplace_state import VMAP_ACTIVE as _VMAP_ACTIVE
from .._tensor import Tensor
from .. import _dtypes, _factories, _grad_mode, _typeinfo
from . import _backend, _out
from . import linalg as _la, pointwise as _pointwise, reduce as _reduce, scans as _scans
from . import select as _select, shape as _shape
from ._args import as_tensor_arg, check_broadcast, normalize_dims
from ._dispatch import apply
from ._registry import defop, expose, TensorOps
from .matrix_functions import PINV as _PINV, _pinv, _pinv_grad
from .decompositions import (CHOLESKY, eigvalsh as _eigvalsh, svd as _linalg_svd,
                             qr as _linalg_qr)

_XP = _backend.NUMPY.xp
_LinAlgError = _la._LinAlgError


def _mT(x):
    return x.swapaxes(-2, -1)


# --- triangular solves on arrays --------------------------------------------------------------
def _triangle(a, upper, unit, xp):
    """The triangle of a that a triangular solve reads (its diagonal ones when unit)."""
    n = a.shape[-1]
    i = xp.arange(n).reshape(n, 1)
    j = xp.arange(n).reshape(1, n)
    keep = (j >= i) if upper else (j <= i)
    t = xp.where(keep, a, xp.zeros((), dtype=a.dtype))
    if unit:
        t = xp.where(i == j, xp.ones((), dtype=a.dtype), t)
    return t


def _substitute(a, b, upper, unit, xp):
    """X with A X = B for triangular A (..., n, n), B (..., n, k), batch dims
    broadcast: forward (lower) or back (upper) substitution, one row per step
    over the whole batch.  A zero pivot gives inf/nan, as LAPACK's trsm."""
    n = a.shape[-1]
    batch = check_broadcast(a.shape[:-2], b.shape[:-2])
    dtype = a.dtype                    # (the public functions give both one dtype)
    a = xp.broadcast_to(a, tuple(batch) + a.shape[-2:]).astype(dtype)
    x = xp.broadcast_to(b, tuple(batch) + b.shape[-2:]).astype(dtype)      # a copy: written below
    order = range(n - 1, -1, -1) if upper else range(n)
    for i in order:
        lo, hi = (i + 1, n) if upper else (0, i)
        r = x[..., i, :]
        if hi > lo:
            r = r - xp.matmul(a[..., i:i + 1, lo:hi], x[..., lo:hi, :])[..., 0, :]
        x[..., i, :] = r if unit else r / a[..., i, i:i + 1]
    return x


def _solve_triangular(a, b, upper, left, unit, b_shape=None, *, xp=_XP):
    if not left:                       # X A = B  <=>  A^T X^T = B^T
        return _mT(_substitute(_mT(a), _mT(b), not upper, unit, xp))
    return _substitute(a, b, upper, unit, xp)


def _tri_mask(F, A, upper, strict):
    """Ones on A's triangle (off the diagonal when strict), in A's dtype."""
    n = A.shape[-1]
    low = F.tri_ones(A, n)
    m = F.mT(low) if upper else low
    return m - F.eye_mask(A, n) if strict else m


def _st_grad_b(F, g, A, upper, left, unit, b_shape):
    gb = F.linalg_solve_triangular(F.mT(A), g, not upper, left, unit)
    return F.sum_to(gb, b_shape)


def _st_grad_a(F, g, A, out, upper, left, unit, b_shape):
    gb = F.linalg_solve_triangular(F.mT(A), g, not upper, left, unit)
    ga = -F.matmul(gb, F.mT(out)) if left else -F.matmul(F.mT(out), gb)
    return F.sum_to(ga * _tri_mask(F, A, upper, unit), tuple(A.shape))


SOLVE_TRIANGULAR = defop("linalg_solve_triangular", _solve_triangular, _st_grad_a, _st_grad_b,
                         inputs=("A", "B"), params=("upper", "left", "unit", "b_shape"),
                         node_name="LinalgSolveTriangularBackward0")
_TRIANGULAR_SOLVE = SOLVE_TRIANGULAR.variant("TriangularSolveBackward0")


def _st_tensor(A, B, upper, left, unit, b_shape=None):
    A, B = as_tensor_arg(A), as_tensor_arg(B)
    return apply(SOLVE_TRIANGULAR, (A, B), (A._data, B._data),
                 (upper, left, unit, tuple(B._data.shape)))


expose(_st_tensor, "linalg_solve_triangular", function=False, method=False)


def _legacy(d):
    return _dtypes.FROM_NP[d.dtype].legacy


def _shape_text(s):
    return "x".join(str(k) for k in s)


_REQUIRED = object()


def solve_triangular(A, B, *, upper=_REQUIRED, left=True, unitriangular=False):
    """The result has A's dtype (B is cast to it), as PyTorch's."""
    if upper is _REQUIRED:
        raise TypeError('linalg_solve_triangular() missing 1 required positional arguments: '
                        '"upper"')
    A, B = as_tensor_arg(A), as_tensor_arg(B)
    ad, bd = A._data, B._data
    name = "linalg.solve_triangular"
    if bd.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    if ad.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if ad.shape[-1] != ad.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{ad.shape[-2]} by {ad.shape[-1]} matrices")
    n = ad.shape[-1]
    if (bd.shape[-2] if left else bd.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {_shape_text(bd.shape[-2:])})")
    check_broadcast(bd.shape[:-2], ad.shape[:-2])
    if ad.dtype.kind not in "fc" or ad.dtype.itemsize < 4:
        raise NotImplementedError(f"\"triangular_solve_cpu\" not implemented for '{_legacy(ad)}'")
    B = B.to(A.dtype)
    return apply(SOLVE_TRIANGULAR, (A, B), (A._data, B._data),
                 (bool(upper), bool(left), bool(unitriangular), tuple(B._data.shape)))


# --- torch.triangular_solve (deprecated): (solution, cloned_coefficient) ----------------------------
class triangular_solve_result(tuple):      # torch.return_types.triangular_solve
    solution = property(lambda self: self[0])
    cloned_coefficient = property(lambda self: self[1])

    def __repr__(self):
        return (f"torch.return_types.triangular_solve(\nsolution={self[0]!r},\n"
                f"cloned_coefficient={self[1]!r})")


triangular_solve_result.__name__ = triangular_solve_result.__qualname__ = "triangular_solve"

# The copy of A shares the solution's node name; its gradient goes to A whole.
_COEFF = defop("triangular_solve_coefficient", lambda a, *, xp=_XP: a.copy(),
               lambda F, g: g, inputs=("A",), node_name="TriangularSolveBackward0")
expose(lambda A: apply(_COEFF, (A,), (A._data,)), "triangular_solve_coefficient",
       function=False, method=False)


def _same_dtype_bA(bd, ad):
    if bd.dtype != ad.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_legacy(bd)} and A of type {_legacy(ad)} instead.")


def _square_system(bd, ad, short):
    """The checks PyTorch makes, in its order, on the right-hand sides b and
    the square matrices A of a solve (`short`: the kernel's name)."""
    _same_dtype_bA(bd, ad)
    if ad.shape[-1] != ad.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are "
                           f"{ad.shape[-2]} by {ad.shape[-1]} matrices")
    if ad.shape[-1] != bd.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for {short}: each A matrix is "
                           f"{ad.shape[-1]} by {ad.shape[-1]} but each b matrix is "
                           f"{bd.shape[-2]} by {bd.shape[-1]}")
    check_broadcast(bd.shape[:-2], ad.shape[:-2])
    if ad.dtype.kind not in "fc":
        raise NotImplementedError(f"\"{short}_cpu\" not implemented for '{_legacy(ad)}'")


def _check_bA(name, short, b, A):
    bd, ad = b._data, A._data
    if bd.ndim < 2:
        raise RuntimeError(f"{name}: Expected b to have at least 2 dimensions, but it has "
                           f"{bd.ndim} dimensions instead")
    if ad.ndim < 2:
        raise RuntimeError(f"{name}: Expected A to have at least 2 dimensions, but it has "
                           f"{ad.ndim} dimensions instead")
    _square_system(bd, ad, short)


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    _warnings.warn(
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will "
        "be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its "
        "arguments reversed and does not return a copy of one of the inputs.\n"
        "X = torch.triangular_solve(B, A).solution\nshould be replaced with\n"
        "X = torch.linalg.solve_triangular(A, B).", UserWarning, stacklevel=2)
    b, A = as_tensor_arg(input), as_tensor_arg(A)
    _check_bA("torch.triangular_solve", "triangular_solve", b, A)
    upper = bool(upper)
    At = _shape.transpose(A, -2, -1) if transpose else A
    sol = apply(SOLVE_TRIANGULAR, (At, b), (At._data, b._data),
                (upper != bool(transpose), True, bool(unitriangular), tuple(b._data.shape)),
                _TRIANGULAR_SOLVE)
    result = triangular_solve_result((sol, apply(_COEFF, (A,), (A._data,))))
    return result if out is None else _out.into(out, result, "triangular_solve")


# --- cholesky_solve / cholesky_inverse -----------------------------------------------------------
def _cholesky_solve(b, l, upper, b_shape=None, *, xp=_XP):
    """(L L^T)^-1 B (upper: (U^T U)^-1 B), two triangular solves."""
    y = _substitute(_mT(l) if upper else l, b, False, False, xp)
    return _substitute(l if upper else _mT(l), y, True, False, xp)


def _times_factor(F, C, L, upper):
    return -F.matmul(L, C) if upper else -F.matmul(C, L)


def _cs_grad_b(F, g, L, upper, b_shape):
    return F.sum_to(F.cholesky_solve(g, L, upper), b_shape)


def _cs_grad_l(F, g, L, out, upper, b_shape):
    gb = F.cholesky_solve(g, L, upper)
    C = F.matmul(gb, F.mT(out))
    C = C + F.mT(C)
    return F.sum_to(_times_factor(F, C, L, upper), tuple(L.shape))


CHOLESKY_SOLVE = defop("cholesky_solve", _cholesky_solve, _cs_grad_b, _cs_grad_l,
                       inputs=("B", "L"), params=("upper", "b_shape"))


def _cs_tensor(B, L, upper, b_shape=None):
    return apply(CHOLESKY_SOLVE, (B, L), (B._data, L._data), (upper, tuple(B._data.shape)))


expose(_cs_tensor, "cholesky_solve", function=False, method=False)


def cholesky_solve(input, input2, upper=False, *, out=None):
    if out is not None:
        return _out.into(out, cholesky_solve(input, input2, upper), "cholesky_solve",
                         cast=_out.castable("cholesky_solve"))
    B, L = as_tensor_arg(input), as_tensor_arg(input2)
    bd, ld = B._data, L._data
    if bd.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {bd.ndim} dimensions "
                           "instead")
    if ld.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {ld.ndim} dimensions "
                           "instead")
    _square_system(bd, ld, "cholesky_solve")
    return apply(CHOLESKY_SOLVE, (B, L), (bd, ld), (bool(upper), tuple(bd.shape)))


def _first_zero_diagonal(l, be):
    host = be.to_numpy(l)
    flat = host.reshape((-1,) + host.shape[-2:])
    for b in range(flat.shape[0]):
        for k in range(flat.shape[-1]):
            if flat[b, k, k] == 0:
                where = f"(Batch element {b}): " if host.ndim > 2 else ""
                return where, k + 1
    return None


def _cholesky_inverse(l, upper, *, be=_backend.NUMPY):
    xp = be.xp
    zero = _first_zero_diagonal(l, be) if l.size else None
    if zero is not None:
        raise _LinAlgError(f"cholesky_inverse: {zero[0]}The diagonal element {zero[1]} is zero, "
                           "the inversion could not be completed because the input matrix is "
                           "singular.")
    eye = xp.broadcast_to(xp.eye(l.shape[-1], dtype=l.dtype), l.shape)
    return _cholesky_solve(eye, l, upper, xp=xp)


def _ci_grad(F, g, L, out, upper):
    C = F.matmul(F.matmul(out, g + F.mT(g)), out)
    return _times_factor(F, C, L, upper)


CHOLESKY_INVERSE = defop("cholesky_inverse", _cholesky_inverse, _ci_grad, inputs=("L",),
                         params=("upper",))


def cholesky_inverse(input, upper=False, *, out=None):
    if out is not None:
        return _out.into(out, cholesky_inverse(input, upper), "cholesky_inverse",
                         cast=_out.castable("cholesky_inverse"))
    L = as_tensor_arg(input)
    d = L._data
    if d.ndim < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 dimensions.")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"cholesky_inverse: A must be batches of square matrices, but they "
                           f"are {d.shape[-2]} by {d.shape[-1]} matrices")
    if d.dtype.kind not in "fc":
        raise NotImplementedError(f"\"cholesky_inverse_out_cpu\" not implemented for "
                                  f"'{_legacy(d)}'")
    return apply(CHOLESKY_INVERSE, (L,), (d,), (bool(upper),))


TensorOps.cholesky_inverse = staticmethod(lambda L, upper: apply(
    CHOLESKY_INVERSE, (L,), (L._data,), (upper,)))


# --- torch.cholesky (deprecated) -------------------------------------------------------------------
_CHOLESKY_OLD = CHOLESKY.variant("CholeskyBackward0")


def cholesky(input, upper=False, *, out=None):
    _warnings.warn(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
        "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
        "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\n"
        "should be replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
        "equivalent results for all valid (symmetric positive definite) inputs.",
        UserWarning, stacklevel=2)
    A = as_tensor_arg(input)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("cholesky: The input tensor A must have at least 2 dimensions.")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"cholesky: A must be batches of square matrices, but they are "
                           f"{d.shape[-2]} by {d.shape[-1]} matrices")
    if d.dtype.kind not in "fc":
        raise NotImplementedError(f"\"cholesky_cpu\" not implemented for '{_legacy(d)}'")
    try:
        result = apply(CHOLESKY, (A,), (d,), (bool(upper),), _CHOLESKY_OLD)
    except _LinAlgError as e:
        text = str(e)
        raise _LinAlgError(text.replace("linalg.cholesky: ", "cholesky: ", 1)) from None
    if out is not None:
        return _out.into(out, result, "cholesky", cast=_out.castable("cholesky"))
    return result


# --- torch.svd and torch.qr (deprecated forms) -------------------------------------------------------
class svd_result(tuple):                   # torch.return_types.svd: (U, S, V)
    U = property(lambda self: self[0])
    S = property(lambda self: self[1])
    V = property(lambda self: self[2])

    def __repr__(self):
        return f"torch.return_types.svd(\nU={self[0]!r},\nS={self[1]!r},\nV={self[2]!r})"


svd_result.__name__ = svd_result.__qualname__ = "svd"


def svd(input, some=True, compute_uv=True, *, out=None):
    """(U, S, V) with A = U diag(S) V^T: V, not linalg.svd's Vh (its transpose, a view).
    compute_uv=False: U and V are zeros of the full shapes, without a graph."""
    if out is not None:
        return _out.into(out, svd(input, some, compute_uv), "_linalg_svd")
    A = as_tensor_arg(input)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has "
                           f"{d.ndim} dimensions instead")
    if not compute_uv:
        m, n = d.shape[-2:]
        S = _linalg_svd(A, False).S
        kw = dict(dtype=A.dtype)
        return svd_result((_factories.zeros(tuple(d.shape[:-2]) + (m, m), **kw), S,
                           _factories.zeros(tuple(d.shape[:-2]) + (n, n), **kw)))
    U, S, Vh = _linalg_svd(A, not some)
    return svd_result((U, S, _shape.transpose(Vh, -2, -1)))


class qr_result(tuple):                    # torch.return_types.qr
    Q = property(lambda self: self[0])
    R = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.qr(\nQ={self[0]!r},\nR={self[1]!r})"


qr_result.__name__ = qr_result.__qualname__ = "qr"


def qr(input, some=True, *, out=None):
    _warnings.warn(
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string parameter "
        "'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\n"
        "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')", UserWarning,
        stacklevel=2)
    result = qr_result(tuple(_linalg_qr(input, "reduced" if some else "complete")))
    return result if out is None else _out.into(out, result, "linalg_qr")


# --- addr: beta * input + alpha * outer(vec1, vec2) (PyTorch's AddrBackward0) ---------------------
def _addr(x, u, v, beta, alpha, *, xp=_XP):
    outer = u.reshape(u.shape[0], 1) * v.reshape(1, v.shape[0])
    if alpha != 1:
        outer = outer * alpha
    if beta == 0:                      # input is ignored (its nan/inf too), as PyTorch's
        return xp.broadcast_to(outer, outer.shape).astype(outer.dtype)
    return (x * beta if beta != 1 else x) + outer


def _addr_grad_x(F, g, beta, x_shape):
    return F.sum_to(g * beta, x_shape)


def _addr_grad_u(F, g, v, alpha):
    return F.matmul(g, v) * alpha


def _addr_grad_v(F, g, u, alpha):
    return F.matmul(F.mT(g), u) * alpha


def _addr_x(x, u, v, beta, alpha, x_shape, *, xp=_XP):
    return _addr(x, u, v, beta, alpha, xp=xp)


ADDR = defop("addr", _addr_x, _addr_grad_x, _addr_grad_u, _addr_grad_v, inputs=("x", "u", "v"),
             params=("beta", "alpha", "x_shape"))


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    if out is not None:
        return _out.into(out, addr(input, vec1, vec2, beta=beta, alpha=alpha), "addr")
    x, u, v = as_tensor_arg(input), as_tensor_arg(vec1), as_tensor_arg(vec2)
    for name, t in (("vec1", u), ("vec2", v)):
        if t._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    dt = _dtypes.promote_types(_dtypes.promote_types(x.dtype, u.dtype), v.dtype)
    if not dt.is_floating_point and dt is not _dtypes.bool:
        if isinstance(alpha, float) or isinstance(beta, float):
            which = "beta" if isinstance(beta, float) else "alpha"
            raise RuntimeError(f"For integral input tensors, argument {which} must not be a "
                               "floating point number.")
    shape = (u._data.shape[0], v._data.shape[0])
    xs = x._data.shape
    if len(xs) > 2 or any(a != b and a != 1 for a, b in zip(xs[::-1], shape[::-1])):
        raise RuntimeError(
            f"The expanded size of the tensor ({shape[-1]}) must match the existing size "
            f"({xs[-1]}) at non-singleton dimension {len(shape) - 1}.  Target sizes: "
            f"[{shape[0]}, {shape[1]}].  Tensor sizes: [{', '.join(str(s) for s in xs)}]")
    x, u, v = x.to(dt), u.to(dt), v.to(dt)
    if dt is _dtypes.bool:
        beta, alpha = bool(beta), bool(alpha)
    return apply(ADDR, (x, u, v), (x._data, u._data, v._data), (beta, alpha, xs))


# --- vander ------------------------------------------------------------------------------------------
def _vander_dtype(x):
    return _dtypes.int64 if not (x._data.dtype.kind in "fc") else x.dtype


def vander(x, N=None, increasing=False):
    """Columns x^(N-1) ... x^0 (x^0 ... x^(N-1) when increasing): ones, then a
    running product written into the rest, as PyTorch (CopySlices, then Flip)."""
    x = as_tensor_arg(x)
    d = x._data
    if d.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = d.shape[0]
    N = n if N is None else int(N)
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    dt = _vander_dtype(x)
    if N <= 1:
        out = _factories.ones(n, N, dtype=dt)
    else:
        prods = _scans.cumprod(_shape.expand(_shape.unsqueeze(x.to(dt), 1), n, N - 1), 1)
        if _VMAP_ACTIVE[0]:
            # (x may be batched: the ones and the products concatenated, not the
            # products written into unbatched ones)
            out = _shape.cat([_factories.ones(n, 1, dtype=dt), prods], 1)
        else:
            out = _factories.ones(n, N, dtype=dt)
            out[:, 1:] = prods
    return out if increasing else _select.flip(out, (1,))


def linalg_vander(x, *, N=None):
    """(..., n) -> (..., n, N): x^0 ... x^(N-1), ones beside a running product (CatBackward0)."""
    x = as_tensor_arg(x)
    d = x._data
    if x.dtype is _dtypes.bool:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, "
                           "but got Bool")
    N = (d.shape[-1] if d.ndim else 1) if N is None else int(N)
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    dt = _vander_dtype(x)
    x = x.to(dt)
    if d.ndim == 0:                 # a number is taken as one point (PyTorch's (1, N))
        x, d = _shape.reshape(x, (1,)), d.reshape(1)
    col = _shape.unsqueeze(x, -1)
    ones = _factories.ones(tuple(d.shape) + (1,), dtype=dt)
    rest = _scans.cumprod(_shape.expand(col, *(tuple(d.shape) + (N - 1,))), -1)
    return _shape.cat([ones, rest], -1)


# --- norms torch keeps for TorchScript -----------------------------------------------------------------
_NORM1 = _la.VECTOR_NORM.variant("NormBackward1")


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    _warnings.warn(
        "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, "
        "keepdim)` instead", UserWarning, stacklevel=2)
    if isinstance(dim, bool):             # nuclear_norm(x, keepdim) positionally
        dim, keepdim = None, dim
    result = _la.matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim)
    if out is not None:              # (a composite in PyTorch: a copy autograd records)
        return _out.copy_into(out, result, "nuclear_norm", exact=_la.MATRIX_NORM_DTYPE)
    return result


def frobenius_norm(input, dim, keepdim=False, *, out=None):
    _warnings.warn(
        "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, "
        "keepdim)` instead", UserWarning, stacklevel=2)
    x = as_tensor_arg(input)
    d = x._data
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions "
                           "instead.")
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. "
                           f"Got {_legacy(d)} instead.")
    axes = normalize_dims(dims, d.ndim) if d.ndim else None
    if axes is not None and len(axes) == 0:
        axes = None
    result = apply(_la.VECTOR_NORM, (x,), (d,), (2.0, axes, bool(keepdim), d.shape), _NORM1)
    return result if out is None else _out.into(out, result, "norm", exact=_out.EXPECTED)


# --- matrix_rank -----------------------------------------------------------------------------------
def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The number of singular values (|eigenvalues| when hermitian) above
    max(atol, rtol * the largest); rtol defaults to eps * max(m, n), or to 0
    where atol is given and positive (PyTorch's rule).  int64, no gradient."""
    if out is not None:
        return _out.into(out, matrix_rank(A, tol, hermitian, atol=atol, rtol=rtol),
                         "linalg_matrix_rank", cast=_out.castable("torch.linalg.matrix_rank"))
    A = as_tensor_arg(A)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least "
                           "2 dimensions.")
    if d.dtype.kind not in "fc":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = tol, 0.0
    with _grad_mode.no_grad():
        s = _pointwise.abs(_eigvalsh(A)) if hermitian else _linalg_svd(A, False).S
        m, n = d.shape[-2:]
        default = _typeinfo.finfo(A.dtype).eps * max(m, n)
        smax = _reduce.amax(s, -1, True) if s._data.shape[-1] else _reduce.sum(s, -1, True)
        a_t = _tolerance(0.0 if atol is None else atol, A.dtype)
        if rtol is not None:
            r_t = _tolerance(rtol, A.dtype)
        elif atol is None:
            r_t = _tolerance(default, A.dtype)
        else:
            r_t = _pointwise.where(a_t > 0, 0.0, default)
        thr = _pointwise.maximum(smax * _shape.unsqueeze(r_t, -1), _shape.unsqueeze(a_t, -1)
                                 + smax * 0)
        return _reduce.sum(s > thr, -1)


def _tolerance(v, dtype):
    return v.to(dtype) if isinstance(v, Tensor) else _factories.tensor(float(v), dtype=dtype)


# --- functions torch 2.13 keeps only as erroring stubs --------------------------------------------
_REMOVED = {
    "matrix_rank": (
        "This function was deprecated since version 1.9 and is now removed.\n"
        "Please use the `torch.linalg.matrix_rank` function instead. "
        "The parameter 'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'."),
    "solve": (
        "This function was deprecated since version 1.9 and is now removed. "
        "`torch.solve` is deprecated in favor of `torch.linalg.solve`. "
        "`torch.linalg.solve` has its arguments reversed and does not return the LU "
        "factorization.\n\n"
        "To get the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
        "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\n"
        "X = torch.linalg.solve(A, B)"),
    "lstsq": (
        "This function was deprecated since version 1.9 and is now removed. "
        "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
        "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in "
        "the returned tuple (although it returns other information about the problem).\n\n"
        "To get the QR decomposition consider using `torch.linalg.qr`.\n\n"
        "The returned solution in `torch.lstsq` stored the residuals of the solution in the "
        "last m - n columns of the returned value whenever m > n. In torch.linalg.lstsq, "
        "the residuals are in the field 'residuals' of the returned named tuple.\n\n"
        "The unpacking of the solution, as in\n"
        "X, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\n"
        "X = torch.linalg.lstsq(A, B).solution"),
    "symeig": (
        "This function was deprecated since version 1.9 and is now removed. "
        "The default behavior has changed from using the upper triangular portion of the matrix "
        "by default to using the lower triangular portion.\n\n"
        "L, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
        "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\n"
        "L, V = torch.symeig(A, eigenvectors=True) should be replaced with:\n"
        "L, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')"),
    "eig": (
        "This function was deprecated since version 1.9 and is now removed. "
        "`torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than "
        "real tensors mimicking complex tensors.\n\n"
        "L, _ = torch.eig(A) should be replaced with:\n"
        "L_complex = torch.linalg.eigvals(A)\n\nand\n\n"
        "L, V = torch.eig(A, eigenvectors=True) should be replaced with:\n"
        "L_complex, V_complex = torch.linalg.eig(A)"),
}


# (their signatures are torch's, out= included: the call, out= or not, is the error)
def removed_matrix_rank(input, tol=None, symmetric=False, *, out=None):
    raise RuntimeError(_REMOVED["matrix_rank"])


def removed_solve(input, A, *, out=None):
    raise RuntimeError(_REMOVED["solve"])


def removed_lstsq(input, A, *, out=None):
    raise RuntimeError(_REMOVED["lstsq"])


def removed_symeig(input, eigenvectors=False, upper=True, *, out=None):
    raise RuntimeError(_REMOVED["symeig"])


def removed_eig(*args, **kwargs):
    raise RuntimeError(_REMOVED["eig"])


for _stub, _name in ((removed_matrix_rank, "matrix_rank"), (removed_solve, "solve"),
                     (removed_lstsq, "lstsq"), (removed_symeig, "symeig"), (removed_eig, "eig")):
    _stub.__name__ = _stub.__qualname__ = _name
del _stub, _name


expose(triangular_solve, formulas=False)
expose(cholesky_solve, formulas=False)
expose(cholesky_inverse, formulas=False)
expose(cholesky, formulas=False)
expose(svd, formulas=False)
expose(qr, formulas=False)
expose(addr, formulas=False, inplace=True)
expose(vander, method=False, formulas=False)
expose(nuclear_norm, method=False, formulas=False)
expose(frobenius_norm, method=False, formulas=False)
expose(removed_solve, "solve", formulas=False)
expose(removed_lstsq, "lstsq", formulas=False)
expose(removed_symeig, "symeig", formulas=False)
expose(removed_eig, "eig", formulas=False)
expose(removed_matrix_rank, "matrix_rank", method=False, formulas=False)


# --- linalg.lstsq ------------------------------------------------------------------------------------
# X = A^+ B, the minimum-norm least-squares solution (what every CPU driver
# gives for a matrix of full rank, and gelsy/gelsd/gelss also past the rank
# that rcond cuts), singular values <= rcond * the largest counting as zero.
# Gradients (PyTorch's LinalgLstsqBackward0): gB = P^T g, gA = pinv's
# backward applied to g B^T (P = A^+, ops/matrix_functions.py).  residuals
# ||A X - B||^2 per column (m > n, full rank): at the minimum the gradient
# through X vanishes, so gA = 2 R diag(g) X^T and gB = -2 R diag(g), R = A X - B.

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _as_columns(b, vector):
    return b.reshape(b.shape + (1,)) if vector else b


def _lstsq(a, b, rcond, vector, b_shape=None, *, xp=_XP):
    x = xp.matmul(_pinv(a, 0.0, rcond, xp=xp), _as_columns(b, vector))
    return x[..., 0] if vector else x


def _lstsq_grad_b(F, g, A, rcond, vector, b_shape):
    P = F.linalg_pinv(A, 0.0, rcond)
    gb = F.matmul(F.mT(P), _cols_of(F, g, vector))
    return F.sum_to(_uncols(F, gb, vector), b_shape)


def _lstsq_grad_a(F, g, A, B, rcond, vector, b_shape):
    P = F.linalg_pinv(A, 0.0, rcond)
    G = F.matmul(_cols_of(F, g, vector), F.mT(_cols_of(F, B, vector)))
    return F.sum_to(_pinv_grad(F, G, A, P), tuple(A.shape))


def _cols_of(F, x, vector):
    return F.reshape(x, tuple(x.shape) + (1,)) if vector else x


def _uncols(F, x, vector):
    return F.reshape(x, tuple(x.shape[:-1])) if vector else x


LSTSQ = defop("linalg_lstsq", _lstsq, _lstsq_grad_a, _lstsq_grad_b, inputs=("A", "B"),
              params=("rcond", "vector", "b_shape"), node_name="LinalgLstsqBackward0")


def _residuals(a, b, rcond, vector, computed, b_shape=None, *, xp=_XP):
    if not computed:
        return xp.zeros((0,), dtype=a.dtype)
    bc = _as_columns(b, vector)
    r = xp.matmul(a, xp.matmul(_pinv(a, 0.0, rcond, xp=xp), bc)) - bc
    return (r * r).sum(axis=-2)


def _residual_parts(F, A, B, rcond, vector):
    Bc = _cols_of(F, B, vector)
    X = F.matmul(F.linalg_pinv(A, 0.0, rcond), Bc)
    return F.matmul(A, X) - Bc, X


def _res_grad_a(F, g, A, B, rcond, vector, computed, b_shape):
    if not computed:
        return A * 0
    R, X = _residual_parts(F, A, B, rcond, vector)
    gr = F.reshape(g, tuple(g.shape[:-1]) + (1,) + tuple(g.shape[-1:]))
    return F.sum_to(F.matmul(R * gr, F.mT(X)) * 2, tuple(A.shape))


def _res_grad_b(F, g, A, B, rcond, vector, computed, b_shape):
    if not computed:
        return B * 0
    R, _ = _residual_parts(F, A, B, rcond, vector)
    gr = F.reshape(g, tuple(g.shape[:-1]) + (1,) + tuple(g.shape[-1:]))
    return F.sum_to(_uncols(F, R * gr * -2, vector), b_shape)


RESIDUALS = defop("linalg_lstsq_residuals", _residuals, _res_grad_a, _res_grad_b,
                  inputs=("A", "B"), params=("rcond", "vector", "computed", "b_shape"),
                  node_name="LinalgLstsqBackward0")
expose(lambda A, atol, rtol: apply(_PINV, (A,), (A._data,), (atol, rtol)), "linalg_pinv",
       function=False, method=False)


class linalg_lstsq(tuple):              # noqa: N801  (PyTorch's class name)
    solution = property(lambda self: self[0])
    residuals = property(lambda self: self[1])
    rank = property(lambda self: self[2])
    singular_values = property(lambda self: self[3])

    def __repr__(self):
        return (f"torch.return_types.linalg_lstsq(\nsolution={self[0]!r},\n"
                f"residuals={self[1]!r},\nrank={self[2]!r},\nsingular_values={self[3]!r})")


# the parts' names in PyTorch's cast refusals (residuals' says "solution", as PyTorch's does)
_LSTSQ_CASTS = [_out.castable("torch.linalg.lstsq", part)
                for part in ("solution", "solution", "rank", "singular_values")]


def lstsq(A, B, rcond=None, *, driver=None, out=None):
    if out is not None:
        return _out.into(out, lstsq(A, B, rcond, driver=driver), "linalg_lstsq",
                         casts=_LSTSQ_CASTS)
    A, B = as_tensor_arg(A), as_tensor_arg(B)
    ad, bd = A._data, B._data
    name = "torch.linalg.lstsq"
    if ad.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if not (ad.ndim >= bd.ndim and ad.ndim - bd.ndim <= 1):
        raise RuntimeError(f"{name}: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"{name}: Expected input and other to have the same dtype, but got "
                           f"input's dtype {_legacy(ad)} and other's dtype {_legacy(bd)}")
    if ad.dtype.kind not in "fc" or ad.dtype.itemsize < 4:
        raise RuntimeError("This function doesn't handle types other than float and double")
    vector = bd.ndim == 1 or ad.ndim - 1 == bd.ndim
    m, n = ad.shape[-2:]
    check_broadcast(ad.shape[:-2], bd.shape[:-1] if vector else bd.shape[:-2])
    if (bd.shape[-1] if vector else bd.shape[-2]) != m:
        raise RuntimeError(f"{name}: input.size(-2) should match other.size(-2)")
    if driver is None:
        driver = "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError(f"{name}: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           "gelss)")
    if rcond is None:
        rcond = _typeinfo.finfo(A.dtype).eps * max(m, n)
    rcond = float(rcond)
    X = apply(LSTSQ, (A, B), (ad, bd), (rcond, vector, tuple(bd.shape)))
    k = min(m, n)
    with _grad_mode.no_grad():
        s = _linalg_svd(A, False).S if k else _factories.zeros(tuple(ad.shape[:-2]) + (0,),
                                                                 dtype=A.dtype)
        smax = _reduce.amax(s, -1, True) if k else s.sum(-1, True)
        rank = _reduce.sum(s > smax * rcond, -1)
    # Residuals only where m > n and every matrix is of full rank (gels assumes
    # it; gelsy gives none): a test on values, made only for the drivers that need it
    if driver == "gelsy":
        full = False
    elif driver == "gels":
        full = m > n
    else:
        full = bool(m > n and bool((rank == n).all()))
    if driver == "gels":
        rank = _factories.empty(0, dtype=_dtypes.int64)
    res = apply(RESIDUALS, (A, B), (ad, bd), (rcond, vector, full, tuple(bd.shape)))
    sv = s if driver in ("gelsd", "gelss") else _factories.empty(0, dtype=A.dtype)
    return linalg_lstsq((X, res, rank, sv))


# --- norm_except_dim (weight normalisation's norm): over every dimension but one ------------------
def norm_except_dim(v, pow=2, dim=0):
    """The p-norm over all dimensions except dim, kept as size-1 dimensions
    (dim -1: the norm of everything), composed as PyTorch composes it."""
    _norm = _reduce.norm
    v = as_tensor_arg(v)
    nd = v._data.ndim
    if dim == -1:                   # torch.norm(v, pow): NormBackward0
        d = v._data
        return apply(_reduce.NORM, (v,), (d,), (float(pow), None, False, d.shape),
                     _reduce.NORM.variant("NormBackward0"))
    if dim == 0:
        out = [1] * nd
        out[0] = v.shape[0]
        return _shape.reshape(_norm(_shape.reshape(v, (v.shape[0], -1)), pow, 1), tuple(out))
    if dim == nd - 1:
        out = [1] * nd
        out[-1] = v.shape[-1]
        return _shape.reshape(_norm(_shape.reshape(v, (-1, v.shape[-1])), pow, 0), tuple(out))
    return _shape.transpose(norm_except_dim(_shape.transpose(v, 0, dim), pow, 0), 0, dim)


expose(norm_except_dim, method=False, formulas=False)

"""LU with partial pivoting: linalg.lu_factor(_ex), linalg.lu, linalg.lu_solve,
torch.lu, torch.lu_unpack and torch.lu_solve (issue 11), batched, any m x n.

A = P L U: L m x k unit lower, U k x n upper (k = min(m, n)), P from the row
swaps (`pivots`, 1-based, int32, LAPACK's getrf convention: the first row of
largest magnitude).  Each output is its own op that recomputes the
factorization it needs (it is deterministic), sharing PyTorch's node name.

Gradient (square; PyTorch's LinalgLuBackward0 agrees), with X = L^-1 P^T dA U^-1:
  dL = L tril(X, -1), dU = triu(X) U, so
  gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T.
Wide (m < n, U = [U1 | U2]): gA2 = P L^-T gU2, and the square formula on
A1 = P L U1 with gL - L^-T gU2 U2^T.  Tall (m > n, L = [L1; L2]): with
B = P^T A, gB2 = gL2 U^-T, and the square formula on B1 = L1 U with
gU - L2^T gL2 U^-T.  lu_solve (X = A^-1 B, A = P L U packed in LU):
  gB = A^-T g (an lu_solve again), gA = -gB X^T, then onto the packing:
  gLU = tril(P^T gA U^T, -1) + triu(L^T P^T gA).
All formulas are F ops (the triangular solves too), so any order works.
"""
import warnings as _warnings

from .. import _dtypes, _factories
from . import _backend, _out
from ._args import as_tensor_arg, check_broadcast
from ._dispatch import apply
from ._registry import defop, expose
from . import linalg_more as _lm

_XP = _backend.NUMPY.xp


def _mT(x):
    return x.swapaxes(-2, -1)


# --- the factorization on arrays -------------------------------------------------------------------
def _getrf(a, xp):
    """(packed LU, 0-based pivot rows (..., k), row order perm (..., m)):
    a[perm] = L U, one column per step over the whole batch."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    lu = a.astype(a.dtype)                                  # a copy, written below
    rows = xp.arange(m)
    perm = xp.broadcast_to(rows, tuple(batch) + (m,)).astype(rows.dtype)
    piv = []
    for j in range(k):
        p = abs(lu[..., j:, j]).argmax(axis=-1) + j           # (batch)
        piv.append(p)
        pc = p.reshape(tuple(batch) + (1,))
        swap = xp.where(rows == j, pc, xp.where(rows == pc, j, rows))   # (batch, m)
        lu = xp.take_along_axis(lu, swap.reshape(tuple(batch) + (m, 1)), axis=-2)
        perm = xp.take_along_axis(perm, swap, axis=-1)
        pivot = lu[..., j, j:j + 1]
        if j + 1 < m:
            # a zero pivot means a zero column below it: nothing to scale (as LAPACK)
            mult = lu[..., j + 1:, j] / xp.where(pivot == 0, xp.ones((), dtype=a.dtype), pivot)
            lu[..., j + 1:, j] = mult
            if j + 1 < n:
                lu[..., j + 1:, j + 1:] = lu[..., j + 1:, j + 1:] - \
                    mult.reshape(mult.shape + (1,)) * lu[..., j:j + 1, j + 1:]
    pivots = xp.stack(piv, axis=-1) if piv else xp.zeros(tuple(batch) + (0,), dtype=rows.dtype)
    return lu, pivots, perm


def _perm_matrix(perm, dtype, xp):
    """P with P[perm[j], j] = 1, so that A = P L U when A[perm] = L U."""
    m = perm.shape[-1]
    i = xp.arange(m).reshape(m, 1)
    return (perm.reshape(perm.shape[:-1] + (1, m)) == i).astype(dtype)


def _unit_lower(lu, k, xp):
    m = lu.shape[-2]
    i = xp.arange(m).reshape(m, 1)
    j = xp.arange(k).reshape(1, k)
    part = lu[..., :, :k]
    return xp.where(i > j, part, xp.zeros((), dtype=lu.dtype)) + (i == j).astype(lu.dtype)


def _upper(lu, k, xp):
    n = lu.shape[-1]
    i = xp.arange(k).reshape(k, 1)
    j = xp.arange(n).reshape(1, n)
    return xp.where(i <= j, lu[..., :k, :], xp.zeros((), dtype=lu.dtype))


def _lu_packed(a, *, xp=_XP):
    return _getrf(a, xp)[0]


def _lu_pivots(a, *, xp=_XP):
    return (_getrf(a, xp)[1] + 1).astype(_dtypes.int32.np)


def _lu_p(a, *, xp=_XP):
    return _perm_matrix(_getrf(a, xp)[2], a.dtype, xp)


def _lu_l(a, *, xp=_XP):
    return _unit_lower(_getrf(a, xp)[0], min(a.shape[-2:]), xp)


def _lu_u(a, *, xp=_XP):
    return _upper(_getrf(a, xp)[0], min(a.shape[-2:]), xp)


# --- masks and pieces, as F ops -------------------------------------------------------------------
def _band(x, m, n, lower, *, xp=_XP):
    """An m x n constant in x's dtype: ones strictly below the diagonal (lower)
    or on and above it."""
    i = xp.arange(m).reshape(m, 1)
    j = xp.arange(n).reshape(1, n)
    return ((i > j) if lower else (i <= j)).astype(x.dtype)


BAND = defop("lu_band", _band, params=("m", "n", "lower"), quiet=False)   # a constant
expose(lambda x, m, n, lower: apply(BAND, (x,), (x._data,), (m, n, lower)), "lu_band",
       function=False, method=False)


def _cols(F, x, a, b):
    return F.getitem(x, (Ellipsis, slice(None), slice(a, b)))


def _rows(F, x, a, b):
    return F.getitem(x, (Ellipsis, slice(a, b), slice(None)))


def _pad(F, x, axis, before, after):
    nd = len(x.shape)
    pads = [(0, 0)] * nd
    pads[axis] = (before, after)
    return F.constant_pad_nd(x, tuple(pads), 0)


def _linv_t(F, L, X):
    """L^-T X for unit lower L (k x k)."""
    return F.linalg_solve_triangular(F.mT(L), X, True, True, True)


def _times_uinv_t(F, X, U):
    """X U^-T for upper U (k x k)."""
    return F.linalg_solve_triangular(F.mT(U), X, False, False, False)


def _square_grad(F, gL, gU, L, U):
    """L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T for square L, U (k x k); None: zero."""
    k = L.shape[-1]
    phi = None
    if gL is not None:
        phi = F.matmul(F.mT(L), gL) * F.lu_band(L, k, k, True)
    if gU is not None:
        t = F.matmul(gU, F.mT(U)) * F.lu_band(L, k, k, False)
        phi = t if phi is None else phi + t
    return _times_uinv_t(F, _linv_t(F, L, phi), U)


def _lu_grad(F, A, gL, gU):
    m, n = A.shape[-2], A.shape[-1]
    P, L, U = F.linalg_lu_p(A), F.linalg_lu_l(A), F.linalg_lu_u(A)
    if m == n:
        return F.matmul(P, _square_grad(F, gL, gU, L, U))
    if m < n:
        U1, U2 = _cols(F, U, 0, m), _cols(F, U, m, n)
        if gU is not None:
            gU1, gU2 = _cols(F, gU, 0, m), _cols(F, gU, m, n)
            corr = F.matmul(_linv_t(F, L, gU2), F.mT(U2))
            gL = -corr if gL is None else gL - corr
            gA2 = _linv_t(F, L, gU2)
        else:
            gU1 = gA2 = None
        gA1 = _square_grad(F, gL, gU1, L, U1)
        gA = _pad(F, gA1, -1, 0, n - m)
        if gA2 is not None:
            gA = gA + _pad(F, gA2, -1, m, 0)
        return F.matmul(P, gA)
    L1, L2 = _rows(F, L, 0, n), _rows(F, L, n, m)
    if gL is not None:
        gL1, gL2 = _rows(F, gL, 0, n), _rows(F, gL, n, m)
        gB2 = _times_uinv_t(F, gL2, U)
        corr = F.matmul(F.mT(L2), gB2)
        gU = -corr if gU is None else gU - corr
    else:
        gL1 = gB2 = None
    gB = _pad(F, _square_grad(F, gL1, gU, L1, U), -2, 0, m - n)
    if gB2 is not None:
        gB = gB + _pad(F, gB2, -2, n, 0)
    return F.matmul(P, gB)


def _packed_grad(F, g, A):
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    gL = _cols(F, g * F.lu_band(A, m, n, True), 0, k)
    gU = _rows(F, g * F.lu_band(A, m, n, False), 0, k)
    return _lu_grad(F, A, gL, gU)


LU_P = defop("linalg_lu_p", _lu_p)                                        # no gradient
LU_PIVOTS = defop("linalg_lu_pivots", _lu_pivots)                          # no gradient (int32)
LU_L = defop("linalg_lu_l", _lu_l, lambda F, g, A: _lu_grad(F, A, g, None), inputs=("A",),
             node_name="LinalgLuBackward0")
LU_U = defop("linalg_lu_u", _lu_u, lambda F, g, A: _lu_grad(F, A, None, g), inputs=("A",),
             node_name="LinalgLuBackward0")
LU_PACKED = defop("linalg_lu_factor", _lu_packed, _packed_grad, inputs=("A",),
                  node_name="LinalgLuFactorExBackward0")
for _op in (LU_P, LU_L, LU_U, LU_PACKED):
    expose(lambda A, _op=_op: apply(_op, (A,), (A._data,)), _op.name, function=False,
           method=False)


# --- the public functions ---------------------------------------------------------------------------
def _lu_args(name, A, pivot, *, factor_name="linalg.lu_factor"):
    A = as_tensor_arg(A)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: "
                           f"[{', '.join(str(s) for s in d.shape)}] instead")
    if d.dtype.kind not in "fc" or d.dtype.itemsize < 4:
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_lm._legacy(d)}'")
    if not pivot:
        raise RuntimeError(f"{factor_name}: LU without pivoting is not implemented on the CPU")
    return A, d


def _info(pivots_host_lu):
    """LAPACK's info per matrix: the first (1-based) zero on U's diagonal, else 0."""
    lu = pivots_host_lu
    k = min(lu.shape[-2:])
    if lu.size == 0:
        count = 1
        for s in lu.shape[:-2]:
            count *= s
        return [0] * count
    flat = lu.reshape((-1,) + lu.shape[-2:])
    out = []
    for b in range(flat.shape[0]):
        out.append(next((i + 1 for i in range(k) if flat[b, i, i] == 0), 0))
    return out


class linalg_lu_factor(tuple):          # noqa: N801  (PyTorch's class name)
    LU = property(lambda self: self[0])
    pivots = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.linalg_lu_factor(\nLU={self[0]!r},\npivots={self[1]!r})"


class linalg_lu_factor_ex(tuple):       # noqa: N801
    LU = property(lambda self: self[0])
    pivots = property(lambda self: self[1])
    info = property(lambda self: self[2])

    def __repr__(self):
        return (f"torch.return_types.linalg_lu_factor_ex(\nLU={self[0]!r},\n"
                f"pivots={self[1]!r},\ninfo={self[2]!r})")


class linalg_lu(tuple):                 # noqa: N801
    P = property(lambda self: self[0])
    L = property(lambda self: self[1])
    U = property(lambda self: self[2])

    def __repr__(self):
        return f"torch.return_types.linalg_lu(\nP={self[0]!r},\nL={self[1]!r},\nU={self[2]!r})"


class lu_unpack_result(tuple):
    P = property(lambda self: self[0])
    L = property(lambda self: self[1])
    U = property(lambda self: self[2])

    def __repr__(self):
        return f"torch.return_types.lu_unpack(\nP={self[0]!r},\nL={self[1]!r},\nU={self[2]!r})"


lu_unpack_result.__name__ = lu_unpack_result.__qualname__ = "lu_unpack"


class _lu_with_info(tuple):             # noqa: N801  (torch.lu(get_infos=True))
    LU = property(lambda self: self[0])
    pivots = property(lambda self: self[1])
    info = property(lambda self: self[2])

    def __repr__(self):
        return (f"torch.return_types._lu_with_info(\nLU={self[0]!r},\npivots={self[1]!r},\n"
                f"info={self[2]!r})")


def _factor(A, d):
    LU = apply(LU_PACKED, (A,), (d,))
    piv = apply(LU_PIVOTS, (A,), (d,))
    infos = _info(_backend.to_numpy(LU._data))
    return LU, piv, infos


def _info_tensor(infos, batch):
    return _factories.tensor(infos, dtype=_dtypes.int32).reshape(tuple(batch))


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    if out is not None:
        return _out.into(out, lu_factor_ex(A, pivot=pivot, check_errors=check_errors),
                         "linalg_lu_factor_ex")
    A, d = _lu_args("torch.lu_factor", A, pivot)
    LU, piv, infos = _factor(A, d)
    if check_errors:
        _raise_on_info("torch.linalg.lu_factor_ex", infos, d.ndim > 2)
    return linalg_lu_factor_ex((LU, piv, _info_tensor(infos, d.shape[:-2])))


def _raise_on_info(name, infos, batched):
    for b, i in enumerate(infos):
        if i:
            where = f"(Batch element {b}): " if batched else ""
            raise RuntimeError(f"{name}: {where}U[{i},{i}] is zero and using it on lu_solve would "
                               "result in a division by zero. If you still want to perform the "
                               "factorization, consider calling linalg.lu(A, pivot) or "
                               "linalg.lu_factor_ex(A, pivot)")


def lu_factor(A, *, pivot=True, out=None):
    if out is not None:           # (its kernel is lu_factor_ex's: autograd's refusal names that)
        _out.check_tuple(out, 2, "linalg_lu_factor")
        return _out.into(out, lu_factor(A, pivot=pivot), "linalg_lu_factor_ex")
    A, d = _lu_args("torch.lu_factor", A, pivot)
    LU, piv, infos = _factor(A, d)
    _raise_on_info("torch.linalg.lu_factor", infos, d.ndim > 2)
    return linalg_lu_factor((LU, piv))


def lu(A, *, pivot=True, out=None):
    if out is not None:
        return _out.into(out, lu(A, pivot=pivot), "linalg_lu")
    A, d = _lu_args("linalg.lu", A, pivot)
    return linalg_lu((apply(LU_P, (A,), (d,)), apply(LU_L, (A,), (d,)), apply(LU_U, (A,), (d,))))


def torch_lu(A, pivot=True, get_infos=False, out=None):
    """torch.lu: (LU, pivots), with the infos when get_infos; a singular
    matrix is no error (PyTorch's neither)."""
    _warnings.warn(
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and "
        "will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\n"
        "should be replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
        "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\n"
        "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)", UserWarning,
        stacklevel=2)
    A, d = _lu_args("torch.lu_factor", A, pivot)
    LU, piv, infos = _factor(A, d)
    result = (_lu_with_info((LU, piv, _info_tensor(infos, d.shape[:-2]))) if get_infos else
              (LU, piv))
    if out is not None:                       # (PyTorch writes into out, a tuple of tensors)
        return _out.into(out, result, "lu")
    return result


# --- lu_unpack -------------------------------------------------------------------------------------
def _unpack_l(lu, k, *, xp=_XP):
    return _unit_lower(lu, k, xp)


def _unpack_u(lu, k, *, xp=_XP):
    return _upper(lu, k, xp)


def _unpack_l_grad(F, g, LU, k):
    m, n = LU.shape[-2], LU.shape[-1]
    return _pad(F, g, -1, 0, n - k) * F.lu_band(LU, m, n, True)


def _unpack_u_grad(F, g, LU, k):
    m, n = LU.shape[-2], LU.shape[-1]
    return _pad(F, g, -2, 0, m - k) * F.lu_band(LU, m, n, False)


UNPACK_L = defop("lu_unpack_l", _unpack_l, _unpack_l_grad, inputs=("LU",), params=("k",),
                 node_name="LuUnpackBackward0")
UNPACK_U = defop("lu_unpack_u", _unpack_u, _unpack_u_grad, inputs=("LU",), params=("k",),
                 node_name="LuUnpackBackward0")


def _pivots_to_perm(piv, m, xp):
    """The row order (..., m) that the 1-based row swaps `piv` (..., k) make."""
    batch = piv.shape[:-1]
    rows = xp.arange(m)
    perm = xp.broadcast_to(rows, tuple(batch) + (m,)).astype(rows.dtype)
    p0 = piv.astype(rows.dtype) - 1
    for j in range(piv.shape[-1]):
        pc = p0[..., j:j + 1]
        swap = xp.where(rows == j, pc, xp.where(rows == pc, j, rows))
        perm = xp.take_along_axis(perm, swap, axis=-1)
    return perm


def _pivots_p(lu, piv, *, xp=_XP):
    return _perm_matrix(_pivots_to_perm(piv, lu.shape[-2], xp), lu.dtype, xp)


PIVOTS_P = defop("lu_pivots_to_p", _pivots_p, inputs=("LU", "piv"))      # no gradient


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    if out is not None:
        return _out.into(out, lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots),
                         "lu_unpack")
    LU, piv = as_tensor_arg(LU_data), as_tensor_arg(LU_pivots)
    d, pd = LU._data, piv._data
    if d.ndim < 2:
        raise RuntimeError(f"torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: "
                           f"[{', '.join(str(s) for s in d.shape)}] instead")
    if pd.dtype != _dtypes.int32.np:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of "
                           "torch.int32 dtype.\nNote: this function is intended to be used with "
                           "the output produced by torch.linalg.lu_factor")
    m, n = d.shape[-2:]
    k = min(m, n)
    empty = _factories.empty(0, dtype=LU.dtype)
    if unpack_pivots:
        host = _backend.to_numpy(pd)
        if host.size and (host.min() < 1 or host.max() > m):
            raise RuntimeError("pivots passed to lu_unpack must be between 1 and LU.size(-2) "
                               "inclusive.Did you properly pass the result of lu_factor?")
        P = apply(PIVOTS_P, (LU, piv), (d, pd))
    else:
        P = empty
    if unpack_data:
        L = apply(UNPACK_L, (LU,), (d,), (k,))
        U = apply(UNPACK_U, (LU,), (d,), (k,))
    else:
        L = U = _factories.empty(0, dtype=LU.dtype)
    return lu_unpack_result((P, L, U))


# --- lu_solve ----------------------------------------------------------------------------------------
def _lu_solve(lu, piv, b, left, adjoint, b_shape=None, *, xp=_XP):
    """X with op(A) X = B (left) or X op(A) = B, A = P L U packed in lu."""
    if not left:                  # X op(A) = B  <=>  op(A)^T X^T = B^T
        return _mT(_lu_solve(lu, piv, _mT(b), True, not adjoint, xp=xp))
    n = lu.shape[-1]
    batch = check_broadcast(check_broadcast(lu.shape[:-2], piv.shape[:-1]), b.shape[:-2])
    lu = xp.broadcast_to(lu, tuple(batch) + (n, n))
    b = xp.broadcast_to(b, tuple(batch) + b.shape[-2:])
    perm = _pivots_to_perm(xp.broadcast_to(piv, tuple(batch) + piv.shape[-1:]), n, xp)
    idx = perm.reshape(tuple(batch) + (n, 1))
    if not adjoint:               # L U X = P^T B
        y = _lm._substitute(lu, xp.take_along_axis(b, idx, axis=-2), False, True, xp)
        return _lm._substitute(lu, y, True, False, xp)
    # U^T L^T P^T X = B:  P^T X = L^-T U^-T B
    y = _lm._substitute(_mT(lu), b, False, False, xp)
    z = _lm._substitute(_mT(lu), y, True, True, xp)
    # X = P z: X[perm] = z
    inv = xp.argsort(perm, axis=-1).reshape(tuple(batch) + (n, 1))
    return xp.take_along_axis(z, inv, axis=-2)


def _lus_grad_b(F, g, LU, piv, left, adjoint, b_shape):
    return F.sum_to(F.linalg_lu_solve(LU, piv, g, left, not adjoint), b_shape)


def _lus_grad_lu(F, g, LU, piv, out, left, adjoint, b_shape):
    gb = F.linalg_lu_solve(LU, piv, g, left, not adjoint)
    gop = -F.matmul(gb, F.mT(out)) if left else -F.matmul(F.mT(out), gb)
    gA = F.mT(gop) if adjoint else gop
    n = LU.shape[-1]
    P = F.lu_pivots_to_p(LU, piv)
    L = F.lu_unpack_l(LU, n)
    U = F.lu_unpack_u(LU, n)
    ptg = F.matmul(F.mT(P), gA)
    glu = F.matmul(ptg, F.mT(U)) * F.lu_band(LU, n, n, True) + \
        F.matmul(F.mT(L), ptg) * F.lu_band(LU, n, n, False)
    return F.sum_to(glu, tuple(LU.shape))


LU_SOLVE = defop("linalg_lu_solve", _lu_solve, _lus_grad_lu, None, _lus_grad_b,
                 inputs=("LU", "piv", "B"), params=("left", "adjoint", "b_shape"),
                 node_name="LinalgLuSolveBackward0")
expose(lambda LU, piv, B, left, adjoint: apply(LU_SOLVE, (LU, piv, B), (LU._data, piv._data, B._data),
                                              (left, adjoint, tuple(B._data.shape))),
       "linalg_lu_solve", function=False, method=False)
expose(lambda LU, piv: apply(PIVOTS_P, (LU, piv), (LU._data, piv._data)), "lu_pivots_to_p",
       function=False, method=False)
expose(lambda LU, k: apply(UNPACK_L, (LU,), (LU._data,), (k,)), "lu_unpack_l", function=False,
       method=False)
expose(lambda LU, k: apply(UNPACK_U, (LU,), (LU._data,), (k,)), "lu_unpack_u", function=False,
       method=False)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    if out is not None:
        return _out.into(out, lu_solve(LU, pivots, B, left=left, adjoint=adjoint),
                         "linalg_lu_solve", exact=_out.EXPECTED)
    LU, piv, B = as_tensor_arg(LU), as_tensor_arg(pivots), as_tensor_arg(B)
    d, pd, bd = LU._data, piv._data, B._data
    name = "linalg.lu_solve"
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"torch.{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_lm._legacy(d)}")
    if bd.dtype != d.dtype:
        raise RuntimeError(f"{name}: Expected LU and B to have the same dtype, but found LU of "
                           f"type {_lm._legacy(d)} and B of type {_lm._legacy(bd)} instead")
    if pd.dtype != _dtypes.int32.np:
        raise RuntimeError(f"{name}: pivots should be a Tensor of scalar type torch.int32")
    if d.ndim < 2:
        raise RuntimeError(f"torch.{name}: The input tensor A must have at least 2 dimensions.")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"torch.{name}: A must be batches of square matrices, but they are "
                           f"{d.shape[-2]} by {d.shape[-1]} matrices")
    if bd.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    n = d.shape[-1]
    if (bd.shape[-2] if left else bd.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {_lm._shape_text(bd.shape[-2:])})")
    if pd.ndim < 1 or pd.shape[-1] != n:
        raise RuntimeError(f"{name}: Number of pivots per batch should be same as the dimension "
                           "of the matrix")
    if tuple(pd.shape) != tuple(d.shape[:-1]):
        raise RuntimeError(f"{name}: Expected LU.shape[:-1] and pivots.shape to be the same, but "
                           f"got pivots with shape [{', '.join(str(k) for k in pd.shape)}] instead")
    if d.dtype.itemsize < 4:
        raise NotImplementedError(f"\"linalg.lu_solve_cpu\" not implemented for '{_lm._legacy(d)}'")
    check_broadcast(bd.shape[:-2], d.shape[:-2])
    return apply(LU_SOLVE, (LU, piv, B), (d, pd, bd), (bool(left), bool(adjoint), tuple(bd.shape)))


def torch_lu_solve(b, LU_data, LU_pivots, *, out=None):
    """torch.lu_solve(b, LU, pivots) (deprecated): linalg.lu_solve(LU, pivots, b)."""
    _warnings.warn(
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
        "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\n"
        "X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n"
        "X = torch.linalg.lu_solve(LU, pivots, B)", UserWarning, stacklevel=2)
    return lu_solve(LU_data, LU_pivots, b, out=out)


expose(torch_lu, "lu", formulas=False)
expose(lu_unpack, method=False, formulas=False)
expose(torch_lu_solve, "lu_solve", formulas=False)

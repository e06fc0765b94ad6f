"""torch.linalg's remaining names (issue 11): the _ex forms (inv_ex,
cholesky_ex, solve_ex: a result and LAPACK's info, errors only when
check_errors), cond, diagonal, matmul, multi_dot, tensorinv, tensorsolve.

Each is a composition of ops declared elsewhere (inv, cholesky, solve,
svdvals, matrix_norm, mm, reshape...), so its gradients, first and second
order, are theirs; nothing new is declared here.  The infos are computed on
the host as LAPACK's getrf / potrf report them: the 1-based index of the
first zero pivot of LU with partial pivoting, the order of the first leading
minor that is not positive-definite.  Where an info is nonzero the result's
values are unspecified in PyTorch (whatever LAPACK left); here the inverse
and the solution are inf there, the Cholesky factor is potf2's partial one.
"""
import math

from .. import _dtypes, _factories
from . import _backend, _out
from . import decompositions as _dec, linalg as _la, pointwise as _pw, select as _select
from . import shape as _shape
from ._args import as_tensor_arg
from .linalg import _LinAlgError

__all__ = ["inv_ex", "cholesky_ex", "solve_ex", "cond", "diagonal", "matmul", "multi_dot",
           "tensorinv", "tensorsolve", "linalg_inv_ex", "linalg_cholesky_ex", "linalg_solve_ex"]


class linalg_inv_ex(tuple):             # noqa: N801  (PyTorch's class name)
    inverse = property(lambda self: self[0])
    info = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.linalg_inv_ex(\ninverse={self[0]!r},\ninfo={self[1]!r})"


class linalg_cholesky_ex(tuple):        # noqa: N801
    L = property(lambda self: self[0])
    info = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.linalg_cholesky_ex(\nL={self[0]!r},\ninfo={self[1]!r})"


class linalg_solve_ex(tuple):           # noqa: N801
    result = property(lambda self: self[0])
    info = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.linalg_solve_ex(\nresult={self[0]!r},\ninfo={self[1]!r})"


# --- the infos, on the host -----------------------------------------------------------------------
def _matrices(d):
    host = _backend.to_numpy(d)
    return host.reshape((-1,) + tuple(host.shape[-2:])).tolist()


def _lu_infos(d):
    return [_la._first_zero_pivot(m) for m in _matrices(d)]


def _potf2(m):
    """LAPACK's unblocked Cholesky (lower) of m: (its factor, info); on failure
    at column j the factor holds the columns before j, a_jj - |l_j|^2 (not
    positive) at (j, j), and m's lower entries below it untouched."""
    n = len(m)
    a = [[m[i][j] if j <= i else 0.0 for j in range(n)] for i in range(n)]
    for j in range(n):
        ajj = a[j][j] - sum(a[j][k] * a[j][k] for k in range(j))
        if not ajj > 0:                   # (nan too)
            a[j][j] = ajj
            return a, j + 1
        ajj = math.sqrt(ajj)
        a[j][j] = ajj
        for i in range(j + 1, n):
            a[i][j] = (a[i][j] - sum(a[i][k] * a[j][k] for k in range(j))) / ajj
    return a, 0


def _info_tensor(infos, batch):
    return _factories.tensor(infos, dtype=_dtypes.int32).reshape(tuple(batch))


def _batch_mask(infos, batch, trailing):
    """True where the info is nonzero, shaped batch + (1,) * trailing."""
    return _factories.tensor([bool(i) for i in infos], dtype=_dtypes.bool).reshape(
        tuple(batch) + (1,) * trailing)


def _where_batch(infos, batched):
    for b, i in enumerate(infos):
        if i:
            return b, i, (f"(Batch element {b}): " if batched else "")
    return None


def _safe(A, mask):
    """A with its failing matrices replaced by the identity (no gradient to them)."""
    return _pw.where(mask, _factories.eye(A._data.shape[-1], dtype=A.dtype), A)


# --- inv_ex, cholesky_ex, solve_ex ----------------------------------------------------------------
def inv_ex(A, *, check_errors=False, out=None):
    if out is not None:
        return _out.into(out, inv_ex(A, check_errors=check_errors), "linalg_inv_ex")
    A, d = _la._square_float_matrix("linalg.inv", A)
    batch = d.shape[:-2]
    infos = _lu_infos(d)
    bad = _where_batch(infos, d.ndim > 2)
    if bad is None:
        return linalg_inv_ex((_la.inv(A), _info_tensor(infos, batch)))
    if check_errors:
        raise _LinAlgError(f"linalg.inv_ex: {bad[2]}The diagonal element {bad[1]} is zero, the "
                           "inversion could not be completed because the input matrix is "
                           "singular.")
    mask = _batch_mask(infos, batch, 2)
    inverse = _pw.where(mask, math.inf, _la.inv(_safe(A, mask)))
    return linalg_inv_ex((inverse, _info_tensor(infos, batch)))


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    if out is not None:
        return _out.into(out, cholesky_ex(A, upper=upper, check_errors=check_errors),
                         "linalg_cholesky_ex")
    A = as_tensor_arg(A)
    d = A._data
    if d.ndim >= 2 and d.shape[-1] == d.shape[-2] and d.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.cholesky: Expected a floating point or complex tensor as "
                           f"input. Got {A.dtype.legacy}")
    A, d = _la._square_float_matrix("linalg.cholesky", A)
    batch = d.shape[:-2]
    if d.dtype.kind == "c":    # (complex: no host factorization here; cholesky raises instead)
        factors = None
        infos = [0] * int(math.prod(batch))
    else:
        factors = [_potf2(m) for m in _matrices(d)]
        infos = [i for _, i in factors]
    bad = _where_batch(infos, d.ndim > 2)
    if bad is None:
        return linalg_cholesky_ex((_dec.cholesky(A, upper=upper), _info_tensor(infos, batch)))
    if check_errors:
        raise _LinAlgError(f"linalg.cholesky_ex: {bad[2]}The factorization could not be "
                           f"completed because the input is not positive-definite (the leading "
                           f"minor of order {bad[1]} is not positive-definite).")
    mask = _batch_mask(infos, batch, 2)
    partial = _factories.tensor([f for f, _ in factors], dtype=A.dtype).reshape(tuple(d.shape))
    if upper:
        partial = _shape.transpose(partial, -2, -1)
    L = _pw.where(mask, partial, _dec.cholesky(_safe(A, mask), upper=upper))
    return linalg_cholesky_ex((L, _info_tensor(infos, batch)))


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    if out is not None:
        return _out.into(out, solve_ex(A, B, left=left, check_errors=check_errors),
                         "_linalg_solve_ex")
    A, B = as_tensor_arg(A), as_tensor_arg(B)
    d = A._data
    if not (d.ndim >= 2 and d.shape[-1] == d.shape[-2] and d.dtype.kind in "fc"):
        return linalg_solve_ex((_la.solve(A, B, left=left), None))     # (solve's error)
    batch = d.shape[:-2]
    infos = _lu_infos(d)
    bad = _where_batch(infos, d.ndim > 2)
    if bad is None:
        return linalg_solve_ex((_la.solve(A, B, left=left), _info_tensor(infos, batch)))
    if check_errors:
        raise _LinAlgError(f"torch.linalg.solve_ex: {bad[2]}The solver failed because the input "
                           "matrix is singular.")
    mask = _batch_mask(infos, batch, 2)
    x = _la.solve(_safe(A, mask), B, left=left)
    if x._data.ndim == d.ndim - 1:        # (a batch of vectors)
        mask = _batch_mask(infos, batch, 1)
    return linalg_solve_ex((_pw.where(mask, math.inf, x), _info_tensor(infos, batch)))


# --- cond -----------------------------------------------------------------------------------------
_COND_ORDS = (2, -2, math.inf, -math.inf, 1, -1)          # (and None, "fro", "nuc")


def _ord_text(p):
    return f"{p:g}" if isinstance(p, float) and math.isfinite(p) else str(p)


def cond(A, p=None, *, out=None):
    if out is not None:      # (a composite in PyTorch: a copy autograd records)
        return _out.copy_into(out, cond(A, p), "linalg_cond",
                              cast=_out.castable("linalg.cond"))
    A = as_tensor_arg(A)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if isinstance(p, str):
        valid = p in ("fro", "nuc")
    else:
        valid = p is None or (isinstance(p, (int, float)) and not isinstance(p, bool)
                              and p in _COND_ORDS)
    if not valid:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {_ord_text(p)}")
    batch = tuple(d.shape[:-2])
    if p in (None, 2, -2):
        s = _dec.svdvals(A)
        if s._data.shape[-1] == 0:
            return _factories.zeros(batch, dtype=s.dtype)
        big, small = s[..., :1], s[..., -1:]
        return _shape.squeeze(big / small if p != -2 else small / big, -1)
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={_ord_text(p)}): A must be batches of square "
                           f"matrices, but they are {d.shape[-2]} by {d.shape[-1]} matrices")
    if d.shape[-1] == 0:
        return _factories.zeros(batch, dtype=_dec.svdvals(A).dtype)
    inverse = inv_ex(A).inverse
    r = _la.matrix_norm(A, p) * _la.matrix_norm(inverse, p)
    # (the singular ones inf: PyTorch's nan_to_num, but for 'nuc', whose product it returns)
    return r if p == "nuc" else _pw.nan_to_num(r, nan=math.inf, posinf=math.inf)


# --- diagonal, matmul, multi_dot ------------------------------------------------------------------
def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return _select.diagonal(A, offset, dim1, dim2)


def matmul(input, other, *, out=None):
    return _la.matmul(input, other, out=out)


def _chain_order(dims):
    """The matrix-chain order of least multiplications for matrices
    dims[i] x dims[i+1]: split[i][j] is where (i..j) splits last."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def multi_dot(tensors, *, out=None):
    if out is not None:
        return _out.into(out, multi_dot(tensors), "mm",      # (PyTorch's kernel: mm's out=)
                         exact="multi_dot(): expected out tensor to have dtype {rc} but got {oc}")
    ts = [as_tensor_arg(t) for t in tensors]
    n = len(ts)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = ts[0]._data.ndim, ts[-1]._data.ndim
    if first not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for k in range(1, n - 1):
        nd = ts[k]._data.ndim
        if nd != 2:
            raise RuntimeError(f"multi_dot(): tensor {k} must be 2D but got {nd}D")
    dt = ts[0]._data.dtype
    for k in range(1, n):
        if ts[k]._data.dtype != dt:
            c = _dtypes.C_NAMES
            raise RuntimeError(
                f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{c[_dtypes.FROM_NP[dt].name]} and tensor {k} "
                f"{c[_dtypes.FROM_NP[ts[k]._data.dtype].name]}")
    mats = list(ts)
    if first == 1:
        mats[0] = _shape.unsqueeze(mats[0], 0)
    if last == 1:
        mats[-1] = _shape.unsqueeze(mats[-1], -1)
    for k in range(n - 1):
        a, b = mats[k]._data.shape, mats[k + 1]._data.shape
        if a[1] != b[0]:
            raise RuntimeError(f"multi_dot(): tensors {k} and {k + 1} with shapes "
                               f"{list(ts[k]._data.shape)} and {list(ts[k + 1]._data.shape)} "
                               "cannot be multiplied")
    shape = ((ts[0]._data.shape[0],) if first == 2 else ()) + \
        ((ts[-1]._data.shape[-1],) if last == 2 else ())
    dims = [m._data.shape[0] for m in mats] + [mats[-1]._data.shape[1]]
    split = _chain_order(dims)
    # The product of mats[i..j] in that order, without recursion: a stack of tasks.
    results, todo = {}, [(0, n - 1)]
    while todo:
        i, j = todo.pop()
        if i == j:
            results[i, j] = mats[i]
        elif (i, split[i][j]) in results and (split[i][j] + 1, j) in results:
            k = split[i][j]
            results[i, j] = _la.mm(results[i, k], results[k + 1, j])
        else:
            k = split[i][j]
            todo.append((i, j))
            todo.extend(t for t in ((i, k), (k + 1, j)) if t not in results)
    return _shape.view(results[0, n - 1], *shape) if shape else \
        _shape.view(results[0, n - 1], ())


# --- tensorinv, tensorsolve -----------------------------------------------------------------------
def tensorinv(A, ind=2, *, out=None):
    if out is not None:      # (tensorinv, tensorsolve: composites in PyTorch, out= a copy)
        return _out.copy_into(out, tensorinv(A, ind), "linalg_tensorinv",
                              cast=_out.castable("tensorinv"))
    A = as_tensor_arg(A)
    shape = tuple(A._data.shape)
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(shape[:ind]), math.prod(shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    try:
        inverse = _la.inv(_shape.reshape(A, rows, cols))
    except _LinAlgError as e:
        raise _LinAlgError(str(e).replace("linalg.inv: ", "inv: ", 1)) from None
    return _shape._reshape_as(inverse, shape[ind:] + shape[:ind], "ReshapeAliasBackward0",
                              copy=True)


def tensorsolve(A, B, dims=None, *, out=None):
    if out is not None:
        return _out.copy_into(out, tensorsolve(A, B, dims), "linalg_tensorsolve",
                              cast=_out.castable("tensorsolve"))
    A, B = as_tensor_arg(A), as_tensor_arg(B)
    nd = A._data.ndim
    if dims is not None:
        src = [k % nd for k in dims]
        A = _select.movedim(A, src, list(range(nd - len(src), nd)))
    shape = tuple(A._data.shape)
    k = B._data.ndim
    rows, cols = B._data.size, math.prod(shape[k:])     # (PyTorch's message says the former
    if rows != cols:                                    # is prod(self.shape[:other.ndim]))
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:])"
                           f" == prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    x = _la.solve(_shape.reshape(A, rows, cols), _shape.reshape(B, rows))
    return _shape.view(x, *shape[k:]) if shape[k:] else _shape.view(x, ())

"""Matrix products: dot, mv, mm, matmul (batched, broadcasting).

One formula covers every case of C = A @ B: dA = dC @ B^T and dB = A^T @ dC,
after viewing 1-D operands as a row (A) or column (B) matrix, exactly as
matmul itself does; the node then sums broadcast batch dimensions away.
"""
from .._tensor import Tensor
from .. import _dtypes
from . import _backend, _out
from ._args import as_tensor_arg, check_broadcast
from . import _batching
from ._dispatch import apply, apply_pair
from ._registry import defop, expose, array_op
from .shape import permute, reshape, unsqueeze

_XP = _backend.NUMPY.xp      # forwards' `xp` by default; _backend.bind gives other libraries theirs


def _as_matrix(F, x, shape, column):
    """View a 1-D operand as a row (a) or column (b) matrix, as matmul does."""
    if len(shape) != 1:
        return x
    return F.reshape(x, tuple(shape) + (1,) if column else (1,) + tuple(shape))


def _matrix_grad(F, g, a_shape, b_shape):
    """The output gradient with the size-1 dimensions of 1-D operands restored."""
    if len(b_shape) == 1:
        g = F.reshape(g, tuple(g.shape) + (1,))
    if len(a_shape) == 1:
        g = F.reshape(g, tuple(g.shape[:-1]) + (1,) + tuple(g.shape[-1:]))
    return g


# Each formula needs only the other operand; the shapes come from params, so a
# node saves an operand only when the other one needs a gradient.
def _grad_a(F, g, b, a_shape, b_shape):
    b2 = _as_matrix(F, b, b_shape, True)
    da = F.matmul(_matrix_grad(F, g, a_shape, b_shape), F.mT(b2))
    a2_shape = (1,) + tuple(a_shape) if len(a_shape) == 1 else tuple(a_shape)
    da = F.sum_to(da, a2_shape)
    return da if len(a_shape) != 1 else F.reshape(da, tuple(a_shape))


def _grad_b(F, g, a, a_shape, b_shape):
    a2 = _as_matrix(F, a, a_shape, False)
    db = F.matmul(F.mT(a2), _matrix_grad(F, g, a_shape, b_shape))
    b2_shape = tuple(b_shape) + (1,) if len(b_shape) == 1 else tuple(b_shape)
    db = F.sum_to(db, b2_shape)
    return db if len(b_shape) != 1 else F.reshape(db, tuple(b_shape))


MATMUL = defop("matmul", lambda a, b, a_shape, b_shape, *, xp=_XP: xp.matmul(a, b), _grad_a, _grad_b,
               inputs=("a", "b"), params=("a_shape", "b_shape"),
               node_name="UnsafeViewBackward0")
# The common shapes get their textbook formulas directly (fewer steps than the
# general one above, which they agree with).
DOT = defop("dot", "dot", lambda F, g, b: g * b, lambda F, g, a: g * a, inputs=("a", "b"))
MM = defop("mm", "matmul", lambda F, g, b: F.mm_nt(g, b),
           lambda F, g, a: F.mm_tn(a, g), inputs=("a", "b"))
_VM = MATMUL.variant("SqueezeBackward4")


# --- the transposed products of backward formulas, one op each -----------------------------
# dA = G B^T and dB = A^T G written with F.mT are two ops in a backward with
# create_graph (a transpose view, then the product), and a matrix-vector
# product's through the general formula above five (reshapes, transpose,
# product, sum_to); as single ops they record one node each, whose own
# formulas are again such products, so every order of derivative stays
# compact.  On arrays each computes what the composite did (the same BLAS call
# on the same transposed view), so plain backward results keep their bits.
# Names: PyTorch's for the product each one stands for.
def _mm_nt(a, b):
    return a @ b.swapaxes(-2, -1)


def _mm_tn(a, b):
    return a.swapaxes(-2, -1) @ b


def _mv_t(a, v):
    return a.swapaxes(-2, -1) @ v


def _outer_product(u, v):
    return u.reshape((u.shape[0], 1)) * v.reshape((1, v.shape[0]))


MM_NT = defop("mm_nt", _mm_nt, lambda F, g, b: F.matmul(g, b), lambda F, g, a: F.mm_tn(g, a),
              inputs=("a", "b"), node_name="MmBackward0")
MM_TN = defop("mm_tn", _mm_tn, lambda F, g, b: F.mm_nt(b, g), lambda F, g, a: F.matmul(a, g),
              inputs=("a", "b"), node_name="MmBackward0")
MV_T = defop("mv_t", _mv_t, lambda F, g, v: F.outer_product(v, g), lambda F, g, a: F.matmul(a, g),
             inputs=("a", "v"), node_name="MvBackward0")
OUTER_PRODUCT = defop("outer_product", _outer_product, lambda F, g, v: F.matmul(g, v),
                      lambda F, g, u: F.mv_t(g, u), inputs=("u", "v"), node_name="MulBackward0")
# A matrix times a vector, with the products above as its formulas.
MV = defop("mv", "matmul", lambda F, g, v: F.outer_product(g, v), lambda F, g, a: F.mv_t(a, g),
           inputs=("a", "v"), node_name="MvBackward0")


def _product_form(op, ndims, composite):
    """The formula namespace's form of one of these products: one node for
    plain Tensors of one dtype and the dimensions `ndims` (what formulas hand
    it), else the composite, which promotes, broadcasts and raises as matmul."""
    na, nb = ndims

    def fn(a, b):
        if isinstance(a, Tensor) and isinstance(b, Tensor):       # (nn.Parameter too)
            ad, bd = a._data, b._data
            if ad.ndim == na and bd.ndim == nb and ad.dtype is bd.dtype and \
                    ad.__class__ is bd.__class__ and _inner_sizes_match(op, ad.shape, bd.shape):
                return apply(op, (a, b), (ad, bd))
        return composite(a, b)
    fn.__name__ = fn.__qualname__ = op.name
    return expose(fn, op.name, function=False, method=False)


def _inner_sizes_match(op, sa, sb):
    if op is MM_NT:
        return sa[1] == sb[1]
    if op is OUTER_PRODUCT:
        return True
    return sa[0] == sb[0]               # mm_tn, mv_t: the rows meet


_product_form(MM_NT, (2, 2), lambda a, b: matmul(a, b.mT))
_product_form(MM_TN, (2, 2), lambda a, b: matmul(a.mT, b))
_product_form(MV_T, (2, 1), lambda a, v: matmul(a.mT, v))
_product_form(OUTER_PRODUCT, (1, 1), lambda u, v: matmul(unsqueeze(u, 1), unsqueeze(v, 0)))
_CLONE = MATMUL.variant("CloneBackward0")
_TRANSPOSE = MATMUL.variant("TransposeBackward0")


def _batch(a):
    n = 1
    for s in a.shape[:-2]:
        n *= s
    return n


def _check_dtypes(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_c(a)} != {_c(b)}")


_C_NAMES = _dtypes.C_NAMES


def _c(x):
    """The C++ type name PyTorch's matmul errors print."""
    return _C_NAMES.get(x.dtype.name, x.dtype.name)


def matmul(input, other, *, out=None):
    if out is not None:
        return _out.into(out, matmul(input, other), "matmul",
                         exact=_out.DOT if input.ndim == 1 and other.ndim == 1 else _out.EXPECTED)
    # (plain Tensors and the ranks read once: the calls and attribute reads saved pay
    # for the keyword-only `out`, whose function Python cannot specialize a call to)
    a = input if input.__class__ is Tensor else as_tensor_arg(input)
    b = other if other.__class__ is Tensor else as_tensor_arg(other)
    ad, bd = a._data, b._data
    na, nb = ad.ndim, bd.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{na}D and {nb}D")
    if ad.dtype is not bd.dtype:
        _check_dtypes(a, b)
    ka = ad.shape[-1]
    kb = bd.shape[0] if nb == 1 else bd.shape[-2]
    if ka != kb:
        raise _size_mismatch(ad.shape, bd.shape)
    if na > 2 or nb > 2:
        check_broadcast(ad.shape[:-2], bd.shape[:-2] if nb > 1 else ())
    if na == 1 and nb == 1:
        return apply(DOT, (a, b), (ad, bd))
    if na == 2 and nb == 2:
        if input.__class__ is Tensor and other.__class__ is Tensor:
            # (the two-tensor path of the dispatch point: an MLP's layers, x @ w,
            # with no subclass to keep; measured in instructions, benchmarks/icount.py)
            return apply_pair(MM, a, b, ad, bd, (), None)
        return apply(MM, (a, b), (ad, bd))
    if na == 2 and nb == 1:
        return apply(MV, (a, b), (ad, bd))
    if na == 1 and nb == 2:
        node = _VM
    elif bd.ndim >= 3 and (ad.ndim == 2 or (ad.ndim == bd.ndim == 3 and ad.shape[0] == 1
                                            and bd.shape[0] > 1)):
        # PyTorch computes (b^T a^T)^T here; the transpose is copied unless a
        # size-1 dimension makes it contiguous already.
        node = _TRANSPOSE if ad.shape[-2] == 1 or bd.shape[-1] == 1 else _CLONE
    else:
        node = None
    return apply(MATMUL, (a, b), (ad, bd), (ad.shape, bd.shape), node)


def _size_mismatch(a, b):
    """PyTorch's error for matmul operands whose inner sizes differ; its wording
    depends on which kernel the shapes lead to (operands with more than two
    dimensions are folded into a matrix, or batched)."""
    if len(a) == 1 and len(b) == 1:
        return RuntimeError(f"inconsistent tensor size, expected tensor [{a[0]}] and src [{b[0]}] "
                            f"to have the same number of elements, but got {a[0]} and {b[0]} "
                            "elements respectively")
    if len(b) <= 2:
        rows = 1
        for n in a[:-1]:
            rows *= n
        if len(b) == 1:
            return RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{a[-1]}), "
                                f"vec ({b[0]})")
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{a[-1]} and "
                            f"{b[0]}x{b[1]})")
    batch = 1
    for n in check_broadcast(a[:-2], b[:-2]):
        batch *= n
    return RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                        f"[{batch}, {a[-1]}] but got: [{batch}, {b[-2]}].")


def dot(input, other, *, out=None):
    if out is not None:
        return _out.into(out, dot(input, other), "dot", exact=_out.DOT)
    a = input if input.__class__ is Tensor else as_tensor_arg(input)
    b = other if other.__class__ is Tensor else as_tensor_arg(other)
    ad, bd = a._data, b._data
    if ad.ndim != 1 or bd.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {ad.ndim}D and {bd.ndim}D tensors")
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{a.dtype.legacy} and {b.dtype.legacy}")
    if ad.shape != bd.shape:
        return matmul(a, b)                   # raises PyTorch's size-mismatch error
    return apply(DOT, (a, b), (ad, bd))


inner = vdot = dot


def mm(input, mat2, *, out=None):
    if out is not None:
        return _out.into(out, mm(input, mat2), "mm", exact=_out.EXPECTED)
    a, b = as_tensor_arg(input), as_tensor_arg(mat2)
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(a, b)


def tensordot(a, b, dims=2, out=None):
    """Contract a's dims with b's, as PyTorch: both permuted so the
    contracted dimensions meet, viewed as matrices, multiplied, viewed back
    (so the graph is PyTorch's: View, Mm, View, Permute)."""
    if out is not None:
        return _out.into(out, tensordot(a, b, dims), "tensordot",
                         exact="tensordot: Expected the output tensor to have dtype {r}, but "
                               "got an output tensor with dtype {o}")
    a, b = as_tensor_arg(a), as_tensor_arg(b)
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))     # (PyTorch counts a's from the end)
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    sa, sb = a._data.shape, b._data.shape
    for i, j in zip(da, db):
        if sa[i] != sb[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa[i]} "
                               f"in dim {i} and second has size {sb[j]} in dim {j}")
    da = [i % na for i in da] if na else da
    db = [j % nb for j in db] if nb else db
    free_a = [i for i in range(na) if i not in da]
    free_b = [j for j in range(nb) if j not in db]
    k = 1
    for i in da:
        k *= sa[i]
    m = 1
    for i in free_a:
        m *= sa[i]
    n = 1
    for j in free_b:
        n *= sb[j]
    left = reshape(permute(a, tuple(free_a + da)), (m, k))
    right = reshape(permute(b, tuple(db + free_b)), (k, n))
    return reshape(matmul(left, right), tuple([sa[i] for i in free_a] + [sb[j] for j in free_b]))


def mv(input, vec, *, out=None):
    if out is not None:
        return _out.into(out, mv(input, vec), "mv", exact=_out.EXPECTED)
    a, b = as_tensor_arg(input), as_tensor_arg(vec)
    if a._data.ndim != 2 or b._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {b._data.ndim}")
    return matmul(a, b)


def bmm(input, mat2, *, out=None):
    if out is not None:
        return _out.into(out, bmm(input, mat2), "bmm", exact=_out.EXPECTED)
    a, b = as_tensor_arg(input), as_tensor_arg(mat2)
    ad, bd = a._data, b._data
    if ad.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if bd.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"expected scalar type {a.dtype.legacy} but found {b.dtype.legacy}")
    if bd.shape[:2] != (ad.shape[0], ad.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{ad.shape[0]}, {ad.shape[2]}] but got: [{bd.shape[0]}, "
                           f"{bd.shape[1]}].")
    return matmul(a, b)


def outer(input, vec2, *, out=None):
    if out is not None:
        return _out.into(out, outer(input, vec2), "outer")
    for name, v in (("self", input), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


expose(matmul)
expose(tensordot, method=False, formulas=False)
for _fn, _names in ((dot, ("dot", "inner", "vdot")), (mm, ()), (mv, ()), (bmm, ()),
                    (outer, ("outer", "ger"))):
    expose(_fn, *_names, formulas=False)
expose(matmul, "__matmul__", function=False, formulas=False)
expose(lambda self, other: matmul(other, self), "__rmatmul__", function=False, formulas=False)
array_op("matmul", "matmul")      # (the op's forward also takes the shapes)


# --- torch.linalg: norms, inverses, determinants, solves (issue 11) ---------------------------
import warnings as _warnings  # noqa: E402

from . import reduce as _reduce, pointwise as _pointwise  # noqa: E402
from ._args import normalize_dims as _normalize_dims, normalize_dim as _normalize_dim  # noqa: E402
from ._registry import TensorOps as _TensorOps  # noqa: E402

_INF = float("inf")


class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError (PyTorch's class is named _LinAlgError too)."""


_LinAlgError.__module__ = "torch._C"


def _legacy(d):
    return _dtypes.FROM_NP[d.dtype].legacy


def _check_float(name, d):
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_legacy(d)}")


def _check_low_precision(name, d):
    if d.dtype.itemsize < 4 and d.dtype.kind == "f":
        if name in ("linalg.inv", "linalg.slogdet", "logdet"):
            raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {_legacy(d)}")
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_legacy(d)}'")


def _square_float_matrix(name, A):
    """A and its array, checked as inv/det/slogdet check theirs (in PyTorch's order)."""
    A = as_tensor_arg(A)
    d = A._data
    _check_square(name, d)
    _check_float(name, d)
    _check_low_precision(name, d)
    return A, d


def _check_square(name, d):
    if d.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{d.shape[-2]} by {d.shape[-1]} matrices")


def _first_zero_pivot(m):
    """1-based index of the first zero pivot of LU with partial pivoting on the
    square matrix m (nested lists of floats), 0 if none (as LAPACK's getrf)."""
    a = [list(r) for r in m]
    n = len(a)
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(a[i][k]))
        if a[p][k] == 0:
            return k + 1
        a[k], a[p] = a[p], a[k]
        for i in range(k + 1, n):
            f = a[i][k] / a[k][k]
            for j in range(k + 1, n):
                a[i][j] -= f * a[k][j]
    return 0


def _singular_error(a, be, solve=False):
    """PyTorch's error for the first singular matrix of the batch `a`."""
    if solve:
        return _LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                            "singular.")
    host = be.to_numpy(a)
    mats = host.reshape((-1,) + host.shape[-2:]).tolist()
    for b, m in enumerate(mats):
        k = _first_zero_pivot(m)
        if k:
            where = f"(Batch element {b}): " if host.ndim > 2 else ""
            return _LinAlgError(f"linalg.inv: {where}The diagonal element {k} is zero, the "
                                "inversion could not be completed because the input matrix is "
                                "singular.")
    return _LinAlgError("linalg.inv: The inversion could not be completed because the input "
                        "matrix is singular.")


def _inv(a, *, be=_backend.NUMPY):
    try:
        return be.xp.linalg.inv(a)
    except Exception as e:
        if type(e).__name__ != "LinAlgError":
            raise
        raise _singular_error(a, be) from None


def _inv_grad(F, g, out):
    t = F.mT(out)
    return -F.matmul(F.matmul(t, g), t)


INV = defop("linalg_inv", _inv, _inv_grad, inputs=("A",), node_name="LinalgInvExBackward0")


def inv(A, *, out=None):
    if out is not None:
        return _out.into(out, inv(A), "linalg_inv_ex", exact=_out.EXPECTED)
    A, d = _square_float_matrix("linalg.inv", A)
    return apply(INV, (A,), (d,))


def _mat(F, x):
    """x (a batch of numbers) with two trailing size-1 dimensions."""
    return F.reshape(x, tuple(x.shape) + (1, 1))


# det: d/dA = g det A^-T.  As PyTorch's, it is 0 for a singular matrix (whose
# inverse is then taken of the identity instead, so the backward never fails).
def _eye_like(A):
    """The identity as a raw array of A's library (F.where takes it in both modes)."""
    d = A._data if isinstance(A, Tensor) else A
    return _backend.namespace(d).eye(d.shape[-1], dtype=d.dtype)


def _det_grad(F, g, A, out):
    singular = _mat(F, out == 0)
    safe = F.where(singular, _eye_like(A), A)
    return F.where(singular, 0, _mat(F, g * out) * F.mT(F.linalg_inv(safe)))


DET = defop("linalg_det", lambda a, *, xp=_XP: xp.linalg.det(a), _det_grad,
            inputs=("A",), node_name="LinalgDetBackward0")


def det(A):
    A, d = _square_float_matrix("linalg.det", A)
    return apply(DET, (A,), (d,))


def linalg_det(A, *, out=None):
    """torch.linalg.det: det with out= (torch.det takes none)."""
    if out is not None:
        return _out.into(out, det(A), "linalg_det", exact=_out.EXPECTED)
    return det(A)


# slogdet: the sign has a zero gradient; d logabsdet / dA = A^-T
SLOGDET_SIGN = defop("linalg_slogdet_sign", lambda a, *, xp=_XP: xp.linalg.slogdet(a)[0],
                     lambda F, g, A: A * _mat(F, g) * 0, inputs=("A",),
                     node_name="LinalgSlogdetBackward0")
SLOGDET = defop("linalg_slogdet", lambda a, *, xp=_XP: xp.linalg.slogdet(a)[1],
                lambda F, g, A: _mat(F, g) * F.mT(F.linalg_inv(A)), inputs=("A",),
                node_name="LinalgSlogdetBackward0")


def _slogdet(A, name, fname="linalg.slogdet"):
    A, d = _square_float_matrix(fname, A)
    return _reduce._return_type(name)(apply(SLOGDET_SIGN, (A,), (d,)),
                                      apply(SLOGDET, (A,), (d,)))


def slogdet(A, *, out=None):
    if out is not None:
        return _out.into(out, slogdet(A), "slogdet")
    return _slogdet(A, "slogdet")


def linalg_slogdet(A, *, out=None):
    if out is not None:
        return _out.into(out, linalg_slogdet(A), "linalg_slogdet")
    return _slogdet(A, "linalg_slogdet")


def logdet(input):
    """log det: nan where the determinant is negative (PyTorch's WhereBackward0)."""
    sign, logabsdet = _slogdet(input, "slogdet", "logdet")
    return _pointwise.where(sign < 0, float("nan"), logabsdet)


for _rt in ("slogdet", "linalg_slogdet"):
    _cls = _reduce._return_type(_rt)
    _cls.sign = property(lambda self: self[0])
    _cls.logabsdet = property(lambda self: self[1])
    _cls.__repr__ = lambda self: (f"torch.return_types.{self._name}(\nsign={self[0]!r},\n"
                                  f"logabsdet={self[1]!r})")


# solve: X = A^-1 B (left) or B A^-1; B given as a batch of vectors when `vector`.
def _solve(a, b, left, vector, *, be=_backend.NUMPY):
    xp = be.xp
    if vector:
        b = b[..., None]
    try:
        x = xp.linalg.solve(a, b) if left else \
            xp.linalg.solve(a.swapaxes(-2, -1), b.swapaxes(-2, -1)).swapaxes(-2, -1)
    except Exception as e:
        if type(e).__name__ != "LinAlgError":
            raise
        raise _singular_error(a, be, solve=True) from None
    return x[..., 0] if vector else x


def _solve_grad_b(F, g, A, left, vector):
    return F.linalg_solve(F.mT(A), g, left, vector)       # A^-T g (left), g A^-T (right)


def _solve_grad_a(F, g, A, out, left, vector):
    gb = _solve_grad_b(F, g, A, left, vector)
    if vector:
        return -F.reshape(gb, tuple(gb.shape) + (1,)) * F.reshape(out, tuple(out.shape[:-1]) +
                                                                  (1,) + tuple(out.shape[-1:]))
    return -F.matmul(gb, F.mT(out)) if left else -F.matmul(F.mT(out), gb)


SOLVE = defop("linalg_solve", _solve, _solve_grad_a, _solve_grad_b, inputs=("A", "B"),
              params=("left", "vector"), node_name="LinalgSolveExBackward0")


def solve(A, B, *, left=True, out=None):
    if out is not None:
        return _out.into(out, solve(A, B, left=left), "linalg_solve_ex", exact=_out.EXPECTED)
    A, B = as_tensor_arg(A), as_tensor_arg(B)
    ad, bd = A._data, B._data
    _check_float("linalg.solve", ad)
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_legacy(ad)} and B of type {_legacy(bd)} instead")
    _check_square("linalg.solve", ad)
    if bd.ndim == 0:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    _check_low_precision("linalg.solve", ad)
    vector = left and (bd.ndim == 1 or (bd.ndim == ad.ndim - 1 and bd.shape == ad.shape[:-1]))
    n = ad.shape[-1]
    k = bd.shape[-1] if vector else (bd.shape[-2] if left else bd.shape[-1]) if bd.ndim >= 2 else None
    if k != n:
        shown = "x".join(str(s) for s in bd.shape[-2:]) if bd.ndim >= 2 else \
            f"{bd.shape[0]}x1"
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
                           f"({ad.shape[-2]}x{n} and {shown})")
    check_broadcast(bd.shape[:-1] if vector else bd.shape[:-2], ad.shape[:-2])
    return apply(SOLVE, (A, B), (ad, bd), (left, vector))


def _solve_tensor(A, B, left, vector):
    return apply(SOLVE, (A, B), (A._data, B._data), (left, vector))


# vector norms: reduce.py's norm op, with ord -inf and 0 added
def _vector_norm(x, p, dims, keepdim, shape=None, *, xp=_XP):
    if p == -_INF:
        return xp.abs(x).min(axis=dims, keepdims=keepdim)
    return _reduce._norm(x, p, dims, keepdim, xp=xp)


def _vector_norm_grad(F, g, x, out, p, shape, dims, keepdim):
    if p == 0:
        return _reduce.unreduce(F, g, shape, dims, keepdim) * 0
    return _reduce._norm_grad(F, g, x, out, _INF if p == -_INF else p, shape, dims, keepdim)


VECTOR_NORM = defop("linalg_vector_norm", _vector_norm, _vector_norm_grad,
                    params=("p", "dims", "keepdim", "shape"),
                    node_name="LinalgVectorNormBackward0")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return _out.into(out, vector_norm(x, ord, dim, keepdim, dtype=dtype), "linalg_vector_norm",
                         exact=_out.EXPECTED)
    x = as_tensor_arg(x)
    if isinstance(ord, Tensor) and ord._data.ndim == 0:
        ord = ord.item()
    if isinstance(ord, str) or isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    d = x._data
    _check_float("linalg.vector_norm", d)
    if d.dtype.kind == "c":              # the norm of the moduli (abs: PyTorch's gradient)
        out = vector_norm(x.abs(), ord, dim, keepdim, dtype=dtype)
        return out
    if dtype is not None:
        d = d.astype(_dtypes.as_dtype(dtype).np)
    dims = _normalize_dims(dim, d.ndim) if d.ndim else None
    if dims is not None and len(dims) == 0:
        dims = None
    if ord < 0 or ord == _INF:
        for k in (range(d.ndim) if dims is None else dims):
            if d.shape[k] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on an "
                                   "empty tensor because the operation does not have an identity")
    return apply(VECTOR_NORM, (x,), (d,), (float(ord), dims, keepdim, d.shape))


def _singular_value_norm(A, ord, dim, keepdim, dtype):
    """ord 2 / -2 / 'nuc': the largest / smallest / sum of the singular values
    (PyTorch's AmaxBackward0 / AminBackward0 / SumBackward1 over svdvals).
    TensorOps.linalg_svd_s is declared in decompositions.py, which imports
    this module: it is looked up when called."""
    r, c = _matrix_dims(dim, A._data.ndim)
    if dtype is not None:
        A = A.to(dtype)
    order = [i for i in range(A._data.ndim) if i not in (r, c)] + [r, c]
    s = _TensorOps.linalg_svd_s(permute(A, order))
    out = (_reduce.sum if ord == "nuc" else _reduce.amax if ord == 2 else _reduce.amin)(
        s, -1, keepdim)
    if keepdim:                   # (..., 1, 1) back in the input's order, as PyTorch
        out = permute(unsqueeze(out, -1), [order.index(i) for i in range(len(order))])
    return out


# (linalg.norm and linalg.matrix_norm are composites in PyTorch: their out= is
# a copy that autograd records, not a refusal)
MATRIX_NORM_DTYPE = "linalg.matrix_norm expected out tensor dtype {r} but got: {o}"


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return _out.copy_into(out, matrix_norm(A, ord, dim, keepdim, dtype=dtype),
                              "linalg_matrix_norm", exact=MATRIX_NORM_DTYPE)
    A = as_tensor_arg(A)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    _check_float("linalg.matrix_norm", d)
    if isinstance(ord, str):
        if ord == "fro":
            _matrix_dims(dim, d.ndim)
            return vector_norm(A, 2, dim, keepdim, dtype=dtype)
        if ord == "nuc":
            return _singular_value_norm(A, "nuc", dim, keepdim, dtype)
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord not in (1, -1, _INF, -_INF):
        if ord in (2, -2):
            return _singular_value_norm(A, ord, dim, keepdim, dtype)
        raise RuntimeError(f"linalg.matrix_norm: Order {ord:g} not supported.")
    r, c = _matrix_dims(dim, d.ndim)
    if dtype is not None:
        A = A.to(dtype)
    # 1 / inf: the largest (-1 / -inf: the smallest) column / row sum of |A|
    summed, extreme = (c, r) if abs(ord) == _INF else (r, c)
    s = _reduce.sum(_pointwise.abs(A), summed, keepdim)
    if not keepdim and extreme > summed:
        extreme -= 1
    return (_reduce.amax if ord > 0 else _reduce.amin)(s, extreme, keepdim)


def _matrix_dims(dim, ndim):
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                           + " ".join(str(k) for k in dim))
    r, c = (_normalize_dim(k, ndim) for k in dim)
    if r == c:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({r}, {c})")
    return r, c


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return _out.copy_into(out, norm(A, ord, dim, keepdim, dtype=dtype), "linalg_norm",
                              exact="linalg.norm expected out tensor dtype {r} but got: {o}")
    A = as_tensor_arg(A)
    d = A._data
    if dim is not None and not isinstance(dim, (tuple, list)):
        dim = (dim,)
    if dim is not None and len(dim) not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got "
                           f"{list(dim)}")
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if d.ndim == 1 and not isinstance(ord, str):
            return vector_norm(A, ord, None, keepdim, dtype=dtype)
        if d.ndim == 2 or isinstance(ord, str):
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {d.ndim}D.")
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


# cross product along a dimension of size 3: d/da = b x g, d/db = g x a
CROSS = defop("linalg_cross", lambda a, b, dim, *, xp=_XP: xp.cross(a, b, axis=dim),
              lambda F, g, b, dim: F.linalg_cross(b, g, dim),
              lambda F, g, a, dim: F.linalg_cross(g, a, dim),
              inputs=("a", "b"), params=("dim",), node_name="LinalgCrossBackward0")


def linalg_cross(input, other, *, dim=-1, out=None):
    if out is not None:
        return _out.into(out, linalg_cross(input, other, dim=dim), "linalg_cross",
                         exact=_out.EXPECTED)
    a, b = as_tensor_arg(input), as_tensor_arg(other)
    ad, bd = a._data, b._data
    if ad.ndim != bd.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"expected scalar type {_legacy(ad)} but found {_legacy(bd)}")
    if ad.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    k = _normalize_dim(dim, ad.ndim)
    if ad.shape[k] != 3 or bd.shape[k] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{ad.shape[k]} and {bd.shape[k]}")
    check_broadcast(ad.shape, bd.shape)
    return apply(CROSS, (a, b), (ad, bd), (k,))


def cross(input, other, dim=None, *, out=None):
    if out is not None:
        return _out.into(out, cross(input, other, dim), "cross", exact=_out.EXPECTED)
    if dim is None:
        _warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                       "Please either pass the dim explicitly or simply use torch.linalg.cross."
                       "\nThe default value of dim will change to agree with that of linalg.cross"
                       " in a future release.", UserWarning, stacklevel=2)
        shape = as_tensor_arg(input)._data.shape
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return linalg_cross(input, other, dim=dim)


expose(inv, "inverse", function=True, method=True, formulas=False)
_TensorOps.linalg_inv = staticmethod(inv)
_TensorOps.linalg_solve = staticmethod(_solve_tensor)
_TensorOps.linalg_cross = staticmethod(lambda a, b, dim: linalg_cross(a, b, dim=dim))
expose(det, formulas=False)
expose(slogdet, formulas=False)
expose(logdet, formulas=False)
expose(cross, formulas=False)


# --- vmap (ops/_batching.py) ----------------------------------------------------------
def batched_matmul(c, a, b):
    """The per-sample a @ b (lowered inputs 0 and 1 of call c, now a and b) as
    one matmul of the batch: a batched 1-D operand becomes a matrix (undone
    after), and size-1 dimensions after the batch dimension line the matrix
    stacks up, so that the batch dimension meets the batch dimension."""
    ba, bb = c.batched[0], c.batched[1]
    ra, rb = c.rank(0), c.rank(1)
    row = ba and ra == 1
    col = bb and rb == 1
    if row:
        a, ra = unsqueeze(a, -2), 2
    if col:
        b, rb = unsqueeze(b, -1), 2
    stack_a, stack_b = max(ra - 2, 0), max(rb - 2, 0)
    if ba and stack_b > stack_a:
        s = tuple(a.shape)
        a = reshape(a, s[:1] + (1,) * (stack_b - stack_a) + s[1:])
    if bb and stack_a > stack_b:
        s = tuple(b.shape)
        b = reshape(b, s[:1] + (1,) * (stack_a - stack_b) + s[1:])
    out = matmul(a, b)
    if col:
        out = out.squeeze(-1)
    if row:
        out = out.squeeze(-1 if col or rb == 1 else -2)
    return out


_batching.batching(lambda c: batched_matmul(c, c.xs[0], c.xs[1]), MATMUL, DOT, MM)

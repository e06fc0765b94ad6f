"""BLAS-style products and friends: addmm addmv addbmm baddbmm (beta * input +
alpha * product, one node each as in PyTorch; addmm's is also the node of
nn.functional.linear), trace, kron, linalg.vecdot, linalg.matrix_power and
chain_matmul.

For C = beta * input + alpha * A @ B the formulas are those of the product
(dA = alpha g B^T, dB = alpha A^T g) plus beta g for input, which the node
sums back to input's (broadcast) shape; addbmm's product is summed over the
batch, so its g is shared by every batch entry (matmul broadcasts it).
The others are compositions of existing ops, named as PyTorch names them.
"""
from .. import _dtypes
from . import _backend, _out
from . import reduce as _reduce
from . import shape as _shape
from ._args import as_tensor_arg
from . import _batching
from ._dispatch import apply
from ._registry import defop, expose
from .linalg import batched_matmul as _batched_matmul, matmul, inv
from .pointwise import mul
from .select import diagonal

_XP = _backend.NUMPY.xp
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _blend(c, prod, beta, alpha):
    """beta * c + alpha * prod, with PyTorch's rule that beta = 0 ignores c (nan too)."""
    p = prod if alpha == 1 else prod * alpha
    if beta == 0:
        return p + (c * 0 if c.dtype.kind in "iub" else 0 * p)
    return (c if beta == 1 else c * beta) + p


def _addmm(c, a, b, beta, alpha, b_t=False, *, xp=_XP):
    return _blend(c, xp.matmul(a, b), beta, alpha)


def _addbmm(c, a, b, beta, alpha, *, xp=_XP):
    return _blend(c, xp.matmul(a, b).sum(axis=0), beta, alpha)


def _addmv(c, a, v, beta, alpha, *, xp=_XP):
    return _blend(c, xp.matmul(a, v), beta, alpha)


def _scaled(g, k):
    return g if k == 1 else g * k


def _grad_b(F, g, a, b_t):
    """a^T g, laid out as b: where b is a transposed matrix (b_t; Linear's
    weight.t()), (g^T a)^T -- the same numbers -- hands it a gradient in its
    own layout, contiguous for the weight, which the optimiser's updates then
    read fast.  (mm_tn: a^T g as one op, see linalg.py; the batched baddbmm
    variant takes matmul's general form.)"""
    if a.ndim == 2:
        return F.mT(F.mm_tn(g, a)) if b_t else F.mm_tn(a, g)
    return F.mT(F.matmul(F.mT(g), a)) if b_t else F.matmul(F.mT(a), g)


def _grad_a(F, g, b):
    return F.mm_nt(g, b) if b.ndim == 2 else F.matmul(g, F.mT(b))


# One node for torch.addmm, Tensor.addmm(_), nn.functional.linear and (as a
# variant) baddbmm; the engine sums input's gradient back to its broadcast shape.
ADDMM = defop("addmm", _addmm,
              lambda F, g, beta: _scaled(g, beta),
              lambda F, g, b, alpha: _scaled(_grad_a(F, g, b), alpha),
              lambda F, g, a, alpha, b_t: _scaled(_grad_b(F, g, a, b_t), alpha),
              inputs=("c", "a", "b"), params=("beta", "alpha", "b_t"))
_BADDBMM = ADDMM.variant("BaddbmmBackward0")
ADDBMM = defop("addbmm", _addbmm,
               lambda F, g, beta: _scaled(g, beta),
               lambda F, g, b, alpha: _scaled(F.matmul(g, F.mT(b)), alpha),
               lambda F, g, a, alpha: _scaled(F.matmul(F.mT(a), g), alpha),
               inputs=("c", "a", "b"), params=("beta", "alpha"))
ADDMV = defop("addmv", _addmv,
              lambda F, g, beta: _scaled(g, beta),
              lambda F, g, v, alpha: _scaled(F.matmul(F.reshape(g, (g.shape[0], 1)),
                                                      F.reshape(v, (1, v.shape[0]))), alpha),
              lambda F, g, a, alpha: _scaled(F.matmul(F.mT(a), g), alpha),
              inputs=("c", "a", "v"), params=("beta", "alpha"))


def _same_dtypes(c, a, b):
    names = [_SCALAR_NAMES.get(t._data.dtype.name, t._data.dtype.name) for t in (c, a, b)]
    if names[1] != names[2]:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {names[1]} and "
                           f"{names[2]}")
    if names[0] != names[1]:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {names[0]} and "
                           f"{names[1]}")


def _expand_check(c, out_shape):
    """PyTorch's errors for expanding input c to the product's shape."""
    c_shape = c._data.shape
    if len(c_shape) > len(out_shape):
        raise RuntimeError(f"expand(torch.{c.dtype.legacy}Tensor{{{list(c_shape)}}}, "
                           f"size={list(out_shape)}): the number of sizes provided "
                           f"({len(out_shape)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(c_shape)})")
    k = len(out_shape) - len(c_shape)
    if any(m != 1 and m != n for m, n in zip(c_shape, out_shape[k:])):
        raise _shape._expand_error(c_shape, out_shape)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    if out is not None:
        return _out.into(out, addmm(input, mat1, mat2, beta=beta, alpha=alpha), "addmm",
                         exact=_out.EXPECTED)
    c, a, b = as_tensor_arg(input), as_tensor_arg(mat1), as_tensor_arg(mat2)
    for name, t in (("mat1", a), ("mat2", b)):
        if t._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t._data.ndim}-D tensor")
    (n, k), (k2, m) = a._data.shape, b._data.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    # (PyTorch compares input with mat2 first, then mat1 with mat2)
    if c._data.dtype != b._data.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {c.dtype.legacy} "
                           f"and {b.dtype.legacy}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {a.dtype.legacy} "
                           f"and {b.dtype.legacy}")
    _expand_check(c, (n, m))
    return apply(ADDMM, (c, a, b), (c._data, a._data, b._data),
                 (beta, alpha, not b.is_contiguous()))


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    if out is not None:
        return _out.into(out, baddbmm(input, batch1, batch2, beta=beta, alpha=alpha), "baddbmm",
                         exact=_out.EXPECTED)
    c, a, b = as_tensor_arg(input), as_tensor_arg(batch1), as_tensor_arg(batch2)
    for name, t in (("batch1", a), ("batch2", b)):
        if t._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    (bs, n, k), (bs2, k2, m) = a._data.shape, b._data.shape
    if (bs2, k2) != (bs, k):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{bs}, {k}] but got: [{bs2}, {k2}].")
    _same_dtypes(c, a, b)
    _expand_check(c, (bs, n, m))
    return apply(ADDMM, (c, a, b), (c._data, a._data, b._data), (beta, alpha, False), _BADDBMM)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    if out is not None:
        return _out.into(out, addbmm(input, batch1, batch2, beta=beta, alpha=alpha), "addbmm",
                         exact="self and mat2 must have the same dtype, but got {o} and {r}")
    c, a, b = as_tensor_arg(input), as_tensor_arg(batch1), as_tensor_arg(batch2)
    for name, t in (("batch1", a), ("batch2", b)):
        if t._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    (bs, n, k), (bs2, k2, m) = a._data.shape, b._data.shape
    if bs != bs2 or k != k2:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({n}x{k} and {k2}x{m})")
    _same_dtypes(c, a, b)
    _expand_check(c, (n, m))
    return apply(ADDBMM, (c, a, b), (c._data, a._data, b._data), (beta, alpha))


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    if out is not None:
        return _out.into(out, addmv(input, mat, vec, beta=beta, alpha=alpha), "addmv",
                         exact=_out.EXPECTED)
    c, a, v = as_tensor_arg(input), as_tensor_arg(mat), as_tensor_arg(vec)
    if a._data.ndim != 2 or v._data.ndim != 1 or a._data.shape[1] != v._data.shape[0] or \
            c._data.ndim > 1 or (c._data.ndim == 1 and c._data.shape[0] not in (1, a._data.shape[0])):
        sizes = "x".join(str(s) for s in a._data.shape)
        raise RuntimeError(f"size mismatch, got input ({', '.join(map(str, c._data.shape))}), "
                           f"mat ({sizes}), vec ({', '.join(map(str, v._data.shape))})")
    _same_dtypes(c, a, v)
    return apply(ADDMV, (c, a, v), (c._data, a._data, v._data), (beta, alpha))


expose(addmm, inplace=True, formulas=False)
expose(baddbmm, inplace=True, formulas=False)
expose(addbmm, inplace=True, formulas=False)
expose(addmv, inplace=True, formulas=False)


# --- trace, kron, vecdot, matrix_power, chain_matmul ------------------------------------------
_TRACE = _reduce.SUM.variant("TraceBackward0")


def trace(input):
    input = as_tensor_arg(input)
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    d = diagonal(input)
    dd = d._data
    if dd.dtype.kind in "iub":
        dd = dd.astype(_dtypes.int64.np)              # (integer traces are int64, as sums)
    return apply(_reduce.SUM, (d,), (dd,), (None, False, dd.shape), _TRACE)


expose(trace, formulas=False)


def kron(input, other, *, out=None):
    """kron(a, b)[i*B + j] = a[i] b[j] per dimension: an outer product with the
    dimensions interleaved, then merged."""
    if out is not None:
        return _out.into(out, kron(input, other), "kron")
    a, b = as_tensor_arg(input), as_tensor_arg(other)
    nd = max(a._data.ndim, b._data.ndim)
    sa = (1,) * (nd - a._data.ndim) + a._data.shape
    sb = (1,) * (nd - b._data.ndim) + b._data.shape
    a2 = a.reshape(tuple(x for s in sa for x in (s, 1)))
    b2 = b.reshape(tuple(x for s in sb for x in (1, s)))
    c = mul(a2, b2)
    # a copy's reshape, as PyTorch's kron (UnsafeViewBackward0): the result owns its memory
    return apply(_shape.RESHAPE, (c,), (c._data,), (tuple(p * q for p, q in zip(sa, sb)),
                                                    c._data.shape, None), _shape._UNSAFE_VIEW)


expose(kron, formulas=False)


def vecdot(x, y, *, dim=-1, out=None):
    if out is not None:
        return _out.into(out, vecdot(x, y, dim=dim), "linalg_vecdot",
                         exact="linalg.vecdot: Expected out of dtype{r} but found {o}")
    x, y = as_tensor_arg(x), as_tensor_arg(y)
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {x.dtype.legacy} and y of type {y.dtype.legacy} instead")
    if x._data.dtype.kind == "c":
        x = x.conj()                  # sum(conj(x) * y), as PyTorch
    return _reduce.sum(mul(x, y), dim)


def matrix_power(A, n, *, out=None):
    if out is not None:
        return _out.into(out, matrix_power(A, n), "matrix_power", exact=_out.EXPECTED,
                         cast=(RuntimeError, "matrix_power: Expected result to be safely "
                                             "castable from {r} dtype, but got result with dtype "
                                             "{o}"))
    A = as_tensor_arg(A)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they "
                           f"are {d.shape[-2]} by {d.shape[-1]} matrices")
    if n == 0:
        xp = _backend.namespace(d)
        eye = xp.eye(d.shape[-1], dtype=d.dtype)
        return as_tensor_arg(xp.broadcast_to(eye, d.shape).copy())   # (outside the graph)
    if n < 0:
        A, n = inv(A), -n
    if n == 1:
        return A.clone()
    # square-and-multiply, as PyTorch
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


expose(matrix_power, formulas=False)


def chain_matmul(*matrices, out=None):
    if out is not None:
        return _out.into(out, chain_matmul(*matrices), "chain_matmul",
                         exact="multi_dot(): expected out tensor to have dtype {rc} but got {oc}"
                         if len(matrices) > 1 else None)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    out = matrices[0]
    if len(matrices) == 1:
        return as_tensor_arg(out).clone()
    for m in matrices[1:]:
        out = matmul(out, m)
    return out


expose(chain_matmul, method=False, formulas=False)


# --- vmap (ops/_batching.py): beta * c + alpha * (a @ b), the product batched ---
def _batched_addmm(c):
    beta, alpha = c.params[0], c.params[1]
    m = _batched_matmul(_batching.Call(None, c.inputs[1:], c.xs[1:], c.batched[1:],
                                       c.arrays[1:], (), None, c.size), c.xs[1], c.xs[2])
    if alpha != 1:
        m = m * alpha
    bias = c.xs[0]
    if c.batched[0]:
        bias = _batching.aligned(c, bias, 0, m.dim() - 1)
    if beta == 0:
        return m
    return (bias if beta == 1 else bias * beta) + m


_batching.batching(_batched_addmm, ADDMM, ADDMV)

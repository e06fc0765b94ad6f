"""Matrix products: dot, mv, mm, matmul (batched, broadcasting).

One formula covers every case of C = A @ B: dA = dC @ B^T and dB = A^T @ dC,
after viewing 1-D operands as a row (A) or column (B) matrix, exactly as
matmul itself does; the node then sums broadcast batch dimensions away.
"""
from .._tensor import Tensor
from . import _backend
from ._args import as_tensor_arg, check_broadcast
from ._dispatch import apply
from ._registry import defop, expose, array_op
from .shape import unsqueeze

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
MM = defop("mm", "matmul", lambda F, g, b: F.matmul(g, F.mT(b)),
           lambda F, g, a: F.matmul(F.mT(a), g), inputs=("a", "b"))
_MV = MATMUL.variant("MvBackward0")
_VM = MATMUL.variant("SqueezeBackward4")
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


_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}


def _c(x):
    """The C++ type name PyTorch's matmul errors print."""
    return _C_NAMES.get(x.dtype.name, x.dtype.name)


def matmul(input, other):
    a, b = as_tensor_arg(input), as_tensor_arg(other)
    ad, bd = a._data, b._data
    if ad.ndim == 0 or bd.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{ad.ndim}D and {bd.ndim}D")
    _check_dtypes(a, b)
    ka = ad.shape[-1]
    kb = bd.shape[0] if bd.ndim == 1 else bd.shape[-2]
    if ka != kb:
        raise _size_mismatch(ad.shape, bd.shape)
    if ad.ndim > 2 or bd.ndim > 2:
        check_broadcast(ad.shape[:-2], bd.shape[:-2] if bd.ndim > 1 else ())
    if ad.ndim == 1 and bd.ndim == 1:
        return apply(DOT, (a, b), (ad, bd))
    if ad.ndim == 2 and bd.ndim == 2:
        return apply(MM, (a, b), (ad, bd))
    if ad.ndim == 2 and bd.ndim == 1:
        node = _MV
    elif ad.ndim == 1 and bd.ndim == 2:
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


def dot(input, other):
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


def mm(input, mat2):
    a, b = as_tensor_arg(input), as_tensor_arg(mat2)
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(a, b)


def mv(input, vec):
    a, b = as_tensor_arg(input), as_tensor_arg(vec)
    if a._data.ndim != 2 or b._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {b._data.ndim}")
    return matmul(a, b)


def bmm(input, mat2):
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


def outer(input, vec2):
    for name, v in (("self", input), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


expose(matmul)
for _fn, _names in ((dot, ("dot", "inner", "vdot")), (mm, ()), (mv, ()), (bmm, ()),
                    (outer, ("outer", "ger"))):
    expose(_fn, *_names, formulas=False)
expose(matmul, "__matmul__", function=False, formulas=False)
expose(lambda self, other: matmul(other, self), "__rmatmul__", function=False, formulas=False)
array_op("matmul", "matmul")      # (the op's forward also takes the shapes)

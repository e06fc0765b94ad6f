"""Selecting, splitting, repeating and rearranging elements: split, chunk, flip, roll, tril, scatter and kin (issue 11).

Most of these compose the ops of shape.py.  The ones that move elements to
new places (flip, roll, rot90, repeat, take, masked_select...) are one op,
TAKE_FLAT: the result reads x's elements (in C order) at an integer array I
of flat positions, which the public function computes by running the
rearrangement on the positions themselves (I = roll(arange(n).reshape(s))).
Its derivative scatter-adds the gradient back to those positions
(PUT_FLAT; repeated positions accumulate), and PUT_FLAT's derivative is
TAKE_FLAT again, so both serve plain backward, create_graph and forward
mode.  The grad_fn names are PyTorch's, as variants of the two ops.
"""
from .. import _dtypes
from .._views import mark_view
from .._tensor import Tensor, layout_array as _layout
from . import _backend
from ._args import as_operand, as_tensor_arg, normalize_dim, normalize_dims, shape_args
from ._dispatch import apply
from ._registry import defop, expose, TensorOps
from . import shape as S

_NUMPY = _backend.NUMPY
_XP = _NUMPY.xp
_INT64 = _dtypes.int64.np
_INT32 = _dtypes.int32.np


def _numel(shape):
    n = 1
    for k in shape:
        n *= k
    return n


# --- the gather-by-position pair --------------------------------------------------------------
def _take_flat(x, I, in_shape=None):
    return x.reshape(-1)[I]


def _put_flat(g, I, shape, *, be=_NUMPY):
    """Zeros of `shape` with g added at the flat positions I (repeats accumulate)."""
    out = be.xp.zeros_like(g, shape=(_numel(shape),))
    be.add_at(out, I.reshape(-1), g.reshape(-1))
    return out.reshape(shape)


TAKE_FLAT = defop("take_flat", _take_flat,
                  lambda F, g, I, in_shape: F.put_flat(g, I, in_shape),
                  params=("I", "in_shape"), node_name="TakeBackward0", quiet=False)
PUT_FLAT = defop("put_flat", _put_flat,
                 lambda F, g, I: F.take_flat(g, I),
                 params=("I", "shape"), node_name="PutBackward0", quiet=False)
TensorOps.take_flat = staticmethod(
    lambda x, I, in_shape=None: apply(TAKE_FLAT, (x,), (x._data,), (I, x._data.shape)))
TensorOps.put_flat = staticmethod(
    lambda g, I, shape: apply(PUT_FLAT, (g,), (g._data,), (I, shape)))

_NAMED = {}


def _variant(op, name):
    cls = _NAMED.get((op.name, name))
    if cls is None:
        cls = _NAMED[(op.name, name)] = op.variant(name)
    return cls


def _positions(d):
    """The flat position of each element of array d, shaped as d (of d's array library)."""
    xp = _backend.namespace(d)
    return xp.arange(d.size, dtype=_INT64).reshape(d.shape)


def _take(input, I, name):
    """input's elements at flat positions I (an int64 array of input's library), node `name`."""
    d = input._data
    return apply(TAKE_FLAT, (input,), (d,), (I, d.shape), _variant(TAKE_FLAT, name))


def _put(input, I, shape, name):
    d = input._data
    return apply(PUT_FLAT, (input,), (d,), (I, shape), _variant(PUT_FLAT, name))


def _view_index(input, idx, name):
    """input[idx] (basic indexing: a view) under grad_fn `name`."""
    d = _layout(input)
    res = apply(S.GETITEM, (input,), (d,), (idx, d.shape), _variant(S.GETITEM, name))
    return mark_view(res, input, ("index", idx))


def _dim_list(dims, nd, name="dims"):
    if isinstance(dims, int):
        dims = (dims,)
    return tuple(normalize_dim(k, nd) for k in dims)


# --- 1. split, chunk, unbind ------------------------------------------------------------------
def split(tensor, split_size_or_sections, dim=0):
    tensor = as_tensor_arg(tensor)
    d = tensor._data
    if d.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = normalize_dim(dim, d.ndim)
    n = d.shape[dim]
    lead = (slice(None),) * dim
    s = split_size_or_sections
    if isinstance(s, Tensor):
        s = s.tolist()
    if isinstance(s, (list, tuple)):
        sizes = [int(k) for k in s]
        if any(k < 0 for k in sizes) or sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={sizes}")
        out, start = [], 0
        for k in sizes:
            out.append(_view_index(tensor, lead + (slice(start, start + k),),
                                   "SplitWithSizesBackward0"))
            start += k
        return tuple(out)
    s = int(s)
    if s < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
    if s == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {n}")
    count = max((n + s - 1) // s, 1) if s else 1
    return tuple(_view_index(tensor, lead + (slice(i * s, min((i + 1) * s, n) if s else n),),
                             "SplitBackward0") for i in range(count))


def _split_method(self, split_size, dim=0):
    return split(self, split_size, dim)


def chunk(input, chunks, dim=0):
    input = as_tensor_arg(input)
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = normalize_dim(dim, d.ndim)
    n = d.shape[dim]
    step = (n + chunks - 1) // chunks
    if step == 0:
        # PyTorch: chunks of an empty dimension are `chunks` empty pieces
        return tuple(_view_index(input, (slice(None),) * dim + (slice(0, 0),),
                                 "SplitBackward0") for _ in range(chunks))
    return split(input, step, dim)


def unbind(input, dim=0):
    input = as_tensor_arg(input)
    d = input._data
    if d.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = normalize_dim(dim, d.ndim)
    return tuple(_view_index(input, (slice(None),) * dim + (i,), "UnbindBackward0")
                 for i in range(d.shape[dim]))


expose(split, method=_split_method, formulas=False)
expose(chunk, formulas=False)
expose(unbind, formulas=False)


# --- 2. flip, roll, rot90, movedim --------------------------------------------------------------
def _flip_positions(P, dims):
    idx = tuple(slice(None, None, -1) if i in dims else slice(None) for i in range(P.ndim))
    return P[idx]


def flip(input, *dims):
    input = as_tensor_arg(input)
    d = input._data
    dims = shape_args(dims, "flip", "dims")
    nd = d.ndim
    dims = normalize_dims(tuple(dims), nd)
    return _take(input, _flip_positions(_positions(d), dims), "FlipBackward0")


def fliplr(input):
    input = as_tensor_arg(input)
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    input = as_tensor_arg(input)
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def _roll_positions(P, shifts, dims):
    for s, k in zip(shifts, dims):
        n = P.shape[k]
        if n == 0:
            continue
        s %= n
        if s:
            lead = (slice(None),) * k
            P = S._backend.namespace(P).concatenate(
                (P[lead + (slice(n - s, n),)], P[lead + (slice(0, n - s),)]), axis=k)
    return P


def roll(input, shifts, dims=None):
    input = as_tensor_arg(input)
    d = input._data
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               f"dims:0")
        P = _roll_positions(_positions(d).reshape(-1), shifts, (0,)).reshape(d.shape)
        return _take(input, P, "RollBackward0")
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    dims = tuple(normalize_dim(k, d.ndim) for k in dims)
    return _take(input, _roll_positions(_positions(d), shifts, dims), "RollBackward0")


def rot90(input, k=1, dims=(0, 1)):
    input = as_tensor_arg(input)
    d = input._data
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if d.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {d.ndim}")
    a, b = normalize_dim(dims[0], d.ndim), normalize_dim(dims[1], d.ndim)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and "
                           f"dim1 = {b}")
    k %= 4
    P = _positions(d)
    perm = list(range(d.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    if k == 1:
        P = _flip_positions(P, (b,)).transpose(perm)
    elif k == 2:
        P = _flip_positions(P, (a, b))
    elif k == 3:
        P = _flip_positions(P, (a,)).transpose(perm)
    return _take(input, S._backend.namespace(P).ascontiguousarray(P), "Rot90Backward0")


def movedim(input, source, destination):
    input = as_tensor_arg(input)
    nd = input._data.ndim
    if isinstance(source, int) != isinstance(destination, int):
        raise TypeError(f"movedim() received an invalid combination of arguments - got "
                        f"({type(source).__name__}, {type(destination).__name__}), but "
                        "expected one of:")
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = tuple(normalize_dim(k, nd) for k in src)
    dst = tuple(normalize_dim(k, nd) for k in dst)
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(source)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(destination)})")
    perm = [None] * nd
    for s_, t_ in zip(src, dst):
        perm[t_] = s_
    rest = iter(k for k in range(nd) if k not in src)
    perm = tuple(next(rest) if p is None else p for p in perm)
    return S.permute(input, perm)


moveaxis = movedim

expose(flip, method=lambda self, *dims: flip(self, *dims), formulas=False)
expose(fliplr, formulas=False)
expose(flipud, formulas=False)
expose(roll, formulas=False)
expose(rot90, formulas=False)
expose(movedim, "movedim", "moveaxis", formulas=False)

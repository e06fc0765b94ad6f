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
import warnings

from .._inplace_state import note_constant
from .. import _dtypes
from .._factories import arange
from .._views import mark_view
from .._tensor import Tensor, layout_array as _layout
from . import _backend, _out
from ._args import (as_operand, as_tensor_arg, check_broadcast, normalize_dim, normalize_dims,
                    shape_args)
from . import _batching
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
    out = _backend.zeros_to_scatter_into(be.xp, (_numel(shape),), g)
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


def _views_of_one(views):
    """The outputs of an op returning several views: in-place changes to them
    (or their views) are refused, as PyTorch does (see _inplace.py)."""
    for k, v in enumerate(views):
        if v._grad_fn is not None:
            v._multi_view = (k, type(v._grad_fn).__name__)
    return views


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
        raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple "
                        "of ints, not Tensor")
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
        return _views_of_one(tuple(out))
    s = int(s)
    if s < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
    if s == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {n}")
    count = max((n + s - 1) // s, 1) if s else 1
    return _views_of_one(tuple(
        _view_index(tensor, lead + (slice(i * s, min((i + 1) * s, n) if s else n),),
                    "SplitBackward0") for i in range(count)))


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
        return _views_of_one(tuple(_view_index(input, (slice(None),) * dim + (slice(0, 0),),
                                               "SplitBackward0") for _ in range(chunks)))
    return split(input, step, dim)


def unbind(input, dim=0):
    input = as_tensor_arg(input)
    d = input._data
    if d.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = normalize_dim(dim, d.ndim)
    return _views_of_one(tuple(_view_index(input, (slice(None),) * dim + (i,), "UnbindBackward0")
                               for i in range(d.shape[dim])))


expose(split, method=_split_method, formulas=False)
expose(chunk, formulas=False)
expose(unbind, formulas=False)


# --- 2. flip, roll, rot90, movedim --------------------------------------------------------------
def _flip_positions(P, dims):
    idx = tuple(slice(None, None, -1) if i in dims else slice(None) for i in range(P.ndim))
    return P[idx]


def flip(input, dims):
    if isinstance(dims, int):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    return _flip(input, dims)


def _flip_method(self, *dims):
    if not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    return _flip(self, dims)


def _flip(input, dims):
    input = as_tensor_arg(input)
    d = input._data
    dims = shape_args((dims,) if isinstance(dims, int) else dims, "flip", "dims")
    nd = d.ndim
    dims = normalize_dims(tuple(dims), nd)
    return _take(input, _flip_positions(_positions(d), dims), "FlipBackward0")


def fliplr(input):
    input = as_tensor_arg(input)
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return _flip(input, (1,))


def flipud(input):
    input = as_tensor_arg(input)
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return _flip(input, (0,))


def _roll_positions(P, shifts, dims):
    for s, k in zip(shifts, dims):
        n = P.shape[k]
        if n == 0:
            continue
        s %= n
        if s:
            lead = (slice(None),) * k
            P = _backend.namespace(P).concatenate(
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
    return _take(input, _backend.namespace(P).ascontiguousarray(P), "Rot90Backward0")


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

expose(flip, method=_flip_method, formulas=False)
expose(fliplr, formulas=False)
expose(flipud, formulas=False)
expose(roll, formulas=False)
expose(rot90, formulas=False)
expose(movedim, "movedim", "moveaxis", formulas=False)


# --- 3. repeat, tile, repeat_interleave, broadcasting, atleast_*, stacking ---------------------
def repeat(input, *sizes):
    input = as_tensor_arg(input)
    sizes = shape_args(sizes, "repeat", "repeats")
    d = input._data
    if len(sizes) < d.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    target = [k * n for k, n in zip(sizes, (1,) * (len(sizes) - d.ndim) + d.shape)]
    for k in target:
        if k < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {k}: {target}")
    lead = (1,) * (len(sizes) - d.ndim)
    P = _positions(d).reshape(lead + d.shape)
    P = _backend.namespace(P).tile(P, sizes)
    return _take(input, P, "RepeatBackward0")


def tile(input, dims):
    input = as_tensor_arg(input)
    dims = shape_args((dims,) if isinstance(dims, int) else tuple(dims), "tile", "dims")
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + tuple(dims)
    return repeat(input, dims)


_REPEAT_COUNTS = defop("repeat_counts", lambda r, *, xp=_XP: xp.repeat(
    xp.arange(r.size, dtype=r.dtype), r), quiet=False)
_INDEX_SELECT = S.GETITEM.variant("IndexSelectBackward0")


def _index_select(x, dim, idx):
    """x's slices at positions idx (an int array) along dim (IndexSelectBackward0)."""
    d = x._data
    return apply(S.GETITEM, (x,), (d,), ((slice(None),) * dim + (idx,), d.shape), _INDEX_SELECT)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    input = as_tensor_arg(input)
    if repeats is None:
        # repeat_interleave(counts): each index i repeated counts[i] times
        r = input._data
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if r.dtype != _INT64 and r.dtype != _INT32:
            raise RuntimeError("repeat_interleave only support int32 and int64 dtype for repeats")
        if r.size and r.min() < 0:
            raise RuntimeError("repeats can not be negative")
        return apply(_REPEAT_COUNTS, (input,), (r.reshape(-1),))
    x = input
    if dim is None:
        x = S.reshape(input, -1)
        dim = 0
    d = x._data
    dim = normalize_dim(dim, d.ndim)
    n = d.shape[dim] if d.ndim else 1
    if isinstance(repeats, Tensor) and repeats._data.ndim == 0:
        repeats = int(repeats._data)
    if isinstance(repeats, int):
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        if d.ndim == 0:
            x = S.reshape(x, 1)
            d = x._data
        u = S.unsqueeze(x, dim + 1)
        shape = d.shape[:dim + 1] + (repeats,) + d.shape[dim + 1:]
        c = S.contiguous(S.expand(u, shape))
        return S._reshape_as(c, d.shape[:dim] + (d.shape[dim] * repeats,) + d.shape[dim + 1:])
    r = repeats._data
    if r.ndim > 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if r.size != n:
        raise RuntimeError("repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {r.size} and input.size({dim}) = {n}")
    xp = _backend.namespace(r)
    idx = xp.repeat(xp.arange(n, dtype=_INT64), r.reshape(-1))
    return _index_select(x, dim, idx)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = [as_tensor_arg(t) for t in tensors]
    shape = ()
    for t in tensors:
        shape = check_broadcast(shape, t._data.shape)
    return tuple(t if t._data.shape == shape else S.expand(t, shape) for t in tensors)


def _atleast(args, fn):
    if len(args) == 1:
        a = args[0]
        if isinstance(a, (list, tuple)):
            return tuple(fn(as_tensor_arg(t)) for t in a)
        return fn(as_tensor_arg(a))
    return tuple(fn(as_tensor_arg(t)) for t in args)


def _at1(x):
    return S.reshape(x, 1) if x._data.ndim == 0 else x


def _at2(x):
    nd = x._data.ndim
    if nd == 0:
        return S.reshape(x, 1, 1)
    return S.unsqueeze(x, 0) if nd == 1 else x


def _at3(x):
    nd = x._data.ndim
    if nd == 0:
        return S.reshape(x, 1, 1, 1)
    if nd == 1:
        return S.unsqueeze(S.unsqueeze(x, 0), -1)
    return S.unsqueeze(x, -1) if nd == 2 else x


def atleast_1d(*tensors):
    return _atleast(tensors, _at1)


def atleast_2d(*tensors):
    return _atleast(tensors, _at2)


def atleast_3d(*tensors):
    return _atleast(tensors, _at3)


def _seq(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    return [as_tensor_arg(t) for t in tensors]


def hstack(tensors, *, out=None):
    if out is not None:
        return _out.into(out, hstack(tensors), "hstack", cast=_out.CAT)
    ts = [_at1(t) for t in _seq(tensors, "hstack")]
    if not ts:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return S.cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors, *, out=None):
    if out is not None:
        return _out.into(out, vstack(tensors), "vstack", cast=_out.CAT)
    ts = [_at2(t) for t in _seq(tensors, "vstack")]
    if not ts:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return S.cat(ts, 0)


row_stack = vstack


def dstack(tensors, *, out=None):
    if out is not None:
        return _out.into(out, dstack(tensors), "dstack", cast=_out.CAT)
    ts = [_at3(t) for t in _seq(tensors, "dstack")]
    if not ts:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return S.cat(ts, 2)


def column_stack(tensors, *, out=None):
    if out is not None:
        return _out.into(out, column_stack(tensors), "column_stack", cast=_out.CAT)
    ts = _seq(tensors, "column_stack")
    if not ts:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    ts = [S.reshape(t, t._data.size, 1) if t._data.ndim <= 1 else t for t in ts]
    return S.cat(ts, 1)


expose(repeat, function=False, method=lambda self, *sizes: repeat(self, *sizes), formulas=False)
expose(tile, method=lambda self, *dims: tile(self, dims[0] if len(dims) == 1 else dims),
       formulas=False)
expose(repeat_interleave, formulas=False)
expose(broadcast_tensors, method=False, formulas=False)
for _fn in (atleast_1d, atleast_2d, atleast_3d, hstack, vstack, dstack, column_stack):
    expose(_fn, method=False, formulas=False)
expose(vstack, "row_stack", method=False, formulas=False)


# --- 4. tril, triu, diagonal, diag, diag_embed, diagflat -------------------------------------
def _tri_mask(d, diagonal, lower):
    """The kept positions of the last two dimensions (bool, of d's array library)."""
    xp = _backend.namespace(d)
    r, c = d.shape[-2:]
    i = xp.arange(r, dtype=_INT64).reshape(r, 1)
    j = xp.arange(c, dtype=_INT64).reshape(1, c)
    return note_constant((j - i <= diagonal) if lower else (j - i >= diagonal))


TRI = defop("tri", lambda x, mask, *, xp=_XP: xp.where(mask, x, xp.zeros_like(x)),
            lambda F, g, mask: F.tri(g, mask),
            params=("mask",), node_name="TrilBackward0", quiet=False)
TensorOps.tri = staticmethod(lambda g, mask: apply(TRI, (g,), (g._data,), (mask,)))
_TRIU = TRI.variant("TriuBackward0")


def _tri(input, diagonal, lower):
    input = as_tensor_arg(input)
    d = input._data
    if d.ndim < 2:
        raise RuntimeError(f"{'tril' if lower else 'triu'}: input tensor must have at least 2 "
                           "dimensions")
    return apply(TRI, (input,), (d,), (_tri_mask(d, int(diagonal), lower),),
                 None if lower else _TRIU)


def tril(input, diagonal=0, *, out=None):
    if out is not None:
        return _out.into(out, tril(input, diagonal), "tril", exact=_out.EXPECTED)
    return _tri(input, diagonal, True)


def triu(input, diagonal=0, *, out=None):
    if out is not None:
        return _out.into(out, triu(input, diagonal), "triu", exact=_out.EXPECTED)
    return _tri(input, diagonal, False)


def _diag_layout(shape, strides, offset, a, b):
    """Shape, byte strides and byte offset of the diagonal view (PyTorch's)."""
    if offset >= 0:
        n = max(0, min(shape[a], shape[b] - offset))
        start = offset * strides[b]
    else:
        n = max(0, min(shape[a] + offset, shape[b]))
        start = -offset * strides[a]
    if n == 0:
        start = 0
    keep = [k for k in range(len(shape)) if k != a and k != b]
    return (tuple(shape[k] for k in keep) + (n,),
            tuple(strides[k] for k in keep) + (strides[a] + strides[b],), start)


def _diagonal_raw(x, offset=0, dim1=0, dim2=1, copy=False, in_shape=None, *, be=_NUMPY):
    shape, strides, start = _diag_layout(x.shape, be.strides(x), offset, dim1, dim2)
    out = be.as_strided(x, shape, strides, start)
    return out.copy() if copy else out


def _diag_scatter(g, offset, dim1, dim2, shape, *, be=_NUMPY):
    """Zeros of `shape` whose diagonal (offset, dim1, dim2) is g."""
    out = be.xp.zeros_like(g, shape=shape)
    _diagonal_raw(out, offset, dim1, dim2, be=be)[...] = g
    return out


DIAGONAL = defop("diagonal", _diagonal_raw,
                 lambda F, g, offset, dim1, dim2, in_shape: F.diag_scatter(g, offset, dim1, dim2,
                                                                            in_shape),
                 params=("offset", "dim1", "dim2", "copy", "in_shape"), quiet=False)
DIAG_SCATTER = defop("diag_scatter", _diag_scatter,
                     lambda F, g, offset, dim1, dim2: F.diagonal(g, offset, dim1, dim2),
                     params=("offset", "dim1", "dim2", "shape"), node_name="DiagEmbedBackward0",
                     quiet=False)
TensorOps.diag_scatter = staticmethod(lambda g, offset, dim1, dim2, shape: apply(
    DIAG_SCATTER, (g,), (g._data,), (offset, dim1, dim2, shape)))
TensorOps.diagonal = staticmethod(lambda g, offset, dim1, dim2: _diagonal(g, offset, dim1, dim2))
_DIAG_COPY = DIAGONAL.variant("DiagonalBackward0_copy")


def _diag_dims(nd, dim1, dim2):
    a, b = normalize_dim(dim1, nd), normalize_dim(dim2, nd)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return a, b


def _diagonal(input, offset, a, b, copy=False):
    d = _layout(input)
    res = apply(DIAGONAL, (input,), (d,), (offset, a, b, copy, d.shape),
                _DIAG_COPY if copy else None)
    if copy:
        return res
    # Replayed (in-place changes through the view) as the two dimensions moved
    # last, then indexed by the diagonal's positions.
    nd = d.ndim
    perm = tuple(k for k in range(nd) if k != a and k != b) + (a, b)
    n = res._data.shape[-1]
    xp = _backend.namespace(d)
    i = xp.arange(n, dtype=_INT64) + (-offset if offset < 0 else 0)
    j = xp.arange(n, dtype=_INT64) + (offset if offset > 0 else 0)
    mark_view(res, input, ("permute", perm))
    if res._view_of is not None:
        root, steps = res._view_of
        res._view_of = (root, steps + (("index", (Ellipsis, i, j)),))
    return res


def diagonal(input, offset=0, dim1=0, dim2=1):
    input = as_tensor_arg(input)
    a, b = _diag_dims(input._data.ndim, dim1, dim2)
    return _diagonal(input, int(offset), a, b)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    input = as_tensor_arg(input)
    d = input._data
    nd = d.ndim + 1
    a, b = _diag_dims(nd, dim1, dim2)
    n = (d.shape[-1] if d.ndim else 1) + abs(offset)
    rest = list(d.shape[:-1])
    shape = [None] * nd
    for k in sorted((a, b)):
        shape[k] = n
    it = iter(rest)
    shape = tuple(next(it) if s is None else s for s in shape)
    g = input if d.ndim else S.reshape(input, 1)
    return apply(DIAG_SCATTER, (g,), (g._data,), (int(offset), a, b, shape))


def diag(input, diagonal=0, *, out=None):
    if out is not None:
        return _out.into(out, diag(input, diagonal), "diag", exact=_out.EXPECTED,
                         cast=(RuntimeError, "diag: result type {r} can't be cast to the "
                                             "desired out= type {o}"))
    input = as_tensor_arg(input)
    nd = input._data.ndim
    if nd == 1:
        return diag_embed(input, diagonal, 0, 1)
    if nd == 2:
        return _diagonal(input, int(diagonal), 0, 1, copy=True)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " f"{nd}D")


def diagflat(input, offset=0):
    input = as_tensor_arg(input)
    return diag_embed(S.reshape(input, -1), offset, 0, 1)


expose(tril, inplace=True, formulas=False)
expose(triu, inplace=True, formulas=False)
for _fn in (diagonal, diag_embed, diag, diagflat):
    expose(_fn, formulas=False)


# --- 5. index_select, masked_*, take, scatter, index_add/fill/copy, meshgrid, tri indices ----
_DTYPE_NAMES = {"f": "Float", "d": "Double", "e": "Half", "i": "Int", "l": "Long", "b": "Char",
                "B": "Byte", "h": "Short", "?": "Bool", "q": "Long"}


def _dtype_name(a):
    return _DTYPE_NAMES.get(a.dtype.char, str(a.dtype))


@_batching.loops_when_batched('index')
def index_select(input, dim, index, *, out=None):
    if out is not None:
        return _out.into(out, index_select(input, dim, index), "index_select",
                         exact="index_select(): self and result must have the same scalar type")
    input = as_tensor_arg(input)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    i = index._data
    if d.ndim == 0 and i.dtype.kind in "iu" and i.size == 1:
        if int(i.reshape(-1)[0]) != 0:
            raise IndexError("index out of range in self")
        return _take(input, i.reshape(()) * 0, "IndexSelectBackward0")
    if i.dtype != _INT64 and i.dtype != _INT32:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if i.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = d.shape[dim]
    if i.size and (i.min() < 0 or i.max() >= n):
        raise IndexError("index out of range in self")
    return _index_select(input, dim, i.reshape(-1))


def _value_arg(value, name):
    """A fill value: a Python number, or a 0-d tensor (then the second grad_fn name)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        return value, 1
    return as_operand(value), 0


def masked_fill(input, mask, value):
    input = as_tensor_arg(input)
    m = mask._data
    if m.dtype.kind != "b":
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_dtype_name(m).lower()}")
    value, k = _value_arg(value, "masked_fill_")
    shape = check_broadcast(m.shape, input._data.shape)
    x = input if input._data.shape == shape else S.expand(input, shape)
    if m.shape != shape:
        m = S.expand(mask, shape)._data
    return S.index_put(x, (m,), value, f"MaskedFillBackward{k}")


def masked_select(input, mask, *, out=None):
    if out is not None:
        return _out.into(out, masked_select(input, mask), "masked_select",
                         exact="masked_select(): self and result must have the same scalar type")
    input = as_tensor_arg(input)
    m = mask._data
    if m.dtype.kind != "b":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = check_broadcast(input._data.shape, m.shape)
    x = input if input._data.shape == shape else S.expand(input, shape)
    if m.shape != shape:
        m = S.expand(mask, shape)._data
    return _take(x, _positions(x._data)[m], "MaskedSelectBackward0")


@_batching.loops_when_batched('index')
def take(input, index, *, out=None):
    if out is not None:
        return _out.into(out, take(input, index), "take",
                         exact="take(): self and out expected to have the same dtype, but got "
                               "self.dtype = {r} and out.dtype = {o}")
    input = as_tensor_arg(input)
    i = index._data
    if i.dtype != _INT64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_dtype_name(i)}")
    n = input._data.size
    if i.size:
        lo, hi = int(i.min()), int(i.max())
        if lo < -n or hi >= n:
            raise IndexError(f"out of range: tried to access index {lo if lo < -n else hi} on a "
                             f"tensor of {n} elements.")
    return _take(input, i + (i < 0) * n, "TakeBackward0")


@_batching.loops_when_batched('indices')
def take_along_dim(input, indices, dim=None, *, out=None):
    if out is not None:
        return _out.into(out, take_along_dim(input, indices, dim), "take_along_dim",
                         exact=_out.EXPECTED)
    input = as_tensor_arg(input)
    i = indices._data
    if i.dtype != _INT64:
        raise RuntimeError("torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_dtype_name(i)}")
    if dim is None:
        return S.gather(S.reshape(input, -1), 0, S.reshape(indices, -1))
    d = input._data
    if d.ndim != i.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {d.ndim} dimensions for input, and "
                           f"{i.ndim} dimensions for indices")
    dim = normalize_dim(dim, d.ndim)
    a = d.shape[:dim] + (1,) + d.shape[dim + 1:]
    b = i.shape[:dim] + (1,) + i.shape[dim + 1:]
    shape = check_broadcast(a, b)
    ta = shape[:dim] + (d.shape[dim],) + shape[dim + 1:]
    tb = shape[:dim] + (i.shape[dim],) + shape[dim + 1:]
    x = input if d.shape == ta else S.expand(input, ta)
    if i.size and int(i.min()) < 0:
        indices = indices + (indices < 0) * d.shape[dim]
    idx = indices if i.shape == tb else S.expand(indices, tb)
    return S.gather(x, dim, idx)


def _scatter_checks(d, dim, i, src_shape, name):
    if i.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    if i.ndim != d.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if src_shape is not None and len(src_shape) != i.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    for k in range(d.ndim):
        if (k != dim and i.shape[k] > d.shape[k]) or (src_shape is not None and
                                                       i.shape[k] > src_shape[k]):
            tail = (f" and to be no larger size than src {list(src_shape)}"
                    if src_shape is not None else "")
            raise RuntimeError(f"Expected index {list(i.shape)} to be no larger than self "
                               f"{list(d.shape)} apart from dimension {dim}{tail}")
    if i.size:
        lo, hi = int(i.min()), int(i.max())
        n = d.shape[dim]
        if lo < 0 or hi >= n:
            raise RuntimeError(f"index {lo if lo < 0 else hi} is out of bounds for dimension "
                               f"{dim} with size {n}")


def _src_part(src, shape):
    """src's leading block of `shape` (what scatter reads of it)."""
    if src._data.shape == tuple(shape):
        return src
    return S.getitem(src, tuple(slice(0, n) for n in shape))


@_batching.loops_when_batched('index')
def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    if out is not None:
        return _out.into(out, scatter(input, dim, index, src, value, reduce=reduce), "scatter",
                         exact=_out.EXPECTED)
    input = as_tensor_arg(input)
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported")
    if src is None:
        src = value
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    i = index._data
    if isinstance(src, Tensor):
        s = src._data
        _scatter_checks(d, dim, i, s.shape, "scatter")
        if s.dtype != d.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        xp = _backend.namespace(i)
        return S.index_put(input, S._along(i.astype(_INT64), dim, xp),
                           _src_part(src, i.shape), "ScatterBackward0")
    _scatter_checks(d, dim, i, None, "scatter")
    xp = _backend.namespace(i)
    return S.index_put(input, S._along(i.astype(_INT64), dim, xp), as_operand(src),
                       "ScatterBackward1")


def _add_at_copy(x, src, idx, alpha=1, *, be=_NUMPY):
    out = x.copy()
    be.add_at(out, idx, src if alpha == 1 else src * alpha)
    return out


ADD_AT = defop("add_at", _add_at_copy,
               lambda F, g: g,
               lambda F, g, idx, alpha: F.getitem(g, idx) if alpha == 1 else F.getitem(g, idx) * alpha,
               inputs=("x", "src"), params=("idx", "alpha"), node_name="IndexAddBackward0")
_SCATTER_ADD = ADD_AT.variant("ScatterAddBackward0")


@_batching.loops_when_batched('index')
def scatter_add(input, dim, index, src, *, out=None):
    if out is not None:
        return _out.into(out, scatter_add(input, dim, index, src), "scatter_add",
                         exact=_out.EXPECTED)
    input = as_tensor_arg(input)
    src = as_tensor_arg(src)
    d, s, i = input._data, src._data, index._data
    dim = normalize_dim(dim, d.ndim)
    _scatter_checks(d, dim, i, s.shape, "scatter_add")
    if s.dtype != d.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    src = _src_part(src, i.shape)
    idx = S._along(i.astype(_INT64), dim, _backend.namespace(i))
    return apply(ADD_AT, (input, src), (d, src._data), (idx, 1), _SCATTER_ADD)


def _index_args(d, dim, index, name, dtypes="int32/int64", exc=RuntimeError):
    i = index._data
    if i.dtype != _INT64 and (dtypes == "int64" or i.dtype != _INT32):
        if name == "index_add_":
            raise exc(f"{name}(): Expected dtype {dtypes} for index but got: {_dtype_name(i)}")
        if name == "index_fill_":
            raise exc(f"{name}(): Expected dtype int64 for index.")
        raise exc(f"{name}(): Expected a long tensor for index, but got {_dtype_name(i)}")
    return i.reshape(-1)


def _check_bounds(i, n, dim, exc, prefix="", negative=True):
    if i.size:
        lo, hi = int(i.min()), int(i.max())
        low = -n if negative else 0
        if lo < low or hi >= n:
            raise exc(f"{prefix}index {lo if lo < low else hi} is out of bounds for dimension "
                      f"{dim} with size {n}")


@_batching.loops_when_batched('index')
def index_add(input, dim, index, source, *, alpha=1, out=None):
    if out is not None:
        return _out.into(out, index_add(input, dim, index, source, alpha=alpha), "index_add",
                         exact=_out.EXPECTED)
    input = as_tensor_arg(input)
    source = as_tensor_arg(source)
    d, s = input._data, source._data
    dim = normalize_dim(dim, d.ndim)
    i = _index_args(d, dim, index, "index_add_")
    if s.dtype != d.dtype:
        raise RuntimeError(f"index_add_(): self ({_dtype_name(d)}) and source ({_dtype_name(s)}) "
                           "must have the same scalar type")
    if s.ndim and dim >= s.ndim:
        raise RuntimeError(f"index_add_(): Indexing dim {dim} is out of bounds of the source "
                           f"tensor with dim {s.ndim}")
    ns = s.shape[dim] if s.ndim else 1
    if i.size != ns:
        raise RuntimeError(f"index_add_(): Number of indices ({i.size}) should be equal to "
                           f"source.size(dim): ({ns}), for dim: {dim}")
    _check_bounds(i, d.shape[dim], dim, RuntimeError, negative=False)
    idx = (slice(None),) * dim + (i,)
    if s.shape != d.shape[:dim] + (i.size,) + d.shape[dim + 1:]:
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(d.shape)} "
                           f"source.shape = {list(s.shape)}")
    return apply(ADD_AT, (input, source), (d, s), (idx, alpha))


@_batching.loops_when_batched('index')
def index_fill(input, dim, index, value):
    input = as_tensor_arg(input)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    i = _index_args(d, dim, index, "index_fill_", "int64", IndexError)
    value, k = _value_arg(value, "index_fill_")
    _check_bounds(i, d.shape[dim], dim, IndexError)
    return S.index_put(input, (slice(None),) * dim + (i,), value, f"IndexFillBackward{k}")


@_batching.loops_when_batched('index')
def index_copy(input, dim, index, source, *, out=None):
    if out is not None:
        return _out.into(out, index_copy(input, dim, index, source), "index_copy",
                         exact=_out.EXPECTED)
    input = as_tensor_arg(input)
    source = as_tensor_arg(source)
    d, s = input._data, source._data
    dim = normalize_dim(dim, d.ndim)
    i = _index_args(d, dim, index, "index_copy_", "int64")
    ns = s.shape[dim] if s.ndim else 1
    if i.size != ns:
        raise IndexError(f"index_copy_(): Number of indices ({i.size}) should be equal to "
                         f"source.size(dim) ({ns})")
    _check_bounds(i, d.shape[dim], dim, IndexError, "index_copy_(): ", negative=False)
    if s.dtype != d.dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_dtype_name(d)} and (source) {_dtype_name(s)}")
    return S.index_put(input, (slice(None),) * dim + (i,), source, "IndexCopyBackward0")


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    tensors = [as_tensor_arg(t) for t in tensors]
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got:  {' '.join(str(n) for n in t._data.shape)}")
    if any(t._data.dtype != tensors[0]._data.dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    k = len(tensors)
    pos = list(range(k))
    if indexing == "xy" and k >= 2:
        pos[0], pos[1] = 1, 0
    sizes = [t._data.size for t in tensors]
    shape = [0] * k
    for i, p in enumerate(pos):
        shape[p] = sizes[i]
    shape = tuple(shape)
    out = []
    for i, t in enumerate(tensors):
        v = S.reshape(t, tuple(sizes[i] if j == pos[i] else 1 for j in range(k)))
        out.append(S.expand(v, shape))
    return tuple(out)


def _tri_indices(row, col, offset, dtype, lower, name):
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dt = _dtypes.int64 if dtype is None else _dtypes.as_dtype(dtype)
    if dt.np.kind not in "iu":
        raise NotImplementedError(f"\"{name}\" not implemented for '{dt.legacy}'")
    i = S.expand(S.reshape(arange(row), row, 1), (row, col))
    j = S.expand(arange(col), (row, col))
    keep = (j - i <= offset) if lower else (j - i >= offset)
    return S.to_dtype(S.stack([S.getitem(i, keep), S.getitem(j, keep)]), dt)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices(row, col, offset, dtype, True, "tril_indices")


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices(row, col, offset, dtype, False, "triu_indices")


expose(index_select, formulas=False)
for _fn in (masked_fill, scatter, scatter_add, index_add, index_fill, index_copy):
    expose(_fn, inplace=True, formulas=False)
for _fn in (masked_select, take, take_along_dim):
    expose(_fn, formulas=False)
for _fn in (meshgrid, tril_indices, triu_indices):
    expose(_fn, method=False, formulas=False)


# --- one_hot (nn.functional) -------------------------------------------------------------------
def _one_hot(x, num_classes, *, xp=_XP):
    return (x[..., None] == xp.arange(num_classes)).astype(x.dtype)


ONE_HOT = defop("one_hot", _one_hot, params=("num_classes",), quiet=False)   # no gradient


def one_hot(tensor, num_classes=-1):
    """torch.nn.functional.one_hot: int64 class indices to rows of 0s and a 1."""
    tensor = as_tensor_arg(tensor)
    d = tensor._data
    if d.dtype != _dtypes.int64.np:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if not d.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if d.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if d.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return apply(ONE_HOT, (tensor,), (d,), (num_classes,))

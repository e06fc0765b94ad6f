"""More splitting, gathering and scattering PyTorch has (issue 11's missing
names): ravel, tensor_split/hsplit/vsplit/dsplit, split_with_sizes and the
unsafe_ splits, Tensor.unfold, narrow_copy, sum_to_size, diff,
cartesian_prod, combinations, broadcast_shapes, the scatters
(select_scatter, slice_scatter, diagonal_scatter), index_put and put.

Most compose shape.py's and select.py's ops under PyTorch's grad_fn names:
the scatters are index_put (input with a region replaced: gradient g outside
the region for input, g's region for src); unfold and narrow_copy read
elements at computed flat positions (select.py's TAKE_FLAT, whose derivative
scatter-adds back).  put and index_put(accumulate=True) are PUT below."""
import itertools

from .. import _dtypes
from .._factories import tensor as _tensor
from .._tensor import Tensor, Size, layout_array as _layout
from . import _backend, _out
from ._args import as_tensor_arg, normalize_dim, promoted_arrays, shape_args
from . import _batching
from ._dispatch import apply
from ._registry import defop, expose, complex_like
from . import shape as S, select as SE
from .._views import mark_view
from .reduce import sum as _sum

_XP = _backend.NUMPY.xp
_NUMPY = _backend.NUMPY
_INT64 = _dtypes.int64.np


# --- ravel ------------------------------------------------------------------------------------
def ravel(input):
    # PyTorch: a contiguous copy (CloneBackward0) when needed, then a view.
    return S.view(S.contiguous(as_tensor_arg(input)), -1)


expose(ravel, formulas=False)


# --- tensor_split and its directional forms -------------------------------------------------
def _slices(input, dim, bounds):
    lead = (slice(None),) * dim
    return tuple(SE._view_index(input, lead + (slice(a, b),), "SliceBackward0")
                 for a, b in bounds)


def tensor_split(input, indices_or_sections, dim=0):
    input = as_tensor_arg(input)
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    s = indices_or_sections
    if isinstance(s, Tensor):
        if s.dtype != _dtypes.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {s.dtype.legacy}")
        if s._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {s._data.ndim} dims")
        s = s.item() if s._data.ndim == 0 else s.tolist()
    if isinstance(s, float) or isinstance(s, bool):
        raise TypeError("tensor_split() received an invalid combination of arguments - got "
                        f"(Tensor, {type(s).__name__}), but expected one of:")
    dim = normalize_dim(dim, d.ndim)
    n = d.shape[dim]
    if isinstance(s, int):
        if s <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {s}")
        q, r = divmod(n, s)
        bounds, start = [], 0
        for k in range(s):
            size = q + (1 if k < r else 0)
            bounds.append((start, start + size))
            start += size
    else:
        points = [int(i) for i in s]
        bounds = list(zip([0] + points, points + [n]))
    return _slices(input, dim, bounds)


def _directional(name, dim_of, min_dims):
    def split(input, indices_or_sections):
        input = as_tensor_arg(input)
        nd = input._data.ndim
        if nd < min_dims:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} "
                               f"dimension, but got a tensor with {nd} dimensions!")
        dim = dim_of(nd)
        s = indices_or_sections
        if isinstance(s, int) and not isinstance(s, bool):
            n = input._data.shape[dim]
            if s == 0 or n % s:
                raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but "
                                   f"the size of the dimension {n} is not divisible by the "
                                   f"split_size {s}!")
        return tensor_split(input, s, dim)
    split.__name__ = split.__qualname__ = name
    return split


hsplit = _directional("hsplit", lambda nd: 1 if nd > 1 else 0, 1)
vsplit = _directional("vsplit", lambda nd: 0, 2)
dsplit = _directional("dsplit", lambda nd: 2, 3)
for _fn in (tensor_split, hsplit, vsplit, dsplit):
    expose(_fn, formulas=False)


def split_with_sizes(input, split_sizes, dim=0):
    return SE.split(input, list(split_sizes), dim)


def _unsafe(views, node_name):
    """The same pieces under PyTorch's unsafe_ names, sharing the storage but
    not tracked as views: PyTorch lets the caller change them in place, and
    such a change rebases only the piece."""
    for v in views:
        node = v._grad_fn
        if node is not None:
            node.__class__ = complex_like(node, SE._variant(node._op, node_name))
        v._multi_view = None
        v._view_of = None
    return views


def unsafe_split(input, split_size, dim=0):
    return _unsafe(SE.split(input, split_size, dim), "UnsafeSplitBackward0")


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return _unsafe(SE.split(input, list(split_sizes), dim), "UnsafeSplitWithSizesBackward0")


def unsafe_chunk(input, chunks, dim=0):
    return _unsafe(SE.chunk(input, chunks, dim), "UnsafeSplitBackward0")


for _fn in (split_with_sizes, unsafe_split, unsafe_split_with_sizes, unsafe_chunk):
    expose(_fn, formulas=False)


# --- unfold (a view), narrow_copy (a copy) ----------------------------------------------------
def _unfold_raw(x, dim, size, step, I, in_shape, *, be=_NUMPY):
    """The windows as a strided view of x: along `dim` one window every
    `step` elements, and the window's own elements in a new last dimension
    (a 0-d x gives its one element, shaped (1,))."""
    if not x.ndim:
        return be.as_strided(x, (1,), (x.dtype.itemsize,))
    shape, strides = x.shape, be.strides(x)
    count = (shape[dim] - size) // step + 1
    return be.as_strided(x, shape[:dim] + (count,) + shape[dim + 1:] + (size,),
                         strides[:dim] + (strides[dim] * step,) + strides[dim + 1:] +
                         (strides[dim],))


# The windows' gradient adds into the input's elements (overlapping windows
# add up): put_flat at each window element's flat position I.
UNFOLD = defop("unfold", _unfold_raw,
               lambda F, g, dim, size, step, I, in_shape: F.put_flat(g, I, in_shape),
               params=("dim", "size", "step", "I", "in_shape"), node_name="UnfoldBackward0",
               quiet=False)


def unfold(input, dimension, size, step):
    """Windows of `size` elements every `step` along `dimension`, as a new
    last dimension: a view, as PyTorch's (windows that overlap, size > step,
    refuse writes through them, where one element would be written twice)."""
    d = input._data
    nd = max(d.ndim, 1)
    dim = normalize_dim(dimension, nd)
    shape = d.shape if d.ndim else (1,)
    n = shape[dim]
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    xp = _backend.namespace(d)
    positions = SE._positions(d).reshape(shape)
    count = (n - size) // step + 1
    windows = (xp.arange(count, dtype=_INT64).reshape(count, 1) * step +
               xp.arange(size, dtype=_INT64).reshape(1, size))
    where = xp.moveaxis(xp.take(positions, windows, axis=dim), dim + 1, -1)
    if d.ndim == 0:
        where = where.reshape(size)
    x = _layout(input)
    res = apply(UNFOLD, (input,), (x,), (dim, size, step, where, d.shape))
    if size > step:
        res._data = _backend.backend_of(res._data).readonly(res._data)
    # Replayed (in-place changes through the view) as the windows taken by
    # index along dim, their elements then moved last; 0-d input: a reshape.
    steps = ((("reshape", (1,)),) if d.ndim == 0 else
             (("index", (slice(None),) * dim + (windows,)),
              ("permute", tuple(k for k in range(len(shape) + 1) if k != dim + 1) + (dim + 1,))))
    mark_view(res, input, steps[0])
    if res._view_of is not None:
        root, have = res._view_of
        res._view_of = (root, have + steps[1:])
    return res


expose(unfold, function=False, formulas=False)


def narrow_copy(input, dim, start, length, *, out=None):
    if out is not None:
        return _out.into(out, narrow_copy(input, dim, start, length), "narrow_copy",
                         exact="Expected self.dtype() == output.dtype() to be true, but got "
                               "false.  (Could this error message be improved?  If so, please "
                               "report an enhancement request to PyTorch.)")
    input = as_tensor_arg(input)
    d = input._data
    S.narrow(input.detach(), dim, start, length)          # (its checks and errors)
    dim = normalize_dim(dim, d.ndim)
    if start < 0:
        start += d.shape[dim]
    where = SE._positions(d)[(slice(None),) * dim + (slice(start, start + length),)]
    return SE._take(input, where, "NarrowCopyBackward0")


expose(narrow_copy, formulas=False)


# --- sum_to_size, diff --------------------------------------------------------------------
def sum_to_size(input, *size):
    size = tuple(shape_args(size, "sum_to_size"))
    s = input._data.shape
    lead = len(s) - len(size)
    if lead < 0 or any(k != 1 and k != s[lead + i] for i, k in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(s)}}}.")
    dims = tuple(range(lead)) + tuple(lead + i for i, k in enumerate(size)
                                      if k == 1 and s[lead + i] != 1)
    if not dims:
        return input
    out = _sum(input, dims, keepdim=True)
    return S.view(out, size) if lead else out


expose(sum_to_size, function=False, formulas=False)


def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None):
    if out is not None:
        return _out.into(out, diff(input, n, dim, prepend, append), "diff")
    input = as_tensor_arg(input)
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = normalize_dim(dim, nd)
    parts = [p for p in (prepend, input, append) if p is not None]
    if any(p._data.ndim != nd for p in parts):
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    out = S.cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        k = out._data.shape[dim]
        if k == 0:
            break
        hi, lo = S.narrow(out, dim, 1, k - 1), S.narrow(out, dim, 0, k - 1)
        out = hi != lo if out.dtype == _dtypes.bool else hi - lo
    return out


expose(diff, formulas=False)


# --- cartesian_prod, combinations, broadcast_shapes -------------------------------------------
def _vector(t):
    if t._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    return t


def cartesian_prod(*tensors):
    tensors = [_vector(as_tensor_arg(t)) for t in tensors]
    if len(tensors) == 1:
        return tensors[0]
    grids = SE.meshgrid(*tensors, indexing="ij")
    return S.stack([S.reshape(g, -1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    input = _vector(as_tensor_arg(input))
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return S.reshape(input[0:0], 0)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(pick(range(input._data.shape[0]), r))
    cols = [_tensor([row[k] for row in rows], dtype=_dtypes.int64) for k in range(r)]
    return S.stack([S.index_select(input, 0, c) for c in cols], 1)


def broadcast_shapes(*shapes):
    shapes = [(shape,) if isinstance(shape, int) else tuple(shape) for shape in shapes]
    # (PyTorch starts from ones of the longest length; its message shows the
    # shape merged so far)
    result = [1] * max((len(s) for s in shapes), default=0)
    for i, dims in enumerate(shapes):
        if any(k < 0 for k in dims):
            raise ValueError("Attempting to broadcast a dimension with negative length!")
        for k in range(1, len(dims) + 1):
            a, b = result[-k], dims[-k]
            if a == 1:
                result[-k] = b
            elif b != 1 and b != a:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {b} at {-k}! Mismatching "
                    f"argument at index {i} had {dims}; but expected shape should be "
                    f"broadcastable to {result}")
    return Size(result)


expose(cartesian_prod, method=False, formulas=False)
expose(combinations, method=False, formulas=False)
expose(broadcast_shapes, method=False, formulas=False)


# --- the scatters: input with a region replaced by src ------------------------------------------
def _scatter_into(input, idx, src, name, region_shape):
    input, src = as_tensor_arg(input), as_tensor_arg(src)
    if tuple(src._data.shape) != tuple(region_shape):
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(region_shape)}")
    return S.index_put(input, idx, src, name)


def select_scatter(input, src, dim, index):
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    n = d.shape[dim]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(d.shape)} at dimension {dim}")
    return _scatter_into(input, (slice(None),) * dim + (index,), src, "SelectScatterBackward0",
                         d.shape[:dim] + d.shape[dim + 1:])


def slice_scatter(input, src, dim=0, start=None, end=None, step=1, *, out=None):
    if out is not None:
        return _out.into(out, slice_scatter(input, src, dim, start, end, step), "slice_scatter",
                         exact=_out.EXPECTED)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    idx = (slice(None),) * dim + (slice(start, end, step),)
    return _scatter_into(input, idx, src, "SliceScatterBackward0", d[idx].shape)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    d = input._data
    region = SE.diagonal(input.detach(), offset, dim1, dim2)._data.shape   # (its checks)
    a, b = normalize_dim(dim1, d.ndim), normalize_dim(dim2, d.ndim)
    src = as_tensor_arg(src)
    if tuple(src._data.shape) != tuple(region):
        return _scatter_into(input, (), src, "DiagonalScatterBackward0", region)
    xp = _backend.namespace(d)
    length = region[-1]
    rows = xp.arange(length, dtype=_INT64) + max(-offset, 0)
    cols = xp.arange(length, dtype=_INT64) + max(offset, 0)
    idx = [slice(None)] * d.ndim
    idx[a], idx[b] = rows, cols
    # NumPy puts the diagonal where the two index arrays stand when they are
    # adjacent, else first; PyTorch's diagonal has it last.
    at = min(a, b) if abs(a - b) == 1 else 0
    return S.index_put(input, tuple(idx), SE.movedim(src, -1, at), "DiagonalScatterBackward0")


for _fn in (select_scatter, slice_scatter, diagonal_scatter):
    expose(_fn, formulas=False)


# --- put, index_put: writing (or adding) src at positions ---------------------------------------
def _put(x, src, I, keep, accumulate, *, be=_NUMPY):
    """x with src written (accumulate: added) at the flat positions I (shaped as src)."""
    out = x.reshape(-1).copy()
    if accumulate:
        be.add_at(out, I.reshape(-1), src.reshape(-1))
    else:
        out[I.reshape(-1)] = src.reshape(-1)
    return out.reshape(x.shape)


PUT = defop("put", _put, lambda F, g, keep: g * keep,
            lambda F, g, I: F.take_flat(g, I), inputs=("x", "src"),
            params=("I", "keep", "accumulate"), quiet=False)


def _put_at(input, positions, source, accumulate, node=None):
    d = input._data
    xp = _backend.namespace(d)
    source = as_tensor_arg(source)
    sd = source._data
    if sd.dtype != d.dtype:
        sd = sd.astype(d.dtype)
    if accumulate:
        keep = xp.ones(d.shape, dtype=_dtypes.bool.np)
    else:
        keep = xp.ones(d.size, dtype=_dtypes.bool.np)
        keep[positions.reshape(-1)] = False
        keep = keep.reshape(d.shape)
    return apply(PUT, (input, source), (d, sd), (positions, keep, bool(accumulate)),
                 None if node is None else SE._variant(PUT, node))


@_batching.loops_when_batched('index')
def put(input, index, source, accumulate=False):
    input, index, source = as_tensor_arg(input), as_tensor_arg(index), as_tensor_arg(source)
    if index.dtype != _dtypes.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{index.dtype.legacy}")
    if index.numel() != source.numel():
        raise IndexError("put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, "
                         f"index.numel() = {index.numel()}")
    n = input.numel()
    i = index._data
    bad = ((i >= n) | (i < -n)).reshape(-1)
    if bool(bad.any()):
        k = int(i.reshape(-1)[bad][0])
        raise IndexError(f"out of range: tried to access index {k} on a tensor of {n} elements.")
    positions = (i % n if n else i).reshape(source._data.shape)
    return _put_at(input, positions, source, accumulate)


def index_put(input, indices, values, accumulate=False):
    input = as_tensor_arg(input)
    idx = tuple(indices)
    if not accumulate:
        return S.index_put(input, idx, values, "IndexPutBackward0")
    d = input._data
    positions = SE._positions(d)[tuple(i._data if isinstance(i, Tensor) else i for i in idx)]
    values = as_tensor_arg(values)
    values = S.expand(values, positions.shape) if values._data.shape != positions.shape else values
    return _put_at(input, positions, values, True, "IndexPutBackward0")


expose(put, inplace=True, formulas=False)
expose(index_put, inplace=True, formulas=False)


# --- block_diag ----------------------------------------------------------------------------------
def _block_diag(*arrays, xp=_XP):
    """The blocks (each 2-D, as shaped by block_diag) along the diagonal of zeros."""
    *blocks, dtype, spans = arrays
    out = xp.zeros((spans[-1][1], spans[-1][3]), dtype=dtype)
    for b, (r0, r1, c0, c1) in zip(blocks, spans):
        out[r0:r1, c0:c1] = b
    return out


def _block_diag_grad(F, g, dtype, spans):
    # Each block's gradient is its region of g (2-D; the node fits it to the
    # block's own shape: 0-d and 1-d blocks were viewed as 1 x n).
    return tuple(F.getitem(g, (slice(r0, r1), slice(c0, c1))) for r0, r1, c0, c1 in spans)


BLOCK_DIAG = defop("block_diag", _block_diag, inputs=(), params=("dtype", "spans"),
                   combined=_block_diag_grad)


def block_diag(*tensors):
    tensors = [as_tensor_arg(t) for t in tensors]
    for k, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {k} has {t._data.ndim} dimensions")
    if not tensors:
        return S.reshape(_tensor([]), 1, 0)
    arrays, dt = promoted_arrays(*tensors)
    blocks = [a.reshape(1, -1) if a.ndim == 1 else (a.reshape(1, 1) if a.ndim == 0 else a)
              for a in arrays]
    spans, r, c = [], 0, 0
    for b in blocks:
        spans.append((r, r + b.shape[0], c, c + b.shape[1]))
        r, c = r + b.shape[0], c + b.shape[1]
    return apply(BLOCK_DIAG, tuple(tensors), tuple(blocks), (dt.np, tuple(spans)))


expose(block_diag, method=False, formulas=False)


# --- as_strided -------------------------------------------------------------------------------
def _window(input, size, stride, storage_offset, name="as_strided"):
    """The input elements (flat C-order indices) at the storage positions
    offset + sum(i_k * stride_k), one per element of the `size` window."""
    size, stride = tuple(int(k) for k in size), tuple(int(k) for k in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(k < 0 for k in stride):
        raise RuntimeError(f"{name}: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    d = input._data
    xp = _backend.namespace(d)
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    # storage position of every input element, and the element at each position
    stored = xp.zeros(d.shape, dtype=_INT64) + input.storage_offset()
    for k, (n, st) in enumerate(zip(d.shape, input.stride())):
        stored = stored + (xp.arange(n, dtype=_INT64) * st).reshape((n,) + (1,) * (d.ndim - k - 1))
    extent = int(stored.max()) + 1 if d.size else input.storage_offset()
    need = offset + sum((n - 1) * st for n, st in zip(size, stride)) + 1 if all(size) else 0
    if need > extent:
        item = d.dtype.itemsize
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {offset}, and itemsize {item} requiring a storage size of "
                           f"{need * item} are out of bounds for storage of size {extent * item}")
    element = xp.zeros(max(extent, 1), dtype=_INT64) - 1
    element[stored.reshape(-1)] = xp.arange(d.size, dtype=_INT64)
    where = xp.zeros(size, dtype=_INT64) + offset
    for k, (n, st) in enumerate(zip(size, stride)):
        where = where + (xp.arange(n, dtype=_INT64) * st).reshape((n,) + (1,) * (len(size) - k - 1))
    positions = element[where]
    if positions.size and bool((positions < 0).any()):
        raise RuntimeError(f"{name}: chainrule reads only the input's own elements, and this "
                           "window reaches storage outside it")
    return positions


def as_strided(input, size, stride, storage_offset=None):
    """A view of the elements at storage positions offset + sum(i_k * stride_k)
    (each must be one of the input's own elements: _window); its gradient
    adds into the input element stored at each position (put_flat), so
    overlapping windows accumulate as in PyTorch's AsStridedBackward0."""
    positions = _window(input, size, stride, storage_offset)
    size, stride = tuple(int(k) for k in size), tuple(int(k) for k in stride)
    d = input._data
    xp = _backend.namespace(d)
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    item = d.dtype.itemsize
    x = _layout(input)
    res = apply(AS_STRIDED, (input,), (x,),
                (size, tuple(s * item for s in stride), (offset - input.storage_offset()) * item,
                 positions, d.shape))
    flat = positions.reshape(-1)
    if flat.size > 1 and int(xp.unique(flat).size) < flat.size:
        res._data = _backend.backend_of(res._data).readonly(res._data)   # elements repeat
    # Replayed (in-place changes through the view) as the input's elements,
    # flattened, taken at the positions the window reads.
    mark_view(res, input, ("reshape", (d.size,)))
    if res._view_of is not None:
        root, have = res._view_of
        res._view_of = (root, have + (("index", (positions,)),))
    return res


def _as_strided_raw(x, size, strides, offset, I, in_shape, *, be=_NUMPY):
    """A view of x's memory (strides and offset in bytes, from x's first
    element; as_strided has checked that it reads x's own elements only)."""
    return be.as_strided(x, size, strides, offset)


AS_STRIDED = defop("as_strided", _as_strided_raw,
                   lambda F, g, size, strides, offset, I, in_shape: F.put_flat(g, I, in_shape),
                   params=("size", "strides", "offset", "I", "in_shape"),
                   node_name="AsStridedBackward0", quiet=False)


# as_strided_scatter: input with its as_strided window replaced by src (AsStridedScatterBackward0):
# the gradient is g off the window for the input, g read through the window for src.
def _as_strided_scatter(x, src, I, keep, *, xp=_XP):
    out = x.copy()
    flat = out.reshape(-1)
    flat[I.reshape(-1)] = src.reshape(-1)
    return out


AS_STRIDED_SCATTER = defop(
    "as_strided_scatter", _as_strided_scatter,
    lambda F, g, keep: F.where(keep, g, 0),
    lambda F, g, I: F.take_flat(g, I),
    inputs=("x", "src"), params=("I", "keep"), node_name="AsStridedScatterBackward0",
    quiet=False)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    input, src = as_tensor_arg(input), as_tensor_arg(src)
    size = tuple(int(k) for k in size)
    if tuple(src._data.shape) != size:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(size)}")
    positions = _window(input, size, stride, storage_offset, "as_strided_scatter")
    d = input._data
    xp = _backend.namespace(d)
    keep = xp.ones(d.size, dtype=_dtypes.bool.np)
    keep[positions.reshape(-1)] = False
    src = src.to(input.dtype) if src.dtype != input.dtype else src
    return apply(AS_STRIDED_SCATTER, (input, src), (d, src._data),
                 (positions, keep.reshape(d.shape)))


expose(as_strided, formulas=False)
expose(as_strided_scatter, formulas=False)

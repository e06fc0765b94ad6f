"""Operations that move elements without changing them: reshape/view,
transpose/permute, squeeze/unsqueeze, expand, indexing, cat, stack, dtype
casts; and the broadcasting helpers every formula relies on (sum_to, fit).

Their derivatives move the gradient back: reshape it back, permute it back,
sum it over what was expanded, scatter it into where it was taken from.
"""
import numpy as np

from .. import _dtypes
from .._inplace import mark_view, box_of as _box_of
from .._tensor import Tensor
from ._args import as_operand, as_tensor_arg, normalize_dim, promoted_arrays, shape_args
from ._dispatch import apply
from ._registry import defop, expose, TensorOps, ArrayOps


# --- raw helpers ------------------------------------------------------------------
def _sum_to(x, shape):
    """Sum x over the dimensions that broadcasting added or stretched, to `shape`."""
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    if lead < 0 or any(s != 1 and s != n for s, n in zip(shape, x.shape[lead:])):
        return _expand_raw(x, shape)             # x is smaller: it broadcasts up
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
    if axes:
        x = x.sum(axis=axes, keepdims=True)
    return x.reshape(shape)


def _expand_raw(x, shape):
    """Materialised broadcast: cheaper than np.broadcast_to for small arrays, and
    writable, which gradients must be."""
    if x.shape == shape:
        return x
    out = np.empty_like(x, shape=shape)      # (the *_like forms keep CuPy arrays on the GPU)
    out[...] = x
    return out


def _fit_raw(g, shape, dtype):
    if g.shape != shape:
        g = _sum_to(g, shape)
    if g.dtype != dtype:
        g = np.asarray(g).astype(dtype)
    return g


def _is_basic(idx):
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice)) or
               (isinstance(i, np.ndarray) and i.dtype == np.bool_) for i in idx)


def _index_add_into(g, idx, shape):
    """A zero array of `shape` with g added at x[idx]; repeated indices accumulate."""
    out = np.zeros_like(g, shape=shape)
    if _is_basic(idx):
        out[idx] = g
    else:
        np.add.at(out, idx, g)
    return out


def _index_put(base, value, idx):
    out = base.copy()
    out[idx] = value
    return out


def _index_mask(g, idx):
    """Ones shaped like g, zero at g[idx]."""
    m = np.ones_like(g)
    m[idx] = 0
    return m


def _along(idx, dim):
    """The index that picks, at each position of idx, the entry idx names along
    dim (and the same position in the other dims): x[_along(idx, dim)] is
    torch.gather, also where idx is smaller than x in the other dims."""
    nd = idx.ndim
    return tuple(idx if i == dim else np.arange(n).reshape((1,) * i + (n,) + (1,) * (nd - i - 1))
                 for i, n in enumerate(idx.shape))


def _scatter_along(g, idx, dim, keepdim, shape):
    out = np.zeros_like(g, shape=shape)
    if not keepdim:
        g = np.expand_dims(g, dim)
        idx = np.expand_dims(idx, dim)
    np.add.at(out, _along(idx, dim), g)      # an index given twice gets both gradients
    return out


def _getitem(x, idx):
    out = x[idx]
    if out.__class__ is not np.ndarray:
        # Integers alone give a NumPy scalar (a copy); with an Ellipsis they
        # give a 0-d view, which PyTorch's x[0] is.
        out = x[idx + (Ellipsis,)] if Ellipsis not in idx else np.asarray(out)
    return out


def _gather_along(x, idx, dim, keepdim, in_shape=None):
    out = x[_along(idx if keepdim else np.expand_dims(idx, dim), dim)]
    return out if keepdim else np.squeeze(out, axis=dim)


# --- the table ----------------------------------------------------------------------
RESHAPE = defop("reshape", lambda x, shape, in_shape=None: x.reshape(shape),
                lambda F, g, in_shape: F.reshape(g, in_shape),
                params=("shape", "in_shape"), node_name="ViewBackward0", quiet=False)
EXPAND = defop("expand", lambda x, shape: _expand_view(x, shape),
               lambda F, g: g,                    # the node sums g back to x's shape
               params=("shape",), quiet=False)
SUM_TO = defop("sum_to", lambda x, shape, in_shape=None: _sum_to(x, shape),
               lambda F, g, in_shape: F.expand(g, in_shape),
               params=("shape", "in_shape"), node_name="SumBackward1")
PERMUTE = defop("permute", lambda x, dims: x.transpose(dims),
                lambda F, g, dims: F.permute(g, tuple(np.argsort(dims))),
                params=("dims",), quiet=False)
GETITEM = defop("getitem", lambda x, idx, in_shape=None: _getitem(x, idx),
                lambda F, g, idx, in_shape: F.index_add_into(g, idx, in_shape),
                params=("idx", "in_shape"), node_name="IndexBackward0", quiet=False)
INDEX_ADD_INTO = defop("index_add_into", _index_add_into,
                       lambda F, g, idx: F.getitem(g, idx),
                       params=("idx", "shape"), node_name="IndexPutBackward0")
SCATTER_ALONG = defop("scatter_along", _scatter_along,
                      lambda F, g, idx, dim, keepdim: F.gather_along(g, idx, dim, keepdim),
                      params=("idx", "dim", "keepdim", "shape"), node_name="ScatterBackward0")
GATHER_ALONG = defop("gather_along", _gather_along,
                     lambda F, g, idx, dim, keepdim, in_shape: F.scatter_along(g, idx, dim, keepdim, in_shape),
                     params=("idx", "dim", "keepdim", "in_shape"), node_name="GatherBackward0")
# base with base[idx] = value: what x[idx] = v (and in-place ops on views) compute.
INDEX_MASK = defop("index_mask", _index_mask, params=("idx",), quiet=False)   # a constant: no formula
INDEX_PUT = defop("index_put", lambda base, value, idx: _index_put(base, value, idx),
                  lambda F, g, idx: g * F.index_mask(g, idx),
                  lambda F, g, idx: F.getitem(g, idx),
                  inputs=("base", "value"), params=("idx",), node_name="IndexPutBackward0")
TO_COPY = defop("to_copy", lambda x, dtype: x.astype(dtype),
                lambda F, g: g,                    # the node casts g back to x's dtype
                params=("dtype",), node_name="ToCopyBackward0")
CLONE = defop("clone", lambda x: x.copy(), lambda F, g: g, quiet=False)
# cat and stack take any number of inputs: their forwards get the arrays, then the params.
CAT = defop("cat", lambda *a: np.concatenate(a[:-2], axis=a[-2]), inputs=(),
            params=("dim", "sizes"),
            combined=lambda F, g, dim, sizes: _split_grad(F, g, dim, sizes))
STACK = defop("stack", lambda *a: np.stack(a[:-2], axis=a[-2]), inputs=(),
              params=("dim", "count"),
              combined=lambda F, g, dim, count: tuple(
                  F.getitem(g, (slice(None),) * dim + (i,)) for i in range(count)))


def _split_grad(F, g, dim, sizes):
    out, start = [], 0
    for n in sizes:
        if n is None:                  # an empty input cat() skipped
            out.append(F.getitem(F.reshape(g, (-1,)), slice(0, 0)))
            continue
        out.append(F.getitem(g, (slice(None),) * dim + (slice(start, start + n),)))
        start += n
    return tuple(out)


_VIEW_NAMES = {}


def _reshape_as(input, shape, name="ViewBackward0"):
    d = input._data
    cls = _VIEW_NAMES.get(name)
    if cls is None:
        cls = _VIEW_NAMES[name] = RESHAPE.variant(name)
    shape = _checked_view_shape(shape, d.size)
    try:
        res = apply(RESHAPE, (input,), (d,), (shape, d.shape), cls)
    except ValueError:
        raise _reshape_error(shape, d.size) from None
    return mark_view(res, input, ("reshape", res._data.shape))


def _reshape_error(shape, size):
    """PyTorch's error for a shape that does not fit `size` elements."""
    shape = list(shape)
    if shape.count(-1) > 1:
        return RuntimeError("only one dimension can be inferred")
    for i, n in enumerate(shape):
        if n < -1:
            return RuntimeError(f"invalid shape dimension {n} at index {i} of shape {shape}")
    if -1 in shape and size == 0:
        return RuntimeError(f"cannot reshape tensor of 0 elements into shape {shape} because the "
                            "unspecified dimension size -1 can be any value and is ambiguous")
    return RuntimeError(f"shape '{shape}' is invalid for input of size {size}")


def _checked_view_shape(shape, size):
    # NumPy takes any negative size as "infer this one"; PyTorch only -1.
    if shape and min(shape) < -1:
        raise _reshape_error(shape, size)
    return shape


def index_put(input, idx, value, node_name=None):
    """input with input[idx] = value, out of place (differentiable in both)."""
    idx = _convert_index(idx)
    value = as_operand(value)
    d = input._data
    vd = value._data if isinstance(value, Tensor) else value
    if isinstance(vd, np.ndarray) and vd.dtype != d.dtype:
        vd = vd.astype(d.dtype)
    try:
        return apply(INDEX_PUT, (input, value), (d, vd), (idx,),
                     None if node_name is None else INDEX_PUT.variant(node_name))
    except IndexError as e:
        raise IndexError(_index_error(e, idx, d.shape)) from None
    except ValueError:
        target = d[idx].shape
        vs = np.shape(vd)
        raise _expand_error(vs, target) if len(vs) <= len(target) else RuntimeError(
            f"shape mismatch: value tensor of shape {list(vs)} cannot be broadcast to indexing "
            f"result of shape {list(target)}") from None


# --- public functions ------------------------------------------------------------------
def reshape(input, *shape):
    if not shape:
        raise TypeError('reshape() missing 1 required positional arguments: "shape"')
    input = as_tensor_arg(input)
    return _reshape_as(input, _checked_view_shape(shape_args(shape, "reshape", "shape"),
                                                  input._data.size))


def view(input, *shape):
    if len(shape) == 1 and isinstance(shape[0], _dtypes.dtype):
        raise NotImplementedError("view(dtype) is not supported")
    return _reshape_as(input, _checked_view_shape(shape_args(shape, "view"), input._data.size))


def view_as(input, other):
    return _reshape_as(input, other._data.shape)


def reshape_as(input, other):
    return _reshape_as(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    input = as_tensor_arg(input)
    s = input._data.shape
    if not s:
        return _reshape_as(input, (1,))
    a, b = normalize_dim(start_dim, len(s)), normalize_dim(end_dim, len(s))
    if a > b:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if a == b:
        return input                 # nothing to flatten: PyTorch returns the tensor itself
    n = 1
    for k in s[a:b + 1]:
        n *= k
    return _reshape_as(input, s[:a] + (n,) + s[b + 1:])


def unflatten(input, dim, sizes):
    s = input._data.shape
    dim = normalize_dim(dim, len(s))
    if -1 not in sizes and _numel(sizes) != s[dim]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({s[dim]}) in the input tensor")
    return _reshape_as(input, s[:dim] + tuple(sizes) + s[dim + 1:])


def squeeze(input, dim=None):
    input = as_tensor_arg(input)
    s = input._data.shape
    if dim is None:
        return _reshape_as(input, tuple(n for n in s if n != 1), "SqueezeBackward0")
    dims = [normalize_dim(d, len(s)) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))]
    new = tuple(n for i, n in enumerate(s) if not (i in dims and n == 1))
    return _reshape_as(input, new, "SqueezeBackward1" if not isinstance(dim, (tuple, list))
                       else "SqueezeBackward2")


def unsqueeze(input, dim):
    input = as_tensor_arg(input)
    s = input._data.shape
    dim = normalize_dim(dim, len(s) + 1)
    return _reshape_as(input, s[:dim] + (1,) + s[dim:], "UnsqueezeBackward0")


def expand(input, *sizes):
    input = as_tensor_arg(input)
    sizes = shape_args(sizes, "expand")
    s = input._data.shape
    if len(sizes) < len(s):
        raise RuntimeError(
            f"expand(torch.{input.dtype.legacy}Tensor{{{list(s)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(s)})")
    lead = len(sizes) - len(s)
    target = tuple(s[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    for i, n in enumerate(s):
        if n != 1 and n != target[lead + i]:
            raise _expand_error(s, sizes)
    if lead and min(sizes[:lead]) < 0:
        i = next(i for i in range(lead) if sizes[i] < 0)
        if sizes[i] == -1:
            raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a "
                               f"leading, non-existing dimension {i}")
        raise RuntimeError(f"Trying to create tensor with negative dimension {sizes[i]}: "
                           f"{list(sizes)}")
    out = apply(EXPAND, (input,), (input._data,), (target,))
    if _numel(target) == input._data.size:
        return mark_view(out, input, ("reshape", target))
    out._vbox = _box_of(input)          # shares storage, but cannot be written through
    return out


def _expand_view(x, shape):
    """No element repeats (only size-1 dims added or kept): a writable view;
    otherwise NumPy's read-only broadcast view."""
    if _numel(shape) == x.size:
        return x.reshape(shape)
    return np.broadcast_to(x, shape)
def _expand_error(s, sizes):
    """PyTorch's error for expanding shape s to sizes (-1 keeps a size)."""
    lead = len(sizes) - len(s)
    for i, n in enumerate(s):
        t = sizes[lead + i]
        if t == -1:
            t = n
        if n != 1 and n != t:
            return RuntimeError(
                f"The expanded size of the tensor ({t}) must match the existing size ({n}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  Tensor "
                f"sizes: {list(s)}")
    return RuntimeError(f"shapes {list(s)} and {list(sizes)} are not broadcastable")


def _numel(shape):
    n = 1
    for k in shape:
        n *= k
    return n


def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, shape):
    return expand(input, shape)


_TRANSPOSE = PERMUTE.variant("TransposeBackward0")
_T = PERMUTE.variant("TBackward0")


def permute(input, *dims):
    input = as_tensor_arg(input)
    nd = input._data.ndim
    dims = shape_args(dims, "permute", "dims")
    if len(dims) != nd:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(normalize_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return mark_view(apply(PERMUTE, (input,), (input._data,), (dims,)), input,
                     ("permute", dims))


def transpose(input, dim0, dim1):
    input = as_tensor_arg(input)
    nd = input._data.ndim
    perm = list(range(nd))
    a, b = normalize_dim(dim0, nd), normalize_dim(dim1, nd)
    perm[a], perm[b] = perm[b], perm[a]
    perm = tuple(perm)
    return mark_view(apply(PERMUTE, (input,), (input._data,), (perm,), _TRANSPOSE),
                     input, ("permute", perm))


swapaxes = swapdims = transpose


def t(input):
    input = as_tensor_arg(input)
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    perm = tuple(range(nd))[::-1]
    return mark_view(apply(PERMUTE, (input,), (input._data,), (perm,), _T),
                     input, ("permute", perm))


# --- indexing --------------------------------------------------------------------------------
_SELECT = GETITEM.variant("SelectBackward0")
_SLICE = GETITEM.variant("SliceBackward0")
_UNSQUEEZE_IDX = GETITEM.variant("UnsqueezeBackward0")
_ALIAS = GETITEM.variant("AliasBackward0")


def _convert_index(idx):
    """Tensors and lists in an index become arrays; the node stores the result."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        if isinstance(i, Tensor):
            d = i._data
            if d.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(d if d.ndim or d.dtype == np.bool_ else int(d))
        elif isinstance(i, list):
            a = np.asarray([int(v) if isinstance(v, Tensor) else v for v in i])
            # PyTorch turns a list index into a long (or bool) tensor: floats truncate.
            out.append(a.astype(np.int64) if a.dtype.kind == "f" else a)
        elif isinstance(i, np.ndarray):
            out.append(i if i.size or i.dtype != np.float64 else i.astype(np.int64))
        elif isinstance(i, (bool, np.bool_)):
            out.append(np.asarray(bool(i)))
        elif isinstance(i, np.integer):
            out.append(int(i))
        else:
            out.append(i)
    return tuple(out)


def _index_node(idx):
    """PyTorch names the node after the last indexing step: select for an int,
    slice for a (non-trivial) slice, index for tensors/lists, unsqueeze for None."""
    name = _ALIAS
    for i in idx:
        if isinstance(i, np.ndarray):
            return None                      # IndexBackward0
        if isinstance(i, int):
            name = _SELECT
        elif isinstance(i, slice):
            if i != slice(None):
                name = _SLICE
        elif i is None:
            name = _UNSQUEEZE_IDX
    return name


def getitem(input, idx):
    idx = _convert_index(idx)
    d = input._data
    try:
        res = apply(GETITEM, (input,), (d,), (idx, d.shape), _index_node(idx))
    except IndexError as e:
        if sum(i is Ellipsis for i in idx) > 1:
            # PyTorch lets later ellipses stand for no dimensions.
            k = idx.index(Ellipsis) + 1
            return getitem(input, idx[:k] + tuple(i for i in idx[k:] if i is not Ellipsis))
        raise IndexError(_index_error(e, idx, d.shape)) from None
    return mark_view(res, input, ("index", idx)) if _is_basic(idx) else res


def _index_error(e, idx, shape):
    """PyTorch's wording for NumPy's indexing error e (x[idx], x of `shape`).

    PyTorch applies ints, slices and None first (their errors count every
    earlier entry as a dimension), then masks (checked against the shape those
    left) and index tensors (numbered among the advanced indices)."""
    nd = len(shape)
    for i in idx:
        if not (i is None or i is Ellipsis or isinstance(i, (int, slice, np.ndarray))):
            return ("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                    f"Variables are valid indices (got {type(i).__name__})")
    used = sum(i.ndim if isinstance(i, np.ndarray) and i.dtype == np.bool_ else
               0 if i is None or i is Ellipsis else 1 for i in idx)
    if used > nd:
        if nd == 0:
            return ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                    "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        return f"too many indices for tensor of dimension {nd}"
    src = pos = 0            # the dimension of x, and the position counting every entry
    view = []                # the shape after ints, slices and None
    later = []               # (array, dimension of x, its place in view, advanced number)
    adv = 0
    for i in idx:
        if i is None:
            view.append(1)
            pos += 1
        elif i is Ellipsis:
            k = nd - used
            view.extend(shape[src:src + k])
            src += k
            pos += k
        elif isinstance(i, int):
            if not -shape[src] <= i < shape[src]:
                return f"index {i} is out of bounds for dimension {pos} with size {shape[src]}"
            src += 1
            pos += 1
        elif isinstance(i, slice):
            view.append(len(range(*i.indices(shape[src]))))
            src += 1
            pos += 1
        else:
            k = i.ndim if i.dtype == np.bool_ else 1
            later.append((i, src, len(view), adv))
            view.extend(shape[src:src + k])
            adv += k
            src += k
            pos += k
    view.extend(shape[src:])                 # dimensions the index left alone
    for i, d, at, number in later:
        if i.dtype == np.bool_:
            for k, n in enumerate(i.shape):
                if n != view[at + k]:
                    return (f"The shape of the mask {list(i.shape)} at index {k} does not match "
                            f"the shape of the indexed tensor {view} at index {at + k}")
        elif i.size and i.dtype.kind in "iu":
            n = shape[d]
            bad = i[(i >= n) | (i < -n)]
            if bad.size:
                return f"index {bad.flat[0]} is out of bounds for dimension {number} with size {n}"
    return str(e).replace(" for axis ", " for dimension ")


def select(input, dim, index):
    d = input._data
    if d.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = normalize_dim(dim, d.ndim)
    n = d.shape[dim]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(d.shape)} at dimension {dim}")
    return getitem(input, (slice(None),) * dim + (index,))


def narrow(input, dim, start, length):
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    n = d.shape[dim]
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return getitem(input, (slice(None),) * dim + (slice(start, start + length),))


def index_select(input, dim, index):
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    i = index._data
    if i.dtype != np.int64 and i.dtype != np.int32:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if i.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = d.shape[dim] if d.ndim else 1
    if i.size and (i.min() < -n or i.max() >= n):
        raise IndexError("index out of range in self")
    return getitem(input, (slice(None),) * dim + (index,))


def gather(input, dim, index):
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    idx = index._data
    if idx.dtype != np.int64 and idx.dtype != np.int32:
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    if idx.ndim != d.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for i, (n, m) in enumerate(zip(idx.shape, d.shape)):
        if i != dim and n > m:
            raise RuntimeError(f"Size does not match at dimension {i} expected index "
                               f"{list(idx.shape)} to be no larger than self {list(d.shape)} "
                               f"apart from dimension {dim}")
    if idx.size and (idx.min() < 0 or idx.max() >= d.shape[dim]):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size "
                           f"{d.shape[dim]}")
    return apply(GATHER_ALONG, (input,), (d,), (idx, dim, True, d.shape))


def _nonzero(x):
    if x.ndim == 0:
        return np.zeros((int(bool(x)), 0), np.int64)
    nz = np.nonzero(x)
    return np.stack(nz, axis=1).astype(np.int64) if nz else np.zeros((1, 0), np.int64)


NONZERO = defop("nonzero", _nonzero, quiet=False)


def nonzero(input, *, as_tuple=False):
    input = as_tensor_arg(input)
    d = input._data
    if as_tuple:
        # One index tensor per dimension: the columns of nonzero(input).
        idx = apply(NONZERO, (input,), (d if d.ndim else d.reshape(1),))
        return tuple(idx[:, k] for k in range(idx._data.shape[1]))
    return apply(NONZERO, (input,), (d,))


# --- joining ---------------------------------------------------------------------------------
def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    return [as_tensor_arg(x) for x in tensors]


def cat(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # Legacy behaviour kept by PyTorch: 1-D empty tensors are skipped.
    parts = [x for x in tensors if not (x._data.ndim == 1 and x._data.shape[0] == 0)] or tensors[:1]
    nd = parts[0]._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = normalize_dim(dim, nd)
    arrays, dt = promoted_arrays(*parts)
    for k, a in enumerate(arrays):
        if a.ndim != nd:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {nd} and {a.ndim}")
        for i in range(nd):
            if i != dim and a.shape[i] != arrays[0].shape[i]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{arrays[0].shape[i]} but got size {a.shape[i]} for tensor number {k} in "
                    "the list.")
    sizes = iter(a.shape[dim] for a in arrays)
    # Skipped empty inputs still take part in the graph (with empty gradients).
    return apply(CAT, tuple(tensors), arrays, (dim, tuple(
        None if (x._data.ndim == 1 and x._data.shape[0] == 0 and len(parts) < len(tensors))
        else next(sizes) for x in tensors)))


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape0 = tensors[0]._data.shape
    for k, x in enumerate(tensors):
        if x._data.shape != shape0:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape0)} at entry 0 "
                f"and {list(x._data.shape)} at entry {k}")
    dim = normalize_dim(dim, len(shape0) + 1)
    arrays, dt = promoted_arrays(*tensors)
    return apply(STACK, tuple(tensors), arrays, (dim, len(tensors)))


def hstack(tensors):
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(x) for x in tensors], 0)


def atleast_2d(x):
    nd = x._data.ndim
    return x if nd >= 2 else reshape(x, (1,) * (2 - nd) + x._data.shape)


# --- casts and copies --------------------------------------------------------------------------
def to_dtype(input, dtype, copy=False):
    dt = _dtypes.as_dtype(dtype)
    d = input._data
    if d.dtype == dt.np:
        return clone(input) if copy else input
    return apply(TO_COPY, (input,), (d,), (dt.np,))


def clone(input, *, memory_format=None):
    return apply(CLONE, (input,), (input._data,))


_COPY = CLONE.variant("CopyBackwards")


def copy_for_grad(g):
    """The copy AccumulateGrad stores in .grad under create_graph (PyTorch
    shows it as CopyBackwards)."""
    return apply(CLONE, (g,), (g._data,), (), _COPY)


TensorOps.copy_for_grad = staticmethod(copy_for_grad)     # for the engine (it imports no op)


# --- the broadcasting helpers formulas use ---------------------------------------------------
def _sum_to_tensor(x, shape):
    if x._data.shape == shape:
        return x
    return apply(SUM_TO, (x,), (x._data,), (shape, x._data.shape))


def _fit_tensor(g, shape, dtype):
    if g._data.shape != shape:
        g = _sum_to_tensor(g, shape)
    if g._data.dtype != dtype:
        g = to_dtype(g, _dtypes.FROM_NP[dtype])
    return g


def _expand_tensor(x, shape):
    if x._data.shape == shape:
        return x
    return expand(x, shape)


def _index_add_into_tensor(g, idx, shape):
    return apply(INDEX_ADD_INTO, (g,), (g._data,), (idx, shape))


def _scatter_along_tensor(g, idx, dim, keepdim, shape):
    return apply(SCATTER_ALONG, (g,), (g._data,), (idx, dim, keepdim, shape))


def _gather_along_tensor(x, idx, dim, keepdim):
    return apply(GATHER_ALONG, (x,), (x._data,), (idx, dim, keepdim, x._data.shape))


def _getitem_tensor(x, idx):
    return getitem(x, idx)


ArrayOps.fit = staticmethod(_fit_raw)
ArrayOps.expand = staticmethod(_expand_raw)
ArrayOps.mT = staticmethod(lambda x: x.swapaxes(-2, -1))
TensorOps.fit = staticmethod(_fit_tensor)
TensorOps.sum_to = staticmethod(_sum_to_tensor)
TensorOps.expand = staticmethod(_expand_tensor)
TensorOps.reshape = staticmethod(lambda x, shape: _reshape_as(x, shape))
TensorOps.permute = staticmethod(lambda x, dims: permute(x, dims))
TensorOps.mT = staticmethod(lambda x: transpose(x, -2, -1))
TensorOps.getitem = staticmethod(_getitem_tensor)
TensorOps.index_add_into = staticmethod(_index_add_into_tensor)
TensorOps.index_mask = staticmethod(lambda g, idx: apply(INDEX_MASK, (g,), (g._data,), (idx,)))
TensorOps.scatter_along = staticmethod(_scatter_along_tensor)
TensorOps.gather_along = staticmethod(_gather_along_tensor)


# --- public forms ----------------------------------------------------------------------------
for _fn, _names in ((reshape, ()), (flatten, ()), (unflatten, ()), (squeeze, ()), (unsqueeze, ()),
                    (permute, ()), (transpose, ("transpose", "swapaxes", "swapdims")), (t, ()),
                    (select, ()), (narrow, ()), (index_select, ()), (gather, ()), (nonzero, ()),
                    (clone, ()), (broadcast_to, ())):
    expose(_fn, *_names, formulas=False)
for _fn in (view, view_as, reshape_as, expand, expand_as):
    expose(_fn, function=False, formulas=False)
expose(cat, "cat", "concat", "concatenate", method=False, formulas=False)
expose(stack, method=False, formulas=False)
expose(hstack, method=False, formulas=False)
expose(vstack, method=False, formulas=False)
expose(getitem, "__getitem__", function=False, formulas=False)

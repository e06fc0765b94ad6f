"""Operations that move elements without changing them: reshape/view,
transpose/permute, squeeze/unsqueeze, expand, indexing, cat, stack, dtype
casts; and the broadcasting helpers every formula relies on (sum_to, fit).

Their derivatives move the gradient back: reshape it back, permute it back,
sum it over what was expanded, scatter it into where it was taken from.

The view ops (reshape/view, permute, squeeze/unsqueeze, expand, basic
indexing) return arrays that share their input's memory with the strides
PyTorch gives the view ("view layouts" below), so that Tensor.stride() can
simply read them; view() refuses, as PyTorch, where no strides can do, and
reshape() copies there.

The forwards reach the array library through its namespace `xp` or its
Backend `be` (scatter-add, strides and strided views), given as keywords
(see _backend.bind).
"""
from .. import _batched, _dtypes
from .._errors import warn_at_caller
from .._views import mark_view, inverse_permutation
from .._inplace_state import VMAP_ACTIVE as _VMAP_ACTIVE, note_constant
from .._tensor import Tensor, contiguous_strides as _contiguous_strides, layout_array as _layout
from . import _backend, _memory_format, _out
from ._args import as_operand, as_tensor_arg, normalize_dim, promoted_arrays, shape_args
from . import _batching
from ._dispatch import apply
from ._registry import defop, elementwise, expose, TensorOps, array_op, FUNCTIONS

_NUMPY = _backend.NUMPY
_XP = _NUMPY.xp      # forwards' `xp` by default; _backend.bind gives other libraries theirs
_ndarray = _backend.ndarray
_backend_of = _backend.backend_of
_is_array = _backend.is_array
_HOST_ARRAY = _backend.HOST_ARRAY
_HOST_SCALAR = _backend.HOST_SCALAR
_INT64 = _dtypes.int64.np
_INT32 = _dtypes.int32.np
_FLOAT64 = _dtypes.float64.np
_add_reduce = _XP.add.reduce


# --- raw helpers ------------------------------------------------------------------
def _sum_to(x, shape, xp):
    """Sum x over the dimensions that broadcasting added or stretched, to `shape`."""
    xs = x.shape
    if xs == shape:
        return x
    lead = len(xs) - len(shape)
    if lead > 0 and shape and xs[lead:] == shape and x.__class__ is _ndarray:
        # Only leading dimensions added (a bias's gradient): one reduction,
        # the ufunc's own (ndarray.sum is it behind a Python frame), no
        # keepdims and reshape; a 0-d target is left to the general path,
        # whose reshape keeps it an array.
        return _add_reduce(x, 0 if lead == 1 else tuple(range(lead)))
    if lead < 0 or any(s != 1 and s != n for s, n in zip(shape, x.shape[lead:])):
        return _expand_raw(x, shape, xp=xp)      # x is smaller: it broadcasts up
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
    if axes:
        x = x.sum(axis=axes, keepdims=True)
    return x.reshape(shape)


def _expand_raw(x, shape, *, xp=_XP):
    """Materialised broadcast: cheaper than broadcast_to for small arrays, and
    writable, which gradients must be."""
    if x.shape == shape:
        return x
    out = xp.empty_like(x, shape=shape)      # (the *_like forms keep CuPy arrays on the GPU)
    out[...] = x
    return out


def _fit_raw(g, shape, dtype, *, xp=_XP):
    if g.shape != shape:
        g = _sum_to(g, shape, xp)
    if g.dtype != dtype:
        if g.dtype.kind == "c" and dtype.kind != "c":
            g = g.real            # a real input's gradient: the real part (PyTorch's convention)
        g = xp.asarray(g).astype(dtype)
    return g


def _is_basic(idx):
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice)) or
               (_is_array(i) and i.dtype.kind == "b") for i in idx)


def _index_add_into(g, idx, shape, *, be=_NUMPY):
    """A zero array of `shape` with g added at x[idx]; repeated indices accumulate."""
    if _is_basic(idx):
        out = be.xp.zeros_like(g, shape=shape)
        out[idx] = g
    else:
        out = _backend.zeros_to_scatter_into(be.xp, shape, g)
        be.add_at(out, idx, g)
    return out


def _index_put(base, value, idx):
    out = base.copy()
    out[idx] = value
    return out


def _index_mask(g, idx, *, xp=_XP):
    """Ones shaped like g, zero at g[idx]."""
    m = xp.ones_like(g)
    m[idx] = 0
    return m


def _along(idx, dim, xp):
    """The index that picks, at each position of idx, the entry idx names along
    dim (and the same position in the other dims): x[_along(idx, dim, xp)] is
    torch.gather, also where idx is smaller than x in the other dims."""
    nd = idx.ndim
    return tuple(idx if i == dim else xp.arange(n).reshape((1,) * i + (n,) + (1,) * (nd - i - 1))
                 for i, n in enumerate(idx.shape))


def _scatter_along(g, idx, dim, keepdim, shape, *, be=_NUMPY):
    xp = be.xp
    out = _backend.zeros_to_scatter_into(xp, shape, g)
    if not keepdim:
        g = xp.expand_dims(g, dim)
        idx = xp.expand_dims(idx, dim)
    be.add_at(out, _along(idx, dim, xp), g)      # an index given twice gets both gradients
    return out


_U16, _U32, _U64 = _backend.SHELL_DTYPES     # (uint16/32/64: see _backend.ShellArray)
_SHELL_ARRAY = _backend.ShellArray


def _getitem(x, idx, in_shape=None, *, be=_NUMPY):
    out = x[idx]
    if out.__class__ is not be.ndarray and out.__class__ is not _SHELL_ARRAY:   # (uint16/32/64's)
        # Integers alone give NumPy a scalar (a copy); with an Ellipsis they
        # give a 0-d view, which PyTorch's x[0] is.
        out = x[idx + (Ellipsis,)] if Ellipsis not in idx else be.xp.asarray(out)
    return out


def _getitem_view(x, idx, in_shape=None, *, be=_NUMPY):
    """x[idx] with PyTorch's layout (GETITEM's forward; idx a tuple)."""
    out = _getitem(x, idx, be=be)
    if out.size:
        for i in idx:
            if i is None:
                break
        else:
            # NumPy's view has PyTorch's strides; a copy (advanced indexing)
            # may not
            return _rows_layout(x, idx, out, be) if idx and _is_array(idx[0]) else out
    # NumPy gives a new axis (None) stride 0, and an empty result zero strides
    # and its input's start: PyTorch's layout is rebuilt (for basic indexing).
    for i in idx:
        if not (i is None or i is Ellipsis or i.__class__ is int or i.__class__ is slice):
            return _rows_layout(x, idx, out, be)      # advanced indexing: a copy
    strides, offset = _index_layout(x, idx, be)
    if out.size:
        return be.as_strided(out, out.shape, strides)    # (only the new axes' strides change)
    return be.as_strided(x, out.shape, strides, offset)


def _rows_layout(x, idx, out, be):
    """out = x[idx], a copy, laid out as PyTorch lays it out where idx picks
    whole rows (one 1-D index array on the first dimension, all of every
    other) of a dense x whose first dimension is outermost: in x's layout,
    as PyTorch's TensorIterator allocates it (infer_dense_strides: a
    channels-last batch stays channels-last, and a size-1 dimension gets
    PyTorch's stride, where NumPy sets its own).  Any other copy keeps
    NumPy's layout."""
    if not (out.ndim == x.ndim > 1 and out.size and idx and getattr(idx[0], "ndim", 0) == 1
            and all(i.__class__ is slice and i == slice(None) for i in idx[1:])):
        return out
    xs, os_ = be.strides(x), be.strides(out)
    if xs[0] != max(xs) or not _memory_format.dense(x, be):
        return out
    strides = _memory_format.infer_dense_strides(out.shape, xs, out.itemsize)
    if strides == os_:
        return out
    if all(a == b for a, b, n in zip(strides, os_, out.shape) if n != 1):
        return be.as_strided(out, out.shape, strides)     # same memory order: restride
    laid = be.as_strided(be.xp.empty_like(out, shape=(out.size,)), out.shape, strides)
    laid[...] = out
    return laid


def _clone(x, order="C", *, be=_NUMPY):
    """A copy of x: C-ordered, or with order "K" laid out as PyTorch's
    preserve_format does: with x's own strides where x's elements fill their
    memory exactly once (size-1 dimensions' strides included), else in the
    order of x's strides; "channels_last" (rank 4) or "channels_last_3d"
    (rank 5): laid out with the channels innermost."""
    if order == "C":
        return x.copy()
    if order != "K":
        out = _memory_format.empty_channels_last(x.shape, x.dtype, be.xp)
        out[...] = x
        return out
    return _memory_format.preserved_copy(x, be)


def _gather_along(x, idx, dim, keepdim, in_shape=None, *, xp=_XP):
    out = x[_along(idx if keepdim else xp.expand_dims(idx, dim), dim, xp)]
    return out if keepdim else xp.squeeze(out, axis=dim)


# --- view layouts -------------------------------------------------------------------
# A view's array is built with the strides PyTorch gives it (see
# Tensor.stride): the array library's own where they agree (permute,
# slicing, reshape of a contiguous array), computed below where they differ
# (size-1 and empty dimensions, views of non-contiguous arrays, expand), and
# made by the backend's as_strided.  Strides are in bytes throughout
# (be.strides): PyTorch's rules are linear in the strides.
def _plain(x, be):
    """x is C-contiguous, ending in a unit stride: the array library's reshape
    then gives exactly PyTorch's view strides (the contiguous ones of the new
    shape)."""
    return x.size and be.is_contiguous(x) and (not x.ndim or be.strides(x)[-1] == x.itemsize)


def _infer_shape(shape, numel):
    """`shape` with its -1 resolved for `numel` elements; a ValueError, as
    NumPy's reshape raises, when it does not fit (the callers word PyTorch's
    errors, see _reshape_error)."""
    known = 1
    infer = None
    for i, n in enumerate(shape):
        if n == -1:
            if infer is not None:
                raise ValueError("only one dimension can be inferred")
            infer = i
        else:
            known *= n
    if infer is None:
        if known != numel:
            raise ValueError("shape does not fit")
        return tuple(shape)
    if known == 0 or numel % known:
        raise ValueError("shape does not fit")
    return tuple(shape[:infer]) + (numel // known,) + tuple(shape[infer + 1:])


def _view_strides(x, new, be):
    """The byte strides under which shape `new` reads x's elements in the
    same order without copying, as PyTorch computes them; None when there
    are none.

    x's dimensions fall into runs that step through memory as one block
    (size-1 dimensions never break a run).  Read from the right, each run
    must be covered exactly by consecutive new dimensions, which step by the
    run's innermost stride times the new sizes to their right."""
    shape, strides = x.shape, be.strides(x)
    if not shape:
        return (x.itemsize,) * len(new)
    if not x.size:
        # Nothing to read: an unchanged shape keeps its strides, any other is contiguous.
        return strides if tuple(new) == shape else _contiguous_strides(new, x.itemsize)
    out = [0] * len(new)
    j = len(new) - 1                 # the next new dimension to place, from the right
    unit = strides[-1]               # the innermost stride of the current run
    run = 1                          # elements in the current run so far
    for i in range(len(shape) - 1, -1, -1):
        run *= shape[i]
        if i and (shape[i - 1] == 1 or strides[i - 1] == run * unit):
            continue                 # dimension i - 1 continues the run
        covered = 1
        while j >= 0 and (covered < run or new[j] == 1):
            out[j] = covered * unit
            covered *= new[j]
            j -= 1
        if covered != run:
            return None
        if i:
            unit = strides[i - 1]
            run = 1
    return tuple(out) if j < 0 else None


def _expand_strides(x, target, be):
    """PyTorch's byte strides for expanding x to `target`: a dimension that
    grows steps 0, one that keeps its size keeps its stride, and a new
    leading dimension of size 1 steps over the dimension after it."""
    shape, strides = x.shape, be.strides(x)
    nd = len(target)
    out = [0] * nd
    if not shape:
        return tuple(out)            # a 0-d tensor expands with stride 0 everywhere
    lead = nd - len(shape)
    for i in range(nd - 1, -1, -1):
        if i >= lead:
            n, st = shape[i - lead], strides[i - lead]
        else:
            n, st = 1, target[i + 1] * out[i + 1]
        out[i] = st if n == target[i] else 0
    return tuple(out)


def _index_layout(x, idx, be):
    """PyTorch's byte strides for x[idx] (ints, slices, None and Ellipsis)
    and how many bytes after x's first element it starts.  PyTorch applies
    the index left to right: a None inserts a dimension as unsqueeze does,
    stepping over the next dimension not yet indexed."""
    shape, strides = x.shape, be.strides(x)
    nd = len(shape)
    rest = nd - sum(1 for i in idx if i is not None and i is not Ellipsis)
    out = []
    offset = 0
    k = 0                            # the next dimension of x
    for i in idx:
        if i is None:
            out.append(shape[k] * strides[k] if k < nd else x.itemsize)
        elif i is Ellipsis:
            out.extend(strides[k:k + rest])
            k += rest
            rest = 0
        elif i.__class__ is slice:
            start, _, step = i.indices(shape[k])
            out.append(strides[k] * step)
            offset += start * strides[k]
            k += 1
        else:
            offset += (i + shape[k] if i < 0 else i) * strides[k]
            k += 1
    return tuple(out) + strides[k:], offset


def _reshape_raw(x, shape, in_shape=None, strides=None, *, be=_NUMPY):
    """x's elements as `shape`: a view with PyTorch's strides (`strides`
    when the caller computed them) where x's layout allows one, else a copy.
    The formulas reshape gradients of any layout with it."""
    if strides is not None:
        return be.as_strided(x, shape, strides)
    if _plain(x, be):
        out = x.reshape(shape)
        if out.shape == x.shape:
            # NumPy keeps the strides of an unchanged shape; PyTorch's are the
            # contiguous ones (they differ on size-1 dimensions).
            c = _contiguous_strides(out.shape, out.itemsize)
            if be.strides(out) != c:
                out = be.as_strided(x, out.shape, c)
        return out
    shape = _infer_shape(shape, x.size)
    st = _view_strides(x, shape, be)
    return x.reshape(shape) if st is None else be.as_strided(x, shape, st)


def _unsqueeze_raw(x, dim, in_shape=None, *, be=_NUMPY):
    """PyTorch's unsqueeze: the new dimension steps over the one it precedes
    (one element at the end)."""
    s, st = x.shape, be.strides(x)
    step = s[dim] * st[dim] if dim < len(s) else x.itemsize
    return be.as_strided(x, s[:dim] + (1,) + s[dim:], st[:dim] + (step,) + st[dim:])


def _expand_raw_view(x, shape, *, be=_NUMPY):
    """x expanded to `shape` (PyTorch's strides); read-only when elements
    repeat (or there are none), so that writes into it are refused."""
    out = be.as_strided(x, shape, _expand_strides(x, shape, be))
    if _numel(shape) != x.size:
        out = be.readonly(out)
    return out


# --- the table ----------------------------------------------------------------------
RESHAPE = defop("reshape", _reshape_raw,
                lambda F, g, in_shape: F.reshape(g, in_shape),
                params=("shape", "in_shape", "strides"), node_name="ViewBackward0", quiet=False)
SQUEEZE = defop("squeeze", lambda x, dims, in_shape=None: x.squeeze(dims) if dims else x.view(),
                lambda F, g, in_shape: F.reshape(g, in_shape),
                params=("dims", "in_shape"), node_name="SqueezeBackward0", quiet=False)
UNSQUEEZE = defop("unsqueeze", _unsqueeze_raw,
                  lambda F, g, in_shape: F.reshape(g, in_shape),
                  params=("dim", "in_shape"), quiet=False)
EXPAND = defop("expand", _expand_raw_view,
               lambda F, g: g,                    # the node sums g back to x's shape
               params=("shape",), quiet=False)
SUM_TO = defop("sum_to", lambda x, shape, in_shape=None, *, xp=_XP: _sum_to(x, shape, xp),
               lambda F, g, in_shape: F.expand(g, in_shape),
               params=("shape", "in_shape"), node_name="SumBackward1")
PERMUTE = defop("permute", lambda x, dims: x.transpose(dims),
                lambda F, g, dims: F.permute(g, inverse_permutation(dims)),
                params=("dims",), quiet=False)
GETITEM = defop("getitem", _getitem_view,
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
def _to_copy(x, dtype):
    if x.dtype.kind == "c" and dtype.kind != "c":
        x = x.real                 # (the imaginary part dropped, as PyTorch warns in to_dtype)
    out = x.astype(dtype)
    if dtype is _U16 or dtype is _U32 or dtype is _U64:
        return _backend.shell_view(out)        # (uint16/32/64's arrays: their own class)
    return out


TO_COPY = defop("to_copy", _to_copy,
                lambda F, g: g,                    # the node casts g back to x's dtype
                params=("dtype",), node_name="ToCopyBackward0")
CLONE = defop("clone", _clone, lambda F, g: g,
              params=("order",), quiet=False)
# cat and stack take any number of inputs: their forwards get the arrays, then the params.
CAT = defop("cat", lambda *a, xp=_XP: xp.concatenate(a[:-2], axis=a[-2]), inputs=(),
            params=("dim", "sizes"),
            combined=lambda F, g, dim, sizes: _split_grad(F, g, dim, sizes))
STACK = defop("stack", lambda *a, xp=_XP: xp.stack(a[:-2], axis=a[-2]), inputs=(),
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
_RESHAPE_ALIAS = RESHAPE.variant("ReshapeAliasBackward0")
_UNSAFE_VIEW = RESHAPE.variant("UnsafeViewBackward0")
_VIEW_ERROR = ("view size is not compatible with input tensor's size and stride (at least one "
               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")


def _reshape_as(input, shape, name="ViewBackward0", copy=False):
    """input viewed as `shape`, as PyTorch's view() (node `name`), or with
    copy=True as its reshape(): where no strides can view input's memory as
    `shape`, view() refuses and reshape() copies.  (RESHAPE's third param is
    the view's strides, when computed here.)"""
    d = _layout(input)
    be = _NUMPY if d.__class__ is _ndarray else _backend_of(d)
    shape = _checked_view_shape(shape, d.size)
    cls = _VIEW_NAMES.get(name)
    if cls is None:
        cls = _VIEW_NAMES[name] = RESHAPE.variant(name)
    if _plain(d, be):        # the common case: the library's reshape is PyTorch's view
        try:
            res = apply(RESHAPE, (input,), (d,), (shape, d.shape, None), cls)
        except ValueError:
            raise _reshape_error(shape, d.size) from None
        return mark_view(res, input, ("reshape", res._data.shape))
    try:
        shape = _infer_shape(shape, d.size)
    except ValueError:
        raise _reshape_error(shape, d.size) from None
    strides = _view_strides(d, shape, be)
    if strides is None:
        if not copy:
            raise RuntimeError(_VIEW_ERROR)
        # PyTorch: a contiguous copy, viewed (the result is not a view of input).
        c = contiguous(input)
        return apply(RESHAPE, (c,), (c._data,), (shape, d.shape, None), _UNSAFE_VIEW)
    if copy and not be.is_contiguous(d):
        cls = _RESHAPE_ALIAS         # PyTorch's reshape() of a non-contiguous tensor
    res = apply(RESHAPE, (input,), (d,), (shape, d.shape, strides), cls)
    return mark_view(res, input, ("reshape", shape))


def _reshape_any(input, shape):
    """Reshape that never refuses, for replaying view chains on copies and
    writing results back into bases (in-place ops on views, _inplace.py):
    a view where the layout allows one, else a copy."""
    d = input._data
    res = apply(RESHAPE, (input,), (d,), (shape, d.shape, None))
    return mark_view(res, input, ("reshape", shape))


def checked_format_name(memory_format, d):
    """memory_format's name, checked against d's rank (PyTorch's error)."""
    name = "contiguous_format" if memory_format is None else memory_format._name
    if d.ndim != _memory_format.RANKS.get(name, d.ndim):
        raise _memory_format.rank_error(name)
    return name


def contiguous(input, memory_format=None):
    """input itself when contiguous (in memory_format), else a copy so laid
    out (PyTorch records it as a clone)."""
    d = input._data
    name = checked_format_name(memory_format, d)
    if name in _memory_format.RANKS:
        if input.is_contiguous(memory_format=memory_format):
            return input
        return apply(CLONE, (input,), (d,), (name,))
    if _backend_of(d).is_contiguous(d):
        return input
    if name == "preserve_format":
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return apply(CLONE, (input,), (d,), ("C",))


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
    d = input._data
    idx = _convert_index(idx, d)
    value = as_operand(value)
    vd = value._data if isinstance(value, Tensor) else value
    if _is_array(vd) and vd.dtype != d.dtype:
        vd = vd.astype(d.dtype)
    try:
        return apply(INDEX_PUT, (input, value), (d, vd), (idx,),
                     None if node_name is None else INDEX_PUT.variant(node_name))
    except IndexError as e:
        raise IndexError(_index_error(e, idx, d.shape)) from None
    except ValueError:
        target = d[idx].shape
        vs = tuple(getattr(vd, "shape", ()))
        # PyTorch: an advanced index (tensors, lists, masks) is index_put_, whose
        # message is "shape mismatch"; a basic one is a view's copy_, an expand.
        advanced = any(_is_array(i) for i in idx)
        raise _expand_error(vs, target) if len(vs) <= len(target) and not advanced else \
            RuntimeError(f"shape mismatch: value tensor of shape {list(vs)} cannot be broadcast "
                         f"to indexing result of shape {list(target)}") from None


# --- public functions ------------------------------------------------------------------
def reshape(input, *shape):
    if not shape:
        raise TypeError('reshape() missing 1 required positional arguments: "shape"')
    input = as_tensor_arg(input)
    return _reshape_as(input, _checked_view_shape(shape_args(shape, "reshape", "shape"),
                                                  input._data.size), copy=True)


def view(input, *shape):
    if not shape:
        raise TypeError("view() received an invalid combination of arguments - got (), but "
                        "expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n")
    if len(shape) == 1 and isinstance(shape[0], _dtypes.dtype):
        raise NotImplementedError("view(dtype) is not supported")
    return _reshape_as(input, _checked_view_shape(shape_args(shape, "view"), input._data.size))


def view_as(input, other):
    return _reshape_as(input, other._data.shape)


def reshape_as(input, other):
    return _reshape_as(input, other._data.shape, copy=True)


def flatten(input, start_dim=0, end_dim=-1):
    input = as_tensor_arg(input)
    s = input._data.shape
    if not s:
        return _reshape_as(input, (1,), copy=True)
    a, b = normalize_dim(start_dim, len(s)), normalize_dim(end_dim, len(s))
    if a > b:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if a == b:
        return input                 # nothing to flatten: PyTorch returns the tensor itself
    n = 1
    for k in s[a:b + 1]:
        n *= k
    return _reshape_as(input, s[:a] + (n,) + s[b + 1:], copy=True)


def unflatten(input, dim, sizes):
    s = input._data.shape
    dim = normalize_dim(dim, len(s))
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        if min(sizes) < -1:
            raise ValueError("negative size")
        sizes = _infer_shape(sizes, s[dim])         # a -1 stands for what dim `dim` leaves
    except ValueError:
        e = _reshape_error(sizes, s[dim])
        if str(e).startswith("shape '"):
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                               f"the size of dim {dim} ({s[dim]}) in the input tensor") from None
        raise RuntimeError(f"unflatten got an unexpected error:\n{e}") from None
    return _reshape_as(input, s[:dim] + sizes + s[dim + 1:])


_SQUEEZE1 = SQUEEZE.variant("SqueezeBackward1")
_SQUEEZE2 = SQUEEZE.variant("SqueezeBackward2")


def squeeze(input, dim=None):
    """Drops size-1 dimensions; the others keep their strides (NumPy's
    squeeze is PyTorch's)."""
    input = as_tensor_arg(input)
    d = _layout(input)
    s = d.shape
    if dim is None:
        cls = None
        dims = tuple(i for i, n in enumerate(s) if n == 1)
    else:
        several = isinstance(dim, (tuple, list))
        cls = _SQUEEZE2 if several else _SQUEEZE1
        wanted = [normalize_dim(k, len(s)) for k in (dim if several else (dim,))]
        dims = tuple(i for i in range(len(s)) if i in wanted and s[i] == 1)
    res = apply(SQUEEZE, (input,), (d,), (dims, s), cls)
    return mark_view(res, input, ("reshape", res._data.shape))


def unsqueeze(input, dim):
    input = as_tensor_arg(input)
    d = _layout(input)
    s = d.shape
    dim = normalize_dim(dim, len(s) + 1)
    return mark_view(apply(UNSQUEEZE, (input,), (d,), (dim, s)), input,
                     ("reshape", s[:dim] + (1,) + s[dim:]))


def expand(input, *sizes):
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
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
    d = _layout(input)
    out = apply(EXPAND, (input,), (d,), (target,))
    # A view either way; when elements repeat its array is read-only, so
    # nothing writes through it (_inplace.py), and it is replayed as an expand.
    return mark_view(out, input, ("reshape" if _numel(target) == d.size else "expand", target))


def _expand_error(s, sizes):
    """PyTorch's error for expanding shape s to sizes (-1 keeps a size); like
    PyTorch it names the last dimension that does not fit."""
    lead = len(sizes) - len(s)
    for i in reversed(range(len(s))):
        n = s[i]
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
    return mark_view(apply(PERMUTE, (input,), (_layout(input),), (dims,)), input,
                     ("permute", dims))


def transpose(input, dim0, dim1):
    input = as_tensor_arg(input)
    nd = input._data.ndim
    perm = list(range(nd))
    a, b = normalize_dim(dim0, nd), normalize_dim(dim1, nd)
    perm[a], perm[b] = perm[b], perm[a]
    perm = tuple(perm)
    return mark_view(apply(PERMUTE, (input,), (_layout(input),), (perm,), _TRANSPOSE),
                     input, ("permute", perm))


swapaxes = swapdims = transpose


def t(input):
    input = as_tensor_arg(input)
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    perm = tuple(range(nd))[::-1]
    return mark_view(apply(PERMUTE, (input,), (_layout(input),), (perm,), _T),
                     input, ("permute", perm))


# --- indexing --------------------------------------------------------------------------------
_SELECT = GETITEM.variant("SelectBackward0")
_SLICE = GETITEM.variant("SliceBackward0")
_UNSQUEEZE_IDX = GETITEM.variant("UnsqueezeBackward0")
_ALIAS = GETITEM.variant("AliasBackward0")


_SEQUENCE_AS_TUPLE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be "
    "changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will "
    "be interpreted as tensor index, x[torch.tensor(seq)], which will result either in an "
    "error or a different result")


def _indexes_several_dims(idx):
    """Whether a list index means a tuple of indices, as PyTorch (and old
    NumPy) decide: a list shorter than 32 that holds a tensor, a sequence, a
    slice, an Ellipsis or None (x[[[0, 1], [1, 2]]] is x[[0, 1], [1, 2]])."""
    if len(idx) >= 32:
        return False
    for i in idx:
        if i is None or i is Ellipsis or isinstance(i, (Tensor, slice, list, tuple)):
            return True
    return False


def _convert_index(idx, data):
    """Tensors and lists in an index become arrays (of the array library of
    `data`, the array indexed); the node stores the result."""
    if idx.__class__ is list and _indexes_several_dims(idx):
        warn_at_caller(_SEQUENCE_AS_TUPLE)
        idx = tuple(idx)
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        if isinstance(i, Tensor):
            d = i._data
            if d.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            # (a 0-d index of a vmap'd sample stays an array: its batch is behind it)
            # (int(i), not int(d): under chainrule.compile the value becomes a guard)
            out.append(d if d.ndim or d.dtype.kind == "b" or i.__class__ is _batched.BatchedTensor
                       else int(i))
        elif isinstance(i, list):
            a = _backend.namespace(data).asarray([int(v) if isinstance(v, Tensor) else v
                                                  for v in i])
            # PyTorch turns a list index into a long (or bool) tensor: floats truncate.
            # (Python values: a constant of a compiled replay; a Tensor in the list
            # went through int(), which guards its value)
            out.append(note_constant(a.astype(_INT64) if a.dtype.kind == "f" else a))
        elif isinstance(i, _HOST_ARRAY) or _is_array(i):
            be = _backend_of(data)
            if i.__class__ not in be.array_types:
                i = be.from_numpy(_backend.to_numpy(i))
            out.append(i if i.size or i.dtype != _FLOAT64 else i.astype(_INT64))
        elif isinstance(i, bool) or (isinstance(i, _HOST_SCALAR) and i.dtype.kind == "b"):
            out.append(_backend.namespace(data).asarray(bool(i)))
        elif isinstance(i, _HOST_SCALAR) and i.dtype.kind in "iu":
            out.append(int(i))
        else:
            if i.__class__ is slice and i.step is not None and i.step <= 0:
                # PyTorch has no negative strides.
                raise ValueError("step must be greater than zero" if i.step
                                 else "slice step cannot be zero")
            out.append(i)
    return tuple(out)


def _index_node(idx):
    """PyTorch names the node after the last indexing step: select for an int,
    slice for a (non-trivial) slice, index for tensors/lists, unsqueeze for None."""
    name = _ALIAS
    for i in idx:
        if _is_array(i):
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
    if _VMAP_ACTIVE[0]:
        input = _batched_for_index(input, idx)
    d = _layout(input)
    idx = _convert_index(idx, d)
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
        if not (i is None or i is Ellipsis or isinstance(i, (int, slice)) or _is_array(i)):
            return ("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                    f"Variables are valid indices (got {type(i).__name__})")
    used = sum(i.ndim if _is_array(i) and i.dtype.kind == "b" else
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
            k = i.ndim if i.dtype.kind == "b" else 1
            later.append((i, src, len(view), adv))
            view.extend(shape[src:src + k])
            adv += k
            src += k
            pos += k
    view.extend(shape[src:])                 # dimensions the index left alone
    for i, d, at, number in later:
        if i.dtype.kind == "b":
            for k, n in enumerate(i.shape):
                if n != view[at + k]:
                    return (f"The shape of the mask {list(i.shape)} at index {k} does not match "
                            f"the shape of the indexed tensor {view} at index {at + k}")
        elif i.size and i.dtype.kind in "iu":
            n = shape[d]
            bad = i[(i >= n) | (i < -n)]
            if bad.size:
                return (f"index {int(bad.reshape(-1)[0])} is out of bounds for dimension {number} "
                        f"with size {n}")
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
    if i.dtype != _INT64 and i.dtype != _INT32:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if i.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = d.shape[dim] if d.ndim else 1
    if i.size and (i.min() < -n or i.max() >= n):
        raise IndexError("index out of range in self")
    return getitem(input, (slice(None),) * dim + (index,))


def gather(input, dim, index, *, out=None):
    if out is not None:
        return _out.into(out, gather(input, dim, index), "gather", exact=_out.EXPECTED)
    d = input._data
    dim = normalize_dim(dim, d.ndim)
    idx = index._data
    if idx.dtype != _INT64 and idx.dtype != _INT32:
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


def _nonzero(x, *, xp=_XP):
    if x.ndim == 0:
        return xp.zeros((int(bool(x)), 0), _INT64)
    nz = xp.nonzero(x)
    return xp.stack(nz, axis=1).astype(_INT64) if nz else xp.zeros((1, 0), _INT64)


NONZERO = defop("nonzero", _nonzero, quiet=False)


def argwhere(input):
    """The indices of the non-zero elements, one row each (nonzero(input))."""
    return nonzero(input)


expose(argwhere, formulas=False)


def nonzero(input, *, as_tuple=False, out=None):
    if out is not None:
        return _out.into(out, nonzero(input, as_tuple=as_tuple), "nonzero",
                         exact="nonzero: Expected out tensor to have scalar type Long but got "
                               "scalar type{o}")
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
    if out is not None:
        return _out.into(out, cat(tensors, dim), "cat", cast=_out.CAT)
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # Legacy behaviour kept by PyTorch: 1-D empty tensors are skipped.
    parts = [x for x in tensors if not (x._data.ndim == 1 and x._data.shape[0] == 0)] or tensors[:1]
    nd = parts[0]._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = normalize_dim(dim, nd)
    if len(parts) < len(tensors):      # (the skipped ones still take part in the promotion)
        every, dt = promoted_arrays(*tensors)
        kept = {id(x) for x in parts}
        arrays = [a for x, a in zip(tensors, every) if id(x) in kept]
    else:
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
    if out is not None:
        return _out.into(out, stack(tensors, dim), "stack", cast=_out.CAT)
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
    if d.dtype.kind == "c" and not dt.is_complex:
        warn_at_caller("Casting complex values to real discards the imaginary part")
    return apply(TO_COPY, (input,), (d,), (dt.np,))


def clone(input, *, memory_format=None):
    # PyTorch's default, preserve_format, keeps the input's layout (a
    # transposed tensor's clone is transposed).
    name = checked_format_name(memory_format, input._data) if memory_format is not None else "K"
    order = {"preserve_format": "K", "contiguous_format": "C"}.get(name, name)
    return apply(CLONE, (input,), (_layout(input),), (order,))


_COPY = CLONE.variant("CopyBackwards")


def copy_for_grad(g):
    """The copy AccumulateGrad stores in .grad under create_graph (PyTorch
    shows it as CopyBackwards)."""
    return apply(CLONE, (g,), (g._data,), ("C",), _COPY)


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
        if g._data.dtype.kind == "c" and dtype.kind != "c":
            g = FUNCTIONS["real"](g)      # (as _fit_raw: the real part, without to()'s warning)
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


array_op("fit", _fit_raw)
array_op("expand", _expand_raw)
# Plain backward reshapes and indexes raw gradients with the array library
# alone: a gradient's strides are not PyTorch's business, and every
# reduction's and matrix product's backward would pay for the layout work
# otherwise.
array_op("reshape", lambda x, shape, in_shape=None, strides=None: x.reshape(shape))
array_op("getitem", _getitem)
array_op("mT", lambda x: x.swapaxes(-2, -1))
TensorOps.fit = staticmethod(_fit_tensor)
TensorOps.sum_to = staticmethod(_sum_to_tensor)
TensorOps.expand = staticmethod(_expand_tensor)
TensorOps.reshape = staticmethod(lambda x, shape: _reshape_as(x, shape, copy=True))
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
for _fn in (view, view_as, reshape_as, expand, expand_as, contiguous):
    expose(_fn, function=False, formulas=False)
expose(cat, "cat", "concat", "concatenate", method=False, formulas=False)
expose(stack, method=False, formulas=False)
expose(hstack, method=False, formulas=False)
expose(vstack, method=False, formulas=False)
expose(getitem, "__getitem__", function=False, formulas=False)


# --- vmap (ops/_batching.py): shape ops on the batch, the batch dimension first ---
def _batched_for_index(x, idx):
    """x batched at every vmap level of a batched index tensor in idx (an
    unbatched x indexed per sample is the same x for every sample)."""
    levels = set()
    for i in (idx if isinstance(idx, tuple) else (idx,)):
        if i.__class__ is _batched.BatchedTensor:
            levels.update(_batched.levels_of(i))
    return _batched.add_levels(x, levels) if levels else x



def _batched_reshape(c):
    return reshape(c.xs[0], (c.size,) + tuple(c.params[0]))


def _batched_unsqueeze(c):
    dim, in_shape = c.params
    return c.apply(c.xs, (dim % (c.rank(0) + 1) + 1, (c.size,) + tuple(in_shape)))


def _batched_permute(c):
    return c.apply(c.xs, ((0,) + tuple(d + 1 for d in c.params[0]),))


def _batched_expand(c):
    target = tuple(c.params[0])
    return c.apply([_batching.aligned(c, c.xs[0], 0, len(target))], ((c.size,) + target,))


def _batched_getitem(c):
    """x[idx] on the batch: idx after a full slice of the batch dimension,
    where that keeps NumPy's placement of advanced-index dimensions (they are
    adjacent); index arrays of batched tensors get an index of the batch
    beside them.  Otherwise the loop."""
    idx, in_shape = c.params
    level = c.inputs[0]._level
    adv = [k for k, i in enumerate(idx) if _is_array(i)]
    full = [_batched.batched_array(i, level) if _is_array(i) else None for i in idx]
    if any(f is not None and f.dtype.kind == "b" for f in full):
        raise _batched.Unbatchable("vmap: We do not support batching operators that can support dynamic "
                           "shape. Attempting to batch over indexing with a boolean mask.")
    adjacent = not adv or adv == list(range(adv[0], adv[-1] + 1))
    if all(f is None for f in full):
        if not adjacent:
            return NotImplemented
        new = (slice(None),) + tuple(idx)
    else:
        if not adjacent or adv[0] != 0 or any(i is Ellipsis or i is None for i in idx):
            return NotImplemented
        n = max((f.ndim - 1 if f is not None else idx[k].ndim) for k, f in enumerate(full)
                if k in adv)
        xp = _backend.namespace(c.xs[0]._data)
        batch = xp.arange(c.size).reshape((c.size,) + (1,) * n)
        new = (batch,) + tuple(f if f is not None else i for i, f in zip(idx, full))
    return c.apply(c.xs, (new, (c.size,) + tuple(in_shape)))


_batching.batching(_batched_reshape, RESHAPE)
_batching.batching(_batching.reducing(0, 1), SQUEEZE)
_batching.batching(_batched_unsqueeze, UNSQUEEZE)
_batching.batching(_batched_permute, PERMUTE)
_batching.batching(_batched_expand, EXPAND)
_batching.batching(_batched_getitem, GETITEM)
elementwise(TO_COPY, CLONE)
_batching.batching(_batching.materialized(0), CAT, STACK)

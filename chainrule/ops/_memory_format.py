"""PyTorch's memory formats read off an array's strides.

A tensor is channels-last (NHWC in memory, NCHW in shape) when its strides
say so: PyTorch keeps no flag beside them.  Two of its rules matter here:

* is_contiguous(memory_format=channels_last): the strides are exactly those
  of a dense NHWC block (size-1 dimensions do not count);
* the suggested memory format, which convolutions and poolings give their
  outputs: the strides ordered C, W, H, N from the smallest, each dimension
  stepping over at least the ones inside it.  An ambiguous layout (a
  channel stride of 0, an N111 tensor) counts as contiguous.

That second rule is why PyTorch's digits example runs channels-last: a
batch sliced from NumPy's (N, 1, 8, 8) array of images keeps the channel
stride of one element NumPy gave it, and its first convolution then says
channels-last for every layer after it.  Strides are in bytes throughout
(the backend's `strides`); the rules are linear in them.
"""

from . import _backend

# The channels-last formats' ranks, and their dimensions from the innermost.
RANKS = {"channels_last": 4, "channels_last_3d": 5}
_ORDER = {4: (1, 3, 2, 0), 5: (1, 4, 3, 2, 0)}


def is_channels_last_contiguous(shape, strides, itemsize):
    """The strides are those of a dense channels-last block of `shape`
    (rank 4; rank 5 for channels_last_3d)."""
    order = _ORDER.get(len(shape))
    if order is None:
        return False
    expected = itemsize
    for d in order:
        n = shape[d]
        if n != 1:
            if strides[d] != expected:
                return False
            expected *= n
    return True


def suggests_channels_last(shape, strides):
    """PyTorch's suggest_memory_format() is channels-last (rank 4 or 5): the
    strides grow in the order C, W, H, N, with the ambiguous cases
    (a channel stride of 0, an N111 tensor's equal strides) contiguous."""
    order = _ORDER.get(len(shape))
    if order is None or strides[1] == 0:
        return False
    low = 0
    for d in order:
        n = shape[d]
        if n == 0 or strides[d] < low:
            return False
        if d == 0 and low == strides[1]:
            return False
        low = strides[d] * n if n > 1 else strides[d]
    return True


def array_suggests_channels_last(a, be):
    """suggests_channels_last for the array a."""
    return a.ndim == 4 and suggests_channels_last(a.shape, be.strides(a))


def suggested(a):
    """The name of the memory format PyTorch's suggest_memory_format()
    gives the array a (any array type: strides read through its backend)."""
    if a.ndim in (4, 5) and suggests_channels_last(a.shape, _backend.backend_of(a).strides(a)):
        return "channels_last" if a.ndim == 4 else "channels_last_3d"
    return "contiguous_format"


def empty_channels_last(shape, dtype, xp):
    """A fresh (N, C, H, W) array laid out NHWC ((N, C, D, H, W) as NDHWC):
    PyTorch's strides for channels_last, size-1 dimensions included."""
    r = len(shape)
    a = xp.empty((shape[0],) + tuple(shape[2:]) + (shape[1],), dtype=dtype)
    return a.transpose((0, r - 1) + tuple(range(1, r - 1)))


def channels_last_strides(shape, itemsize):
    """The byte strides of empty_channels_last(shape): PyTorch's for a fresh
    channels-last tensor."""
    N, C, H, W = shape
    return (H * W * C * itemsize, itemsize, W * C * itemsize, C * itemsize)


def infer_dense_strides(shape, strides, itemsize):
    """The byte strides of a fresh dense array of `shape` that keeps the
    order of `strides` (PyTorch's infer_dense_strides, as its
    TensorIterator lays out a result like its operand): the dimensions
    sorted innermost-first by stride (a stable insertion sort; a stride of
    0 compares with nothing, and of two equal strides the smaller size goes
    inside), then each dimension's stride the sizes inside it multiplied."""
    n = len(shape)
    perm = list(range(n - 1, -1, -1))           # perm[0]: the innermost

    def order(d0, d1):
        s0, s1 = strides[d0], strides[d1]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return -1 if s0 < s1 else 1
        return 1 if shape[d0] > shape[d1] else 0

    for i in range(1, n):
        d1 = i
        for j in range(1, i + 1):
            d0 = i - j
            c = order(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    out = [0] * n
    step = itemsize
    for d in perm:
        out[d] = step
        if shape[d] > 1:
            step *= shape[d]
    return tuple(out)


def dense(x, be):
    """x's elements cover a block of memory exactly once (PyTorch's
    non-overlapping and dense): by increasing stride, each dimension steps
    over all the ones before it.  PyTorch counts every contiguous tensor
    (an empty one too) as dense."""
    if be.is_contiguous(x):
        return True
    step = x.itemsize
    for st, n in sorted([(st, n) for st, n in zip(be.strides(x), x.shape) if n != 1]):
        if st != step:
            return False
        step *= n
    return True


def preserved_copy(x, be):
    """A copy of x as PyTorch's preserve_format makes it: with x's own
    strides where x is dense (size-1 dimensions' strides included), else in
    the order of x's strides."""
    if not dense(x, be):
        return x.copy(order="K")
    out = be.as_strided(be.xp.empty_like(x, shape=(x.size,)), x.shape, be.strides(x))
    out[...] = x
    return out


def rank_error(name):
    """PyTorch's error for a memory format the tensor's rank does not have."""
    return RuntimeError(f"required rank {RANKS[name]} tensor to use {name} format")

"""nn.functional.pad: constant, reflect, replicate and circular padding.

Two ops do all the work:
  constant_pad_nd  embeds x in a block of `value` (negative pads crop); its
                   adjoint is the same op with the pads negated (crop where it
                   padded, zero-extend where it cropped), so any order works.
  pad_gather       the other modes: along each padded dimension the output's
                   position j reads input position idx[j] (reflected, clamped
                   or wrapped), an integer index per dimension; its adjoint
                   pad_scatter adds each gradient back to idx[j], and the
                   adjoint of that is pad_gather again.
PyTorch's grad_fn names are given as variants of pad_gather's node.
"""
from .. import _dtypes
from . import _backend
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import defop, expose

_XP = _backend.NUMPY.xp
_NUMPY = _backend.NUMPY
_INT64 = _dtypes.int64.np


# --- the ops --------------------------------------------------------------------------------
def _constant_pad_forward(x, pads, value, *, xp=_XP):
    """pads: ((before, after), ...) for every dimension of x."""
    shape = tuple(s + b + a for s, (b, a) in zip(x.shape, pads))
    out = xp.full(shape, value, dtype=x.dtype)
    src, dst = [], []
    for s, (b, a) in zip(x.shape, pads):
        lo, hi = max(-b, 0), s - max(-a, 0)
        if hi <= lo:
            return out                               # nothing of x survives the crop
        src.append(slice(lo, hi))
        dst.append(slice(max(b, 0), max(b, 0) + hi - lo))
    out[tuple(dst)] = x[tuple(src)]
    return out


def _negated(pads):
    return tuple((-b, -a) for b, a in pads)


CONSTANT_PAD = defop("constant_pad_nd", _constant_pad_forward,
                     lambda F, g, pads: F.constant_pad_nd(g, _negated(pads), 0),
                     params=("pads", "value"), node_name="ConstantPadNdBackward0")


def _constant_pad_nd(x, pads, value):
    return apply(CONSTANT_PAD, (x,), (x._data,), (pads, value))


expose(_constant_pad_nd, "constant_pad_nd", function=False, method=False)


def _gather_forward(x, dims, idxs):
    for d, idx in zip(dims, idxs):
        x = x[(slice(None),) * d + (idx,)]
    return x


def _scatter_forward(g, dims, idxs, in_shape, *, be=_NUMPY):
    """The adjoint of _gather_forward: gradients summed back onto in_shape."""
    xp = be.xp
    shape = list(g.shape)
    for d, idx in reversed(tuple(zip(dims, idxs))):
        shape[d] = in_shape[d]
        out = _backend.zeros_to_scatter_into(xp, tuple(shape), dtype=g.dtype)
        be.add_at(out, (slice(None),) * d + (idx,), g)
        g = out
    return g


PAD_GATHER = defop("pad_gather", _gather_forward,
                   lambda F, g, x, dims, idxs: F.pad_scatter(g, dims, idxs, x.shape),
                   params=("dims", "idxs"), quiet=False)
PAD_SCATTER = defop("pad_scatter", _scatter_forward,
                    lambda F, g, dims, idxs: F.pad_gather(g, dims, idxs),
                    params=("dims", "idxs", "in_shape"), node_name="PadScatterBackward0")


def _pad_gather(x, dims, idxs):
    return apply(PAD_GATHER, (x,), (x._data,), (dims, idxs))


def _pad_scatter(g, dims, idxs, in_shape):
    return apply(PAD_SCATTER, (g,), (g._data,), (dims, idxs, tuple(in_shape)))


expose(_pad_gather, "pad_gather", function=False, method=False)
expose(_pad_scatter, "pad_scatter", function=False, method=False)
_NODE_NAMES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
               "circular": "CopySlices"}


# --- source positions for each mode ---------------------------------------------------------
def _reflect(p, s):
    return -p if p < 0 else (2 * (s - 1) - p if p >= s else p)


def _replicate(p, s):
    return min(max(p, 0), s - 1)


_SOURCE = {"reflect": _reflect, "replicate": _replicate}


def _positions(mode, s, b, a):
    """The input position each output position reads along one dimension."""
    if mode == "circular":
        # PyTorch crops first (negative pads), then wraps around what is left
        lo, hi = max(-b, 0), s - max(-a, 0)
        b, a = max(b, 0), max(a, 0)
        return [lo + (j - b) % (hi - lo) for j in range(hi - lo + b + a)]
    source = _SOURCE[mode]
    return [source(j - b, s) for j in range(s + b + a)]


# --- the public function --------------------------------------------------------------------
_SUPPORTED = ("Supported combinations for non-constant padding:\n"
              "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
              "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
              "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
_AXIS_LETTER = "WHD"


def _pad_list(pad):
    pad = tuple(pad)
    for i, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, int):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but "
                            f"found element of type {type(p).__name__} at pos {i}")
    return tuple(int(p) for p in pad)


def _check_non_constant(d, mode, k, pads):
    nd = d.ndim
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {2 * k} is not supported for {nd}D input "
                                  f"tensor.\n{_SUPPORTED}")
    if mode == "circular":
        for s, (b, a) in zip(d.shape[nd - k:], pads[nd - k:]):
            if b > s or a > s:
                raise RuntimeError("Padding value causes wrapping around more than once.")
        return
    batched = nd == k + 2
    if any(s == 0 for s in d.shape[1 if batched else 0:]):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 "
                           f"batch size and other non-zero dimensions for input, but got: "
                           f"{list(d.shape)}")
    if mode == "reflect":
        for j in range(k):                              # from the last dimension
            dim = nd - 1 - j
            b, a = pads[dim]
            if b >= d.shape[dim] or a >= d.shape[dim]:
                raise RuntimeError(f"Argument #{4 + 2 * j}: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding ({b}, {a}) "
                                   f"at dimension {dim} of input {list(d.shape)}")
        for j in range(k):                              # (replicate lets an empty result through)
            dim = nd - 1 - j
            b, a = pads[dim]
            if d.shape[dim] + b + a < 1:
                raise RuntimeError(f"input ({_AXIS_LETTER[j]}: {d.shape[dim]}) is too small. "
                                   f"Calculated output {_AXIS_LETTER[j]}: {d.shape[dim] + b + a}")


def pad(input, pad, mode="constant", value=None):
    """torch.nn.functional.pad: `pad` gives (before, after) pairs from the last
    dimension backwards."""
    input = as_tensor_arg(input)
    pad = _pad_list(pad)
    d = input._data
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > d.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{d.ndim}")
    pairs = [(pad[2 * j], pad[2 * j + 1]) for j in range(k)]
    pads = ((0, 0),) * (d.ndim - k) + tuple(reversed(pairs))
    if mode == "constant":
        for s, (b, a) in zip(d.shape, pads):
            if s + b + a < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return _constant_pad_nd(input, pads, 0 if value is None else value)
    if mode not in _NODE_NAMES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    _check_non_constant(d, mode, k, pads)
    xp = _backend.namespace(d)
    dims, idxs = [], []
    for dim in range(d.ndim - k, d.ndim):
        s, (b, a) = d.shape[dim], pads[dim]
        if b == 0 and a == 0:
            continue
        dims.append(dim)
        idxs.append(xp.asarray(_positions(mode, s, b, a), dtype=_INT64))
    if not dims:
        dims, idxs = [d.ndim - 1], [xp.asarray(list(range(d.shape[-1])), dtype=_INT64)]
    node = PAD_GATHER.variant(_NODE_NAMES[mode].format(k))
    return apply(PAD_GATHER, (input,), (d,), (tuple(dims), tuple(idxs)), node)


expose(pad, "pad", function=False, method=False, formulas=False)

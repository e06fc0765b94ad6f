"""Small pieces of torch's top-level API a program may touch without needing
them to do much: global switches (warn_always, deterministic algorithms,
float32 matmul precision), memory-format and layout constants, window
functions, searchsorted/bucketize, unravel_index, range, scalar_tensor,
asarray, and the remaining legacy constructors.

chainrule computes deterministically on the CPU and has one memory layout,
so the switches only keep (and report) the state PyTorch keeps."""
import math
import warnings

from . import _dtypes, _func_levels
from ._factories import _legacy, arange, as_tensor, full, tensor
from ._tensor import Tensor
from .ops import _backend, _out
from .ops.losses import kl_div_reduced

__all__ = ["set_warn_always", "is_warn_always_enabled", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "memory_format", "contiguous_format",
           "preserve_format", "channels_last", "channels_last_3d", "legacy_contiguous_format",
           "layout", "strided", "hann_window", "hamming_window", "blackman_window",
           "bartlett_window", "kaiser_window", "searchsorted", "bucketize", "unravel_index",
           "range", "scalar_tensor", "asarray", "CharTensor", "ShortTensor"]

_STATE = {"warn_always": False, "deterministic": False, "warn_only": False,
          "matmul_precision": "highest"}


# --- global switches ----------------------------------------------------------------------------
def set_warn_always(b):
    _STATE["warn_always"] = bool(b)


def is_warn_always_enabled():
    return _STATE["warn_always"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    if not isinstance(mode, bool):
        raise RuntimeError("use_deterministic_algorithms expects a bool, but got "
                           f"{type(mode).__name__}")
    _STATE["deterministic"], _STATE["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _STATE["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _STATE["warn_only"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, int) or debug_mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _STATE["deterministic"]:
        return 0
    return 1 if _STATE["warn_only"] else 2


def set_float32_matmul_precision(precision):
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid value for float32_matmul_precision: {precision}")
    _STATE["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _STATE["matmul_precision"]


# --- memory formats and layouts (constants) -------------------------------------------------------
class memory_format:
    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return self._name


class layout(memory_format):
    pass


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
legacy_contiguous_format = contiguous_format
strided = layout("strided")


# --- window functions -------------------------------------------------------------------------------
def _window(name, window_length, periodic, dtype, values):
    if not isinstance(window_length, int) or window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window length, got "
                           f"window_length={window_length}")
    dt = dtype or _dtypes.get_default_dtype()
    if dt.np.kind != "f":
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dt}")
    if window_length == 0:
        return tensor([], dtype=dt)
    if window_length == 1:
        return full((1,), 1.0, dtype=dt)
    n = window_length + 1 if periodic else window_length
    xp = _backend.default().xp
    k = xp.arange(n, dtype=_dtypes.float64.np)
    w = values(k, n, xp)
    if periodic:
        w = w[:-1]
    return Tensor._make(w.astype(dt.np))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False):
    t = _window("hann_window", window_length, periodic, dtype,
                lambda k, n, xp: 0.5 - 0.5 * xp.cos(2 * math.pi * k / (n - 1)))
    return _func_levels.requires_grad_internally(t) if requires_grad else t


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, pin_memory=False, requires_grad=False):
    t = _window("hamming_window", window_length, periodic, dtype,
                lambda k, n, xp: alpha - beta * xp.cos(2 * math.pi * k / (n - 1)))
    return _func_levels.requires_grad_internally(t) if requires_grad else t


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    t = _window("blackman_window", window_length, periodic, dtype,
                lambda k, n, xp: (0.42 - 0.5 * xp.cos(2 * math.pi * k / (n - 1)) +
                                  0.08 * xp.cos(4 * math.pi * k / (n - 1))))
    return _func_levels.requires_grad_internally(t) if requires_grad else t


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    t = _window("bartlett_window", window_length, periodic, dtype,
                lambda k, n, xp: 1 - xp.abs(2 * k / (n - 1) - 1))
    return _func_levels.requires_grad_internally(t) if requires_grad else t


def _bessel_i0(x):
    """I0 by its power series (enough terms for the window's arguments)."""
    total, term, k = 1.0, 1.0, 1
    while term > 1e-17 * total:
        term *= (x / (2 * k)) ** 2
        total += term
        k += 1
    return total


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, pin_memory=False, requires_grad=False):
    def values(k, n, xp):
        r = 2 * k / (n - 1) - 1
        return xp.asarray([_bessel_i0(beta * math.sqrt(max(0.0, 1 - float(v) ** 2))) for v in r],
                          dtype=_dtypes.float64.np) / _bessel_i0(beta)
    t = _window("kaiser_window", window_length, periodic, dtype, values)
    return _func_levels.requires_grad_internally(t) if requires_grad else t


# --- searching -------------------------------------------------------------------------------------
# (searchsorted's and bucketize's out= of another dtype: torch's message, out_int32 appended)
_SEARCH_OUT_DTYPE = ("torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) "
                     "or Long(int64) depending on whether out_int32 flag is True, but we got output "
                     "tensor's dtype {o} and out_int32 flag is ")


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):
    """Indices where `input`'s values would be inserted to keep each innermost
    row of sorted_sequence sorted (PyTorch's rules: side='right' / right=True
    takes the last such position)."""
    if out is not None:
        return _out.into(out,
                         searchsorted(sorted_sequence, input, out_int32=out_int32, right=right,
                                      side=side, sorter=sorter),
                         "searchsorted",
                         exact=_SEARCH_OUT_DTYPE + str(out_int32))
    seq = as_tensor(sorted_sequence)
    vals = as_tensor(input)
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    s, v = seq._data, vals._data
    xp = _backend.namespace(s)
    if sorter is not None:
        s = xp.take_along_axis(s, as_tensor(sorter)._data, axis=-1)
    how = "right" if right else "left"
    if s.ndim == 1:
        idx = xp.searchsorted(s, v, side=how)
    else:
        if s.shape[:-1] != v.shape[:-1]:
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                               "the first N-1 dimensions of boundaries tensor and input value "
                               "tensor must match, but we got boundaries tensor "
                               f"{list(s.shape)} and input value tensor {list(v.shape)}")
        flat_s = s.reshape(-1, s.shape[-1])
        flat_v = v.reshape(-1, v.shape[-1])
        idx = xp.stack([xp.searchsorted(a, b, side=how) for a, b in zip(flat_s, flat_v)])
        idx = idx.reshape(v.shape)
    dt = _dtypes.int32.np if out_int32 else _dtypes.int64.np
    return Tensor._make(xp.asarray(idx, dtype=dt))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    if out is not None:
        return _out.into(out, bucketize(input, boundaries, out_int32=out_int32, right=right),
                         "bucketize",
                         exact=_SEARCH_OUT_DTYPE + str(out_int32))
    b = as_tensor(boundaries)
    if b._data.ndim != 1:
        raise RuntimeError("boundaries tensor must be 1 dimension, but got dim("
                           f"{b._data.ndim})")
    return searchsorted(b, input, out_int32=out_int32, right=right)


def unravel_index(indices, shape):
    idx = as_tensor(indices)
    if idx._data.dtype.kind not in "iu":
        raise TypeError("expected 'indices' to be integer dtype, but got "
                        f"{idx.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    out = []
    rest = idx._data.astype(_dtypes.int64.np)
    for n in reversed(shape):
        out.append(Tensor._make(rest % n))
        rest = rest // n
    return tuple(reversed(out))


# --- creation --------------------------------------------------------------------------------------
def range(start, end, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Deprecated, as PyTorch's: like arange, but `end` is included."""
    if out is not None:
        return _out.into(out,
                         range(start, end, step, dtype=_out.factory_dtype(dtype, out),
                               device=device),
                         "range")
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    n = int(math.floor((end - start) / step)) + 1
    dt = dtype or _dtypes.get_default_dtype()
    t = arange(n, dtype=_dtypes.float64) * step + start
    t = t.to(dt)
    return _func_levels.requires_grad_internally(t) if requires_grad else t


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False,
                  requires_grad=False):
    return tensor(s, dtype=dtype or _dtypes.get_default_dtype(), requires_grad=requires_grad)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    if isinstance(obj, Tensor):
        t = obj if dtype is None or dtype is obj.dtype else obj.to(dtype)
        if copy and t is obj:
            t = obj.clone()
    else:
        t = tensor(obj, dtype=dtype)
    return _func_levels.requires_grad_internally(t) if requires_grad and not t.requires_grad else t


CharTensor = _legacy(_dtypes.int8)
ShortTensor = _legacy(_dtypes.int16)


# (every chainrule tensor is dense and strided)
Tensor.layout = property(lambda self: strided, doc="torch.strided: the only layout chainrule has")


# --- ATen-level forms of nn.functional's ops (torch.dropout(input, p, train), ...) -----------
_REDUCTIONS = ("none", "mean", "sum")      # ATen's integer reduction codes


def _functional():
    from .nn import functional    # (cycle: nn imports the package, which imports this module)
    return functional


def _check_p(p):
    if not 0 <= p <= 1:    # (ATen's check: RuntimeError, where nn.functional's is ValueError)
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p, train):
    _check_p(p)
    return _functional().dropout(input, p, train)


def dropout_(input, p, train):
    _check_p(p)
    return _functional().dropout(input, p, train, inplace=True)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return _functional().embedding(indices, weight,
                                   padding_idx=None if padding_idx < 0 else padding_idx,
                                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def bilinear(input1, input2, weight, bias=None):
    return _functional().bilinear(input1, input2, weight, bias)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    return _functional().binary_cross_entropy_with_logits(
        input, target, weight, reduction=_REDUCTIONS[reduction], pos_weight=pos_weight)


def kl_div(input, target, reduction=1, *, log_target=False):
    # (ATen's form: no warning about 'mean', which is nn.functional's)
    return kl_div_reduced(input, target, _REDUCTIONS[reduction], log_target)


__all__ += ["dropout", "dropout_", "embedding", "bilinear", "binary_cross_entropy_with_logits",
            "kl_div"]

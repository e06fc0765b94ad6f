"""torch.quantile and torch.nanquantile, built as PyTorch builds them: sort,
then gather the values at the ranks below and above q * (n - 1), then lerp
between them (or take one, for 'lower', 'higher', 'nearest').  The gradient
is those ops' gradients: (1 - w) to the value below and w to the one above,
sent back through the sort.

nan: quantile gives nan for a row holding one (nan sorts last and the rank
is moved there); nanquantile ranks among the row's other values only.
"""
from .. import _dtypes
from . import _backend, _out
from . import shape as S
from ._args import as_tensor_arg, normalize_dim
from ._dispatch import apply
from ._registry import expose
from .pointwise import lerp
from .scans import sort

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")
_INT64 = _dtypes.int64.np
_LAST_SQUEEZE = S.SQUEEZE.variant("SqueezeBackward4")     # PyTorch's last node


_const = as_tensor_arg         # ranks and weights: arrays outside the graph


def _squeeze_named(x, dims):
    d = x._data
    return apply(S.SQUEEZE, (x,), (d,), (dims, d.shape), _LAST_SQUEEZE)


def _checks(name, x, q, interpolation):
    if isinstance(q, float) or isinstance(q, int) and not isinstance(q, bool):
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q:g}")  # (C++ %g)
    if interpolation not in _MODES:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if x._data.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if not isinstance(q, float) and q._data.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if x._data.dtype.kind != "f" or x._data.dtype.itemsize < 4:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if not isinstance(q, float) and q._data.dtype != x._data.dtype:
        raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    name = "quantile"                  # (PyTorch's messages say quantile() for nanquantile too)
    input = as_tensor_arg(input)
    if isinstance(q, int) and not isinstance(q, bool):
        q = float(q)
    _checks(name, input, q, interpolation)
    d = input._data
    xp = _backend.namespace(d)
    if isinstance(q, float):
        qa, scalar_q = xp.asarray([q], dtype=d.dtype), True
    else:
        qa, scalar_q = q._data.reshape(-1), q._data.ndim == 0
        if bool(((qa < 0) | (qa > 1)).any()):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    nd = d.ndim
    if dim is None:
        x = input.reshape(-1)
    else:
        dim = normalize_dim(dim, nd)
        x = input.movedim(dim, -1) if nd and dim != nd - 1 else input
        if nd == 0:
            x = x.reshape(1)
    values = sort(x, dim=-1).values
    sd = values._data
    n = sd.shape[-1]
    nan = xp.isnan(sd)
    if ignore_nan:
        valid = (~nan).sum(axis=-1, keepdims=True).astype(d.dtype)
        ranks = xp.maximum(qa * (valid - 1), 0)
    else:
        ranks = qa * (n - 1) + xp.zeros(sd.shape[:-1] + (1,), dtype=d.dtype)
        ranks = xp.where(nan.any(axis=-1, keepdims=True), n - 1, ranks).astype(d.dtype)
    if interpolation in ("lower", "higher", "nearest"):
        pick = {"lower": xp.floor, "higher": xp.ceil, "nearest": xp.rint}[interpolation]
        r = values.gather(-1, _const(pick(ranks).astype(_INT64)))
    else:
        below = xp.floor(ranks)
        lo = values.gather(-1, _const(below.astype(_INT64)))
        hi = values.gather(-1, _const(xp.ceil(ranks).astype(_INT64)))
        w = xp.full(ranks.shape, 0.5, dtype=d.dtype) if interpolation == "midpoint" \
            else ranks - below
        r = lerp(lo, hi, _const(w))
    # r: (rest..., nq) -> (nq, rest...), with the reduced dimension(s) kept as 1 if asked
    r = r.movedim(-1, 0) if r._data.ndim > 1 else r
    if keepdim:
        if dim is None:
            r = r.reshape((r._data.shape[0],) + (1,) * nd)
        elif nd:
            r = r.unsqueeze(dim + 1)
    return _squeeze_named(r, (0,) if scalar_q else ())


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    if out is not None:
        return _out.into(out, quantile(input, q, dim, keepdim, interpolation=interpolation),
                         "quantile",
                         exact="quantile() out tensor must be same dtype as the input tensor")
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    if out is not None:
        return _out.into(out, nanquantile(input, q, dim, keepdim, interpolation=interpolation),
                         "nanquantile",
                         exact="quantile() out tensor must be same dtype as the input tensor")
    return _quantile(input, q, dim, keepdim, interpolation, True)


expose(quantile, formulas=False)
expose(nanquantile, formulas=False)

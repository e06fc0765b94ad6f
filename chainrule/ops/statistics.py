"""Statistics PyTorch composes from other ops (issue 11's missing names):
cov and corrcoef (weighted, with Bessel's `correction`), dist (the p-norm
of a difference, under PyTorch's DistBackward0), and histogram (bin counts,
not differentiable)."""
import warnings

from .. import _dtypes
from .._tensor import Tensor
from . import _backend, _out
from ._args import as_tensor_arg, normalize_dim
from ._dispatch import apply
from ._registry import defop, expose, complex_like
from . import linalg as LA, pointwise as P, reduce as R, shape as S, select as SE

_XP = _backend.NUMPY.xp


# --- cov, corrcoef ---------------------------------------------------------------------------
def _check_weights(w, name, n, integral):
    if w.dim() > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {w.dim()} dimensions")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {n}")
    if integral and w.dtype.is_floating_point:
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} with "
                           f"{w.dtype.legacy} dtype")
    if not integral and not w.dtype.is_floating_point:
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got {name} "
                           f"with {w.dtype.legacy} dtype")
    if bool((w < 0).any()):
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    input = as_tensor_arg(input)
    if input.dim() > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    x = input if input.dim() == 2 else S.reshape(input, 1, -1)
    if not x.dtype.is_floating_point and not x.dtype.is_complex:
        x = S.to_dtype(x, _dtypes.get_default_dtype())
    n = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", n, True)
        w = fweights
    if aweights is not None:
        _check_weights(aweights, "aweights", n, False)
        w = aweights if w is None else w * aweights
    if w is None:
        avg = R.mean(x, 1)
        norm = n - correction
        w_sum = None
    else:
        w_sum = R.sum(w)
        avg = R.sum(x * w, 1) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * R.sum(w * aweights) / w_sum
    if (bool(norm <= 0) if isinstance(norm, Tensor) else norm <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = P.clamp_min(norm, 0) if isinstance(norm, Tensor) else 0
    centred = x - S.unsqueeze(avg, 1)
    weighted = centred if w is None else centred * w
    c = LA.mm(centred, S.t(weighted).conj()) / norm      # (conj: complex data's covariance)
    return S.squeeze(c)


def corrcoef(input):
    c = cov(input)
    if c.dim() == 0:
        return c / c                      # (1, or NaN for a constant variable: as PyTorch)
    std = P.sqrt(SE.diagonal(c))
    c = c / S.unsqueeze(std, 1)
    c = c / S.unsqueeze(std, 0)
    return P.clamp(c, -1, 1)


expose(cov, formulas=False)
expose(corrcoef, formulas=False)


# --- dist ------------------------------------------------------------------------------------
def dist(input, other, p=2):
    out = LA.vector_norm(as_tensor_arg(input) - as_tensor_arg(other), p)
    node = out._grad_fn
    if node is not None:
        node.__class__ = complex_like(node, node._op.variant("DistBackward0"))   # (norm's formulas)
    return out


expose(dist, formulas=False)


# --- histogram -------------------------------------------------------------------------------
HISTOGRAM = defop("histogram", lambda x, edges, w, *, xp=_XP: xp.histogram(
    x, edges, weights=w)[0].astype(x.dtype), inputs=("x", "edges", "w"), quiet=False)


HISTOGRAM_EDGES = defop("histogram_edges", lambda x, lo, hi, bins, *, xp=_XP: xp.linspace(
    lo, hi, bins + 1).astype(x.dtype), params=("lo", "hi", "bins"), quiet=False)


class histogram_result(tuple):               # noqa: N801  (torch.return_types.histogram)
    """torch.return_types.histogram: (hist, bin_edges)."""

    def __new__(cls, hist, bin_edges):
        return tuple.__new__(cls, (hist, bin_edges))

    hist = property(lambda self: self[0])
    bin_edges = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.histogram(\nhist={self[0]!r},\nbin_edges={self[1]!r})"


histogram_result.__name__ = histogram_result.__qualname__ = "histogram"


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    if out is not None:
        return _out.into(out, histogram(input, bins, range=range, weight=weight, density=density),
                         "histogram")
    input = as_tensor_arg(input)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{input.dtype.legacy}'")
    d = input._data.reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins.detach()
    else:
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif d.size:
            lo, hi = float(d.min()), float(d.max())
        else:
            lo, hi = 0.0, 1.0
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5       # (as PyTorch and NumPy: a unit-wide range)
        edges = apply(HISTOGRAM_EDGES, (input,), (d,), (lo, hi, bins))
    w = None if weight is None else weight._data.reshape(-1)
    flat = S.reshape(input.detach(), -1)
    hist = apply(HISTOGRAM, (flat, edges, weight), (d, edges._data, w))
    if density:
        widths = edges[1:] - edges[:-1]
        hist = hist / (R.sum(hist) * widths)
    return histogram_result(hist, edges)


expose(histogram, formulas=False)


# --- renorm ----------------------------------------------------------------------------------
def renorm(input, p, dim, maxnorm, *, out=None):
    """Each slice along `dim` whose p-norm exceeds maxnorm scaled down to
    maxnorm (PyTorch's factor maxnorm / (norm + 1e-7)); differentiated
    through the norm as PyTorch's RenormBackward0 is."""
    if out is not None:
        return _out.into(out, renorm(input, p, dim, maxnorm), "renorm", exact=_out.EXPECTED)
    input = as_tensor_arg(input)
    nd = input.dim()
    if nd < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {nd} dimensions")
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {_number(maxnorm)}")
    dim = normalize_dim(dim, nd)
    others = tuple(k for k in range(nd) if k != dim)
    norm = LA.vector_norm(input, p, others, keepdim=True)
    factor = P.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    out = input * factor
    node = out._grad_fn
    if node is not None:
        node.__class__ = complex_like(node, node._op.variant("RenormBackward0"))   # (mul's formulas)
    return out


def _number(v):
    return int(v) if float(v).is_integer() else v


expose(renorm, inplace=True, formulas=False)


# --- histogramdd -------------------------------------------------------------------------------
# An element (a row of the input's innermost dimension) falls in bin i of dimension k when
# edges_k[i] <= x_k < edges_k[i + 1] (the last bin closed); rows outside are not counted.
def _histogramdd(x, w, edges, *, xp=_XP):
    n, dims = x.shape
    sizes = [e.shape[0] - 1 for e in edges]
    flat = xp.zeros(n, dtype=_dtypes.int64.np)
    inside = xp.ones(n, dtype=_dtypes.bool.np)
    for k, e in enumerate(edges):
        col = x[:, k]
        inside = inside & (col >= e[0]) & (col <= e[-1])
        idx = (col.reshape(n, 1) >= e[1:-1].reshape(1, -1)).sum(axis=1) if sizes[k] > 1 else \
            xp.zeros(n, dtype=_dtypes.int64.np)
        flat = flat * sizes[k] + idx
    total = 1
    for s in sizes:
        total *= s
    weights = xp.where(inside, xp.ones(n, dtype=x.dtype) if w is None else w, 0)
    counts = xp.bincount(xp.where(inside, flat, 0), weights=weights, minlength=total)
    return counts.astype(x.dtype).reshape(tuple(sizes))


HISTOGRAMDD = defop("histogramdd", _histogramdd, inputs=("x", "w"), params=("edges",),
                    quiet=False)


class histogramdd_result(tuple):             # noqa: N801  (torch.return_types.histogramdd)
    hist = property(lambda self: self[0])
    bin_edges = property(lambda self: self[1])

    def __repr__(self):
        return (f"torch.return_types.histogramdd(\nhist={self[0]!r},\n"
                f"bin_edges={self[1]!r})")


histogramdd_result.__name__ = histogramdd_result.__qualname__ = "histogramdd"


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    input = as_tensor_arg(input)
    if input.dim() < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{input.dtype.legacy}'")
    dims = input.shape[-1]
    x = S.reshape(input.detach(), (-1, dims))
    d = x._data
    if isinstance(bins, int):
        bins = [bins] * dims
    bins = list(bins)
    if len(bins) != dims:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                           "dimension of the input.")
    if range is not None and len(range) != 2 * dims:
        raise RuntimeError(f"torch.histogramdd: for a {dims}-dimensional histogram range should "
                           f"have {2 * dims} elements, but got {len(range)}")
    if weight is not None and tuple(weight.shape) != tuple(input.shape[:-1]):
        raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have the "
                           f"same shape as the input tensor excluding its innermost dimension, "
                           f"but got input with shape {list(input.shape)} and weight with shape "
                           f"{list(weight.shape)}")
    edges = []
    for k, b in enumerate(bins):
        if isinstance(b, Tensor):
            edges.append(b.detach().to(input.dtype))
            continue
        if b <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {b} for "
                               f"dimension {k}")
        if range is not None:
            lo, hi = float(range[2 * k]), float(range[2 * k + 1])
            if lo > hi:
                raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                                   f"{_number(lo)} max {_number(hi)} for dimension {k}")
        elif d.shape[0]:
            lo, hi = float(d[:, k].min()), float(d[:, k].max())
        else:
            lo, hi = 0.0, 1.0
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges.append(apply(HISTOGRAM_EDGES, (x,), (d,), (lo, hi, int(b))))
    w = None if weight is None else S.reshape(weight.detach(), (-1,)).to(input.dtype)
    hist = apply(HISTOGRAMDD, (x, w), (d, None if w is None else w._data),
                 (tuple(e._data for e in edges),))
    if density:
        volume = None
        for k, e in enumerate(edges):
            shape = [1] * dims
            shape[k] = e.shape[0] - 1
            width = S.reshape(e[1:] - e[:-1], tuple(shape))
            volume = width if volume is None else volume * width
        hist = hist / (R.sum(hist) * volume)
    return histogramdd_result((hist, tuple(edges)))


expose(histogramdd, method=False, formulas=False)

"""Reductions (sum, mean, prod, max, min, norm, var, std, logsumexp) and
softmax / log_softmax, with their derivatives.

A reduction's gradient is the output gradient spread back over the reduced
dimensions (`unreduce`), times the local derivative.
"""
import builtins
import warnings

from .. import _dtypes
from .._tensor import Tensor
from . import _backend, _out, _shell
from ._args import as_tensor_arg, normalize_dims, normalize_dim, to_float_array
from . import _batching
from ._dispatch import apply, apply_one
from .pointwise import maximum, minimum
from ._registry import defop, expose, shows, TensorOps, array_op, complex_like
_builtin_max = builtins.max
_XP = _backend.NUMPY.xp      # forwards' `xp` by default; _backend.bind gives other libraries theirs
_INT64 = _dtypes.int64.np
_UINT8 = _dtypes.uint8.np
_SHELL_ARRAY = _backend.ShellArray
_ndarray = _backend.ndarray


@shows("grad expanded to self's shape")
def unreduce(F, g, shape, dims, keepdim):
    """Spread g (the gradient of a reduction over `dims`) back to `shape`."""
    if not keepdim:
        g = F.reshape(g, _keepdim_shape(shape, dims))
    return F.expand(g, shape)


def _dims(dim):
    """A single dim as the tuple reductions take; None (0-d input) is everything;
    a tuple as it is (vmap's rule for a 0-d sample's None: its own dims, none)."""
    return None if dim is None else dim if dim.__class__ is tuple else (dim,)


def _ratio(a, b):
    """a / b for Python numbers, inf where b is 0 (as the float arithmetic gives)."""
    return a / b if b else float("inf")


def _keepdim_shape(shape, dims):
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _count(shape, dims):
    n = 1
    for i, s in enumerate(shape):
        if dims is None or i in dims:
            n *= s
    return n


# --- forwards (raw arrays) --------------------------------------------------------
# Defined before the table so that it names them directly: a lambda around each
# would cost a Python call per op.  `shape` (the input's) is for the formulas;
# `xp`, the array namespace, is NumPy's unless _backend.bind gives another.
def _arg(method, dim, keepdim, xp):
    out = method() if dim is None else method(axis=dim, keepdims=keepdim)
    return xp.asarray(out, dtype=_INT64)


def _truth(method, x, dims, keepdim, xp):
    out = xp.asarray(method(axis=dims, keepdims=keepdim))
    return out.astype(_UINT8) if x.dtype == _UINT8 else out   # as PyTorch


def _mean(x, dims, keepdim, shape=None):
    # sum / count: NumPy's mean() costs several times more, and warns on empty
    # slices where PyTorch gives nan silently (float16 keeps mean's accuracy).
    if dims is None and not keepdim and x.size and x.dtype.itemsize >= 4:
        return x.sum() / x.size
    if x.dtype.itemsize >= 4 or not x.size:
        return x.sum(axis=dims, keepdims=keepdim) / _count(x.shape, dims)
    return x.mean(axis=dims, keepdims=keepdim)


def _take(x, idx, dim, keepdim, shape=None, *, xp=_XP):
    out = xp.take_along_axis(x, xp.expand_dims(idx, dim) if not keepdim else idx, axis=dim)
    return out if keepdim else xp.squeeze(out, axis=dim)


def _norm(x, p, dims, keepdim, shape=None, *, xp=_XP):
    if p == 2 and dims is None and not keepdim:
        if x.ndim == 0:
            # (a NumPy scalar's abs, the 0-d ufunc's bits at a quarter of its
            # cost: the seeds' `while b.norm() < 1000`; the dispatch point
            # makes the result a 0-d array again)
            return abs(x[()]) if x.__class__ is _ndarray else xp.abs(x)
        f = x.ravel()
        return xp.sqrt(xp.dot(f, f))      # one BLAS call
    if p == 2:
        return xp.sqrt((x * x).sum(axis=dims, keepdims=keepdim))
    a = xp.abs(x)
    if p == float("inf"):
        return a.max(axis=dims, keepdims=keepdim)
    if p == 1:
        return a.sum(axis=dims, keepdims=keepdim)
    if p == 0:
        return (a != 0).sum(axis=dims, keepdims=keepdim).astype(x.dtype)
    return (a ** p).sum(axis=dims, keepdims=keepdim) ** (1.0 / p)


def _var(x, dims, correction, keepdim, shape=None):
    n = _count(x.shape, dims)
    # (empty input: no mean(), whose warning PyTorch does not give; the result is NaN)
    d = x - (x.mean(axis=dims, keepdims=True) if x.size else x.sum(axis=dims, keepdims=True))
    return (d * d).sum(axis=dims, keepdims=keepdim) / _builtin_max(n - correction, 0)


def _logsumexp(x, dims, keepdim, shape=None, *, xp=_XP):
    m = x.max(axis=dims, keepdims=True) if x.size else xp.zeros_like(x, shape=_keepdim_shape(x.shape, dims))
    m = xp.where(xp.isfinite(m), m, 0)
    s = xp.log(xp.exp(x - m).sum(axis=dims, keepdims=True)) + m
    return s if keepdim else s.reshape(tuple(n for i, n in enumerate(x.shape) if dims is not None and i not in dims))


def _softmax(x, dim, *, xp=_XP):
    if not x.size:
        return x.copy()
    e = xp.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _log_softmax(x, dim, *, xp=_XP):
    if not x.size:
        return x.copy()
    s = x - x.max(axis=dim, keepdims=True)
    return s - xp.log(xp.exp(s).sum(axis=dim, keepdims=True))


# name, forward(x, *params), d/dx formula
# (forwards take the params in order; `shape`, the input's, is for the formulas)
SUM = defop("sum", lambda x, dims, keepdim, shape=None:
            x.sum() if dims is None and not keepdim else x.sum(axis=dims, keepdims=keepdim),
            lambda F, g, shape, dims, keepdim: unreduce(F, g, shape, dims, keepdim),
            params=("dims", "keepdim", "shape"))
MEAN = defop("mean", _mean,
             lambda F, g, shape, dims, keepdim:
             unreduce(F, g, shape, dims, keepdim) / _builtin_max(_count(shape, dims), 1),
             params=("dims", "keepdim", "shape"))
# prod: d/dx_i = product of the others, computed without dividing by zero.
PROD = defop("prod", lambda x, dims, keepdim, shape=None: x.prod(axis=dims, keepdims=keepdim),
             lambda F, g, x, out, shape, dims, keepdim: _prod_grad(F, g, x, out, shape, dims, keepdim),
             params=("dims", "keepdim", "shape"))
# amax/amin, and max()/min() over everything: ties share the gradient evenly.
AMAX = defop("amax", lambda x, dims, keepdim, shape=None: x.max(axis=dims, keepdims=keepdim),
             lambda F, g, x, out, shape, dims, keepdim: _extreme_grad(F, g, x, out, shape, dims, keepdim),
             params=("dims", "keepdim", "shape"))
AMIN = defop("amin", lambda x, dims, keepdim, shape=None: x.min(axis=dims, keepdims=keepdim),
             lambda F, g, x, out, shape, dims, keepdim: _extreme_grad(F, g, x, out, shape, dims, keepdim),
             params=("dims", "keepdim", "shape"))
# max(dim)/min(dim) return indices: the gradient goes to the chosen element only.
MAX_DIM = defop("max_dim", _take,
                lambda F, g, idx, dim, keepdim, shape: F.scatter_along(g, idx, dim, keepdim, shape),
                params=("idx", "dim", "keepdim", "shape"), node_name="MaxBackward0")
NORM = defop("norm", _norm,
             lambda F, g, x, out, p, shape, dims, keepdim: _norm_grad(F, g, x, out, p, shape, dims, keepdim),
             params=("p", "dims", "keepdim", "shape"), node_name="LinalgVectorNormBackward0")
VAR = defop("var", _var,
            lambda F, g, x, shape, dims, correction, keepdim:
            unreduce(F, g, shape, dims, keepdim) * (x - F.mean(x, dims, True))
            * _ratio(2.0, _count(shape, dims) - correction),
            params=("dims", "correction", "keepdim", "shape"))
STD = defop("std", lambda x, dims, correction, keepdim, shape=None, *, xp=_XP:
            xp.sqrt(_var(x, dims, correction, keepdim)),
            lambda F, g, x, out, shape, dims, correction, keepdim:
            unreduce(F, g * (out != 0) / F.where(out == 0, 1, out), shape, dims, keepdim)
            * (x - F.mean(x, dims, True)) * _ratio(1.0, _count(shape, dims) - correction),
            params=("dims", "correction", "keepdim", "shape"))
LOGSUMEXP = defop("logsumexp", _logsumexp,
                  lambda F, g, x, out, shape, dims, keepdim:
                  unreduce(F, g, shape, dims, keepdim) * F.exp(x - unreduce(F, out, shape, dims, keepdim)),
                  params=("dims", "keepdim", "shape"))
SOFTMAX = defop("softmax", _softmax,
                lambda F, g, out, dim: out * (g - F.sum(g * out, _dims(dim), True)),
                params=("dim",))
LOG_SOFTMAX = defop("log_softmax", _log_softmax,
                    lambda F, g, out, dim: g - F.exp(out) * F.sum(g, _dims(dim), True),
                    params=("dim",), node_name="LogSoftmaxBackward0")


# Reductions without a derivative: index results and truth values.
ARGMAX = defop("argmax", lambda x, dim, keepdim, *, xp=_XP: _arg(x.argmax, dim, keepdim, xp),
               quiet=False)
ARGMIN = defop("argmin", lambda x, dim, keepdim, *, xp=_XP: _arg(x.argmin, dim, keepdim, xp),
               quiet=False)
ALL = defop("all", lambda x, dims, keepdim, *, xp=_XP: _truth(x.all, x, dims, keepdim, xp),
            quiet=False)
ANY = defop("any", lambda x, dims, keepdim, *, xp=_XP: _truth(x.any, x, dims, keepdim, xp),
            quiet=False)
COUNT = defop("count", lambda x, dims: x.sum(axis=dims, keepdims=True))   # a mask's, for formulas


# --- backward helpers (written with F, so they serve both modes) ---------------
def _prod_grad(F, g, x, out, shape, dims, keepdim):
    zero = x == 0
    nonzero_prod = F.prod(F.where(zero, 1, x), dims, True)         # product of the nonzeros
    zeros = F.sum_nograd(zero, dims)                                # how many zeros per slice
    # At a nonzero x: the product of the others is out / x (0 when the slice has
    # a zero).  At a zero: the product of the nonzeros if it is the only zero,
    # else 0.
    others = F.where(zero, nonzero_prod * (zeros == 1),
                     unreduce(F, out, shape, dims, keepdim) / F.where(zero, 1, x))
    return unreduce(F, g, shape, dims, keepdim) * others


def _extreme_grad(F, g, x, out, shape, dims, keepdim):
    hit = x == unreduce(F, out, shape, dims, keepdim)
    count = F.sum_nograd(hit, dims)
    return unreduce(F, g, shape, dims, keepdim) * hit / count


def _norm_grad(F, g, x, out, p, shape, dims, keepdim):
    g = unreduce(F, g, shape, dims, keepdim)
    out = unreduce(F, out, shape, dims, keepdim)
    if p == 2:
        return g * x / F.where(out == 0, 1, out)
    if p == 1:
        return g * F.sign(x)
    if p == float("inf"):
        a = F.abs(x)
        hit = a == out
        return g * F.sign(x) * hit / F.sum_nograd(hit, dims)
    a = F.abs(x)
    return g * F.sign(x) * F.pow(a, p - 1) / F.where(out == 0, 1, F.pow(out, p - 1))


# --- public functions -----------------------------------------------------------
def _reduction_args(input, dim):
    input = as_tensor_arg(input)
    d = input._data
    dims = normalize_dims(dim, d.ndim)
    # A 0-d tensor has one element and accepts dim 0 / -1: reduce over "all".
    return input, d, None if d.ndim == 0 else dims


_SUM_ALL = SUM.variant("SumBackward0")
_SUM_DIM = SUM.variant("SumBackward1")
_MEAN_ALL = MEAN.variant("MeanBackward0")
_MEAN_DIM = MEAN.variant("MeanBackward1")
_PROD_ALL = PROD.variant("ProdBackward0")
_PROD_DIM = PROD.variant("ProdBackward1")
_MAX_ALL = AMAX.variant("MaxBackward1")
_MIN_ALL = AMIN.variant("MinBackward1")
_MIN_DIM = MAX_DIM.variant("MinBackward0")
_MAX_DIM0 = AMAX.variant("MaxBackward0")
_MIN_DIM0 = AMIN.variant("MinBackward0")


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return _out.into(out, sum(input, dim, keepdim, dtype=_out.reduction_dtype(dtype, out)),
                         "sum")
    if dim is None and dtype is None and input.__class__ is Tensor:
        d = input._data
        if d.dtype.kind == "f":                          # the common case, fast
            return apply_one(SUM, input, d, (None, keepdim, d.shape) if keepdim
                             else (None, False, d.shape), _SUM_ALL)
    input, d, dims = _reduction_args(input, dim)
    if dtype is not None:
        d = d.astype(_dtypes.as_dtype(dtype).np)
    elif d.dtype.kind in "bi" or d.dtype.kind == "u":
        d = d.astype(_INT64)         # PyTorch sums integers and bools as int64
    return apply(SUM, (input,), (d,), (dims, keepdim, d.shape),
                 _SUM_ALL if dim is None else _SUM_DIM)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        if dtype is not None:
            dtype = _out.reduction_dtype(dtype, out)
        return _out.into(out, mean(input, dim, keepdim, dtype=dtype), "mean",
                         cast=(RuntimeError, "mean.dtype_out(): input types can't be cast to "
                                             "the desired output type {o}"))
    input, d, dims = _reduction_args(input, dim)
    if dtype is not None:
        d = d.astype(_dtypes.as_dtype(dtype).np)
    if d.dtype.kind not in "fc":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_dtypes.FROM_NP[d.dtype].legacy}")
    node = _MEAN_ALL if dim is None else _MEAN_DIM
    if input.__class__ is Tensor:                # (the dispatch point's one-tensor path)
        return apply_one(MEAN, input, d, (dims, keepdim, d.shape), node)
    return apply(MEAN, (input,), (d,), (dims, keepdim, d.shape), node)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return _out.into(out, prod(input, dim, keepdim, dtype=_out.reduction_dtype(dtype, out)),
                         "prod")
    input, d, dims = _reduction_args(input, dim)
    if dims is not None and len(dims) != 1:
        raise TypeError("prod(): argument 'dim' must be int")
    if dtype is not None:
        d = d.astype(_dtypes.as_dtype(dtype).np)
    elif d.dtype.kind in "bui":
        d = d.astype(_INT64)
    return apply(PROD, (input,), (d,), (dims, keepdim, d.shape),
                 _PROD_ALL if dim is None else _PROD_DIM)


class _ReturnType(tuple):
    """torch.return_types.max and friends: a (values, indices) named tuple."""
    _name = "max"

    def __new__(cls, values, indices):
        return tuple.__new__(cls, (values, indices))

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


_RETURN_TYPES = {}


def _return_type(name):
    cls = _RETURN_TYPES.get(name)
    if cls is None:
        cls = type(name, (_ReturnType,), {"_name": name})
        _RETURN_TYPES[name] = cls
    return cls


def _extreme(input, dim, keepdim, other, is_max):
    if other is not None:                     # torch.max(a, b) is maximum
        return (maximum if is_max else minimum)(input, other)
    input = as_tensor_arg(input)
    d = input._data
    if d.__class__ is _SHELL_ARRAY:
        _shell.refuse(f"{'max' if is_max else 'min'}_{'all' if dim is None else 'cpu'}", input)
    if d.dtype.kind == "c":
        if dim is None:
            raise NotImplementedError(f"\"{'max' if is_max else 'min'}_all\" not implemented for "
                                      f"'{input.dtype.legacy}'")
        raise RuntimeError(f"{'max' if is_max else 'min'}(): does not support complex input")
    if dim is None:
        if d.size == 0:
            raise RuntimeError(
                f"{'max' if is_max else 'min'}(): Expected reduction dim to be specified for "
                "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        return apply(AMAX if is_max else AMIN, (input,), (d,), (None, False, d.shape),
                     _MAX_ALL if is_max else _MIN_ALL)
    dim = normalize_dim(dim, d.ndim)
    if d.ndim and d.shape[dim] == 0:
        raise IndexError(f"{'max' if is_max else 'min'}(): Expected reduction dim {dim} to have "
                         "non-zero size.")
    if d.ndim == 0:             # one element: it is the extreme, at index 0
        values = apply(AMAX if is_max else AMIN, (input,), (d,), (None, False, d.shape),
                       _MAX_DIM0 if is_max else _MIN_DIM0)
        return _return_type("max" if is_max else "min")(
            values, apply(ARGMAX, (input,), (d,), (None, False)))
    indices = apply(ARGMAX if is_max else ARGMIN, (input,), (d,), (dim, keepdim))
    values = apply(MAX_DIM, (input,), (d,), (indices._data, dim, keepdim, d.shape),
                   None if is_max else _MIN_DIM)
    return _return_type("max" if is_max else "min")(values, indices)


# max / min with out=: the kernel's own words for an out of a narrower dtype
_CAN_CAST = (RuntimeError, "Expected canCast( typeMetaToScalarType(self.dtype()), "
                           "typeMetaToScalarType(out.dtype())) to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    if out is not None:
        return _out.into(out, max(input, dim, keepdim, other=other), "max",
                         cast=_CAN_CAST)
    if isinstance(dim, Tensor):
        return _extreme(input, None, False, dim, True)
    return _extreme(input, dim, keepdim, other, True)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    if out is not None:
        return _out.into(out, min(input, dim, keepdim, other=other), "min",
                         cast=_CAN_CAST)
    if isinstance(dim, Tensor):
        return _extreme(input, None, False, dim, False)
    return _extreme(input, dim, keepdim, other, False)


def _check_nonempty(name, d, dims, dim):
    for k in (dims or ()):
        if d.shape[k] == 0:
            shown = dim if not isinstance(dim, (tuple, list)) else k
            raise IndexError(f"{name}(): Expected reduction dim {shown} to have non-zero size.")


def _check_dim_given(name, d, dims):
    if dims is None and d.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")


def amax(input, dim=(), keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, amax(input, dim, keepdim), "amax",
                         exact="Expected the dtype for input and out to match, but got {r} for "
                               "input's dtype and {o} for out's dtype.")
    input, d, dims = _reduction_args(input, None if dim == () else dim)
    _no_complex(d, "max_values_cpu")
    _check_dim_given("amax", d, dims)
    _check_nonempty("amax", d, dims, dim)
    return apply(AMAX, (input,), (d,), (dims, keepdim, d.shape))


def amin(input, dim=(), keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, amin(input, dim, keepdim), "amin",
                         exact="Expected the dtype for input and out to match, but got {r} for "
                               "input's dtype and {o} for out's dtype.")
    input, d, dims = _reduction_args(input, None if dim == () else dim)
    _no_complex(d, "min_values_cpu")
    _check_dim_given("amin", d, dims)
    _check_nonempty("amin", d, dims, dim)
    return apply(AMIN, (input,), (d,), (dims, keepdim, d.shape))


def argmax(input, dim=None, keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, argmax(input, dim, keepdim), "argmax", exact=_out.EXPECTED)
    return _index_reduction(ARGMAX, "argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, argmin(input, dim, keepdim), "argmin", exact=_out.EXPECTED)
    return _index_reduction(ARGMIN, "argmin", input, dim, keepdim)


def _no_complex(d, kernel):
    if d.dtype.kind == "c" or d.__class__ is _SHELL_ARRAY:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtypes.FROM_NP[d.dtype].legacy}'")


def _index_reduction(op, name, input, dim, keepdim):
    input = as_tensor_arg(input)
    d = input._data
    if d.dtype.kind == "c":
        raise RuntimeError(f"{name}(): does not support complex input")
    if dim is None:
        if d.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
    else:
        dim = normalize_dim(dim, d.ndim)
        if d.ndim and d.shape[dim] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
        if not d.ndim:
            dim = None
    return apply(op, (input,), (d,), (dim, keepdim))


def all(input, dim=None, keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, all(input, dim, keepdim), "all",
                         exact="all only supports bool tensor for result, got: {o}")
    return _truth_reduction(ALL, input, dim, keepdim)


def any(input, dim=None, keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, any(input, dim, keepdim), "any",
                         exact="any only supports bool tensor for result, got: {o}")
    return _truth_reduction(ANY, input, dim, keepdim)


def _truth_reduction(op, input, dim, keepdim):
    input, d, dims = _reduction_args(input, dim)
    return apply(op, (input,), (d,), (dims, keepdim))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None, *, out=None):
    if out is not None:
        return _out.into(out, norm(input, p, dim, keepdim, dtype), "norm", exact=_out.EXPECTED)
    if dim is None and (p == "fro" or p == 2) and not keepdim and input.__class__ is Tensor:
        d = input._data
        if d.dtype.kind == "f":                          # the common case, fast
            return apply_one(NORM, input, d, (2, None, False, d.shape))
    input, d, dims = _reduction_args(input, dim)
    if p is None or p == "fro":
        p = 2
    if d.dtype.kind not in "fc":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {_dtypes.FROM_NP[d.dtype].legacy}")
    if d.dtype.kind == "c":              # the norm of the moduli (abs: PyTorch's gradient)
        return norm(input.abs(), p, dim, keepdim, dtype)
    return apply(NORM, (input,), (d,), (p, dims, keepdim, d.shape))


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _var_args(name, input, dim, unbiased, correction):
    if isinstance(dim, bool):                       # var(x, False): the old `unbiased` slot
        dim, unbiased = None, dim
    input, d, dims = _reduction_args(input, dim)
    if d.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    c = _correction(unbiased, correction)
    if _count(d.shape, dims) - c <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return input, d, dims, c


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    if out is not None:
        return _out.into(out, var(input, dim, unbiased, keepdim, correction=correction), "var")
    input, d, dims, c = _var_args("var", input, dim, unbiased, correction)
    if d.dtype.kind == "c":
        return _complex_spread(input, dims, c, keepdim, False)
    return apply(VAR, (input,), (d,), (dims, c, keepdim, d.shape))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    if out is not None:
        return _out.into(out, std(input, dim, unbiased, keepdim, correction=correction), "std")
    input, d, dims, c = _var_args("std", input, dim, unbiased, correction)
    if d.dtype.kind == "c":
        return _complex_spread(input, dims, c, keepdim, True)
    return apply(STD, (input,), (d,), (dims, c, keepdim, d.shape))


def _complex_spread(input, dims, c, keepdim, root):
    """var of complex values: E|z - mean z|^2 = var(Re z) + var(Im z) (real), and
    its square root; the last node named as PyTorch names var's and std's."""
    re, im = input.real, input.imag
    parts = [apply(VAR, (p,), (p._data,), (dims, c, keepdim, p._data.shape)) for p in (re, im)]
    out = parts[0] + parts[1]
    if root:
        out = out.sqrt()
    node = out._grad_fn
    if node is not None:
        node.__class__ = complex_like(node, node._op.variant("StdBackward0" if root else
                                                             "VarBackward0"))
    return out


def logsumexp(input, dim, keepdim=False, *, out=None):
    if out is not None:
        return _out.into(out, logsumexp(input, dim, keepdim), "logsumexp",
                         cast=(RuntimeError, "logsumexp(): Expected floating point type for "
                                             "result tensor, but got: {o}"))
    input, d, dims = _reduction_args(input, dim)
    d = to_float_array(d)
    return apply(LOGSUMEXP, (input,), (d,), (dims, keepdim, d.shape))


def softmax(input, dim=None, dtype=None, *, _stacklevel=None):
    input = as_tensor_arg(input)
    d = input._data if dtype is None else input._data.astype(_dtypes.as_dtype(dtype).np)
    dim = normalize_dim(_implicit_dim(dim, d.ndim, "softmax"), d.ndim) if d.ndim else None
    if d.dtype.kind not in "fc":
        raise _no_kernel("softmax", d, dim)
    return apply(SOFTMAX, (input,), (d,), (dim,))


def log_softmax(input, dim=None, dtype=None, *, _stacklevel=None):
    input = as_tensor_arg(input)
    d = input._data if dtype is None else input._data.astype(_dtypes.as_dtype(dtype).np)
    dim = normalize_dim(_implicit_dim(dim, d.ndim, "log_softmax"), d.ndim) if d.ndim else None
    if d.dtype.kind not in "fc":
        raise _no_kernel("log_softmax", d, dim)
    return apply(LOG_SOFTMAX, (input,), (d,), (dim,))


def _needs_dim(fn):
    """torch.softmax(x, dim) and x.softmax(dim) (and the log_ forms): dim is
    required there; only nn.functional's forms choose one, with a warning."""
    name = fn.__name__

    def needs_dim(input, dim=None, dtype=None, *, out=None):
        if out is not None:
            return _out.into(out, needs_dim(input, dim, dtype), name, exact=_out.EXPECTED)
        if dim is None:
            raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
        return fn(input, dim, dtype)
    needs_dim.__name__ = needs_dim.__qualname__ = name
    return needs_dim


def _no_kernel(name, d, dim):
    """PyTorch has no integer softmax kernels; its error names the one it looked for."""
    kernel = "lastdim_kernel_impl" if dim is None or dim == d.ndim - 1 else "kernel_impl"
    return NotImplementedError(
        f"\"{name}_{kernel}\" not implemented for '{_dtypes.FROM_NP[d.dtype].legacy}'")


def _implicit_dim(dim, ndim, name="softmax"):
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def _count_tensor(x, dims):
    """How many True in a bool mask over dims (kept): a constant in formulas."""
    return apply(COUNT, (x,), (x._data,), (dims,))


# --- public forms -----------------------------------------------------------------
for _fn in (sum, mean, prod):
    expose(_fn)
for _fn in (max, min, amax, amin, argmax, argmin, all, any, norm, var, std, logsumexp,
            _needs_dim(softmax), _needs_dim(log_softmax)):
    expose(_fn, formulas=False)
TensorOps.sum_nograd = staticmethod(_count_tensor)
array_op("sum_nograd", COUNT.declared_forward)


# vmap (ops/_batching.py): the dims params move past the batch dimension, the
# shape params gain it.
_batching.batching(_batching.reducing(0, 2), SUM, MEAN, PROD, AMAX, AMIN, LOGSUMEXP)
_batching.batching(_batching.reducing(1, 3), NORM)
_batching.batching(_batching.reducing(0, 3), VAR, STD)
_batching.batching(_batching.reducing(0), SOFTMAX, LOG_SOFTMAX, ALL, ANY, COUNT)
_batching.batching(_batching.reducing(0, none_means_all=False), ARGMAX, ARGMIN)

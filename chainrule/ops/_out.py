"""`out=`: an op's result written into tensors the caller gives, as PyTorch's
out= forms do.

Each public function that PyTorch gives an `out=` keyword takes `*, out=None`
itself and, first thing, one branch:

    def add(input, other, *, alpha=1, out=None):
        if out is not None:
            return into(out, add(input, other, alpha=alpha), "add")

so the common call (no out) pays one `is not None` test and no extra call
layer (a wrapper around every public function would cost about 5% a call).
One cost remains: CPython (3.11) does not specialize a call to a function
with keyword-only parameters, about 15-25 ns a call more for the functions
that had none (sin, matmul, lt...); the hottest of them earned it back in
their own bodies (pointwise.unary, _comparison, linalg.matmul).
`into` then does what PyTorch's out= kernels do:
- autograd: out= forms are not differentiable.  With grad mode on, a result
  that requires grad (some input did) or an `out` that requires grad is
  PyTorch's RuntimeError; under no_grad the write goes ahead.  Forward mode
  too: a tangent on an input or on out is PyTorch's NotImplementedError.
- dtype: the result is cast into out's dtype by PyTorch's rule (no floats
  into integers, nothing but bool into bool); ops whose kernels want the
  exact dtype (matrix products, linalg, rounding...) give `exact=`, that
  kernel's message (EXPECTED, FOUND, DOT or one of their own).
- shape: an `out` of another shape is resized (a fresh array of the result's
  shape; PyTorch warns when it had elements); one of the right shape, a view
  or non-contiguous included, is written in place.
- the write is an in-place change (_inplace.apply): out's version counter
  bumps, a view writes through to its base.  An out that is also an input
  (torch.add(a, b, out=a)) works: the result is computed first.
Ops with several results (max(dim), sort, slogdet...) take a tuple of
tensors and return the tuple of the given ones, as their named tuple.
"""
from .. import _dtypes
from .._errors import warn_at_caller
from .._grad_mode import STATE
from .._inplace_state import FW_ACTIVE
from .._tensor import Tensor
from . import _backend

__all__ = ["into", "copy_into", "check_tuple", "factory_dtype", "reduction_dtype", "castable",
           "EXPECTED", "FOUND", "DOT", "CAT"]

_C_NAMES = _dtypes.C_NAMES      # (PyTorch's C++ names, as "Expected out tensor to have dtype" says them)


# The messages of the kernels that want the result's exact dtype: {r} and {o}
# are the result's and out's dtypes as PyTorch's legacy names (Float, Long),
# {rc} and {oc} as its C++ names (float, long int).
EXPECTED = "Expected out tensor to have dtype {rc}, but got {oc} instead"
FOUND = "Found dtype {o} but expected {r}"              # (unary kernels: abs, floor, neg...)
DOT = "result dtype {o} does not match input dtype {r}"
CAT = (TypeError, "torch.cat(): input types can't be cast to the desired output type {o}")


def castable(prefix, part="result"):
    """The linalg kernels' own wording of the cast refusal (`cast=`):
    castable("cholesky") -> 'cholesky: Expected result to be safely castable
    from Float dtype, but got result with dtype Long'."""
    return (RuntimeError, f"{prefix}: Expected {part} to be safely castable from {{r}} dtype, "
                          f"but got {part} with dtype {{o}}")


def _no_forward_ad(name, results, outs):
    """PyTorch's refusal of out= while a dual level is open and a tangent is involved."""
    if any(t._fw_tangent is not None for t in results) or \
            any(isinstance(o, Tensor) and o._fw_tangent is not None for o in outs):
        raise NotImplementedError(f"Trying to use forward AD with {name}_out that does not "
                                  "support it because it is an out= function")


def _no_autograd(name):
    return RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                        "differentiation, but one of the arguments requires grad.")


def into(out, result, name, exact=None, cast=None, casts=None):
    """Write `result` (a Tensor, or a named tuple of them) into `out` and
    return `out` (see the module docstring); `name` is the op as PyTorch's
    messages name it.  `cast`: (exception type, message) where the kernel
    words the refusal of a cast its own way (formatted as `exact`; with
    both, `exact` speaks for the castable dtypes).  A tuple result wants
    each out of its part's exact dtype, unless `casts` gives one such pair
    per part (the parts are then cast by PyTorch's rule)."""
    if isinstance(result, tuple):
        return _into_tuple(out, result, name, casts)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if STATE.enabled and (result._requires_grad or out._requires_grad):
        raise _no_autograd(name)
    if FW_ACTIVE[0]:
        _no_forward_ad(name, (result,), (out,))
    _write(out, result, name, exact, cast)
    return out


def check_tuple(out, n, name):
    """PyTorch's argument parser on a tuple out of n tensors."""
    if not isinstance(out, (tuple, list)) or not all(isinstance(o, Tensor) for o in out):
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not "
                        f"{type(out).__name__}")
    if len(out) != n:
        raise TypeError(f"{name}(): argument 'out' must be tuple of {n} Tensors, not {len(out)}")


def _into_tuple(out, result, name, casts=None):
    check_tuple(out, len(result), name)
    if STATE.enabled and any(r._requires_grad for r in result) or \
            STATE.enabled and any(o._requires_grad for o in out):
        raise _no_autograd(name)
    if FW_ACTIVE[0]:
        _no_forward_ad(name, result, out)
    parts = [(EXPECTED, None) if casts is None else (None, casts[k]) for k in range(len(out))]
    for o, r, (exact, cast) in zip(out, result, parts):      # (every dtype checked first)
        _check_dtype(o, r, exact, cast)
    for o, r, (exact, cast) in zip(out, result, parts):
        _write(o, r, name, exact, cast)
    return tuple.__new__(type(result), tuple(out))


def _check_dtype(out, result, exact, cast):
    rd, od = result._data, out._data
    if rd.dtype != od.dtype:
        # _inplace imports ops.shape, whose imports reach _factories, which imports this module:
        from .. import _inplace     # (cycle: imported here, not at the top)
        rt, ot = _dtypes.FROM_NP[rd.dtype], _dtypes.FROM_NP[od.dtype]
        names = dict(r=rt.legacy, o=ot.legacy, rc=_C_NAMES[rt.name], oc=_C_NAMES[ot.name])
        ok = _inplace._can_cast(rd.dtype.kind, od.dtype.kind)
        if exact is not None and (ok or cast is None):
            raise RuntimeError(exact.format(**names))
        if not ok:
            kind, text = cast or (RuntimeError, "result type {r} can't be cast to the desired "
                                                "output type {o}")
            raise kind(text.format(**names))


def _write(out, result, name, exact, cast=None):
    # _inplace imports ops.shape, whose imports reach _factories, which imports this module:
    from .. import _inplace     # (cycle: imported here, not at the top)
    if result._data.dtype != out._data.dtype:
        _check_dtype(out, result, exact, cast)
    if result._data.shape != out._data.shape:
        _resize(out, result._data.shape)
    _inplace.apply(out, lambda old: result)


def _resize(out, shape):
    od = out._data
    if od.shape != shape:
        if od.size:
            warn_at_caller(
                "An output with one or more elements was resized since it had shape "
                f"{list(od.shape)}, which does not match the required output shape "
                f"{list(shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                "with t.resize_(0).")
        # A fresh array of the new shape: out no longer views another tensor.
        out._data = _backend.namespace(od).empty(shape, dtype=od.dtype)
        out._view_of = None


def copy_into(out, result, name, exact=None, cast=None):
    """PyTorch's composite out= forms (linalg.norm, linalg.matrix_norm,
    linalg.cond...): out is resized as `into` does, then `out.copy_(result)`,
    an in-place copy that autograd and forward mode record (CopyBackwards),
    where `into` refuses them."""
    # _inplace imports ops.shape, whose imports reach _factories, which imports this module:
    from .. import _inplace     # (cycle: imported here, not at the top)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    _check_dtype(out, result, exact, cast)
    if STATE.enabled:
        _inplace.check_leaf(out)
    _resize(out, result._data.shape)
    out.copy_(result)
    return out


def factory_dtype(dtype, out):
    """A factory's dtype with out= (zeros(3, out=t)): out's, unless given (and then the same)."""
    if dtype is None:
        return _dtypes.FROM_NP[out._data.dtype]
    dt = _dtypes.as_dtype(dtype)
    if dt.np != out._data.dtype:
        raise RuntimeError(f"dtype {dt.legacy} does not match dtype of out parameter "
                           f"({_dtypes.FROM_NP[out._data.dtype].legacy})")
    return dt


def reduction_dtype(dtype, out):
    """The dtype sum, prod, cumsum... compute in with out= (as PyTorch's: out's,
    the input cast to it first; a `dtype=` given must be out's)."""
    od = _dtypes.FROM_NP[out._data.dtype] if isinstance(out, Tensor) else None
    if dtype is None or od is None:
        return od
    dt = _dtypes.as_dtype(dtype)
    if dt is not od:
        raise RuntimeError(EXPECTED.format(rc=_C_NAMES[dt.name], oc=_C_NAMES[od.name]))
    return dt

"""vmap: a function of one sample, run on a batch.

    vmap(f)(x)                         # f(x[0]), f(x[1]), ... stacked
    vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ys)   # per-sample gradients

The batched arguments are moved to have their batch dimension first and
wrapped as BatchedTensors of a new level (_batched.py); f runs once, on
them, every op computing on the whole batch (ops/_batching.py: broadcasting
and small rules, a loop over the batch for ops without one); the results are
unwrapped and their batch dimension moved to `out_dims`.  Graphs are
recorded on the batch, so gradients flow through vmap, and grad / vjp / jvp /
jacrev / jacfwd / hessian compose with it in either order.

This module holds the argument handling and PyTorch's messages for misuse.
"""
import functools

from .. import _batched
from .._batched import BatchedTensor
from .._inplace_state import CAPTURE as _CAPTURE, VMAP_ACTIVE as _VMAP_ACTIVE
from .._tensor import Tensor
from ..ops import shape as _shape, select as _select
from ._pytree import tree_flatten, tree_unflatten

__all__ = ["vmap"]

_RANDOMNESS = ("error", "different", "same")


def _name(func):
    return getattr(func, "__name__", repr(func))


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``func`` mapped over dimension ``in_dims`` of its arguments, the results
    stacked along ``out_dims`` (ints, None for arguments / results without
    a batch dimension, or pytrees of them matching the arguments / results).

    ``randomness``: 'error' (random ops inside raise), 'same' (one draw shared
    by the batch) or 'different' (one draw per sample).  ``chunk_size``: run
    the batch in chunks of that many samples (less memory, more calls)."""
    if randomness not in _RANDOMNESS:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        if _CAPTURE[0] is not None:        # (inside chainrule.compile's first call)
            _CAPTURE[0].escape(None, "vmap")
        try:
            return _vmap_call(func, in_dims, out_dims, randomness, chunk_size, args, kwargs)
        except _batched.Unbatchable as e:
            if _batched.TRYING[0] or _VMAP_ACTIVE[0]:
                raise                          # for the caller that loops, or the outer vmap
            raise RuntimeError(*e.args) from None
    return wrapped


# --- the arguments ---------------------------------------------------------------------------
def _spread(dims, spec, mismatch):
    """dims (a prefix tree of ints / None over `spec`) as one entry per leaf of
    spec; mismatch() is the error to raise where the structures differ."""
    out = []

    def walk(d, s):
        if not isinstance(d, (tuple, list, dict)):
            out.extend([d] * s.num_leaves)        # (a leaf: checked by the caller)
            return
        same = (type(d) is s.type and len(d) == len(s.children) and
                (s.type is not dict or list(d) == list(s.context) or set(d) == set(s.context)))
        if not same:
            raise mismatch()
        if isinstance(d, dict):
            for k, child in zip(s.context, s.children):
                walk(d[k], child)
        else:
            for dd, child in zip(d, s.children):
                walk(dd, child)
    walk(dims, spec)
    return out


def _broadcast_dims(dims, spec, func, in_dims, args_spec):
    return _spread(dims, spec, lambda: ValueError(_incompatible(func, in_dims, dims, args_spec)))


def _spec_of(tree):
    return tree_flatten(tree)[1]


def _incompatible(func, in_dims, dims, args_spec):
    return (f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible "
            f"with the structure of `inputs`. in_dims has structure {_spec_of(dims)} but inputs "
            f"has structure {args_spec}.")


def _batch_size(func, in_dims, flat_args, flat_dims):
    sizes = []
    for a, d in zip(flat_args, flat_dims):
        if d is None:
            continue
        if not isinstance(d, int):
            raise ValueError(
                f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                f"input but in_dim must be either an integer dimension or None.")
        if not isinstance(a, Tensor):
            raise ValueError(
                f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                f"input but the input is of type {type(a)}. We cannot vmap over non-Tensor "
                f"arguments, please use None as the respective in_dim")
        n = a.dim()
        if not -n <= d < n:
            raise ValueError(
                f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some "
                f"input, but that input is a Tensor of dimensionality {n} so expected in_dim to "
                f"satisfy -{n} <= in_dim < {n}.")
        sizes.append(a.shape[d])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0]


def _vmap_call(func, in_dims, out_dims, randomness, chunk_size, args, kwargs):
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(
            f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int "
            f"or a (potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}.")
    if len(args) == 0:
        raise ValueError(
            f"vmap({_name(func)})(<inputs>): got no inputs. Maybe you forgot to add inputs, or "
            f"you are trying to vmap over a function with no inputs. The latter is unsupported.")
    flat_args, args_spec = tree_flatten(args)
    flat_dims = _broadcast_dims(in_dims, args_spec, func, in_dims, args_spec)
    size = _batch_size(func, in_dims, flat_args, flat_dims)
    _check_out_dims(func, out_dims)
    if chunk_size is None or chunk_size >= size:
        return _run(func, size, flat_args, flat_dims, args_spec, out_dims, randomness, kwargs)
    pieces = []
    for start in range(0, size, chunk_size):
        n = min(chunk_size, size - start)
        chunk = [a if d is None else _shape.narrow(a, d, start, n)
                 for a, d in zip(flat_args, flat_dims)]
        pieces.append(_run(func, n, chunk, flat_dims, args_spec, out_dims, randomness, kwargs))
    flat0, out_spec = tree_flatten(pieces[0])
    flat_out_dims = _out_dims_for(func, out_dims, out_spec)
    columns = [tree_flatten(p)[0] for p in pieces]
    joined = []
    for k, od in enumerate(flat_out_dims):
        if od is None:
            joined.append(columns[0][k])
        else:
            joined.append(_shape.cat([col[k] for col in columns], od))
    return tree_unflatten(joined, out_spec)


def _check_out_dims(func, out_dims):
    flat, _ = tree_flatten(out_dims)
    if not all(d is None or isinstance(d, int) for d in flat):
        raise ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a "
            f"python collection of ints representing where in the outputs the vmapped dimension "
            f"should appear.")


def _out_dims_for(func, out_dims, out_spec):
    def mismatch():
        return ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
            f"compatible with the structure of `outputs`. out_dims has structure "
            f"{_spec_of(out_dims)} but outputs has structure {out_spec}.")
    if isinstance(out_dims, (tuple, list)) and len(out_dims) == 1 and out_spec.type is None:
        return [out_dims[0]]          # (out_dims=(0,) for a single tensor, as PyTorch allows)
    return _spread(out_dims, out_spec, mismatch)


# --- one run --------------------------------------------------------------------------------
def _run(func, size, flat_args, flat_dims, args_spec, out_dims, randomness, kwargs):
    # Batch dimensions first, outside the new level (an argument may be batched
    # at an enclosing vmap's level: its movedim is dispatched there).
    moved = [a if d is None else (a if d % a.dim() == 0 else _select.movedim(a, d, 0))
             for a, d in zip(flat_args, flat_dims)]
    level = _batched.push_level(size, randomness)
    try:
        wrapped = [a if d is None else _batched.wrap(a, level)
                   for a, d in zip(moved, flat_dims)]
        out = func(*tree_unflatten(wrapped, args_spec), **kwargs)
    finally:
        _batched.pop_level()
    flat_out, out_spec = tree_flatten(out)
    flat_out_dims = _out_dims_for(func, out_dims, out_spec)
    results = []
    for o, od in zip(flat_out, flat_out_dims):
        if od is None:
            if isinstance(o, BatchedTensor) and o._level == level:
                raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` can not return a "
                                 f"BatchedTensor when out_dim is None")
            results.append(o)
            continue
        if not isinstance(o, Tensor):
            raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` must only return "
                             f"Tensors, got type {type(o)}. Did you mean to set out_dims= to "
                             f"None for output?")
        if isinstance(o, BatchedTensor) and o._level == level:
            v = o._value
        else:                      # the same for every sample: expanded over the batch
            v = _shape.expand(_shape.unsqueeze(o, 0), size, *o.shape)
        if od not in (0, -v.dim()):      # (movedim raises PyTorch's error when out of range)
            v = _select.movedim(v, 0, od)
        results.append(v)
    return tree_unflatten(results, out_spec)


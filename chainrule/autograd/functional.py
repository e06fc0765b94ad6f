"""chainrule.autograd.functional: whole-function derivatives.

vjp, jvp, jacobian, hessian, hvp and vhp take a Python function of tensors
and return derivatives of it, with the same argument conventions, return
structures and error messages as torch.autograd.functional.

The derivative products themselves come from _jacobian_products (shared with
chainrule.func); this module keeps PyTorch's conventions around them:

* vjp is one reverse pass seeded with v.
* jvp, hvp and the "forward-mode" jacobian use the double-backward trick
  (a Linearization), as PyTorch's functional API does, so create_graph works
  for them as for the reverse products.
* jacobian stacks one reverse pass per output element (reverse-mode) or one
  Jacobian-vector product per input element (forward-mode).
* hessian is the jacobian of a gradient function; hvp / vhp are a gradient
  pass (kept differentiable) followed by a second product.

The user's tensors are never modified: the function is evaluated on fresh
leaves (or on views of the user's tensors when the caller wants a result that
stays differentiable with respect to them).
"""
from .. import _tensor
from .._grad_mode import enable_grad
from ._jacobian_products import (Linearization, fill_zeros, jacobian_columns, jacobian_rows,
                                 stack_blocks, vectorized_rows, vjp as _vjp)

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

Tensor = _tensor.Tensor

_STRATEGIES = ("forward-mode", "reverse-mode")


# ---------------------------------------------------------------------------
# argument normalisation and validation
# ---------------------------------------------------------------------------

def _as_tensor_tuple(obj, what, where):
    """Accept a Tensor or a tuple of Tensors; return (tuple, given_as_tuple).

    ``what`` names the argument in the message ("inputs", "v", ...), ``where``
    the public function.  Lists are rejected on purpose, as in PyTorch."""
    if isinstance(obj, Tensor):
        return (obj,), False
    if not isinstance(obj, tuple):
        raise TypeError(f"The {what} given to {where} must be either a Tensor or a tuple of "
                        f"Tensors but the given {what} has type {type(obj)}.")
    for i, item in enumerate(obj):
        if not isinstance(item, Tensor):
            raise TypeError(f"The {what} given to {where} must be either a Tensor or a tuple "
                            f"of Tensors but the value at index {i} has type {type(item)}.")
    return obj, True


def _outputs_of(func, args, where):
    """Run the user's function and normalise what it returned."""
    return _as_tensor_tuple(func(*args), "outputs of the user-provided function", where)


def _check_v_matches(vs, refs):
    """v must have one tensor per reference tensor, each of the same shape.

    The wording depends on whether the reference was a single tensor."""
    single = len(refs) == 1
    if len(vs) != len(refs):
        if single:
            raise RuntimeError("The given v should contain a single Tensor.")
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(refs)} "
                           f"but got {len(vs)}.")
    for i, (v, ref) in enumerate(zip(vs, refs)):
        if v.shape != ref.shape:
            prefix = "v has" if single else f"Entry {i} in v has"
            raise RuntimeError(f"{prefix} invalid size: should be {ref.shape} "
                               f"but got {v.shape}.")


def _default_v(refs, message):
    """v may be omitted only when it would be the 1x1 identity."""
    if len(refs) != 1 or refs[0].numel() != 1:
        raise RuntimeError(message)
    return (refs[0].new_ones(tuple(refs[0].shape)),)


def _expect_single_scalar(ys, given_as_tuple, where):
    """hessian / hvp / vhp need a scalar function."""
    if given_as_tuple:
        raise RuntimeError(f"The function given to {where} should return a single Tensor")
    if ys[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {where} should "
                           "contain a single element")


def _require_differentiable_outputs(ys):
    """strict mode: every output must be connected to the autograd graph."""
    for i, y in enumerate(ys):
        if not y.requires_grad:
            raise RuntimeError(f"Output {i} of the user-provided function does not require "
                               "gradients. The outputs must be computed in a differentiable "
                               "manner from the input when running in strict mode.")


def _independent_error(i):
    return RuntimeError(f"The output of the user-provided function is independent of input "
                        f"{i}. This is not allowed in strict mode.")


def _constant_jacobian_error(i):
    return RuntimeError(f"The jacobian of the user-provided function is independent of input "
                        f"{i}. This is not allowed in strict mode when create_graph=True.")


def _constant_hessian_error(i):
    return RuntimeError(f"The hessian of the user-provided function is independent of input "
                        f"{i}. This is not allowed in strict mode when create_graph=True.")


def _linear_function_error(i):
    return RuntimeError(
        "While computing the hessian, found that the jacobian of the user-provided function "
        f"with respect to input {i} is independent of the input. This is not allowed in "
        "strict mode. You should ensure that your function is twice differentiable and that "
        "the jacobian depends on the inputs (this would be violated by a linear function for "
        "example).")


# ---------------------------------------------------------------------------
# evaluation points and results
# ---------------------------------------------------------------------------

def _preprocess(ts, create_graph, need_graph):
    """New tensor objects for the user's inputs (``need_graph``: the leaves
    the function is evaluated on) and vectors v, as PyTorch's functional API
    makes them.

    With create_graph a tensor that already requires grad is passed as a
    view, so the returned derivatives stay connected to the caller's graph;
    everything else is detached (a leaf that requires grad when
    ``need_graph``), so the caller's tensors are neither modified, nor
    accumulated into, nor handed back as a result."""
    fresh = []
    for t in ts:
        if create_graph and t.requires_grad:
            fresh.append(t.view_as(t))
        else:
            fresh.append(t.detach().requires_grad_(need_graph))
    return tuple(fresh)


def _refuse_empty(ts):
    """PyTorch indexes the first input / output before looking further."""
    if not ts:
        raise IndexError("tuple index out of range")


def _postprocess(ts, create_graph):
    """Without create_graph nothing returned may hold on to the graph."""
    if create_graph:
        return tuple(ts)
    return tuple(t.detach() for t in ts)


def _shape_like(ts, as_tuple):
    return tuple(ts) if as_tuple else ts[0]


# ---------------------------------------------------------------------------
# vjp / jvp
# ---------------------------------------------------------------------------

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Outputs of ``func(*inputs)`` and the vector-Jacobian product v^T J.

    Returns ``(func_output, vjp)``; ``vjp`` has the structure of ``inputs``.
    ``v`` may be omitted when ``func`` returns a single one-element tensor."""
    with enable_grad():
        xs, in_tuple = _as_tensor_tuple(inputs, "inputs", "vjp")
        leaves = _preprocess(xs, create_graph, True)
        ys, out_tuple = _outputs_of(func, leaves, "vjp")
        if strict:
            _require_differentiable_outputs(ys)
        if v is None:
            vs = _default_v(ys, "The vector v can only be None if the user-provided function "
                                "returns a single Tensor with a single element.")
        else:
            vs, _ = _as_tensor_tuple(v, "v", "vjp")
            _check_v_matches(vs, ys)
            vs = _preprocess(vs, create_graph, False)
        grads = _vjp(ys, leaves, vs, create_graph)
        if strict:
            for i, g in enumerate(grads):
                if g is None:
                    raise _independent_error(i)
                if create_graph and not g.requires_grad:
                    raise _constant_jacobian_error(i)
        _refuse_empty(ys)
        grads = fill_zeros(grads, leaves)
        return (_shape_like(_postprocess(ys, create_graph), out_tuple),
                _shape_like(_postprocess(grads, create_graph), in_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Outputs of ``func(*inputs)`` and the Jacobian-vector product J v.

    Returns ``(func_output, jvp)``; ``jvp`` has the structure of the outputs.
    Computed with two reverse passes (see the module docstring)."""
    with enable_grad():
        xs, in_tuple = _as_tensor_tuple(inputs, "inputs", "jvp")
        if v is None:
            vs = _default_v(xs, "The vector v can only be None if the input to the "
                                "user-provided function is a single Tensor with a single "
                                "element.")
        else:
            vs, _ = _as_tensor_tuple(v, "v", "jvp")
            _check_v_matches(vs, xs)
            vs = _preprocess(vs, create_graph, False)
        leaves = _preprocess(xs, create_graph, True)
        ys, out_tuple = _outputs_of(func, leaves, "jvp")
        if strict:
            _require_differentiable_outputs(ys)
        linear = Linearization(ys, leaves)
        if strict:
            for i, b in enumerate(linear.transposed):
                if b is None:
                    raise _independent_error(i)
        _refuse_empty(ys)
        products = linear.push(vs, create_graph)
        if strict and create_graph:
            # here the index counts outputs: each product is d/d(output i)
            for i, p in enumerate(products):
                if p is None or not p.requires_grad:
                    raise _constant_jacobian_error(i)
        products = fill_zeros(products, ys)
        return (_shape_like(_postprocess(ys, create_graph), out_tuple),
                _shape_like(_postprocess(products, create_graph), out_tuple))


# ---------------------------------------------------------------------------
# jacobian
# ---------------------------------------------------------------------------

def _check_strategy_flags(strategy, create_graph, strict, vectorize):
    """Combinations refused before anything is evaluated."""
    if strategy not in _STRATEGIES:
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `strict=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            # (the missing space in "isonly" is PyTorch's wording)
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                "only implemented for `vectorize=True`.")


def _nest(blocks, in_tuple, out_tuple, container=tuple):
    """blocks[i][j] = d output i / d input j, in PyTorch's nesting."""
    if out_tuple and in_tuple:
        return container(container(row) for row in blocks)
    if out_tuple:
        return container(row[0] for row in blocks)
    if in_tuple:
        return container(blocks[0])
    return blocks[0][0]


def _reverse_jacobian_blocks(ys, leaves, create_graph, strict, vectorize):
    """One reverse pass per element of each output, over that output alone."""
    if vectorize and ys and all(y.numel() == 0 for y in ys):
        # PyTorch's batched path fails this way when there is nothing to batch
        raise IndexError("index 0 is out of bounds for dimension 0 with size 0")

    def check(i, j, g):
        if g is None:
            raise RuntimeError(f"Output {i} of the user-provided function is independent of "
                               f"input {j}. This is not allowed in strict mode.")
        if create_graph and not g.requires_grad:
            raise _constant_jacobian_error(i)
        return g

    rows = jacobian_rows(ys, leaves, create_graph, joint=False,
                         check=check if strict else None)
    # without vectorize an output without elements fails, as stack does in PyTorch
    return stack_blocks(rows, ys, leaves, dim=0, allow_empty=vectorize)


def _forward_jacobian_blocks(ys, leaves):
    """One Jacobian-vector product per input element (double backward)."""
    linear = Linearization(ys, leaves)
    columns = jacobian_columns(lambda tangents: linear.push(tangents, False), leaves, len(ys))
    return stack_blocks(columns, ys, leaves, dim=-1)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """Jacobian of ``func`` at ``inputs``.

    Block (i, j) has shape ``outputs[i].shape + inputs[j].shape``; blocks are
    nested in tuples following whether inputs / outputs were tuples.
    ``vectorize=True`` computes all rows at once with vmap (the function
    evaluated once on a batch; a loop where it cannot be vmap'd).  ``strategy="forward-mode"`` (requires
    vectorize=True) builds the Jacobian column by column."""
    _check_strategy_flags(strategy, create_graph, strict, vectorize)
    with enable_grad():
        xs, in_tuple = _as_tensor_tuple(inputs, "inputs", "jacobian")
        leaves = _preprocess(xs, create_graph, True)
        if strategy == "forward-mode":
            if not xs:
                raise AssertionError("Expected at least one tensor")
            # PyTorch names no function in this message
            ys, out_tuple = _as_tensor_tuple(func(*leaves), "outputs", "None")
            blocks = _forward_jacobian_blocks(ys, leaves)
            blocks = [list(_postprocess(row, False)) for row in blocks]
            # PyTorch hands lists back on this path when the inputs are a tuple
            return _nest(blocks, in_tuple, out_tuple, list if in_tuple else tuple)

        ys, out_tuple = _outputs_of(func, leaves, "jacobian")
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or "
                "`vectorize=False`.")
        _refuse_empty(xs)
        if vectorize and not ys:
            raise AssertionError("Expected at least one tensor")
        _refuse_empty(ys)
        if strict:
            _require_differentiable_outputs(ys)
        blocks = None
        if vectorize:
            # as PyTorch's vectorized path: all rows of all outputs at once
            # (vmap; the function evaluated once on a batch), rows joint over
            # the outputs; a function vmap cannot batch takes the loop
            def outputs(xs):
                return _as_tensor_tuple(func(*xs), "outputs", "jacobian")[0]
            blocks = vectorized_rows(outputs, leaves, ys, create_graph)
        if blocks is None:
            blocks = _reverse_jacobian_blocks(ys, leaves, create_graph, strict, vectorize)
        else:
            blocks = [[b if b is not None else x.new_zeros(tuple(y.shape) + tuple(x.shape))
                       for b, x in zip(row, leaves)] for row, y in zip(blocks, ys)]
        blocks = [list(_postprocess(row, create_graph)) for row in blocks]
        return _nest(blocks, in_tuple, out_tuple)


# ---------------------------------------------------------------------------
# hessian, hvp, vhp
# ---------------------------------------------------------------------------

def _scalar_gradient(func, leaves, where, strict):
    """Evaluate a scalar function and its gradient, kept differentiable.

    Returns (output, gradients) with None for inputs the output does not
    reach; strict mode refuses an output outside the graph (the callers
    decide what an unreached input means for them)."""
    ys, out_tuple = _outputs_of(func, leaves, where)
    _expect_single_scalar(ys, out_tuple, where)
    if strict:
        _require_differentiable_outputs(ys)
    grads = _vjp(ys, leaves, (ys[0].new_ones(tuple(ys[0].shape)),), True)
    return ys[0], grads


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """Hessian of a scalar function: the jacobian of its gradient.

    Block (i, j) has shape ``inputs[i].shape + inputs[j].shape``."""
    xs, in_tuple = _as_tensor_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in _STRATEGIES:
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode".')

    def gradient(*args):
        _, grads = _scalar_gradient(func, args, "hessian", strict)
        if strict:
            for i, g in enumerate(grads):
                if g is None or not g.requires_grad:
                    raise _linear_function_error(i)
        grads = fill_zeros(grads, args)
        return _shape_like(grads, in_tuple)

    return jacobian(gradient, _shape_like(xs, in_tuple), create_graph=create_graph,
                    strict=strict, vectorize=vectorize, strategy=outer_jacobian_strategy)


def _second_order_setup(func, inputs, v, where, create_graph, strict):
    """Shared front half of hvp / vhp: validate, evaluate, differentiate once.

    Returns (in_tuple, leaves, vs, output, gradients-or-None)."""
    xs, in_tuple = _as_tensor_tuple(inputs, "inputs", where)
    if v is None:
        vs = _default_v(xs, "The vector v can only be None if the input to the user-provided "
                            "function is a single Tensor with a single element.")
    else:
        vs, _ = _as_tensor_tuple(v, "v", where)
        _check_v_matches(vs, xs)
        vs = _preprocess(vs, create_graph, False)
    leaves = _preprocess(xs, create_graph, True)
    out, grads = _scalar_gradient(func, leaves, where, strict)
    _refuse_empty(leaves)
    if strict:
        for i, g in enumerate(grads):
            if g is None:
                raise _independent_error(i)
            if not g.requires_grad:
                raise _linear_function_error(i)
    return in_tuple, leaves, vs, out, grads


def _finish_second_order(products, leaves, out, in_tuple, create_graph, strict):
    if strict and create_graph:
        for i, p in enumerate(products):
            if p is None or not p.requires_grad:
                raise _constant_hessian_error(i)
    products = fill_zeros(products, leaves)
    (out,) = _postprocess((out,), create_graph)
    return out, _shape_like(_postprocess(products, create_graph), in_tuple)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Output of a scalar ``func`` and the vector-Hessian product v^T H."""
    with enable_grad():
        in_tuple, leaves, vs, out, grads = _second_order_setup(
            func, inputs, v, "vhp", create_graph, strict)
        # v^T H is one more reverse pass through the (differentiable) gradient
        products = _vjp(grads, leaves, vs, create_graph)
        return _finish_second_order(products, leaves, out, in_tuple, create_graph, strict)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Output of a scalar ``func`` and the Hessian-vector product H v.

    The gradient is treated as a function to push v forward through, with
    the same double-vjp trick as jvp."""
    with enable_grad():
        in_tuple, leaves, vs, out, grads = _second_order_setup(
            func, inputs, v, "hvp", create_graph, strict)
        products = Linearization(grads, leaves).push(vs, create_graph)
        return _finish_second_order(products, leaves, out, in_tuple, create_graph, strict)


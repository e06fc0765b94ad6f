"""chainrule.autograd.functional: whole-function derivatives.

vjp, jvp, jacobian, hessian, hvp and vhp take a Python function of tensors
and return derivatives of it, with the same argument conventions, return
structures and error messages as torch.autograd.functional.

Everything here is built on one primitive, reverse-mode ``autograd.grad``:

* vjp is one reverse pass seeded with v.
* jvp uses the "double vjp" identity: for a dummy cotangent u,
  g(u) = J^T u is linear in u, so d<g(u), v>/du = J v.  Two reverse passes
  give a forward-mode product without a separate tangent machinery.
* jacobian stacks one reverse pass per output element (reverse-mode) or one
  double-vjp per input element (forward-mode).
* hessian is the jacobian of a gradient function; hvp / vhp are a gradient
  pass (kept differentiable) followed by a second product.

The user's tensors are never modified: the function is evaluated on fresh
leaves (or on views of the user's tensors when the caller wants a result that
stays differentiable with respect to them).
"""
import chainrule as _cr      # attributes are looked up at call time only
from .. import _tensor
from .._grad_mode import enable_grad
from . import grad as _autograd_grad

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
    return (_tensor_ones_like(refs[0]),)


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
# small tensor helpers (public chainrule API only)
# ---------------------------------------------------------------------------

def _tensor_ones_like(t):
    return _cr.ones_like(t)


def _tensor_zeros_like(t):
    return _cr.zeros_like(t)


def _stack(ts, dim=0):
    return _cr.stack(ts, dim=dim)


def _zeros(shape, like):
    return _cr.zeros(shape, dtype=like.dtype)


def _fresh_leaves(xs, keep_graph):
    """The tensors the user's function is evaluated on.

    With ``keep_graph`` (create_graph=True) a tensor that already requires
    grad is passed as a view, so the returned derivatives stay connected to
    the caller's graph; everything else becomes a new detached leaf, so the
    caller's tensors are neither modified nor accumulated into."""
    leaves = []
    for x in xs:
        if keep_graph and x.requires_grad:
            leaves.append(x.view_as(x))
        else:
            leaves.append(x.detach().requires_grad_(True))
    return tuple(leaves)


def _differentiable_view(t):
    """A leaf passed as an output of autograd.grad next to non-leaf outputs
    trips the engine (a leaf in the ready list gets compared elementwise with
    a node); differentiating a view of it instead gives the same derivative.
    Happens when the user's function returns one of its inputs unchanged, or
    when J^T u is the dummy u itself."""
    if t is not None and t.requires_grad and t.grad_fn is None:
        return t.view_as(t)
    return t


def _refuse_empty(ts):
    """PyTorch indexes the first input / output before looking further."""
    if not ts:
        raise IndexError("tuple index out of range")


def _reverse(ys, xs, seeds, create_graph):
    """sum_i seeds[i]^T d ys[i] / d xs, one entry per x (None when unreached).

    Outputs that are not part of any graph contribute nothing and are
    skipped, since autograd.grad refuses them."""
    pairs = [(_differentiable_view(y), s) for y, s in zip(ys, seeds)
             if y is not None and y.requires_grad]
    if not pairs:
        return (None,) * len(xs)
    return _autograd_grad([y for y, _ in pairs], xs, [s for _, s in pairs],
                          retain_graph=True, create_graph=create_graph, allow_unused=True)


def _fill_missing(grads, refs):
    """Unreached inputs have a zero derivative."""
    return tuple(_tensor_zeros_like(r) if g is None else g for g, r in zip(grads, refs))


def _release(ts, create_graph):
    """Without create_graph nothing returned may hold on to the graph."""
    if create_graph:
        return tuple(ts)
    return tuple(t.detach() for t in ts)


def _shape_like(ts, as_tuple):
    return tuple(ts) if as_tuple else ts[0]


def _cotangent_dummies(ys):
    """Zero cotangents to differentiate J^T u against (double-vjp trick).

    Only outputs in a graph get one: the others have a zero derivative."""
    return tuple(_tensor_zeros_like(y).requires_grad_(True)
                 if y is not None and y.requires_grad else None for y in ys)


def _transposed_product(ys, xs, dummies):
    """J^T u for the dummy u, kept differentiable with respect to u."""
    live = [(_differentiable_view(y), u) for y, u in zip(ys, dummies) if u is not None]
    if not live:
        return (None,) * len(xs)
    return _autograd_grad([y for y, _ in live], xs, [u for _, u in live],
                          retain_graph=True, create_graph=True, allow_unused=True)


def _forward_product(back, dummies, tangents, create_graph):
    """J t = d<J^T u, t>/du, one entry per output (None where J is zero)."""
    pairs = [(_differentiable_view(b), t) for b, t in zip(back, tangents)
             if b is not None and b.requires_grad]
    wanted = [u for u in dummies if u is not None]
    found = {}
    if pairs and wanted:
        grads = _autograd_grad([b for b, _ in pairs], wanted, [t for _, t in pairs],
                               retain_graph=True, create_graph=create_graph,
                               allow_unused=True)
        found = dict(zip((id(u) for u in wanted), grads))
    return tuple(None if u is None else found.get(id(u)) for u in dummies)


# ---------------------------------------------------------------------------
# vjp / jvp
# ---------------------------------------------------------------------------

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Outputs of ``func(*inputs)`` and the vector-Jacobian product v^T J.

    Returns ``(func_output, vjp)``; ``vjp`` has the structure of ``inputs``.
    ``v`` may be omitted when ``func`` returns a single one-element tensor."""
    with enable_grad():
        xs, in_tuple = _as_tensor_tuple(inputs, "inputs", "vjp")
        leaves = _fresh_leaves(xs, create_graph)
        ys, out_tuple = _outputs_of(func, leaves, "vjp")
        if strict:
            _require_differentiable_outputs(ys)
        if v is None:
            vs = _default_v(ys, "The vector v can only be None if the user-provided function "
                                "returns a single Tensor with a single element.")
        else:
            vs, _ = _as_tensor_tuple(v, "v", "vjp")
            _check_v_matches(vs, ys)
        grads = _reverse(ys, leaves, vs, create_graph)
        if strict:
            for i, g in enumerate(grads):
                if g is None:
                    raise _independent_error(i)
                if create_graph and not g.requires_grad:
                    raise _constant_jacobian_error(i)
        _refuse_empty(ys)
        grads = _fill_missing(grads, leaves)
        return (_shape_like(_release(ys, create_graph), out_tuple),
                _shape_like(_release(grads, create_graph), in_tuple))


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
        leaves = _fresh_leaves(xs, create_graph)
        ys, out_tuple = _outputs_of(func, leaves, "jvp")
        if strict:
            _require_differentiable_outputs(ys)
        dummies = _cotangent_dummies(ys)
        back = _transposed_product(ys, leaves, dummies)
        if strict:
            for i, b in enumerate(back):
                if b is None:
                    raise _independent_error(i)
        _refuse_empty(ys)
        products = _forward_product(back, dummies, vs, create_graph)
        if strict and create_graph:
            # here the index counts outputs: each product is d/d(output i)
            for i, p in enumerate(products):
                if p is None or not p.requires_grad:
                    raise _constant_jacobian_error(i)
        products = _fill_missing(products, ys)
        return (_shape_like(_release(ys, create_graph), out_tuple),
                _shape_like(_release(products, create_graph), out_tuple))


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


def _one_hot(ref, k):
    """A tensor shaped like ``ref`` with a single 1 at flat position k."""
    e = _tensor_zeros_like(ref).reshape(-1)
    e[k] = 1
    return e.reshape(ref.shape)


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
    """One reverse pass per output element; row k of block (i, j) is
    d ys[i].flat[k] / d leaves[j]."""
    if vectorize and ys and all(y.numel() == 0 for y in ys):
        # PyTorch's batched path fails this way when there is nothing to batch
        raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
    blocks = []
    for i, y in enumerate(ys):
        rows = [[] for _ in leaves]
        for k in range(y.numel()):
            grads = _reverse((y,), leaves, (_one_hot(y, k),), create_graph)
            for j, g in enumerate(grads):
                if g is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of "
                            f"input {j}. This is not allowed in strict mode.")
                    g = _tensor_zeros_like(leaves[j])
                elif strict and create_graph and not g.requires_grad:
                    raise _constant_jacobian_error(i)
                rows[j].append(g)
        row_blocks = []
        for j, x in enumerate(leaves):
            if not rows[j] and vectorize:
                row_blocks.append(_zeros(tuple(y.shape) + tuple(x.shape), x))
            else:
                # an output without elements fails here, as stack does in PyTorch
                row_blocks.append(_stack(rows[j]).reshape(tuple(y.shape) + tuple(x.shape)))
        blocks.append(row_blocks)
    return blocks


def _forward_jacobian_blocks(ys, leaves):
    """One double-vjp per input element; column k of block (i, j) is
    d ys[i] / d leaves[j].flat[k]."""
    dummies = _cotangent_dummies(ys)
    back = _transposed_product(ys, leaves, dummies)
    columns = [[[] for _ in leaves] for _ in ys]
    for j, x in enumerate(leaves):
        for k in range(x.numel()):
            # perturb one element of one input; the others get zero tangents,
            # which still flow through the graph (signed zeros as PyTorch)
            tangents = tuple(_one_hot(x, k) if jj == j else _tensor_zeros_like(other)
                             for jj, other in enumerate(leaves))
            products = _forward_product(back, dummies, tangents, False)
            for i, p in enumerate(products):
                columns[i][j].append(_tensor_zeros_like(ys[i]) if p is None else p)
    blocks = []
    for i, y in enumerate(ys):
        row_blocks = []
        for j, x in enumerate(leaves):
            shape = tuple(y.shape) + tuple(x.shape)
            if columns[i][j]:
                row_blocks.append(_stack(columns[i][j], dim=-1).reshape(shape))
            else:
                row_blocks.append(_zeros(shape, x))
        blocks.append(row_blocks)
    return blocks


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """Jacobian of ``func`` at ``inputs``.

    Block (i, j) has shape ``outputs[i].shape + inputs[j].shape``; blocks are
    nested in tuples following whether inputs / outputs were tuples.
    ``vectorize`` is accepted for compatibility (results are the same; the
    rows are computed one by one).  ``strategy="forward-mode"`` (requires
    vectorize=True) builds the Jacobian column by column."""
    _check_strategy_flags(strategy, create_graph, strict, vectorize)
    with enable_grad():
        xs, in_tuple = _as_tensor_tuple(inputs, "inputs", "jacobian")
        leaves = _fresh_leaves(xs, create_graph)
        if strategy == "forward-mode":
            if not xs:
                raise AssertionError("Expected at least one tensor")
            # PyTorch names no function in this message
            ys, out_tuple = _as_tensor_tuple(func(*leaves), "outputs", "None")
            blocks = _forward_jacobian_blocks(ys, leaves)
            blocks = [list(_release(row, False)) for row in blocks]
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
        blocks = _reverse_jacobian_blocks(ys, leaves, create_graph, strict, vectorize)
        blocks = [list(_release(row, create_graph)) for row in blocks]
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
    grads = _reverse(ys, leaves, (_tensor_ones_like(ys[0]),), True)
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
        grads = _fill_missing(grads, args)
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
    leaves = _fresh_leaves(xs, create_graph)
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
    products = _fill_missing(products, leaves)
    (out,) = _release((out,), create_graph)
    return out, _shape_like(_release(products, create_graph), in_tuple)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Output of a scalar ``func`` and the vector-Hessian product v^T H."""
    with enable_grad():
        in_tuple, leaves, vs, out, grads = _second_order_setup(
            func, inputs, v, "vhp", create_graph, strict)
        # v^T H is one more reverse pass through the (differentiable) gradient
        products = _reverse(grads, leaves, vs, create_graph)
        return _finish_second_order(products, leaves, out, in_tuple, create_graph, strict)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Output of a scalar ``func`` and the Hessian-vector product H v.

    The gradient is treated as a function to push v forward through, with
    the same double-vjp trick as jvp."""
    with enable_grad():
        in_tuple, leaves, vs, out, grads = _second_order_setup(
            func, inputs, v, "hvp", create_graph, strict)
        dummies = _cotangent_dummies(grads)
        back = _transposed_product(grads, leaves, dummies)
        products = _forward_product(back, dummies, vs, create_graph)
        return _finish_second_order(products, leaves, out, in_tuple, create_graph, strict)


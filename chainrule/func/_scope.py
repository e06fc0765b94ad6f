"""One call of a transform: the tensors it differentiates with respect to,
and what of its results escapes it.

How transforms nest without PyTorch's "levels": each call evaluates ``func``
at fresh leaves (``x.detach().requires_grad_()``), or at an alias
(``x.view_as(x)``) when ``x`` already requires grad (an enclosing
transform's input, or a user's tensor), so the result stays connected to the
enclosing graph.  A backward pass records a graph (``create_graph=True``)
only when the function's graph reaches a tensor from outside the call;
results that depend on nothing outside are detached (``Scope.undo``).
Inside vmap the leaves are batched at every open level (per-sample copies),
and autograd.grad lowers them to the batch under them (_batched.py).

Grad mode, as in ``torch.func``: a transform ignores a ``no_grad`` around its
call for its own differentiation (it differentiates under ``enable_grad``)
but honours it for what encloses it: called with grad disabled, it connects
to nothing outside (fresh leaves even for inputs that require grad, results
detached), just as the enclosing level records nothing there.  A ``no_grad``
inside ``func`` is honoured (that computation is constant to this level).
"""
from .. import _batched, _grad_mode
from .._batched import BatchedTensor
from .._inplace_state import VMAP_ACTIVE
from .._tensor import Tensor
from ._argnums import replace_args, slice_argnums
from ._checks import assert_non_empty_tensor_output, split_aux
from ._pytree import tree_flatten, tree_map

__all__ = ["Scope", "prepare", "evaluate", "REVERSE_CALLS"]


class Scope:
    """The fresh leaves one call of a transform created."""

    def __init__(self):
        self.leaves = []        # kept alive so their ids stay unique
        self.ids = set()
        # Whether the enclosing level records: read when the transform is
        # called, before it enables grad for its own work.
        self.outer_enabled = _grad_mode.is_grad_enabled()

    def add(self, t):
        self.leaves.append(t)
        self.ids.add(id(t))
        if t.__class__ is BatchedTensor:           # the graph's leaf is the batch under it
            self.add(_batched.bottom(t))
        return t

    def make_differentiable(self, x):
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if VMAP_ACTIVE[0]:
            # Inside vmap each sample is differentiated with respect to its own
            # copy of x (an unbatched x is expanded over the batch).
            x = _batched.batched_everywhere(x)
        if x.requires_grad and self.outer_enabled:
            # Stay connected to the enclosing graph (an outer transform or the
            # user's own autograd); the alias is where this level's gradient
            # is read.
            return x.view_as(x)
        return self.add(x.detach().requires_grad_(True))

    def reaches_outside(self, tensors):
        """Whether the graph of any of `tensors` reaches a leaf that requires
        grad and is not one of this scope's own leaves."""
        if not self.outer_enabled:
            return False
        stack = []
        for t in tensors:
            if not isinstance(t, Tensor) or not t.requires_grad:
                continue
            fn = t.grad_fn
            if fn is None:
                if id(t) not in self.ids:
                    return True
            else:
                stack.append(fn)
        seen = {}
        while stack:
            fn = stack.pop()
            if id(fn) in seen:
                continue
            seen[id(fn)] = fn           # keep it alive: ids must stay unique
            var = getattr(fn, "variable", None)     # AccumulateGrad
            if var is not None:
                if id(var) not in self.ids:
                    return True
                continue
            for nxt, _ in fn.next_functions:
                if nxt is not None:
                    stack.append(nxt)
        return False

    def undo_aux(self, x):
        if not isinstance(x, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
        return self.undo(x)

    def undo(self, x):
        """What leaves the transform: detached unless it depends on a tensor
        from outside the transform."""
        if isinstance(x, Tensor) and x.requires_grad and not self.reaches_outside((x,)):
            return x.detach()
        return x


# Counts reverse-mode transforms entered: a forward-mode push that sees it
# change ran a nested transform, whose detached leaves forward-mode tangents
# cannot cross, so its result is discarded for the double-backward path.
REVERSE_CALLS = [0]


def prepare(scope, args, argnums):
    """(args with the differentiated ones replaced, the differentiated pytree)."""
    REVERSE_CALLS[0] += 1
    if argnums is None:
        diff = tree_map(scope.make_differentiable, args)
        return diff, diff
    diff = slice_argnums(args, argnums, as_tuple=False)
    diff = tree_map(scope.make_differentiable, diff)
    new = (diff,) if isinstance(argnums, int) else diff
    return replace_args(args, new, argnums), diff


def evaluate(scope, func, primals, argnums, has_aux, api):
    """func at differentiable versions of the primals at argnums (all of
    them for None), for a vjp or jvp named ``api`` in messages.

    Returns (the differentiated pytree, the flat outputs, their structure,
    aux released from the transform)."""
    primals, diff = prepare(scope, primals, argnums)
    out, aux = split_aux(func(*primals), has_aux, api)
    if has_aux:
        aux = tree_map(scope.undo_aux, aux)
    flat_out, out_spec = tree_flatten(out)
    assert_non_empty_tensor_output(flat_out, api)
    return diff, flat_out, out_spec, aux

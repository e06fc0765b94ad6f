"""One call of a transform: the tensors it differentiates with respect to,
and what of its results escapes it.

How transforms nest: each call opens a level (_func_levels.py: tensors made
before it are captured; in-place changes of them are refused) and evaluates
``func`` at fresh leaves (``x.detach().requires_grad_()``), or at an alias
(``x.view_as(x)``) when ``x`` already requires grad (an enclosing
transform's input, or a user's tensor), so the result stays connected to the
enclosing graph.  A backward pass records a graph (``create_graph=True``)
only when the function's graph reaches a tensor from outside the call (or,
inside forward mode, its tangents need the recorded ops); results that
depend on nothing outside are detached (``Scope.undo``), keeping their
tangent for an enclosing forward level.
Inside vmap the leaves are batched at every open level (per-sample copies),
and autograd.grad lowers them to the batch under them (_batched.py).

Grad mode, as in ``torch.func``: a transform ignores a ``no_grad`` around its
call for its own differentiation (it differentiates under ``enable_grad``)
but honours it for what encloses it: called with grad disabled, it connects
to nothing outside (fresh leaves even for inputs that require grad, results
detached), just as the enclosing level records nothing there.  A ``no_grad``
inside ``func`` is honoured (that computation is constant to this level).
"""
from .. import _batched, _func_levels, _grad_mode
from .._batched import BatchedTensor
from .._inplace_state import VMAP_ACTIVE
from .._tensor import Tensor
from ..autograd import forward_ad as _fw
from ._argnums import replace_args, slice_argnums
from ._checks import assert_non_empty_tensor_output, split_aux
from ._pytree import tree_flatten, tree_map

__all__ = ["Scope", "prepare", "evaluate"]


class Scope:
    """The fresh leaves one call of a transform created."""

    def __init__(self):
        self.leaves = []        # kept alive so their ids stay unique
        self.ids = set()
        # Whether the enclosing level records: read when the transform is
        # called, before it enables grad for its own work.
        self.outer_enabled = _grad_mode.is_grad_enabled()
        # Inside forward mode (jacfwd / jvp around this reverse transform):
        # its leaves carry their inputs' tangents and its backward passes
        # record ops, so that tangents flow through the derivative it takes
        # (forward over reverse), and what leaves it keeps its tangent.
        self.dual = _fw.current_level() is not None
        # The serial of this call's level (see _func_levels.py), once open:
        # tensors marked below it were made before the call, from outside.
        self.serial = None

    def level(self):
        """The context in which this call evaluates and differentiates."""
        return _func_levels.level(self)

    def _from_outside(self, t):
        return id(t) not in self.ids and (self.serial is None or t._func_level < self.serial)

    def add(self, t):
        self.leaves.append(t)
        self.ids.add(id(t))
        _func_levels.enter(t)
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
            alias = x.view_as(x)
            _func_levels.enter(alias)
            return alias
        tangent = self._tangent(x)
        leaf = self.add(_func_levels.requires_grad_internally(x.detach()))
        if tangent is None:
            return leaf
        return self.add(_fw.make_dual(leaf, tangent))

    def _tangent(self, x):
        return x._fw_tangent if self.dual and _fw.current_level() is not None else None

    @staticmethod
    def _leaves(tensors):
        """The leaves (tensors) that the graphs of `tensors` reach, one by
        one (callers may stop early); tensors that need no grad reach none."""
        stack = []
        for t in tensors:
            if not isinstance(t, Tensor) or not t.requires_grad:
                continue
            if t.grad_fn is None:
                yield t
            else:
                stack.append(t.grad_fn)
        seen = {}
        while stack:
            fn = stack.pop()
            if id(fn) in seen:
                continue
            seen[id(fn)] = fn           # keep it alive: ids must stay unique
            var = getattr(fn, "variable", None)     # AccumulateGrad
            if var is not None:
                yield var
                continue
            stack.extend(nxt for nxt, _ in fn.next_functions if nxt is not None)

    def release(self, x):
        """What leaves a forward-mode call.  As PyTorch's forward transforms
        do, a result that requires grad only through leaves made inside the
        call (a factory's requires_grad=True, a Parameter) comes out without
        it; one that reaches a tensor from outside, or a view standing for
        one (a dual made under no_grad), keeps its graph."""
        if not isinstance(x, Tensor) or not x.requires_grad:
            return x
        for leaf in self._leaves((x,)):
            if self._from_outside(leaf) or leaf._view_of is not None:
                return x
        return x.detach()

    def reaches_outside(self, tensors):
        """Whether the graph of any of `tensors` reaches a leaf that requires
        grad and was made outside this call (not one of its own leaves, nor
        made while it ran).  Called with grad disabled, a transform connects
        to nothing outside."""
        return self.outer_enabled and any(self._from_outside(leaf)
                                          for leaf in self._leaves(tensors))

    def needs_graph(self, tensors):
        """Whether a backward pass from `tensors` must record its ops: its
        result reaches outside, or it carries forward-mode tangents (the
        recorded ops push them)."""
        if self.dual and any(isinstance(t, Tensor) and self._tangent(t) is not None
                             for t in tensors):
            return True
        return self.reaches_outside(tensors)

    def undo_aux(self, x):
        if not isinstance(x, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
        return self.undo(x)

    def undo(self, x):
        """What leaves the transform: detached unless it depends on a tensor
        from outside the transform."""
        if isinstance(x, Tensor) and x.requires_grad and not self.reaches_outside((x,)):
            tangent = self._tangent(x)
            if tangent is not None:         # this level ends; the forward level does not
                return _fw.make_dual(x.detach(), self.undo(tangent))
            return x.detach()
        return x


def prepare(scope, args, argnums):
    """(args with the differentiated ones replaced, the differentiated pytree)."""
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

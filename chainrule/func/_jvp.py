"""jvp: a function's outputs and their tangents, J @ tangents.

By forward-mode AD (autograd.forward_ad) when nothing is differentiable
from outside the call; otherwise (an enclosing transform, a closed-over
tensor or a tangent that requires grad, strict mode) by the double-backward
trick, whose results stay connected to the enclosing graph.  Both evaluators
also serve jacfwd, one push per column.
"""
from .. import _func_levels, _grad_mode
from .._tensor import Tensor
from ..autograd import forward_ad as _fw
from ..autograd._jacobian_products import Linearization, fill_zeros, forward_jvp, zeros_like
from ._argnums import replace_args, slice_argnums
from ._checks import (JVP_STR, assert_non_empty_list_of_tensors, assert_non_empty_tensor_output,
                      check_tangent_sizes, split_aux)
from ._pytree import tree_flatten, tree_map, tree_unflatten
from ._scope import Scope, evaluate

__all__ = ["jvp", "Jvp", "ForwardJvp"]


class Jvp:
    """func evaluated at differentiable primals, ready for Jacobian-vector
    products by double backward: ``push(flat_tangents)`` gives the flat
    output tangents."""

    def __init__(self, func, primals, argnums, has_aux, strict, flat_tangents_requires_grad):
        self.scope = scope = Scope()
        self.strict = strict
        with scope.level(), _grad_mode.enable_grad():
            diff, self.flat_out, self.out_spec, self.aux = evaluate(
                scope, func, primals, argnums, has_aux, JVP_STR)
            self.flat_diff, _ = tree_flatten(diff)
            self.linear = Linearization(self.flat_out, self.flat_diff)
            for u in self.linear.dummies:       # this call's own leaves, not outside ones
                if u is not None:
                    scope.add(u)
            self.primals_out = [scope.undo(o) for o in self.flat_out]
        self.nested = flat_tangents_requires_grad or scope.needs_graph(self.flat_out)

    def push(self, flat_tangents):
        out = []
        for o, t in zip(self.flat_out, self.linear.push(flat_tangents, self.nested)):
            if t is None:
                if self.strict:
                    raise RuntimeError(
                        "jvp(f, primals, tangents, strict=True): "
                        "The output of f is independent of "
                        "the inputs. This is not allowed with strict=True.")
                t = zeros_like(o)
            out.append(self.scope.undo(t))
        return out


class ForwardJvp:
    """The same interface as Jvp, computed with forward-mode AD: each push
    runs func once with dual inputs.  Used when nothing is differentiable
    from outside (no outer transform, no closed-over tensor that requires
    grad); otherwise `usable` is (or, after a push, becomes) False and the
    double-backward Jvp serves."""

    def __init__(self, func, primals, argnums, has_aux):
        self.func, self.primals, self.argnums, self.has_aux = func, primals, argnums, has_aux
        diff = primals if argnums is None else slice_argnums(primals, argnums, as_tuple=False)
        self.flat_diff, self.diff_spec = tree_flatten(diff)
        self.usable = _fw.current_level() is None
        self.scope = Scope()            # creates no leaves: undo detaches what requires grad
        self.flat_out = None

    def _call(self, duals):
        for d in duals:
            _func_levels.enter(d)          # the level's own inputs
        dual_tree = tree_unflatten(duals, self.diff_spec)
        if self.argnums is None:
            args = dual_tree
        else:
            new = (dual_tree,) if isinstance(self.argnums, int) else dual_tree
            args = replace_args(self.primals, new, self.argnums)
        out, aux = split_aux(self.func(*args), self.has_aux, JVP_STR)
        if self.has_aux:
            aux = tree_map(self.scope.undo_aux, aux)     # tensors only, as torch.func's
        flat_out, out_spec = tree_flatten(out)
        assert_non_empty_tensor_output(flat_out, JVP_STR)
        return flat_out, (out_spec, aux)

    def push(self, flat_tangents):
        scope = self.scope
        with scope.level():
            flat_out, tangents, (out_spec, aux) = forward_jvp(self._call, self.flat_diff,
                                                              flat_tangents)
        flat_out = [scope.release(o) for o in flat_out]
        tangents = [scope.release(t) for t in tangents]
        self.flat_out, self.out_spec, self.aux = flat_out, out_spec, aux
        return list(fill_zeros(tangents, flat_out))


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product
    (``(output, jvp_out, aux)`` with ``has_aux=True``)."""
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{JVP_STR}: Expected primals to be a tuple. "
            f"E.g. it should be valid to call f(*primals).")
    flat_primals, primals_spec = tree_flatten(primals)
    flat_tangents, tangents_spec = tree_flatten(tangents)
    if primals_spec != tangents_spec:
        raise RuntimeError(
            f"{JVP_STR}: Expected primals and tangents to have the same python "
            f"structure. For example, if primals is a tuple of 3 tensors, "
            f"tangents also must be. Got primals with structure {primals_spec} "
            f"and tangents with structure {tangents_spec}")
    assert_non_empty_list_of_tensors(flat_primals, JVP_STR, "primals")
    assert_non_empty_list_of_tensors(flat_tangents, JVP_STR, "tangents")
    check_tangent_sizes(flat_primals, flat_tangents)
    tangents_require_grad = any(t.requires_grad for t in flat_tangents)
    if not strict and not tangents_require_grad:
        fj = ForwardJvp(func, primals, None, has_aux)
        tangents_out = fj.push(flat_tangents) if fj.usable else None
        if tangents_out is not None:
            return _jvp_results(fj.flat_out, tangents_out, fj.out_spec, fj.aux, has_aux)
    j = Jvp(func, primals, None, has_aux, strict, tangents_require_grad)
    return _jvp_results(j.primals_out, j.push(flat_tangents), j.out_spec, j.aux, has_aux)


def _jvp_results(flat_out, flat_tangents_out, out_spec, aux, has_aux):
    primals_out = tree_unflatten(flat_out, out_spec)
    tangents_out = tree_unflatten(flat_tangents_out, out_spec)
    if has_aux:
        return primals_out, tangents_out, aux
    return primals_out, tangents_out

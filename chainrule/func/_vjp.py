"""vjp: a function's outputs and a function that pulls cotangents back."""
from .. import _grad_mode
from .._tensor import Tensor
from ..autograd._jacobian_products import fill_zeros, vjp as _vjp
from ._pytree import tree_flatten, tree_unflatten, treespec_pprint
from ._scope import Scope, evaluate

__all__ = ["vjp", "Vjp"]


class Vjp:
    """func evaluated at differentiable primals, ready for vector-Jacobian
    products (also the rows of jacrev)."""

    def __init__(self, func, primals, argnums, has_aux):
        self.scope = scope = Scope()
        with scope.level(), _grad_mode.enable_grad():
            diff_primals, self.flat_out, self.out_spec, self.aux = evaluate(
                scope, func, primals, argnums, has_aux, "vjp(f, *primals)")
            self.flat_diff, self.primals_spec = tree_flatten(diff_primals)
            self.results = tree_unflatten([scope.undo(o) for o in self.flat_out],
                                          self.out_spec)
            for o in self.flat_out:
                if not o.is_floating_point() and not o.is_complex():
                    raise RuntimeError(
                        "vjp(f, ...): All outputs of f must be floating-point or complex "
                        f"Tensors, got Tensor with dtype {o.dtype}")
        self.nested = scope.needs_graph(self.flat_out)

    def __call__(self, cotangents, retain_graph=True, create_graph=None):
        if create_graph is None:
            create_graph = _grad_mode.is_grad_enabled()
        flat_ct, ct_spec = tree_flatten(cotangents)
        if ct_spec != self.out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same "
                "as pytree structure of outputs to the function. "
                f"cotangents: {treespec_pprint(ct_spec)}, "
                f"primal output: {treespec_pprint(self.out_spec)}")
        create_graph = create_graph and (
            self.nested or any(isinstance(c, Tensor) and c.requires_grad for c in flat_ct))
        result = fill_zeros(_vjp(self.flat_out, self.flat_diff, flat_ct, create_graph,
                                 retain_graph=retain_graph), self.flat_diff)
        return tree_unflatten([self.scope.undo(r) for r in result], self.primals_spec)


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` gives the tuple of
    vector-Jacobian products, one per primal (``(output, vjp_fn, aux)`` with
    ``has_aux=True``)."""
    v = Vjp(func, primals, None, has_aux)

    def fn(cotangents, retain_graph=True, create_graph=None):
        return v(cotangents, retain_graph, create_graph)
    if has_aux:
        return v.results, fn, v.aux
    return v.results, fn

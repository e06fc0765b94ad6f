"""grad and grad_and_value: the gradient of a scalar function."""
import functools

from .. import _grad_mode
from .._tensor import Tensor
from ..autograd._jacobian_products import fill_zeros, vjp
from ._checks import split_aux
from ._pytree import tree_flatten, tree_map, tree_unflatten
from ._scope import Scope, prepare

__all__ = ["grad", "grad_and_value"]


def _grad_and_value_impl(func, argnums, has_aux, args, kwargs):
    scope = Scope()
    with scope.level(), _grad_mode.enable_grad():
        args, diff_args = prepare(scope, args, argnums)
        output = func(*args, **kwargs)
        output, aux = split_aux(output, has_aux, "grad_and_value(f)(*args)")

        if not isinstance(output, Tensor):
            raise RuntimeError(
                "grad_and_value(f)(*args): Expected f(*args) "
                f"to return a Tensor, got {type(output)}")
        if output.dim() != 0:
            raise RuntimeError(
                "grad_and_value(f)(*args): Expected f(*args) "
                "to return a scalar Tensor, got tensor with "
                f"{output.dim()} dims. Maybe you wanted to "
                "use the vjp or jacrev APIs instead?")

        flat_diff_args, spec = tree_flatten(diff_args)
        create_graph = scope.needs_graph((output,))
        flat_grad_input = fill_zeros(vjp((output,), flat_diff_args, (None,), create_graph,
                                         retain_graph=create_graph), flat_diff_args)
        grad_input = tree_unflatten([scope.undo(g) for g in flat_grad_input], spec)
        output = scope.undo(output)
        if has_aux:
            aux = tree_map(scope.undo_aux, aux)
    if has_aux:
        return grad_input, (output, aux)
    return grad_input, output


def grad_and_value(func, argnums=0, has_aux=False):
    """Like ``grad``, but the returned function gives ``(gradient, value)``
    (``(gradient, (value, aux))`` with ``has_aux=True``)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _grad_and_value_impl(func, argnums, has_aux, args, kwargs)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of the scalar function ``func`` with respect to the
    argument(s) at ``argnums``, as a function of the same arguments."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        results = _grad_and_value_impl(func, argnums, has_aux, args, kwargs)
        if has_aux:
            g, (_, aux) = results
            return g, aux
        return results[0]
    return wrapper

"""jacrev, jacfwd and hessian: whole Jacobians, with pytree structure.

jacrev takes one vector-Jacobian product per output element, jacfwd one
Jacobian-vector product per input element (both from
autograd._jacobian_products): all at once with vmap (func evaluated once on
a batch), or one at a time where func cannot be vmap'd (data-dependent
control flow); the blocks are nested as torch.func nests them: by the
outputs' structure, then by the differentiated arguments'.
"""
import functools

from .. import _grad_mode
from ..autograd._jacobian_products import (jacobian_columns, jacobian_rows, stack_blocks,
                                           vectorized_columns, vectorized_rows, zeros_like)
from ._argnums import replace_args, slice_argnums
from ._checks import split_aux
from ._jvp import ForwardJvp, Jvp
from ._pytree import tree_flatten, tree_unflatten
from ._vjp import Vjp

__all__ = ["jacrev", "jacfwd", "hessian"]


def _flat_call(func, args, argnums, primals_spec, has_aux):
    """func as a function of the flat differentiated arguments, returning its
    flat outputs (aux left out): what vmap evaluates for the rows."""
    def call(flat):
        # (primals_spec is that of a tuple in argnums' order, an int's too)
        new = tree_unflatten(list(flat), primals_spec)
        out, _ = split_aux(func(*replace_args(args, new, argnums)), has_aux, "jacrev")
        return tree_flatten(out)[0]
    return call


def zeros_like_block(block, y, x):
    """A block of the Jacobian of y with respect to x (zeros where unreached)."""
    return block if block is not None else x.new_zeros(tuple(y.shape) + tuple(x.shape))


def _assemble(blocks, evaluated, primals_spec, argnums, has_aux):
    """The result of jacrev / jacfwd: blocks[i][k], the Jacobian of flat
    output i with respect to flat primal k, released from the transform and
    nested (with the aux of the ``evaluated`` function)."""
    scope = evaluated.scope
    per_output = tuple(tree_unflatten([scope.undo(b) for b in row], primals_spec)
                       for row in blocks)
    if isinstance(argnums, int):
        per_output = tuple(x[0] for x in per_output)
    result = tree_unflatten(list(per_output), evaluated.out_spec)
    if has_aux:
        return result, evaluated.aux
    return result


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of ``func`` with respect to the argument(s) at ``argnums``,
    by reverse mode (one backward pass per output element)."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper_fn(*args):
        v = Vjp(func, args, argnums, has_aux)
        _, primals_spec = tree_flatten(slice_argnums(args, argnums))
        with _grad_mode.enable_grad():
            # As PyTorch: each row is one vjp of all outputs with a basis
            # cotangent (zeros for the other outputs), so that the sums (and
            # signed zeros) come out the same: all rows at once with vmap, or
            # one at a time where func cannot be vmap'd.
            blocks = vectorized_rows(_flat_call(func, args, argnums, primals_spec, has_aux),
                                     v.flat_diff, v.flat_out, v.nested, chunk_size)
            if blocks is None:
                rows = jacobian_rows(v.flat_out, v.flat_diff, v.nested, joint=True)
                blocks = stack_blocks(rows, v.flat_out, v.flat_diff, dim=0)
            else:
                blocks = [[zeros_like_block(b, y, x) for b, x in zip(row, v.flat_diff)]
                          for row, y in zip(blocks, v.flat_out)]
        return _assemble(blocks, v, primals_spec, argnums, has_aux)

    return wrapper_fn


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of ``func`` with respect to the argument(s) at ``argnums``,
    column by column (one Jacobian-vector product per input element)."""
    return _jacfwd(func, argnums, has_aux, False)


def _jacfwd(func, argnums, has_aux, reverse_inside):
    @functools.wraps(func)
    def wrapper_fn(*args):
        flat_primals, primals_spec = tree_flatten(slice_argnums(args, argnums))
        for p in flat_primals:
            p.numel()           # a non-Tensor fails here, as in PyTorch
        if reverse_inside:
            # func is a reverse transform (hessian): forward over reverse
            # pushes a tangent through every op of its backward, several
            # times slower than double backward, which gives the same
            # columns unless grad was switched off inside func (forward mode
            # goes through a no_grad, double backward does not).  So double
            # backward first, and forward mode only if a no_grad was met.
            disabled = _grad_mode.DISABLED[0]
            j = Jvp(func, args, argnums, has_aux, False, False)
            columns = jacobian_columns(j.push, flat_primals, len(j.flat_out))
            if _grad_mode.DISABLED[0] == disabled:
                blocks = stack_blocks(columns, j.flat_out, flat_primals, dim=-1)
                return _assemble(blocks, j, primals_spec, argnums, has_aux)
        # Forward mode: one pass per input element, unless something outside
        # makes the result differentiable; then the double-backward path.
        j = ForwardJvp(func, args, argnums, has_aux)
        columns = blocks = None
        if j.usable and sum(p.numel() for p in flat_primals):
            if not any(p.requires_grad for p in flat_primals):
                # all columns in one push under vmap where func can be vmap'd;
                # the outputs themselves (and aux) then from one push of zero
                # tangents.  (Not for primals that require grad: vmap's duals
                # batch the primal too, so a reverse pass over the Jacobian
                # would sum over the batch after, not before, the primal's own
                # derivative, and lose the signed zeros PyTorch's unbatched
                # primal keeps: a push per column there.)
                blocks = vectorized_columns(j.push, flat_primals, None)
                if blocks is not None and j.usable and j.push(
                        [zeros_like(p) for p in flat_primals]):
                    blocks = [[b.to(y.dtype) if b.dtype != y.dtype else b for b in row]
                              for row, y in zip(blocks, j.flat_out)]
                else:
                    blocks = None
            if blocks is None and j.usable:
                columns = jacobian_columns(j.push, flat_primals)
        if blocks is None and columns is None:
            j = Jvp(func, args, argnums, has_aux, False, False)
            columns = jacobian_columns(j.push, flat_primals, len(j.flat_out))
        if blocks is None:
            blocks = stack_blocks(columns, j.flat_out, flat_primals, dim=-1)
        return _assemble(blocks, j, primals_spec, argnums, has_aux)

    return wrapper_fn


def hessian(func, argnums=0):
    """The Hessian of ``func`` with respect to the argument(s) at ``argnums``:
    ``jacfwd(jacrev(func, argnums), argnums)``."""
    return _jacfwd(jacrev(func, argnums), argnums, False, True)

"""chainrule.func: composable function transforms, as ``torch.func``.

    from chainrule.func import grad, jacrev, hessian
    grad(lambda x: (x ** 3).sum())(x)        # 3 * x ** 2
    grad(grad(lambda x: x ** 3))(x0)         # 6 * x0 (x0 a 0-d tensor)
    hessian(lambda x: (x ** 3).sum())(x)     # diag(6 * x)
    vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ys)   # per-sample gradients

``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``,
``hessian`` and ``vmap`` take plain tensors and return plain tensors: the
inputs are not modified and no ``requires_grad`` leaks into the results.

Where things are:
  _scope.py      one call of a transform: its fresh leaves, what escapes it
                 (how transforms nest without PyTorch's "levels")
  _argnums.py    argnums: checking, picking arguments out, putting them back
  _checks.py     what torch.func refuses, with its messages
  _grad.py       grad, grad_and_value
  _vjp.py        vjp
  _jvp.py        jvp (forward-mode AD, or the double-backward trick inside
                 other transforms)
  _jacobians.py  jacrev, jacfwd, hessian (all rows or columns at once with vmap,
                 a loop where the function cannot be vmap'd)
  _vmap.py       vmap (its arguments and messages; the batching itself is
                 _batched.py and ops/_batching.py)
  _pytree.py     nested tuples / lists / dicts
The derivative products themselves are autograd/_jacobian_products.py, shared
with torch.autograd.functional.
"""
from ._grad import grad, grad_and_value
from ._jacobians import hessian, jacfwd, jacrev
from ._jvp import jvp
from ._vjp import vjp
from ._vmap import vmap

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap"]

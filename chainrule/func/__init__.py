"""chainrule.func: composable function transforms, as ``torch.func``.

    from chainrule.func import grad, jacrev, hessian
    grad(lambda x: (x ** 3).sum())(x)        # 3 * x ** 2
    grad(grad(lambda x: x ** 3))(x0)         # 6 * x0 (x0 a 0-d tensor)
    hessian(lambda x: (x ** 3).sum())(x)     # diag(6 * x)

``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd`` and
``hessian`` take plain tensors and return plain tensors: the inputs are not
modified and no ``requires_grad`` leaks into the results.

How it works without PyTorch's "levels": each transform evaluates ``func``
at fresh leaves (``x.detach().requires_grad_()``), or at an alias
(``x.view_as(x)``) when ``x`` already requires grad (an enclosing transform's
input, or a user's tensor), so the result stays connected to the enclosing
graph.  The backward pass records a graph (``create_graph=True``) only when
the function's graph reaches a tensor from outside the transform; results
that depend on nothing outside are detached.  ``jvp`` and ``jacfwd`` use the
double backward trick (the vjp ``u -> J^T u`` is linear in ``u``;
differentiating it with respect to ``u`` along ``v`` gives ``J v``), since
chainrule has no forward-mode AD yet; the results are the same.
There is no ``vmap``: Jacobians are built row by row (or column by column).
"""
import functools

from .. import _grad_mode
from .._tensor import Tensor
from ._pytree import tree_flatten, tree_unflatten, tree_map, treespec_pprint
from ..autograd import forward_ad as _fw

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]


# --------------------------------------------------------------------------
# Inner inputs and what escapes a transform
# --------------------------------------------------------------------------

class _Scope:
    """The fresh leaves one call of a transform created."""

    def __init__(self):
        self.leaves = []        # kept alive so their ids stay unique
        self.ids = set()

    def add(self, t):
        self.leaves.append(t)
        self.ids.add(id(t))
        return t

    def make_differentiable(self, x):
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if x.requires_grad:
            # Stay connected to the enclosing graph (an outer transform or the
            # user's own autograd); the alias is where this level's gradient
            # is read.
            return x.view_as(x)
        return self.add(x.detach().requires_grad_(True))

    def reaches_outside(self, tensors):
        """Whether the graph of any of `tensors` reaches a leaf that requires
        grad and is not one of this scope's own leaves."""
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


def _autograd_grad(outputs, inputs, grad_outputs=None, retain_graph=False, create_graph=True):
    # As torch._functorch.eager_transforms._autograd_grad: outputs that do not
    # require grad are skipped; unused inputs get zeros.
    from ..autograd import grad as _grad

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return tuple(_zeros_like(inp) for inp in inputs)
    diff_outputs = tuple(p[0] for p in pairs)
    diff_grad_outputs = tuple(p[1] for p in pairs)
    grads = _grad(diff_outputs, tuple(inputs), diff_grad_outputs, retain_graph=retain_graph,
                  create_graph=create_graph, allow_unused=True)
    return tuple(_zeros_like(inp) if g is None else g for g, inp in zip(grads, inputs))


def _zeros_like(t, requires_grad=False):
    z = t.detach().new_zeros(tuple(t.shape))
    if requires_grad:
        z.requires_grad_(True)
    return z


# --------------------------------------------------------------------------
# argnums
# --------------------------------------------------------------------------

def _validate_and_wrap_argnum(argnum, num_args):
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _check_argnums_type(argnums):
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def _wrap_argnums(argnums, num_args):
    _check_argnums_type(argnums)
    if isinstance(argnums, int):
        return _validate_and_wrap_argnum(argnums, num_args)
    argnums = tuple(_validate_and_wrap_argnum(a, num_args) for a in argnums)
    if len(argnums) == 0:
        raise RuntimeError("argnums must be non-empty")
    if len(set(argnums)) != len(argnums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return argnums


def _slice_argnums(args, argnums, as_tuple=True):
    argnums = _wrap_argnums(argnums, len(args))
    if isinstance(argnums, int):
        return (args[argnums],) if as_tuple else args[argnums]
    return tuple(args[i] for i in argnums)


def _replace_args(old_args, new_args, argnums):
    # new_args: the differentiable versions, in argnums' order (a tuple).
    argnums = _wrap_argnums(argnums, len(old_args))
    if isinstance(argnums, int):
        return tuple(new_args[0] if i == argnums else a for i, a in enumerate(old_args))
    return tuple(new_args[argnums.index(i)] if i in argnums else a
                 for i, a in enumerate(old_args))


# Counts reverse-mode transforms entered: a forward-mode push that sees it
# change ran a nested transform, whose detached leaves forward-mode tangents
# cannot cross, so its result is discarded for the double-backward path.
_REVERSE_CALLS = [0]


def _prepare(scope, args, argnums):
    """(args with the differentiated ones replaced, the differentiated pytree)."""
    _REVERSE_CALLS[0] += 1
    if argnums is None:
        diff = tree_map(scope.make_differentiable, args)
        return diff, diff
    diff = _slice_argnums(args, argnums, as_tuple=False)
    diff = tree_map(scope.make_differentiable, diff)
    new = (diff,) if isinstance(argnums, int) else diff
    return _replace_args(args, new, argnums), diff


# --------------------------------------------------------------------------
# Output checks (messages as in torch._functorch.eager_transforms)
# --------------------------------------------------------------------------

def _assert_non_empty_tensor_output(output, api):
    if (len(output) == 1 and output[0] is None) or len(output) < 1:
        raise RuntimeError(
            f"{api}: Expected f to be a function that has non-empty output (got output = "
            f"{output})")
    for o in output:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(o)}")


def _assert_non_empty_list_of_tensors(output, api, argname):
    if len(output) == 0:
        raise RuntimeError(f"{api}: Expected {argname} to contain at least one Tensor.")
    for out in output:
        if not isinstance(out, Tensor):
            raise RuntimeError(
                f"{api}: Expected {argname} to only contain Tensors, got {type(out)}")


def _split_aux(output, has_aux, api):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    return output


_JVP_STR = "jvp(f, primals, tangents)"


# --------------------------------------------------------------------------
# grad / grad_and_value
# --------------------------------------------------------------------------

def _grad_and_value_impl(func, argnums, has_aux, args, kwargs):
    scope = _Scope()
    with _grad_mode.enable_grad():
        args, diff_args = _prepare(scope, args, argnums)
        output = func(*args, **kwargs)
        output, aux = _split_aux(output, has_aux, "grad_and_value(f)(*args)")

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
        create_graph = scope.reaches_outside((output,))
        flat_grad_input = _autograd_grad((output,), flat_diff_args, create_graph=create_graph,
                                         retain_graph=create_graph)
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


# --------------------------------------------------------------------------
# vjp / jacrev
# --------------------------------------------------------------------------

class _Vjp:
    """func evaluated at differentiable primals, ready for vector-Jacobian
    products."""

    def __init__(self, func, primals, argnums, has_aux):
        self.scope = scope = _Scope()
        with _grad_mode.enable_grad():
            primals, diff_primals = _prepare(scope, primals, argnums)
            out = func(*primals)
            out, aux = _split_aux(out, has_aux, "vjp(f, *primals)")
            if has_aux:
                aux = tree_map(scope.undo_aux, aux)
            self.aux = aux
            self.flat_out, self.out_spec = tree_flatten(out)
            _assert_non_empty_tensor_output(self.flat_out, "vjp(f, *primals)")
            self.flat_diff, self.primals_spec = tree_flatten(diff_primals)
            self.results = tree_map(scope.undo, out)
            for o in self.flat_out:
                if not o.is_floating_point():
                    raise RuntimeError(
                        "vjp(f, ...): All outputs of f must be floating-point or complex "
                        f"Tensors, got Tensor with dtype {o.dtype}")
        self.nested = scope.reaches_outside(self.flat_out)

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
        result = _autograd_grad(self.flat_out, self.flat_diff, flat_ct,
                                retain_graph=retain_graph, create_graph=create_graph)
        return tree_unflatten([self.scope.undo(r) for r in result], self.primals_spec)


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` gives the tuple of
    vector-Jacobian products, one per primal (``(output, vjp_fn, aux)`` with
    ``has_aux=True``)."""
    v = _Vjp(func, primals, None, has_aux)

    def fn(cotangents, retain_graph=True, create_graph=None):
        return v(cotangents, retain_graph, create_graph)
    if has_aux:
        return v.results, fn, v.aux
    return v.results, fn


def _assemble(per_output, flat_primals, primals_spec, argnums, output_spec):
    # per_output[i][k]: Jacobian of flat output i with respect to flat primal k.
    flat_output_input = tuple(tree_unflatten(list(row), primals_spec) for row in per_output)
    if isinstance(argnums, int):
        flat_output_input = tuple(x[0] for x in flat_output_input)
    return tree_unflatten(list(flat_output_input), output_spec)


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of ``func`` with respect to the argument(s) at ``argnums``,
    by reverse mode (one backward pass per output element)."""
    from ..ops.shape import stack

    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper_fn(*args):
        v = _Vjp(func, args, argnums, has_aux)
        flat_primals, primals_spec = tree_flatten(_slice_argnums(args, argnums))
        scope = v.scope
        create_graph = v.nested
        per_output = []
        with _grad_mode.enable_grad():
            multi = len(v.flat_out) > 1
            for i, out in enumerate(v.flat_out):
                flat = out.reshape(-1)
                rows = [[] for _ in v.flat_diff]
                for j in range(out.numel()):
                    if multi:
                        # As PyTorch: one vjp of all outputs with the basis
                        # cotangent (zeros for the other outputs), so that
                        # the sums (and signed zeros) come out the same.
                        e = _zeros_like(out).reshape(-1)
                        e[j] = 1
                        cts = [e.reshape(tuple(out.shape)) if ii == i else _zeros_like(o)
                               for ii, o in enumerate(v.flat_out)]
                        g = _autograd_grad(v.flat_out, v.flat_diff, cts, retain_graph=True,
                                           create_graph=create_graph)
                    else:
                        g = _autograd_grad((flat[j],), v.flat_diff, retain_graph=True,
                                           create_graph=create_graph)
                    for k, gk in enumerate(g):
                        rows[k].append(gk)
                jac = []
                for k, p in enumerate(v.flat_diff):
                    if rows[k]:
                        J = stack(rows[k], dim=0).reshape(tuple(out.shape) + tuple(p.shape))
                    else:
                        J = _zeros_like(p).new_zeros(tuple(out.shape) + tuple(p.shape))
                    jac.append(scope.undo(J))
                per_output.append(jac)
        result = _assemble(per_output, flat_primals, primals_spec, argnums, v.out_spec)
        if has_aux:
            return result, v.aux
        return result

    return wrapper_fn


# --------------------------------------------------------------------------
# jvp / jacfwd (double backward trick)
# --------------------------------------------------------------------------

class _Jvp:
    """func evaluated at differentiable primals, ready for Jacobian-vector
    products: ``push(flat_tangents)`` gives the flat output tangents."""

    def __init__(self, func, primals, argnums, has_aux, strict, flat_tangents_requires_grad):
        self.scope = scope = _Scope()
        self.strict = strict
        with _grad_mode.enable_grad():
            primals, diff = _prepare(scope, primals, argnums)
            self.flat_diff, _ = tree_flatten(diff)
            out = func(*primals)
            out, aux = _split_aux(out, has_aux, _JVP_STR)
            if has_aux:
                aux = tree_map(scope.undo_aux, aux)
            self.aux = aux
            self.flat_out, self.out_spec = tree_flatten(out)
            _assert_non_empty_tensor_output(self.flat_out, _JVP_STR)
            # u -> J^T u is linear in u: its derivative along v is J v.
            self.us = [scope.add(_zeros_like(o, requires_grad=True)) if o.requires_grad
                       else None for o in self.flat_out]
            outs = [o for o, u in zip(self.flat_out, self.us) if u is not None]
            us = [u for u in self.us if u is not None]
            if outs:
                g = _grad_raw(outs, self.flat_diff, us, create_graph=True)
            else:
                g = [None] * len(self.flat_diff)
            self.g = g
            self.primals_out = [scope.undo(o) for o in self.flat_out]
        self.nested = flat_tangents_requires_grad or scope.reaches_outside(self.flat_out)

    def push(self, flat_tangents):
        pairs = [(g, t) for g, t in zip(self.g, flat_tangents) if g is not None]
        live_us = [u for u in self.us if u is not None]
        res = None
        if pairs and live_us:
            with _grad_mode.enable_grad():
                res = _grad_raw([p[0] for p in pairs], live_us, [p[1] for p in pairs],
                                create_graph=self.nested, retain_graph=True)
        out = []
        it = iter(res) if res is not None else None
        for o, u in zip(self.flat_out, self.us):
            t = next(it) if (u is not None and it is not None) else None
            if t is None:
                if self.strict:
                    raise RuntimeError(
                        "jvp(f, primals, tangents, strict=True): "
                        "The output of f is independent of "
                        "the inputs. This is not allowed with strict=True.")
                t = _zeros_like(o)
            out.append(self.scope.undo(t))
        return out


def _grad_raw(outputs, inputs, grad_outputs, create_graph, retain_graph=None):
    # autograd.grad with None for unused inputs; outputs that do not require
    # grad skipped.
    from ..autograd import grad as _grad
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return [None] * len(inputs)
    return list(_grad(tuple(p[0] for p in pairs), tuple(inputs), tuple(p[1] for p in pairs),
                      retain_graph=retain_graph, create_graph=create_graph, allow_unused=True))


class _ForwardJvp:
    """The same interface as _Jvp, computed with forward-mode AD
    (autograd.forward_ad): each push runs func once with dual inputs.  Used
    when nothing is differentiable from outside (no outer transform, no
    closed-over tensor that requires grad); otherwise `usable` is False and
    the double-backward _Jvp serves."""

    def __init__(self, func, primals, argnums, has_aux):
        self.func, self.primals, self.argnums, self.has_aux = func, primals, argnums, has_aux
        diff = primals if argnums is None else _slice_argnums(primals, argnums, as_tuple=False)
        self.flat_diff, self.diff_spec = tree_flatten(diff)
        self.usable = (_fw.current_level() is None and
                       not any(isinstance(p, Tensor) and p.requires_grad
                               for p in tree_flatten(primals)[0]))
        self.flat_out = None

    def push(self, flat_tangents):
        before = _REVERSE_CALLS[0]
        with _fw.dual_level():
            duals = [_fw.make_dual(p, t) for p, t in zip(self.flat_diff, flat_tangents)]
            dual_tree = tree_unflatten(duals, self.diff_spec)
            if self.argnums is None:
                args = dual_tree
            else:
                new = (dual_tree,) if isinstance(self.argnums, int) else dual_tree
                args = _replace_args(self.primals, new, self.argnums)
            out = self.func(*args)
            out, aux = _split_aux(out, self.has_aux, _JVP_STR)
            flat_out, out_spec = tree_flatten(out)
            _assert_non_empty_tensor_output(flat_out, _JVP_STR)
            unpacked = [_fw.unpack_dual(o) for o in flat_out]
        if any(u.primal.requires_grad for u in unpacked) or _REVERSE_CALLS[0] != before:
            self.usable = False            # depends on something outside, or nested
            return None
        self.flat_out = [u.primal for u in unpacked]
        self.out_spec, self.aux = out_spec, aux
        return [u.tangent if u.tangent is not None else _zeros_like(u.primal)
                for u in unpacked]


def _check_tangents(flat_primals, flat_tangents):
    for p, t in zip(flat_primals, flat_tangents):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                "original Tensor, this is not supported. Tensor is of size "
                f"{list(p.shape)} while the given forward gradient is of size {list(t.shape)}.")


def _jvp_with_argnums(func, primals, tangents, argnums, *, strict=False, has_aux):
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{_JVP_STR}: Expected primals to be a tuple. "
            f"E.g. it should be valid to call f(*primals).")
    diff_args = primals if argnums is None else _slice_argnums(primals, argnums)
    flat_primals, primals_spec = tree_flatten(diff_args)
    flat_tangents, tangents_spec = tree_flatten(tangents)
    if primals_spec != tangents_spec:
        raise RuntimeError(
            f"{_JVP_STR}: Expected primals and tangents to have the same python "
            f"structure. For example, if primals is a tuple of 3 tensors, "
            f"tangents also must be. Got primals with structure {primals_spec} "
            f"and tangents with structure {tangents_spec}")
    _assert_non_empty_list_of_tensors(flat_primals, _JVP_STR, "primals")
    _assert_non_empty_list_of_tensors(flat_tangents, _JVP_STR, "tangents")
    _check_tangents(flat_primals, flat_tangents)
    if not strict and not any(t.requires_grad for t in flat_tangents):
        fj = _ForwardJvp(func, primals, argnums, has_aux)
        tangents_out = fj.push(flat_tangents) if fj.usable else None
        if tangents_out is not None:
            primals_out = tree_unflatten(fj.flat_out, fj.out_spec)
            tangents_out = tree_unflatten(tangents_out, fj.out_spec)
            if has_aux:
                return primals_out, tangents_out, fj.aux
            return primals_out, tangents_out
    j = _Jvp(func, primals, argnums, has_aux, strict,
             any(t.requires_grad for t in flat_tangents))
    tangents_out = j.push(flat_tangents)
    primals_out = tree_unflatten(j.primals_out, j.out_spec)
    tangents_out = tree_unflatten(tangents_out, j.out_spec)
    if has_aux:
        return primals_out, tangents_out, j.aux
    return primals_out, tangents_out


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product
    (``(output, jvp_out, aux)`` with ``has_aux=True``)."""
    return _jvp_with_argnums(func, primals, tangents, argnums=None, strict=strict,
                             has_aux=has_aux)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of ``func`` with respect to the argument(s) at ``argnums``,
    column by column (one Jacobian-vector product per input element)."""
    from ..ops.shape import stack

    @functools.wraps(func)
    def wrapper_fn(*args):
        primals = _slice_argnums(args, argnums)
        flat_primals, primals_spec = tree_flatten(primals)
        for p in flat_primals:
            p.numel()           # a non-Tensor fails here, as in PyTorch
        def basis_vectors():
            for k, p in enumerate(flat_primals):
                for e in range(p.numel()):
                    basis = []
                    for kk, q in enumerate(flat_primals):
                        b = _zeros_like(q).reshape(-1)
                        if kk == k:
                            b[e] = 1
                        basis.append(b.reshape(tuple(q.shape)))
                    yield k, basis

        # Forward mode: one pass per input element, unless something outside
        # makes the result differentiable; then the double-backward path.
        j = _ForwardJvp(func, args, argnums, has_aux)
        columns = None
        if j.usable and sum(p.numel() for p in flat_primals):
            for k, basis in basis_vectors():
                pushed = j.push(basis)
                if pushed is None:
                    columns = None
                    break
                if columns is None:
                    columns = [[[] for _ in flat_primals] for _ in pushed]
                for i, t in enumerate(pushed):
                    columns[i][k].append(t)
        if columns is not None:
            j.scope = _Scope()
        else:
            j = _Jvp(func, args, argnums, has_aux, False, False)
            # columns[i][k]: list of output-i tangents for primal k's basis vectors
            columns = [[[] for _ in flat_primals] for _ in j.flat_out]
            for k, basis in basis_vectors():
                for i, t in enumerate(j.push(basis)):
                    columns[i][k].append(t)
        per_output = []
        for i, o in enumerate(j.flat_out):
            row = []
            for k, p in enumerate(flat_primals):
                shape = tuple(o.shape) + tuple(p.shape)
                if columns[i][k]:
                    J = stack(columns[i][k], dim=-1).reshape(shape)
                else:
                    J = _zeros_like(o).new_zeros(shape)
                row.append(j.scope.undo(J))
            per_output.append(row)
        result = _assemble(per_output, flat_primals, primals_spec, argnums, j.out_spec)
        if has_aux:
            return result, j.aux
        return result

    return wrapper_fn


def hessian(func, argnums=0):
    """The Hessian of ``func`` with respect to the argument(s) at ``argnums``:
    ``jacfwd(jacrev(func, argnums), argnums)``."""
    return jacfwd(jacrev(func, argnums), argnums)

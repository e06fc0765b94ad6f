"""Custom differentiable functions: `autograd.Function`, as in PyTorch.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    Exp.apply(x)

`apply` runs `forward` without recording, then attaches one node (the `ctx`
object itself, an instance of `ExpBackward`) whose backward calls the user's
`backward`.  When that backward is written with chainrule ops, it can itself
be differentiated (create_graph=True), as with built-in ops.
"""
import functools

from .. import _errors
from .._grad_mode import STATE, no_grad
from .._tensor import Tensor
from . import forward_ad
from .graph import Node
from ..ops import _backend
from ..ops._args import broadcast_shapes
from .._inplace_state import FW_ACTIVE as _FW_ACTIVE, SAVED_HOOKS as _SAVED_HOOKS
from .._inplace_state import FUNC_LEVEL as _FUNC_LEVEL, VMAP_ACTIVE as _VMAP_ACTIVE
from .. import _batched, _func_levels
from . import _saved_hooks
from .._views import box_of, bump, modified_error

__all__ = ["Function", "FunctionCtx", "once_differentiable", "InplaceFunction"]


class FunctionCtx:
    """What `forward`/`setup_context` may record for `backward`."""

    def save_for_backward(self, *tensors):
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {type(t).__name__}")
        self._to_save = tensors

    def save_for_forward(self, *tensors):
        self._to_save_forward = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        self._dirty = {id(t) for t in tensors}

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The node of a custom Function: also the `ctx` its forward received."""
    _forward_cls = None
    materialize_grads = True
    _to_save = ()
    _non_differentiable = frozenset()
    _dirty = frozenset()
    _n_outputs = 1
    _output_ids = frozenset()
    _saves_output = False   # ctx.saved holds a _SavedOutput (see _unlink_saved_output)

    def __repr__(self):
        # As PyTorch's (whose nodes of Python Functions are Python classes in
        # torch.autograd.function): the module path, then the name.
        return f"<chainrule.autograd.function.{type(self).__name__} object at {id(self):#x}>"

    @property
    def saved_tensors(self):
        if self.saved is None and self._had_saved:
            raise _errors.freed_graph()
        saved = self.saved or ()
        if self._saves_output:
            saved = [v.revive(self) if v.__class__ is _SavedOutput else v for v in saved]
        _check_versions(self, saved)
        return tuple(saved)

    saved_variables = saved_tensors

    @property
    def _had_saved(self):
        return bool(self._to_save)

    def apply_formulas(self, g, create_graph, needed=None):
        if self.saved is None and self._had_saved:
            raise _errors.freed_graph()
        cls = self._forward_cls
        n_out = self._n_outputs
        grads_out = list(g) if n_out > 1 else [g]
        out_meta = self._out_meta
        wrapped = []
        xp = None
        for k, go in enumerate(grads_out):
            if go is None:
                # (a non-Tensor output's gradient is None whatever materialize_grads says)
                if self.materialize_grads and out_meta[k][1] is not None:
                    shape, dtype = out_meta[k]
                    if xp is None:
                        xp = _namespace_of(grads_out)
                    go = xp.zeros(shape, dtype)
                else:
                    wrapped.append(None)
                    continue
            wrapped.append(go if isinstance(go, Tensor) else Tensor._make(go))
        prev = STATE.enabled
        STATE.enabled = bool(create_graph)
        try:
            result = cls.backward(self, *wrapped)
        finally:
            STATE.enabled = prev
        if not isinstance(result, tuple):
            if result is not None and not isinstance(result, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(result).__name__})")
            result = (result,)
        n_in = len(self.edges)
        if len(result) != n_in:
            if len(result) > n_in and all(r is None for r in result[n_in:]):
                result = result[:n_in]
            else:
                raise RuntimeError(f"function {type(self).__name__} returned an incorrect number "
                                   f"of gradients (expected {n_in}, got {len(result)})")
        grads = []
        for i, (r, e, m) in enumerate(zip(result, self.edges, self.meta)):
            if r is None:
                grads.append(None)
                continue
            if not isinstance(r, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
            if m is None:
                raise RuntimeError(f"function {type(self).__name__} returned a gradient different "
                                   f"than None at position {i + 1}, but the corresponding "
                                   "forward input was not a Variable")
            if e is None:
                grads.append(None)
                continue
            shape, dtype = m
            if r._data.shape != shape:
                # (as PyTorch: the input's shape must expand to the gradient's,
                # which is then summed down to it)
                try:
                    ok = tuple(broadcast_shapes(shape, r._data.shape)) == tuple(r._data.shape)
                except ValueError:
                    ok = False
                if not ok:
                    raise RuntimeError(
                        f"Function {type(self).__name__} returned an invalid gradient at index "
                        f"{i} - got {list(r._data.shape)} but expected shape compatible with "
                        f"{list(shape)}")
            if create_graph:
                gi = r
                if gi._data.shape != shape or gi._data.dtype != dtype:
                    gi = Node.tensor_ops.fit(gi, shape, dtype)
            else:
                gi = r._data
                if gi.shape != shape or gi.dtype != dtype:
                    # (the formula namespace of the gradient's array library)
                    ops = (Node.array_ops if gi.__class__ not in _backend.FOREIGN
                           else _backend.backend_of(gi).array_ops)
                    gi = ops.fit(gi, shape, dtype)
            grads.append(gi)
        return grads


def _namespace_of(grads):
    """The array namespace of the gradients given (for the missing ones)."""
    for g in grads:
        if g is not None:
            return _backend.namespace(g._data if isinstance(g, Tensor) else g)
    return _backend.default().xp


class _OutputSelector(Node):
    """For a Function with several outputs: output k's gradient, passed on to
    the shared node in slot k (the engine sums slot lists elementwise).  The
    outputs' grad_fn is the shared node; only the graph's edges see this."""
    __slots__ = ()
    _is_selector = True

    def apply_formulas(self, g, create_graph, needed=None):
        k, n = self.params
        slots = _Slots([None] * n)
        slots[k] = g
        return [slots]


class _Slots(list):
    """Per-output gradients of a multi-output node; `+` merges them."""

    def __add__(self, other):
        return _Slots(a if b is None else (b if a is None else a + b) for a, b in zip(self, other))


class _SavedOutput:
    """A custom Function's own output as its node keeps it in ctx.saved: the
    array and the version counter, not the Tensor, whose grad_fn is the node
    (a reference cycle that only the cycle collector would free).  Reading
    ctx.saved_tensors makes it a Tensor of the node again, as PyTorch's saved
    variables do for outputs."""
    __slots__ = ("data", "box")

    def __init__(self, t):
        self.data = t._data
        self.box = box_of(t)        # (shared: in-place changes of the output still count)

    def revive(self, node):
        t = Tensor._make(self.data, True, node)
        t._vbox = self.box
        return t


def _unlink_saved_output(ctx, out):
    """Replace the single output in ctx.saved by a _SavedOutput."""
    if not isinstance(out, Tensor) or out._grad_fn is not ctx or \
            not any(v is out for v in ctx.saved):
        return
    ctx.saved = tuple(_SavedOutput(v) if v is out else v for v in ctx.saved)
    ctx._saves_output = True


def _check_versions(node, saved):
    versions = getattr(node, "_saved_versions", None)
    if versions is None:
        return
    for t, v in zip(saved, versions):
        if t is not None and t._version != v:
            raise modified_error(t, v, node, is_output=id(t) in node._output_ids)


class FunctionMeta(type):
    """Gives every Function subclass its node class, named <Name>Backward."""

    def __init__(cls, name, bases, attrs):
        backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attrs)


class Function(metaclass=FunctionMeta):
    """Base class for differentiable operations with hand-written backward."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    vjp = backward

    # vmap: with generate_vmap_rule, forward's own ops are batched (so is
    # backward's); a vmap staticmethod of the class's own is run the same way
    # (chainrule batches forward's ops rather than calling it); neither:
    # PyTorch's error.
    generate_vmap_rule = False

    @staticmethod
    def vmap(info, in_dims, *args):
        raise NotImplementedError("To use autograd.Function with vmap, you must either override "
                                  "the vmap staticmethod or set generate_vmap_rule=True.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls()
        uses_setup = cls.setup_context is not Function.setup_context
        if _FUNC_LEVEL[0] or _VMAP_ACTIVE[0]:
            if not uses_setup:
                _func_levels.check_function(_VMAP_ACTIVE[0])  # torch.func needs setup_context
            if (_VMAP_ACTIVE[0] and not cls.generate_vmap_rule and cls.vmap is Function.vmap
                    and _batched.any_batched(args)):
                raise _batched.NoVmapRule(
                    f"You tried to vmap over {cls.__name__}, but it does not have vmap support. "
                    "Please override and implement the vmap staticmethod or set "
                    "generate_vmap_rule=True. For more details, please see "
                    "https://pytorch.org/docs/main/notes/extending.func.html")
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        forward_mode = _FW_ACTIVE[0]
        _FW_ACTIVE[0] = False              # the Function's own jvp gives the tangents
        try:
            with no_grad():
                if uses_setup:
                    output = cls.forward(*args, **kwargs)
                    cls.setup_context(ctx, args, output)
                else:
                    output = cls.forward(ctx, *args, **kwargs)
        finally:
            _FW_ACTIVE[0] = forward_mode
        recording = STATE.enabled and any(ctx.needs_input_grad)
        outputs = output if isinstance(output, tuple) else (output,)
        if ctx._dirty and not ctx._dirty <= {id(o) for o in outputs}:
            raise RuntimeError(
                "Some elements marked as dirty during the forward method were not returned as "
                "output. The inputs that are modified inplace must all be outputs of the "
                "Function.")
        if _FW_ACTIVE[0]:
            _push_custom_tangents(cls, ctx, args, outputs)
        if not recording:
            return output
        edges, meta = [], []
        for a in args:
            if isinstance(a, Tensor):
                fn = a._grad_fn
                edges.append(fn if fn is not None else (a if a._requires_grad else None))
                meta.append((a._data.shape, a._data.dtype))
            else:
                edges.append(None)
                meta.append(None)
        ctx.edges = edges
        ctx.meta = meta
        ctx.params = ()
        ctx.saved = tuple(ctx._to_save) if ctx._to_save else None
        if ctx._to_save:
            if _SAVED_HOOKS[0]:
                _saved_hooks.pack(ctx, ctx.saved)
            else:
                ctx._saved_versions = tuple(None if t is None else t._version
                                            for t in ctx._to_save)
            # From here on only whether something was saved matters (_had_saved):
            # the values live in ctx.saved alone, which backward frees.
            ctx._to_save = True
        ctx._output_ids = {id(o) for o in outputs if isinstance(o, Tensor)}
        ctx._n_outputs = len(outputs)
        ctx._out_meta = [(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), None)
                         for o in outputs]
        if ctx._dirty:
            from .. import _inplace    # (cycle: _inplace imports the ops, which import autograd)
            for o in outputs:
                if id(o) in ctx._dirty:
                    _inplace.check_dirty(o)
        input_ids = {id(a) for a in args if isinstance(a, Tensor)}
        name = cls.__name__
        new = []
        for k, o in enumerate(outputs):
            if not isinstance(o, Tensor):
                new.append(o)
                continue
            dirty = id(o) in ctx._dirty
            if dirty:
                bump(o)                              # changed in place by forward
            elif id(o) in input_ids:
                o = Tensor._make(o._data)            # an input returned as is: a new alias
                o._custom_fn_view = (k, name)        # (PyTorch counts it a view of the input)
            elif o._view_of is not None:
                # A view made inside forward: the view+inplace logic would bypass
                # the Function's backward, so PyTorch refuses in-place changes to it.
                o._custom_fn_view = (k, name)
            if id(outputs[k]) in ctx._non_differentiable:
                new.append(o)
                continue
            if ctx._n_outputs == 1:
                node = ctx
            else:
                node = _OutputSelector()
                node.edges = [ctx]
                node.meta = [None]
                node.params = (k, ctx._n_outputs)
                node.saved = None
            if dirty and o._view_of is not None:
                # An input view changed in place: as for any in-place change
                # through a view, its base is rebased (CopySlices over this
                # node) and the view's history regenerated from the base's.
                from .. import _inplace    # (cycle: _inplace imports the ops, which import autograd)
                _inplace.change_view(o, lambda old, node=node: Tensor._make(o._data, True, node),
                                     bump_version=False)
            elif dirty:
                from .. import _inplace    # (cycle: _inplace imports the ops, which import autograd)
                _inplace._rebase(o, node)  # (a retained .grad follows the new version)
                _inplace._refresh_views(o, None)   # (its views' histories start from it now)
            else:
                o._grad_fn = node
                o._requires_grad = True
            new.append(o)
        if ctx.saved and ctx._n_outputs == 1 and ctx._unpack is None and not ctx._dirty:
            _unlink_saved_output(ctx, new[0])
        return tuple(new) if isinstance(output, tuple) else new[0]


InplaceFunction = Function


def _push_custom_tangents(cls, ctx, args, outputs):
    """Forward-mode AD through a custom Function: its `jvp` gives the output
    tangents from the input tangents (as in PyTorch, there is no default)."""
    tangents = [a._fw_tangent if isinstance(a, Tensor) else None for a in args]
    if all(t is None for t in tangents):
        return
    if cls.jvp is Function.jvp:
        Function.jvp(ctx)                    # raises PyTorch's NotImplementedError
    if getattr(ctx, "_to_save_forward", None) is not None:
        ctx.saved = tuple(ctx._to_save_forward)
    _FW_ACTIVE[0] = False
    try:
        with no_grad():
            result = cls.jvp(ctx, *tangents)
    finally:
        _FW_ACTIVE[0] = True
    result = result if isinstance(result, tuple) else (result,)
    if len(result) != len(outputs):
        raise RuntimeError("Function's jvp returned an invalid number of forward gradients "
                           f"(expected {len(outputs)} but got {len(result)})")
    for o, t in zip(outputs, result):
        if (isinstance(o, Tensor) and isinstance(t, Tensor) and t._view_of is None and
                id(o) not in ctx._dirty and     # (a dirty input's jvp changes its tangent in place)
                (o._view_of is not None or any(o is a for a in args))):
            raise RuntimeError("A custom Function's forward is returning a view (or an input "
                               "as-is) but the jvp is not returning a view.")
    for o, t in zip(outputs, result):
        if isinstance(o, Tensor) and t is not None:
            o._fw_tangent = t
            forward_ad._LEVEL["duals"].append(o)


_ONCE_ERROR = "trying to differentiate twice a function that was marked with @once_differentiable"


class Error(Node):
    """PyTorch's DelayedError node: a once_differentiable backward asked for
    a graph (create_graph with a gradient that requires grad) gives results
    that require grad through this node, so that differentiating them again
    fails with a clear error instead of giving a silent zero."""

    def apply_formulas(self, g, create_graph, needed=None):
        raise RuntimeError(_ONCE_ERROR)


def _delayed_error(t):
    if not isinstance(t, Tensor):
        return t
    node = Error()
    node.edges, node.meta, node.params, node.saved = [None], [None], (), None
    out = Tensor._make(t._data)
    out._grad_fn = node
    out._requires_grad = True
    return out


def once_differentiable(fn):
    """The wrapped backward runs without recording: its result cannot be
    differentiated again (trying to raises, as in PyTorch)."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            result = fn(ctx, *args)
        if not (STATE.enabled and any(isinstance(a, Tensor) and a._requires_grad for a in args)):
            return result
        if isinstance(result, tuple):
            return tuple(_delayed_error(r) for r in result)
        return _delayed_error(result)
    return wrapper

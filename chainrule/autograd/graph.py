"""The recorded graph: one `Node` per differentiable operation.

A node knows
  * `edges`: for each input of the operation, where that input's gradient goes:
    the input's own node, the input tensor itself when it is a leaf that
    requires grad (the engine accumulates into its .grad), or None;
  * `saved`: the tensors its backward formulas need (inputs as Tensors, the
    output as a raw array), freed after backward unless the graph is retained;
  * `params`: non-tensor arguments (dims, shapes...), never freed;
  * `meta`: each input's (shape, dtype), so gradients return in the input's
    own shape (undoing broadcasting) and dtype.

What a node does on backward is not written here: each operation's class
carries its formulas (see chainrule/ops/).  This module and the engine know
nothing about specific operations.
"""
import weakref

from .. import _errors
from .._views import check_saved as _check_saved
from .._inplace_state import EPOCH as _EPOCH, FW_ACTIVE as _FW_ACTIVE
from .forward_ad import _LEVEL as _FW_LEVEL
from .._tensor import Tensor as _Tensor
from ..ops import _backend

# Array classes of the libraries other than NumPy (none unless one is
# registered): gradients of theirs take apply_formulas with their own formula
# namespace, not the generated apply_raw, which is NumPy's.  The engine asks
# here (it imports no op module).
FOREIGN_ARRAYS = _FOREIGN = _backend.FOREIGN
foreign = _backend.foreign      # foreign(values): whether any is such an array
is_writeable = _backend.is_writeable     # (a gradient may be the read-only seed, autograd._one)
ndarray = _backend.ndarray               # (the generated apply_raw is NumPy's)
as_array = _backend.as_array             # (NumPy gives scalars for 0-d results)

# (saved_tensors_hooks, save_on_cpu and disable_saved_tensors_hooks are
# torch.autograd.graph's too: autograd/__init__.py puts them here from
# _saved_hooks.py, which builds on Node.)
__all__ = ["Node", "AccumulateGrad"]


class Node:
    """A recorded operation.  Subclasses (one per op, made by ops/_registry.py)
    set the class attributes below; instances hold only per-call data."""

    __slots__ = ("edges", "saved", "params", "meta", "_epoch", "__weakref__", "__dict__")

    # --- set per operation by the registry -------------------------------
    formulas = ()      # one (function, slots) per input, or None where not differentiable
    combined = None    # alternatively one function returning all inputs' gradients
    apply_raw = None   # optional compiled fast path of apply_formulas (plain backward)
    saves_tensors = False
    out_index = -1     # position of the op's output among `saved`, or -1
    _pre_hooks = None  # set on first register_prehook (kept in the instance dict)
    _post_hooks = None
    _tensor_hooks = None  # hooks of the tensor this node produced (register_hook)
    _retained = None   # weakref to that tensor when it called retain_grad()
    _has_hooks = False  # any of the three above: one check on the engine's hot path
    _is_node = True    # edges hold nodes or leaf tensors (whose _is_node is False)
    _is_selector = False  # picks output k of a multi-output node (autograd/function.py)
    _saved_versions = None  # versions of saved tensors that had counters when saved
    _out_modified = None  # set when the saved output was changed in place (_views.bump)
    _unpack = None     # (unpack hook, kinds) when saved holds packed values (_saved_hooks.py)
    _nothing_saved = None  # what `saved` starts as with nothing to save (ops/_registry.HOLDS_TENSORS)
    _out_tangent = None  # (dual level, tangent) of the output, saved raw (see _unpack_tensors)
    _op = None         # the registry Op of an op's node (set by ops/_registry.py)
    # The formulas' namespaces, F (set by ops/_registry.py: it imports this module).
    array_ops = None   # raw arrays, plain backward
    tensor_ops = None  # Tensors, create_graph (also the engine's way to the ops)

    # --- introspection, as in PyTorch ------------------------------------
    def name(self):
        n = type(self).__name__
        # Nodes PyTorch writes by hand in C++ report their namespace.
        return "torch::autograd::" + n if n in ("CopySlices", "CopyBackwards",
                                                 "AccumulateGrad", "Error") else n

    @property
    def next_functions(self):
        out = []
        for e in self.edges:
            if e is None:
                out.append((None, 0))
            elif isinstance(e, Node):
                out.append((e.edges[0], e.params[0]) if e._is_selector else (e, 0))
            else:                       # a leaf tensor
                out.append((e._accumulate_node(), 0))
        return tuple(out)

    @property
    def metadata(self):
        return self.__dict__

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def register_hook(self, hook):
        """hook(grad_inputs, grad_outputs) runs after this node; may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = {}
        return _Handle(self._post_hooks, hook)

    def register_prehook(self, hook):
        """hook(grad_outputs) runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        self._has_hooks = True
        return _Handle(self._pre_hooks, hook)

    def __call__(self, *grads):
        return self.apply_formulas(grads[0], False)

    # --- backward ---------------------------------------------------------
    def apply_formulas(self, g, create_graph, needed=None):
        """Gradients for each input, given the gradient `g` of the output.

        One set of formulas serves both modes: with create_graph=False they
        run on raw arrays through `ArrayOps` (fast, no graph); with
        create_graph=True on Tensors through `TensorOps`, so the backward
        computation is itself recorded and can be differentiated again.
        The generated apply_raw and `array_ops` are NumPy's; a gradient of
        another array library takes the generic path with that library's
        formula namespace.
        """
        if create_graph:
            F = self.tensor_ops
        elif g.__class__ not in _FOREIGN:
            if self.apply_raw is not None:
                return self.apply_raw(g, needed)
            F = self.array_ops
        else:
            F = _backend.backend_of(g).array_ops
        saved = self.saved
        if saved is not None and self._epoch != _EPOCH[0]:
            _check_saved(self)
        if saved is None:
            if self.saves_tensors:
                raise _errors.freed_graph()
            vals = self.params
        elif create_graph:
            vals = self._unpack_tensors(saved) + list(self.params)
        else:
            vals = [v._data if isinstance(v, _Tensor) else v for v in saved]
            if self.params:
                vals += self.params
        grads = self._formula_grads(F, g, vals, needed)
        # Return each gradient in its input's shape (undo broadcasting) and dtype
        # (compared on the arrays: a Tensor's dtype against NumPy's would go
        # through NumPy's dtype conversion, and never be equal).
        for i, (gi, m) in enumerate(zip(grads, self.meta)):
            if gi is not None:
                d = gi._data if isinstance(gi, _Tensor) else gi
                if d.shape != m[0] or d.dtype != m[1]:
                    grads[i] = F.fit(gi, m[0], m[1])
        return grads

    def _formula_grads(self, F, g, vals, needed):
        """The formulas' gradients, one per input (None where the input takes
        no part or is not `needed`), before shapes and dtypes are fitted."""
        combined = self.combined
        if combined is not None:
            grads = list(combined(F, g, *vals))
            for i, e in enumerate(self.edges):
                if e is None:
                    grads[i] = None
            return grads
        grads = []
        for e, f in zip(self.edges, self.formulas):
            if e is None or f is None or (needed is not None and e not in needed):
                grads.append(None)
            else:
                fn, slots = f
                grads.append(fn(F, g, *[vals[s] for s in slots]))
        return grads

    def _unpack_tensors(self, saved):
        # Inputs were saved as Tensors (graph intact); the output was saved as a
        # raw array, to avoid a cycle output -> node -> output.  Re-wrap it with
        # this node as its grad_fn so second derivatives flow through it.
        if not saved:
            return []
        out = list(saved)
        i = self.out_index
        if i >= 0 and out[i] is not None and out[i].__class__ is not _Tensor:
            out[i] = _Tensor._make(out[i], True, self)
            tangent = self._out_tangent
            if tangent is not None and _FW_ACTIVE[0] and tangent[0] == _FW_LEVEL["count"]:
                out[i]._fw_tangent = tangent[1]     # (forward over reverse; see _dispatch)
                _FW_LEVEL["duals"].append(out[i])
        return out


class AccumulateGrad(Node):
    """Stands for a leaf in `next_functions`; the engine accumulates into
    `variable.grad` when a gradient reaches it."""
    __slots__ = ("variable",)

    def __init__(self, variable):
        self._epoch = 0
        self.variable = variable
        self.edges = ()
        self.saved = None
        self.params = ()
        self.meta = ()


class _Handle:
    """Removable handle returned by register_hook, as torch.utils.hooks.RemovableHandle."""
    _next_id = 0

    def __init__(self, table, hook):
        _Handle._next_id += 1
        self.id = _Handle._next_id
        self._table = table
        table[self.id] = hook

    def remove(self):
        self._table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_tensor_hook(t, hook):
    """t.register_hook(hook): on a leaf the hook is the tensor's; on a
    non-leaf it is kept by the node that produced t (a node produces one
    tensor, so the gradient arriving at it is t's)."""
    if t._grad_fn is None:
        if t._backward_hooks is None:
            t._backward_hooks = {}
        return _Handle(t._backward_hooks, hook)
    fn = t._grad_fn
    fn._has_hooks = True
    if fn._tensor_hooks is None:
        fn._tensor_hooks = {}
    return _Handle(fn._tensor_hooks, hook)


def watch_nonleaf(t):
    """t.retain_grad() on a non-leaf: its node stores the gradient into t.grad."""
    t._grad_fn._retained = weakref.ref(t)
    t._grad_fn._has_hooks = True

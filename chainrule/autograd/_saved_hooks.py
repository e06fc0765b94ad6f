"""Saved-tensor hooks (torch.autograd.graph.saved_tensors_hooks and kin).

While hooks are active, every tensor an operation saves for its backward is
handed to ``pack_hook`` when it is saved and only what that returns is kept;
``unpack_hook`` turns it back into a tensor each time a backward pass needs
it.  The node keeps its packed values in ``saved`` (so a freed graph is still
detected) and marks itself with ``_unpack``; the engine unpacks just before
the node runs (``unpacked``) and the packed values stay for a retained graph.
Version checks are off for such values, as in PyTorch: the hooks own them.
"""
from .._inplace_state import SAVED_HOOKS
from .._tensor import Tensor
from .graph import Node

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks", "pack",
           "unpacked"]

_STACK = []              # active (pack_hook, unpack_hook) pairs; the innermost is used
_DISABLED = []           # error messages of the active disable_saved_tensors_hooks blocks
# What a packed value was (besides the node or leaf a saved tensor came from):
_TENSOR, _ARRAY = object(), object()     # a tensor that needed no grad; the op's raw output


class saved_tensors_hooks:
    """Context manager: pack_hook(tensor) -> anything when a tensor is saved
    for backward, unpack_hook(that) -> tensor when backward needs it."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _DISABLED:
            raise RuntimeError(_DISABLED[-1])
        _STACK.append((self.pack_hook, self.unpack_hook))
        SAVED_HOOKS[0] = True
        return self

    def __exit__(self, *exc):
        _STACK.pop()
        SAVED_HOOKS[0] = bool(_STACK)
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are kept as copies in host memory and moved back when
    backward needs them (on the CPU: a copy each way, as PyTorch's)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(t):
            return (t.device, t.detach().cpu().clone())

        def unpack_from_cpu(packed):
            device, t = packed
            return t.to(device)
        super().__init__(pack_to_cpu, unpack_from_cpu)


class disable_saved_tensors_hooks:
    """Inside, entering saved_tensors_hooks raises RuntimeError(error_message)
    (for features that cannot work with them); so does entering this while
    hooks are active."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        if _STACK:
            raise RuntimeError(self.error_message)
        _DISABLED.append(self.error_message)
        return self

    def __exit__(self, *exc):
        _DISABLED.pop()
        return False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with disable_saved_tensors_hooks(self.error_message):
                return fn(*args, **kwargs)
        return wrapper


def pack(node, saved, output=None):
    """Replace node.saved (a tuple of Tensors, raw arrays of the output, numbers
    and None) with the pack hook's results; `output` is the Tensor the raw
    output arrays belong to (the pack hook sees it, as in PyTorch)."""
    pack_hook, unpack_hook = _STACK[-1]
    packed, kinds = [], []
    for v in saved:
        if isinstance(v, Tensor):
            packed.append(pack_hook(v))
            # Where its gradient went (its node, or the leaf itself): the unpacked
            # tensor gets that history back, as in PyTorch, so higher derivatives
            # still reach the inputs whatever the hooks returned.
            kinds.append(v._grad_fn if v._grad_fn is not None else (v if v._requires_grad else
                                                                    _TENSOR))
        elif v is not None and output is not None and v is output._data:
            packed.append(pack_hook(output))
            kinds.append(_ARRAY)
        else:
            packed.append(v)                 # numbers and None are kept as they are
            kinds.append(None)
    node.saved = tuple(packed)
    node._unpack = (unpack_hook, tuple(kinds))


def unpacked(node):
    """node.saved with the unpack hook applied (what the formulas read)."""
    unpack_hook, kinds = node._unpack
    out = []
    for v, kind in zip(node.saved, kinds):
        if kind is None:
            out.append(v)
            continue
        t = unpack_hook(v)
        if not isinstance(t, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            f"result of type {type(t).__name__}")
        if kind is _ARRAY:
            out.append(t._data)
        elif kind is _TENSOR or t._grad_fn is kind or t is kind:
            out.append(t)
        elif isinstance(kind, Tensor):              # a leaf: route its gradient there
            out.append(Tensor._make(t._data, True, _Graft(kind)))
        else:                                       # a node: the same history
            out.append(Tensor._make(t._data, True, kind))
    return tuple(out)


class _Graft(Node):
    """An unpacked saved tensor standing for a leaf: its gradient goes to the leaf."""

    def __init__(self, leaf):
        self.edges = [leaf]
        self.meta = [(leaf._data.shape, leaf._data.dtype)]
        self.params = ()
        self.saved = None
        self._epoch = 0

    def apply_formulas(self, g, create_graph, needed=None):
        return [g]

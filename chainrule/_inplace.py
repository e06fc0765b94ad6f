"""In-place operations: x.add_(y), x[i] = v, x.zero_() and the like.

A recorded in-place op is computed out of place on a snapshot of the old
value, then written into the tensor's storage, its version counter is bumped
(_views.py) and the tensor's history is rebased onto the new node.  When the
tensor is a view of another (x[0], x.t(), x.view(...)), the change is written
back into the base through differentiable ops (index_put for indexing, the
inverse reshape/permute otherwise), so the base's history is rebased too and
both get correct gradients.
"""
from ._dtypes import FROM_NP
from ._grad_mode import STATE
from . import _batched
from ._inplace_state import CAPTURE, FUNC_LEVEL, FW_ACTIVE, SPECIAL as _SPECIAL, VMAP_ACTIVE
from ._fpstate import quietly_fast as _quietly
from . import _func_levels
from ._tensor import Tensor
from . import _inplace_tangents as tangents
from ._views import bump, inverse_permutation
from .ops import _backend, shape as S
from .ops.pointwise import MUL as _MUL
from .ops._registry import FUNCTIONS as _FUNCTIONS, complex_like

_ndarray = _backend.ndarray

def _apply_step(x, step):
    kind, arg = step
    if kind == "index":
        return S.getitem(x, arg)
    if kind == "reshape":
        return S._reshape_any(x, arg)     # (replayed on a copy, whose strides may differ)
    if kind == "expand":
        return S.expand(x, arg)
    if kind in _PARTS:                    # real, imag, view_as_real, view_as_complex
        return _FUNCTIONS[kind](x)
    return S.permute(x, arg)


def _write_back(parent, step, new_child, final=False):
    """The parent with the region `step` selects replaced by new_child
    (differentiable).  `final`: parent is the base itself, and the node is
    named CopySlices, as PyTorch's."""
    kind, arg = step
    if kind == "index":
        return S.index_put(parent, arg, new_child, "CopySlices" if final else None)
    if kind == "reshape":
        whole = S._reshape_any(new_child, parent._data.shape)
    elif kind in _PARTS:
        whole = _whole_of_part(parent, kind, new_child)
    else:
        whole = S.permute(new_child, inverse_permutation(arg))
    if final:
        return S.index_put(parent, (Ellipsis,), whole, "CopySlices")
    return whole


# The complex views (ops/complex.py, reached through the registry's table:
# that module imports the view machinery this one belongs to).
_PARTS = ("real", "imag", "view_as_real", "view_as_complex")


def _whole_of_part(parent, kind, part):
    """parent (complex, or real for view_as_complex) with the view `kind`
    of it replaced by `part`, differentiably."""
    F = _FUNCTIONS
    if kind == "real":
        return F["complex"](part.to(F["imag"](parent).dtype), F["imag"](parent))
    if kind == "imag":
        return F["complex"](F["real"](parent), part.to(F["real"](parent).dtype))
    if kind == "view_as_real":
        return F["complex"](part[..., 0], part[..., 1])
    return F["view_as_real"](part)


# --- the in-place driver ------------------------------------------------------------------------
def check_leaf(self):
    """PyTorch refuses in-place changes to leaves that require grad (and their views)."""
    if self._grad_fn is None and self._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    view = self._view_of
    if view is not None and view[0]._grad_fn is None and view[0]._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def check_dirty(t):
    """PyTorch's checks on a tensor a custom Function marked dirty (changed in
    place) while recording; they run after its forward, as in PyTorch."""
    if t._grad_fn is None and t._requires_grad:      # a leaf, or a view made in no_grad
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                           "operation.")
    check_leaf(t)
    if t._view_of is not None and t._multi_view is not None:
        raise _multi_view_error(t)


# How PyTorch's vmap names an in-place op whose self is batched less than its
# other operands (its batching rules differ in wording; add_ falls through to
# the kernel's own shape check).
_VMAP_ARITHMETIC = {"sub_", "mul_", "div_", "copy_", "__setitem__", "masked_fill_", "zero_", None}


def _vmap_inplace_error(self, result, name):
    if name == "add_" and self.__class__ is not _batched.BatchedTensor:
        return (f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                f"{list(_batched.bottom(result).shape)}")
    what = ("inplace arithmetic" if name in _VMAP_ARITHMETIC else
            "fill_" if name == "fill_" else f"aten::{name}")
    return (f"vmap: {what}(self, *extra_args) is not possible because there exists a "
            "Tensor `other` in extra_args that has more elements than `self`. This happened due "
            "to `other` being vmapped over but `self` not being vmapped over in a vmap. Please "
            "try to use out-of-place operators instead of inplace arithmetic. If said operator "
            "is being called inside the PyTorch framework, please file a bug report instead.")


def _keep_if_saved(old, node):
    """old (the changed tensor's value before the change, sharing its storage)
    given its own copy if the change's node saved it: the write that follows
    would otherwise change what the backward reads."""
    if node is not None and node.saved and any(v is old for v in node.saved):
        old._data = old._data.copy()


def _batched_inplace(self, compute, others, name):
    """An in-place change inside vmap: computed out of place on the batch, then
    copied into the batch under self (itself changed in place, so views and
    autograd see an ordinary in-place copy).  An unbatched self cannot take a
    batched value: PyTorch's error (Unbatchable, a RuntimeError: jacrev and
    jacfwd, which try vmap first, then loop)."""
    value = getattr(self, "_value", None)
    old = None
    if value.__class__ is Tensor and STATE.enabled and value._requires_grad:
        # As apply() does: the op runs on the old value sharing storage, copied
        # only if the op's node saved it (the copy below would change it under
        # the node: a grad of vmap of leaky_relu(x * 1, inplace=True) raised)
        old = Tensor._make(value._data, True, value._grad_fn)
        result = compute(_batched.wrap(old, self._level))
    else:
        result = compute(self)
    if self.__class__ is not _batched.BatchedTensor or (
            result.__class__ is _batched.BatchedTensor and result._level > self._level):
        raise _batched.Unbatchable(_vmap_inplace_error(self, result, name))
    lowered = _batched.lower_to(result, self._level)
    if old is not None:
        _keep_if_saved(old, lowered._grad_fn)
    value.copy_(lowered)
    _batched.refresh(self)
    return self


def arithmetic_unrecorded(self, ufunc, other, alpha):
    """x.add_(y) and its kin outside grad mode (an optimizer's step), done as
    one ufunc writing into x: what apply() below computes, without the
    out-of-place result and its copy (half the cost of a small update).
    Only float x and y of x's dtype and shape (or a Python number), with no
    transform, capture or dual level open; returns False for anything else,
    which apply() then handles.  The values are those of apply()'s path: the
    same ufunc on the same operands (y * alpha first, as add() does)."""
    if (STATE.enabled or _SPECIAL[0] or FUNC_LEVEL[0] or VMAP_ACTIVE[0] or FW_ACTIVE[0] or
            CAPTURE[0] is not None or (self._inference and not STATE.inference)):
        return False
    d = self._data
    if d.__class__ is not _ndarray or d.dtype.kind != "f":
        return False
    c = other.__class__
    if c is float or c is int:
        if alpha != 1:
            return False
        v = _backend.numpy_scalar(other, d.dtype)
    elif c is Tensor or isinstance(other, Tensor):
        v = other._data
        if v.__class__ is not _ndarray or v.dtype is not d.dtype or v.shape != d.shape:
            return False
        if alpha != 1:
            if alpha.__class__ is not float and alpha.__class__ is not int:
                return False
            v = _quietly(_MUL.forward, v, _backend.numpy_scalar(alpha, d.dtype))
    else:
        return False
    try:
        _quietly(ufunc, d, v, out=d)
    except (ValueError, RuntimeError):
        # (read-only storage, an expanded view: nothing was written; or the quiet
        # state already entered on this thread: apply() says or does it)
        return False
    bump(self)
    return True


def apply(self, compute, others=(), name=None):
    """Run `compute(old_self)` (an out-of-place op returning a Tensor) as an
    in-place change of `self` (the method `name`, for messages)."""
    if FUNC_LEVEL[0] and self.__class__ is not _batched.BatchedTensor:
        _func_levels.check_inplace(self, name, others)   # not a tensor from outside a transform
    if VMAP_ACTIVE[0] and _batched.any_batched((self,), others):
        return _batched_inplace(self, compute, others, name)
    grad = STATE.enabled
    if self._inference and not STATE.inference:
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not "
                           "allowed.You can make a clone to get a normal tensor before doing "
                           "inplace update.See https://github.com/pytorch/rfcs/pull/17 for more "
                           "details.")
    view = self._view_of
    recording = grad and (self._requires_grad or
                          (view is not None and view[0]._requires_grad) or
                          any(isinstance(o, Tensor) and o._requires_grad for o in others))
    if grad:
        if recording and self._custom_fn_view is not None:
            k, name = self._custom_fn_view
            raise _custom_view_error(k, name or _short_name(self._grad_fn))
        no_grad_view = self._view_no_grad
        if recording and view is not None and no_grad_view:
            what = ("A view was created" if no_grad_view is True else
                    f"Output 0 of {_short_name(self._grad_fn)} is a view of a view which was "
                    "created")
            raise RuntimeError(
                f"{what} in no_grad mode and is being modified inplace with grad "
                "mode enabled. Given that this use case is ambiguous and error-prone, it is "
                "forbidden. You can clarify your code by moving both the view and the inplace "
                "either both inside the no_grad block (if you don't want the inplace to be "
                "tracked) or both outside (if you want the inplace to be tracked).")
        check_leaf(self)
        if recording and view is not None and self._multi_view is not None:
            raise _multi_view_error(self)
    fw = FW_ACTIVE[0]
    if not recording:
        result = compute(self)
        if CAPTURE[0] is not None:        # (chainrule.compile: the change becomes a step)
            CAPTURE[0].store(self, result)
        _store(self, result._data)
        bump(self)
        if fw:
            if view is None:
                tangents.after_change(self, result._fw_tangent, _apply_step, _write_back)
            else:
                tangents.after_change(view[0], result._fw_tangent, _apply_step, _write_back, self)
        return self
    if view is None:
        # The old value, sharing storage for now: copied below only if the new
        # node saved it (the write that follows would change it).
        old = Tensor._make(self._data, self._requires_grad, self._grad_fn)
        if fw:
            tangents.snapshot_tangent(old, self)
        result = compute(old)
        _keep_if_saved(old, result._grad_fn)
        _store(self, result._data)
        bump(self)
        _rebase(self, result._grad_fn)
        _adopt_output(result, self)
        _refresh_views(self, None)
        if fw:
            tangents.after_change(self, result._fw_tangent, _apply_step, _write_back)
        return self
    if self._data.size and not _backend.is_writeable(self._data):
        raise _overlap_error()            # an expanded view: elements repeat
    change_view(self, compute, fw)
    return self


def change_view(self, compute, fw=False, bump_version=True):
    """The recorded in-place change of the view `self` (also a custom
    Function's, marked dirty: its forward has written already and bumped the
    version): recompute the chain base -> view on a snapshot of the base,
    apply the op there, write the result back step by step, and rebase both."""
    base, steps = self._view_of
    levels = [_snapshot(base)]
    for step in steps:
        levels.append(_apply_step(levels[-1], step))
    new = compute(tangents.snapshot_tangent(levels[-1], self) if fw else levels[-1])
    region_tangent = new._fw_tangent
    for k in range(len(steps) - 1, 0, -1):
        new = _write_back(levels[k], steps[k], new)
    # The last write lands in the base itself: PyTorch's CopySlices node.
    new = _write_back(levels[0], steps[0], new, final=True)
    _store(base, new._data)
    if bump_version:
        bump(self)
    _rebase(base, new._grad_fn)
    _refresh_views(base, None)
    if fw:
        tangents.after_change(base, region_tangent, _apply_step, _write_back, self)


def _custom_view_error(k, name):
    return RuntimeError(
        f"Output {k} of {name} is a view and is being modified inplace. This view was created "
        "inside a custom Function (or because an input was returned as-is) and the autograd "
        "logic to handle view+inplace would override the custom backward associated with the "
        "custom Function, leading to incorrect gradients. This behavior is forbidden. You can "
        "fix this by cloning the output of the custom Function.")


def _short_name(node_or_name):
    """A node's name as PyTorch's view messages give it: SliceBackward0 -> Slice
    (a node, or its class name)."""
    name = (node_or_name if isinstance(node_or_name, str) else
            type(node_or_name).__name__ if node_or_name is not None else "")
    return name[:name.rfind("Backward")] if "Backward" in name else name


def _multi_view_error(t):
    """PyTorch refuses in-place changes to the outputs of ops returning several
    views (split, chunk, unbind) and to views of them."""
    mv = t._multi_view
    k, name = mv if mv else (0, t._grad_fn)
    name = _short_name(name)
    return RuntimeError(f"Output {k} of {name} is a view and is being modified inplace. This view "
                        "is the output of a function that returns multiple views. Such functions "
                        "do not allow the output views to be modified inplace. You should replace "
                        "the inplace operation by an out-of-place one.")


def _rebase(t, node):
    """t's history is now `node`; a retained .grad now follows the new version
    (as PyTorch moves the retain_grad hook)."""
    old = t._grad_fn
    t._grad_fn = node
    t._requires_grad = True
    if t._retains_grad and node is not None:
        if old is not None and old._retained is not None and old._retained() is t:
            old._retained = None
        from .autograd.graph import watch_nonleaf   # (cycle: autograd imports this module)
        watch_nonleaf(t)


def _refresh_views(root, skip):
    """Give every live view of `root` a history that starts from root's
    current one (PyTorch names the regenerated node AsStridedBackward0)."""
    views = root._views
    if not views:
        return
    for v in views.live():
        if v is skip or v._view_of is None or v._view_of[0] is not root:
            continue
        if not (root._requires_grad or v._requires_grad):
            continue
        regenerated = root
        for step in v._view_of[1]:
            regenerated = _apply_step(regenerated, step)
        node = regenerated._grad_fn
        if node is not None:
            node.__class__ = complex_like(node, node._op.variant("AsStridedBackward0"))
        _rebase(v, node)


def _snapshot(t):
    """A tensor with t's current value and history, not sharing t's storage,
    so saving it for backward is unaffected by the write that follows."""
    s = Tensor._make(t._data.copy(), t._requires_grad, t._grad_fn)
    return s


def _can_cast(result_kind, out_kind):
    """PyTorch's rule for writing an op's result into an existing tensor: no
    floats into integers, no complex into real, nothing but bool into bool."""
    if out_kind == "b":
        return result_kind == "b"
    if out_kind in "iu":
        return result_kind in "iub"
    if out_kind == "f":
        return result_kind != "c"
    return True


def _store(t, data):
    d = t._data
    if data.shape != d.shape:
        raise RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape "
                           f"{list(data.shape)}")
    if data.dtype != d.dtype and not _can_cast(data.dtype.kind, d.dtype.kind):
        raise RuntimeError(f"result type {FROM_NP[data.dtype].legacy} can't be cast to the "
                           f"desired output type {FROM_NP[d.dtype].legacy}")
    try:
        d[...] = data
    except ValueError:
        if _backend.backend_of(d).is_writeable(d):
            raise
        if not d.size:
            return                        # (an expand to an empty shape: nothing to write)
        raise _overlap_error() from None


def _overlap_error():
    # An expanded view's array is read-only (ops/shape.py): its elements repeat.
    return RuntimeError(
        "unsupported operation: more than one element of the written-to tensor refers to a "
        "single memory location. Please clone() the tensor before performing the operation.")


def _adopt_output(result, t):
    """The op's node saved its output as a raw array; from now on that output
    is t: check t's version instead."""
    node = result._grad_fn
    if node is not None and node.out_index >= 0 and node.saved is not None:
        saved = list(node.saved)
        saved[node.out_index] = t._data       # later changes of t mark the node (bump)
        node.saved = tuple(saved)

"""View bookkeeping: version counters and which tensors view which.

Every tensor has a version counter, shared with the tensors that view its
storage (`_vbox`, a one-element list, made on first need: a tensor without
one is at version 0).  An in-place change bumps it.  A node remembers the
versions of the tensors it saved; backward checks them and raises PyTorch's
"modified by an inplace operation" error rather than use changed values.

A view remembers its root base and the steps from it (`_view_of`), and the
root its live views, so that the in-place driver (_inplace.py) can write a
change through a view back into the base and give the other views a fresh
history.  The dispatch point, the generated backward code, the nodes and the
view ops use this module; only the in-place driver changes tensors.
"""
import weakref

from ._grad_mode import STATE
from ._inplace_state import EPOCH, INFERENCE_USED
from ._tensor import Tensor
from .ops import _backend

_ndarray = _backend.ndarray

HINT = ("Hint: enable anomaly detection to find the operation that failed to compute its "
        "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
ANOMALY_HINT = ("Hint: the backtrace further above shows the operation that failed to compute "
                "its gradient. The variable in question was changed in there or anywhere later. "
                "Good luck!")


# --- version counters -------------------------------------------------------------------
def box_of(t):
    """t's version counter, created (at 0) if it has none yet."""
    b = t._vbox
    if b is None:
        b = t._vbox = [0]
    return b


# Counts every in-place change anywhere.  A node notes it when recorded; if it
# is unchanged at backward, nothing the node saved can have been modified and
# the per-tensor version checks are skipped (the common case).


def bump(t):
    """Count an in-place change of t's storage."""
    box = box_of(t)
    # (a leaf that views nothing, the parameter an optimiser updates, is no
    # node's output: nothing to tell; measured in bytecodes, sys.settrace, the
    # small MLP's SGD step of six updates 10,013 -> 9,707)
    if t._grad_fn is not None or t._view_of is not None or t._storage_of is not None:
        _note_output_changed(t, box[0])
    box[0] += 1
    EPOCH[0] += 1


def _note_output_changed(t, version):
    """A node that saved its own output (exp, tanh, ...) cannot see that
    output's counter; tell it here that the storage changed: the node that
    produced t (or the base t views, or the tensor t was detached from)."""
    view = t._view_of
    for x in (t, None if view is None else view[0], t._storage_of):
        fn = None if x is None else x._grad_fn
        if (fn is not None and fn.out_index >= 0 and fn.saved is not None and
                fn.saved[fn.out_index] is not None and fn._out_modified is None):
            fn._out_modified = (version, x)


def saved_versions(saved):
    """Versions of the saved tensors that have a counter (None if none has)."""
    versions = None
    for i, t in enumerate(saved):
        if isinstance(t, Tensor) and t._vbox is not None:
            if versions is None:
                versions = [0] * len(saved)
            versions[i] = t._vbox[0]
    return versions


def check_saved(node):
    """Raise if a tensor `node` saved was changed in place after it was saved."""
    if node._unpack is not None:
        return              # saved through saved-tensor hooks: theirs, unchecked (as PyTorch)
    versions = node._saved_versions
    for i, t in enumerate(node.saved):
        if isinstance(t, Tensor):
            b = t._vbox
            expected = versions[i] if versions else 0
            if b is not None and b[0] != expected:
                raise modified_error(t, expected, node)
    changed = node._out_modified
    if changed is not None:
        expected, t = changed
        raise modified_error(t, expected, node, is_output=True)


def modified_error(t, expected, node=None, is_output=False):
    """PyTorch's error for a saved tensor changed in place since it was saved."""
    # (cycle: the autograd package imports this module through its nodes)
    from .autograd import anomaly_mode
    shape = list(t._data.shape) if isinstance(t, Tensor) else list(t.shape)
    dtype = t.dtype.legacy if isinstance(t, Tensor) else "Float"
    if is_output and node is not None:
        producer = type(node).__name__
    else:
        fn = t._grad_fn if isinstance(t, Tensor) else None
        producer = None if fn is None else type(fn).__name__
    which = ""
    if producer is not None:
        which = f", which is output 0 of {_strip(producer)},"
    version = (t._vbox[0] if isinstance(t, Tensor) else t[0])
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{dtype}Tensor {shape}]{which} is at version {version}; expected "
        f"version {expected} instead. " + (ANOMALY_HINT if anomaly_mode.enabled() else HINT))


def _strip(name):
    if name in _CPP_NAMED:
        return "torch::autograd::" + name
    # PyTorch drops "Backward" and a trailing 0: ExpBackward0 -> Exp, PowBackward2 -> Pow2.
    if name.endswith("Backward0"):
        return name[:-len("Backward0")]
    return name.replace("Backward", "")


# Nodes PyTorch implements in C++ by hand: their name() carries the namespace.
_CPP_NAMED = ("CopySlices", "CopyBackwards", "AccumulateGrad")


# --- views ----------------------------------------------------------------------------------
# A view remembers its root base and the steps from it: ("index", idx),
# ("reshape", shape), ("permute", dims), ("expand", shape) (an expand whose
# elements repeat: its array is read-only, so nothing writes through it).
def mark_view(out, base, step):
    """Record that tensor `out` views `base`'s storage (through `step`)."""
    d = out._data
    if d.__class__ is _ndarray:
        if d.base is None:
            return out                # NumPy made a copy: not a view
    elif not _backend.backend_of(d).is_view(d):
        return out                    # (the array library's adapter knows)
    out._vbox = box_of(base)
    if INFERENCE_USED[0]:
        # A view is an inference tensor exactly when what it views is one,
        # whatever the mode it is made in.
        out._inference = base._inference
    if base._custom_fn_view is not None:
        out._custom_fn_view = (0, None)   # (named after its own node, as PyTorch does)
    if base._multi_view is not None:
        out._multi_view = ()          # a view of one of several views (split, unbind...)
    parent = base._view_of
    if parent is None:
        root, steps = base, (step,)
    else:
        root, steps = parent[0], parent[1] + (step,)
    out._view_of = (root, steps)
    if base._view_no_grad and STATE.enabled:
        out._view_no_grad = "of a view"  # (PyTorch names this case in its message)
    if not STATE.enabled:
        out._view_no_grad = True
        if base._requires_grad:          # as PyTorch: such a view still says it requires grad
            out._requires_grad = True
    # The root keeps (weakly) its live views: an in-place change through one of
    # them, or to the root, must give the others a fresh history too.
    views = root._views
    if views is None:
        views = root._views = ViewRefs()
    views.add(out)
    return out


class ViewRefs(list):
    """A root tensor's views, held weakly: weak references without callbacks,
    the dead ones dropped whenever the list has doubled since the last sweep;
    live() gives the views still alive.  (A WeakSet per root cost about 2 us to
    make and left 6 objects to the cycle collector: every view of a fresh tensor
    made one, formulas' reshapes included.)"""
    __slots__ = ("_limit",)

    def __init__(self):
        self._limit = 8

    def add(self, t):
        if len(self) >= self._limit:
            self[:] = [r for r in self if r() is not None]
            self._limit = max(8, 2 * len(self))
        self.append(_ref(t))

    def live(self):
        return [t for t in [r() for r in self] if t is not None]


_ref = weakref.ref


def share_storage(out, base):
    """detach(): same storage and counter, no view history."""
    out._vbox = box_of(base)
    out._storage_of = base
    return out


def inverse_permutation(dims):
    """The permutation undoing `dims` (p such that permute(permute(x, dims), p) is x)."""
    inv = [0] * len(dims)
    for i, d in enumerate(dims):
        inv[d] = i
    return tuple(inv)

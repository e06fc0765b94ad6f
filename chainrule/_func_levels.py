"""The levels of torch.func transforms, as far as code inside them can tell.

PyTorch's functorch wraps every tensor at the level of the transform that
made it; code inside a transform that reaches for tensors of an enclosing
level in ways the transform cannot follow is refused: an in-place change of
a captured tensor, ``backward()``, ``retain_grad()``, ``requires_grad_()``, and
custom Functions without ``setup_context``.

chainrule keeps the part of that which these checks need.  Each transform
call that evaluates the user's function opens a level and takes a serial
number from an ever-growing count; while any level is open, every tensor
made gets the count as it then stands (``_func_level``; the dispatch point's
special path and ``Tensor._make``, which is swapped for a marking one while
a level is open).  A tensor belongs inside the current level when its mark is
at least the level's serial: made after the level opened, nested levels
included.  Outside every level nothing is marked and nothing is checked (the
in-place driver reads one flag), so eager code pays nothing.

Levels belong to the thread that opens them, as PyTorch's do: FUNC_LEVEL
counts them in all threads (the flag the hot paths read), the checks look at
the calling thread's own (another thread's in-place change while a transform
runs here is its own business).
"""
import threading

from ._inplace_state import FUNC_LEVEL, SPECIAL, special
from ._tensor import Tensor

__all__ = ["level", "mark", "check_inplace", "check_backward", "check_retain_grad",
           "check_requires_grad", "check_function"]

_PLAIN_MAKE = Tensor._make
_COUNT = [0]             # serials handed out so far (all threads)
_LOCK = threading.Lock()


class _ThreadLevels(threading.local):
    def __init__(self):
        self.serials = []        # the serials of this thread's open levels, innermost last
        self.entries = []        # per open level: ids of the nodes of its inputs' aliases
        self.internal = 0        # inside requires_grad_internally


_MINE = _ThreadLevels()


def _marking_make(data, requires_grad=False, grad_fn=None):
    t = _PLAIN_MAKE(data, requires_grad, grad_fn)
    t._func_level = _COUNT[0]
    return t


def mark(result):
    """Mark an op's result (a Tensor, or a tuple of them) as made now."""
    n = _COUNT[0]
    if isinstance(result, Tensor):
        result._func_level = n
    elif isinstance(result, tuple):
        for r in result:
            if isinstance(r, Tensor):
                r._func_level = n


class level:
    """A transform's level, open while it evaluates the function (and takes
    its derivatives); `scope.serial` is set to its serial."""

    def __init__(self, scope=None):
        self.scope = scope

    def __enter__(self):
        with _LOCK:                   # (the counts are shared by all threads)
            _COUNT[0] += 1
            serial = _COUNT[0]
            FUNC_LEVEL[0] += 1
            if FUNC_LEVEL[0] == 1:
                Tensor._make = staticmethod(_marking_make)
            SPECIAL[0] = True         # the dispatch point's special path marks results
        _MINE.serials.append(serial)
        _MINE.entries.append(set())
        if self.scope is not None:
            self.scope.serial = serial
        return self

    def __exit__(self, *exc):
        _MINE.serials.pop()
        _MINE.entries.pop()
        with _LOCK:
            FUNC_LEVEL[0] -= 1
            if not FUNC_LEVEL[0]:
                Tensor._make = staticmethod(_PLAIN_MAKE)
            # (cycle: forward_ad imports the autograd package, which imports this module)
            from .autograd import forward_ad
            SPECIAL[0] = special(forward_ad.current_level() is not None)
        return False


def _captured(t):
    """Made before the current level opened, or sharing the storage of a
    tensor that was (a view of it, or its detach())."""
    serial = _MINE.serials[-1]
    while t is not None:
        if t._func_level < serial:
            return True
        view = t._view_of
        t = view[0] if view is not None else t._storage_of
    return False


def _aten_name(name, others):
    if name == "__setitem__":
        return "aten::copy_"
    if name in ("add_", "sub_", "mul_", "div_"):
        return f"aten::{name}.Tensor"
    if others and name not in ("copy_", "clamp_", "where_"):
        return f"aten::{name}.{'Tensor' if isinstance(others[0], Tensor) else 'Scalar'}"
    return f"aten::{name}"


def check_inplace(t, name, others=()):
    """Refuse an in-place change of a tensor captured from outside the
    current level (called while a level is open in some thread)."""
    if _MINE.serials and _captured(t):
        raise RuntimeError(
            "During a grad (vjp, jvp, grad, etc) transform, the function provided attempted to "
            f"call in-place operation ({_aten_name(name, others)}) that would mutate a captured "
            "Tensor. This is not supported; please rewrite the function being transformed to "
            "explicitly accept the mutated Tensor(s) as inputs.")


def backward_refused():
    return RuntimeError(
        "backward() called inside a functorch transform. This is not supported, please use "
        "functorch.grad or functorch.vjp instead or call backward() outside of functorch "
        "transforms.")


def check_backward(vmap_active):
    if _MINE.serials or vmap_active:
        raise backward_refused()


def enter(t):
    """t is one of the current level's inputs (a fresh leaf, or an alias of a
    tensor that requires grad outside, whose node then counts as the level's)."""
    mark(t)
    if t._grad_fn is not None and _MINE.entries:
        _MINE.entries[-1].add(id(t._grad_fn))


def within_level(t):
    """Whether t depends on a tensor of the current level that requires grad
    (what torch.func's requires_grad says inside a transform: a tensor
    computed from captured tensors alone is a constant to the level)."""
    serial, entries = _MINE.serials[-1], _MINE.entries[-1]
    if t._grad_fn is None:
        return t._requires_grad and t._func_level >= serial
    stack, seen = [t._grad_fn], set()
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        if id(fn) in entries:
            return True
        seen.add(id(fn))
        var = getattr(fn, "variable", None)       # AccumulateGrad
        if var is not None:
            if var._func_level >= serial:
                return True
            continue
        stack.extend(nxt for nxt, _ in fn.next_functions if nxt is not None)
    return False


def check_retain_grad(t):
    if not _MINE.serials:
        return
    if not within_level(t):
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    raise RuntimeError(
        "You are attempting to call Tensor.retain_grad() inside of a function being "
        "transformed by a functorch transform. This is unsupported, please attempt to use "
        "the functorch transforms (e.g. grad, vjp, jacrev, jacfwd, hessian) or call "
        "retain_grad() outside of a function being transformed instead.")


def check_requires_grad(vmap_active):
    """requires_grad_() called while a level (or vmap) is open somewhere."""
    if (_MINE.serials or vmap_active) and not _MINE.internal:
        raise RuntimeError(
            "You are attempting to call Tensor.requires_grad_() (or perhaps using "
            "torch.autograd.functional.* APIs) inside of a function being transformed by a "
            "functorch transform. This is unsupported, please attempt to use the functorch "
            "transforms (e.g. grad, vjp, jacrev, jacfwd, hessian) or call requires_grad_() "
            "outside of a function being transformed instead.")


def check_function(vmap_active):
    if _MINE.serials or vmap_active:
        raise RuntimeError(
            "In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, "
            "jacrev, ...), it must override the setup_context staticmethod. For more details, "
            "please see https://pytorch.org/docs/main/notes/extending.func.html")


def requires_grad_internally(t):
    """t.requires_grad_() for a transform's own fresh leaves, which the check
    above is not about."""
    _MINE.internal += 1
    try:
        return t.requires_grad_(True)
    finally:
        _MINE.internal -= 1

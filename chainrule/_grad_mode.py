"""Grad mode: whether operations record the graph.  Thread-local, as in PyTorch.

`no_grad`, `enable_grad` and `set_grad_enabled` work as context managers and
as decorators.
"""
import threading

from ._mode_decorator import decorate

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]


class _State(threading.local):
    enabled = True      # class attributes: the values every new thread starts with
    inference = False   # inside inference_mode (see _inference_mode.py)


STATE = _State()
# How many times user code has switched grad off (no_grad, set_grad_enabled(False),
# inference_mode, as blocks or decorators): hessian reads it to know whether
# its fast double-backward path saw a no_grad inside the function.
DISABLED = [0]


def is_grad_enabled():
    return STATE.enabled


def _restore(enabled):
    STATE.enabled = enabled


class _GradModeContext:
    """Base: subclasses set `_target` (the mode inside the block)."""
    _target = True

    def __enter__(self):
        self._prev = STATE.enabled
        STATE.enabled = self._target
        if not self._target:
            DISABLED[0] += 1

    def __exit__(self, *exc):
        STATE.enabled = self._prev
        return False

    def __call__(self, fn):
        # Decorator use: a fresh switch per call, so recursion and threads are safe.
        target = self._target

        def switch():
            prev = STATE.enabled
            STATE.enabled = target
            if not target:
                DISABLED[0] += 1
            return lambda: _restore(prev)
        return decorate(fn, switch)

    def clone(self):
        return type(self)()


class _FixedMode(_GradModeContext):
    """A mode switch with no arguments: `with no_grad():`, `@no_grad()` and
    `@no_grad` (without parentheses) all work."""

    def __new__(cls, fn=None):
        self = super().__new__(cls)
        if callable(fn):
            return self(fn)
        return self

    def __init__(self, fn=None):
        pass


class no_grad(_FixedMode):
    """Operations inside do not record the graph; their results don't require grad."""
    _target = False


class enable_grad(_FixedMode):
    """Re-enable recording inside a no_grad block."""
    _target = True


class set_grad_enabled(_GradModeContext):
    """set_grad_enabled(mode): a function call that sets the mode at once, a
    context manager that restores the previous mode on exit, or a decorator."""

    def __init__(self, mode):
        self._prev = STATE.enabled
        self._target = bool(mode)
        STATE.enabled = self._target
        if not mode:
            DISABLED[0] += 1

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        STATE.enabled = self._prev
        return False

    def __call__(self, fn):
        # Used as a decorator: undo the immediate switch made by __init__.
        STATE.enabled = self._prev
        return super().__call__(fn)

    def clone(self):
        return set_grad_enabled(self._target)

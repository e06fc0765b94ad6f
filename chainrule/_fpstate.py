"""Silence NumPy's floating-point warnings inside chainrule's own operations
only.

PyTorch gives inf and nan silently (1/0, log(0), overflow); NumPy warns
("divide by zero encountered in divide").  Setting `np.seterr` at import would
change NumPy's behaviour in the user's own code, so instead every forward (at
the dispatch point), every plain backward walk (a create_graph one is made of
ops, each quiet at the dispatch point) and the factories' casts run under an
"ignore" error state that is undone as soon as they return.

NumPy keeps its error state in a context variable.  The dispatch point runs
each forward inside one context of chainrule's own in which that variable says
"ignore": `quietly(fn, *args)` is `Context.run`, a C-level call that costs
about 0.02 us, where setting and resetting the variable costs 0.15 us (and
makes the next ufunc look it up afresh) and entering `np.errstate(...)` 0.85 us
(measured on the benchmark machines, NumPy 2.4).  A context can only be entered
once at a time, so when it is already entered (a forward that runs ops itself,
or another thread inside a forward) `quietly` falls back to setting the
variable.  Cold paths set it directly:

    token = quiet()
    try: ...
    finally: restore(token)

Where that variable is not available (an older or newer NumPy), `np.errstate`
is used instead.
"""
import contextvars
import functools

import numpy as np

try:
    from numpy._core import _ufunc_config as _config
    _VAR = _config._extobj_contextvar
    _QUIET = _config._make_extobj(all="ignore")
except (ImportError, AttributeError):        # pragma: no cover - other NumPy versions
    _VAR = None

__all__ = ["quiet", "restore", "quietly", "quietly_fast", "retry_quietly"]

if _VAR is not None:
    # C-level callables, no Python frame: the dispatch point calls them on every op.
    quiet = functools.partial(_VAR.set, _QUIET)
    restore = _VAR.reset
else:                                        # pragma: no cover
    def quiet():
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def restore(token):
        token.__exit__(None, None, None)


def _quietly_by_setting(fn, *args):
    token = quiet()
    try:
        return fn(*args)
    finally:
        restore(token)


if _VAR is not None:
    _QUIET_CONTEXT = contextvars.copy_context()
    _QUIET_CONTEXT.run(_VAR.set, _QUIET)
    # The hot path calls this directly (no Python frame) and hands a
    # RuntimeError to `retry_quietly`.
    quietly_fast = _QUIET_CONTEXT.run
else:                                        # pragma: no cover
    quietly_fast = _quietly_by_setting


def retry_quietly(error, fn, *args):
    """After `quietly_fast(fn, *args)` raised `error`: if that was
    Context.run refusing a context already entered (a forward that runs ops
    itself, or another thread inside a forward), run fn by setting the state
    instead; a forward's own errors pass through."""
    if not (error.args and str(error.args[0]).startswith("cannot enter context")):
        raise error
    return _quietly_by_setting(fn, *args)


def quietly(fn, *args):
    """fn(*args) under the quiet error state."""
    try:
        return quietly_fast(fn, *args)
    except RuntimeError as e:
        return retry_quietly(e, fn, *args)

"""Anomaly detection: record where each node was created, and check backward
results for NaN.

    with torch.autograd.detect_anomaly():
        ...backward...

While it is on, every recorded node keeps the traceback of the forward call
that created it; when a node's backward fails or (check_nan=True) returns NaN,
chainrule warns with that traceback and raises naming the node, as PyTorch does.
"""
import functools
import traceback
import warnings

from ..ops import _backend

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]

_state = {"enabled": False, "check_nan": True}


def enabled():
    return _state["enabled"]


def is_anomaly_enabled():
    return _state["enabled"]


def is_anomaly_check_nan_enabled():
    return _state["check_nan"]


def set_anomaly_enabled(enabled, check_nan=True):
    """torch.set_anomaly_enabled: switch anomaly mode on or off (no warning, as PyTorch)."""
    _state["enabled"] = bool(enabled)
    _state["check_nan"] = bool(check_nan)


def _warn_enabled():
    warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and "
                  "should only be enabled for debugging.", UserWarning, stacklevel=3)


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        _warn_enabled()

    def __enter__(self):
        self._prev = dict(_state)
        _state.update(enabled=True, check_nan=self.check_nan)

    def __exit__(self, *exc):
        _state.update(self._prev)
        return False

    def __call__(self, fn):

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """set_detect_anomaly(mode, check_nan=True): on/off now, restored on exit when
    used as a context manager."""

    def __init__(self, mode, check_nan=True):
        self._prev = dict(_state)
        _state.update(enabled=bool(mode), check_nan=check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state.update(self._prev)
        return False


_PACKAGE = __file__.rsplit("/autograd/", 1)[0]


def capture_stack():
    """The forward call's traceback (user code only: chainrule's own frames are
    dropped), kept on the node while anomaly mode is on."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_PACKAGE)]
    return "".join(traceback.format_list(frames))


def report(node, error=None):
    """Warn with the traceback of the forward call that created `node`."""
    stack = getattr(node, "_anomaly_trace", None)
    if stack is not None:
        warnings.warn(f"Error detected in {type(node).__name__}. Traceback of forward call "
                      f"that caused the error:\n{stack}", UserWarning, stacklevel=2)


def check_nan(node, grads):
    for i, g in enumerate(grads):
        if g is None:
            continue
        d = getattr(g, "_data", g)
        if _backend.namespace(d).isnan(d).any():
            report(node)
            raise RuntimeError(f"Function '{type(node).__name__}' returned nan values in its "
                               f"{i}th output.")

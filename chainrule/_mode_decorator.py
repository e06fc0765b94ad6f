"""Grad-mode switches used as decorators (no_grad, enable_grad,
set_grad_enabled, inference_mode), as PyTorch's: the mode holds while the
decorated function runs, and, for a generator function, while the generator
runs: each step (send, throw, close) runs under the mode, and the caller's
mode is back in force at every yield.  (A coroutine function is called under
the mode and returns its coroutine, which then runs under the caller's mode,
as in PyTorch.)

`switch` is a function that sets the mode and returns a function restoring
the previous one.
"""
import functools
import inspect

from ._errors import warn_at_caller

__all__ = ["decorate"]

_CLASS_WARNING = ("Decorating classes is deprecated and will be disabled in future versions. "
                  "You should only decorate functions or methods. To preserve the current "
                  "behavior of class decoration, you can directly decorate the `__init__` "
                  "method and nothing else.")


def decorate(fn, switch):
    if inspect.isclass(fn):
        # As PyTorch (deprecated there): the class is constructed under the mode.
        warn_at_caller(_CLASS_WARNING, FutureWarning)
        return lambda *args, **kwargs: _decorate_function(fn, switch)(*args, **kwargs)
    if inspect.isgeneratorfunction(fn):
        return _decorate_generator(fn, switch)
    return _decorate_function(fn, switch)


def _decorate_function(fn, switch):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        restore = switch()
        try:
            return fn(*args, **kwargs)
        finally:
            restore()
    return wrapper


def _decorate_generator(fn, switch):
    @functools.wraps(fn)
    def generator(*args, **kwargs):
        gen = fn(*args, **kwargs)
        step, value = gen.send, None          # the next step to run inside the mode
        while True:
            restore = switch()
            try:
                response = step(value)
            except StopIteration as stop:
                return stop.value
            finally:
                restore()
            try:
                value = yield response
                step = gen.send
            except GeneratorExit:
                restore = switch()
                try:
                    gen.close()
                finally:
                    restore()
                raise
            except BaseException as exc:      # thrown into the generator: pass it on
                step, value = gen.throw, exc
    return generator

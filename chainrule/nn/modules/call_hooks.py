"""A call of a Module that has hooks, in PyTorch's order: the forward
pre-hooks, the input side of the full backward hooks, forward, the forward
hooks, the output side of the full backward hooks."""
import warnings

from ..._tensor import Tensor
from . import backward_hooks

__all__ = ["HookedCall"]


class HookedCall:
    """One call of a module that has hooks: the pre-hooks, the backward
    hooks' input side, forward, the forward hooks, the backward hooks'
    output side.  What it has reached is kept, so that when something
    raises, the forward hooks registered with always_call=True that have
    not run yet still run (seeing the result so far, None before forward)."""

    def __init__(self, module, args, kwargs):
        self.module = module
        self.args = args
        self.kwargs = kwargs
        self.result = None
        self.called = set()

    def __call__(self):
        m = self.module
        for hid, hook in list(m._forward_pre_hooks.items()):
            if hid in m._forward_pre_hooks_with_kwargs:
                res = hook(m, self.args, self.kwargs)
                if res is not None:
                    if not (isinstance(res, tuple) and len(res) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {res}.")
                    self.args, self.kwargs = res
            else:
                res = hook(m, self.args)
                if res is not None:
                    self.args = res if isinstance(res, tuple) else (res,)
        bw = None
        if m._backward_hooks or m._backward_pre_hooks:
            bw = backward_hooks.BackwardHook(m, list(m._backward_hooks.values()),
                                             list(m._backward_pre_hooks.values()))
            self.args = bw.setup_input_hook(self.args)
        self.result = m.forward(*self.args, **self.kwargs)
        for hid, hook in list(m._forward_hooks.items()):
            if hid in m._forward_hooks_always_called:
                self.called.add(hid)
            self._run_forward_hook(hid, hook)
        if bw is not None:
            if not isinstance(self.result, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a Tensor "
                              f"or a tuple of Tensors but received {type(self.result)}",
                              stacklevel=3)
            self.result = bw.setup_output_hook(self.result)
        return self.result

    def _run_forward_hook(self, hid, hook):
        m = self.module
        if hid in m._forward_hooks_with_kwargs:
            res = hook(m, self.args, self.kwargs, self.result)
        else:
            res = hook(m, self.args, self.result)
        if res is not None:
            self.result = res

    def always_called_hooks(self):
        m = self.module
        for hid, hook in list(m._forward_hooks.items()):
            if hid in m._forward_hooks_always_called and hid not in self.called:
                try:
                    self._run_forward_hook(hid, hook)
                except Exception as e:       # (the first error is the one raised)
                    warnings.warn("module forward hook with ``always_call=True`` raised an "
                                  "exception that was silenced as another error was raised in "
                                  f"forward: {str(e)}", stacklevel=3)

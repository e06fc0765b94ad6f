"""Full backward hooks of a Module, as torch.utils.hooks.BackwardHook.

The module's tensor inputs and outputs are passed through an identity
autograd Function (BackwardHookFunction, whose node PyTorch names
BackwardHookFunctionBackward).  When the backward reaches the output side,
the gradients of the outputs are known: the backward pre-hooks see (and may
replace) them.  When it reaches the input side, the gradients of the inputs
are known: the backward hooks get (module, grad_input, grad_output) and may
replace grad_input.
"""
import warnings

from ..._grad_mode import STATE
from ..._tensor import Tensor
from ...autograd.function import Function

__all__ = ["BackwardHook", "BackwardHookFunction"]


class BackwardHookFunction(Function):
    @staticmethod
    def forward(ctx, on_backward, *tensors):
        ctx.on_backward = on_backward
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_backward(grads))


def _tensor_positions(values):
    return [i for i, v in enumerate(values) if isinstance(v, Tensor)]


class BackwardHook:
    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_positions = None       # None: no input takes part in the graph
        self.input_needs = None

    def _wrap(self, values, on_backward):
        """values with their tensors passed through the identity Function
        (unchanged when none requires grad or grad mode is off)."""
        pos = _tensor_positions(values)
        tensors = [values[i] for i in pos]
        if not (STATE.enabled and any(t.requires_grad for t in tensors)):
            return None, values
        new = BackwardHookFunction.apply(on_backward, *tensors)
        out = list(values)
        for i, t in zip(pos, new):
            out[i] = t
        return pos, tuple(out)

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        pos, new = self._wrap(args, self._on_input_grads)
        if pos is not None:
            self.input_positions = pos
            self.input_needs = [args[i].requires_grad for i in pos]
        return new

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        values = (result,) if single else result
        self.n_outputs = len(values)
        pos, new = self._wrap(values, self._on_output_grads)
        if pos is not None:
            self.output_positions = pos
        return new[0] if single else new

    def _on_output_grads(self, grads):
        grad_outputs = [None] * self.n_outputs
        for i, g in zip(self.output_positions, grads):
            grad_outputs[i] = g
        grad_outputs = tuple(grad_outputs)
        for hook in self.user_pre_hooks:
            res = hook(self.module, grad_outputs)
            if res is not None:
                res = res if isinstance(res, tuple) else (res,)
                if len(res) != len(grad_outputs):
                    raise RuntimeError("Backward pre hook returned an invalid number of "
                                       f"grad_output, got {len(res)}, but expected "
                                       f"{len(grad_outputs)}")
                grad_outputs = res
        self.grad_outputs = grad_outputs
        if self.input_positions is None:
            warnings.warn("Full backward hook is firing when gradients are computed with respect "
                          "to module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=5)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and
                                            all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return [grad_outputs[i] for i in self.output_positions]

    def _on_input_grads(self, grads):
        grad_inputs = [None] * self.n_inputs
        for i, g, needed in zip(self.input_positions, grads, self.input_needs):
            grad_inputs[i] = g if needed else None
        grad_inputs = tuple(grad_inputs)
        for hook in self.user_hooks:
            res = hook(self.module, grad_inputs, self.grad_outputs)
            if res is not None:
                res = res if isinstance(res, tuple) else (res,)
                if len(res) != len(grad_inputs):
                    raise RuntimeError("Backward hook returned an invalid number of "
                                       f"grad_input, got {len(res)}, but expected "
                                       f"{len(grad_inputs)}")
                grad_inputs = res
        self.grad_outputs = None
        return [grad_inputs[i] for i in self.input_positions]

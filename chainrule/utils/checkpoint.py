"""Activation checkpointing: trade compute for memory.

`checkpoint(fn, *args)` runs `fn` without recording its inner graph, so none
of its intermediate results are kept.  During backward it runs `fn` again,
this time recording, and backpropagates through that fresh graph.  Peak
memory then holds one segment's activations at a time instead of all of them
(see benchmarks/checkpoint_memory.py).
"""
import warnings

from .._grad_mode import enable_grad, no_grad
from .._tensor import Tensor
from ..autograd import backward as _backward
from ..autograd.function import Function
from ._checkpoint_frames import (CheckpointError, checkpoint_without_reentrant,  # noqa: F401
                                 noop_context_fn, set_checkpoint_debug_enabled,
                                 set_checkpoint_early_stop, _EARLY_STOP)

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "set_checkpoint_early_stop",
           "set_checkpoint_debug_enabled", "noop_context_fn"]


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.inputs = args
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        saved = iter(ctx.saved_tensors)        # raises if the graph was freed
        inputs = []
        for a in ctx.inputs:
            if isinstance(a, Tensor):
                s = next(saved)
                d = s.detach()
                d.requires_grad_(s.requires_grad)
                inputs.append(d)
            else:
                inputs.append(a)
        with enable_grad():
            outputs = ctx.run_function(*inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grad_outputs)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        # Accumulates into the parameters fn uses (leaves) and into our copies of
        # the inputs, whose gradients we pass on.
        _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(x.grad if isinstance(x, Tensor) else None for x in inputs)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn,
               determinism_check="default", debug=False, early_stop=True,
               preserve_rng_state=True, **kwargs):
    """Run function(*args) now without keeping its activations; recompute them
    in backward.  use_reentrant=False: the saved-tensor-hook mechanism
    (_checkpoint_frames.py); True (PyTorch's default, with its warning when not
    given): a custom Function whose backward runs a backward of its own."""
    if use_reentrant is False:
        with set_checkpoint_early_stop(early_stop and _EARLY_STOP[0]):
            return checkpoint_without_reentrant(function, args, kwargs, preserve_rng_state,
                                                context_fn, determinism_check)
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "In version 2.5 we will raise an exception if use_reentrant is not passed. "
            "use_reentrant=False is recommended, but if you need to preserve the current "
            "default behavior, you can pass use_reentrant=True. Refer to docs for more details "
            "on the differences between the two variants.", UserWarning, stacklevel=2)
    if context_fn is not noop_context_fn or debug:
        raise ValueError("Passing `context_fn` or `debug` is only supported when "
                         "use_reentrant=False.")
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        # As PyTorch's reentrant checkpoint: parameters reached only through a
        # closure get no gradient unless some input requires grad.
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      UserWarning, stacklevel=2)
    return CheckpointFunction.apply(function, preserve_rng_state, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Split a list of functions into `segments` checkpointed runs."""
    functions = list(functions)
    size = max(len(functions) // segments, 1)

    def run(start, end):
        def forward(x):
            for f in functions[start:end]:
                x = f(x)
            return x
        return forward

    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is "
            "not passed. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.", UserWarning, stacklevel=2)
        use_reentrant = True
    start = 0
    for _ in range(segments - 1):
        end = min(start + size, len(functions))
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
        start = end
    return run(start, len(functions))(input)

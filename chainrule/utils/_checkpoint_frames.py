"""Non-reentrant activation checkpointing (checkpoint(..., use_reentrant=False)),
built on saved-tensor hooks.

The forward runs once, recording its graph as usual, but under hooks that keep
nothing of what the graph's nodes save: only each tensor's metadata (shape,
dtype, device), in the order saved.  The first time a backward pass needs
one of those tensors, the function runs again (same inputs, same random
state, grad enabled) under hooks that collect what it saves, in the same
order; the unpack hook hands them out (see autograd/_saved_hooks.py: an
unpacked tensor gets back the history of the one it stands for).  So the
graph, custom Functions and parameters used only in the outputs behave as
without checkpointing.  Recomputation stops as soon as every tensor is back
(early stop); a recomputation that saves different tensors raises
CheckpointError, as PyTorch's does.
"""
import contextlib

from .._factories import default_generator
from .._grad_mode import enable_grad
from ..autograd._saved_hooks import saved_tensors_hooks

__all__ = ["CheckpointError", "checkpoint_without_reentrant", "set_checkpoint_early_stop",
           "set_checkpoint_debug_enabled", "noop_context_fn"]

_EARLY_STOP = [True]

_DEBUG_TIP = """
Tip: To see a more detailed error message, either pass `debug=True` to
`torch.utils.checkpoint.checkpoint(...)` or wrap the code block
with `with torch.utils.checkpoint.set_checkpoint_debug_enabled(True):` to
enable checkpoint\u2011debug mode globally.
"""


class CheckpointError(RuntimeError):
    pass


def noop_context_fn():
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def set_checkpoint_early_stop(enable):
    """Whether recomputation stops once it has every tensor backward needs."""
    prev = _EARLY_STOP[0]
    _EARLY_STOP[0] = bool(enable)
    try:
        yield
    finally:
        _EARLY_STOP[0] = prev


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled):
    """Accepted for PyTorch's API; chainrule's checkpoint errors say all they know."""
    yield


def _metadata(t):
    return {"shape": t.shape, "dtype": t.dtype, "device": t.device}


class _Stop(Exception):
    """Raised inside the recomputation once it has saved everything needed."""


class _Frame:
    """One checkpointed call: how to run it again, and what it saved."""

    def __init__(self, fn, args, kwargs, preserve_rng_state, context_fn, determinism_check):
        if determinism_check not in ("default", "none"):
            raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                             f"{determinism_check}")
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.context_fn = context_fn
        self.rng_state = default_generator.get_state() if preserve_rng_state else None
        self.check = determinism_check == "default"
        self.early_stop = _EARLY_STOP[0]
        self.metadata = []          # per saved tensor, in order
        self.recomputed = {}        # index -> tensor, filled by a recomputation

    # --- the original forward ---------------------------------------------------------
    def pack(self, t):
        self.metadata.append(_metadata(t) if self.check else None)
        return len(self.metadata) - 1

    # --- backward -----------------------------------------------------------------------
    def unpack(self, index):
        if index not in self.recomputed:
            self.recompute()
        return self.recomputed.pop(index)

    def recompute(self):
        self.recomputed = {}
        counter = [0]
        n = len(self.metadata)

        def collect(t):
            i = counter[0]
            counter[0] += 1
            if i >= n:
                raise CheckpointError(
                    "torch.utils.checkpoint: trying to save more tensors during recomputation "
                    "than during the original forward pass.\n" + _DEBUG_TIP)
            self.recomputed[i] = t.detach() if t.requires_grad else t
            if self.early_stop and counter[0] == n:
                raise _Stop
            return i

        state = default_generator.get_state() if self.rng_state is not None else None
        try:
            if state is not None:
                default_generator.set_state(self.rng_state)
            _, recompute_context = self.context_fn()
            with saved_tensors_hooks(collect, _no_unpack), enable_grad(), recompute_context:
                self.fn(*self.args, **self.kwargs)
        except _Stop:
            pass
        finally:
            if state is not None:
                default_generator.set_state(state)
        if counter[0] != n:
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                "original forward and recomputation.\n"
                f"Number of tensors saved during forward: {n}\n"
                f"Number of tensors saved during recomputation: {counter[0]}.\n" + _DEBUG_TIP)
        if self.check:
            different = [(i, m, _metadata(self.recomputed[i]))
                         for i, m in enumerate(self.metadata)
                         if m != _metadata(self.recomputed[i])]
            if different:
                listed = "".join(f"tensor at position {i}:\nsaved metadata: {m}\n"
                                 f"recomputed metadata: {r}\n" for i, m, r in different)
                raise CheckpointError(
                    "torch.utils.checkpoint: Recomputed values for the following tensors have "
                    f"different metadata than during the forward pass.\n{listed}.\n" + _DEBUG_TIP)


def _no_unpack(index):
    # The recomputation's own graph is never differentiated.
    raise RuntimeError("internal error: the checkpoint recomputation's graph was differentiated")


def checkpoint_without_reentrant(fn, args, kwargs, preserve_rng_state=True,
                                 context_fn=noop_context_fn, determinism_check="default"):
    frame = _Frame(fn, args, kwargs, preserve_rng_state, context_fn, determinism_check)
    forward_context, _ = context_fn()
    with saved_tensors_hooks(frame.pack, frame.unpack), forward_context:
        return fn(*args, **kwargs)

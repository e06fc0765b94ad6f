"""inference_mode: like no_grad, and tensors made inside are inference tensors,
which PyTorch refuses to let autograd use later.  `inference_mode(False)`
switches it off again inside (grad mode on, new tensors normal), as PyTorch's.
Views keep the kind of the tensor they view (see _views.mark_view)."""
from ._grad_mode import DISABLED, STATE
from ._inplace_state import INFERENCE_USED
from ._mode_decorator import decorate
from ._tensor import Tensor

__all__ = ["inference_mode", "is_inference_mode_enabled", "is_inference"]


def _switch(mode):
    """Set inference mode `mode`; return the function restoring the previous state."""
    prev_enabled, prev_inference = STATE.enabled, STATE.inference
    STATE.enabled = not mode
    STATE.inference = mode
    if mode:
        DISABLED[0] += 1
    if mode:
        INFERENCE_USED[0] = True

    def restore():
        STATE.enabled, STATE.inference = prev_enabled, prev_inference
    return restore


class inference_mode:
    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):                 # @inference_mode without parentheses
            self.mode = True
            return self(mode)
        return self

    def __init__(self, mode=True):
        if not callable(mode):
            self.mode = bool(mode)

    def __enter__(self):
        self._restore = _switch(self.mode)

    def __exit__(self, *exc):
        self._restore()
        return False

    def __call__(self, fn):
        mode = self.mode
        return decorate(fn, lambda: _switch(mode))

    def clone(self):
        return inference_mode(self.mode)


def is_inference_mode_enabled():
    return STATE.inference


def is_inference(input):
    """Whether `input` is an inference tensor (made in inference mode, or a view of one)."""
    if not isinstance(input, Tensor):
        raise TypeError("is_inference(): argument 'input' (position 1) must be Tensor, "
                        f"not {type(input).__name__}")
    return input.is_inference()

"""inference_mode: like no_grad, and tensors made inside are inference tensors,
which PyTorch refuses to let autograd use later."""
import functools

from ._grad_mode import STATE
from ._inplace_state import INFERENCE_USED


class inference_mode:
    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __enter__(self):
        self._prev = (STATE.enabled, getattr(STATE, "inference", False))
        if self.mode:
            STATE.enabled = False
            STATE.inference = True
            INFERENCE_USED[0] = True

    def __exit__(self, *exc):
        STATE.enabled, STATE.inference = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(self.mode):
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return inference_mode(self.mode)


def is_inference_mode_enabled():
    return getattr(STATE, "inference", False)

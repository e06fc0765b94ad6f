"""torch.autograd.graph.register_multi_grad_hook: one hook over several tensors.

mode="all": called once per backward pass, after the gradients of all those
tensors that this pass reaches are computed, with the list of them (None for
a tensor it does not reach).  mode="any": called with the first of them
computed.  Built on tensor hooks; which tensors a pass reaches comes from the
engine (engine.TASKS, engine.will_reach).
"""
from . import engine

__all__ = ["register_multi_grad_hook"]


class _Handles:
    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for h in self.handles:
            h.remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    state = {"task": None}            # the backward pass seen last, and what it gathered

    def on_grad(i, g):
        task = engine.TASKS[-1] if engine.TASKS else None
        if state["task"] is not task:
            state.update(task=task, grads=[None] * len(tensors), fired=False,
                         left=sum(1 for t in tensors
                                  if t.requires_grad and task is not None and
                                  engine.will_reach(task, t)))
        if mode == "any":
            if not state["fired"]:
                state["fired"] = True
                fn(g)
            return None
        state["grads"][i] = g
        state["left"] -= 1
        if state["left"] == 0:
            grads, state["task"] = state["grads"], None
            fn(grads)
        return None

    handles = [t.register_hook(lambda g, i=i: on_grad(i, g))
               for i, t in enumerate(tensors) if t.requires_grad]
    return _Handles(handles)

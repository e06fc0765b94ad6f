"""Forward-mode tangents through in-place changes (x.mul_(2), x[1:] = v, ...).

The in-place driver (_inplace.py) computes the new value out of place; while
a dual level is open that computation carries tangents like any op.  What is
left is PyTorch's bookkeeping of where the tangent lives: a tensor and all its
views share one tangent, so a change through a view rewrites the region of
the base's tangent it selects, and every live view of the base then reads its
tangent from the base's (as a view's tangent is a view of its base's in
PyTorch).  A forward-mode tangent ignores grad mode, as PyTorch's.
"""
from ._grad_mode import STATE
from ._inplace_state import FW_ACTIVE
from ._tensor import Tensor
from .autograd.forward_ad import _LEVEL
from .ops import _backend

__all__ = ["snapshot_tangent", "after_change"]


def snapshot_tangent(copy, t):
    """`copy` (a snapshot of t's value the driver computes from) gets t's tangent."""
    if t._fw_tangent is not None:
        copy._fw_tangent = t._fw_tangent
    return copy


def after_change(target, new_tangent, replay, write_back, view=None):
    """`target` was changed in place: new_tangent is the tangent of its new
    value, or, when `view` (a view of target, the base) is given, of the new
    value of the region that view selects.  Sets target's tangent and its live
    views'.  replay(t, step) and write_back(parent, step, child) are the
    in-place driver's (_inplace.py): a view step, and its inverse."""
    if view is not None:
        if new_tangent is None and target._fw_tangent is None:
            return
        new_tangent = _write_region(target, view, new_tangent, replay, write_back)
    elif new_tangent is None:
        if target._fw_tangent is None:
            return
        new_tangent = _zeros_like(target)        # the new value depends on no tangent
    _set(target, new_tangent)
    _refresh_view_tangents(target, replay)


class _plain:
    """Arithmetic on tangents themselves: neither recorded nor given tangents."""

    def __enter__(self):
        self.prev = FW_ACTIVE[0], STATE.enabled
        FW_ACTIVE[0] = STATE.enabled = False

    def __exit__(self, *exc):
        FW_ACTIVE[0], STATE.enabled = self.prev


def _write_region(base, view, region_tangent, replay, write_back):
    """The base's tangent with the region the view selects replaced."""
    steps = view._view_of[1]
    with _plain():
        whole = base._fw_tangent if base._fw_tangent is not None else _zeros_like(base)
        if region_tangent is None:
            region_tangent = _zeros_like(view)
        levels = [whole]
        for step in steps:
            levels.append(replay(levels[-1], step))
        new = region_tangent
        for k in range(len(steps) - 1, -1, -1):
            new = write_back(levels[k], steps[k], new)
        return Tensor._make(new._data)


def _refresh_view_tangents(root, replay):
    views = root._views
    if not views:
        return
    with _plain():
        for v in views.live():
            if v._view_of is None or v._view_of[0] is not root:
                continue
            t = root._fw_tangent
            for step in v._view_of[1]:
                t = replay(t, step)
            _set(v, Tensor._make(t._data))


def _set(t, tangent):
    if t._fw_tangent is None:
        _LEVEL["duals"].append(t)          # dropped when the level exits
    t._fw_tangent = tangent


def _zeros_like(t):
    return Tensor._make(_backend.namespace(t._data).zeros_like(t._data))

"""The values vmap'd code sees: BatchedTensor, a per-sample view of a batch.

    vmap(f)(x)   # x of shape (B, 3): f sees BatchedTensor(lvl=1, value=x), shape (3,)

A BatchedTensor carries `_value`, an ordinary Tensor (or a BatchedTensor of an
outer vmap level) holding the whole batch with the batch dimension first, and
`_level`, the vmap level it belongs to (1 for the outermost open vmap).  Its
`_data` is a stand-in of the per-sample shape and dtype (sample 0 of the
batch), so that every shape check, promotion and size query in the op
modules sees what the user's function should see; the dispatch point never
computes with it: an op with a BatchedTensor input is computed on the
`_value`s instead (ops/_batching.py), and its result wrapped again.

Autograd runs on the values: the graph is recorded on the batched arrays, so
gradients flow through vmap, and `grad`/`vjp` inside vmap differentiate the
values (autograd/__init__.py and func/_scope.py lower and re-wrap).
Data-dependent Python control flow (`.item()`, `bool(x)`) cannot work per
sample and raises PyTorch's errors.

LEVELS holds the open vmap levels (their batch sizes and randomness modes);
VMAP_ACTIVE[0] (in _inplace_state) is their count, the one flag the dispatch
point reads.
"""
from weakref import ref as _weakref

from . import _func_levels, _grad_mode
from ._inplace_state import VMAP_ACTIVE
from ._tensor import Tensor
from .ops import _backend

__all__ = ["BatchedTensor", "Unbatchable", "Level", "LEVELS", "wrap", "levels_of", "bottom", "rewrap_like",
           "add_levels", "lower_to", "batched_array", "check_random", "per_sample_draw", "push_level", "pop_level", "random_mode"]

_new = object.__new__


class Level:
    """One open vmap: its batch size and randomness mode."""
    __slots__ = ("size", "randomness")

    def __init__(self, size, randomness):
        self.size = size
        self.randomness = randomness


LEVELS = []


def push_level(size, randomness):
    LEVELS.append(Level(size, randomness))
    VMAP_ACTIVE[0] = len(LEVELS)
    return len(LEVELS)


def pop_level():
    LEVELS.pop()
    VMAP_ACTIVE[0] = len(LEVELS)


_ITEM = ("vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over "
         "calling .item() on a Tensor, please try to rewrite what you're doing with other "
         "operations. If error is occurring somewhere inside PyTorch internals, please file a "
         "bug report.")
_CONTROL_FLOW = ("vmap: It looks like you're attempting to use a Tensor in some data-dependent "
                 "control flow. We don't support that yet, please file an issue at "
                 "https://github.com/pytorch/pytorch/issues .")
_NO_STORAGE = "Cannot access data pointer of Tensor that doesn't have storage"


# Callers that try vmap and loop when it fails (jacrev, jacfwd,
# jacobian(vectorize=True)) count here: vmap then lets Unbatchable through for
# them, where a user's own vmap raises it as the RuntimeError PyTorch raises.
TRYING = [0]


class Unbatchable(RuntimeError):
    """What vmap cannot batch (data-dependent control flow, dynamic shapes, an
    op it cannot split per sample): a RuntimeError, as PyTorch raises, that
    callers trying vmap first (jacrev, jacfwd, jacobian(vectorize=True)) catch
    to fall back to a loop."""


class NoVmapRule(Unbatchable):
    """A custom Function without a vmap rule, called on batched tensors.
    jacrev loops then (PyTorch's batches only the derivative, which is plain
    ops); jacfwd, which batches the function as PyTorch's does, raises it."""


class BatchedTensor(Tensor):
    """A per-sample view of a batch (see the module docstring)."""
    __slots__ = ("_value", "_level")
    _keeps_type = False          # results of ops are wrapped by ops/_batching, not retyped

    # --- autograd state lives on the value ------------------------------------------
    def requires_grad_(self, requires_grad=True):
        self._value.requires_grad_(requires_grad)
        self._requires_grad = self._value._requires_grad
        return self

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self._value.requires_grad = flag
        self._requires_grad = self._value._requires_grad

    def detach(self):
        return wrap(self._value.detach(), self._level)

    @property
    def data(self):
        return wrap(self._value.data, self._level)

    def backward(self, *args, **kwargs):
        raise _func_levels.backward_refused()

    @property
    def _fw_tangent(self):
        t = self._value._fw_tangent
        return None if t is None else wrap(t, self._level)

    @_fw_tangent.setter
    def _fw_tangent(self, tangent):
        if tangent is None:
            self._value._fw_tangent = None
            return
        tangent = lower_to(tangent, self._level)
        self._value._fw_tangent = tangent

    # --- what cannot be answered per sample ---------------------------------------------
    def item(self):
        raise Unbatchable(_ITEM)

    def __float__(self):
        raise Unbatchable(_ITEM)

    __int__ = __complex__ = __float__

    def __bool__(self):
        raise Unbatchable(_CONTROL_FLOW)

    def __index__(self):
        raise Unbatchable(_CONTROL_FLOW)

    def tolist(self):
        raise Unbatchable(_NO_STORAGE)

    def numpy(self, *, force=False):
        raise Unbatchable(_NO_STORAGE)

    def __array__(self, dtype=None, copy=None):
        raise Unbatchable(_NO_STORAGE)

    def __repr__(self, *, tensor_contents=None):
        inner = repr(self._value).replace("\n", "\n    ")
        return f"BatchedTensor(lvl={self._level}, bdim=0, value=\n    {inner}\n)"

    __str__ = __repr__


def refresh(t):
    """t's mirrored state after its value changed in place."""
    if t._value.__class__ is BatchedTensor:
        refresh(t._value)
    t._requires_grad = t._value._requires_grad
    t._grad_fn = t._value._grad_fn


def wrap(value, level):
    """value (batch dimension first) as a BatchedTensor of `level`."""
    t = _new(BatchedTensor)
    t._value = value
    t._level = level
    d = value._data
    if d.shape[0]:
        t._data = d[0, ...]          # (a 0-d array, not a NumPy scalar)
    else:                       # an empty batch: a stand-in of the right shape and dtype
        t._data = _backend.namespace(d).zeros(d.shape[1:], dtype=d.dtype)
    t._requires_grad = value._requires_grad
    t._grad_fn = value._grad_fn
    t._grad = None
    key = id(t._data)
    _STANDINS[key] = _weakref(t, lambda _, k=key: _STANDINS.pop(k, None))
    return t


# id(stand-in array) -> weak reference to its BatchedTensor.  An op module may
# pass a batched tensor's array in an op's params (max(dim) passes argmax's
# indices, an index passes its index tensors): the batched dispatch finds the
# batch behind such an array here (`batched_array`).
_STANDINS = {}


def batched_array(a, level):
    """The whole batch behind `a` if it is the stand-in array of a
    BatchedTensor of `level` (batch dimension first), else None."""
    ref = _STANDINS.get(id(a))
    t = None if ref is None else ref()
    if t is None or t._data is not a or t._level != level:
        return None
    return t._value._data


def levels_of(t):
    """The vmap levels t is batched at, innermost first."""
    out = []
    while t.__class__ is BatchedTensor:
        out.append(t._level)
        t = t._value
    return out


def bottom(t):
    """The ordinary Tensor under all of t's levels."""
    while t.__class__ is BatchedTensor:
        t = t._value
    return t


def rewrap_like(value, like):
    """`value`, an ordinary tensor shaped like bottom(like), wrapped in like's levels."""
    for level in reversed(levels_of(like)):
        value = wrap(value, level)
    return value


def _broadcast_at(t, level):
    """t (not batched at `level`, and at no level above it) batched there, each
    sample the same (an expand: no copy, connected to t's graph)."""
    size = LEVELS[level - 1].size
    with _grad_mode.enable_grad() if t.requires_grad else _grad_mode.no_grad():
        v = t.unsqueeze(0).expand(size, *t.shape)
    return wrap(v, level)


def add_levels(t, levels):
    """t batched at each of `levels` too (those it lacks get an expanded batch)."""
    have = levels_of(t) if t.__class__ is BatchedTensor else []
    missing = sorted(set(levels) - set(have))
    if not missing:
        return t
    return _add(t, missing)


def _add(t, missing):
    # levels of t's chain decrease going down: a missing level above t's top
    # wraps t; one below it goes into t's value.
    if not missing:
        return t
    top = t._level if t.__class__ is BatchedTensor else 0
    below = [lv for lv in missing if lv < top]
    above = [lv for lv in missing if lv > top]
    if below:
        t = wrap(_add(t._value, below), top)
    for lv in above:
        t = _broadcast_at(t, lv)
    return t


def lower_to(t, level):
    """What goes into the value of a BatchedTensor of `level`: t's own value if
    t is batched at `level`, else t batched there (an expand)."""
    if t.__class__ is BatchedTensor and t._level == level:
        return t._value
    if t.__class__ is BatchedTensor and t._level > level:
        raise RuntimeError("vmap: a tensor of an inner vmap level escaped into an outer one")
    return _broadcast_at(t, level)._value


_RANDOM_ERROR = ("vmap: called random operation while in randomness error mode. Please either "
                 "use the 'same' or 'different' randomness flags on vmap or perform the "
                 "randomness operation out of vmap")


def check_random():
    """Called by every random draw while a vmap is open (the generators'
    `_rng` in _factories and _random_inplace)."""
    if random_mode() == "error":
        raise RuntimeError(_RANDOM_ERROR)


def per_sample_draw(draw, shape):
    """A random factory inside vmap: with randomness='different', `draw` is
    called once for the batch (a batch dimension for each level that wants
    its own draws) and its result wrapped; None otherwise (one draw, shared)."""
    if random_mode() != "different":
        return None
    levels = [k + 1 for k, lv in enumerate(LEVELS) if lv.randomness == "different"]
    VMAP_ACTIVE[0] = 0                    # the draw itself is an ordinary one
    try:
        t = draw(tuple(LEVELS[k - 1].size for k in levels) + tuple(shape))
    finally:
        VMAP_ACTIVE[0] = len(LEVELS)
    for k in levels:
        t = wrap(t, k)
    return t


def random_mode():
    """The randomness mode random draws must follow: 'error' if any open level
    refuses them, else 'different' if any level wants per-sample draws."""
    modes = {lv.randomness for lv in LEVELS}
    if "error" in modes:
        return "error"
    return "different" if "different" in modes else "same"


# --- autograd on batched tensors ------------------------------------------------------------
def any_batched(*groups):
    for g in groups:
        if g is None:
            continue
        for t in ((g,) if isinstance(g, Tensor) else g):
            if t.__class__ is BatchedTensor:
                return True
    return False


def batched_grad(grad, outputs, inputs, grad_outputs, **kwargs):
    """autograd.grad inside vmap: outputs, inputs and grad_outputs lowered to
    the ordinary tensors under them (outputs and grad_outputs batched at the
    inputs' levels first), the gradients wrapped as the inputs are.  Each
    sample of the batch depends on its own inputs only, so the gradient of
    the batch's outputs (seeded with each sample's cotangent) is, sample by
    sample, each sample's gradient."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    levels = set()
    for t in tuple(outputs) + tuple(inputs):
        levels.update(levels_of(t))
    extra = set()
    for g in grad_outputs:
        if g is not None:
            extra.update(set(levels_of(g)) - levels)
    if extra:
        return _grad_per_cotangent(grad, outputs, inputs, grad_outputs, max(extra), kwargs)
    for x in inputs:
        if set(levels_of(x)) != levels:
            raise RuntimeError(
                "vmap: autograd.grad of batched outputs with respect to a tensor that is not "
                "batched at every vmap level they are: each sample would need its own gradient. "
                "Differentiate with chainrule.func.grad or vjp inside vmap instead.")
    ys, seeds = [], []
    for y, g in zip(outputs, tuple(grad_outputs) + (None,) * (len(outputs) - len(grad_outputs))):
        y = add_levels(y, levels)
        ys.append(bottom(y))
        if g is None:
            if y.numel() == 1:
                b = bottom(y)
                g = b.new_ones(tuple(b.shape))
                seeds.append(g)
                continue
            seeds.append(None)
            continue
        seeds.append(bottom(add_levels(g, levels_of(y))))
    grads = grad(tuple(ys), tuple(bottom(x) for x in inputs),
                 None if all(s is None for s in seeds) else tuple(seeds), **kwargs)
    return tuple(None if g is None else rewrap_like(g, x) for g, x in zip(grads, inputs))


def _grad_per_cotangent(grad, outputs, inputs, grad_outputs, level, kwargs):
    """Cotangents batched at a level the graph is not (a vjp function vmap'd
    over its cotangents): one backward pass per sample of that level, the
    gradients stacked (the graph is kept for the passes after the first)."""
    size = LEVELS[level - 1].size
    kwargs = dict(kwargs)
    create = kwargs.get("create_graph", False)
    kwargs["retain_graph"] = True
    per_sample = []
    for b in range(size):
        gs = tuple(g._value[b] if g is not None and g.__class__ is BatchedTensor and
                   g._level == level else g for g in grad_outputs)
        per_sample.append(grad(outputs, inputs, gs, **kwargs))
    out = []
    for k in range(len(inputs)):
        col = [r[k] for r in per_sample]
        if all(g is None for g in col):
            out.append(None)
            continue
        col = [g if g is not None else inputs[k].new_zeros(tuple(inputs[k].shape)) for g in col]
        with _grad_mode.enable_grad() if create else _grad_mode.no_grad():
            stacked = _stack(col)
        out.append(wrap(stacked, level))
    return tuple(out)


def _stack(tensors):
    from .ops import shape     # (cycle: ops.shape imports this module)
    return shape.stack(tensors)


def batched_everywhere(t):
    """t batched at every open vmap level (what a transform inside vmap
    differentiates: each sample's own copy)."""
    return add_levels(t, range(1, len(LEVELS) + 1))

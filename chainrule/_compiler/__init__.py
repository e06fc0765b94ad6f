"""chainrule.compile(fn): capture a function once, replay it as flat array calls.

    step = chainrule.compile(loss_fn)        # or @chainrule.compile
    loss = step(x, y)                        # first call: eager, recorded
    loss = step(x2, y2)                      # same guards: replayed
    loss.backward()                          # one node, the recorded backward

The first call with a given signature (each tensor argument's shape, dtype,
requires_grad and class; every other argument's value; grad mode) runs the
function eagerly through the dispatch point, which records each op
(capture.py).  Later calls with that signature replay the program
(program.py): the recorded array calls, the guards on every value the
function converted to Python (`if x.sum() > 0:`, `x.item()`, `bool(t)`),
and, when the outputs require grad, one autograd node whose backward
replays the recorded formulas.  A failed guard records a new variant (up to
MAX_VARIANTS per signature, then eager with a warning).  Unlike jax.jit,
Python control flow works: it becomes guards.

What is baked in when captured: Python values the function reads from
outside its arguments (a global learning rate, a module's `training`
flag); pass them as arguments to have them guarded.  Tensors it reads from
outside (parameters, closed-over tensors) are read afresh at each call.

A whole training step (zero_grad, forward, loss.backward(), an SGD, Adam,
AdamW, RMSprop or Adagrad step) is captured too: the backward's formulas,
the accumulation into each leaf's .grad and the in-place updates become
steps of the program (capture.py); the optimiser's step count, learning
rate, momentum and betas are read at each call, its other options and
state layout are guards (optim/optimizer.py).  The first call of a step that creates optimiser
state is not recorded (the next one is); the first replay is checked
against an eager run from the same state.

What makes it run eagerly instead, with a warning once (results are then
exactly eager ones): in-place changes of tensors that require grad
(recorded ones), random numbers, numpy() on a tensor, custom Functions,
forward-mode AD, saved-tensor hooks, inference mode and vmap; in a training
step: hooks on the graph's tensors, anomaly mode, retain_graph, create_graph,
autograd.grad, a backward of a graph started outside, other optimisers, a
closure, an lr scheduler step, an output that requires grad besides the
loss backpropagated, or a conversion to Python (loss.item()) after the
backward: return the loss tensor.  Anomaly mode or saved-tensor hooks on
when it is called: eager, without a warning.
"""
import warnings

from .. import _grad_mode
from .._factories import default_generator
from .._grad_mode import STATE as _STATE
from .._inplace_state import (CAPTURE as _CAPTURE, FUNC_LEVEL as _FUNC_LEVEL,
                              FW_ACTIVE as _FW_ACTIVE, SAVED_HOOKS as _SAVED_HOOKS,
                              VMAP_ACTIVE as _VMAP_ACTIVE)
from .._tensor import Tensor
from ..autograd.anomaly_mode import _state as _ANOMALY
from ..func._pytree import tree_flatten
from .capture import Capture, Refused, same_values
from .explain import describe
from .program import MISS, Program

__all__ = ["compile", "Compiled"]

MAX_VARIANTS = 8
MAX_RETRIES = 3          # calls in a row that create optimiser state before giving up


class Compiled:
    """A compiled function (or nn.Module): call it as the original."""

    def __init__(self, fn):
        self._fn = self._orig_mod = fn
        self._variants = {}      # signature -> [Program], or the reason it runs eagerly
        self._warned = set()
        self._retries = {}
        self.__wrapped__ = fn
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)

    def __getattr__(self, name):              # (a compiled Module keeps its attributes)
        return getattr(self.__dict__["_fn"], name)

    def __call__(self, *args, **kwargs):
        if _FW_ACTIVE[0] or _SAVED_HOOKS[0] or _ANOMALY["enabled"] or _STATE.inference or \
                _VMAP_ACTIVE[0] or _FUNC_LEVEL[0] or _CAPTURE[0] is not None:
            # (modes a replay would not honour; inside another capture, which records it)
            return self._fn(*args, **kwargs)
        key = None
        if not kwargs and len(args) == 1 and args[0].__class__ is Tensor:
            a = args[0]                     # (one tensor: its signature built directly)
            d = a._data
            flat, spec, key = args, None, (_STATE.enabled, (d.shape, d.dtype, a._requires_grad,
                                                            d.__class__))
        elif not kwargs:
            # (the common call, tensors only: its signature without a pytree)
            parts = [_STATE.enabled]
            for a in args:
                if a.__class__ is not Tensor:
                    break
                d = a._data
                # (the array's class too: a program's forwards are one library's)
                parts.append((d.shape, d.dtype, a._requires_grad, d.__class__))
            else:
                flat, spec, key = args, None, tuple(parts)
        if key is None:
            flat, spec = tree_flatten((args, kwargs))
            key = _signature(flat, spec)
            if key is None:
                return self._fn(*args, **kwargs)
        programs = self._variants.get(key)
        if programs.__class__ is list:
            p = programs[0]
            if p.unverified is None:        # (the common call: the variant replayed last)
                r = p.run(flat)
                if r is not MISS:
                    return r
        elif programs is not None:          # (why it runs eagerly)
            return self._fn(*args, **kwargs)
        if programs:
            for i, p in enumerate(programs):
                if not i and p.unverified is None:
                    continue                # (tried above)
                if p.effects and p.unverified is not None:
                    r = self._verify_effects(key, p, flat, args, kwargs)
                    if r is MISS:
                        continue
                    return r
                r = p.run(flat)
                if r is not MISS:
                    if i:                   # (the variant replayed last is tried first next time)
                        programs.insert(0, programs.pop(i))
                    if p.unverified is not None and p.new_inputs(flat):
                        return self._verify(key, p, r, args, kwargs)
                    return r
            if len(programs) >= MAX_VARIANTS:
                self._warn(f"more than {MAX_VARIANTS} variants for one signature (guards fail "
                           f"again and again): running eagerly from now on")
                self._variants[key] = "too many variants"
                return self._fn(*args, **kwargs)
        return self._capture(key, flat, spec, args, kwargs)

    def _capture(self, key, flat, spec, args, kwargs):
        if spec is None:
            spec = tree_flatten((args, kwargs))[1]
        cap = Capture(flat)
        result = cap.run(self._fn, args, kwargs, default_generator)
        try:
            if cap.failed:
                raise Refused(cap.failed)
            if cap.retry:
                n = self._retries[key] = self._retries.get(key, 0) + 1
                if n < MAX_RETRIES:
                    return result                 # (recorded at the next call)
                raise Refused(f"{cap.retry} at {MAX_RETRIES} calls in a row")
            program = Program(cap, self._fn, spec, flat, result)
            if not program.effects:         # (a replay now would apply the effects twice)
                _check_replay(program, flat, result)
        except Refused as e:
            self._warn(f"cannot compile {self.__name__}: {e}; it runs eagerly")
            self._variants[key] = str(e)
            return result
        program.owner = (self, key)
        self._variants.setdefault(key, []).append(program)
        return result

    def differentiated_twice(self, key):
        """A backward with create_graph went through a replay of the signature
        `key` (a Hessian-vector product, a gradient penalty): from now on the
        signature runs eagerly, which records the graph such a backward needs."""
        self._warn(f"{self.__name__}'s outputs are differentiated with create_graph, which "
                   f"a replay cannot serve (it would run the function again for each such "
                   f"backward); it runs eagerly from now on")
        self._variants[key] = "its outputs are differentiated with create_graph"

    def _verify(self, key, program, result, args, kwargs):
        """The first replay on inputs other than the recorded ones is checked
        against an eager run, bit for bit: a value the function computed
        outside the dispatch point would show there, baked in as a constant."""
        program.unverified = None
        # (in the call's own grad mode: under no_grad the function could take
        # another path, or raise, as retain_grad() on an inner tensor does)
        eager = self._fn(*args, **kwargs)
        if not _agree(result, eager):
            self._warn(f"cannot compile {self.__name__}: its replay differs from eager mode on "
                       f"new inputs (it computes a value outside the dispatch point); it runs "
                       f"eagerly")
            self._variants[key] = "its replay differed from eager mode on new inputs"
            return self._fn(*args, **kwargs)
        return result

    def _verify_effects(self, key, program, flat, args, kwargs):
        """The first replay of a program with effects (a training step) is
        checked against an eager run from the same state, bit for bit: the
        outputs and every tensor and .grad the effects change.  The state
        is put back after the replay; the eager run's stands."""
        if not program.forward.entry_ok(flat):
            return MISS                           # (before copying anything)
        snap = program.snapshot(flat)
        r = program.run(flat)
        if r is MISS:
            return MISS
        got = program.observe(flat)
        program.restore(snap)
        program.unverified = None
        eager = self._fn(*args, **kwargs)
        now = program.observe(flat)
        if not _agree(r, eager) or any(
                (a is None) != (b is None) or (a is not None and not same_values(a, b))
                for a, b in zip(got, now)):
            self._warn(f"cannot compile {self.__name__}: its replay differs from eager mode "
                       f"(it computes a value outside the dispatch point); it runs eagerly")
            self._variants[key] = "its replay differed from eager mode"
        return eager

    def _warn(self, text):
        if text not in self._warned:
            self._warned.add(text)
            warnings.warn(f"chainrule.compile: {text}", stacklevel=3)

    def explain(self, code=False):
        """The captured programs, as text; with code=True, the generated
        Python each replays too."""
        return describe(self, code)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="replay", mode=None,
            options=None, disable=False):
    """torch.compile's signature; `backend`, `mode`, `dynamic` and `options`
    are accepted and ignored (there is one backend: the replay)."""
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                  mode=mode, options=options, disable=disable)
    if disable:
        return model
    return Compiled(model)


def _signature(flat, spec):
    """What a program is specialised on, or None when an argument cannot be
    (an unhashable non-tensor value)."""
    parts = [spec, _grad_mode.STATE.enabled]
    for a in flat:
        if isinstance(a, Tensor):
            d = a._data
            parts.append((type(a), d.shape, d.dtype, a._requires_grad, type(d)))
        else:
            try:
                hash(a)
            except TypeError:
                return None
            parts.append((type(a), a))
    return tuple(parts)


def _agree(a, b):
    fa, sa = tree_flatten(a)
    fb, sb = tree_flatten(b)
    if sa != sb:
        return False
    for x, y in zip(fa, fb):
        if isinstance(x, Tensor) != isinstance(y, Tensor):
            return False
        if isinstance(x, Tensor):
            if not same_values(x._data, y._data):
                return False
        elif x != y:
            return False
    return True


def _check_replay(program, flat, result):
    """Replay once on the capture's own inputs: the values must be the eager
    ones, bit for bit (a check of the capture itself)."""
    v = program.forward(flat)
    if v is MISS:
        raise Refused("its guards fail on the inputs they were recorded with")
    eager, _ = tree_flatten(result)
    for (s, _), e in zip(program.outs, eager):
        if s is None:
            continue
        if not same_values(v[s], e._data):
            raise Refused("its replay differs from the eager result (a computation outside "
                          "the dispatch point)")

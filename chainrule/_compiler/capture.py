"""The first call of a compiled function: run it eagerly, and record what the
dispatch point computes as a flat program over numbered values ("slots").

Slots hold: the arguments' arrays; arrays read from tensors the function
reaches from outside (module parameters, closed-over tensors: read again at
every replay, so an optimiser's updates are seen); constants (Python numbers
and tensors made inside the function by factories); and each op's result.
A Python conversion of a tensor (bool, item, float, int, tolist) returns its
value to the function, which may branch on it: it is recorded as a guard,
checked at every replay.

A whole training step is recorded too (its "effects", replayed in order):
in-place changes made without recording a node (an optimiser's updates under
no_grad) write into the changed tensor's array and bump its version, as do
updates made on arrays outside the dispatch point that declare themselves
(raw_effect: batch norm's running statistics); a
backward pass whose graph lies wholly inside the capture becomes one step of
generated formulas (as the compiled backward, codegen.generate_backward)
followed by the engine's own accumulation into each leaf's .grad; `.grad`
reads, assignments and deletions are followed (a .grad not written by the
program is read afresh, its None-ness checked on entry); Python numbers an
optimiser computes from its state at each step (host_values: Adam's bias
corrections, the learning rate) are recomputed at each replay; Python state
that shapes the step (param_group options, the optimiser's state keys and
tensors) is checked on entry ("pre-guards").  Every check that can fail
comes before the first effect: a conversion to Python after an effect
refuses the capture.

Anything the program could not reproduce refuses the capture (the call
still returns the eager result; later calls run eagerly): an array reaching
an op from outside the dispatch point in a form the program cannot derive,
numpy() inside the function, recorded in-place changes (of tensors that
require grad), random numbers from the default generator, a backward pass
that is not one of the above (hooks on its tensors, retain_graph,
create_graph, autograd.grad, a graph started outside, anomaly mode), nodes
that are not registry ops (custom Functions, views rebased in place),
complex values.
"""
from .._inplace_state import CAPTURE, EPOCH, SAVED_HOOKS, SPECIAL
from .._tensor import Tensor, _item
from ..autograd import engine
from ..autograd.anomaly_mode import _state as _ANOMALY
from ..autograd.graph import Node
from ..ops import _backend
from ..ops._dispatch import plainly

__all__ = ["BackNode", "Capture", "Refused", "same_values"]


class Refused(Exception):
    """Why a function cannot be compiled (the call runs eagerly instead)."""


_INDEX_FROM_VALUES = ("an op's index or mask was computed from a tensor's values outside the "
                      "dispatch point (masked_select, take, index_select, scatter and the like: a "
                      "replay would reuse the first call's)")


class Instr:
    """One op of the program: out = forward(*ins, *params)."""
    __slots__ = ("op", "fwd", "ins", "params", "dyn", "out", "zero_d", "kind")

    def __init__(self, op, fwd, ins, params, dyn, out, zero_d=True, kind=""):
        self.op, self.fwd, self.ins, self.params = op, fwd, ins, params
        self.dyn = dyn          # (position in params, slot) for params that are computed arrays
        self.out = out            # (the whole replay runs quietly: no per-op state)
        # Whether the result is 0-d: only then may a forward give a NumPy
        # scalar where the dispatch point wants an array (the shapes are the
        # signature's, so the replay checks that only there).
        self.zero_d = zero_d
        self.kind = kind          # the result's dtype kind ("f", "b", ...)


class BackNode:
    """One recorded node for the generated backward: its class (the
    formulas), its inputs' (shape, dtype), its params, where its saved values
    and computed params are among the kept values, where its gradients go."""
    __slots__ = ("cls", "meta", "params", "saved", "dyn", "targets", "label")

    def __init__(self, node, saved, dyn, targets):
        self.cls, self.meta, self.params = type(node), node.meta, node.params
        self.saved, self.dyn, self.targets = saved, dyn, targets
        self.label = self.cls.__name__


class Capture:
    def __init__(self, flat_args):
        self.slot_of = {}        # id(array) -> slot
        self.keep = []           # the arrays, kept alive so that their ids stay unique
        self.consts = {}         # slot -> constant value
        self.live = []           # (slot, tensor): read from the tensor at every replay
        self.steps = []          # Instr, ("cast", src, dtype, out) and ("guard", slot, fn, value)
        self.nodes = {}          # id(node) -> (node, inputs) for nodes made during the capture
        self.failed = None
        self.made_constant = set()   # ids of index arrays made from Python values (note_constant)
        self.retry = None        # why to record again at the next call (state made on this one)
        self.arg_slots = []
        self.args = flat_args
        self.arg_pos = {}
        self.owner = {}          # slot -> ("arg", i) | ("live", tensor) | ("grad", ref): whose array
        for i, a in enumerate(flat_args):
            if isinstance(a, Tensor):
                s = self._new(a._data)
                self.arg_slots.append(s)
                self.arg_pos.setdefault(id(a), i)
                self.owner.setdefault(s, ("arg", i))
            else:
                self.arg_slots.append(None)
        # --- a training step's effects (see the module's docstring) ---
        self.effects = False     # an effect was recorded (no guard may follow)
        self.bumps = 0           # version bumps the recorded in-place changes made
        self.backwards = 0       # backward passes recorded
        self.pre = []            # ("fn", f, expected) | ("grad", ref, is None) | ("hooks", ref)
        self.live_grads = []     # (slot, ref): a leaf's .grad array, read afresh at every replay
        self.grad_known = set()  # id(leaf) whose .grad the program follows from here on
        self.freed = set()       # id(node) of the nodes a recorded backward went through
        self.watch = []          # ("t", ref) | ("g", ref): what the effects change

    # --- slots ------------------------------------------------------------------------------
    def _new(self, arr):
        s = len(self.keep)
        self.keep.append(arr)
        self.slot_of[id(arr)] = s
        return s

    def tensor_slot(self, t):
        """The slot of tensor t's array; a tensor from outside becomes a live slot."""
        d = t._data
        s = self.slot_of.get(id(d))
        if s is None:
            s = self._new(d)
            self.live.append((s, t))
            self.owner[s] = ("live", t)
        return s

    def ref_of(self, t):
        """How the replay reaches tensor t: an argument by position, else the object."""
        i = self.arg_pos.get(id(t))
        return ("arg", i) if i is not None else ("live", t)

    def obj(self, ref):
        return self.args[ref[1]] if ref[0] == "arg" else ref[1]

    def refuse(self, why):
        if self.failed is None:
            self.failed = why

    # --- the hooks (dispatch point, Tensor conversions) -----------------------------------------
    def record(self, op, inputs, arrays, params, node_cls):
        ins = None if self.failed else self._sources(inputs, arrays)
        dyn = None if self.failed else self._dynamic_params(params)
        t = plainly(op, inputs, arrays, params, node_cls)
        if self.failed:
            return t
        if t._data.dtype.kind == "c" or any(getattr(getattr(a, "dtype", None), "kind", "") == "c"
                                            for a in arrays):
            self.refuse("complex values (the generated backward is written for real ones)")
            return t
        fwd = op.forward if arrays[0].__class__ is _backend.ndarray else \
            op.forward_for(_backend.backend_of(next(a for a in arrays if _backend.is_array(a))))
        out = self._new(t._data)
        self.steps.append(Instr(op, fwd, ins, params, dyn, out, t._data.ndim == 0,
                                t._data.dtype.kind))
        if t._grad_fn is not None:
            self.nodes[id(t._grad_fn)] = (t._grad_fn, inputs)
        return t

    def _sources(self, inputs, arrays):
        ins = []
        same = len(inputs) == len(arrays)
        for i, a in enumerate(arrays):
            s = self.slot_of.get(id(a))
            if s is None:
                x = inputs[i] if same else None
                if isinstance(x, Tensor):
                    xs = self.tensor_slot(x)
                    if x._data is not a:
                        d = x._data
                        if not (_backend.is_array(a) and a.shape == d.shape and
                                a.dtype != d.dtype and same_values(d.astype(a.dtype), a)):
                            self.refuse("an op received an array derived from a tensor outside "
                                        "the dispatch point")
                            return None
                        s = self._new(a)         # a dtype promotion done before the op
                        self.steps.append(("cast", xs, a.dtype, s))
                    else:
                        s = xs
                elif same and not isinstance(x, Tensor) and not _backend.is_array(x):
                    hs = self.slot_of.get(id(x)) if x.__class__ is float else None
                    s = self._new(a)             # a Python number, as the op took it
                    if hs is None:
                        self.consts[s] = a
                    elif _backend.is_array(a) and same_values(
                            _backend.numpy_scalar(x, a.dtype), a):
                        self.steps.append(("scalar", hs, a.dtype, s))   # a host value, converted
                    else:
                        self.refuse("an op received a converted host value")
                        return None
                else:
                    self.refuse("an op received an array made outside the dispatch point")
                    return None
            ins.append(s)
        return tuple(ins)

    def _dynamic_params(self, params):
        """(position, slot) of the params that are arrays computed in the
        program.  An integer or bool array the program did not compute may
        come from a tensor's values (see _maybe_from_values): the function is
        refused.  Other arrays (float weights made by the public function) are
        constants, as the numbers are: made from the function's own values, or
        from ones turned to Python, which are guarded."""
        dyn = []
        for k, p in enumerate(params):
            if _backend.is_array(p) or p.__class__ is float:    # (a float: a host value)
                s = self.slot_of.get(id(p))
                if s is not None:
                    dyn.append((k, s))
                elif p.__class__ is not float and self._maybe_from_values(p):
                    self.refuse(_INDEX_FROM_VALUES)
                    return None
            elif isinstance(p, (tuple, list)):
                nested = [q for q in p if _backend.is_array(q)]
                if any(id(q) not in self.slot_of and self._maybe_from_values(q) for q in nested):
                    self.refuse(_INDEX_FROM_VALUES)
                    return None
                if any(id(q) in self.slot_of for q in nested):
                    self.refuse("an op received computed arrays nested in its arguments")
                    return None
        return tuple(dyn)

    def _maybe_from_values(self, a):
        """Whether the integer or bool array `a`, an op's parameter that the
        program did not compute, may hold what a public function read from a
        tensor's values (masked_select's positions, take's or index_select's
        index, scatter's): replayed, it would stay the first call's, a wrong
        value.  Only the arrays the functions declared made from Python values
        or shapes (note_constant: a list index, a triangle's mask) are
        constants."""
        return a.dtype.kind in "biu" and id(a) not in self.made_constant

    def guard(self, t, convert):
        value = convert(t._data)
        if self.effects:
            self.refuse("a conversion of a tensor to Python after an in-place change or a "
                        "backward (a replay could no longer stop there); return the tensor")
        if not self.failed:
            self.steps.append(("guard", self.tensor_slot(t), convert, value))
        return value

    # --- a training step's effects ---------------------------------------------------------------
    def _effect(self, step):
        self.effects = True
        self.steps.append(step)

    def store(self, t, result):
        """t's array is about to take result's values (an in-place change that
        records no node: _inplace.apply); t's version is bumped after."""
        self.bumps += 1
        if self.failed:
            return
        if t._view_of is not None:
            self.refuse("an in-place change of a view inside the function")
            return
        src = self.slot_of.get(id(result._data))
        if src is None:
            self.refuse("an in-place change with a value made outside the dispatch point")
            return
        dst = self.tensor_slot(t)
        if dst in self.consts:
            self.refuse("an in-place change of a constant")
            return
        owner = self.owner.get(dst)
        if owner is None and self._aliases_outside(t._data):
            # (a detached view of an argument, say: the effect would reach a tensor
            # from outside that the replay neither watches nor puts back)
            self.refuse("an in-place change of a tensor made inside the function that "
                        "shares memory with one from outside it")
            return
        ref = None                     # whose version the replay bumps (none: made inside)
        if owner is not None:
            kind, o = owner
            # (watched through the tensor owning the array, also when t is another
            # tensor on it, as p.data is: then t's own counter is the one bumped)
            self.watch.append(("g", o) if kind == "grad" else ("t", owner))
            if kind == "grad":
                ref = owner if self.obj(o)._grad is t else None
            else:
                base = self.obj(owner) if kind == "arg" else o
                # (t itself, or a tensor sharing its counter: detach()'s, whose
                # in-place changes count for the tensor it came from)
                if base is t or (t._vbox is not None and t._vbox is base._vbox):
                    ref = owner
        r, d = result._data, t._data
        same = r.__class__ is d.__class__ and r.dtype == d.dtype and r.shape == d.shape
        self._effect(("store", dst, src, ref, same))

    def _aliases_outside(self, d):
        """Whether array d, made inside the function, views the memory of an
        array from outside it (an argument's, a live tensor's, a .grad)."""
        be = _backend.backend_of(d)
        if not be.is_view(d):
            return False
        ptr = be.storage_ptr(d)
        return any(be.storage_ptr(self.keep[s]) == ptr for s in self.owner
                   if self.keep[s].__class__ is d.__class__)

    def raw_effect(self, fn, arrays, params, written):
        """fn(*arrays, *params) writes into the arrays of the tensors `written`
        outside the dispatch point (batch norm's running statistics): a step
        of the replay, on the same slots."""
        if self.failed:
            return
        for t in written:
            self.tensor_slot(t)              # (buffers from outside: read afresh)
        slots = []
        for a in arrays:
            s = None if a is None else self.slot_of.get(id(a))
            if a is not None and s is None:
                self.refuse("an update outside the dispatch point of an array the program "
                            "cannot derive")
                return
            slots.append(s)
        for t in written:
            owner = self.owner.get(self.tensor_slot(t))
            if owner is None or t._view_of is not None:
                self.refuse("an update outside the dispatch point of a tensor made inside")
                return
            self.watch.append(("g", owner[1]) if owner[0] == "grad" else ("t", owner))
        self._effect(("raw", fn, tuple(slots), params))

    def grad_read(self, leaf, g):
        """leaf.grad was read (g its value): a .grad the program has not written
        is read afresh at each replay, its None-ness checked on entry."""
        if self.failed or id(leaf) in self.grad_known:
            return
        self.grad_known.add(id(leaf))
        ref = self.ref_of(leaf)
        self.pre.append(("grad", ref, g is None))
        if g is not None:
            d = g._data
            s = self.slot_of.get(id(d))
            if s is None:
                s = self._new(d)
                self.live_grads.append((s, ref, d.shape, d.dtype))
            self.owner[s] = ("grad", ref)

    def grad_write(self, leaf, value):
        """leaf.grad = value (or del leaf.grad: value None)."""
        if self.failed:
            return
        self.grad_known.add(id(leaf))
        if value is not None and value is leaf._grad:
            return                                 # (zero_grad(set_to_none=False))
        ref = self.ref_of(leaf)
        if value is None:                # (None already now, perhaps not at a replay)
            self.watch.append(("g", ref))
            self._effect(("setgrad", ref, None))
            return
        s = self.slot_of.get(id(value._data))
        if s is None or s in self.consts or self.owner.get(s) is not None or \
                value._requires_grad:
            self.refuse("a .grad assigned a tensor the program does not compute")
            return
        self.owner[s] = ("grad", ref)
        self.watch.append(("g", ref))
        self._effect(("setgrad", ref, s))

    def host(self, fn, group, tensors):
        """fn(group, *values of tensors): Python floats an optimiser computes
        from its state, recomputed by each replay at this point (so neither
        its step count nor its learning rate is baked in)."""
        values = fn(group, *[_item(t._data) for t in tensors])
        if self.failed:
            return values
        ins = tuple(self.tensor_slot(t) for t in tensors)
        out, slots = [], []
        for v in values:
            v = float(v) * 1.0       # (a float object of its own: ops find it by identity)
            slots.append(self._new(v))
            out.append(v)
        self.steps.append(("host", fn, group, ins, tuple(slots)))
        return tuple(out)

    def pre_guard(self, fn, expected):
        """fn() must give `expected` on entry to a replay (optimiser Python state)."""
        self.pre.append(("fn", fn, expected))

    def retry_later(self, why):
        self.retry = why

    def before_backward(self, roots, grads, retain_graph, create_graph, capture, accumulate):
        """A backward pass is about to run inside the function: plan its replay
        (or refuse); after_backward finishes the plan once it has run."""
        why = self._backward_refusal(roots, grads, retain_graph, create_graph, capture,
                                     accumulate)
        if why is not None:
            self.refuse(why)
            return None
        try:
            order = self.backward_nodes(roots)
        except Refused as e:
            self.refuse(str(e))
            return None
        if any(id(n) in self.freed for n in order):
            self.refuse("a second backward through a graph inside the function")
            return None
        index = {id(n): k for k, n in enumerate(order)}
        leaves, where, plan = [], {}, []
        for node in order:
            for e in node.edges:
                if e is None:
                    continue
                if isinstance(e, Node):
                    if id(e) not in index:
                        self.refuse(_UNRECORDED)
                        return None
                    if e._has_hooks or e._post_hooks:
                        self.refuse("hooks on a tensor of the graph of a backward inside the "
                                    "function")
                        return None
                elif _leaf_hooks(e):
                    self.refuse("hooks on a leaf of a backward inside the function")
                    return None
            if node._has_hooks or node._post_hooks:
                self.refuse("hooks on a tensor of the graph of a backward inside the function")
                return None
        for node in order:
            targets = []
            for e in node.edges:
                if e is None:
                    targets.append(None)
                elif isinstance(e, Node):
                    targets.append(("node", index[id(e)]))
                else:
                    k = where.get(id(e))
                    if k is None:
                        k = where[id(e)] = len(leaves)
                        leaves.append(e)
                    targets.append(("out", k))
            try:
                plan.append(self.back_node(node, targets))
            except Refused as e:
                self.refuse(str(e))
                return None
        seeds = []
        for t, g in zip(roots, grads):
            s = self.slot_of.get(id(g))
            if s is None:
                if g.size != 1 or not bool((g == 1).all()):
                    self.refuse("a backward inside the function seeded with a gradient made "
                                "outside the dispatch point")
                    return None
                s = self._new(g)                 # the implicit 1 of a scalar loss
                self.consts[s] = g
            seeds.append((index[id(t._grad_fn)], s))
        g = grads[0]
        be = None if g.__class__ is _backend.ndarray else _backend.backend_of(g)
        return order, plan, leaves, seeds, be

    def _backward_refusal(self, roots, grads, retain_graph, create_graph, capture, accumulate):
        if self.failed:
            return self.failed
        if capture is not None or not accumulate:
            return "autograd.grad (or backward with inputs=) inside the function"
        if create_graph:
            return "a backward with create_graph inside the function"
        if retain_graph:
            return "a backward with retain_graph inside the function"
        if _ANOMALY["enabled"]:
            return "anomaly mode inside the function"
        if SAVED_HOOKS[0]:
            return "saved-tensor hooks inside the function"
        for t in roots:
            fn = t._grad_fn
            if fn is None or id(fn) not in self.nodes:
                return _UNRECORDED
        return None

    def back_node(self, node, targets):
        """The generated backward's view of a recorded node (its saved values and
        computed params as slots)."""
        saved = None
        if node.saved is not None:
            saved = []
            for v in node.saved:
                if v is None:
                    saved.append(None)
                elif isinstance(v, Tensor):
                    saved.append(self.tensor_slot(v))
                elif _backend.is_array(v):
                    s = self.slot_of.get(id(v))
                    if s is None:
                        raise Refused(f"{type(node).__name__} saved an array the compiler "
                                      f"cannot replay")
                    saved.append(s)
                else:
                    saved.append(("const", v))
            saved = tuple(saved)
        dyn = tuple((k, self.slot_of[id(p)]) for k, p in enumerate(node.params)
                    if _backend.is_array(p) and id(p) in self.slot_of)
        return BackNode(node, saved, dyn, targets)

    def after_backward(self, planned):
        order, plan, leaves, seeds, be = planned
        self.backwards += 1
        self.freed.update(id(n) for n in order)
        accs = []
        for j, leaf in enumerate(leaves):
            ref = self.ref_of(leaf)
            self.grad_known.add(id(leaf))
            self.pre.append(("hooks", ref))
            self.watch.append(("g", ref))
            g = leaf._grad
            s = None
            if g is not None:
                s = self._new(g._data)
                self.owner[s] = ("grad", ref)
            accs.append((ref, s))
        self._effect(("backward", plan, seeds, accs, be))

    def escape(self, t, what):
        self.refuse(f"{what} inside the function (its value leaves what can be replayed)")

    # --- running it -----------------------------------------------------------------------------
    def run(self, fn, args, kwargs, generator):
        """fn(*args, **kwargs) eagerly, recorded."""
        epoch, runs = EPOCH[0], engine.RUNS[0]
        rng_state = generator.rng.bit_generator.state
        special = SPECIAL[0]
        CAPTURE[0], SPECIAL[0] = self, True
        try:
            result = fn(*args, **kwargs)
        finally:
            CAPTURE[0], SPECIAL[0] = None, special
        if EPOCH[0] - epoch != self.bumps:
            self.refuse("an in-place change inside the function")
        if engine.RUNS[0] - runs != self.backwards:
            self.refuse("a backward pass inside the function")
        if generator.rng.bit_generator.state != rng_state:
            self.refuse("random numbers drawn inside the function")
        return result

    def backward_nodes(self, out_tensors):
        """The nodes made during the capture that the outputs reach, consumers
        first, in the order the engine runs them (so that the gradients
        meeting at a node or a leaf are summed in eager mode's order: the
        same values bit for bit)."""
        rec = self.nodes
        roots, ids = [], set()
        for t in out_tensors:
            fn = t._grad_fn
            if fn is not None and id(fn) in rec and id(fn) not in ids:
                ids.add(id(fn))
                roots.append(fn)
        deps, seen, stack = {}, set(ids), list(roots)
        while stack:                       # (dependency counts, as engine._count_dependencies)
            for e in stack.pop().edges:
                if isinstance(e, Node) and id(e) in rec:
                    deps[id(e)] = deps.get(id(e), 0) + 1
                    if id(e) not in seen:
                        seen.add(id(e))
                        stack.append(e)
        order = []
        ready = [fn for fn in roots if not deps.get(id(fn))]
        while ready:                       # (the engine's walk: a node once its consumers ran)
            fn = ready.pop()
            order.append(fn)
            for e in fn.edges:
                if isinstance(e, Node) and id(e) in rec:
                    n = deps[id(e)] = deps[id(e)] - 1
                    if not n:
                        ready.append(e)
        for fn in order:
            cls = type(fn)
            if getattr(cls, "_op", None) is None or fn._unpack is not None:
                raise Refused(f"the graph holds a {cls.__name__} node, which the compiler "
                              f"cannot replay")
            if any(isinstance(p, (tuple, list)) and any(
                    _backend.is_array(q) and id(q) in self.slot_of for q in p) for p in fn.params):
                raise Refused(f"{cls.__name__} holds computed arrays nested in its arguments")
        return order


_UNRECORDED = ("a backward through nodes the capture did not record (a graph that started "
               "outside the function, a custom Function or a module's backward hook)")


def _leaf_hooks(t):
    """Whether leaf t has hooks a backward would run."""
    acc = t._acc_node
    return bool(t._backward_hooks or t._post_acc_hooks or
                (acc is not None and (acc._pre_hooks or acc._post_hooks)))


def same_values(a, b):
    """Whether two arrays hold the same dtype, shape and values (NaN equal to
    NaN), in their own array library."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    eq = a == b
    if a.dtype.kind in "fc":
        eq = eq | ((a != a) & (b != b))
    return bool(eq.all())

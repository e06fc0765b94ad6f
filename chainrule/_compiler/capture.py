"""The first call of a compiled function: run it eagerly, and record what the
dispatch point computes as a flat program over numbered values ("slots").

Slots hold: the arguments' arrays; arrays read from tensors the function
reaches from outside (module parameters, closed-over tensors: read again at
every replay, so an optimiser's updates are seen); constants (Python numbers
and tensors made inside the function by factories); and each op's result.
A Python conversion of a tensor (bool, item, float, int, tolist) returns its
value to the function, which may branch on it: it is recorded as a guard,
checked at every replay.

Anything the program could not reproduce refuses the capture (the call
still returns the eager result; later calls run eagerly): an array reaching
an op from outside the dispatch point in a form the program cannot derive,
numpy() inside the function, in-place changes, random numbers from the
default generator, a backward pass inside the function, nodes that are not
registry ops (custom Functions, views rebased in place), complex values.
"""
from .._inplace_state import CAPTURE, EPOCH, SPECIAL
from .._tensor import Tensor
from ..autograd import engine
from ..autograd.graph import Node
from ..ops import _backend
from ..ops._dispatch import plainly

__all__ = ["Capture", "Refused", "same_values"]


class Refused(Exception):
    """Why a function cannot be compiled (the call runs eagerly instead)."""


class Instr:
    """One op of the program: out = forward(*ins, *params)."""
    __slots__ = ("op", "fwd", "ins", "params", "dyn", "out")

    def __init__(self, op, fwd, ins, params, dyn, out):
        self.op, self.fwd, self.ins, self.params = op, fwd, ins, params
        self.dyn = dyn          # (position in params, slot) for params that are computed arrays
        self.out = out            # (the whole replay runs quietly: no per-op state)


class Capture:
    def __init__(self, flat_args):
        self.slot_of = {}        # id(array) -> slot
        self.keep = []           # the arrays, kept alive so that their ids stay unique
        self.consts = {}         # slot -> constant value
        self.live = []           # (slot, tensor): read from the tensor at every replay
        self.steps = []          # Instr, ("cast", src, dtype, out) and ("guard", slot, fn, value)
        self.nodes = {}          # id(node) -> (node, inputs) for nodes made during the capture
        self.failed = None
        self.arg_slots = []
        for a in flat_args:
            self.arg_slots.append(self._new(a._data) if isinstance(a, Tensor) else None)

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
        return s

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
        self.steps.append(Instr(op, fwd, ins, params, dyn, out))
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
                    s = self._new(a)             # a Python number, as the op took it
                    self.consts[s] = a
                else:
                    self.refuse("an op received an array made outside the dispatch point")
                    return None
            ins.append(s)
        return tuple(ins)

    def _dynamic_params(self, params):
        """(position, slot) of the params that are arrays computed in the
        program.  Other arrays among the params (an index list made an array
        by the public function) are constants, as the numbers are: made from
        the function's own values, or from ones turned to Python, which are
        guarded (an array derived behind the dispatch point from a tensor is
        what the check on new inputs catches)."""
        dyn = []
        for k, p in enumerate(params):
            if _backend.is_array(p):
                s = self.slot_of.get(id(p))
                if s is not None:
                    dyn.append((k, s))
            elif isinstance(p, (tuple, list)) and any(
                    _backend.is_array(q) and id(q) in self.slot_of for q in p):
                self.refuse("an op received computed arrays nested in its arguments")
                return None
        return tuple(dyn)

    def guard(self, t, convert):
        value = convert(t._data)
        if not self.failed:
            self.steps.append(("guard", self.tensor_slot(t), convert, value))
        return value

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
        if EPOCH[0] != epoch:
            self.refuse("an in-place change inside the function")
        if engine.RUNS[0] != runs:
            self.refuse("a backward pass inside the function")
        if generator.rng.bit_generator.state != rng_state:
            self.refuse("random numbers drawn inside the function")
        return result

    def backward_nodes(self, out_tensors):
        """The nodes made during the capture that the outputs reach, consumers
        first, each with where its inputs' gradients go."""
        order, seen, stack = [], set(), []
        for t in out_tensors:
            fn = t._grad_fn
            if fn is not None and id(fn) in self.nodes:
                stack.append((fn, False))
        while stack:
            fn, expanded = stack.pop()
            if expanded:
                order.append(fn)
                continue
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            stack.append((fn, True))
            for e in fn.edges:
                if isinstance(e, Node) and id(e) in self.nodes and id(e) not in seen:
                    stack.append((e, False))
        order.reverse()              # (post-order reversed: every consumer before its inputs)
        for fn in order:
            cls = type(fn)
            if getattr(cls, "_op", None) is None or fn._unpack is not None:
                raise Refused(f"the graph holds a {cls.__name__} node, which the compiler "
                              f"cannot replay")
            if any(isinstance(p, (tuple, list)) and any(
                    _backend.is_array(q) and id(q) in self.slot_of for q in p) for p in fn.params):
                raise Refused(f"{cls.__name__} holds computed arrays nested in its arguments")
        return order


def same_values(a, b):
    """Whether two arrays hold the same dtype, shape and values (NaN equal to
    NaN), in their own array library."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    eq = a == b
    if a.dtype.kind in "fc":
        eq = eq | ((a != a) & (b != b))
    return bool(eq.all())

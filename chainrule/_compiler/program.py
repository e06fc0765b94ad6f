"""A captured function as a flat program: replaying it runs the recorded
array calls one after another into a list of values, checks the guards, and
wraps the outputs; no graph objects are made on the way.  Outputs that
require grad are those of one autograd node (CompiledFunctionBackward, as
torch.compile's), whose backward replays the recorded nodes' formulas on the
saved arrays, in the engine's order, straight to the inputs' gradients.

A program with effects (a training step: capture.py) changes tensors when
replayed; the outputs of a backward inside it come back with their graph
freed, as eagerly (a second backward raises).  Its first replay is checked
against an eager run from the same state (Compiled._verify_effects).
"""
from .. import autograd as _autograd
from .._grad_mode import STATE, enable_grad
from .._inplace_state import EPOCH
from .._tensor import Tensor
from ..autograd import function as _function
from ..autograd.graph import Node
from ..func._pytree import tree_flatten, tree_unflatten
from ..ops import _backend
from .. import _errors
from .._views import modified_error
from ..ops._registry import ArrayOps, array_ops_for
from .capture import Refused, _UNRECORDED, same_values
from .codegen import MISS, generate, generate_backward
from .inline import inline_backward

__all__ = ["Program", "MISS"]

_make = Tensor._make
CHECKS = 16        # replays that look for new input values to verify against eager mode


class Program:
    def __init__(self, cap, fn, spec, flat_args, result):
        self.fn, self.spec = fn, spec
        # (the Compiled and signature it serves: told when a backward with
        # create_graph goes through a replay, see _eager_backward)
        self.owner = None
        # The recorded inputs' values, until a replay on other values has been
        # checked against eager mode (Compiled._verify), or CHECKS replays
        # have come with the same values; then None.
        self.checks_left = CHECKS
        self.unverified = [(i, flat_args[i]._data.copy()) for i, s in
                           enumerate(cap.arg_slots) if s is not None]
        self.fn_name = getattr(fn, "__name__", type(fn).__name__)
        self.arg_slots = [(i, s) for i, s in enumerate(cap.arg_slots) if s is not None]
        self.steps = cap.steps
        flat_out, self.out_spec = tree_flatten(result)
        self.outs = []                  # (slot, requires grad) for tensors, or (None, value)
        out_tensors = []
        for o in flat_out:
            if isinstance(o, Tensor):
                self.outs.append((cap.tensor_slot(o), o._requires_grad))
                out_tensors.append(o)
            else:
                self.outs.append((None, o))
        self.backward = None
        self.effects, self.pre, self.live_grads = cap.effects, cap.pre, cap.live_grads
        self.watch = list({(k, r[0], id(r[1])): (k, r) for k, r in cap.watch}.values())
        self.freed_outs = False
        if cap.backwards and any(rg for s, rg in self.outs if s is not None):
            # (outputs of a backward inside: their graph is freed, as eagerly)
            if any(o._requires_grad and (o._grad_fn is None or id(o._grad_fn) not in cap.freed)
                   for o in out_tensors):
                raise Refused("an output requires grad beyond the backward inside the function")
            self.freed_outs = True
        elif any(rg for s, rg in self.outs if s is not None):
            self._plan_backward(cap, flat_args, out_tensors)
        # (after the outputs and the backward plan: both may find tensors from outside)
        self.n_slots = len(cap.keep)
        self.consts = dict(cap.consts)          # slot -> constant (None among them)
        self.live = [(s, t, t._data.shape, t._data.dtype, t._requires_grad) for s, t in cap.live]
        self._finish(cap)

    # --- the backward plan --------------------------------------------------------------------
    def _plan_backward(self, cap, flat_args, out_tensors):
        order = cap.backward_nodes(out_tensors)
        index = {id(n): k for k, n in enumerate(order)}
        # The tensors gradients leave the program for: arguments (by position) and
        # tensors from outside; the compiled node's inputs, in this order.
        self.boundary, where = [], {}
        arg_pos = {id(a): i for i, a in enumerate(flat_args) if isinstance(a, Tensor)}

        def boundary_of(t):
            k = where.get(id(t))
            if k is None:
                if id(t) not in arg_pos:
                    # A tensor from outside the function: its array was read, not made,
                    # by the program.  One the program computed, whose node was not
                    # recorded (a custom Function's output), would be the first call's
                    # tensor at every replay, its graph long freed.
                    s = cap.slot_of.get(id(t._data))
                    owner = None if s is None else cap.owner.get(s)
                    if s is not None and (owner is None or owner[0] != "live"):
                        raise Refused(_UNRECORDED)
                k = where[id(t)] = len(self.boundary)
                self.boundary.append(("arg", arg_pos[id(t)]) if id(t) in arg_pos else ("live", t))
            return k
        plan = []
        for node in order:
            _, inputs = cap.nodes[id(node)]
            targets = []
            for i, e in enumerate(node.edges):
                if e is None:
                    targets.append(None)
                elif isinstance(e, Node) and id(e) in index:
                    targets.append(("node", index[id(e)]))
                else:
                    targets.append(("out", boundary_of(inputs[i])))
            plan.append(cap.back_node(node, targets))
        self.backward = plan
        self.seeds = []                 # for each output that requires grad: where its gradient enters
        for (s, rg), o in zip([x for x in self.outs if x[0] is not None], out_tensors):
            if not rg:
                self.seeds.append(None)
            elif o._grad_fn is not None and id(o._grad_fn) in index:
                self.seeds.append(("node", index[id(o._grad_fn)]))
            else:
                self.seeds.append(("out", boundary_of(o)))

    def new_inputs(self, flat_args):
        """Whether these arguments' values differ from the recorded ones."""
        self.checks_left -= 1
        if not self.checks_left:
            self.unverified = None
        for i, a in self.unverified or ():
            if not same_values(flat_args[i]._data, a):
                return True
        return False

    # --- replay ---------------------------------------------------------------------------------
    def _finish(self, cap):
        """Generate the replay: straight-line code, one line per array call
        (codegen.py); it returns the values the outputs and the backward need."""
        needed = {s for s, _ in self.outs if s is not None}
        for b in self.backward or ():
            needed.update(x for x in (b.saved or ()) if x is not None and x.__class__ is not tuple)
            needed.update(s for _, s in b.dyn)
        self.kept = sorted(needed)
        pos = {s: k for k, s in enumerate(self.kept)}
        self.outs = [(pos[s], rg) if s is not None else (None, rg) for s, rg in self.outs]
        for b in self.backward or ():
            if b.saved is not None:
                b.saved = tuple(x if x is None or x.__class__ is tuple else pos[x] for x in b.saved)
            b.dyn = tuple((j, pos[s]) for j, s in b.dyn)
        self.capture_values = cap.keep     # (for the inlined backward inside a step)
        try:
            self.forward = generate(self)
        finally:
            del self.capture_values
        # One tensor returned, which requires grad if any output does: no pytree to rebuild.
        self.single = self.out_spec.type is None and self.outs[0][0] is not None
        self.flat_children = all(c.type is None for c in self.out_spec.children or ())
        self.back = None                # the generated backward on NumPy's arrays
        self._backs = {}                # ... and on other libraries' (made when first needed)
        if self.backward is not None:
            self.back = generate_backward(self, ArrayOps)
            # One output that requires grad gets a CompiledFunctionBackward (more
            # go through a Function).  The arguments and outside tensors whose
            # arrays its backward reads: changed in place before it runs, they
            # raise as eager saved values do.
            self.one_output = sum(s is not None for s in self.seeds) == 1
            # The boundary tensors' shapes, dtypes and requires_grad are the
            # signature's (arguments) or checked on entry (tensors from outside).
            bound = [cap.args[k] if kind == "arg" else k for kind, k in self.boundary]
            self.bound_rg = [t._requires_grad for t in bound]
            self.any_rg = any(self.bound_rg)
            self.meta = tuple((t._data.shape, t._data.dtype) for t in bound)
            if self.one_output:
                self._inline(cap)
            self.read_sources = [("arg", i) for i, s in self.arg_slots if s in pos] + \
                [("live", t) for s, t, *_ in self.live if s in pos]
            if self.single and self.one_output and self.any_rg and not self.freed_outs:
                self.fast = self._single_run()

    def _single_run(self):
        """run() for the commonest program, one tensor output that requires
        grad: the forward's generated code followed by the making of the node
        and the output, with what does not change (where the output is, the
        boundary tensors' requires_grad and meta) bound once."""
        forward = self.forward
        env = forward.__globals__
        env.update({"_MISS": MISS, "_STATE": STATE, "_new": _new,
                    "_CFB": CompiledFunctionBackward, "_EPOCH": EPOCH, "_META": self.meta,
                    "_P": self, "_versions": _versions})
        body = forward.source.rstrip("\n").split("\n")
        assert body[0] == "def replay(flat):" and body[-1].startswith("    return (")
        out = f"_v[{self.outs[0][0]}]"
        lines = ["def call(flat):"] + body[1:-1] + [
            "    _v = " + body[-1][len("    return "):],
            "    if not _STATE.enabled:",
            f"        return _make({out})",
            "    node = _new(_CFB)"]
        edges = []
        for j, (kind, t) in enumerate(self.boundary):
            if not self.bound_rg[j]:            # (requires no grad: no edge)
                edges.append("None")
                continue
            if kind == "arg":
                lines.append(f"    _t{j} = flat[{t}]")
            else:
                env[f"_L{j}"] = t
                lines.append(f"    _t{j} = _L{j}")
            lines.append(f"    _f{j} = _t{j}._grad_fn")
            edges.append(f"_f{j} if _f{j} is not None else _t{j}")
        lines += [f"    node.edges = [{', '.join(edges)}]",
                  "    node.meta, node.params, node.saved = _META, (), _v",
                  "    node._epoch = _e = _EPOCH[0]",
                  "    node._program, node._args = _P, flat",
                  "    node._versions = None if not _e else _versions(_P, flat)",
                  f"    return _make({out}, True, node)"]
        source = "\n".join(lines) + "\n"
        exec(compile(source, f"<chainrule.compile call of {self.fn_name}>", "exec"), env)  # noqa: S102
        run = env["call"]
        run.source = source
        return run

    def _inline(self, cap):
        """The backward with its formulas inlined (inline.py), where it can be;
        traced on the capture's own values."""
        values = tuple(cap.keep[s] for s in self.kept)
        out = values[next(s for s, rg in self.outs if s is not None and rg)]
        if out.__class__ is not _backend.ndarray:
            return
        seed = _backend.NUMPY.xp.ones(out.shape, out.dtype)
        # (out.backward()'s implicit 1 is one shared array: what follows from it is folded)
        one = _autograd._one(out.dtype, out.shape) if out.size == 1 and out.dtype.kind == "f" \
            else None
        fast = inline_backward(self, ArrayOps, values, seed, self.back, one)
        if fast is not None:
            self.back = fast

    def backward_for(self, g):
        """The generated backward for the array library of gradient g."""
        if g.__class__ is _backend.ndarray:
            return self.back
        be = _backend.backend_of(g)
        fn = self._backs.get(be)
        if fn is None:
            fn = self._backs[be] = generate_backward(self, array_ops_for(be))
        return fn

    def outputs(self, v):
        return [_make(v[s]) if s is not None else val for s, val in self.outs]

    def _plain(self, v):
        """The outputs, none requiring grad."""
        if self.single:
            return _make(v[self.outs[0][0]])
        return self._rebuild(self.outputs(v))

    fast = None              # the generated run of a program with one output (_single_run)

    def _rebuild(self, flat):
        """The outputs' structure around their flat values: a list or tuple of
        tensors directly (tree_unflatten's recursion costs about 1 us there)."""
        spec = self.out_spec
        t = spec.type
        if (t is list or t is tuple) and self.flat_children:
            return flat if t is list else tuple(flat)
        return tree_unflatten(flat, spec)

    def run(self, flat_args):
        if self.fast is not None:
            return self.fast(flat_args)
        v = self.forward(flat_args)
        if v is MISS:
            return MISS
        if self.freed_outs and STATE.enabled:
            return self._freed(v, flat_args)
        if self.backward is None or not STATE.enabled:
            return self._plain(v)
        if not self.any_rg:
            return self._plain(v)
        if self.one_output:
            return self._with_node(v, flat_args)
        inputs = [flat_args[k] if kind == "arg" else k for kind, k in self.boundary]
        outs = CompiledFunction.apply(self, v, flat_args, *inputs)
        outs = outs if isinstance(outs, tuple) else (outs,)
        it = iter(outs)
        flat = [next(it) if s is not None else val for s, val in self.outs]
        return self._rebuild(flat)

    def _with_node(self, v, flat_args):
        """The outputs, the one that requires grad with a CompiledFunctionBackward."""
        node = _new(CompiledFunctionBackward)
        edges = []
        for kind, t in self.boundary:
            if kind == "arg":
                t = flat_args[t]
            fn = t._grad_fn
            edges.append(fn if fn is not None else (t if t._requires_grad else None))
        node.edges, node.meta, node.params, node.saved = edges, self.meta, (), v
        node._epoch = EPOCH[0]
        node._program, node._args = self, flat_args
        node._versions = None if not EPOCH[0] else _versions(self, flat_args)
        if self.single:
            return _make(v[self.outs[0][0]], True, node)
        flat = []
        for s, rg in self.outs:
            if s is None:
                flat.append(rg)
            elif rg:
                flat.append(_make(v[s], True, node))
            else:
                flat.append(_make(v[s]))
        return self._rebuild(flat)

    def _freed(self, v, flat_args):
        """The outputs, those that require grad with a node whose graph is freed."""
        node = _new(CompiledFunctionBackward)
        node.edges, node.meta, node.params, node.saved = (), (), (), None
        node._epoch, node._program, node._args, node._versions = EPOCH[0], self, flat_args, None
        flat = []
        for s, rg in self.outs:               # ((None, value) for what is not a tensor)
            flat.append(rg if s is None else _make(v[s], True, node) if rg else _make(v[s]))
        if self.single:
            return flat[0]
        return self._rebuild(flat)

    # --- checking a program with effects against eager mode -----------------------------------
    def _obj(self, ref, flat_args):
        return flat_args[ref[1]] if ref[0] == "arg" else ref[1]

    def snapshot(self, flat_args):
        """What the effects change, copied (restore puts it back)."""
        snap = []
        for kind, ref in self.watch:
            t = self._obj(ref, flat_args)
            if kind == "g":
                g = t._grad
                snap.append((kind, t, g, None if g is None else
                             (g._data.copy(), None if g._vbox is None else g._vbox[0])))
            else:
                snap.append((kind, t, t._data.copy(), None if t._vbox is None else t._vbox[0]))
        return snap

    def restore(self, snap):
        for kind, t, a, b in snap:
            if kind == "g":
                t._grad = a
                if a is None:
                    continue
                t, (a, b) = a, b
            t._data[...] = a
            if t._vbox is not None:
                t._vbox[0] = 0 if b is None else b

    def observe(self, flat_args):
        out = []
        for kind, ref in self.watch:
            t = self._obj(ref, flat_args)
            if kind == "g":
                t = t._grad
            out.append(None if t is None else t._data.copy())
        return out


_new = object.__new__


def _reads(program, flat_args):
    return [flat_args[k] if kind == "arg" else k for kind, k in program.read_sources]


def _versions(program, flat_args):
    return tuple(0 if t._vbox is None else t._vbox[0] for t in _reads(program, flat_args))


class CompiledFunctionBackward(Node):
    """The node of a replayed call's output: its backward is the recorded
    nodes' formulas, generated as one function (codegen.generate_backward)."""

    saves_tensors = True

    def apply_raw(self, g, needed=None):
        v = self.saved
        if v is None:
            raise _errors.freed_graph()
        program = self._program
        if self._epoch != EPOCH[0]:          # something changed in place since the forward
            expected = self._versions or (0,) * len(program.read_sources)
            for t, e in zip(_reads(program, self._args), expected):
                if (0 if t._vbox is None else t._vbox[0]) != e:
                    raise modified_error(t, e)
        if g.__class__ is _backend.ndarray:
            return program.back(v, (g,))
        return program.backward_for(g)(v, (g,))

    def apply_formulas(self, g, create_graph, needed=None):
        if create_graph:
            if self.saved is None:      # (freed: not a reason to run the function again)
                raise _errors.freed_graph()
            program = self._program
            grads = [g if (s is not None and rg) else None
                     for s, rg in program.outs if s is not None]
            return _eager_backward(program, self._args, None, grads)
        return self.apply_raw(g, needed)


class CompiledFunction(_function.Function):
    """The one autograd node of a replayed call."""

    @staticmethod
    def forward(ctx, program, v, flat_args, *inputs):
        ctx.program, ctx.v, ctx.flat_args = program, v, flat_args
        outs = []
        for s, rg in program.outs:
            if s is None:
                continue
            t = _make(v[s])
            if not rg:
                ctx.mark_non_differentiable(t)
            outs.append(t)
        ctx.save_for_backward(*inputs)
        return tuple(outs)

    @staticmethod
    def backward(ctx, *grads):
        program = ctx.program
        inputs = ctx.saved_tensors       # (raises, as eagerly, if one was changed in place)
        if STATE.enabled:                      # create_graph: differentiate the eager function
            grads_in = _eager_backward(program, ctx.flat_args, inputs, grads)
        else:
            gs = [None if g is None else g._data for g, seed in zip(grads, program.seeds)
                  if seed is not None]
            first = next((g for g in gs if g is not None), None)
            res = program.backward_for(first)(ctx.v, gs) if first is not None else \
                [None] * len(program.boundary)
            grads_in = [None if r is None else _make(r) for r in res]
        return (None, None, None) + tuple(grads_in)


def _eager_backward(program, flat_args, inputs, grads):
    """The backward with create_graph: the function run again eagerly on the
    same tensors, its gradients taken by autograd (so they are functions of
    those tensors, differentiable in turn)."""
    owner, program.owner = program.owner, None
    if owner is not None:
        # A replay saves no graph to differentiate: every such backward runs the
        # function a second time.  Running it eagerly from now on costs the
        # forward once (measured: a compiled Hessian-vector product 78 us
        # replayed against 52 us eagerly).
        compiled, key = owner
        compiled.differentiated_twice(key)
    fresh = flat_args
    with enable_grad():
        args, kwargs = tree_unflatten(list(fresh), program.spec)
        flat_out, _ = tree_flatten(program.fn(*args, **kwargs))
        outs = [o for o in flat_out if isinstance(o, Tensor)]
        pairs = [(o, g) for o, g, (s, rg) in zip(outs, grads, [x for x in program.outs
                                                               if x[0] is not None])
                 if rg and g is not None and o._requires_grad]
        wrt = [fresh[k] if kind == "arg" else k for kind, k in program.boundary]
        got = _autograd.grad([o for o, _ in pairs], wrt, [g for _, g in pairs],
                            create_graph=True, allow_unused=True)
    return list(got)

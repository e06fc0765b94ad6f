"""How an operation is defined: a forward on raw arrays plus one backward
formula per input, in a table.

    defop("sin", np.sin, lambda F, g, x: g * F.cos(x))

reads: sin's forward is np.sin; the gradient for its input x is g * cos(x).
A formula's parameters name what it needs: the op's inputs (by the names in
`inputs=`), its output (`out`), or its parameters (`params=`).  The registry
reads those names once, so each recorded node saves exactly those values.

`F` is the namespace the formula computes with.  Plain backward passes
`ArrayOps`: the ops' raw forward functions on arrays, no graph, no wrappers.
backward with create_graph=True passes `TensorOps`: the same ops as
differentiable functions on Tensors, so the backward is recorded in turn and
higher derivatives come for free.  Formulas therefore only use F.<op> and
Python operators, which both namespaces provide.
"""
import inspect

import numpy as np

from .. import _errors, _inplace
from .._grad_mode import STATE
from .._inplace_state import (EPOCH as _EPOCH, FW_ACTIVE as _FW_ACTIVE,
                              INFERENCE_USED as _INFERENCE_USED)
from ..autograd.anomaly_mode import _state as _ANOMALY, capture_stack as _capture_stack
from ..autograd.graph import Node

__all__ = ["defop", "Op", "ArrayOps", "TensorOps", "record"]


class ArrayOps:
    """Raw-array versions of every registered op (filled by defop)."""


class TensorOps:
    """Differentiable versions of every registered op (filled by the op modules)."""


_ndarray = np.ndarray
_generic = np.generic
Tensor = None          # bound by chainrule._tensor at import
_make = None           # Tensor._make, likewise


def _camel(name):
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


class Op:
    """One differentiable operation: its forward and its Node class (which
    carries the backward formulas)."""

    def __init__(self, name, forward, node_cls, inputs, params):
        self.name = name
        self.forward = forward
        self.Node = node_cls
        self.inputs = inputs
        self.params = params
        self.save_plan = node_cls._save_plan
        # True when the node saves exactly its inputs, in order (record() then
        # stores the inputs tuple as is).
        self.saves_inputs = bool(inputs) and self.save_plan == tuple(range(len(inputs)))
        self._variants = {node_cls.__name__: node_cls}

    def variant(self, node_name):
        """The same formulas under another grad_fn name (PyTorch names e.g.
        `sum()` SumBackward0 but `sum(dim)` SumBackward1)."""
        cls = self._variants.get(node_name)
        if cls is None:
            cls = type(node_name, (self.Node,), {"__slots__": ()})
            self._variants[node_name] = cls
        return cls

    def __repr__(self):
        return f"<op {self.name}>"


def defop(name, forward, *formulas, inputs=("x",), params=(), node_name=None,
          combined=None):
    """Register op `name`.

    forward(*input_arrays, *params) -> array.
    formulas: one per input, `lambda F, g, <names>: grad`, or None where the
    input is not differentiable.  `combined` instead gives one function
    returning every input's gradient (for ops like cat, where the inputs share
    the work).
    """
    if combined is None and len(formulas) != len(inputs):
        raise TypeError(f"{name}: {len(inputs)} inputs but {len(formulas)} formulas")
    known = list(inputs) + ["out"]

    def names_of(fn):
        names = list(inspect.signature(fn).parameters)[2:]       # skip F, g
        for n in names:
            if n not in params and n not in known:
                raise TypeError(f"{name}: formula parameter {n!r} is not an input, "
                                f"'out' or a param")
        return names

    all_fns = [f for f in formulas if f is not None] + ([combined] if combined else [])
    # Saved tensors in input order, the output last: a node whose formulas need
    # exactly its inputs can then keep the inputs tuple itself.
    used = [n for n in known if any(n in names_of(f) for f in all_fns)]

    def slots_of(fn):
        return [("param", params.index(n)) if n in params else ("saved", used.index(n))
                for n in names_of(fn)]

    raw = [None if f is None else (f, slots_of(f)) for f in formulas]
    comb_slots = slots_of(combined) if combined is not None else None

    # Saved values come first in a node's value list, params after them.
    def resolve(slots):
        return tuple(i if kind == "saved" else len(used) + i for kind, i in slots)

    compiled = tuple(None if f is None else (f[0], resolve(f[1])) for f in raw)
    plan = tuple(-1 if n == "out" else inputs.index(n) for n in used)
    attrs = {
        "__slots__": (),
        "formulas": compiled,
        "saves_tensors": bool(used),
        "out_index": plan.index(-1) if -1 in plan else -1,
        "_save_plan": plan,
        # For each saved value, the inputs whose formulas use it: a value is
        # only kept when one of those inputs needs a gradient (as PyTorch, which
        # e.g. saves a for a * b only when b requires grad).
        "_save_users": tuple(tuple(i for i, f in enumerate(raw) if f is not None and
                                   any(k == "saved" and j == n for k, j in f[1]))
                             for n in range(len(used))) if combined is None else None,
    }
    if combined is None and len(inputs) == 2:
        # The same, tabulated for two-input ops by which inputs take part
        # (bit 0: the first, bit 1: the second).
        keep2 = [tuple(any((m >> u) & 1 for u in users) for users in attrs["_save_users"])
                 for m in range(4)]
        # ...as small functions building the saved tuple directly.
        attrs["_pick2"] = tuple(
            eval("lambda out, inp: (" + "".join(
                (("out" if i < 0 else f"inp[{i}]") if k else "None") + ", "
                for i, k in zip(plan, keep)) + ")")
            for keep in keep2)
    if combined is not None:
        slots = resolve(comb_slots)
        attrs["combined"] = staticmethod(
            lambda F, g, *vals, _f=combined, _s=slots: _f(F, g, *[vals[i] for i in _s]))
    if combined is None:
        attrs["apply_raw"] = _compile_raw_apply(name, compiled, len(used), len(params))
    cls = type(node_name or _camel(name) + "Backward0", (Node,), attrs)
    op = Op(name, forward, cls, tuple(inputs), tuple(params))
    cls._op = op
    setattr(ArrayOps, name, staticmethod(forward))
    return op


def _compile_raw_apply(name, formulas, n_saved, n_params):
    """Write out Node.apply_formulas for one op, plain-backward mode only.

    The generic method loops over inputs and builds argument lists on every
    call; this straight-line version of the same steps (unwrap the saved
    tensors, call each needed formula with its arguments, fit the result to
    the input's shape and dtype) costs a fraction of that, and backward runs
    it once per node.  Behaviour is identical to the generic path.
    """
    args = [f"v{i}" for i in range(n_saved)] + [f"p{i}" for i in range(n_params)]
    lines = ["def apply_raw(self, g, needed=None):"]
    if n_saved:
        lines.append("    saved = self.saved")
        lines.append("    if saved is None:")
        lines.append("        raise _freed()")
        lines.append("    if self._epoch != _EPOCH[0]:")
        lines.append("        _check_saved(self)")
        for i in range(n_saved):
            lines.append(f"    v{i} = saved[{i}]")
            lines.append(f"    if isinstance(v{i}, _Tensor): v{i} = v{i}._data")
    if n_params:
        lines.append(f"    {', '.join(f'p{i}' for i in range(n_params))}, = self.params")
    lines.append("    edges = self.edges")
    lines.append("    meta = self.meta")
    outs = []
    env = {"_A": ArrayOps, "_freed": _freed_error, "_EPOCH": _EPOCH,
           "_check_saved": _check_saved}
    for i, f in enumerate(formulas):
        outs.append(f"g{i}")
        if f is None:
            lines.append(f"    g{i} = None")
            continue
        fn, slots = f
        env[f"_f{i}"] = fn
        call = ", ".join(["_A", "g"] + [args[s] for s in slots])
        lines += [
            f"    e = edges[{i}]",
            "    if e is None or (needed is not None and e not in needed):",
            f"        g{i} = None",
            "    else:",
            f"        g{i} = _f{i}({call})",
            f"        m = meta[{i}]",
            f"        if g{i}.shape != m[0] or g{i}.dtype != m[1]:",
            f"            g{i} = _A.fit(g{i}, m[0], m[1])",
        ]
    lines.append(f"    return [{', '.join(outs)}]")
    env["_Tensor"] = Tensor
    _RAW_ENVS.append(env)
    src = "\n".join(lines)
    exec(compile(src, f"<backward of {name}>", "exec"), env)
    return env["apply_raw"]


_check_saved = _inplace.check_saved
_saved_versions = _inplace.saved_versions
_freed_error = _errors.freed_graph


_RAW_ENVS = []   # globals of the compiled functions, which need the Tensor class


def bind_tensor(cls):
    global Tensor, _make
    Tensor = cls
    _make = cls._make
    for env in _RAW_ENVS:
        env["_Tensor"] = cls


def record(op, out, inputs, params=(), node_cls=None):
    """Wrap the forward result `out` in a Tensor and, when grad mode is on and
    an input requires grad, attach a node: the hot path of every op."""
    if out.__class__ is not _ndarray and isinstance(out, _generic):
        out = np.asarray(out)          # NumPy returns scalars for 0-d results
    if _FW_ACTIVE[0]:
        return _record_dual(op, out, inputs, params, node_cls)
    if not STATE.enabled:
        t = _make(out)
        if STATE.inference:
            t._inference = True
        return t
    if len(inputs) == 1:               # unrolled for the commonest arities
        edges, meta = _edge1(inputs[0])
    elif len(inputs) == 2:
        edges, meta = _edge2(inputs[0], inputs[1])
    else:
        edges, meta = _edges(inputs)
    if edges is None:
        return _make(out)
    node = (node_cls or op.Node)()
    node.edges = edges
    node.meta = meta
    node.params = params
    node._epoch = _EPOCH[0]
    if _ANOMALY["enabled"]:
        node._anomaly_trace = _capture_stack()
    if op.saves_inputs and None not in edges:
        saved = node.saved = inputs
    else:
        plan = op.save_plan
        if not plan:
            node.saved = None
            return _make(out, True, node)
        if len(edges) == 2 and node._save_users is not None:   # tabulated (see defop)
            saved = node.saved = node._pick2[(edges[0] is not None) +
                                             2 * (edges[1] is not None)](out, inputs)
        else:
            saved = node.saved = _pick_saved(node, plan, out, inputs, edges)
    if _INFERENCE_USED[0]:
        _refuse_inference_tensors(saved)
    if _EPOCH[0]:                      # some tensor may have a version counter
        for v in saved:
            if v.__class__ is Tensor and v._vbox is not None:
                node._saved_versions = _saved_versions(saved)
                break
    return _make(out, True, node)


def _record_dual(op, out, inputs, params, node_cls):
    """record() while forward-mode AD is on: also push the inputs' tangents."""
    from ..autograd import forward_ad
    _FW_ACTIVE[0] = False
    try:
        t = record(op, out, inputs, params, node_cls)
    finally:
        _FW_ACTIVE[0] = True
    if not any(isinstance(x, Tensor) and x._fw_tangent is not None for x in inputs):
        return t
    # A node of the op just for deriving the tangent (the recorded one may not
    # have saved what the tangent needs).
    node = (node_cls or op.Node)()
    node.meta = [(x._data.shape, x._data.dtype) if isinstance(x, Tensor) else None
                 for x in inputs]
    node.edges = [None] * len(inputs)
    node.params = params
    node._epoch = _EPOCH[0]
    plan = op.save_plan
    node.saved = tuple([out if i < 0 else inputs[i] for i in plan]) if plan else None
    forward_ad.push_tangent(node, inputs, t)
    return t


_KEEP = {}   # (node class, which inputs take part) -> which saved values to keep


def _refuse_inference_tensors(saved):
    for v in saved:
        if v.__class__ is Tensor and v._inference:
            raise RuntimeError(
                "Inference tensors cannot be saved for backward. Please do not use Tensors "
                "created in inference mode in computation tracked by autograd. To work around "
                "this, you can make a clone to get a normal tensor and use it in autograd, or "
                "use `torch.no_grad()` instead of `torch.inference_mode()`.")


def _pick_saved(node, plan, out, inputs, edges):
    """The values the node's formulas will need: those used by the formula of
    some input that takes part in the graph (None for the others)."""
    users = node._save_users
    if users is None or None not in edges:
        return tuple([out if i < 0 else inputs[i] for i in plan])
    # (two-input ops use the tabulated node._pick2 instead, in record())
    key = (node.__class__, tuple([e is not None for e in edges]))
    keep = _KEEP.get(key)
    if keep is None:
        keep = _KEEP[key] = tuple(any(edges[u] is not None for u in users[j])
                                  for j in range(len(plan)))
    return tuple([(out if i < 0 else inputs[i]) if k else None for i, k in zip(plan, keep)])


def _edge1(t):
    """(edges, meta) for one input, or (None, None) when nothing requires grad."""
    fn = t._grad_fn
    if fn is None:
        if not t._requires_grad:
            return None, None
        fn = t                         # a leaf: the engine accumulates into it
    d = t._data
    return [fn], [(d.shape, d.dtype)]


def _edge2(a, b):
    if a.__class__ is Tensor or isinstance(a, Tensor):
        ea = a._grad_fn
        if ea is None and a._requires_grad:
            ea = a
        d = a._data
        ma = (d.shape, d.dtype)
    else:
        ea = ma = None
    cb = b.__class__
    if cb is not float and cb is not int and (cb is Tensor or isinstance(b, Tensor)):
        eb = b._grad_fn
        if eb is None and b._requires_grad:
            eb = b
        d = b._data
        mb = (d.shape, d.dtype)
    else:
        eb = mb = None
    if ea is None and eb is None:
        return None, None
    return [ea, eb], [ma, mb]


def _edges(inputs):
    edges = []
    meta = []
    tracked = False
    for t in inputs:
        if t.__class__ is Tensor or isinstance(t, Tensor):
            fn = t._grad_fn
            if fn is None and t._requires_grad:
                fn = t
            if fn is not None:
                tracked = True
            edges.append(fn)
            d = t._data
            meta.append((d.shape, d.dtype))
        else:
            edges.append(None)
            meta.append(None)
    return (edges, meta) if tracked else (None, None)

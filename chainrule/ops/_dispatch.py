"""The dispatch point: the one place every operation passes.

    apply(op, inputs, arrays, params, node_cls) -> Tensor

`inputs` are what the user gave (Tensors, Python numbers), `arrays` the raw
values the forward computes with (already checked and promoted by the op's
public function), `params` the op's non-tensor arguments.  `apply` runs the
op's forward on the arrays (under a quiet floating-point state: inf and nan
come silently, as in PyTorch) and wraps the result; when grad mode is on and
an input requires grad it attaches the op's node, saving what the formulas
need; while a forward-mode dual level is open it pushes tangents; anomaly
mode, inference tensors and version counters are handled here too; inside
vmap, an op with batched inputs goes to its batching rule (_batching.py).  It knows
no specific op: everything op-specific is in the `Op` (see _registry.py).

A tracer or compiler hooks here and sees all the work; nothing in the op
modules computes a Tensor's value behind its back.
"""
from .. import _dtypes, _fpstate, _func_levels
from .._grad_mode import STATE
from .._inplace_state import (CAPTURE as _CAPTURE, EPOCH as _EPOCH, FW_ACTIVE as _FW_ACTIVE,
                              INFERENCE_USED as _INFERENCE_USED, SAVED_HOOKS as _SAVED_HOOKS,
                              SPECIAL as _SPECIAL, VMAP_ACTIVE as _VMAP_ACTIVE)
from .._inplace_state import FUNC_LEVEL as _FUNC_LEVEL
from .._tensor import Tensor
from .._views import saved_versions as _saved_versions
from ..autograd import forward_ad as _forward_ad
from ..autograd._saved_hooks import pack as _pack_saved
from ..autograd.anomaly_mode import _state as _ANOMALY, capture_stack as _capture_stack
from . import _backend, _batching, _shell
from ._registry import complex_node

__all__ = ["apply", "apply_number", "apply_pair", "apply_one"]

_make = Tensor._make
_new = object.__new__
_quietly = _fpstate.quietly_fast     # Context.run: C-level
_as_array = _backend.as_array          # NumPy returns scalars for 0-d results
_ARRAY_TYPES = _backend.ARRAY_TYPES
_ndarray = _backend.ndarray
_NUMPY = _backend.NUMPY
_BACKEND_OF = _backend._BY_TYPE
_SHELL_ARRAY = _backend.ShellArray
_F32, _F64 = _dtypes.float32.np, _dtypes.float64.np


def apply(op, inputs, arrays, params=(), node_cls=None):
    """Compute `op` on `arrays` and record it for `inputs`: the hot path of
    every operation, hence written out in one function (each helper call
    here costs about 0.07 us an op, a twentieth of the whole bookkeeping)."""
    if _VMAP_ACTIVE[0]:                # inside vmap: batched inputs go to their rule
        t = _batching.dispatch(op, inputs, arrays, params, node_cls)
        if t is not None:
            return t
    if _SPECIAL[0]:                    # a dual level is open, or chainrule.compile captures
        return _special(op, inputs, arrays, params, node_cls)
    # --- the forward: op.forward is NumPy's, other array libraries' is looked up ---
    fwd = op.forward if arrays[0].__class__ is _ndarray else _forward_for(op, arrays)
    if op.quiet:
        try:
            # (the commonest arities spelled out: no argument tuple to build)
            if len(arrays) == 1:
                out = _quietly(fwd, arrays[0], *params) if params else _quietly(fwd, arrays[0])
            elif len(arrays) == 2 and not params:
                out = _quietly(fwd, arrays[0], arrays[1])
            else:
                out = _quietly(fwd, *arrays, *params)
        except RuntimeError as e:
            out = _fpstate.retry_quietly(e, fwd, *arrays, *params)
        except TypeError:
            _refuse_complex_forward(op, arrays)
            raise
    else:
        try:
            out = fwd(*arrays, *params) if params else fwd(*arrays)
        except TypeError:
            _refuse_complex_forward(op, arrays)
            raise
    if out.__class__ is not _ndarray and out.__class__ not in _ARRAY_TYPES:
        out = _as_array(out)
    # --- the graph: edges to the inputs that take part, unrolled for one and two ---
    # (tuples, not lists, and each (shape, dtype) pair shared through _META:
    # the cycle collector untracks a tuple of untracked values, one nesting
    # level per pass, so a node's `meta` leaves the collector at its first
    # pass and long graphs carry one tracked object fewer per op; see _META)
    if not op.differentiable or not STATE.enabled:
        t = _make(out)
        if STATE.inference:
            t._inference = True
        if inputs and (inputs[0].__class__ is not Tensor or inputs[-1].__class__ is not Tensor
                       or len(inputs) > 2):
            _keep_subclass(t, inputs)
        return t
    # (a complex input meets _shared_meta, never the cache, and raises
    # _ComplexInput there: the real-valued path pays nothing for complex
    # support, a try costing nothing until it catches)
    try:
        if len(inputs) == 1:
            a = inputs[0]
            edges = a._grad_fn
            if edges is None and a._requires_grad:
                edges = a                  # a leaf: the engine accumulates into it
            if edges is not None:
                d = a._data
                m = _META.get(d.shape)
                if m is None or m[1] is not d.dtype:
                    m = _shared_meta(d)
                edges, meta = (edges,), (m,)
            full = True                    # every input takes part
            plain = a.__class__ is Tensor  # (no subclass to keep: see the end)
        elif len(inputs) == 2:
            a, b = inputs
            ea = eb = ma = mb = None
            if a.__class__ is Tensor or isinstance(a, Tensor):
                ea = a._grad_fn
                if ea is None and a._requires_grad:
                    ea = a
                d = a._data
                ma = _META.get(d.shape)
                if ma is None or ma[1] is not d.dtype:
                    ma = _shared_meta(d)
            cb = b.__class__
            if cb is not float and cb is not int and (cb is Tensor or isinstance(b, Tensor)):
                eb = b._grad_fn
                if eb is None and b._requires_grad:
                    eb = b
                d = b._data
                mb = _META.get(d.shape)
                if mb is None or mb[1] is not d.dtype:
                    mb = _shared_meta(d)
            edges = None if ea is None and eb is None else (ea, eb)
            meta = (ma, mb)
            full = ea is not None and eb is not None
            plain = a.__class__ is Tensor and (cb is Tensor or cb is float or cb is int)
        else:
            edges, meta, full = _edges(inputs)
            plain = False
    except _ComplexInput:
        return _record_complex(op, inputs, out, params, node_cls)
    if edges is None:
        t = _make(out)
    else:
        # --- the node, saving what the formulas of the inputs taking part need ---
        node = _new(node_cls or op.Node)
        node.edges = edges
        node.meta = meta
        node.params = params
        node._epoch = _EPOCH[0]
        if _ANOMALY["enabled"]:
            node._anomaly_trace = _capture_stack()
        t = _new(Tensor)                   # Tensor._make, written out: one call less per op
        t._data = out
        t._requires_grad = True
        t._grad_fn = node
        t._grad = None
        # (never `None in edges`: that compares None with each leaf Tensor by
        # calling Tensor.__eq__)
        if op.saves_inputs and full:
            saved = node.saved = inputs
        elif not op.save_plan:
            saved = node.saved = node._nothing_saved      # (None, or () for HOLDS_TENSORS)
        elif full:
            saved = node.saved = op.pick_all(out, inputs)
        elif len(edges) == 2 and node._save_users is not None:   # tabulated (see defop)
            saved = node.saved = node._pick2[(edges[0] is not None) +
                                             2 * (edges[1] is not None)](out, inputs)
        else:
            saved = node.saved = _pick_saved(node, op.save_plan, out, inputs, edges)
        if saved and (_INFERENCE_USED[0] or _SAVED_HOOKS[0] or _EPOCH[0]):
            _guard_saved(node, saved, t)
    if not plain:
        _keep_subclass(t, inputs)
    return t


def apply_number(op, a, b, ad, bd, params, node_cls):
    """apply(op, (a, b), (ad, bd), params, node_cls) for a Tensor `a` of the
    Tensor class itself, on a NumPy float array, and a Python number b (bd
    its 0-d array): the commonest operator call, x * 2.0, with what the
    number rules out (its edge, its meta, a subclass to keep) not checked.
    Records exactly what apply() records (tests/test_dispatch.py compares
    the two).  Measured in bytecodes a step (sys.settrace): x * 2.0 356 ->
    241, the seed polynomial's step 4,254 -> 3,782; in instructions
    (benchmarks/icount.py): x * 2.0 21.6k -> 18.8k, the polynomial's step
    289k -> 275k, the 10-op chain's 419k -> 392k."""
    # (its callers send only float arrays: pointwise.binary quiet ops, which
    # it checks when it registers one, and the comparisons, which set no
    # error flags: no complex refusal, no loud forward here.  A 0-d float32
    # or float64 tensor computes on NumPy scalars with the op's Python
    # operator, the bits of the 0-d ufunc at a quarter of its cost, 0.1 us
    # against 0.4 (tests/test_dispatch.py compares the bits over special
    # values): the seed's `while b.norm() < 1000: b = b * 2`)
    if _VMAP_ACTIVE[0] or _SPECIAL[0]:
        return apply(op, (a, b), (ad, bd), params, node_cls)
    sa = ad.shape                          # (read once: the meta below is keyed by it)
    try:
        if sa or op.on_scalars is None or (ad.dtype is not _F32 and ad.dtype is not _F64):
            out = _quietly(op.forward, ad, bd, *params) if params else _quietly(op.forward, ad, bd)
        else:                              # 0-d: NumPy scalars (see above)
            out = _quietly(op.on_scalars, ad[()], bd[()])
    except RuntimeError as e:
        out = _fpstate.retry_quietly(e, op.forward, ad, bd, *params)
    if out.__class__ is not _ndarray:
        out = _as_array(out)
    if not op.differentiable or not STATE.enabled:
        t = _make(out)
        if STATE.inference:
            t._inference = True
        return t
    ea = a._grad_fn
    if ea is None:
        if not a._requires_grad:
            return _make(out)
        ea = a                             # a leaf: the engine accumulates into it
    m = _META.get(sa)
    if m is None or m[1] is not ad.dtype:
        m = _shared_meta(ad)
    node = _new(node_cls or op.Node)
    node.edges = edges = (ea, None)
    node.meta = (m, None)
    node.params = params
    node._epoch = _EPOCH[0]
    if _ANOMALY["enabled"]:
        node._anomaly_trace = _capture_stack()
    t = _new(Tensor)
    t._data = out
    t._requires_grad = True
    t._grad_fn = node
    t._grad = None
    inputs = (a, b)
    if not op.save_plan:
        saved = node.saved = node._nothing_saved
    elif node._save_users is not None:
        saved = node.saved = node._pick2[1](out, inputs)
    else:
        saved = node.saved = _pick_saved(node, op.save_plan, out, inputs, edges)
    if saved and (_INFERENCE_USED[0] or _SAVED_HOOKS[0] or _EPOCH[0]):
        _guard_saved(node, saved, t)
    return t


def apply_pair(op, a, b, ad, bd, params, node_cls):
    """apply(op, (a, b), (ad, bd), params, node_cls) for two Tensors of the
    Tensor class itself with NumPy arrays of one dtype: the commonest operator
    call between tensors, x * y, with what their class and dtype rule out
    (a subclass to keep, the forward of another array library, a second
    input's dtype) not checked, and no meta looked up for a graph not kept.
    Records exactly what apply() records, complex inputs included
    (tests/test_dispatch.py compares the two); its node-building lines are
    apply_number's, written out again rather than shared, since a helper
    call costs a twentieth of the op.
    Measured in instructions (benchmarks/icount.py, with apply_number's dead
    checks removed too): the polynomial's step 275k -> 268k, the 10-op
    chain's 392k -> 385k, the small MLP's step 929k -> 913k."""
    # (its callers, pointwise.binary and matmul's 2-D @ 2-D, send only quiet
    # ops and arrays of one dtype; other array libraries take the general
    # path; complex arrays are met as apply() meets them, by the handlers
    # below, which cost nothing until they catch)
    if _VMAP_ACTIVE[0] or _SPECIAL[0] or ad.__class__ is not _ndarray:
        return apply(op, (a, b), (ad, bd), params, node_cls)
    try:
        out = _quietly(op.forward, ad, bd, *params) if params else _quietly(op.forward, ad, bd)
    except RuntimeError as e:
        out = _fpstate.retry_quietly(e, op.forward, ad, bd, *params)
    except TypeError:
        _refuse_complex_forward(op, (ad, bd))
        raise
    if out.__class__ is not _ndarray:
        out = _as_array(out)
    if not op.differentiable or not STATE.enabled:
        t = _make(out)
        if STATE.inference:
            t._inference = True
        return t
    ea = a._grad_fn
    if ea is None and a._requires_grad:
        ea = a                             # a leaf: the engine accumulates into it
    eb = b._grad_fn
    if eb is None and b._requires_grad:
        eb = b
    if ea is None and eb is None:
        return _make(out)
    sa = ad.shape
    ma = _META.get(sa)
    if ma is None or ma[1] is not ad.dtype:
        try:
            ma = _shared_meta(ad)
        except _ComplexInput:              # (complex pairs are never cached: see _META)
            return _record_complex(op, (a, b), out, params, node_cls)
    sb = bd.shape
    if sb == sa:                           # (one dtype: the same pair)
        mb = ma
    else:
        mb = _META.get(sb)
        if mb is None or mb[1] is not bd.dtype:
            mb = _shared_meta(bd)
    node = _new(node_cls or op.Node)
    node.edges = edges = (ea, eb)
    node.meta = (ma, mb)
    node.params = params
    node._epoch = _EPOCH[0]
    if _ANOMALY["enabled"]:
        node._anomaly_trace = _capture_stack()
    t = _new(Tensor)
    t._data = out
    t._requires_grad = True
    t._grad_fn = node
    t._grad = None
    inputs = (a, b)
    full = ea is not None and eb is not None
    if op.saves_inputs and full:
        saved = node.saved = inputs
    elif not op.save_plan:
        saved = node.saved = node._nothing_saved
    elif full:
        saved = node.saved = op.pick_all(out, inputs)
    elif node._save_users is not None:
        saved = node.saved = node._pick2[(ea is not None) + 2 * (eb is not None)](out, inputs)
    else:
        saved = node.saved = _pick_saved(node, op.save_plan, out, inputs, edges)
    if saved and (_INFERENCE_USED[0] or _SAVED_HOOKS[0] or _EPOCH[0]):
        _guard_saved(node, saved, t)
    return t


def apply_one(op, a, ad, params=(), node_cls=None):
    """apply(op, (a,), (ad,), params, node_cls) for one Tensor of the Tensor
    class itself on a NumPy array and a quiet op: the unary ops' and the
    common reductions' call (tanh, exp, mean, norm), with what the class
    rules out (a subclass to keep, another array library's forward, the
    arity) not checked.  Records exactly what apply() records, complex
    inputs included (tests/test_dispatch.py compares the two); its lines are
    apply_pair's for one input, written out again rather than shared, since
    a helper call costs a twentieth of the op."""
    # (its callers send only quiet ops; complex arrays are met as apply()
    # meets them, by the handlers below, which cost nothing until they catch)
    if _VMAP_ACTIVE[0] or _SPECIAL[0] or ad.__class__ is not _ndarray:
        return apply(op, (a,), (ad,), params, node_cls)
    try:
        out = _quietly(op.forward, ad, *params) if params else _quietly(op.forward, ad)
    except RuntimeError as e:
        out = _fpstate.retry_quietly(e, op.forward, ad, *params)
    except TypeError:
        _refuse_complex_forward(op, (ad,))
        raise
    if out.__class__ is not _ndarray:
        out = _as_array(out)
    if not op.differentiable or not STATE.enabled:
        t = _make(out)
        if STATE.inference:
            t._inference = True
        return t
    e = a._grad_fn
    if e is None:
        if not a._requires_grad:
            return _make(out)
        e = a                              # a leaf: the engine accumulates into it
    m = _META.get(ad.shape)
    if m is None or m[1] is not ad.dtype:
        try:
            m = _shared_meta(ad)
        except _ComplexInput:              # (complex arrays are never cached: see _META)
            return _record_complex(op, (a,), out, params, node_cls)
    node = _new(node_cls or op.Node)
    node.edges = (e,)
    node.meta = (m,)
    node.params = params
    node._epoch = _EPOCH[0]
    if _ANOMALY["enabled"]:
        node._anomaly_trace = _capture_stack()
    t = _new(Tensor)
    t._data = out
    t._requires_grad = True
    t._grad_fn = node
    t._grad = None
    inputs = (a,)
    if op.saves_inputs:
        saved = node.saved = inputs
    elif not op.save_plan:
        saved = node.saved = node._nothing_saved
    else:
        saved = node.saved = op.pick_all(out, inputs)
    if saved and (_INFERENCE_USED[0] or _SAVED_HOOKS[0] or _EPOCH[0]):
        _guard_saved(node, saved, t)
    return t


def _guard_saved(node, saved, t):
    """What apply() does with a node's saved values when inference tensors,
    saved-tensor hooks or version counters exist anywhere (their flags were
    checked inline: unset, this call is not made)."""
    if _INFERENCE_USED[0]:
        _refuse_inference_tensors(saved)
    if _SAVED_HOOKS[0]:
        _pack_saved(node, saved, t)     # (the hooks own the values: no version check)
    elif _EPOCH[0]:                  # some tensor may have a version counter
        for v in saved:
            if isinstance(v, Tensor) and v._vbox is not None:
                node._saved_versions = _saved_versions(saved)
                break


# shape -> the (shape, dtype) pair last recorded with it, shared by the nodes'
# `meta`.  Every tracked object a recorded op leaves alive costs the cycle
# collector about 4 traversals over its life (a full collection runs each time
# the survivors grow by a quarter of the heap): ~1 us an op on a long graph.
# A fresh (shape, dtype) pair inside a fresh tuple takes the collector two
# passes to untrack, by which time it has reached the oldest generation; a
# shared pair, untracked once, lets the node's meta tuple go at its first
# pass.  (Keyed by the shape alone, the dtype compared by identity: hashing a
# NumPy dtype costs as much as the rest of the lookup.)
_META = {}
_META_MAX = 4096          # shapes kept before starting afresh


class _ComplexInput(Exception):
    """A complex input reached the graph part of apply(): _record_complex
    records the op instead (complex dtypes are never cached in _META)."""


def _shared_meta(d):
    if d.dtype.kind == "c":
        raise _ComplexInput
    if len(_META) >= _META_MAX:
        _META.clear()
    m = _META[d.shape] = (d.shape, d.dtype)
    return m


def _forward_for(op, arrays):
    """op's forward for the array library of `arrays` (the first that is an
    array; Python numbers may come first, as in `2 - x`)."""
    for a in arrays:
        c = a.__class__
        if c is _SHELL_ARRAY:
            return _shell.forward(op, arrays)
        be = _BACKEND_OF.get(c)
        if be is not None:
            return op.forward if be is _NUMPY else op.forward_for(be)
    return op.forward


def _keep_subclass(t, inputs):
    """PyTorch returns a Tensor subclass's own type from ops on it (unless the
    subclass opts out, as nn.Parameter does with `_keeps_type = False`),
    wherever it stands among the inputs (`t + s` and `t @ s` are the
    subclass's too).  apply() calls this unless it has seen that its inputs
    are plain: one plain Tensor, or a plain Tensor and a plain Tensor or a
    Python number (classes its graph part reads anyway; on its paths that
    record nothing, the first and last inputs' classes and their count)."""
    for x in inputs:
        c = x.__class__
        if c is not Tensor and isinstance(x, Tensor):
            if c._keeps_type:
                t.__class__ = c
            break


def _special(op, inputs, arrays, params, node_cls):
    """apply() while SPECIAL is set: chainrule.compile's capture records the
    op; otherwise the op pushes tangents, unless it is not differentiable or
    tangents are off for now (FW_ACTIVE cleared)."""
    capture = _CAPTURE[0]
    if capture is not None:
        return capture.record(op, inputs, arrays, params, node_cls)
    if _FW_ACTIVE[0] and op.differentiable:
        t = _with_tangent(op, inputs, arrays, params, node_cls)
    else:
        t = plainly(op, inputs, arrays, params, node_cls)
    if _FUNC_LEVEL[0]:                 # made inside a torch.func transform's level
        _func_levels.mark(t)
    return t


def plainly(op, inputs, arrays, params=(), node_cls=None):
    """apply() as if no special mode were on (SPECIAL cleared around it)."""
    _SPECIAL[0] = False
    try:
        return apply(op, inputs, arrays, params, node_cls)
    finally:
        _SPECIAL[0] = True


def _with_tangent(op, inputs, arrays, params, node_cls):
    """apply() while forward-mode AD is on: the op as usual, then the
    output's tangent from the inputs' tangents."""
    t = plainly(op, inputs, arrays, params, node_cls)
    if not any(isinstance(x, Tensor) and x._fw_tangent is not None for x in inputs):
        return t
    # A node of the op just for deriving the tangent (the recorded one may not
    # have saved what the tangent needs).
    out = t._data
    cls = node_cls or op.Node
    if out.dtype.kind == "c" or any(isinstance(x, Tensor) and x._data.dtype.kind == "c"
                                    for x in inputs):
        if op.complex is None:
            raise _complex_refused(op)
        if op.complex == "holomorphic":
            cls = complex_node(cls)
    node = cls()
    node.meta = [(x._data.shape, x._data.dtype) if isinstance(x, Tensor) else None
                 for x in inputs]
    node.edges = [None] * len(inputs)
    node.params = params
    node._epoch = _EPOCH[0]
    plan = op.save_plan
    # (the output as the recorded Tensor when it has a node: a tangent derived
    # with grad on is then a function of it, as of the inputs: reverse over forward)
    res = t if t._grad_fn is not None else out
    node.saved = tuple([res if i < 0 else inputs[i] for i in plan]) if plan else node._nothing_saved
    _forward_ad.push_tangent(node, inputs, t)
    recorded = t._grad_fn
    if recorded is not None and t._fw_tangent is not None and recorded.out_index >= 0:
        # The recorded node saved its output as a raw array; a backward with
        # create_graph under this level (forward over reverse) re-wraps it, and
        # needs its tangent (graph.Node._unpack_tensors).
        recorded._out_tangent = (_forward_ad._LEVEL["count"], t._fw_tangent)
    return t


def _refuse_inference_tensors(saved):
    for v in saved:
        if isinstance(v, Tensor) and v._inference:
            raise RuntimeError(
                "Inference tensors cannot be saved for backward. Please do not use Tensors "
                "created in inference mode in computation tracked by autograd. To work around "
                "this, you can make a clone to get a normal tensor and use it in autograd, or "
                "use `torch.no_grad()` instead of `torch.inference_mode()`.")


_KEEP = {}   # (node class, which inputs take part) -> which saved values to keep


def _pick_saved(node, plan, out, inputs, edges):
    """The values the node's formulas will need: those used by the formula of
    some input that takes part in the graph (None for the others)."""
    users = node._save_users
    if users is None:
        return tuple([out if i < 0 else inputs[i] for i in plan])
    # (two-input ops use the tabulated node._pick2 instead, in apply())
    key = (node.__class__, tuple([e is not None for e in edges]))
    keep = _KEEP.get(key)
    if keep is None:
        keep = _KEEP[key] = tuple(any(edges[u] is not None for u in users[j])
                                  for j in range(len(plan)))
    return tuple([(out if i < 0 else inputs[i]) if k else None for i, k in zip(plan, keep)])


def _record_complex(op, inputs, out, params, node_cls):
    """apply()'s graph part for an op with complex inputs: an op whose
    formulas are holomorphic records complex_node's variant of its node
    (conjugated saved values), one aware of complex values its own node;
    any other refuses, rather than give a wrong gradient."""
    edges, meta, full = _edges(inputs, _fresh_meta)
    if edges is None:
        t = _make(out)
    else:
        kind = op.complex
        if kind is None:
            raise _complex_refused(op) from None
        cls = node_cls or op.Node
        if kind == "holomorphic":
            cls = complex_node(cls)
        node = _new(cls)
        node.edges = edges
        node.meta = meta
        node.params = params
        node._epoch = _EPOCH[0]
        if _ANOMALY["enabled"]:
            node._anomaly_trace = _capture_stack()
        t = _make(out, True, node)
        saved = node.saved = _pick_saved(node, op.save_plan, out, inputs, edges) \
            if op.save_plan else node._nothing_saved
        if saved:
            if _INFERENCE_USED[0]:
                _refuse_inference_tensors(saved)
            if _SAVED_HOOKS[0]:
                _pack_saved(node, saved, t)
            elif _EPOCH[0]:
                for v in saved:
                    if isinstance(v, Tensor) and v._vbox is not None:
                        node._saved_versions = _saved_versions(saved)
                        break
    if STATE.inference:
        t._inference = True
    _keep_subclass(t, inputs)              # (a cold path: its loop is the check)
    return t


def _refuse_complex_forward(op, arrays):
    """A forward NumPy cannot run on complex arrays (floor, fmod...): PyTorch's
    kind of error rather than NumPy's TypeError."""
    for a in arrays:
        d = getattr(a, "dtype", None)
        if d is not None and d.kind == "c":
            if op.name in ("floor", "ceil", "trunc"):
                raise NotImplementedError(f"{op.name} is not supported for complex inputs") from None
            raise NotImplementedError(f"\"{op.name}\" not implemented for "
                                      f"'{_dtypes.FROM_NP[d].legacy}'") from None


def _complex_refused(op):
    return NotImplementedError(
        f"chainrule: the derivative of {op.name} is not implemented for complex inputs "
        "(the op runs on them without autograd)")


def _fresh_meta(d):
    return (d.shape, d.dtype)


def _edges(inputs, meta_of=None):
    edges = []
    meta = []
    tracked = False
    full = True
    for t in inputs:
        if t.__class__ is Tensor or isinstance(t, Tensor):
            fn = t._grad_fn
            if fn is None and t._requires_grad:
                fn = t
            if fn is not None:
                tracked = True
            else:
                full = False
            edges.append(fn)
            d = t._data
            if meta_of is not None:
                meta.append(meta_of(d))
                continue
            m = _META.get(d.shape)
            meta.append(m if m is not None and m[1] is d.dtype else _shared_meta(d))
        else:
            edges.append(None)
            meta.append(None)
            full = False
    return (tuple(edges), tuple(meta), full) if tracked else (None, None, False)


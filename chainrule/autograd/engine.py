"""The backward engine: walks the recorded graph from the outputs to the
leaves, applying the chain rule.  It knows nothing about specific operations:
a node computes its inputs' gradients itself (Node.apply_formulas).

The walk is iterative (no recursion, so million-node chains work) and uses
dependency counting, as PyTorch does: a node runs once every node that feeds
it a gradient has run, so its incoming gradients are summed first.
"""
import threading

from .. import _fpstate
from .._grad_mode import STATE
from .._inplace_state import CAPTURE as _CAPTURE, FW_ACTIVE as _FW_ACTIVE, SPECIAL as _SPECIAL
from .._tensor import Tensor
from . import _saved_hooks, anomaly_mode
from .graph import Node, FOREIGN_ARRAYS as _FOREIGN, foreign as _foreign, \
    is_writeable as _is_writeable, ndarray as _ndarray, as_array as _as_array

_make = Tensor._make

# The backward passes running (innermost last), each as (its roots' targets,
# the dependency counts of what it reaches, the nodes it needs or None).
TASKS = []

# An optional observer of the next backward pass (chainrule.viz.explain sets
# it): called as observer(node, incoming gradient, gradients out) for each node
# that runs, before its saved values are freed, and observer(leaf, gradient,
# None) for each leaf after accumulation.  The run that takes it clears it, so
# backward passes nested inside (reentrant ones) are not observed.  Unset, it
# costs one check per node.
OBSERVER = [None]


def will_reach(task, t):
    """Whether the backward `task` computes a gradient for tensor t."""
    roots, deps, needed = task
    tgt = _target(t)
    if needed is not None:
        return tgt in needed
    return tgt in deps or any(tgt is r for r in roots)


def _target(t):
    """Where a gradient for tensor t enters the graph: its node, or t itself
    for a leaf."""
    return t._grad_fn if t._grad_fn is not None else t


def _count_dependencies(roots):
    """For every node reachable from `roots`: how many edges point at it."""
    deps = {}
    if len(roots) == 1:
        # (one root, loss.backward(): nothing points at it, so no root set to ask)
        if not roots[0]._is_node:
            return deps
        stack = [roots[0]]
        get = deps.get
        while stack:
            for e in stack.pop().edges:
                if e is not None:
                    n = get(e)
                    if n is None:
                        deps[e] = 1
                        if e._is_node:
                            stack.append(e)
                    else:
                        deps[e] = n + 1
        return deps
    # (each root once: a root given twice must not count its edges twice)
    root_set = {r for r in roots if r._is_node}
    stack = list(root_set)
    while stack:
        for e in stack.pop().edges:
            if e is None:
                continue
            if e in deps:
                deps[e] += 1
            else:
                deps[e] = 1
                if e._is_node and e not in root_set:
                    stack.append(e)
    return deps


def _needed_nodes(roots, wanted):
    """Nodes from which some target in `wanted` can be reached: only those run
    when gradients are asked for specific inputs.  Iterative post-order."""
    needed = set(wanted)
    done = set()
    stack = [(r, False) for r in roots if r._is_node]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            if fn in wanted:
                needed.add(fn)
                continue
            for e in fn.edges:              # (a loop, not any(): no generator per node)
                if e is not None and e in needed:
                    needed.add(fn)
                    break
            continue
        if fn in done:
            continue
        done.add(fn)
        stack.append((fn, True))
        for e in fn.edges:
            if e is not None and e not in done and e._is_node:
                stack.append((e, False))
    return needed


# Reentrant backward (a custom Function whose backward calls backward) nests
# engine runs on the Python stack; past this many on one thread the next run
# starts on a fresh thread (the caller waits for it), as PyTorch's engine does,
# so thousands of levels need no deeper recursion limit.
_RUNS_PER_THREAD = 40
_DEPTH = threading.local()


# Backward passes started, counted (chainrule.compile refuses functions that run
# one it has not recorded).
RUNS = [0]


def run(roots, grads, retain_graph, create_graph, capture=None, accumulate=True):
    """Propagate `grads` from `roots` back through the graph (see _run)."""
    RUNS[0] += 1
    if _CAPTURE[0] is not None:       # inside chainrule.compile's first call
        return _captured(roots, grads, retain_graph, create_graph, capture, accumulate)
    if not TASKS:                  # not inside another backward: the common case
        return _run(roots, grads, retain_graph, create_graph, capture, accumulate)
    depth = getattr(_DEPTH, "n", 0)
    if depth >= _RUNS_PER_THREAD:
        return _on_fresh_thread(roots, grads, retain_graph, create_graph, capture, accumulate)
    _DEPTH.n = depth + 1
    try:
        return _run(roots, grads, retain_graph, create_graph, capture, accumulate)
    finally:
        _DEPTH.n = depth


def run_scalar(root, g, retain_graph):
    """run((root,), (g,), retain_graph, False) for the commonest call,
    loss.backward() on a one-element loss with a grad_fn: a graph of one node
    whose edges are leaves without hooks (chainrule.compile's
    CompiledFunctionBackward, `w.sum().backward()`) goes straight to
    _one_node, without run()'s and _run()'s frames and set-up; other graphs
    go to run() (measured in instructions, callgrind, 500 steps: the
    compiled polynomial's step 88.3k -> 83.4k, the compiled 10-op chain's
    93.7k -> 88.8k).  Only this entry looks for one-node graphs: a backward
    with a gradient argument or from autograd.backward() walks them in _run."""
    fn = root._grad_fn
    # (_only_leaves first: it is what turns down the graphs of more nodes, at their
    # first edge, before the other checks are paid for)
    if (_only_leaves(fn.edges) and _CAPTURE[0] is None and fn.apply_raw is not None and
            g.__class__ is _ndarray and not fn._has_hooks and not fn._post_hooks and
            fn._unpack is None and OBSERVER[0] is None and not anomaly_mode._state["enabled"]):
        RUNS[0] += 1
        return _one_node(fn, g, retain_graph)
    return run((root,), (g,), retain_graph, False)


def _captured(roots, grads, retain_graph, create_graph, capture, accumulate):
    """run() while chainrule.compile records: the capture plans the backward's
    replay from the graph as it stands, the backward runs eagerly with the
    capture paused, then the capture notes where the gradients went."""
    cap = _CAPTURE[0]
    planned = cap.before_backward(roots, grads, retain_graph, create_graph, capture, accumulate)
    _CAPTURE[0], special = None, _SPECIAL[0]
    _SPECIAL[0] = False
    RUNS[0] -= 1                      # (counted once: run() counts it again)
    try:
        result = run(roots, grads, retain_graph, create_graph, capture, accumulate)
    finally:
        _CAPTURE[0], _SPECIAL[0] = cap, special
    if planned is not None:
        cap.after_backward(planned)
    return result


def _on_fresh_thread(*args):
    """run(*args) on a new thread (its own stack) with this thread's grad mode;
    the result or the exception comes back here."""
    outcome = {}
    enabled, inference = STATE.enabled, STATE.inference

    def target():
        STATE.enabled, STATE.inference = enabled, inference
        try:
            outcome["value"] = run(*args)
        except BaseException as e:        # re-raised in the caller's thread
            outcome["error"] = e
    t = threading.Thread(target=target, name="chainrule-reentrant-backward")
    t.start()
    t.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _run(roots, grads, retain_graph, create_graph, capture=None, accumulate=True):
    """Propagate `grads` (raw arrays, or Tensors when create_graph) from the
    tensors `roots` back through the graph.

    capture: tensors whose gradients to return (autograd.grad, or backward's
    inputs=), in order; only the part of the graph leading to them runs.
    accumulate: whether leaves (of those reached) receive .grad.
    """
    needed = wanted = active = None
    if capture is None and len(roots) == 1:
        # The commonest call, loss.backward(): one root, every leaf.  (Nothing
        # feeds a root's gradient: a graph has no cycles.)
        # (a graph of one node: see run_scalar, which loss.backward() calls)
        t = roots[0]
        tgt = t._grad_fn if t._grad_fn is not None else t
        targets = (tgt,)
        deps = _count_dependencies(targets)
        partial = {}
        ready = [(tgt, grads[0])]
    else:
        targets = [_target(t) for t in roots]
        if capture is None:
            deps = _count_dependencies(targets)
        else:
            wanted = {_target(t) for t in capture}
            needed = _needed_nodes(targets, wanted)
            deps = {}
            active = set()               # needed nodes that pass gradient on to needed ones
            for fn in needed:
                if fn._is_node:
                    for e in fn.edges:
                        if e is not None and e in needed:
                            deps[e] = deps.get(e, 0) + 1
                            active.add(fn)
        # A node runs once all its consumers have run (deps reaches 0); the
        # gradients that reach it earlier wait, summed, in `partial`.  The stack
        # holds (node, gradient) pairs ready to run.
        partial = {}
        for tgt, g in zip(targets, grads):
            prev = partial.get(tgt)
            partial[tgt] = g if prev is None else prev + g
        ready = []
        for tgt in targets:
            # (popping from partial also keeps a root given twice from starting twice)
            if deps.get(tgt, 0) == 0 and tgt in partial and (needed is None or tgt in needed):
                ready.append((tgt, partial.pop(tgt)))
    captured = {}
    observe = OBSERVER[0]
    OBSERVER[0] = None
    # What this backward reaches, for hooks that ask (register_multi_grad_hook).
    TASKS.append((targets, deps, needed))
    # (the generated apply_raw is NumPy's: other array libraries take the generic path)
    fast = not create_graph and not (_FOREIGN and _foreign(grads))
    anomaly = anomaly_mode._state["enabled"]
    prev_mode = STATE.enabled
    STATE.enabled = bool(create_graph)
    # inf and nan silently, as PyTorch: formulas on arrays run under the quiet
    # error state; with create_graph every step is an op, quiet at the dispatch point.
    quiet = None if create_graph else _fpstate.quiet()
    try:
        while ready:
            fn, g = ready.pop()
            if not fn._is_node:                              # a leaf tensor
                if g is not None and (fn._backward_hooks or fn._acc_node is not None):
                    g = _run_leaf_hooks(fn, g, create_graph)
                if wanted is not None:
                    captured[fn] = g
                if g is not None and accumulate:
                    _accumulate(fn, g, create_graph)
                if observe is not None:
                    observe(fn, g, None)
                continue
            if fn._has_hooks and g is not None:
                g = _run_pre_hooks(fn, g, create_graph)
            if wanted is not None and fn in wanted:
                captured[fn] = g
            edges = fn.edges
            if g is None or (needed is not None and fn not in active):
                grads_in = (None,) * len(edges)
            else:
                packed = None
                if fn._unpack is not None and fn.saved is not None:
                    packed, fn.saved = fn.saved, _saved_hooks.unpacked(fn)   # (hooks' values)
                if anomaly:
                    grads_in = _apply_watched(fn, g, create_graph, needed)
                elif fast:
                    grads_in = fn.apply_raw(g, needed) if fn.apply_raw is not None \
                        else fn.apply_formulas(g, False, needed)
                elif create_graph and _constant_node(fn, g, wanted):
                    grads_in = _on_arrays(fn, g, needed)
                else:
                    grads_in = fn.apply_formulas(g, create_graph, needed)
                if fn._post_hooks:
                    grads_in = _run_node_hooks(fn, grads_in, g)
                if observe is not None:
                    observe(fn, g, grads_in)
                if not retain_graph:
                    fn.saved = None                  # free what backward no longer needs
                elif packed is not None:
                    fn.saved = packed                # unpacked again by the next backward
            for e, gi in zip(edges, grads_in):
                if e is None or (needed is not None and e not in needed):
                    continue
                n = deps[e] - 1
                if n == 0:                           # e's last consumer: e can run
                    if e in partial:
                        prev = partial.pop(e)
                        gi = prev if gi is None else (gi if prev is None else prev + gi)
                    ready.append((e, gi))
                else:
                    deps[e] = n
                    if gi is not None:
                        prev = partial.get(e)
                        partial[e] = gi if prev is None else prev + gi
    finally:
        TASKS.pop()
        if quiet is not None:
            _fpstate.restore(quiet)
        STATE.enabled = prev_mode
    if capture is None:
        return None
    return [captured.get(_target(t)) for t in capture]


# --- one node straight to leaves ------------------------------------------------------------
def _only_leaves(edges):
    """Whether every edge is None or a leaf without hooks, no leaf twice (then
    the walk is one node's formulas and an accumulation into each leaf)."""
    n = 0
    for e in edges:
        if e is not None:
            if e._is_node or e._backward_hooks or e._acc_node is not None or e._post_acc_hooks:
                return False
            n += 1
    # (a leaf twice has its gradients summed before they are accumulated)
    return n < 2 or len({id(e) for e in edges if e is not None}) == n


def _one_node(fn, g, retain_graph):
    """_run for a graph of one node whose edges are leaves without hooks
    (chainrule.compile's CompiledFunctionBackward, `w.sum().backward()`):
    what the walk does there, without its dependency counts and stack
    (measured, best of 15: w.sum().backward() 8.5 -> 7.4 us; graphs of more
    nodes pay one check, which stops at the first edge that is a node).  No
    user code runs on the way, so no hook can ask TASKS what this pass reaches."""
    prev_mode = STATE.enabled
    STATE.enabled = False
    quiet = _fpstate.quiet()
    try:
        grads_in = fn.apply_raw(g, None)
        if not retain_graph:
            fn.saved = None
        edges = fn.edges
        # (leaves accumulate in the order the walk pops them: the last edge first)
        for i in range(len(edges) - 1, -1, -1):
            e = edges[i]
            if e is not None:
                gi = grads_in[i]
                if gi is not None:
                    if e._grad is None and gi.__class__ is _ndarray:
                        # (_accumulate's first case written out: _only_leaves saw no
                        # hooks; a copy, since gi may be shared)
                        e._grad = _make(gi.astype(e._data.dtype, copy=True))
                    else:
                        _accumulate(e, gi, False)
    finally:
        _fpstate.restore(quiet)
        STATE.enabled = prev_mode


# --- create_graph: nodes whose formulas would record nothing --------------------------------
def _constant_node(fn, g, wanted):
    """In a backward with create_graph, whether node fn's formulas may run on
    the raw arrays: neither the gradient g nor anything fn saved requires grad
    (the Tensor ops would then record no node, e.g. a sum's gradient spreading
    a constant seed), the results go only to other nodes that have no hooks and
    are not asked for (no user sees them), and no forward-mode level is open.
    Only registry ops' nodes with generated NumPy formulas (apply_raw)
    qualify: others (chainrule.compile's) may save arrays whose tensors
    require grad."""
    if (fn.apply_raw is None or fn._op is None or fn._post_hooks or _FW_ACTIVE[0] or
            g.__class__ is not Tensor or g._requires_grad or g._data.__class__ is not _ndarray or g._fw_tangent is not None):
        return False
    saved = fn.saved
    if saved:
        if fn.out_index >= 0 and saved[fn.out_index] is not None:
            return False                    # (the output comes back with fn as its grad_fn)
        for v in saved:
            if isinstance(v, Tensor) and (v._requires_grad or v._fw_tangent is not None):
                return False
    for e in fn.edges:
        if e is not None and (not e._is_node or e._has_hooks or
                              (wanted is not None and e in wanted)):
            return False
    return True


def _on_arrays(fn, g, needed):
    """fn's gradients computed as in a plain backward (quietly, on arrays),
    as Tensors that require no grad: what the Tensor ops would have given."""
    try:
        grads = _fpstate.quietly_fast(fn.apply_raw, g._data, needed)
    except RuntimeError as e:
        grads = _fpstate.retry_quietly(e, fn.apply_raw, g._data, needed)
    return [None if x is None else Tensor._make(x if x.__class__ is _ndarray else _as_array(x))
            for x in grads]


def _apply_watched(fn, g, create_graph, needed):
    """A node's backward under anomaly mode: on failure or NaN, show where the
    node was created in the forward pass."""
    try:
        grads = fn.apply_formulas(g, create_graph, needed)
    except Exception:
        anomaly_mode.report(fn)
        raise
    if anomaly_mode._state["check_nan"]:
        anomaly_mode.check_nan(fn, grads)
    return grads


# --- leaves -----------------------------------------------------------------------------
def grad_array(a):
    """a as .grad holds it: an array (NumPy gives a 0-d result as a scalar,
    which .grad.add_(1) and .grad.numpy() cannot use)."""
    return a if a.__class__ is _ndarray or a.__class__ in _FOREIGN else _as_array(a)


def _accumulate(leaf, g, create_graph):
    """Add g into leaf.grad, as AccumulateGrad does."""
    old = leaf._grad
    if create_graph:
        if not isinstance(g, Tensor):
            g = Tensor._make(g)
        # (the engine knows no op: the copy is the formulas' F.copy_for_grad)
        leaf._grad = Node.tensor_ops.copy_for_grad(g) if old is None else old + g
        if not leaf._grad._requires_grad:
            leaf._grad._constant_grad = True     # for the hint if it is differentiated
    else:
        if isinstance(g, Tensor):
            g = g._data
        if old is None:
            # Copy: g may be shared (a user's gradient argument, another edge's buffer).
            leaf._grad = Tensor._make(grad_array(g.astype(leaf._data.dtype, copy=True)))
        elif old._grad_fn is not None or old._requires_grad:
            leaf._grad = Tensor._make(grad_array(old._data + g))
        else:
            old._data += g
    post = leaf._post_acc_hooks
    if post:
        for h in list(post.values()):
            h(leaf)
    acc = leaf._acc_node
    if acc is not None and acc._post_hooks:
        for h in list(acc._post_hooks.values()):
            h((), (_wrap(g),))


def _run_leaf_hooks(leaf, g, create_graph):
    """The leaf's tensor hooks, then its AccumulateGrad node's pre-hooks."""
    g = _writable(g)
    hooks = leaf._backward_hooks
    if hooks:
        g = _call_tensor_hooks(hooks, g, create_graph)
    acc = leaf._acc_node
    if acc is not None and acc._pre_hooks:
        for h in list(acc._pre_hooks.values()):
            r = h((_wrap(g),))
            if r is not None:
                g = _unwrap(r[0], create_graph)
    return g


# --- hooks -------------------------------------------------------------------------------
# Hooks on non-leaf tensors (and retain_grad) are kept per node, since a node
# produces exactly one tensor: the gradient arriving at the node is that
# tensor's gradient.
def _run_pre_hooks(fn, g, create_graph):
    """Hooks registered on the tensor this node produced (register_hook,
    retain_grad), then the node's own pre-hooks."""
    g = _writable(g)
    hooks = fn._tensor_hooks
    if hooks:
        g = _call_tensor_hooks(hooks, g, create_graph)
    ref = fn._retained
    if ref is not None:
        t = ref()
        if t is not None:
            new = _wrap(g) if create_graph else Tensor._make(_unwrap(g, False).copy())
            if t._grad is None:
                t._grad = new
            else:
                t._grad = t._grad + new if create_graph else Tensor._make(t._grad._data + new._data)
    pre = fn._pre_hooks
    if pre:
        for h in list(pre.values()):
            r = h((_wrap(g),))
            if r is not None:
                g = _unwrap(r[0], create_graph)
    return g


def _call_tensor_hooks(hooks, g, create_graph):
    for h in list(hooks.values()):
        w = _wrap(g)
        r = h(w)
        if r is not None:
            _check_hook_result(h, w, r)
            g = _unwrap(r, create_graph)
    return g


def _check_hook_result(hook, before, after):
    name = getattr(hook, "__name__", type(hook).__name__)
    if not isinstance(after, Tensor):
        raise TypeError(f"expected Variable or None (got {type(after).__name__})")
    if after._data.shape != before._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if after._data.dtype != before._data.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"{before.type()} got {after.type()})")


def _run_node_hooks(fn, grads_in, g):
    for h in list(fn._post_hooks.values()):
        r = h(tuple(_wrap(x) if x is not None else None for x in grads_in), (_wrap(g),))
        if r is not None:
            grads_in = [None if x is None else _unwrap(x, isinstance(g, Tensor)) for x in r]
    return grads_in


def _writable(g):
    """g, or a copy of it where it is the shared read-only seed of a scalar
    output (autograd._one): hooks may change the gradient in place."""
    if g.__class__ is not Tensor and not _is_writeable(g):
        return g.copy()
    return g


def _wrap(g):
    return g if isinstance(g, Tensor) else Tensor._make(g)


def _unwrap(g, create_graph):
    if create_graph:
        return g
    return g._data if isinstance(g, Tensor) else g

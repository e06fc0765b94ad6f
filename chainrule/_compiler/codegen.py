"""The replay of a captured forward as generated Python: one line per array
call into local variables, the guards as `if ...: return MISS`, the values
later needed returned as one tuple.  Names in the generated code: v<slot>
for values, F<k> for forwards, C<slot> constants (CS<slot>: a 0-d one as a
NumPy scalar, beside the operators that 0-d arithmetic and comparisons are
written as), Q<k>_<j> parameters,
G<k>/E<k> a guard's conversion and expected value, L<j> outside tensors,
T<n> tensors an effect reaches, P<k>/E<k> checks of Python state on entry,
H<k> host computations, B<k> a backward inside, BR<k> its gradients.

Effects (a training step, see capture.py): ("store", dst, src, ref) writes
into the array of slot dst and bumps ref's version; ("setgrad", ref, slot);
("host", fn, group, ins, outs); ("scalar", src, dtype, out) converts a host
value as the op's public function did; ("raw", fn, slots, params) an update
on arrays outside the dispatch point (batch norm's running statistics); ("backward", plan, seeds, accs): the
generated formulas, then the engine's accumulation into each leaf's .grad."""
from .._fpstate import quiet, restore
from .._tensor import Tensor, _bool, _item
from .._inplace_state import EPOCH
from .._views import bump
from ..autograd import engine
from ..ops import _backend
from ..ops._registry import ArrayOps, array_ops_for
from ..ops.reduce import NORM as _NORM
from .capture import Instr, _leaf_hooks
from .inline import inline_backward

__all__ = ["generate", "MISS"]

MISS = object()              # a replay whose guards failed
_UFUNC = _backend.NUMPY.xp.ufunc


def generate(p):
    env = {"MISS": MISS, "_nd": _backend.ndarray, "_AT": _backend.ARRAY_TYPES,
           "_as_array": _backend.as_array, "_quiet": quiet, "_restore": restore,
           "_bump": bump, "_EPOCH": EPOCH, "_acc": engine._accumulate, "_ga": engine.grad_array, "_make": Tensor._make, "_item": _item,
           "_nsc": _backend.numpy_scalar, "_lh": _leaf_hooks}
    named = {}

    def ref(r):                  # how the replay reaches a tensor an effect concerns
        if r[0] == "arg":
            return f"flat[{r[1]}]"
        if r[0] == "grad":
            return ref(r[1]) + "._grad"
        name = named.get(id(r[1]))
        if name is None:
            name = named[id(r[1])] = f"T{len(named)}"
            env[name] = r[1]
        return name
    lines = ["def replay(flat):"]
    for i, s in p.arg_slots:
        lines.append(f"    v{s} = flat[{i}]._data")
    for j, (s, t, shape, dtype, rg) in enumerate(p.live):
        env[f"L{j}"], env[f"S{j}"], env[f"D{j}"], env[f"R{j}"] = t, shape, dtype, rg
        lines.append(f"    v{s} = L{j}._data")
        # (a NumPy dtype is one object per built-in type: `is` first, == only when not)
        lines.append(f"    if v{s}.shape != S{j} or (v{s}.dtype is not D{j} and v{s}.dtype != D{j}) "
                     f"or L{j}._requires_grad is not R{j}:")
        lines.append("        return MISS")
    # Python state the step depends on, checked before anything changes
    for k, g in enumerate(p.pre):
        if g[0] == "fn":
            env[f"P{k}"], env[f"E_{k}"] = g[1], g[2]
            lines.append(f"    if P{k}() != E_{k}:")
        elif g[0] == "grad":
            lines.append(f"    if ({ref(g[1])}._grad is None) is not {g[2]}:")
        else:
            # (capture._leaf_hooks written out: a hook registered since the capture)
            t = ref(g[1])
            lines.append(f"    if {t}._backward_hooks or {t}._post_acc_hooks or ({t}._acc_node is not "
                         f"None and _lh({t})):")
        lines.append("        return MISS")
    for j, (s, r, shape, dtype) in enumerate(p.live_grads):
        env[f"GS{j}"], env[f"GD{j}"] = shape, dtype
        lines.append(f"    v{s} = {ref(r)}._grad._data")
        lines.append(f"    if v{s}.shape != GS{j} or v{s}.dtype != GD{j}:")
        lines.append("        return MISS")
    for s, value in p.consts.items():
        env[f"C{s}"] = value
        lines.append(f"    v{s} = C{s}")
    entry = lines[1:]                  # (the checks on entry, for entry_ok below)
    lines.append("    token = _quiet()")
    lines.append("    try:")
    dead, fused = _last_uses(p)
    operators, scalars = _scalar_steps(p)
    for k, st in enumerate(p.steps):
        if k in fused:                  # an op written straight into the changed array
            env[f"F{k}"] = st.fwd
            dst = p.steps[k + 1][1]
            lines.append(f"        F{k}({''.join(f'v{i}, ' for i in st.ins)}out=v{dst})")
        elif st.__class__ is Instr and k in operators:
            # (0-d: the operator, on NumPy scalars where it can, as scalars are fastest;
            # the same IEEE operation as the ufunc's)
            if len(st.ins) == 1:        # (the 2-norm of one float: its absolute value)
                lines.append(f"        v{st.out} = {operators[k]}(v{st.ins[0]})")
            else:
                a, b = (_scalar_operand(p, i, env) for i in st.ins)
                lines.append(f"        v{st.out} = {a} {operators[k]} {b}")
            if st.out not in scalars:
                lines.append(f"        if v{st.out}.__class__ is not _nd: v{st.out} = "
                             f"_as_array(v{st.out})")
        elif st.__class__ is Instr:
            env[f"F{k}"] = st.fwd
            args = [f"v{i}" for i in st.ins] + _params(st.params, st.dyn, env, f"Q{k}_", "v{}")
            lines.append(f"        v{st.out} = F{k}({', '.join(args)})")
            if st.zero_d and st.out not in scalars:
                # (NumPy returns scalars for 0-d results: arrays again, as at the dispatch point)
                lines.append(f"        if v{st.out}.__class__ is not _nd and v{st.out}.__class__ "
                             f"not in _AT: v{st.out} = _as_array(v{st.out})")
        elif st[0] == "guard":
            if st[2] is _bool:
                # (bool() of a one-element array or NumPy scalar is bool() of its item)
                lines.append(f"        if {'not ' if st[3] else ''}v{st[1]}:")
            else:
                env[f"G{k}"], env[f"E{k}"] = st[2], st[3]
                lines.append(f"        if G{k}(v{st[1]}) != E{k}:")
            lines.append("            return MISS")
        elif st[0] == "cast":
            env[f"D_{k}"] = st[2]
            lines.append(f"        v{st[3]} = v{st[1]}.astype(D_{k})")
        elif k - 1 in fused:
            if st[3] is not None:
                lines += _bump_lines(ref(st[3]))
        else:
            lines += _effect(p, k, st, env, ref)
        gone = [s for s in dead.get(k, ()) if s not in scalars]
        if gone:
            # (values no later step needs go now, as eagerly: large arrays are reused;
            # NumPy scalars hold nothing worth freeing early)
            lines.append(f"        del {', '.join(f'v{s}' for s in gone)}")
    lines.append("    finally:")
    lines.append("        _restore(token)")
    lines.append(f"    return ({''.join(f'v{s}, ' for s in p.kept)})")
    source = "\n".join(lines) + "\n"
    code = compile(source, f"<chainrule.compile replay of {p.fn_name}>", "exec")
    exec(code, env)                 # noqa: S102 - our own generated source, from the capture
    replay = env["replay"]
    replay.source = source
    # The checks on entry alone: whether a replay would pass them (nothing changed).
    source = "def entry_ok(flat):\n" + "\n".join(
        line.replace("return MISS", "return False") for line in entry) + "\n    return True\n"
    exec(compile(source, f"<chainrule.compile entry checks of {p.fn_name}>", "exec"), env)
    replay.entry_ok = env["entry_ok"]
    return replay


def generate_backward(p, F):
    """The recorded backward as straight-line code: for each recorded node,
    consumers first, its formulas called directly on the kept arrays; the
    gradients meeting at a node or an input summed as they arrive.  F is the
    raw-array formula namespace of the arrays' library.  backward(v, gs) ->
    the gradient of each boundary tensor (None where none arrives), gs the
    gradients of the outputs that require grad, in order (None: none came)."""
    env = {"A": F}
    lines = ["def backward(v, gs):"]
    n = len(p.backward)
    for k in range(n):
        lines.append(f"    a{k} = None")
    for j in range(len(p.boundary)):
        lines.append(f"    r{j} = None")
    for i, seed in enumerate(s for s in p.seeds if s is not None):
        acc = _acc(seed)
        lines += [f"    g = gs[{i}]",
                  "    if g is not None:",
                  f"        {acc} = g if {acc} is None else {acc} + g"]

    def val(x, name):            # a saved value or a param, as an expression
        if x is None:
            return "None"
        if x.__class__ is tuple:     # ("const", value)
            env[name] = x[1]
            return name
        return f"v[{x}]"
    for k, b in enumerate(p.backward):
        vals = [val(x, f"K{k}_{i}") for i, x in enumerate(b.saved or ())]
        vals += _params(b.params, b.dyn, env, f"P{k}_", "v[{}]")
        lines.append(f"    if a{k} is not None:")
        combined = b.cls.combined
        if combined is not None:
            env[f"C{k}"] = combined
            lines.append(f"        cg = C{k}(A, a{k}, {', '.join(vals)})")
        for i, tgt in enumerate(b.targets):
            if tgt is None:
                continue
            if combined is not None:
                expr = f"cg[{i}]"
            else:
                f = b.cls.formulas[i]
                if f is None:
                    continue
                fn, slots = f
                env[f"f{k}_{i}"] = fn
                expr = f"f{k}_{i}(A, a{k}{''.join(', ' + vals[s] for s in slots)})"
            shape, dtype = b.meta[i]
            env[f"S{k}_{i}"], env[f"D{k}_{i}"] = shape, dtype
            acc = _acc(tgt)
            lines += [f"        t = {expr}",
                      f"        if t.shape != S{k}_{i} or t.dtype != D{k}_{i}: "
                      f"t = A.fit(t, S{k}_{i}, D{k}_{i})",
                      f"        {acc} = t if {acc} is None else {acc} + t"]
        lines.append(f"        a{k} = None")
    lines.append(f"    return [{', '.join(f'r{j}' for j in range(len(p.boundary)))}]")
    source = "\n".join(lines) + "\n"
    code = compile(source, f"<chainrule.compile backward of {p.fn_name}>", "exec")
    exec(code, env)                 # noqa: S102 - our own generated source, from the capture
    backward = env["backward"]
    backward.source = source
    return backward


def _uses(st):
    """The slots step st reads."""
    if st.__class__ is Instr:
        return list(st.ins) + [s for _, s in st.dyn]
    kind = st[0]
    if kind in ("guard", "cast", "scalar"):
        return [st[1]]
    if kind == "store":
        return [st[1], st[2]]
    if kind == "setgrad":
        return [] if st[2] is None else [st[2]]
    if kind == "host":
        return list(st[3])
    if kind == "raw":
        return [x for x in st[2] if x is not None]
    plan, seeds = st[1], st[2]                 # a backward inside
    return [x for b in plan for x in (b.saved or ()) if x is not None and
            x.__class__ is not tuple] + [s for b in plan for _, s in b.dyn] + \
        [s for _, s in seeds]


_OPERATORS = {ufunc: symbol for ufunc, (symbol, _) in _backend.SCALAR_OPERATORS.items()}


_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


def _scalar_steps(p):
    """({step index: operator} for NumPy's arithmetic and comparison ufuncs on
    0-d values, written as the operator; the slots of the 0-d results that may
    stay NumPy scalars, which every step reading them is such an operator or
    a guard, and which the program does not keep (outputs, the backward's
    values): a loop's `while x.norm() < c` then costs scalar arithmetic)."""
    operators = {}
    floats = set()              # slots of float results (of Instr steps)
    for k, st in enumerate(p.steps):
        if st.__class__ is not Instr:
            continue
        if st.kind == "f":
            floats.add(st.out)
        if st.zero_d and not st.params and len(st.ins) == 2:
            symbol = _OPERATORS.get(st.fwd) if isinstance(st.fwd, _UFUNC) else None
            # (arithmetic on floats only: NumPy's integer scalars check overflow, its
            # arrays wrap; a comparison gives a bool)
            if symbol is not None and (st.kind == "f" or symbol in _COMPARISONS):
                operators[k] = symbol
        elif st.op is _NORM and st.fwd is _NORM.forward and not st.dyn and \
                st.params[1:] == (None, False, ()) and st.params[0] == 2 and st.ins[0] in floats:
            # (`while b.norm() < c` on a 0-d float of NumPy's (its own forward, not
            # another library's): _norm's own branch, xp.abs)
            operators[k] = "abs"
    ok = {st.out for st in p.steps if st.__class__ is Instr and st.zero_d}
    for k, st in enumerate(p.steps):
        if k in operators or (st.__class__ is tuple and st[0] == "guard"):
            continue
        ok.difference_update(_uses(st))
    ok.difference_update(p.kept)
    return operators, ok


def _scalar_operand(p, s, env):
    """Slot s as an operator's operand: a 0-d constant as a NumPy scalar."""
    c = p.consts.get(s)
    if c is not None and c.__class__ is _backend.ndarray and c.ndim == 0:
        env[f"CS{s}"] = c[()]
        return f"CS{s}"
    return f"v{s}"


def _last_uses(p):
    """({step index: the temporaries (op results, casts) it is the last to read,
    or makes unread}, the outputs and the backward's values excepted; the
    steps k whose op writes straight into the array the store k + 1 changes:
    a NumPy ufunc whose result, of the array's dtype and shape, nothing else
    reads (the same values as eagerly, without the copy)}."""
    made, last = {}, {}
    for k, st in enumerate(p.steps):
        for s in _uses(st):
            last[s] = k
        if st.__class__ is Instr:
            made[st.out] = k
        elif st[0] in ("cast", "scalar"):
            made[st[3]] = k
    kept = set(p.kept)
    fused = set()
    steps = p.steps
    for k in range(len(steps) - 1):
        st, nx = steps[k], steps[k + 1]
        if (st.__class__ is Instr and nx.__class__ is tuple and nx[0] == "store" and
                nx[2] == st.out and nx[4] and not st.params and st.out not in kept and
                last.get(st.out) == k + 1 and isinstance(st.fwd, _UFUNC) and st.fwd.nout == 1):
            fused.add(k)
            made.pop(st.out)
    dead = {}
    for s, k in made.items():
        if s not in kept:
            dead.setdefault(max(k, last.get(s, k)), []).append(s)
    return dead, fused


def _bump_lines(t):
    """_views.bump(t) written out for the common tensor, a leaf with a counter
    that views nothing (a parameter an optimiser updates): its counter and the
    epoch go up, no node has to be told (about 0.3 us a call saved); any other
    tensor takes bump() itself."""
    return [f"        _vb = {t}._vbox",
            f"        if _vb is not None and {t}._grad_fn is None and {t}._view_of is None "
            f"and {t}._storage_of is None:",
            "            _vb[0] += 1",
            "            _EPOCH[0] += 1",
            "        else:",
            f"            _bump({t})"]


def _effect(p, k, st, env, ref):
    """The lines of one effect of a training step (see the module's docstring)."""
    kind = st[0]
    if kind == "store":
        _, dst, src, r, _ = st
        out = [f"        v{dst}[...] = v{src}"]
        if r is not None:
            out += _bump_lines(ref(r))
        return out
    if kind == "setgrad":
        _, r, s = st
        return [f"        {ref(r)}._grad = " + ("None" if s is None else f"_make(v{s})")]
    if kind == "scalar":
        _, src, dtype, out = st
        env[f"D_{k}"] = dtype
        return [f"        v{out} = _nsc(v{src}, D_{k})"]
    if kind == "host":
        _, fn, group, ins, outs = st
        env[f"H{k}"], env[f"HG{k}"] = fn, group
        args = "".join(f", _item(v{s})" for s in ins)
        return [f"        ({''.join(f'v{s}, ' for s in outs)}) = H{k}(HG{k}{args})"]
    if kind == "raw":
        _, fn, slots, params = st
        env[f"RF{k}"] = fn
        args = [("None" if x is None else f"v{x}") for x in slots]
        args += _params(params, (), env, f"Q{k}_", "v{}")
        return [f"        RF{k}({', '.join(args)})"]
    # a backward inside: the generated formulas on the values it needs, then each leaf's .grad
    _, plan, seeds, accs, be = st
    needed = sorted({x for b in plan for x in (b.saved or ()) if x is not None and
                     x.__class__ is not tuple} | {s for b in plan for _, s in b.dyn})
    pos = {s: j for j, s in enumerate(needed)}
    nodes = []
    for b in plan:
        c = object.__new__(type(b))
        c.cls, c.meta, c.params, c.targets, c.label = b.cls, b.meta, b.params, b.targets, b.label
        c.saved = None if b.saved is None else tuple(
            x if x is None or x.__class__ is tuple else pos[x] for x in b.saved)
        c.dyn = tuple((j, pos[s]) for j, s in b.dyn)
        nodes.append(c)
    mini = _Plan(nodes, accs, [("node", n) for n, _ in seeds], f"{p.fn_name}, step {k}")
    env[f"B{k}"] = back = generate_backward(mini, ArrayOps if be is None else array_ops_for(be))
    values = getattr(p, "capture_values", None)
    if be is None and len(seeds) == 1 and values is not None:
        # (its formulas inlined, as a compiled backward's: inline.py; traced on the
        # capture's arrays, checked bit for bit against the generic one)
        seed = values[seeds[0][1]]
        if seed.__class__ is _backend.ndarray:
            # (a constant seed, loss.backward()'s implicit 1, is that same object at
            # every replay: what follows from it alone is folded)
            one = p.consts.get(seeds[0][1]) if seed.size == 1 else None
            fast = inline_backward(mini, ArrayOps, tuple(values[s] for s in needed), seed, back,
                                   one if one is seed else None)
            if fast is not None:
                env[f"B{k}"] = fast
    vals = "".join(f"v{s}, " for s in needed)
    out = [f"        BR{k} = B{k}(({vals}), ({''.join(f'v{s}, ' for _, s in seeds)}))"]
    for j, (r, s) in enumerate(accs):
        if _grad_is_none(p, k, r):
            # (.grad was set to None earlier in the step, and no hook can run: entry
            # checks them; the accumulation is then engine._accumulate's copy)
            t = ref(r)
            copy = f"_ga(BR{k}[{j}].astype({t}._data.dtype))"
            if s is None:
                out.append(f"        if BR{k}[{j}] is not None: {t}._grad = _make({copy})")
            else:
                out += [f"        v{s} = {copy}", f"        {t}._grad = _make(v{s})"]
            continue
        out.append(f"        if BR{k}[{j}] is not None: _acc({ref(r)}, BR{k}[{j}], False)")
        if s is not None:
            out.append(f"        v{s} = {ref(r)}._grad._data")
    return out


def _grad_is_none(p, k, r):
    """Whether the .grad of the tensor referred to as r is None when step k
    (a backward) runs: set to None by an earlier step, and written by no
    step between."""
    for j in range(k - 1, -1, -1):
        st = p.steps[j]
        if st.__class__ is Instr:
            continue
        if st[0] == "setgrad" and _same_ref(st[1], r):
            return st[2] is None
        if st[0] == "backward" and any(_same_ref(a, r) for a, _ in st[3]):
            return False
    return False


def _same_ref(a, b):
    """Whether two effect references name one tensor (a tensor by identity:
    == on tensors compares values)."""
    if a[0] != b[0]:
        return False
    if a[0] == "grad":
        return _same_ref(a[1], b[1])
    return a[1] is b[1] if a[0] == "live" else a[1] == b[1]


class _Plan:
    """What generate_backward reads of a program, for a backward inside one."""

    def __init__(self, backward, boundary, seeds, fn_name):
        self.backward, self.boundary, self.seeds, self.fn_name = backward, boundary, seeds, fn_name


def _params(params, dyn, env, prefix, value):
    """The expressions of an op's params: a computed array by its value
    (`value` formatted with its slot or position), anything else by a name
    bound in env."""
    dyn = dict(dyn or ())
    out = []
    for j, q in enumerate(params):
        if j in dyn:
            out.append(value.format(dyn[j]))
        else:
            env[f"{prefix}{j}"] = q
            out.append(f"{prefix}{j}")
    return out


def _acc(target):
    kind, k = target
    return f"a{k}" if kind == "node" else f"r{k}"

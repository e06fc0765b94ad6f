"""Compiled(...).explain(): the captured programs written out, one line per
array call, guard and backward node; explain(code=True) adds the generated
Python each replays (codegen.py, inline.py)."""
from .capture import Instr

__all__ = ["describe"]


def describe(compiled, code=False):
    lines = [f"chainrule.compile({compiled.__name__}): {len(compiled._variants)} signature(s)"]
    for key, programs in compiled._variants.items():
        lines.append("")
        if key[0].__class__ is bool:    # tensors only: (grad mode, (shape, dtype, rg, class)...)
            grad, parts = key[0], [(None,) + k for k in key[1:]]
        else:                                 # (spec, grad mode, per-argument parts...)
            grad, parts = key[1], key[2:]
        lines.append("signature: " + ", ".join(_arg(p) for p in parts) +
                     f"; grad mode {'on' if grad else 'off'}")
        if isinstance(programs, str):
            lines.append(f"  runs eagerly: {programs}")
            continue
        for n, p in enumerate(programs):
            lines += _program(p, n)
            if code:
                lines += _code(p)
    return "\n".join(lines)


def _code(p):
    """The generated Python of a program: its call (or forward) and backward."""
    out = []
    fast = getattr(p, "fast", None)
    for title, fn in (("generated call", fast if fast is not None else p.forward),
                      ("generated backward", p.back)):
        if fn is not None:
            out.append(f"    {title}:")
            out += ["      " + line for line in fn.source.rstrip("\n").split("\n")]
    return out


def _arg(part):
    kind = part[0]
    if len(part) == 5:
        _, shape, dtype, rg, _ = part
        name = "Tensor" if kind is None else kind.__name__
        return f"{name}{tuple(shape)} {dtype}" + (" requires_grad" if rg else "")
    return repr(part[1])


def _program(p, n):
    lines = [f"  variant {n}: {sum(1 for s in p.steps if s.__class__ is Instr)} array calls, "
             f"{sum(1 for s in p.steps if s.__class__ is tuple and s[0] == 'guard')} guards" +
             (f", {len(p.pre)} checks on entry, effects" if p.effects else "")]
    args = {s: f"arg{i}" for i, s in p.arg_slots}
    for s, t, shape, dtype, _ in p.live:
        args[s] = f"outside{tuple(shape)}"
    for s, c in p.consts.items():
        args[s] = repr(c.tolist() if hasattr(c, "tolist") else c)

    def name(s):
        return args.get(s, f"v{s}")
    for st in p.steps:
        if st.__class__ is Instr:
            params = "".join(f", {q!r}" for q in st.params) if st.params else ""
            lines.append(f"    v{st.out} = {st.op.name}({', '.join(name(i) for i in st.ins)}{params})")
        elif st[0] == "guard":
            lines.append(f"    guard {st[2].__name__.strip('_')}({name(st[1])}) == {st[3]!r}")
        elif st[0] == "cast":
            lines.append(f"    v{st[3]} = {name(st[1])}.astype({st[2]})")
        elif st[0] == "store":
            lines.append(f"    {name(st[1])}[...] = {name(st[2])}" +
                         ("   (version bumped)" if st[3] is not None else ""))
        elif st[0] == "setgrad":
            lines.append(f"    .grad = {'None' if st[2] is None else name(st[2])}")
        elif st[0] == "scalar":
            lines.append(f"    v{st[3]} = {name(st[1])} as {st[2]}")
        elif st[0] == "host":
            lines.append(f"    {', '.join(f'v{s}' for s in st[4])} = {st[1].__name__}(group"
                         f"{''.join(', ' + name(s) for s in st[3])})   (host values)")
        elif st[0] == "raw":
            lines.append(f"    {st[1].__name__}({', '.join(name(x) for x in st[2] if x is not None)})"
                         f"   (in place, outside the dispatch point)")
        else:                                     # a backward inside the function
            lines.append(f"    backward inside: {len(st[1])} nodes, consumers first: " +
                         ", ".join(b.label for b in st[1]) +
                         f"; accumulated into {len(st[3])} .grad")
    outs = ", ".join(name(p.kept[k]) if k is not None else repr(v) for k, v in p.outs)
    lines.append(f"    return {outs}")
    if p.backward is not None:
        lines.append(f"    backward: {len(p.backward)} nodes, consumers first: " +
                     ", ".join(b.label for b in p.backward))
    return lines

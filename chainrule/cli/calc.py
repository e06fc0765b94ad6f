"""`python -m chainrule grad EXPR --at x=4`: a derivative calculator.

Parses EXPR safely (expression.py), evaluates it in float64 at the values
given, and prints the value and every partial derivative (with --order 2,
the second derivatives: the Hessian for several variables), computed by
chainrule's autograd exactly as a program would, then the trace of the
backward pass (chainrule.viz.explain); --graph writes the picture of the
graph, --html the page that plays the backward pass.
"""
import argparse
import ast
import sys

import chainrule

from .expression import ExpressionError, evaluate, parse

HELP_EXAMPLES = """examples:
  python -m chainrule grad "x**3 + 2*x**2 + 8*x" --at x=4
  python -m chainrule grad "sin(x) * exp(y)" --at x=0.5 --at y=1 --order 2
  python -m chainrule grad "sum(tanh(x) ** 2)" --at "x=[1,2,3]" --html backward.html
"""
MAX_ELEMENTS = 10000        # per variable given with --at


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m chainrule",
        description="Derivatives of an expression, computed by chainrule's autograd.",
        epilog=HELP_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command")
    g = sub.add_parser("grad", help="value and derivatives of an expression",
                       epilog=HELP_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("expression", help='e.g. "x**3 + 2*x**2 + 8*x" (names, numbers, + - * / **, '
                                      "sin cos tanh exp log sqrt ... )")
    g.add_argument("--at", action="append", default=[], metavar="NAME=VALUE",
                   help="a variable's value: x=4, or a vector x=[1,2,3]; several with commas "
                        "(x=1,y=2) or by repeating --at")
    g.add_argument("--order", type=int, choices=(1, 2), default=1,
                   help="2: also the second derivatives (the Hessian)")
    g.add_argument("--graph", metavar="FILE", help="write the graph, gradients on its edges "
                   "(.svg, .png, .pdf: needs Graphviz's dot; .dot: the DOT text)")
    g.add_argument("--html", metavar="FILE", help="write a page that plays the backward pass "
                   "node by node")
    g.add_argument("--no-trace", action="store_true", help="do not print the trace")
    return p


def _values(specs, lib):
    """{name: float64 tensor that requires grad} from the --at arguments."""
    values = {}
    for spec in specs:
        for part in _split_assignments(spec):
            name, sep, text = part.partition("=")
            name = name.strip()
            if not sep or not name.isidentifier() or name.startswith("_"):
                raise ExpressionError(f"--at expects NAME=VALUE, got {part!r}")
            try:
                value = ast.literal_eval(text.strip())
            except (ValueError, SyntaxError):
                raise ExpressionError(f"the value of {name} must be a number or a list of "
                                      f"numbers, got {text.strip()!r}") from None
            flat = value if isinstance(value, list) else [value]
            if len(flat) > MAX_ELEMENTS or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat):
                raise ExpressionError(f"the value of {name} must be a number or a list of at "
                                      f"most {MAX_ELEMENTS} numbers")
            values[name] = lib.tensor(value, dtype=lib.float64, requires_grad=True)
    return values


def _split_assignments(spec):
    """'x=1,y=[2,3]' -> ['x=1', 'y=[2,3]'] (commas inside brackets stay)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(spec):
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(spec[start:i])
            start = i + 1
    parts.append(spec[start:])
    return [p for p in parts if p.strip()]


def _show(t):
    return repr(t.detach())


def run_grad(expression, at, order, lib, out=sys.stdout, *, trace=True, graph=None, html=None):
    values = _values(at, lib)
    tree = parse(expression, values)
    names = [n for n in values if n in {node.id for node in ast.walk(tree)
                                          if isinstance(node, ast.Name)}]
    result = evaluate(tree, values, lib)
    where = ", ".join(f"{n} = {_show(values[n])}" for n in values)
    print(f"f = {expression}   at {where}", file=out)
    print(f"f = {_show(result)}", file=out)
    if not names:
        print("f depends on no variable: every derivative is 0", file=out)
        return
    scalar = result.dim() == 0
    total = result if scalar else result.sum()
    if not scalar:
        print("(f is not a scalar: the derivatives below are those of the sum of its elements)",
              file=out)
    firsts = lib.autograd.grad(total, [values[n] for n in names], create_graph=order == 2,
                               allow_unused=True)
    for n, g in zip(names, firsts):
        print(f"df/d{n} = {_show(g) if g is not None else 0}", file=out)
    if order == 2:
        for i, (n, g) in enumerate(zip(names, firsts)):
            for m in names[i:]:
                if g is None or not g.requires_grad:
                    second = None
                else:
                    second = _second(g, values[m], lib)
                print(f"d2f/d{n}d{m} = {_show(second) if second is not None else 0}", file=out)
    if trace or graph or html:
        _explain(tree, at, names, lib, out, trace, graph, html)


def _explain(tree, at, names, lib, out, show, graph, html):
    """The backward pass again, on fresh variables, with its trace."""
    fresh = _values(at, lib)
    f = evaluate(tree, fresh, lib)
    if f.dim() != 0:
        f = f.sum()
    inputs = {n: fresh[n] for n in names}
    if not f.requires_grad:
        return
    t = lib.viz.explain(f, inputs, names={"f": f, **inputs})
    if show:
        print("", file=out)
        print(t, file=out)
    picture_names = {"f": t.output, **inputs}
    if graph:
        g = t.graph(names=picture_names)
        if graph.endswith(".dot") or graph.endswith(".gv"):
            with open(graph, "w") as fh:
                fh.write(g.source)
        else:
            g.render(graph)
        print(f"graph written to {graph}", file=out)
    if html:
        t.to_html(html, names=picture_names)
        print(f"page written to {html}", file=out)


def _second(g, x, lib):
    """The Jacobian of the gradient g (shaped like its variable) with respect to x."""
    if g.dim() == 0:
        (h,) = lib.autograd.grad(g, x, retain_graph=True, allow_unused=True)
        return h
    rows = [lib.autograd.grad(gi, x, retain_graph=True, allow_unused=True)[0]
            for gi in g.reshape(-1)]
    rows = [r if r is not None else lib.zeros_like(x) for r in rows]
    return lib.stack(rows).reshape(tuple(g.shape) + tuple(x.shape))


def main(argv=None):
    lib = chainrule
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser()
    if not argv:
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    if args.command != "grad":
        parser.print_help()
        return 2
    try:
        run_grad(args.expression, args.at, args.order, lib, trace=not args.no_trace,
                 graph=args.graph, html=args.html)
    except ExpressionError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except RuntimeError as e:            # (rendering without Graphviz: how to install it)
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0

"""The backward graph of tensors as Graphviz DOT text.

    g = chainrule.viz.graph(z, names={"x": x})
    print(g.source)          # DOT: nodes for backward functions (PyTorch's names),
    g.render("z.svg")        # leaves by name with shape and dtype, saved values
                             # as PyTorch names them (self, other, result)

The picture reads top-down in the forward direction (leaves at the top, the
output at the bottom); the arrows point the way gradients flow.  Given a
trace (explain(...).graph()), each edge is labelled with the gradient that
flowed along it and each node with its step.  Long single-file chains are
drawn as their first and last nodes around one box that counts the rest.
The walk is iterative, so deep graphs work; it reads the graph only.
Rendering needs the Graphviz `dot` program; the DOT text needs nothing.
"""
import importlib
import shutil
import subprocess

from .._tensor import Tensor
from . import _values
from ._formulas import input_names, leaf_names, saved_labels

__all__ = ["graph", "Graph"]

# Chains of more nodes than this are collapsed; KEEP nodes stay at each end.
COLLAPSE, KEEP = 16, 3

_INSTALL = ("rendering a chainrule graph needs the Graphviz program `dot`; install it "
            "(Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz, "
            "conda: conda install graphviz), or use the DOT text in .source")


class Graph:
    """A backward graph as DOT text (`source`); renders with Graphviz's dot."""

    def __init__(self, source, ids=None):
        self.source = source
        self.ids = ids or {}          # id(node or tensor) -> its DOT name (n0, n1...)

    def __str__(self):
        return self.source

    def pipe(self, format="svg"):
        """The picture as bytes, drawn by Graphviz's dot program (run directly:
        the `graphviz` Python package would add nothing but a dependency)."""
        dot = shutil.which("dot")
        if dot is None:
            raise RuntimeError(_INSTALL)
        return subprocess.run([dot, f"-T{format}"], input=self.source.encode(),
                              capture_output=True, check=True).stdout

    def render(self, path):
        """Write the picture to `path` (its suffix picks the format: .svg, .png, .pdf)."""
        fmt = path.rsplit(".", 1)[-1] if "." in path else "svg"
        picture = self.pipe(fmt)      # (before opening: a failure leaves no empty file)
        with open(path, "wb") as f:
            f.write(picture)
        return path

    def to_graphviz(self):
        """The graph as a `graphviz.Source` (the Python package, the `viz`
        extra: pip install 'chainrule[viz]'), for its own API: view(),
        render(format=...), pipe()."""
        try:
            # (an optional package, loaded only here: its import costs about 34 ms)
            graphviz = importlib.import_module("graphviz")
        except ImportError:
            raise ImportError("Graph.to_graphviz() needs the graphviz Python package: "
                              "pip install 'chainrule[viz]' (or pip install graphviz); "
                              "rendering also needs Graphviz's dot program") from None
        return graphviz.Source(self.source)

    def _repr_svg_(self):
        try:
            return self.pipe("svg").decode()
        except RuntimeError:
            return None           # (no dot: Jupyter falls back to the text form)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.source}
        svg = self._repr_svg_()
        if svg is not None:
            bundle["image/svg+xml"] = svg
        return bundle


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _walk(tensors):
    """Every node reachable from the tensors' grad_fns, and each node's inputs
    as (input index, target) with targets nodes or leaf tensors (iterative)."""
    order, inputs, seen = [], {}, set()
    stack = [t._grad_fn for t in tensors if t._grad_fn is not None]
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        order.append(fn)
        ins = []
        for k, e in enumerate(fn.edges):
            if e is None:
                continue
            target = e.edges[0] if getattr(e, "_is_selector", False) else e
            ins.append((k, target))
            if not isinstance(target, Tensor):
                stack.append(target)
        inputs[id(fn)] = ins
    return order, inputs


def _chains(order, inputs):
    """Single-file runs of nodes (each the only input of the one before,
    which is its only consumer) longer than COLLAPSE, as lists."""
    consumers = {}
    for c in order:
        for _, t in inputs[id(c)]:
            consumers.setdefault(id(t), []).append(c)

    def single(fn):            # fn's one input, when fn has one and fn is its only consumer
        ins = inputs[id(fn)]
        if len(ins) == 1 and not isinstance(ins[0][1], Tensor) and \
                len(consumers[id(ins[0][1])]) == 1:
            return ins[0][1]
        return None

    runs = []
    for fn in order:
        users = consumers.get(id(fn), ())
        if len(users) == 1 and single(users[0]) is fn:
            continue                        # inside a run that starts above it
        run = [fn]
        nxt = single(fn)
        while nxt is not None:
            run.append(nxt)
            nxt = single(nxt)
        if len(run) > COLLAPSE:
            runs.append(run)
    return runs


_STYLES = {
    "output": "shape=oval, style=filled, fillcolor=lightblue",
    "node": "shape=box, style=filled, fillcolor=lightgrey",
    "leaf": "shape=box, style=filled, fillcolor=lightgreen",
    "collapsed": 'shape=box, style="filled,dashed", fillcolor=white',
}


class _Builder:
    """Collects nodes and edges; writes them as DOT and keeps them as data
    (the page draws its own picture from them when dot is absent)."""

    def __init__(self):
        self.ids = {}
        self.nodes = []          # (DOT name, label, kind)
        self.edges = []          # (DOT name, from, to, label or None): from -> to is forward

    def ident(self, obj):
        if id(obj) not in self.ids:
            self.ids[id(obj)] = f"n{len(self.ids)}"
        return self.ids[id(obj)]

    def node(self, nid, label, kind):
        self.nodes.append((nid, label, kind))

    def edge(self, eid, src, dst, label=None):
        self.edges.append((eid, src, dst, label))

    def source(self):
        lines = ["digraph backward {", '  node [fontname="Helvetica", fontsize=10];',
                 '  edge [fontname="Helvetica", fontsize=9];', "  rankdir=TB;"]
        for nid, label, kind in self.nodes:
            lines.append(f"  {nid} [id={nid}, {_STYLES[kind]}, label={_quote(label)}];")
        for eid, src, dst, label in self.edges:
            extra = f", label={_quote(label)}" if label is not None else ""
            lines.append(f"  {src} -> {dst} [id={eid}, dir=back{extra}];")
        lines.append("}")
        return "\n".join(lines) + "\n"


def graph(*tensors, names=None, trace=None, collapse=True):
    """The backward graph of `tensors` (the outputs, at the bottom).

    names: {name: tensor} labelling leaves and outputs.  trace: a Trace of a
    backward through these tensors (explain): edges then carry the gradient
    that flowed along them and nodes their step number.  collapse=False draws
    every node of long chains."""
    label_of = leaf_names(names)
    steps, flows = {}, {}
    if trace is not None:
        for s in trace.steps:
            steps[id(s.obj)] = s
            for f in s.flows:
                flows[(id(s.obj), id(f.target), f.input_name)] = f
    order, inputs = _walk(tensors)
    hidden, stand_in = set(), {}
    if collapse:
        for run in _chains(order, inputs):
            middle = run[KEEP:-KEEP]
            hidden.update(id(n) for n in middle)
            stand_in[id(middle[0])] = middle
    b = _Builder()
    ident = b.ident
    for i, t in enumerate(tensors):
        name = label_of.get(id(t), f"output {i}" if len(tensors) > 1 else "output")
        tid = ident(t)
        b.node(tid, name + "\n" + _values.brief(t), "output" if t._grad_fn is not None or
               not t._requires_grad else "leaf")
        fn = t._grad_fn
        if fn is not None:
            s = steps.get(id(fn))
            label = _values.values(s.grad, 4) if s is not None and s.index == 1 else None
            b.edge(f"{ident(fn)}_{tid}", ident(fn), tid, label)
    leaves_done = set()
    for fn in order:
        if id(fn) in hidden and id(fn) not in stand_in:
            continue
        fid = ident(fn)
        if id(fn) in stand_in:
            middle = stand_in[id(fn)]
            kinds = {}
            for n in middle:
                kinds[type(n).__name__] = kinds.get(type(n).__name__, 0) + 1
            b.node(fid, f"{len(middle):,} more nodes\n" + "\n".join(
                f"{k} ×{v:,}" for k, v in kinds.items()), "collapsed")
            below = inputs[id(middle[-1])][0][1]
            b.edge(f"{fid}_{ident(below)}", ident(below), fid)
            continue
        s = steps.get(id(fn))
        label = type(fn).__name__
        saved = s.saved if s is not None else [(n, _values.brief(v)) for n, v in saved_labels(fn)]
        if saved:
            label += "\n" + "\n".join(f"{n}: {v}" for n, v in saved)
        if s is not None:
            label = f"step {s.index}: " + label
        b.node(fid, label, "node")
        names_in = input_names(fn) if s is not None else ()
        for k, target in inputs[id(fn)]:
            tid = ident(target)
            if isinstance(target, Tensor) and id(target) not in leaves_done:
                leaves_done.add(id(target))
                b.node(tid, label_of.get(id(target), "leaf") + "\n" + _values.brief(target) +
                       " " + str(target.dtype), "leaf")
            f = flows.get((id(fn), id(target), names_in[k])) if k < len(names_in) else None
            b.edge(f"{fid}_{tid}_{k}", tid, fid,
                   _values.values(f.grad, 4) if f is not None else None)
    g = Graph(b.source(), b.ids)
    g.nodes, g.edges = b.nodes, b.edges
    return g

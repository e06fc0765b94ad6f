"""chainrule.viz: the backward graph of tensors as Graphviz DOT text.

    g = chainrule.viz.graph(z, names={"x": x})
    print(g.source)          # DOT: nodes for backward functions (PyTorch's names),
    g.render("z.svg")        # leaves by name with shape and dtype, saved values
                             # as PyTorch names them (self, other, result)

Rendering needs the Graphviz `dot` program (Debian: apt-get install graphviz);
the DOT text needs nothing.  The walk is iterative, so deep graphs work; it
reads the graph only (node classes, edges, saved values) and changes nothing.
Not yet: the gradients that flowed along each edge after a backward, and
collapsing repeated chains in large graphs.
"""
import shutil
import subprocess

from ._tensor import Tensor

__all__ = ["graph", "Graph"]

_SMALL = 4        # saved values with at most this many elements show their values


class Graph:
    """A backward graph as DOT text (`source`); renders with Graphviz's dot."""

    def __init__(self, source):
        self.source = source

    def __str__(self):
        return self.source

    def pipe(self, format="svg"):
        dot = shutil.which("dot")
        if dot is None:
            raise RuntimeError("rendering a chainrule graph needs the Graphviz program `dot`; "
                               "install it (Debian/Ubuntu: apt-get install graphviz, macOS: "
                               "brew install graphviz), or use the DOT text in .source")
        return subprocess.run([dot, f"-T{format}"], input=self.source.encode(),
                              capture_output=True, check=True).stdout

    def render(self, path):
        """Write the picture to `path` (its suffix picks the format: .svg, .png, .pdf)."""
        fmt = path.rsplit(".", 1)[-1] if "." in path else "svg"
        with open(path, "wb") as f:
            f.write(self.pipe(fmt))
        return path

    def _repr_svg_(self):
        try:
            return self.pipe("svg").decode()
        except RuntimeError:
            return None           # (no dot: Jupyter falls back to the text form)


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _describe(value):
    if isinstance(value, Tensor):
        d = value._data
    elif hasattr(value, "shape") and hasattr(value, "dtype"):
        d = value
    else:
        return repr(value)
    shape = "(" + ", ".join(map(str, d.shape)) + ")"
    if d.size <= _SMALL:
        vals = ", ".join(f"{float(v):.4g}" for v in d.reshape(-1).tolist()) if d.dtype.kind in "fiub" \
            else ""
        return f"{shape} [{vals}]"
    return shape


def _saved_labels(node):
    """(PyTorch's name, value) for what a registry node saved: its first input
    is `self`, the second `other`, the output `result`."""
    op = getattr(type(node), "_op", None)
    plan = getattr(node, "_save_plan", ())
    saved = node.saved
    if op is None or not plan or not saved:
        return []
    labels = []
    for i, v in zip(plan, saved):
        if v is None:
            continue
        name = "result" if i < 0 else ("self", "other")[i] if i < 2 else op.inputs[i]
        labels.append((name, v))
    return labels


def graph(*tensors, names=None):
    """The backward graph of `tensors` (the roots, drawn at the top).  names:
    {name: tensor} (or {tensor id: name}) labelling leaves and roots."""
    label_of = {}
    for k, v in (names or {}).items():
        if isinstance(v, Tensor):
            label_of[id(v)] = k
        else:
            label_of[k] = v
    lines = ["digraph backward {", '  node [fontname="Helvetica", fontsize=10];',
             "  rankdir=TB;"]
    ids = {}

    def ident(obj):
        if id(obj) not in ids:
            ids[id(obj)] = f"n{len(ids)}"
        return ids[id(obj)]

    stack, seen = [], set()
    for i, t in enumerate(tensors):
        name = label_of.get(id(t), f"output {i}" if len(tensors) > 1 else "output")
        tid = ident(t)
        text = _quote(name + "\n" + _describe(t))
        lines.append(f"  {tid} [shape=oval, style=filled, fillcolor=lightblue, label={text}];")
        fn = t._grad_fn
        if fn is not None:
            lines.append(f"  {ident(fn)} -> {tid} [dir=back];")
            stack.append(fn)
        elif t._requires_grad:
            lines.append(f"  {tid} [shape=box, fillcolor=lightgreen];")
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        fid = ident(fn)
        label = type(fn).__name__
        saved = _saved_labels(fn)
        if saved:
            label += "\n" + "\n".join(f"{n}: {_describe(v)}" for n, v in saved)
        lines.append(f"  {fid} [shape=box, style=filled, fillcolor=lightgrey, "
                     f"label={_quote(label)}];")
        for e in fn.edges:
            if e is None:
                continue
            if isinstance(e, Tensor):                  # a leaf: AccumulateGrad, then the leaf
                lid = ident(e)
                if id(e) not in seen:
                    seen.add(id(e))
                    text = _quote(label_of.get(id(e), "leaf") + "\n" + _describe(e) + " " +
                                  str(e.dtype))
                    lines.append(f"  {lid} [shape=box, style=filled, fillcolor=lightgreen, "
                                 f"label={text}];")
                lines.append(f"  {lid} -> {fid} [dir=back];")
            else:
                target = e.edges[0] if getattr(e, "_is_selector", False) else e
                lines.append(f"  {ident(target)} -> {fid} [dir=back];")
                stack.append(target)
    lines.append("}")
    return Graph("\n".join(lines) + "\n")

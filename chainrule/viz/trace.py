"""explain(): a backward pass with its bookkeeping written out.

    x = chainrule.tensor(4.0, requires_grad=True)
    z = x**3 + 2*x**2 + 8*x
    print(chainrule.viz.explain(z, {"x": x}))

runs z.backward() (x.grad becomes 72, exactly as without the trace) and
records, for every node in the order the engine runs it, the gradient that
arrived (the sum of the parts where paths meet: 48 + 16 + 8 = 72 at x), each
input's local derivative and the gradient passed on.  The record comes from
the engine's one optional observer (autograd/engine.py OBSERVER), which an
ordinary backward never sets; the trace reads values and changes none.
"""
from html import escape

from .._tensor import Tensor
from ..autograd import engine
from ..autograd.graph import Node
from . import _formulas, _values
from ._formulas import leaf_names, saved_labels
from ._values import values
from .dot import graph
from .page import page

__all__ = ["explain", "Trace", "Step", "Flow"]


class Flow:
    """The gradient one node passed to one of its inputs."""

    def __init__(self, index, input_name, target, rule, local, grad):
        self.index = index               # which input of the node (its edge)
        self.input_name = input_name     # PyTorch's name of the input: self, other...
        self.target = target             # the node or leaf tensor it went to
        self.rule = rule                 # the formula as text, or None
        self.local = local               # d output / d input (elementwise ops), or None
        self.grad = grad                 # the gradient passed on (an array)
        self.step = None                 # the Step that received it (set when it runs)


class Step:
    """One node (or leaf) as the engine ran it."""

    def __init__(self, index, obj, label, grad):
        self.index = index               # 1, 2, ... in the engine's order
        self.obj = obj                   # the node, or the leaf tensor
        self.label = label               # 'PowBackward0', or the leaf's name
        self.grad = grad                 # the gradient that arrived (summed)
        self.parts = []                  # the Flows it was summed from (none: the seed)
        self.flows = []                  # what a node passed on, one Flow per input
        self.saved = []                  # (PyTorch's name, value text) of what a node saved
        self.grad_after = None           # a leaf's .grad after accumulation

    @property
    def is_leaf(self):
        return not isinstance(self.obj, Node)


class _Recorder:
    """The engine's observer while explain() runs."""

    def __init__(self, label_of):
        self.label_of = label_of
        self.steps = []
        self.waiting = {}                # id(target) -> Flows sent to it, not yet run

    def __call__(self, obj, g, grads_in):
        label = self.label_of(obj)
        step = Step(len(self.steps) + 1, obj, label, _copy(g))
        step.parts = self.waiting.pop(id(obj), [])
        for f in step.parts:
            f.step = step
        self.steps.append(step)
        if grads_in is None:                            # a leaf: after accumulation
            if isinstance(obj, Tensor) and obj.grad is not None:
                step.grad_after = _copy(obj.grad)
            return
        step.saved = [(n, _values.brief(v)) for n, v in saved_labels(obj)]
        names = _formulas.input_names(obj)
        locals_ = _formulas.local_derivatives(obj, g)
        for i, (e, gi) in enumerate(zip(obj.edges, grads_in)):
            if e is None or gi is None:
                continue
            target = e.edges[0] if getattr(e, "_is_selector", False) else e
            flow = Flow(i, names[i] if i < len(names) else f"input {i}", target,
                        _formulas.rule(obj, i), _copy(locals_[i]) if i < len(locals_) else None,
                        _copy(gi))
            step.flows.append(flow)
            self.waiting.setdefault(id(target), []).append(flow)


def _copy(v):
    if v is None:
        return None
    d = v._data if isinstance(v, Tensor) else v
    return d.copy() if hasattr(d, "copy") else d


def explain(output, inputs=None, *, gradient=None, retain_graph=None, create_graph=False,
            names=None):
    """Run output.backward() and return its Trace.

    inputs: the tensors to differentiate with respect to (backward's inputs=),
    as a list or as {name: tensor} (which also names them); default: every
    leaf, as backward.  names: {name: tensor} for other leaves and tensors.
    gradient, retain_graph, create_graph: as backward's.  The gradients accumulate into
    .grad exactly as output.backward() would.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"explain() expects a Tensor, got {type(output).__name__}")
    label_ids = leaf_names(names)
    if isinstance(inputs, dict):
        label_ids.update(leaf_names(inputs))
        inputs = list(inputs.values())
    elif isinstance(inputs, Tensor):
        inputs = [inputs]
    counter = {}

    def label_of(obj):
        if isinstance(obj, Tensor):
            name = label_ids.get(id(obj))
            if name is None:
                name = counter.setdefault(id(obj), f"leaf {len(counter)}")
            return name
        return type(obj).__name__

    recorder = _Recorder(label_of)
    root = output.grad_fn if output.grad_fn is not None else output
    engine.OBSERVER[0] = recorder
    try:
        output.backward(gradient, retain_graph=retain_graph, create_graph=create_graph,
                        inputs=inputs)
    finally:
        engine.OBSERVER[0] = None          # (also when backward refused before running)
    seed = _copy(gradient) if gradient is not None else None
    return Trace(recorder.steps, output, root, label_ids.get(id(output), "output"), seed)


class Trace:
    """The record of one backward pass: `steps` in the engine's order.

    str(trace) is a table; in Jupyter it shows as an HTML table;
    trace.graph() is the graph with the gradient along each edge;
    trace.to_html(path) writes a page that plays the pass step by step."""

    def __init__(self, steps, output, root, output_name, seed):
        self.steps = steps
        self.output = output
        self.root = root
        self.output_name = output_name
        self.seed = seed

    def leaves(self):
        return [s for s in self.steps if s.is_leaf]

    def __len__(self):
        return len(self.steps)

    def rows(self):
        """The table as rows of text cells: (step, node, incoming gradient,
        input, local derivative, rule, outgoing gradient, to)."""
        rows = []
        for s in self.steps:
            incoming = _incoming_text(s)
            if s.is_leaf:
                after = values(s.grad_after) if s.grad_after is not None else "(not accumulated)"
                rows.append((str(s.index), f"{s.label} (leaf)", incoming, "", "", "",
                             f"{s.label}.grad = {after}", ""))
                continue
            first = True
            for f in s.flows:
                rows.append((str(s.index) if first else "", s.label if first else "",
                             incoming if first else "", f.input_name,
                             values(f.local) if f.local is not None else "",
                             f.rule or "", values(f.grad), _target_text(f)))
                first = False
            if first:                       # a node that passed nothing on
                rows.append((str(s.index), s.label, incoming, "", "", "", "(nothing)", ""))
        return rows

    HEADER = ("step", "node", "incoming grad", "input", "local derivative", "rule",
              "outgoing grad", "to")

    def __str__(self):
        rows = [self.HEADER] + self.rows()
        # (the rule column can be long: cap the widths so the table stays on a terminal)
        widths = [min(max(len(r[i]) for r in rows), 36) for i in range(len(self.HEADER))]
        lines = [f"backward of {self.output_name} = {values(self.output)}, "
                 f"{len(self.steps)} steps in the order the engine ran them"]
        for k, r in enumerate(rows):
            lines.append("  ".join(_fit(c, w) for c, w in zip(r, widths)).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        if any(f.local is not None for s in self.steps for f in s.flows):
            lines.append("(elementwise ops: outgoing grad = incoming grad × local derivative, "
                         "summed over broadcast dimensions)")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        head = "".join(f"<th>{escape(h)}</th>" for h in self.HEADER)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>"
                       for r in self.rows())
        return (f"<p>backward of {escape(self.output_name)} = {escape(values(self.output))}</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def graph(self, names=None):
        """The graph with the gradient that flowed along each edge."""
        return graph(self.output, names=names, trace=self)

    def to_html(self, path=None, names=None):
        """Write (or, without a path, return) the page that plays this backward
        pass node by node (page.py)."""
        text = page(self, names=names)
        if path is None:
            return text
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path


def _incoming_text(step):
    total = values(step.grad) if step.grad is not None else "None"
    if not step.parts:
        return f"{total} (seed)" if step.index == 1 else total
    if len(step.parts) == 1:
        return total
    return " + ".join(values(f.grad) for f in step.parts) + " = " + total


def _target_text(flow):
    s = flow.step
    where = f" (step {s.index})" if s is not None else ""
    label = s.label if s is not None else (type(flow.target).__name__ if not isinstance(
        flow.target, Tensor) else "leaf")
    return label + where


def _fit(text, width):
    return text.ljust(width) if len(text) <= width else text[:width - 1] + "…"

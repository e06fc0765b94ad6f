"""What a node's backward does, in a form a reader can follow: the formula
the op declares for each input (its defop line, written as PyTorch's
derivatives.yaml writes them: `grad * other`), and, for elementwise ops, the
local derivative as numbers (the formula applied to a gradient of ones).

Nothing here runs during an ordinary backward: the trace (trace.py) calls
these from the engine's observer only while explain() runs.
"""
import ast
import functools
import inspect

from .._tensor import Tensor
from ..ops import _backend, _registry

# The names formulas use for the op's inputs, as PyTorch writes them.
_PYTORCH_NAMES = ("self", "other")


def op_of(node):
    """The registry Op behind a node, or None (custom Functions, CopySlices...)."""
    return getattr(type(node), "_op", None)


def input_names(node):
    """PyTorch's name for each of the node's inputs: self, other, then the
    op's own names (a custom Function's inputs are numbered)."""
    op = op_of(node)
    n = len(node.edges)
    if op is None or len(op.inputs) != n:
        return [f"input {i}" for i in range(n)] if n > 1 else ["input"]
    return [_PYTORCH_NAMES[i] if i < 2 else name for i, name in enumerate(op.inputs)]


def rule(node, i):
    """The formula for input i's gradient as text, or None when it cannot be
    shown (a combined formula, a custom Function, source not available)."""
    op = op_of(node)
    formulas = getattr(node, "formulas", ())
    if op is None or i >= len(formulas) or formulas[i] is None:
        return None
    return _source_text(formulas[i][0], op.inputs)


@functools.lru_cache(maxsize=None)
def _source_text(fn, inputs):
    body = _lambda_body(fn)
    if body is None:
        return None
    if isinstance(body, ast.Call) and isinstance(body.func, ast.Name):
        helper = fn.__globals__.get(body.func.id)
        if getattr(helper, "shows", None) is not None:       # (registry.shows)
            return helper.shows
    rename = {"g": "grad", "out": "result"}
    for i, name in enumerate(inputs[:2]):
        rename[name] = _PYTORCH_NAMES[i]
    return ast.unparse(_Readable(rename).visit(body))


class _Readable(ast.NodeTransformer):
    """F.cos(x) -> cos(self); the formula namespace argument F is dropped."""

    def __init__(self, rename):
        self.rename = rename

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name) and node.value.id == "F":
            return ast.copy_location(ast.Name(node.attr, ast.Load()), node)
        return self.generic_visit(node)

    def visit_Call(self, node):
        node.args = [a for a in node.args if not (isinstance(a, ast.Name) and a.id == "F")]
        return self.generic_visit(node)

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(self.rename.get(node.id, node.id), ast.Load()), node)


def _lambda_body(fn):
    """The body of the lambda `fn` as an ast, found in its source file by the
    position of its first instruction (several lambdas share a defop line)."""
    code = getattr(fn, "__code__", None)
    if code is None or fn.__name__ != "<lambda>":
        return None
    try:
        lines, _ = inspect.findsource(fn)
    except (OSError, TypeError):
        return None
    spots = [p for p in code.co_positions() if None not in p and p[3] > p[2]]
    if not spots:
        return None
    line, col = min((p[0], p[2]) for p in spots)
    best = None
    for node in ast.walk(_parsed("".join(lines))):
        if isinstance(node, ast.Lambda):
            b = node.body
            if (b.lineno, b.col_offset) <= (line, col) <= (b.end_lineno, b.end_col_offset):
                if best is None or (node.lineno, node.col_offset) > (best.lineno, best.col_offset):
                    best = node
    return None if best is None else best.body


@functools.lru_cache(maxsize=16)
def _parsed(source):
    return ast.parse(source)


def local_derivatives(node, g):
    """For an elementwise op: d output / d input for each input, as arrays
    in the output's shape (None where not differentiable or not elementwise).

    The formula applied to a gradient of ones gives exactly that when each
    output element depends only on the same element of each input (the
    Jacobian is diagonal), which is what `elementwise` declares in the
    registry.  Computed on raw arrays, outside any graph."""
    op = op_of(node)
    n = len(node.edges)
    if op is None or not getattr(op, "elementwise", False) or node.saved is None and \
            node.saves_tensors:
        return [None] * n
    d = g._data if isinstance(g, Tensor) else g
    backend = _backend.backend_of(d)
    F = _registry.array_ops_for(backend)
    ones = backend.xp.ones_like(d)
    vals = [v._data if isinstance(v, Tensor) else v for v in (node.saved or ())] + \
        list(node.params)
    out = []
    for e, f in zip(node.edges, node.formulas):
        if e is None or f is None:
            out.append(None)
            continue
        fn, slots = f
        try:
            local = fn(F, ones, *[vals[s] for s in slots])
        except Exception:           # noqa: BLE001 - a display aid; never break the trace
            local = None
        out.append(local)
    return out


def saved_labels(node):
    """(PyTorch's name, value) for what a registry node saved: its first input
    is `self`, the second `other`, the output `result`."""
    op = op_of(node)
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


def leaf_names(names):
    """{id(tensor): name} from {name: tensor} (or pairs, or {id: name})."""
    if names is None:
        return {}
    items = names.items() if isinstance(names, dict) else names
    out = {}
    for k, v in items:
        if isinstance(v, Tensor):
            out[id(v)] = k
        elif isinstance(k, Tensor):
            out[id(k)] = v
        else:
            out[k] = v
    return out

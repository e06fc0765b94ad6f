"""How an operation is declared: everything about it in one place.

    SIN = defop("sin", "sin", lambda F, g, x: g * F.cos(x))

reads: sin's forward is the array namespace's sin (np.sin for NumPy arrays,
cupy.sin for CuPy's: see _backend.bind for the forms a forward takes); the
gradient for its input x is g * cos(x).
A formula's parameters name what it needs: the op's inputs (by the names in
`inputs=`), its output (`out`), or its parameters (`params=`).  The registry
reads those names once, so each recorded node saves exactly those values.
An op declared without formulas (a comparison, `isnan`, `argmax`) is not
differentiable: its results never require grad.

`F` is the namespace the formula computes with.  Plain backward passes
`ArrayOps`: the ops' raw forward functions on arrays, no graph, no wrappers
(one such namespace per array library: `array_ops_for(backend)`; `ArrayOps`
itself is NumPy's).
backward with create_graph=True passes `TensorOps`: the same ops as
differentiable functions on Tensors, so the backward is recorded in turn and
higher derivatives come for free.  Formulas therefore only use F.<op> and
Python operators, which both namespaces provide.

An op's public forms are declared with it, by `expose(fn, names...)`: the
function `chainrule.<name>`, the method `Tensor.<name>`, the in-place method
`Tensor.<name>_` and the formula namespace `TensorOps.<name>` are all
generated from these tables (by chainrule/__init__.py and _methods.py), so a
name is written once.  The public function checks the arguments, applies
PyTorch's promotion and hands the arrays to the dispatch point
(`_dispatch.apply`), which computes the forward and records it.
"""
import inspect

from .. import _errors
from .._inplace_state import EPOCH as _EPOCH
from .._tensor import Tensor
from .._views import check_saved as _check_saved
from . import _backend, _codegen
from ..autograd.graph import Node, FOREIGN_ARRAYS as _FOREIGN

__all__ = ["defop", "elementwise", "complex_ready", "complex_node", "complex_like", "shows", "Op", "ArrayOps", "TensorOps", "expose", "FUNCTIONS", "METHODS", "INPLACE",
           "OPS", "array_op", "array_ops_for"]

_NUMPY = _backend.NUMPY


class ArrayOps:
    """Raw-array versions of every registered op, for NumPy arrays (filled by
    defop and array_op; array_ops_for gives other array libraries theirs)."""


# name -> declaration of every raw-array formula function (the ops' forwards
# and the helpers given by array_op), as _backend.bind takes them.
_ARRAY_DECLS = {}
_BUILT = []        # backends other than NumPy whose array_ops exist


def array_op(name, decl):
    """F.<name> for formulas on raw arrays: `decl` as a forward is declared
    (a namespace function's name, or a function; see _backend.bind)."""
    _ARRAY_DECLS[name] = decl
    setattr(ArrayOps, name, staticmethod(_backend.bind(decl, _NUMPY)))
    for be in _BUILT:
        setattr(be.array_ops, name, staticmethod(_backend.bind(decl, be)))


def array_ops_for(backend):
    """The raw-array formula namespace for `backend`'s arrays (built once)."""
    ops = backend.array_ops
    if ops is None:
        if backend is _NUMPY:
            ops = ArrayOps
        else:
            ops = type(f"ArrayOps_{backend.name}", (), {
                "__doc__": f"Raw-array versions of every registered op, for {backend.name}.",
                **{n: staticmethod(_backend.bind(d, backend)) for n, d in _ARRAY_DECLS.items()}})
            _BUILT.append(backend)
        backend.array_ops = ops
    return ops


class TensorOps:
    """Differentiable versions of every registered op (filled by expose)."""


# Every node's formula namespaces (the engine reaches ops only through these).
Node.array_ops = ArrayOps
Node.tensor_ops = TensorOps

# The public forms, name -> function.  INPLACE maps a method name such as
# "add_" to the out-of-place function it runs in place (_methods.py wraps it).
FUNCTIONS = {}
METHODS = {}
INPLACE = {}
OPS = {}          # every declared op by name (for tools: tracers, tests)


def expose(fn, *names, function=True, method=True, inplace=False, formulas=True):
    """Make `fn` public under each of `names` (its own name if none):
    as chainrule.<name> (function), Tensor.<name> (method; a function whose
    first parameter is the tensor), Tensor.<name>_ (inplace), and
    TensorOps.<name> for backward formulas (formulas).  `method` may also
    be a different callable, for the few methods whose signature differs
    from the function's (x.view(2, 3), x.permute(1, 0))."""
    names = names or (fn.__name__,)
    for n in names:
        if function:
            FUNCTIONS[n] = fn
        if method:
            METHODS[n] = fn if method is True else method
        if inplace:
            INPLACE[n + "_"] = fn
    if formulas:
        setattr(TensorOps, names[0], staticmethod(fn))
    return fn


# Nodes whose PyTorch counterparts save an index or mask tensor (chainrule keeps
# those in params): freed by a backward without retain_graph like saved values,
# so that a second backward raises PyTorch's error there too.
HOLDS_TENSORS = {
    "SortBackward0", "TopkBackward0", "KthvalueBackward0", "MedianBackward1",
    "NanmedianBackward1", "ModeBackward0", "CummaxBackward0", "CumminBackward0",
    "MaxBackward0", "MinBackward0", "GatherBackward0", "IndexSelectBackward0", "TakeBackward0",
    "IndexBackward0", "ScatterBackward0", "ScatterAddBackward0", "IndexAddBackward0",
    "MaskedSelectBackward0", "EmbeddingBackward0", "IndexFillBackward0",
    "MaskedFillBackward0", "IndexCopyBackward0", "MaskedScatterBackward0",
    "ScatterReduceBackward0",
}


def _mark_holding(cls):
    """Give a node class in HOLDS_TENSORS its freeing: nodes start with an empty
    `saved` (dispatch reads _nothing_saved), which backward frees (None).  A
    variant of such a class that is not in the set gets the plain behaviour back."""
    if cls._save_plan:
        return cls
    holding = cls.__name__ in HOLDS_TENSORS
    if holding == (cls._nothing_saved is not None):
        return cls
    if not holding:                              # a plain variant of a holding op
        cls.saves_tensors = False
        cls._nothing_saved = None
        cls.apply_raw = getattr(cls, "_unwrapped_raw", None)
        return cls
    cls.saves_tensors = True
    cls._nothing_saved = ()
    raw = cls.apply_raw
    if raw is not None:
        def apply_raw(self, g, needed=None, _raw=raw):
            if self.saved is None:
                raise _errors.freed_graph()
            return _raw(self, g, needed)
        cls._unwrapped_raw = raw
        cls.apply_raw = apply_raw
    return cls


def _camel(name):
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


class Op:
    """One operation: its forward on arrays and its Node class (which carries
    the backward formulas; a non-differentiable op has none).

    `forward` is the forward for NumPy arrays; `forward_for(backend)` the one
    for another array library's (resolved from the declaration once)."""

    # Whether each output element depends only on the same element of each
    # input (after broadcasting), with no shapes in its params: its Jacobian
    # is diagonal, so the formula applied to ones is the local derivative
    # (chainrule.viz shows it), and under vmap the batch broadcasts like any
    # other dimension (ops/_batching.py).  Set by `elementwise(...)` beside
    # the ops' declarations.
    elementwise = False
    # How the op meets complex inputs that require grad (the dispatch point
    # asks, see complex_ready): None refuses them (its formulas were written
    # for real numbers only); "holomorphic": its formulas are g times a
    # derivative built from the saved values with real coefficients, made
    # PyTorch's conjugate Wirtinger gradient by conjugating the saved values
    # (complex_node); "aware": its formulas handle complex values themselves.
    complex = None

    def __init__(self, name, forward, node_cls, inputs, params, differentiable=True):
        self.name = name
        self.differentiable = differentiable
        self.declared_forward = forward
        self.forward = _backend.bind(forward, _NUMPY)
        self._forwards = {_NUMPY: self.forward}
        self.Node = node_cls
        self.inputs = inputs
        self.params = params
        self.save_plan = node_cls._save_plan
        # True when the node saves exactly its inputs, in order (apply() then
        # stores the inputs tuple as is).
        self.saves_inputs = bool(inputs) and self.save_plan == tuple(range(len(inputs)))
        self._variants = {node_cls.__name__: node_cls}
        # The Python operator that computes a forward that is one of NumPy's
        # arithmetic or comparison ufuncs on two NumPy scalars (operator.mul
        # for mul), or None: the dispatch point's path for a 0-d tensor and a
        # number uses it (see apply_number and _backend.SCALAR_OPERATORS).
        scalar = None if params or len(inputs) != 2 else \
            _backend.SCALAR_OPERATORS.get(self.forward)
        self.on_scalars = None if scalar is None else scalar[1]

    def forward_for(self, backend):
        f = self._forwards.get(backend)
        if f is None:
            f = self._forwards[backend] = _backend.bind(self.declared_forward, backend)
        return f

    def variant(self, node_name):
        """The same formulas under another grad_fn name (PyTorch names e.g.
        `sum()` SumBackward0 but `sum(dim)` SumBackward1)."""
        cls = self._variants.get(node_name)
        if cls is None:
            cls = _mark_holding(type(node_name, (self.Node,), {"__slots__": ()}))
            self._variants[node_name] = cls
        return cls

    def __repr__(self):
        return f"<op {self.name}>"


def shows(text):
    """Mark a helper that formulas call with what it computes, written as a
    formula (chainrule.viz shows the text where the call would say little)."""
    def mark(fn):
        fn.shows = text
        return fn
    return mark


def elementwise(*ops):
    """Declare ops elementwise (see Op.elementwise)."""
    for op in ops:
        op.elementwise = True


def complex_ready(kind, *ops):
    """Declare how ops take complex inputs that require grad (see Op.complex)."""
    for op in ops:
        op.complex = kind


def complex_node(cls):
    """The node class recording a holomorphic op on complex values: the
    same formulas and grad_fn name, run on the conjugates of the saved
    values.  For f holomorphic with real Taylor coefficients (every such op
    here) conj(f'(z)) = f'(conj z), so `g * cos(x)` becomes PyTorch's
    gradient g * conj(cos(x)); a real input's gradient is the real part.
    Built once per class; a complex node's own variant is itself."""
    c = cls.__dict__.get("_complex_variant")
    if c is None:
        if cls.__dict__.get("_is_complex_variant"):
            return cls
        c = type(cls.__name__, (cls,), {"__slots__": (), "apply_raw": None,
                                        "_is_complex_variant": True,
                                        "apply_formulas": _complex_apply_formulas})
        cls._complex_variant = c
    return c


def complex_like(node, cls):
    """cls, as complex_node's variant when `node` is one: for renaming a
    recorded node (node.__class__ = ...) without losing its conjugation."""
    return complex_node(cls) if type(node).__dict__.get("_is_complex_variant") else cls


def _conj_value(F, v, create_graph):
    if v is None or v.__class__ is int or v.__class__ is float or v.__class__ is bool:
        return v
    if v.__class__ is complex:
        return v.conjugate()
    d = v._data if create_graph else v
    return F.conj(v) if getattr(d, "dtype", None) is not None and d.dtype.kind == "c" else v


def _complex_apply_formulas(self, g, create_graph, needed=None):
    """Node.apply_formulas for complex_node classes (see there)."""
    if create_graph:
        F = self.tensor_ops
    elif g.__class__ in _FOREIGN:
        F = _backend.backend_of(g).array_ops
    else:
        F = self.array_ops
    saved = self.saved
    if saved is not None and self._epoch != _EPOCH[0]:
        _check_saved(self)
    if saved is None:
        if self.saves_tensors:
            raise _errors.freed_graph()
        vals = list(self.params)
    else:
        raw = self._unpack_tensors(saved) if create_graph else \
            [v._data if isinstance(v, Tensor) else v for v in saved]
        vals = [_conj_value(F, v, create_graph) for v in raw] + list(self.params)
    grads = self._formula_grads(F, g, vals, needed)
    for i, (gi, m) in enumerate(zip(grads, self.meta)):
        if gi is not None:
            d = gi._data if isinstance(gi, Tensor) else gi
            if d.dtype.kind == "c" and m[1].kind != "c":
                gi = F.real(gi)            # a real input's gradient: the real part
                d = gi._data if isinstance(gi, Tensor) else gi
            if d.shape != m[0] or d.dtype != m[1]:
                gi = F.fit(gi, m[0], m[1])
            grads[i] = gi
    return grads


def defop(name, forward, *formulas, inputs=("x",), params=(), node_name=None,
          combined=None, quiet=True, numbers_as_arrays=False):
    """Register op `name`.

    forward(*input_arrays, *params) -> array (the formulas may also call it
    as F.<name> with fewer params: give the others defaults); a function, or
    the name of the array namespace's function, as _backend.bind takes it.
    formulas: one per input, `lambda F, g, <names>: grad`, or None where the
    input is not differentiable.  `combined` instead gives one function
    returning every input's gradient (for ops like cat, where the inputs share
    the work).  quiet=False: the forward only moves elements (views, indexing,
    comparisons), so it cannot meet a floating-point error and the dispatch
    point need not silence NumPy's warnings for it.  numbers_as_arrays: the
    formulas use an input given as a Python number (x * 2) only in arithmetic,
    so the plain backward may hand it to them as a 0-d array of the
    gradient's dtype (NumPy takes that 0.24 us faster than the number).
    """
    differentiable = bool(formulas) or combined is not None
    if differentiable and combined is None and len(formulas) != len(inputs):
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
        attrs["_pick2"] = tuple(_codegen.saved_picker(name, plan, keep) for keep in keep2)
    if combined is not None:
        slots = resolve(comb_slots)
        attrs["combined"] = staticmethod(
            lambda F, g, *vals, _f=combined, _s=slots: _f(F, g, *[vals[i] for i in _s]))
    if combined is None and differentiable:
        attrs["apply_raw"] = _codegen.raw_apply(
            name, compiled, len(used), len(params), ArrayOps,
            numbers=[plan[i] >= 0 for i in range(len(used))] if numbers_as_arrays else None)
    cls = _mark_holding(type(node_name or _camel(name) + "Backward0", (Node,), attrs))
    if "apply_raw" in attrs:
        _codegen.track(cls)
    op = Op(name, forward, cls, tuple(inputs), tuple(params), differentiable)
    op.quiet = quiet
    # The saved tuple when every input takes part (the common case), built by
    # a small generated function rather than a loop over the plan.
    op.pick_all = _codegen.saved_picker(name, plan, (True,) * len(plan)) if plan else None
    OPS[name] = op
    cls._op = op
    array_op(name, forward)
    return op

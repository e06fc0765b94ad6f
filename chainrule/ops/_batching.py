"""vmap at the dispatch point: an op with BatchedTensor inputs, computed on the batch.

    _dispatch.apply(op, inputs, ...)  --(an input is batched)-->  dispatch(...)

The innermost level among the inputs is lowered: each BatchedTensor of that
level is replaced by its value (the batch, batch dimension first), every other
input stays as it is (unbatched at this level), and the op's batching rule
computes the batched result from them with ordinary ops, which record the
graph on the batch; the result is wrapped again.  Inputs batched at outer
levels only reach the dispatch point again from inside the rule and are
lowered there in turn, so nested vmap needs nothing more.

A rule is declared beside its op (`batching(rule, OP, ...)`, ops/*.py) and is
`rule(c) -> Tensor` (batch dimension first), or NotImplemented to decline.
`c` (a Call) holds the op, the lowered inputs, which of them are batched, the
per-sample arrays and params the op's public function prepared, and the
batch size.  Most ops need one of the generic rules below:

* BROADCAST: elementwise ops.  The batch dimension is first, so a batched
  operand whose per-sample rank is lower than another operand's gets size-1
  dimensions after its batch dimension; unbatched operands broadcast as
  they are.  Params must not hold shapes.
* reducing(...): dims params shifted by one, `shape` params given the batch.

An op without a rule (or whose rule declines) runs the slow path: a Python
loop over the batch, each sample sliced out, the op applied, the results
stacked.  Every op therefore works under vmap, at B times the dispatch cost.
An array of a batched tensor found in the params (argmax's indices for
max(dim), an index tensor's for x[i]) is split per sample too.  Public
functions that turn index tensors into other arrays before dispatch
(index_select, take, scatter..., embedding) are declared with
`loops_when_batched`: with a batched index they loop at their own level.
"""
import functools
import inspect

from .. import _batched
from .._inplace_state import VMAP_ACTIVE
from .._batched import BatchedTensor, LEVELS, wrap
from .._tensor import Tensor
from . import _dispatch
from ._registry import FUNCTIONS, OPS

__all__ = ["dispatch", "batching", "loops_when_batched", "mark", "declared_since", "Call", "BROADCAST", "reducing", "materialize",
           "aligned", "reducing_losses", "materialized"]


class Call:
    """One op call being batched (see the module docstring)."""
    __slots__ = ("op", "inputs", "xs", "batched", "arrays", "params", "node_cls", "size")

    def __init__(self, op, inputs, xs, batched, arrays, params, node_cls, size):
        self.op, self.inputs, self.xs, self.batched = op, inputs, xs, batched
        self.arrays, self.params, self.node_cls, self.size = arrays, params, node_cls, size

    def rank(self, i):
        """The per-sample rank of input i."""
        a = self.arrays[i]
        return getattr(a, "ndim", 0)

    def array_of(self, i, x):
        """The array the op computes with for lowered input i (now x): x's,
        in the dtype the public function chose."""
        if not self.batched[i] and x is self.xs[i]:
            return self.arrays[i]
        d = x._data
        want = getattr(self.arrays[i], "dtype", None)
        if want is not None and d.dtype != want:
            d = d.astype(want)
        return d

    def apply(self, xs, params=None, op=None, node_cls=None):
        """The op (or `op`) on lowered inputs xs with `params`."""
        op = op or self.op
        arrays = tuple(self.array_of(i, x) for i, x in enumerate(xs))
        return _dispatch.apply(op, tuple(xs), arrays,
                               self.params if params is None else tuple(params),
                               node_cls if node_cls is not None else self.node_cls)


def batching(rule, *ops):
    """Declare `rule` as the batching rule of each op (and its variants)."""
    for op in ops:
        op.batch_rule = rule
    return rule


def mark():
    """Where the op table stands: `batching(rule, *declared_since(m))` at the
    end of an op module gives every op it declared that rule."""
    return len(OPS)


def declared_since(m, exclude=()):
    return [op for op in list(OPS.values())[m:] if op not in exclude]


def dispatch(op, inputs, arrays, params, node_cls):
    """The batched result of op, or None when no input is batched."""
    level = 0
    for x in inputs:
        if x.__class__ is BatchedTensor and x._level > level:
            level = x._level
    if not level:
        return None
    size = LEVELS[level - 1].size
    xs, batched = [], []
    for x in inputs:
        if x.__class__ is BatchedTensor and x._level == level:
            xs.append(x._value)
            batched.append(True)
        else:
            xs.append(x)
            batched.append(False)
    c = Call(op, inputs, xs, batched, arrays, params, node_cls, size)
    rule = getattr(op, "batch_rule", None)
    if rule is None and op.elementwise:
        rule = BROADCAST
    out = NotImplemented if rule is None else rule(c)
    if out is NotImplemented:
        out = _loop(c)
    return wrap(out, level)


def _loop(c):
    """The slow path: the op once per sample, the results stacked."""
    for i, x in enumerate(c.inputs):
        if c.batched[i]:
            a = c.arrays[i]
            if getattr(a, "shape", None) != x._data.shape:
                raise _batched.Unbatchable(
                    f"vmap: there is no batching rule for {c.op.name}, and its arguments cannot "
                    f"be split per sample (the op rearranges them before dispatch)")
    getitem = FUNCTIONS["select"]
    level = c.inputs[c.batched.index(True)]._level
    split = _params_splitter(c.params, level)
    results = []
    for b in range(c.size):
        xs = [getitem(x, 0, b) if c.batched[i] else x for i, x in enumerate(c.xs)]
        results.append(c.apply(xs, None if split is None else split(b)))
    if not results:
        raise RuntimeError(f"vmap: {c.op.name} has no batching rule, and the batch is empty")
    return FUNCTIONS["stack"](results)


def _params_splitter(params, level):
    """None if no param holds a batched tensor's array, else b -> the params
    of sample b (such arrays, also inside tuples, replaced by their sample b)."""
    found = False

    def scan(p):
        nonlocal found
        if p.__class__ is tuple:
            for q in p:
                scan(q)
        elif _batched.batched_array(p, level) is not None:
            found = True
    for p in params:
        scan(p)
    if not found:
        return None

    def pick(p, b):
        if p.__class__ is tuple:
            return tuple(pick(q, b) for q in p)
        full = _batched.batched_array(p, level)
        return p if full is None else full[b]
    return lambda b: tuple(pick(p, b) for p in params)


def loops_when_batched(*names):
    """For a public function whose arguments `names` (index tensors) become
    arrays in an op's params: while vmap is open and one of them is batched,
    the function is called once per sample and the results stacked (the
    batched dispatch cannot see a batch behind an array the function made
    from the index).  Costs one flag read otherwise."""
    def decorate(fn):
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if VMAP_ACTIVE[0]:
                bound = sig.bind(*args, **kwargs)
                level = max((v._level for n, v in bound.arguments.items()
                             if n in names and v.__class__ is BatchedTensor), default=0)
                if level:
                    return _per_sample_call(fn, level, bound)
            return fn(*args, **kwargs)
        return wrapper
    return decorate


def _per_sample_call(fn, level, bound):
    size = LEVELS[level - 1].size
    select = FUNCTIONS["select"]

    def sample(v, b):
        if v.__class__ is BatchedTensor and v._level == level:
            return select(v._value, 0, b)
        return v
    results = []
    for b in range(size):
        args = [sample(v, b) for v in bound.args]
        kwargs = {k: sample(v, b) for k, v in bound.kwargs.items()}
        results.append(fn(*args, **kwargs))
    return wrap(FUNCTIONS["stack"](results), level)


# --- helpers for rules --------------------------------------------------------------------
def aligned(c, x, i, rank):
    """Lowered batched input i (now x) with size-1 dimensions after the batch
    dimension, up to per-sample rank `rank`."""
    r = c.rank(i)
    if r >= rank:
        return x
    s = tuple(x.shape)
    return FUNCTIONS["reshape"](x, s[:1] + (1,) * (rank - r) + s[1:])


def materialize(c, x, i):
    """Lowered input i batched (an unbatched one expanded over the batch)."""
    if c.batched[i]:
        return x
    if not isinstance(x, Tensor):
        raise TypeError("vmap: expected a tensor")
    return x.unsqueeze(0).expand(c.size, *x.shape)


def _broadcast(c):
    rank = max(c.rank(i) for i in range(len(c.xs)))
    return c.apply([aligned(c, x, i, rank) if c.batched[i] else x
                    for i, x in enumerate(c.xs)])


BROADCAST = _broadcast


def _shift(dims, rank):
    """Per-sample dims (None: all) as dims of the batch."""
    if rank == 0:
        return ()
    if dims is None:
        return tuple(range(1, rank + 1))
    if isinstance(dims, int):
        return dims % rank + 1
    return tuple(d % rank + 1 for d in dims)


def reducing(dims_at, shape_at=None, none_means_all=True):
    """The rule of an op on one tensor whose params hold per-sample dims (a
    tuple, an int or None at `dims_at`) and the input's shape (at `shape_at`)."""
    def rule(c):
        if len(c.xs) != 1 and any(c.batched[1:]):
            return NotImplemented
        p = list(c.params)
        r = c.rank(0)
        d = p[dims_at]
        if (d is None and not none_means_all) or (isinstance(d, int) and r == 0):
            return NotImplemented
        p[dims_at] = _shift(d, r)
        if shape_at is not None:
            p[shape_at] = (c.size,) + tuple(p[shape_at])
        return c.apply(c.xs, p)
    return rule


def reducing_losses(c):
    """Elementwise losses with params (reduction, n, ...): the loss of each
    element by broadcasting (reduction 'none'), then each sample's mean or sum."""
    reduction = c.params[0]
    rank = max(c.rank(i) for i in range(len(c.xs)))
    out = c.apply([aligned(c, x, i, rank) if c.batched[i] else x for i, x in enumerate(c.xs)],
                  ("none",) + tuple(c.params[1:]))
    if reduction == "none" or out.dim() == 1:
        return out
    return FUNCTIONS["mean" if reduction == "mean" else "sum"](out, tuple(range(1, out.dim())))


def materialized(dim_at):
    """cat and stack: every input batched, the dim param shifted by one."""
    def rule(c):
        p = list(c.params)
        p[dim_at] = p[dim_at] + 1
        return c.apply([materialize(c, x, i) for i, x in enumerate(c.xs)], p)
    return rule

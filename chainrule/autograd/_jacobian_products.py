"""Jacobian products: the derivative computations behind autograd.functional
and chainrule.func.

Both APIs take a function, evaluate it on tensors that require grad, and then
need the same few things from the graph it recorded; only their argument
conventions (tuples or pytrees, ``argnums``, ``has_aux``, ``strict``,
``create_graph``) and PyTorch's messages differ, and those stay with them.
What they share lives here, once:

* ``vjp``: the vector-Jacobian product v^T J, one reverse pass.
* ``Linearization``: the Jacobian-vector product J t by the double-backward
  trick.  u -> J^T u is linear in a dummy cotangent u, so
  J t = d<J^T u, t>/du; built once, it pushes any number of tangents.  It
  serves where forward mode cannot: results that must stay differentiable
  with respect to tensors from outside (create_graph, enclosing transforms).
* ``forward_jvp``: J t by forward-mode AD (autograd.forward_ad), one
  evaluation of the function on dual tensors.
* ``vectorized_rows`` / ``vectorized_columns``: the same whole Jacobians from
  one evaluation under vmap (what jacrev, jacfwd and jacobian(vectorize=True)
  try first), None where the function cannot be vmap'd.
* ``jacobian_rows`` / ``jacobian_columns`` / ``stack_blocks``: whole Jacobians,
  one product per basis vector (a row per output element by reverse mode, a
  column per input element by forward mode), stacked into blocks of shape
  ``output.shape + input.shape``.

A derivative that does not exist because nothing connects an output to an
input is ``None`` throughout; the callers decide whether that is a zero or a
strict-mode error.  Grad mode: ``vjp`` and the row / column loops run in the
caller's grad mode (the callers enable grad around them); a ``Linearization``
enables grad itself, since its dummy graph must be recorded.
"""
import chainrule as _cr      # stack is looked up at call time (see stack_blocks)
from .. import _batched, _func_levels
from .._grad_mode import enable_grad
from .._inplace_state import EPOCH
from .._tensor import Tensor
from . import forward_ad
from . import grad as _autograd_grad

__all__ = ["vjp", "Linearization", "forward_jvp", "zeros_like", "fill_zeros", "one_hot",
           "basis", "jacobian_rows", "jacobian_columns", "stack_blocks", "vectorized_rows",
           "vectorized_columns"]


# ---------------------------------------------------------------------------
# products
# ---------------------------------------------------------------------------

def vjp(outputs, inputs, cotangents, create_graph, retain_graph=True):
    """sum_i cotangents[i]^T d outputs[i] / d inputs: one entry per input,
    ``None`` where no output reaches it.

    Outputs that are None or not part of any graph contribute nothing and are
    skipped, since autograd.grad refuses them.  A ``None`` cotangent is the
    implicit 1 of a one-element output."""
    pairs = [(y, c) for y, c in zip(outputs, cotangents) if y is not None and y.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _autograd_grad([y for y, _ in pairs], inputs, [c for _, c in pairs],
                          retain_graph=retain_graph, create_graph=create_graph,
                          allow_unused=True)


class Linearization:
    """The outputs' Jacobian with respect to the inputs, ready to push
    tangents through by the double-backward trick (see the module docstring).

    ``dummies`` holds the cotangent u of each output (None for an output
    outside the graph, whose derivative is zero); ``transposed`` holds J^T u,
    one entry per input (None where no output reaches it)."""

    def __init__(self, outputs, inputs):
        with enable_grad():
            self.dummies = tuple(_dummy(y) if y is not None and y.requires_grad else None
                                 for y in outputs)
            self.transposed = vjp(outputs, inputs, self.dummies, create_graph=True)

    def push(self, tangents, create_graph):
        """J t, one entry per output (None where J is zero), for one tangent
        per input; recorded in the graph with ``create_graph``."""
        live = [u for u in self.dummies if u is not None]
        with enable_grad():
            found = iter(vjp(self.transposed, live, tangents, create_graph) if live else ())
        return tuple(None if u is None else next(found) for u in self.dummies)


def _dummy(y):
    """A zero cotangent of y that requires grad; inside vmap batched as y is
    (each sample's own), so that derivatives with respect to it are per sample."""
    u = zeros_like(y)
    if y.__class__ is not Tensor:
        u = _batched.add_levels(u, _batched.levels_of(y)).detach()
    return _func_levels.requires_grad_internally(u)


def forward_jvp(call, primals, tangents):
    """J t by forward-mode AD: ``call(duals)`` evaluates the function on dual
    tensors (each primal carrying its tangent) and returns
    ``(outputs, extra)``.  Returns ``(primal outputs, output tangents, extra)``,
    a tangent being None where no input reaches that output."""
    with forward_ad.dual_level():
        duals = [forward_ad.make_dual(p, t) for p, t in zip(primals, tangents)]
        outputs, extra = call(duals)
        unpacked = [forward_ad.unpack_dual(o) for o in outputs]
    return [u.primal for u in unpacked], [u.tangent for u in unpacked], extra


# ---------------------------------------------------------------------------
# basis vectors and zeros
# ---------------------------------------------------------------------------

def zeros_like(t):
    """Zeros of t's shape and dtype, outside any graph."""
    return t.new_zeros(tuple(t.shape))


def fill_zeros(values, refs):
    """Unreached derivatives (None) become zeros shaped like their reference."""
    return tuple(zeros_like(r) if v is None else v for v, r in zip(values, refs))


def one_hot(ref, k):
    """A tensor shaped like ``ref`` with a single 1 at flat position k."""
    e = zeros_like(ref).reshape(-1)
    e[k] = 1
    return e.reshape(tuple(ref.shape))


def basis(refs):
    """``(j, vectors)`` for every element of every tensor in ``refs``, in
    order: ``vectors`` is one-hot at that element of ``refs[j]`` and zero for
    the other tensors (zeros that still flow through the graph, so signed
    zeros come out as PyTorch's)."""
    for j, ref in enumerate(refs):
        for k in range(ref.numel()):
            yield j, tuple(one_hot(ref, k) if jj == j else zeros_like(other)
                           for jj, other in enumerate(refs))


# ---------------------------------------------------------------------------
# whole Jacobians
# ---------------------------------------------------------------------------

def jacobian_rows(outputs, inputs, create_graph, joint, check=None):
    """One vector-Jacobian product per output element.

    Returns ``rows[i][j]``: for each element of ``outputs[i]`` in order, its
    derivative with respect to ``inputs[j]`` (None where unreached).  With
    ``joint`` every product is taken over all outputs at once, the others
    with a zero cotangent (as torch.func, whose sums and signed zeros this
    reproduces); otherwise over the one output alone (as
    torch.autograd.functional).  ``check(i, j, g)``, when given, sees each
    derivative as it is computed, may raise, and returns what to keep."""
    rows = [[[] for _ in inputs] for _ in outputs]

    def add(i, ys, cotangents):
        for j, g in enumerate(vjp(ys, inputs, cotangents, create_graph)):
            rows[i][j].append(g if check is None else check(i, j, g))

    if joint:
        for i, cotangents in basis(outputs):
            add(i, outputs, cotangents)
    else:
        for i, y in enumerate(outputs):
            for k in range(y.numel()):
                add(i, (y,), (one_hot(y, k),))
    return rows


def jacobian_columns(push, inputs, n_outputs=None):
    """One Jacobian-vector product per input element.

    ``push(tangents)`` gives the outputs' tangents (None where unreached) for
    one tangent per input, or None to give up (then this returns None).
    Returns ``columns[i][j]``: for each element of ``inputs[j]`` in order, the
    tangent of output i.  ``n_outputs`` may be left out when it is learnt
    from the first push (there must then be at least one)."""
    columns = None if n_outputs is None else [[[] for _ in inputs] for _ in range(n_outputs)]
    for j, tangents in basis(inputs):
        pushed = push(tangents)
        if pushed is None:
            return None
        if columns is None:
            columns = [[[] for _ in inputs] for _ in pushed]
        for i, t in enumerate(pushed):
            columns[i][j].append(t)
    return columns


# ---------------------------------------------------------------------------
# whole Jacobians by vmap: one batched evaluation instead of a loop
# ---------------------------------------------------------------------------

def _identity_rows(n, like, offset, count, rows=None):
    """Columns offset..offset+count of the n x n identity (its rows `rows`, a
    slice, or all) as a batch of tensors shaped like `like`."""
    eye = _cr.eye(n, dtype=like.dtype)
    if rows is not None:
        eye = eye[rows]
    return eye[:, offset:offset + count].reshape((eye.shape[0],) + tuple(like.shape))


def vectorized_rows(call, inputs, outputs, create_graph, chunk_size=None):
    """``blocks[i][j]`` (shape ``outputs[i].shape + inputs[j].shape``, None
    where unreached) by reverse mode with vmap: ``call(inputs) -> outputs``
    evaluated once on a batch of M copies of the inputs (M output elements in
    all), then one backward pass with the M basis cotangents (row k: one-hot at
    output element k, zero for the other outputs, as jacobian_rows' joint
    rows); with ``chunk_size``, that many rows at a time.  None when the
    function cannot be vmap'd (data-dependent control flow...), for the
    caller's loop."""
    m = sum(y.numel() for y in outputs)
    if not m or not all(y.is_floating_point() for y in outputs):
        return None
    step = m if chunk_size is None else chunk_size
    pieces = []
    for start in range(0, m, step):
        rows = slice(start, min(start + step, m))
        n = rows.stop - rows.start
        with enable_grad():
            batch = [x.unsqueeze(0).expand(n, *x.shape) for x in inputs]
            ybs = _trying(_cr.func.vmap(lambda *xs: tuple(call(xs))), batch)
            if ybs is None:
                return None
            cots, offset = [], 0
            for y in outputs:
                cots.append(_identity_rows(m, y, offset, y.numel(), rows))
                offset += y.numel()
            pieces.append(vjp(ybs, batch, cots, create_graph))
    grads = [None if any(p[j] is None for p in pieces) else
             (pieces[0][j] if len(pieces) == 1 else _cr.cat([p[j] for p in pieces]))
             for j in range(len(inputs))]
    blocks, offset = [], 0
    for y in outputs:
        n = y.numel()
        blocks.append([None if g is None else
                       g[offset:offset + n].reshape(tuple(y.shape) + tuple(x.shape))
                       for g, x in zip(grads, inputs)])
        offset += n
    return blocks


def vectorized_columns(push, inputs, n_outputs):
    """``blocks[i][j]`` by forward mode with vmap: ``push(tangents)`` (the
    outputs' tangents, or None to give up) run once under vmap over the N
    basis tangents (N input elements in all).  None when it gives up or the
    function cannot be vmap'd."""
    n = sum(x.numel() for x in inputs)
    if not n or not all(x.is_floating_point() for x in inputs):
        return None
    basis_, offset = [], 0
    for x in inputs:
        basis_.append(_identity_rows(n, x, offset, x.numel()))
        offset += x.numel()

    def pushed(*tangents):
        out = push(list(tangents))
        if out is None:
            raise _GiveUp
        return tuple(out)
    try:
        tangents = _trying(_cr.func.vmap(pushed), basis_, _batched.NoVmapRule)
    except _GiveUp:
        return None
    if tangents is None:
        return None
    blocks = []
    for i, t in enumerate(tangents[:n_outputs] if n_outputs is not None else tangents):
        row, offset = [], 0
        y_shape = tuple(t.shape[1:])
        for x in inputs:
            k = x.numel()
            part = _cr.movedim(t[offset:offset + k], 0, -1)
            row.append(part.reshape(y_shape + tuple(x.shape)))
            offset += k
        blocks.append(row)
    return blocks


def _trying(batched_fn, args, raises=()):
    """batched_fn(*args), or None where vmap cannot batch the function (but
    for the errors `raises`), or where it changes tensors in place (a loop
    gives PyTorch's results there)."""
    epoch = EPOCH[0]
    _batched.TRYING[0] += 1
    try:
        out = batched_fn(*args)
    except raises as e:
        raise RuntimeError(*e.args) from None
    except _batched.Unbatchable:
        return None
    finally:
        _batched.TRYING[0] -= 1
    return None if EPOCH[0] != epoch else out


class _GiveUp(Exception):
    """A forward push that cannot serve (see vectorized_columns)."""


def stack_blocks(parts, outputs, inputs, dim, allow_empty=True):
    """``blocks[i][j]``, of shape ``outputs[i].shape + inputs[j].shape``, from
    the rows (``dim=0``, each shaped like the input) or columns (``dim=-1``,
    each shaped like the output) in ``parts[i][j]``.

    A None part is a zero; a block without parts (an output or input with no
    elements) is zeros of the parts' dtype, unless ``allow_empty`` is False:
    then stacking nothing fails as it does in PyTorch."""
    blocks = []
    for i, y in enumerate(outputs):
        row = []
        for j, x in enumerate(inputs):
            shape = tuple(y.shape) + tuple(x.shape)
            like = x if dim == 0 else y
            if parts[i][j] or not allow_empty:
                # chainrule.stack: ops.shape cannot be imported here, as this
                # module loads while ops/_registry is still being imported
                # (ops/_registry -> autograd -> functional -> this module)
                block = _cr.stack(fill_zeros(parts[i][j], [like] * len(parts[i][j])), dim=dim)
                row.append(block.reshape(shape))
            else:
                row.append(like.new_zeros(shape))
        blocks.append(row)
    return blocks

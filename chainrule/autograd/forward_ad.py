"""Forward-mode AD: tensors carry a tangent, and every op pushes tangents
forward as it computes (PyTorch's torch.autograd.forward_ad).

    with fwAD.dual_level():
        x = fwAD.make_dual(primal, tangent)
        y = f(x)
        jvp = fwAD.unpack_dual(y).tangent

Tangent rules are not written twice: an op's Jacobian-vector product is
derived from its backward formulas.  A backward formula is linear in the
output gradient u, vjp(u) = J^T u, so J t = d/du <J^T u, t>: the registry
runs the op's formulas on a symbolic u (create_graph) and differentiates
once more.  Every op with a backward formula therefore has a tangent rule,
and forward and reverse mode agree by construction.
"""
import collections

from .. import _batched
from .._grad_mode import STATE, enable_grad
from .._tensor import Tensor
from ..ops import _backend

__all__ = ["dual_level", "make_dual", "unpack_dual", "enter_dual_level", "exit_dual_level",
           "UnpackedDualTensor"]

# The active dual level (PyTorch supports one at a time too), and the tensors
# given tangents at it, whose tangents are dropped when the level exits.
_LEVEL = {"current": None, "duals": [], "count": 0}   # count: levels entered so far
from .._inplace_state import FW_ACTIVE as ACTIVE, SPECIAL as _SPECIAL
from .._inplace_state import special as _special
from .._inplace_state import VMAP_ACTIVE as _VMAP_ACTIVE

UnpackedDualTensor = collections.namedtuple("UnpackedDualTensor", ["primal", "tangent"])


def current_level():
    """The open dual level, or None."""
    return _LEVEL["current"]


def enter_dual_level():
    if _LEVEL["current"] is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _LEVEL["current"] = 0
    _LEVEL["count"] += 1
    ACTIVE[0] = _SPECIAL[0] = True
    return 0


def exit_dual_level(*, level=None):
    for t in _LEVEL["duals"]:
        t._fw_tangent = None
    _LEVEL["duals"] = []
    _LEVEL["current"] = None
    ACTIVE[0] = False
    # (a torch.func level or chainrule.compile's capture may still need the special path)
    _SPECIAL[0] = _special(False)


class dual_level:
    """Context manager: tangents exist inside it."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False


def make_dual(tensor, tangent, *, level=None):
    if _LEVEL["current"] is None:
        raise RuntimeError("To create a dual Tensor, you must first enter a dual level using "
                           "`with torch.autograd.forward_ad.dual_level():`")
    if not tensor.is_floating_point() and not tensor.is_complex():
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than "
                           f"that of the original Tensor, this is not supported. Tensor is of "
                           f"size {list(tensor.shape)} while the given forward gradient is of "
                           f"size {list(tangent.shape)}.")
    if _VMAP_ACTIVE[0] and tangent.__class__ is _batched.BatchedTensor:
        # inside vmap, a batched tangent of an unbatched primal: the primal
        # is the same for every sample, the tangents differ
        tensor = _batched.add_levels(tensor, _batched.levels_of(tangent))
    dual = tensor.view_as(tensor)
    if not tensor._requires_grad and dual._view_of is not None:
        # As in PyTorch, the dual's tangent is its own: in-place changes through
        # the dual (or views of it) do not give the primal a tangent.  It stays
        # a view of the primal's storage (one version counter); only the view
        # bookkeeping, which is there for the graph and tangents, ends here.
        # (Where the primal requires grad the view stays, for PyTorch's
        # in-place errors on views of leaves.)  The primal's set of live views
        # may still hold the dual: refreshes skip views whose _view_of is None.
        dual._view_of = None
    dual._fw_tangent = tangent if tangent.dtype is tensor.dtype else tangent.to(tensor.dtype)
    _LEVEL["duals"].append(dual)
    return dual


def unpack_dual(tensor, *, level=None):
    tangent = tensor._fw_tangent if _LEVEL["current"] is not None else None
    primal = tensor.view_as(tensor) if tangent is not None else tensor
    if tangent is not None:
        primal._fw_tangent = None
    return UnpackedDualTensor(primal, tangent)


def push_tangent(node, inputs, out_tensor):
    """Give out_tensor the tangent J t of the op `node` recorded, from its
    inputs' tangents (called by the dispatch point while a dual level is active)."""
    tangents = [getattr(x, "_fw_tangent", None) if isinstance(x, Tensor) else None
                for x in inputs]
    if all(t is None for t in tangents):
        return
    # Reverse over forward: with grad mode on, the tangent is a function of the
    # primal inputs and tangents that require grad, recorded as such (so
    # autograd.grad of a jvp works, as in PyTorch); under no_grad it is a constant.
    differentiable = STATE.enabled and (
        any(t is not None and t._requires_grad for t in tangents) or
        any(isinstance(x, Tensor) and x._requires_grad for x in inputs))
    ACTIVE[0] = False                    # the derivation itself must not push tangents
    try:
        with enable_grad():
            xp = _backend.namespace(out_tensor._data)
            u = Tensor._make(xp.zeros_like(out_tensor._data), True)
            edges = node.edges
            node.edges = [True if t is not None else None for t in tangents]
            try:
                grads = node.apply_formulas(u, True)
            finally:
                node.edges = edges
            total = None
            for g, t in zip(grads, tangents):
                if g is not None and t is not None:
                    if g._data.dtype.kind == "c" or t._data.dtype.kind == "c":
                        # J t from the adjoint: Re sum(conj(J^H u) t) = Re <u, J t>,
                        # whose gradient in u (dRe + i dIm) is J t
                        term = (g.conj() * t).sum().real
                    else:
                        term = (g * t).sum()
                    total = term if total is None else total + term
            if total is None or not total.requires_grad:
                jt = Tensor._make(xp.zeros_like(out_tensor._data))
            else:
                from . import grad      # (cycle: the autograd package imports this module)
                (jt,) = grad(total, u, allow_unused=True, materialize_grads=True,
                             create_graph=differentiable)
        out_tensor._fw_tangent = jt if differentiable and jt._requires_grad else jt.detach()
        _LEVEL["duals"].append(out_tensor)
    finally:
        ACTIVE[0] = True

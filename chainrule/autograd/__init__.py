"""chainrule.autograd: backward, grad, Variable, grad-mode switches.

The engine (engine.py) walks the graph; the graph's nodes (graph.py) carry
each op's formulas; the formulas themselves live in chainrule/ops/.
"""
import warnings

from .. import _batched, _dtypes, _errors, _func_levels
from .._inplace_state import FUNC_LEVEL as _FUNC_LEVEL, VMAP_ACTIVE as _VMAP_ACTIVE
from .._grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from .._tensor import Size, Tensor
from ..ops import _backend
from . import engine, graph, _saved_hooks
from .graph import AccumulateGrad, Node, add_tensor_hook, watch_nonleaf, _Handle

# torch.autograd.graph's saved-tensor hooks (defined beside the engine, which unpacks them)
graph.saved_tensors_hooks = _saved_hooks.saved_tensors_hooks
graph.save_on_cpu = _saved_hooks.save_on_cpu
graph.disable_saved_tensors_hooks = _saved_hooks.disable_saved_tensors_hooks

__all__ = ["backward", "grad", "Variable", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "Node"]


def _as_tuple(x):
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _seed_grads(outputs, grad_outputs, create_graph):
    """The gradients the walk starts from: given ones (checked), or 1 for a
    scalar output."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    else:
        grad_outputs = tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        if len(grad_outputs) < len(outputs):
            raise RuntimeError(f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
        grad_outputs = grad_outputs[:len(outputs)]      # PyTorch ignores the extra ones
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        d = out._data
        if g is None:
            if d.size != 1:
                raise _errors.implicit_nonscalar()
            if d.dtype.kind == "c":
                raise _complex_scalar_error(d.dtype)
            g = _one(d.dtype, d.shape) if d.__class__ is _ndarray else \
                _backend.namespace(d).ones_like(d)
            seeds.append(Tensor._make(g) if create_graph else g)
            continue
        if not isinstance(g, Tensor):
            g = Tensor._make(_as_array_like(g, d))
        if g._data.shape != d.shape:
            raise _errors.shape_mismatch(i, Size(g._data.shape), Size(d.shape))
        if create_graph:
            seeds.append(g if g._data.dtype == d.dtype else g.to(out.dtype))
        else:
            gd = g._data
            seeds.append(gd if gd.dtype == d.dtype else gd.astype(d.dtype))
    return seeds


_ONES = {}
_ONE_BY_SHAPE = {}          # shape -> the one of that shape asked for last
_ndarray = _backend.ndarray
_NPXP = _backend.NUMPY.xp
_FOREIGN = _backend.FOREIGN      # array classes of libraries other than NumPy


def _complex_scalar_error(npd):
    return RuntimeError("grad can be implicitly created only for real scalar outputs but got "
                        f"{_dtypes.FROM_NP[npd]}")


def _one(dtype, shape=()):
    """A shared read-only NumPy 1 of `dtype` and `shape` (one element): the
    implicit gradient of a scalar output, made once (np.ones_like costs 0.8 us
    a call).  Read-only, so nothing downstream can change it in place unnoticed.
    (Looked up by shape, the dtype compared by identity: hashing a NumPy dtype
    costs as much as the rest of the lookup.  The same object each time, which
    chainrule.compile's generated backward recognises.)"""
    one = _ONE_BY_SHAPE.get(shape)
    if one is not None and one.dtype is dtype:
        return one
    key = (dtype, shape)
    one = _ONES.get(key)
    if one is None:
        if dtype.kind == "c":            # (never cached: checked on this miss only)
            raise _complex_scalar_error(dtype)
        one = _backend.NUMPY.readonly(_backend.NUMPY.xp.ones(shape, dtype))
        _ONES[key] = one
    _ONE_BY_SHAPE[shape] = one
    return one


def _as_array_like(value, d):
    """`value` (array-like data) as an array of the library of array `d`."""
    be = _backend.backend_of(d)
    if value.__class__ in be.array_types:
        return value
    if isinstance(value, _backend.HOST_ARRAY):
        return be.from_numpy(value)
    return be.xp.asarray(value)


def _check_outputs(outputs):
    for i, t in enumerate(outputs):
        if not t._requires_grad:
            raise _errors.no_grad_fn(i, t)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate d(tensors)/d(leaf) into each leaf's .grad (or only into `inputs`)."""
    if _VMAP_ACTIVE[0] or _FUNC_LEVEL[0]:
        _func_levels.check_backward(_VMAP_ACTIVE[0])         # refused inside transforms
    tensors = _as_tuple(tensors)
    if grad_variables is not None:
        grad_tensors = grad_variables
    _check_outputs(tensors)
    seeds = _seed_grads(tensors, grad_tensors, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(_errors.CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            if t._grad_fn is not None:       # a non-leaf input keeps its .grad from now on
                t.retain_grad()
        engine.run(tensors, seeds, retain_graph, create_graph, capture=inputs)
        return
    engine.run(tensors, seeds, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """d(outputs)/d(inputs), returned rather than accumulated into .grad."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if _VMAP_ACTIVE[0] and _batched.any_batched(outputs, inputs, grad_outputs):
        return _batched.batched_grad(grad, outputs, inputs, grad_outputs,
                                     retain_graph=retain_graph, create_graph=create_graph,
                                     allow_unused=allow_unused, materialize_grads=materialize_grads)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if not allow_unused and materialize_grads:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    _check_outputs(outputs)                 # (outputs first, as PyTorch checks them)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    seeds = _seed_grads(outputs, grad_outputs, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    grads = engine.run(outputs, seeds, retain_graph, create_graph, capture=inputs,
                       accumulate=False)
    result = []
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if materialize_grads:
                g = _backend.namespace(t._data).zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior.")
            else:
                result.append(None)
                continue
        if not isinstance(g, Tensor):
            # a copy: it may alias a seed or buffer
            g = Tensor._make((_backend.namespace(g) if g.__class__ in _FOREIGN else _NPXP).array(g))
        if create_graph and not g._requires_grad and not any(g is s for s in seeds):
            g._constant_grad = True            # for the hint if it is differentiated again
        result.append(g)
    return tuple(result)


# --- the Tensor's autograd entry points ---------------------------------------------------
# Defined here, beside the engine they call (the engine imports the Tensor
# module, so the Tensor class cannot import it).
def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    if _VMAP_ACTIVE[0] or _FUNC_LEVEL[0]:
        _func_levels.check_backward(_VMAP_ACTIVE[0])         # refused inside transforms
    if (gradient is None and inputs is None and not create_graph and self._grad_fn is not None
            and self._data.size == 1 and self._data.__class__ is _ndarray):
        # The common case (a scalar loss), without the general argument handling.
        d = self._data
        engine.run_scalar(self, _one(d.dtype, d.shape), bool(retain_graph))
        return
    if inputs is not None and isinstance(inputs, Tensor):
        inputs = [inputs]
    backward([self], None if gradient is None else [gradient], retain_graph, create_graph,
             inputs=inputs)


def _tensor_accumulate_node(self):
    """The AccumulateGrad node standing for this leaf in next_functions."""
    node = self._acc_node
    if node is None:
        node = self._acc_node = AccumulateGrad(self)
    return node


def _tensor_retain_grad(self):
    if not self._requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if _FUNC_LEVEL[0]:
        _func_levels.check_retain_grad(self)
    if self._grad_fn is not None:
        self._retains_grad = True
        watch_nonleaf(self)


def _tensor_register_hook(self, hook):
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    return add_tensor_hook(self, hook)


Tensor.backward = _tensor_backward
Tensor._accumulate_node = _tensor_accumulate_node
Tensor.retain_grad = _tensor_retain_grad
Tensor.register_hook = _tensor_register_hook


def _tensor_register_post_accumulate_grad_hook(self, hook):
    """hook(tensor) after a backward pass has accumulated into this leaf's .grad."""
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self._grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if self._post_acc_hooks is None:
        self._post_acc_hooks = {}
    return _Handle(self._post_acc_hooks, hook)


Tensor.register_post_accumulate_grad_hook = _tensor_register_post_accumulate_grad_hook


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """Legacy wrapper: Variable(t, requires_grad=True) is a leaf tensor sharing t's data."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if data is None:
            xp = _backend.default().xp
            return Tensor._make(xp.empty((0,), _dtypes.float32.np))
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        t = Tensor._make(data._data)
        if requires_grad:
            t.requires_grad_(True)
        return t


from .function import Function, FunctionCtx, once_differentiable, InplaceFunction  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
from .anomaly_mode import detect_anomaly, set_detect_anomaly, is_anomaly_enabled  # noqa: E402
from . import anomaly_mode  # noqa: E402,F811
from . import forward_ad  # noqa: E402
from . import functional  # noqa: E402
from ._multi_grad_hook import register_multi_grad_hook as _register_multi_grad_hook  # noqa: E402
graph.register_multi_grad_hook = _register_multi_grad_hook

__all__ += ["Function", "FunctionCtx", "once_differentiable", "gradcheck", "gradgradcheck",
            "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]

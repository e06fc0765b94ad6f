"""The Optimizer base: parameter groups with defaults filled in, per-parameter
state, zero_grad, state_dict / load_state_dict in PyTorch's layout, and
PyTorch's argument checks.

Subclasses implement `step(closure=None)`; the updates run under no_grad and
change the parameter tensors in place through chainrule ops (never on raw
arrays), so they run on whatever array backend the parameters live on."""
import copy
import functools
import warnings
from collections import defaultdict

from .. import _dtypes
from .._factories import tensor
from .._grad_mode import enable_grad
from .._inplace_state import CAPTURE as _CAPTURE
from .._tensor import Tensor
from ..ops.complex import view_as_real

__all__ = ["Optimizer", "scalar_state", "check_range", "run_closure", "addcmul_", "addcdiv_",
           "host_values"]

_SET_PARAMS = ("optimizer parameters need to be organized in ordered collections, but the "
               "ordering of tensors in sets will change between runs. Please use a list instead.")
_DUPLICATE = ("optimizer contains a parameter group with duplicate parameters; in future, this "
              "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
              "information")


def _typename(obj):
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


def scalar_state(value):
    """A 0-d state counter ('step', NAdam's 'mu_product') as PyTorch keeps
    them: float32 unless the default dtype is float64 (the rounding matters
    for NAdam's running product)."""
    dt = _dtypes.float64 if _dtypes.get_default_dtype() == _dtypes.float64 else _dtypes.float32
    return tensor(float(value), dtype=dt)


def check_range(value, label):
    """PyTorch's `Invalid <label>: <value>` ValueError for a negative value."""
    if value < 0.0:
        raise ValueError(f"Invalid {label}: {value}")


def real_views(p, grad, state):
    """A complex parameter, its gradient and its complex state buffers as
    view_as_real views (PyTorch updates each part as a separate entry; the
    views write through to the complex tensors)."""
    return view_as_real(p), view_as_real(grad), {
        k: view_as_real(v) if isinstance(v, Tensor) and v.is_complex() else v
        for k, v in state.items()}


def run_closure(closure):
    """The closure's loss, evaluated with gradients on (step itself runs under no_grad)."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


# --- chainrule.compile of a training step ---------------------------------------------------
# A step replayed by chainrule.compile runs no Python: what the optimiser
# computes in Python from its state must not be baked into the program.  The
# design: numbers that change from step to step (the step count's bias
# corrections, the learning rate a scheduler sets, the momentum or betas a
# cycling one sets) are computed by
# host_values, which a replay calls again at that point of the program with
# the state tensors' current values and the param_group as it is then; the
# rest of the Python state the step's control flow depends on (the other
# param_group options, the parameters, the keys and tensors of the
# per-parameter state) is checked on entry to each replay (a pre-guard): any
# change records a new variant.  A step that creates state (the first one)
# is not recorded: the next call records.  Optimisers that do not declare
# `_compile_dynamic` refuse the capture: {group key host_values reads: None,
# or a function of its value giving what the step's control flow depends on
# (SGD's momentum: whether it is 0), guarded instead of the value}.
def host_values(fn, group, *tensors):
    """fn(group, *[t.item() for t in tensors]): a tuple of Python floats the
    step uses; recomputed by each replay of a compiled step."""
    cap = _CAPTURE[0]
    if cap is None:
        return fn(group, *[t.item() for t in tensors])
    return cap.host(fn, group, tensors)


def _structure(opt, dynamic):
    """The Python state an optimiser step's control flow depends on."""
    out = []
    for g in opt.param_groups:
        out.append(tuple((k, v) if k not in dynamic else (k, dynamic[k](v))
                         for k, v in g.items() if k != "params" and
                         (k not in dynamic or dynamic[k] is not None)))
        out.append((id(g),) + tuple(map(id, g["params"])))   # (host_values reads g itself)
    for p, st in opt.state.items():
        out.append((id(p), tuple((k, id(v) if isinstance(v, Tensor) else v)
                                 for k, v in st.items())))
    return tuple(out)


def _watched(step, dynamic):
    """An optimiser's step as chainrule.compile's capture sees it."""
    @functools.wraps(step)
    def watched(self, *args, **kwargs):
        cap = _CAPTURE[0]
        if cap is None:
            return step(self, *args, **kwargs)
        if dynamic is None or args or kwargs:
            cap.refuse(f"{type(self).__name__}.step inside the function (SGD, Adam, AdamW, "
                       f"RMSprop and Adagrad replay, without a closure)")
            return step(self, *args, **kwargs)
        before = _structure(self, dynamic)
        cap.pre_guard(lambda: _structure(self, dynamic), before)
        result = step(self)
        if _structure(self, dynamic) != before:
            cap.retry_later(f"{type(self).__name__}.step created its state")
        return result
    return watched


class Optimizer:
    # Whether the update takes complex parameters (SGD's as written, being linear
    # in the gradient; the adaptive ones on real_views): the others refuse them.
    _takes_complex = True
    _compile_dynamic = None       # see host_values

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None:
            cls.step = _watched(step, cls.__dict__.get("_compile_dynamic"))

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {params.type()}")
        if defaults.get("differentiable"):
            # PyTorch then records the update in the graph; chainrule's steps run
            # under no_grad, so refuse rather than give gradients that miss it
            raise NotImplementedError("chainrule's optimizers do not support "
                                      "differentiable=True")
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(_SET_PARAMS)
        else:
            params = list(params)
        # named parameters, as model.named_parameters() gives them: (name, tensor)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names and len(names) != len(params):
            raise ValueError("all optimizer params should be with/without names. Some param "
                             "names are missing")
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
            if p.is_complex() and not self._takes_complex:
                raise NotImplementedError(
                    f"chainrule's {type(self).__name__} does not take complex parameters yet "
                    "(PyTorch's updates their real and imaginary parts as view_as_real pairs); "
                    "SGD does, or optimise view_as_real(parameter) leaves")
        group = dict(param_group, params=params)
        if names:
            group["param_names"] = names
        for k, v in self.defaults.items():
            group.setdefault(k, v)
        if len(set(map(id, params))) != len(params):
            warnings.warn(_DUPLICATE, stacklevel=3)
        for g in self.param_groups:
            if ("param_names" in g) != bool(names):
                raise ValueError("all optimizer param groups should be with/without names. "
                                 "cannot add param group "
                                 f"{'with names' if names else 'without names'} to the optimizer")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    # a grad built with create_graph is cut from its graph first, as PyTorch does
                    g = p.grad.detach() if p.grad.grad_fn is not None else p.grad
                    g.requires_grad_(False)
                    p.grad = g.zero_()

    def step(self, closure=None):
        raise NotImplementedError

    def __repr__(self):
        text = f"{type(self).__name__} ("
        for i, g in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {k}: {g[k]}\n" for k in sorted(g) if k != "params")
        return text + ")"

    # --- checkpoints ----------------------------------------------------------------------------
    def state_dict(self):
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}:
        parameters are numbered in group order; state tensors are shared, not copied."""
        index, groups = {}, []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            for p in g["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in g["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        state_dict = copy.deepcopy(state_dict)
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        by_index = {i: p for g, s in zip(self.param_groups, saved)
                    for i, p in zip(s["params"], g["params"])}
        state = defaultdict(dict)
        for i, values in state_dict["state"].items():
            if i in by_index:
                p = by_index[i]
                state[p] = {k: _cast_state(p, k, v) for k, v in values.items()}
            else:
                state[i] = values
        groups = []
        for g, s in zip(self.param_groups, saved):
            new = dict(s, params=g["params"])
            if "param_names" in g and "param_names" not in new:
                new["param_names"] = g["param_names"]
            groups.append(new)
        self.__setstate__({"state": state, "param_groups": groups})

    def __setstate__(self, state):
        self.__dict__.update(state)
        for g in self.param_groups:
            for k, v in self.defaults.items():
                g.setdefault(k, v)


def _cast_state(param, key, value):
    """A loaded state value as PyTorch places it: floating tensors take the
    parameter's dtype, except the step counter; lists of tensors likewise."""
    if isinstance(value, Tensor):
        if key != "step" and param.is_floating_point() and value.is_floating_point():
            return value.to(dtype=param.dtype)
        return value
    if isinstance(value, list):
        return [_cast_state(param, key, v) for v in value]
    return value


# PyTorch's fused in-place updates, in its order of operations (value * t1
# first) so that float64 trajectories agree to the last few bits.
def addcmul_(target, t1, t2, value=1.0):
    """target += value * t1 * t2."""
    return target.add_(t1 * value * t2)


def addcdiv_(target, t1, t2, value=1.0):
    """target += value * t1 / t2."""
    return target.add_(t1 * value / t2)


def lerp_(target, end, weight):
    """target.lerp_(end, weight) for a number weight, with PyTorch's two
    formulas.  For |weight| < 0.5 (Adam's 1 - beta1) it is target += weight *
    (end - target): lerp's own operations, but add_ writes into target (two
    temporaries instead of three and a copy: a warm Adam step on the digits
    network's parameters 1.18 -> 1.03 ms)."""
    if -0.5 < weight < 0.5:
        return target.add_(end - target, alpha=weight)
    return target.lerp_(end, weight)

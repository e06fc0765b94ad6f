"""The implementations the suite (benchmarks/suite.py) runs each workload with.

An engine is one column of the table. Three kinds:
- "tensor": chainrule or torch, each workload's make(lib, wrap, small) written
  once against the shared torch-style API. `wrap` is the one place a
  compiler plugs in: every workload passes its forward (a function of
  tensors, or an nn.Module) through it and calls what comes back. Eager
  engines wrap with the identity; torch.compile with torch.compile; and
  chainrule.compile, once it exists, with chainrule.compile, with no
  workload edited.  The column chainrule.compile(step) compiles instead a
  training workload's whole step (zero_grad, forward, backward, update).
- "floor": the workload's hand-written NumPy forward + backward.
- "jax": the workload's jnp version under jax.jit(jax.grad(...)).

An engine whose library or feature is missing is kept with a reason
(`absent`), so the table prints "n/a" and says why.
"""
import importlib

import chainrule


def _optional(name):
    """The module, or None when it is not installed (torch and JAX are optional)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _identity(fn):
    return fn


class Engine:
    """One column: a kind, the tensor library (tensor kind) and the wrap applied to
    each workload's forward; `absent` says why the column is empty, if it is."""

    def __init__(self, key, kind, lib=None, wrap=_identity, absent=None, compiled=False,
                 whole=None):
        self.key, self.kind, self.lib, self.wrap = key, kind, lib, wrap
        self.absent, self.compiled = absent, compiled
        self.whole = whole        # a compiler applied to a training workload's whole step

    def make(self, workload, small=False):
        """A zero-argument step running the workload once, returning the values
        to check (tensors or arrays)."""
        if self.whole is not None:
            if not workload.training:
                return None
            return self.whole(workload.make(self.lib, _identity, small))
        if self.kind == "tensor":
            return workload.make(self.lib, self.wrap, small)
        if self.kind == "floor":
            return workload.floor(small)
        return workload.jax(self.lib, small)


def _chainrule_compile():
    compile_fn = getattr(chainrule, "compile", None)
    if not callable(compile_fn):
        return Engine("chainrule.compile", "tensor", chainrule,
                      absent="chainrule.compile does not exist yet", compiled=True)
    return Engine("chainrule.compile", "tensor", chainrule, wrap=compile_fn, compiled=True)


def _chainrule_compile_step():
    return Engine("chainrule.compile(step)", "tensor", chainrule, compiled=True,
                  whole=chainrule.compile)


def _torch_compile(torch, enabled, why_not):
    if torch is None:
        return Engine("torch.compile", "tensor", absent="torch is not installed", compiled=True)
    if not enabled:
        return Engine("torch.compile", "tensor", torch, absent=why_not, compiled=True)
    return Engine("torch.compile", "tensor", torch, wrap=torch.compile, compiled=True)


class _Jax:
    """What a workload's jax() needs: the jax module and jax.numpy."""

    def __init__(self, jax):
        self.jax, self.jnp = jax, importlib.import_module("jax.numpy")


def engines(torch_compile=True, torch_compile_off="", jax=True):
    """All the columns, in the table's order: eager chainrule, torch and the floor,
    then the compiled ones."""
    torch = _optional("torch")
    jax_mod = _optional("jax") if jax else None
    out = [Engine("chainrule", "tensor", chainrule),
           Engine("torch", "tensor", torch) if torch is not None
           else Engine("torch", "tensor", absent="torch is not installed"),
           Engine("floor", "floor"),
           _chainrule_compile(),
           _chainrule_compile_step(),
           _torch_compile(torch, torch_compile, torch_compile_off)]
    if jax_mod is not None:
        out.append(Engine("jax.jit", "jax", _Jax(jax_mod), compiled=True))
    else:
        out.append(Engine("jax.jit", "jax", absent="jax is not installed (pip install jax)"
                          if jax else "--no-jax", compiled=True))
    return out


def jax_cannot_trace(engine, exc):
    """A reason string when exc is JAX refusing to trace Python control flow on a
    traced value (the seed control-flow function), else None."""
    if engine.kind != "jax":
        return None
    errors = getattr(engine.lib.jax, "errors", None)
    kinds = tuple(k for k in (getattr(errors, "ConcretizationTypeError", None),
                              getattr(errors, "TracerBoolConversionError", None)) if k)
    if kinds and isinstance(exc, kinds):
        return (f"jax.jit cannot trace Python control flow on a tensor's value "
                f"({type(exc).__name__})")
    return None

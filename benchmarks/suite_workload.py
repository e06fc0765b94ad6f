"""What a workload of the suite (benchmarks/suite.py) provides.

A workload is one row of the table. Each builds its own state per engine (so
one engine's training steps never move another's weights) and returns a
zero-argument step that runs it once and returns the values to check:
- make(lib, wrap, small): chainrule or torch (the same code for both);
  its forward goes through `wrap` (see suite_engines.py);
- floor(small): the same computation as hand-written NumPy, forward and
  backward written out with arrays: the least a NumPy library could spend;
- jax(J, small): the jnp version under jax.jit(jax.grad(...)) (J.jax, J.jnp);
  None where it is not written, `no_jax` then says why.
`small` is the smoke test's size (tests/test_benchmarks_smoke.py).
Before timing, the first step of every engine is compared with the floor's
(rtol/atol); a training step returns its loss and gradients from the same
starting weights.
"""
import numpy as np


class Workload:
    key = ""               # for --only
    name = ""              # the table's row label
    rtol, atol = 1e-4, 1e-5
    full_only = False      # only with --full (too slow for the default run)
    checked = True         # False: the engines' values cannot agree (say why in `unchecked`)
    unchecked = ""
    no_jax = "not written for JAX"
    no_floor = "no hand-written NumPy version"
    skip = {}              # engine key -> why that engine is not run on this workload
    skip_unless_full = {}  # the same, but run with --full (a compile of minutes)
    known_errors = {}      # engine key -> what its error on this workload means
    training = False       # a training step (zero_grad, forward, backward, update): the
    #                        chainrule.compile(step) column compiles all of make()'s step

    def missing(self):
        """Why the workload cannot run here (a package it needs is absent), or None."""
        return None

    def make(self, lib, wrap, small):
        raise NotImplementedError

    def floor(self, small):    # None: no floor (then no_floor says why)
        return None

    def jax(self, J, small):
        return None


def to_numpy(value):
    """A tensor (torch's, chainrule's, JAX's) or array as a NumPy array, detached."""
    detach = getattr(value, "detach", None)
    if detach is not None:
        value = detach()
        if hasattr(value, "cpu"):
            value = value.cpu()
        return np.asarray(value.numpy())
    return np.asarray(value)


def float32(rng, *shape, scale=1.0):
    """Standard normal float32 values, scaled."""
    return (rng.standard_normal(shape) * scale).astype(np.float32)

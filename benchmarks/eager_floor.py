"""The least a Python eager autograd engine can spend per op, beside chainrule
and torch: evidence for issue 15's eager targets.

    python benchmarks/eager_floor.py [--json out.json]

`Minimal` below is a complete reverse-mode engine for the ops these workloads
use, stripped to what any Python engine that records the graph as it runs
must do: one NumPy call per op, one Python object per result holding its
inputs and a closure with the local derivative, and a backward that orders the
graph (iteratively) and calls each closure once.  It has none of what makes
PyTorch's semantics: no dtype promotion or broadcasting checks, no grad mode,
no version counters, hooks, retain_graph, views, saved-tensor checks, anomaly
mode, forward mode or vmap, no `requires_grad` flag (a value is recorded if
it is a `Minimal`; data that needs no gradient stays a plain array), no
freeing of the graph, no error messages.  Its times are a lower
bound for chainrule's eager mode, not a competitor: if `Minimal` is above a
target ratio to torch, no eager engine in Python meets that target.

The workloads are the suite's (benchmarks/suite_workloads_tiny.py), run
interleaved in one process with medians; each engine's gradient is checked
against chainrule's first.
"""
import argparse
import json
import os
import statistics
import sys
import timeit

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree's chainrule
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chainrule  # noqa: E402
from suite_workloads_tiny import TINY_LR, _tiny_data, chain, seed_f, tiny_mse  # noqa: E402

try:
    import torch
    torch.set_num_threads(1)
except ImportError:       # the table then has no torch column
    torch = None


class Minimal:
    """A value in the minimal engine: its array, the values it came from and
    the closure that turns its gradient into theirs."""
    __slots__ = ("data", "parents", "back", "grad")
    __array_ufunc__ = None               # array @ Minimal: NumPy defers to __rmatmul__

    def __init__(self, data, parents=(), back=None):
        self.data, self.parents, self.back, self.grad = data, parents, back, None

    def __mul__(self, o):
        if o.__class__ is Minimal:
            a, b = self.data, o.data
            return Minimal(a * b, (self, o), lambda g: (g * b, g * a))
        return Minimal(self.data * o, (self,), lambda g: (g * o,))
    __rmul__ = __mul__

    def __add__(self, o):
        sa = self.data.shape
        if o.__class__ is Minimal:
            sb = o.data.shape
            if sa == sb:
                return Minimal(self.data + o.data, (self, o), lambda g: (g, g))
            return Minimal(self.data + o.data, (self, o),
                           lambda g: (_sum_to(g, sa), _sum_to(g, sb)))
        return Minimal(self.data + o, (self,), lambda g: (_sum_to(g, sa),))
    __radd__ = __add__

    def __sub__(self, o):
        sa = self.data.shape
        if o.__class__ is Minimal:
            sb = o.data.shape
            return Minimal(self.data - o.data, (self, o),
                           lambda g: (_sum_to(g, sa), _sum_to(-g, sb)))
        return Minimal(self.data - o, (self,), lambda g: (_sum_to(g, sa),))

    def __matmul__(self, o):
        a, b = self.data, o.data
        return Minimal(a @ b, (self, o), lambda g: (g @ b.T, a.T @ g))

    def __rmatmul__(self, o):             # a constant array @ self
        return Minimal(o @ self.data, (self,), lambda g: (o.T @ g,))

    def tanh(self):
        out = np.tanh(self.data)
        return Minimal(out, (self,), lambda g: (g * (1 - out * out),))

    def mean(self):
        a = self.data
        shape, inv = a.shape, 1.0 / a.size
        return Minimal(a.sum() * inv, (self,), lambda g: (np.full(shape, g * inv, a.dtype),))

    def __pow__(self, n):
        a = self.data
        return Minimal(a ** n, (self,), lambda g: (g * (n * a ** (n - 1)),))

    def sum(self):
        shape = self.data.shape
        return Minimal(self.data.sum(), (self,), lambda g: (np.broadcast_to(g, shape),))

    def norm(self):
        a = self.data
        out = np.sqrt((a * a).sum())
        return Minimal(out, (self,), lambda g: (g * a / out,))

    def __lt__(self, o):                  # comparisons record nothing
        return self.data < o

    def __gt__(self, o):
        return self.data > o

    def backward(self):
        # Order the graph (iterative post-order), then run it from the output.
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            v, done = stack.pop()
            if done:
                order.append(v)
            elif id(v) not in seen:
                seen.add(id(v))
                stack.append((v, True))
                stack.extend((p, False) for p in v.parents)
        self.grad = np.ones_like(self.data)
        for v in reversed(order):
            if v.back is not None:
                for p, g in zip(v.parents, v.back(v.grad)):
                    p.grad = g if p.grad is None else p.grad + g
                v.grad = None          # (keep only the leaves' gradients)


def _sum_to(g, shape):
    """g summed over the dimensions broadcasting added or stretched (the least
    an engine does for broadcasting: a shape comparison, a sum when they differ)."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    return g.sum(axis=axes).reshape(shape)


class MinimalLib:
    """Enough of a `lib` for the workloads: tensor() makes a leaf, or a plain
    array for data that needs no gradient (the engine then computes none for it)."""
    @staticmethod
    def tensor(v, requires_grad=False):
        a = np.array(v, np.float32)
        return Minimal(a) if requires_grad else a

    tanh = staticmethod(Minimal.tanh)


def workloads(lib):
    """name -> (step returning the input's gradient (or the forward's value),
    calls per timing)."""
    x = lib.tensor([4.0], requires_grad=True)
    xc = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = lib.tensor(0.0139, requires_grad=True)

    def run(leaf, f):
        def step():
            leaf.grad = None
            f(leaf).backward()
            return leaf.grad
        return step

    def times2():
        return x * 2.0

    params, xm, ym = _tiny_data(False)
    ps = [lib.tensor(p, requires_grad=True) for p in params]
    xm, ym = lib.tensor(xm), lib.tensor(ym)

    def mlp_step():                       # the suite's mlp_tiny step
        for p in ps:
            p.grad = None
        tiny_mse(lib.tanh, xm, ym, *ps).backward()
        if lib is MinimalLib:
            for p in ps:
                p.data -= TINY_LR * p.grad
        else:
            with lib.no_grad():
                for p in ps:
                    p -= TINY_LR * p.grad
        return [p.grad for p in ps]
    return {
        "seed: x**3 + 2*x**2 + 8*x at 4, backward": (run(x, lambda x: x ** 3 + 2 * x ** 2 + 8 * x), 2000),
        "seed: f(a) with while/if on tensors, backward": (run(a, seed_f), 300),
        "x * 2.0, x requiring grad (forward only)": (times2, 20000),
        "10-op elementwise chain, backward": (run(xc, lambda x: chain(x, 10)), 1000),
        "10,000-op elementwise chain, backward": (run(xc, lambda x: chain(x, 10000)), 2),
        "2-16-16-1 tanh MLP step, batch 16 (MSE, SGD)": (mlp_step, 300),
    }


def as_numpy(g):
    if isinstance(g, list):           # the MLP's six gradients
        return np.concatenate([as_numpy(x).ravel() for x in g])
    if g.__class__ is Minimal:
        g = g.data
    elif hasattr(g, "detach"):        # a chainrule or torch tensor
        g = g.detach().numpy()
    return np.asarray(g)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()
    engines = [("chainrule", workloads(chainrule)), ("minimal", workloads(MinimalLib))]
    if torch is not None:
        engines.append(("torch", workloads(torch)))
    rows = []
    for name in engines[0][1]:
        ref = engines[0][1][name][0]()
        for ename, w in engines[1:]:
            got = w[name][0]()
            if not np.allclose(as_numpy(got), as_numpy(ref), rtol=1e-4, atol=1e-6):
                sys.exit(f"{ename} disagrees with chainrule on {name}")
        times = {e: [] for e, _ in engines}
        for r in range(args.rounds):
            for i in range(len(engines)):
                ename, w = engines[(i + r) % len(engines)]   # (a rotating order)
                fn, number = w[name]
                times[ename].append(timeit.timeit(fn, number=number) / number * 1e6)
        med = {e: statistics.median(t) for e, t in times.items()}
        rows.append((name, med))
    print(f"{'workload':48s} {'chainrule':>10s} {'minimal':>10s} {'torch':>10s} "
          f"{'cr/torch':>9s} {'min/torch':>9s} {'cr/min':>7s}   (µs, medians)")
    for name, med in rows:
        t = med.get("torch")
        ratio = (lambda v: f"{v / t:8.2f}x") if t else (lambda v: "      n/a")
        print(f"{name:48s} {med['chainrule']:10.2f} {med['minimal']:10.2f} "
              f"{t if t else float('nan'):10.2f} {ratio(med['chainrule'])} {ratio(med['minimal'])} "
              f"{med['chainrule'] / med['minimal']:6.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{"workload": n, **m} for n, m in rows], f, indent=1)


if __name__ == "__main__":
    main()

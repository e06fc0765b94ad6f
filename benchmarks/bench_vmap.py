"""Per-sample gradients: vmap(grad(loss)) against a Python loop of autograd.grad.

    python benchmarks/bench_vmap.py [--quick]

The workload of tests/test_vmap.py: a 2-16-16-1 tanh MLP, squared error, a
batch of 64 samples, float64.  The loop calls autograd.grad once per sample
(what one writes without vmap); vmap computes all 64 per-sample gradients with
one batched forward and one backward.  The two are run interleaved (so
machine drift hits both alike); the figures are medians, the ratio is loop /
vmap (above 1: vmap is faster; the target is 10).  torch.func.vmap's time on
the same workload is printed beside them when torch is installed.

Also the dispatch cost vmap adds when no vmap is open: one flag read per op
(compare `x * 2.0` here with the same line on a tree without vmap).
"""
import argparse
import os
import statistics
import sys
import time
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree's chainrule, not an installed copy

import numpy as np

import chainrule

try:
    import torch
    import torch.func
except ImportError:        # the torch column is left out
    torch = None


def loss_fn(lib):
    def loss(params, x, y):
        w1, b1, w2, b2, w3, b3 = params
        h = lib.tanh(x @ w1 + b1)
        h = lib.tanh(h @ w2 + b2)
        return ((h @ w3 + b3 - y) ** 2).sum()
    return loss


def workload(batch=64, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(2, 16), (16,), (16, 16), (16,), (16, 1), (1,)]
    return ([rng.standard_normal(s) * 0.5 for s in shapes], rng.standard_normal((batch, 2)),
            rng.standard_normal((batch, 1)))


def per_sample_loop(lib, params, xs, ys):
    loss = loss_fn(lib)
    out = []
    for k in range(xs.shape[0]):
        leaves = [p.detach().requires_grad_(True) for p in params]
        out.append(lib.autograd.grad(loss(leaves, xs[k], ys[k]), leaves))
    return [lib.stack([g[j] for g in out]) for j in range(len(params))]


def per_sample_vmap(lib, params, xs, ys):
    func = lib.func if lib is chainrule else torch.func
    return func.vmap(func.grad(loss_fn(lib)), in_dims=(None, 0, 0))(tuple(params), xs, ys)


def timed(fn, repeats):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    rounds = 5 if args.quick else 21
    params, xs, ys = workload()
    cp = [chainrule.tensor(a) for a in params]
    cx, cy = chainrule.tensor(xs), chainrule.tensor(ys)
    # the two agree (to float64 rounding) before anything is timed
    looped, vmapped = per_sample_loop(chainrule, cp, cx, cy), per_sample_vmap(chainrule, cp, cx, cy)
    for a, b in zip(looped, vmapped):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)
    loop_t, vmap_t, torch_t = [], [], []
    if torch is not None:
        tp = [torch.tensor(a) for a in params]
        tx, ty = torch.tensor(xs), torch.tensor(ys)
    for _ in range(rounds):                      # interleaved
        loop_t += timed(lambda: per_sample_loop(chainrule, cp, cx, cy), 1)
        vmap_t += timed(lambda: per_sample_vmap(chainrule, cp, cx, cy), 3)
        if torch is not None:
            torch_t += timed(lambda: per_sample_vmap(torch, tp, tx, ty), 3)
    lm, vm = statistics.median(loop_t), statistics.median(vmap_t)
    print(f"per-sample gradients, 2-16-16-1 tanh MLP, batch {xs.shape[0]}, float64 "
          f"(medians of {len(loop_t)} / {len(vmap_t)} runs)")
    print(f"  chainrule Python loop of autograd.grad : {lm * 1e3:8.2f} ms")
    print(f"  chainrule vmap(grad(loss))             : {vm * 1e3:8.2f} ms")
    if torch_t:
        print(f"  torch.func.vmap(grad(loss))            : {statistics.median(torch_t) * 1e3:8.2f} ms")
    print(f"  ratio loop / vmap: {lm / vm:.1f}x (target: at least 10x)")

    x = chainrule.ones(4, requires_grad=True)
    a = chainrule.ones(4)
    n = 20000 if args.quick else 100000
    mul = min(timeit.repeat(lambda: x * 2.0, number=n, repeat=5)) / n * 1e6
    add = min(timeit.repeat(lambda: a + a, number=n, repeat=5)) / n * 1e6
    print(f"no vmap open: x * 2.0 (requires grad) {mul:.2f} us, a + a {add:.2f} us per op")


if __name__ == "__main__":
    main()

"""Issue 15's workloads: the small-graph costs of the eager engine, before and
after a change, side by side with torch (interleaved, as compare_versions.py).

    git worktree add /tmp/base <commit>
    mkdir -p /tmp/before && cp -r /tmp/base/chainrule /tmp/before/chainrule_before
    python benchmarks/bench_lean.py /tmp/before [--quick] [--rounds N] [--only NAME] [--gc]

Each round times every workload once per library (best of a few repeats);
the table shows the median over rounds of each, and the ratios of medians.
A ratio above 1 means the current version is faster.
"""
import argparse
import gc
import importlib
import os
import statistics
import sys
import time
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree's chainrule
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import bench_core as B  # noqa: E402
import chainrule  # noqa: E402


def times2(lib, x):
    return x * 2.0


def make_tanh_mlp(lib):
    rng = np.random.default_rng(0)
    ps = []
    for n_in, n_out in ((2, 16), (16, 16), (16, 1)):
        ps.append(lib.tensor(rng.standard_normal((n_in, n_out)).astype(np.float32) * 0.5,
                             requires_grad=True))
        ps.append(lib.tensor(np.zeros(n_out, np.float32), requires_grad=True))
    x = lib.tensor(rng.standard_normal((8, 2)).astype(np.float32))
    y = lib.tensor(rng.standard_normal((8, 1)).astype(np.float32))
    return ps, x, y


def tanh_mlp_step(lib, ps, x, y):
    h = lib.tanh(x @ ps[0] + ps[1])
    h = lib.tanh(h @ ps[2] + ps[3])
    out = h @ ps[4] + ps[5]
    loss = ((out - y) ** 2).mean()
    for p in ps:
        p.grad = None
    loss.backward()
    with lib.no_grad():
        for p in ps:
            p -= 0.1 * p.grad
    return loss


def long_chain(lib, n=10000):
    x = lib.tensor([0.5, 1.0, 1.5, 2.0], requires_grad=True)
    y = x
    for _ in range(n // 2):
        y = y * 0.9999 + 0.001
    y.sum().backward()
    return x.grad


def make_hvp(lib):
    rng = np.random.default_rng(1)
    w = lib.tensor(rng.standard_normal((64, 64)).astype(np.float32) * 0.1, requires_grad=True)
    x = lib.tensor(rng.standard_normal(64).astype(np.float32))
    v = lib.tensor(rng.standard_normal((64, 64)).astype(np.float32))
    return w, x, v


def hvp(lib, w, x, v):
    y = lib.tanh(lib.mv(w, x)).sum()
    g, = lib.autograd.grad(y, w, create_graph=True)
    hv, = lib.autograd.grad((g * v).sum(), w)
    return hv


def tracked_per_op(lib, n=2000):
    """Objects the cycle collector still tracks per recorded op of a long
    elementwise chain, after a collection (tuples of untracked values are
    untracked by it): what every full collection walks again."""
    x = lib.tensor([0.5, 1.0, 1.5, 2.0], requires_grad=True)
    gc.collect()
    before = len(gc.get_objects())
    y = x
    for _ in range(n // 2):
        y = y * 0.9999 + 0.001
    gc.collect()
    count = (len(gc.get_objects()) - before) / n
    del y
    return count


def collector_share(lib, runs=10):
    """Mean ms per 10,000-step chain and the ms of it spent in the collector."""
    spent = [0.0, 0.0]

    def cb(phase, info):
        if phase == "start":
            spent[1] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - spent[1]
    long_chain(lib)
    gc.callbacks.append(cb)
    try:
        t = time.perf_counter()
        for _ in range(runs):
            long_chain(lib)
        total = time.perf_counter() - t
    finally:
        gc.callbacks.remove(cb)
    return total / runs * 1e3, spent[0] / runs * 1e3


def best(fn, number, repeat):
    # (timeit switches the cycle collector off while timing unless the setup
    # switches it on: the GC's share is part of what a user's program pays)
    t = timeit.Timer(fn, setup=gc.enable)
    return min(t.timeit(number) for _ in range(repeat)) / number


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", help="folder holding the package chainrule_before")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", default=None, help="a substring of the workloads to run")
    ap.add_argument("--gc", action="store_true",
                    help="the cycle collector's share instead: tracked objects per op, its time")
    args = ap.parse_args()
    sys.path.insert(0, args.folder)
    old = importlib.import_module("chainrule_before")
    torch = B.torch
    torch.set_num_threads(1)
    libs = (old, chainrule, torch)
    k = 3 if args.quick else 1
    work = []
    xs = [L.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) for L in libs]
    work.append(("x*2.0 (requires_grad)", [lambda L=L, x=x: times2(L, x) for L, x in zip(libs, xs)],
                 3000 // k))
    work.append(("10-op chain + backward",
                 [lambda L=L, x=x: B.chain10(L, x) for L, x in zip(libs, xs)], 1000 // k))
    work.append(("x^3+2x^2+8x + backward", [lambda L=L: B.seed_polynomial(L) for L in libs],
                 1000 // k))
    work.append(("control flow f(a) + backward", [lambda L=L: B.seed_control_flow(L) for L in libs],
                 500 // k))
    ms = [make_tanh_mlp(L) for L in libs]
    work.append(("2-16-16-1 tanh MLP step",
                 [lambda L=L, m=m: tanh_mlp_step(L, *m) for L, m in zip(libs, ms)], 500 // k))
    hs = [make_hvp(L) for L in libs]
    work.append(("HVP, W 64x64", [lambda L=L, h=h: hvp(L, *h) for L, h in zip(libs, hs)],
                 500 // k))
    work.append(("10,000-step chain + backward", [lambda L=L: long_chain(L) for L in libs],
                 10 // k))   # (10 runs a sample: collections land in some of them)
    if args.gc:
        for L in libs:
            ms, in_gc = collector_share(L)
            print(f"{L.__name__:17s} tracked objects per op {tracked_per_op(L):5.2f}   "
                  f"10,000-step chain {ms:6.1f} ms, {in_gc:5.1f} ms of it in the collector")
        return
    if args.only:
        work = [w for w in work if args.only in w[0]]
    results = {name: [[], [], []] for name, _, _ in work}
    for _ in range(args.rounds):
        for name, fns, number in work:
            for i, fn in enumerate(fns):
                results[name][i].append(best(fn, number, 3))
    print(f"{'workload (median of %d rounds)' % args.rounds:36s} {'before':>11s} {'after':>11s} "
          f"{'torch':>11s} {'after/before':>13s} {'torch/after':>12s}")
    for name, (b, a, t) in results.items():
        b, a, t = (statistics.median(v) for v in (b, a, t))
        print(f"{name:36s} {b * 1e6:9.1f}us {a * 1e6:9.1f}us {t * 1e6:9.1f}us "
              f"{b / a:12.2f}x {t / a:11.2f}x")


if __name__ == "__main__":
    main()

"""Two versions of chainrule side by side in one process (and torch), for a
change's before/after table.

    git worktree add /tmp/base <commit>
    mkdir -p /tmp/before && cp -r /tmp/base/chainrule /tmp/before/chainrule_before
    python benchmarks/compare_versions.py /tmp/before [--quick]

The other version is imported as `chainrule_before` from the folder given (a
copy of its package under that name).  The workloads are bench_core.py's; the
three runs are interleaved so that load on a shared machine hits all alike.
A ratio above 1 means the current version is faster.
"""
import argparse
import importlib
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree's chainrule, not an installed copy
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_core as B  # noqa: E402
import chainrule  # noqa: E402


def best3(fns, number, repeat):
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], timeit.timeit(fn, number=number) / number)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", help="folder holding the package chainrule_before")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, args.folder)
    old = importlib.import_module("chainrule_before")
    torch = B.torch
    torch.set_num_threads(2)
    n, rep = (300, 3) if args.quick else (1000, 9)
    libs = (old, chainrule, torch)
    rows = []
    for name, fn in [("seed: 2*dot(x,x) + backward", B.seed_dot),
                     ("seed: x^3+2x^2+8x + backward", B.seed_polynomial),
                     ("seed: mean(3(x+2)^2) + backward", B.seed_mean),
                     ("seed: while-loop control flow", B.seed_control_flow),
                     ("seed: sin(x) + backward(ones)", B.seed_sin),
                     ("seed: second derivative of x^3", B.seed_second_derivative)]:
        rows.append((name, best3([lambda L=L: fn(L) for L in libs], n, rep)))
    xs = [L.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) for L in libs]
    rows.append(("10-op chain + backward",
                 best3([lambda L=L, x=x: B.chain10(L, x) for L, x in zip(libs, xs)], n, rep)))
    ms = [B.make_mlp(L) for L in libs]
    rows.append(("MLP 784-512-512-10 SGD step, batch 64",
                 best3([lambda L=L, m=m: B.mlp_step(L, *m) for L, m in zip(libs, ms)],
                       5 if args.quick else 10, 3 if args.quick else 6)))
    print(f"{'workload':40s} {'before':>10s} {'after':>10s} {'torch':>10s} "
          f"{'after/before':>13s} {'torch/after':>12s}")
    for name, (b, a, t) in rows:
        print(f"{name:40s} {b * 1e6:8.1f}us {a * 1e6:8.1f}us {t * 1e6:8.1f}us "
              f"{b / a:12.2f}x {t / a:11.2f}x")


if __name__ == "__main__":
    main()

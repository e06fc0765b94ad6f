"""Elementwise selections (relu, clamp, leaky_relu, where), chainrule vs
PyTorch side by side in one process, beside the NumPy calls they replaced.

    python benchmarks/bench_select.py [--sizes 4096 65536 262144]

On the 2026-12-03 development machine (AMD EPYC, AVX2, NumPy 2.4.6) NumPy's
maximum and minimum against a scalar run unvectorised and its where takes
about 5 ns an element; chainrule's relu, clamp and hardtanh call NumPy's clip
ufunc instead, leaky_relu with a slope in [0, 1] is maximum(x, slope * x),
and where chooses float operands' bits by a mask (ops/pointwise.py,
_select).  The "numpy" rows are the calls these replaced; each figure is the
median of interleaved repeats (float32, one thread), in microseconds.
"""
import argparse
import os
import statistics
import sys
import timeit

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree's chainrule

import numpy as np

import chainrule

try:
    import torch
except ImportError:
    sys.exit("benchmarks compare with PyTorch: pip install torch==2.13.0")
torch.set_num_threads(1)


def cases(n):
    """name -> {engine: a call}, on n float32 values of either sign."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal(n).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    c = a > 0
    ca, cb, cc = chainrule.tensor(a), chainrule.tensor(b), chainrule.tensor(c)
    ta, tb, tc = torch.tensor(a), torch.tensor(b), torch.tensor(c)
    crf, tf = chainrule.nn.functional, torch.nn.functional
    return {
        "relu": {"chainrule": lambda: crf.relu(ca), "torch": lambda: tf.relu(ta),
                 "numpy maximum(x, 0)": lambda: np.maximum(a, 0)},
        "clamp(min=-0.5)": {"chainrule": lambda: chainrule.clamp(ca, min=-0.5),
                            "torch": lambda: torch.clamp(ta, min=-0.5),
                            "numpy maximum(x, -0.5)": lambda: np.maximum(a, -0.5)},
        "leaky_relu(0.01)": {"chainrule": lambda: crf.leaky_relu(ca), "torch": lambda: tf.leaky_relu(ta),
                             "numpy where": lambda: np.where(a > 0, a, a * np.float32(0.01))},
        "where(c, a, b)": {"chainrule": lambda: chainrule.where(cc, ca, cb),
                           "torch": lambda: torch.where(tc, ta, tb),
                           "numpy where": lambda: np.where(c, a, b)},
        "where(c, a, 0)": {"chainrule": lambda: chainrule.where(cc, ca, 0.0),
                           "torch": lambda: torch.where(tc, ta, 0.0),
                           "numpy where": lambda: np.where(c, a, 0.0)},
    }


def measure(calls, repeats=15):
    number = {}
    for k, f in calls.items():
        t = timeit.timeit(f, number=10) / 10
        number[k] = max(1, int(0.01 / max(t, 1e-7)))
    times = {k: [] for k in calls}
    for _ in range(repeats):
        for k, f in calls.items():
            times[k].append(timeit.timeit(f, number=number[k]) / number[k])
    return {k: statistics.median(v) * 1e6 for k, v in times.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[4096, 65536, 262144])
    args = ap.parse_args(argv)
    for n in args.sizes:
        print(f"\n{n:,} float32 values (us, median of interleaved repeats)")
        for name, calls in cases(n).items():
            got = measure(calls)
            parts = "  ".join(f"{k} {v:8.1f}" for k, v in got.items())
            print(f"  {name:18s} {parts}   chainrule/torch {got['chainrule'] / got['torch']:.2f}x")


if __name__ == "__main__":
    main()

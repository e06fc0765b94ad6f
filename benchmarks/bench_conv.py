"""conv2d forward + backward, chainrule vs PyTorch side by side in one process.

    python benchmarks/bench_conv.py [--quick] [--threads N]

The workload of issue 13's CNN: a batch of 64 8x8 one-channel images through
conv2d 1->16 and 16->32 (3x3, padding 1, bias, relu between), a sum, and
backward to the input, both weights and both biases; then the same with a
2x2 max_pool2d after each convolution.  Float32, the default dtype.  The
figure is the best of several repeats (compare the ratio: timings on shared
machines drift).  A ratio above 1 means chainrule is faster.

--threads N limits both libraries' BLAS / OpenMP thread pools to N (set
before NumPy and torch load).  On a loaded machine a multithreaded gemm waits
for its sleeping worker threads to get a core (single calls were seen taking
10-100x their quiet time, in both libraries), so --threads 1 gives the steadier
comparison there.
"""
import argparse
import os
import sys
import timeit

if "--threads" in sys.argv[:-1]:          # before NumPy and torch load their thread pools
    _n = sys.argv[sys.argv.index("--threads") + 1]
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _n

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree's chainrule

import numpy as np

import chainrule

try:
    import torch
except ImportError:
    sys.exit("benchmarks compare with PyTorch: pip install torch==2.13.0")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((64, 1, 8, 8)).astype(np.float32)
W1 = (RNG.standard_normal((16, 1, 3, 3)) / 3).astype(np.float32)
B1 = RNG.standard_normal(16).astype(np.float32)
W2 = (RNG.standard_normal((32, 16, 3, 3)) / 12).astype(np.float32)
B2 = RNG.standard_normal(32).astype(np.float32)


def _leaves(lib):
    return [lib.tensor(a, requires_grad=True) for a in (X, W1, B1, W2, B2)]


def conv_step(lib, leaves):
    F = lib.nn.functional
    x, w1, b1, w2, b2 = leaves
    y = F.conv2d(F.relu(F.conv2d(x, w1, b1, padding=1)), w2, b2, padding=1)
    return lib.autograd.grad(y.sum(), leaves)


def conv_pool_step(lib, leaves):
    F = lib.nn.functional
    x, w1, b1, w2, b2 = leaves
    h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
    y = F.avg_pool2d(F.conv2d(h, w2, b2, padding=1), 2)
    return lib.autograd.grad(y.sum(), leaves)


def _check(step):
    """Both libraries compute the same gradients (else the timing means nothing)."""
    mine, ref = step(chainrule, _leaves(chainrule)), step(torch, _leaves(torch))
    for a, b in zip(mine, ref):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=2e-4, atol=2e-4)


def _best_pair(fc, ft, number, repeat):
    """Best time per call of each, the two interleaved so that a burst of load
    on a shared machine hits both libraries alike."""
    c = t = float("inf")
    for _ in range(repeat):
        c = min(c, timeit.timeit(fc, number=number) / number)
        t = min(t, timeit.timeit(ft, number=number) / number)
    return c, t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--threads", type=int, help="BLAS / OpenMP threads for both libraries")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    number, repeat = (5, 3) if args.quick else (10, 30)
    print(f"{'workload (batch 64, 1->16->32, 8x8, 3x3, pad 1)':50s} {'chainrule':>10s} "
          f"{'torch':>10s} {'ratio':>7s}")
    for name, step in (("conv2d x2 forward+backward", conv_step),
                       ("conv2d x2 + max/avg pool forward+backward", conv_pool_step)):
        _check(step)
        lc, lt = _leaves(chainrule), _leaves(torch)
        c, t = _best_pair(lambda: step(chainrule, lc), lambda: step(torch, lt), number, repeat)
        print(f"{name:50s} {c * 1e3:8.2f}ms {t * 1e3:8.2f}ms {t / c:6.2f}x")


if __name__ == "__main__":
    main()

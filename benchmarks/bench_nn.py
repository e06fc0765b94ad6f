"""Training through nn / optim, chainrule vs PyTorch side by side in one process.

    python benchmarks/bench_nn.py [--quick] [--threads N] [--profile]

(a) one epoch of the digits example (chainrule/examples/digits.py: the same
    small CNN, the same 1438 training images, batch size 64, Adam), each
    library running the example's own train_epoch;
(b) one training step of a 784-512-512-10 MLP (batch 128, ReLU,
    cross-entropy; Adam and SGD with momentum): zero_grad, forward, loss,
    backward, step, both libraries starting from the same weights (checked:
    the same loss).
Float32. The figure is the best of several repeats, the two libraries
interleaved (timings on a shared machine drift); a ratio above 1 means
chainrule is faster. --threads N limits both libraries' BLAS / OpenMP pools
to N (set before NumPy and torch load; on a loaded 2-core machine --threads 1
gives the steadier comparison). --profile prints where chainrule's time goes
(cProfile, by own time) for each workload.
"""
import argparse
import cProfile
import os
import pstats
import sys
import time

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

try:
    from chainrule.examples import digits
except ImportError:
    digits = None
if digits is None or digits.load_digits is None:
    sys.exit("the digits epoch needs scikit-learn and tqdm: pip install '.[examples]'")

BATCH_MLP = 128


class DigitsEpoch:
    """One epoch of the example's training, for one library."""

    def __init__(self, lib, data):
        self.lib = lib
        digits.T = lib
        lib.manual_seed(0)
        self.loader, self.generator = digits.make_loader(data[0], data[1], 64, 0)
        self.model = digits.build_model()
        self.opt = lib.optim.Adam(self.model.parameters(), lr=3e-3)
        self.epoch = 0

    def __call__(self):
        digits.T = self.lib
        self.epoch += 1
        self.generator.manual_seed(self.epoch)
        digits.train_epoch(self.model, self.opt, self.loader)


class MLPStep:
    """One optimiser step of the 784-512-512-10 MLP, for one library."""

    def __init__(self, lib, weights, optimizer):
        nn = lib.nn
        self.lib = lib
        # the layers only: F.relu goes between them in __call__ (nn.ReLU is another part's)
        self.model = nn.Sequential(nn.Linear(784, 512), nn.Linear(512, 512), nn.Linear(512, 10))
        self.model.load_state_dict({k: lib.tensor(v) for k, v in weights.items()})
        if optimizer == "adam":
            self.opt = lib.optim.Adam(self.model.parameters(), lr=1e-3)
        else:
            self.opt = lib.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
        rng = np.random.default_rng(1)
        self.x = lib.tensor(rng.standard_normal((BATCH_MLP, 784)).astype(np.float32))
        self.y = lib.tensor(rng.integers(0, 10, BATCH_MLP))

    def __call__(self):
        F = self.lib.nn.functional
        self.opt.zero_grad()
        first, second, last = self.model
        loss = F.cross_entropy(last(F.relu(second(F.relu(first(self.x))))), self.y)
        loss.backward()
        self.opt.step()
        return loss.item()


def _mlp_weights():
    rng = np.random.default_rng(0)
    sizes = [(784, 512), (512, 512), (512, 10)]
    weights = {}
    for i, (n_in, n_out) in enumerate(sizes):     # Linear's default range, U(+-1/sqrt(n_in))
        bound = 1 / np.sqrt(n_in)
        weights[f"{i}.weight"] = rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32)
        weights[f"{i}.bias"] = rng.uniform(-bound, bound, n_out).astype(np.float32)
    return weights


def _best_pair(fc, ft, repeat):
    """Best seconds per call of each, interleaved so a burst of load hits both alike."""
    c = t = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fc()
        c = min(c, time.perf_counter() - t0)
        t0 = time.perf_counter()
        ft()
        t = min(t, time.perf_counter() - t0)
    return c, t


def _profile(name, fn, calls):
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    print(f"\n--- where chainrule's time goes: {name} ({calls} calls, cProfile, own time)")
    pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(15)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--threads", type=int, help="BLAS / OpenMP threads for both libraries")
    ap.add_argument("--profile", action="store_true", help="profile chainrule's side")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    data = digits.split_digits(0)
    weights = _mlp_weights()
    mlp = {opt: (MLPStep(chainrule, weights, opt), MLPStep(torch, weights, opt))
           for opt in ("adam", "sgd")}
    for opt, (c, t) in mlp.items():        # same start, same loss (else timing means nothing)
        lc, lt = c(), t()
        assert abs(lc - lt) < 1e-4 * max(1.0, abs(lt)), (opt, lc, lt)
    epochs = DigitsEpoch(chainrule, data), DigitsEpoch(torch, data)
    rows = [("digits: one epoch (23 batches of 64, Adam)", *epochs, 3 if args.quick else 8),
            ("MLP 784-512-512-10: one step, batch 128, Adam", *mlp["adam"],
             10 if args.quick else 50),
            ("MLP 784-512-512-10: one step, batch 128, SGD", *mlp["sgd"],
             10 if args.quick else 50)]
    print(f"{'workload (float32)':50s} {'chainrule':>10s} {'torch':>10s} {'ratio':>7s}")
    for name, fc, ft, repeat in rows:
        c, t = _best_pair(fc, ft, repeat)
        print(f"{name:50s} {c * 1e3:8.2f}ms {t * 1e3:8.2f}ms {t / c:6.2f}x", flush=True)
    if args.profile:
        _profile("digits epoch", epochs[0], 3)
        _profile("MLP step (Adam)", mlp["adam"][0], 20)


if __name__ == "__main__":
    main()

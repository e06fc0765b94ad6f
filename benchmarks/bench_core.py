"""chainrule vs PyTorch, side by side in one process.

    python benchmarks/bench_core.py [--quick]

Each workload is written once and run with `lib` = chainrule and `lib` = torch;
the figure is the best of several repeats (timings on shared machines drift,
so compare the ratio, not the absolute numbers).  A ratio above 1 means
chainrule is faster.
"""
import argparse
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree's chainrule, not an installed copy

import numpy as np

import chainrule

try:
    import torch
except ImportError:
    sys.exit("benchmarks compare with PyTorch: pip install torch==2.13.0")


# --- tiny-tensor workloads (the seeds' examples) ------------------------------------------
def seed_dot(lib):
    x = lib.arange(4.0, requires_grad=True)
    y = 2 * lib.dot(x, x)
    y.backward()
    return x.grad


def seed_polynomial(lib):
    x = lib.tensor([4.0], requires_grad=True)
    z = lib.pow(x, 3) + 2 * lib.pow(x, 2) + 8 * x
    z.backward()
    return x.grad


def seed_mean(lib):
    x = lib.tensor([0.1, -0.2, 0.3], requires_grad=True)
    y = x + 2
    a = y * y * 3
    b = a.mean()
    b.backward()
    return x.grad


def seed_control_flow(lib):
    a = lib.tensor(0.0139, requires_grad=True)
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    c = b if b.sum() > 0 else 100 * b
    c.backward()
    return a.grad


def seed_sin(lib):
    x = lib.tensor([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0], requires_grad=True)
    z = lib.sin(x)
    z.backward(lib.ones(10))
    return x.grad


def seed_second_derivative(lib):
    x = lib.tensor(2.0, requires_grad=True)
    y = x ** 3
    dy = lib.autograd.grad(y, x, create_graph=True)[0]
    return lib.autograd.grad(dy, x)[0]


def chain10(lib, x):
    y = x
    for _ in range(5):
        y = y * 1.01 + 0.5          # 10 ops
    y.sum().backward()


# --- a large workload: one SGD step of a 784-512-512-10 MLP ------------------------------------
def make_mlp(lib, batch=64):
    rng = np.random.default_rng(0)
    ws = []
    for n_in, n_out in ((784, 512), (512, 512), (512, 10)):
        w = lib.tensor(rng.standard_normal((n_in, n_out)).astype(np.float32) / np.float32(np.sqrt(n_in)),
                       requires_grad=True)
        b = lib.zeros(n_out, requires_grad=True)
        ws += [w, b]
    x = lib.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    labels = lib.tensor(rng.integers(0, 10, batch))
    return ws, x, labels, lib.optim.SGD(ws, lr=0.01)


def mlp_step(lib, ws, x, labels, opt):
    h = x
    for i in range(0, 6, 2):
        h = h @ ws[i] + ws[i + 1]
        if i < 4:
            h = lib.relu(h)
    logp = lib.log_softmax(h, 1)
    loss = -logp[lib.arange(x.shape[0]), labels].mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def make_nn_mlp(lib, batch=64):
    """The same MLP as nn modules (Linear's default initialisation), with an
    optimiser over model.parameters()."""
    class MLP(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = lib.nn.ModuleList([lib.nn.Linear(784, 512), lib.nn.Linear(512, 512),
                                             lib.nn.Linear(512, 10)])

        def forward(self, h):
            for i, layer in enumerate(self.layers):
                h = layer(h)
                if i < 2:
                    h = lib.nn.functional.relu(h)
            return h

    lib.manual_seed(0)
    model = MLP()
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    labels = lib.tensor(rng.integers(0, 10, batch))
    return model, x, labels, lib.optim.SGD(model.parameters(), lr=0.01)


def nn_mlp_step(lib, model, x, labels, opt):
    logp = lib.log_softmax(model(x), 1)
    loss = -logp[lib.arange(x.shape[0]), labels].mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def best(fn, number, repeat):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def best_pair(fc, ft, number, repeat):
    """Best time per call of each, with the two runs interleaved so that a burst
    of load on a shared machine hits both libraries alike."""
    c = t = float("inf")
    for _ in range(repeat):
        c = min(c, timeit.timeit(fc, number=number) / number)
        t = min(t, timeit.timeit(ft, number=number) / number)
    return c, t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    n, rep = (300, 3) if args.quick else (1000, 9)
    torch.set_num_threads(2)
    rows = []
    for name, fn in [("seed: 2*dot(x,x) + backward", seed_dot),
                     ("seed: x^3+2x^2+8x + backward", seed_polynomial),
                     ("seed: mean(3(x+2)^2) + backward", seed_mean),
                     ("seed: while-loop control flow", seed_control_flow),
                     ("seed: sin(x) + backward(ones)", seed_sin),
                     ("seed: second derivative of x^3", seed_second_derivative)]:
        c, t = best_pair(lambda: fn(chainrule), lambda: fn(torch), n, rep)
        rows.append((name, c, t))
    cx = chainrule.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    rows.append(("10-op chain + backward",
                 *best_pair(lambda: chain10(chainrule, cx), lambda: chain10(torch, tx), n, rep)))
    cm, tm = make_mlp(chainrule), make_mlp(torch)
    m = 5 if args.quick else 10
    rows.append(("MLP 784-512-512-10 SGD step, batch 64",
                 *best_pair(lambda: mlp_step(chainrule, *cm), lambda: mlp_step(torch, *tm), m,
                            3 if args.quick else 6)))
    cn, tn = make_nn_mlp(chainrule), make_nn_mlp(torch)
    rows.append(("the same MLP as nn.Linear modules",
                 *best_pair(lambda: nn_mlp_step(chainrule, *cn), lambda: nn_mlp_step(torch, *tn),
                            m, 3 if args.quick else 6)))

    print(f"{'workload':42s} {'chainrule':>12s} {'torch':>12s} {'speed-up':>9s}")
    for name, c, t in rows:
        print(f"{name:42s} {c * 1e6:10.1f}us {t * 1e6:10.1f}us {t / c:8.2f}x")


if __name__ == "__main__":
    main()

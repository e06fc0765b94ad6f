"""Peak memory of backward through a 50-layer MLP, with and without
activation checkpointing (chainrule.utils.checkpoint).

    python benchmarks/checkpoint_memory.py

NumPy reports its allocations to tracemalloc, so the peak traced memory is the
peak of array memory during forward + backward.
"""
import os
import sys
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree's chainrule, not an installed copy

import numpy as np

import chainrule as torch
from chainrule.utils.checkpoint import checkpoint

LAYERS, WIDTH, BATCH, SEGMENT = 50, 128, 4096, 7


def make():
    rng = np.random.default_rng(0)
    ws = [torch.tensor(rng.standard_normal((WIDTH, WIDTH)).astype(np.float32) / 16,
                       requires_grad=True) for _ in range(LAYERS)]
    x = torch.tensor(rng.standard_normal((BATCH, WIDTH)).astype(np.float32))
    return ws, x


def run(ws, x, mode):
    def segment(h, *seg):
        for w in seg:
            h = torch.tanh(h @ w)
        return h

    h = x
    for i in range(0, LAYERS, SEGMENT):
        seg = ws[i:i + SEGMENT]
        h = segment(h, *seg) if mode is None else checkpoint(segment, h, *seg, use_reentrant=mode)
    h.sum().backward()
    return [w.grad for w in ws]


def peak(mode):
    ws, x = make()
    tracemalloc.start()
    grads = run(ws, x, mode)
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top, grads


def main():
    plain, g0 = peak(None)
    act = BATCH * WIDTH * 4 / 2 ** 20
    print(f"{LAYERS}-layer tanh MLP, width {WIDTH}, batch {BATCH} "
          f"(one activation = {act:.1f} MiB, checkpoint every {SEGMENT} layers)")
    print(f"peak memory without checkpointing:        {plain / 2 ** 20:8.1f} MiB")
    for label, mode in (("reentrant", True), ("non-reentrant", False)):
        ckpt, g1 = peak(mode)
        same = all(np.allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-6) for a, b in zip(g0, g1))
        print(f"peak memory with {label + ' checkpointing:':27s}{ckpt / 2 ** 20:8.1f} MiB  "
              f"({plain / ckpt:.1f}x less; gradients identical: {same})")


if __name__ == "__main__":
    main()

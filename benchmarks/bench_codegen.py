"""What the generated plain-backward code (chainrule/ops/_codegen.py) earns:
the backward pass of tiny-tensor workloads through the generated apply_raw
against the generic Node.apply_formulas, interleaved in one process.

    python benchmarks/bench_codegen.py
"""
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree's chainrule, not an installed copy

import chainrule as cr
from chainrule.ops import _codegen


def polynomial_backward():
    x = cr.tensor([4.0], requires_grad=True)
    z = cr.pow(x, 3) + 2 * cr.pow(x, 2) + 8 * x
    return z, x


def chain_backward():
    x = cr.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x
    for _ in range(50):
        y = (y * 1.01 + 0.5).sin()
    return y.sum(), x


def time_backward(make, generic, number=2000, repeat=7):
    best = float("inf")
    for _ in range(repeat):
        outs = [make()[0] for _ in range(number)]
        if generic:
            with _codegen.generic_path():
                t = timeit.timeit(lambda: outs.pop().backward(), number=number)
        else:
            t = timeit.timeit(lambda: outs.pop().backward(), number=number)
        best = min(best, t / number)
    return best


def main():
    print(f"{'backward of':28s} {'generated':>10s} {'generic':>10s} {'generic/generated':>18s}")
    for name, make, n in (("x^3+2x^2+8x", polynomial_backward, 2000),
                          ("150-op chain", chain_backward, 200)):
        fast = slow = float("inf")
        for _ in range(3):          # interleaved
            fast = min(fast, time_backward(make, False, n, 3))
            slow = min(slow, time_backward(make, True, n, 3))
        print(f"{name:28s} {fast * 1e6:8.1f}us {slow * 1e6:8.1f}us {slow / fast:17.2f}x")


if __name__ == "__main__":
    main()

"""How the suite (benchmarks/suite.py) checks and times one workload: every
engine's first step is compared with the floor's, then the engines are timed
in interleaved rounds (each round runs every engine once, in a rotating
order, so a burst of load on a shared machine hits them all alike) and the
figure is the median over the rounds of the time per call.

The garbage collector is left as the user would have it (enabled), unlike
timeit's default: a library that makes cyclic garbage pays for it here.
"""
import statistics
import time

import numpy as np

from suite_engines import jax_cannot_trace
from suite_workload import to_numpy


class Cell:
    """One engine on one workload: the step, or why there is none; after
    timing, the seconds per call of each round."""

    def __init__(self, engine, step=None, note="", wrong=False):
        self.engine, self.step, self.note, self.wrong = engine, step, note, wrong
        self.rounds = []
        self.first = None          # seconds of the first call (a compiler's compile is in it)

    @property
    def seconds(self):
        return statistics.median(self.rounds) if self.rounds else None


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:160] if text else ''}"


def _compare(got, want, ref, rtol, atol):
    """None when the values agree with the reference's (`ref` names it), else what differs."""
    if len(got) != len(want):
        return f"{len(got)} values, the {ref} has {len(want)}"
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = to_numpy(a), to_numpy(b)
        if a.shape != b.shape:
            return f"value {i}: shape {a.shape}, the {ref}'s {b.shape}"
        if not np.allclose(a, b, rtol=rtol, atol=atol):
            return f"value {i} differs by up to {np.max(np.abs(a - b)):.3g}"
    return None


def prepare(workload, engines, small=False, full=False):
    """A Cell per engine, each run once (the warm-up: compilers compile here)
    and its values checked against the reference (the floor, else torch)."""
    missing = workload.missing()
    if missing:                            # a package the workload needs is not installed
        return [Cell(engine, note=missing) for engine in engines]
    cells, firsts = [], {}
    skip = dict(workload.skip) if full else {**workload.skip_unless_full, **workload.skip}
    for engine in engines:
        if engine.absent:
            cells.append(Cell(engine, note=engine.absent))
            continue
        if engine.key in skip:
            cells.append(Cell(engine, note=skip[engine.key]))
            continue
        try:
            step = engine.make(workload, small)
            if step is None:
                why = workload.no_floor if engine.kind == "floor" else \
                    "training steps only" if engine.whole is not None else workload.no_jax
                cells.append(Cell(engine, note=why or "not written"))
                continue
            t0 = time.perf_counter()
            firsts[engine.key] = step()
            first = time.perf_counter() - t0
        except Exception as exc:  # an engine that cannot run this workload: say so, go on
            reason = jax_cannot_trace(engine, exc)
            known = workload.known_errors.get(engine.key)
            error = f"error: {known + ': ' if known else ''}{_first_line(exc)}"
            cells.append(Cell(engine, note=reason or error, wrong=reason is None))
            continue
        cells.append(Cell(engine, step))
        cells[-1].first = first
    ref = "floor" if "floor" in firsts else "torch"
    if workload.checked and ref in firsts:
        for cell in cells:
            if cell.step is None or cell.engine.key == ref:
                continue
            diff = _compare(firsts[cell.engine.key], firsts[ref], ref,
                            workload.rtol, workload.atol)
            if diff:
                cell.note, cell.wrong = f"WRONG against the {ref}: {diff}", True
                cell.step = None
    return cells


WARM_CALLS = 3   # untimed calls before calibrating (see _calibrate)


def _calibrate(step, target):
    """Calls per timed batch so a batch lasts about `target` seconds.  A few
    calls go first, untimed: a compiler's capture, its first checked replay
    and an optimiser's state creation happen in the first calls, and timing
    one of those made a compiled Adam step's batches a single cold call each
    (measured 170-240 us a call against 70 us in steady state)."""
    for _ in range(WARM_CALLS):
        step()
    t0 = time.perf_counter()
    step()
    once = time.perf_counter() - t0
    if once < target / 20:
        t0 = time.perf_counter()
        for _ in range(10):
            step()
        once = (time.perf_counter() - t0) / 10
    return max(1, min(100_000, int(target / max(once, 1e-9)))), once


def time_cells(cells, rounds, target, budget):
    """Fill each live cell's rounds. Fewer rounds where one call is long: about
    `budget` seconds per engine, but at least 3 rounds (1 past 5 s a call)."""
    live = [c for c in cells if c.step is not None]
    if not live:
        return
    plans = {}
    for cell in live:
        plans[id(cell)], once = _calibrate(cell.step, target)
        cell.once = once
    slowest = max(cell.once for cell in live)
    n_rounds = max(3 if slowest < 5 else 1, min(rounds, int(budget / max(slowest, 1e-9))))
    for r in range(n_rounds):
        shift = r % len(live)
        for cell in live[shift:] + live[:shift]:
            number = plans[id(cell)]
            step = cell.step
            t0 = time.perf_counter()
            for _ in range(number):
                step()
            cell.rounds.append((time.perf_counter() - t0) / number)

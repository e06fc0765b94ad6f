"""Instructions per step, counted by Valgrind's callgrind: an A/B measure that
a shared, noisy machine does not move.

    python benchmarks/icount.py poly chain10 --engine chainrule.compile
    python benchmarks/icount.py poly x2 --tree /tmp/before --tree .   # two trees side by side

Wall-clock times on the development machines move 10-30% between runs
(another tenant's load), which hides a change of a few percent; the number of
instructions a step executes moves by well under 0.1% for a single op and
by up to about 0.5% for a graph walked through dicts keyed by objects (the
hashes are addresses, different in each process).  Each count runs one
process per (tree, engine, workload) under callgrind: the suite's workload
(benchmarks/suite_workloads_tiny.py) is built and warmed up, then run N
times inside itertools.starmap, and only what runs inside starmap's C
iterator is counted (--toggle-collect=starmap_next), so the imports, the
set-up and the warm-up are not.  What it does not show: cache misses,
memory traffic and page faults (the large workloads' costs), hence for the
small-tensor workloads only.  Needs valgrind (apt-get install valgrind);
under it a step runs about 50 times slower, and each process takes a minute
or so (the imports), so the counts run two at a time.
"""
import argparse
import itertools
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINES = ("chainrule", "chainrule.compile", "torch", "floor", "minimal")


def child(tree, engine, key, n):
    """Run in the counted process: build, warm up, then n steps in starmap."""
    sys.path.insert(0, os.path.abspath(tree))          # that tree's chainrule
    sys.path.insert(0, HERE)
    from suite_workloads_tiny import ALL
    workload = next(w for w in ALL if w.key == key)
    if engine == "floor":
        step = workload.floor(False)
    elif engine == "minimal":               # eager_floor.py's bare engine, where it has the workload
        import eager_floor
        bare = eager_floor.workloads(eager_floor.MinimalLib)
        if workload.name not in bare:
            sys.exit("icount: n/a, the bare engine has no such workload")
        step = bare[workload.name][0]
    else:
        lib = __import__("torch" if engine == "torch" else "chainrule")
        if engine == "torch":
            lib.set_num_threads(1)
        wrap = lib.compile if engine == "chainrule.compile" else (lambda f: f)
        step = workload.make(lib, wrap, False)

    def run():
        step()                  # (returns None: no result kept alive between steps)
    for _ in range(30):
        run()
    for _ in itertools.starmap(run, itertools.repeat((), n)):
        pass


def count(tree, engine, key, n):
    """Instructions per step, or the reason there is no count."""
    cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
           "--toggle-collect=starmap_next", "--callgrind-out-file=/dev/null",
           sys.executable, os.path.abspath(__file__), "--child", tree, engine, key, str(n)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"Collected : (\d+)", out.stderr)
    said = re.search(r"^icount: (.*)$", out.stderr, re.M)
    if said:
        return said.group(1)
    if out.returncode or m is None:
        return f"failed: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}"
    return int(m.group(1)) / n


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        tree, engine, key, n = sys.argv[2:6]
        return child(tree, engine, key, int(n))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workloads", nargs="+", help="suite keys: poly control_flow x2 chain10 "
                    "mlp_tiny mlp_tiny_adam hvp")
    ap.add_argument("--tree", action="append", help="a chainrule source tree (repeat to compare; "
                    "default: this one)")
    ap.add_argument("--engine", action="append", choices=ENGINES, help="default: chainrule")
    ap.add_argument("-n", type=int, default=300, help="steps counted (default 300)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("icount.py needs valgrind (apt-get install valgrind)")
    trees = args.tree or [os.path.dirname(HERE)]
    engines = args.engine or ["chainrule"]
    jobs = [(w, e, t) for w in args.workloads for e in engines for t in trees]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda j: count(j[2], j[1], j[0], args.n), jobs))
    got = dict(zip(jobs, results))
    print(f"{'workload':16s} {'engine':18s} " + " ".join(f"{t[-24:]:>24s}" for t in trees)
          + ("   last/first" if len(trees) > 1 else ""))
    for w in args.workloads:
        for e in engines:
            row = [got[(w, e, t)] for t in trees]
            cells = " ".join(f"{r:24,.0f}" if isinstance(r, float) else f"{r[:24]:>24s}"
                             for r in row)
            ratio = ""
            if len(trees) > 1 and all(isinstance(r, float) for r in (row[0], row[-1])):
                ratio = f"   {row[-1] / row[0]:.4f}"
            print(f"{w:16s} {e:18s} {cells}{ratio}")


if __name__ == "__main__":
    main()

"""chainrule's benchmark suite (issue 15): every workload run with chainrule,
torch (when installed) and a hand-written NumPy forward + backward (the
"floor"), plus chainrule.compile, torch.compile and JAX's jit(grad) where
they exist, interleaved in one process.

    python benchmarks/suite.py [--quick | --full] [--only KEY ...] [--json out.json]
                               [--markdown] [--threads N] [--no-torch-compile] [--no-jax]

Each figure is the median over rounds of the time per call (µs); the ratios
are chainrule's time over torch's and over the floor's (below 1: chainrule
is faster). Every engine's values (gradients, losses) are checked against
the floor before anything is timed; a cell that disagrees prints WRONG and
the run exits with status 1. --threads N (default 1) sets the BLAS / OpenMP
/ XLA thread pools of all libraries before they load; 0 leaves their
defaults. --quick: fewer, shorter rounds and no torch.compile (its first
compile takes about 20 s a workload here), under about 2 minutes. --full:
more rounds and the 1,000,000-op chain. The workload keys for --only:
poly control_flow x2 chain10 mlp_tiny mlp_tiny_adam chain10k chain1m hvp mlp784
digits memory. The chainrule.compile(step) column compiles a training
workload's whole step (zero_grad, forward, backward, optimiser update).

The workloads are suite_workloads_tiny.py and suite_workloads_nn.py; the
engines (and the one place a compiler wraps a step) suite_engines.py.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _threads_from_argv(argv):
    """--threads N (default 1), read before NumPy loads its BLAS."""
    if "--threads" in argv[:-1]:
        return int(argv[argv.index("--threads") + 1])
    for arg in argv:
        if arg.startswith("--threads="):
            return int(arg.split("=", 1)[1])
    return 1


def limit_threads(n):
    """The thread pools' sizes, as environment variables (read when the
    libraries load, so this must run first); only when the suite is the program."""
    if n <= 0:
        return
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    if n == 1:
        flags = os.environ.get("XLA_FLAGS", "")
        os.environ["XLA_FLAGS"] = (flags + " --xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1").strip()


if __name__ == "__main__":
    limit_threads(_threads_from_argv(sys.argv))

sys.path.insert(0, os.path.dirname(HERE))   # this tree's chainrule, not an installed copy
sys.path.insert(0, HERE)

import suite_engines  # noqa: E402
import suite_memory  # noqa: E402
import suite_report  # noqa: E402
import suite_timing  # noqa: E402
import suite_workloads_nn  # noqa: E402
import suite_workloads_tiny  # noqa: E402

WORKLOADS = suite_workloads_tiny.ALL + [suite_workloads_nn.MLP784(),
                                        suite_workloads_nn.DigitsEpoch()]
KEYS = [w.key for w in WORKLOADS] + ["memory"]

# (rounds, seconds per timed batch, seconds per engine and workload at most)
MODES = {"quick": (7, 0.01, 2.0), "default": (11, 0.02, 6.0), "full": (21, 0.05, 20.0)}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer rounds, no torch.compile")
    mode.add_argument("--full", action="store_true", help="more rounds, the 1M-op chain")
    ap.add_argument("--only", nargs="+", choices=KEYS, metavar="KEY", help=" ".join(KEYS))
    ap.add_argument("--json", metavar="PATH", help="write the figures here")
    ap.add_argument("--markdown", action="store_true", help="print the table as markdown")
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS/OpenMP/XLA threads for all libraries (0: their defaults)")
    ap.add_argument("--no-torch-compile", action="store_true")
    ap.add_argument("--no-jax", action="store_true")
    return ap.parse_args(argv)


def selected(args):
    if args.only:
        return [w for w in WORKLOADS if w.key in args.only]
    return [w for w in WORKLOADS if args.full or not w.full_only]


def make_engines(args):
    why = "--quick" if args.quick else "--no-torch-compile"
    return suite_engines.engines(torch_compile=not (args.quick or args.no_torch_compile),
                                 torch_compile_off=why, jax=not args.no_jax)


def run_workloads(workloads, engines, mode, small=False, progress=None):
    """[(workload, cells)], each checked, then timed in interleaved rounds."""
    rounds, target, budget = MODES[mode]
    results = []
    for workload in workloads:
        if progress:
            progress(workload.name)
        cells = suite_timing.prepare(workload, engines, small, full=mode == "full")
        suite_timing.time_cells(cells, rounds, target, budget)
        results.append((workload, cells))
    return results


def run_memory(which, batch):
    return {lib: suite_memory.measure(lib, batch) for lib in which}


def main(argv=None):
    args = parse_args(argv)
    engines = make_engines(args)
    torch = next(e.lib for e in engines if e.key == "torch")
    if torch is not None and args.threads > 0:
        torch.set_num_threads(args.threads)
    mode = "quick" if args.quick else "full" if args.full else "default"
    meta = suite_report.machine(engines, args.threads)
    print(suite_report.heading(meta), flush=True)
    results = run_workloads(selected(args), engines, mode,
                            progress=lambda name: print(f"  running: {name}", file=sys.stderr,
                                                        flush=True))
    memory = {}
    if not args.only or "memory" in args.only:
        libs = ["chainrule"] + (["torch"] if torch is not None else []) + ["floor"]
        memory = run_memory(libs, suite_memory.BATCH)
    print()
    if results:
        print(suite_report.table(results, markdown=args.markdown))
    if memory:
        print()
        print(suite_report.memory_table(memory, suite_memory.BATCH, markdown=args.markdown))
    if args.json:
        suite_report.write_json(args.json, meta, results, memory)
    failed = [f"{w.key} / {c.engine.key}: {c.note}" for w, cells in results for c in cells
              if failure(c)]
    if failed:
        print("\nfailed:\n  " + "\n  ".join(failed), file=sys.stderr)
    return 1 if failed else 0


def failure(cell):
    """A wrong value from any engine, or an error from an eager one (a compiler
    refusing a workload is a note, not a failure)."""
    return cell.wrong and (cell.note.startswith("WRONG") or not cell.engine.compiled)


if __name__ == "__main__":
    sys.exit(main())

"""Peak memory of the 784-512-512-10 MLP's forward + backward at batch 4096,
each library in a fresh subprocess (its max RSS), for benchmarks/suite.py.

    python benchmarks/suite_memory.py chainrule|torch|floor BATCH

prints one JSON line (MiB): the RSS after the imports and the data, the
peak RSS during forward + backward, and the difference (what they added).
On Linux the peak is VmHWM after a reset (the RSS high-water mark since
forward began; a process's ru_maxrss is no use here, as it survives exec
from the parent); elsewhere ru_maxrss.
Only the library measured is imported in the child.
"""
import importlib
import json
import os
import resource
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))    # this tree's chainrule, not an installed copy
sys.path.insert(0, HERE)
import suite_workloads_nn as nn_workloads  # noqa: E402  (NumPy only: the child's library is imported below)

BATCH = 4096


def _max_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux


def _status_mib(field):
    """A memory line of /proc/self/status (VmRSS, VmHWM) in MiB, or None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_high_water_mark():
    """Linux resets VmHWM to the current RSS on '5' > clear_refs: the peak then
    is the workload's, not that of the data's float64 temporaries before it."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def _child(which, batch):
    weights = nn_workloads.mlp_weights()
    x, y = nn_workloads.mlp_batch(batch)
    if which == "floor":
        def run():
            return nn_workloads.mlp_floor_pass(weights, x, y)
    else:
        lib = importlib.import_module(which)
        model = nn_workloads.mlp_model(lib, weights)
        loss_fn = nn_workloads.mlp_forward(lib, model)
        x, y = lib.tensor(x), lib.tensor(y)

        def run():
            loss_fn(x, y).backward()
    before = _status_mib("VmRSS")
    if before is None or not _reset_high_water_mark():   # not Linux: the process's max RSS
        before = _max_rss_mib()
        run()
        peak = _max_rss_mib()
    else:
        run()
        peak = _status_mib("VmHWM")
    print(json.dumps({"before_mib": before, "peak_mib": peak, "added_mib": peak - before}))


def measure(which, batch=BATCH, env=None):
    """{'before_mib', 'peak_mib', 'added_mib'} of a fresh process running
    `which` (chainrule, torch or floor), or {'error': text}."""
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), which, str(batch)],
                          capture_output=True, text=True, env=env, timeout=600)
    if proc.returncode:
        lines = (proc.stderr.strip() or "failed").splitlines()
        return {"error": lines[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]))

"""The suite's output: the table (plain or GitHub markdown), the notes saying
why a cell is n/a, the memory rows, and the --json document."""
import json
import os
import platform
import sys
import time

import numpy as np

COLUMNS = [("chainrule", "chainrule µs"), ("torch", "torch µs"), ("floor", "floor µs"),
           ("chainrule/torch", "chainrule/torch"), ("chainrule/floor", "chainrule/floor"),
           ("chainrule.compile", "chainrule.compile µs"),
           ("chainrule.compile(step)", "chainrule.compile(step) µs"),
           ("torch.compile", "torch.compile µs"),
           ("jax.jit", "jax.jit µs")]


def _us(seconds):
    if seconds is None:
        return "n/a"
    us = seconds * 1e6
    if us < 10:
        return f"{us:.2f}"
    if us < 1000:
        return f"{us:.1f}"
    return f"{us:,.0f}"


def ratios(cells):
    """chainrule's time over torch's and over the floor's (None where one is missing)."""
    secs = {c.engine.key: c.seconds for c in cells}
    mine = secs.get("chainrule")
    return {f"chainrule/{other}": None if mine is None or secs.get(other) is None
            else mine / secs[other] for other in ("torch", "floor")}


def row_cells(cells):
    """{column key: text} for one workload's row."""
    secs = {c.engine.key: c.seconds for c in cells}
    out = {key: _us(secs.get(key)) for key, _ in COLUMNS if "/" not in key}
    for key, cell in ((c.engine.key, c) for c in cells):
        if cell.wrong:
            out[key] = "WRONG" if cell.note.startswith("WRONG") else "error"
    for key, ratio in ratios(cells).items():
        out[key] = "n/a" if ratio is None else f"{ratio:.2f}x"
    return out


def _notes(results):
    """Why each n/a is n/a: one line per distinct (engine, reason), naming the
    workloads it applies to ('all' when it is every one)."""
    seen = {}
    for workload, cells in results:
        for cell in cells:
            if cell.note:
                seen.setdefault((cell.engine.key, cell.note), []).append(workload.key)
        if not workload.checked:
            seen.setdefault(("check", f"not checked: {workload.unchecked}"), []).append(workload.key)
    keys = [w.key for w, _ in results]
    return [f"{engine}: {note} ({'all' if names == keys and len(keys) > 1 else ', '.join(names)})"
            for (engine, note), names in seen.items()]


def table(results, markdown=False):
    """The table as text."""
    heads = ["workload"] + [label for _, label in COLUMNS]
    rows = [[w.name] + [row_cells(cells)[key] for key, _ in COLUMNS] for w, cells in results]
    if markdown:
        lines = ["| " + " | ".join(heads) + " |", "|" + "---|" + "---:|" * len(COLUMNS)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        lines += [""] + [f"- {n}" for n in _notes(results)]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [heads] + rows) for i in range(len(heads))]
    fmt = lambda r: "  ".join(  # noqa: E731
        c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    lines = [fmt(heads), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows]
    notes = _notes(results)
    if notes:
        lines += ["", "notes:"] + [f"  {n}" for n in notes]
    return "\n".join(lines)


def memory_table(memory, batch, markdown=False):
    """Peak RSS rows: one per library, and chainrule's ratio to torch."""
    title = (f"peak memory, 784-512-512-10 MLP forward + backward, batch {batch} "
             f"(a fresh process each)")
    heads = ["library", "peak RSS MiB", "RSS before MiB", "added by fwd+bwd MiB"]
    rows = []
    for lib, m in memory.items():
        if "error" in m:
            rows.append([lib, "n/a", "n/a", m["error"][:80]])
            continue
        added = "n/a" if m.get("added_mib") is None else f"{m['added_mib']:.1f}"
        rows.append([lib, f"{m['peak_mib']:.1f}", f"{m['before_mib']:.1f}", added])
    cr, tr = memory.get("chainrule", {}), memory.get("torch", {})
    ratio = ""
    if cr.get("added_mib") and tr.get("added_mib"):
        ratio = (f"chainrule/torch: {cr['peak_mib'] / tr['peak_mib']:.2f}x peak RSS, "
                 f"{cr['added_mib'] / tr['added_mib']:.2f}x added by forward + backward")
    if markdown:
        lines = [f"{title}:", "", "| " + " | ".join(heads) + " |", "|---|---:|---:|---:|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines + ([f"\n{ratio}"] if ratio else []))
    lines = [title] + ["  " + f"{r[0]:10s} peak RSS {r[1]:>7s} MiB, before {r[2]:>7s} MiB, "
                              f"added {r[3]:>7s} MiB" for r in rows]
    return "\n".join(lines + ([f"  {ratio}"] if ratio else []))


def _cpu():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(engines, threads):
    """Where and with what the figures were taken."""
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for engine in engines:
        mod = engine.lib.jax if engine.kind == "jax" and engine.lib else engine.lib
        if mod is not None and not engine.absent and hasattr(mod, "__version__"):
            versions[mod.__name__] = mod.__version__
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpu": _cpu(),
            "cores": os.cpu_count(), "threads": threads or "library defaults",
            "platform": platform.platform(), "versions": versions, "argv": sys.argv[1:]}


def heading(meta):
    v = ", ".join(f"{k} {x}" for k, x in meta["versions"].items())
    return (f"chainrule benchmark suite, {meta['date']}, {meta['cpu']} ({meta['cores']} cores, "
            f"BLAS threads: {meta['threads']}); {v}")


def write_json(path, meta, results, memory):
    doc = {"machine": meta, "unit": "seconds per call (median over rounds)", "workloads": [],
           "memory": memory}
    for workload, cells in results:
        doc["workloads"].append({
            "key": workload.key, "name": workload.name, "checked": workload.checked,
            "seconds": {c.engine.key: c.seconds for c in cells},
            "rounds": {c.engine.key: c.rounds for c in cells if c.rounds},
            "first_call_seconds": {c.engine.key: c.first for c in cells if c.first is not None},
            "notes": {c.engine.key: c.note for c in cells if c.note},
            "ratios": ratios(cells)})
    with open(path, "w") as out:
        json.dump(doc, out, indent=1)

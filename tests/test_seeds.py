"""Seed-notebook conformance: day-one notebooks must print exactly what torch prints.

Each ``tests/seeds/seed_NNN.py`` holds ``CELLS``, the code cells of one notebook
(``/work/shared/seeds/NNN_*.txt``), in order. Every seed is executed twice, cell by
cell in one namespace, as a notebook would:

* under real torch (``import torch``), and
* under chainrule, with the import statements rewritten in the AST before the cell
  is compiled (``import torch`` -> ``import chainrule as torch``,
  ``from torch.autograd import ...`` -> ``from chainrule.autograd import ...``).
  ``sys.modules`` is never touched, so real torch stays intact.

Per cell we capture the printed stdout (plus ``repr()`` of a final expression
statement that is not None, like Jupyter's display), the exception
``[type name, first line of message]`` if the cell raised (execution then continues
with the next cell), and the warnings ``[category name, first line]``. Object
addresses (``0x7f...``) are masked. chainrule must match torch cell by cell; it
may only add lines after the first line of an exception message.

Random numbers are replayed: during the torch run ``torch.rand``/``randn``/... are
wrapped to record every returned tensor (under ``torch.manual_seed(int(seed_id))``); during the
chainrule run ``chainrule.rand``/``randn``/... are wrapped so that each call still
runs chainrule's own function (so signature or shape bugs surface) and then
returns ``chainrule.tensor(recorded_values, dtype=<result dtype>,
requires_grad=<result requires_grad>)`` in the same order.

Without torch, the reference is ``tests/seeds/expected_NNN.json`` (outputs and the
recorded random values); with torch, the live run is the reference and the JSON is
checked to be up to date. Rewrite the JSON with ``python tests/seeds/regenerate.py``.
"""
import ast
import contextlib
import functools
import hashlib
import importlib.util
import io
import json
import re
import signal
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
SEED_IDS = sorted(p.stem[len("seed_"):] for p in SEEDS_DIR.glob("seed_[0-9][0-9][0-9].py"))
# torch.manual_seed(int(seed_id)) before each torch run: seed 004 then draws a negative
# `a`, so the `c = 100 * b` branch of its control-flow cell is exercised too.
CELL_TIMEOUT_S = 5.0
# Factories whose values differ between the libraries; replayed from the torch run.
RANDOM_FUNCS = ("rand", "randn", "randint", "rand_like", "randn_like", "randint_like",
                "randperm", "normal")

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")


# ---------------------------------------------------------------------------
# Loading seeds and expected files
# ---------------------------------------------------------------------------

def load_cells(seed_id):
    path = SEEDS_DIR / f"seed_{seed_id}.py"
    spec = importlib.util.spec_from_file_location(f"_seed_notebook_{seed_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.CELLS)


def cells_digest(cells):
    return hashlib.sha256(json.dumps(cells).encode("utf-8")).hexdigest()


def expected_path(seed_id):
    return SEEDS_DIR / f"expected_{seed_id}.json"


def load_expected(seed_id):
    with open(expected_path(seed_id), encoding="utf-8") as fh:
        return json.load(fh)


# ---------------------------------------------------------------------------
# Running cells
# ---------------------------------------------------------------------------

def mask(text):
    return _ADDRESS.sub("0xADDRESS", text)


def first_line(text):
    lines = str(text).splitlines()
    return mask(lines[0]) if lines else ""


class CellTimeout(Exception):
    pass


class ReplayMismatch(Exception):
    """chainrule drew random numbers differently from torch (other function/shape/count)."""


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise CellTimeout in a cell that loops forever (e.g. a broken `while b.norm() < 1000`)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _handler(signum, frame):
        raise CellTimeout(f"cell did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, _handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _TorchToChainrule(ast.NodeTransformer):
    """Rewrite torch imports so the cell binds chainrule where it asked for torch."""

    def visit_Import(self, node):
        out = []
        for alias in node.names:
            name = alias.name
            if name != "torch" and not name.startswith("torch."):
                out.append(ast.Import(names=[alias]))
                continue
            new = "chainrule" + name[len("torch"):]
            if alias.asname:                      # import torch.nn as nn
                out.append(ast.Import(names=[ast.alias(name=new, asname=alias.asname)]))
            else:                                 # import torch / import torch.nn: binds `torch`
                if new != "chainrule":
                    out.append(ast.Import(names=[ast.alias(name=new, asname=None)]))
                out.append(ast.Import(names=[ast.alias(name="chainrule", asname="torch")]))
        return [ast.copy_location(stmt, node) for stmt in out]

    def visit_ImportFrom(self, node):
        if node.level == 0 and node.module and (node.module == "torch"
                                                or node.module.startswith("torch.")):
            node.module = "chainrule" + node.module[len("torch"):]
        return node


def compile_cell(src, filename, to_chainrule):
    """(exec code, eval code of the final expression or None)."""
    tree = ast.parse(src, filename, "exec")
    if to_chainrule:
        tree = _TorchToChainrule().visit(tree)
    display = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body.pop()
        expr = ast.Expression(body=last.value)
        display = compile(ast.fix_missing_locations(expr), filename, "eval")
    body = compile(ast.fix_missing_locations(tree), filename, "exec")
    return body, display


def run_cells(cells, label, to_chainrule):
    """Run the cells in one namespace; return one record per cell."""
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    results = []
    saved_np_print = np.get_printoptions()
    try:
        for index, src in enumerate(cells):
            out = io.StringIO()
            exception = None
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with contextlib.redirect_stdout(out):
                    try:
                        with _time_limit(CELL_TIMEOUT_S):
                            body, display = compile_cell(src, f"<{label} cell {index}>",
                                                         to_chainrule)
                            exec(body, namespace)
                            if display is not None:
                                value = eval(display, namespace)
                                if value is not None:
                                    print(repr(value))
                    except Exception as exc:  # noqa: BLE001 - a notebook shows any error
                        exception = [type(exc).__name__, first_line(exc)]
            results.append({
                "stdout": mask(out.getvalue()),
                "exception": exception,
                "warnings": [[w.category.__name__, first_line(w.message)] for w in caught],
            })
    finally:
        np.set_printoptions(**saved_np_print)
    return results


# ---------------------------------------------------------------------------
# Random-number recording (torch) and replay (chainrule)
# ---------------------------------------------------------------------------

@contextlib.contextmanager
def _patched(module, wrap):
    """Replace module.<random factory> by wrap(name, original) for the duration."""
    originals = {name: getattr(module, name) for name in RANDOM_FUNCS if hasattr(module, name)}
    try:
        for name, original in originals.items():
            setattr(module, name, wrap(name, original))
        yield
    finally:
        for name, original in originals.items():
            setattr(module, name, original)


def _dtype_name(dtype):
    return str(dtype).rsplit(".", 1)[-1]


def run_torch(seed_id, cells=None):
    """Live torch run: {"cells": [...], "random": [...], ...} as stored in the JSON."""
    import torch

    cells = load_cells(seed_id) if cells is None else cells
    records = []

    def wrap(name, original):
        @functools.wraps(original)
        def recording(*args, **kwargs):
            result = original(*args, **kwargs)
            values = result.detach().cpu()
            records.append({
                "fn": name,
                "shape": list(result.shape),
                "dtype": _dtype_name(result.dtype),
                "requires_grad": bool(result.requires_grad),
                "values": values.numpy().tolist(),
            })
            return result
        return recording

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed_id))
        with _patched(torch, wrap):
            results = run_cells(cells, f"seed_{seed_id}", to_chainrule=False)
    return {
        "generated_with": f"torch {torch.__version__}",
        "manual_seed": int(seed_id),
        "cells_sha256": cells_digest(cells),
        "cells": results,
        "random": records,
    }


def run_chainrule(cells, records, seed_id):
    import chainrule

    position = [0]
    inside = [False]   # a factory calling another patched factory must not consume a record

    def wrap(name, original):
        @functools.wraps(original)
        def replaying(*args, **kwargs):
            if inside[0]:
                return original(*args, **kwargs)
            inside[0] = True
            try:
                result = original(*args, **kwargs)    # chainrule's own call: arguments checked
            finally:
                inside[0] = False
            if position[0] >= len(records):
                raise ReplayMismatch(f"chainrule.{name} call #{position[0]} has no torch "
                                     f"counterpart ({len(records)} recorded)")
            record = records[position[0]]
            position[0] += 1
            if record["fn"] != name:
                raise ReplayMismatch(f"call #{position[0] - 1}: chainrule.{name} but torch "
                                     f"called torch.{record['fn']}")
            shape = list(result.shape)
            if shape != record["shape"]:
                raise ReplayMismatch(f"chainrule.{name} returned shape {shape}, "
                                     f"torch.{name} returned {record['shape']}")
            return chainrule.tensor(record["values"], dtype=result.dtype,
                                    requires_grad=result.requires_grad)
        return replaying

    with _patched(chainrule, wrap):
        return run_cells(cells, f"seed_{seed_id}", to_chainrule=True)


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

# Numbers printed in full float32 precision (NumPy's 8 digits) may differ in
# the last unit: PyTorch's vectorised sin/cos/tanh and NumPy's are each within
# an ulp of the true value but do not always round alike.  Everything else in
# the text, and every number to that tolerance, must match.
_NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?")
_ULP_TOLERANCE = 4 * 2.0 ** -23        # a few float32 ulps, relative
_TOKEN = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?|\S+?(?=\s|$|[\[\](),]|-?\d)|[\[\](),]|\S")


def _same_text(a, b):
    """Equal, or equal token for token with numbers within the tolerance (NumPy
    pads columns to the longest number, so spacing may differ with them)."""
    if a == b:
        return True
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    if len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        if x == y:
            continue
        if not (_NUMBER.fullmatch(x) and _NUMBER.fullmatch(y)):
            return False
        fx, fy = float(x), float(y)
        if abs(fx - fy) > _ULP_TOLERANCE * max(abs(fx), abs(fy)):
            return False
    return True


def _cells_match(ref, got):
    if not _same_text(ref["stdout"], got["stdout"]) or ref["warnings"] != got["warnings"]:
        return False
    return ref["exception"] == got["exception"]


def _excerpt(text, limit=1500):
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more chars]"


def _describe(index, src, ref, got):
    lines = [f"--- cell {index} ---", "code:"]
    lines += ["    " + line for line in src.strip("\n").splitlines()]
    for key in ("stdout", "exception", "warnings"):
        if ref[key] != got[key]:
            lines.append(f"{key} differs:")
            lines.append(f"  torch:     {_excerpt(repr(ref[key]))}")
            lines.append(f"  chainrule: {_excerpt(repr(got[key]))}")
    return "\n".join(lines)


def assert_cells_equal(seed_id, cells, reference, actual, ref_name="torch"):
    assert len(reference) == len(cells), (
        f"seed_{seed_id}: reference has {len(reference)} cells, seed has {len(cells)}; "
        "run tests/seeds/regenerate.py")
    bad = [i for i, (r, a) in enumerate(zip(reference, actual)) if not _cells_match(r, a)]
    if not bad:
        return
    parts = [f"seed_{seed_id}: {len(bad)} of {len(cells)} cells differ from {ref_name}: {bad}"]
    parts += [_describe(i, cells[i], reference[i], actual[i]) for i in bad]
    pytest.fail(_excerpt("\n".join(parts), 20000), pytrace=False)


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

def _torch_or_none():
    try:
        import torch  # noqa: F401
        return torch
    except Exception:  # noqa: BLE001 - absent or broken: fall back to the JSON
        return None


@functools.lru_cache(maxsize=None)
def _live_torch(seed_id):
    return run_torch(seed_id)


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_seed_matches_torch(seed_id):
    """Live torch run vs chainrule run with torch's random values replayed."""
    pytest.importorskip("torch")
    cells = load_cells(seed_id)
    reference = _live_torch(seed_id)
    actual = run_chainrule(cells, reference["random"], seed_id)
    assert_cells_equal(seed_id, cells, reference["cells"], actual, "torch")


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_expected_json_up_to_date(seed_id):
    """The stored reference must equal what torch prints today for the current cells."""
    pytest.importorskip("torch")
    cells = load_cells(seed_id)
    assert expected_path(seed_id).exists(), (
        f"{expected_path(seed_id)} missing: run python tests/seeds/regenerate.py")
    stored = load_expected(seed_id)
    live = _live_torch(seed_id)
    hint = "run python tests/seeds/regenerate.py"
    assert stored["cells_sha256"] == cells_digest(cells), f"seed_{seed_id} cells changed; {hint}"
    assert stored["random"] == live["random"], f"seed_{seed_id} random values changed; {hint}"
    assert_cells_equal(seed_id, cells, live["cells"], stored["cells"], "live torch (JSON stale)")


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_seed_matches_expected_json(seed_id):
    """Without torch: compare chainrule against the stored torch outputs."""
    if _torch_or_none() is not None:
        pytest.skip("torch is installed: covered by test_seed_matches_torch "
                    "and test_expected_json_up_to_date")
    cells = load_cells(seed_id)
    stored = load_expected(seed_id)
    assert stored["cells_sha256"] == cells_digest(cells), (
        f"seed_{seed_id} cells changed since the JSON was generated; "
        "regenerate it with torch installed (python tests/seeds/regenerate.py)")
    actual = run_chainrule(cells, stored["random"], seed_id)
    assert_cells_equal(seed_id, cells, stored["cells"], actual, "torch (stored JSON)")

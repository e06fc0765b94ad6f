"""The benchmark suite (benchmarks/suite.py) cannot rot: each workload runs
once at its smallest size with chainrule, the NumPy floor and torch (when
installed), and their values agree; the table, the notes and the memory
child run too. Nothing is timed against anything here (speed lives in the
suite itself); torch.compile and JAX are left out (their compiles are slow)."""
import importlib.util
import os
import sys

import numpy as np
import pytest

from chainrule.examples import digits   # scikit-learn is only needed to load the data

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")
sys.path.insert(0, BENCH)

import suite  # noqa: E402
import suite_digits_floor as floor  # noqa: E402
import suite_engines  # noqa: E402
import suite_memory  # noqa: E402
import suite_report  # noqa: E402
import suite_timing  # noqa: E402
from suite_workload import Workload  # noqa: E402

HAVE_TORCH = importlib.util.find_spec("torch") is not None
HAVE_SKLEARN = importlib.util.find_spec("sklearn") is not None


def _engines(torch=True):
    """chainrule, torch (if wanted and installed) and the floor; the compiled
    columns present but switched off."""
    return [e for e in suite_engines.engines(torch_compile=False, torch_compile_off="test",
                                             jax=False)
            if e.key in ("chainrule", "floor", "chainrule.compile", "chainrule.compile(step)",
                         "torch.compile", "jax.jit")
            or e.key == "torch" and torch]


@pytest.mark.parametrize("workload", suite.WORKLOADS, ids=lambda w: w.key)
def test_each_workload_runs_once_and_the_engines_agree(workload):
    if workload.key == "digits" and not HAVE_SKLEARN:
        pytest.skip("the digits example needs scikit-learn")
    cells = suite_timing.prepare(workload, _engines(), small=True)
    by_key = {c.engine.key: c for c in cells}
    assert not [c.note for c in cells if c.wrong]
    assert by_key["chainrule"].step is not None
    if workload.floor(True) is not None:
        assert by_key["floor"].step is not None
    if HAVE_TORCH:
        assert by_key["torch"].step is not None
    assert by_key["torch.compile"].step is None and by_key["torch.compile"].note == "test"
    by_key["chainrule"].step()                   # a second step runs too (training state moves)


def test_a_workload_missing_a_package_is_n_a_not_a_failure(monkeypatch):
    workload = next(w for w in suite.WORKLOADS if w.key == "digits")
    monkeypatch.setattr(digits, "load_digits", None)
    cells = suite_timing.prepare(workload, _engines(torch=False), small=True)
    assert all(c.step is None and "scikit-learn" in c.note and not suite.failure(c)
               for c in cells)


def test_a_disagreeing_engine_is_reported_wrong_and_not_timed():
    class Wrong(Workload):
        key, name = "wrong", "a chainrule that is off by one"

        def make(self, lib, wrap, small):
            x = lib.tensor([1.0, 2.0], requires_grad=True)
            return lambda: [wrap(lambda x: x + 1.0)(x)]

        def floor(self, small):
            return lambda: [np.array([1.0, 2.0], np.float32)]

    cells = suite_timing.prepare(Wrong(), _engines(torch=False))
    cell = next(c for c in cells if c.engine.key == "chainrule")
    assert cell.wrong and cell.step is None and cell.note.startswith("WRONG against the floor")
    suite_timing.time_cells(cells, rounds=1, target=1e-4, budget=0.1)
    assert cell.rounds == []
    assert "WRONG" in suite_report.table([(Wrong(), cells)])
    assert suite.failure(cell)                     # the run exits 1
    compiled = next(e for e in _engines() if e.key == "torch.compile")
    refused = suite_timing.Cell(compiled, note="error: a compiler refusing", wrong=True)
    assert not suite.failure(refused)              # a note, not a failure


def test_the_table_and_json_without_torch(tmp_path, monkeypatch):
    """torch absent: its columns read n/a and say why; the timing loop and the
    report run on what is left."""
    real = suite_engines._optional
    monkeypatch.setattr(suite_engines, "_optional",
                        lambda name: None if name == "torch" else real(name))
    engines = suite_engines.engines(torch_compile=True, jax=False)
    assert next(e for e in engines if e.key == "torch").absent == "torch is not installed"
    results = suite.run_workloads([suite.WORKLOADS[0]], engines, "quick", small=True)
    suite_timing.time_cells(results[0][1], rounds=1, target=1e-4, budget=0.1)
    text = suite_report.table(results)
    assert "torch: torch is not installed" in text and "n/a" in text
    assert "chainrule.compile" in text
    meta = suite_report.machine(engines, 1)
    suite_report.write_json(str(tmp_path / "out.json"), meta, results, {})
    assert (tmp_path / "out.json").read_text().startswith("{")


def test_the_memory_child_reports_its_peak():
    m = suite_memory.measure("chainrule", batch=8)
    assert set(m) == {"before_mib", "peak_mib", "added_mib"}, m
    assert m["peak_mib"] >= m["before_mib"] > 0
    assert "chainrule" in suite_report.memory_table({"chainrule": m}, 8)


def test_the_command_line_parses_and_selects():
    args = suite.parse_args(["--quick", "--only", "poly", "memory", "--json", "x.json"])
    assert [w.key for w in suite.selected(args)] == ["poly"]
    assert "chain1m" not in [w.key for w in suite.selected(suite.parse_args([]))]
    assert "chain1m" in [w.key for w in suite.selected(suite.parse_args(["--full"]))]
    assert suite._threads_from_argv(["suite.py", "--threads", "2"]) == 2
    assert suite._threads_from_argv(["suite.py"]) == 1


def test_the_digits_floor_computes_torchs_gradients():
    """The hand-written NumPy CNN of the digits row (suite_digits_floor.py):
    its loss and gradients are torch autograd's on the example's network
    holding the same weights (dropout off: an all-ones mask, eval mode)."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(3)
    x = rng.random((5, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 10, 5)
    params = floor.init_params(1)
    loss, logits, grads = floor.forward_backward(
        params, np.ascontiguousarray(x.transpose(0, 2, 3, 1)), y, np.ones((5, 128), np.float32))
    previous, digits.T = digits.T, torch
    try:
        model = digits.build_model()
    finally:
        digits.T = previous
    model.load_state_dict({k: torch.tensor(v) for k, v in floor.torch_layout(params).items()})
    model.eval()
    ref_logits = model(torch.tensor(x))
    ref = torch.nn.functional.cross_entropy(ref_logits, torch.tensor(y))
    ref.backward()
    np.testing.assert_allclose(loss, ref.item(), rtol=1e-5)
    np.testing.assert_allclose(logits, ref_logits.detach().numpy(), rtol=1e-4, atol=1e-5)
    named = dict(model.named_parameters())
    for name, g in floor.torch_layout(grads).items():
        np.testing.assert_allclose(g, named[name].grad.numpy(), rtol=1e-4, atol=1e-6,
                                   err_msg=name)


@pytest.mark.parametrize("workload", [w for w in suite.WORKLOADS if w.training],
                         ids=lambda w: w.key)
def test_a_training_workload_compiled_whole_replays_the_eager_steps(workload):
    import warnings
    import chainrule
    from suite_workload import to_numpy
    eager = workload.make(chainrule, lambda f: f, True)
    compiled = chainrule.compile(workload.make(chainrule, lambda f: f, True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")               # no fallback to eager mode
        for _ in range(4):
            for a, b in zip(eager(), compiled()):
                np.testing.assert_array_equal(to_numpy(a), to_numpy(b))
    assert "backward inside" in compiled.explain()


def test_the_minimal_engine_of_eager_floor_gives_chainrules_gradients():
    # benchmarks/eager_floor.py's bare engine is a lower bound only if it does
    # the same mathematics: its gradients equal chainrule's on every workload.
    import eager_floor
    ours, bare = eager_floor.workloads(eager_floor.chainrule), eager_floor.workloads(eager_floor.MinimalLib)
    for name, (step, _) in ours.items():
        got, want = eager_floor.as_numpy(bare[name][0]()), eager_floor.as_numpy(step())
        assert got.shape == want.shape and np.allclose(got, want, rtol=1e-5), name


@pytest.mark.parametrize("engine", ["chainrule", "chainrule.compile", "floor", "minimal", "torch"])
def test_icount_child_runs_the_steps_it_would_count(engine):
    # (the counted process itself, without valgrind: icount.py cannot rot either)
    if engine == "torch" and not HAVE_TORCH:
        pytest.skip("torch is not installed")
    import subprocess
    root = os.path.dirname(BENCH)
    out = subprocess.run([sys.executable, os.path.join(BENCH, "icount.py"), "--child", root,
                          engine, "poly", "2"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr

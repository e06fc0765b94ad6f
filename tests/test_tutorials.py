"""PyTorch's beginner tutorials, in our own copies (tests/tutorials/), run
with `import chainrule as torch` and again with real torch: they must print
the same text.

Random draws are replayed: in the torch run every `rand`/`randn`/`randint`
result and every weight that nn.init's `kaiming_uniform_` / `uniform_` fill
is recorded; in the chainrule run each such call runs chainrule's own
function (so its arguments and shapes are exercised) and then takes the
recorded values.  The printed numbers then differ only by float32 rounding
of differently ordered sums: the text outside numbers must be equal, the
numbers within a relative 1e-4 (integers and shapes exactly)."""
import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

TUTORIALS = Path(__file__).resolve().parent / "tutorials"
_IMPORTS = re.compile(r"^(import|from) chainrule\b( as torch)?", re.MULTILINE)
_NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?|-?\d+(?:e[-+]?\d+)?")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")
_RANDOM_FACTORIES = ("rand", "randn", "randint")
_RANDOM_INITS = ("kaiming_uniform_", "uniform_")


def _as_torch(source):
    """The tutorial's chainrule imports as torch's (`import chainrule as
    torch` -> `import torch`, `from chainrule.x import` -> `from torch.x import`)."""
    return _IMPORTS.sub(lambda m: f"{m.group(1)} torch", source)


class _Replay:
    """Records (torch run) or replays (chainrule run) random draws, in order."""

    def __init__(self):
        self.values = []
        self.depth = 0             # (an init that calls another records once)

    def factory(self, lib, fn, record):
        def wrapped(*args, **kwargs):
            out = fn(*args, **kwargs)
            if record:
                self.values.append(out.detach().numpy().copy())
                return out
            return lib.tensor(self.values.pop(0), dtype=out.dtype,
                              requires_grad=out.requires_grad)
        return wrapped

    def init(self, lib, fn, record):
        def wrapped(tensor, *args, **kwargs):
            self.depth += 1
            try:
                out = fn(tensor, *args, **kwargs)
            finally:
                self.depth -= 1
            if self.depth == 0:
                if record:
                    self.values.append(tensor.detach().numpy().copy())
                else:
                    with lib.no_grad():
                        tensor.copy_(lib.tensor(self.values.pop(0), dtype=tensor.dtype))
            return out
        return wrapped


@contextlib.contextmanager
def _default_dtype(lib, name):
    before = lib.get_default_dtype()
    lib.set_default_dtype(getattr(lib, name))
    try:
        yield
    finally:
        lib.set_default_dtype(before)


def _run(lib, source, replay, monkeypatch, record, dtype="float32"):
    with monkeypatch.context() as mp, _default_dtype(lib, dtype):
        for name in _RANDOM_FACTORIES:
            mp.setattr(lib, name, replay.factory(lib, getattr(lib, name), record))
        for name in _RANDOM_INITS:
            mp.setattr(lib.nn.init, name, replay.init(lib, getattr(lib.nn.init, name), record))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(source, "<tutorial>", "exec"), {"__name__": "__tutorial__"})
    return _ADDRESS.sub("0x...", out.getvalue())


def _last_digit(token):
    """The value of one unit in the last printed digit ("0.5485": 1e-4)."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def _assert_same_text(mine, ref, rtol=1e-4):
    """Equal text outside the numbers; integers equal, other numbers within
    rtol or one unit of their last printed digit (a value at a rounding
    boundary prints either way)."""
    assert _NUMBER.split(mine) == _NUMBER.split(ref)
    a, b = _NUMBER.findall(mine), _NUMBER.findall(ref)
    assert len(a) == len(b)
    for u, v in zip(a, b):
        if re.fullmatch(r"-?\d+", v):
            assert u == v
        else:
            tol = max(rtol * abs(float(v)), 1.0001 * _last_digit(v))
            assert abs(float(u) - float(v)) <= tol, (u, v)


@pytest.mark.parametrize("name, dtype, rtol", [
    # (RMSprop at lr 1e-3 ends circling the minimum, where float32 rounding
    # grows: the polynomial fits run in float64, as the tutorial's own
    # "numpy" version does)
    ("polynomial_nn", "float64", 1e-9),
    ("build_model", "float32", 1e-4),
    ("optimization_loop", "float32", 1e-4),
])
def test_tutorial_prints_what_torch_prints(name, dtype, rtol, monkeypatch):
    source = (TUTORIALS / f"{name}.py").read_text()
    assert "import chainrule as torch" in source
    replay = _Replay()
    torch.manual_seed(0)          # (the same draws each time: the run does not depend on luck)
    ref = _run(torch, _as_torch(source), replay, monkeypatch, record=True, dtype=dtype)
    mine = _run(cr, source, replay, monkeypatch, record=False, dtype=dtype)
    assert not replay.values                 # every recorded draw was asked for again
    assert ref.count("\n") > 5
    _assert_same_text(mine, ref, rtol)


def test_import_rewrite():
    assert _as_torch("import chainrule as torch\nfrom chainrule import nn\n"
                     "from chainrule.utils.data import DataLoader\n") == \
        "import torch\nfrom torch import nn\nfrom torch.utils.data import DataLoader\n"


def test_text_comparison_can_fail():
    with pytest.raises(AssertionError):
        _assert_same_text("loss: 1.25", "loss: 1.27")
    with pytest.raises(AssertionError):
        _assert_same_text("tensor([3])", "tensor([4])")
    with pytest.raises(AssertionError):
        _assert_same_text("Linear(in=3)", "Linear(in_=3)")
    with pytest.raises(AssertionError):
        _assert_same_text("-0.5484", "-0.5486")
    _assert_same_text("loss: 1.2500001", "loss: 1.25")
    _assert_same_text("-0.5485", "-0.5486")          # (one unit in the last printed digit)

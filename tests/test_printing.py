"""Tests for chainrule/_printing.py: tensor text must equal torch's, character for character.

Hand-written expected strings (copied from torch 2.13 output) run everywhere;
the randomized comparisons against torch itself skip when torch is absent.
"""
import math

import numpy as np
import pytest

from chainrule import _printing as P

FLOAT_NAMES = {"float16", "float32", "float64"}


def show(arr, dtype_name=None, default_float="float32", **kw):
    """tensor_repr with the dtype name taken from the array unless given."""
    arr = np.asarray(arr)
    name = dtype_name or ("bool" if arr.dtype == np.bool_ else arr.dtype.name)
    return P.tensor_repr(arr, dtype_name=name, is_default_float=(name == default_float), **kw)


@pytest.fixture
def restore_options():
    """Put the print options back after a test that changes them."""
    saved = P.get_printoptions()
    yield
    P.set_printoptions(**saved)


# ---------------------------------------------------------------------------
# Hand-written expectations (no torch needed)
# ---------------------------------------------------------------------------

F32 = np.float32


@pytest.mark.parametrize("arr, kw, expected", [
    (np.array([1, 2], F32), dict(requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
    (np.array(28, F32), dict(requires_grad=True, grad_fn_name="MulBackward0"),
     "tensor(28., grad_fn=<MulBackward0>)"),
    (np.array(2.5, F32), dict(grad_fn_name="MeanBackward0"), "tensor(2.5000, grad_fn=<MeanBackward0>)"),
    (np.array(3, F32), {}, "tensor(3.)"),
    (np.array([1, 2], np.int32), {}, "tensor([1, 2], dtype=torch.int32)"),
    (np.array([1, 2], np.int64), {}, "tensor([1, 2])"),
    (np.array([True, False]), {}, "tensor([ True, False])"),
    (np.zeros(0, F32), {}, "tensor([])"),
    (np.zeros((0, 3), F32), {}, "tensor([], size=(0, 3))"),
    (np.zeros(0, np.int64), {}, "tensor([], dtype=torch.int64)"),
    (np.zeros(0, np.int32), {}, "tensor([], dtype=torch.int32)"),
    (np.zeros((0, 3), np.bool_), {}, "tensor([], size=(0, 3), dtype=torch.bool)"),
    (np.array([1e-5, 1], F32), {}, "tensor([1.0000e-05, 1.0000e+00])"),
    (np.array([1e10, 1], F32), {}, "tensor([1.0000e+10, 1.0000e+00])"),
    (np.array([0.01, 1.5], F32), {}, "tensor([0.0100, 1.5000])"),
    (np.array([0.001, 1.5], F32), {}, "tensor([1.0000e-03, 1.5000e+00])"),
    (np.array([-0.0, 1], F32), {}, "tensor([-0., 1.])"),
    (np.array([np.nan, 1], F32), {}, "tensor([nan, 1.])"),
    (np.array([np.nan, 1.5], F32), {}, "tensor([   nan, 1.5000])"),
    (np.array([-np.inf, 1e-5], F32), {}, "tensor([      -inf, 1.0000e-05])"),
    (np.zeros(3, F32), {}, "tensor([0., 0., 0.])"),
    (np.zeros(2000, F32), {}, "tensor([0., 0., 0.,  ..., 0., 0., 0.])"),
    (np.array([1.5, 2], np.float64), {}, "tensor([1.5000, 2.0000], dtype=torch.float64)"),
    (np.array([1.5, 2], np.float16), {}, "tensor([1.5000, 2.0000], dtype=torch.float16)"),
])
def test_handwritten(arr, kw, expected):
    assert show(arr, **kw) == expected


def test_wrapping_and_blocks():
    assert show(np.arange(10, dtype=F32) / 3) == (
        "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
        "        3.0000])")
    assert show(np.arange(8, dtype=np.int64).reshape(2, 2, 2)) == (
        "tensor([[[0, 1],\n"
        "         [2, 3]],\n"
        "\n"
        "        [[4, 5],\n"
        "         [6, 7]]])")
    # a suffix that does not fit on the last line goes on its own line
    assert show(np.arange(30, dtype=F32).reshape(2, 3, 5) * 1.5, grad_fn_name="MulBackward0") == (
        "tensor([[[ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000],\n"
        "         [ 7.5000,  9.0000, 10.5000, 12.0000, 13.5000],\n"
        "         [15.0000, 16.5000, 18.0000, 19.5000, 21.0000]],\n"
        "\n"
        "        [[22.5000, 24.0000, 25.5000, 27.0000, 28.5000],\n"
        "         [30.0000, 31.5000, 33.0000, 34.5000, 36.0000],\n"
        "         [37.5000, 39.0000, 40.5000, 42.0000, 43.5000]]],\n"
        "       grad_fn=<MulBackward0>)")
    # ... and stays on the last line when it fits
    assert show(np.arange(20, dtype=F32).reshape(2, 10) * 100.5, requires_grad=True) == (
        "tensor([[   0.0000,  100.5000,  201.0000,  301.5000,  402.0000,  502.5000,\n"
        "          603.0000,  703.5000,  804.0000,  904.5000],\n"
        "        [1005.0000, 1105.5000, 1206.0000, 1306.5000, 1407.0000, 1507.5000,\n"
        "         1608.0000, 1708.5000, 1809.0000, 1909.5000]], requires_grad=True)")


def test_default_dtype_float64():
    assert show(np.array([1.5], np.float64), default_float="float64") == "tensor([1.5000])"
    assert show(np.array([1.5], F32), default_float="float64") == "tensor([1.5000], dtype=torch.float32)"


def test_printoptions(restore_options):
    P.set_printoptions(precision=2)
    assert show(np.array([1.12345], F32)) == "tensor([1.12])"
    P.set_printoptions(threshold=5)
    assert show(np.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    P.set_printoptions(profile="default")
    assert show(np.array([1.12345], F32)) == "tensor([1.1235])"
    P.set_printoptions(sci_mode=True)
    assert show(np.array([1.5], F32)) == "tensor([1.5000e+00])"
    P.set_printoptions(sci_mode=False)
    assert show(np.array([1e-5, 1], F32)) == "tensor([0.0000, 1.0000])"
    P.set_printoptions(profile="full")
    assert P.get_printoptions()["threshold"] == math.inf
    assert "..." not in show(np.zeros(2000, F32))
    P.set_printoptions(profile="default")
    assert P.get_printoptions() == dict(precision=4, threshold=1000, edgeitems=3,
                                        linewidth=80, sci_mode=None)


def test_printoptions_context(restore_options):
    with P.printoptions(precision=1):
        assert show(np.array([1.25], F32)) == "tensor([1.2])"
    assert show(np.array([1.25], F32)) == "tensor([1.2500])"


def test_cupy_like_input():
    class FakeDeviceArray:
        def get(self):
            return np.array([1, 2], F32)
    assert P.tensor_repr(FakeDeviceArray(), dtype_name="float32", is_default_float=True) == "tensor([1., 2.])"


# ---------------------------------------------------------------------------
# Comparisons against torch itself
# ---------------------------------------------------------------------------

def _torch_repr(torch, arr, mode):
    """torch's repr of arr, plus the autograd keywords for tensor_repr."""
    t = torch.from_numpy(np.array(arr, copy=True))
    kw = {}
    if mode == 1 and t.is_floating_point():
        t.requires_grad_()
        kw = dict(requires_grad=True)
    elif mode == 2 and t.is_floating_point():
        t = t.requires_grad_() * 1
        kw = dict(requires_grad=True, grad_fn_name="MulBackward0")
    return repr(t), str(t.dtype)[len("torch."):], kw


def _random_array(rng):
    nd = int(rng.integers(0, 5))
    big = rng.random() < 0.2
    maxs = ([1, 2000, 60, 14, 8] if big else [1, 40, 12, 6, 4])[nd]
    shape = tuple(int(rng.integers(0 if rng.random() < 0.05 else 1, maxs + 1)) for _ in range(nd))
    dt = [np.float32, np.float32, np.float64, np.float16, np.int64, np.int32,
          np.int16, np.int8, np.uint8, np.bool_][int(rng.integers(10))]
    if dt == np.bool_:
        return np.asarray(rng.random(shape) < 0.5)
    if np.issubdtype(dt, np.integer):
        info = np.iinfo(dt)
        lim = min(info.max, int(10 ** rng.uniform(0, 18)))
        return np.asarray(rng.integers(max(info.min, -lim), lim, size=shape, endpoint=True)).astype(dt)
    x = np.asarray(rng.standard_normal(shape) * 10.0 ** rng.uniform(-8, 12))
    kind = int(rng.integers(5))
    if kind == 1:
        x = np.round(x)                       # integer-valued floats
    elif kind == 2:
        x = np.abs(x)
    elif kind == 3:                           # specials mixed in
        x = x.copy()
        mask = rng.random(shape) < 0.2
        x[mask] = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0], size=int(mask.sum()))
    with np.errstate(all="ignore"):
        return np.asarray(x.astype(dt))


def test_random_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1234)
    for _ in range(400):
        arr = _random_array(rng)
        expected, name, kw = _torch_repr(torch, arr, int(rng.integers(3)))
        got = P.tensor_repr(arr, dtype_name=name, is_default_float=(name == "float32"), **kw)
        assert got == expected, f"shape={arr.shape} dtype={arr.dtype}\n{expected}\n{got}"


EDGE_CASES = [
    np.array(3.0, F32), np.array(-0.0, F32), np.array(np.nan, F32), np.array(7, np.int64),
    np.array(True), np.array([1e-5, 1.0], F32), np.array([1e10, 1.0], F32),
    np.array([1e8, 1.0], F32), np.array([1.5e8, 1.0], F32), np.array([1e-4, 1.0], F32),
    np.array([9e-5, 1.0], F32), np.array([1000.0, 1.0], F32), np.array([1001.0, 1.0], F32),
    np.array([1000.5, 1.0], F32), np.array([1e20, -3e20], F32), np.array([123456789.0], F32),
    np.array([0.0, -0.0, 0.0], F32), np.array([np.nan, np.inf, -np.inf], F32),
    np.array([np.nan, 1e-7, -np.inf, 2.5], F32), np.array([-0.0, 0.5], F32),
    np.array([65504, -65504, 1], np.float16), np.array([6e-8, 1], np.float16),
    np.array([1 / 3, 1e-3], np.float64), np.arange(10, dtype=F32), np.arange(10, dtype=F32) * 1e6,
    np.arange(30, dtype=np.int64) ** 3, np.linspace(-1, 1, 25, dtype=F32),
    np.zeros(2000, F32), np.ones((40, 40), F32), np.arange(1001, dtype=np.int32),
    np.arange(3000, dtype=F32).reshape(2, 30, 50) * 1.5, np.arange(5000, dtype=np.int64).reshape(10, 10, 50),
    np.arange(2 * 3 * 4 * 5, dtype=F32).reshape(2, 3, 4, 5) / 7, np.random.default_rng(0).random((2000, 1)) < 0.5,
    np.zeros(0, F32), np.zeros((0, 3), F32), np.zeros((3, 0, 2), np.float64), np.zeros(0, np.int64),
    np.zeros(0, np.int32), np.zeros((2, 0), np.bool_),
]


@pytest.mark.parametrize("index", range(len(EDGE_CASES)))
def test_edge_cases_against_torch(index):
    torch = pytest.importorskip("torch")
    arr = EDGE_CASES[index]
    for mode in range(3):
        expected, name, kw = _torch_repr(torch, arr, mode)
        assert P.tensor_repr(arr, dtype_name=name, is_default_float=(name == "float32"), **kw) == expected


OPTION_SETS = [
    dict(precision=2), dict(precision=0), dict(precision=8), dict(sci_mode=False), dict(sci_mode=True),
    dict(profile="full"), dict(profile="short"), dict(linewidth=40), dict(linewidth=200),
    dict(linewidth=10), dict(threshold=10), dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0), dict(threshold=0), dict(precision=3, sci_mode=True, linewidth=60),
]


@pytest.mark.parametrize("index", range(len(OPTION_SETS)))
def test_printoptions_against_torch(index, restore_options):
    opts = OPTION_SETS[index]
    torch = pytest.importorskip("torch")
    saved_torch = torch._tensor_str.get_printoptions()
    torch.set_printoptions(profile="default")
    torch.set_printoptions(**opts)
    P.set_printoptions(profile="default")
    P.set_printoptions(**opts)
    try:
        assert P.get_printoptions() == torch._tensor_str.get_printoptions()
        rng = np.random.default_rng(100 + index)
        for _ in range(25):
            arr = _random_array(rng)
            expected, name, kw = _torch_repr(torch, arr, int(rng.integers(3)))
            got = P.tensor_repr(arr, dtype_name=name, is_default_float=(name == "float32"), **kw)
            assert got == expected, f"{opts} shape={arr.shape} dtype={arr.dtype}\n{expected}\n{got}"
    finally:
        torch.set_printoptions(**saved_torch)


def test_default_dtype_float64_against_torch():
    torch = pytest.importorskip("torch")
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for arr in (np.array([1.5, 2.0]), np.array([1.5, 2.0], F32), np.zeros(0), np.zeros(0, F32),
                    np.array([1, 2], np.int64)):
            expected, name, kw = _torch_repr(torch, arr, 2)
            got = P.tensor_repr(arr, dtype_name=name, is_default_float=(name == "float64"), **kw)
            assert got == expected
    finally:
        torch.set_default_dtype(saved)

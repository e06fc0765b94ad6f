"""Property tests for checkpoints (bounded): random nested checkpoints round
trip exactly through chainrule and load in torch; random damage to a
checkpoint's pickle or a safetensors header raises only the documented
errors (or loads), never another exception and never runs anything."""
import io
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import chainrule as cr
from chainrule.utils import safetensors as cst

try:
    import torch
except ImportError:      # the comparison with torch skips itself without it
    torch = None

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SETTINGS = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

DTYPES = ("float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool")


@st.composite
def _tensors(draw):
    name = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    seed = draw(st.integers(0, 2 ** 16))
    rng = np.random.default_rng(seed)
    if name == "bool":
        a = rng.random(shape) > 0.5
    elif name.startswith("float"):
        a = rng.standard_normal(shape).astype(name)
    else:
        a = rng.integers(0, 100, shape).astype(name)
    t = cr.tensor(a)
    if draw(st.booleans()) and t.ndim == 2:
        t = t.t()                                # a view: saved as its values
    return t


_atoms = (st.none() | st.booleans() | st.integers(-2 ** 80, 2 ** 80)
          | st.floats(allow_nan=False) | st.text(max_size=8))
_keys = st.text(max_size=5) | st.integers(-5, 5)
_trees = st.recursive(
    _atoms | _tensors(),
    lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner)
                   | st.dictionaries(_keys, inner, max_size=4)
                   | st.dictionaries(st.text(max_size=5), inner, max_size=4).map(OrderedDict)),
    max_leaves=12)


def _same(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, cr.Tensor):
        assert a.dtype is b.dtype and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert a == b


def _saved(obj):
    buf = io.BytesIO()
    cr.save(obj, buf)
    buf.seek(0)
    return buf


@SETTINGS
@given(_trees)
def test_random_checkpoints_round_trip(tree):
    _same(tree, cr.load(_saved(tree)))


@pytest.mark.skipif(torch is None, reason="needs the torch reference")
@SETTINGS
@given(_trees)
def test_random_checkpoints_load_in_torch(tree):
    back = torch.load(_saved(tree), weights_only=True)

    def values(t):
        assert isinstance(t, torch.Tensor)
        return t.numpy()

    # tensors compare by values and dtype, everything else by type and value
    def check(a, b):
        if isinstance(a, cr.Tensor):
            assert str(a.dtype) == str(b.dtype)
            np.testing.assert_array_equal(a.numpy(), values(b))
        elif isinstance(a, dict):
            assert type(a) is type(b) and list(a) == list(b)
            for k in a:
                check(a[k], b[k])
        elif isinstance(a, (list, tuple)):
            assert type(a) is type(b) and len(a) == len(b)
            for x, y in zip(a, b):
                check(x, y)
        else:
            assert type(a) is type(b) and a == b
    check(tree, back)


_CHECKPOINT = _saved({"sd": OrderedDict(w=cr.arange(6.0).view(2, 3), b=cr.ones(2)),
                      "opt": {"state": {0: {"step": cr.tensor(3.0)}},
                              "param_groups": [{"lr": 0.1, "betas": (0.9, 0.99), "params": [0]}]},
                      "epoch": 7}).getvalue()


def _with_pickle(data):
    src = zipfile.ZipFile(io.BytesIO(_CHECKPOINT))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for info in src.infolist():
            zf.writestr(info.filename, data if info.filename.endswith("data.pkl")
                        else src.read(info.filename))
    buf.seek(0)
    return buf


with zipfile.ZipFile(io.BytesIO(_CHECKPOINT)) as _zf:
    _PICKLE = _zf.read("archive/data.pkl")


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(_PICKLE) - 1), st.integers(0, 255)),
                min_size=1, max_size=4), st.integers(1, len(_PICKLE)))
def test_damaged_pickles_raise_only_clear_errors(edits, keep):
    data = bytearray(_PICKLE)
    for at, byte in edits:
        data[at] = byte
    try:
        cr.load(_with_pickle(bytes(data[:keep])))
    except (pickle.UnpicklingError, RuntimeError):
        pass


_SAFETENSORS = cst.save({"w": cr.arange(6.0).view(2, 3), "i": cr.arange(3)}, {"k": "v"})


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 120), st.integers(0, 255)), min_size=1, max_size=4),
       st.integers(0, len(_SAFETENSORS)))
def test_damaged_safetensors_raise_only_safetensor_errors(edits, keep):
    data = bytearray(_SAFETENSORS)
    for at, byte in edits:
        data[at % len(data)] = byte
    try:
        cst.load(bytes(data[:keep]))
    except cst.SafetensorError:
        pass

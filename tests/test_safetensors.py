"""chainrule.utils.safetensors (also chainrule.serialization.save_file /
load_file): round trips, files exchanged with the `safetensors` package and
`safetensors.torch` both ways, and strict header checks: every tampered
file raises SafetensorError (and the real library refuses it too, so each
tampering is a real one)."""
import json
import struct

import numpy as np
import pytest

import chainrule as cr
from chainrule.utils import safetensors as cst
from chainrule.utils.safetensors import SafetensorError

try:
    import safetensors
    import safetensors.numpy as st_numpy
except ImportError:      # the interoperability tests skip themselves without it
    safetensors = st_numpy = None
try:
    import torch
    import safetensors.torch as st_torch
except ImportError:
    torch = st_torch = None

needs_safetensors = pytest.mark.skipif(safetensors is None, reason="needs safetensors")
needs_torch = pytest.mark.skipif(st_torch is None, reason="needs torch and safetensors")

DTYPES = ("float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool")


def _arrays(seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for i, name in enumerate(DTYPES):
        shape = [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 2, 2), (4,), (3, 1), (5,)][i]
        if name == "bool":
            a = rng.random(shape) > 0.5
        elif name.startswith("float"):
            a = rng.standard_normal(shape).astype(name)
        else:
            info = np.iinfo(name)
            a = rng.integers(info.min, info.max, shape, dtype=name, endpoint=True)
        out[f"layer.{name}"] = a
    return out


def _check(loaded, arrays):
    assert sorted(loaded) == sorted(arrays)
    for k, a in arrays.items():
        t = loaded[k]
        assert type(t) is cr.Tensor and t.dtype is getattr(cr, str(a.dtype)), k
        assert tuple(t.shape) == a.shape and not t.requires_grad
        np.testing.assert_array_equal(t.numpy(), a)


def test_round_trip_every_dtype(tmp_path):
    arrays = _arrays()
    cr.serialization.save_file({k: cr.tensor(a) for k, a in arrays.items()}, tmp_path / "m.st",
                               metadata={"format": "pt"})
    _check(cr.serialization.load_file(tmp_path / "m.st"), arrays)
    _check(cst.load(cst.save({k: cr.tensor(a) for k, a in arrays.items()})), arrays)
    assert cst.metadata_of((tmp_path / "m.st").read_bytes()) == {"format": "pt"}


def test_views_parameters_and_loaded_tensors_are_independent():
    base = cr.arange(12.0).view(3, 4)
    p = cr.nn.Parameter(cr.ones(2))
    loaded = cst.load(cst.save({"t": base.t(), "s": base[1:, ::2], "p": p}))
    np.testing.assert_array_equal(loaded["t"].numpy(), base.numpy().T)
    np.testing.assert_array_equal(loaded["s"].numpy(), base.numpy()[1:, ::2])
    assert type(loaded["p"]) is cr.Tensor and not loaded["p"].requires_grad
    loaded["t"].add_(1)                          # writeable, and a copy
    assert base[0, 0].item() == 0.0


def test_bad_arguments_to_save():
    with pytest.raises(TypeError, match="dict"):
        cst.save([cr.ones(1)])
    with pytest.raises(TypeError, match="must be a Tensor"):
        cst.save({"a": np.ones(1)})
    with pytest.raises(TypeError, match="names must be strings"):
        cst.save({1: cr.ones(1)})
    with pytest.raises(TypeError, match="metadata"):
        cst.save({"a": cr.ones(1)}, metadata={"k": 1})
    with pytest.raises(ValueError, match="reserved"):
        cst.save({"__metadata__": cr.ones(1)})


@needs_safetensors
def test_files_are_the_librarys_bytes():
    arrays = _arrays(1)
    assert cst.save({k: cr.tensor(a) for k, a in arrays.items()}) == st_numpy.save(arrays)


@needs_safetensors
def test_chainrule_files_load_in_safetensors(tmp_path):
    arrays = _arrays(2)
    cst.save_file({k: cr.tensor(a) for k, a in arrays.items()}, tmp_path / "m.safetensors",
                  metadata={"a": "1", "b": "two"})
    back = st_numpy.load_file(tmp_path / "m.safetensors")
    assert sorted(back) == sorted(arrays)
    for k, a in arrays.items():
        assert back[k].dtype == a.dtype and back[k].shape == a.shape
        np.testing.assert_array_equal(back[k], a)
    with safetensors.safe_open(tmp_path / "m.safetensors", "np") as f:
        assert f.metadata() == {"a": "1", "b": "two"}


@needs_safetensors
def test_safetensors_files_load_in_chainrule(tmp_path):
    arrays = _arrays(3)
    st_numpy.save_file(arrays, tmp_path / "m.safetensors", metadata={"k": "v"})
    _check(cst.load_file(tmp_path / "m.safetensors"), arrays)
    assert cst.metadata_of((tmp_path / "m.safetensors").read_bytes()) == {"k": "v"}
    _check(cst.load(st_numpy.save(arrays)), arrays)


@needs_torch
def test_exchange_with_safetensors_torch(tmp_path):
    torch.manual_seed(0)
    tnet = torch.nn.Linear(3, 2)
    st_torch.save_file(tnet.state_dict(), tmp_path / "t.safetensors")
    sd = cst.load_file(tmp_path / "t.safetensors")
    net = cr.nn.Linear(3, 2)
    net.load_state_dict(sd)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(net(cr.tensor(x)).detach().numpy(),
                               tnet(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-6)

    arrays = _arrays(4)
    cst.save_file({k: cr.tensor(a) for k, a in arrays.items()}, tmp_path / "c.safetensors")
    back = st_torch.load_file(tmp_path / "c.safetensors")
    for k, a in arrays.items():
        assert back[k].dtype is getattr(torch, str(a.dtype))
        np.testing.assert_array_equal(back[k].numpy(), a)


# --- tampered files ---------------------------------------------------------------------
def _file(header, body, *, pad=True):
    text = json.dumps(header).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + body


def _entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


_GOOD = _file({"a": _entry("F32", [2], 0, 8), "b": _entry("I8", [3], 8, 11)}, bytes(11))

TAMPERED = {
    "offset past the end": (_file({"a": _entry("F32", [2], 0, 8), "b": _entry("I8", [3], 8, 11)},
                                  bytes(10)), "cover 11 bytes of a 10-byte buffer"),
    "overlapping": (_file({"a": _entry("F32", [2], 0, 8), "b": _entry("I8", [3], 6, 9)},
                          bytes(9)), "starts at byte 6, expected 8"),
    "a gap": (_file({"a": _entry("F32", [2], 0, 8), "b": _entry("I8", [3], 9, 12)}, bytes(12)),
              "starts at byte 9, expected 8"),
    "bytes left over": (_file({"a": _entry("F32", [2], 0, 8)}, bytes(12)),
                        "cover 8 bytes of a 12-byte buffer"),
    "reversed offsets": (_file({"a": _entry("F32", [0], 8, 0)}, bytes(8)), "begin <= end"),
    "negative offset": (_file({"a": _entry("F32", [2], -8, 0)}, bytes(8)), "begin <= end"),
    "huge header length": (struct.pack("<Q", 2 ** 62) + _GOOD[8:], "header too large"),
    "header past the file": (struct.pack("<Q", 4096) + _GOOD[8:], "reaches past the end"),
    "truncated file": (_GOOD[:-3], "cover 11 bytes of a 8-byte buffer"),
    "truncated header": (_GOOD[:20], "reaches past the end"),
    "too small": (b"\x01\x00", "header too small"),
    "unknown dtype": (_file({"a": _entry("F31", [2], 0, 8)}, bytes(8)), "unknown dtype 'F31'"),
    "shape mismatch": (_file({"a": _entry("F32", [3], 0, 8)}, bytes(8)), "needs 12 bytes"),
    "negative shape": (_file({"a": _entry("F32", [-2], 0, 8)}, bytes(8)), "non-negative ints"),
    "float shape": (_file({"a": _entry("F32", [2.0], 0, 8)}, bytes(8)), "non-negative ints"),
    "missing field": (_file({"a": {"dtype": "F32", "shape": [2]}}, bytes(8)), "exactly dtype"),
    "not JSON": (struct.pack("<Q", 8) + b"{not js}", "not valid UTF-8 JSON"),
    "not UTF-8": (struct.pack("<Q", 8) + b'{"\xff":1}  ', "not valid UTF-8 JSON"),
    "not an object": (_file([1, 2], b""), "must be a JSON object"),
    "metadata not strings": (_file({"__metadata__": {"k": 1}}, b""), "map strings to strings"),
}


@pytest.mark.parametrize("name", list(TAMPERED))
def test_tampered_headers_raise_clear_errors(name, tmp_path):
    data, match = TAMPERED[name]
    with pytest.raises(SafetensorError, match=match):
        cst.load(data)
    (tmp_path / "x.safetensors").write_bytes(data)
    with pytest.raises(SafetensorError, match=match):
        cst.load_file(tmp_path / "x.safetensors")
    if safetensors is not None:
        with pytest.raises(Exception):          # the real library refuses it as well
            st_numpy.load(data)


def test_the_untampered_file_loads():
    assert cst.load(_GOOD)["b"].tolist() == [0, 0, 0]


def test_repeated_names_and_foreign_dtypes_are_refused():
    text = (b'{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]},'
            b'"a":{"dtype":"I8","shape":[1],"data_offsets":[1,2]}}')
    with pytest.raises(SafetensorError, match="appears twice"):
        cst.load(struct.pack("<Q", len(text)) + text + bytes(2))
    with pytest.raises(SafetensorError, match="BF16, which chainrule does not have"):
        cst.load(_file({"a": _entry("BF16", [2], 0, 4)}, bytes(4)))

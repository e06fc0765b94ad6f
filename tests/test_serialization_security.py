"""chainrule.load never runs code from a file: crafted pickles inside a
torch.save-style zip raise pickle.UnpicklingError naming what was refused
and create no marker file; damaged archives and foreign files raise a clear
error.  Each payload is first shown to be live (plain pickle, or torch
without weights_only, would run it), so the tests can fail."""
import builtins
import io
import os
import pickle
import zipfile
from collections import OrderedDict

import pytest

import chainrule as cr

try:
    import torch
except ImportError:      # the torch comparisons skip themselves without it
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs the torch reference")


def _archive(pickled, records=None, prefix="archive"):
    """A torch.save-style zip around `pickled` (bytes), with extra data records."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{prefix}/data.pkl", pickled)
        zf.writestr(f"{prefix}/byteorder", b"little")
        for name, data in (records or {}).items():
            zf.writestr(f"{prefix}/data/{name}", data)
        zf.writestr(f"{prefix}/version", b"3\n")
    buf.seek(0)
    return buf


class _Call:
    """Pickles as a call of fn(*args): what a malicious checkpoint holds."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def _payloads(marker):
    touch = f"open({str(marker)!r}, 'w').close()"
    return {
        "os.system": (_Call(os.system, f"touch '{marker}'"), r"GLOBAL (posix|os|nt)\.system"),
        # (protocol 2 names builtins "__builtin__"; open is io.open)
        "builtins.eval": (_Call(builtins.eval, touch), r"GLOBAL (__builtin__|builtins)\.eval"),
        "builtins.exec": (_Call(builtins.exec, touch), r"GLOBAL (__builtin__|builtins)\.exec"),
        "builtins.open": (_Call(builtins.open, str(marker), "w"), r"GLOBAL io\.open"),
    }


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "builtins.exec",
                                  "builtins.open"])
@pytest.mark.parametrize("protocol", [2, 4])
@pytest.mark.parametrize("where", ["alone", "inside a state dict"])
def test_malicious_pickles_are_refused_and_run_nothing(tmp_path, name, protocol, where):
    live = tmp_path / "live"
    payload, named = _payloads(live)[name]
    pickle.loads(pickle.dumps(payload, protocol))          # the payload really runs...
    assert live.exists()

    marker = tmp_path / "marker"
    payload, named = _payloads(marker)[name]
    obj = payload if where == "alone" else \
        {"sd": OrderedDict(w=1.5), "extra": [payload], "epoch": 3}
    f = _archive(pickle.dumps(obj, protocol))
    with pytest.raises(pickle.UnpicklingError, match=named) as e:
        cr.load(f)
    assert "not an allowed global" in str(e.value)
    assert not marker.exists()                              # ...and here it did not


@needs_torch
def test_torch_weights_only_refuses_the_same_payload(tmp_path):
    marker = tmp_path / "marker"
    f = _archive(pickle.dumps(_payloads(marker)["os.system"][0], 2))
    with pytest.raises(pickle.UnpicklingError):
        torch.load(f, weights_only=True)
    assert not marker.exists()


@pytest.mark.parametrize("global_name", [
    "torch._tensor _rebuild_from_type_v2", "torch._utils _rebuild_tensor",
    "torch.nn.modules.linear Linear", "collections defaultdict", "numpy.core.multiarray _reconstruct",
    "__builtin__ getattr", "torch load"])
def test_globals_outside_the_allow_list_are_refused(global_name):
    data = b"\x80\x02c" + global_name.replace(" ", "\n").encode() + b"\n)R."
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL " + global_name.replace(" ", ".")):
        cr.load(_archive(data))


# Hand-written opcode streams: each would reach code the allow-list never sees.
_OPCODE_ATTACKS = {
    # INST: protocol 0's 'call this class' opcode (os.system('true'))
    "INST": b"(S'true'\nios\nsystem\n.",
    # OBJ: a class object called on the marked arguments
    "OBJ": b"\x80\x02(ccollections\nOrderedDict\no.",
    # NEWOBJ on an allowed class
    "NEWOBJ": b"\x80\x02ccollections\nOrderedDict\n)\x81.",
    # EXT1: a global from the copyreg extension registry
    "EXT1": b"\x80\x02\x82\x01)R.",
    # BUILD on an allowed function (would set its __dict__ / __defaults__)
    "BUILD on a global": b"\x80\x02ctorch._utils\n_rebuild_parameter\n}X\x0c\x00\x00\x00"
                         b"__defaults__)sb.",
    # BUILD on an OrderedDict with anything but _metadata
    "BUILD other state": b"\x80\x02ccollections\nOrderedDict\n)R}X\x03\x00\x00\x00abcK\x01sb.",
    # BUILD on a dtype (a constant global)
    "BUILD on a dtype": b"\x80\x02ctorch\nfloat32\n}X\x01\x00\x00\x00aK\x01sb.",
    # REDUCE on a dtype
    "REDUCE a dtype": b"\x80\x02ctorch\nfloat32\n)R.",
    # REDUCE on a global that may only be named (a storage class)
    "REDUCE a storage class": b"\x80\x02ctorch\nFloatStorage\n)R.",
    # REDUCE on something that is not an allowed global at all (a string)
    "REDUCE a string": b"\x80\x02X\x04\x00\x00\x00evil)R.",
}


_REFUSAL = {"INST": "opcode INST is not allowed", "OBJ": "opcode OBJ is not allowed",
            "NEWOBJ": "opcode NEWOBJ is not allowed", "EXT1": "opcode EXT1 is not allowed"}


@pytest.mark.parametrize("name", list(_OPCODE_ATTACKS))
def test_opcodes_beyond_plain_data_are_refused(name):
    why = _REFUSAL.get(name, name.split()[0] + " (is|may) only")
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed: .*" + why):
        cr.load(_archive(_OPCODE_ATTACKS[name]))
    assert cr.serialization._torch_archive.rebuild_parameter.__defaults__ == (None,)


def test_build_cannot_reach_a_tensor():
    # a real tensor record, then BUILD setting its _grad_fn
    buf = io.BytesIO()
    cr.save(cr.ones(2), buf)
    with zipfile.ZipFile(buf) as zf:
        pkl = zf.read("archive/data.pkl")
        data = zf.read("archive/data/0")
    evil = pkl[:-1] + b"}X\x08\x00\x00\x00_grad_fnNsb."
    with pytest.raises(pickle.UnpicklingError, match="BUILD"):
        cr.load(_archive(evil, {"0": data}))


def _tensor_pickle(offset=0, size=(2,), stride=(1,), numel=2, cls=b"FloatStorage", key=b"0",
                   location=b"cpu"):
    """A hand-built _rebuild_tensor_v2 record over one storage."""
    def ints(vals):
        return b"(" + b"".join(b"J" + v.to_bytes(4, "little", signed=True) for v in vals) + b"t"
    return (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\n"
            + cls + b"\nX" + len(key).to_bytes(4, "little") + key
            + b"X" + len(location).to_bytes(4, "little") + location
            + b"J" + numel.to_bytes(4, "little", signed=True) + b"tQ"
            + b"J" + offset.to_bytes(4, "little", signed=True) + ints(size) + ints(stride)
            + b"\x89ccollections\nOrderedDict\n)RtR.")


def test_cuda_storages_need_a_map_location():
    def f():
        return _archive(_tensor_pickle(location=b"cuda:0"), {"0": bytes(8)})
    with pytest.raises(RuntimeError, match="^Attempting to deserialize object on a CUDA device"):
        cr.load(f())
    for loc in ("cpu", {"cuda:0": "cpu"}, lambda storage, loc: storage):
        assert cr.load(f(), map_location=loc).tolist() == [0.0, 0.0]


def test_hand_built_tensor_record_loads():
    t = cr.load(_archive(_tensor_pickle(size=(2, 2), stride=(1, 2), numel=4),
                         {"0": bytes(range(16))}))
    assert t.stride() == (1, 2) and t.dtype is cr.float32


@pytest.mark.parametrize("kwargs,records,match", [
    (dict(size=(3,)), {"0": b"\0" * 8}, "reach past the storage"),
    (dict(offset=2), {"0": b"\0" * 8}, "reach past the storage"),
    (dict(offset=-1), {"0": b"\0" * 8}, "bad storage offset"),
    (dict(stride=(-1,)), {"0": b"\0" * 8}, "stride must be a tuple of ints >= 0"),
    (dict(size=(2, 2)), {"0": b"\0" * 8}, "differ in length"),
    (dict(numel=3), {"0": b"\0" * 8}, "holds 8 bytes"),
    (dict(), {}, "has no record"),
    (dict(cls=b"BFloat16Storage"), {"0": b"\0" * 4}, "BFloat16Storage holds a dtype"),
    (dict(cls=b"Evil"), {"0": b"\0" * 8}, "GLOBAL torch.Evil"),
])
def test_damaged_tensor_records_raise_clear_errors(kwargs, records, match):
    with pytest.raises((RuntimeError, pickle.UnpicklingError), match=match):
        cr.load(_archive(_tensor_pickle(**kwargs), records))


@pytest.mark.parametrize("data,match", [
    (b"\x80\x02K\x01", "STOP"),                 # truncated
    (b"\x80\x02s.", "stack underflow"),
    (b"\x80\x02(K\x01K\x02K\x03d.", "odd number"),
    (b"\x80\x02h\x05.", "memo key"),
    (b"\x80\x02K\x01K\x02.", "damaged stack"),
    (b"\x80\x02\xff.", "damaged pickle data"),     # no such opcode
])
def test_damaged_pickles_raise_unpickling_errors(data, match):
    with pytest.raises(pickle.UnpicklingError, match=match):
        cr.load(_archive(data))


def _zip(names):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            zf.writestr(n, b"x")
    return buf.getvalue()


def _checkpoint_bytes():
    buf = io.BytesIO()
    cr.save({"w": cr.ones(3)}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("data,match", [
    (b"", "not a checkpoint"),
    (os.urandom(256).replace(b"PK", b"pk"), "not a checkpoint"),
    # ('{' at byte 8 after no plausible header length: random bytes, not safetensors)
    (b"\xd3\x99C\xdb\x89\x1a\xf5\xbf{" + bytes(range(200)), "not a checkpoint"),
    (b"just some text\n" * 10, "not a checkpoint"),
    (_zip(["a.txt"]), "holds 0"),
    (_zip(["a/data.pkl", "b/data.pkl"]), "holds 2"),
    (_checkpoint_bytes()[:-40], "not a readable torch.save archive"),
    (cr.utils.safetensors.save({"w": cr.ones(2)}), "safetensors"),
])
def test_foreign_and_truncated_files_raise_clear_errors(tmp_path, data, match):
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    with pytest.raises(RuntimeError, match=match):
        cr.load(path)


def test_compressed_records_are_refused():
    src = zipfile.ZipFile(io.BytesIO(_checkpoint_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
    buf.seek(0)
    with pytest.raises(RuntimeError, match="is compressed"):
        cr.load(buf)


@needs_torch
def test_legacy_torch_format_is_refused_with_a_reason():
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf, _use_new_zipfile_serialization=False)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="legacy"):
        cr.load(buf)

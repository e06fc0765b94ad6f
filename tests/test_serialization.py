"""chainrule.save / chainrule.load: exact round trips, and checkpoints exchanged
with torch 2.13 both ways (torch.save -> chainrule.load; chainrule.save ->
torch.load(weights_only=True)).  Expected values come from the objects
saved or from torch, never from the loader."""
import io
import math
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import chainrule as cr

try:
    import torch
except ImportError:      # the comparisons with torch skip themselves without it
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs the torch reference")

DTYPES = ("float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool")


def _values(dtype_name, shape, seed=0):
    rng = np.random.default_rng(seed)
    if dtype_name == "bool":
        return rng.random(shape) > 0.5
    if dtype_name.startswith("float"):
        return (rng.standard_normal(shape) * 10).astype(dtype_name)
    info = np.iinfo(dtype_name)
    return rng.integers(info.min, info.max, shape, dtype=dtype_name, endpoint=True)


def _same_tensor(got, want_array, dtype_name, *, cls=cr.Tensor, requires_grad=False):
    assert type(got) is cls
    assert got.dtype is getattr(cr, dtype_name)
    assert tuple(got.shape) == want_array.shape
    assert got.requires_grad is requires_grad
    np.testing.assert_array_equal(got.detach().numpy(), want_array)


def _round_trip(obj, tmp_path=None):
    if tmp_path is None:
        buf = io.BytesIO()
        cr.save(obj, buf)
        buf.seek(0)
        return cr.load(buf)
    cr.save(obj, tmp_path / "ckpt.pt")
    return cr.load(tmp_path / "ckpt.pt")


# --- chainrule -> chainrule --------------------------------------------------------------
@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3, 0, 2), (5,), (2, 3, 4)])
def test_tensor_round_trip_every_dtype_and_shape(dtype_name, shape):
    a = _values(dtype_name, shape)
    back = _round_trip(cr.tensor(a))
    _same_tensor(back, a, dtype_name)


def test_special_floats_and_extremes_survive():
    a = np.array([math.inf, -math.inf, math.nan, -0.0, 5e-324, 1.7976931348623157e308])
    back = _round_trip(cr.tensor(a, dtype=cr.float64))
    np.testing.assert_array_equal(back.numpy(), a)
    assert math.copysign(1, back[3].item()) == -1


def test_views_are_saved_as_their_values():
    base = cr.arange(24.0).view(2, 3, 4)
    views = {"t": base.transpose(0, 2), "slice": base[1, :, 1:3], "step": base[:, ::2],
             "expand": cr.tensor([1.0, 2.0])[:, None].expand(2, 3), "diag": base[0].diagonal()}
    back = _round_trip(views)
    for k, v in views.items():
        _same_tensor(back[k], v.numpy(), "float32")
        assert back[k].is_contiguous()     # each a storage of its own
    back["t"].add_(1)                      # and writeable
    assert back["t"][0, 0, 0].item() == 1.0 and base[0, 0, 0].item() == 0.0


def test_containers_and_scalars_round_trip_exactly(tmp_path):
    meta = OrderedDict([("", {"version": 1}), ("fc", {"version": 2})])
    sd = OrderedDict([("fc.weight", cr.ones(2, 2)), ("fc.bias", cr.zeros(2))])
    sd._metadata = meta
    obj = {"sd": sd, 3: (1, -2, 2 ** 70, -2 ** 40, 65535, 65536, 2.5, -0.0, None, True, False),
           "text": ["", "é ü 𝛑", "\ud800"], "nested": [[(), []], {}, OrderedDict(), ({},)],
           "sets": [set(), {1, "a", (2, 3)}],
           "torch": [cr.float16, cr.bool, cr.device("cpu"), cr.device("cuda", 1), cr.Size([2, 3]),
                     cr.Size([])],
           (1, "k"): "tuple key", 2.5: "float key", None: "none key"}
    back = _round_trip(obj, tmp_path)
    assert type(back) is dict and list(back) == list(obj)
    assert type(back["sd"]) is OrderedDict and list(back["sd"]) == ["fc.weight", "fc.bias"]
    assert back["sd"]._metadata == meta
    assert back[3] == obj[3] and type(back[3]) is tuple
    assert [type(v) for v in back[3]] == [type(v) for v in obj[3]]
    assert math.copysign(1, back[3][7]) == -1
    assert back["text"] == obj["text"]
    assert back["nested"] == [[(), []], {}, OrderedDict(), ({},)]
    assert back["sets"] == obj["sets"] and type(back["sets"][1]) is set
    assert back["torch"][:2] == [cr.float16, cr.bool]      # the dtype objects themselves
    assert back["torch"][2:4] == obj["torch"][2:4]
    assert [type(v) for v in back["torch"][4:]] == [cr.Size, cr.Size]
    assert back["torch"][4:] == obj["torch"][4:]
    assert type(back["nested"][2]) is OrderedDict and type(back["nested"][3]) is tuple
    assert back[(1, "k")] == "tuple key" and back[2.5] == "float key" and back[None] == "none key"


def test_parameters_and_requires_grad():
    obj = {"p": cr.nn.Parameter(cr.randn(3)), "frozen": cr.nn.Parameter(cr.randn(2), False),
           "leaf": cr.ones(2, requires_grad=True), "plain": cr.ones(2)}
    back = _round_trip(obj)
    for k, v in obj.items():
        cls = cr.nn.Parameter if isinstance(v, cr.nn.Parameter) else cr.Tensor
        _same_tensor(back[k], v.detach().numpy(), "float32", cls=cls,
                     requires_grad=v.requires_grad)
        assert back[k].grad_fn is None


def test_one_tensor_saved_twice_loads_as_one_object():
    t = cr.arange(3.0)
    back = _round_trip({"a": t, "b": [t, t], "c": t.view(3)})
    assert back["a"] is back["b"][0] is back["b"][1]
    assert back["c"] is not back["a"]            # a view is its own storage (not shared)


def test_unsupported_objects_and_cycles_are_refused():
    with pytest.raises(TypeError, match="cannot save an object of type frozenset"):
        cr.save(frozenset({1, 2}), io.BytesIO())
    with pytest.raises(TypeError, match="cannot save an object of type slice"):
        cr.save([slice(2)], io.BytesIO())
    with pytest.raises(TypeError, match="ndarray"):
        cr.save({"a": np.ones(2)}, io.BytesIO())
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        cr.save(loop, io.BytesIO())


def test_module_state_dict_round_trip():
    cr.manual_seed(0)
    net = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.Linear(4, 2))
    sd = _round_trip(net.state_dict())
    other = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.Linear(4, 2))
    other.load_state_dict(sd)
    x = cr.randn(5, 3)
    np.testing.assert_array_equal(other(x).detach().numpy(), net(x).detach().numpy())


def _train(model, opt, steps, seed):
    gen = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        x = cr.tensor(gen.standard_normal((8, 3)))
        y = cr.tensor(gen.standard_normal((8, 1)))
        opt.zero_grad()
        loss = ((model(x).tanh() - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def _model():
    cr.manual_seed(1)
    return cr.nn.Sequential(cr.nn.Linear(3, 5), cr.nn.Linear(5, 1)).double()


def test_adam_checkpoint_resumes_training_identically(tmp_path):
    """Train 5 steps, save model and Adam state, load both into fresh objects,
    train 5 more: the same losses and weights as 10 uninterrupted steps."""
    straight = _model()
    opt = cr.optim.Adam(straight.parameters(), lr=0.05, amsgrad=True)
    want = _train(straight, opt, 5, seed=7) + _train(straight, opt, 5, seed=8)

    first = _model()
    opt = cr.optim.Adam(first.parameters(), lr=0.05, amsgrad=True)
    got = _train(first, opt, 5, seed=7)
    cr.save({"model": first.state_dict(), "optim": opt.state_dict(), "epoch": 5},
            tmp_path / "ckpt.pt")
    ckpt = cr.load(tmp_path / "ckpt.pt")
    assert ckpt["epoch"] == 5
    saved_state = ckpt["optim"]["state"]
    assert set(saved_state) == {0, 1, 2, 3}
    assert set(saved_state[0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert ckpt["optim"]["param_groups"][0]["betas"] == (0.9, 0.999)

    resumed = cr.nn.Sequential(cr.nn.Linear(3, 5), cr.nn.Linear(5, 1)).double()
    resumed.load_state_dict(ckpt["model"])
    opt2 = cr.optim.Adam(resumed.parameters(), lr=0.05, amsgrad=True)
    opt2.load_state_dict(ckpt["optim"])
    got += _train(resumed, opt2, 5, seed=8)
    assert got == want
    for a, b in zip(resumed.parameters(), straight.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_load_arguments():
    buf = io.BytesIO()
    cr.save(cr.ones(2), buf)
    for loc in ("cpu", cr.device("cpu"), {"cpu": "cpu"}, None):
        buf.seek(0)
        assert cr.load(buf, map_location=loc).tolist() == [1.0, 1.0]
    buf.seek(0)
    assert cr.load(buf, map_location=lambda storage, loc: storage).tolist() == [1.0, 1.0]
    buf.seek(0)
    with pytest.raises(RuntimeError, match="must return the storage"):
        cr.load(buf, map_location=lambda storage, loc: None)
    buf.seek(0)
    with pytest.raises(TypeError, match="map_location must be"):
        cr.load(buf, map_location=3)
    buf.seek(0)
    assert cr.load(buf, weights_only=False).tolist() == [1.0, 1.0]   # still no code run
    buf.seek(0)
    assert cr.load(buf, mmap=True, encoding="latin1").tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="pickle_module"):
        cr.load(buf, pickle_module=__import__("pickle"))
    with pytest.raises(TypeError, match="unexpected keyword argument 'fix_imports'"):
        cr.load(buf, fix_imports=True)
    with pytest.raises(ValueError, match="pickle_module"):
        cr.save(1, io.BytesIO(), pickle_protocol=4)


# --- torch -> chainrule ------------------------------------------------------------------
def _torch_bytes(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return buf


@needs_torch
@pytest.mark.parametrize("dtype_name", DTYPES)
def test_torch_tensors_of_every_dtype_load(dtype_name):
    a = _values(dtype_name, (3, 4), seed=2)
    back = cr.load(_torch_bytes({"x": torch.from_numpy(a), "s": torch.from_numpy(np.array(a[0, 0])),
                                 "e": torch.from_numpy(a[:0])}))
    _same_tensor(back["x"], a, dtype_name)
    _same_tensor(back["s"], a[0, 0], dtype_name)
    _same_tensor(back["e"], a[:0], dtype_name)


@needs_torch
def test_torch_views_keep_strides_offsets_and_shared_storage():
    base = torch.arange(24.0).view(2, 3, 4)
    views = {"base": base, "t": base.transpose(0, 2), "slice": base[1, :, 1:3],
             "step": base[:, ::2], "expand": base[0, 0][:, None].expand(4, 3)}
    back = cr.load(_torch_bytes(views))
    for k, v in views.items():
        np.testing.assert_array_equal(back[k].numpy(), v.numpy())
        assert back[k].stride() == v.stride(), k
        assert back[k].storage_offset() == v.storage_offset(), k
        assert back[k].is_contiguous() == v.is_contiguous(), k
    back["base"][1, 0, 1] = 100.0             # one storage, as in torch
    assert back["slice"][0, 0].item() == 100.0


@needs_torch
def test_torch_state_dict_loads_into_chainrule_module():
    torch.manual_seed(0)
    tnet = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    sd = cr.load(_torch_bytes(tnet.state_dict()))
    assert type(sd) is OrderedDict and list(sd) == list(tnet.state_dict())
    assert sd._metadata == tnet.state_dict()._metadata
    net = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.Linear(4, 2))
    net.load_state_dict(sd)
    x = np.random.default_rng(3).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(net(cr.tensor(x)).detach().numpy(),
                               tnet(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-6)


@needs_torch
def test_torch_parameters_optimiser_state_and_python_values():
    p = torch.nn.Parameter(torch.randn(3, dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (p ** 2).sum().backward()
        opt.step()
    obj = {"p": p, "frozen": torch.nn.Parameter(torch.ones(2), requires_grad=False),
           "leaf": torch.ones(2, requires_grad=True), "opt": opt.state_dict(),
           "misc": (1, 2.5, None, True, "s", [2 ** 70, -1], {3, "x"}),
           "torch": [torch.int8, torch.device("cpu"), torch.device("cuda", 2), torch.Size([4, 0])]}
    back = cr.load(_torch_bytes(obj))
    _same_tensor(back["p"], p.detach().numpy(), "float64", cls=cr.nn.Parameter,
                 requires_grad=True)
    _same_tensor(back["frozen"], np.ones(2, np.float32), "float32", cls=cr.nn.Parameter)
    _same_tensor(back["leaf"], np.ones(2, np.float32), "float32", requires_grad=True)
    want = opt.state_dict()
    assert back["opt"]["param_groups"] == want["param_groups"]
    for k, v in want["state"][0].items():
        np.testing.assert_array_equal(back["opt"]["state"][0][k].numpy(), v.numpy())
    assert back["misc"] == obj["misc"]
    assert back["torch"] == [cr.int8, cr.device("cpu"), cr.device("cuda", 2), cr.Size([4, 0])]
    assert type(back["torch"][3]) is cr.Size


@needs_torch
def test_cuda_locations_raise_torchs_error_unless_mapped():
    buf = _torch_bytes(torch.ones(2))
    with pytest.raises(RuntimeError) as ours:
        cr.load(buf, map_location="cuda")
    buf.seek(0)
    with pytest.raises(RuntimeError) as theirs:
        torch.load(buf, map_location="cuda")
    assert str(ours.value) == str(theirs.value)


# --- chainrule -> torch ------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("dtype_name", DTYPES)
def test_chainrule_tensors_load_in_torch_weights_only(dtype_name):
    a = _values(dtype_name, (2, 5), seed=4)
    t = cr.tensor(a)
    buf = io.BytesIO()
    cr.save({"x": t, "t": t.t(), "s": t[1, 2], "e": t[:, :0]}, buf)
    buf.seek(0)
    back = torch.load(buf, weights_only=True)
    for k, want in (("x", a), ("t", a.T), ("s", a[1, 2]), ("e", a[:, :0])):
        assert back[k].dtype is getattr(torch, dtype_name)
        assert tuple(back[k].shape) == want.shape
        np.testing.assert_array_equal(back[k].numpy(), want)


@needs_torch
def test_chainrule_checkpoint_loads_in_torch(tmp_path):
    cr.manual_seed(0)
    net = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.Linear(4, 2))
    opt = cr.optim.Adam(net.parameters(), lr=0.01)
    net(cr.randn(2, 3)).sum().backward()
    opt.step()
    obj = {"model": net.state_dict(), "optim": opt.state_dict(),
           "p": cr.nn.Parameter(cr.ones(2)), "leaf": cr.zeros(1, requires_grad=True),
           "misc": (1, 2.5, None, True, "s", [2 ** 70], {3, "x"}),
           "torch": [cr.float64, cr.device("cpu"), cr.device("cuda", 1), cr.Size([3, 1])]}
    cr.save(obj, tmp_path / "c.pt")
    back = torch.load(tmp_path / "c.pt", weights_only=True)
    tnet = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    tnet.load_state_dict(back["model"])
    assert back["model"]._metadata == net.state_dict()._metadata
    x = np.random.default_rng(5).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(tnet(torch.tensor(x)).detach().numpy(),
                               net(cr.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    assert isinstance(back["p"], torch.nn.Parameter) and back["p"].requires_grad
    assert back["leaf"].requires_grad and not isinstance(back["leaf"], torch.nn.Parameter)
    assert back["misc"] == obj["misc"]
    assert back["torch"] == [torch.float64, torch.device("cpu"), torch.device("cuda", 1),
                             torch.Size([3, 1])]
    assert type(back["torch"][3]) is torch.Size
    topt = torch.optim.Adam(tnet.parameters(), lr=0.01)
    topt.load_state_dict(back["optim"])
    assert topt.state_dict()["param_groups"] == back["optim"]["param_groups"]
    for k, v in opt.state_dict()["state"][0].items():
        np.testing.assert_array_equal(topt.state_dict()["state"][0][k].numpy(), v.numpy())


@needs_torch
def test_missing_directory_and_file_raise_as_torch(tmp_path):
    for L in (cr, torch):
        with pytest.raises(RuntimeError, match=f"^Parent directory {tmp_path}/no does not "
                                               r"exist\.$"):
            L.save(L.ones(1), tmp_path / "no" / "x.pt")
        with pytest.raises(FileNotFoundError):
            L.load(tmp_path / "absent.pt")


@needs_torch
def test_storage_records_are_aligned_like_torchs(tmp_path):
    cr.save({"a": cr.ones(3), "b": cr.ones(5, dtype=cr.int8)}, tmp_path / "c.pt")
    with zipfile.ZipFile(tmp_path / "c.pt") as zf:
        for info in zf.infolist():
            if "/data/" in info.filename:
                start = info.header_offset + 30 + len(info.filename) + len(info.extra)
                assert start % 64 == 0

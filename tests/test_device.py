"""Devices on the CPU against torch 2.13's CPU build: torch.device parsing,
equality and printing, tensor.device / .to / .cpu / .cuda, device= on the
factories, set_default_device, and the cuda module's answers."""
import pickle

import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
if torch.cuda.is_available():
    pytest.skip("the reference answers are those of a machine without CUDA",
                allow_module_level=True)


def _outcome(f, L):
    try:
        r = f(L)
    except BaseException as e:                  # noqa: BLE001  (compared with torch's)
        return "raise", type(e).__name__, (str(e).splitlines() or [""])[0]
    if isinstance(r, (cr.Tensor, torch.Tensor)):
        return "tensor", str(r.dtype), str(r.device), r.tolist(), r.requires_grad
    return "value", repr(r)


def _same(f):
    mine, ref = _outcome(f, cr), _outcome(f, torch)
    assert mine == ref


DEVICES = {
    "cpu": lambda L: L.device("cpu"),
    "cpu:0": lambda L: L.device("cpu:0"),
    "cuda": lambda L: L.device("cuda"),
    "cuda:1": lambda L: L.device("cuda:1"),
    "cpu_index": lambda L: L.device("cpu", 0),
    "cuda_index": lambda L: L.device("cuda", 1),
    "keyword": lambda L: L.device(type="cpu"),
    "copy": lambda L: L.device(L.device("cpu:0")),
    "str": lambda L: str(L.device("cuda", 2)),
    "type_index": lambda L: (L.device("cuda:3").type, L.device("cuda:3").index,
                             L.device("cpu").index),
    "eq": lambda L: (L.device("cpu") == L.device("cpu"), L.device("cpu") == L.device("cpu:0"),
                     L.device("cpu") == "cpu", L.device("cuda:0") != L.device("cuda:1")),
    "hash": lambda L: len({L.device("cpu"), L.device("cpu"), L.device("cpu:0")}),
    "int": lambda L: L.device(0),
    "bad_index": lambda L: L.device("cpu:x"),
    "negative_index": lambda L: L.device("cpu", -1),
    "negative_string_index": lambda L: L.device("cuda:-1"),
    "two_indices": lambda L: L.device("cpu:0", 1),
    "unknown": lambda L: L.device("gpu"),
    "upper": lambda L: L.device("CPU"),
    "empty": lambda L: L.device(""),
}

TENSORS = {
    "device": lambda L: repr(L.zeros(2).device),
    "is_cuda": lambda L: (L.zeros(2).is_cuda, L.zeros(2).is_cpu, L.zeros(2).get_device()),
    "to_cpu_dtype": lambda L: L.arange(3).to("cpu", L.float64),
    "to_device_obj_copy": lambda L: (lambda x: x.to(L.device("cpu"), copy=True) is x)(L.ones(2)),
    "to_same_no_copy": lambda L: (lambda x: x.to("cpu") is x)(L.ones(2)),
    "to_dtype_copy": lambda L: (lambda x: x.to(L.float32, copy=True) is x)(L.ones(2)),
    "to_nothing": lambda L: L.ones(2).to(),
    "to_other": lambda L: L.ones(2).to(L.zeros(1, dtype=L.int32)),
    "to_kwargs": lambda L: L.ones(2).to(device="cpu", dtype=L.float16, non_blocking=True),
    "to_grad": lambda L: (lambda x: x.to("cpu", L.float64))(L.ones(2, requires_grad=True)),
    "to_grad_fn": lambda L: (lambda x: type(x.to(L.float64).grad_fn).__name__)(
        L.ones(2, requires_grad=True)),
    "to_cuda": lambda L: L.zeros(2).to("cuda"),
    "to_cuda_kw": lambda L: L.zeros(2).to(device="cuda", dtype=L.float64),
    "to_cuda_obj": lambda L: L.zeros(2).to(L.device("cuda", 0)),
    "to_index": lambda L: L.zeros(2).to(0),
    "to_str_str": lambda L: L.zeros(2).to("cpu", "x"),
    "to_dtype_str": lambda L: L.zeros(2).to(L.float64, "cpu"),
    "cpu": lambda L: (lambda x: x.cpu() is x)(L.ones(2)),
    "cuda_method": lambda L: L.zeros(2).cuda(),
    "cuda_method_index": lambda L: L.zeros(2).cuda(0),
}

FACTORIES = {
    name: f for name, f in {
        "tensor": lambda L, d: L.tensor([1.0], device=d),
        "as_tensor": lambda L, d: L.as_tensor([1, 2], device=d),
        "zeros": lambda L, d: L.zeros(2, device=d),
        "ones": lambda L, d: L.ones(2, device=d),
        "empty": lambda L, d: L.empty(0, device=d),
        "full": lambda L, d: L.full((2,), 3.0, device=d),
        "eye": lambda L, d: L.eye(2, device=d),
        "arange": lambda L, d: L.arange(3, device=d),
        "linspace": lambda L, d: L.linspace(0, 1, 3, device=d),
        "logspace": lambda L, d: L.logspace(0, 1, 2, device=d),
        "rand": lambda L, d: L.rand(0, device=d),
        "randn": lambda L, d: L.randn(0, device=d),
        "randint": lambda L, d: L.randint(3, (0,), device=d),
        "randperm": lambda L, d: L.randperm(0, device=d),
        "normal": lambda L, d: L.normal(0.0, 1.0, (0,), device=d),
        "zeros_like": lambda L, d: L.zeros_like(L.ones(2), device=d),
        "ones_like": lambda L, d: L.ones_like(L.ones(2), device=d),
        "full_like": lambda L, d: L.full_like(L.ones(2), 7, device=d),
        "empty_like": lambda L, d: L.empty_like(L.ones(0), device=d),
        "rand_like": lambda L, d: L.rand_like(L.ones(0), device=d),
        "randn_like": lambda L, d: L.randn_like(L.ones(0), device=d),
        "randint_like": lambda L, d: L.randint_like(L.ones(0), 3, device=d),
        "new_zeros": lambda L, d: L.ones(1).new_zeros(2, device=d),
        "new_ones": lambda L, d: L.ones(1).new_ones((2,), device=d),
        "new_full": lambda L, d: L.ones(1).new_full((2,), 4.0, device=d),
        "new_tensor": lambda L, d: L.ones(1).new_tensor([5], device=d),
        "new_empty": lambda L, d: L.ones(1).new_empty(0, device=d),
    }.items()}

CUDA = {
    "is_available": lambda L: L.cuda.is_available(),
    "device_count": lambda L: L.cuda.device_count(),
    "is_initialized": lambda L: L.cuda.is_initialized(),
    "manual_seed": lambda L: (L.cuda.manual_seed(3), L.cuda.manual_seed_all(3), L.cuda.seed(),
                              L.cuda.seed_all()),
    "memory": lambda L: (L.cuda.memory_allocated(), L.cuda.max_memory_allocated(),
                         L.cuda.memory_reserved(), L.cuda.max_memory_reserved(),
                         L.cuda.empty_cache()),
    "bf16": lambda L: (L.cuda.is_bf16_supported(), L.cuda.get_arch_list()),
    "current_device": lambda L: L.cuda.current_device(),
    "get_device_name": lambda L: L.cuda.get_device_name(0),
    "get_device_properties": lambda L: L.cuda.get_device_properties(0),
    "get_device_capability": lambda L: L.cuda.get_device_capability(),
    "synchronize": lambda L: L.cuda.synchronize(),
    "init": lambda L: L.cuda.init(),
    "get_rng_state": lambda L: L.cuda.get_rng_state(),
    "mem_get_info": lambda L: L.cuda.mem_get_info(),
    "accelerator": lambda L: (L.accelerator.is_available(), L.accelerator.current_accelerator(),
                              L.accelerator.device_count()),
    "mps": lambda L: L.backends.mps.is_available(),
    "tutorial_pick": lambda L: "cuda" if L.cuda.is_available() else
        "mps" if L.backends.mps.is_available() else "cpu",
}


@pytest.mark.parametrize("name", sorted(DEVICES))
def test_device_objects(name):
    _same(DEVICES[name])


@pytest.mark.parametrize("name", sorted(TENSORS))
def test_tensor_devices(name):
    _same(TENSORS[name])


@pytest.mark.parametrize("dev", ["cpu", "cpu:0", "cuda", "cuda:0", 0, "device_cpu", "device_cuda"])
@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factory_device_argument(name, dev):
    def f(L):
        d = L.device(dev[7:]) if isinstance(dev, str) and dev.startswith("device_") else dev
        return FACTORIES[name](L, d)
    _same(f)


@pytest.mark.parametrize("name", sorted(CUDA))
def test_cuda_module(name):
    _same(CUDA[name])


def test_default_device():
    for L in (cr, torch):
        L.set_default_device("cpu")
        try:
            out = (repr(L.get_default_device()), str(L.zeros(1).device))
        finally:
            L.set_default_device(None)
        out += (repr(L.get_default_device()),)
        if L is cr:
            mine = out
    assert mine == out
    # PyTorch's CPU build raises at the next factory call; chainrule at once
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        cr.set_default_device("cuda")
    assert cr.get_default_device() == cr.device("cpu")


def test_generator_on_cuda():
    with pytest.raises(RuntimeError):
        torch.Generator(device="cuda")
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        cr.Generator(device="cuda")


def test_device_pickles():
    d = cr.device("cuda", 1)
    assert pickle.loads(pickle.dumps(d)) == d

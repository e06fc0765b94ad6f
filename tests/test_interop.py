"""Tensors shared with other code (chainrule/_interop.py, Tensor.as_strided_):
DLPack both ways with NumPy and with torch (memory shared, tensors requiring
grad refused as torch refuses them), Tensor.as_subclass, and the in-place
restride as_strided_, side by side with torch."""
import numpy as np
import pytest

import chainrule as cr

from test_misuse import _check, needs_torch

C = pytest.param


def _both(fn):
    import torch
    return fn(cr), fn(torch)


# --- DLPack ------------------------------------------------------------------------------------
def test_numpy_from_dlpack_shares_memory():
    t = cr.arange(6.0).reshape(2, 3).t()
    a = np.from_dlpack(t)
    assert a.shape == (3, 2) and a.strides == (4, 12)
    a[0, 1] = 42.0
    assert t[0, 1].item() == 42.0
    assert t.__dlpack_device__() == (cr.utils.dlpack.DLDeviceType.kDLCPU, 0)


def test_from_dlpack_of_numpy_shares_memory_and_copy_does_not():
    n = np.arange(6, dtype=np.int32).reshape(2, 3)[:, ::2]
    t = cr.from_dlpack(n)
    assert t.dtype == cr.int32 and t.stride() == (3, 2) and not t.requires_grad
    t[1, 1] = -1
    assert n[1, 1] == -1
    c = cr.from_dlpack(n, copy=True)
    c[0, 0] = 99
    assert n[0, 0] == 0
    cap = cr.utils.dlpack.to_dlpack(t)
    back = cr.utils.dlpack.from_dlpack(cap)
    back[0, 0] = 7
    assert n[0, 0] == 7
    with pytest.raises(RuntimeError, match="invalid capsule"):
        cr.from_dlpack(cap)                  # a capsule is consumed once


@needs_torch
def test_with_torch_both_ways():
    import torch
    c = cr.arange(6.0).reshape(2, 3).t()
    tt = torch.from_dlpack(c)
    assert tt.stride() == c.stride() and tt.tolist() == c.tolist()
    tt[2, 0] = -5.0
    assert c[2, 0].item() == -5.0
    src = torch.arange(4.0)
    mine = cr.from_dlpack(src)
    mine[1] = 42.0
    assert src[1].item() == 42.0
    legacy = cr.from_dlpack(torch.utils.dlpack.to_dlpack(src))   # a legacy capsule: writeable
    legacy[2] = 9.0
    assert src[2].item() == 9.0
    theirs = torch.utils.dlpack.from_dlpack(cr.to_dlpack(cr.arange(3)))
    assert theirs.dtype == torch.int64 and theirs.tolist() == [0, 1, 2]
    with pytest.raises(BufferError, match="^Can't export tensors that require gradient"):
        torch.from_dlpack(cr.ones(2, requires_grad=True))


@needs_torch
def test_module_names_match_torch():
    import torch
    assert set(cr.utils.dlpack.__all__) <= set(dir(torch.utils.dlpack))
    assert [(m.name, m.value) for m in cr.utils.dlpack.DLDeviceType] == \
        [(m.name, m.value) for m in torch.utils.dlpack.DLDeviceType]


def _roundtrip(L, t):
    a = np.from_dlpack(t)
    return a.dtype.str, a.shape, a.tolist()


CASES = [
    C(lambda L: np.from_dlpack(L.ones(2, requires_grad=True)), id="numpy-from-requires-grad"),
    C(lambda L: L.ones(2, requires_grad=True).__dlpack__(), id="dunder-requires-grad"),
    C(lambda L: L.from_dlpack(L.ones(2, requires_grad=True)), id="from-requires-grad"),
    C(lambda L: type(L.to_dlpack(L.ones(2, requires_grad=True))).__name__, id="to-dlpack-requires-grad"),
    C(lambda L: L.from_dlpack(L.ones(2, requires_grad=True).detach()), id="from-detached"),
    C(lambda L: np.from_dlpack(L.tensor([1 + 1j, 2]).conj()), id="conj-bit"),
    C(lambda L: L.from_dlpack(3), id="from-number"),
    C(lambda L: L.from_dlpack([1, 2]), id="from-list"),
    C(lambda L: L.from_dlpack(np.array(["a"])), id="from-strings"),
    C(lambda L: L.from_dlpack(np.array(3.5)), id="from-0d"),
    C(lambda L: L.from_dlpack(np.array([True, False])), id="from-bool"),
    C(lambda L: L.from_dlpack(np.array([1 + 2j], dtype=np.complex64)), id="from-complex64"),
    C(lambda L: L.from_dlpack(np.ones((0, 3), dtype=np.float16)), id="from-empty-half"),
    C(lambda L: L.from_dlpack(np.arange(3.0), device="cpu"), id="from-device-cpu"),
    C(lambda L: _roundtrip(L, L.arange(6).reshape(2, 3)[:, 1:]), id="numpy-roundtrip-view"),
    C(lambda L: _roundtrip(L, L.ones(2, 0)), id="numpy-roundtrip-empty"),
    C(lambda L: _roundtrip(L, L.tensor(2.5, dtype=L.float16)), id="numpy-roundtrip-0d-half"),
    C(lambda L: tuple(int(v) for v in L.ones(1).__dlpack_device__()), id="dlpack-device"),
]


@needs_torch
@pytest.mark.parametrize("case", CASES)
def test_misuse_matches_torch(case):
    _check(case)


# --- as_subclass -------------------------------------------------------------------------------
@needs_torch
def test_as_subclass_is_an_alias_in_the_graph():
    def run(L):
        class Sub(L.Tensor):
            pass
        t = L.ones(2)
        m = t.as_subclass(Sub)
        m.add_(1)
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x.as_subclass(Sub)
        (y * y).sum().backward()
        back = y.as_subclass(L.Tensor)
        return (type(m).__name__, m.grad_fn, m._base is t, t.tolist(), type(m + 1).__name__,
                type(y.grad_fn).__name__, y.is_leaf, y.requires_grad, x.grad.tolist(),
                type(back).__name__, type(back.grad_fn).__name__)
    mine, theirs = _both(run)
    assert mine == theirs


CASES_SUBCLASS = [
    C(lambda L: L.ones(2).as_subclass(int), id="as-subclass-int"),
    C(lambda L: L.ones(2).as_subclass(object), id="as-subclass-object"),
    C(lambda L: L.ones(2).as_subclass(3), id="as-subclass-not-a-type"),
]


@needs_torch
@pytest.mark.parametrize("case", CASES_SUBCLASS)
def test_as_subclass_misuse_matches_torch(case):
    _check(case)


# --- as_strided_ --------------------------------------------------------------------------------
def _restrided(L):
    x = L.arange(6.0)
    y = x.as_strided_((2, 2), (1, 2))
    return y is x, x.tolist(), x.stride(), x._version, x.storage_offset(), x.is_contiguous()


def _through_view(L):
    a = L.arange(6.0)
    v = a[1:]
    v.as_strided_((2,), (2,))
    v.mul_(10)
    return v.tolist(), v.storage_offset(), v._base is a, a.tolist()


def _gradient(L):
    x0 = L.arange(6.0, requires_grad=True)
    x = x0 * 1
    L.as_strided_(x, (2, 2), (2, 1), 1)
    (x * L.tensor([[1.0, 2], [3, 4]])).sum().backward()
    return x0.grad.tolist(), type(x.grad_fn).__name__, x.tolist()


def _overlapping_gradient(L):
    x0 = L.arange(4.0, requires_grad=True)
    x = x0.clone()
    x.as_strided_((3, 2), (1, 1))
    (x * L.arange(6.0).reshape(3, 2)).sum().backward()
    return x0.grad.tolist(), type(x.grad_fn).__name__


def _in_no_grad(L):
    z = L.arange(6.0, requires_grad=True)
    with L.no_grad():
        z.as_strided_((2,), (3,))
    return z.tolist(), z.requires_grad, z.is_leaf


CASES_STRIDED = [
    C(_restrided, id="restride"),
    C(_through_view, id="through-view"),
    C(_gradient, id="gradient"),
    C(_overlapping_gradient, id="overlapping-gradient"),
    C(_in_no_grad, id="leaf-in-no-grad"),
    C(lambda L: L.arange(6.0, requires_grad=True).as_strided_((2, 2), (1, 2)), id="leaf-requires-grad"),
    C(lambda L: L.as_strided_(L.arange(6.0), (2, 2), (1, 2), 5), id="out-of-bounds"),
    C(lambda L: L.as_strided_(L.arange(6.0), (2, 2), (1, -2)), id="negative-stride"),
    C(lambda L: L.as_strided_(L.arange(6.0), (2, 2), (1,)), id="stride-length"),
    C(lambda L: L.as_strided_(L.arange(6.0), (0, 3), (1, 1)).shape, id="empty-window"),
    C(lambda L: L.as_strided(L.arange(6.0), (2, 2), (1,)), id="as-strided-stride-length"),
]


@needs_torch
@pytest.mark.parametrize("case", CASES_STRIDED)
def test_as_strided__matches_torch(case):
    _check(case)


def test_as_strided__gradient_by_finite_differences():
    def f(x0):
        x = x0 * x0
        x.as_strided_((2, 2), (1, 2), 1)
        return x * x
    x0 = cr.tensor(np.random.default_rng(0).standard_normal(6), requires_grad=True)
    assert cr.autograd.gradcheck(f, (x0,))
    assert cr.autograd.gradgradcheck(f, (x0,))

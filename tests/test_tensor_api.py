"""Factories and the Tensor API compared with PyTorch (values, dtypes, shapes,
reprs), and with hand-written expectations where torch is absent."""
import numpy as np
import pytest

import chainrule as cr

try:
    import torch
except ImportError:                 # the comparisons with torch skip themselves
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs the torch reference")
# The libraries a check written for both runs with.
LIBS = [cr] + ([torch] if torch is not None else [])


def same(make):
    """make(lib) in both libraries: same repr (deterministic values), dtype and shape."""
    a, b = make(cr), make(torch)
    assert str(a.dtype) == str(b.dtype)
    assert tuple(a.shape) == tuple(b.shape)
    assert repr(a) == repr(b)


@pytest.mark.parametrize("make", [
    lambda L: L.arange(4.0), lambda L: L.arange(5), lambda L: L.arange(1, 4, 0.5),
    lambda L: L.arange(0, 10, 3), lambda L: L.zeros(2, 3), lambda L: L.zeros((2, 3)),
    lambda L: L.zeros([2]), lambda L: L.zeros(size=(1, 2)), lambda L: L.ones(3, dtype=L.int32),
    lambda L: L.full((2, 2), 7), lambda L: L.full((2,), 1.5), lambda L: L.full((2,), True),
    lambda L: L.eye(3), lambda L: L.eye(2, 3), lambda L: L.linspace(0, 1, 5),
    lambda L: L.tensor([[1, 2], [3, 4]]), lambda L: L.tensor(3.5), lambda L: L.tensor([True, False]),
    lambda L: L.tensor([1, 2.5]), lambda L: L.tensor([], dtype=L.float64),
    lambda L: L.tensor(np.arange(3, dtype=np.float64)), lambda L: L.as_tensor([1, 2]),
    lambda L: L.from_numpy(np.ones(2, np.float32)), lambda L: L.FloatTensor([4]),
    lambda L: L.DoubleTensor([1, 2]), lambda L: L.LongTensor([1, 2]),
    lambda L: L.zeros_like(L.ones(2, 3)), lambda L: L.ones_like(L.ones(2, dtype=L.int64)),
    lambda L: L.full_like(L.ones(2), 3.0), lambda L: L.empty(2, 3).zero_(),
    lambda L: L.zeros(3, requires_grad=True), lambda L: L.arange(4.0, requires_grad=True) * 2,
    lambda L: L.tensor([1, 2]) * 2.5, lambda L: L.tensor([1, 2]) / 2,
    lambda L: L.tensor([1, 2]) // 2, lambda L: L.tensor([True]) + 1,
    lambda L: L.arange(6.0).reshape(2, 3)[1], lambda L: L.arange(6.0).reshape(2, 3).T,
    lambda L: L.arange(4.0) > 1, lambda L: (L.arange(4.0) > 1) & (L.arange(4.0) < 3),
    lambda L: L.arange(4.0).max(0).values, lambda L: L.arange(4.0).double(),
    lambda L: L.arange(4).float(), lambda L: L.arange(4.0).to(L.float64),
])
@needs_torch
def test_matches_torch(make):
    same(make)


# Hand-written expectations: the text torch 2.13 prints for each (observed, not
# chainrule's output), so these run without torch.
@pytest.mark.parametrize("make, expected", [
    (lambda: cr.arange(4.0), "tensor([0., 1., 2., 3.])"),
    (lambda: cr.arange(5), "tensor([0, 1, 2, 3, 4])"),
    (lambda: cr.arange(1, 4, 0.5), "tensor([1.0000, 1.5000, 2.0000, 2.5000, 3.0000, 3.5000])"),
    (lambda: cr.zeros(2, 3), "tensor([[0., 0., 0.],\n        [0., 0., 0.]])"),
    (lambda: cr.ones(3, dtype=cr.int32), "tensor([1, 1, 1], dtype=torch.int32)"),
    (lambda: cr.full((2, 2), 7), "tensor([[7, 7],\n        [7, 7]])"),
    (lambda: cr.full((2,), 1.5), "tensor([1.5000, 1.5000])"),
    (lambda: cr.full((2,), True), "tensor([True, True])"),
    (lambda: cr.eye(2, 3), "tensor([[1., 0., 0.],\n        [0., 1., 0.]])"),
    (lambda: cr.linspace(0, 1, 5), "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])"),
    (lambda: cr.tensor([[1, 2], [3, 4]]), "tensor([[1, 2],\n        [3, 4]])"),
    (lambda: cr.tensor(3.5), "tensor(3.5000)"),
    (lambda: cr.tensor([True, False]), "tensor([ True, False])"),
    (lambda: cr.tensor([1, 2.5]), "tensor([1.0000, 2.5000])"),
    (lambda: cr.tensor([], dtype=cr.float64), "tensor([], dtype=torch.float64)"),
    (lambda: cr.tensor(np.arange(3, dtype=np.float64)), "tensor([0., 1., 2.], dtype=torch.float64)"),
    (lambda: cr.tensor([1], dtype=float), "tensor([1.], dtype=torch.float64)"),
    (lambda: cr.tensor([[], []]), "tensor([], size=(2, 0))"),
    (lambda: cr.tensor([1.5, 2 ** 63]), "tensor([1.5000e+00, 9.2234e+18])"),
    (lambda: cr.tensor([-1], dtype=cr.uint8), "tensor([255], dtype=torch.uint8)"),
    (lambda: cr.tensor([1e40], dtype=cr.float32), "tensor([inf])"),
    (lambda: cr.tensor([1.5], dtype=cr.int64), "tensor([1])"),
    (lambda: cr.FloatTensor([4]), "tensor([4.])"),
    (lambda: cr.LongTensor([1, 2]), "tensor([1, 2])"),
    (lambda: cr.zeros(3, requires_grad=True), "tensor([0., 0., 0.], requires_grad=True)"),
    (lambda: cr.arange(4.0, requires_grad=True) * 2, "tensor([0., 2., 4., 6.], grad_fn=<MulBackward0>)"),
    (lambda: cr.tensor([1, 2]) / 2, "tensor([0.5000, 1.0000])"),
    (lambda: cr.tensor([1, 2]) // 2, "tensor([0, 1])"),
    (lambda: cr.tensor([True]) + 1, "tensor([2])"),
    (lambda: cr.arange(6.0).reshape(2, 3).T, "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])"),
    (lambda: cr.arange(4.0) > 1, "tensor([False, False,  True,  True])"),
    (lambda: cr.arange(4.0).max(0).values, "tensor(3.)"),
    (lambda: cr.arange(4).float(), "tensor([0., 1., 2., 3.])"),
    (lambda: cr.arange(4.0).to(cr.float64), "tensor([0., 1., 2., 3.], dtype=torch.float64)"),
])
def test_repr_as_torch_prints_it(make, expected):
    assert repr(make()) == expected


@needs_torch
def test_random_factories_match_torch_shapes_and_dtypes():
    for name, args in [("rand", (2, 3)), ("randn", (4,)), ("randint", (0, 5, (3,)))]:
        a, b = getattr(cr, name)(*args), getattr(torch, name)(*args)
        assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)


def test_random_factories_shapes_dtypes_and_seed():
    # torch's results: rand(2, 3) is float32 (2, 3), randn(4,) float32 (4,),
    # randint(0, 5, (3,)) int64 (3,)
    for name, args, dtype, shape in [("rand", (2, 3), cr.float32, (2, 3)),
                                     ("randn", (4,), cr.float32, (4,)),
                                     ("randint", (0, 5, (3,)), cr.int64, (3,))]:
        a = getattr(cr, name)(*args)
        assert a.dtype is dtype and tuple(a.shape) == shape
    cr.manual_seed(3)
    x = cr.randn(5)
    cr.manual_seed(3)
    assert cr.equal(x, cr.randn(5))
    u = cr.rand(10000)
    assert 0 <= u.min().item() and u.max().item() < 1 and abs(u.mean().item() - 0.5) < 0.02
    r = cr.randint(3, 7, (1000,))
    assert set(r.tolist()) == {3, 4, 5, 6}


def test_default_dtype_without_torch():
    try:
        cr.set_default_dtype(cr.float64)
        assert repr(cr.tensor([1.0, 2.0])) == "tensor([1., 2.])"
        assert repr(cr.arange(3.0)) == "tensor([0., 1., 2.])"
        assert repr(cr.ones(2, dtype=cr.float32)) == "tensor([1., 1.], dtype=torch.float32)"
        assert cr.get_default_dtype() is cr.float64
    finally:
        cr.set_default_dtype(cr.float32)


@needs_torch
def test_default_dtype():
    try:
        cr.set_default_dtype(cr.float64)
        torch.set_default_dtype(torch.float64)
        same(lambda L: L.tensor([1.0, 2.0]))
        same(lambda L: L.arange(3.0))
        same(lambda L: L.ones(2, dtype=L.float32))
        assert cr.get_default_dtype() is cr.float64
    finally:
        cr.set_default_dtype(cr.float32)
        torch.set_default_dtype(torch.float32)


def test_conversions_and_protocols():
    for lib in LIBS:
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
        assert [r.tolist() for r in x] == [[1.0, 2.0], [3.0, 4.0]]
        assert len(x) == 2 and x.numel() == 4 and x.dim() == 2 and x.size(-1) == 2
        assert float(x[0, 1]) == 2.0 and int(x[1, 0]) == 3
        assert [10, 20, 30][lib.tensor(1)] == 20
        assert np.asarray(x).shape == (2, 2)
        assert x.is_leaf and x.grad_fn is None and not x.requires_grad
        y = x.clone().requires_grad_()
        z = (y * 2).detach_()
        assert z.grad_fn is None and not z.requires_grad


def test_index_with_non_integer_tensor():
    for lib in LIBS:
        with pytest.raises(TypeError):
            [1, 2][lib.tensor(1.0)]

"""Factories and the Tensor API compared with PyTorch (values, dtypes, shapes,
reprs), and with hand-written expectations where torch is absent."""
import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")


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
def test_matches_torch(make):
    same(make)


def test_random_factories_shapes_dtypes_and_seed():
    for name, args in [("rand", (2, 3)), ("randn", (4,)), ("randint", (0, 5, (3,)))]:
        a, b = getattr(cr, name)(*args), getattr(torch, name)(*args)
        assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
    cr.manual_seed(3)
    x = cr.randn(5)
    cr.manual_seed(3)
    assert cr.equal(x, cr.randn(5))
    u = cr.rand(10000)
    assert 0 <= u.min().item() and u.max().item() < 1 and abs(u.mean().item() - 0.5) < 0.02
    r = cr.randint(3, 7, (1000,))
    assert set(r.tolist()) == {3, 4, 5, 6}


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
    for lib in (cr, torch):
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
    for lib in (cr, torch):
        with pytest.raises(TypeError):
            [1, 2][lib.tensor(1.0)]

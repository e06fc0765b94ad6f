"""select.py's ops beyond the op table: in-place forms and writes through
the diagonal view, side by side with torch; meshgrid's warning."""
import warnings

import numpy as np
import pytest

import chainrule as cr

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs the torch reference")

A = np.random.default_rng(0).standard_normal((3, 4))


def _inplace_chain(L):
    x = L.tensor(A, requires_grad=True)
    y = x * 1
    y.scatter_(1, L.tensor([[0], [2], [1]]), 5.0)
    y.index_add_(0, L.tensor([0, 0]), x[:2] * 2)
    y.masked_fill_(y > 1, L.tensor(0.5))
    y.tril_(1)
    y.index_fill_(1, L.tensor([3]), -1.0)
    y.index_copy_(1, L.tensor([2]), x[:, :1] * 3)
    y.scatter_add_(0, L.tensor([[1, 1, 0, 2]]), x[:1] ** 2)
    y.triu_(-1)
    (y * y).sum().backward()
    return y, x.grad


def _diagonal_writes(L):
    x = L.tensor(A, requires_grad=True)
    y = x * 1
    y.diagonal(1).mul_(10)
    y.t().diagonal().add_(x[0, 1] * 2)
    (y * y).sum().backward()
    return y, x.grad


@needs_torch
@pytest.mark.parametrize("chain", [_inplace_chain, _diagonal_writes], ids=["inplace", "diagonal"])
def test_inplace_forms_match_torch(chain):
    (y, g), (ty, tg) = chain(cr), chain(torch)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-12)
    assert type(y.grad_fn).__name__ == ty.grad_fn.name().split("::")[-1]


def test_diagonal_is_a_writable_view():
    x = cr.arange(12.).view(3, 4)
    d = x.diagonal(-1)
    assert d._base is x._base and d.stride() == (5,) and d.storage_offset() == 4
    d.fill_(0)
    assert x[1, 0].item() == 0 and x[2, 1].item() == 0


def test_meshgrid_warns_without_indexing_every_time():
    """torch warns once per process (so the side-by-side cases cannot
    insist on it); chainrule warns every time."""
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            a, b = cr.meshgrid(cr.ones(2), cr.ones(3))
        assert a.shape == (2, 3) and b.shape == (2, 3)
        assert [str(w.message) for w in caught] == [
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument."]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cr.meshgrid(cr.ones(2), cr.ones(3), indexing="xy")

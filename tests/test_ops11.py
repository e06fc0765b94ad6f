"""Checks of issue 11's second batch that the op table cannot hold: gradients
where torch's own backward fails, graph names, and values from mathematics."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import gradcheck, gradgradcheck


def _leaf(*shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return cr.tensor(a, dtype=cr.float64, requires_grad=True)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce_src_larger_than_index(reduce):
    # torch 2.13's backward fails here (a src gradient of the index's shape);
    # the gradient of src's unread part is zero.
    x, s = _leaf(3, 4), _leaf(3, 4, seed=1)
    idx = cr.tensor([[2, 0], [2, 1]])
    f = lambda x, s: x.scatter_reduce(0, idx, s, reduce)     # noqa: E731
    assert gradcheck(f, (x, s)) and gradgradcheck(f, (x, s))
    _, gs = cr.autograd.grad(f(x, s).sum(), (x, s))
    assert (gs.numpy()[:, 2:] == 0).all() and (gs.numpy()[2] == 0).all()


def test_scatter_reduce_empty_index():
    x, s = _leaf(3, 4), _leaf(2, 4, seed=1)
    y = x.scatter_reduce(0, cr.zeros(0, 4, dtype=cr.long), s, "prod")
    gx, gs = cr.autograd.grad(y.sum(), (x, s))
    assert (gx.numpy() == 1).all() and (gs.numpy() == 0).all()


def test_scatter_legacy_reduce_has_no_derivative():
    x = cr.ones(3, requires_grad=True)
    with pytest.warns(UserWarning, match="reduce argument of torch.scatter"):
        y = x.scatter(0, cr.tensor([0, 0]), cr.tensor([2.0, 3.0]), reduce="multiply")
    np.testing.assert_array_equal(y.detach().numpy(), [6.0, 1.0, 1.0])
    assert type(y.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
        y.sum().backward()


def test_scatter_reduce_mathematics():
    x = cr.tensor([1.0, 2.0, 3.0, 4.0])
    idx = cr.tensor([0, 0, 3, 3, 3])
    src = cr.tensor([5.0, -1.0, 2.0, 7.0, 0.5])
    for reduce, want, want_noself in [
            ("sum", [5.0, 2, 3, 13.5], [4.0, 2, 3, 9.5]),
            ("prod", [-5.0, 2, 3, 28], [-5.0, 2, 3, 7]),
            ("mean", [5 / 3, 2, 3, 13.5 / 4], [2.0, 2, 3, 9.5 / 3]),
            ("amax", [5.0, 2, 3, 7], [5.0, 2, 3, 7]),
            ("amin", [-1.0, 2, 3, 0.5], [-1.0, 2, 3, 0.5])]:
        np.testing.assert_allclose(x.scatter_reduce(0, idx, src, reduce).numpy(), want, rtol=1e-6)
        np.testing.assert_allclose(x.scatter_reduce(0, idx, src, reduce, include_self=False).numpy(),
                                   want_noself, rtol=1e-6)
    y = x.clone()
    y.scatter_reduce_(0, idx, src, "amax")
    np.testing.assert_array_equal(y.numpy(), [5.0, 2, 3, 7])

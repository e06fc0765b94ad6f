"""Scans and order statistics (issue 11) beyond the op table: gradients at
zeros and ties, index results, named-tuple results, side by side with torch."""
import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")


def _grads(L, f, values, v):
    x = L.tensor(np.array(values, dtype=np.float64), requires_grad=True)
    y = f(L, x)
    (g,) = L.autograd.grad(y, x, grad_outputs=L.tensor(np.array(v, dtype=np.float64)))
    return y, g


@pytest.mark.parametrize("values, dim", [
    ([2.0, 0.0, 1.0, 0.0, 3.0], 0),
    ([0.0, 2.0, 3.0], 0),
    ([1.0, 2.0, 0.0], 0),
    ([0.0, 0.0, 0.0], 0),
    ([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0], [1.5, 2.0, -1.0]], 1),
    ([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0], [1.5, 2.0, -1.0]], 0),
])
def test_cumprod_grad_with_zeros(values, dim):
    v = np.random.default_rng(0).standard_normal(np.shape(values))
    f = lambda L, x: L.cumprod(x, dim)                          # noqa: E731
    y_cr, g_cr = _grads(cr, f, values, v)
    y_t, g_t = _grads(torch, f, values, v)
    np.testing.assert_allclose(y_cr.detach().numpy(), y_t.detach().numpy())
    np.testing.assert_allclose(g_cr.numpy(), g_t.numpy(), rtol=1e-12, atol=1e-12)
    # and finite differences (cumprod is a polynomial: exact up to rounding)
    a = np.array(values, dtype=np.float64)
    num = np.zeros_like(a)
    for k in range(a.size):
        e = np.zeros_like(a)
        e.flat[k] = 1e-6
        num.flat[k] = ((np.cumprod(a + e, dim) - np.cumprod(a - e, dim)) * v).sum() / 2e-6
    np.testing.assert_allclose(g_cr.numpy(), num, rtol=1e-6, atol=1e-8)


def test_cumprod_second_order_with_zeros():
    vals = [[2.0, 0.0, 1.0, 0.0, 3.0], [0.5, 1.5, 0.0, 2.0, 1.0]]
    out = []
    for L in (cr, torch):
        x = L.tensor(vals, dtype=L.float64, requires_grad=True)
        (g,) = L.autograd.grad((L.cumprod(x, 1) ** 2).sum(), x, create_graph=True)
        (h,) = L.autograd.grad((g * L.arange(10.0, dtype=L.float64).reshape(2, 5)).sum(), x)
        out.append(h.detach().numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-12, atol=1e-12)


def test_cumsum_dtypes_and_inplace():
    for L in (cr, torch):
        assert str(L.tensor([1, 2, 3]).cumsum(0).dtype) == "torch.int64"
        assert str(L.tensor([True, True]).cumsum(0).dtype) == "torch.int64"
        assert str(L.tensor([1, 2], dtype=L.int8).cumprod(0).dtype) == "torch.int64"
    a = cr.tensor([[1, 2], [3, 4]], dtype=cr.int32)
    b = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)
    a.cumsum_(0)
    b.cumsum_(0)
    assert a.tolist() == b.tolist() and str(a.dtype) == str(b.dtype)
    a = cr.tensor([1.0, 2.0, 3.0]).cumprod_(0)
    assert a.tolist() == [1.0, 2.0, 6.0]


def test_logcumsumexp_wide_range():
    vals = [-1000.0, 0.0, -5.0, 800.0, float("-inf")]
    y_cr = cr.logcumsumexp(cr.tensor(vals, dtype=cr.float64), 0)
    y_t = torch.logcumsumexp(torch.tensor(vals, dtype=torch.float64), 0)
    np.testing.assert_allclose(y_cr.numpy(), y_t.numpy())


def _pair(r):
    return r[0].detach().numpy(), r[1].numpy()


@pytest.mark.parametrize("fn, dim", [
    (lambda L, x: L.sort(x), 1),
    (lambda L, x: L.sort(x, 0, True), 0),
    (lambda L, x: x.sort(dim=0, descending=True, stable=True), 0),
    (lambda L, x: x.sort(stable=True), 1),
    (lambda L, x: L.topk(x, 2, dim=0), 0),
    (lambda L, x: L.topk(x, 3, largest=False), 1),
    (lambda L, x: x.kthvalue(2, 0, True), 0),
    (lambda L, x: x.kthvalue(1, 1, True), 1),
])
def test_index_results_with_ties_and_nan(fn, dim):
    vals = [[2.0, float("nan"), 1.0, 2.0], [float("nan"), 3.0, 3.0, -1.0], [0.0, 0.0, 5.0, float("nan")]]
    r_cr = fn(cr, cr.tensor(vals))
    r_t = fn(torch, torch.tensor(vals))
    assert type(r_cr).__name__ == type(r_t).__name__
    v_cr, i_cr = _pair(r_cr)
    v_t, i_t = _pair(r_t)
    np.testing.assert_array_equal(v_cr, v_t)
    if type(r_t).__name__ == "sort":      # (which of equal values topk/kthvalue name is unspecified)
        np.testing.assert_array_equal(i_cr, i_t)
    # the indices point at the values
    np.testing.assert_array_equal(np.take_along_axis(np.array(vals), i_cr, axis=dim), v_cr)
    assert str(r_cr.indices.dtype) == "torch.int64" and not r_cr.indices.requires_grad


def test_argsort_and_repr():
    vals = [3.0, 1.0, 2.0, 1.0]
    for desc in (False, True):
        assert (cr.argsort(cr.tensor(vals), descending=desc, stable=True).tolist() ==
                torch.argsort(torch.tensor(vals), descending=desc, stable=True).tolist())
    assert repr(cr.tensor(vals).sort()) == repr(torch.tensor(vals).sort())
    assert repr(cr.tensor(vals).topk(2)) == repr(torch.tensor(vals).topk(2))


def test_sort_gradient_routes_to_positions():
    for L in (cr, torch):
        x = L.tensor([3.0, 1.0, 2.0], requires_grad=True)
        v = x.sort(descending=True).values
        (v * L.tensor([1.0, 10.0, 100.0])).sum().backward()
        assert x.grad.tolist() == [1.0, 100.0, 10.0]


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("vals, dim", [
    ([1.0, 3.0, 3.0, 2.0, float("nan"), 1.0, float("nan"), 4.0], 0),
    ([[1.0, 0.0, 0.0, 2.0], [5.0, 5.0, -1.0, 7.0], [2.0, 2.0, 2.0, 2.0]], 1),
    ([[1.0, 0.0, 0.0, 2.0], [5.0, 5.0, -1.0, 7.0], [2.0, 2.0, 2.0, 2.0]], 0),
])
def test_cummax_cummin_ties_nan_and_grad(name, vals, dim):
    v = np.random.default_rng(1).standard_normal(np.shape(vals))
    res = []
    for L in (cr, torch):
        x = L.tensor(vals, dtype=L.float64, requires_grad=True)
        r = getattr(L, name)(x, dim)
        (g,) = L.autograd.grad(r.values, x, grad_outputs=L.tensor(v))
        res.append((type(r).__name__, r.values.detach().numpy(), r.indices.numpy(), g.numpy()))
    assert res[0][0] == res[1][0]
    for a, b in zip(res[0][1:], res[1][1:]):
        np.testing.assert_array_equal(a, b)


def test_cummax_of_ints():
    for vals in ([3, 1, 4, 1, 5], [True, False, True]):
        a, b = cr.tensor(vals).cummax(0), torch.tensor(vals).cummax(0)
        assert a.values.tolist() == b.values.tolist() and a.indices.tolist() == b.indices.tolist()
        assert str(a.values.dtype) == str(b.values.dtype)


_NAN = float("nan")


@pytest.mark.parametrize("fn", [
    lambda L, x: L.median(x),
    lambda L, x: L.nanmedian(x),
    lambda L, x: L.median(x[:, :2]),
    lambda L, x: L.nanmedian(x[2]),
])
def test_median_all_nan_and_tie_gradients(fn):
    vals = [[1.0, _NAN, 2.0, 2.0], [2.0, 0.5, 3.0, 2.0], [_NAN, 4.0, 2.0, 1.0]]
    res = []
    for L in (cr, torch):
        x = L.tensor(vals, dtype=L.float64, requires_grad=True)
        y = fn(L, x)
        (g,) = L.autograd.grad(y, x)
        res.append((type(y.grad_fn).__name__, y.detach().numpy(), g.numpy()))
    assert res[0][0] == res[1][0]
    np.testing.assert_array_equal(res[0][1], res[1][1])
    np.testing.assert_allclose(res[0][2], res[1][2])


@pytest.mark.parametrize("name", ["median", "nanmedian"])
@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, True), (-1, False)])
def test_median_dim_with_nan(name, dim, keepdim):
    vals = [[1.0, _NAN, 3.0, _NAN, 2.0], [5.0, 4.0, 0.0, 1.0, 2.0], [_NAN, 1.0, 1.5, _NAN, _NAN]]
    r_cr = getattr(cr, name)(cr.tensor(vals), dim, keepdim)
    r_t = getattr(torch, name)(torch.tensor(vals), dim, keepdim)
    assert type(r_cr).__name__ == type(r_t).__name__
    np.testing.assert_array_equal(r_cr.values.numpy(), r_t.values.numpy())
    np.testing.assert_array_equal(r_cr.indices.numpy(), r_t.indices.numpy())


def test_mode_counts_and_ints():
    for vals in ([[1.0, 2.0, 2.0, 3.0, 3.0], [5.0, 4.0, 3.0, 2.0, 1.0], [1.0, 1.0, 1.0, 0.0, 0.0]],
                 [[3, 1, 3, 1, 2, 2]]):
        a, b = cr.tensor(vals).mode(1), torch.tensor(vals).mode(1)
        assert a.values.tolist() == b.values.tolist() and a.indices.tolist() == b.indices.tolist()
        assert str(a.values.dtype) == str(b.values.dtype)
    a, b = cr.tensor([3, 1, 3, 2]).median(), torch.tensor([3, 1, 3, 2]).median()
    assert a.item() == b.item() and str(a.dtype) == str(b.dtype)


@pytest.mark.parametrize("fn", [
    lambda L, x: L.nansum(x),
    lambda L, x: x.nansum(1, keepdim=True),
    lambda L, x: L.nanmean(x),
    lambda L, x: x.nanmean(0),
    lambda L, x: x.nanmean((0, 1)),
])
def test_nan_reductions_with_nan(fn):
    vals = [[1.0, _NAN, 2.0], [_NAN, _NAN, 3.0]]
    res = []
    for L in (cr, torch):
        x = L.tensor(vals, dtype=L.float64, requires_grad=True)
        y = fn(L, x)
        (g,) = L.autograd.grad(y, x, grad_outputs=L.ones_like(y))
        res.append((type(y.grad_fn).__name__, y.detach().numpy(), g.numpy()))
    assert res[0][0] == res[1][0]
    np.testing.assert_allclose(res[0][1], res[1][1])
    np.testing.assert_allclose(res[0][2], res[1][2])


def test_aminmax_var_mean_results():
    vals = [[1.0, 3.0, 3.0], [1.0, -2.0, 5.0]]
    a, b = cr.aminmax(cr.tensor(vals)), torch.aminmax(torch.tensor(vals))
    assert repr(a) == repr(b) and type(a).__name__ == "aminmax"
    assert a.min.item() == b.min.item() and a.max.item() == b.max.item()
    # ties share the gradient evenly, for min and max alike
    g = []
    for L in (cr, torch):
        x = L.tensor(vals, requires_grad=True)
        r = L.aminmax(x)
        (r.min + 2 * r.max).backward()
        g.append(x.grad.tolist())
    assert g[0] == g[1]
    for name in ("var_mean", "std_mean"):
        a = getattr(cr, name)(cr.tensor(vals), 1)
        b = getattr(torch, name)(torch.tensor(vals), 1)
        assert type(a) is tuple and len(a) == 2
        np.testing.assert_allclose(np.array([t.numpy() for t in a]), np.array([t.numpy() for t in b]))


def test_count_nonzero():
    vals = [[0.0, 1.0, _NAN], [0.0, 0.0, -2.0]]
    for args in ((), (0,), (1,), ((0, 1),), (-1,)):
        a = cr.tensor(vals).count_nonzero(*args)
        b = torch.tensor(vals).count_nonzero(*args)
        assert a.tolist() == b.tolist() and str(a.dtype) == str(b.dtype)
    assert cr.count_nonzero(cr.tensor([True, False, True])).item() == 2


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logcumsumexp_gradient_wide_range(dtype):
    vals = [[-1000.0, 0.0, 5.0, -200.0, -120.0], [3.0, -150.0, 2.0, 90.0, 0.0]]
    v = [[1.0, -2.0, 3.0, 0.5, 0.0], [0.0, 2.0, -1.0, 1.0, 4.0]]
    res = []
    for L in (cr, torch):
        x = L.tensor(vals, dtype=getattr(L, dtype), requires_grad=True)
        (g,) = L.autograd.grad(L.logcumsumexp(x, 1), x, grad_outputs=L.tensor(v, dtype=getattr(L, dtype)))
        res.append(g.numpy())
    assert np.isfinite(res[0]).all()
    np.testing.assert_allclose(res[0], res[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("vals, dim", [
    ([[0.0, 2.0, 0.0, 1.0], [1.0, 0.0, 3.0, 2.0]], 1),
    ([[0.0, 2.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]], 1),
    ([[0.0, 2.0, 0.0, 1.0], [1.0, 0.0, 3.0, 2.0]], 0),
    ([0.0, 0.0], 0),
])
def test_cumprod_higher_order_at_zeros(vals, dim):
    assert cr.autograd.gradgradcheck(lambda a: a.cumprod(dim),
                                     (cr.tensor(vals, dtype=cr.float64, requires_grad=True),))
    rng = np.random.default_rng(7)
    v, w = rng.standard_normal(np.shape(vals)), rng.standard_normal(np.shape(vals))
    out = []
    for L in (cr, torch):
        x = L.tensor(vals, dtype=L.float64, requires_grad=True)
        (g,) = L.autograd.grad(L.cumprod(x, dim), x, grad_outputs=L.tensor(v), create_graph=True)
        (h,) = L.autograd.grad((g * L.tensor(w)).sum(), x)
        out.append(h.numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-12, atol=1e-12)

"""The array-backend seam (chainrule/ops/_backend.py) and the strict backend
that proves it (tests/_strict_array.py).

The op and autograd suites run on both backends (CHAINRULE_TEST_BACKEND);
these tests check the seam itself, on either run: NumPy's forwards are the
declared functions (nothing in between), other libraries' are bound once,
the strict type refuses NumPy, and what a test on it computes (factories,
forwards, gradients, views) stays on it.
"""
import functools

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops import _backend, _codegen, _registry, pointwise, reduce

import _strict_array as S

NUMPY = _backend.NUMPY


@pytest.fixture
def strict():
    prev = _backend.set_default(S.STRICT)
    try:
        yield S.STRICT
    finally:
        _backend.set_default(prev)


@pytest.fixture
def numpy_default():
    prev = _backend.set_default(NUMPY)
    try:
        yield NUMPY
    finally:
        _backend.set_default(prev)


# --- binding: NumPy pays nothing, other libraries resolve once -------------------------------
def test_numpy_forwards_are_the_declared_functions():
    assert pointwise.sin.op.forward is np.sin
    assert pointwise.MUL.forward is np.multiply
    assert reduce.NORM.forward is reduce.NORM.declared_forward      # xp defaults to NumPy's
    assert _registry.ArrayOps.where is pointwise._select          # (np.where, or bits)


def test_forwards_are_bound_once_per_backend():
    assert pointwise.sin.op.forward_for(S.STRICT) is S.xp.sin
    f = reduce.NORM.forward_for(S.STRICT)
    assert isinstance(f, functools.partial) and f.keywords == {"xp": S.xp}
    assert reduce.NORM.forward_for(S.STRICT) is f
    assert reduce.NORM.forward_for(NUMPY) is reduce.NORM.forward
    ops = _registry.array_ops_for(S.STRICT)
    assert ops is S.STRICT.array_ops and ops.sin is S.xp.sin
    assert ops.where.func is pointwise._select and ops.where.keywords == {"xp": S.xp}
    assert _registry.array_ops_for(NUMPY) is _registry.ArrayOps


def test_bind_forms():
    def neutral(x):
        return x.sum()

    def with_xp(x, *, xp=np):
        return xp.exp(x)

    def with_be(x, *, be=NUMPY):
        return be.xp.exp(x)
    assert _backend.bind("exp", NUMPY) is np.exp
    assert _backend.bind("exp", S.STRICT) is S.xp.exp
    assert _backend.bind(neutral, S.STRICT) is neutral
    assert _backend.bind(with_xp, NUMPY) is with_xp
    assert _backend.bind(with_xp, S.STRICT).keywords == {"xp": S.xp}
    assert _backend.bind(with_be, NUMPY) is with_be
    assert _backend.bind(with_be, S.STRICT).keywords == {"be": S.STRICT}
    a = S.StrictArray(np.array([0.0, 1.0]))
    assert _backend.bind(with_xp, S.STRICT)(a).tolist() == [1.0, np.e]


def test_backend_of():
    assert _backend.backend_of(np.ones(2)) is NUMPY
    assert _backend.backend_of(np.float32(1)) is NUMPY        # NumPy's 0-d results
    assert _backend.backend_of(S.StrictArray(np.ones(2))) is S.STRICT
    assert _backend.namespace(S.StrictArray(np.ones(2))) is S.xp
    assert _backend.foreign([np.ones(1), S.StrictArray(np.ones(1))])
    assert not _backend.foreign([np.ones(1), 1.0, np.float64(2)])


# --- the strict type refuses NumPy -----------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda a: np.sin(a), lambda a: np.asarray(a), lambda a: np.ones(3) + a,
    lambda a: a + np.ones(3), lambda a: np.concatenate([a, a]), lambda a: a[np.array([0])],
    lambda a: S.xp.add(a, np.ones(3)), lambda a: np.add.at(a, [0], 1),
], ids=["ufunc", "asarray", "ndarray+strict", "strict+ndarray", "function", "ndarray index",
        "xp with ndarray", "ufunc.at"])
def test_strict_array_refuses_numpy(call):
    with pytest.raises(TypeError):
        call(S.StrictArray(np.ones(3)))


def test_strict_array_has_no_numpy_only_attributes():
    a = S.StrictArray(np.ones((2, 3)))
    for name in ("base", "flags", "strides", "flat", "ctypes"):
        assert not hasattr(a, name), name
    assert type(a[0, 1]) is S.StrictArray and a[0, 1].ndim == 0       # no NumPy scalars
    assert type(a.sum()) is S.StrictArray


def test_a_stray_numpy_call_fails_on_the_strict_backend(strict, monkeypatch):
    op = pointwise.sin.op
    monkeypatch.setattr(op, "declared_forward", lambda x: np.sin(x))
    monkeypatch.setattr(op, "_forwards", {NUMPY: op.forward})
    with pytest.raises(TypeError, match="StrictArray refuses"):
        cr.tensor([1.0]).sin()


# --- what runs on the strict backend stays there --------------------------------------------------
def test_factories_use_the_default_backend(strict):
    made = [cr.tensor([1.0, 2.0]), cr.tensor(3), cr.zeros(2), cr.ones(2, 3), cr.empty(2),
            cr.full((2,), 1.5), cr.eye(2), cr.arange(3), cr.linspace(0, 1, 3), cr.rand(2),
            cr.randn(2), cr.randint(0, 5, (2,)), cr.zeros_like(cr.ones(2)),
            cr.from_numpy(np.ones(2)), cr.as_tensor(np.ones(2)), cr.FloatTensor([1.0]),
            cr.Tensor(2, 3), cr.autograd.Variable()]
    for t in made:
        assert type(t._data) is S.StrictArray, t


def test_from_numpy_shares_memory_and_numpy_gives_it_back(strict):
    a = np.zeros(3)
    t = cr.from_numpy(a)
    t.add_(1)
    assert a.tolist() == [1.0, 1.0, 1.0]
    assert t.numpy() is a and np.asarray(t) is a


def test_random_values_do_not_depend_on_the_backend(strict):
    cr.manual_seed(7)
    on_strict = cr.randn(5).numpy().copy()
    _backend.set_default(NUMPY)
    cr.manual_seed(7)
    on_numpy = cr.randn(5).numpy()
    assert np.array_equal(on_strict, on_numpy)


def _program(x):
    y = (x.sin() * x).sum(dim=1).norm() + x[0, 1] + x[[1, 1], [0, 0]].sum()
    return y + cr.softmax(x, 0).max() + x.t().reshape(4)[1:].exp().mean()


def test_results_and_gradients_stay_on_the_backend_and_match_numpy(strict):
    values = [[1.0, -2.0], [3.0, 0.5]]
    x = cr.tensor(values, requires_grad=True)
    y = _program(x)
    assert type(y._data) is S.StrictArray
    y.backward()
    assert type(x.grad._data) is S.StrictArray
    (g2,) = cr.autograd.grad(cr.autograd.grad(_program(x), x, create_graph=True)[0].sum(), x)
    assert type(g2._data) is S.StrictArray
    _backend.set_default(NUMPY)
    xn = cr.tensor(values, requires_grad=True)
    yn = _program(xn)
    yn.backward()
    (g2n,) = cr.autograd.grad(cr.autograd.grad(_program(xn), xn, create_graph=True)[0].sum(), xn)
    assert type(xn.grad._data) is np.ndarray
    np.testing.assert_allclose(y.numpy(force=True), yn.numpy(force=True), rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), xn.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(g2.numpy(), g2n.numpy(), rtol=1e-5)
    assert repr(x.grad) == repr(xn.grad)


def test_plain_backward_on_another_library_takes_the_generic_path(strict, monkeypatch):
    """The generated apply_raw is NumPy's: StrictArray gradients must not reach it."""
    def refuse(self, g, needed=None):
        raise AssertionError("the generated NumPy backward ran on " + type(g).__name__)
    for cls in _codegen._NODE_CLASSES:
        monkeypatch.setattr(cls, "apply_raw", refuse)
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    ((x * 3).sin() + x.exp()).sum().backward()
    assert type(x.grad._data) is S.StrictArray
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.cos(3 * np.array([1.0, 2.0])) +
                               np.exp([1.0, 2.0]), rtol=1e-5)


def test_plain_backward_on_numpy_takes_the_generated_path(numpy_default, monkeypatch):
    ran = []
    for cls in _codegen._NODE_CLASSES:
        raw = cls.__dict__["apply_raw"]
        monkeypatch.setattr(cls, "apply_raw",
                            lambda self, g, needed=None, raw=raw: ran.append(1) or raw(self, g, needed))
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    ((x * 3).sin() + x.exp()).sum().backward()
    assert len(ran) == 5


def test_views_are_tracked_through_the_adapter(strict):
    x = cr.zeros(4)
    v, w = x[1:], x.view(2, 2)
    assert v._is_view() and w._is_view() and not (x + 0)._is_view()
    v.add_(1)
    assert (x._version, v._version, w._version) == (1, 1, 1)
    assert x.numpy().tolist() == [0.0, 1.0, 1.0, 1.0]
    t = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = t * 1
    y[0].mul_(2)                      # through a view: the base's history is rebased
    y.sum().backward()
    assert y.grad_fn.name() == "torch::autograd::CopySlices"
    assert t.grad.numpy().tolist() == [2.0, 1.0, 1.0]


def test_index_accumulation_through_the_adapter(strict):
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2]].sum().backward()
    assert x.grad.numpy().tolist() == [2.0, 0.0, 1.0]
    w = cr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    cr.gather(w, 1, cr.tensor([[0, 0], [1, 0]])).sum().backward()
    assert w.grad.numpy().tolist() == [[2.0, 0.0], [1.0, 1.0]]


def test_number_cache_keeps_the_numbers_in_use():
    """The 0-d arrays cached for Python numbers: once the cache for a dtype
    is full it starts afresh, so a number in use after many others (an
    optimiser's step-dependent factors) is cached again; the arrays are
    read-only and signed zeros stay apart."""
    import numpy as np
    from chainrule.ops import _backend
    f32 = np.dtype(np.float32)
    for k in range(3 * _backend._SCALARS_PER_DTYPE):
        _backend.numpy_scalar(1.0 + k / 7, f32)
    a = _backend.numpy_scalar(0.125, f32)
    assert _backend.numpy_scalar(0.125, f32) is a and not a.flags.writeable
    assert len(_backend._SCALARS[f32]) <= _backend._SCALARS_PER_DTYPE
    neg, pos = _backend.numpy_scalar(-0.0, f32), _backend.numpy_scalar(0.0, f32)
    assert np.signbit(neg) and not np.signbit(pos)
    # (float32 and float64 have tables found by identity; other dtypes, and an
    # equal dtype that is not NumPy's singleton, the general table: same values)
    for dt in (np.dtype(np.float64), np.dtype(np.float16), np.dtype(np.float32).newbyteorder(">")):
        for v in (3, 0.1, -0.0, 0, 1e300, float("nan")):
            got = _backend.numpy_scalar(v, dt)
            with np.errstate(over="ignore"):             # (1e300 in float16: inf)
                want = np.array(v, dt)
            assert got.dtype == dt and got.shape == ()
            assert got.tobytes() == want.tobytes(), (v, dt)
            assert (_backend.numpy_scalar(v, dt) is got) == (v == v)    # nan: never kept


def test_the_target_of_a_scatter_add_is_zeros_even_in_reused_memory():
    # (zeros_to_scatter_into allocates empty memory and zeroes it itself: the
    # allocator hands back what a freed array held)
    for n in (3, 100, 5000, 300_000):
        for _ in range(3):
            dirty = np.full(n, 7.0, np.float32)
            del dirty
            out = _backend.zeros_to_scatter_into(np, (n,), np.ones(2, np.float32))
            assert out.dtype == np.float32 and out.shape == (n,) and not out.any()
            out2 = _backend.zeros_to_scatter_into(np, (n, 2), dtype=np.float64)
            assert out2.dtype == np.float64 and out2.flags.c_contiguous and not out2.any()
    f = np.asfortranarray(np.ones((3, 4), np.float32))       # like's layout kept, as zeros_like
    assert _backend.zeros_to_scatter_into(np, (3, 4), f).flags.f_contiguous


def test_scatter_add_backwards_on_the_strict_backend(strict):
    # (the max-pool and index backwards allocate through zeros_to_scatter_into)
    x = cr.arange(32.0).reshape(1, 2, 4, 4).requires_grad_()
    cr.nn.functional.max_pool2d(x, 2).sum().backward()
    assert isinstance(x.grad._data, S.StrictArray)
    np.testing.assert_array_equal(x.grad.numpy()[0, 0],
                                  [[0, 0, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0], [0, 1, 0, 1]])
    y = cr.arange(5.0).requires_grad_()
    y[cr.tensor([0, 0, 3])].sum().backward()
    assert isinstance(y.grad._data, S.StrictArray)
    np.testing.assert_array_equal(y.grad.numpy(), [2, 0, 0, 1, 0])

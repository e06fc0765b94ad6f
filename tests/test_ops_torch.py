"""chainrule against torch 2.13, op by op.

For every case of tests/_opcases.py, in float32 and float64, the same inputs
go through both libraries and must give: the same forward values, dtype and
shape; the same grad_fn class name; the same first-order gradients (with the
same dtype and shape); the same second-order gradients (None and an all-zero
gradient count as equal).  Plus dtype promotion, max(dim)'s (values, indices)
and the derivative conventions at kinks and ties.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import chainrule as cr  # noqa: E402

from _opcases import CASES, KINK_CASES, make_inputs, as_numpy, second_order  # noqa: E402

DTYPES = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-7, atol=1e-10)}
TOL2 = {"float32": dict(rtol=1e-3, atol=1e-4), "float64": dict(rtol=1e-6, atol=1e-9)}

CASE_IDS = [c.name for c in CASES]
KINK_IDS = [c.name for c in KINK_CASES]


def _leaves(lib, arrays, dtype):
    dt = getattr(lib, dtype)
    return [lib.tensor(np.array(a, dtype=np.float64), dtype=dt, requires_grad=True) for a in arrays]


def _const(lib, a, dtype):
    return lib.tensor(np.array(a, dtype=np.float64), dtype=getattr(lib, dtype))


def _close(a, b, tol, what):
    a, b = as_numpy(a), as_numpy(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} (chainrule) != {b.shape} (torch)"
    if not np.allclose(a, b, equal_nan=True, **tol):
        d = np.abs(a - b)
        d = d[~np.isnan(d)]
        err = d.max() if d.size else float("nan")
        raise AssertionError(f"{what}: max abs diff {err:.3g}\nchainrule:\n{a}\ntorch:\n{b}")


def _same_or_zero(a, b, tol, what):
    """Compare two gradients where None counts as all-zeros (of the other's shape)."""
    if a is None and b is None:
        return
    if a is None:
        a = np.zeros_like(as_numpy(b))
    if b is None:
        b = np.zeros_like(as_numpy(a))
    _close(a, b, tol, what)


def _first(lib, f, arrays, v, dtype):
    xs = _leaves(lib, arrays, dtype)
    out = f(lib, *xs)
    gs = lib.autograd.grad(out, xs, grad_outputs=_const(lib, v, dtype), allow_unused=True)
    return out, gs


def _out_shape(case, arrays):
    with torch.no_grad():
        return tuple(case.f(torch, *[torch.tensor(a) for a in arrays]).shape)


def _skip_broken_torch_backward(case):
    if "torch_backward_fails" in case.tags:
        pytest.skip("torch's own backward raises here (a bug of its own); test_ops_grad checks "
                    "chainrule's gradients against finite differences")
    if "torch_wrong_gradient" in case.tags:
        pytest.skip("torch's own gradient is wrong here (a bug of its own, shown in "
                    "test_misuse_names); test_ops_grad checks chainrule's against finite "
                    "differences")


# ---------------------------------------------------------------------------
# The table, against torch.
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_forward(case, dtype):
    arrays = make_inputs(case, seed=11)
    y_cr = case.f(cr, *_leaves(cr, arrays, dtype))
    y_t = case.f(torch, *_leaves(torch, arrays, dtype))
    assert str(y_cr.dtype) == str(y_t.dtype), f"dtype {y_cr.dtype} vs torch {y_t.dtype}"
    assert tuple(y_cr.shape) == tuple(y_t.shape), f"shape {tuple(y_cr.shape)} vs torch {tuple(y_t.shape)}"
    assert y_cr.requires_grad == y_t.requires_grad
    _close(y_cr, y_t, TOL[dtype], "forward value")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_grad_fn_name(case, dtype):
    arrays = make_inputs(case, seed=11)
    y_cr = case.f(cr, *_leaves(cr, arrays, dtype))
    y_t = case.f(torch, *_leaves(torch, arrays, dtype))
    assert type(y_cr.grad_fn).__name__ == type(y_t.grad_fn).__name__


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_first_order(case, dtype):
    _skip_broken_torch_backward(case)
    arrays = make_inputs(case, seed=12)
    v = np.random.default_rng(13).standard_normal(_out_shape(case, arrays))
    _, g_cr = _first(cr, case.f, arrays, v, dtype)
    _, g_t = _first(torch, case.f, arrays, v, dtype)
    assert len(g_cr) == len(g_t)
    for i, (a, b) in enumerate(zip(g_cr, g_t)):
        if a is not None and b is not None:
            assert str(a.dtype) == str(b.dtype), f"input {i}: grad dtype {a.dtype} vs {b.dtype}"
        _same_or_zero(a, b, TOL[dtype], f"input {i} (shape {arrays[i].shape}) grad")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_second_order(case, dtype):
    _skip_broken_torch_backward(case)
    if "no_double_backward" in case.tags:
        # neither library has this second derivative: the same refusal from both
        arrays = make_inputs(case, seed=14)
        v = np.random.default_rng(15).standard_normal(_out_shape(case, arrays))
        ws = [np.ones(a.shape) for a in arrays]
        errors = []
        for lib in (cr, torch):
            with pytest.raises(RuntimeError) as e:
                second_order(lib, case.f, arrays, v, ws, dtype)
            errors.append(str(e.value).splitlines()[0])
        assert errors[0] == errors[1]
        return
    if "torch_no_double_backward" in case.tags:
        pytest.skip("torch raises in this second derivative (no formula, or a bug of its own); "
                    "test_ops_grad checks chainrule's against finite differences")
    arrays = make_inputs(case, seed=14)
    rng = np.random.default_rng(15)
    v = rng.standard_normal(_out_shape(case, arrays))
    ws = [rng.standard_normal(a.shape) for a in arrays]
    h_cr = second_order(cr, case.f, arrays, v, ws, dtype)
    h_t = second_order(torch, case.f, arrays, v, ws, dtype)
    for i, (a, b) in enumerate(zip(h_cr, h_t)):
        _same_or_zero(a, b, TOL2[dtype], f"input {i} (shape {arrays[i].shape}) second-order grad")


# ---------------------------------------------------------------------------
# Kinks and ties: the derivative conventions must be torch's.
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", KINK_CASES, ids=KINK_IDS)
def test_kink_convention(case):
    arrays = case.arrays()
    v = np.random.default_rng(16).standard_normal(_out_shape(case, arrays))
    y_cr, g_cr = _first(cr, case.f, arrays, v, "float64")
    y_t, g_t = _first(torch, case.f, arrays, v, "float64")
    _close(y_cr, y_t, TOL["float64"], "forward value")
    for i, (a, b) in enumerate(zip(g_cr, g_t)):
        _same_or_zero(a, b, TOL["float64"], f"input {i} grad at kink")


# ---------------------------------------------------------------------------
# max/min with dim: (values, indices)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_max_min_dim_returns_values_indices(fn, dim, keepdim):
    a = make_inputs(((3, 4),), seed=17, domain="distinct")[0]
    r_cr = getattr(cr, fn)(cr.tensor(a, requires_grad=True), dim, keepdim=keepdim)
    r_t = getattr(torch, fn)(torch.tensor(a, requires_grad=True), dim, keepdim=keepdim)
    values, indices = r_cr                      # unpacks as a pair
    assert r_cr[0] is values or np.array_equal(as_numpy(r_cr[0]), as_numpy(values))
    _close(r_cr.values, r_t.values, TOL["float64"], "values")
    assert str(r_cr.indices.dtype) == "torch.int64"
    assert np.array_equal(r_cr.indices.numpy(), r_t.indices.numpy())
    assert tuple(indices.shape) == tuple(r_t.indices.shape)
    assert not indices.requires_grad
    assert type(values.grad_fn).__name__ == type(r_t.values.grad_fn).__name__


def test_max_dim_method_matches_function():
    a = make_inputs(((2, 5),), seed=18, domain="distinct")[0]
    x = cr.tensor(a)
    m1, i1 = x.max(dim=1)
    m2, i2 = cr.max(x, 1)
    assert np.array_equal(m1.numpy(), a.max(1)) and np.array_equal(m2.numpy(), a.max(1))
    assert np.array_equal(i1.numpy(), a.argmax(1)) and np.array_equal(i2.numpy(), a.argmax(1))


# ---------------------------------------------------------------------------
# Integer-tensor indexing with repeats: gradients accumulate (explicit check).
# ---------------------------------------------------------------------------

def test_index_repeat_accumulates():
    x = cr.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x[cr.tensor([1, 1, 3, 1])]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 3.0, 0.0, 1.0]


# ---------------------------------------------------------------------------
# dtype promotion
# ---------------------------------------------------------------------------

PROMOTIONS = [
    ("int64_mul_float_scalar", lambda L: L.tensor([1, 2, 3]) * 2.5, "torch.float32"),
    ("float32_mul_0d_float64", lambda L: L.tensor([1.0, 2.0]) * L.tensor(3.0, dtype=L.float64), "torch.float32"),
    ("int_div_int", lambda L: L.tensor([1, 2, 3]) / L.tensor([2, 2, 2]), "torch.float32"),
    ("bool_add_int", lambda L: L.tensor([True, False]) + 1, "torch.int64"),
    ("float32_add_float64", lambda L: L.tensor([1.0, 2.0]) + L.tensor([1.0, 2.0], dtype=L.float64), "torch.float64"),
    ("int64_add_int_scalar", lambda L: L.tensor([1, 2]) + 3, "torch.int64"),
    ("int32_mul_int64_0d", lambda L: L.tensor([1, 2], dtype=L.int32) * L.tensor(3), "torch.int32"),
    ("int32_add_int64", lambda L: L.tensor([1, 2], dtype=L.int32) + L.tensor([3, 4]), "torch.int64"),
    ("int_mul_float32_tensor", lambda L: L.tensor([1, 2]) * L.tensor([0.5, 0.5]), "torch.float32"),
    ("float64_mul_float_scalar", lambda L: L.tensor([1.0], dtype=L.float64) * 2.5, "torch.float64"),
    ("int_pow_float_scalar", lambda L: L.tensor([1, 2]) ** 0.5, "torch.float32"),
    ("int_rpow_float", lambda L: 2.0 ** L.tensor([1, 2]), "torch.float32"),
    ("int_sqrt", lambda L: L.sqrt(L.tensor([1, 4])), "torch.float32"),
    ("int_sum", lambda L: L.tensor([1, 2]).sum(), "torch.int64"),
    ("bool_sum", lambda L: L.tensor([True, True]).sum(), "torch.int64"),
    ("int_mean_float_dtype", lambda L: L.tensor([1.0, 2.0], dtype=L.float64).mean(), "torch.float64"),
    ("float16_add_float32_0d", lambda L: L.tensor([1.0], dtype=L.float16) + L.tensor(1.0), "torch.float16"),
    ("where_int_float", lambda L: L.where(L.tensor([True, False]), L.tensor([1, 2]), L.tensor([0.5, 0.5])), "torch.float32"),
    ("cat_int_float", lambda L: L.cat([L.tensor([1, 2]), L.tensor([0.5])]), "torch.float32"),
    ("maximum_int_float64", lambda L: L.maximum(L.tensor([1, 2]), L.tensor([0.5, 3.0], dtype=L.float64)), "torch.float64"),
    ("int_matmul_int", lambda L: L.tensor([[1, 2]]) @ L.tensor([[3], [4]]), "torch.int64"),
    ("softmax_float64", lambda L: L.softmax(L.tensor([1.0, 2.0], dtype=L.float64), 0), "torch.float64"),
]


@pytest.mark.parametrize("fn, expected", [(p[1], p[2]) for p in PROMOTIONS],
                         ids=[p[0] for p in PROMOTIONS])
def test_dtype_promotion(fn, expected):
    y_t = fn(torch)
    assert str(y_t.dtype) == expected          # guards the expectation itself
    y_cr = fn(cr)
    assert str(y_cr.dtype) == str(y_t.dtype)
    assert tuple(y_cr.shape) == tuple(y_t.shape)
    assert np.allclose(as_numpy(y_cr), as_numpy(y_t))

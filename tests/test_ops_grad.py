"""Float64 gradient checks for chainrule's differentiable ops (no torch needed).

For every case in tests/_opcases.py:

* first order: the vector-Jacobian product returned by
  ``chainrule.autograd.grad(out, inputs, grad_outputs=v)`` must equal the
  central finite differences of ``x -> <f(x), v>`` computed on NumPy arrays;
* second order: differentiating ``sum_i <grad_i, w_i>`` again (the first
  gradient taken with ``create_graph=True``) must equal the central finite
  differences of the first-order gradient.  Where chainrule reports that the
  first gradient does not require grad (or returns None with
  allow_unused=True), the numerical second derivative must be ~0.

The checker is written here; no chainrule gradcheck function is used.
First order runs twice: through the generated plain-backward code
(ops/_codegen.py) and through the generic Node.apply_formulas.
"""
import contextlib

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops import _codegen

from _opcases import CASES, make_inputs, numerical_vjp, numerical_grad_of_scalar

ATOL = 1e-6
RTOL = 1e-5
# Second order differences the (analytic) first gradient: a little looser.
ATOL2 = 1e-5
RTOL2 = 1e-4


def _const(a):
    return cr.tensor(np.array(a, dtype=np.float64), dtype=cr.float64)


def _leaves(arrays):
    return [cr.tensor(np.array(a, dtype=np.float64), dtype=cr.float64, requires_grad=True)
            for a in arrays]


def _np(t):
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def _forward(case, arrays):
    out = case.f(cr, *[_const(a) for a in arrays])
    return _np(out)


def _assert_close(actual, expected, atol, rtol, what):
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if not np.allclose(actual, expected, atol=atol, rtol=rtol):
        err = np.max(np.abs(actual - expected)) if actual.size else 0.0
        raise AssertionError(
            f"{what}: max abs err {err:.3g}\nanalytic:\n{actual}\nnumerical:\n{expected}")


@pytest.mark.parametrize("path", ["generated", "generic"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_first_order(case, path):
    arrays = make_inputs(case, seed=1)
    xs = _leaves(arrays)
    out = case.f(cr, *xs)
    assert str(out.dtype) == "torch.float64", f"output dtype {out.dtype}"
    assert out.requires_grad, "output of a differentiable op on leaves must require grad"
    v = np.random.default_rng(2).standard_normal(tuple(out.shape))
    with _codegen.generic_path() if path == "generic" else contextlib.nullcontext():
        grads = cr.autograd.grad(out, xs, grad_outputs=_const(v), allow_unused=True)
    assert len(grads) == len(xs)
    numeric = numerical_vjp(lambda arrs: _forward(case, arrs), arrays, v)
    for i, (g, n, a) in enumerate(zip(grads, numeric, arrays)):
        if g is None:
            assert np.allclose(n, 0.0, atol=ATOL), \
                f"input {i}: chainrule says unused (None) but numerical grad is\n{n}"
            continue
        assert tuple(g.shape) == a.shape, f"input {i}: grad shape {tuple(g.shape)} != {a.shape}"
        assert str(g.dtype) == "torch.float64", f"input {i}: grad dtype {g.dtype}"
        _assert_close(_np(g), n, ATOL, RTOL, f"input {i} (shape {a.shape}) first-order grad")


def _first_grad_dot_w(case, arrays, v, ws):
    """sum_i <d<f, v>/dx_i, w_i>, from chainrule's first-order gradient (plain float)."""
    xs = _leaves(arrays)
    out = case.f(cr, *xs)
    grads = cr.autograd.grad(out, xs, grad_outputs=_const(v), allow_unused=True)
    total = 0.0
    for g, w in zip(grads, ws):
        if g is not None:
            total += float(np.sum(_np(g) * w))
    return total


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_second_order(case):
    arrays = make_inputs(case, seed=3)
    xs = _leaves(arrays)
    out = case.f(cr, *xs)
    rng = np.random.default_rng(4)
    v = rng.standard_normal(tuple(out.shape))
    ws = [rng.standard_normal(a.shape) for a in arrays]
    if "no_double_backward" in case.tags:
        # PyTorch defines no second derivative here: the first gradient's node refuses
        # (test_ops_torch checks the error is torch's)
        grads = cr.autograd.grad(out, xs, grad_outputs=_const(v), create_graph=True)
        s = sum(((g * _const(w)).sum() for g, w in zip(grads, ws)), _const(0.0))
        with pytest.raises(RuntimeError, match="derivative for .* is not implemented"):
            cr.autograd.grad(s, xs)
        return

    grads = cr.autograd.grad(out, xs, grad_outputs=_const(v), create_graph=True,
                             allow_unused=True)
    terms = [(g * _const(w)).sum() for g, w in zip(grads, ws) if g is not None]
    analytic = [None] * len(xs)
    if terms:
        s = terms[0]
        for t in terms[1:]:
            s = s + t
        try:
            analytic = list(cr.autograd.grad(s, xs, allow_unused=True))
        except RuntimeError as e:
            if "does not require grad" not in str(e):
                raise
            analytic = [None] * len(xs)

    numeric = numerical_grad_of_scalar(lambda arrs: _first_grad_dot_w(case, arrs, v, ws), arrays)
    for i, (h, n, a) in enumerate(zip(analytic, numeric, arrays)):
        if h is None:
            assert np.allclose(n, 0.0, atol=ATOL2), \
                f"input {i}: chainrule says second derivative is zero but numerical is\n{n}"
            continue
        assert tuple(h.shape) == a.shape, f"input {i}: 2nd grad shape {tuple(h.shape)} != {a.shape}"
        _assert_close(_np(h), n, ATOL2, RTOL2, f"input {i} (shape {a.shape}) second-order grad")


@pytest.mark.parametrize("dt", [cr.float32, cr.float64], ids=["float32", "float64"])
def test_the_square_s_plain_backward_is_the_general_formula_bit_for_bit(dt):
    """x ** 2's backward on arrays, g * 2 * x, is g * 2 * pow(x, 1), the
    general formula (torch's), to the bit: special values and signed zeros too."""
    rng = np.random.default_rng(5)
    vals = np.concatenate([rng.standard_normal(64) * 10.0 ** rng.integers(-30, 30, 64),
                           [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -3e38]])
    x = cr.tensor(vals, dtype=dt, requires_grad=True)
    g = cr.tensor(rng.standard_normal(vals.size), dtype=dt)
    for exponent in (2, 2.0):
        x.grad = None
        (x ** exponent).backward(g)
        xd, gd = x.detach().numpy(), g.numpy()
        with np.errstate(all="ignore"):
            want = gd * np.array(2, xd.dtype) * np.power(xd, np.array(1, xd.dtype))
        assert x.grad.numpy().tobytes() == want.tobytes()

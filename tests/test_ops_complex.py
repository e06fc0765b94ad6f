"""The op-test table (tests/_opcases.py) on complex inputs.

Every case runs with complex128 leaves (real and imaginary parts drawn as the
real runs draw their inputs).  chainrule either refuses (an op whose
formulas were not made complex-correct raises NotImplementedError or
PyTorch's RuntimeError, never a wrong gradient) or its result must be right:

* first order against central finite differences of the real loss
  L(z) = Re sum(conj(v) f(z)), perturbing real and imaginary parts apart:
  PyTorch's convention makes the gradient for grad_outputs=v exactly
  dL/dRe z + i dL/dIm z (the conjugate Wirtinger derivative, times two);
* against torch 2.13 where torch accepts the case: forward values, dtype,
  grad_fn name, first- and second-order gradients.

A second, smaller pass runs the accepted elementwise cases in complex64
against torch.  The number of cases accepted is pinned from below, so that
a change making ops refuse complex input silently shows here.
"""
import warnings

import numpy as np
import pytest

import chainrule as cr

from _opcases import CASES, make_inputs

try:
    import torch
except ImportError:          # the torch comparisons skip themselves
    torch = None

CASE_IDS = [c.name for c in CASES]
TOL = dict(rtol=1e-7, atol=1e-9)
TOL_FD = dict(rtol=1e-5, atol=1e-6)
TOL2 = dict(rtol=1e-6, atol=1e-8)
# (NumPy's ComplexWarning is a RuntimeWarning: under the suite's -W error it
# stops a forward that would drop the imaginary part before the dispatch
# point refuses the op's complex input that requires grad)
REFUSALS = (NotImplementedError, RuntimeError, np.exceptions.ComplexWarning)
_ACCEPTED = set()


def _complex_inputs(case, seed):
    re = make_inputs(case, seed=seed)
    im = make_inputs(case, seed=seed + 100)
    return [np.asarray(a + 1j * b) for a, b in zip(re, im)]


def _leaves(lib, zs, dtype="complex128"):
    return [lib.tensor(z, dtype=getattr(lib, dtype), requires_grad=True) for z in zs]


def _np(t):
    if t is None:
        return None
    t = t.detach()
    if hasattr(t, "resolve_conj"):
        t = t.resolve_conj()
    return np.array(t.tolist()).reshape(tuple(t.shape))


def _cotangent(out, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(out.shape)
    v = rng.standard_normal(shape)
    if out.dtype.is_complex:
        v = v + 1j * rng.standard_normal(shape)
    return v


def _grads(lib, f, zs, v, dtype="complex128"):
    xs = _leaves(lib, zs, dtype)
    out = f(lib, *xs)
    if not out.requires_grad:
        return out, [None] * len(xs)
    gv = lib.tensor(v, dtype=out.dtype)
    return out, list(lib.autograd.grad(out, xs, grad_outputs=gv, allow_unused=True))


def _fd_grads(f, zs, v, eps=1e-6):
    """dL/dRe z + i dL/dIm z by central differences, L = Re sum(conj(v) f(z))."""
    def loss(args):
        with cr.no_grad():
            out = _np(f(cr, *[cr.tensor(a, dtype=cr.complex128) for a in args]))
        return float(np.real(np.sum(np.conj(v) * out)))
    grads = []
    base = [np.array(z, dtype=np.complex128) for z in zs]
    for z in base:
        g = np.zeros(z.shape, np.complex128)
        flat, gflat = z.reshape(-1), g.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            parts = []
            for step in (eps, 1j * eps):
                flat[k] = old + step
                up = loss(base)
                flat[k] = old - step
                down = loss(base)
                flat[k] = old
                parts.append((up - down) / (2 * eps))
            gflat[k] = parts[0] + 1j * parts[1]
        grads.append(g)
    return grads


def _close(a, b, tol, what):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs {b.shape}"
    assert np.allclose(a, b, equal_nan=True, **tol), f"{what}:\nchainrule:\n{a}\nexpected:\n{b}"


def _same_or_zero(a, b, tol, what):
    if a is None and b is None:
        return
    a = np.zeros_like(b) if a is None else a
    b = np.zeros_like(a) if b is None else b
    _close(a, b, tol, what)


def _chainrule_or_refusal(case, zs, v_seed):
    """chainrule's (out, grads), or None where it refuses complex input."""
    try:
        xs = _leaves(cr, zs)
        out = case.f(cr, *xs)
        v = _cotangent(out, v_seed)
        gs = [None] * len(xs)
        if out.requires_grad:
            gs = list(cr.autograd.grad(out, xs, grad_outputs=cr.tensor(v, dtype=out.dtype),
                                       allow_unused=True))
    except REFUSALS:
        return None
    return out, gs, v


def _torch_or_refusal(f, zs, v, dtype="complex128"):
    if torch is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")       # torch's own notes on complex support
            return _grads(torch, f, zs, v, dtype)
    except Exception:                              # noqa: BLE001 - torch refuses: no reference
        return None


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_complex_case(case):
    zs = _complex_inputs(case, seed=21)
    mine = _chainrule_or_refusal(case, zs, v_seed=22)
    if mine is None:
        return                                     # refused: the documented behaviour
    _ACCEPTED.add(case.name)
    out, gs, v = mine
    if out.requires_grad:
        numeric = _fd_grads(case.f, zs, v)
        for i, (g, n) in enumerate(zip(gs, numeric)):
            if g is not None:
                assert str(g.dtype) == "torch.complex128", f"input {i}: grad dtype {g.dtype}"
            _same_or_zero(_np(g), n, TOL_FD, f"input {i} grad against finite differences")
    ref = _torch_or_refusal(case.f, zs, v)
    if ref is None:
        return
    t_out, t_gs = ref
    assert str(out.dtype) == str(t_out.dtype)
    _close(_np(out), _np(t_out), TOL, "forward value")
    assert type(out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    for i, (a, b) in enumerate(zip(gs, t_gs)):
        _same_or_zero(_np(a), _np(b), TOL, f"input {i} grad against torch")


def _second_order(lib, f, zs, v, ws):
    """d/dz of Re sum_i <w_i, g_i> (g_i the first gradients, taken with create_graph)."""
    xs = _leaves(lib, zs)
    out = f(lib, *xs)
    gs = lib.autograd.grad(out, xs, grad_outputs=lib.tensor(v, dtype=out.dtype),
                           create_graph=True, allow_unused=True)
    terms = [(g.conj() * lib.tensor(w, dtype=g.dtype)).sum().real
             for g, w in zip(gs, ws) if g is not None and g.requires_grad]
    if not terms:
        return [None] * len(xs)
    s = sum(terms[1:], terms[0])
    return [None if h is None else _np(h) for h in lib.autograd.grad(s, xs, allow_unused=True)]


@pytest.mark.skipif(torch is None, reason="compares with torch")
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_complex_second_order(case):
    zs = _complex_inputs(case, seed=31)
    mine = _chainrule_or_refusal(case, zs, v_seed=32)
    if mine is None or not mine[0].requires_grad:
        return
    v = mine[2]
    rng = np.random.default_rng(33)
    ws = [rng.standard_normal(z.shape) + 1j * rng.standard_normal(z.shape) for z in zs]
    if _torch_or_refusal(case.f, zs, v) is None:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = _second_order(torch, case.f, zs, v, ws)
    except Exception:                              # noqa: BLE001 - torch has no double backward
        return
    got = _second_order(cr, case.f, zs, v, ws)
    for i, (a, b) in enumerate(zip(got, expected)):
        _same_or_zero(a, b, TOL2, f"input {i} second-order grad against torch")


def test_enough_cases_take_complex_input():
    """The table's complex coverage, pinned from below (run after the cases)."""
    for case in CASES:
        if case.name not in _ACCEPTED and _chainrule_or_refusal(
                case, _complex_inputs(case, seed=21), v_seed=22) is not None:
            _ACCEPTED.add(case.name)
    print(f"{len(_ACCEPTED)} of {len(CASES)} cases take complex input")
    assert len(_ACCEPTED) >= 565, len(_ACCEPTED)
    for name in ("add", "mul", "div", "pow_tensor_tensor", "sin", "exp", "log", "sqrt",
                 "tanh", "sigmoid", "abs", "sum", "mean", "prod", "matmul_2d_2d", "mm", "mv",
                 "dot", "vecdot", "linalg_inv", "linalg_det", "linalg_solve", "cumsum", "addmm",
                 "var", "std", "vector_norm", "renorm", "conv2d_bias", "conv_transpose1d"):
        assert name in CASE_IDS and name in _ACCEPTED, name


@pytest.mark.skipif(torch is None, reason="compares with torch")
@pytest.mark.parametrize("name", ["add", "mul_bcast_row", "div", "pow_tensor_tensor", "exp",
                                  "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "abs",
                                  "rdiv_scalar", "sum", "mean", "mm", "matmul_3d_2d", "dot"])
def test_complex64_against_torch(name):
    case = CASES[CASE_IDS.index(name)]
    zs = _complex_inputs(case, seed=41)
    xs = _leaves(cr, zs, "complex64")
    out = case.f(cr, *xs)
    v = _cotangent(out, 42)
    gs = cr.autograd.grad(out, xs, grad_outputs=cr.tensor(v, dtype=out.dtype), allow_unused=True)
    t_out, t_gs = _grads(torch, case.f, zs, v, "complex64")
    assert str(out.dtype) == str(t_out.dtype)
    tol = dict(rtol=1e-4, atol=1e-5)
    _close(_np(out), _np(t_out), tol, "forward value")
    for i, (a, b) in enumerate(zip(gs, t_gs)):
        assert a is None or str(a.dtype) == str(b.dtype)
        _same_or_zero(_np(a), _np(b), tol, f"input {i} grad")

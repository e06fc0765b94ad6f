"""Complex tensors side by side with torch 2.13: dtypes, creation, promotion,
printing, the views (real, imag, view_as_real, view_as_complex) and writes
through them, complex/polar/angle/conj, errors, the gradient convention
(conjugate Wirtinger), backward's complex-scalar error, gradcheck and
forward mode on complex functions.  The op-by-op gradients are in
tests/test_ops_complex.py."""
import math
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import gradcheck, gradgradcheck

from _twin import both, raises_same, torch, vals, name

needs_torch = pytest.mark.skipif(torch is None, reason="compares with torch")


# --- dtypes ---------------------------------------------------------------------------------
def test_dtype_objects():
    assert cr.cfloat is cr.complex64 and cr.cdouble is cr.complex128
    for d, real in ((cr.complex64, cr.float32), (cr.complex128, cr.float64)):
        assert d.is_complex and not d.is_floating_point and d.is_signed
        assert d.to_real() is real and real.to_complex() is d and d.to_complex() is d
        assert not real.is_complex and real.to_real() is real
    assert cr.complex64.itemsize == 8 and cr.complex128.itemsize == 16
    assert repr(cr.complex64) == "torch.complex64"


@needs_torch
@pytest.mark.parametrize("d", ["complex64", "complex128"])
def test_dtype_attributes_as_torch(d):
    c, t = getattr(cr, d), getattr(torch, d)
    for attr in ("is_complex", "is_floating_point", "is_signed", "itemsize"):
        assert getattr(c, attr) == getattr(t, attr), attr
    assert repr(c.to_real()) == repr(t.to_real())
    assert str(cr.finfo(c)) == str(torch.finfo(t))
    assert cr.finfo(c).eps == torch.finfo(t).eps and cr.finfo(c).bits == torch.finfo(t).bits


def test_iinfo_of_complex_raises():
    raises_same(lambda L: L.iinfo(L.complex64))


PROMOTIONS = [
    lambda L: L.ones(3) + 1j,
    lambda L: L.ones(3, dtype=L.float64) + 1j,
    lambda L: L.ones(3, dtype=L.int64) + 1j,
    lambda L: L.ones(3, dtype=L.bool) * 1j,
    lambda L: L.ones(3) + L.tensor(1j, dtype=L.complex128),
    lambda L: L.ones(3, dtype=L.int64) + L.tensor(1j, dtype=L.complex128),
    lambda L: L.ones(3, dtype=L.float64) + L.ones(3, dtype=L.complex64),
    lambda L: L.ones(3, dtype=L.float16) + L.ones(3, dtype=L.complex64),
    lambda L: L.ones(3, dtype=L.complex64) + L.ones(3, dtype=L.complex128),
    lambda L: L.ones(3, dtype=L.complex64) * 2.5,
    lambda L: L.ones(3, dtype=L.complex64) * L.tensor(2.0, dtype=L.float64),
    lambda L: L.ones(3, dtype=L.complex64) / L.ones(3, dtype=L.int64),
    lambda L: L.tensor(1.0, dtype=L.float64) * L.ones(3, dtype=L.complex64),
    lambda L: L.tensor(1.0) + 2j,
]


@pytest.mark.parametrize("k", range(len(PROMOTIONS)))
def test_promotion(k):
    both(lambda L: (str(PROMOTIONS[k](L).dtype), PROMOTIONS[k](L)))


@needs_torch
def test_promote_types_and_result_type():
    for a, b in (("float64", "complex64"), ("int64", "complex64"), ("float16", "complex64"),
                 ("complex64", "complex128"), ("bool", "complex128")):
        assert repr(cr.promote_types(getattr(cr, a), getattr(cr, b))) == \
            repr(torch.promote_types(getattr(torch, a), getattr(torch, b)))
    assert repr(cr.result_type(cr.ones(2), 1j)) == repr(torch.result_type(torch.ones(2), 1j))
    assert cr.can_cast(cr.complex64, cr.float64) == torch.can_cast(torch.complex64, torch.float64)
    assert cr.can_cast(cr.float64, cr.complex64) == torch.can_cast(torch.float64, torch.complex64)


def test_default_complex_dtype_follows_default_float():
    def scenario(L):
        old = L.get_default_dtype()
        L.set_default_dtype(L.float64)
        try:
            return (str(L.tensor([1j]).dtype), str((L.ones(2, dtype=L.int32) + 1j).dtype),
                    repr(L.tensor([1j])), repr(L.tensor([1j], dtype=L.complex64)))
        finally:
            L.set_default_dtype(old)
    assert both(scenario)[0] == "torch.complex128"


# --- creation and conversion ------------------------------------------------------------------
CREATIONS = [
    lambda L: L.tensor([1 + 2j, 3 - 4j]),
    lambda L: L.tensor([1, 2j]),
    lambda L: L.tensor(1j),
    lambda L: L.tensor([[1.0, 2.0]], dtype=L.complex128),
    lambda L: L.tensor([1 + 1j], dtype=L.cfloat),
    lambda L: L.zeros(2, 3, dtype=L.cfloat),
    lambda L: L.ones(2, dtype=L.cdouble),
    lambda L: L.full((2,), 1 - 1j),
    lambda L: L.full((2,), 3, dtype=L.complex64),
    lambda L: L.eye(2, dtype=L.complex64),
    lambda L: L.zeros_like(L.ones(2, dtype=L.complex64)),
    lambda L: L.from_numpy(np.array([1 + 2j, 3], np.complex64)),
    lambda L: L.as_tensor(np.array([1j], np.complex128)),
    lambda L: L.tensor([1.5, -2.0]).to(L.complex64),
    lambda L: L.tensor([1, 2]).cfloat(),
    lambda L: L.tensor([1.0, 2.0]).cdouble(),
    lambda L: L.tensor([1 + 2j]).to(L.complex128),
    lambda L: L.tensor([1 + 2j]).type(L.complex128),
    lambda L: L.tensor([1 + 2j, 3]).type(),
    lambda L: L.tensor([1 + 2j]).cdouble().type(),
    lambda L: L.tensor([1 + 2j]).is_complex(),
    lambda L: L.is_complex(L.tensor([1.0])),
    lambda L: L.tensor([1 + 2j]).is_floating_point(),
    lambda L: L.tensor([1 + 2j, 3 - 1j]).tolist(),
    lambda L: L.tensor(1 + 2j).item(),
    lambda L: complex(L.tensor(2 - 3j)),
    lambda L: L.cat([L.tensor([1j]), L.tensor([2.0])]),
    lambda L: L.stack([L.tensor([1j]), L.tensor([2j])]),
    lambda L: L.where(L.tensor([True, False]), L.tensor([1j, 2j]), 0),
]


@pytest.mark.parametrize("k", range(len(CREATIONS)))
def test_creation_and_conversion(k):
    both(lambda L: CREATIONS[k](L) if not hasattr(CREATIONS[k](L), "dtype")
         else (str(CREATIONS[k](L).dtype), CREATIONS[k](L)))


def test_casting_complex_to_real_warns_and_keeps_real_part():
    def scenario(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = L.tensor([1 + 2j, -3 - 4j]).float()
            i = L.tensor([1.7 + 2j]).to(L.int64)
        # (torch warns once a process, chainrule each time: the text is compared)
        return r, i, {str(x.message).split(" (Triggered")[0] for x in w} - {
            "Casting complex values to real discards the imaginary part"}
    both(scenario)
    with pytest.warns(UserWarning, match="^Casting complex values to real discards"):
        cr.tensor([1j]).double()


def test_arange_refuses_complex():
    raises_same(lambda L: L.arange(3, dtype=L.complex64))


# --- printing -------------------------------------------------------------------------------
def _print_cases(L):
    c64, c128 = L.complex64, L.complex128
    return [
        L.tensor(1 + 2j), L.tensor(-1.5 - 0.25j), L.tensor([1 + 2j, 3 - 4j]),
        L.tensor([1 + 2j, 3 - 4j], dtype=c128), L.tensor([0j]), L.tensor([1.0 + 0j, 2]),
        L.tensor([1e-5 + 1j, 1e5 - 2j]), L.tensor([1e10 + 1j, 2]), L.tensor([1.2345678 + 9.87654321j]),
        L.tensor([complex(math.nan, 1), complex(1, math.inf), complex(-math.inf, -math.nan)]),
        L.tensor([[1 + 1j, 2 - 2j], [3.5 + 0j, -4j]]), L.zeros(0, dtype=c64), L.zeros(2, 0, dtype=c128),
        L.tensor([100 + 0.001j, -3j]), L.tensor([1e-10j, 1]), L.tensor(1e20 + 1e-20j, dtype=c128),
        L.tensor([123456789 + 1j]), L.tensor([1 + 1j] * 1001), L.tensor([-0.0 - 0.0j, 0.5j]),
        L.tensor([1j, 2j], dtype=c128), L.tensor([1 + 2j, 3 + 4j], dtype=c128) * 1.0000001,
        L.linspace(-3, 3, 30) * (1 - 2.5j), (L.linspace(0, 1, 24) * (3 + 1j)).reshape(2, 3, 4),
        L.tensor([[1e-3 - 2j] * 5] * 3, dtype=c128), L.tensor([1 + 2j], requires_grad=True),
        L.tensor([1 + 2j], requires_grad=True) * 2, L.tensor([-1.0 + 1e8j, 2.5 - 3e-6j]),
    ]


@needs_torch
def test_repr_matches_torch():
    for a, b in zip(_print_cases(cr), _print_cases(torch)):
        assert repr(a) == repr(b)


@needs_torch
def test_repr_with_print_options_matches_torch():
    for opts in (dict(precision=2), dict(sci_mode=True), dict(sci_mode=False), dict(linewidth=40),
                 dict(threshold=5, edgeitems=1)):
        with cr._printing.printoptions(**opts), torch._tensor_str.printoptions(**opts):
            for a, b in zip(_print_cases(cr)[:22], _print_cases(torch)[:22]):
                assert repr(a) == repr(b), opts


def test_repr_without_torch():
    assert repr(cr.tensor([1 + 2j, 3 - 4j])) == "tensor([1.+2.j, 3.-4.j])"
    assert repr(cr.tensor(-1.5 - 0.25j, dtype=cr.complex128)) == \
        "tensor(-1.5000-0.2500j, dtype=torch.complex128)"


# --- views and writes through them ----------------------------------------------------------------
def test_real_imag_are_views_writes_land():
    def scenario(L):
        z = L.tensor([1 + 2j, 3 - 4j])
        z.real[0] = 7
        z.imag.mul_(2)
        v = L.view_as_real(z)
        v[1, 0] = -1
        z.imag = L.tensor([5.0, 6.0])
        r = L.ones(3, 2)
        c = L.view_as_complex(r)
        c[1] = 2 - 3j
        return z, r, v, c, L.real(L.tensor([1.0])), z.real.stride(), tuple(v.shape), tuple(c.shape)
    both(scenario)


def test_conjugate_transposes():
    def scenario(L):
        z = L.tensor([[1 + 2j, 3j], [1, 2 - 1j]], requires_grad=True)
        b = L.tensor([[[1 + 2j, 3j]]])
        outs = (z.H, z.mH, z.adjoint(), b.mH, L.adjoint(b))
        return outs + tuple(name(o) for o in outs[:3]) + (z.H.is_conj(),)
    both(scenario)
    x = cr.tensor([[1.0, 2.0]])
    assert x.H.grad_fn is None and vals(x.H).tolist() == [[1.0], [2.0]]


def test_real_of_real_tensor_is_itself():
    x = cr.tensor([1.0, 2.0])
    assert cr.real(x) is x and x.real is x and x.conj() is x and x.conj_physical() is x
    raises_same(lambda L: L.tensor([1.0]).imag)


def test_view_as_complex_of_shape_2_is_0d():
    both(lambda L: L.view_as_complex(L.tensor([1.0, 2.0])))


VIEW_ERRORS = [
    lambda L: L.view_as_real(L.ones(2)),
    lambda L: L.view_as_complex(L.ones(3)),
    lambda L: L.view_as_complex(L.ones(3, 3)),
    lambda L: L.view_as_complex(L.ones(2, 3)[:, :2].t()),
    lambda L: L.view_as_complex(L.ones(2, dtype=L.int64)),
    lambda L: L.complex(L.ones(2), L.ones(2, dtype=L.float64)),
    lambda L: L.complex(L.ones(2, dtype=L.int32), L.ones(2, dtype=L.int32)),
    lambda L: L.polar(L.ones(2, dtype=L.int64), L.ones(2, dtype=L.int64)),
    lambda L: L.tensor([1j]) < L.tensor([2j]),
    lambda L: L.tensor([1j]) >= 0,
    lambda L: L.tensor([1j]).max(),
    lambda L: L.floor(L.tensor([1j])),
    lambda L: L.maximum(L.ones(2), L.tensor([1j, 2j])),
    lambda L: L.minimum(L.tensor([1j]), L.tensor([1j])),
    lambda L: L.tensor([1j]).min(),
    lambda L: L.amax(L.tensor([1j]), 0),
    lambda L: L.tensor([1j]).max(0),
    lambda L: L.tensor([1j]).argmax(),
    lambda L: L.clamp(L.tensor([1j]), 0, 1),
    lambda L: L.relu(L.tensor([1j])),
    lambda L: L.sign(L.tensor([1j])),
    lambda L: L.ceil(L.tensor([1j])),
    lambda L: L.trunc(L.tensor([1j])),
    lambda L: L.round(L.tensor([1j])),
    lambda L: L.frac(L.tensor([1j])),
    lambda L: L.deg2rad(L.tensor([1j])),
    lambda L: L.rad2deg(L.tensor([1j], dtype=L.complex128)),
    lambda L: float(L.tensor(1 + 2j)),
    lambda L: int(L.tensor(1 + 2j)),
    lambda L: L.tensor([[1j, 2]]).T @ L.tensor([[1.0, 2.0]]),
    lambda L: L.tensor([1j]).new_zeros(2, dtype=L.int32) + L.tensor([1j, 2j]).T.mm(L.ones(1, 1)),
]


@pytest.mark.parametrize("k", range(len(VIEW_ERRORS)))
def test_errors_as_torch(k):
    raises_same(VIEW_ERRORS[k])


def test_grads_through_views_and_writes():
    def scenario(L):
        a = L.tensor([1 + 2j, 3 - 4j], requires_grad=True)
        w = a * 1
        w.real.mul_(3)
        L.view_as_real(w)[0, 1] = 5
        (w * w).abs().sum().backward()
        b = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        c = b * 1
        L.view_as_complex(c).mul_(1j)
        (c * c).sum().backward()
        return w, a.grad, c, b.grad, name(w), name(c)
    both(scenario)


# --- complex, polar, angle, conj ----------------------------------------------------------------
OPS = [
    lambda L: L.complex(L.tensor([1.0, -2.0]), L.tensor([0.5, math.inf])),
    lambda L: L.complex(L.tensor([1.0], dtype=L.float64), L.tensor([[2.0], [3.0]], dtype=L.float64)),
    lambda L: L.polar(L.tensor([1.0, 2.0]), L.tensor([0.0, math.pi / 3])),
    lambda L: L.angle(L.tensor([1 + 1j, -1, 0j, -1j])),
    lambda L: L.angle(L.tensor([1.0, -2.0, 0.0, math.nan])),
    lambda L: L.angle(L.tensor([1, -2])),
    lambda L: L.tensor([3 + 4j, -1j]).abs(),
    lambda L: L.tensor([3 + 4j, -1j], dtype=L.complex128).abs(),
    lambda L: L.conj(L.tensor([1 + 2j])),
    lambda L: L.tensor([1 + 2j]).conj().is_conj(),
    lambda L: L.tensor([1 + 2j]).is_conj(),
    lambda L: L.tensor([1 + 2j]).conj().resolve_conj().is_conj(),
    lambda L: L.conj_physical(L.tensor([1 + 2j, -1j])),
    lambda L: L.tensor([1 + 2j, -1j]).conj_physical_(),
    lambda L: L.vdot(L.tensor([1 + 2j, 3j]), L.tensor([2 - 1j, 1 + 1j])),
    lambda L: L.dot(L.tensor([1 + 2j, 3j]), L.tensor([2 - 1j, 1 + 1j])),
    lambda L: L.tensor([[1 + 2j, 3j]]) @ L.tensor([[2 - 1j], [1 + 1j]]),
    lambda L: (L.tensor([1 + 2j, 3j]) ** 2, L.tensor([1 + 2j]) ** L.tensor([0.5j]), 2 ** L.tensor([1j])),
    lambda L: (L.exp(L.tensor([1j * math.pi])), L.log(L.tensor([-1 + 0j])), L.sqrt(L.tensor([-4 + 0j]))),
    lambda L: (L.tensor([1 + 2j]).sum(), L.tensor([1 + 2j, 3j]).mean(), L.tensor([1 + 2j, 3j]).prod()),
    lambda L: (L.tensor([1 + 2j]) == L.tensor([1 + 2j]), L.tensor([1j]) != 0),
    lambda L: L.linalg.vecdot(L.tensor([1 + 2j, 3j]), L.tensor([2 - 1j, 1 + 1j])),
]


@pytest.mark.parametrize("k", range(len(OPS)))
def test_complex_ops_as_torch(k):
    both(OPS[k])


# --- gradients ------------------------------------------------------------------------------------
def test_backward_of_complex_scalar_raises():
    raises_same(lambda L: (L.tensor(1 + 1j, requires_grad=True) * 2).backward())
    raises_same(lambda L: L.tensor([1 + 1j, 2], requires_grad=True).sum().backward())


def test_holomorphic_gradient_is_grad_times_conj_derivative():
    # L = Re(conj(v) f(z)), f = z^3: grad = v * conj(3 z^2), written from the convention.
    z0 = np.array([1 + 2j, -0.5 + 0.3j])
    v = np.array([0.7 - 1.1j, 2 + 0.5j])
    z = cr.tensor(z0, requires_grad=True)
    (g,) = cr.autograd.grad(z ** 3, z, grad_outputs=cr.tensor(v))
    assert np.allclose(vals(g), v * np.conj(3 * z0 ** 2))


def test_real_valued_functions_of_complex_inputs():
    def scenario(L):
        out = []
        for f in (lambda z: z.abs(), lambda z: z.real, lambda z: z.imag, lambda z: z.angle(),
                  lambda z: (z * z.conj()).real, lambda z: L.view_as_real(z)):
            z = L.tensor([1 + 2j, -3 + 0.5j, 0j + 1e-3], dtype=L.complex128, requires_grad=True)
            y = f(z)
            y.backward(L.ones_like(y) * 0.5)
            out.append((y, z.grad, name(y)))
        return out
    both(scenario)


def test_real_inputs_complex_outputs():
    def scenario(L):
        a = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)   # (polar: abs >= 0)
        b = L.tensor([0.5, 3.0], dtype=L.float64, requires_grad=True)
        y = (L.complex(a, b) * (2 - 1j) + L.polar(a, b) + a * 1j).abs().sum()
        y.backward()
        x = L.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=L.float64, requires_grad=True)
        (L.view_as_complex(x) ** 2).imag.sum().backward()
        return a.grad, b.grad, x.grad
    both(scenario)


def test_refused_ops_raise_rather_than_give_wrong_gradients():
    z = cr.tensor([1 + 2j], requires_grad=True)
    for f in (cr.sgn, cr.sinc, cr.logit, cr.nn.functional.silu, lambda z: cr.linalg.slogdet(
            z.reshape(1, 1))[1]):
        with pytest.raises(NotImplementedError, match="^chainrule: the derivative of .* complex"):
            f(z)
    assert cr.sinc(z.detach()).dtype == cr.complex64      # (without grad the forward runs)


def _z(*vals_, dt=None):
    return cr.tensor(list(vals_), dtype=dt or cr.complex128, requires_grad=True)


GRADCHECKS = [
    (lambda z: z.sin() * z.exp() / (z + 2), "c"),
    (lambda z: (z.abs() ** 2 + z.angle()).sum(), "c"),
    (lambda z: z.conj() * z.tanh(), "c"),
    (lambda z: cr.view_as_real(z.sigmoid()), "c"),
    (lambda z: z.log() + z.sqrt() - z.reciprocal(), "c"),
    (lambda z: z.real * z.imag + z.pow(z), "c"),
    (lambda a: cr.complex(a, a * 2).cos(), "r"),
    (lambda a: cr.polar(a, a + 1) ** 2, "r"),
    (lambda a: (a * (2 - 3j)).exp(), "r"),
    (lambda z: cr.vdot(z, z.flip(0)) + (z @ z), "c"),
]


@pytest.mark.parametrize("k", range(len(GRADCHECKS)))
def test_gradcheck_and_gradgradcheck(k):
    f, kind = GRADCHECKS[k]
    x = _z(1 + 2j, -0.5 + 0.3j, 0.7 - 1.2j) if kind == "c" else \
        cr.tensor([0.3, 1.1, -0.8], dtype=cr.float64, requires_grad=True)
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))
    assert gradcheck(f, (x,), check_forward_ad=True)


def test_gradcheck_catches_a_wrong_complex_gradient():
    class Wrong(cr.autograd.Function):           # conj'd: the other convention
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return z * z

        @staticmethod
        def backward(ctx, g):
            (z,) = ctx.saved_tensors
            return g * 2 * z
    assert not gradcheck(Wrong.apply, (_z(1 + 2j, 0.5 - 1j),), raise_exception=False)


def test_forward_mode_tangents_as_torch():
    def scenario(L):
        import importlib
        fwAD = importlib.import_module(L.__name__ + ".autograd.forward_ad")
        z = L.tensor([1 + 2j, -0.5 + 0.3j], dtype=L.complex128)
        t = L.tensor([0.3 - 1j, 2 + 0.1j], dtype=L.complex128)
        with fwAD.dual_level():
            d = fwAD.make_dual(z, t)
            outs = [fwAD.unpack_dual(y).tangent for y in
                    (d.sin() * d, d.abs(), d.conj(), d.real, d.angle(), L.view_as_real(d))]
        return outs
    both(scenario)


@needs_torch
def test_second_order_against_torch():
    def scenario(L):
        z = L.tensor([1 + 2j, -0.5 + 0.3j], dtype=L.complex128, requires_grad=True)
        y = (z.sin() * z.abs() + z.conj() ** 2).abs().sum()
        (g,) = L.autograd.grad(y, z, create_graph=True)
        (h,) = L.autograd.grad((g * g.conj()).real.sum(), z)
        return g, h
    both(scenario)


# --- linalg.eig / eigvals: complex results ----------------------------------------------------------
_EIG_A = [[1.0, 2.0, 0.5], [-3.0, 0.2, 1.0], [0.3, 0.7, -1.0]]
_EIG_Z = [[1 + 1j, 2.0, 0.5j], [-3.0, 0.2 - 1j, 1.0], [0.3j, 0.7, -1.0 + 0.5j]]


def _phase_free(L, v):
    """A loss of the eigenvectors that does not depend on their phases."""
    w = L.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [1.5, 0.3, -0.7]], dtype=L.float64)
    return (v.abs() ** 2 * w).sum() + (v[0].conj() * v[1]).abs().sum()


@pytest.mark.parametrize("data", [_EIG_A, _EIG_Z], ids=["real", "complex"])
def test_eig_as_torch(data):
    def scenario(L):
        dt = L.complex128 if isinstance(data[0][0], complex) or any(
            isinstance(x, complex) for r in data for x in r) else L.float64
        A = L.tensor(data, dtype=dt, requires_grad=True)
        w, v = L.linalg.eig(A)
        (w.abs().sum() + w.real.prod() + _phase_free(L, v)).backward()
        B = L.tensor(data, dtype=dt).expand(2, 3, 3) * L.tensor([[[1.0]], [[0.5]]], dtype=L.float64)
        phase = v[0] / v[0].abs()          # (eigenvectors compared up to their phases)
        return (w, v / phase, A.grad, name(w), name(v), L.linalg.eigvals(A),
                name(L.linalg.eigvals(A)),
                L.linalg.eigvals(B), L.linalg.eig(L.tensor(data, dtype=L.complex64 if dt ==
                                                           L.complex128 else L.float32))[0])
    both(scenario)


@pytest.mark.parametrize("data", [_EIG_A, _EIG_Z], ids=["real", "complex"])
def test_eig_gradcheck(data):
    dt = cr.complex128 if any(isinstance(x, complex) for r in data for x in r) else cr.float64
    A = cr.tensor(data, dtype=dt, requires_grad=True)
    assert gradcheck(lambda A: cr.linalg.eigvals(A), (A,))
    assert gradcheck(lambda A: _phase_free(cr, cr.linalg.eig(A)[1]), (A,))
    assert gradgradcheck(lambda A: cr.linalg.eigvals(A) ** 2, (A,))


def test_eig_errors():
    raises_same(lambda L: L.linalg.eig(L.ones(2, 3)))
    raises_same(lambda L: L.linalg.eigvals(L.ones(3)))
    raises_same(lambda L: L.linalg.eig(L.tensor([[1.0, math.nan], [0.0, 1.0]])))


# --- random draws and files -----------------------------------------------------------------------
def test_random_complex_draws():
    cr.manual_seed(0)
    z = cr.randn(20000, dtype=cr.cfloat)
    u = cr.rand(20000, dtype=cr.cdouble)
    assert z.dtype == cr.complex64 and u.dtype == cr.complex128
    re, im = vals(z).real, vals(z).imag
    assert abs(re.var() - 0.5) < 0.03 and abs(im.var() - 0.5) < 0.03    # E|z|^2 = 1, as torch
    assert abs(np.corrcoef(re, im)[0, 1]) < 0.05
    parts = np.concatenate([vals(u).real, vals(u).imag])
    assert parts.min() >= 0 and parts.max() < 1 and abs(parts.mean() - 0.5) < 0.02
    assert cr.randn_like(z).dtype == cr.complex64 and cr.rand_like(u).dtype == cr.complex128
    raises_same(lambda L: L.randint(0, 3, (2,), dtype=L.cfloat))


@needs_torch
@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_save_and_load_complex_with_torch(dt, tmp_path):
    data = [[1 + 2j, -3.5j], [math.inf + 1j, 0.25 - 0j]]
    cr.save(cr.tensor(data, dtype=getattr(cr, dt)), tmp_path / "c.pt")
    back = torch.load(tmp_path / "c.pt")
    assert str(back.dtype) == f"torch.{dt}" and back.tolist() == data
    torch.save({"z": torch.tensor(data, dtype=getattr(torch, dt))}, tmp_path / "t.pt")
    mine = cr.load(tmp_path / "t.pt")["z"]
    assert str(mine.dtype) == f"torch.{dt}" and mine.tolist() == data


# --- stft / istft -------------------------------------------------------------------------------
_SIG = np.random.default_rng(0).standard_normal(20)
_SIG2 = np.random.default_rng(1).standard_normal((2, 17))
STFTS = [
    (dict(n_fft=8, return_complex=True), _SIG, False),
    (dict(n_fft=8, hop_length=3, window=6, win_length=6, return_complex=True), _SIG, False),
    (dict(n_fft=8, center=False, return_complex=True, normalized=True), _SIG2, False),
    (dict(n_fft=6, return_complex=True, onesided=False, pad_mode="constant"), _SIG, False),
    (dict(n_fft=8, hop_length=2), _SIG, True),
    (dict(n_fft=8, return_complex=False, window=8), _SIG, False),
]


def _with_window(L, kw):
    kw = dict(kw)
    if "window" in kw:
        kw["window"] = L.hann_window(kw["window"], dtype=L.float64)
    return kw


@pytest.mark.parametrize("k", range(len(STFTS)))
def test_stft_as_torch(k):
    kw, data, cplx = STFTS[k]

    def scenario(L):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # (rectangular window, return_complex=False)
            z = data + 1j * data[::-1] if cplx else data
            x = L.tensor(z, dtype=L.complex128 if cplx else L.float64, requires_grad=True)
            s = L.stft(x, **_with_window(L, kw))
            rng = np.random.default_rng(2)
            v = rng.standard_normal(tuple(s.shape)) + (
                1j * rng.standard_normal(tuple(s.shape)) if s.is_complex() else 0)
            (g,) = L.autograd.grad(s, x, L.tensor(v, dtype=s.dtype))
            return s, g
    both(scenario)


ISTFTS = [
    ((5, 7), dict(hop_length=2, window=8)),
    ((5, 7), dict(hop_length=4, window=8)),
    ((2, 5, 7), dict(hop_length=2, window=8, length=11)),
    ((8, 7), dict(hop_length=2, window=8, onesided=False, return_complex=True)),
    ((5, 7), dict(hop_length=2, window=8, normalized=True, length=20)),
    ((5, 7), dict(hop_length=2, window=6, win_length=6)),
]


@pytest.mark.parametrize("k", range(len(ISTFTS)))
def test_istft_as_torch(k):
    shape, kw = ISTFTS[k]
    rng = np.random.default_rng(3)
    X0 = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)

    def scenario(L):
        X = L.tensor(X0, dtype=L.complex128, requires_grad=True)
        y = L.istft(X, 8, **_with_window(L, kw))
        r = np.random.default_rng(4)
        v = r.standard_normal(tuple(y.shape)) + (1j * r.standard_normal(tuple(y.shape))
                                                 if y.is_complex() else 0)
        (g,) = L.autograd.grad(y, X, L.tensor(v, dtype=y.dtype))
        return y, g
    both(scenario)


def test_stft_istft_round_trip_and_gradcheck():
    x = cr.tensor(_SIG, dtype=cr.float64, requires_grad=True)
    w = cr.hann_window(8, dtype=cr.float64)
    s = cr.stft(x, 8, hop_length=2, window=w, return_complex=True)
    assert np.allclose(vals(cr.istft(s, 8, hop_length=2, window=w, length=20)), _SIG)
    assert gradcheck(lambda x: cr.stft(x, 8, hop_length=3, window=w, return_complex=True), (x,))
    assert gradgradcheck(lambda x: cr.stft(x, 8, hop_length=3, window=w, return_complex=True).abs(),
                         (x,))
    S = cr.tensor(vals(s), requires_grad=True)
    assert gradcheck(lambda S: cr.istft(S, 8, hop_length=2, window=w), (S,))


def test_stft_errors():
    raises_same(lambda L: L.stft(L.ones(20), 8))
    raises_same(lambda L: L.istft(L.ones(5, 7), 8))
    for f in (lambda L: L.istft(L.ones(5, 9, dtype=L.cfloat), 8, hop_length=8,
                                window=L.hann_window(8), center=False),):
        with pytest.raises(RuntimeError):
            f(cr)


def test_real_input_gradient_is_the_real_part():
    def scenario(L):
        x = L.tensor([1.0, -2.0, 0.5], dtype=L.float64, requires_grad=True)
        y = L.where(L.tensor([True, False, True]), x, 1j) * (1 - 2j) + x.to(L.complex128) * 3j
        (g,) = L.autograd.grad(y, x, L.tensor([1 + 1j, 2 - 1j, -1j]), create_graph=True)
        (h,) = L.autograd.grad((g * x).sum(), x)
        return y, g, h
    both(scenario)


def test_compile_runs_complex_functions_eagerly():
    def f(z):
        return (z.sin() * z).abs().sum()
    z = cr.tensor([1 + 2j, 0.5 - 1j], dtype=cr.complex128, requires_grad=True)
    (expected,) = cr.autograd.grad(f(z), z)
    cf = cr.compile(f)
    with pytest.warns(UserWarning, match="complex values"):
        cf(z)
    for _ in range(2):
        (g,) = cr.autograd.grad(cf(z), z)
        assert np.allclose(vals(g), vals(expected))


def test_optimizers_with_complex_parameters():
    def scenario(L):
        p = L.nn.Parameter(L.tensor([1 + 2j, -1j], dtype=L.complex128))
        o = L.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True)
        for _ in range(3):
            o.zero_grad()
            (p * p.conj() + p.real).real.sum().backward()
            o.step()
        return p.detach()
    both(scenario)
    with pytest.raises(NotImplementedError, match="complex parameters"):
        cr.optim.LBFGS([cr.nn.Parameter(cr.ones(2, dtype=cr.cfloat))])


def test_random_fills_and_complex_modules():
    cr.manual_seed(0)
    u = cr.empty(50000, dtype=cr.cfloat).uniform_(-1, 1).numpy()
    n = cr.empty(50000, dtype=cr.cdouble).normal_(2, 3).numpy()
    for part in (u.real, u.imag):
        assert part.min() >= -1 and part.max() < 1 and abs(part.mean()) < 0.02
    for part in (n.real, n.imag):                # each part N(2, 9 / 2), as torch's normal_
        assert abs(part.mean() - 2) < 0.05 and abs(part.std() - 3 / math.sqrt(2)) < 0.05
    w = cr.nn.Linear(3, 500, dtype=cr.cfloat).weight.detach().numpy()
    bound = 1 / math.sqrt(3)
    for part in (w.real, w.imag):
        assert part.min() >= -bound and part.max() <= bound and part.std() > bound / 2

    def scenario(L):
        L.manual_seed(0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = L.nn.Linear(3, 2).to(L.cfloat)
        x = L.tensor([[1 - 1j, 2, 0.5j]])
        m.weight.data = L.tensor([[1 + 1j, 2, -1j], [0.5, 1j, 1]])
        m.bias.data = L.tensor([1j, -1 + 0j])
        y = m(x).abs().sum()
        y.backward()
        return (str(m.weight.dtype), y, m.weight.grad, m.bias.grad,
                [str(c.message)[:28] for c in caught])
    both(scenario)


@needs_torch
@pytest.mark.parametrize("opt, kw", [
    ("Adam", {}), ("Adam", dict(amsgrad=True, weight_decay=0.1)), ("AdamW", {}),
    ("Adamax", {}), ("NAdam", {}), ("RAdam", {}), ("RMSprop", dict(momentum=0.5, centered=True)),
    ("Adagrad", dict(weight_decay=0.1)), ("SGD", dict(momentum=0.9)),
])
def test_adaptive_optimizers_update_complex_parts_as_torch(opt, kw):
    def scenario(L):
        p = L.nn.Parameter(L.tensor([1 + 2j, -1j, 0.5 - 0.25j], dtype=L.complex128))
        q = L.nn.Parameter(L.tensor([0.5, -2.0], dtype=L.float64))
        o = getattr(L.optim, opt)([p, q], lr=0.1, **kw)
        for _ in range(4):
            o.zero_grad()
            ((p * p.conj()).real.sum() + (p.imag * q.sum()).sum() + (p.real ** 3).sum()).backward()
            o.step()
        return p.detach(), q.detach(), str(o.state[p].get("exp_avg", p).dtype)
    both(scenario)


def test_func_grad_and_vjp_on_complex():
    def scenario(L):
        z = L.tensor([1 + 2j, 0.5 - 1j], dtype=L.complex128)
        g = L.func.grad(lambda z: (z.sin() * z).abs().sum())(z)
        out, vjp = L.func.vjp(lambda z: z * z.exp(), z)
        (v,) = vjp(L.ones_like(out) * (1 - 1j))
        return g, out, v
    both(scenario)

"""gradcheck / gradgradcheck: verdicts on correct and deliberately wrong
derivatives, and PyTorch's exact error texts and warnings."""
import warnings

import numpy as np
import pytest

import chainrule as torch
from chainrule.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

D = torch.float64


def leaf(values, dtype=D):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


# --- deliberately wrong derivatives (the same code runs on torch) ------------------
def wrong_first(x):
    """sin(x) whose gradient is doubled by a hook on an intermediate."""
    y = x * 1
    y.register_hook(lambda g: None if g is None else g * 2)
    return y.sin()


def wrong_second(x):
    """x**3 with a right first derivative and a wrong second one: the hook adds
    0.5 * (x - x.detach()), zero in value, but with derivative 0.5 when the
    backward pass is itself recorded (create_graph=True)."""
    y = x * 1
    y.register_hook(lambda g: None if g is None else g + 0.5 * (x - x.detach()))
    return y ** 3


X3 = [0.1, 0.2, 0.3]
V3 = [0.25, -0.5, 0.75]

WRONG_FIRST_MSG = (
    "Jacobian mismatch for output 0 with respect to input 0,\n"
    "numerical:tensor([[0.9950, 0.0000, 0.0000],\n"
    "        [0.0000, 0.9801, 0.0000],\n"
    "        [0.0000, 0.0000, 0.9553]], dtype=torch.float64)\n"
    "analytical:tensor([[1.9900, 0.0000, 0.0000],\n"
    "        [0.0000, 1.9601, 0.0000],\n"
    "        [0.0000, 0.0000, 1.9107]], dtype=torch.float64)\n")

WRONG_SECOND_MSG = (
    "Jacobian mismatch for output 0 with respect to input 0,\n"
    "numerical:tensor([[ 0.1500,  0.0000,  0.0000],\n"
    "        [ 0.0000, -0.6000,  0.0000],\n"
    "        [ 0.0000,  0.0000,  1.3500]], dtype=torch.float64)\n"
    "analytical:tensor([[ 0.6500,  0.0000,  0.0000],\n"
    "        [ 0.0000, -0.1000,  0.0000],\n"
    "        [ 0.0000,  0.0000,  1.8500]], dtype=torch.float64)\n")

FLOAT_WARNING = (
    "Input #{} requires gradient and is not a double precision floating point or complex. "
    "This check will likely fail if all the inputs are not of double precision floating "
    "point or complex. ")

NO_INPUT_MSG = ("gradcheck expects at least one input tensor to require gradient, "
                "but none of them have requires_grad=True.")


# --- correct ops pass ------------------------------------------------------------------
@pytest.mark.parametrize("func, shapes", [
    (torch.sin, [(3,)]),
    (lambda a, b: a * b, [(3, 1), (4,)]),                   # broadcasting
    (lambda a, b: a @ b, [(2, 3), (3, 2)]),
    (lambda a: torch.softmax(a, dim=-1), [(2, 3)]),
    (lambda a, b: (a.exp() * b.sin()).sum(), [(2, 2), (2, 2)]),
    (lambda a, b: (a + b, a * b, (a - b).norm()), [(3,), (3,)]),   # tuple outputs
    (lambda a: a ** 2 * 3, [()]),                           # 0-d input
    (lambda a: a.reshape(2, 3).t(), [(6,)]),                # output is a view of the input
    (lambda a: (a[0], a[1:].sum(0)), [(3, 2)]),
])
def test_correct_ops_pass(func, shapes):
    torch.manual_seed(0)
    inputs = tuple(torch.randn(*s, dtype=D).requires_grad_() for s in shapes)
    before = [t.detach().numpy().copy() for t in inputs]
    assert gradcheck(func, inputs) is True
    assert gradcheck(func, inputs, fast_mode=True) is True
    for t, b in zip(inputs, before):
        np.testing.assert_array_equal(t.detach().numpy(), b)     # perturbations undone
        assert t.grad is None                                     # nothing accumulated


def test_single_tensor_list_and_non_tensor_arguments():
    x = leaf(X3)
    assert gradcheck(torch.sin, x)
    assert gradcheck(torch.sin, [x])
    c = torch.tensor([1.0, 2.0, 3.0], dtype=D)                  # no grad: not checked
    assert gradcheck(lambda a, k, b, p: (a * k + b) ** p, (x, 2.5, c, 2))


def test_wrong_gradient_fails():
    x = leaf(X3)
    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong_first, (x,))
    assert isinstance(info.value, RuntimeError)
    assert str(info.value) == WRONG_FIRST_MSG
    assert gradcheck(wrong_first, (x,), raise_exception=False) is False


def test_wrong_gradient_second_input_and_output_indices():
    a, b = leaf(X3), leaf(V3)

    def f(a, b):
        return a.sin(), wrong_first(b)
    with pytest.raises(GradcheckError, match=r"^Jacobian mismatch for output 1 with respect "
                                             r"to input 1,\nnumerical:"):
        gradcheck(f, (a, b))


def test_float32_warns_and_no_grad_inputs_raise():
    with pytest.warns(UserWarning) as rec:
        # float32 finite differences are too coarse for the default tolerances
        assert gradcheck(lambda a: a * 2, (leaf([1.0, 2.0], torch.float32),),
                         raise_exception=False) is False
    assert [str(w.message) for w in rec] == [FLOAT_WARNING.format(0)]
    with pytest.raises(ValueError) as info:
        gradcheck(torch.sin, torch.ones(2, dtype=D))
    assert str(info.value) == NO_INPUT_MSG
    with pytest.raises(ValueError):                  # not a GradcheckError: still raised
        gradcheck(torch.sin, torch.ones(2, dtype=D), raise_exception=False)


def test_no_differentiable_output():
    x = leaf(X3)
    assert gradcheck(lambda a: a.detach() * 0 + 1, x)
    with pytest.raises(GradcheckError, match="^Numerical gradient for function expected "
                                             "to be zero$"):
        gradcheck(lambda a: a.detach() * 2, x)


def test_nondeterministic_backward():
    rng = np.random.default_rng(0)

    def noisy(x):
        y = x * 1
        y.register_hook(lambda g: None if g is None else g * (1 + float(rng.normal()) * 1e-9))
        return y.sin()
    x = leaf(X3)
    with pytest.raises(GradcheckError, match="^Backward is not reentrant, i.e., running "
                                             "backward with same input"):
        gradcheck(noisy, x)
    assert gradcheck(noisy, x, nondet_tol=1e-6)


def test_backward_not_multiplied_by_grad_output():
    def f(x):
        y = x * 1
        y.register_hook(lambda g: None if g is None else (g + 1 if (g == 0).all() else g))
        return y.sin()
    with pytest.raises(GradcheckError, match="^backward not multiplied by grad_output$"):
        gradcheck(f, leaf(X3))


def test_unsupported_and_invalid_flags():
    x = leaf(X3)
    with pytest.raises(AssertionError, match="Expected at least one of check_forward_ad "
                                             "or check_backward_ad to be True"):
        gradcheck(torch.sin, x, check_backward_ad=False)
    # forward mode is checked too (test_autograd_semantics.py has its failures)
    assert gradcheck(torch.sin, x, check_forward_ad=True)
    assert gradgradcheck(torch.sin, x, check_fwd_over_rev=True)
    assert gradcheck(torch.sin, x, check_batched_grad=True)
    with pytest.raises(RuntimeError, match="^The 0th input has a dimension with stride 0"):
        gradcheck(torch.sin, torch.ones(3, dtype=D).expand(2, 3).requires_grad_())


# --- second order -------------------------------------------------------------------------
@pytest.mark.parametrize("func, shapes", [
    (lambda a: a ** 3, [(3,)]),
    (lambda a, b: a.sin() * b, [(3,), (3,)]),
    (lambda a, b: a @ b, [(2, 3), (3, 2)]),
    (lambda a: torch.softmax(a, dim=-1), [(2, 3)]),
    (lambda a, b: (a * b, (a.exp() * b).sum()), [(2,), (2,)]),
    (lambda a: a.tanh() * a, [()]),
])
def test_gradgradcheck_passes(func, shapes):
    torch.manual_seed(0)
    inputs = tuple(torch.randn(*s, dtype=D).requires_grad_() for s in shapes)
    assert gradgradcheck(func, inputs) is True
    assert gradgradcheck(func, inputs, gen_non_contig_grad_outputs=True) is True


def test_gradgradcheck_given_grad_outputs():
    x, v = leaf(X3), leaf(V3)
    assert gradgradcheck(lambda a: a ** 3, x, v)
    assert gradgradcheck(lambda a: a ** 3, (x,), (v.detach(),))   # v not checked


def test_gradgradcheck_catches_wrong_second_derivative_only():
    x, v = leaf(X3), leaf(V3)
    assert gradcheck(wrong_second, x)                 # first derivative is right
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(wrong_second, x, v)
    assert str(info.value) == WRONG_SECOND_MSG
    assert gradgradcheck(wrong_second, x, v, raise_exception=False) is False
    torch.manual_seed(0)
    assert gradgradcheck(wrong_second, x, raise_exception=False) is False


def test_gradgradcheck_float32_grad_outputs_warn():
    with pytest.warns(UserWarning) as rec:
        gradgradcheck(lambda a: a * 2, leaf([1.0, 2.0], torch.float32), raise_exception=False)
    assert [str(w.message) for w in rec] == [FLOAT_WARNING.format(0), FLOAT_WARNING.format(1)]


# --- against PyTorch ------------------------------------------------------------------------
def _outcome(mod, check, *args, **kwargs):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            result = ("ok", check(*args, **kwargs))
        except Exception as e:     # noqa: BLE001 - comparing whatever is raised
            result = (type(e).__name__, str(e))
    return result, [(w.category.__name__, str(w.message)) for w in rec
                    if w.category is UserWarning]


CASES = [
    ("gradcheck", lambda m: (wrong_first, (m.tensor(X3, dtype=m.float64, requires_grad=True),)), {}),
    ("gradcheck", lambda m: (wrong_first, (m.tensor(X3, dtype=m.float64, requires_grad=True),)),
     {"raise_exception": False}),
    ("gradcheck", lambda m: (wrong_first, (m.tensor([0.5], requires_grad=True),)), {}),
    ("gradcheck", lambda m: (lambda a, b: a * b, (m.tensor(X3, requires_grad=True),
                                                   m.tensor(V3, dtype=m.float64,
                                                            requires_grad=True))), {}),
    ("gradcheck", lambda m: (m.sin, (m.ones(2, dtype=m.float64),)), {}),
    ("gradcheck", lambda m: (lambda a: a.detach() * 2,
                             (m.tensor(X3, dtype=m.float64, requires_grad=True),)), {}),
    ("gradcheck", lambda m: (wrong_second, (m.tensor(X3, dtype=m.float64, requires_grad=True),)),
     {}),
    ("gradgradcheck", lambda m: (wrong_second, (m.tensor(X3, dtype=m.float64, requires_grad=True),
                                                m.tensor(V3, dtype=m.float64,
                                                         requires_grad=True))), {}),
    ("gradgradcheck", lambda m: (lambda a: a.sin() * a, (m.tensor(X3, dtype=m.float64,
                                                                  requires_grad=True),)), {}),
    ("gradcheck", lambda m: (m.sin, (m.tensor(X3, dtype=m.float64, requires_grad=True),)),
     {"check_backward_ad": False}),
]


@pytest.mark.parametrize("name, make, kwargs", CASES)
def test_same_as_torch(name, make, kwargs):
    real = pytest.importorskip("torch")
    ref_check = getattr(real.autograd, name)
    check = {"gradcheck": gradcheck, "gradgradcheck": gradgradcheck}[name]
    if name == "gradgradcheck":
        f, args = make(real)
        expected = _outcome(real, ref_check, f, args[:1], args[1:], **kwargs)
        f, args = make(torch)
        got = _outcome(torch, check, f, args[:1], args[1:], **kwargs)
    else:
        f, args = make(real)
        expected = _outcome(real, ref_check, f, args, **kwargs)
        f, args = make(torch)
        got = _outcome(torch, check, f, args, **kwargs)
    (kind, msg), warns = got
    (ekind, emsg), ewarns = expected
    assert kind == ekind
    assert warns == ewarns
    if args[0].dtype == torch.float64:
        assert msg == emsg
    else:      # float32 finite differences differ in the last digits: the first line
        assert str(msg).split("\n")[0] == str(emsg).split("\n")[0]


def test_error_class_matches_torch():
    real = pytest.importorskip("torch")
    from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError
    assert GradcheckError.__name__ == TorchGradcheckError.__name__
    assert GradcheckError.__mro__[1] is RuntimeError
    assert TorchGradcheckError.__mro__[1] is RuntimeError
    assert real.autograd.gradcheck.__name__ == gradcheck.__name__

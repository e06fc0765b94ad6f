"""The engine and the Tensor front door: accumulation, retain/free, autograd.grad,
grad modes, errors.  Expected values come from calculus or from PyTorch's
documented behaviour (reference/pytorch-messages.md); where torch is installed
the same scenario is also run there and compared."""
import threading
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import autograd

try:
    import torch
except ImportError:      # the torch comparisons below skip themselves
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")


def both(fn):
    """Run fn(lib) with chainrule, and with torch when installed; return the results."""
    out = [fn(cr)]
    if torch is not None:
        out.append(fn(torch))
    return out


def raises_same(fn):
    """fn(lib) must raise the same exception type and first message line in both."""
    results = []
    for lib in ([cr, torch] if torch is not None else [cr]):
        with pytest.raises(Exception) as info:
            fn(lib)
        results.append((info.type.__name__, str(info.value).splitlines()[0]))
    if len(results) == 2:
        assert results[0] == results[1]
    return results[0]


# --- accumulation and retain/free --------------------------------------------------------
def test_dot_gradient_is_4x():
    x = cr.arange(4.0, requires_grad=True)
    y = 2 * cr.dot(x, x)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), 4 * np.arange(4.0))


def test_grad_accumulates_across_backward_calls():
    w = cr.ones(4, requires_grad=True)
    for k in range(1, 4):
        (w * 3).sum().backward()
        np.testing.assert_array_equal(w.grad.numpy(), np.full(4, 3.0 * k))


def test_grad_tensor_is_updated_in_place():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    g = x.grad
    (x * x).sum().backward()
    assert g is x.grad
    np.testing.assert_array_equal(g.numpy(), [4.0, 8.0])


def test_backward_twice_raises_freed_graph_error():
    msg = raises_same(lambda lib: _twice(lib))
    assert msg[0] == "RuntimeError"
    assert msg[1].startswith("Trying to backward through the graph a second time")


def _twice(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def test_backward_twice_without_saved_tensors_accumulates():
    for x in both(lambda lib: _add_twice(lib)):
        np.testing.assert_array_equal(np.asarray(x.grad.tolist()), [2.0, 2.0])


def _add_twice(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    return x


def test_retain_graph_allows_repeated_backward():
    x = cr.tensor([4.0], requires_grad=True)
    z = x ** 3 + 2 * x ** 2 + 8 * x
    for k in (1, 2, 3):
        z.backward(retain_graph=k < 3)
        assert x.grad.item() == 72.0 * k


def test_gradient_argument_for_non_scalar():
    x = cr.arange(4.0, requires_grad=True)
    (x * x).backward(gradient=cr.tensor([1.0, 0.5, 0.0, 2.0]))
    np.testing.assert_array_equal(x.grad.numpy(), 2 * np.arange(4.0) * [1.0, 0.5, 0.0, 2.0])


def test_user_gradient_is_not_aliased_into_grad():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    v = cr.tensor([1.0, 1.0])
    (x + 0).backward(v)
    x.grad.zero_()
    np.testing.assert_array_equal(v.numpy(), [1.0, 1.0])


def test_float64_gradient_is_cast_to_float32_output():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(cr.tensor([1.0, 1.0], dtype=cr.float64))
    assert x.grad.dtype is cr.float32


def test_detach_stops_gradient():
    x = cr.arange(4.0, requires_grad=True)
    y = x * x
    u = y.detach()
    (u * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), u.numpy())
    x.grad.zero_()
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * x.detach().numpy())


def test_python_control_flow():
    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        return b if b.sum() > 0 else 100 * b

    for v in (0.3, -0.0123, 7.0):
        a = cr.tensor(v, requires_grad=True)
        d = f(a)
        d.backward()
        assert a.grad.item() == pytest.approx(d.item() / v, rel=1e-5)


def test_shared_subexpression_sums_both_paths():
    x = cr.tensor(3.0, requires_grad=True)
    y = x * x
    z = y * y + y          # x^4 + x^2 -> 4x^3 + 2x
    z.backward()
    assert x.grad.item() == 4 * 27 + 6


@pytest.mark.slow
def test_million_op_chain_backward_without_recursion():
    x = cr.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0


# --- autograd.grad ------------------------------------------------------------------------------
def test_grad_returns_without_touching_dot_grad():
    x = cr.tensor(2.0, requires_grad=True)
    (g,) = autograd.grad(x ** 3, x)
    assert g.item() == 12.0
    assert x.grad is None


def test_second_and_third_derivatives():
    x = cr.tensor(2.0, requires_grad=True)
    y = x ** 3
    (d1,) = autograd.grad(y, x, create_graph=True)
    (d2,) = autograd.grad(d1, x, create_graph=True)
    (d3,) = autograd.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (12.0, 12.0, 6.0)


def test_seed_004_experiment():
    x = cr.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(retain_graph=True)
    dy = autograd.grad(y, x, create_graph=True)[0]
    d2 = autograd.grad(dy, x)[0]
    assert (dy.item(), d2.item(), x.grad.item()) == (12.0, 12.0, 12.0)


def test_grad_wrt_intermediate():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    gh, gx = autograd.grad(y, [h, x])
    np.testing.assert_array_equal(gh.numpy(), 2 * h.detach().numpy())
    np.testing.assert_array_equal(gx.numpy(), 18 * x.detach().numpy())


def test_unused_input_errors_and_allow_unused():
    msg = raises_same(lambda lib: _unused(lib, False))
    assert msg == ("RuntimeError", "The differentiated Tensor at index 1 appears to not have been "
                   "used in the graph. Set allow_unused=True if this is the desired behavior.")
    g = _unused(cr, True)
    assert g[1] is None
    x = cr.tensor(1.0, requires_grad=True)
    z = cr.tensor(1.0, requires_grad=True)
    assert autograd.grad(x * 2, [x, z], materialize_grads=True)[1].item() == 0.0


def _unused(lib, allow):
    x = lib.tensor(1.0, requires_grad=True)
    z = lib.tensor(1.0, requires_grad=True)
    return lib.autograd.grad(x * 2, [x, z], allow_unused=allow)


def test_grad_of_input_not_requiring_grad():
    assert raises_same(lambda lib: lib.autograd.grad(lib.tensor(1.0, requires_grad=True) * 2,
                                                     lib.tensor(1.0)))[1] == \
        "One of the differentiated Tensors does not require grad"


def test_grad_outputs_count_mismatch():
    def f(lib):
        x = lib.tensor([1.0], requires_grad=True)
        lib.autograd.grad([x * 2, x * 3], x, grad_outputs=[lib.ones(1)])
    assert raises_same(f)[1] == "got 2 tensors and 1 gradients"


def test_backward_inputs_restricts_accumulation():
    x = cr.tensor(1.0, requires_grad=True)
    z = cr.tensor(2.0, requires_grad=True)
    (x * z).backward(inputs=[x])
    assert x.grad.item() == 2.0 and z.grad is None


# --- errors --------------------------------------------------------------------------------
def test_backward_without_grad_fn():
    def f(lib):
        x = lib.randn(3)
        ((x + 2) * (x + 2) * 3).mean().backward()
    assert raises_same(f) == ("RuntimeError",
                              "element 0 of tensors does not require grad and does not have a grad_fn")


def test_non_scalar_implicit_gradient():
    def f(lib):
        x = lib.randn(3, requires_grad=True)
        (x * 2).backward()
    assert raises_same(f) == ("RuntimeError", "grad can be implicitly created only for scalar outputs")


def test_gradient_shape_mismatch():
    def f(lib):
        x = lib.ones(2, requires_grad=True)
        (x * 2).backward(lib.ones(3))
    assert raises_same(f)[1] == ("Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) "
                                 "and output[0] has a shape of torch.Size([2]).")


def test_integer_requires_grad_messages():
    assert raises_same(lambda lib: lib.tensor([1, 2], requires_grad=True))[1] == \
        "Only Tensors of floating point and complex dtype can require gradients"
    assert raises_same(lambda lib: setattr(lib.tensor([1, 2]), "requires_grad", True))[1] == \
        "only Tensors of floating point and complex dtype can require gradients"
    assert raises_same(lambda lib: lib.tensor([1, 2]).requires_grad_())[1] == \
        "only Tensors of floating point dtype can require gradients"


def test_numpy_on_requires_grad():
    assert raises_same(lambda lib: lib.ones(2, requires_grad=True).numpy())[1] == \
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."


def test_scalar_conversions():
    assert raises_same(lambda lib: lib.ones(2).item()) == \
        ("RuntimeError", "a Tensor with 2 elements cannot be converted to Scalar")
    assert raises_same(lambda lib: float(lib.ones(2))) == \
        ("ValueError", "only one element tensors can be converted to Python scalars")
    assert raises_same(lambda lib: bool(lib.ones(2))) == \
        ("RuntimeError", "Boolean value of Tensor with more than one value is ambiguous")
    assert raises_same(lambda lib: lib.ones(2) + lib.ones(3)) == \
        ("RuntimeError", "The size of tensor a (2) must match the size of tensor b (3) at "
                         "non-singleton dimension 0")
    assert raises_same(lambda lib: lib.ones(2, 3) @ lib.ones(2, 3)) == \
        ("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)")


def test_set_requires_grad_on_non_leaf():
    def f(lib):
        x = lib.ones(2, requires_grad=True)
        (x * 2).requires_grad = False
    assert raises_same(f)[1].startswith("you can only change requires_grad flags of leaf variables.")


def test_nonleaf_grad_warns_and_is_none():
    x = cr.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf"):
        assert y.grad is None
    y.retain_grad()
    y.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(y.grad.numpy(), [1.0, 1.0])
        assert x.grad is not None


def test_sgd_rejects_a_bare_tensor():
    assert raises_same(lambda lib: lib.optim.SGD(lib.ones(4, requires_grad=True), lr=0.01)) == \
        ("TypeError", "params argument given to the optimizer should be an iterable of Tensors "
                      "or dicts, but got torch.FloatTensor")


def test_sgd_step_and_zero_grad():
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    opt = cr.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6])
    opt.zero_grad()
    assert w.grad is None


# --- grad modes ------------------------------------------------------------------------------
def test_no_grad_and_enable_grad():
    x = cr.ones(2, requires_grad=True)
    with cr.no_grad():
        y = x * 2
        with cr.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad
    assert cr.is_grad_enabled()


def test_grad_mode_decorators_and_set_grad_enabled():
    @cr.no_grad()
    def f(x):
        return x * 2

    @cr.no_grad
    def g(x):
        return x * 2

    x = cr.ones(2, requires_grad=True)
    assert not f(x).requires_grad and not g(x).requires_grad
    with cr.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert cr.is_grad_enabled()
    cr.set_grad_enabled(False)
    assert not cr.is_grad_enabled()
    cr.set_grad_enabled(True)


def test_grad_mode_is_thread_local():
    seen = []
    with cr.no_grad():
        t = threading.Thread(target=lambda: seen.append(cr.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


# --- the Tensor front door -----------------------------------------------------------------------
def test_dtypes_and_promotion():
    assert cr.tensor([1.0]).dtype is cr.float32
    assert cr.tensor([1]).dtype is cr.int64
    assert cr.tensor([True]).dtype is cr.bool
    assert (cr.tensor([1, 2]) * 2.5).dtype is cr.float32
    assert (cr.tensor([1, 2]) / cr.tensor([2, 2])).dtype is cr.float32
    assert (cr.ones(2) * cr.tensor(2.0, dtype=cr.float64)).dtype is cr.float32
    assert (cr.ones(2) + cr.ones(2, dtype=cr.float64)).dtype is cr.float64
    assert (cr.tensor([True]) + 1).dtype is cr.int64
    assert (cr.tensor([1], dtype=cr.int32) + 1).dtype is cr.int32
    assert str(cr.float32) == "torch.float32"


def test_numpy_on_the_left_gives_a_tensor():
    x = cr.ones(2)
    for r in (np.float64(2.0) * x, np.float32(3) + x):      # NumPy scalars act as numbers
        assert isinstance(r, cr.Tensor) and r.dtype is cr.float32
    r = np.ones(2) * x                                     # an array acts as a (float64) tensor
    assert isinstance(r, cr.Tensor) and r.dtype is cr.float64


def test_from_numpy_shares_memory_and_data_shares_storage():
    a = np.zeros(3, np.float32)
    t = cr.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 5
    x = cr.ones(2, requires_grad=True)
    x.data.zero_()
    np.testing.assert_array_equal(x.detach().numpy(), [0.0, 0.0])


def test_variable_is_a_leaf_tensor():
    v = autograd.Variable(cr.FloatTensor([4]), requires_grad=True)
    assert isinstance(v, cr.Tensor) and isinstance(v, autograd.Variable)
    assert v.is_leaf and v.requires_grad and repr(v) == "tensor([4.], requires_grad=True)"


def test_shape_api():
    x = cr.zeros(2, 3)
    assert x.shape == (2, 3) and x.size() == cr.Size([2, 3]) and x.size(1) == 3
    assert repr(x.shape) == "torch.Size([2, 3])"
    assert x.dim() == x.ndim == 2 and x.numel() == 6 and len(x) == 2
    assert cr.randn(size=()).shape == ()
    assert cr.zeros((2, 2)).shape == cr.zeros([2, 2]).shape == (2, 2)


def test_grad_fn_reprs_and_next_functions():
    x = cr.arange(4.0, requires_grad=True)
    y = 2 * cr.dot(x, x)
    assert repr(y) == "tensor(28., grad_fn=<MulBackward0>)"
    (dot, _), (const, idx) = y.grad_fn.next_functions
    assert type(dot).__name__ == "DotBackward0" and const is None and idx == 0
    acc = dot.next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is x
    assert acc is dot.next_functions[1][0]
    assert repr(acc).startswith("<AccumulateGrad object at 0x")


def test_implicit_gradient_has_the_output_shape():
    for shape in ((), (1,), (1, 1)):
        x = cr.ones(shape, requires_grad=True)
        y = x * 3
        y.retain_grad()
        seen = []
        y.register_hook(lambda g: seen.append(tuple(g.shape)))
        y.backward()
        assert tuple(y.grad.shape) == shape and seen == [shape]
        assert tuple(x.grad.shape) == shape and x.grad.sum().item() == 3.0


@pytest.mark.parametrize("dtype", [cr.float32, cr.float64])
def test_the_grad_of_a_0d_leaf_is_an_array_changed_in_place(dtype):
    # (NumPy gives 0-d results as scalars; .grad must hold an array, as the
    # user may add_() to it, zero_() it or share its memory through numpy())
    b = cr.tensor(3.0, dtype=dtype, requires_grad=True)
    (b * b).backward()
    assert b.grad.numpy().__class__ is np.ndarray and b.grad.shape == ()
    b.grad.add_(1)
    assert b.grad.item() == 7.0
    (b * b).backward()                               # accumulated into the same tensor
    assert b.grad.item() == 13.0
    b.grad.zero_()
    assert b.grad.item() == 0.0
    c = cr.tensor(2.0, dtype=dtype, requires_grad=True)
    g = cr.tensor(5.0, dtype=dtype, requires_grad=True)
    c.grad = g * 1                                   # a .grad that requires grad: added out of place
    (c * 3).backward()
    assert c.grad.numpy().__class__ is np.ndarray and c.grad.item() == 8.0

"""Non-reentrant checkpointing (utils.checkpoint(..., use_reentrant=False)),
side by side with torch: gradients equal those without checkpointing, first
and second order, recomputation counts, non-determinism detected."""
import numpy as np
import pytest

from _twin import both, raises_same, vals  # noqa: F401


def _setup(lib):
    D = lib.float64
    W = lib.tensor([[1.0, 2.0], [3.0, -1.0]], dtype=D, requires_grad=True)
    x = lib.tensor([[0.5, -1.0]], dtype=D, requires_grad=True)
    calls = []

    def block(a):
        calls.append(1)
        return (a @ W).tanh().sin() * a
    return x, W, block, calls


def test_gradients_equal_the_uncheckpointed_ones_and_recompute_once():
    def scenario(lib):
        x, W, block, calls = _setup(lib)
        y = lib.utils.checkpoint.checkpoint(block, x, use_reentrant=False)
        out = [y.grad_fn.name(), len(calls)]
        y.sum().backward()
        out += [x.grad, W.grad, len(calls)]
        x.grad = W.grad = None
        block(x).sum().backward()
        return out + [x.grad, W.grad]
    r = both(scenario)
    assert r[1] == 1 and r[4] == 2
    for got, plain in ((r[2], r[5]), (r[3], r[6])):
        np.testing.assert_allclose(got[3], plain[3], rtol=1e-12)


def test_second_order_and_retained_graph():
    def scenario(lib):
        x, W, block, calls = _setup(lib)
        ck = lib.utils.checkpoint.checkpoint
        y = ck(block, x, use_reentrant=False)
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        out = [g, lib.autograd.grad(g.sum(), x)]
        calls.clear()
        y = ck(block, x, use_reentrant=False)
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        return out + [len(calls), x.grad]
    both(scenario)


def _nondeterministic(kind):
    def make(lib):
        flip = [0]

        def fn(a):
            flip[0] += 1
            first = flip[0] == 1
            if kind == "shape":
                return (a * 2).sin() if first else (a.repeat(1, 2) * 2).sin()
            if kind == "fewer":
                return a.sin().cos() if first else a.sin()
            return a.sin() if first else a.sin().cos()
        return fn
    return make


@pytest.mark.parametrize("early_stop", [True, False])
@pytest.mark.parametrize("kind", ["shape", "fewer", "more"])
def test_a_recomputation_that_saves_other_tensors_raises(kind, early_stop):
    def scenario(lib):
        x = lib.tensor([[0.5, -1.0]], dtype=lib.float64, requires_grad=True)
        ck = lib.utils.checkpoint
        with ck.set_checkpoint_early_stop(early_stop):
            y = ck.checkpoint(_nondeterministic(kind)(lib), x, use_reentrant=False)
        y.sum().backward()
    raises_same(scenario)


def test_determinism_check_none_skips_the_metadata_comparison():
    def scenario(lib):
        x = lib.tensor([[0.5, -1.0]], dtype=lib.float64, requires_grad=True)
        flip = [0]

        def fn(a):
            flip[0] += 1
            return (a * (2 if flip[0] == 1 else 3)).sin()
        y = lib.utils.checkpoint.checkpoint(fn, x, use_reentrant=False, determinism_check="none")
        y.sum().backward()
        return x.grad          # from the recomputed (different) saved values, as torch
    both(scenario)


def test_kwargs_nesting_custom_functions_rng_and_sequential():
    def scenario(lib):
        ck = lib.utils.checkpoint
        D = lib.float64
        x = lib.tensor([[0.5, -1.0]], dtype=D, requires_grad=True)
        s = lib.tensor(2.0, dtype=D, requires_grad=True)
        out = []
        y = ck.checkpoint(lambda a, *, scale: (a * scale).exp(), x, scale=s, use_reentrant=False)
        y.sum().backward()
        out += [x.grad, s.grad]

        def outer(a):
            return ck.checkpoint(lambda b: b.sin() * b, a.cos(), use_reentrant=False).exp()
        x.grad = None
        ck.checkpoint(outer, x, use_reentrant=False).sum().backward()
        out.append(x.grad)

        class Sq(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a * a

            @staticmethod
            def backward(ctx, g):
                a, = ctx.saved_tensors
                return 2 * a * g
        x.grad = None
        ck.checkpoint(lambda a: Sq.apply(a.sin()), x, use_reentrant=False).sum().backward()
        out.append(x.grad)

        x.grad = None
        y = ck.checkpoint(lambda a: a * lib.rand(1, 2, dtype=D), x, use_reentrant=False)
        r = y.detach() / x.detach()
        y.sum().backward()
        out.append(bool(lib.allclose(x.grad, r)))     # the same random numbers again
        x.grad = None
        y = ck.checkpoint_sequential([lambda a: a.sin(), lambda a: a * 3, lambda a: a.exp()], 2, x,
                                     use_reentrant=False)
        y.sum().backward()
        return out + [x.grad]
    both(scenario)


@pytest.mark.parametrize("call", ["bad_determinism_check", "debug_reentrant", "kwargs_reentrant"])
def test_argument_errors(call):
    def scenario(lib):
        x, W, block, calls = _setup(lib)
        ck = lib.utils.checkpoint.checkpoint
        if call == "bad_determinism_check":
            ck(block, x, use_reentrant=False, determinism_check="bad")
        elif call == "debug_reentrant":
            ck(block, x, use_reentrant=True, debug=True)
        else:
            ck(block, x, use_reentrant=True, foo=1)
    raises_same(scenario)

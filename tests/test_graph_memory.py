"""A recorded graph lives exactly as long as something uses it: its saved
values go as soon as backward has passed them, and the whole graph goes by
reference counting alone once its outputs are dropped, with no reference
cycle left for the cycle collector.  Each test runs with the collector off
(restoring its state) to prove it."""
import contextlib
import gc
import weakref

import numpy as np
import pytest

import _backends
import chainrule as cr


@contextlib.contextmanager
def collector_off():
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _nodes(t):
    """Every node of t's graph (iteratively), without the leaves'
    AccumulateGrad nodes (which live with their leaves, as in PyTorch)."""
    seen, stack = [], [t.grad_fn]
    while stack:
        n = stack.pop()
        if n is not None and not any(n is s for s in seen):
            seen.append(n)
            stack += [e for e, _ in n.next_functions]
    return [n for n in seen if n.name() != "torch::autograd::AccumulateGrad"]


class Square(cr.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * g * x


class Exp(cr.autograd.Function):
    """Saves its own output (which PyTorch stores without a cycle)."""
    @staticmethod
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * out


def _programs():
    """Each makes a loss from leaf w; the intermediates are only in the graph."""
    def elementwise(w):
        y = w
        for _ in range(20):
            y = cr.tanh(y * 1.5 + 0.1).exp() / 3
        return y.sum()

    def layers(w):
        x = cr.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4))
        h = cr.sigmoid(x @ w.reshape(4, 3))
        h = h.t()[1:, :] * h.mean()
        return cr.nn.functional.mse_loss(h, cr.zeros_like(h))

    def views(w):
        v = w.view(3, 4)
        return (v[:, 1:].transpose(0, 1).reshape(-1) ** 2).sum() + v.unsqueeze(0).expand(2, 3, 4).sum()

    def custom(w):
        return Square.apply(cr.sin(w)).sum()
    return [elementwise, layers, views, custom]


def _leaf():
    return cr.tensor(np.linspace(0.1, 1.2, 12, dtype=np.float32), requires_grad=True)


@pytest.mark.parametrize("program", _programs(), ids=lambda f: f.__name__)
def test_saved_values_go_during_backward_and_the_graph_with_its_output(program):
    with collector_off():
        w = _leaf()
        loss = program(w)
        nodes = _nodes(loss)
        assert len(nodes) > 2
        refs = [weakref.ref(n) for n in nodes]
        saved = []
        for n in nodes:
            for v in (getattr(n, "saved", None) or ()):
                if v is None or v is w or isinstance(v, (int, float, np.generic)):
                    continue                     # (the leaf stays; numbers are no memory)
                try:
                    saved.append(weakref.ref(v))     # tensors, arrays of any backend
                except TypeError:
                    pass
        assert saved or _backends.STRICT      # (the strict backend's arrays take no weakrefs)
        del n, v
        loss.backward()
        assert w.grad is not None
        # backward released what the nodes saved (the outputs' arrays, the
        # intermediate tensors) though the nodes themselves are still alive
        assert all(r() is None for r in saved)
        del nodes
        assert refs[0]() is not None         # the output still holds its graph...
        del loss
        assert all(r() is None for r in refs)   # ...and nothing else does


@pytest.mark.parametrize("program", _programs(), ids=lambda f: f.__name__)
def test_a_graph_never_run_goes_with_its_output(program):
    with collector_off():
        w = _leaf()
        loss = program(w)
        refs = [weakref.ref(n) for n in _nodes(loss)]
        del loss
        assert all(r() is None for r in refs)
        assert w.grad is None


def test_a_double_backward_graph_goes_with_its_results():
    with collector_off():
        w = cr.tensor(np.full((4, 4), 0.3, np.float32), requires_grad=True)
        x = cr.tensor(np.arange(4, dtype=np.float32))
        y = cr.tanh(cr.mv(w, x)).sum()
        g, = cr.autograd.grad(y, w, create_graph=True)
        refs = [weakref.ref(n) for n in _nodes(g) + _nodes(y)]
        hv, = cr.autograd.grad((g * 2).sum(), w)
        del y, g
        assert all(r() is None for r in refs)
        assert hv.grad_fn is None


def test_the_collector_state_is_restored():
    """(the helper above, and chainrule itself, leave the host's GC as it was)"""
    was = gc.isenabled()
    thresholds = gc.get_threshold()
    with collector_off():
        cr.tanh(_leaf()).sum().backward()
    assert gc.isenabled() == was and gc.get_threshold() == thresholds


def test_a_custom_function_saving_its_output_goes_with_it():
    """(its node keeps the output's array, not the Tensor whose grad_fn it is)"""
    with collector_off():
        w = _leaf()
        y = Exp.apply(w).sum()
        refs = [weakref.ref(n) for n in _nodes(y)]
        del y
        assert all(r() is None for r in refs)
        y = Exp.apply(w).sum()
        refs = [weakref.ref(n) for n in _nodes(y)]
        y.backward()
        np.testing.assert_allclose(w.grad.numpy(), np.exp(w.detach().numpy()), rtol=1e-6)
        del y
        assert all(r() is None for r in refs)


def test_a_custom_functions_saved_output_is_its_output_again_in_backward():
    """Second derivatives through the saved output, and the version check on
    it, as torch's."""
    results = {}
    for L in (cr, _torch()):
        class TorchExp(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                out = x.exp()
                ctx.save_for_backward(out)
                return out

            @staticmethod
            def backward(ctx, g):
                out, = ctx.saved_tensors
                return g * out
        x = L.tensor([0.1, 0.5, -0.3], dtype=L.float64, requires_grad=True)
        y = TorchExp.apply(x)
        g, = L.autograd.grad(y.sum(), x, create_graph=True)
        gg, = L.autograd.grad(g.sum(), x)
        results[L.__name__] = (g.detach().numpy(), gg.numpy())
        y2 = TorchExp.apply(x)
        with L.no_grad():
            y2.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y2.sum().backward()
    for a, b in zip(results["chainrule"], results["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def _torch():
    return pytest.importorskip("torch")


def test_a_roots_list_of_views_stays_bounded_and_keeps_the_live_ones():
    with collector_off():
        x = cr.zeros(4, 3)
        kept = [x[i] for i in range(3)]
        for _ in range(1000):
            x.view(12)                           # made and dropped at once
        views = x._views
        assert len(views) <= 16
        assert {id(v) for v in views.live()} == {id(v) for v in kept}
        x.add_(1)                                # the live views see the change
        assert all((v == 1).all() for v in kept)

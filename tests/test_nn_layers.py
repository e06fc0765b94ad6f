"""nn's layers against torch.nn with the same weights (copied from the torch
module through state_dict): forward values, grad_fn names, input and
parameter gradients (float64, tight tolerance), train and eval modes,
reprs, default initialisation ranges, and the layers' own errors."""
import math

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

from _nn_twin import copy_weights, same  # noqa: E402

TOL = dict(rtol=1e-12, atol=1e-12)


def _np(t):
    return t.detach().numpy()


def _pair(make, double=True):
    """The same layer in both libraries, chainrule's holding torch's weights."""
    m_t, m_cr = make(torch), make(cr)
    if double:
        m_t.double()
        m_cr.double()
    copy_weights(m_t, m_cr)
    return m_cr, m_t


def _check(m_cr, m_t, *arrays, int_inputs=False, upstream_seed=1):
    """Forward, grad_fn name, and the gradients of every float input and
    parameter, for a random upstream gradient."""
    if int_inputs:
        xs_cr = [cr.tensor(a) for a in arrays]
        xs_t = [torch.tensor(a) for a in arrays]
    else:
        xs_cr = [cr.tensor(a, requires_grad=True) for a in arrays]
        xs_t = [torch.tensor(a, requires_grad=True) for a in arrays]
    y_cr, y_t = m_cr(*xs_cr), m_t(*xs_t)
    assert y_cr.shape == y_t.shape and str(y_cr.dtype) == str(y_t.dtype)
    assert np.allclose(_np(y_cr), _np(y_t), **TOL)
    assert type(y_cr.grad_fn).__name__ == type(y_t.grad_fn).__name__
    g = np.random.default_rng(upstream_seed).standard_normal(tuple(y_t.shape))
    y_cr.backward(cr.tensor(g))
    y_t.backward(torch.tensor(g))
    if not int_inputs:
        for a, b in zip(xs_cr, xs_t):
            assert np.allclose(_np(a.grad), _np(b.grad), **TOL)
    grads_t = {n: p.grad for n, p in m_t.named_parameters()}
    for n, p in m_cr.named_parameters():
        if grads_t[n] is None:
            assert p.grad is None, n
        else:
            assert np.allclose(_np(p.grad), _np(grads_t[n]), **TOL), n
    return y_cr, y_t


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# --- Linear ------------------------------------------------------------------------------------
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4), (0, 4)])
def test_linear_matches_torch(shape, bias):
    m_cr, m_t = _pair(lambda L: L.nn.Linear(4, 3, bias=bias))
    _check(m_cr, m_t, _rand(*shape))


def test_linear_second_order_matches_torch():
    m_cr, m_t = _pair(lambda L: L.nn.Linear(3, 2))
    x = _rand(4, 3)
    res = []
    for L, m in ((cr, m_cr), (torch, m_t)):
        xx = L.tensor(x, requires_grad=True)
        y = (L.tanh(m(xx)) ** 2).sum()
        gx, gw = L.autograd.grad(y, (xx, m.weight), create_graph=True)
        hx = L.autograd.grad((gx * gx).sum() + gw.sum(), (xx, m.weight, m.bias))
        res.append([_np(h) for h in hx])
    for a, b in zip(*res):
        assert np.allclose(a, b, **TOL)


def test_linear_graph_matches_torch():
    def graph(L):
        m = L.nn.Linear(3, 2)
        out = []
        for x in (L.ones(4, 3), L.ones(4, 3, requires_grad=True), L.ones(3), L.ones(2, 4, 3)):
            fn = m(x).grad_fn
            row = [fn.name()]
            for nxt, _ in fn.next_functions:
                row.append(None if nxt is None else
                           (nxt.name(), [None if n is None else n.name()
                                         for n, _ in nxt.next_functions]))
            out.append(row)
        return out
    same(graph)


def test_addmm_inplace_matches_torch():
    # (in place, so outside the op table, whose forward-mode check does not
    # cover in-place ops)
    def inplace(L):
        c0 = L.tensor(_rand(3, 2), requires_grad=True)
        a = L.tensor(_rand(3, 4, seed=1), requires_grad=True)
        b = L.tensor(_rand(4, 2, seed=2), requires_grad=True)
        c = c0 * 1
        r = c.addmm_(a, b, beta=2, alpha=-0.5)
        (r * L.tensor(_rand(3, 2, seed=3))).sum().backward()
        return [r is c, type(r.grad_fn).__name__, c._version] + [
            np.round(_np(t), 12).tolist() for t in (r, c0.grad, a.grad, b.grad)]
    same(inplace)


def test_linear_weight_gradient_is_contiguous():
    # (the gradient of weight.t() is computed in the weight's layout: the
    # optimiser's updates then read it fast)
    m = cr.nn.Linear(5, 3)
    m(cr.ones(4, 5)).sum().backward()
    assert m.weight.grad.is_contiguous() and m.weight.grad.shape == (3, 5)


def test_linear_float32_and_dtype_argument():
    same(lambda L: [str(L.nn.Linear(2, 3).weight.dtype),
                    str(L.nn.Linear(2, 3, dtype=L.float64).bias.dtype),
                    str(L.nn.Linear(2, 3, device="cpu").weight.dtype),
                    type(L.nn.Linear(2, 3).weight).__name__,
                    L.nn.Linear(2, 3, bias=False).bias,
                    [n for n, _ in L.nn.Linear(2, 3).named_parameters()]])
    m_cr, m_t = _pair(lambda L: L.nn.Linear(4, 3), double=False)
    x = _rand(2, 4).astype(np.float32)
    y_cr, y_t = m_cr(cr.tensor(x)), m_t(torch.tensor(x))
    assert str(y_cr.dtype) == "torch.float32"
    assert np.allclose(_np(y_cr), _np(y_t), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("f", [
    lambda L: L.nn.Linear(2, 3)(L.ones(2, 4)),
    lambda L: L.nn.Linear(2, 3)(L.ones(5, 2, 4)),
    lambda L: L.nn.Linear(2, 3)(L.ones(4)),
    lambda L: L.nn.Linear(2, 3)(L.ones(())),
    lambda L: L.nn.Linear(2, 3, bias=False)(L.ones(())),
    lambda L: L.nn.functional.linear(L.ones(2, 2), L.ones(3, 3)),
    lambda L: L.nn.functional.linear([1.0], L.ones(3, 3)),
], ids=lambda f: "")
def test_linear_errors(f):
    same(f)


def test_linear_default_init_ranges():
    cr.manual_seed(0)
    m = cr.nn.Linear(400, 300)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    bound = 1 / math.sqrt(400)       # kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3) * sqrt(3/fan_in)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.95 * bound
    assert abs(b.std() - bound / math.sqrt(3)) < 0.1 * bound
    t = torch.nn.Linear(400, 300)                       # torch's the same distribution
    assert abs(t.weight.detach().numpy().std() - w.std()) < 0.01 * bound


# --- Bilinear ----------------------------------------------------------------------------------
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("lead", [(5,), (), (2, 3), (0,)])
def test_bilinear_matches_torch(lead, bias):
    m_cr, m_t = _pair(lambda L: L.nn.Bilinear(2, 3, 4, bias=bias))
    _check(m_cr, m_t, _rand(*lead, 2), _rand(*lead, 3, seed=1))


def test_bilinear_init_and_repr():
    cr.manual_seed(1)
    m = cr.nn.Bilinear(25, 3, 200)
    bound = 1 / 5
    w = m.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound
    same(lambda L: [repr(L.nn.Bilinear(2, 3, 4)), repr(L.nn.Bilinear(2, 3, 4, bias=False)),
                    list(L.nn.Bilinear(2, 3, 4).weight.shape)])


@pytest.mark.parametrize("f", [
    lambda L: L.nn.functional.bilinear(L.ones(2, 3), L.ones(3, 3), L.ones(4, 3, 3)),
    lambda L: L.nn.functional.bilinear(L.ones(2, 3), L.ones(2, 4), L.ones(4, 3, 3)),
    lambda L: L.nn.functional.bilinear(L.ones(2, 4), L.ones(2, 3), L.ones(4, 3, 3)),
    lambda L: L.nn.functional.bilinear(L.ones(2, 3), L.ones(2, 1, 4), L.ones(4, 3, 4)),
    lambda L: L.nn.Bilinear(0, 2, 2),
], ids=lambda f: "")
def test_bilinear_errors(f):
    same(f)


# --- Identity, Flatten, Unflatten ---------------------------------------------------------------
@pytest.mark.parametrize("make, shape", [
    (lambda L: L.nn.Identity(3, unused=True), (2, 3)),
    (lambda L: L.nn.Flatten(), (2, 3, 4)),
    (lambda L: L.nn.Flatten(0, 1), (2, 3, 4)),
    (lambda L: L.nn.Flatten(-2), (2, 3, 4, 5)),
    (lambda L: L.nn.Flatten(), (2, 3)),
    (lambda L: L.nn.Unflatten(1, (2, 3)), (4, 6)),
    (lambda L: L.nn.Unflatten(-1, [3, -1]), (4, 6)),
    (lambda L: L.nn.Unflatten(0, (2, 1, 2)), (4,)),
], ids=["identity", "flatten", "flatten01", "flatten-2", "flatten2d", "unflatten",
        "unflatten-list", "unflatten1d"])
def test_shape_layers_match_torch(make, shape):
    m_cr, m_t = _pair(make)
    _check(m_cr, m_t, _rand(*shape))
    assert repr(m_cr) == repr(m_t)


@pytest.mark.parametrize("f", [
    lambda L: L.nn.Unflatten(1, 5),
    lambda L: L.nn.Unflatten(1, (2, 2.0)),
    lambda L: L.nn.Unflatten(1, (2, 2))(L.ones(3, 5)),
    lambda L: L.nn.Flatten(3)(L.ones(2, 3)),
], ids=lambda f: "")
def test_shape_layer_errors(f):
    same(f)


# --- Dropout -------------------------------------------------------------------------------------
def test_dropout_training_statistics_and_scaling():
    cr.manual_seed(3)
    m = cr.nn.Dropout(0.3)
    x = cr.ones(200, 500, dtype=cr.float64, requires_grad=True)
    y = m(x)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    v = y.detach().numpy()
    kept = v != 0
    assert abs(kept.mean() - 0.7) < 0.005
    assert np.allclose(v[kept], 1 / 0.7, rtol=1e-14)
    y.sum().backward()
    assert np.array_equal(x.grad.numpy() != 0, kept)       # the same mask for the gradient
    assert np.allclose(x.grad.numpy()[kept], 1 / 0.7, rtol=1e-14)


def test_dropout_modes_and_edge_probabilities():
    def run(L):
        x = L.ones(3, 4, requires_grad=True)
        m = L.nn.Dropout(0.5)
        out = [repr(m), repr(L.nn.Dropout(0.2, inplace=True)), repr(L.nn.Dropout(p=1))]
        m.eval()
        out.append(m(x) is x)
        out.append(L.nn.functional.dropout(x, 0.5, training=False) is x)
        out.append(L.nn.functional.dropout(x, 0.0) is x)
        y = L.nn.functional.dropout(x, 1.0)
        out.append((y.tolist(), type(y.grad_fn).__name__))
        z = x.clone()
        w = L.nn.functional.dropout(z, 1.0, inplace=True)
        out.append((w is z, z.tolist(), type(z.grad_fn).__name__))
        m.train()
        out.append(type(m(x).grad_fn).__name__)
        return out
    same(run)


def test_dropout_inplace_keeps_the_tensor():
    cr.manual_seed(0)
    x = cr.ones(1000, dtype=cr.float64)
    y = cr.nn.Dropout(0.5, inplace=True)(x)
    assert y is x and set(np.unique(x.numpy())) <= {0.0, 2.0}


@pytest.mark.parametrize("f", [
    lambda L: L.nn.Dropout(1.5),
    lambda L: L.nn.Dropout(-0.1),
    lambda L: L.nn.functional.dropout(L.ones(2), 2.0),
    lambda L: L.nn.functional.dropout(L.ones(2), -1, training=False),
    lambda L: L.nn.functional.dropout(L.ones(2, requires_grad=True), 0.5, inplace=True),
    lambda L: L.nn.functional.dropout(L.ones(2, requires_grad=True), 0.0, inplace=True).tolist(),
    lambda L: L.nn.functional.dropout(L.tensor([1, 2]), 0.5),
    lambda L: L.nn.functional.dropout(L.tensor([1, 2], dtype=L.uint8), 0.5, inplace=True),
    lambda L: L.nn.functional.dropout(L.tensor([True, False]), 0.5),
    lambda L: repr(L.nn.functional.dropout(L.tensor([1, 2], dtype=L.int32), 1.0)),
    lambda L: repr(L.nn.functional.dropout(L.tensor([True, False]), 1.0)),
], ids=lambda f: "")
def test_dropout_errors(f):
    same(f)


# --- Embedding ------------------------------------------------------------------------------------
_IDX = np.array([[0, 2, 2, 5], [3, 0, 1, 2]])


@pytest.mark.parametrize("by_freq", [False, True])
@pytest.mark.parametrize("padding_idx", [None, 2, -1, 0])
def test_embedding_matches_torch(padding_idx, by_freq):
    m_cr, m_t = _pair(lambda L: L.nn.Embedding(6, 3, padding_idx=padding_idx,
                                               scale_grad_by_freq=by_freq))
    y_cr, y_t = _check(m_cr, m_t, _IDX, int_inputs=True)
    if padding_idx is not None:
        row = padding_idx % 6
        assert not m_cr.weight.grad.numpy()[row].any()


@pytest.mark.parametrize("by_freq", [False, True])
def test_embedding_padding_second_order_matches_torch(by_freq):
    m_cr, m_t = _pair(lambda L: L.nn.Embedding(6, 3, padding_idx=2, scale_grad_by_freq=by_freq))
    res = []
    for L, m in ((cr, m_cr), (torch, m_t)):
        y = (m(L.tensor(_IDX)) ** 3).sum()
        (g,) = L.autograd.grad(y, m.weight, create_graph=True)
        (h,) = L.autograd.grad((g * g).sum(), m.weight)
        res.append((_np(g), _np(h)))
    for a, b in zip(*res):
        assert np.allclose(a, b, **TOL)


def test_embedding_init_repr_and_from_pretrained():
    cr.manual_seed(0)
    e = cr.nn.Embedding(2000, 50, padding_idx=3)
    w = e.weight.detach().numpy()
    assert not w[3].any()
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01
    same(lambda L: [repr(L.nn.Embedding(5, 3)), repr(L.nn.Embedding(5, 3, padding_idx=-1)),
                    repr(L.nn.Embedding(5, 3, padding_idx=0, max_norm=1.0, norm_type=3.0,
                                        scale_grad_by_freq=True, sparse=True))])

    def pretrained(L):
        w = L.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        e = L.nn.Embedding.from_pretrained(w)
        f = L.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
        out = e(L.tensor([2, 0]))
        return [repr(e), repr(f), e.weight.requires_grad, f.weight.requires_grad,
                out.tolist(), out.requires_grad, f.weight.tolist()]
    same(pretrained)


def test_embedding_max_norm_renormalises_rows_read():
    def renorm(L):
        w = L.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0], [1.0, 0.0]], dtype=L.float64)
        e = L.nn.Embedding.from_pretrained(w, freeze=False, max_norm=1.0)
        out = e(L.tensor([0, 1, 0]))
        return [np.round(_np(e.weight), 12).tolist(), np.round(_np(out), 12).tolist(),
                type(out.grad_fn).__name__]
    same(renorm)


@pytest.mark.parametrize("f", [
    lambda L: L.nn.functional.embedding(L.tensor([1.0]), L.randn(3, 2)),
    lambda L: L.nn.functional.embedding(L.tensor([5]), L.randn(3, 2)),
    lambda L: L.nn.functional.embedding(L.tensor([-1]), L.randn(3, 2)),
    lambda L: L.nn.functional.embedding(L.tensor([1]), L.randn(3, 2), padding_idx=4),
    lambda L: L.nn.functional.embedding(L.tensor([1]), L.randn(3, 2), padding_idx=-4),
    lambda L: L.nn.functional.embedding([1], L.randn(3, 2)),
    lambda L: L.nn.functional.embedding(L.tensor([1]), L.randn(3)),
    lambda L: L.nn.Embedding(3, 2, padding_idx=3),
    lambda L: L.nn.Embedding(3, 2, padding_idx=-4),
    lambda L: L.nn.Embedding(3, 2, padding_idx=-1).padding_idx,
    lambda L: L.nn.Embedding(3, 2, _weight=L.ones(2, 2)),
    lambda L: L.nn.Embedding.from_pretrained(L.ones(3)),
], ids=lambda f: "")
def test_embedding_errors(f):
    same(f)


# --- the layers together, train and eval --------------------------------------------------------
def test_small_model_train_and_eval_match_torch():
    def make(L):
        nn = L.nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(7, 4, padding_idx=0)
                self.seq = nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.Dropout(0.0),
                                         nn.Unflatten(1, (5, 1)), nn.Flatten(), nn.Identity())
                self.bil = nn.Bilinear(5, 5, 2)

            def forward(self, idx):
                h = self.seq(self.emb(idx))
                return self.bil(h, L.tanh(h))
        return Model()

    m_cr, m_t = _pair(make)
    idx = np.array([[1, 0, 3], [6, 2, 2]])
    for mode in ("train", "eval"):
        getattr(m_cr, mode)()
        getattr(m_t, mode)()
        m_cr.zero_grad()
        m_t.zero_grad()
        _check(m_cr, m_t, idx, int_inputs=True)

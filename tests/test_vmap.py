"""chainrule.func.vmap, side by side with torch.func.vmap.

Ops under vmap (elementwise with unbatched operands of other ranks,
reductions, products, shape ops, indexing, cat/stack, softmax, nn.functional)
against torch on the same float64 data; in_dims / out_dims (None, negative,
pytrees), nested vmap, chunk_size, randomness modes and the errors for
misuse, with torch's types and messages; composition with grad, vjp, jvp,
jacrev, jacfwd and hessian in both orders, first and second order, checked
against torch and against Python loops of autograd.grad / finite differences
(per-sample gradients of a 2-16-16-1 tanh MLP over a batch of 64)."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.func as F
from chainrule._inplace_state import VMAP_ACTIVE

try:
    import torch
    import torch.func as TF
except ImportError:      # the torch comparisons skip themselves
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

RNG = np.random.default_rng(1234)


def data(*shape):
    return RNG.standard_normal(shape)


def arr(t):
    return np.asarray(t.detach().numpy(), dtype=np.float64) if t.is_floating_point() \
        else np.asarray(t.detach().numpy())


def to_cr(a):
    return cr.tensor(a) if isinstance(a, np.ndarray) else a


def to_torch(a):
    return torch.tensor(a) if isinstance(a, np.ndarray) else a


def flat(out):
    if isinstance(out, dict):
        return [out[k] for k in sorted(out)]
    return list(out) if isinstance(out, (tuple, list)) else [out]


def assert_same(ours, theirs, rtol=1e-12, atol=1e-12):
    ours, theirs = flat(ours), flat(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert tuple(a.shape) == tuple(b.shape)
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_allclose(arr(a), arr(b), rtol=rtol, atol=atol)


def twin(build, *arrays, **vmap_kwargs):
    """vmap(build(module)) on the same arrays in chainrule and torch."""
    ours = F.vmap(build(cr), **vmap_kwargs)(*[to_cr(a) for a in arrays])
    theirs = TF.vmap(build(torch), **vmap_kwargs)(*[to_torch(a) for a in arrays])
    assert_same(ours, theirs)
    return ours


# --- ops: (name, build(module) -> f, arrays, in_dims) ----------------------------------------
B = 5
X = data(B, 3, 4)
V = data(4)
M34 = data(3, 4)
W46 = data(4, 6)
IDX = np.array([0, 2, 1, 1, 0])

def _setitem(x, i, v):
    x[i] = v
    return x


OPS = [
    ("sin", lambda m: m.sin, (X,), 0),
    ("exp-tanh", lambda m: lambda a: m.exp(m.tanh(a)), (X,), 0),
    ("mul unbatched vector", lambda m: lambda a, b: a * b, (X, V), (0, None)),
    ("add unbatched of higher rank", lambda m: lambda a, b: a + b, (X[:, 0], M34), (0, None)),
    ("add batched ranks differ", lambda m: lambda a, b: a - b, (X[:, 0], X), (0, 0)),
    ("div by number", lambda m: lambda a: 2.0 / (a * a + 1), (X,), 0),
    ("pow", lambda m: lambda a: (a * a + 1) ** 1.5, (X,), 0),
    ("where", lambda m: lambda a: m.where(a > 0, a, a * 0.1), (X,), 0),
    ("clamp", lambda m: lambda a: a.clamp(-0.5, 0.5), (X,), 0),
    ("maximum unbatched", lambda m: lambda a, b: m.maximum(a, b), (X, M34), (0, None)),
    ("sum", lambda m: lambda a: a.sum(), (X,), 0),
    ("sum dim", lambda m: lambda a: a.sum(1), (X,), 0),
    ("sum dims keepdim", lambda m: lambda a: a.sum((0, -1), keepdim=True), (X,), 0),
    ("mean neg dim", lambda m: lambda a: a.mean(-2), (X,), 0),
    ("prod", lambda m: lambda a: a.prod(0), (X,), 0),
    ("amax", lambda m: lambda a: a.amax(1), (X,), 0),
    ("max dim values", lambda m: lambda a: a.max(1)[0], (X,), 0),
    ("max dim indices", lambda m: lambda a: a.max(1)[1], (X,), 0),
    ("argmax", lambda m: lambda a: a.argmax(-1), (X,), 0),
    ("var", lambda m: lambda a: a.var(1), (X,), 0),
    ("std all", lambda m: lambda a: a.std(), (X,), 0),
    ("norm", lambda m: lambda a: a.norm(dim=1), (X,), 0),
    ("logsumexp", lambda m: lambda a: m.logsumexp(a, 0), (X,), 0),
    ("softmax", lambda m: lambda a: m.softmax(a, -1), (X,), 0),
    ("log_softmax", lambda m: lambda a: m.log_softmax(a, 0), (X,), 0),
    ("cumsum", lambda m: lambda a: a.cumsum(1), (X,), 0),
    ("matmul matrix vector", lambda m: lambda a, v: a @ v, (X, V), (0, None)),
    ("matmul matrix matrix", lambda m: lambda a, w: a @ w, (X, W46), (0, None)),
    ("matmul unbatched matrix batched vector", lambda m: lambda v, a: a @ v, (X[:, 0], M34),
     (0, None)),
    ("mm both batched", lambda m: lambda a, b: m.mm(a, b), (X, data(B, 4, 2)), (0, 0)),
    ("mv both batched", lambda m: lambda a, v: m.mv(a, v), (X, data(B, 4)), (0, 0)),
    ("dot", lambda m: lambda a, b: m.dot(a, b), (X[:, 0], X[:, 1]), (0, 0)),
    ("vector matrix", lambda m: lambda v, a: v @ a, (X[:, 0], data(B, 4, 2)), (0, 0)),
    ("bmm", lambda m: lambda a, b: m.bmm(a, b), (data(B, 2, 3, 4), data(B, 2, 4, 2)), (0, 0)),
    ("matmul broadcast stacks", lambda m: lambda a, b: a @ b, (data(B, 2, 3, 4), data(4, 2)),
     (0, None)),
    ("reshape", lambda m: lambda a: a.reshape(2, 6), (X,), 0),
    ("view -1", lambda m: lambda a: a.view(-1), (X,), 0),
    ("transpose", lambda m: lambda a: a.t(), (X,), 0),
    ("permute", lambda m: lambda a: a.permute(1, 0), (X,), 2),
    ("unsqueeze squeeze", lambda m: lambda a: a.unsqueeze(-1).squeeze(-1).unsqueeze(0), (X,), 0),
    ("expand", lambda m: lambda a: a[:, :1].expand(2, 3, 4), (X,), 0),
    ("slices", lambda m: lambda a: a[1:, ::2], (X,), 0),
    ("int index", lambda m: lambda a: a[:, 1], (X,), 0),
    ("None and ellipsis", lambda m: lambda a: a[None, ..., 2], (X,), 0),
    ("list index", lambda m: lambda a: a[:, [0, 2]], (X,), 0),
    ("batched 0-d index", lambda m: lambda a, i: a[i], (X, IDX), (0, 0)),
    ("batched index tensor", lambda m: lambda a, i: a[i, 1:],
     (X, np.array([[0, 2], [1, 1], [0, 0], [2, 2], [1, 0]])), (0, 0)),
    ("unbatched tensor, batched index", lambda m: lambda i, a: a[i], (IDX, M34), (0, None)),
    ("cat with unbatched", lambda m: lambda a, b: m.cat([a, b], 1), (X, M34), (0, None)),
    ("stack", lambda m: lambda a, b: m.stack([a, b], -1), (X, M34), (0, None)),
    ("linear 1-d input", lambda m: lambda a, w, b: m.nn.functional.linear(a, w, b),
     (X[:, 0], data(6, 4), data(6)), (0, None, None)),
    ("linear batched bias", lambda m: lambda a, w, b: m.nn.functional.linear(a, w, b),
     (X, data(6, 4), data(B, 6)), (0, None, 0)),
    ("relu", lambda m: m.nn.functional.relu, (X,), 0),
    ("mse_loss", lambda m: lambda a, b: m.nn.functional.mse_loss(a, b), (X, X[::-1].copy()),
     (0, 0)),
    ("mse_loss sum unbatched target", lambda m: lambda a, b: m.nn.functional.mse_loss(
        a, b, reduction="sum"), (X, M34), (0, None)),
    ("cross_entropy per sample", lambda m: lambda a, t: m.nn.functional.cross_entropy(a, t),
     (X[:, 0], IDX), (0, 0)),
    ("conv2d, one weight", lambda m: lambda x, w, b: m.nn.functional.conv2d(
        x.unsqueeze(0), w, b, padding=1), (data(B, 2, 6, 5), data(4, 2, 3, 3), data(4)),
     (0, None, None)),
    ("conv2d, a weight per sample, groups", lambda m: lambda x, w, b: m.nn.functional.conv2d(
        x, w, b, groups=2, stride=2), (data(B, 2, 6, 5), data(B, 4, 1, 3, 3), data(B, 4)),
     (0, 0, 0)),
    ("conv2d, unbatched images", lambda m: lambda w, x: m.nn.functional.conv2d(x, w),
     (data(B, 4, 2, 3, 3), data(3, 2, 6, 5)), (0, None)),
    ("conv1d", lambda m: lambda x, w: m.nn.functional.conv1d(x, w), (data(B, 2, 7),
                                                                    data(4, 2, 3)), (0, None)),
    ("layer_norm", lambda m: lambda x, w, b: m.nn.functional.layer_norm(x, (4,), w, b),
     (X, data(4), data(4)), (0, None, None)),
    ("layer_norm over two dims", lambda m: lambda x: m.nn.functional.layer_norm(x, (3, 4)),
     (X,), 0),
    ("group_norm", lambda m: lambda x: m.nn.functional.group_norm(x.unsqueeze(0), 3), (X,), 0),
    ("layer_norm, a weight per sample (loop)", lambda m: lambda x, w: m.nn.functional.layer_norm(
        x, (4,), w), (X, data(B, 4)), (0, 0)),
    # index tensors that become arrays in params: a loop at the public function
    ("index_select, batched index", lambda m: lambda x, i: m.index_select(x, 0, i),
     (data(B, 5, 3), RNG.integers(0, 5, (B, 2))), (0, 0)),
    ("take, batched index", lambda m: lambda x, i: m.take(x, i),
     (data(B, 5, 3), RNG.integers(0, 15, (B, 2))), (0, 0)),
    ("embedding, batched indices", lambda m: lambda i, e: m.nn.functional.embedding(i, e),
     (RNG.integers(0, 7, (B, 2)), data(7, 3)), (0, None)),
    ("scatter_add, batched index", lambda m: lambda x, i: m.zeros(5, 3, dtype=m.float64)
     .scatter_add(0, i[:, None].expand(2, 3), x[:2]), (data(B, 5, 3), RNG.integers(0, 5, (B, 2))),
     (0, 0)),
    ("index_add, batched index", lambda m: lambda x, i: m.zeros(5, 3, dtype=m.float64)
     .index_add(0, i, x[:2]), (data(B, 5, 3), RNG.integers(0, 5, (B, 2))), (0, 0)),
    ("masked_fill, batched mask", lambda m: lambda x, k: x.masked_fill(k, 0.0),
     (X, RNG.random((B, 3, 4)) > 0.5), (0, 0)),
    ("setitem, batched index", lambda m: lambda x, i: _setitem(x.clone(), i, 1.0),
     (X, IDX), (0, 0)),
    # no batching rule: the loop over the batch
    ("diagonal (loop)", lambda m: lambda a: m.diagonal(a), (X,), 0),
    ("flip (loop)", lambda m: lambda a: a.flip(0), (X,), 0),
    ("sort (loop)", lambda m: lambda a: a.sort(-1)[0], (X,), 0),
    ("gather, batched index (loop)", lambda m: lambda a, i: a.gather(0, i),
     (X, (np.arange(B)[:, None, None] % 3 + np.zeros((B, 1, 4))).astype(np.int64)), (0, 0)),
]


@needs_torch
@pytest.mark.parametrize("name,build,arrays,in_dims", OPS, ids=[c[0] for c in OPS])
def test_ops_against_torch(name, build, arrays, in_dims):
    twin(build, *arrays, in_dims=in_dims)


@needs_torch
@pytest.mark.parametrize("name,build,arrays,in_dims", OPS[:30], ids=[c[0] for c in OPS[:30]])
def test_gradients_through_vmap_against_torch(name, build, arrays, in_dims):
    """autograd.grad of a vmapped function's output: the graph is recorded on
    the batch."""
    if not any(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in arrays):
        pytest.skip("no float inputs")

    def run(m, vmap):
        xs = [m.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
              else (m.tensor(a) if isinstance(a, np.ndarray) else a) for a in arrays]
        out = vmap(build(m), in_dims=in_dims)(*xs)
        out = out if out.is_floating_point() else None
        if out is None:
            return None
        leaves = [x for x in xs if isinstance(x, m.Tensor) and x.requires_grad]
        weights = m.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)))
        return m.autograd.grad((out * weights).sum(), leaves, allow_unused=True,
                               materialize_grads=True)
    ours, theirs = run(cr, F.vmap), run(torch, TF.vmap)
    if theirs is not None:
        assert_same(ours, theirs)


# --- in_dims / out_dims --------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("in_dims", [1, -1, 2, -3])
def test_in_dims_ints(in_dims):
    twin(lambda m: lambda a: a.sum(0) * 2, X, in_dims=in_dims)


@needs_torch
@pytest.mark.parametrize("out_dims", [0, 1, 2, -1, -2])
def test_out_dims_ints(out_dims):
    twin(lambda m: lambda a: a.exp(), X, out_dims=out_dims)


@needs_torch
def test_pytree_in_dims_and_out_dims():
    xs = {"a": X, "b": M34}

    def build(m):
        return lambda d, pair: ((d["a"] * d["b"]).sum(0), [pair[0] + 1, pair[1].t()])
    p0, p1 = data(4, B), data(B, 2, 3)
    ours = F.vmap(build(cr), in_dims=({"a": 0, "b": None}, (1, 0)), out_dims=(0, [1, -1]))(
        {k: to_cr(v) for k, v in xs.items()}, (to_cr(p0), to_cr(p1)))
    theirs = TF.vmap(build(torch), in_dims=({"a": 0, "b": None}, (1, 0)), out_dims=(0, [1, -1]))(
        {k: to_torch(v) for k, v in xs.items()}, (to_torch(p0), to_torch(p1)))
    assert ours[0].shape == (B, 4)
    assert ours[1][0].shape == (4, B) and ours[1][1].shape == (3, 2, B)
    assert_same([ours[0]] + list(ours[1]), [theirs[0]] + list(theirs[1]))


@needs_torch
def test_dict_out_dims_and_single_entry_tuple():
    twin(lambda m: lambda a: {"k": a, "j": a.sum()}, X, out_dims={"k": 1, "j": 0})
    twin(lambda m: lambda a: a * 2, X, out_dims=(2,))
    ours = F.vmap(lambda d: d["x"] * 2, in_dims=({"x": 1},))({"x": cr.tensor(X)})
    theirs = TF.vmap(lambda d: d["x"] * 2, in_dims=({"x": 1},))({"x": torch.tensor(X)})
    assert_same(ours, theirs)


@needs_torch
def test_unbatched_outputs_and_out_dims_none():
    twin(lambda m: lambda a, w: (a * 2, w * 3), X, V, in_dims=(0, None), out_dims=(0, None))
    twin(lambda m: lambda a, w: w.sum(), X, V, in_dims=(0, None))        # expanded over B
    twin(lambda m: lambda a: m.ones(2), X)


@needs_torch
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 100])
def test_chunk_size(chunk_size):
    twin(lambda m: lambda a, w: ((a @ w).sin(), a.sum()), X, V, in_dims=(0, None),
         out_dims=(1, 0), chunk_size=chunk_size)


@needs_torch
def test_kwargs_are_not_batched():
    ours = F.vmap(lambda a, *, scale: a * scale)(cr.tensor(X), scale=cr.tensor(V))
    theirs = TF.vmap(lambda a, *, scale: a * scale)(torch.tensor(X), scale=torch.tensor(V))
    assert_same(ours, theirs)


def test_torch_vmap_alias():
    assert cr.vmap is F.vmap


# --- nested vmap ---------------------------------------------------------------------------
@needs_torch
def test_nested_vmap():
    twin(lambda m: TF.vmap(lambda a: a.sum()) if m is torch else F.vmap(lambda a: a.sum()), X)
    twin(lambda m: (TF if m is torch else F).vmap(lambda a, b: a * b, in_dims=(1, None)),
         X, data(3), in_dims=(0, None))
    # an inner function closing over the outer sample
    twin(lambda m: lambda a: (TF if m is torch else F).vmap(lambda b: (a * b).sum())(a), X)
    # a matrix-matrix product as a vmap of a vmap of dot products
    def build(m):
        v = TF.vmap if m is torch else F.vmap
        return v(v(m.dot, in_dims=(None, 1)), in_dims=(0, None))
    ours = build(cr)(cr.tensor(M34), cr.tensor(W46))
    np.testing.assert_allclose(arr(ours), M34 @ W46, rtol=1e-12)
    assert_same(ours, build(torch)(torch.tensor(M34), torch.tensor(W46)))


@needs_torch
def test_nested_vmap_gradients():
    def run(m, v):
        x = m.tensor(X, requires_grad=True)
        out = v(v(lambda r: (r.sin() * r).sum()))(x)
        return m.autograd.grad(out.sum(), x)
    assert_same(run(cr, F.vmap), run(torch, TF.vmap))


# --- composition with the function transforms -------------------------------------------------
def mlp_loss(m):
    def loss(params, x, y):
        w1, b1, w2, b2, w3, b3 = params
        h = m.tanh(x @ w1 + b1)
        h = m.tanh(h @ w2 + b2)
        out = h @ w3 + b3
        return ((out - y) ** 2).sum()
    return loss


def mlp_data(batch=64, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(2, 16), (16,), (16, 16), (16,), (16, 1), (1,)]
    params = [rng.standard_normal(s) * 0.5 for s in shapes]
    return params, rng.standard_normal((batch, 2)), rng.standard_normal((batch, 1))


def test_per_sample_gradients_of_an_mlp_equal_a_loop_of_autograd_grad():
    params, xs, ys = mlp_data()
    p = tuple(cr.tensor(a) for a in params)
    per_sample = F.vmap(F.grad(mlp_loss(cr)), in_dims=(None, 0, 0))(p, cr.tensor(xs),
                                                                     cr.tensor(ys))
    assert len(per_sample) == 6
    loss = mlp_loss(cr)
    for k in range(xs.shape[0]):
        leaves = [cr.tensor(a, requires_grad=True) for a in params]
        grads = cr.autograd.grad(loss(leaves, cr.tensor(xs[k]), cr.tensor(ys[k])), leaves)
        for g_batch, g in zip(per_sample, grads):
            np.testing.assert_allclose(arr(g_batch[k]), arr(g), rtol=1e-12, atol=1e-14)


@needs_torch
def test_per_sample_gradients_of_an_mlp_against_torch():
    params, xs, ys = mlp_data()
    ours = F.vmap(F.grad(mlp_loss(cr)), in_dims=(None, 0, 0))(
        tuple(cr.tensor(a) for a in params), cr.tensor(xs), cr.tensor(ys))
    theirs = TF.vmap(TF.grad(mlp_loss(torch)), in_dims=(None, 0, 0))(
        tuple(torch.tensor(a) for a in params), torch.tensor(xs), torch.tensor(ys))
    assert_same(ours, theirs)


def test_per_sample_gradient_against_finite_differences():
    params, xs, ys = mlp_data(batch=3, seed=1)
    per_sample = F.vmap(F.grad(mlp_loss(cr)), in_dims=(None, 0, 0))(
        tuple(cr.tensor(a) for a in params), cr.tensor(xs), cr.tensor(ys))
    loss = mlp_loss(cr)
    eps = 1e-6
    for k in range(3):
        for j in (0, 3):                       # w1 and b2
            fd = np.zeros_like(params[j])
            for idx in np.ndindex(params[j].shape):
                plus = [a.copy() for a in params]
                minus = [a.copy() for a in params]
                plus[j][idx] += eps
                minus[j][idx] -= eps
                f = [float(loss([cr.tensor(a) for a in q], cr.tensor(xs[k]), cr.tensor(ys[k])))
                     for q in (plus, minus)]
                fd[idx] = (f[0] - f[1]) / (2 * eps)
            np.testing.assert_allclose(arr(per_sample[j][k]), fd, rtol=1e-6, atol=1e-8)


def _f(m):
    return lambda x: (x.sin() * x.sum()).exp()


def _scalar(m):
    return lambda x: (x.sin() * x.sum() + (x * x).prod()).sum()


def _pick(m, name):
    return getattr(TF if m is torch else F, name)


COMPOSITIONS = [
    ("vmap(grad)", lambda m: _pick(m, "vmap")(_pick(m, "grad")(_scalar(m)))),
    ("vmap(grad(grad))", lambda m: _pick(m, "vmap")(_pick(m, "grad")(
        lambda x: _pick(m, "grad")(_scalar(m))(x).sum()))),
    ("vmap(jacrev)", lambda m: _pick(m, "vmap")(_pick(m, "jacrev")(_f(m)))),
    ("vmap(jacfwd)", lambda m: _pick(m, "vmap")(_pick(m, "jacfwd")(_f(m)))),
    ("vmap(hessian)", lambda m: _pick(m, "vmap")(_pick(m, "hessian")(_scalar(m)))),
    ("grad(vmap)", lambda m: _pick(m, "grad")(lambda x: _pick(m, "vmap")(_scalar(m))(x).sum())),
    ("jacrev(vmap)", lambda m: _pick(m, "jacrev")(_pick(m, "vmap")(_f(m)))),
    ("jacfwd(vmap)", lambda m: _pick(m, "jacfwd")(_pick(m, "vmap")(_f(m)))),
    ("hessian(vmap)", lambda m: _pick(m, "hessian")(
        lambda x: _pick(m, "vmap")(_scalar(m))(x).sum())),
    ("vmap(vjp)", lambda m: _pick(m, "vmap")(
        lambda x: _pick(m, "vjp")(_f(m), x)[1](m.ones(3))[0])),
    ("vmap(jvp)", lambda m: _pick(m, "vmap")(
        lambda x: _pick(m, "jvp")(_f(m), (x,), (x.cos(),)))),
    ("vmap over jvp tangents", lambda m: lambda t: _pick(m, "vmap")(
        lambda v: _pick(m, "jvp")(_f(m), (m.tensor([0.1, 0.2, -0.3], dtype=m.float64),),
                                  (v,))[1])(t)),
    ("vmap over vjp cotangents", lambda m: lambda c: _pick(m, "vmap")(
        _pick(m, "vjp")(_f(m), m.tensor([0.1, 0.2, -0.3], dtype=m.float64))[1])(c)),
]


@needs_torch
@pytest.mark.parametrize("name,build", COMPOSITIONS, ids=[c[0] for c in COMPOSITIONS])
def test_compositions_against_torch(name, build):
    x = data(4, 3)
    assert_same(build(cr)(cr.tensor(x)), build(torch)(torch.tensor(x)), rtol=1e-10, atol=1e-12)


@needs_torch
def test_second_order_through_vmap_with_autograd():
    """d/dx of (per-sample gradients) . v, through vmap(grad), with create_graph."""
    def run(m):
        x = m.tensor(data(4, 3) * 0 + np.linspace(-1, 1, 12).reshape(4, 3), requires_grad=True)
        g = _pick(m, "vmap")(_pick(m, "grad")(_scalar(m)))(x)
        (h,) = m.autograd.grad((g * g).sum(), x, create_graph=True)
        (h2,) = m.autograd.grad(h.sum(), x)
        return h, h2
    assert_same(run(cr), run(torch), rtol=1e-10)


def test_transforms_fall_back_to_loops_for_data_dependent_control_flow():
    """vmap cannot batch Python control flow on values: jacrev / jacfwd /
    jacobian(vectorize=True) then take their row / column loops."""
    def f(x):
        return x.sin() * 2 if x.sum() > 0 else x.cos()
    x = cr.tensor([0.5, 1.0, -0.25])
    expected = np.diag(2 * np.cos(arr(x)))
    np.testing.assert_allclose(arr(F.jacrev(f)(x)), expected, rtol=1e-6)
    np.testing.assert_allclose(arr(F.jacfwd(f)(x)), expected, rtol=1e-6)
    np.testing.assert_allclose(arr(cr.autograd.functional.jacobian(f, x, vectorize=True)),
                               expected, rtol=1e-6)


@needs_torch
def test_functional_jacobian_and_hessian_vectorized_against_torch():
    def f(a, b):
        return (a.sin() * b.sum(), (a * a).sum() * b)
    a, b = data(3), data(2)
    ours = cr.autograd.functional.jacobian(f, (cr.tensor(a), cr.tensor(b)), vectorize=True)
    theirs = torch.autograd.functional.jacobian(f, (torch.tensor(a), torch.tensor(b)),
                                                vectorize=True)
    assert_same([t for row in ours for t in row], [t for row in theirs for t in row])

    def g(a):
        return (a.sin() * a.sum()).sum()
    ours = cr.autograd.functional.hessian(g, cr.tensor(a), vectorize=True)
    theirs = torch.autograd.functional.hessian(g, torch.tensor(a), vectorize=True)
    assert_same(ours, theirs)
    ours = cr.autograd.functional.hessian(g, cr.tensor(a, requires_grad=True), vectorize=True,
                                          create_graph=True)
    assert ours.requires_grad


# --- randomness ----------------------------------------------------------------------------
def test_randomness_error_refuses_random_ops():
    for f in (lambda a: a + cr.randn(4), lambda a: cr.nn.functional.dropout(a, 0.5),
              lambda a: cr.rand_like(a), lambda a: a.clone().uniform_()):
        with pytest.raises(RuntimeError, match="vmap: called random operation while in "
                                               "randomness error mode"):
            F.vmap(f)(cr.tensor(X))
    assert VMAP_ACTIVE[0] == 0


def test_randomness_same_and_different():
    xs = cr.zeros(6, 4)
    same = F.vmap(lambda a: a + cr.randn(4), randomness="same")(xs)
    assert all(bool((same[0] == same[k]).all()) for k in range(6))
    diff = F.vmap(lambda a: a + cr.randn(4), randomness="different")(xs)
    assert diff.shape == (6, 4)
    assert all(bool((diff[0] != diff[k]).all()) for k in range(1, 6))
    masks = F.vmap(lambda a: cr.nn.functional.dropout(a + 1, 0.5), randomness="different")(
        cr.zeros(8, 200))
    assert not bool((masks[0] == masks[1]).all())
    masks = F.vmap(lambda a: cr.nn.functional.dropout(a + 1, 0.5), randomness="same")(
        cr.zeros(8, 200))
    assert all(bool((masks[0] == masks[k]).all()) for k in range(8))
    ints = F.vmap(lambda a: cr.randint(0, 1000, (5,)), randomness="different")(xs)
    assert ints.shape == (6, 5) and ints.dtype == cr.int64
    fills = F.vmap(lambda a: a.clone().uniform_(), randomness="different")(xs)
    assert all(bool((fills[0] != fills[k]).all()) for k in range(1, 6))
    fills = F.vmap(lambda a: a.clone().normal_(), randomness="same")(xs)
    assert all(bool((fills[0] == fills[k]).all()) for k in range(6))


@needs_torch
def test_randomness_flag_checked_as_torch():
    for vmap in (F.vmap, TF.vmap):
        with pytest.raises(RuntimeError, match="Only allowed values for randomness are 'error', "
                                               "'different', or 'same'. Got foo"):
            vmap(cr.sin if vmap is F.vmap else torch.sin, randomness="foo")


# --- errors, as torch's ----------------------------------------------------------------------
def _message(fn):
    try:
        fn()
    except Exception as e:       # noqa: BLE001  (the type and text are compared)
        return type(e), str(e)
    return None, None


ERRORS = [
    ("in_dim out of range", lambda m, v: v(m.sin, in_dims=2)(m.zeros(3, 4))),
    ("negative in_dim out of range", lambda m, v: v(m.sin, in_dims=-3)(m.zeros(3, 4))),
    ("mismatched batch sizes", lambda m, v: v(m.add)(m.zeros(3, 4), m.zeros(5, 4))),
    ("non-tensor output", lambda m, v: v(lambda a: 3)(m.zeros(3))),
    ("non-tensor output in a tuple", lambda m, v: v(lambda a: (a, 3))(m.zeros(3))),
    (".item()", lambda m, v: v(lambda a: a.item())(m.zeros(3))),
    ("float()", lambda m, v: v(lambda a: float(a.sum()))(m.zeros(3, 2))),
    ("bool() control flow", lambda m, v: v(lambda a: a if a.sum() > 0 else -a)(m.zeros(3, 2))),
    ("random op in error mode", lambda m, v: v(lambda a: a + m.randn(2))(m.zeros(3, 2))),
    ("in_dims structure", lambda m, v: v(m.sin, in_dims=(0, 0))(m.zeros(3))),
    ("in_dims type", lambda m, v: v(m.sin, in_dims="a")(m.zeros(3))),
    ("in_dims None", lambda m, v: v(m.sin, in_dims=None)(m.zeros(3))),
    ("nothing to vmap over", lambda m, v: v(m.sin, in_dims=(None,))(m.zeros(3))),
    ("no inputs", lambda m, v: v(m.sin)()),
    ("in_dim for a number", lambda m, v: v(lambda a: a)(3.0)),
    ("0-d input", lambda m, v: v(m.sin)(m.tensor(1.0))),
    ("out_dim out of range", lambda m, v: v(m.sin, out_dims=2)(m.zeros(3, 4))),
    ("out_dims structure", lambda m, v: v(lambda a: (a, a), out_dims=(0,))(m.zeros(3, 4))),
    ("out_dims type", lambda m, v: v(m.sin, out_dims="a")(m.zeros(3, 4))),
    ("batched output with out_dim None", lambda m, v: v(lambda a: a.sum(), out_dims=None)(
        m.zeros(3, 4))),
    ("chunk_size 0", lambda m, v: v(m.sin, chunk_size=0)(m.zeros(3, 4))),
    ("in_dim not an int", lambda m, v: v(lambda a: a, in_dims=("a",))(m.zeros(3))),
    ("in_dims shorter than the inputs", lambda m, v: v(lambda a, b: a, in_dims=(0,))(
        m.zeros(3), m.zeros(3))),
    ("in_dims list for a tensor", lambda m, v: v(lambda a: a, in_dims=([0],))(m.zeros(3))),
    ("nested out_dims structure", lambda m, v: v(lambda a: (a, (a, a)), out_dims=(0, (0,)))(
        m.zeros(3, 2))),
    ("out_dims tuple for a list", lambda m, v: v(lambda a: [a, a], out_dims=(0, 1))(
        m.zeros(3, 2))),
    ("backward inside vmap", lambda m, v: v(lambda a: a.sum().backward())(
        m.zeros(3, 4, requires_grad=True))),
    ("nonzero-like boolean mask", lambda m, v: v(lambda a: a[a > 0])(m.ones(3, 4))),
    ("in-place into an unbatched tensor", lambda m, v: v(lambda a: m.ones(4).mul_(a))(
        m.ones(3, 4))),
]


@needs_torch
@pytest.mark.parametrize("name,call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_as_torch(name, call):
    ours = _message(lambda: call(cr, F.vmap))
    theirs = _message(lambda: call(torch, TF.vmap))
    assert ours[0] is not None
    assert issubclass(ours[0], theirs[0])         # (Unbatchable is a RuntimeError)
    if name == "in-place into an unbatched tensor":
        return          # (torch 2.13 words it as a broadcast error from the kernel)
    if name == "nonzero-like boolean mask":
        assert ours[1].startswith("vmap: We do not support batching operators that can "
                                  "support dynamic shape")
        return
    assert ours[1] == theirs[1]
    assert VMAP_ACTIVE[0] == 0


def test_vmap_state_is_restored_after_errors():
    with pytest.raises(RuntimeError):
        F.vmap(lambda a: a.item())(cr.zeros(3))
    assert VMAP_ACTIVE[0] == 0
    assert (cr.ones(2) * 2).tolist() == [2.0, 2.0]


# --- misc ------------------------------------------------------------------------------------
@needs_torch
def test_in_place_on_batched_tensors():
    def build(m):
        def f(a):
            b = a.clone()
            b.mul_(2)
            b[0] = 7.0
            b.add_(m.ones(4))
            return b
        return f
    twin(build, X)

    def run(m, v):
        x = m.tensor(X, requires_grad=True)
        return m.autograd.grad(v(build(m))(x).pow(2).sum(), x)
    assert_same(run(cr, F.vmap), run(torch, TF.vmap))


def test_batched_tensor_repr_and_per_sample_metadata():
    seen = {}

    def f(a):
        seen["shape"], seen["dim"], seen["len"] = tuple(a.shape), a.dim(), len(a)
        seen["repr"] = repr(a)
        return a
    F.vmap(f, in_dims=1)(cr.zeros(3, 4, 2))
    assert seen["shape"] == (3, 2) and seen["dim"] == 2 and seen["len"] == 3
    assert seen["repr"].startswith("BatchedTensor(lvl=1, bdim=0, value=")


def test_inputs_are_not_modified_and_results_plain():
    x = cr.tensor(X)
    before = arr(x).copy()
    out = F.vmap(lambda a: a * 2)(x)
    np.testing.assert_array_equal(arr(x), before)
    assert type(out) is cr.Tensor and not out.requires_grad


@needs_torch
def test_per_sample_gradients_through_cross_entropy_conv_and_layer_norm_against_torch():
    """linear + cross_entropy (rules, and the loop for nll_loss), conv2d (its
    rule: a grouped convolution for the per-sample weights) and layer_norm
    under vmap(grad)."""
    w, b, xs, ys = data(5, 3), data(5), data(8, 3), RNG.integers(0, 5, 8)

    def ce(m):
        def f(p, x, y):
            logits = m.nn.functional.linear(x, p[0], p[1])
            return m.nn.functional.cross_entropy(logits.unsqueeze(0), y.unsqueeze(0))
        return f
    ours = F.vmap(F.grad(ce(cr)), in_dims=(None, 0, 0))((cr.tensor(w), cr.tensor(b)),
                                                        cr.tensor(xs), cr.tensor(ys))
    theirs = TF.vmap(TF.grad(ce(torch)), in_dims=(None, 0, 0))(
        (torch.tensor(w), torch.tensor(b)), torch.tensor(xs), torch.tensor(ys))
    assert_same(ours, theirs)

    images, kernel = data(4, 2, 6, 6), data(3, 2, 3, 3)

    def conv(m):
        return lambda x, k: m.nn.functional.layer_norm(
            m.nn.functional.conv2d(x.unsqueeze(0), k), (4,)).tanh().sum()
    ours = F.vmap(F.grad(conv(cr), argnums=1), in_dims=(0, None))(cr.tensor(images),
                                                                  cr.tensor(kernel))
    theirs = TF.vmap(TF.grad(conv(torch), argnums=1), in_dims=(0, None))(
        torch.tensor(images), torch.tensor(kernel))
    assert_same(ours, theirs, rtol=1e-10, atol=1e-12)


def test_jacrev_and_jacfwd_evaluate_the_function_once_batched():
    """The rows (columns) come from one batched evaluation, not one per row."""
    calls = []

    def f(x):
        calls.append(tuple(x.shape))
        return x.sin() * x.sum()
    x = cr.tensor([0.5, -1.0, 2.0, 0.25])
    expected = np.diag(np.cos(arr(x)) * arr(x).sum()) + np.sin(arr(x))[:, None]
    np.testing.assert_allclose(arr(F.jacrev(f)(x)), expected, rtol=1e-6)
    assert len(calls) == 2            # the value, then all four rows at once
    calls.clear()
    np.testing.assert_allclose(arr(F.jacfwd(f)(x)), expected, rtol=1e-6)
    assert len(calls) == 2            # all four columns at once, then the value
    calls.clear()
    chunked = F.jacrev(f, chunk_size=3)(x)
    np.testing.assert_allclose(arr(chunked), expected, rtol=1e-6)
    assert len(calls) == 3            # the value, rows 0-2, row 3

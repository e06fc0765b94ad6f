"""chainrule.optim against torch 2.13: every optimiser's trajectory over 100
steps on the same float64 problems (relative 1e-10), state_dict round trips
that continue identically, PyTorch's layouts and argument errors."""
import math
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.optim.optimizer import lerp_

torch = pytest.importorskip("torch")

STEPS = 100
RTOL, ATOL = 1e-10, 1e-13


def _start(L, seed=0):
    """Five float64 parameters (a matrix, a vector, a 0-d scale, one the
    loss never touches, whose grad stays None, and an empty one) and fixed data."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((3, 2)), rng.standard_normal(2), np.array(0.7),
              rng.standard_normal(2), np.zeros((0, 3))]
    params = [L.tensor(a, dtype=L.float64, requires_grad=True) for a in arrays]
    X = L.tensor(rng.standard_normal((8, 3)), dtype=L.float64)
    Y = L.tensor(rng.standard_normal((8, 2)), dtype=L.float64)
    return params, (X, Y)


def _loss(L, params, data):
    """A small nonlinear least-squares fit plus a quadratic pull on the scale."""
    W, b, c, _, empty = params
    X, Y = data
    pred = L.tanh(X @ W + b) * c
    return ((pred - Y) ** 2).mean() + 0.1 * (c - 2.0) ** 2 + (empty ** 2).sum()


def _rosenbrock(L, params, data):
    x = params[0]
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _values(params):
    return [p.detach().numpy().copy() for p in params]


def _run(L, opt_name, kwargs, steps=STEPS, loss=_loss, start=_start, state_from=None):
    params, data = start(L)
    opt = getattr(L.optim, opt_name)(params, **kwargs)

    def closure():
        opt.zero_grad()
        out = loss(L, params, data)
        out.backward()
        return out

    trajectory = []
    for _ in range(steps):
        if opt_name == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()
        trajectory.append(_values(params))
    return trajectory, opt, params, closure


def _same(mine, ref, what):
    for k, (a, b) in enumerate(zip(mine, ref)):
        for i, (x, y) in enumerate(zip(a, b)):
            np.testing.assert_allclose(x, y, rtol=RTOL, atol=ATOL,
                                       err_msg=f"{what}: step {k + 1}, parameter {i}")


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, maximize=True, eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.003)),
    ("RMSprop", dict(lr=0.001, alpha=0.9, centered=True)),
    ("RMSprop", dict(lr=0.002, momentum=0.9, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.001, momentum=0.5, centered=True, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.5,
                     weight_decay=0.01)),
    ("Adagrad", dict(lr=0.05, maximize=True)),
    ("Adamax", dict(lr=0.02)),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.05)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, momentum_decay=0.01, weight_decay=0.05)),
    ("NAdam", dict(lr=0.01, weight_decay=0.05, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.05, betas=(0.8, 0.9))),
    ("RAdam", dict(lr=0.01, weight_decay=0.05, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, maximize=True)),
    ("LBFGS", dict(lr=0.5, max_iter=3)),
    ("LBFGS", dict(lr=0.5, max_iter=3, history_size=3)),
    ("LBFGS", dict(max_iter=3, line_search_fn="strong_wolfe")),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_trajectory_matches_torch(name, kwargs):
    steps = 10 if name == "LBFGS" else STEPS
    mine = _run(cr, name, kwargs, steps)[0]
    ref = _run(torch, name, kwargs, steps)[0]
    _same(mine, ref, f"{name}{kwargs}")


def _rosen_start(L):
    return [L.tensor([-1.5, 2.0], dtype=L.float64, requires_grad=True)], None


@pytest.mark.parametrize("kwargs", [dict(lr=0.1, max_iter=2),
                                    dict(max_iter=3, history_size=5,
                                         line_search_fn="strong_wolfe")])
def test_lbfgs_rosenbrock(kwargs):
    mine = _run(cr, "LBFGS", kwargs, 10, _rosenbrock, _rosen_start)
    ref = _run(torch, "LBFGS", kwargs, 10, _rosenbrock, _rosen_start)
    _same(mine[0], ref[0], f"LBFGS{kwargs} on Rosenbrock")
    assert mine[1].state_dict()["state"][0]["func_evals"] == \
        ref[1].state_dict()["state"][0]["func_evals"]


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)), ("RMSprop", dict(lr=0.001, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1)), ("Adamax", dict(lr=0.02)), ("NAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01)), ("LBFGS", dict(lr=0.5, max_iter=3))])
def test_state_dict_round_trip_continues(name, kwargs):
    """30 steps, a fresh optimiser loads the state dict, 30 more: the same
    path as 60 uninterrupted steps (and as torch's)."""
    n = 5 if name == "LBFGS" else 30
    straight = _run(cr, name, kwargs, 2 * n)[0]
    first, opt, params, _ = _run(cr, name, kwargs, n)
    sd = opt.state_dict()
    fresh = getattr(cr.optim, name)(params, **kwargs)
    fresh.load_state_dict(sd)
    assert fresh.state_dict()["param_groups"] == sd["param_groups"]
    _, data = _start(cr)
    rest = []
    for _ in range(n):
        def closure():
            fresh.zero_grad()
            out = _loss(cr, params, data)
            out.backward()
            return out
        if name == "LBFGS":
            fresh.step(closure)
        else:
            closure()
            fresh.step()
        rest.append(_values(params))
    _same(first + rest, straight, f"{name} resumed")
    _same(straight, _run(torch, name, kwargs, 2 * n)[0], f"{name} vs torch")


def test_state_dict_layout_matches_torch():
    for L in (cr, torch):
        a = L.zeros(2, dtype=L.float64, requires_grad=True)
        b = L.zeros(3, dtype=L.float64, requires_grad=True)
        c = L.zeros(1, dtype=L.float64, requires_grad=True)
        opt = L.optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
        (a.sum() + b.sum()).backward()
        opt.step()
        sd = opt.state_dict()
        layout = (sorted(sd), [list(g) for g in sd["param_groups"]],
                  [g["params"] for g in sd["param_groups"]], [g["lr"] for g in sd["param_groups"]],
                  sorted(sd["state"]), sorted(sd["state"][0]),
                  str(sd["state"][0]["step"].dtype), sd["state"][0]["step"].item())
        if L is cr:
            mine = layout
    assert mine == layout


def test_scalar_state_dtype_follows_default_dtype():
    for L in (cr, torch):
        old = L.get_default_dtype()
        L.set_default_dtype(L.float64)
        try:
            p = L.zeros(2, requires_grad=True)
            opt = L.optim.Adagrad([p])
            dt = str(opt.state[p]["step"].dtype)
        finally:
            L.set_default_dtype(old)
        if L is cr:
            mine = dt
    assert mine == dt == "torch.float64"


def test_load_state_dict_casts_to_parameter_dtype():
    p64 = cr.zeros(2, dtype=cr.float64, requires_grad=True)
    opt = cr.optim.Adam([p64])
    p64.grad = cr.ones(2, dtype=cr.float64)
    opt.step()
    p32 = cr.zeros(2, requires_grad=True)
    other = cr.optim.Adam([p32])
    other.load_state_dict(opt.state_dict())
    assert other.state[p32]["exp_avg"].dtype == cr.float32
    assert other.state[p32]["step"].dtype == cr.float32
    # the loaded state is a copy, not the saved tensors
    assert other.state[p32]["step"] is not opt.state[p64]["step"]


def test_param_groups_defaults_and_repr():
    for L in (cr, torch):
        a = L.zeros(2, requires_grad=True)
        b = L.zeros(2, requires_grad=True)
        opt = L.optim.SGD([{"params": [a]}, {"params": b, "momentum": 0.9}], lr=0.1)
        opt.add_param_group({"params": [L.zeros(1, requires_grad=True)], "lr": 0.3})
        out = ([{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups],
               [len(g["params"]) for g in opt.param_groups], repr(opt), sorted(opt.defaults))
        if L is cr:
            mine = out
    assert mine == out


def test_named_parameters():
    for L in (cr, torch):
        a, b = L.zeros(2, requires_grad=True), L.zeros(1, requires_grad=True)
        opt = L.optim.Adam([{"params": [("a", a)]}, {"params": [("b", b)], "lr": 1.0}])
        plain = L.optim.Adam([{"params": [a]}, {"params": [b]}])
        plain.load_state_dict(opt.state_dict())
        out = ([list(g) for g in opt.param_groups], opt.state_dict()["param_groups"],
               plain.state_dict()["param_groups"], opt.param_groups[0]["params"][0] is a)
        if L is cr:
            mine = out
    assert mine == out


def test_differentiable_refused():
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        cr.optim.Adam([cr.zeros(2, requires_grad=True)], differentiable=True)


def test_zero_grad():
    for set_to_none in (True, False):
        for L in (cr, torch):
            p = L.ones(2, requires_grad=True)
            opt = L.optim.SGD([p], lr=0.1)
            (p * 3).sum().backward()
            opt.zero_grad(set_to_none=set_to_none)
            out = None if p.grad is None else p.grad.tolist()
            if L is cr:
                mine = out
        assert mine == out


def test_closure_loss_returned():
    for L in (cr, torch):
        p = L.ones(2, dtype=L.float64, requires_grad=True)
        opt = L.optim.Adam([p], lr=0.1)

        def closure():
            opt.zero_grad()
            out = (p ** 2).sum()
            out.backward()
            return out
        loss = opt.step(closure)
        out = (loss.item(), loss.requires_grad, p.tolist())
        if L is cr:
            mine = out
    assert mine == out


def _outcome(f, L):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            f(L)
        except Exception as e:                # noqa: BLE001  (compared with torch's)
            return type(e), str(e).splitlines()[0], [str(w.message) for w in caught]
    return None, None, [str(w.message) for w in caught]


def _p(L):
    return L.zeros(2, requires_grad=True)


MISUSE = {
    "tensor_not_iterable": lambda L: L.optim.SGD(_p(L), lr=0.1),
    "empty": lambda L: L.optim.Adam([]),
    "duplicate_groups": lambda L: (lambda p: L.optim.SGD([{"params": [p]}, {"params": [p]}],
                                                         lr=0.1))(_p(L)),
    "duplicate_in_group": lambda L: (lambda p: L.optim.SGD([p, p], lr=0.1))(_p(L)),
    "add_group_again": lambda L: (lambda p: L.optim.SGD([p]).add_param_group(
        {"params": p}))(_p(L)),
    "set_of_params": lambda L: L.optim.SGD({_p(L)}, lr=0.1),
    "not_a_tensor": lambda L: L.optim.SGD([1.0], lr=0.1),
    "non_leaf": lambda L: L.optim.SGD([_p(L) * 2], lr=0.1),
    "sgd_lr": lambda L: L.optim.SGD([_p(L)], lr=-1),
    "sgd_momentum": lambda L: L.optim.SGD([_p(L)], momentum=-0.5),
    "sgd_nesterov": lambda L: L.optim.SGD([_p(L)], lr=0.1, nesterov=True),
    "sgd_nesterov_dampening": lambda L: L.optim.SGD([_p(L)], lr=0.1, momentum=0.9,
                                                    dampening=0.1, nesterov=True),
    "sgd_wd": lambda L: L.optim.SGD([_p(L)], weight_decay=-1),
    "adam_eps": lambda L: L.optim.Adam([_p(L)], eps=-1),
    "adam_beta0": lambda L: L.optim.Adam([_p(L)], betas=(1.0, 0.9)),
    "adam_beta1": lambda L: L.optim.AdamW([_p(L)], betas=(0.9, -0.1)),
    "adam_wd": lambda L: L.optim.Adam([_p(L)], weight_decay=-0.1),
    "rmsprop_alpha": lambda L: L.optim.RMSprop([_p(L)], alpha=-0.1),
    "rmsprop_momentum": lambda L: L.optim.RMSprop([_p(L)], momentum=-0.1),
    "adagrad_lr_decay": lambda L: L.optim.Adagrad([_p(L)], lr_decay=-0.1),
    "adagrad_initial": lambda L: L.optim.Adagrad([_p(L)], initial_accumulator_value=-1),
    "adagrad_eps": lambda L: L.optim.Adagrad([_p(L)], eps=-1),
    "nadam_decay": lambda L: L.optim.NAdam([_p(L)], momentum_decay=-1),
    "radam_lr": lambda L: L.optim.RAdam([_p(L)], lr=-1),
    "adamax_beta": lambda L: L.optim.Adamax([_p(L)], betas=(0.9, 1.5)),
    "lbfgs_groups": lambda L: L.optim.LBFGS([{"params": [_p(L)]}, {"params": [_p(L)]}]),
    "lbfgs_line_search": lambda L: (lambda p: L.optim.LBFGS([p], line_search_fn="armijo").step(
        lambda: (p * p).sum().backward() or (p * p).sum()))(L.ones(2, requires_grad=True)),
    "load_group_count": lambda L: L.optim.SGD([_p(L)]).load_state_dict(
        L.optim.SGD([{"params": [_p(L)]}, {"params": [_p(L)]}]).state_dict()),
    "names_missing": lambda L: L.optim.SGD([("a", _p(L)), _p(L)], lr=0.1),
    "names_group_without": lambda L: L.optim.SGD([("a", _p(L))], lr=0.1).add_param_group(
        {"params": [_p(L)]}),
    "names_group_with": lambda L: L.optim.SGD([_p(L)], lr=0.1).add_param_group(
        {"params": [("b", _p(L))]}),
    "load_group_size": lambda L: L.optim.SGD([_p(L)]).load_state_dict(
        L.optim.SGD([_p(L), _p(L)]).state_dict()),
}


@pytest.mark.parametrize("name", sorted(MISUSE))
def test_misuse_matches_torch(name):
    mine, ref = _outcome(MISUSE[name], cr), _outcome(MISUSE[name], torch)
    assert mine[:2] == ref[:2]
    assert [w for w in mine[2] if "optimizer" in w] == [w for w in ref[2] if "optimizer" in w]


def _grouped(L, name):
    """Two param groups with their own options."""
    params, data = _start(L)
    extra = {"SGD": dict(momentum=0.5), "Adam": dict(betas=(0.5, 0.9)),
             "RMSprop": dict(centered=True), "Adagrad": dict(lr_decay=0.1)}[name]
    opt = getattr(L.optim, name)([{"params": params[:2]}, dict(params=params[2:], lr=0.002,
                                                                **extra)], lr=0.01)
    out = []
    for _ in range(50):
        opt.zero_grad()
        _loss(L, params, data).backward()
        opt.step()
        out.append(_values(params))
    return out


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_param_group_options_match_torch(name):
    _same(_grouped(cr, name), _grouped(torch, name), f"{name} with two groups")


@pytest.mark.parametrize("name,kwargs", [(n, k) for n, k in CASES if n != "LBFGS"][::3])
def test_float32_parameters(name, kwargs):
    """float32 parameters stay float32 (state too) and follow torch's path
    to float32 accuracy."""
    out = []
    for L in (cr, torch):
        params, data = _start(L)
        params = [p.detach().float().requires_grad_() for p in params]
        data = tuple(d.float() for d in data)
        opt = getattr(L.optim, name)(params, **kwargs)
        for _ in range(10):
            opt.zero_grad()
            _loss(L, params, data).backward()
            opt.step()
        states = sorted((k, str(v.dtype)) for s in opt.state.values() for k, v in s.items()
                        if isinstance(v, (cr.Tensor, torch.Tensor)))
        out.append(([str(p.dtype) for p in params], states, _values(params)))
    assert out[0][:2] == out[1][:2]
    for a, b in zip(out[0][2], out[1][2]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def _state_layout(L, name, kwargs):
    _, opt, _, _ = _run(L, name, kwargs, 3)
    sd = opt.state_dict()
    layout = {}
    for i, s in sd["state"].items():
        layout[i] = [(k, (str(v.dtype), tuple(v.shape)) if isinstance(v, (cr.Tensor, torch.Tensor))
                      else type(v).__name__) for k, v in s.items()]
    return layout, [list(g) for g in sd["param_groups"]]


_LAYOUTS = [c for i, c in enumerate(CASES) if i == 0 or CASES[i - 1][0] != c[0]] + [
    ("Adam", dict(amsgrad=True)), ("RMSprop", dict(momentum=0.5, centered=True)),
    ("SGD", dict(momentum=0.9))]


@pytest.mark.parametrize("name,kwargs", _LAYOUTS)
def test_state_layout_matches_torch(name, kwargs):
    """Which state each optimiser keeps, in what order, dtype and shape."""
    assert _state_layout(cr, name, kwargs) == _state_layout(torch, name, kwargs)


@pytest.mark.parametrize("dtype", [cr.float32, cr.float64])
@pytest.mark.parametrize("weight", [0.1, 0.001, 0.4999, 0.5, 0.7, -0.3, 1.2])
def test_moment_lerp_is_lerp_bit_for_bit(dtype, weight):
    """The optimizers' running-average update (optimizer.lerp_: add_ into the
    state for weights under 0.5) leaves exactly the bits of lerp_, in place."""
    g = cr.Generator().manual_seed(3)
    avg = cr.randn(1000, generator=g, dtype=dtype)
    grad = cr.randn(1000, generator=g, dtype=dtype) * 10
    expected = avg.clone().lerp_(grad, weight)
    storage = avg.data_ptr()
    out = lerp_(avg, grad, weight)
    assert out is avg and avg.data_ptr() == storage
    assert np.array_equal(avg.numpy(), expected.numpy())

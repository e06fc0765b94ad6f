"""nn.Module and nn.Parameter side by side with torch.nn: registration, the
walks (parameters, modules, buffers...), modes, conversions, state dicts and
their errors, hooks (order, arguments, replacements), reprs.

Each model is built by one function of the library (chainrule or torch), so
both get exactly the same code; the results are compared as plain values."""
import copy
import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import chainrule as cr

from _nn_twin import copy_weights, needs_torch, same, torch


# --- helpers ---------------------------------------------------------------------------------
def _np(t):
    return t.detach().numpy()


class _ReLU:
    """A ReLU module for the tutorial pattern (the activation modules come
    with another branch): chainrule's calls F.relu, torch's is torch's."""

    @staticmethod
    def of(L):
        if L is torch:
            return torch.nn.ReLU
        class ReLU(cr.nn.Module):          # noqa: E306
            def forward(self, x):
                return cr.nn.functional.relu(x)
        return ReLU


def make_net(L):
    nn = L.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 3)
            self.block = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.2))
            self.register_buffer("running", L.zeros(3))
            self.register_buffer("scratch", L.ones(2), persistent=False)
            self.scale = nn.Parameter(L.ones(()))
            self.again = self.fc1          # the same submodule twice

        def forward(self, x):
            return self.block(self.fc1(x)) * self.scale + self.running

    return Net()


# --- Parameter -----------------------------------------------------------------------------------
def test_parameter_repr_and_flags():
    same(lambda L: repr(L.nn.Parameter(L.tensor([1.0, 2.0]))))
    same(lambda L: repr(L.nn.Parameter(L.tensor([1.0, 2.0]), requires_grad=False)))
    same(lambda L: repr(L.nn.Parameter()))
    same(lambda L: str(L.nn.Parameter(L.tensor([[1, 2]]), requires_grad=False)))
    same(lambda L: L.nn.Parameter(L.tensor([1, 2])))


def test_parameter_results_are_plain_tensors():
    def kinds(L):
        p = L.nn.Parameter(L.tensor([1.0, 2.0], dtype=L.float64))
        outs = [p * 2, p.detach(), p.data, p.clone(), p[0], p.view(2, 1), L.exp(p), p + p]
        return [type(o).__name__ for o in outs] + [
            type(copy.deepcopy(p)).__name__, p.requires_grad, p.is_leaf, p.dtype.is_floating_point]
    same(kinds)


def test_parameter_shares_the_version_counter():
    def versions(L):
        x = L.ones(2)
        p = L.nn.Parameter(x)
        x.add_(1)
        out = [p._version, x._version, p.data_ptr() == x.data_ptr()]
        p.data.add_(1)
        out.append(p._version)
        with L.no_grad():
            p.add_(1)
        out += [p._version, x._version, p.tolist()]
        return out
    same(versions)


def test_parameter_shares_memory_and_accumulates():
    t = cr.tensor([1.0, 2.0])
    p = cr.nn.Parameter(t)
    t[0] = 5.0
    assert p[0].item() == 5.0
    (p * p).sum().backward()
    assert np.allclose(p.grad.numpy(), [10.0, 4.0])
    p.data.mul_(2)
    assert isinstance(p, cr.nn.Parameter) and p.tolist() == [10.0, 4.0]


def test_parameter_deepcopy_and_pickle():
    import pickle
    p = cr.nn.Parameter(cr.tensor([1.0, 2.0]))
    p.grad = cr.tensor([0.5, 0.5])
    q = copy.deepcopy(p)
    assert isinstance(q, cr.nn.Parameter) and q.requires_grad and q.grad.tolist() == [0.5, 0.5]
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, cr.nn.Parameter) and r.tolist() == [1.0, 2.0]


# --- registration and the walks -------------------------------------------------------------
def test_walks_match_torch():
    def walks(L):
        m = make_net(L)
        return dict(
            params=[n for n, _ in m.named_parameters()],
            params_dup=[n for n, _ in m.named_parameters(remove_duplicate=False)],
            params_prefix=[n for n, _ in m.named_parameters(prefix="net")],
            params_local=[n for n, _ in m.named_parameters(recurse=False)],
            n_params=len(list(m.parameters())),
            modules=[n for n, _ in m.named_modules()],
            modules_dup=[n for n, _ in m.named_modules(remove_duplicate=False)],
            modules_types=[type(x).__name__ for x in m.modules()],
            children=[n for n, _ in m.named_children()],
            children_types=[type(x).__name__ for x in m.children()],
            buffers=[n for n, _ in m.named_buffers()],
            n_buffers=len(list(m.buffers())),
            state=list(m.state_dict()),
            state_keep=[type(v).__name__ for v in m.state_dict(keep_vars=True).values()],
            state_prefix=list(m.state_dict(prefix="top.")),
            state_prefix_nodot=list(m.state_dict(prefix="top")),
            metadata_prefix=dict(m.state_dict(prefix="a.b.")._metadata),
            metadata=dict(m.state_dict()._metadata),
            sub=type(m.get_submodule("block.1")).__name__,
            param=list(m.get_parameter("block.0.bias").shape),
            buffer=list(m.get_buffer("running").shape),
            dir_has=[k in dir(m) for k in ("fc1", "running", "scale", "forward", "0")],
        )
    same(walks)


def test_buffer_marker():
    def buffers(L):
        nn = L.nn
        m = nn.Module()
        m.a = nn.Buffer(L.ones(2))
        m.b = nn.Buffer(L.zeros(1), persistent=False)
        m.c = L.ones(3)                          # a plain tensor: an attribute
        m.a = L.zeros(2)                         # replacing a buffer keeps it one
        m.b = nn.Buffer(L.ones(1))               # now persistent
        x = nn.Buffer(L.ones(2, requires_grad=True))
        return [list(m._buffers), list(m.state_dict()), type(nn.Buffer(L.ones(1))).__name__,
                isinstance(L.ones(1), nn.Buffer), isinstance(m.a, nn.Buffer), x.requires_grad,
                x.is_leaf, sorted(m._non_persistent_buffers_set)]
    same(buffers)


def test_setattr_routes_and_replaces():
    def routes(L):
        nn = L.nn
        m = nn.Module()
        m.w = nn.Parameter(L.ones(2))
        m.sub = nn.Linear(2, 2)
        m.register_buffer("b", L.zeros(1))
        m.b = L.ones(1)              # a buffer stays a buffer
        m.w = None                   # a parameter slot may hold None
        m.plain = 3
        m.sub = None
        out = [list(m._parameters), list(m._buffers), list(m._modules), m.w, m.sub, m.plain,
               m.b.tolist()]
        m.sub = nn.Identity()
        m.w = nn.Parameter(L.zeros(1))
        del m.b
        del m.plain
        out += [list(m._parameters), list(m._buffers), list(m._modules), hasattr(m, "plain"),
                [n for n, _ in m.named_parameters()]]
        m.sub = nn.Parameter(L.ones(1))     # re-registered as a parameter
        out += [list(m._parameters), list(m._modules)]
        return out
    same(routes)


@pytest.mark.parametrize("f", [
    lambda L: L.nn.Module().register_buffer(1, L.ones(1)),
    lambda L: L.nn.Module().register_buffer("a.b", L.ones(1)),
    lambda L: L.nn.Module().register_buffer("", L.ones(1)),
    lambda L: L.nn.Module().register_buffer("training", L.ones(1)),
    lambda L: L.nn.Module().register_buffer("x", [1.0]),
    lambda L: L.nn.Module().register_parameter(2, None),
    lambda L: L.nn.Module().register_parameter("a.b", None),
    lambda L: L.nn.Module().register_parameter("", None),
    lambda L: L.nn.Module().register_parameter("forward", None),
    lambda L: L.nn.Module().register_parameter("x", L.ones(1)),
    lambda L: L.nn.Module().register_parameter(
        "x", L.nn.Parameter(L.ones(1)) * 2),
    lambda L: L.nn.Module().add_module("x", 3),
    lambda L: L.nn.Module().add_module(4, L.nn.Identity()),
    lambda L: L.nn.Module().add_module("a.b", L.nn.Identity()),
    lambda L: L.nn.Module().add_module("", L.nn.Identity()),
    lambda L: L.nn.Module().add_module("eval", L.nn.Identity()),
    lambda L: L.nn.Linear(2, 2).__setattr__("weight", L.ones(2, 2)),
    lambda L: L.nn.Sequential(L.nn.Identity()).__setattr__("0", 5),
    lambda L: _with_buffer(L).__setattr__("b", 5),
    lambda L: L.nn.Linear(2, 2).nothing,
    lambda L: L.nn.Linear(2, 2).get_submodule("foo"),
    lambda L: L.nn.Sequential(L.nn.Linear(2, 2)).get_submodule("0.weight"),
    lambda L: L.nn.Linear(2, 2).get_parameter("nope"),
    lambda L: _with_buffer(L).get_parameter("b"),
    lambda L: L.nn.Linear(2, 2).get_buffer("weight"),
    lambda L: L.nn.Module().train("yes"),
    lambda L: L.nn.Module()(1),
    lambda L: L.nn.Module(3),
    lambda L: L.nn.Module(a=3),
    lambda L: L.nn.Linear(2, 2).to(L.int64),
    lambda L: L.nn.Linear(2, 2).to("cpu", L.int32),
    lambda L: L.nn.Linear(2, 2).to("cuda"),
    lambda L: L.nn.Linear(2, 2).to("cuda:0", L.float64),
    lambda L: repr(L.nn.Module().to("cuda")),
    lambda L: repr(L.nn.Module().cuda()),
    lambda L: L.nn.Linear(2, 2).cuda(),
    lambda L: L.nn.Module().to("bogus"),
    lambda L: L.nn.Linear(2, 2).to(device=L.device("cuda")),
    lambda L: L.nn.Linear(2, 2).load_state_dict([1, 2]),
], ids=lambda f: "")
def test_misuse_matches_torch(f):
    same(f)


def _with_buffer(L):
    m = L.nn.Module()
    m.register_buffer("b", L.ones(1))
    return m


def test_assignment_before_init():
    def early(L):
        class Bad(L.nn.Module):
            def __init__(self, kind):
                if kind == 0:
                    self.p = L.nn.Parameter(L.ones(1))
                elif kind == 1:
                    self.m = L.nn.Identity()
                elif kind == 2:
                    self.register_buffer("b", L.ones(1))
                else:
                    self.register_parameter("p", None)
        out = []
        for k in range(4):
            try:
                Bad(k)
            except Exception as e:
                out.append((type(e).__name__, str(e)))
        return out
    same(early)


# --- modes, gradients, conversions ------------------------------------------------------------
def test_train_eval_requires_grad_zero_grad_apply():
    def modes(L):
        m = make_net(L)
        out = [m.training, m.block[1].training]
        r = m.eval()
        out += [r is m, m.training, m.block[1].training, m.fc1.training]
        m.train()
        out += [m.block[1].training]
        m.block.train(False)
        out += [m.training, m.block.training, m.block[0].training]
        m.requires_grad_(False)
        out += [[p.requires_grad for p in m.parameters()]]
        m.requires_grad_()
        y = m(L.ones(2, 4, dtype=L.float32)).sum()
        y.backward()
        out += [[p.grad is not None for p in m.parameters()]]
        m.zero_grad(set_to_none=False)
        out += [[p.grad.abs().sum().item() for p in m.parameters()]]
        m.zero_grad()
        out += [[p.grad is None for p in m.parameters()]]
        seen = []
        m.apply(lambda mod: seen.append(type(mod).__name__))
        out += [seen]
        return out
    same(modes)


def test_overridden_train_apply_and__apply_are_called():
    def overrides(L):
        log = []

        class Frozen(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = L.nn.Linear(1, 1)

            def train(self, mode=True):
                log.append(("train", mode))
                return super().train(False)          # always stays in eval mode

            def _apply(self, fn, *args, **kwargs):
                log.append("_apply")
                return super()._apply(fn, *args, **kwargs)

        m = L.nn.Sequential(L.nn.Linear(1, 1), Frozen(), L.nn.Sequential(Frozen()))
        m.train()
        states = [x.training for x in m.modules()]
        m.double()
        return log, states, str(m[1].inner.weight.dtype)
    same(overrides)


def test_to_double_float_half_keep_parameter_identity():
    def convert(L):
        m = make_net(L)
        w = m.fc1.weight
        m(L.ones(1, 4)).sum().backward()
        out = []
        for step in (lambda: m.double(), lambda: m.float(), lambda: m.half(),
                     lambda: m.to(L.float64), lambda: m.to("cpu"),
                     lambda: m.to(device="cpu", dtype=L.float32),
                     lambda: m.to(L.ones(1, dtype=L.float64)), lambda: m.cpu()):
            r = step()
            out.append((r is m, m.fc1.weight is w, str(w.dtype), str(w.grad.dtype),
                        str(m.running.dtype), type(m.fc1.weight).__name__,
                        m.fc1.weight.requires_grad))
        return out
    same(convert)


def test_to_keeps_integer_buffers():
    def ints(L):
        m = L.nn.Module()
        m.register_buffer("count", L.tensor([1, 2]))
        m.register_buffer("f", L.tensor([1.0]))
        m.double()
        return [str(m.count.dtype), str(m.f.dtype)]
    same(ints)


# --- state dicts ---------------------------------------------------------------------------------
def test_state_dict_round_trip_copies_values():
    a, b = make_net(cr), make_net(cr)
    res = b.load_state_dict(a.state_dict())
    assert repr(res) == "<All keys matched successfully>"
    assert res.missing_keys == [] and res.unexpected_keys == []
    for (n, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
        assert np.array_equal(p.numpy(), q.numpy()), n
    # copied, not shared
    with cr.no_grad():
        a.fc1.weight.add_(1.0)
    assert not np.array_equal(a.fc1.weight.detach().numpy(), b.fc1.weight.detach().numpy())
    # the values detached, the storage shared with the module
    sd = a.state_dict()
    assert not sd["fc1.weight"].requires_grad
    with cr.no_grad():
        a.fc1.weight.zero_()
    assert sd["fc1.weight"].abs().sum().item() == 0


@needs_torch
def test_state_dict_into_torch_and_back():
    m_cr, m_t = make_net(cr), make_net(torch)
    m_t.double()
    m_cr.double()
    copy_weights(m_t, m_cr)
    x = np.random.default_rng(0).standard_normal((5, 4))
    m_cr.eval()
    m_t.eval()
    y_cr = m_cr(cr.tensor(x))
    y_t = m_t(torch.tensor(x))
    assert np.allclose(_np(y_cr), _np(y_t), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("edit", [
    lambda L, sd: sd.pop("fc1.bias"),
    lambda L, sd: sd.update({"extra": L.ones(1), "block.0.extra": L.ones(1)}),
    lambda L, sd: (sd.pop("block.0.weight"), sd.update({"bogus": L.ones(1)})),
    lambda L, sd: sd.update({"fc1.weight": L.ones(4, 3)}),
    lambda L, sd: sd.update({"fc1.bias": L.ones(2), "running": L.ones(4)}),
    lambda L, sd: sd.update({"fc1.bias": 3}),
    lambda L, sd: sd.update({"scale": L.ones(1)}),
    lambda L, sd: (sd.update({"fc1.weight": L.ones(1)}), sd.pop("running")),
], ids=["missing", "unexpected", "both", "size", "sizes", "not-a-tensor", "scalar-from-1",
        "size-and-missing"])
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_errors_match_torch(edit, strict):
    def load(L):
        m = make_net(L)
        sd = OrderedDict((k, v.clone()) for k, v in make_net(L).state_dict().items())
        edit(L, sd)
        r = m.load_state_dict(sd, strict=strict)
        return repr(r), list(r.missing_keys), list(r.unexpected_keys), str(r)
    same(load)


def test_load_state_dict_message_text():
    m = cr.nn.Linear(2, 3)
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict({"weight": cr.ones(3, 2)})
    assert str(e.value) == ('Error(s) in loading state_dict for Linear:\n\t'
                            'Missing key(s) in state_dict: "bias". ')


def test_extra_state_round_trip_and_keys():
    def extra(L):
        class WithState(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = L.nn.Linear(1, 1)
                self.note = {"steps": 3}

            def get_extra_state(self):
                return dict(self.note)

            def set_extra_state(self, state):
                self.note = state

        a, b = L.nn.Sequential(WithState()), L.nn.Sequential(WithState())
        a[0].note = {"steps": 7}
        sd = a.state_dict()
        keys = list(sd)
        r = b.load_state_dict(sd)
        out = [keys, sd["0._extra_state"], b[0].note, repr(r)]
        del sd["0._extra_state"]
        r2 = b.load_state_dict(sd, strict=False)
        out.append((r2.missing_keys, r2.unexpected_keys))
        r3 = L.nn.Linear(1, 1).load_state_dict(
            {"weight": L.ones(1, 1), "bias": L.ones(1), "_extra_state": 1}, strict=False)
        out.append((r3.missing_keys, r3.unexpected_keys))
        return out
    same(extra)


def test_backward_hook_on_non_tensor_output_warns():
    def run(L):
        class Pair(L.nn.Module):
            def forward(self, x):
                return [x * 2]
        m = Pair()
        m.register_full_backward_hook(lambda *a: None)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = m(L.ones(2, requires_grad=True))
        return type(out).__name__, [str(x.message) for x in w]
    same(run)


def test_load_state_dict_assign():
    def assign(L):
        m = L.nn.Linear(2, 2)
        w = L.ones(2, 2)
        m.load_state_dict({"weight": w, "bias": L.zeros(2)}, assign=True)
        return [type(m.weight).__name__, m.weight.requires_grad, m.weight.tolist()]
    same(assign)


# --- hooks ---------------------------------------------------------------------------------------
def test_forward_hooks_order_arguments_and_replacement():
    def hooks(L):
        log = []
        m = L.nn.Linear(3, 2).double()

        def pre1(mod, args):
            log.append(("pre1", type(mod).__name__, len(args), list(args[0].shape)))

        def pre2(mod, args):
            log.append(("pre2",))
            return args[0] * 2                  # a single value: becomes the args tuple

        def pre_kw(mod, args, kwargs):
            log.append(("pre_kw", sorted(kwargs)))

        def post1(mod, args, out):
            log.append(("post1", list(out.shape)))
            return out + 1

        def post2(mod, args, out):
            log.append(("post2", round(float(out.detach().sum()), 9)))

        def post_kw(mod, args, kwargs, out):
            log.append(("post_kw", len(args)))

        h1 = m.register_forward_pre_hook(pre1)
        m.register_forward_pre_hook(pre2)
        m.register_forward_pre_hook(pre_kw, with_kwargs=True, prepend=True)
        m.register_forward_hook(post1)
        m.register_forward_hook(post2)
        m.register_forward_hook(post_kw, with_kwargs=True, prepend=True)
        with L.no_grad():
            m.weight.fill_(0.5)
            m.bias.fill_(0.25)
        x = L.ones(4, 3, dtype=L.float64)
        y1 = m(x)
        h1.remove()
        y2 = m(x)
        with m.register_forward_hook(lambda mod, a, o: o * 0):
            y3 = m(x)
        y4 = m(x)
        return log, [float(y.detach().sum()) for y in (y1, y2, y3, y4)]
    same(hooks)


def test_always_call_forward_hooks_run_when_forward_raises():
    def run(L):
        log = []

        class Boom(L.nn.Module):
            def forward(self, x):
                log.append("forward")
                raise ValueError("boom")

        m = Boom()
        m.register_forward_hook(lambda mod, a, out: log.append(("always", out)),
                                always_call=True)
        m.register_forward_hook(lambda mod, a, out: log.append("never"))

        def failing(mod, a, out):
            raise KeyError("inner")
        h = m.register_forward_hook(failing, always_call=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                m(L.ones(1))
            except ValueError as e:
                log.append(str(e))
        log.append([str(x.message) for x in w])
        h.remove()
        lin = L.nn.Linear(1, 1)
        lin.register_forward_hook(lambda mod, a, out: log.append("ran once"), always_call=True)
        lin.register_forward_hook(lambda mod, a, out: 1 / 0)
        try:
            lin(L.ones(1))
        except ZeroDivisionError:
            log.append("raised")
        return log
    same(run)


def test_forward_pre_hook_bad_kwargs_result():
    def bad(L):
        m = L.nn.Identity()
        m.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
        return m(L.ones(1))
    same(bad)


def _backward_hook_run(L):
    log = []
    m = L.nn.Linear(3, 2).double()
    with L.no_grad():
        m.weight.copy_(L.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=L.float64))
        m.bias.fill_(0.1)

    def as_list(gs):
        return [None if g is None else np.round(g.detach().numpy(), 12).tolist() for g in gs]

    def pre(mod, grad_output):
        log.append(("pre", as_list(grad_output)))
        return (grad_output[0] * 3,)

    def hook(mod, grad_input, grad_output):
        log.append(("hook", type(mod).__name__, as_list(grad_input), as_list(grad_output)))
        return (grad_input[0] + 1,)

    def hook2(mod, grad_input, grad_output):
        log.append(("hook2", as_list(grad_input)))

    m.register_full_backward_pre_hook(pre)
    m.register_full_backward_hook(hook)
    m.register_full_backward_hook(hook2)
    x = L.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]], dtype=L.float64, requires_grad=True)
    y = m(x)
    log.append(("grad_fn", type(y.grad_fn).__name__))
    (y * L.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=L.float64)).sum().backward()
    log.append(("x.grad", as_list([x.grad])))
    log.append(("w.grad", as_list([m.weight.grad, m.bias.grad])))
    return log


def test_full_backward_hooks_match_torch():
    same(_backward_hook_run)


def test_full_backward_hook_without_input_grad():
    def run(L):
        log = []
        warnings.simplefilter("always")
        m = L.nn.Linear(2, 1).double()
        m.register_full_backward_hook(
            lambda mod, gi, go: log.append((len(gi), gi[0] is None, list(go[0].shape))))
        with warnings.catch_warnings(record=True) as w:
            m(L.ones(3, 2, dtype=L.float64)).sum().backward()
        return log, m.weight.grad.shape == (1, 2), [str(x.message) for x in w]
    with warnings.catch_warnings():
        same(run)


def test_full_backward_hook_bad_results():
    def wrong_count(L):
        m = L.nn.Linear(2, 1).double()
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
        m(L.ones(3, 2, dtype=L.float64, requires_grad=True)).sum().backward()
    same(wrong_count)

    def no_input(L):
        warnings.simplefilter("ignore")
        m = L.nn.Linear(2, 1).double()
        m.register_full_backward_hook(lambda mod, gi, go: (L.ones(3, 2),))
        m(L.ones(3, 2, dtype=L.float64)).sum().backward()
    with warnings.catch_warnings():
        same(no_input)

    def pre_count(L):
        m = L.nn.Linear(2, 1).double()
        m.register_full_backward_pre_hook(lambda mod, go: (go[0], go[0]))
        m(L.ones(3, 2, dtype=L.float64, requires_grad=True)).sum().backward()
    same(pre_count)


# --- reprs ---------------------------------------------------------------------------------------
def test_reprs_match_torch():
    def reprs(L):
        nn = L.nn
        return [
            repr(make_net(L)),
            repr(nn.Module()),
            repr(nn.Sequential()),
            repr(nn.Sequential(OrderedDict([("enc", nn.Linear(2, 3)),
                                            ("mid", nn.Sequential(nn.Identity(), nn.Flatten())),
                                            ("dec", nn.Linear(3, 2, bias=False))]))),
            repr(nn.ModuleList([nn.Linear(1, 2) for _ in range(3)] + [nn.Identity()]
                               + [nn.Linear(2, 2)] * 2)),
            repr(nn.ModuleList()),
            repr(nn.ModuleDict({"a": nn.Identity(), "b": nn.ModuleList([nn.Dropout()])})),
            repr(nn.ParameterList([nn.Parameter(L.ones(2)),
                                   nn.Parameter(L.ones(2, 3, dtype=L.float64))])),
            repr(nn.ParameterDict({"b": nn.Parameter(L.ones(2)),
                                   "a": nn.Parameter(L.ones(2, 3, dtype=L.float64))})),
        ]
    same(reprs)


def test_extra_repr_multiline_and_custom():
    def custom(L):
        class Custom(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = L.nn.Linear(1, 1)

            def extra_repr(self):
                return "alpha=1\nbeta=2"

        class OneLine(L.nn.Module):
            def extra_repr(self):
                return "k=3"
        return [repr(Custom()), repr(OneLine()), repr(L.nn.Sequential(Custom(), OneLine()))]
    same(custom)


def test_tutorial_build_the_model_repr():
    """The "Build the Neural Network" tutorial's model."""
    def tutorial(L):
        nn = L.nn
        ReLU = _ReLU.of(L)

        class NeuralNetwork(nn.Module):
            def __init__(self):
                super().__init__()
                self.flatten = nn.Flatten()
                self.linear_relu_stack = nn.Sequential(
                    nn.Linear(28 * 28, 512), ReLU(), nn.Linear(512, 512), ReLU(),
                    nn.Linear(512, 10))

            def forward(self, x):
                return self.linear_relu_stack(self.flatten(x))

        model = NeuralNetwork()
        X = L.rand(1, 28, 28)
        logits = model(X)
        pred = L.nn.functional.softmax(logits, dim=1).argmax(1)
        sizes = [(name, list(p.size())) for name, p in model.named_parameters()]
        return repr(model), list(logits.shape), list(pred.shape), sizes, \
            type(logits.grad_fn).__name__
    same(tutorial)


def test_sequential_and_modulelist_indexing():
    def index(L):
        nn = L.nn
        s = nn.Sequential(nn.Linear(1, 2), nn.Identity(), nn.Flatten())
        out = [type(s[-1]).__name__, len(s), repr(s[1:]), [type(x).__name__ for x in s]]
        s.append(nn.Dropout())
        s[0] = nn.Identity()
        del s[1]
        out += [repr(s), len(s)]
        s.insert(1, nn.Linear(3, 3))
        out += [list(s._modules), type(s[1]).__name__]
        ml = nn.ModuleList([nn.Identity(), nn.Linear(2, 2)])
        ml.append(nn.Flatten())
        ml.extend([nn.Dropout()])
        ml += [nn.Identity()]
        ml.insert(0, nn.Linear(1, 1))
        del ml[2]
        out += [repr(ml), len(ml), repr(ml[1:3]), type(ml[-1]).__name__,
                [n for n, _ in ml.named_parameters()]]
        ml.pop(0)
        out += [list(ml._modules)]
        a, b = nn.Sequential(nn.Identity(), nn.Linear(1, 1)), nn.Sequential(nn.Flatten())
        c = a + b
        d = 2 * a
        a += b
        b *= 3
        out += [repr(c), repr(d), repr(a), repr(b), repr(b * 1), c[1] is a[1]]
        md = nn.ModuleDict([("x", nn.Identity()), ("y", nn.Linear(1, 1))])
        md["z"] = nn.Flatten()
        md.update({"w": nn.Identity()})
        del md["x"]
        out += [list(md), list(md.keys()), "y" in md, len(md), type(md.pop("y")).__name__,
                repr(md)]
        return out
    same(index)


@pytest.mark.parametrize("f", [
    lambda L: L.nn.Sequential(L.nn.Identity())[3],
    lambda L: L.nn.Sequential(L.nn.Identity())[-2],
    lambda L: L.nn.ModuleList([L.nn.Identity()])[5],
    lambda L: L.nn.ModuleList(5),
    lambda L: L.nn.ModuleDict(5),
    lambda L: L.nn.ModuleDict([5]),
    lambda L: L.nn.ModuleDict([("a", L.nn.Identity(), 3)]),
    lambda L: L.nn.ModuleDict({"a": 3}),
    lambda L: L.nn.ParameterList(L.ones(2)),
    lambda L: L.nn.ParameterList()(1),
    lambda L: L.nn.ParameterDict()(1),
    lambda L: L.nn.ParameterDict({1: L.ones(1)}),
    lambda L: L.nn.ParameterDict(5),
    lambda L: L.nn.ParameterDict([("a", L.ones(1), 2)]),
    lambda L: L.nn.Sequential().insert(0, 3),
    lambda L: L.nn.Sequential() + L.nn.ModuleList(),
    lambda L: L.nn.Sequential().__iadd__([1]),
    lambda L: L.nn.Sequential() * 1.5,
    lambda L: L.nn.Sequential(L.nn.Identity()) * 0,
    lambda L: L.nn.Sequential(L.nn.Identity()).__imul__(-1),
    lambda L: L.nn.Sequential().insert(4, L.nn.Identity()),
], ids=lambda f: "")
def test_container_misuse(f):
    same(f)


def test_parameter_containers():
    def pcs(L):
        nn = L.nn
        pl = nn.ParameterList([L.ones(2), nn.Parameter(L.zeros(3))])
        pl.append(L.ones(1))
        pl.extend([nn.Parameter(L.ones(4))])
        out = [len(pl), [type(p).__name__ for p in pl], [n for n, _ in pl.named_parameters()],
               list(pl[-1].shape), len(pl[1:3]), list(pl.state_dict())]
        pd = nn.ParameterDict({"b": L.ones(2), "a": nn.Parameter(L.zeros(1))})
        pd["c"] = L.ones(3)
        pd.update([("d", L.ones(1))])
        out += [list(pd), list(pd.keys()), [type(v).__name__ for v in pd.values()],
                "a" in pd, len(pd), list(pd.get("c").shape), pd.get("zz"),
                [n for n, _ in pd.named_parameters()]]
        pd.pop("a")
        out += [list(pd)]

        class Holder(nn.Module):
            def __init__(self):
                super().__init__()
                self.ps = nn.ParameterList([L.ones(2)])
                self.pd = nn.ParameterDict({"k": L.ones(1)})
        out += [[n for n, _ in Holder().named_parameters()], list(Holder().state_dict())]
        return out
    same(pcs)


def test_deepcopy_module():
    m = make_net(cr)
    m2 = copy.deepcopy(m)
    assert m2.fc1 is m2.again and m2.fc1 is not m.fc1
    assert isinstance(m2.fc1.weight, cr.nn.Parameter)
    assert np.array_equal(m2.fc1.weight.detach().numpy(), m.fc1.weight.detach().numpy())


def test_deep_model_walks_without_recursion_limit():
    m = cr.nn.Identity()
    for _ in range(3000):
        outer = cr.nn.Module()
        outer.inner = m
        m = outer
    assert len(list(m.named_modules())) == 3001
    assert list(m.parameters()) == []
    m.inner.inner.inner.p = cr.nn.Parameter(cr.ones(1))
    m.eval()
    assert not m.inner.inner.training
    seen = []
    m.apply(lambda mod: seen.append(mod))
    assert len(seen) == 3001 and seen[-1] is m
    m.double()
    assert m.inner.inner.inner.p.dtype == cr.float64
    assert list(m.state_dict()) == ["inner.inner.inner.p"]
    m.load_state_dict(m.state_dict())


def test_plain_tensor_ops_not_slowed_by_parameter():
    # The dispatch point only looks at subclasses when an input is not a
    # plain Tensor; results of ops on Parameters are Tensors.
    p = cr.nn.Parameter(cr.ones(3))
    assert type(p * p) is cr.Tensor and type(cr.ones(3) + p) is cr.Tensor
    assert math.isclose((p * 2).sum().item(), 6.0)


def test_tutorial_polynomial_custom_module_and_nn_sequential():
    """The examples_nn polynomial fits ("Custom nn Modules" and "nn"), with
    the loss written out (the loss modules come with another branch), from
    the same starting values in both libraries."""
    def fit(L):
        x = L.linspace(-math.pi, math.pi, 200, dtype=L.float64)
        y = L.sin(x)

        class Polynomial3(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = L.nn.Parameter(L.tensor(0.1, dtype=L.float64))
                self.b = L.nn.Parameter(L.tensor(-0.2, dtype=L.float64))
                self.c = L.nn.Parameter(L.tensor(0.3, dtype=L.float64))
                self.d = L.nn.Parameter(L.tensor(0.05, dtype=L.float64))

            def forward(self, x):
                return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

            def string(self):
                return (f"y = {self.a.item():.6f} + {self.b.item():.6f} x + "
                        f"{self.c.item():.6f} x^2 + {self.d.item():.6f} x^3")

        model = Polynomial3()
        opt = L.optim.SGD(model.parameters(), lr=1e-6)
        for _ in range(100):
            loss = (model(x) - y).pow(2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        first = model.string()

        p = L.tensor([1, 2, 3])
        xx = x.unsqueeze(-1).pow(p)
        seq = L.nn.Sequential(L.nn.Linear(3, 1), L.nn.Flatten(0, 1)).double()
        with L.no_grad():
            seq[0].weight.copy_(L.tensor([[0.1, -0.1, 0.05]], dtype=L.float64))
            seq[0].bias.fill_(0.2)
        for _ in range(100):
            loss = (seq(xx) - y).pow(2).sum()
            seq.zero_grad()
            loss.backward()
            with L.no_grad():
                for param in seq.parameters():
                    param -= 1e-6 * param.grad
        lin = seq[0]
        second = (f"y = {lin.bias.item():.6f} + {lin.weight[:, 0].item():.6f} x + "
                  f"{lin.weight[:, 1].item():.6f} x^2 + {lin.weight[:, 2].item():.6f} x^3")
        return first, second, repr(seq), type(seq(xx).grad_fn).__name__
    same(fit)


def test_module_pickles():
    import pickle
    m = cr.nn.Sequential(cr.nn.Linear(2, 3), cr.nn.Dropout(0.1), cr.nn.Embedding(4, 2))
    m.eval()
    m2 = pickle.loads(pickle.dumps(m))
    assert repr(m2) == repr(m) and not m2.training
    assert isinstance(m2[0].weight, cr.nn.Parameter)
    for (n, a), (_, b) in zip(m.state_dict().items(), m2.state_dict().items()):
        assert np.array_equal(a.numpy(), b.numpy()), n

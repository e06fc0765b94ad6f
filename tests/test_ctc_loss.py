"""ctc_loss (chainrule/ops/ctc.py) beyond the op table: its raw gradient on
log_probs that are not log_softmax outputs (torch's formula, not the true
derivative), infinite losses, float64 gradcheck through log_softmax against
finite differences, the refusals of a second derivative and forward mode, and
misuse side by side with torch.  The op-table rows are in _opcases_misc.py."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import gradcheck

from test_misuse import _check, needs_torch

C = pytest.param


def _F(L):
    return L.nn.functional


def _lp(L, shape=(6, 3, 5), seed=0, dtype="float64", normalised=True):
    x = L.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=getattr(L, dtype))
    x = x.log_softmax(-1) if normalised else x
    return x.detach().requires_grad_()


def _nll_by_paths(lp, target, blank):
    """-log of the sum over every alignment of len(lp) steps that collapses to
    target (repeats merged, then blanks removed): the definition, by brute force."""
    import itertools
    t_len, c = lp.shape
    total = 0.0
    for path in itertools.product(range(c), repeat=t_len):
        merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        if [k for k in merged if k != blank] == list(target):
            total += np.exp(sum(lp[t, k] for t, k in enumerate(path)))
    return -np.log(total) if total else np.inf


@pytest.mark.parametrize("target,blank,t_len", [([1, 2], 0, 4), ([1, 1], 0, 4), ([2, 2, 0], 1, 5),
                                                ([], 0, 3), ([1, 1, 1], 0, 4), ([0], 2, 1)])
def test_value_is_the_sum_over_alignments(target, blank, t_len):
    x = np.random.default_rng(len(target) + blank).standard_normal((t_len, 3))
    lp = x - np.log(np.exp(x).sum(1, keepdims=True))
    got = _F(cr).ctc_loss(cr.tensor(lp), cr.tensor(target, dtype=cr.int64), cr.tensor(t_len),
                          cr.tensor(len(target)), blank=blank, reduction="none")
    assert got.item() == pytest.approx(_nll_by_paths(lp, target, blank), rel=1e-12)


def test_gradcheck_through_log_softmax():
    x = cr.tensor(np.random.default_rng(1).standard_normal((5, 3, 4)), requires_grad=True)
    tg, il, tl = cr.tensor([[1, 2, 2], [3, 3, 0], [1, 0, 0]]), [5, 4, 3], [3, 2, 1]
    for red in ("none", "sum", "mean"):
        assert gradcheck(lambda v: _F(cr).ctc_loss(v.log_softmax(2), tg, il, tl, reduction=red),
                         (x,))


def test_forward_mode_refused_and_double_backward_refused():
    lp = _lp(cr)
    loss = _F(cr).ctc_loss(lp, cr.tensor([[1, 2], [3, 1], [2, 0]]), [6, 5, 4], [2, 2, 1])
    g, = cr.autograd.grad(loss, lp, create_graph=True)
    assert type(g.grad_fn).__name__ == "NotImplemented" and g.requires_grad
    with pytest.raises(RuntimeError, match="^derivative for aten::_ctc_loss_backward is not "
                                           "implemented$"):
        g.sum().backward()




def _both(fn):
    import torch as _torch
    return fn(cr), fn(_torch)


def _np(t):
    return t.detach().numpy().astype(np.float64)


_SETUPS = {
    "padded": dict(targets=[[1, 2, 2], [3, 1, 0], [4, 4, 4]], il=[6, 4, 5], tl=[3, 2, 1]),
    "concatenated": dict(targets=[1, 2, 2, 3, 1, 4], il=[6, 4, 5], tl=[3, 2, 1]),
    "infeasible": dict(targets=[[1, 1, 1], [3, 1, 0], [2, 2, 0]], il=[4, 4, 2], tl=[3, 2, 2]),
    "empty_lengths": dict(targets=[[1, 2], [3, 3], [1, 0]], il=[0, 6, 0], tl=[0, 2, 1]),
}


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("setup", sorted(_SETUPS))
def test_values_and_raw_gradient_against_torch(setup, reduction, zero_infinity, dtype):
    s = _SETUPS[setup]

    def run(L):
        lp = _lp(L, dtype=dtype, normalised=False)     # (the op table has log_softmax inputs)
        loss = _F(L).ctc_loss(lp, L.tensor(s["targets"]), L.tensor(s["il"]), L.tensor(s["tl"]),
                              blank=0, reduction=reduction, zero_infinity=zero_infinity)
        v = L.tensor(np.linspace(0.5, 1.5, loss.numel()).reshape(tuple(loss.shape)),
                     dtype=loss.dtype)
        g, = L.autograd.grad(loss, lp, v)
        return loss, g

    (l_cr, g_cr), (l_t, g_t) = _both(run)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    assert str(l_cr.dtype) == str(l_t.dtype) and str(g_cr.dtype) == str(g_t.dtype)
    assert type(l_cr.grad_fn).__name__ == type(l_t.grad_fn).__name__
    np.testing.assert_allclose(_np(l_cr), _np(l_t), **tol)
    np.testing.assert_allclose(_np(g_cr), _np(g_t), equal_nan=True, **tol)


@needs_torch
def test_unbatched_graph_is_torchs():
    def names(L):
        lp = _lp(L, (5, 4))
        out = []
        for red in ("none", "sum", "mean"):
            fn = _F(L).ctc_loss(lp, L.tensor([1, 3]), L.tensor(5), L.tensor(2), reduction=red,
                                zero_infinity=True).grad_fn
            chain = []
            while fn is not None:
                chain.append(type(fn).__name__)
                fn = next((f for f, _ in fn.next_functions if f is not None), None)
            out.append(chain)
        return out
    mine, theirs = _both(names)
    assert mine == theirs


@needs_torch
def test_module_and_torch_form_defaults():
    def run(L):
        lp = _lp(L)
        args = (lp, L.tensor([[1, 2, 2], [3, 1, 0], [4, 4, 4]]), [6, 4, 5], [3, 2, 1])
        m = L.nn.CTCLoss(blank=0, reduction="sum")
        with L.no_grad():
            return ([float(L.ctc_loss(*args).sum()), float(L.ctc_loss(*args, 0, 2)),
                     float(L.ctc_loss(*args, 0, 3).sum()), float(m(*args)),
                     float(L.nn.CTCLoss()(*args))], repr(m), m.blank, m.zero_infinity)
    mine, theirs = _both(run)
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-12)
    assert mine[1:] == theirs[1:]


_LP = lambda L: L.zeros(5, 2, 4).log_softmax(2)       # noqa: E731
_TG = lambda L: L.tensor([[1, 2, 2], [3, 1, 0]])        # noqa: E731
_IL = lambda L: L.tensor([5, 4])                        # noqa: E731
_TL = lambda L: L.tensor([3, 2])                        # noqa: E731

CASES = [
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), _IL(L), _TL(L), reduction="bad"), id="bad-reduction"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), _IL(L), _TL(L), blank=4), id="blank-too-big"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), _IL(L), _TL(L), blank=-1), id="blank-negative"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), L.tensor([5, 6]), _TL(L)), id="input-length-too-big"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), L.tensor([-1, 4]), _TL(L)), id="input-length-negative"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), _IL(L), L.tensor([-1, 2])), id="target-length-negative"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), _IL(L), L.tensor([3, 4])), id="target-length-over-width"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), L.tensor([5, 4, 3]), _TL(L)), id="input-lengths-size"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), _IL(L), L.tensor([3, 2, 1])), id="target-lengths-size"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), L.tensor([5.0, 4]), _TL(L)), id="input-lengths-float"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L), _IL(L), L.tensor([3.0, 2])), id="target-lengths-float"),
    C(lambda L: _F(L).ctc_loss(_LP(L), L.tensor([1, 2, 2, 3, 1]), _IL(L), L.tensor([3, 3])),
      id="concatenated-size"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L)[:1], _IL(L), _TL(L)), id="targets-batch"),
    C(lambda L: _F(L).ctc_loss(_LP(L), _TG(L)[:, :, None], _IL(L), _TL(L)), id="targets-3d"),
    C(lambda L: _F(L).ctc_loss(_LP(L)[None], _TG(L), _IL(L), _TL(L)), id="log-probs-4d"),
    C(lambda L: _F(L).ctc_loss(_LP(L)[:, 0, 0], _TG(L)[0], L.tensor(5), L.tensor(3)), id="log-probs-1d"),
    C(lambda L: _F(L).ctc_loss(_LP(L)[:, :0], _TG(L)[:0], L.tensor([], dtype=L.long),
                               L.tensor([], dtype=L.long)), id="empty-batch"),
    C(lambda L: _F(L).ctc_loss(_LP(L).long(), _TG(L), _IL(L), _TL(L)), id="int-log-probs"),
    C(lambda L: _F(L).ctc_loss(_LP(L).half(), _TG(L), _IL(L), _TL(L)), id="half-log-probs"),
    C(lambda L: _F(L).ctc_loss(_LP(L)[:, 0], _TG(L)[0], L.tensor([5, 4]), L.tensor(3)),
      id="unbatched-lengths-size"),
    C(lambda L: float(_F(L).ctc_loss(_LP(L), _TG(L).float(), _IL(L), _TL(L))), id="float-targets"),
    C(lambda L: float(_F(L).ctc_loss(_LP(L), _TG(L).int(), _IL(L).int(), L.tensor([3, 2], dtype=L.int16))),
      id="narrow-int-lengths"),
    C(lambda L: _F(L).ctc_loss(_LP(L).double().requires_grad_(), _TG(L), _IL(L), _TL(L)).backward(),
      id="backward-returns-none"),
]


@needs_torch
@pytest.mark.parametrize("case", CASES)
def test_misuse_matches_torch(case):
    _check(case)


@needs_torch
def test_forward_ad_refusal_is_torchs():
    def run(L):
        fw = L.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(_LP(L).double(), L.ones(5, 2, 4, dtype=L.float64))
            try:
                _F(L).ctc_loss(d, _TG(L), _IL(L), _TL(L))
            except NotImplementedError as e:
                return str(e)
    mine, theirs = _both(run)
    assert mine == theirs and mine is not None

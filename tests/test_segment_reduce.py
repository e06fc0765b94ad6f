"""torch.segment_reduce (chainrule/ops/segment.py) beyond the op table
(_opcases_misc.py): values against a loop over the segments, the gradient at
ties, zeros and initial values against torch's, the refusals of a second
derivative and forward mode, and misuse side by side with torch."""
import numpy as np
import pytest

import chainrule as cr

from test_misuse import _check, needs_torch

C = pytest.param
_REDUCE = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "prod": np.prod}
_EMPTY = {"sum": 0.0, "mean": np.nan, "max": -np.inf, "min": np.inf, "prod": 1.0}


@pytest.mark.parametrize("reduce", sorted(_REDUCE))
@pytest.mark.parametrize("initial", [None, 0.25])
def test_values_are_the_segments_reduced(reduce, initial):
    data = np.random.default_rng(0).standard_normal((2, 7, 3))
    lengths = [[3, 0, 4], [1, 5, 1]]
    got = cr.segment_reduce(cr.tensor(data), reduce, lengths=cr.tensor(lengths), axis=1,
                            initial=initial).numpy()
    for row, ls in enumerate(lengths):
        start = 0
        for s, n in enumerate(ls):
            seg = data[row, start:start + n]
            start += n
            if initial is None:
                want = _REDUCE[reduce](seg, axis=0) if n else np.full(3, _EMPTY[reduce])
            elif reduce == "mean":
                want = (seg.sum(0) + initial) / n if n else np.full(3, initial)
            elif reduce in ("max", "min"):
                want = _REDUCE[reduce](np.concatenate([seg, np.full((1, 3), initial)]), axis=0)
            else:
                want = _REDUCE[reduce](np.concatenate([seg, np.full((1, 3), initial)]), axis=0)
            np.testing.assert_allclose(got[row, s], want, rtol=1e-12)


def _graded(L, data, reduce, **kw):
    x = L.tensor(data, dtype=L.float64, requires_grad=True)
    kw = {k: L.tensor(v) if k in ("lengths", "offsets") else v for k, v in kw.items()}
    r = L.segment_reduce(x, reduce, **kw)
    v = L.arange(1.0, r.numel() + 1, dtype=L.float64).reshape(tuple(r.shape))
    g, = L.autograd.grad(r, x, v)
    return r.tolist(), g.tolist(), type(r.grad_fn).__name__


@needs_torch
@pytest.mark.parametrize("data,reduce,kw", [
    ([2.0, 2, 1, 3, 3, 3], "max", dict(lengths=[3, 3])),
    ([2.0, 2, 1, 3, 3, 3], "min", dict(lengths=[3, 3], initial=2.0)),
    ([1.0, 2, 5, 3], "max", dict(lengths=[2, 2], initial=2.0)),
    ([0.0, 2, 1, 0, 0, 3, 4], "prod", dict(lengths=[3, 2, 2])),
    ([0.0, 2, 1, 0, 0, 3, 4], "prod", dict(lengths=[3, 2, 2], initial=2.0)),
    ([1.0, 2, 3], "mean", dict(lengths=[0, 3, 0])),
    ([1.0, 2, 3], "sum", dict(lengths=[0, 3, 0], initial=1.5)),
    ([1.0, 2, 3, 4], "sum", dict(offsets=[1, 3])),
    ([[1.0, 2, 3], [4, 5, 6]], "max", dict(lengths=[[1, 2], [3, 0]], axis=1)),
], ids=["max-ties", "min-ties-initial", "max-initial-wins", "prod-zeros", "prod-zeros-initial",
        "mean-empty", "sum-empty-initial", "offsets-partial", "rows-empty"])
def test_values_and_gradients_against_torch(data, reduce, kw):
    import torch
    mine, theirs = _graded(cr, data, reduce, **kw), _graded(torch, data, reduce, **kw)
    assert mine[2] == theirs[2]
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-12)


def _second(L):
    x = L.tensor([1.0, 2, 3], dtype=L.float64, requires_grad=True)
    g, = L.autograd.grad(L.segment_reduce(x, "prod", lengths=L.tensor([1, 2])).sum(), x,
                         create_graph=True)
    return type(g.grad_fn).__name__, g.sum().backward()


def _forward_ad(L):
    fw = L.autograd.forward_ad
    with fw.dual_level():
        d = fw.make_dual(L.ones(3, dtype=L.float64), L.ones(3, dtype=L.float64))
        return L.segment_reduce(d, "sum", lengths=L.tensor([3]))


_D = lambda L: L.tensor([1.0, 2, 3, 4, 5, 6])          # noqa: E731
_LEN = lambda L: L.tensor([2, 0, 3, 1])                  # noqa: E731
CASES = [
    C(_second, id="second-derivative"),
    C(lambda L: L.segment_reduce(_D(L), "bad", lengths=_LEN(L)), id="bad-reduce"),
    C(lambda L: L.segment_reduce(_D(L), "sum", indices=L.tensor([0, 0, 1, 1, 1, 2])), id="indices"),
    C(lambda L: L.segment_reduce(_D(L), "sum"), id="neither"),
    C(lambda L: L.segment_reduce(_D(L), "sum", lengths=L.tensor([2, 0, 3])), id="lengths-sum"),
    C(lambda L: L.segment_reduce(_D(L), "sum", lengths=L.tensor([2, -1, 5])), id="lengths-negative"),
    C(lambda L: L.segment_reduce(_D(L), "sum", lengths=L.tensor([2, 0, 3]), unsafe=True), id="unsafe"),
    C(lambda L: L.segment_reduce(_D(L), "sum", lengths=_LEN(L).float()), id="lengths-float"),
    C(lambda L: L.segment_reduce(_D(L), "sum", lengths=_LEN(L).int()), id="lengths-int32"),
    C(lambda L: L.segment_reduce(_D(L), "sum", lengths=[2, 0, 3, 1]), id="lengths-list"),
    C(lambda L: L.segment_reduce(_D(L).long(), "sum", lengths=_LEN(L)), id="data-long"),
    C(lambda L: L.segment_reduce(_D(L).half(), "sum", lengths=_LEN(L)), id="data-half"),
    C(lambda L: L.segment_reduce(_D(L).to(L.complex64), "sum", lengths=_LEN(L)), id="data-complex"),
    C(lambda L: L.segment_reduce(_D(L).reshape(2, 3), "sum", lengths=L.tensor([1, 2]), axis=1),
      id="axis-not-last-of-lengths"),
    C(lambda L: L.segment_reduce(_D(L).reshape(2, 3), "sum", lengths=L.tensor([1, 2]), axis=-1),
      id="axis-negative"),
    C(lambda L: L.segment_reduce(_D(L), "sum", lengths=L.tensor([6]), axis=1), id="axis-out-of-range"),
    C(lambda L: L.segment_reduce(_D(L), "sum", lengths=L.tensor([[6]])), id="lengths-more-dims"),
    C(lambda L: L.segment_reduce(_D(L), "sum", lengths=L.tensor(6)), id="lengths-0d"),
    C(lambda L: L.segment_reduce(_D(L), "sum", offsets=L.tensor([0, 2, 1, 6])), id="offsets-decreasing"),
    C(lambda L: L.segment_reduce(_D(L), "amin", offsets=L.tensor([0, 2, 6]), initial=1.5), id="amin-offsets"),
    C(lambda L: L.segment_reduce(L.ones(0), "sum", lengths=L.tensor([0, 0])), id="empty-data"),
    C(lambda L: L.segment_reduce(L.ones(0, 2), "max", lengths=L.tensor([0])), id="empty-data-max"),
    C(lambda L: L.segment_reduce(_D(L), "mean", lengths=_LEN(L), initial=10), id="mean-int-initial"),
]


@needs_torch
@pytest.mark.parametrize("case", CASES)
def test_misuse_matches_torch(case):
    _check(case)


@needs_torch
def test_forward_ad_refusal_is_torchs():
    import torch

    def message(L):
        try:
            _forward_ad(L)
        except NotImplementedError as e:
            return str(e)
    assert message(cr) == message(torch) is not None

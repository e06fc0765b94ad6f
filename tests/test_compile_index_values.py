"""chainrule.compile never replays an index or a mask that a function computed
from a tensor's values: each call gives eager mode's values and gradients,
whether it replays or runs eagerly (with its one warning).  The inputs repeat
a pattern first (so that a replay checked only against the second call would
pass), then change it."""
import warnings

import pytest

import chainrule as torch
import chainrule.nn.functional as F

W = torch.randn(4, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64,
                requires_grad=True)
R3 = torch.arange(3.0, dtype=torch.float64)

CASES = {
    "masked_select": lambda x, t: (torch.masked_select(x, x > 0) * 2.0).sum(),
    "bool index": lambda x, t: (x[x > 0] * 2.0).sum(),
    "nonzero index": lambda x, t: (x[torch.nonzero(x > 0).squeeze(1)] * 2.0).sum(),
    "argsort index": lambda x, t: (x[torch.argsort(x)] * R3).sum(),
    "index_select": lambda x, t: (torch.index_select(x, 0, torch.argsort(x)) * R3).sum(),
    "take": lambda x, t: (torch.take(x, torch.argsort(x)) * R3).sum(),
    "gather": lambda x, t: (torch.gather(x, 0, torch.argsort(x)) * R3).sum(),
    "scatter": lambda x, t: (torch.zeros(3, dtype=x.dtype).scatter(0, torch.argsort(x), x) * R3).sum(),
    "index_put": lambda x, t: (torch.zeros(3, dtype=x.dtype).index_put((torch.argsort(x),), x) * R3).sum(),
    "repeat_interleave": lambda x, t: torch.repeat_interleave(x, (x > 0).long()).sum(),
    "masked_fill": lambda x, t: x.masked_fill(x > 0, 0.0).sum(),
    "argmax index": lambda x, t: x[x.argmax()] * 1.0,
    "where": lambda x, t: torch.where(x > 0, x, 2 * x).sum(),
    "sort": lambda x, t: (torch.sort(x).values * R3).sum(),
    "topk": lambda x, t: (x.topk(2).values * R3[:2]).sum(),
    "argument index": lambda x, t: (x[t] * R3).sum(),
    "argument take": lambda x, t: (torch.take(x, t) * R3).sum(),
    "argument index_select": lambda x, t: (x.index_select(0, t) * R3).sum(),
    "argument scatter_add": lambda x, t: (torch.zeros(3, dtype=x.dtype).scatter_add(0, t, x) * R3).sum(),
    "argument mask": lambda x, t: x.masked_fill(t > 0, 0.0).sum(),
    "list index": lambda x, t: (x[[0, 2]] * 3.0).sum(),
    "tril": lambda x, t: torch.tril(x[:, None] * x[None, :]).sum(),
    "cross_entropy": lambda x, t: F.cross_entropy(x[None, :] * R3[:, None], t),
    "embedding": lambda x, t: (F.embedding(t, x[:, None]) * R3[:, None]).sum(),
}

# (x, t): the sign pattern and the order of the first two repeat, then change
INPUTS = [([1.0, -2.0, 3.0], [0, 2, 1]), ([4.0, -1.0, 5.0], [0, 2, 1]),
          ([1.0, 2.0, 3.0], [2, 0, 1]), ([-1.0, -2.0, -3.0], [1, 1, 0]),
          ([3.0, 1.0, 2.0], [2, 1, 0])]


@pytest.mark.parametrize("name", list(CASES))
def test_compiled_values_and_gradients_are_eager_ones(name):
    fn = CASES[name]
    f = torch.compile(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # (the ones that run eagerly say so once)
        for xv, tv in INPUTS:
            t = torch.tensor(tv)
            x = torch.tensor(xv, dtype=torch.float64, requires_grad=True)
            y = f(x, t)
            y.backward()
            xe = torch.tensor(xv, dtype=torch.float64, requires_grad=True)
            ye = fn(xe, t)
            ye.backward()
            assert y.item() == ye.item(), (xv, tv)
            assert x.grad.tolist() == xe.grad.tolist(), (xv, tv)


def test_an_index_read_from_values_is_refused_with_its_reason():
    f = torch.compile(CASES["masked_select"])
    with pytest.warns(UserWarning, match="index or mask was computed from a tensor's values"):
        f(torch.tensor([1.0, -2.0]), None)


@pytest.mark.parametrize("name", ["list index", "tril", "where", "sort", "gather", "argmax index"])
def test_constant_indices_and_value_free_ops_still_compile(name):
    f = torch.compile(CASES[name])
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # no "cannot compile" warning
        for xv, tv in INPUTS:
            f(torch.tensor(xv, dtype=torch.float64), torch.tensor(tv))

"""Random draws into tensors (chainrule/_random_inplace.py): grad_fn names,
versions and errors side by side with torch; the distributions checked by
their moments with fixed seeds (the values are NumPy's PCG64's, not torch's)."""
import math

import numpy as np
import pytest

import chainrule as cr
from _twin import both, raises_same, name

N = 20000

DRAWS = [("uniform_", ()), ("uniform_", (-2.0, 3.0)), ("normal_", ()), ("normal_", (1.0, 0.5)),
         ("random_", ()), ("random_", (5,)), ("random_", (2, 9)), ("bernoulli_", ()),
         ("bernoulli_", (0.3,)), ("exponential_", ()), ("geometric_", (0.5,)),
         ("log_normal_", ()), ("cauchy_", ())]


@pytest.mark.parametrize("method,args", DRAWS)
def test_inplace_draw_in_graph(method, args):
    def scenario(lib):
        x = lib.ones(3, dtype=lib.float64, requires_grad=True)
        y = x * 2
        r = getattr(y, method)(*args)
        y.sum().backward()
        return r is y, name(y), y._version, str(y.dtype), tuple(y.shape), x.grad.tolist()
    got = both(scenario)
    assert got[5] == [0.0, 0.0, 0.0]


def test_bernoulli_names_and_tensor_p():
    def scenario(lib):
        p = lib.full((4,), 0.5, dtype=lib.float64, requires_grad=True)
        b = lib.bernoulli(p * 1)
        y = p * 1
        y.bernoulli_(lib.tensor([0.0, 1.0, 0.0, 1.0], dtype=lib.float64))
        z = lib.bernoulli(lib.ones(2, dtype=lib.float64), 0.0)
        return name(b), str(b.dtype), name(y), y.tolist(), z.tolist(), str(z.dtype)
    both(scenario)


def test_integer_and_bool_targets():
    def scenario(lib):
        out = []
        for dt in ("int64", "int32", "uint8", "bool"):
            t = lib.zeros(50, dtype=getattr(lib, dt))
            t.random_(2)
            out.append((str(t.dtype), sorted(set(t.tolist())) == [0, 1] or
                        sorted(set(t.tolist())) == [False, True]))
        g = lib.zeros(5, dtype=lib.int64)
        g.geometric_(0.5)
        out.append((str(g.dtype), min(g.tolist()) >= 1))
        return out
    both(scenario)


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2).uniform_(2, 1),
    lambda lib: lib.ones(2).normal_(0, -1),
    lambda lib: lib.ones(2).random_(5, 2),
    lambda lib: lib.ones(2).bernoulli_(1.5),
    lambda lib: lib.bernoulli(lib.tensor([1.5])),
    lambda lib: lib.ones(2).exponential_(-1),
    lambda lib: lib.ones(2).geometric_(0),
    lambda lib: lib.ones(2).geometric_(1.5),
    lambda lib: lib.ones(2).log_normal_(0, -1),
    lambda lib: lib.ones(2).cauchy_(0, -1),
    lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([-1.0, 2.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, math.inf]), 1),
    lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, 2.0]), 0),
    lambda lib: lib.multinomial(lib.tensor([1.0, 2.0]), 3),
    lambda lib: lib.ones(2, dtype=lib.long).uniform_(),
    lambda lib: lib.ones(2, dtype=lib.long).normal_(),
    lambda lib: lib.ones(2, dtype=lib.long).exponential_(),
    lambda lib: lib.ones(2, requires_grad=True).uniform_(),
])
def test_errors(call):
    raises_same(call)


def _sample(method, *args, dtype=cr.float64, seed=0):
    g = cr.Generator().manual_seed(seed)
    return np.array(getattr(cr.empty(N, dtype=dtype), method)(*args, generator=g).tolist())


@pytest.mark.parametrize("method,args,mean,var", [
    ("uniform_", (), 0.5, 1 / 12), ("uniform_", (-2.0, 4.0), 1.0, 3.0),
    ("normal_", (), 0.0, 1.0), ("normal_", (3.0, 0.5), 3.0, 0.25),
    ("exponential_", (2.0,), 0.5, 0.25), ("geometric_", (0.25,), 4.0, 12.0),
    ("log_normal_", (0.0, 0.5), math.exp(0.125), (math.exp(0.25) - 1) * math.exp(0.25)),
    ("bernoulli_", (0.3,), 0.3, 0.21), ("random_", (10,), 4.5, 99 / 12),
    ("random_", (3, 7), 4.5, 15 / 12),
])
def test_moments(method, args, mean, var):
    x = _sample(method, *args)
    se = math.sqrt(var / N)
    assert abs(x.mean() - mean) < 5 * se
    assert abs(x.var() - var) < 0.1 * var


def test_supports_and_cauchy_median():
    u = _sample("uniform_", 1.0, 2.0)
    assert u.min() >= 1.0 and u.max() < 2.0
    r = _sample("random_", 3, 7)
    assert set(r.tolist()) == {3.0, 4.0, 5.0, 6.0}
    c = _sample("cauchy_", 2.0, 0.5)
    assert abs(np.median(c) - 2.0) < 0.05
    assert abs(np.percentile(c, 75) - 2.5) < 0.05          # quartiles at median +- sigma
    f = _sample("random_", dtype=cr.float32)
    assert f.min() >= 0 and f.max() <= 2 ** 24 and np.all(f == np.round(f))


def test_generator_reproducible():
    assert np.array_equal(_sample("normal_", seed=5), _sample("normal_", seed=5))
    assert not np.array_equal(_sample("normal_", seed=5), _sample("normal_", seed=6))
    cr.manual_seed(3)
    a = cr.empty(4).uniform_().tolist()
    cr.manual_seed(3)
    assert cr.empty(4).uniform_().tolist() == a


def test_bernoulli_probabilities():
    g = cr.Generator().manual_seed(1)
    p = cr.tensor([0.0, 0.2, 0.9, 1.0], dtype=cr.float64).expand(N, 4)
    b = np.array(cr.bernoulli(p, generator=g).tolist())
    np.testing.assert_allclose(b.mean(0), [0.0, 0.2, 0.9, 1.0], atol=0.02)
    assert set(np.unique(b).tolist()) <= {0.0, 1.0}


def test_multinomial_frequencies():
    g = cr.Generator().manual_seed(2)
    w = cr.tensor([[1.0, 2.0, 0.0, 5.0], [1.0, 1.0, 1.0, 1.0]])
    s = np.array(cr.multinomial(w, N, replacement=True, generator=g).tolist())
    assert s.shape == (2, N) and cr.multinomial(w, 1).dtype == cr.int64
    np.testing.assert_allclose(np.bincount(s[0], minlength=4) / N, [0.125, 0.25, 0.0, 0.625],
                               atol=0.015)
    np.testing.assert_allclose(np.bincount(s[1], minlength=4) / N, [0.25] * 4, atol=0.015)
    # without replacement: distinct indices; the first is drawn with the weights' probabilities
    first = []
    for k in range(3000):
        row = cr.multinomial(cr.tensor([1.0, 3.0, 0.0]), 2, generator=g).tolist()
        assert len(set(row)) == 2 and 2 not in row
        first.append(row[0])
    assert abs(np.mean(np.array(first) == 1) - 0.75) < 0.04
    # all non-zero weights used up: the zero-weight index comes last, as in PyTorch
    assert cr.multinomial(cr.tensor([1.0, 0.0]), 2).tolist() == [0, 1]
    assert tuple(cr.multinomial(cr.tensor([1.0, 2.0]), 2).shape) == (2,)

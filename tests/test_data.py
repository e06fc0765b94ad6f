"""chainrule.utils.data against torch 2.13: datasets, samplers, default
collation (structures, dtypes, values), DataLoader batching and lengths;
shuffles (whose values differ from torch's) are permutations, reproducible
with a generator."""
import collections
import warnings

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")


def _plain(x):
    """A batch as nested Python data with dtypes and types spelled out, so
    chainrule's and torch's can be compared with ==."""
    if isinstance(x, (cr.Tensor, torch.Tensor)):
        return ("tensor", str(x.dtype), tuple(x.shape), x.tolist())
    if isinstance(x, dict):
        return ("dict", type(x).__name__, {k: _plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return ("namedtuple", type(x).__name__, [_plain(v) for v in x])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    return (type(x).__name__, x)


def _data(L):
    module = L.utils.data
    return module


Point = collections.namedtuple("Point", "x y")


class _Squares:
    """A map-style dataset that is not a Dataset subclass (duck typing)."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {"i": i, "sq": float(i * i), "arr": np.arange(3, dtype=np.float32) * i,
                "name": f"s{i}", "pair": (i, -i), "pt": Point(i, 0.5 * i)}


def _samples(L):
    return {
        "tensor_dataset": L.utils.data.TensorDataset(
            L.arange(10, dtype=L.float64).reshape(5, 2), L.arange(5)),
        "dicts": _Squares(),
        "ints": list(range(9)),
        "floats": [0.5 * i for i in range(6)],
        "bools": [True, False, True],
        "numpy_scalars": [np.float32(i) for i in range(4)],
        "numpy_int_scalars": [np.int16(i) for i in range(4)],
        "numpy_arrays": [np.full((2, 2), i, dtype=np.int32) for i in range(5)],
        "tensors_0d": [L.tensor(float(i)) for i in range(5)],
        "lists": [[i, float(i)] for i in range(4)],
        "strings": ["a", "b", "c"],
    }


@pytest.mark.parametrize("name", sorted(_samples(cr)))
@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (2, False), (3, True), (None, False)])
def test_batches_match_torch(name, batch_size, drop_last):
    out = []
    for L in (cr, torch):
        loader = L.utils.data.DataLoader(_samples(L)[name], batch_size=batch_size,
                                         drop_last=drop_last)
        out.append((len(loader), [_plain(b) for b in loader]))
    assert out[0] == out[1]


def test_default_collate_matches_torch():
    batches = [
        lambda L: [L.zeros(2, 3), L.ones(2, 3)],
        lambda L: [(1, 2.0, "a"), (3, 4.0, "b")],
        lambda L: [{"x": L.tensor([1, 2]), "y": {"z": 1.5}}] * 3,
        lambda L: [Point(1, 2), Point(3, 4)],
        lambda L: [np.array([1.5, 2.5]), np.array([3.5, 4.5])],
        lambda L: [np.float64(1.5), np.float64(2.5)],
        lambda L: [collections.OrderedDict(a=1, b=2.0)] * 2,
        lambda L: [[L.tensor(1.0), [2, 3]], [L.tensor(4.0), [5, 6]]],
    ]
    for make in batches:
        mine = _plain(cr.utils.data.default_collate(make(cr)))
        ref = _plain(torch.utils.data.default_collate(make(torch)))
        assert mine == ref
    for make in batches:
        mine = [_plain(cr.utils.data.default_convert(b)) for b in make(cr)]
        assert mine == [_plain(torch.utils.data.default_convert(b)) for b in make(torch)]


def _error(f, L):
    try:
        f(L)
    except Exception as e:                     # noqa: BLE001  (compared with torch's)
        return type(e), str(e)
    return None


D = lambda L: L.utils.data                      # noqa: E731
MISUSE = {
    "tensor_dataset_sizes": lambda L: D(L).TensorDataset(L.zeros(3), L.zeros(4)),
    "collate_unequal": lambda L: D(L).default_collate([[1, 2], [3]]),
    "collate_object": lambda L: D(L).default_collate([object(), object()]),
    "collate_string_array": lambda L: D(L).default_collate([np.array(["a"]), np.array(["b"])]),
    "concat_empty": lambda L: D(L).ConcatDataset([]),
    "concat_iterable": lambda L: D(L).ConcatDataset([_Stream(L)]),
    "concat_index": lambda L: D(L).ConcatDataset([[1, 2], [3]])[-4],
    "split_sum": lambda L: D(L).random_split(range(10), [3, 3]),
    "split_fraction": lambda L: D(L).random_split(range(10), [0.5, -0.5, 1.0]),
    "sampler_replacement": lambda L: D(L).RandomSampler(range(3), replacement=1),
    "sampler_num_samples": lambda L: D(L).RandomSampler(range(3), num_samples=0),
    "batch_size_zero": lambda L: D(L).BatchSampler(range(3), 0, False),
    "batch_size_bool": lambda L: D(L).BatchSampler(range(3), True, False),
    "batch_drop_last": lambda L: D(L).BatchSampler(range(3), 2, 1),
    "weighted_num_samples": lambda L: D(L).WeightedRandomSampler([0.1, 0.2], num_samples=0),
    "weighted_replacement": lambda L: D(L).WeightedRandomSampler([0.1, 0.2], 2, replacement=1),
    "weighted_2d": lambda L: D(L).WeightedRandomSampler([[0.1, 0.2]], 2),
    "weighted_too_many": lambda L: list(D(L).WeightedRandomSampler([1.0, 1.0], 3,
                                                                   replacement=False)),
    "weighted_negative": lambda L: list(D(L).WeightedRandomSampler([1.0, -1.0], 3)),
    "weighted_nan": lambda L: list(D(L).WeightedRandomSampler([1.0, float("nan")], 3)),
    "weighted_inf": lambda L: list(D(L).WeightedRandomSampler([1.0, float("inf")], 3)),
    "weighted_zero": lambda L: list(D(L).WeightedRandomSampler([0.0, 0.0], 3)),
    "loader_workers": lambda L: D(L).DataLoader(range(3), num_workers=-1),
    "loader_timeout": lambda L: D(L).DataLoader(range(3), timeout=-1),
    "loader_prefetch": lambda L: D(L).DataLoader(range(3), prefetch_factor=2),
    "loader_persistent": lambda L: D(L).DataLoader(range(3), persistent_workers=True),
    "loader_sampler_shuffle": lambda L: D(L).DataLoader(range(3), shuffle=True,
                                                        sampler=range(3)),
    "loader_batch_sampler": lambda L: D(L).DataLoader(range(3), batch_size=2,
                                                      batch_sampler=[[0, 1]]),
    "loader_none_drop_last": lambda L: D(L).DataLoader(range(3), batch_size=None,
                                                       drop_last=True),
    "loader_iterable_shuffle": lambda L: D(L).DataLoader(_Stream(L), shuffle=True),
    "loader_iterable_sampler": lambda L: D(L).DataLoader(_Stream(L), sampler=[0]),
    "dataset_getitem": lambda L: D(L).Dataset()[0],
    "iterable_len": lambda L: len(D(L).DataLoader(_Unsized(L), batch_size=2)),
}


def _Stream(L):
    class Stream(L.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 5
    return Stream()


def _Unsized(L):
    class Unsized(L.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(5))
    return Unsized()


@pytest.mark.parametrize("name", sorted(MISUSE))
def test_misuse_matches_torch(name):
    mine, ref = _error(MISUSE[name], cr), _error(MISUSE[name], torch)
    assert ref is not None
    assert mine == ref


def test_pin_memory_and_workers():
    out = []
    for L in (cr, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pinned = [_plain(b) for b in L.utils.data.DataLoader(range(5), batch_size=2,
                                                                  pin_memory=True)]
        workers = [_plain(b) for b in L.utils.data.DataLoader(range(5), batch_size=2,
                                                               num_workers=2)]
        out.append((pinned, [str(w.message) for w in caught], workers))
    assert out[0] == out[1]


def test_get_worker_info():
    assert cr.utils.data.get_worker_info() is None is torch.utils.data.get_worker_info()


def test_iterable_dataset_batches_and_len():
    for drop_last in (False, True):
        out = []
        for L in (cr, torch):
            loader = L.utils.data.DataLoader(_Stream(L), batch_size=2, drop_last=drop_last)
            out.append((len(loader), [_plain(b) for b in loader],
                        [_plain(b) for b in L.utils.data.DataLoader(_Stream(L),
                                                                     batch_size=None)]))
        assert out[0] == out[1]
    chained = _Stream(cr) + _Stream(cr)
    assert list(chained) == list(range(5)) * 2 and len(chained) == 10


def test_subset_and_concat_match_torch():
    out = []
    for L in (cr, torch):
        base = L.utils.data.TensorDataset(L.arange(6.0))
        sub = L.utils.data.Subset(base, [4, 0, 2])
        cat = L.utils.data.ConcatDataset([sub, [10, 11], base])
        both = sub + base
        out.append((len(sub), _plain(sub[1]), len(cat), cat.cumulative_sizes,
                    [_plain(cat[i]) for i in (0, 3, 4, 5, -1, -11)], len(both),
                    [_plain(b) for b in L.utils.data.DataLoader(sub, batch_size=2)]))
    assert out[0] == out[1]


def _batches(loader):
    return [b[0].tolist() for b in loader]


def test_shuffle_is_a_reproducible_permutation():
    ds = cr.utils.data.TensorDataset(cr.arange(23))
    make = lambda seed: cr.utils.data.DataLoader(             # noqa: E731
        ds, batch_size=5, shuffle=True, generator=cr.Generator().manual_seed(seed))
    first = _batches(make(3))
    flat = [i for b in first for i in b]
    assert sorted(flat) == list(range(23)) and flat != list(range(23))
    assert [len(b) for b in first] == [5, 5, 5, 5, 3]
    assert first == _batches(make(3))
    assert first != _batches(make(4))
    # one loader: each epoch a new order, the sequence reproducible
    loader = make(3)
    epochs = [_batches(loader) for _ in range(3)]
    assert epochs[0] != epochs[1]
    loader = make(3)
    assert [_batches(loader) for _ in range(3)] == epochs
    # without a generator the global seed decides
    cr.manual_seed(7)
    a = _batches(cr.utils.data.DataLoader(ds, batch_size=5, shuffle=True))
    cr.manual_seed(7)
    assert a == _batches(cr.utils.data.DataLoader(ds, batch_size=5, shuffle=True))


def test_samplers():
    g = lambda: cr.Generator().manual_seed(0)                 # noqa: E731
    s = list(cr.utils.data.RandomSampler(range(10), generator=g()))
    assert sorted(s) == list(range(10))
    r = list(cr.utils.data.RandomSampler(range(4), replacement=True, num_samples=70,
                                         generator=g()))
    assert len(r) == 70 and set(r) <= set(range(4)) and len(set(r)) == 4
    w = list(cr.utils.data.RandomSampler(range(4), num_samples=10, generator=g()))
    assert len(w) == 10 and sorted(w[:4]) == sorted(w[4:8]) == list(range(4))
    sub = list(cr.utils.data.SubsetRandomSampler([10, 20, 30, 40], generator=g()))
    assert sorted(sub) == [10, 20, 30, 40]
    assert sub == list(cr.utils.data.SubsetRandomSampler([10, 20, 30, 40], generator=g()))
    for L in (cr, torch):
        bs = L.utils.data.BatchSampler(L.utils.data.SequentialSampler(range(10)), 3, False)
        bd = L.utils.data.BatchSampler(range(10), 3, True)
        out = (list(bs), len(bs), list(bd), len(bd))
        if L is cr:
            mine = out
    assert mine == out
    loader = cr.utils.data.DataLoader(range(10), batch_sampler=bs)
    assert [b.tolist() for b in loader] == [b for b in bs]
    with_sampler = cr.utils.data.DataLoader(range(10), sampler=[3, 1, 2], batch_size=2)
    assert [b.tolist() for b in with_sampler] == [[3, 1], [2]]


def test_random_split():
    for lengths in ([3, 7], [0.3, 0.7], [0.25, 0.25, 0.5], [0.33, 0.33, 0.34]):
        out = []
        for L in (cr, torch):
            parts = L.utils.data.random_split(range(10), lengths,
                                              generator=L.Generator().manual_seed(1))
            out.append([len(p) for p in parts])
            if L is cr:
                flat = sorted(i for p in parts for i in p)
                assert flat == list(range(10))
        assert out[0] == out[1]
    a = cr.utils.data.random_split(range(10), [4, 6], generator=cr.Generator().manual_seed(2))
    b = cr.utils.data.random_split(range(10), [4, 6], generator=cr.Generator().manual_seed(2))
    assert [list(p) for p in a] == [list(p) for p in b]
    for L in (cr, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            L.utils.data.random_split(range(2), [0.1, 0.9])
        if L is cr:
            mine = [str(w.message) for w in caught]
    assert mine == [str(w.message) for w in caught]


def test_collate_fn_and_training_loop():
    """A custom collate_fn, and a DataLoader driving an optimiser."""
    X = cr.linspace(-1, 1, 32, dtype=cr.float64).reshape(32, 1)
    y = 3 * X + 1
    loader = cr.utils.data.DataLoader(cr.utils.data.TensorDataset(X, y), batch_size=8,
                                      shuffle=True, generator=cr.Generator().manual_seed(0),
                                      collate_fn=lambda b: (cr.stack([s[0] for s in b]),
                                                            cr.stack([s[1] for s in b])))
    w = cr.zeros(1, 1, dtype=cr.float64, requires_grad=True)
    b = cr.zeros(1, dtype=cr.float64, requires_grad=True)
    opt = cr.optim.SGD([w, b], lr=0.5)
    for _ in range(40):
        for xb, yb in loader:
            opt.zero_grad()
            ((xb @ w + b - yb) ** 2).mean().backward()
            opt.step()
    assert abs(w.item() - 3) < 1e-6 and abs(b.item() - 1) < 1e-6


def test_generator_state_round_trip():
    g = cr.Generator().manual_seed(11)
    assert g.initial_seed() == 11 and g.device == cr.device("cpu")
    cr.rand(3, generator=g)
    state = g.get_state()
    assert state.dtype == cr.uint8 and state.dim() == 1
    ahead = (cr.randperm(9, generator=g).tolist(), cr.randn(2, generator=g).tolist())
    g.set_state(state)
    assert (cr.randperm(9, generator=g).tolist(), cr.randn(2, generator=g).tolist()) == ahead
    saved = cr.get_rng_state()
    x = cr.rand(4)
    cr.set_rng_state(saved)
    assert cr.equal(x, cr.rand(4))
    for L in (cr, torch):
        out = [_error(lambda L: L.Generator().set_state([1, 2]), L),
               _error(lambda L: L.Generator().set_state(L.zeros(3)), L),
               _error(lambda L: L.Generator().set_state(L.zeros(3, dtype=L.uint8)), L)[0]]
        if L is cr:
            mine = out
    assert mine == out


def test_weighted_random_sampler():
    g = cr.Generator().manual_seed(0)
    w = [1.0, 2.0, 0.0, 7.0]
    n = 20000
    counts = collections.Counter(cr.utils.data.WeightedRandomSampler(w, n, generator=g))
    assert set(counts) == {0, 1, 3}
    for i, wi in enumerate(w):
        p = wi / sum(w)
        # within 5 standard deviations of the binomial count
        assert abs(counts[i] - n * p) <= 5 * (n * p * (1 - p)) ** 0.5 + 1e-9
    # without replacement: distinct indices; the first pick is weighted
    first = collections.Counter()
    for _ in range(3000):
        drawn = list(cr.utils.data.WeightedRandomSampler(w, 3, replacement=False, generator=g))
        assert sorted(drawn) == [0, 1, 3]
        first[drawn[0]] += 1
    for i, wi in enumerate(w):
        p = wi / sum(w)
        assert abs(first[i] - 3000 * p) <= 5 * (3000 * p * (1 - p)) ** 0.5 + 1e-9
    again = cr.utils.data.WeightedRandomSampler(w, 50, generator=cr.Generator().manual_seed(5))
    assert list(again) == list(cr.utils.data.WeightedRandomSampler(
        w, 50, generator=cr.Generator().manual_seed(5)))
    assert len(again) == 50

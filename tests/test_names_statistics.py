"""cov, corrcoef, dist and histogram (chainrule/ops/statistics.py) side by side
with torch: values, dtypes, result types and errors (gradients: the op table)."""
import numpy as np
import pytest

from _twin import both, raises_same, vals, name


def test_cov_corrcoef_values():
    def scenario(lib):
        i = lib.tensor([[1, 2, 3], [2, 4, 7]])
        x = lib.tensor([[0.5, 1.0, -2.0, 3.0], [1.0, 0.0, 2.0, 2.0]], dtype=lib.float64)
        fw, aw = lib.tensor([1, 0, 2, 1]), lib.tensor([0.5, 1.0, 1.0, 2.0], dtype=lib.float64)
        return (vals(lib.cov(i)), str(lib.cov(i).dtype), vals(lib.corrcoef(i)),
                vals(lib.cov(x, correction=0, fweights=fw)), vals(lib.cov(x, aweights=aw)),
                vals(lib.cov(x, fweights=fw, aweights=aw)), vals(lib.cov(x[0])),
                tuple(lib.cov(x[0]).shape), vals(lib.corrcoef(x[0])),
                vals(lib.corrcoef(lib.tensor([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]))))
    got = both(scenario)
    np.testing.assert_allclose(got[0], [[1.0, 2.5], [2.5, 19 / 3]])


def test_cov_degrees_of_freedom_warning():
    for lib in _libs():
        with pytest.warns(UserWarning, match="cov\\(\\): degrees of freedom is <= 0"):
            r = lib.cov(lib.ones(2, 1))
        assert np.isnan(vals(r)).all()


def _libs():
    import chainrule as cr
    from _twin import torch
    return [cr] + ([torch] if torch is not None else [])


@pytest.mark.parametrize("call", [
    lambda lib: lib.cov(lib.ones(2, 2, 2)),
    lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([1.0, 2, 3])),
    lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([-1, 2, 3])),
    lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([[1, 2, 3]])),
    lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.tensor([1.0, 2])),
    lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.tensor([1, 2, 3])),
    lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.tensor([1.0, -2, 3])),
    lambda lib: lib.dist(lib.ones(2), lib.ones(3)),
    lambda lib: lib.histogram(lib.tensor([1, 2]), 2),
    lambda lib: lib.histogram(lib.tensor([1.0, 2]), -1),
])
def test_errors(call):
    raises_same(call)


def test_dist_values():
    def scenario(lib):
        a = lib.tensor([[1.0, -2.0], [0.0, 4.0]])
        b = lib.tensor([0.5, 1.0])
        return [(vals(lib.dist(a, b, p)), str(lib.dist(a, b, p).dtype))
                for p in (2, 1, 0, 3.5, float("inf"), -float("inf"))]
    got = both(scenario)
    np.testing.assert_allclose(got[1][0], 0.5 + 3.0 + 0.5 + 3.0)


def test_dist_name():
    def scenario(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        return [name(lib.dist(a, lib.zeros(2), p)) for p in (2, 1, float("inf"))]
    assert both(scenario)[0] == "DistBackward0"


def test_histogram():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 1.0, 4.0, 2.5])
        outs = [lib.histogram(x, 3), x.histogram(bins=lib.tensor([0.0, 1.0, 3.0, 5.0])),
                lib.histogram(x, 2, range=(0.0, 10.0), weight=lib.tensor([1.0, 2, 3, 4, 5])),
                lib.histogram(x, 4, density=True), lib.histogram(lib.ones(3), 2),
                lib.histogram(lib.tensor([]), 2),
                lib.histogram(lib.tensor([0.1, 0.2, 0.3], dtype=lib.float64), 3, range=(0.0, 0.3)),
                lib.histogram(lib.tensor([[1.0, 5.0], [3.0, 9.0]]), 2, range=(0, 8))]
        return [(vals(h.hist), str(h.hist.dtype), vals(h.bin_edges), type(h).__name__)
                for h in outs] + [repr(outs[0]).startswith("torch.return_types.histogram(")]
    got = both(scenario)
    np.testing.assert_array_equal(got[0][0], [2.0, 2.0, 1.0])


def test_renorm_inplace_and_errors():
    def scenario(lib):
        x = lib.tensor([[3.0, 4.0], [0.1, 0.2], [1.0, 0.0]])
        y = x.clone()
        r = y.renorm_(2, 0, 1.0)
        return vals(x.renorm(2, 0, 1.0)), vals(x.renorm(1, 1, 2.0)), r is y, y._version, vals(y)
    both(scenario)
    for call in (lambda lib: lib.ones(2, 2).renorm(0, 0, 1.0),
                 lambda lib: lib.ones(2, 2).renorm(2, 0, -1.0),
                 lambda lib: lib.ones(2, 2).renorm(2, 3, 1.0),
                 lambda lib: lib.ones(2).renorm(2, 0, 1.0)):
        raises_same(call)

"""Shape names of chainrule/ops/shape_more.py (and fill_diagonal_) side by side
with torch: views and version counters, in-place forms, integer dtypes and
PyTorch's errors.  Gradients are in the op table (tests/_opcases_names.py)."""
import numpy as np
import pytest

from _twin import both, raises_same, vals, name


def _x(lib, *shape, dt="float32"):
    n = int(np.prod(shape))
    return lib.arange(n, dtype=getattr(lib, dt)).reshape(shape)


def test_tensor_split_values_and_views():
    def scenario(lib):
        x = _x(lib, 2, 7, dt="int64")
        a = lib.tensor_split(x, 3, dim=1)
        b = x.tensor_split([1, 5, 9], 1)          # (an index past the end: an empty piece)
        c = lib.tensor_split(x, lib.tensor(2))
        a[0].mul_(10)                                # plain views: writes reach x
        return [vals(t) for t in a + b + c] + [vals(x), x._version, type(a).__name__]
    got = both(scenario)
    assert got[-1] == "tuple"


def test_directional_splits():
    def scenario(lib):
        x = _x(lib, 2, 4, 6)
        return [tuple(t.shape) for t in lib.hsplit(x, 2) + lib.vsplit(x, [1]) +
                lib.dsplit(x, 3) + lib.hsplit(_x(lib, 6), 3) + x.dsplit([2, 5])]
    both(scenario)


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor_split(_x(lib, 3), 0),
    lambda lib: lib.tensor_split(_x(lib, 3), 1.5),
    lambda lib: lib.tensor_split(_x(lib, 3), lib.ones(2, 2, dtype=lib.long)),
    lambda lib: lib.tensor_split(_x(lib, 3), lib.tensor([1.0])),
    lambda lib: lib.tensor_split(lib.tensor(1.0), 2),
    lambda lib: lib.hsplit(lib.tensor(1.0), 2),
    lambda lib: lib.hsplit(_x(lib, 2, 3, 4), 2),
    lambda lib: lib.vsplit(_x(lib, 3), 1),
    lambda lib: lib.dsplit(_x(lib, 3, 3), 1),
    lambda lib: lib.vsplit(_x(lib, 2, 3, 4), 3),
    lambda lib: lib.dsplit(_x(lib, 2, 3, 4), 3),
    lambda lib: _x(lib, 2, 3).split_with_sizes([1, 1], 1),
    lambda lib: _x(lib, 2, 3, 4).sum_to_size(2, 1, 3, 4),
    lambda lib: _x(lib, 2, 3).sum_to_size(3, 3),
    lambda lib: lib.diff(lib.tensor(1.0)),
    lambda lib: lib.diff(_x(lib, 3), n=-1),
    lambda lib: lib.diff(_x(lib, 2, 3), prepend=lib.ones(3)),
    lambda lib: lib.cartesian_prod(lib.ones(2, 2)),
    lambda lib: lib.combinations(lib.ones(2, 2)),
    lambda lib: lib.combinations(lib.ones(3), r=-1),
    lambda lib: lib.broadcast_shapes((2,), (3,)),
    lambda lib: lib.broadcast_shapes((2, 1), (4, 3), (5, 1, 1), (2,)),
    lambda lib: lib.broadcast_shapes((-1,), (3,)),
    lambda lib: lib.select_scatter(lib.zeros(2, 3), lib.ones(2), 0, 0),
    lambda lib: lib.select_scatter(lib.zeros(2, 3), lib.ones(3), 0, 5),
    lambda lib: lib.slice_scatter(lib.zeros(4, 3), lib.ones(1, 3), 0, 0, 4, 2),
    lambda lib: lib.diagonal_scatter(lib.zeros(3, 3), lib.ones(2)),
    lambda lib: _x(lib, 2, 3).narrow_copy(1, 2, 3),
    lambda lib: _x(lib, 2, 3, 4).unfold(2, 5, 1),
    lambda lib: _x(lib, 2, 3, 4).unfold(2, 2, 0),
    lambda lib: _x(lib, 2, 3, 4).unfold(3, 2, 1),
    lambda lib: lib.zeros(3).put(lib.tensor([5]), lib.tensor([1.0])),
    lambda lib: lib.zeros(3).put(lib.tensor([-4]), lib.tensor([1.0])),
    lambda lib: lib.zeros(3).put(lib.tensor([0, 1]), lib.tensor([1.0])),
    lambda lib: lib.zeros(3).put(lib.tensor([0.0]), lib.tensor([1.0])),
    lambda lib: lib.zeros(3).index_put((lib.tensor([4]),), lib.tensor(1.0)),
    lambda lib: lib.zeros(3).fill_diagonal_(1.0),
    lambda lib: lib.zeros(2, 3, 3).fill_diagonal_(1.0),
    lambda lib: lib.ones(2, requires_grad=True).put_(lib.tensor([0]), lib.tensor([1.0])),
])
def test_errors(call):
    raises_same(call)


def test_unsafe_splits_allow_inplace():
    def scenario(lib):
        x = lib.arange(6.0, requires_grad=True)
        y = x * 1
        a, b = lib.unsafe_split(y, 3)
        a.mul_(2)
        c, d = y.unsafe_chunk(2)
        e, f = lib.unsafe_split_with_sizes(y, [2, 4])
        (a.sum() + d.sum() + f.sum()).backward()
        return vals(a), name(a), name(e), vals(x.grad)
    both(scenario)
    raises_same(lambda lib: (lib.arange(4.0, requires_grad=True) * 1).split(2)[0].mul_(2),
                RuntimeError)


def test_ravel_unfold_narrow_copy_storage():
    def scenario(lib):
        x = _x(lib, 2, 3)
        r = x.ravel()
        r[0] = 100                                  # contiguous input: a view
        t = x.t().ravel()
        t[1] = -1                                   # transposed: a copy
        n = x.narrow_copy(1, 0, 2)
        n.mul_(0)                                   # a copy
        u = _x(lib, 5, dt="int32").unfold(0, 2, 1)
        return vals(x), vals(t), vals(n), vals(u), str(u.dtype), tuple(u.shape)
    both(scenario)


def test_unfold_0d_and_shapes():
    def scenario(lib):
        z = lib.tensor(3.0).unfold(0, 1, 1)
        e = _x(lib, 3, 0).unfold(0, 2, 1)
        return vals(z), tuple(z.shape), tuple(e.shape), tuple(_x(lib, 2, 7).unfold(1, 3, 2).shape)
    both(scenario)


def test_unfold_is_a_view():
    """Changes of the input show through the windows, writes through windows
    that do not overlap land in the input, and the graph is torch's."""
    def scenario(lib):
        x = _x(lib, 2, 6).requires_grad_()
        y = x * 1
        u = y.unfold(1, 2, 3)
        y.add_(1)
        seen = vals(u)
        u[:, 0].mul_(10)
        (y * lib.arange(12.0).reshape(2, 6)).sum().backward()
        return (seen, vals(y), vals(x.grad), u._base is y, u.stride(), u.storage_offset(),
                type(u.grad_fn).__name__, type(y.grad_fn).__name__)
    both(scenario)


def test_as_strided_is_a_view():
    def scenario(lib):
        x = _x(lib, 2, 6).requires_grad_()
        y = x * 1
        a = y[1:].as_strided((2, 2), (2, 1), 7)
        y.mul_(2)
        seen = vals(a)
        a[1].add_(100)
        (y * lib.arange(12.0).reshape(2, 6)).sum().backward()
        return (seen, vals(y), vals(x.grad), a._base is y, a.stride(), a.storage_offset(),
                type(a.grad_fn).__name__, type(y.grad_fn).__name__)
    both(scenario)


def test_overlapping_unfold_write_refused():
    # Overlapping windows repeat elements: PyTorch writes each once per window
    # (an order-dependent result); chainrule refuses rather than give one.
    import chainrule as cr
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        _x(cr, 5).unfold(0, 2, 1).mul_(2)


def test_sum_to_size_diff_values():
    def scenario(lib):
        x = _x(lib, 2, 3, 4)
        b = lib.tensor([True, False, False, True])
        i = lib.tensor([1, 4, 9, 16], dtype=lib.int16)
        return (vals(x.sum_to_size(3, 1)), vals(x.sum_to_size([1, 3, 4])),
                x.sum_to_size(2, 3, 4) is x, vals(lib.diff(b)), str(lib.diff(b).dtype),
                vals(lib.diff(i, 2)), str(lib.diff(i).dtype), vals(lib.diff(i, 5)),
                tuple(lib.diff(i, 5).shape),
                vals(lib.diff(x, dim=1, prepend=x[:, :1], append=x[:, :2])))
    got = both(scenario)
    np.testing.assert_array_equal(got[5], [2, 2])


def test_cartesian_combinations_broadcast_shapes():
    def scenario(lib):
        a, b = lib.tensor([1, 2]), lib.tensor([3, 4, 5])
        return (vals(lib.cartesian_prod(a, b)), str(lib.cartesian_prod(a, b).dtype),
                vals(lib.combinations(b)), vals(lib.combinations(b, 3)),
                tuple(lib.combinations(a, 3).shape), vals(lib.combinations(a, 0)),
                tuple(lib.combinations(a, 0).shape),
                vals(lib.combinations(b, 2, with_replacement=True)),
                tuple(lib.broadcast_shapes((2, 1), (3,))), tuple(lib.broadcast_shapes(2, (4, 1))),
                tuple(lib.broadcast_shapes()), tuple(lib.broadcast_shapes((0, 1), (3,))),
                type(lib.broadcast_shapes((1,))).__name__)
    both(scenario)


def test_scatters_values_dtypes():
    def scenario(lib):
        z = lib.zeros(3, 4, dtype=lib.int64)
        return (vals(lib.select_scatter(z, lib.tensor([1, 2, 3, 4]), 0, -1)),
                vals(lib.slice_scatter(z, lib.ones(3, 2, dtype=lib.long), 1, 1, None, 2)),
                vals(lib.diagonal_scatter(z, lib.tensor([7, 8, 9]), 1)),
                vals(lib.diagonal_scatter(lib.zeros(2, 3, 3), lib.ones(2, 3), 0, 1, 2)),
                vals(lib.diagonal_scatter(lib.zeros(3, 2, 3), lib.ones(2, 3), 0, 0, 2)),
                str(lib.select_scatter(z, lib.ones(3, dtype=lib.long), 1, 0).dtype))
    both(scenario)


def test_put_index_put_inplace():
    def scenario(lib):
        x = lib.zeros(2, 3)
        r = x.put_(lib.tensor([0, -1, 0]), lib.tensor([1.0, 2.0, 3.0]), accumulate=True)
        y = lib.zeros(2, 3)
        y.index_put_((lib.tensor([0, 0]), lib.tensor([1, 1])), lib.tensor(5.0), accumulate=True)
        w = lib.zeros(4)
        s = lib.index_put(w, (lib.tensor([True, False, True, False]),), lib.tensor(1.0))
        q = lib.index_put(lib.zeros(3, dtype=lib.long), (lib.tensor([1]),), lib.tensor([4]))
        p = lib.put(lib.zeros(2, 2), lib.tensor([[3]]), lib.tensor([[9.0]]))
        g = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = g * 1
        h.put_(lib.tensor([1]), g[:1] * 10)
        h.sum().backward()
        return (r is x, vals(x), x._version, vals(y), y._version, vals(s), vals(w), vals(q),
                vals(p), vals(h), name(h), vals(g.grad))
    both(scenario)


@pytest.mark.parametrize("shape,wrap", [((3, 3), False), ((5, 3), False), ((5, 3), True),
                                        ((3, 5), True), ((2, 2, 2), False), ((7, 2), True),
                                        ((4, 3), True)])
def test_fill_diagonal(shape, wrap):
    def scenario(lib):
        x = lib.ones(*shape, dtype=lib.float64, requires_grad=True)
        y = x * 2
        r = y.fill_diagonal_(-1.0, wrap=wrap)
        (y * y).sum().backward()
        i = lib.zeros(*shape, dtype=lib.long)
        i.fill_diagonal_(2.7, wrap)
        return r is y, vals(y), name(y), y._version, vals(x.grad), vals(i)
    both(scenario)


def test_block_diag():
    def scenario(lib):
        r = lib.block_diag(lib.tensor([1, 2]), lib.ones(1, 1), lib.tensor(7, dtype=lib.int8))
        e = lib.block_diag()
        z = lib.block_diag(lib.ones(0, 2), lib.ones(2, 0))
        return vals(r), str(r.dtype), tuple(e.shape), str(e.dtype), tuple(z.shape), vals(z)
    both(scenario)
    raises_same(lambda lib: lib.block_diag(lib.ones(2, 2, 2)), RuntimeError)


def test_as_strided_values_and_errors():
    def scenario(lib):
        x = lib.arange(12.0).reshape(3, 4)
        v = x[1:]                                    # a view at storage offset 4
        return (vals(x.as_strided((2, 3), (4, 1), 1)), vals(v.as_strided((2,), (1,))),
                vals(v.as_strided((2,), (1,), 5)), vals(lib.as_strided(x.t(), (2, 2), (1, 4))),
                vals(x.as_strided((0, 2), (1, 1))), vals(x.as_strided((), ())))
    both(scenario)
    raises_same(lambda lib: lib.arange(6.0).as_strided((4,), (2,)), RuntimeError)
    raises_same(lambda lib: lib.arange(6.0).as_strided((2,), (-1,)), RuntimeError)

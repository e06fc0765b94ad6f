"""Tensor information and legacy forms (chainrule/_tensor_info.py) side by side
with torch: is_complex is_signed is_nonzero is_same_size is_conj is_neg
resolve_conj resolve_neg can_cast, Tensor.new, apply_, map_, char, H, mH, adjoint."""
import numpy as np
import pytest

from _twin import both, raises_same, vals, name

DTYPES = ["float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool"]


@pytest.mark.parametrize("dt", DTYPES)
def test_predicates(dt):
    def scenario(lib):
        x = lib.zeros(2, dtype=getattr(lib, dt))
        return (x.is_complex(), lib.is_complex(x), x.is_signed(), lib.is_signed(x),
                x.is_conj(), lib.is_conj(x), x.is_neg(), lib.is_neg(x),
                x.resolve_conj() is x, lib.resolve_neg(x) is x,
                x.is_same_size(lib.ones(2)), lib.is_same_size(x, lib.ones(1, 2)))
    both(scenario)


def test_is_nonzero():
    def scenario(lib):
        return (lib.tensor([0.0]).is_nonzero(), lib.is_nonzero(lib.tensor(3)),
                lib.tensor([[True]]).is_nonzero(), lib.tensor(-0.0).is_nonzero())
    assert both(scenario) == (False, True, True, False)
    raises_same(lambda lib: lib.tensor([]).is_nonzero(), RuntimeError)
    raises_same(lambda lib: lib.tensor([1.0, 2.0]).is_nonzero(), RuntimeError)


@pytest.mark.parametrize("a", DTYPES)
def test_can_cast(a):
    def scenario(lib):
        return [lib.can_cast(getattr(lib, a), getattr(lib, b)) for b in DTYPES]
    both(scenario)


def test_new():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64)
        i = lib.tensor([1], dtype=lib.uint8)
        return (tuple(x.new(2, 3).shape), str(x.new(2, 3).dtype), vals(x.new([1, 2])),
                str(x.new([1, 2]).dtype), tuple(x.new().shape), tuple(x.new(lib.Size([4])).shape),
                vals(i.new([3.7, 2])), str(i.new([3]).dtype), x.new(x) is x, vals(x.new(x)), x.new(2).requires_grad)
    both(scenario)
    raises_same(lambda lib: lib.ones(1).new(1.5), TypeError)
    raises_same(lambda lib: lib.ones(1, dtype=lib.float64).new(lib.tensor([1])), TypeError)


def test_apply_map():
    def scenario(lib):
        y = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        r = y.apply_(lambda v: v * v + 1)
        z = lib.tensor([1, 2, 3], dtype=lib.int32)
        z.apply_(lambda v: v * 2.7)
        m = lib.ones(2, 2)
        s = m.map_(lib.tensor([1.0, 2.0]), lambda a, b: a + 10 * b)
        return r is y, vals(y), y._version, vals(z), str(z.dtype), s is m, vals(m)
    got = both(scenario)
    np.testing.assert_array_equal(got[1], [[2.0, 5.0], [10.0, 17.0]])
    raises_same(lambda lib: lib.ones(2, requires_grad=True).apply_(lambda v: v), RuntimeError)
    raises_same(lambda lib: (lib.ones(2, requires_grad=True) * 1).map_(lib.ones(2),
                                                                       lambda a, b: a),
                RuntimeError)
    raises_same(lambda lib: lib.ones(2).map_(lib.ones(3), lambda a, b: a), RuntimeError)


def test_char():
    def scenario(lib):
        c = lib.tensor([1.7, -2.2, 100.0]).char()
        return vals(c), str(c.dtype)
    assert both(scenario)[1] == "torch.int8"


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (1, 0, 2)])
def test_conjugate_transposes(shape):
    def scenario(lib):
        x = lib.arange(float(np.prod(shape)), dtype=lib.float64).reshape(shape).requires_grad_()
        outs = [x.mH, x.adjoint(), lib.adjoint(x)] + ([x.H] if len(shape) == 2 else [])
        sum(o.sum() * (k + 1) for k, o in enumerate(outs)).backward()
        return [(tuple(o.shape), vals(o), name(o)) for o in outs] + [vals(x.grad)]
    both(scenario)


def test_conjugate_transpose_errors():
    raises_same(lambda lib: lib.ones(3).mH, RuntimeError)
    raises_same(lambda lib: lib.ones(3).adjoint(), RuntimeError)
    raises_same(lambda lib: lib.ones(3).H, RuntimeError)
    raises_same(lambda lib: lib.ones(2, 3, 4).H, RuntimeError)
    with pytest.warns(UserWarning, match="Tensor.H is deprecated on 0-D tensors"):
        both(lambda lib: vals(lib.tensor(2.0).H))

"""x.add_(y), sub_, mul_ and div_ outside grad mode take a short path (one
ufunc writing into x: _inplace.arithmetic_unrecorded).  It must give the
general path's values bit for bit, count the change, and leave every case it
does not cover to the general path, errors included."""
import numpy as np
import pytest

import chainrule as torch
from chainrule import _inplace

OPS = ["add_", "sub_", "mul_", "div_"]


def _general(x, name, other, **kw):
    """The general path's result: the out-of-place op, as _inplace.apply computes it."""
    out = {"add_": torch.add, "sub_": torch.sub, "mul_": torch.mul, "div_": torch.div}[name]
    return out(x, other, **kw)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("other_kind", ["tensor", "float", "int"])
def test_values_are_the_general_paths_bit_for_bit(name, dtype, other_kind):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(5, 7, generator=g, dtype=dtype, requires_grad=True)
    other = {"tensor": torch.randn(5, 7, generator=g, dtype=dtype) + 2,
             "float": 1.2345678901, "int": 3}[other_kind]
    want = _general(x.detach(), name, other)
    v0 = x._version
    with torch.no_grad():
        r = getattr(x, name)(other)
    assert r is x and x.dtype == dtype and x.requires_grad and x.grad_fn is None
    assert np.array_equal(x.detach().numpy(), want.numpy())
    assert x._version == v0 + 1


@pytest.mark.parametrize("name", ["add_", "sub_"])
@pytest.mark.parametrize("alpha", [0.001, -3, 2.5])
def test_alpha_multiplies_the_other_first_as_add_does(name, alpha):
    x, y = torch.randn(4, 3), torch.randn(4, 3)
    want = _general(x, name, y, alpha=alpha)
    with torch.no_grad():
        getattr(x, name)(y, alpha=alpha)
    assert np.array_equal(x.numpy(), want.numpy())


def test_the_short_path_is_taken_only_outside_grad_mode_for_plain_operands():
    if torch.ones(1)._data.__class__ is not np.ndarray:
        pytest.skip("the short path is NumPy's (other array libraries take the general one)")
    f = _inplace.arithmetic_unrecorded
    add = np.add
    x = torch.ones(3)
    assert not f(x, add, torch.ones(3), 1)                        # grad mode on
    with torch.no_grad():
        assert f(x, add, torch.ones(3), 1)
        assert not f(x, add, torch.ones(1), 1)                    # broadcast other
        assert not f(x, add, torch.ones(3, dtype=torch.float64), 1)   # other dtype
        assert not f(torch.ones(3, dtype=torch.int64), add, 1, 1)     # integer self
        assert not f(x, add, True, 1)                              # a bool number
        assert not f(x, add, 2.0, 3)                               # number with alpha
        assert not f(x, add, [1.0, 2.0, 3.0], 1)                   # not a tensor


@pytest.mark.parametrize("name", OPS)
def test_the_general_path_still_gives_its_results_and_errors(name):
    with torch.no_grad():
        x = torch.ones(2, 3)
        getattr(x, name)(torch.full((3,), 2.0))                   # broadcasting other
        assert np.array_equal(x.numpy(), _general(torch.ones(2, 3), name,
                                                  torch.full((3,), 2.0)).numpy())
        with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
            getattr(torch.ones(3), name)(torch.ones(2, 3))
        e = torch.ones(1).expand(3)                               # elements repeat
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            getattr(e, name)(torch.ones(3))
        i = torch.ones(3, dtype=torch.int64)
        if name == "div_":
            with pytest.raises(RuntimeError, match="can't be cast"):
                i.div_(torch.ones(3, dtype=torch.int64))
        else:
            getattr(i, name)(2)
            assert i.dtype == torch.int64


def test_a_view_changed_outside_grad_mode_writes_into_its_base():
    base = torch.zeros(2, 3)
    with torch.no_grad():
        base[1].add_(torch.ones(3))
        base.t()[0].mul_(5.0)
    assert base.tolist() == [[0.0, 0.0, 0.0], [5.0, 1.0, 1.0]]


def test_a_leaf_changed_outside_grad_mode_fails_the_backward_that_saved_it():
    w = torch.ones(3, requires_grad=True)
    y = (w * w).sum()
    with torch.no_grad():
        w.sub_(torch.ones(3), alpha=0.1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_in_grad_mode_a_leaf_requiring_grad_is_still_refused():
    w = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w.add_(torch.ones(3))


def test_overflow_is_silent_as_in_torch():
    import warnings
    x = torch.full((2,), 3e38)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with torch.no_grad():
            x.mul_(10.0)
    assert np.isinf(x.numpy()).all()

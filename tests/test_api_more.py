"""Small top-level API pieces (chainrule/_api_more.py), side by side with torch."""
import warnings

import pytest

from _twin import both, raises_same


def test_switches_keep_their_state():
    def scenario(lib):
        out = [lib.is_warn_always_enabled(), lib.are_deterministic_algorithms_enabled(),
               lib.get_float32_matmul_precision(), lib.get_deterministic_debug_mode()]
        lib.set_warn_always(True)
        lib.use_deterministic_algorithms(True, warn_only=True)
        lib.set_float32_matmul_precision("high")
        out += [lib.is_warn_always_enabled(), lib.are_deterministic_algorithms_enabled(),
                lib.is_deterministic_algorithms_warn_only_enabled(),
                lib.get_deterministic_debug_mode(), lib.get_float32_matmul_precision()]
        lib.set_deterministic_debug_mode("error")
        out.append(lib.get_deterministic_debug_mode())
        lib.set_deterministic_debug_mode(0)
        lib.set_warn_always(False)
        lib.set_float32_matmul_precision("highest")
        out.append((lib.get_deterministic_debug_mode(), lib.are_deterministic_algorithms_enabled()))
        return out
    both(scenario)


def test_constants_print_as_torch():
    def scenario(lib):
        return [repr(x) for x in (lib.contiguous_format, lib.preserve_format, lib.channels_last,
                                  lib.channels_last_3d, lib.strided)] + [
            type(lib.strided).__name__, type(lib.contiguous_format).__name__,
            repr(lib.ones(2).contiguous(memory_format=lib.contiguous_format)),
            repr(lib.ones(2).layout)]
    both(scenario)


@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window",
                                  "bartlett_window", "kaiser_window"])
@pytest.mark.parametrize("n", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows(name, n, periodic):
    def scenario(lib):
        w = getattr(lib, name)(n, periodic, dtype=lib.float64)
        return w, str(getattr(lib, name)(n, periodic).dtype)
    both(scenario)


def test_searchsorted_and_bucketize():
    def scenario(lib):
        s = lib.tensor([1, 3, 5, 7])
        v = lib.tensor([3, 6, 9, 0])
        s2 = lib.tensor([[1, 3, 5, 7], [2, 4, 6, 8]])
        v2 = lib.tensor([[3, 6], [4, 9]])
        return [lib.searchsorted(s, v), lib.searchsorted(s, v, right=True),
                lib.searchsorted(s, v, side="right"), lib.searchsorted(s2, v2),
                str(lib.searchsorted(s, v, out_int32=True).dtype),
                lib.searchsorted(lib.tensor([5, 1, 3]), v, sorter=lib.tensor([1, 2, 0])),
                lib.bucketize(v, s), lib.bucketize(v, s, right=True),
                lib.bucketize(lib.tensor([[2.5, 7.5]]), lib.tensor([1.0, 5.0]))]
    both(scenario)


@pytest.mark.parametrize("call", ["side_bad", "side_right_clash", "bucketize_2d", "dropout_p"])
def test_search_errors(call):
    def scenario(lib):
        s, v = lib.tensor([1, 3, 5]), lib.tensor([2])
        if call == "dropout_p":
            lib.dropout(lib.ones(2), 1.5, True)
        elif call == "side_bad":
            lib.searchsorted(s, v, side="middle")
        elif call == "side_right_clash":
            lib.searchsorted(s, v, side="left", right=True)
        else:
            lib.bucketize(v, lib.tensor([[1, 2]]))
    raises_same(scenario)


def test_unravel_range_scalar_tensor_asarray_and_legacy():
    def scenario(lib):
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            r = [lib.range(1, 4), lib.range(0, 1, 0.25), lib.range(2, 5, dtype=lib.int64)]
        x = lib.tensor([1.0, 2.0])
        return [lib.unravel_index(lib.tensor([5, 1]), (2, 3)), lib.unravel_index(lib.tensor(7), 10),
                r, len(ws), lib.scalar_tensor(3), lib.scalar_tensor(2.5, dtype=lib.float64),
                lib.asarray([1, 2]), lib.asarray(x) is x, lib.asarray(x, copy=True) is x,
                lib.asarray([1.5], dtype=lib.float64), lib.CharTensor([1, 2]),
                lib.ShortTensor([3])]
    both(scenario)


def test_aten_forms_of_functional_ops():
    def scenario(lib):
        D = lib.float64
        x = lib.tensor([[0.3, -1.2], [2.0, 0.5]], dtype=D, requires_grad=True)
        t = lib.tensor([[0.2, 0.9], [0.5, 0.1]], dtype=D)
        w = lib.tensor([[[0.5, -1.0], [2.0, 0.3]]], dtype=D, requires_grad=True)
        e = lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=D, requires_grad=True)
        outs = [lib.dropout(x, 0.3, False), lib.dropout(x, 0.0, True),
                lib.embedding(e, lib.tensor([2, 0])), lib.embedding(e, lib.tensor([2, 0]), 0),
                lib.bilinear(x, x, w, None), lib.bilinear(x, x, w, lib.tensor([0.5], dtype=D))]
        outs += [lib.binary_cross_entropy_with_logits(x, t, None, None, r) for r in (0, 1, 2)]
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            outs += [lib.kl_div(x.log_softmax(1), t, r) for r in (0, 1, 2)]
            outs.append(lib.kl_div(x.log_softmax(1), t.log(), 1, log_target=True))
        assert not ws                           # (ATen's kl_div does not warn; F.kl_div does)
        grads = [lib.autograd.grad(o.sum(), [x, w, e], allow_unused=True) for o in outs]
        y = x * 1
        return [(o, None if o.grad_fn is None else o.grad_fn.name()) for o in outs], grads, \
            lib.dropout_(y, 0.0, True) is y
    both(scenario)

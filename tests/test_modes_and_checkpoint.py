"""Anomaly detection, inference_mode and utils.checkpoint, compared with torch
where installed and with known values everywhere."""
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.utils.checkpoint import checkpoint, checkpoint_sequential

from _twin import torch, raises_same


# --- anomaly detection ----------------------------------------------------------------------
def _nan_backward(lib):
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    with lib.autograd.detect_anomaly():
        y = x.sqrt()
        (y * 0).sum().backward()


def test_anomaly_names_the_node_that_returned_nan():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = raises_same(_nan_backward)
    assert got == ("RuntimeError", "Function 'SqrtBackward0' returned nan values in its 0th output.")
    texts = [str(w.message) for w in caught]
    assert any(t.startswith("Anomaly Detection has been enabled.") for t in texts)
    assert any(t.startswith("Error detected in SqrtBackward0. Traceback of forward call") and
               "y = x.sqrt()" in t for t in texts)


def test_without_anomaly_mode_nan_passes_silently():
    x = cr.tensor([0.0, 1.0], requires_grad=True)
    (x.sqrt() * 0).sum().backward()
    assert np.isnan(x.grad.numpy()[0])


def test_set_detect_anomaly_and_flags():
    assert not cr.autograd.is_anomaly_enabled()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with cr.autograd.set_detect_anomaly(True):
            assert cr.autograd.is_anomaly_enabled()
    assert not cr.autograd.is_anomaly_enabled()


def test_anomaly_hint_in_inplace_error():
    def f(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                x = lib.ones(2, requires_grad=True)
                y = x.exp()
                y.add_(1)
                y.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kind, first = raises_same(f)
    assert first.endswith("Hint: the backtrace further above shows the operation that failed "
                          "to compute its gradient. The variable in question was changed in "
                          "there or anywhere later. Good luck!")


# --- inference mode --------------------------------------------------------------------------
def test_inference_mode_tensors():
    def f(lib):
        x = lib.ones(2, requires_grad=True)
        with lib.inference_mode():
            y = x * 2
            z = lib.zeros(2)
        return y.requires_grad, y.is_inference(), z.is_inference(), x.is_inference()
    results = [f(cr)] + ([f(torch)] if torch is not None else [])
    assert results[0] == (False, True, True, False)
    assert all(r == results[0] for r in results)


def test_inference_tensor_misuse_errors():
    def make(lib):
        with lib.inference_mode():
            return lib.ones(2) * 2
    assert raises_same(lambda lib: make(lib).requires_grad_())[1] == \
        "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."
    assert raises_same(lambda lib: make(lib).add_(1))[1].startswith(
        "Inplace update to inference tensor outside InferenceMode is not allowed.")


def test_inference_mode_as_decorator():
    @cr.inference_mode()
    def f(x):
        return x * 2
    assert not f(cr.ones(1, requires_grad=True)).requires_grad
    assert cr.is_grad_enabled()


# --- checkpointing ----------------------------------------------------------------------------
def _mlp(lib, use_checkpoint, seed=0):
    rng = np.random.default_rng(seed)
    ws = [lib.tensor(rng.standard_normal((6, 6)) / 3, requires_grad=True) for _ in range(4)]
    x = lib.tensor(rng.standard_normal((5, 6)), requires_grad=True)

    def block(h, w):
        return lib.tanh(h @ w)

    h = x
    for w in ws:
        if use_checkpoint:
            h = (cr.utils.checkpoint.checkpoint if lib is cr else
                 __import__("torch.utils.checkpoint").utils.checkpoint.checkpoint)(
                block, h, w, use_reentrant=True)
        else:
            h = block(h, w)
    h.sum().backward()
    return [np.array(t.grad.tolist()) for t in ws + [x]]


def test_checkpoint_gives_the_same_gradients():
    plain = _mlp(cr, False)
    ckpt = _mlp(cr, True)
    for a, b in zip(plain, ckpt):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    if torch is not None:
        for a, b in zip(ckpt, _mlp(torch, True)):
            np.testing.assert_allclose(a, b, rtol=1e-10)


def test_checkpoint_does_not_keep_activations():
    x = cr.ones(3, requires_grad=True)
    out = checkpoint(lambda t: (t * 2).sin(), x, use_reentrant=True)
    # only the Function node: the inner mul/sin were not recorded
    assert type(out.grad_fn).__name__ == "CheckpointFunctionBackward"
    assert all(type(n).__name__ == "AccumulateGrad" for n, _ in out.grad_fn.next_functions
               if n is not None)


def test_checkpoint_sequential_and_freed_graph():
    fns = [lambda t: t * 2, lambda t: t.sin(), lambda t: t + 1, lambda t: t.exp()]
    x = cr.tensor([0.1, 0.2], requires_grad=True)
    y = checkpoint_sequential(fns, 2, x, use_reentrant=True)
    y.sum().backward()
    expected = np.exp(np.sin(2 * np.array([0.1, 0.2])) + 1) * np.cos(0.2 * np.array([1, 2])) * 2
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.sum().backward()


def test_checkpoint_warns_about_use_reentrant_and_no_grad_inputs():
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        checkpoint(lambda t: t * 2, cr.ones(2, requires_grad=True))
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        checkpoint(lambda t: t * 2, cr.ones(2), use_reentrant=True)


def test_inference_tensors_cannot_be_saved_for_backward():
    def f(lib):
        with lib.inference_mode():
            y = lib.ones(2)
        x = lib.ones(2, requires_grad=True)
        assert (x + y).grad_fn is not None        # add saves nothing: allowed
        (x * y).sum()
    assert raises_same(f)[1].startswith("Inference tensors cannot be saved for backward.")

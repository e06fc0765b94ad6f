"""vmap over the whole op table (tests/_opcases.py): each case's function
mapped over a batch of three samples of its inputs (in_dims=0 for every
input) equals the stack of the case run on each sample alone.  Most ops
need no batching rule (broadcasting does it), others have one, the rest
fall back to a loop over the samples; a case vmap cannot serve must raise
RuntimeError with a message, never give a wrong value.  Those are listed:
what torch.func.vmap refuses too (data-dependent shapes and control flow),
and four composites that decide from the values of the whole batch.  The
per-sample gradients vmap(grad(f)) of each case's squared output equal a
loop of autograd.grad over the samples too."""
import warnings

import numpy as np
import pytest

import chainrule as cr
from _opcases import CASES, make_inputs

B = 3

# vmap refuses these (torch.func.vmap too, with the same kind of message)
REFUSED_AS_TORCH = {"index_bool_mask_from_cmp", "cov_aweights", "cov_both_weights",
                    "lstsq_vector_bcast", "lstsq_residuals_gelsd_vector"}
# and these, where torch's kernels batch: block_diag rearranges inputs of
# mixed ranks before its op, embedding_bag's max picks its rows in Python,
# gelss's residuals depend on every matrix's rank
REFUSED = {"block_diag_mixed_dims", "embedding_bag_max", "torch_embedding_bag_max",
           "lstsq_both_gelss"}


def _loop_and_batch(case):
    samples = [make_inputs(case, seed=k) for k in range(B)]
    batched = [np.stack([s[i] for s in samples]) for i in range(len(case.shapes))]
    return samples, batched


def _runs_per_sample(case, samples):
    try:
        outs = [case.f(cr, *[cr.tensor(a) for a in s]) for s in samples]
    except Exception:  # noqa: BLE001 - a case written for the op's error, not vmap's
        return None
    return outs if all(isinstance(o, cr.Tensor) for o in outs) else None


CHUNKS = 12


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_vmap_of_every_table_case_equals_the_loop(chunk):
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # (the cases' own deprecation warnings)
        for case in CASES[chunk::CHUNKS]:
            samples, batched = _loop_and_batch(case)
            outs = _runs_per_sample(case, samples)
            if outs is None:
                continue
            fn = lambda *xs, case=case: case.f(cr, *xs)     # noqa: E731
            args = [cr.tensor(b) for b in batched]
            if case.name in REFUSED_AS_TORCH | REFUSED:
                with pytest.raises(RuntimeError, match="."):
                    cr.func.vmap(fn)(*args)
                continue
            try:
                got = cr.func.vmap(fn)(*args).detach().numpy()
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(f"{case.name}: vmap raised {type(e).__name__}: {e}")
                continue
            want = np.stack([o.detach().numpy() for o in outs])
            if got.shape != want.shape or got.dtype != want.dtype or \
                    not np.allclose(got, want, rtol=1e-10, atol=1e-12, equal_nan=True):
                failures.append(f"{case.name}: vmap gives {got.shape} {got.dtype}, the loop "
                                f"{want.shape} {want.dtype}")
    assert not failures, "\n".join(failures)


def _loss(case):
    def f(*xs):
        o = case.f(cr, *xs)
        return (o.abs() ** 2).sum() if o.is_complex() else (o * o).sum()
    return f


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_per_sample_gradients_of_every_table_case_equal_a_loop_of_autograd_grad(chunk):
    # vmap(grad(f)) against autograd.grad on each sample: the formulas run on
    # the batch (an in-place op inside on a batched tensor included)
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in CASES[chunk::CHUNKS]:
            if case.name in REFUSED_AS_TORCH | REFUSED or not case.shapes:
                continue
            samples, batched = _loop_and_batch(case)
            f, n = _loss(case), len(case.shapes)
            try:
                loop = []
                for s in samples:
                    ts = [cr.tensor(a, requires_grad=True) for a in s]
                    gs = cr.autograd.grad(f(*ts), ts, allow_unused=True, materialize_grads=True)
                    loop.append([g.numpy() for g in gs])
            except Exception:  # noqa: BLE001 - a case written for an error, or not differentiable
                continue
            try:
                got = cr.func.vmap(cr.func.grad(f, argnums=tuple(range(n))))(
                    *[cr.tensor(b) for b in batched])
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(f"{case.name}: vmap(grad) raised {type(e).__name__}: {e}")
                continue
            for i in range(n):
                want, g = np.stack([gs[i] for gs in loop]), got[i].numpy()
                if g.shape != want.shape or not np.allclose(g, want, rtol=1e-8, atol=1e-10,
                                                            equal_nan=True):
                    failures.append(f"{case.name}: gradient {i} differs from the loop's")
                    break
    assert not failures, "\n".join(failures)

"""Shared by the conformance tests that run each scenario with chainrule and
with torch (when installed): write a scenario once as ``scenario(lib)``;
``both`` runs and compares it, ``raises_same`` compares what it raises."""
import numpy as np

import chainrule as cr

try:
    import torch
except ImportError:      # the torch halves of the comparisons skip themselves
    torch = None


def _is_tensor(v):
    return type(v).__name__ in ("Tensor", "Parameter") and hasattr(v, "detach")


def norm(v):
    """Turn a scenario result into plain Python/NumPy values that can be compared."""
    if _is_tensor(v):
        return ("tensor", tuple(v.shape), str(v.dtype), np.array(v.detach().tolist()))
    if isinstance(v, (list, tuple)):
        return type(v)(norm(e) for e in v)
    if isinstance(v, dict):
        return {k: norm(e) for k, e in v.items()}
    return v


def assert_same(got, exp, path="result"):
    if isinstance(exp, np.ndarray):
        assert isinstance(got, np.ndarray), f"{path}: got {got!r}, expected array {exp!r}"
        assert got.shape == exp.shape, f"{path}: shape {got.shape} != {exp.shape}"
        np.testing.assert_allclose(got, exp, rtol=1e-5, atol=1e-6, equal_nan=True,
                                   err_msg=path)
    elif isinstance(exp, dict):
        assert isinstance(got, dict) and set(got) == set(exp), f"{path}: keys {got!r} vs {exp!r}"
        # values and gradients first, so a grad_fn-name mismatch cannot hide a wrong number
        for k in sorted(exp, key=lambda k: "name" in str(k)):
            assert_same(got[k], exp[k], f"{path}[{k!r}]")
    elif isinstance(exp, (list, tuple)):
        assert type(got) is type(exp) and len(got) == len(exp), \
            f"{path}: got {got!r}, expected {exp!r}"
        for i, (g, e) in enumerate(zip(got, exp)):
            assert_same(g, e, f"{path}[{i}]")
    else:
        assert got == exp, f"{path}: chainrule gave {got!r}, torch gave {exp!r}"


def both(scenario):
    """Run scenario with chainrule (and torch when installed), compare, return chainrule's
    normalised result."""
    mine = norm(scenario(cr))
    if torch is not None:
        assert_same(mine, norm(scenario(torch)))
    return mine


def first_line(e):
    s = str(e)
    return s.splitlines()[0] if s else ""


def raises_same(scenario, exc_type=None, first=None, startswith=None):
    """scenario(lib) must raise, with the same exception type and first message line."""
    results = {}
    for name, lib in (("chainrule", cr), ("torch", torch)):
        if lib is None:
            continue
        try:
            scenario(lib)
        except Exception as e:          # noqa: BLE001 - we compare whatever is raised
            results[name] = (type(e).__name__, first_line(e))
        else:
            results[name] = ("<no exception>", "")
    if "torch" in results:
        assert results["chainrule"] == results["torch"], \
            f"chainrule raised {results['chainrule']!r}, torch raised {results['torch']!r}"
    got = results["chainrule"]
    if exc_type is not None:
        assert got[0] == exc_type.__name__, got
    if first is not None:
        assert got[1] == first, got
    if startswith is not None:
        assert got[1].startswith(startswith), got
    return got


def vals(t):
    return np.array(t.detach().tolist())


def name(t):
    """grad_fn's class name (torch's .name() qualifies some: torch::autograd::CopySlices)."""
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def qname(t):
    return None if t.grad_fn is None else t.grad_fn.name()


# --- outcomes of whole calls (chainrule.func, autograd.functional) -----------------------
def outcome(fn):
    """fn() or the exception it raised (compared by type and first message line)."""
    try:
        return fn()
    except Exception as e:        # compared by type and first message line
        return e


def assert_same_outcome(c, t, path="result"):
    """chainrule's outcome c equals torch's t: same exception, or same values,
    shapes, dtypes, requires_grad and printed form, recursively in containers."""
    if isinstance(t, BaseException):
        assert isinstance(c, BaseException), f"{path}: torch raised {t!r}, chainrule gave {c!r}"
        assert type(c).__name__ == type(t).__name__, (c, t)
        assert str(c).splitlines()[0] == str(t).splitlines()[0]
        return
    assert not isinstance(c, BaseException), f"{path}: chainrule raised {c!r}"
    if isinstance(t, torch.Tensor):
        assert isinstance(c, cr.Tensor), path
        assert tuple(c.shape) == tuple(t.shape), path
        assert str(c.dtype) == str(t.dtype), path
        assert c.requires_grad == t.requires_grad, path
        np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=path)
        assert repr(c.detach()) == repr(t.detach()), path      # signed zeros too
        return
    if callable(t):
        assert callable(c), path
        return
    assert type(c) is type(t), f"{path}: {type(c)} vs {type(t)}"
    if isinstance(t, (tuple, list)):
        assert len(c) == len(t), path
        for i, (a, b) in enumerate(zip(c, t)):
            assert_same_outcome(a, b, f"{path}[{i}]")
    elif isinstance(t, dict):
        assert list(c) == list(t), path
        for k in t:
            assert_same_outcome(c[k], t[k], f"{path}[{k!r}]")
    else:
        assert c == t, path


def assert_same_case(cases, name, mine, theirs):
    """Scenario ``name`` of ``cases(lib, api)`` (a dict of thunks) has the same
    outcome with chainrule and its API ``mine`` as with torch and ``theirs``."""
    assert_same_outcome(outcome(cases(cr, mine)[name]), outcome(cases(torch, theirs)[name]))

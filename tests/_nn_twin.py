"""Shared by the nn tests: a scenario written once as ``f(L)`` (L: chainrule
or torch) runs with both; ``same`` asserts equal plain results or the same
exception type and whole message.  ``copy_weights`` puts a torch module's
parameters and buffers into a chainrule one, by state_dict."""
import pytest

import chainrule as cr

try:
    import torch
except ImportError:      # the comparisons skip themselves without torch
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs the torch reference")


def outcome(f, L):
    try:
        return ("value", f(L))
    except Exception as e:               # compared by type and the whole message
        return ("raise", type(e).__name__, str(e))


def same(f):
    """f(cr) and f(torch) give equal plain values, or raise alike."""
    if torch is None:
        pytest.skip("needs the torch reference")
    mine, ref = outcome(f, cr), outcome(f, torch)
    assert mine == ref
    return mine


def copy_weights(src, dst):
    """src's (torch's) parameters and buffers into dst (chainrule's), by state_dict."""
    dst.load_state_dict({k: cr.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})

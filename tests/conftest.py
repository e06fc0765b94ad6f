"""Test configuration: which array backend the tests run on.

    python -m pytest ...                                   # NumPy's ndarray
    CHAINRULE_TEST_BACKEND=strict python -m pytest ...     # tests/_strict_array.py

The strict backend is a thin array type that refuses NumPy's calls; made the
default backend, every tensor the tests create computes on it, so a stray
`np.` call in chainrule fails here.
"""
import pytest

import _backends

if _backends.STRICT:
    from chainrule.ops import _backend
    import _strict_array
    _backend.set_default(_strict_array.STRICT)
elif _backends.NAME != "numpy":
    raise pytest.UsageError(f"CHAINRULE_TEST_BACKEND={_backends.NAME!r}: expected 'numpy' or "
                            "'strict'")


def pytest_report_header(config):
    return f"chainrule array backend: {_backends.NAME}"

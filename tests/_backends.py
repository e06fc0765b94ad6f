"""Which array backend the test run uses (chosen by CHAINRULE_TEST_BACKEND,
applied in conftest.py), and helpers for tests that depend on it."""
import os

import pytest

NAME = os.environ.get("CHAINRULE_TEST_BACKEND", "numpy")
STRICT = NAME == "strict"


def numpy_only(reason):
    """Skip on the strict backend a test about NumPy's own arrays (`reason`
    says what of NumPy it checks)."""
    return pytest.mark.skipif(STRICT, reason="NumPy's ndarray only: " + reason)

"""Op-table rows for chainrule/linalg.py (see _opcases.py; appended to its CASES)."""
from _opcases import Case  # noqa: F401

CASES = []

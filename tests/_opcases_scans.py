"""Op-table rows for chainrule/ops/scans.py (see _opcases.py; appended to its CASES)."""
from _opcases import Case  # noqa: F401

CASES = []

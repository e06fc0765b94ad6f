"""chainrule.nn: neural-network building blocks (functional forms for now)."""
from . import functional  # noqa: F401

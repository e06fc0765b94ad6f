"""chainrule.utils: helpers on top of autograd (checkpointing)."""
from . import checkpoint  # noqa: F401

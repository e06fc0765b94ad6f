"""chainrule.utils: helpers on top of autograd (checkpointing)."""
from . import checkpoint, hooks  # noqa: F401

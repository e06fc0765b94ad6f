"""chainrule.utils: helpers on top of autograd (checkpointing) and data loading."""
from . import checkpoint, data  # noqa: F401

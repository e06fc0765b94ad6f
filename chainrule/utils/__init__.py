"""chainrule.utils: helpers on top of autograd (checkpointing, hooks) and data loading."""
from . import checkpoint, data, hooks  # noqa: F401

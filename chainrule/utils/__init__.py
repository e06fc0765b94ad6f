"""chainrule.utils: helpers on top of autograd (checkpointing, hooks) and data loading."""
from . import checkpoint, data, dlpack, hooks  # noqa: F401

"""chainrule.backends: torch.backends' availability flags (tutorials probe
`backends.mps.is_available()`); none of these accelerators is here."""
from . import mps  # noqa: F401

"""torch.random: the default generator's seeding and state, and fork_rng
(the state saved on entry and restored on exit)."""
import contextlib

from ._factories import (Generator, default_generator, get_rng_state, initial_seed,
                         manual_seed, seed, set_rng_state)

__all__ = ["fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Draws inside the block leave the default generator as it was before it
    (chainrule has only the CPU generator: devices are ignored)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)

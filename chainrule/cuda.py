"""chainrule.cuda: what torch.cuda answers in PyTorch's CPU build.  No GPU
here: queries say so (is_available() is False, device_count() is 0, memory
figures are 0), seeding is a no-op, and anything that needs a device raises
PyTorch's AssertionError "Torch not compiled with CUDA enabled".  The GPU
work replaces these answers."""
from ._device import CUDA_MISSING

__all__ = ["is_available", "device_count", "is_initialized", "init", "current_device",
           "set_device", "get_device_name", "get_device_capability", "get_device_properties",
           "synchronize", "manual_seed", "manual_seed_all", "seed", "seed_all", "get_rng_state",
           "set_rng_state", "empty_cache", "memory_allocated", "max_memory_allocated",
           "memory_reserved", "max_memory_reserved", "is_bf16_supported", "get_arch_list",
           "mem_get_info", "current_stream"]


def _missing(*args, **kwargs):
    raise AssertionError(CUDA_MISSING)


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def is_bf16_supported(including_emulation=True):
    return False


def get_arch_list():
    return []


# Seeding the GPUs there are not: a no-op, as in PyTorch's CPU build.
def manual_seed(seed):
    return None


def manual_seed_all(seed):
    return None


def seed():
    return None


def seed_all():
    return None


def empty_cache():
    return None


# Memory in use on no device: nothing.
def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def max_memory_reserved(device=None):
    return 0


init = current_device = set_device = get_device_name = get_device_capability = _missing
get_device_properties = synchronize = get_rng_state = set_rng_state = _missing
mem_get_info = current_stream = _missing

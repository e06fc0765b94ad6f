"""torch.backends.mps on a machine without Apple's GPU."""


def is_available():
    return False


def is_built():
    return False

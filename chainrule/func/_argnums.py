"""``argnums``: which positional arguments a transform differentiates.

Validation with torch.func's messages, and the two ways a transform uses
it: picking the differentiated arguments out, and putting differentiable
versions of them back in their places.
"""

__all__ = ["wrap_argnums", "slice_argnums", "replace_args"]


def _validate_and_wrap_argnum(argnum, num_args):
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _check_argnums_type(argnums):
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def wrap_argnums(argnums, num_args):
    """argnums with negative positions made positive, after checking it."""
    _check_argnums_type(argnums)
    if isinstance(argnums, int):
        return _validate_and_wrap_argnum(argnums, num_args)
    argnums = tuple(_validate_and_wrap_argnum(a, num_args) for a in argnums)
    if len(argnums) == 0:
        raise RuntimeError("argnums must be non-empty")
    if len(set(argnums)) != len(argnums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return argnums


def slice_argnums(args, argnums, as_tuple=True):
    """The arguments at argnums: a tuple (a 1-tuple for an int argnums,
    unless ``as_tuple`` is False)."""
    argnums = wrap_argnums(argnums, len(args))
    if isinstance(argnums, int):
        return (args[argnums],) if as_tuple else args[argnums]
    return tuple(args[i] for i in argnums)


def replace_args(old_args, new_args, argnums):
    """old_args with the ones at argnums replaced by new_args (a tuple in
    argnums' order)."""
    argnums = wrap_argnums(argnums, len(old_args))
    if isinstance(argnums, int):
        return tuple(new_args[0] if i == argnums else a for i, a in enumerate(old_args))
    return tuple(new_args[argnums.index(i)] if i in argnums else a
                 for i, a in enumerate(old_args))

"""Scratch arrays kept between calls of the same shapes (conv_winograd.py,
pool.py's max_pool index).

Fresh arrays of a megabyte or more come from the system as new pages, and
their page faults were measured to cost more than the arithmetic done in
them (the Winograd forward at batch 64, 32 -> 64 channels, 8x8, one thread:
1.2 ms with kept intermediates, 5 to 7 ms with fresh ones).  So the hot
paths' intermediates (never their results) live here: a call takes the
buffers of its key out of the cache, fills them, and gives them back when it
is done, so two threads never share one (a second thread meanwhile gets new
ones).  The cache keeps the most recently given keys up to LIMIT_BYTES in
all; a key whose buffers alone pass that is not kept (its calls make fresh
ones each time, as without the cache).
"""
LIMIT_BYTES = 64 << 20

_CACHE = {}   # key -> {name: array}, least recently given first


def take(key):
    """The buffers kept for key (a dict name -> array; empty when none)."""
    return _CACHE.pop(key, None) or {}


def give(key, bufs):
    """Keep bufs for key's next call; drop the oldest keys past LIMIT_BYTES."""
    _CACHE[key] = bufs
    total = sum(a.size * a.itemsize for b in _CACHE.values() for a in b.values())
    while total > LIMIT_BYTES and _CACHE:
        old = _CACHE.pop(next(iter(_CACHE)))
        total -= sum(a.size * a.itemsize for a in old.values())


def buf(bufs, name, shape, dtype, xp):
    """bufs[name], made (uninitialised) the first time."""
    a = bufs.get(name)
    if a is None:
        a = bufs[name] = xp.empty(shape, dtype=dtype)
    return a

"""Scratch arrays kept between calls of the same shapes (conv_winograd.py,
pool.py's max_pool index).

Fresh arrays of a megabyte or more come from the system as new pages, and
their page faults were measured to cost more than the arithmetic done in
them (the Winograd forward at batch 64, 32 -> 64 channels, 8x8, one thread:
1.2 ms with kept intermediates, 5 to 7 ms with fresh ones).  So the hot
paths' intermediates (never their results) live here: a call takes the
buffers of its key out of the cache, fills them, and gives them back when it
is done, so two threads never share one (a second thread meanwhile gets new
ones).  A buffer dict may also hold a tag that is not an array (what
the arrays hold: conv_winograd's source of its tiles); only arrays count
towards the limit.  The cache keeps the most recently given keys up to LIMIT_BYTES in
all; a key whose buffers alone pass that is not kept (its calls make fresh
ones each time, as without the cache).
"""
LIMIT_BYTES = 64 << 20

_CACHE = {}   # key -> {name: array}, least recently given first
_BYTES = {}   # key -> the bytes of its arrays (their running sum is _total[0])
_total = [0]


def take(key):
    """The buffers kept for key (a dict name -> array; empty when none)."""
    bufs = _CACHE.pop(key, None)
    if bufs is None:
        return {}
    _total[0] -= _BYTES.pop(key)
    return bufs


def give(key, bufs):
    """Keep bufs for key's next call; drop the oldest keys past LIMIT_BYTES."""
    if key in _CACHE:       # (another thread's, given meanwhile: this one replaces it)
        take(key)
    size = sum(a.size * a.itemsize for a in bufs.values() if hasattr(a, "itemsize"))  # (and tags)
    _CACHE[key] = bufs
    _BYTES[key] = size
    _total[0] += size
    while _total[0] > LIMIT_BYTES and _CACHE:
        take(next(iter(_CACHE)))


def buf(bufs, name, shape, dtype, xp):
    """bufs[name], made (uninitialised) the first time."""
    a = bufs.get(name)
    if a is None:
        a = bufs[name] = xp.empty(shape, dtype=dtype)
    return a

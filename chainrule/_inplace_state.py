"""Global switches read on the op hot path, kept in one small module that the
registry, the in-place machinery, forward mode and inference mode share.

EPOCH counts every in-place change (see _inplace.py); FW_ACTIVE says whether a
forward-mode dual level is open (see autograd/forward_ad.py); INFERENCE_USED
whether inference tensors may exist (see _inference_mode.py)."""
EPOCH = [0]
FW_ACTIVE = [False]
INFERENCE_USED = [False]   # set once inference_mode is first entered
SAVED_HOOKS = [False]      # saved-tensor hooks are active (see autograd/_saved_hooks.py)
# The capture of chainrule.compile in progress, or None (see _compiler/capture.py).
CAPTURE = [None]
# Whether a dual level is open or a capture runs: the dispatch point's one check
# for these modes (ops/_dispatch.py _special).  FW_ACTIVE alone says whether
# tangents are pushed (code that must not push them clears it for a while).
SPECIAL = [False]
# How many vmap levels are open (see _batched.py): while 0, the dispatch point
# pays one list read for vmap.
VMAP_ACTIVE = [0]
# How many torch.func transform levels are open (see _func_levels.py): while 0,
# the in-place driver pays one list read for them.
FUNC_LEVEL = [0]


def special(dual_open):
    """What SPECIAL should say once a mode ends: whether a dual level is open
    (`dual_open`, which forward_ad knows), a capture runs or a func level is
    open (see _func_levels.py)."""
    return dual_open or CAPTURE[0] is not None or FUNC_LEVEL[0] > 0


def note_constant(a):
    """Declare the index array `a`, about to be an op's parameter, made from
    Python values or shapes alone, not from a tensor's values: chainrule.compile
    may then keep it as a constant of the replay (see capture.py's
    _maybe_from_values).  Nothing happens outside a capture."""
    cap = CAPTURE[0]
    if cap is not None:
        cap.made_constant.add(id(a))
        cap.keep.append(a)                # (its id stays its own until the capture ends)
    return a

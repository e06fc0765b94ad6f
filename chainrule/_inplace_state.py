"""Global switches read on the op hot path, kept in one small module that the
registry, the in-place machinery, forward mode and inference mode share.

EPOCH counts every in-place change (see _inplace.py); FW_ACTIVE says whether a
forward-mode dual level is open (see autograd/forward_ad.py); INFERENCE_USED
whether inference tensors may exist (see _inference_mode.py)."""
EPOCH = [0]
FW_ACTIVE = [False]
INFERENCE_USED = [False]   # set once inference_mode is first entered
SAVED_HOOKS = [False]      # saved-tensor hooks are active (see autograd/_saved_hooks.py)
# The capture of chainrule.compile in progress, or None (see _compiler/capture.py):
# while one runs, FW_ACTIVE is set too, so the dispatch point's one check for
# special modes sends every op to the capture.
CAPTURE = [None]
# How many vmap levels are open (see _batched.py): while 0, the dispatch point
# pays one list read for vmap.
VMAP_ACTIVE = [0]

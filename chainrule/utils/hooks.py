"""RemovableHandle, as torch.utils.hooks: what register_*_hook returns.

A hook table is a dict id -> hook (insertion order is calling order); the
handle removes its entry from every table it was registered in."""
__all__ = ["RemovableHandle"]


class RemovableHandle:
    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = hooks_dict
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        self.extra_dicts = [] if extra_dict is None else (
            list(extra_dict) if isinstance(extra_dict, (list, tuple)) else [extra_dict])

    def remove(self):
        self.hooks_dict_ref.pop(self.id, None)
        for d in self.extra_dicts:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

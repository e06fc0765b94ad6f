"""A small pytree: nested tuples, lists and dicts whose leaves are anything else.

Enough of ``torch.utils._pytree`` for chainrule.func: flatten, unflatten,
map, and the two printed forms PyTorch's error messages use.
"""

__all__ = ["TreeSpec", "LEAF", "tree_flatten", "tree_unflatten", "tree_map", "treespec_pprint"]


class TreeSpec:
    """The structure of a pytree: a container type, its context (dict keys)
    and the children's specs; ``LEAF`` for a leaf."""

    __slots__ = ("type", "context", "children", "num_leaves")

    def __init__(self, type_, context, children):
        self.type = type_
        self.context = context
        self.children = children
        self.num_leaves = (1 if type_ is None
                           else sum(c.num_leaves for c in children))

    def is_leaf(self):
        return self.type is None

    def __eq__(self, other):
        if not isinstance(other, TreeSpec):
            return NotImplemented
        return (self.type is other.type and self.context == other.context
                and self.children == other.children)

    def __hash__(self):
        return hash((self.type, repr(self.context), tuple(self.children)))

    def __repr__(self, indent=0):
        # As torch.utils._pytree.TreeSpec.__repr__.
        if self.type is None:
            return "*"
        prefix = f"TreeSpec({self.type.__name__}, {self.context}, ["
        children = ""
        if self.children:
            indent += 2
            children += self.children[0].__repr__(indent)
            children += "," if len(self.children) > 1 else ""
            children += ",".join("\n" + " " * indent + c.__repr__(indent)
                                 for c in self.children[1:])
        return prefix + children + "])"


LEAF = TreeSpec(None, None, [])


def tree_flatten(tree):
    """(list of leaves, TreeSpec)."""
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    if isinstance(tree, (tuple, list)) and type(tree) in (tuple, list):
        return TreeSpec(type(tree), None, [_flatten(c, leaves) for c in tree])
    if type(tree) is dict:
        keys = list(tree)
        return TreeSpec(dict, keys, [_flatten(tree[k], leaves) for k in keys])
    leaves.append(tree)
    return LEAF


def tree_unflatten(leaves, spec):
    it = iter(leaves)
    return _unflatten(it, spec)


def _unflatten(it, spec):
    if spec.type is None:
        return next(it)
    children = [_unflatten(it, c) for c in spec.children]
    if spec.type is dict:
        return dict(zip(spec.context, children))
    return spec.type(children)


def tree_map(fn, tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


class _Asterisk:
    def __repr__(self):
        return "*"


def treespec_pprint(spec):
    """As torch.utils._pytree.treespec_pprint: the tree with '*' leaves."""
    return repr(tree_unflatten([_Asterisk()] * spec.num_leaves, spec))

"""torch.einsum: the equation parsed to one canonical form, computed by the
array library's einsum, differentiated by einsum again.

The public function resolves everything PyTorch's einsum allows into a plain
equation over single letters with no broadcasting: '...' becomes letters of
its own, the implicit output (no '->') is the letters seen once in
alphabetical order after the ellipsis, and a dimension of size 1 that
broadcasts against a larger one is squeezed out of its operand (a view, so
its gradient comes back through the view).

The gradient for operand i with subscripts s_i is einsum(g, the other
operands -> s_i): a letter of s_i found nowhere else (summed away in the
forward) is brought back by an extra operand of ones, and a letter repeated
in s_i (a diagonal) by an identity matrix per repetition.  Being einsum, the
gradient is differentiable the same way, to any order.

PyTorch builds einsum from permute/mul/bmm, so its grad_fn is the last of
those: PermuteBackward0 (one operand, nothing summed), SumBackward1 (one
operand, summed), MulBackward0 (several, nothing summed), ViewBackward0
(several, contracted).  chainrule's single node takes the same name.
"""
import inspect

from .._tensor import Tensor
from . import _backend
from ._args import as_tensor_arg
from ._dispatch import apply
from ._registry import defop, expose, array_op

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_OPS = {}                    # arity -> the einsum op for that many operands


# --- the ops --------------------------------------------------------------------------------
def _raw(v):
    return v._data if isinstance(v, Tensor) else v


def _einsum_grad(F, g, operands, subs, out, i):
    """d<g, einsum>/d operand i, as one einsum (see the module docstring)."""
    xp = _backend.namespace(_raw(g))
    target = subs[i]
    shape_of = {}
    for s, a in zip(subs, operands):
        for c, n in zip(s, _raw(a).shape):
            shape_of[c] = n
    terms, args = [out], [g]
    for j, (s, a) in enumerate(zip(subs, operands)):
        if j != i:
            terms.append(s)
            args.append(a)
    seen = set("".join(terms))
    dtype = _raw(g).dtype
    used = set("".join(subs)) | set(out)
    spare = iter(c for c in _LETTERS if c not in used)
    result = []
    for c in target:
        if c in result:                      # a diagonal: a fresh letter tied to c by eye
            fresh = next(spare)
            terms.append(c + fresh)
            args.append(xp.eye(shape_of[c], dtype=dtype))
            result.append(fresh)
            continue
        if c not in seen:                    # summed in the forward: broadcast back
            terms.append(c)
            args.append(xp.ones(shape_of[c], dtype=dtype))
            seen.add(c)
        result.append(c)
    return F.einsum_eq(",".join(terms) + "->" + "".join(result), *args)


def _op_for(arity):
    op = _OPS.get(arity)
    if op is None:
        names = tuple(f"a{k}" for k in range(arity))

        def forward(*arrays, xp=_backend.NUMPY.xp):
            return xp.einsum(arrays[-1][0], *arrays[:-1])

        def combined(F, g, *vals):
            *operands, spec = vals
            _, subs, out = spec
            return tuple(_einsum_grad(F, g, operands, subs, out, i) for i in range(arity))
        # (the registry reads a formula's saved values from its parameter names)
        combined.__signature__ = inspect.Signature(
            [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
             for n in ("F", "g") + names + ("spec",)])
        op = _OPS[arity] = defop(f"einsum{arity}", forward, inputs=names, params=("spec",),
                                 combined=combined, node_name="EinsumBackward0")
    return op


def _einsum_raw(eq, *arrays, xp=_backend.NUMPY.xp):
    return xp.einsum(eq, *arrays)


def _einsum_tensors(eq, *operands):
    """F.einsum_eq on Tensors: constant arrays (ones, eye) become Tensors."""
    operands = [v if isinstance(v, Tensor) else as_tensor_arg(v) for v in operands]
    subs, out = eq.split("->")
    return _apply(tuple(operands), (eq, tuple(subs.split(",")), out))


array_op("einsum_eq", _einsum_raw)
expose(_einsum_tensors, "einsum_eq", function=False, method=False)


def _node_name(subs, out):
    summed = bool(set("".join(subs)) - set(out))
    if len(subs) == 1:
        return "SumBackward1" if summed else "PermuteBackward0"
    return "ViewBackward0" if summed else "MulBackward0"


def _apply(operands, spec):
    op = _op_for(len(operands))
    return apply(op, operands, tuple(t._data for t in operands), (spec,),
                 op.variant(_node_name(spec[1], spec[2])))


# --- parsing ----------------------------------------------------------------------------------
def _err(msg):
    return RuntimeError("einsum(): " + msg)


def _split_terms(eq):
    """(list of operand terms, output term or None), each a list of letters and '...'."""
    for k, c in enumerate(eq):
        if c not in _LETTERS and c not in ".,-> ":
            raise _err(f"invalid subscript given at index {k} in the equation string, "
                       "subscripts must be in [a-zA-Z]")
    lhs, arrow, rhs = eq.replace(" ", "").partition("->")      # (spaces count in the index above)
    terms = lhs.split(",")
    parsed = []
    for t_index, term in enumerate(terms + ([rhs] if arrow else [])):
        items, k = [], 0
        while k < len(term):
            if term[k] == ".":
                if term[k:k + 3] != "...":
                    which = f"operand {t_index}" if t_index < len(terms) else "output"
                    raise _err(f"found '.' for {which} that is not part of any ellipsis")
                items.append("...")
                k += 3
            else:
                items.append(term[k])
                k += 1
        parsed.append(items)
    return parsed[:len(terms)], (parsed[-1] if arrow else None)


def _resolve(eq, tensors):
    terms, out = _split_terms(eq)
    if len(terms) > len(tensors):
        raise _err("fewer operands were provided than specified in the equation")
    if len(terms) < len(tensors):
        raise _err("more operands were provided than specified in the equation")
    used = {c for t in terms for c in t if c != "..."} | {c for c in (out or ()) if c != "..."}
    spare = [c for c in _LETTERS if c not in used]
    ell_dims = 0
    for k, (t, x) in enumerate(zip(terms, tensors)):
        letters = sum(1 for c in t if c != "...")
        nd = x._data.ndim
        if "..." in t:
            if letters > nd:
                raise _err(f"the number of subscripts in the equation ({letters}) is more than "
                           f"the number of dimensions ({nd}) for operand {k}")
            ell_dims = max(ell_dims, nd - letters)
        elif letters != nd:
            raise _err(f"the number of subscripts in the equation ({letters}) does not match "
                       f"the number of dimensions ({nd}) for operand {k} and no ellipsis was given")
    ell = spare[:ell_dims]
    subs = []
    for t, x in zip(terms, tensors):
        if "..." in t:
            n = x._data.ndim - (len(t) - 1)
            k = t.index("...")
            t = t[:k] + ell[ell_dims - n:] + t[k + 1:]
        subs.append(t)
    if out is None:
        counts = {}
        for t in terms:
            for c in t:
                if c != "...":
                    counts[c] = counts.get(c, 0) + 1
        out = ell + sorted(c for c, n in counts.items() if n == 1)
    else:
        seen = set()
        flat = []
        for c in out:
            if c == "...":
                flat += ell
                continue
            if c in seen:
                raise _err(f"output subscript {c} appears more than once in the output")
            if not any(c in t for t in subs):
                raise _err(f"output subscript {c} does not appear in the equation for any input "
                           "operand")
            seen.add(c)
            flat.append(c)
        out = flat
    return subs, out


def _broadcast(subs, tensors):
    """Sizes per letter; operands' size-1 dims that broadcast are squeezed out."""
    size = {}
    for k, (s, x) in enumerate(zip(subs, tensors)):
        own = {}
        for c, n in zip(s, x._data.shape):
            if c in own and own[c] != n:
                raise _err(f"subscript {c} is repeated for operand {k} but the sizes don't "
                           f"match, {n} != {own[c]}")
            own[c] = n
        for c, n in own.items():
            prev = size.get(c)
            if prev is None or prev == 1:
                size[c] = n
            elif n != 1 and n != prev:
                raise _err(f"subscript {c} has size {n} for operand {k} which does not "
                           f"broadcast with previously seen size {prev}")
    new_subs, new_tensors = [], []
    for s, x in zip(subs, tensors):
        keep = [j for j, c in enumerate(s) if not (x._data.shape[j] == 1 and size[c] != 1)]
        if len(keep) != len(s):
            x = x.reshape(tuple(x._data.shape[j] for j in keep))
            s = [s[j] for j in keep]
        new_subs.append("".join(s))
        new_tensors.append(x)
    return new_subs, new_tensors


def _sublist_term(sub):
    """A sublist ([0, 1], [Ellipsis, 2]) as an equation term: 0..25 -> A..Z, 26..51 -> a..z,
    so that sorting letters sorts the integers (the implicit output's order)."""
    out = []
    for k in sub:
        if k is Ellipsis:
            out.append("...")
            continue
        if not 0 <= k < 52:
            raise ValueError("einsum(): subscript in subscript list is not within the valid "
                             "range [0, 52)")
        out.append(_LETTERS[k])
    return "".join(out)


def _from_sublists(args):
    """einsum(op1, sub1, op2, sub2, ..., [sub_out]) as (equation, operands)."""
    operands, terms = list(args[0::2]), [_sublist_term(s) for s in args[1::2]]
    out = None
    if len(args) % 2:                       # a trailing output sublist
        out = _sublist_term(operands.pop())
    eq = ",".join(terms) + ("" if out is None else "->" + out)
    return eq, operands


def einsum(*args):
    """torch.einsum(equation, *operands) (operands also as one list), or the
    sublist form einsum(op1, [0, 1], op2, [1, 2], [0, 2])."""
    if len(args) >= 2 and isinstance(args[0], Tensor) and isinstance(args[1], (list, tuple)):
        eq, operands = _from_sublists(args)
        args = (eq, *operands)
    if not args or not isinstance(args[0], str) or len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    eq, operands = args[0], args[1:]
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [as_tensor_arg(t) for t in operands]
    dt = tensors[0]._data.dtype
    for t in tensors[1:]:
        if t._data.dtype != dt:
            raise RuntimeError(f"expected scalar type {tensors[0].dtype.legacy} but found "
                               f"{t.dtype.legacy}")
    subs, out = _resolve(eq, tensors)
    subs, tensors = _broadcast(subs, tensors)
    out = "".join(out)
    return _apply(tuple(tensors), (",".join(subs) + "->" + out, tuple(subs), out))


expose(einsum, method=False, formulas=False)

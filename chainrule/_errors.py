"""PyTorch's error messages, in one place.

Each keeps PyTorch's exact first line (code that catches or prints them sees
the same text); a hint for learners may follow on a second line.
"""
import sys
import warnings

FREED_GRAPH = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")

NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")

CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak.")


def freed_graph():
    return RuntimeError(FREED_GRAPH)


def no_grad_fn(index, tensor=None):
    """`tensor` (the offending output) picks the hint: a gradient that came out
    of a create_graph backward without a graph is constant, not a tensor whose
    inputs forgot requires_grad=True."""
    first = f"element {index} of tensors does not require grad and does not have a grad_fn\n"
    if tensor is not None and tensor._constant_grad:
        return RuntimeError(
            first + "Hint: this tensor is a gradient computed with create_graph=True that does "
            "not depend on the inputs (it is constant, as the gradient of a linear function "
            "is), so it has no grad_fn and its own gradient is zero everywhere. Nothing is "
            "wrong with the inputs; check `g.requires_grad` before differentiating the "
            "gradient g again, and treat its derivative as zero when it is False.")
    return RuntimeError(
        first + "Hint: only tensors computed from a tensor with requires_grad=True (outside "
        "no_grad) can be differentiated; create the input with requires_grad=True or call "
        "x.requires_grad_() before computing with it.")


def implicit_nonscalar():
    return RuntimeError(
        "grad can be implicitly created only for scalar outputs\n"
        "Hint: pass a gradient of the output's shape, e.g. y.backward(torch.ones_like(y)), "
        "or reduce the output to a scalar first, e.g. y.sum().backward().")


def shape_mismatch(i, grad_shape, out_shape):
    return RuntimeError(
        f"Mismatch in shape: grad_output[{i}] has a shape of {grad_shape} and output[{i}] "
        f"has a shape of {out_shape}.")


def broadcast_mismatch(a, b):
    """The error PyTorch raises for shapes that do not broadcast."""
    a, b = tuple(a), tuple(b)
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + a
    pb = (1,) * (n - len(b)) + b
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                f"at non-singleton dimension {i}")
    return RuntimeError(f"shapes {list(a)} and {list(b)} are not broadcastable")


def int_requires_grad(entry):
    """Three texts, depending on the entry point, as in PyTorch."""
    if entry == "factory":
        return RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    if entry == "setter":
        return RuntimeError("only Tensors of floating point and complex dtype can require gradients")
    return RuntimeError("only Tensors of floating point dtype can require gradients")


# Frames inside chainrule: its files, and the code it generates ("<chainrule ...>").
_INSIDE = (__file__.rsplit("/", 1)[0].rsplit("\\", 1)[0], "<chainrule")


def warn_at_caller(message, category=UserWarning):
    """Warn as PyTorch does, pointing at the first frame outside chainrule
    (however deep inside the library the warning is raised)."""
    frame, level = sys._getframe(1), 2      # (stacklevel 2: warn_at_caller's caller)
    while frame is not None and frame.f_code.co_filename.startswith(_INSIDE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)

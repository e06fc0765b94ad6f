"""What torch.func refuses in a transformed function's arguments and
results, with the messages of torch._functorch.eager_transforms."""
from .._tensor import Tensor

__all__ = ["JVP_STR", "assert_non_empty_tensor_output", "assert_non_empty_list_of_tensors",
           "split_aux", "check_tangent_sizes"]

JVP_STR = "jvp(f, primals, tangents)"


def assert_non_empty_tensor_output(output, api):
    """The flat outputs of f: at least one, all tensors."""
    if (len(output) == 1 and output[0] is None) or len(output) < 1:
        raise RuntimeError(
            f"{api}: Expected f to be a function that has non-empty output (got output = "
            f"{output})")
    for o in output:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(o)}")


def assert_non_empty_list_of_tensors(output, api, argname):
    """The flat primals or tangents: at least one, all tensors."""
    if len(output) == 0:
        raise RuntimeError(f"{api}: Expected {argname} to contain at least one Tensor.")
    for out in output:
        if not isinstance(out, Tensor):
            raise RuntimeError(
                f"{api}: Expected {argname} to only contain Tensors, got {type(out)}")


def split_aux(output, has_aux, api):
    """(output, aux) of f; aux is None without has_aux."""
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    return output


def check_tangent_sizes(flat_primals, flat_tangents):
    """Each tangent has the shape of its primal."""
    for p, t in zip(flat_primals, flat_tangents):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                "original Tensor, this is not supported. Tensor is of size "
                f"{list(p.shape)} while the given forward gradient is of size {list(t.shape)}.")

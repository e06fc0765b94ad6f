"""gradcheck and gradgradcheck: compare autograd's derivatives with finite differences.

Follows torch/autograd/gradcheck.py (the "slow" mode): for every input that
requires grad, the numerical Jacobian comes from central differences, each
element perturbed in place on the input's own storage and restored; the
analytical Jacobian comes from one `autograd.grad` per output element (done
twice, to catch non-reentrant backwards).  Both are laid out as PyTorch's,
(input numel, output numel), and compared with `|a - n| <= atol + rtol * |n|`.

Jacobians live as raw arrays of the inputs' array library (reached through
its namespace, ops/_backend.py) and become Tensors only to be printed in an
error message, exactly as PyTorch prints them.

check_forward_ad=True compares the Jacobian from forward mode
(autograd/forward_ad.py, one dual pass per input element) with the numerical
one too; check_fwd_over_rev / check_batched_forward_grad raise
NotImplementedError; fast_mode runs the slow (exact) path; masked only
concerns sparse tensors and is ignored.
"""
import itertools
import warnings

from .. import _dtypes, _fpstate
from .._dtypes import FROM_NP, float64
from .._factories import rand, randn
from .._tensor import Size, Tensor
from ..ops import _backend
from . import forward_ad as _forward_ad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "get_numerical_jacobian",
           "get_analytical_jacobian"]


class GradcheckError(RuntimeError):
    r"""Error raised by :func:`gradcheck` and :func:`gradgradcheck`."""


FAILED_NONDET_MSG = """\n
NOTE: If your op relies on non-deterministic operations i.e., it is listed here:
https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
this failure might be expected.

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `nondet_tol=<tol>` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_nondet_tol=<tol>`.
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_nondet_tol=<tol>`
"""

_NO_FORWARD_CHECKS = ("chainrule's gradcheck does not check forward-mode derivatives "
                      "(yet): {} is not supported")


def _autograd_grad(*args, **kwargs):
    # Looked up at call time: chainrule.autograd may import this module.
    from . import grad      # (cycle: the autograd package imports this module)
    return grad(*args, **kwargs)


# --- small helpers ------------------------------------------------------------
def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_tensor(x):
    return isinstance(x, Tensor)


def _differentiable_outputs(x):
    return tuple(o for o in _as_tuple(x) if o.requires_grad)


def _zeros_like(d):
    return _backend.namespace(d).zeros_like(d)


def _diff_inputs(tupled_inputs):
    return [t for t in tupled_inputs if _is_tensor(t) and t.requires_grad]


def _is_float(t):
    return _is_tensor(t) and t._data.dtype.kind in "fc"


def _wrap(a):
    return Tensor._make(a)


def _check_inputs(tupled_inputs):
    any_input_requiring_grad = False
    for idx, inp in enumerate(tupled_inputs):
        if _is_tensor(inp) and inp.requires_grad:
            if inp._data.dtype != _dtypes.float64.np and inp._data.dtype != _dtypes.complex128.np:
                warnings.warn(
                    f"Input #{idx} requires gradient and "
                    "is not a double precision floating point or complex. "
                    "This check will likely fail if all the inputs are "
                    "not of double precision floating point or complex. ",
                    stacklevel=2,
                )
            d = inp._data
            strides = _backend.backend_of(d).strides(d)
            if not all(st != 0 or sz <= 1 for st, sz in zip(strides, d.shape)):
                raise RuntimeError(
                    f"The {idx}th input has a dimension with stride 0. gradcheck only "
                    "supports inputs that are non-overlapping to be able to "
                    "compute the numerical gradients correctly. You should call "
                    ".contiguous on the input before passing it to gradcheck."
                )
            any_input_requiring_grad = True
    if not any_input_requiring_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, "
            "but none of them have requires_grad=True."
        )
    return True


def _allclose(a, b, rtol, atol):
    """torch.allclose(a, b, rtol, atol) after promoting both to a common dtype."""
    xp = _backend.namespace(a)
    dt = _dtypes.promote_types(_dtypes.FROM_NP[a.dtype], _dtypes.FROM_NP[b.dtype]).np
    a = a.astype(dt, copy=False)
    b = b.astype(dt, copy=False)
    token = _fpstate.quiet()
    try:
        close = a == b
        if rtol == 0 and atol == 0:
            return bool(close.all())
        allowed = atol + xp.abs(rtol * b)
        actual = xp.abs(a - b)
        close |= xp.isfinite(actual) & (actual <= allowed)
    finally:
        _fpstate.restore(token)
    return bool(close.all())


def _get_notallclose_msg(analytical, numerical, output_idx, input_idx, is_forward_ad=False):
    mode = "computed with forward mode " if is_forward_ad else ""
    return (f"Jacobian {mode}mismatch for output {output_idx:d} with respect to input "
            f"{input_idx:d},\nnumerical:{_wrap(numerical)}\nanalytical:{_wrap(analytical)}\n")


# --- numerical Jacobian ---------------------------------------------------------
def _check_outputs_same_dtype_and_shape(output1, output2, eps, idx=None):
    on_index = f"on index {idx} " if idx is not None else ""
    if output1.shape != output2.shape:
        raise AssertionError(
            f"Expected `func` to return outputs with the same shape"
            f" when inputs are perturbed {on_index}by {eps}, but got:"
            f" shapes {Size(output1.shape)} and {Size(output2.shape)}.")
    if output1.dtype != output2.dtype:
        raise AssertionError(
            f"Expected `func` to return outputs with the same dtype"
            f" when inputs are perturbed {on_index}by {eps}, but got:"
            f" dtypes {FROM_NP[output1.dtype]} and {FROM_NP[output2.dtype]}.")


def _call_cloned(func, tupled_inputs):
    """func(*inputs), each output's data copied (it may share the input's storage)."""
    return tuple(o._data.copy() for o in _as_tuple(func(*tupled_inputs)))


def _numerical_jacobian_wrt_input(func, tupled_inputs, input_idx, func_out, eps):
    """Jacobians (one per output, float outputs only: (input numel, output numel),
    output dtype) of func with respect to tupled_inputs[input_idx]."""
    inp = tupled_inputs[input_idx]
    swapped = None
    if not _backend.backend_of(inp._data).is_writeable(inp._data):
        swapped = inp._data                    # e.g. from_numpy of a read-only array
        inp._data = swapped.copy()
    data = inp._data
    xp = _backend.namespace(data)
    try:
        jacobians = [xp.zeros((data.size, o._data.size), o._data.dtype)
                     if _is_float(o) else None for o in func_out]
        for d_idx, idx in enumerate(itertools.product(*[range(n) for n in data.shape])):
            orig = data[idx].copy()
            try:
                data[idx] = orig - eps
                outa = _call_cloned(func, tupled_inputs)
                data[idx] = orig + eps
                outb = _call_cloned(func, tupled_inputs)
            finally:
                data[idx] = orig
            for k, (a, b) in enumerate(zip(outa, outb)):
                _check_outputs_same_dtype_and_shape(a, b, eps, idx=idx)
                if k < len(jacobians) and jacobians[k] is not None:
                    jacobians[k][d_idx] = ((b - a) / (2 * eps)).reshape(-1)
    finally:
        if swapped is not None:
            inp._data = swapped
    return jacobians


def _numerical_jacobian(func, tupled_inputs, func_out, eps):
    """[input][output] numerical Jacobians, for the inputs that require grad."""
    return [_numerical_jacobian_wrt_input(func, tupled_inputs, i, func_out, eps)
            for i, a in enumerate(tupled_inputs) if _is_tensor(a) and a.requires_grad]


# --- analytical Jacobian ----------------------------------------------------------
def _analytical_jacobian_rows(vjp_fn, output):
    """rows[i][j]: gradient of output element j with respect to input i (or None)."""
    d = output._data
    xp = _backend.namespace(d)
    rows = []
    for j in range(d.size):
        grad_out = xp.zeros(d.shape, d.dtype)
        grad_out.reshape(-1)[j] = 1
        grad_inputs = vjp_fn(Tensor._make(grad_out))
        for i, g in enumerate(grad_inputs):
            if j == 0:
                rows.append([])
            rows[i].append(None if g is None else g._data.copy())
    return rows


def _stack_and_check(rows, diff_inputs, numel_output):
    jacobians = []
    sizes_ok = types_ok = True
    for inp, grads in zip(diff_inputs, rows):
        jac = _backend.namespace(inp._data).zeros((inp._data.size, numel_output),
                                                  inp._data.dtype)
        for j, g in enumerate(grads):
            if g is None:
                continue
            if g.shape != inp._data.shape:
                sizes_ok = False
            elif g.dtype != inp._data.dtype:
                types_ok = False
            if g.size == jac.shape[0]:
                jac[:, j] = g.reshape(-1)
        jacobians.append(jac)
    return jacobians, sizes_ok, types_ok


def _analytical_jacobians_twice(tupled_inputs, output, nondet_tol):
    """The Jacobians of `output` with respect to the inputs that require grad,
    computed twice to check for nondeterminism ("reentrancy"): (jacobians,
    reentrant, sizes_ok, types_ok)."""
    diff_inputs = _diff_inputs(tupled_inputs)

    def vjp_fn(grad_output):
        return _autograd_grad(output, diff_inputs, grad_output, retain_graph=True,
                              allow_unused=True)

    jac1, sizes_ok, types_ok = _stack_and_check(_analytical_jacobian_rows(vjp_fn, output),
                                                diff_inputs, output._data.size)
    jac2, _, _ = _stack_and_check(_analytical_jacobian_rows(vjp_fn, output),
                                  diff_inputs, output._data.size)
    reentrant = all(a.size == 0 or float(_backend.namespace(a).abs(a - b).max()) <= nondet_tol
                    for a, b in zip(jac1, jac2))
    return jac1, reentrant, sizes_ok, types_ok


def _analytical_jacobian(tupled_inputs, output, nondet_tol, check_grad_dtypes):
    jac1, reentrant, sizes_ok, types_ok = _analytical_jacobians_twice(tupled_inputs, output,
                                                                      nondet_tol)
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    if not reentrant:
        raise GradcheckError(
            "Backward is not reentrant, i.e., running backward with "
            "same input and grad_output multiple times gives different values, "
            "although analytical gradient matches numerical gradient."
            f"The tolerance for nondeterminism was {nondet_tol}." + FAILED_NONDET_MSG)
    return jac1


def _forward_jacobians(func, tupled_inputs, output_indices):
    """[input][output] Jacobians by forward mode (autograd/forward_ad.py), laid
    out as the numerical ones: one dual pass per element of each input that
    requires grad, its tangent a basis vector.  output_indices: the positions
    of the differentiable outputs (the dual pass's outputs need no grad)."""
    n_outputs = len(output_indices)
    jacobians = []
    for i, inp in enumerate(tupled_inputs):
        if not (_is_tensor(inp) and inp.requires_grad):
            continue
        d = inp._data
        xp = _backend.namespace(d)
        per_output = None
        for j in range(d.size):
            basis = xp.zeros(d.shape, d.dtype)
            basis.reshape(-1)[j] = 1
            with _forward_ad.dual_level():
                args = list(tupled_inputs)
                args[i] = _forward_ad.make_dual(inp.detach(), Tensor._make(basis))
                every = _as_tuple(func(*args))
                outs = [every[k] for k in output_indices]
                if per_output is None:
                    per_output = [xp.zeros((d.size, o._data.size), o._data.dtype) for o in outs]
                for k, o in enumerate(outs):
                    tangent = _forward_ad.unpack_dual(o).tangent
                    if tangent is not None:
                        per_output[k][j] = tangent._data.reshape(-1)
        jacobians.append(per_output if per_output is not None else
                         [_backend.namespace(d).zeros((0, 0), d.dtype)] * n_outputs)
    return jacobians


# --- the checks -------------------------------------------------------------------
def _slow_gradcheck(func, func_out, tupled_inputs, outputs, eps, rtol, atol,
                    check_grad_dtypes, nondet_tol, use_forward_ad=False):
    func_out = _as_tuple(func_out)
    if not outputs:
        # No differentiable output: the numerical gradient must be zero.
        for per_input in _numerical_jacobian(func, tupled_inputs, func_out, eps):
            for jac in per_input:
                if jac is not None and (jac != 0).sum() > 0:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    numerical = list(zip(*_numerical_jacobian(func, tupled_inputs, func_out, eps)))
    numerical = [nj for o, nj in zip(func_out, numerical) if o.requires_grad]
    if use_forward_ad:
        forward = _forward_jacobians(func, tupled_inputs,
                                     [k for k, o in enumerate(func_out)
                                      if _is_tensor(o) and o.requires_grad])
        for j, per_input in enumerate(forward):
            for i, a in enumerate(per_input):
                n = numerical[i][j]
                if not _allclose(a, n, rtol, atol):
                    raise GradcheckError(_get_notallclose_msg(a, n, i, j, is_forward_ad=True))
        return True
    for i, o in enumerate(outputs):
        analytical = _analytical_jacobian(tupled_inputs, o, nondet_tol, check_grad_dtypes)
        for j, (a, n) in enumerate(zip(analytical, numerical[i])):
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_get_notallclose_msg(a, n, i, j))
    return True


def _test_batched_grad(tupled_inputs, output, output_idx):
    """No vmap in chainrule: the "batched" vector-Jacobian products are computed
    one by one, so this only checks that backward runs for random grad_outputs."""
    diff_inputs = _diff_inputs(tupled_inputs)
    for _ in range(2):
        v = randn(*output.shape, dtype=output.dtype)
        try:
            _autograd_grad(output, diff_inputs, v, retain_graph=True, allow_unused=True)
        except RuntimeError as ex:
            raise GradcheckError(f"While computing batched gradients, got: {ex}") from ex
    return True


def _test_backward_mul_by_grad_output(outputs, tupled_inputs):
    diff_inputs = _diff_inputs(tupled_inputs)
    if not diff_inputs:
        raise GradcheckError("no Tensors requiring grad found in input")
    grads_input = _autograd_grad(
        outputs, diff_inputs, [Tensor._make(_zeros_like(o._data)) for o in outputs],
        allow_unused=True)
    for gi, di in zip(grads_input, diff_inputs):
        if gi is None:
            continue
        if not (gi._data == 0).all():
            raise GradcheckError("backward not multiplied by grad_output")
        if gi._data.dtype != di._data.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi._data.shape != di._data.shape:
            raise GradcheckError("grad is incorrect size")
    return True


def _test_undefined_backward_mode(func, outputs, tupled_inputs):
    """chainrule has no undefined gradients: they are stood in for by zeros."""
    diff_inputs = _diff_inputs(tupled_inputs)
    if not diff_inputs:
        raise GradcheckError("no Tensors requiring grad found in input")

    def warn_bc_breaking():
        warnings.warn(
            "Backwards compatibility: New undefined gradient support checking "
            "feature is enabled by default, but it may break existing callers "
            "of this function. If this is true for you, you can call this "
            'function with "check_undefined_grad=False" to disable the feature',
            stacklevel=2)

    def check_undefined_grad_support(output_to_check):
        grads_output = [Tensor._make(_zeros_like(o._data)) for o in output_to_check]
        try:
            grads_input = _autograd_grad(output_to_check, diff_inputs, grads_output,
                                         allow_unused=True)
        except RuntimeError as e:
            warn_bc_breaking()
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. "
                'Please look at "Notes about undefined output gradients" in '
                '"tools/autograd/derivatives.yaml"') from e
        for gi in grads_input:
            if gi is not None and not (gi._data == 0).all():
                warn_bc_breaking()
                raise GradcheckError(
                    "Expected all input grads to be undefined or zero when all output grads "
                    'are undefined or zero. Please look at "Notes about undefined output '
                    'gradients" in "tools/autograd/derivatives.yaml"')
        return True

    outputs_to_check = [_differentiable_outputs(func(*tupled_inputs))]
    if len(outputs_to_check[0]) > 1:
        for _ in range(len(outputs)):
            outputs_to_check.append(_differentiable_outputs(func(*tupled_inputs)))
    return all(check_undefined_grad_support(out) for out in outputs_to_check)


def _realified(func, tupled_inputs):
    """func and its inputs with every complex tensor in and out seen as its
    real and imaginary parts (view_as_real), as torch's gradcheck perturbs
    both parts: a real function of real inputs, whose Jacobians hold the
    parts of PyTorch's complex gradients (dL/dRe z + i dL/dIm z, and a
    complex output's gradient given likewise)."""
    from .. import ops  # (cycle: the op modules import the autograd package)
    C = ops.complex
    if not any(_is_tensor(t) and t._data.dtype.kind == "c" for t in tupled_inputs) and \
            not any(_is_tensor(o) and o._data.dtype.kind == "c" for o in _as_tuple(func(*tupled_inputs))):
        return func, tupled_inputs
    complex_at = [_is_tensor(t) and t._data.dtype.kind == "c" for t in tupled_inputs]
    real_inputs = tuple(Tensor._make(C.view_as_real(t.detach())._data.copy(), t.requires_grad)
                        if c else t for t, c in zip(tupled_inputs, complex_at))

    def real_func(*args):
        out = func(*[C.view_as_complex(a) if c else a for a, c in zip(args, complex_at)])
        outs = tuple(C.view_as_real(o) if _is_tensor(o) and o._data.dtype.kind == "c" else o
                     for o in _as_tuple(out))
        return outs if isinstance(out, (tuple, list)) else outs[0]
    return real_func, real_inputs


def _gradcheck_helper(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
                      check_grad_dtypes, check_batched_grad, check_batched_forward_grad,
                      check_forward_ad, check_backward_ad, fast_mode, masked):
    tupled_inputs = _as_tuple(inputs)
    _check_inputs(tupled_inputs)
    func, tupled_inputs = _realified(func, tupled_inputs)
    if check_batched_forward_grad:
        raise NotImplementedError(_NO_FORWARD_CHECKS.format("check_batched_forward_grad=True"))

    func_out = func(*tupled_inputs)
    outputs = _differentiable_outputs(func_out)
    # fast_mode: the slow path gives the same verdict (it compares full Jacobians).
    # Backward first, then forward mode, as PyTorch.
    if check_backward_ad:
        _slow_gradcheck(func, func_out, tupled_inputs, outputs, eps, rtol, atol,
                        check_grad_dtypes, nondet_tol)
    if check_forward_ad:
        _slow_gradcheck(func, func_out, tupled_inputs, outputs, eps, rtol, atol,
                        check_grad_dtypes, nondet_tol, use_forward_ad=True)
    if not check_backward_ad:
        return True
    if check_batched_grad:
        for i, o in enumerate(outputs):
            _test_batched_grad(tupled_inputs, o, i)
    _test_backward_mul_by_grad_output(outputs, tupled_inputs)
    if check_undefined_grad and check_backward_ad:
        _test_undefined_backward_mode(func, outputs, tupled_inputs)
    return True


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Check the gradients computed by autograd against finite differences.

    For every input that requires grad (double precision recommended), the
    Jacobian of `func` from central differences (step `eps`) must match the one
    from backward, within `atol + rtol * |numerical|`.  Returns True; on a
    mismatch raises GradcheckError, or returns False if raise_exception=False.
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True")
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError(
            "Setting check_batched_forward_grad=True requires check_forward_ad to be True")
    args = dict(func=func, inputs=inputs, eps=eps, atol=atol, rtol=rtol,
                nondet_tol=nondet_tol, check_undefined_grad=check_undefined_grad,
                check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                check_batched_forward_grad=check_batched_forward_grad,
                check_forward_ad=check_forward_ad, check_backward_ad=check_backward_ad,
                fast_mode=fast_mode, masked=masked)
    if not raise_exception:
        try:
            return _gradcheck_helper(**args)
        except GradcheckError:
            return False
    return _gradcheck_helper(**args)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False,
                  check_rev_over_rev=True, fast_mode=False, masked=False):
    """Check second derivatives: gradcheck of
    (inputs, grad_outputs) -> autograd.grad(func(inputs), inputs, grad_outputs,
    create_graph=True).  Random grad_outputs in [-1, 1) (requiring grad) are made
    when none are given."""
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_rev_over_rev to be True")
    tupled_inputs = _as_tuple(inputs)

    if grad_outputs is None:
        tupled_grad_outputs = []
        for x in _differentiable_outputs(func(*tupled_inputs)):
            dtype = x.dtype if x._data.dtype.kind in "fc" else float64
            if dtype.is_complex:     # both parts in [-1, 1)
                part = dtype.to_real()
                g = (rand(*x.shape, dtype=part) * 2 - 1) + (rand(*x.shape, dtype=part) * 2 - 1) * 1j
            else:
                g = rand(*x.shape, dtype=dtype) * 2 - 1
            if gen_non_contig_grad_outputs and g._data.size > 1:
                # same values, non-contiguous storage (every other element)
                buf = _backend.namespace(g._data).empty(g._data.shape + (2,), g._data.dtype)
                buf[..., 0] = g._data
                g = Tensor._make(buf[..., 0])
            tupled_grad_outputs.append(g.detach().requires_grad_())
        tupled_grad_outputs = tuple(tupled_grad_outputs)
    else:
        tupled_grad_outputs = _as_tuple(grad_outputs)

    num_outputs = len(tupled_grad_outputs)
    diff_input_args_indices = {i for i, x in enumerate(tupled_inputs)
                               if _is_tensor(x) and x.requires_grad}
    diff_grad_output_indices = {i for i, x in enumerate(tupled_grad_outputs)
                                if x.requires_grad}

    def new_func(*args):
        input_args = tuple(x.requires_grad_() if i in diff_input_args_indices else x
                           for i, x in enumerate(args[:-num_outputs]))
        outputs = _differentiable_outputs(func(*input_args))
        grad_outputs = tuple(x.requires_grad_() if i in diff_grad_output_indices else x
                             for i, x in enumerate(args[-num_outputs:]))
        diff_input_args = tuple(x for i, x in enumerate(input_args)
                                if i in diff_input_args_indices)
        grad_inputs = _autograd_grad(outputs, diff_input_args, grad_outputs,
                                     create_graph=True, allow_unused=True)
        return tuple(g for g in grad_inputs if g is not None)

    return gradcheck(new_func, tupled_inputs + tupled_grad_outputs, eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode,
                     check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, masked=masked)


# --- the deprecated helpers PyTorch still exports ---------------------------------------
def _deprecated(name):
    warnings.warn(f"`{name}` was part of PyTorch's private API and not meant to be exposed. "
                  "We are deprecating it and it will be removed in a future version of "
                  "PyTorch. If you have a specific use for this or feature request for this "
                  "to be a stable API, please file us an issue at "
                  "https://github.com/pytorch/pytorch/issues/new", FutureWarning, stacklevel=3)


def _check_grad_out(grad_out, name):
    if grad_out != 1.0:
        raise ValueError(f"Expected grad_out to be 1.0. {name} no longer supports values of "
                         "grad_out != 1.0.")


def get_numerical_jacobian(fn, inputs, target=None, eps=1e-3, grad_out=1.0):
    """Deprecated, as in PyTorch: the numerical Jacobians (as Tensors, laid out
    (input numel, output numel)) of fn's first output, fn taking `inputs` as
    one tuple, with respect to each tensor of `target` (default: `inputs`)
    that requires grad."""
    _deprecated("get_numerical_jacobian")
    _check_grad_out(grad_out, "get_numerical_jacobian")
    inputs = _as_tuple(inputs)
    targets = inputs if target is None else _as_tuple(target)
    first = _as_tuple(fn(inputs))[:1]
    jacobians = []
    for t in targets:
        if not (_is_tensor(t) and t.requires_grad):
            continue
        # (func sees `inputs` whole; the perturbed tensor is t itself, in place)
        jac = _numerical_jacobian_wrt_input(lambda *_: fn(inputs), (t,), 0, first, eps)[0]
        jacobians.append(Tensor._make(jac))
    return tuple(jacobians)


def get_analytical_jacobian(inputs, output, nondet_tol=0.0, grad_out=1.0):
    """Deprecated, as in PyTorch: (Jacobians of `output` with respect to the
    inputs that require grad, reentrant, sizes_ok, types_ok)."""
    _deprecated("get_analytical_jacobian")
    _check_grad_out(grad_out, "get_analytical_jacobian")
    jac, reentrant, sizes_ok, types_ok = _analytical_jacobians_twice(_as_tuple(inputs), output,
                                                                     nondet_tol)
    return tuple(Tensor._make(j) for j in jac), reentrant, sizes_ok, types_ok


# `chainrule.autograd.gradcheck` is this function once the package exports it;
# let `chainrule.autograd.gradcheck.GradcheckError` still reach the error class.
gradcheck.GradcheckError = GradcheckError
gradcheck.get_numerical_jacobian = get_numerical_jacobian
gradcheck.get_analytical_jacobian = get_analytical_jacobian

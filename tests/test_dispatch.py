"""The dispatch point (chainrule/ops/_dispatch.py) and what hangs off it:
every op's result is computed there, the public forms are generated from the
registry, NumPy's global state is left alone, Tensor subclasses take the same
paths, generated code is inspectable, and the fidelity fixes made there
(integer division, wrapping, bool arithmetic) behave as in PyTorch."""
import inspect
import operator
import pathlib
import re
import subprocess
import sys
import traceback
import types
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops import _registry, _dispatch, linalg, pointwise, shape as shape_ops

from _backends import numpy_only

ROOT = pathlib.Path(cr.__file__).parent


# --- every result passes the dispatch point ----------------------------------------------------
def test_op_modules_make_no_tensor_outside_the_dispatch_point():
    """Only ops/_dispatch.py wraps results: no `_make(` in the op modules or
    the generated methods (a tracer hooking apply() would miss such work)."""
    offenders = []
    for path in list((ROOT / "ops").glob("*.py")) + [ROOT / "_methods.py"]:
        if path.name == "_dispatch.py":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\b_make\(", line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []



def test_engine_imports_no_op():
    """The engine reaches ops only through the formula namespaces."""
    source = (ROOT / "autograd" / "engine.py").read_text()
    imports = [line.strip() for line in source.splitlines()
               if re.match(r"\s*(from|import)\s", line)]
    assert imports and not [i for i in imports if re.search(r"\bops\b", i)], imports

def _spy(monkeypatch):
    """Record the name of every op whose forward the dispatch point runs (on
    NumPy's arrays, op.forward; on another array library's, the forward
    op.forward_for gives)."""
    calls = []

    def counted(op, fwd):
        def forward(*args):
            calls.append(op.name)
            return fwd(*args)
        return forward
    for op in _registry.OPS.values():
        monkeypatch.setattr(op, "forward", counted(op, op.forward))
        monkeypatch.setattr(op, "forward_for",
                            lambda be, op=op, f=op.forward_for: counted(op, f(be)))
    return calls


@pytest.mark.parametrize("expr, op", [
    (lambda x: x < 0, "lt"), (lambda x: x == 1, "eq"), (lambda x: x.isnan(), "isnan"),
    (lambda x: cr.isfinite(x), "isfinite"), (lambda x: x // 2, "floor_divide"),
    (lambda x: x % 2, "remainder"), (lambda x: x.argmax(), "argmax"),
    (lambda x: x.max(0).indices, "argmax"), (lambda x: (x > 0).all(), "all"),
    (lambda x: (x > 0).any(), "any"), (lambda x: x.nonzero(), "nonzero"),
    (lambda x: cr.where(x > 0), "nonzero"), (lambda x: (x > 0) & (x < 2), "bitwise_and"),
    (lambda x: ~(x > 0), "bitwise_not"), (lambda x: cr.logical_not(x), "logical_not"),
    (lambda x: cr.div(x, 2, rounding_mode="floor"), "div_rounded"),
    (lambda x: x.sin(), "sin"), (lambda x: cr.cat([x, x]), "cat"), (lambda x: x.sum(), "sum"),
])
def test_results_come_from_the_dispatch_point(monkeypatch, expr, op):
    x = cr.tensor([[1.0, -2.0], [3.0, 0.5]])
    calls = _spy(monkeypatch)
    expr(x)
    assert op in calls


# --- generated forms -----------------------------------------------------------------------------
def test_public_forms_come_from_the_registry():
    for name, fn in _registry.FUNCTIONS.items():
        assert getattr(cr, name) is fn, name
    for name, fn in _registry.METHODS.items():
        assert cr.Tensor.__dict__[name] is fn, name
    for name in _registry.INPLACE:
        assert callable(getattr(cr.Tensor, name)), name


def test_one_declaration_gives_every_form():
    """log1p is declared once (ops/pointwise.py): function, method, in-place
    method, formula namespace, forward mode and second order all follow."""
    x = cr.tensor([0.5, 2.0], dtype=cr.float64, requires_grad=True)
    assert cr.log1p(x).tolist() == pytest.approx(np.log1p([0.5, 2.0]).tolist())
    assert x.log1p().grad_fn.name() == "Log1PBackward0"
    (g,) = cr.autograd.grad(x.log1p().sum(), x, create_graph=True)
    assert g.tolist() == pytest.approx([1 / 1.5, 1 / 3.0])
    (h,) = cr.autograd.grad(g.sum(), x)
    assert h.tolist() == pytest.approx([-1 / 1.5 ** 2, -1 / 3.0 ** 2])
    y = cr.tensor([0.5, 2.0]).log1p_()
    assert y.tolist() == pytest.approx(np.log1p([0.5, 2.0]).tolist())
    import chainrule.autograd.forward_ad as fwAD
    with fwAD.dual_level():
        d = fwAD.make_dual(cr.tensor([0.5], dtype=cr.float64), cr.tensor([1.0], dtype=cr.float64))
        assert fwAD.unpack_dual(cr.log1p(d)).tangent.tolist() == pytest.approx([1 / 1.5])


# --- NumPy's global state --------------------------------------------------------------------------
def test_import_leaves_numpy_error_state_alone():
    code = ("import numpy as np; before = np.geterr(); import chainrule; "
            "assert np.geterr() == before, np.geterr()")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ops_are_silent_but_user_numpy_code_still_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = cr.tensor([0.0, 1.0, -1.0], requires_grad=True)
        y = (1 / x).sum() + x.log().sum() + (cr.tensor([3e38]) * 10).sum()
        y.backward()
        # create_graph: the backward's own steps are ops, quiet at the dispatch point
        z = cr.tensor([0.0, 3e38], requires_grad=True)
        w = ((1 / z) + z.log() + z * 10).sum()
        gz, = cr.autograd.grad(w, z, create_graph=True)
        gz.sum().backward()
        repr(cr.tensor([float("inf"), float("nan"), 1e-30]))
        assert cr.tensor([]).mean().isnan().item()
    with pytest.warns(RuntimeWarning):
        np.array([1.0]) / np.array([0.0])



def test_quiet_state_when_its_context_is_already_entered():
    # The quiet context can be entered once at a time: a forward that runs ops
    # itself, or a second thread inside a forward, falls back to setting the
    # state.  Both must stay silent and give PyTorch's values.
    import threading
    from chainrule import _fpstate
    zero = np.zeros(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inner = _fpstate.quietly(lambda: _fpstate.quietly(np.log, zero))
        assert inner[0] == -np.inf
        x = cr.tensor([0.0])
        nested = _fpstate.quietly(lambda: cr.log(x))          # apply() inside the context
        assert nested.item() == -np.inf
    entered, release, seen = threading.Event(), threading.Event(), []

    def hold_context():
        entered.set()
        release.wait(10)

    worker = threading.Thread(target=_fpstate.quietly, args=(hold_context,))
    worker.start()
    entered.wait(10)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            seen.append(cr.log(cr.tensor([0.0])).item())
    finally:
        release.set()
        worker.join()
    assert seen == [-np.inf] and not [w for w in caught if w.category is RuntimeWarning]
    with pytest.raises(ValueError, match="own error"):        # a forward's errors pass through
        _fpstate.quietly(lambda: (_ for _ in ()).throw(ValueError("own error")))
    with pytest.raises(RuntimeError, match="^forward failed$"):
        _fpstate.quietly(lambda: (_ for _ in ()).throw(RuntimeError("forward failed")))

# --- Tensor subclasses ------------------------------------------------------------------------------
class Sub(cr.Tensor):
    pass


def _sub(values, **kw):
    t = cr.tensor(values, **kw)
    t.__class__ = Sub
    return t


def test_subclass_results_keep_the_subclass():
    s = _sub([1.0, 2.0])
    for r in (s + 1, 1 + s, s.sin(), s.sum(), s[0], s.view(2), s == 1, s * s):
        assert type(r) is Sub


def test_subclass_version_counter_error_names_the_right_version():
    a = _sub([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = b * b
    b.mul_(2)
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0"):
        c.sum().backward()


# --- generated code is inspectable --------------------------------------------------------------------
@numpy_only("the generated apply_raw is NumPy's (other array libraries take the generic path)")
def test_generated_backward_has_source_in_tracebacks():
    src = inspect.getsource(pointwise.sin.op.Node.apply_raw)
    assert "def apply_raw" in src
    x = cr.tensor([1.0], requires_grad=True)
    y = x.sin()
    y.backward(retain_graph=True)
    y.grad_fn.saved = None              # freed: the generated code raises
    try:
        y.backward()
    except RuntimeError:
        tb = traceback.format_exc()
    assert "<chainrule backward of sin>" in tb
    assert "raise _freed()" in tb


# --- fidelity fixes made at the dispatch point, against torch ----------------------------------------
torch = pytest.importorskip("torch")


@pytest.mark.parametrize("f", [
    lambda L: L.div(L.tensor([7.0, -7.0, 3.5]), 2, rounding_mode="floor"),
    lambda L: L.div(L.tensor([7.0, -7.0, 3.5]), 2, rounding_mode="trunc"),
    lambda L: L.div(L.tensor([7, -7, 3]), L.tensor([2, 2, -2]), rounding_mode="trunc"),
    lambda L: L.div(L.tensor([7, -7, 3]), L.tensor([2, 2, -2]), rounding_mode="floor"),
    lambda L: L.tensor([5, -5]) // L.tensor([2, 2]),
    lambda L: L.tensor([5, -5]) % L.tensor([-2, 2]),
    lambda L: L.tensor([5.5, -5.5]) % 2,
    lambda L: 7 % L.tensor([2, -3]),
    lambda L: L.tensor([1.0]) // 0,
    lambda L: L.tensor([1], dtype=L.int8) + 1000,
    lambda L: L.tensor([0], dtype=L.uint8) - 1,
    lambda L: L.tensor([100], dtype=L.int8) * 3,
    lambda L: L.log1p(L.tensor([0.5, 2.0])),
    lambda L: L.expm1(L.tensor([-1.0, 0.25])),
], ids=lambda f: inspect.getsource(f).strip()[10:70])
def test_values_match_torch(f):
    a, b = f(cr), f(torch)
    assert str(a.dtype) == str(b.dtype)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


@pytest.mark.parametrize("f", [
    lambda L: L.tensor([1]) // 0, lambda L: L.tensor([1]) % 0,
    lambda L: L.div(L.tensor([1]), 0, rounding_mode="floor"),
    lambda L: -L.tensor([True]), lambda L: L.tensor([True]) - L.tensor([False]),
    lambda L: L.tensor([True]) - 1, lambda L: 1 - L.tensor([True]),
    lambda L: L.tensor([2]) ** -1,
    lambda L: L.div(L.tensor([1.0]), 2, rounding_mode="round"),
    lambda L: (L.tensor([3.0], requires_grad=True) // 2).sum().backward(),
], ids=lambda f: inspect.getsource(f).strip()[10:70])
def test_errors_match_torch(f):
    with pytest.raises(Exception) as ours:
        f(cr)
    with pytest.raises(Exception) as theirs:
        f(torch)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value).splitlines()[0] == str(theirs.value).splitlines()[0]


@pytest.mark.parametrize("f", [
    lambda L, x, y: L.div(x, y, rounding_mode="floor"), lambda L, x, y: L.remainder(x, y),
    lambda L, x, y: x % 2, lambda L, x, y: L.div(x, 2, rounding_mode="trunc"),
])
def test_rounded_division_gradients_match_torch(f):
    vals = ([3.5, -3.25, 7.0], [2.0, 1.5, -2.5])
    xs = [L.tensor(v, dtype=L.float64, requires_grad=True) for L in (cr, torch) for v in vals]
    ours, theirs = f(cr, *xs[:2]), f(torch, *xs[2:])
    assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__
    ours.sum().backward()
    theirs.sum().backward()
    for a, b in zip(xs[:2], xs[2:]):
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())


def test_function_local_imports_name_their_cycle():
    """Modules import what they use at the top; an import inside a function
    only where a real import cycle needs it, with a comment saying so."""
    def in_function(lines, n):
        indent = len(lines[n]) - len(lines[n].lstrip())
        for prev in reversed(lines[:n]):
            stripped = prev.lstrip()
            if not stripped or stripped.startswith("#"):
                continue
            level = len(prev) - len(stripped)
            if level < indent:
                if re.match(r"(async\s+)?def\s", stripped):
                    return True
                indent = level
                if not level:
                    return False
        return False

    offenders = []
    for path in ROOT.rglob("*.py"):
        lines = path.read_text().splitlines()
        in_doc = False
        for n, line in enumerate(lines):
            if line.count('"""') % 2:
                in_doc = not in_doc
            if in_doc or not re.match(r"\s+(from\s+\S+\s+)?import\s", line):
                continue
            if in_function(lines, n) and "cycle" not in line and "cycle" not in lines[n - 1]:
                offenders.append(f"{path.relative_to(ROOT)}:{n + 1}: {line.strip()}")
    assert offenders == []


# --- a Tensor and a Python number: apply_number against the general apply ---------------------
def _record_number_op(general, op_name, x, number, mode):
    """x <op> number through the operator (apply_number) or through apply()
    itself, in `mode`; the result, its grad_fn's class and saved values."""
    op = getattr(pointwise, op_name)
    ctx = {"grad": cr.enable_grad, "no_grad": cr.no_grad, "inference": cr.inference_mode}[mode]
    with ctx():
        if general:
            d = x._data
            y = _dispatch.apply(op, (x, number), (d, _dispatch._backend.numpy_scalar(number, d.dtype)))
        else:
            y = op.binary(x, number)
    fn = y.grad_fn
    return y, None if fn is None else (type(fn).__name__, fn.saved, fn.meta, fn.params)


@numpy_only("apply_number is the NumPy array path")
@pytest.mark.parametrize("op_name", ["ADD", "SUB", "MUL", "DIV", "POW", "MAXIMUM", "REMAINDER"])
@pytest.mark.parametrize("which", ["leaf", "nonleaf", "constant"])
@pytest.mark.parametrize("mode", ["grad", "no_grad", "inference"])
@pytest.mark.parametrize("value", [[1.5, -2.0, 0.25], -2.0], ids=["vector", "0-d"])
def test_the_tensor_and_number_path_records_what_apply_records(op_name, which, mode, value):
    outs = []
    for general in (False, True):
        leaf = cr.tensor(value, dtype=cr.float64, requires_grad=which != "constant")
        x = leaf * 1 if which == "nonleaf" else leaf
        y, rec = _record_number_op(general, op_name, x, 3.0, mode)
        if rec is not None:
            saved = tuple(s is x if isinstance(s, cr.Tensor) else s for s in (rec[1] or ()))
            rec = (rec[0], saved, rec[2], rec[3])
            (y * y).sum().backward()
        outs.append((y.detach().numpy().tobytes(), y.requires_grad, y.is_inference(), rec,
                     None if leaf.grad is None else leaf.grad.numpy().tobytes()))
    assert outs[0] == outs[1]


_SPECIAL_VALUES = [0.0, -0.0, 1.0, -2.5, 3.0e-39, 1.0e-310, 3.0e38, 1.0e308, float("inf"),
                   float("-inf"), float("nan"), 1.0 / 3.0]


@numpy_only("the 0-d path computes on NumPy scalars")
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_zero_d_tensors_and_numbers_compute_the_bits_of_the_arrays_ufunc(dt):
    # (a 0-d tensor and a number: apply_number computes with NumPy scalars and
    # Python's operators, which must give the 0-d ufunc's bits, dtype and no warning)
    cases = [(operator.add, np.add), (operator.sub, np.subtract), (operator.mul, np.multiply),
             (operator.truediv, np.true_divide), (operator.lt, np.less),
             (operator.le, np.less_equal), (operator.gt, np.greater),
             (operator.ge, np.greater_equal), (operator.eq, np.equal),
             (operator.ne, np.not_equal)]
    numbers = [0.0, -0.0, 2, -3.0, 0.1, 1e-30, 7e37, float("inf"), float("nan")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for v in _SPECIAL_VALUES:
            x = cr.tensor(v, dtype=cr.float32 if dt is np.float32 else cr.float64)
            for py_op, ufunc in cases:
                for n in numbers:
                    got = py_op(x, n)
                    with np.errstate(all="ignore"):
                        want = np.asarray(ufunc(np.array(v, dt), np.array(n, dt)))
                    assert got._data.__class__ is np.ndarray and got._data.shape == ()
                    assert got._data.dtype == want.dtype and got._data.tobytes() == want.tobytes(), \
                        (v, py_op.__name__, n)


@numpy_only("the 0-d norm computes on a NumPy scalar")
@pytest.mark.parametrize("dt", [np.float16, np.float32, np.float64])
def test_the_norm_of_a_zero_d_tensor_is_the_bits_of_the_arrays_abs(dt):
    # (norm() of a 0-d tensor is abs of its NumPy scalar: the 0-d ufunc's bits,
    # a 0-d array again, the gradient a one-element vector's gets)
    for v in _SPECIAL_VALUES + [-1.5, -3.0e-39]:
        x = cr.tensor(v, dtype=cr.get_default_dtype() if dt is np.float32 else
                      (cr.float16 if dt is np.float16 else cr.float64), requires_grad=True)
        n = x.norm()
        with np.errstate(all="ignore"):
            want = np.abs(np.array(v, dt))
        assert n._data.__class__ is np.ndarray and n._data.shape == ()
        assert n._data.dtype == dt and n._data.tobytes() == want.tobytes(), v
        n.backward()
        if v == 0 or 1e-4 < abs(v) < 1e4:     # (where the vector's sqrt(v * v) is |v| exactly)
            y = cr.tensor([v], dtype=x.dtype, requires_grad=True)
            y.norm().backward()
            assert x.grad.numpy().tobytes() == y.grad.numpy()[0].tobytes(), v


@numpy_only("apply_number is the NumPy array path")
@pytest.mark.parametrize("name", ["lt", "le", "gt", "ge", "eq", "ne"])
@pytest.mark.parametrize("value", [[1.5, -2.0, float("nan")], 1.5], ids=["vector", "0-d"])
@pytest.mark.parametrize("mode", ["grad", "no_grad", "inference"])
def test_comparisons_with_numbers_give_what_apply_gives(name, value, mode):
    op = getattr(pointwise, name).op
    ctx = {"grad": cr.enable_grad, "no_grad": cr.no_grad, "inference": cr.inference_mode}[mode]
    outs = []
    for general in (False, True):
        x = cr.tensor(value, requires_grad=mode != "inference") * 1
        with ctx():
            y = (_dispatch.apply(op, (x, 1.5), (x._data, _dispatch._backend.numpy_scalar(1.5, x._data.dtype)))
                 if general else getattr(x, f"__{name}__")(1.5))
        outs.append((y._data.tobytes(), y.dtype, y.shape, y.requires_grad, y.grad_fn,
                     y.is_inference(), type(y._data)))
    assert outs[0] == outs[1]


@numpy_only("apply_number is the NumPy array path")
def test_the_tensor_and_number_path_keeps_version_checks_and_subclasses():
    x = cr.tensor([1.5, 2.0], requires_grad=True) * 1
    y = x ** 2.0                               # saves x
    x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    p = cr.nn.Parameter(cr.tensor([1.0, 2.0]))
    assert type(p * 2.0) is cr.Tensor            # (a Parameter: the general path, as torch)
    assert (p * 2.0).grad_fn.name() == "MulBackward0"


def test_the_operator_path_takes_only_ops_whose_forward_runs_quietly():
    # (apply_number runs every forward it is given under the quiet state)
    # (a stand-in, so that no test op stays in the registry for other tests)
    loud = types.SimpleNamespace(name="loud_for_test", quiet=False)
    with pytest.raises(ValueError, match="quiet=True"):
        pointwise.binary(loud)


# --- two Tensors of one dtype: apply_pair against the general apply ---------------------------
def _pair_operand(which, shape, seed):
    leaf = cr.tensor(np.linspace(0.5, 2.0, int(np.prod(shape))).reshape(shape) + seed,
                     dtype=cr.float64, requires_grad=which != "constant")
    return leaf, (leaf * 1 if which == "nonleaf" else leaf)


def _record_pair_op(general, op_name, which_a, which_b, shape_b, mode, shape_a=(2, 3)):
    """x <op> y through the operator (apply_pair) or through apply() itself,
    in `mode`; what the node holds, named by what it refers to; after a
    backward, the leaves' gradients.  op_name "MM": x @ y."""
    op = linalg.MM if op_name == "MM" else getattr(pointwise, op_name)
    la, x = _pair_operand(which_a, shape_a, 0.0)
    lb, y = _pair_operand(which_b, shape_b, 0.25)
    ctx = {"grad": cr.enable_grad, "no_grad": cr.no_grad, "inference": cr.inference_mode}[mode]
    with ctx():
        if general:
            out = _dispatch.apply(op, (x, y), (x._data, y._data))
        else:
            out = x @ y if op_name == "MM" else op.binary(x, y)
    return _recorded(out, {id(x): "x", id(y): "y", id(la): "leaf a", id(lb): "leaf b",
                           id(x.grad_fn): "x.grad_fn", id(y.grad_fn): "y.grad_fn"}, (la, lb))


def _recorded(out, names, leaves):
    """What a recorded op's result holds, with what its node refers to named
    (`names`: id -> name); after a backward, the leaves' gradients."""
    names = {**names, id(out._data): "out"}

    def name(v):
        if v is None or isinstance(v, (int, float, tuple)) and not isinstance(v, bool):
            return v if not isinstance(v, tuple) else tuple(name(u) for u in v)
        return names.get(id(v), type(v).__name__)
    fn = out.grad_fn
    rec = None if fn is None else (type(fn).__name__, name(fn.edges), name(fn.saved),
                                   fn.meta, fn.params, fn._epoch)
    grads = None
    if fn is not None:
        (out * out).sum().backward()
        grads = tuple(None if g is None else g.numpy().tobytes() for g in
                      (leaf.grad for leaf in leaves))
    return (out.detach().numpy().tobytes(), out.shape, out.requires_grad, out.is_inference(),
            type(out).__name__, rec, grads)


@numpy_only("apply_pair is the NumPy array path")
@pytest.mark.parametrize("op_name", ["ADD", "SUB", "MUL", "DIV", "POW", "MAXIMUM", "REMAINDER"])
@pytest.mark.parametrize("which_a", ["leaf", "nonleaf", "constant"])
@pytest.mark.parametrize("which_b", ["leaf", "nonleaf", "constant"])
@pytest.mark.parametrize("mode", ["grad", "no_grad", "inference"])
def test_the_two_tensor_path_records_what_apply_records(op_name, which_a, which_b, mode):
    for shape_b in ((2, 3), (3,), ()):           # one shape; broadcast; 0-d
        if shape_b == ():
            cr.zeros(1).add_(1)                  # (an in-place change: nodes now carry an epoch)
        assert (_record_pair_op(False, op_name, which_a, which_b, shape_b, mode)
                == _record_pair_op(True, op_name, which_a, which_b, shape_b, mode))


@numpy_only("apply_pair is the NumPy array path")
@pytest.mark.parametrize("which_a", ["leaf", "nonleaf", "constant"])
@pytest.mark.parametrize("which_b", ["leaf", "nonleaf", "constant"])
@pytest.mark.parametrize("mode", ["grad", "no_grad", "inference"])
def test_matrix_products_through_the_two_tensor_path_record_what_apply_records(which_a, which_b,
                                                                              mode):
    # (x @ y of two matrices takes apply_pair; a square pair shares its meta)
    cr.zeros(1).add_(1)                          # (nodes carry an epoch)
    for shape_a, shape_b in (((2, 3), (3, 4)), ((3, 3), (3, 3)), ((0, 3), (3, 2))):
        assert (_record_pair_op(False, "MM", which_a, which_b, shape_b, mode, shape_a)
                == _record_pair_op(True, "MM", which_a, which_b, shape_b, mode, shape_a))


@numpy_only("apply_pair is the NumPy array path")
def test_matrix_products_keep_subclasses_version_checks_and_complex_results():
    class Sub(cr.Tensor):
        pass
    s = cr.ones(2, 2).as_subclass(Sub)
    assert type(s @ cr.ones(2, 2)) is Sub and type(cr.ones(2, 2) @ s) is Sub
    assert type(cr.ones(2, 2, requires_grad=True) @ s) is Sub
    w = cr.ones(2, 2, requires_grad=True) * 1
    y = cr.ones(3, 2, requires_grad=True) @ w   # saves w for the other's gradient
    w.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    a = cr.tensor([[1 + 1j, 2j]], requires_grad=True)
    b = cr.tensor([[1j], [1 - 1j]])
    out = a @ b
    assert out.grad_fn.name() == "MmBackward0" and out.dtype == cr.complex64
    out.sum().abs().backward()              # out = 1 + 3j: d|out| = out/|out| times conj(b)^T
    np.testing.assert_allclose(a.grad.numpy(), [[(3 - 1j) / 10 ** 0.5, (-2 + 4j) / 10 ** 0.5]],
                               rtol=1e-6)


def test_a_subclass_anywhere_among_the_inputs_gives_the_result_its_class():
    # (PyTorch's __torch_function__ looks at every argument, not only the first)
    class Sub(cr.Tensor):
        pass
    t, s = cr.ones(2, 2), cr.ones(2, 2).as_subclass(Sub)
    for grad in (False, True):
        t.requires_grad_(grad)
        for make in (lambda: t + s, lambda: s + t, lambda: t * s, lambda: 2.0 - s,
                     lambda: cr.where(t > 0, t, s), lambda: cr.addcmul(t, t, s),
                     lambda: cr.addcmul(t, s, t), lambda: cr.maximum(t, s)):
            assert type(make()) is Sub
        assert type(t + cr.nn.Parameter(cr.ones(2, 2))) is cr.Tensor   # (Parameter opts out)
        assert type(t + t) is cr.Tensor


# --- one Tensor: apply_one against the general apply ---------------------------------------------
def _unary_cases():
    """name -> (the op, its params for an input of shape s, the node class, the public call)."""
    from chainrule.ops import reduce as R
    cases = {n: (getattr(cr, n).op, lambda s: (), None, getattr(cr, n))
             for n in ("tanh", "exp", "sin", "abs", "sqrt", "relu")}
    cases["sum"] = (R.SUM, lambda s: (None, False, s), R._SUM_ALL, lambda x: x.sum())
    cases["mean"] = (R.MEAN, lambda s: (None, False, s), R._MEAN_ALL, lambda x: x.mean())
    cases["mean(0)"] = (R.MEAN, lambda s: ((0,), False, s), R._MEAN_DIM, lambda x: x.mean(0))
    cases["norm"] = (R.NORM, lambda s: (2, None, False, s), None, lambda x: x.norm())
    return cases


def _record_unary_op(general, name, which, shape, mode):
    op, params, node_cls, public = _unary_cases()[name]
    leaf, x = _pair_operand(which, shape, 0.0)
    ctx = {"grad": cr.enable_grad, "no_grad": cr.no_grad, "inference": cr.inference_mode}[mode]
    with ctx():
        out = (_dispatch.apply(op, (x,), (x._data,), params(x._data.shape), node_cls)
               if general else public(x))
    return _recorded(out, {id(x): "x", id(leaf): "leaf", id(x.grad_fn): "x.grad_fn"}, (leaf,))


@numpy_only("apply_one is the NumPy array path")
@pytest.mark.parametrize("name", list(_unary_cases()))
@pytest.mark.parametrize("which", ["leaf", "nonleaf", "constant"])
@pytest.mark.parametrize("mode", ["grad", "no_grad", "inference"])
def test_the_one_tensor_path_records_what_apply_records(name, which, mode):
    for shape in ((2, 3), (), (0, 3)):
        if shape == () and name == "mean(0)":
            continue
        if shape == (0, 3):
            cr.zeros(1).add_(1)                  # (an in-place change: nodes now carry an epoch)
        assert (_record_unary_op(False, name, which, shape, mode)
                == _record_unary_op(True, name, which, shape, mode)), shape


def _unary_outcome(general, name, which):
    """The op on a complex tensor through the public call (apply_one) or apply():
    the result, its node's class and what it holds, or the error raised."""
    op, params, node_cls, public = _unary_cases()[name]
    leaf = cr.tensor([1.5 + 0.5j, -2.0 + 1.0j], requires_grad=which != "constant")
    x = leaf * 1 if which == "nonleaf" else leaf
    return _complex_outcome(
        lambda: _dispatch.apply(op, (x,), (x._data,), params(x._data.shape), node_cls) if general
        else _dispatch.apply_one(op, x, x._data, params(x._data.shape), node_cls))


@numpy_only("apply_one is the NumPy array path")
@pytest.mark.parametrize("name", list(_unary_cases()))
@pytest.mark.parametrize("which", ["leaf", "nonleaf", "constant"])
def test_the_one_tensor_path_meets_complex_inputs_as_apply_does(name, which):
    assert _unary_outcome(False, name, which) == _unary_outcome(True, name, which)


@numpy_only("apply_one is the NumPy array path")
def test_the_one_tensor_path_keeps_version_checks_anomaly_traces_and_subclasses():
    x = cr.tensor([1.5, 2.0], requires_grad=True) * 1
    y = cr.tanh(x)                               # saves its output
    z = cr.exp(x)                                # saves its output
    w = x.norm()                                 # saves x and its output
    x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.backward()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    assert z.grad_fn.name() == "ExpBackward0"
    q = cr.tensor([0.5, 3.0], requires_grad=True) * 1
    q.add_(1)                                    # changed before it is saved: no error later
    n, e = q.norm(), q.exp()
    cr.zeros(1).add_(1)                          # (another change: backward checks versions)
    n.backward(retain_graph=True)
    e.sum().backward()
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"), \
            cr.autograd.detect_anomaly():
        v = cr.sin(x)
    assert v.grad_fn._anomaly_trace

    class Sub(cr.Tensor):
        pass
    s = cr.ones(2).as_subclass(Sub)
    assert type(cr.tanh(s)) is Sub and type(s.sum()) is Sub and type(s.mean()) is Sub


@numpy_only("apply_pair is the NumPy array path")
def test_the_two_tensor_path_keeps_version_checks_refusals_and_anomaly_traces():
    x = cr.tensor([1.5, 2.0], requires_grad=True) * 1
    y = cr.tensor([0.5, 3.0], requires_grad=True) * 1
    z = x * y                                  # saves both
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
    with pytest.raises(RuntimeError, match="The size of tensor a \\(2\\) must match"):
        x * cr.ones(3)
    with cr.inference_mode():
        i = cr.ones(2)
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        x * i
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"), \
            cr.autograd.detect_anomaly():
        w = x * y
    assert w.grad_fn._anomaly_trace


def _pair_outcome(general, op_name, which_a, which_b):
    """x <op> y on complex tensors (complex64, the default) through the operator (apply_pair) or
    apply() itself: the result, its node's class and what it holds, or the
    error raised."""
    op = getattr(pointwise, op_name)
    leaves = [cr.tensor([1.5 + 0.5j, -2.0 + 1.0j], requires_grad=w != "constant")
              for w in (which_a, which_b)]
    x, y = [leaf * 1 if w == "nonleaf" else leaf for leaf, w in zip(leaves, (which_a, which_b))]
    return _complex_outcome(lambda: _dispatch.apply(op, (x, y), (x._data, y._data)) if general
                            else op.binary(x, y))


def _complex_outcome(make):
    """make()'s result, its node's class and what it holds, or the error it raised."""
    try:
        out = make()
    except Exception as e:                       # noqa: BLE001 - compared, whatever it is
        return type(e).__name__, str(e)
    fn = out.grad_fn
    return (out.detach().numpy().tobytes(), out.requires_grad, type(fn).__name__,
            None if fn is None else (fn.meta, len(fn.saved or ())))


@numpy_only("apply_pair is the NumPy array path")
@pytest.mark.parametrize("op_name", ["ADD", "SUB", "MUL", "DIV", "POW", "MAXIMUM", "REMAINDER"])
@pytest.mark.parametrize("which_a,which_b", [("leaf", "constant"), ("constant", "constant"),
                                             ("nonleaf", "leaf")])
def test_the_two_tensor_path_meets_complex_inputs_as_apply_does(op_name, which_a, which_b):
    assert (_pair_outcome(False, op_name, which_a, which_b)
            == _pair_outcome(True, op_name, which_a, which_b))


# --- broadcasting's sum in the backward ------------------------------------------------------
@pytest.mark.parametrize("dt", [np.float16, np.float32, np.float64])
def test_summing_a_gradient_over_leading_dimensions_gives_the_general_paths_bits(dt):
    # (_sum_to reduces only-leading broadcast dimensions, a bias's gradient, in one
    # ufunc call: the bits of the keepdims-and-reshape reduction it replaces)
    rng = np.random.default_rng(3)
    for xs, shape in [((16, 16), (16,)), ((300, 7), (7,)), ((5, 4, 3), (3,)),
                      ((5, 4, 3), (4, 3)), ((2, 3, 1), (3, 1)), ((9, 2), (1, 2)),
                      ((9, 2), (9, 1)), ((4, 3), ()), ((0, 3), (3,))]:
        x = rng.standard_normal(xs).astype(dt)
        lead = len(xs) - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                          if n == 1 and xs[lead + i] != 1)
        want = x.sum(axis=axes, keepdims=True).reshape(shape)
        got = shape_ops._sum_to(x, shape, np)
        assert got.__class__ is np.ndarray and got.shape == shape and got.dtype == dt
        assert got.tobytes() == want.tobytes(), (xs, shape)
    b = cr.zeros(3, dtype=cr.float64, requires_grad=True)
    (cr.tensor(np.arange(12.0).reshape(4, 3)) * (cr.ones(4, 3, dtype=cr.float64) + b)).sum().backward()
    assert b.grad.tolist() == [18.0, 22.0, 26.0]        # the column sums of arange(12)

"""chainrule.compile against eager chainrule on the differential fuzzer's
programs (tests/test_fuzz_programs.py): each program becomes a function of
its inputs, compiled, and called four times on fresh tensors (the capture,
two replays, then inputs moved by one part in a thousand, which may take
other paths and record a new variant or fail a check).  Every call must give
what the same call gives eagerly, bit for bit: the output's dtype, shape,
requires_grad and values, the same exception type where eager mode raises,
and afterwards, by the program's seed, one of: the inputs' .grad from
(out * W).sum().backward(), autograd.grad of it, the calls under no_grad,
second-order gradients through create_graph, or a whole training step
compiled (backward, an SGD update of the inputs, .grad set to None; the
inputs' values and version counters compared after each call).  Programs a
replay cannot serve (custom Functions, in-place changes, random numbers) run
eagerly with a warning: the comparison then checks that fallback."""
import warnings

import numpy as np
import pytest

pytest.importorskip("torch")            # (the fuzzer generates its programs with torch)
import chainrule  # noqa: E402
import test_fuzz_programs as fuzz  # noqa: E402

N_PROGRAMS = 1200
N_COMPLEX = 160
CHUNK = 100
CALLS = (1.0, 1.0, 1.0, 1.001)           # the inputs' scale at each call


def _function(prog):
    names = ", ".join(n for n, _, _ in prog.inputs)
    src = f"def fn({names}):\n" + "".join(f"    {line}\n" for line in prog.lines) + \
        f"    return {prog.out}\n"
    ns = fuzz._namespace(chainrule)
    exec(compile(src, f"<compile fuzz {prog.seed}>", "exec"), ns)   # noqa: S102 - the fuzzer's own lines
    return ns["fn"]


def _inputs(prog, scale):
    dt = getattr(chainrule, prog.dtype)
    return [chainrule.tensor(np.asarray(a) * scale, dtype=dt, requires_grad=rg)
            for _, a, rg in prog.inputs]


def _call(fn, args):
    try:
        return fn(*args), None
    except Exception as e:  # noqa: BLE001 - compared with eager mode's
        return None, e


def _same(a, b):
    """Bit for bit (NaN equal to NaN), dtype and shape included."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


MODES = ("backward", "grad", "no_grad", "double", "step")


def _step_of(prog, fn):
    """A training step around prog's function: the loss (out * W).sum(), its
    backward, an SGD update of the inputs that require grad, their .grad
    set to None; it returns the output."""
    W = chainrule.tensor(prog.W, dtype=chainrule.float64)

    def step(*args):
        out = fn(*args)
        (out * W).sum().backward()
        with chainrule.no_grad():
            for t in args:
                if t.grad is not None:
                    t -= 0.01 * t.grad
                    t.grad = None
        return out
    return step


def _step_differences(prog):
    """Four calls of the step, compiled and eager, each on its own inputs
    (the state the updates change): outputs, then the inputs, bit for bit."""
    fn = _function(prog)
    eager, compiled = _step_of(prog, fn), chainrule.compile(_step_of(prog, fn))
    e_in, c_in = _inputs(prog, 1.0), _inputs(prog, 1.0)
    for k in range(len(CALLS)):
        e_out, e_err = _call(eager, e_in)
        c_out, c_err = _call(compiled, c_in)
        if type(e_err) is not type(c_err):
            return [f"call {k}: step: eager raised {e_err!r}, compiled {c_err!r}"]
        if e_err is not None:
            return []
        if not _same(e_out.detach().numpy(), c_out.detach().numpy()):
            return [f"call {k}: step: output differs\n eager {e_out!r}\n compiled {c_out!r}"]
        for (name, _, _), a, b in zip(prog.inputs, e_in, c_in):
            if not _same(a.detach().numpy(), b.detach().numpy()) or a._version != b._version:
                return [f"call {k}: step: {name} differs: eager {a!r}, compiled {b!r}"]
    return []


def _differences(prog, mode):
    """What differs between the compiled and the eager calls of prog, in one
    of four uses: (out * W).sum().backward(); autograd.grad of it for the
    leaves; the calls under no_grad; autograd.grad with create_graph, then the
    gradient of the first gradients' sum (a second-order use, which makes the
    compiled function run eagerly from then on)."""
    if mode == "step":
        return _step_differences(prog)
    fn = _function(prog)
    compiled = chainrule.compile(fn)
    diffs = []
    for k, scale in enumerate(CALLS):
        e_in, c_in = _inputs(prog, scale), _inputs(prog, scale)
        if mode == "no_grad":
            with chainrule.no_grad():
                e_out, e_err = _call(fn, e_in)
                c_out, c_err = _call(compiled, c_in)
        else:
            e_out, e_err = _call(fn, e_in)
            c_out, c_err = _call(compiled, c_in)
        if type(e_err) is not type(c_err):
            diffs.append(f"call {k}: eager raised {e_err!r}, compiled {c_err!r}")
            break
        if e_err is not None:
            continue
        if not isinstance(e_out, chainrule.Tensor):
            if not (isinstance(c_out, type(e_out)) and c_out == e_out):
                diffs.append(f"call {k}: output {e_out!r} eagerly, {c_out!r} compiled")
            continue
        if not isinstance(c_out, chainrule.Tensor) or \
                e_out.requires_grad != c_out.requires_grad or \
                not _same(e_out.detach().numpy(), c_out.detach().numpy()):
            diffs.append(f"call {k}: output differs\n eager {e_out!r}\n compiled {c_out!r}")
            break
        if not e_out.requires_grad:
            continue
        got = [_gradients(prog, mode, out, ins) for out, ins in ((e_out, e_in), (c_out, c_in))]
        (e_err, e_gs), (c_err, c_gs) = got
        if type(e_err) is not type(c_err):
            diffs.append(f"call {k}: {mode}: eager raised {e_err!r}, compiled {c_err!r}")
            break
        for j, (a, b) in enumerate(zip(e_gs, c_gs)):
            if (a is None) != (b is None) or (a is not None and not _same(a, b)):
                diffs.append(f"call {k}: {mode}: gradient {j} differs: eager {a!r}, "
                             f"compiled {b!r}")
        if diffs:
            break
    return diffs


def _gradients(prog, mode, out, ins):
    """(the exception, or None; the gradients as arrays, None where none)."""
    W = chainrule.tensor(prog.W, dtype=chainrule.float64)
    leaves = [t for t in ins if t.requires_grad]
    try:
        if mode == "grad":
            gs = chainrule.autograd.grad((out * W).sum(), leaves, allow_unused=True)
        elif mode == "double":
            first = chainrule.autograd.grad((out * W).sum(), leaves, create_graph=True,
                                            allow_unused=True)
            total = sum((g * g).sum() for g in first if g is not None and g.requires_grad)
            second = chainrule.autograd.grad(total, leaves, allow_unused=True) \
                if isinstance(total, chainrule.Tensor) else [None] * len(leaves)
            gs = [g if g is None else g.detach() for g in first] + list(second)
        else:
            (out * W).sum().backward()
            gs = [t.grad for t in ins]
    except Exception as e:  # noqa: BLE001 - compared with eager mode's
        return e, []
    return None, [None if g is None else g.numpy() for g in gs]


def _check(seeds):
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # (compile's refusals, the programs' own)
        for seed in seeds:
            prog = fuzz.program(seed)
            mode = MODES[seed % len(MODES)]
            diffs = _differences(prog, mode)
            if diffs:
                failures.append(f"program {seed} ({mode}):\n" + "\n".join(prog.lines) +
                                f"\nout = {prog.out}\n" + "\n".join(diffs))
    assert not failures, f"{len(failures)} programs differ\n\n" + "\n\n".join(failures[:3])


@pytest.mark.parametrize("chunk", range(N_PROGRAMS // CHUNK))
def test_compiled_programs_are_eager_ones_bit_for_bit(chunk):
    _check(range(chunk * CHUNK, (chunk + 1) * CHUNK))


def test_compiled_complex_programs_are_eager_ones_bit_for_bit():
    _check(range(fuzz.COMPLEX_SEED, fuzz.COMPLEX_SEED + N_COMPLEX))

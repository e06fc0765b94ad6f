"""chainrule.compile against eager chainrule on the differential fuzzer's
programs (tests/test_fuzz_programs.py): each program becomes a function of
its inputs, compiled, and called four times on fresh tensors (the capture,
two replays, then inputs moved by one part in a thousand, which may take
other paths and record a new variant or fail a check).  Every call must give
what the same call gives eagerly, bit for bit: the output's dtype, shape,
requires_grad and values, the same exception type where eager mode raises,
and the inputs' gradients of (out * W).sum() afterwards.  Programs a replay
cannot serve (custom Functions, in-place changes, random numbers) run
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


def _differences(prog):
    fn = _function(prog)
    compiled = chainrule.compile(fn)
    diffs = []
    for k, scale in enumerate(CALLS):
        e_in, c_in = _inputs(prog, scale), _inputs(prog, scale)
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
        W = chainrule.tensor(prog.W, dtype=chainrule.float64)
        _, e_err = _call(lambda: (e_out * W).sum().backward(), ())
        _, c_err = _call(lambda: (c_out * W).sum().backward(), ())
        if type(e_err) is not type(c_err):
            diffs.append(f"call {k}: backward: eager raised {e_err!r}, compiled {c_err!r}")
            break
        for (name, _, _), a, b in zip(prog.inputs, e_in, c_in):
            if (a.grad is None) != (b.grad is None) or (
                    a.grad is not None and not _same(a.grad.numpy(), b.grad.numpy())):
                diffs.append(f"call {k}: {name}.grad differs: eager {a.grad!r}, "
                             f"compiled {b.grad!r}")
        if diffs:
            break
    return diffs


def _check(seeds):
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # (compile's refusals, the programs' own)
        for seed in seeds:
            prog = fuzz.program(seed)
            diffs = _differences(prog)
            if diffs:
                failures.append(f"program {seed}:\n" + "\n".join(prog.lines) +
                                f"\nout = {prog.out}\n" + "\n".join(diffs))
    assert not failures, f"{len(failures)} programs differ\n\n" + "\n\n".join(failures[:3])


@pytest.mark.parametrize("chunk", range(N_PROGRAMS // CHUNK))
def test_compiled_programs_are_eager_ones_bit_for_bit(chunk):
    _check(range(chunk * CHUNK, (chunk + 1) * CHUNK))


def test_compiled_complex_programs_are_eager_ones_bit_for_bit():
    _check(range(fuzz.COMPLEX_SEED, fuzz.COMPLEX_SEED + N_COMPLEX))

"""chainrule.optim.lr_scheduler against torch 2.13: lr (and cycled
momentum) sequences over 100 steps, state_dict round trips, PyTorch's
warnings and argument errors."""
import math
import warnings

import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

STEPS = 100


def _optimizer(L, kind="SGD"):
    groups = [{"params": [L.zeros(2, requires_grad=True)]},
              {"params": [L.zeros(1, requires_grad=True)], "lr": 0.5}]
    if kind == "Adam":
        return L.optim.Adam(groups, lr=0.1)
    return L.optim.SGD(groups, lr=0.1, momentum=0.9)


def _metric(k):
    """A loss that improves, then stalls, then improves again: what
    ReduceLROnPlateau reacts to."""
    return 1.0 / (k + 1) if k < 20 or 60 < k < 70 else 0.05 + 1e-6 * math.sin(k)


SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[10, 30, 30, 80], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.97),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=15, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=5),
    "CosineAnnealingWarmRestarts_mult": lambda S, o: S.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.01),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR_per_group": lambda S, o: S.LambdaLR(o, [lambda e: 1 / (1 + e),
                                                      lambda e: 0.9 ** (e // 3)]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda e: 0.98),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.25, total_iters=8),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=40),
    "LinearLR_default": lambda S, o: S.LinearLR(o),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=30),
    "PolynomialLR_power": lambda S, o: S.PolynomialLR(o, total_iters=60, power=2.5),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.5, total_iters=4), S.ExponentialLR(o, gamma=0.95)]),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=STEPS),
    "OneCycleLR_linear_3phase": lambda S, o: S.OneCycleLR(
        o, max_lr=1.0, epochs=10, steps_per_epoch=10, anneal_strategy="linear",
        three_phase=True, pct_start=0.25),
    "OneCycleLR_no_momentum": lambda S, o: S.OneCycleLR(o, max_lr=0.3, total_steps=STEPS + 5,
                                                        cycle_momentum=False),
    "CyclicLR": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.3], step_size_up=7),
    "CyclicLR_triangular2": lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=5,
                                                    step_size_down=9, mode="triangular2"),
    "CyclicLR_exp_range": lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4,
                                                  mode="exp_range", gamma=0.98),
    "CyclicLR_scale_fn": lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=6,
                                                 scale_fn=lambda x: 0.9 ** x,
                                                 scale_mode="iterations", cycle_momentum=False),
    "ReduceLROnPlateau": lambda S, o: S.ReduceLROnPlateau(o, patience=3, factor=0.5,
                                                          min_lr=[0.01, 0.05]),
    "ReduceLROnPlateau_max_abs": lambda S, o: S.ReduceLROnPlateau(
        o, mode="max", threshold_mode="abs", threshold=0.01, cooldown=2, patience=1),
    "SequentialLR": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.2, total_iters=10), S.ExponentialLR(o, gamma=0.9),
            S.StepLR(o, step_size=5)], milestones=[10, 40]),
}


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


def _drive(L, name, steps=STEPS, kind="SGD"):
    opt = _optimizer(L, kind)
    sched = SCHEDULERS[name](L.optim.lr_scheduler, opt)
    seen = [(list(sched.get_last_lr()), _momenta(opt))]
    for k in range(steps):
        opt.step()
        if name.startswith("ReduceLROnPlateau"):
            sched.step(_metric(k) if name == "ReduceLROnPlateau" else -_metric(k))
        else:
            sched.step()
        seen.append((list(sched.get_last_lr()), _momenta(opt)))
    return seen, opt, sched


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # SequentialLR's step(0) warns in both
        mine, ref = _drive(cr, name)[0], _drive(torch, name)[0]
    assert mine == ref


@pytest.mark.parametrize("name", ["OneCycleLR", "CyclicLR"])
def test_cycles_adam_beta1(name):
    mine = _drive(cr, name, kind="Adam")[0]
    assert mine == _drive(torch, name, kind="Adam")[0]


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_state_dict_round_trip(name):
    """50 steps, then a fresh optimiser and scheduler load both state dicts
    and run 50 more: the lrs of 100 straight steps."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        straight = _drive(cr, name)[0]
        first, opt, sched = _drive(cr, name, 50)
        sd, osd = sched.state_dict(), opt.state_dict()
        keys = sorted(_drive(torch, name, 50)[2].state_dict())
        assert sorted(sd) == keys
        # PyTorch's resume order: build both, then load both (the new
        # scheduler's initial step must not leave its mark on the lrs)
        opt2 = _optimizer(cr)
        sched2 = SCHEDULERS[name](cr.optim.lr_scheduler, opt2)
        opt2.load_state_dict(osd)
        sched2.load_state_dict(sd)
        rest = []
        for k in range(50, STEPS):
            opt2.step()
            if name.startswith("ReduceLROnPlateau"):
                sched2.step(_metric(k) if name == "ReduceLROnPlateau" else -_metric(k))
            else:
                sched2.step()
            rest.append((list(sched2.get_last_lr()), _momenta(opt2)))
    assert [lr for lr, _ in first + rest] == [lr for lr, _ in straight]


def test_closed_form_with_epoch_argument():
    for L in (cr, torch):
        out = []
        for name in ("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                     "ConstantLR", "PolynomialLR_power", "CosineAnnealingWarmRestarts_mult"):
            opt = _optimizer(L)
            sched = SCHEDULERS[name](L.optim.lr_scheduler, opt)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for e in (3, 11, 30, 7.5 if "Warm" in name else 7):
                    opt.step()
                    sched.step(e)
                    out.append(list(sched.get_last_lr()))
            out.append(sorted({str(w.message) for w in caught}))
        if L is cr:
            mine = out
    assert mine == out


def _warnings_of(L, f):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f(L)
    return [(w.category, str(w.message)) for w in caught]


def _step_before_optimizer(L):
    opt = _optimizer(L)
    sched = L.optim.lr_scheduler.StepLR(opt, 2)
    sched.step()
    opt.step()
    sched.step()


def _overridden_step(L):
    opt = _optimizer(L)
    sched = L.optim.lr_scheduler.ExponentialLR(opt, 0.5)
    opt.step = lambda closure=None: None
    opt.step()
    sched.step()


def _get_lr_outside_step(L):
    opt = _optimizer(L)
    L.optim.lr_scheduler.ExponentialLR(opt, 0.5).get_lr()


def _right_order(L):
    opt = _optimizer(L)
    sched = L.optim.lr_scheduler.CosineAnnealingLR(opt, 10)
    for _ in range(3):
        opt.step()
        sched.step()


@pytest.mark.parametrize("f", [_step_before_optimizer, _overridden_step, _get_lr_outside_step,
                               _right_order])
def test_warnings_match_torch(f):
    assert _warnings_of(cr, f) == _warnings_of(torch, f)


def _error(L, f):
    try:
        f(L)
    except Exception as e:                    # noqa: BLE001  (compared with torch's)
        return type(e), str(e)
    return None


S = lambda L: L.optim.lr_scheduler            # noqa: E731
MISUSE = {
    "not_optimizer": lambda L: S(L).StepLR([L.zeros(1)], 2),
    "resume_without_initial_lr": lambda L: S(L).StepLR(_optimizer(L), 2, last_epoch=3),
    "plateau_factor": lambda L: S(L).ReduceLROnPlateau(_optimizer(L), factor=1.0),
    "plateau_mode": lambda L: S(L).ReduceLROnPlateau(_optimizer(L), mode="up"),
    "plateau_threshold_mode": lambda L: S(L).ReduceLROnPlateau(_optimizer(L),
                                                               threshold_mode="x"),
    "plateau_min_lrs": lambda L: S(L).ReduceLROnPlateau(_optimizer(L), min_lr=[0.1]),
    "linear_start": lambda L: S(L).LinearLR(_optimizer(L), start_factor=0),
    "linear_end": lambda L: S(L).LinearLR(_optimizer(L), end_factor=1.5),
    "constant_factor": lambda L: S(L).ConstantLR(_optimizer(L), factor=2),
    "sequential_empty": lambda L: S(L).SequentialLR(_optimizer(L), [], []),
    "sequential_milestones": lambda L: (lambda o: S(L).SequentialLR(
        o, [S(L).StepLR(o, 2), S(L).StepLR(o, 3)], [1, 2]))(_optimizer(L)),
    "sequential_plateau": lambda L: (lambda o: S(L).SequentialLR(
        o, [S(L).StepLR(o, 2), S(L).ReduceLROnPlateau(o)], [1]))(_optimizer(L)),
    "chained_empty": lambda L: S(L).ChainedScheduler([]),
    "chained_plateau": lambda L: (lambda o: S(L).ChainedScheduler(
        [S(L).StepLR(o, 2), S(L).ReduceLROnPlateau(o)]))(_optimizer(L)),
    "chained_other_optimizer": lambda L: S(L).ChainedScheduler(
        [S(L).StepLR(_optimizer(L), 2)], optimizer=_optimizer(L)),
    "cyclic_mode": lambda L: S(L).CyclicLR(_optimizer(L), 0.01, 0.1, mode="square"),
    "cyclic_no_momentum": lambda L: S(L).CyclicLR(
        L.optim.Adagrad([L.zeros(1, requires_grad=True)]), 0.01, 0.1),
    "one_cycle_no_steps": lambda L: S(L).OneCycleLR(_optimizer(L), 1.0),
    "one_cycle_total": lambda L: S(L).OneCycleLR(_optimizer(L), 1.0, total_steps=0),
    "one_cycle_epochs": lambda L: S(L).OneCycleLR(_optimizer(L), 1.0, epochs=0,
                                                  steps_per_epoch=3),
    "one_cycle_pct": lambda L: S(L).OneCycleLR(_optimizer(L), 1.0, total_steps=9, pct_start=2.),
    "one_cycle_anneal": lambda L: S(L).OneCycleLR(_optimizer(L), 1.0, total_steps=9,
                                                  anneal_strategy="exp"),
    "one_cycle_max_lr_len": lambda L: S(L).OneCycleLR(_optimizer(L), [1.0], total_steps=9),
    "one_cycle_no_momentum": lambda L: S(L).OneCycleLR(
        L.optim.Adagrad([L.zeros(1, requires_grad=True)]), 1.0, total_steps=9),
    "one_cycle_past_end": lambda L: (lambda s: [s.optimizer.step() or s.step()
                                                for _ in range(4)])(
        S(L).OneCycleLR(_optimizer(L), 1.0, total_steps=3)),
    "warm_T0": lambda L: S(L).CosineAnnealingWarmRestarts(_optimizer(L), 0),
    "warm_T_mult": lambda L: S(L).CosineAnnealingWarmRestarts(_optimizer(L), 2, T_mult=0),
    "warm_negative_epoch": lambda L: S(L).CosineAnnealingWarmRestarts(_optimizer(L), 2).step(-1),
    "lambda_count": lambda L: S(L).LambdaLR(_optimizer(L), [lambda e: 1.0]),
}


@pytest.mark.parametrize("name", sorted(MISUSE))
def test_misuse_matches_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mine, ref = _error(cr, MISUSE[name]), _error(torch, MISUSE[name])
    assert ref is not None
    assert mine == ref

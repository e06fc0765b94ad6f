"""Adam (with AMSGrad, L2 or decoupled weight decay, maximize) and AdamW,
which PyTorch defines as Adam with decoupled weight decay (default 1e-2)."""
from .._factories import zeros_like
from .._grad_mode import no_grad
from ..ops.pointwise import maximum
from .optimizer import (Optimizer, addcdiv_, addcmul_, lerp_, check_range, host_values,
                        real_views, run_closure, scalar_state)


def check_betas(lr, eps, betas, weight_decay):
    """The argument checks Adam, AdamW, Adamax, NAdam and RAdam share."""
    check_range(lr, "learning rate")
    check_range(eps, "epsilon value")
    for i, b in enumerate(betas):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {b}")
    check_range(weight_decay, "weight_decay value")


def moments(state, p):
    """Adam-family state on first use: step counter and the two moment buffers."""
    if not state:
        state["step"] = scalar_state(0.0)
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)
    return state


def weight_decayed(p, grad, lr, wd, decoupled, shrink=None):
    """Adam-family weight decay: decoupled (AdamW's) shrinks p in place (by
    `shrink`, 1 - lr wd unless given) and leaves grad; otherwise L2, grad + wd p."""
    if wd != 0:
        if decoupled:
            p.mul_(1 - lr * wd if shrink is None else shrink)
        else:
            grad = grad.add(p, alpha=wd)
    return grad


def update_moments(state, grad, beta1, beta2, weights=None):
    """The running first and second moments, updated in place and returned
    (weights: 1 - beta1, beta2, 1 - beta2 when computed already)."""
    w1, b2, w2 = weights or (1 - beta1, beta2, 1 - beta2)
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    lerp_(exp_avg, grad, w1)
    addcmul_(exp_avg_sq.mul_(b2), grad, grad, w2)
    return exp_avg, exp_avg_sq


def _adam_scalars(group, step):
    """The numbers of an Adam step that change with the step count and the
    learning rate (host_values: recomputed at each replay of a compiled step)."""
    lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
    bias_correction1 = 1 - beta1 ** step
    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
    return (bias_correction2_sqrt, -lr / bias_correction1, 1 - lr * wd,
            1 - beta1, beta2, 1 - beta2)


class Adam(Optimizer):
    # (host_values: read at each replay; a cycling scheduler may change the betas)
    _compile_dynamic = {"lr": None, "betas": None}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        check_betas(lr, eps, betas, weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused, decoupled_weight_decay=decoupled_weight_decay))

    @no_grad()
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            wd = group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                state = moments(self.state[p], p)
                if group["amsgrad"] and "max_exp_avg_sq" not in state:
                    state["max_exp_avg_sq"] = zeros_like(p)
                if p.is_complex():       # (PyTorch: the real and imaginary parts apart)
                    p, grad, state = real_views(p, grad, state)
                state["step"].add_(1)
                bias_correction2_sqrt, step_size, shrink, *weights = host_values(
                    _adam_scalars, group, state["step"])
                grad = weight_decayed(p, grad, lr, wd, group["decoupled_weight_decay"], shrink)
                exp_avg, exp_avg_sq = update_moments(state, grad, beta1, beta2, weights)
                if group["amsgrad"]:
                    second = state["max_exp_avg_sq"].copy_(maximum(state["max_exp_avg_sq"],
                                                                   exp_avg_sq))
                else:
                    second = exp_avg_sq
                denom = (second.sqrt() / bias_correction2_sqrt).add_(eps)
                addcdiv_(p, exp_avg, denom, step_size)
        return loss


class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

"""Adagrad (learning-rate decay, initial accumulator, weight decay,
maximize), as torch.optim.Adagrad defines it.  Its state exists from
construction, as PyTorch's does."""
from .._factories import full_like
from .._grad_mode import no_grad
from .optimizer import (Optimizer, addcdiv_, addcmul_, check_range, host_values,
                        real_views, run_closure, scalar_state)


def _step_size(group, step):
    """-lr decayed at this step (host_values: recomputed at each replay)."""
    clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
    return (-clr,)


class Adagrad(Optimizer):
    _compile_dynamic = {"lr": None}   # (host_values: read at each replay)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_range(lr, "learning rate")
        check_range(lr_decay, "lr_decay value")
        check_range(weight_decay, "weight_decay value")
        check_range(initial_accumulator_value, "initial_accumulator_value value")
        check_range(eps, "epsilon value")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps,
                                      weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, fused=fused))
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = scalar_state(0.0)
                state["sum"] = full_like(p, group["initial_accumulator_value"])

    @no_grad()
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            wd, eps = group["weight_decay"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                state = self.state[p]
                if p.is_complex():       # (PyTorch: the real and imaginary parts apart)
                    p, grad, state = real_views(p, grad, state)
                state["step"].add_(1)
                (neg_clr,) = host_values(_step_size, group, state["step"])
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                addcmul_(state["sum"], grad, grad)
                std = state["sum"].sqrt().add_(eps)
                addcdiv_(p, grad, std, neg_clr)
        return loss

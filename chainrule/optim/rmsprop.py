"""RMSprop (smoothing alpha, centered variant, momentum, weight decay,
maximize), as torch.optim.RMSprop defines it."""
from .._factories import zeros_like
from .._grad_mode import no_grad
from .optimizer import (Optimizer, addcdiv_, addcmul_, lerp_, check_range, host_values,
                        real_views, run_closure, scalar_state)


def _neg_lr(group):
    return (-group["lr"],)


class RMSprop(Optimizer):
    _compile_dynamic = {"lr": None}   # (host_values: read at each replay)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_range(lr, "learning rate")
        check_range(eps, "epsilon value")
        check_range(momentum, "momentum value")
        check_range(weight_decay, "weight_decay value")
        check_range(alpha, "alpha value")
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    @no_grad()
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            alpha, eps = group["alpha"], group["eps"]
            wd, momentum = group["weight_decay"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                state = self.state[p]
                if not state:
                    state["step"] = scalar_state(0.0)
                    state["square_avg"] = zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = zeros_like(p)
                if p.is_complex():       # (PyTorch: the real and imaginary parts apart)
                    p, grad, state = real_views(p, grad, state)
                state["step"].add_(1)
                (neg_lr,) = host_values(_neg_lr, group)
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                square_avg = state["square_avg"]
                addcmul_(square_avg.mul_(alpha), grad, grad, 1 - alpha)
                if group["centered"]:
                    grad_avg = lerp_(state["grad_avg"], grad, 1 - alpha)
                    avg = addcmul_(square_avg.clone(), grad_avg, grad_avg, -1).sqrt_().add_(eps)
                else:
                    avg = square_avg.sqrt().add_(eps)
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    addcdiv_(buf.mul_(momentum), grad, avg)
                    p.add_(buf, alpha=neg_lr)
                else:
                    addcdiv_(p, grad, avg, neg_lr)
        return loss

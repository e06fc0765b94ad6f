"""NAdam: Adam with Nesterov momentum and momentum decay, as
torch.optim.NAdam defines it (its running product mu_product is a 0-d
float32 tensor under the float32 default dtype, rounding included)."""
from .._factories import zeros_like
from .._grad_mode import no_grad
from .adam import check_betas, update_moments, weight_decayed
from .optimizer import Optimizer, addcdiv_, check_range, run_closure, scalar_state, real_views


class NAdam(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_betas(lr, eps, betas, weight_decay)
        check_range(momentum_decay, "momentum_decay value")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable))

    @no_grad()
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], \
                group["weight_decay"]
            decay = group["momentum_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                state = self.state[p]
                if not state:
                    state["step"] = scalar_state(0.0)
                    state["mu_product"] = scalar_state(1.0)
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                if p.is_complex():       # (PyTorch: the real and imaginary parts apart)
                    p, grad, state = real_views(p, grad, state)
                step = state["step"].add_(1).item()
                bias_correction2 = 1 - beta2 ** step
                grad = weight_decayed(p, grad, lr, wd, group["decoupled_weight_decay"])
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
                mu_product = state["mu_product"].mul_(mu).item()
                exp_avg, exp_avg_sq = update_moments(state, grad, beta1, beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
                mu_product_next = mu_product * mu_next
                addcdiv_(p, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
                addcdiv_(p, exp_avg, denom, -lr * mu_next / (1.0 - mu_product_next))
        return loss

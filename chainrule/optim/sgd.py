"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum,
weight decay and maximize, as torch.optim.SGD defines them."""
from .._grad_mode import no_grad
from .optimizer import Optimizer, check_range, host_values, run_closure


def _sgd_scalars(group):
    """The numbers of an SGD step a scheduler may change (host_values)."""
    return -group["lr"], group["momentum"]


def _momentum_flow(m):
    # (what the step's branches see of the momentum: `!= 0` here, `alpha != 1` in add)
    return m != 0, m != 1


class SGD(Optimizer):
    # (host_values: read at each replay; a cycling scheduler may change both)
    _compile_dynamic = {"lr": None, "momentum": _momentum_flow}
    _takes_complex = True          # (linear in the gradient: PyTorch's update on the parts)

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        check_range(lr, "learning rate")
        check_range(momentum, "momentum value")
        check_range(weight_decay, "weight_decay value")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    @no_grad()
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            dampening = group["dampening"]
            wd, nesterov = group["weight_decay"], group["nesterov"]
            neg_lr = None
            for p in group["params"]:
                if p.grad is None:
                    continue
                if neg_lr is None:
                    neg_lr, momentum = host_values(_sgd_scalars, group)
                d = -p.grad if group["maximize"] else p.grad
                if wd != 0:
                    d = d.add(p, alpha=wd)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = d.clone().detach()
                    else:
                        buf.mul_(momentum).add_(d, alpha=1 - dampening)
                    state["momentum_buffer"] = buf
                    d = d.add(buf, alpha=momentum) if nesterov else buf
                p.add_(d, alpha=neg_lr)
        return loss

"""Adamax: Adam with the infinity norm in place of the second moment."""

import chainrule
from chainrule.optim.adam import _check_betas
from chainrule.optim.optimizer import (
    _FLAG_DEFAULTS,
    Optimizer,
    _check_capturable,
    _check_lr,
    _check_non_negative,
    _grads,
    _step_counter,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """m = lerp(m, g, 1 - beta1), u = max(beta2 * u, |g| + eps),
    p -= lr / (1 - beta1**t) * m / u, in PyTorch's order of operations."""

    _group_setdefaults = _FLAG_DEFAULTS

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        _check_lr(lr)
        _check_non_negative(epsilon=eps)
        _check_betas(betas)
        _check_non_negative(weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            for p, grad in _grads(group["params"], group["maximize"], group["weight_decay"]):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["exp_avg"] = chainrule.zeros_like(p)
                    state["exp_inf"] = chainrule.zeros_like(p)
                _check_capturable(group)
                step_t = state["step"]
                step_t += 1
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                exp_avg.lerp_(grad, 1 - beta1)
                exp_inf.mul_(beta2).maximum_(grad.abs() + eps)
                clr = lr / (1 - beta1 ** step_t.item())
                p.addcdiv_(exp_avg, exp_inf, value=-clr)
        return loss

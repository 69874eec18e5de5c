"""ASGD: averaged stochastic gradient descent (the average of the iterates is kept in 'ax')."""

import chainrule
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

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """p = p * (1 - lambd * eta) - eta * g; the average ax follows p once t exceeds t0;
    eta = lr / (1 + lambd * lr * t) ** alpha, as in PyTorch."""

    _group_setdefaults = _FLAG_DEFAULTS

    def __init__(
        self,
        params,
        lr=1e-2,
        lambd=1e-4,
        alpha=0.75,
        t0=1e6,
        weight_decay=0,
        foreach=None,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        _check_lr(lr)
        _check_non_negative(weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
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
            lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
            for p, grad in _grads(group["params"], group["maximize"], group["weight_decay"]):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["eta"] = chainrule.tensor(float(lr))
                    state["mu"] = chainrule.tensor(1.0)
                    state["ax"] = chainrule.zeros_like(p)
                _check_capturable(group, "params, mus, etas, and state_steps")
                step_t, eta, mu, ax = state["step"], state["eta"], state["mu"], state["ax"]
                step_t += 1
                eta_value = eta.item()
                p.mul_(1 - lambd * eta_value)
                p.add_(grad, alpha=-eta_value)
                if mu.item() != 1:
                    ax.add_(p.sub(ax).mul_(mu))
                else:
                    ax.copy_(p)
                step = step_t.item()
                eta.fill_(lr / ((1 + lambd * lr * step) ** alpha))
                mu.fill_(1 / max(1, step - t0))
        return loss

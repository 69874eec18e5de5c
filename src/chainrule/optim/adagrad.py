"""Adagrad: per-coordinate step sizes from the running sum of squared gradients."""

import chainrule
from chainrule.optim.optimizer import (
    Optimizer,
    _check_fused,
    _check_lr,
    _check_non_negative,
    _grads,
    _step_counter,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """s += g * g, p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps). The state of every
    parameter is made when the optimizer is, as PyTorch does."""

    _group_setdefaults = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "fused": None,
    }

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        fused=None,
    ):
        _check_lr(lr)
        _check_non_negative(
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            epsilon=eps,
        )
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        _check_fused(defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, initial_accumulator_value)

    def _init_state(self, p, initial_accumulator_value):
        state = self.state[p]
        state["step"] = _step_counter()
        state["sum"] = chainrule.full_like(p, initial_accumulator_value)

    def share_memory(self):
        pass  # one process: nothing to share

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            lr_decay = group["lr_decay"]
            eps = group["eps"]
            for p, grad in _grads(group["params"], group["maximize"], group["weight_decay"]):
                state = self.state[p]
                if len(state) == 0:  # a parameter added with add_param_group
                    self._init_state(p, self.defaults["initial_accumulator_value"])
                step_t = state["step"]
                step_t += 1
                step = step_t.item()
                clr = lr / (1 + (step - 1) * lr_decay)
                state_sum = state["sum"]
                state_sum.addcmul_(grad, grad, value=1)
                std = state_sum.sqrt() + eps
                p.addcdiv_(grad, std, value=-clr)
        return loss

"""Rprop: resilient backpropagation, per-coordinate step sizes driven by gradient signs."""

import chainrule
from chainrule.optim.optimizer import (
    _FLAG_DEFAULTS,
    Optimizer,
    _check_capturable,
    _check_lr,
    _grads,
    _step_counter,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Each coordinate's step size grows by etaplus while its gradient keeps its sign and
    shrinks by etaminus when the sign flips (that step then skips the coordinate); the
    parameter moves by the step size against the gradient's sign."""

    _group_setdefaults = _FLAG_DEFAULTS

    def __init__(
        self,
        params,
        lr=1e-2,
        etas=(0.5, 1.2),
        step_sizes=(1e-6, 50),
        *,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        where = chainrule.where
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            for p, grad in _grads(group["params"], group["maximize"]):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["prev"] = chainrule.zeros_like(p)
                    state["step_size"] = chainrule.full_like(grad, _to_scalar(group["lr"]))
                _check_capturable(group)
                state["step"] += 1
                prev, step_size = state["prev"], state["step_size"]
                sign = grad.mul(prev).sign()
                flipped = sign < 0
                # etaminus < 1 < etaplus, so the factor for each sign case is unambiguous
                factor = where(
                    sign > 0, etaplus, where(flipped, etaminus, chainrule.ones_like(sign))
                )
                step_size.mul_(factor).clamp_(step_size_min, step_size_max)
                grad = where(flipped, 0.0, grad)
                p.addcmul_(grad.sign(), step_size, value=-1)
                prev.copy_(grad)
        return loss

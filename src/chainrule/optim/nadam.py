"""NAdam: Adam with Nesterov momentum and a momentum schedule (momentum_decay)."""

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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """mu_t = beta1 * (1 - 0.96 ** (t * momentum_decay) / 2); the step combines the gradient,
    weighted by (1 - mu_t) / (1 - prod mu), and the first moment, weighted by
    mu_{t+1} / (1 - prod mu up to t+1), over sqrt(v / (1 - beta2**t)) + eps, in PyTorch's
    order of operations. decoupled_weight_decay=True shrinks p by lr * weight_decay instead
    of adding weight_decay * p to the gradient (NAdamW)."""

    _group_setdefaults = {**_FLAG_DEFAULTS, "decoupled_weight_decay": False}

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        _check_lr(lr)
        _check_non_negative(epsilon=eps)
        _check_betas(betas)
        _check_non_negative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps, weight_decay = group["eps"], group["weight_decay"]
            momentum_decay = group["momentum_decay"]
            decoupled = group["decoupled_weight_decay"]
            for p, grad in _grads(group["params"], group["maximize"]):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["mu_product"] = chainrule.tensor(1.0)
                    state["exp_avg"] = chainrule.zeros_like(p)
                    state["exp_avg_sq"] = chainrule.zeros_like(p)
                _check_capturable(group, "params, mu_products and state_steps")
                step_t, mu_product = state["step"], state["mu_product"]
                step_t += 1
                step = step_t.item()
                bias_correction2 = 1 - beta2**step
                if weight_decay != 0:
                    if decoupled:
                        p.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(p, alpha=weight_decay)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_product *= mu
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt() + eps
                mu_product_value = mu_product.item()
                mu_product_next = mu_product_value * mu_next
                p.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product_value)))
                p.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))
        return loss

"""SparseAdam: Adam that updates only the rows a gradient touches (an embedding's looked-up
rows), leaving the moments and parameters of the other rows as they are.

PyTorch hands this optimizer sparse-layout gradients (nn.Embedding(sparse=True)) and refuses
dense ones. chainrule has no sparse layout: every gradient is dense, an Embedding's with
zeros in the rows no index looked up. So a row (an index along the first dimension) counts
as present in the gradient when any of its values is non-zero: the rows PyTorch's sparse
gradient would hold, except a looked-up row whose gradient is exactly zero everywhere,
which PyTorch would still decay and chainrule leaves alone.
"""

import math

import chainrule
from chainrule.optim.adam import _check_betas
from chainrule.optim.optimizer import Optimizer, _to_scalar
from chainrule.tensor import Tensor

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """On the rows present in the gradient: m += (g - m) * (1 - beta1),
    v += (g * g - v) * (1 - beta2), p -= lr * sqrt(1 - beta2**t) / (1 - beta1**t) *
    m / (sqrt(v) + eps), in PyTorch's order of operations; t counts the optimizer's steps."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)
        complex_params = [
            [i, j]
            for i, group in enumerate(self.param_groups)
            for j, p in enumerate(group["params"])
            if p.is_complex()
        ]
        if complex_params:
            raise ValueError(
                f"Complex params at indices {complex_params}: SparseAdam does not support "
                "complex parameters"
            )

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        with chainrule.no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group):
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        for p in group["params"]:
            if p.grad is None:
                continue
            grad = -p.grad if group.get("maximize", False) else p.grad
            state = self.state[p]
            if len(state) == 0:
                state["step"] = 0
                state["exp_avg"] = chainrule.zeros_like(p)
                state["exp_avg_sq"] = chainrule.zeros_like(p)
            state["step"] += 1
            step = state["step"]
            rows = _present_rows(grad)
            if rows.size == 0:
                continue
            g = grad[rows]
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            old_exp_avg, old_exp_avg_sq = exp_avg[rows], exp_avg_sq[rows]
            exp_avg_update = g.sub(old_exp_avg).mul(1 - beta1)
            exp_avg[rows] = old_exp_avg + exp_avg_update
            exp_avg_sq_update = g.pow(2).sub(old_exp_avg_sq).mul(1 - beta2)
            exp_avg_sq[rows] = old_exp_avg_sq + exp_avg_sq_update
            numer = exp_avg_update + old_exp_avg
            denom = (exp_avg_sq_update + old_exp_avg_sq).sqrt() + eps
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            step_size = lr * math.sqrt(bias_correction2) / bias_correction1
            p[rows] = p[rows] + -step_size * numer.div(denom)


def _present_rows(grad):
    """The indices along the first dimension where the gradient has a non-zero value (each
    element of a 1-d gradient is its own row)."""
    nonzero = (grad != 0).reshape(grad.shape[0], -1)
    return nonzero.any(dim=1).nonzero().squeeze(1)

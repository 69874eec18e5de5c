"""Adam: adaptive moment estimation, with AMSGrad and (coupled or decoupled) weight decay."""

import numpy as np

import chainrule
from chainrule.optim.optimizer import (
    Optimizer,
    _check_capturable,
    _check_fused,
    _check_lr,
    _check_non_negative,
    _grads,
    _step_counter,
    _to_scalar,
    _use_grad_for_differentiable,
)
from chainrule.tensor import Tensor

__all__ = ["Adam"]


class Adam(Optimizer):
    """m = lerp(m, g, 1 - beta1), v = beta2 * v + (1 - beta2) * g * g, and
    p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps): PyTorch's update in its
    order of operations. decoupled_weight_decay=True is AdamW (p *= 1 - lr * weight_decay)."""

    _group_setdefaults = {
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
        "fused": None,
    }

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
        fused=None,
        decoupled_weight_decay=False,
    ):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError(
                    "lr as a Tensor is not supported for capturable=False and foreach=True"
                )
        _check_lr(lr)
        _check_non_negative(epsilon=eps)
        _check_betas(betas)
        _check_non_negative(weight_decay=weight_decay)
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)
        _check_fused(defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = (_to_scalar(b) for b in group["betas"])
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            decoupled = group["decoupled_weight_decay"]
            amsgrad = group["amsgrad"]
            # decoupled decay shrinks the parameter below instead of adding to the gradient
            coupled_decay = 0 if decoupled else weight_decay
            for p, grad in _grads(group["params"], group["maximize"], coupled_decay):
                _check_capturable(group)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["exp_avg"] = chainrule.zeros_like(p)
                    state["exp_avg_sq"] = chainrule.zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = chainrule.zeros_like(p)
                step_t = state["step"]
                step_t += 1
                if decoupled and weight_decay != 0:
                    p.mul_(1 - lr * weight_decay)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                moments = (exp_avg, exp_avg_sq) + ((state["max_exp_avg_sq"],) if amsgrad else ())
                differentiable = group["differentiable"]
                if not differentiable:
                    step = step_t.item()
                    step_size = lr / (1 - beta1**step)
                    bias_correction2_sqrt = (1 - beta2**step) ** 0.5
                    if _plain_arrays(p, grad, *moments):
                        args = (beta1, beta2, step_size, bias_correction2_sqrt, eps)
                        _update_arrays(p, grad._data, moments, *args)
                        continue
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                if differentiable:
                    _differentiable_update(p, state, lr, beta1, beta2, eps, amsgrad)
                    continue
                if amsgrad:
                    max_exp_avg_sq = state["max_exp_avg_sq"]
                    max_exp_avg_sq.maximum_(exp_avg_sq)
                    denom = max_exp_avg_sq.sqrt() / bias_correction2_sqrt + eps
                else:
                    denom = exp_avg_sq.sqrt() / bias_correction2_sqrt + eps
                p.addcdiv_(exp_avg, denom, value=-step_size)
        return loss


def _plain_arrays(p, grad, *moments):
    """Whether the step can run on the arrays directly (_update_arrays): float32 or float64
    tensors of one dtype and shape, the parameter writable."""
    data = p._data
    dtype, shape = data.dtype, data.shape
    if dtype not in _ARRAY_DTYPES or not data.flags.writeable:
        return False
    return all(t._data.dtype == dtype and t._data.shape == shape for t in (grad, *moments))


_ARRAY_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _update_arrays(p, g, moments, beta1, beta2, step_size, bias_correction2_sqrt, eps):
    """The step's arithmetic on the arrays, in place, with the operations and rounding of the
    tensor formulation below it (lerp_, mul_, addcmul_, sqrt, /, +, addcdiv_): a scalar
    meets an array in the array's precision, and lerp forms a + w * (end - a) in a wider
    type, rounding once to it (as Lerp does), so the values are the same bit for bit. Two
    scratch arrays replace the temporaries of the tensor form; the versions of the tensors
    written are bumped as its in-place ops bump them."""
    exp_avg, exp_avg_sq = moments[0], moments[1]
    m, v, data = exp_avg._data, exp_avg_sq._data, p._data
    real = data.dtype.type
    # m = lerp(m, g, 1 - beta1), as Lerp computes it for a scalar weight
    weight = real(1 - beta1)
    near_m = -0.5 < weight < 0.5
    wide = np.float64 if data.dtype.itemsize < 8 else np.longdouble
    # scratch arrays made with out=, so that a 0-dim parameter's are arrays too
    tmp = np.subtract(g, m, out=np.empty(m.shape, m.dtype))
    coefficient = wide(weight if near_m else weight - real(1))
    widened = np.multiply(tmp, coefficient, out=np.empty(m.shape, wide), dtype=wide)
    widened += m if near_m else g
    np.copyto(m, widened, casting="unsafe")
    # v = v * beta2 + ((1 - beta2) * g) * g
    v *= real(beta2)
    np.multiply(g, real(1 - beta2), out=tmp)
    tmp *= g
    v += tmp
    if len(moments) == 3:  # amsgrad: the running maximum of v
        np.maximum(moments[2]._data, v, out=moments[2]._data)
        v = moments[2]._data
    # p += (-step_size * m) / (sqrt(v) / bias_correction2_sqrt + eps)
    denom = np.sqrt(v, out=np.empty(v.shape, v.dtype))
    denom /= real(bias_correction2_sqrt)
    denom += real(eps)
    np.multiply(m, real(-step_size), out=tmp)
    tmp /= denom
    data += tmp
    # as many writes as the tensor form makes: lerp_; mul_ and addcmul_; maximum_; addcdiv_
    for t in (*moments, exp_avg_sq, p):
        t._bump_version()


def _check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def _differentiable_update(p, state, lr, beta1, beta2, eps, amsgrad):
    """The step's last part when it is recorded (differentiable=True): PyTorch's tensor
    formulation, with copies of the state the graph saves, since later steps overwrite it."""
    step = state["step"]
    step_size_neg = (lr / (1 - beta1**step)).neg()
    bias_correction2_sqrt = (1 - beta2**step).sqrt()
    exp_avg_sq = state["exp_avg_sq"]
    if amsgrad:
        max_exp_avg_sq = state["max_exp_avg_sq"]
        max_exp_avg_sq.copy_(chainrule.maximum(max_exp_avg_sq.clone(), exp_avg_sq))
        exp_avg_sq = max_exp_avg_sq
    denom = (exp_avg_sq.sqrt() / (bias_correction2_sqrt * step_size_neg)).add_(eps / step_size_neg)
    p.addcdiv_(state["exp_avg"].clone(), denom)

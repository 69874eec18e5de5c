"""Dirichlet(concentration): distributions over the probability simplex."""

from __future__ import annotations

import numpy as np

import chainrule
from chainrule.autograd.function import Function
from chainrule.tensor import Size, Tensor

from ..ops.special import digamma, lgamma, xlogy
from . import constraints
from ._implicit import beta_grad, standard_gamma
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class _Dirichlet(Function):
    """Samples normalised from Gamma(concentration_i) draws. The backward pass, as PyTorch's:
    each coordinate's marginal is Beta(a_i, total - a_i); g_i = dx_i/da_i / (1 - x_i) from
    its implicit derivative, and grad_a = g * (grad - sum_j x_j grad_j)."""

    @staticmethod
    def forward(ctx, concentration):
        gammas = standard_gamma(concentration._data)
        with np.errstate(invalid="ignore"):
            x = gammas / gammas.sum(-1, keepdims=True)
        x = np.clip(x, np.finfo(concentration._data.dtype).tiny, None)
        out = Tensor._wrap(x.astype(concentration._data.dtype))
        ctx.save_for_backward(concentration, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        concentration, x = ctx.saved_tensors
        a = concentration.detach().numpy().astype(np.float64)
        xs = x.detach().numpy().astype(np.float64)
        total = a.sum(-1, keepdims=True)
        scaled = beta_grad(a, total - a, xs) / (1 - xs)
        scaled = Tensor._wrap(scaled.astype(x._data.dtype))
        return scaled * (grad - (x * grad).sum(-1, keepdim=True))


class Dirichlet(ExponentialFamily):
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        super(Dirichlet, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        return _Dirichlet.apply(self.concentration.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (
            xlogy(self.concentration - 1.0, value).sum(-1)
            + lgamma(self.concentration.sum(-1))
            - lgamma(self.concentration).sum(-1)
        )

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concentrationm1 / concentrationm1.sum(-1, True)
        below_one = (self.concentration < 1).all(dim=-1, keepdim=True)
        one_hot = chainrule.nn.functional.one_hot(
            mode.argmax(dim=-1), concentrationm1.shape[-1]
        ).to(mode.dtype)
        return chainrule.where(below_one, one_hot, mode)

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (
            lgamma(self.concentration).sum(-1)
            - lgamma(a0)
            - (k - a0) * digamma(a0)
            - ((self.concentration - 1.0) * digamma(self.concentration)).sum(-1)
        )

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return lgamma(x).sum(-1) - lgamma(x.sum(-1))

"""The Cholesky factor and lower-triangular solves MultivariateNormal needs, private to
chainrule.distributions until chainrule.linalg has them: differentiable Functions on NumPy
(LAPACK) whose backward formulas are written with these same Functions and chainrule ops.

    L = cholesky(A):      gA = sym(L^-H Phi(L^H gL) L^-1), Phi = lower triangle, diagonal / 2
    X = solve_tril(A, B): gB = A^-H gX, gA = -tril(gB X^H)
"""

from __future__ import annotations

import numpy as np

import chainrule

from ..autograd.function import Function
from ..tensor import Tensor


def _lower_half_diagonal(x):
    """Phi(X): the lower triangle of X with its diagonal halved."""
    n = x.shape[-1]
    return x.tril() - 0.5 * x * chainrule.eye(n, dtype=x.dtype)


class Cholesky(Function):
    @staticmethod
    def forward(ctx, a):
        try:
            factor = np.linalg.cholesky(a._data)
        except np.linalg.LinAlgError:
            raise RuntimeError(
                "linalg.cholesky: The factorization could not be completed because the input "
                "is not positive-definite."
            ) from None
        out = Tensor._wrap(np.ascontiguousarray(factor))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (factor,) = ctx.saved_tensors
        lt = factor.transpose(-2, -1)
        phi = _lower_half_diagonal(lt @ grad.tril())
        # S = L^-H Phi L^-1, from two triangular solves (the first gives Phi L^-1)
        right = solve_tril(factor, phi.transpose(-2, -1), transpose=True).transpose(-2, -1)
        s = solve_tril(factor, right, transpose=True)  # L^-H (Phi L^-1)
        return 0.5 * (s + s.transpose(-2, -1))


class SolveTril(Function):
    """X with A X = B (or A^H X = B when transpose), A lower triangular."""

    @staticmethod
    def forward(ctx, a, b, transpose):
        matrix = np.swapaxes(a._data, -1, -2) if transpose else a._data
        x = Tensor._wrap(np.linalg.solve(matrix, b._data))
        ctx.transpose = transpose
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        grad_b = solve_tril(a, grad, transpose=not ctx.transpose)
        if ctx.transpose:
            # X = A^-H B: dA = -(X gB^H) restricted to A's lower triangle
            grad_a = -(x @ grad_b.transpose(-2, -1)).tril()
        else:
            grad_a = -(grad_b @ x.transpose(-2, -1)).tril()
        return _sum_to(grad_a, a.shape), _sum_to(grad_b, ctx_shape(ctx, 1)), None


def ctx_shape(ctx, i):
    return ctx._input_meta[i][0] if ctx._input_meta[i] is not None else None


def _sum_to(grad, shape):
    if shape is None or tuple(grad.shape) == tuple(shape):
        return grad
    return grad.sum_to_size(*shape)


def cholesky(a):
    return Cholesky.apply(a)


def solve_tril(a, b, transpose=False):
    """A^-1 B (A^-H B when transpose) for lower-triangular A, batched and broadcast."""
    return SolveTril.apply(a, b, transpose)

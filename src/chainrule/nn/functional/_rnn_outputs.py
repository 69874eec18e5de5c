"""The recurrent layers' results under the grad_fn names PyTorch's CPU kernels give them.

A layer's Op returns the hidden states of all steps as packed rows; PyTorch's CPU
code stacks per-step outputs (StackBackward0), concatenates the two directions or
the packed steps (CatBackward0), runs float32 LSTMs through oneDNN
(MkldnnRnnLayerBackward0) and turns batch-first outputs with an in-place transpose
(TransposeBackward1); its cells end in tanh, relu, a product or a sum. Course
scripts print these names, so the result passes through one cheap node named as
PyTorch names it. Each copies the rows into the output's shape, so that an in-place
change of the output cannot reach the values the layer kept for its backward.
"""

from __future__ import annotations

import numpy as np

from ...ops.op import Op

__all__ = []


class _Output(Op):
    formula = "identity: the gradient passes back unchanged (reshaped to the rows)"

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.rows_shape = a.shape
        out = np.empty(shape, a.dtype)
        out.reshape(a.shape)[...] = a
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.rows_shape)


class StackedSteps(_Output):
    name = "StackBackward0"


class CatSteps(_Output):
    name = "CatBackward0"


class MkldnnLayer(_Output):
    name = "MkldnnRnnLayerBackward0"


class TanhCell(_Output):
    name = "TanhBackward0"


class ReluCell(_Output):
    name = "ReluBackward0"


class MulCell(_Output):
    name = "MulBackward0"


class AddCell(_Output):
    name = "AddBackward0"


class BatchFirst(Op):
    """The (T, B, H) output as (B, T, H): PyTorch transposes it in place."""

    name = "TransposeBackward1"
    formula = "d(a.transpose(0, 1))/da = the gradient transposed back"

    @staticmethod
    def forward(ctx, a):
        return a.swapaxes(0, 1)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(0, 1)


def steps_output(rows, shape, mode):
    """The last layer's (T*B, H) rows of one direction as the (T, B, H) output."""
    op = MkldnnLayer if mode == "LSTM" and rows.dtype.np == np.float32 else StackedSteps
    return op.apply(rows, shape=shape)


def packed_output(rows):
    """A one-direction layer's packed rows as a PackedSequence's data."""
    return CatSteps.apply(rows, shape=tuple(rows.shape))


def batch_first(output, mode):
    return output.transpose(0, 1) if mode == "LSTM" else BatchFirst.apply(output)


_CELL_OUTPUT = {"RNN_TANH": TanhCell, "RNN_RELU": ReluCell, "GRU": AddCell}


def cell_output(mode, h):
    """A cell's new hidden state (for LSTM: h, named as a product; see cell_state)."""
    op = MulCell if mode == "LSTM" else _CELL_OUTPUT[mode]
    return op.apply(h, shape=tuple(h.shape))


def cell_state(c):
    """An LSTM cell's new cell state."""
    return AddCell.apply(c, shape=tuple(c.shape))

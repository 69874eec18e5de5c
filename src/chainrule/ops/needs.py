"""Which operands of a recorded op need a gradient, asked in one place by the ops that
check it (so that how a node answers can change here alone)."""

from __future__ import annotations


def needs_input_grad(ctx):
    """One bool per positional operand of ctx's op: does it need a gradient?"""
    return tuple(fn is not None for fn, _ in ctx.next_functions)

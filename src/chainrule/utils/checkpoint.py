"""Activation checkpointing: trade compute for memory by keeping a segment's inputs only and
running the segment again during backward.

checkpoint(fn, *args, use_reentrant=True) runs fn without recording a graph; the output's
grad_fn (CheckpointFunctionBackward, as in PyTorch) keeps the inputs and, in backward, runs
fn again with the random state it first saw (so dropout draws the same masks) and
backpropagates through that fresh graph: into the inputs, and into any parameters fn used,
whose .grad it accumulates directly. As in PyTorch, with this variant gradients reach only
tensors passed as inputs or used inside fn, and only when some input requires grad.

use_reentrant=False in PyTorch records the usual graph and recomputes saved tensors through
saved-tensor hooks. chainrule has no such hooks, so it runs fn as an ordinary call: the same
graph, grad_fn names and gradients (autograd.grad included), without the memory saving.
"""

from __future__ import annotations

import warnings

import chainrule

from ..autograd.function import Function
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "detach_variable"]


def detach_variable(inputs):
    """The tensors of `inputs` detached, each requiring grad as its original did."""
    if not isinstance(inputs, tuple):
        raise RuntimeError(
            f"Only tuple of tensors is supported. Got Unsupported input type: "
            f"{type(inputs).__name__}"
        )
    out = []
    for x in inputs:
        if isinstance(x, Tensor):
            d = x.detach()
            d.requires_grad = x.requires_grad
            out.append(d)
        else:
            out.append(x)
    return tuple(out)


class CheckpointFunction(Function):
    """Runs the checkpointed function without a graph, and again in backward with one."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.rng_state = chainrule.get_rng_state()
        ctx.inputs = args
        with chainrule.no_grad():
            outputs = run_function(*args)
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        inputs = detach_variable(tuple(ctx.inputs))
        if ctx.preserve_rng_state:
            current = chainrule.get_rng_state()
            chainrule.set_rng_state(ctx.rng_state)
        try:
            with chainrule.enable_grad():
                outputs = ctx.run_function(*inputs)
        finally:
            if ctx.preserve_rng_state:
                chainrule.set_rng_state(current)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [
            (out, g)
            for out, g in zip(outputs, grads)
            if isinstance(out, Tensor) and out.requires_grad and g is not None
        ]
        if not pairs:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        chainrule.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        input_grads = tuple(x.grad if isinstance(x, Tensor) else None for x in inputs)
        return (None, None, *input_grads)


def checkpoint(
    function,
    *args,
    use_reentrant=None,
    context_fn=None,
    determinism_check="default",
    debug=False,
    early_stop=True,
    preserve_rng_state=True,
    **kwargs,
):
    """function(*args, **kwargs), its intermediate results recomputed in backward."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            UserWarning,
            stacklevel=2,
        )
        use_reentrant = True
    if not use_reentrant:
        return function(*args, **kwargs)
    if context_fn is not None or debug:
        raise ValueError(
            "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
        )
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if chainrule.is_grad_enabled() and not any(
        isinstance(a, Tensor) and a.requires_grad for a in args
    ):
        warnings.warn(
            "None of the inputs have requires_grad=True. Gradients will be None",
            UserWarning,
            stacklevel=2,
        )
    return CheckpointFunction.apply(function, preserve_rng_state, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or list of modules) in `segments` checkpointed chunks; the last
    chunk runs normally, as in PyTorch."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.5 we will raise an exception if use_reentrant "
            "is not passed. use_reentrant=False is recommended, but if you need to preserve "
            "the current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.",
            UserWarning,
            stacklevel=2,
        )
        use_reentrant = True
    if isinstance(functions, chainrule.nn.Sequential):
        functions = list(functions.children())
    functions = list(functions)

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x

        return forward

    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(functions) - 1)(input)

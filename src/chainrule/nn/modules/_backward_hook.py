"""How a module's full backward hooks see its gradients.

Around a forward call with backward hooks, the module's tensor inputs and its
tensor outputs each pass through one identity Function (BackwardHookFunction,
so the outputs' grad_fn is BackwardHookFunctionBackward, as in PyTorch). In the
backward pass the output node runs first: it records the gradients of the
outputs and lets the backward pre-hooks replace them. The input node runs
once every gradient of the inputs is summed: it calls the backward hooks with
(module, grad_input, grad_output), and a hook's non-None result replaces
grad_input. Non-tensor positions show as None in both tuples; an output that got
no gradient shows as None, an input tensor that gets none as zeros (as in PyTorch).
"""

from __future__ import annotations

import warnings

from ...autograd.function import Function
from ...autograd.grad_mode import state as _grad_state
from ...tensor import Tensor


class BackwardHookFunction(Function):
    """Identity on its tensors; its backward hands the gradients to `on_backward`."""

    @staticmethod
    def forward(ctx, on_backward, materialize, *tensors):
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        ctx.on_backward = on_backward
        ctx.set_materialize_grads(materialize)
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None, None, *ctx.on_backward(grads))


class BackwardHook:
    """The hooks of one module call: set up on its inputs, then on its outputs."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for i, v in zip(indices, values):
            res[i] = v
        return tuple(res)

    def _wrap(self, args, on_backward, materialize):
        """args with their tensors passed through the identity node, and where they were."""
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in index]
        if not (_grad_state.enabled and any(t.requires_grad for t in tensors)):
            return args, None
        new = BackwardHookFunction.apply(on_backward, materialize, *tensors)
        out = list(args)
        for i, t in zip(index, new):
            out[i] = t
        return (tuple(out) if type(args) is tuple else type(args)(*out)), index

    def setup_input_hook(self, args):
        res, index = self._wrap(args, self._input_backward, True)
        self.n_inputs = len(args)
        self.input_tensors_index = index
        return res

    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)
        res, index = self._wrap(args, self._output_backward, False)
        self.n_outputs = len(args)
        self.output_tensors_index = index
        return res if is_tuple else res[0]

    def _input_backward(self, grads):
        if self.grad_outputs is None:
            # The gradient reached the inputs without passing through the outputs (a
            # double backward): nothing to report.
            return grads
        res = self._pack_with_none(self.input_tensors_index, grads, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, got "
                    f"{len(out)}, but expected {len(res)}"
                )
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_tensors_index)

    def _output_backward(self, grads):
        self.grad_outputs = self._pack_with_none(self.output_tensors_index, grads, self.n_outputs)
        if self.user_pre_hooks:
            expected = len(self.grad_outputs)
            for hook in self.user_pre_hooks:
                out = hook(self.module, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != expected:
                    raise RuntimeError(
                        "Backward pre hook returned an invalid number of grad_output, got "
                        f"{len(out)}, but expected {expected}"
                    )
                self.grad_outputs = out
        local = self.grad_outputs
        if self.input_tensors_index is None:
            # No input requires grad: the hooks run now, with grad_input all None.
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients. See "
                "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.register_full_backward_hook for more details.",
                stacklevel=2,
            )
            grad_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_tensors_index)

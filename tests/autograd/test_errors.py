"""Autograd's user errors: PyTorch's exception type and wording, checked two ways.

Each case states the expected message literally (so the test means something
without PyTorch) and, where PyTorch is installed, runs the same code on it.
"""

from __future__ import annotations

import copy

import pytest

import chainrule
from chainrule.autograd.graph import FREED_MESSAGE


def _backward_twice(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _grad_twice(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().sum()
    lib.autograd.grad(y, x)
    lib.autograd.grad(y, x)


def _set_grad(dtype_name, shape):
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        x.grad = lib.ones(*shape, dtype=getattr(lib, dtype_name))

    return run


CASES = {
    "backward_twice": (_backward_twice, RuntimeError, FREED_MESSAGE),
    "grad_twice": (_grad_twice, RuntimeError, FREED_MESSAGE),
    "backward_non_scalar_without_gradient": (
        lambda lib: (lib.ones(3, requires_grad=True) * 2).backward(),
        RuntimeError,
        "grad can be implicitly created only for scalar outputs",
    ),
    "backward_on_tensor_not_requiring_grad": (
        lambda lib: lib.ones(3).sum().backward(),
        RuntimeError,
        "element 0 of tensors does not require grad and does not have a grad_fn",
    ),
    "backward_on_non_scalar_not_requiring_grad": (
        lambda lib: lib.ones(3).backward(),
        RuntimeError,
        "element 0 of tensors does not require grad and does not have a grad_fn",
    ),
    "backward_second_root_not_requiring_grad": (
        lambda lib: lib.autograd.backward(
            [lib.ones(1, requires_grad=True).sum(), lib.ones(1).sum()]
        ),
        RuntimeError,
        "element 1 of tensors does not require grad and does not have a grad_fn",
    ),
    "backward_integer_scalar": (
        lambda lib: lib.tensor(3).backward(),
        RuntimeError,
        "element 0 of tensors does not require grad and does not have a grad_fn",
    ),
    "backward_gradient_of_wrong_shape": (
        lambda lib: (lib.ones(3, requires_grad=True) * 2).backward(lib.ones(2)),
        RuntimeError,
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a "
        "shape of torch.Size([3]).",
    ),
    "backward_wrong_number_of_gradients": (
        lambda lib: lib.autograd.backward(
            [lib.ones(1, requires_grad=True) * 2, lib.ones(1, requires_grad=True) * 3],
            [lib.ones(1)],
        ),
        RuntimeError,
        "got 2 tensors and 1 gradients",
    ),
    "broadcast_mismatch_last_dim": (
        lambda lib: lib.ones(2, 3) + lib.ones(2, 4),
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
    ),
    "broadcast_mismatch_1d": (
        lambda lib: lib.ones(3, requires_grad=True) * lib.ones(4),
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0",
    ),
    "broadcast_mismatch_different_ranks": (
        lambda lib: lib.ones(5, 1, 3) - lib.ones(2, 4),
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 2",
    ),
    "numpy_on_leaf_requiring_grad": (
        lambda lib: lib.ones(3, requires_grad=True).numpy(),
        RuntimeError,
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
    ),
    "numpy_on_non_leaf": (
        lambda lib: (lib.ones(3, requires_grad=True) * 2).numpy(),
        RuntimeError,
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
    ),
    "item_on_three_elements": (
        lambda lib: lib.ones(3).item(),
        RuntimeError,
        "a Tensor with 3 elements cannot be converted to Scalar",
    ),
    "item_on_empty": (
        lambda lib: lib.ones(0).item(),
        RuntimeError,
        "a Tensor with 0 elements cannot be converted to Scalar",
    ),
    "float_on_three_elements": (
        lambda lib: float(lib.ones(3)),
        ValueError,
        "only one element tensors can be converted to Python scalars",
    ),
    "int_on_three_elements": (
        lambda lib: int(lib.ones(3)),
        ValueError,
        "only one element tensors can be converted to Python scalars",
    ),
    "bool_on_three_elements": (
        lambda lib: bool(lib.ones(3) > 0),
        RuntimeError,
        "Boolean value of Tensor with more than one value is ambiguous",
    ),
    "requires_grad_on_integer_tensor": (
        lambda lib: lib.tensor([1, 2], requires_grad=True),
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
    ),
    "requires_grad_on_integer_tensor_method": (
        lambda lib: lib.ones(3, dtype=lib.int64).requires_grad_(),
        RuntimeError,
        "only Tensors of floating point dtype can require gradients",
    ),
    "requires_grad_false_on_non_leaf": (
        lambda lib: (lib.ones(3, requires_grad=True) * 2).requires_grad_(False),
        RuntimeError,
        "you can only change requires_grad flags of leaf variables. If you want to use a "
        "computed variable in a subgraph that doesn't require differentiation use "
        "var_no_grad = var.detach().",
    ),
    "assign_grad_of_wrong_size": (
        _set_grad("float32", (2,)),
        RuntimeError,
        "attempting to assign a gradient of size '[2]' to a tensor of size '[3]'. Please "
        "ensure that the gradient and the tensor are the same size",
    ),
    "assign_grad_of_wrong_dtype": (
        _set_grad("float64", (3,)),
        RuntimeError,
        "attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype "
        "'Float'. The gradient must match the tensor's grad_dtype (defaults to the tensor's "
        "dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None "
        "to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
        "its gradient may break downstream systems that assume they match.",
    ),
    "assign_grad_not_a_tensor": (
        lambda lib: setattr(lib.ones(3, requires_grad=True), "grad", 3),
        TypeError,
        "assigned grad expected to be a Tensor or None but got grad of type int",
    ),
    "in_place_on_leaf": (
        lambda lib: lib.ones(3, requires_grad=True).add_(1),
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "grad_wrt_tensor_not_requiring_grad": (
        lambda lib: lib.autograd.grad((lib.ones(2, requires_grad=True) * 2).sum(), lib.ones(2)),
        RuntimeError,
        "One of the differentiated Tensors does not require grad",
    ),
    "hook_on_tensor_not_requiring_grad": (
        lambda lib: lib.ones(2).register_hook(lambda g: g),
        RuntimeError,
        "cannot register a hook on a tensor that doesn't require gradient",
    ),
    "len_of_zero_dim": (lambda lib: len(lib.tensor(1.0)), TypeError, "len() of a 0-d tensor"),
}


def _raised(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception is what is being checked
        return type(e), str(e)
    return None, "no exception"


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_error_type_and_message(case, torch_or_none):
    fn, kind, message = CASES[case]
    assert _raised(fn, chainrule) == (kind, message)
    if torch_or_none is not None:
        assert _raised(fn, torch_or_none) == (kind, message), "the literal no longer matches torch"


def test_second_backward_message_starts_as_torch_says():
    assert FREED_MESSAGE.startswith(
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed). Saved intermediate values of the graph are freed "
        "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
        "backward through the graph a second time or if you need to access saved tensors after "
        "calling backward."
    )


def test_deepcopy_of_non_leaf_raises_like_torch(torch_or_none):
    for lib in [chainrule] + ([torch_or_none] if torch_or_none else []):
        y = lib.ones(2, requires_grad=True) * 2
        with pytest.raises(
            RuntimeError,
            match=r"^Only Tensors created explicitly by the user \(graph leaves\) support the "
            r"deepcopy protocol at the moment\.",
        ):
            copy.deepcopy(y)


def test_errors_leave_grad_mode_and_graph_usable():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        (x * 2).backward()
    assert chainrule.is_grad_enabled()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]

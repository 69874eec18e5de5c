"""Errors of the kinds PyTorch raises: allocations that cannot be made, multinomial's
weights, shapes that do not broadcast in where, a 0-dim input to Linear.

An allocation that cannot be made raises chainrule.OutOfMemoryError: a RuntimeError, as
PyTorch's allocator errors are (so `except RuntimeError` catches it), and a MemoryError,
as NumPy's are. The sizes here exceed any 64-bit address space, so they fail at once
whatever the machine's overcommit policy.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

HUGE = 10**14  # 400 TB of float32

ALLOCATIONS = {
    "zeros": lambda t: t.zeros(HUGE),
    "zeros_2d": lambda t: t.zeros(10**7, 10**7),
    "ones": lambda t: t.ones(HUGE),
    "empty": lambda t: t.empty(HUGE),
    "full": lambda t: t.full((HUGE,), 1.0),
    "rand": lambda t: t.rand(HUGE),
    "randn": lambda t: t.randn(HUGE),
    "randint": lambda t: t.randint(0, 5, (HUGE,)),
    "arange": lambda t: t.arange(HUGE),
    "linspace": lambda t: t.linspace(0, 1, HUGE),
    "eye": lambda t: t.eye(10**7),
    "zeros_like": lambda t: t.zeros_like(t.zeros(1).expand(HUGE)),
    "new_zeros": lambda t: t.zeros(1).new_zeros(HUGE),
    "new_full": lambda t: t.zeros(1).new_full((HUGE,), 2.0),
    "repeat": lambda t: t.zeros(10).repeat(HUGE // 10),
    "tile": lambda t: t.zeros(10).tile(HUGE // 10),
    "contiguous_of_expand": lambda t: t.zeros(1).expand(HUGE).contiguous(),
    "clone_of_expand": lambda t: t.zeros(1).expand(HUGE).clone(),
    "add_to_expand": lambda t: t.zeros(1).expand(HUGE) + 1,
    "outer": lambda t: t.outer(t.zeros(10**7), t.zeros(10**7)),
    "mm": lambda t: t.mm(t.zeros(10**7, 1), t.zeros(1, 10**7)),
    "broadcast_mul": lambda t: t.zeros(10**7, 1) * t.zeros(1, 10**7),
    "cat": lambda t: t.cat([t.zeros(1).expand(HUGE), t.zeros(1)]),
    "one_hot": lambda t: t.nn.functional.one_hot(t.tensor([HUGE])),
}


@pytest.mark.parametrize("name", sorted(ALLOCATIONS))
def test_an_impossible_allocation_raises_a_runtime_error(name, torch):
    with pytest.raises(RuntimeError) as theirs:
        ALLOCATIONS[name](torch)
    with pytest.raises(RuntimeError) as ours:
        ALLOCATIONS[name](chainrule)
    assert isinstance(ours.value, chainrule.OutOfMemoryError)
    assert isinstance(ours.value, MemoryError)  # NumPy users' except MemoryError still works
    assert "can't allocate memory" in str(ours.value) and "can't allocate memory" in str(
        theirs.value
    )


def test_out_of_memory_error_names_the_bytes():
    with pytest.raises(chainrule.OutOfMemoryError, match="you tried to allocate 4000"):
        chainrule.zeros(HUGE)


@pytest.mark.parametrize("shape", [(10**10, 10**10), (2**62,)])
def test_a_size_that_overflows_raises_a_runtime_error(shape, torch):
    with pytest.raises(RuntimeError, match="Storage size calculation overflowed"):
        torch.zeros(shape)
    with pytest.raises(RuntimeError, match="Storage size calculation overflowed"):
        chainrule.zeros(shape)


def _error(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return type(e).__name__, str(e)
    return None


MULTINOMIAL = {
    "negative": lambda t: t.multinomial(t.tensor([0.5, -0.1, 0.6]), 1),
    "infinite": lambda t: t.multinomial(t.tensor([0.5, float("inf"), 0.6]), 1),
    "nan": lambda t: t.multinomial(t.tensor([0.5, float("nan"), 0.6]), 1),
    "all_zero": lambda t: t.multinomial(t.tensor([0.0, 0.0, 0.0]), 1),
    "a_zero_row": lambda t: t.multinomial(t.tensor([[0.2, 0.3], [0.0, 0.0]]), 1),
    "negative_in_a_row": lambda t: t.multinomial(t.tensor([[0.2, 0.3], [-1.0, 0.0]]), 1),
    "negative_with_replacement": lambda t: t.multinomial(t.tensor([0.5, -0.1]), 2, True),
    "nan_with_replacement": lambda t: t.multinomial(t.tensor([0.5, float("nan")]), 2, True),
    "infinite_with_replacement": lambda t: t.multinomial(t.tensor([0.5, float("inf")]), 2, True),
    "zero_with_replacement": lambda t: t.multinomial(t.tensor([0.0, 0.0]), 2, True),
    "too_many_without_replacement": lambda t: t.multinomial(t.tensor([0.5, 0.5]), 3),
    "no_samples": lambda t: t.multinomial(t.tensor([0.5, 0.5]), 0),
    "negative_samples": lambda t: t.multinomial(t.tensor([0.5, 0.5]), -1),
    "three_dims": lambda t: t.multinomial(t.ones(2, 2, 2), 1),
    "zero_dims": lambda t: t.multinomial(t.tensor(1.0), 1),
    "integer_weights": lambda t: t.multinomial(t.tensor([1, 2]), 1),
    "float64_negative": lambda t: t.multinomial(t.tensor([0.5, -0.1], dtype=t.float64), 1),
}


@pytest.mark.parametrize("name", sorted(MULTINOMIAL))
def test_multinomial_refuses_bad_weights_as_pytorch_does(name, torch):
    theirs = _error(MULTINOMIAL[name], torch)
    assert theirs is not None
    assert _error(MULTINOMIAL[name], chainrule) == theirs


SHAPES = {
    "where_input": lambda t: t.where(t.ones(3, dtype=t.bool), t.ones(2), t.ones(3)),
    "where_condition": lambda t: t.where(t.ones(4, dtype=t.bool), t.ones(3), t.ones(3)),
    "where_number": lambda t: t.where(t.ones(4, dtype=t.bool), t.ones(3), 0.0),
    "where_method": lambda t: t.ones(2).where(t.ones(3, dtype=t.bool), t.ones(3)),
    "where_requires_grad": lambda t: t.where(
        t.ones(3, dtype=t.bool), t.ones(2, requires_grad=True), t.ones(3)
    ),
    "addcmul": lambda t: t.addcmul(t.ones(3), t.ones(2), t.ones(3)),
    "addcdiv": lambda t: t.addcdiv(t.ones(3), t.ones(3), t.ones(2)),
    "linear_module_0d": lambda t: t.nn.Linear(3, 4)(t.tensor(1.0)),
    "linear_0d_input": lambda t: t.nn.functional.linear(t.tensor(1.0), t.ones(4, 3)),
    "linear_0d_weight": lambda t: t.nn.functional.linear(t.ones(3), t.tensor(1.0)),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_errors_are_pytorchs(name, torch):
    theirs = _error(SHAPES[name], torch)
    assert theirs is not None and theirs[0] == "RuntimeError"
    assert _error(SHAPES[name], chainrule) == theirs


@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3)])
@pytest.mark.parametrize("bias", [False, True])
def test_linear_with_a_vector_of_weights(shape, bias, torch):
    def run(lib):
        x = lib.arange(float(np.prod(shape))).reshape(shape)
        b = lib.tensor(0.25) if bias else None
        return lib.nn.functional.linear(x, lib.tensor([1.0, -1.0, 0.5]), b).tolist()

    if shape == (2, 3) and bias:  # PyTorch's addmm path refuses it
        assert _error(run, chainrule) == _error(run, torch) is not None
        return
    assert run(chainrule) == run(torch)

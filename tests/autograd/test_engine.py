"""The backward engine: seeds, retained and freed graphs, higher orders, grad(), hooks, leaves."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import chainrule
from chainrule.autograd.graph import FREED_MESSAGE

FREED_START = "Trying to backward through the graph a second time"


def libs(torch_or_none):
    return [chainrule] + ([torch_or_none] if torch_or_none is not None else [])


def f64(values, requires_grad=True):
    return chainrule.tensor(values, dtype=chainrule.float64, requires_grad=requires_grad)


# -- seeds: gradient= ------------------------------------------------------------------
def test_backward_with_gradient_argument(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        y.backward(gradient=lib.tensor([1.0, 0.5, -1.0]))
        return x.grad.tolist()

    assert run(chainrule) == [2.0, 2.0, -6.0]
    assert run(torch) == run(chainrule)


def test_backward_on_a_scalar_uses_one():
    x = chainrule.tensor(3.0, requires_grad=True)
    (x * x).backward()
    assert x.grad.item() == 6.0


def test_autograd_backward_function_with_several_roots():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    a = (x * 2).sum()
    b = (x * x).sum()
    chainrule.autograd.backward([a, b])
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 6.0])


# -- retain_graph and freed graphs ---------------------------------------------------------
def test_retain_graph_allows_second_backward_and_accumulates():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_second_backward_after_free_raises_torch_message(error_of, torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        assert error_of(y.backward) == (RuntimeError, FREED_MESSAGE), lib
    assert FREED_MESSAGE.startswith(FREED_START)


def test_saved_values_are_released_after_backward():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    y = x.sin()
    node = y.grad_fn
    assert len(node.saved_tensors) == 1
    y.sum().backward()
    assert node._saved == ()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        _ = node.saved_tensors


def test_graph_that_saved_nothing_can_be_walked_twice(torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1 - 2).mean()  # add, sub and mean save no tensors
        y.backward()
        y.backward()
        assert x.grad.tolist() == [1.0, 1.0], lib


@pytest.mark.parametrize(
    "build, freed",
    [
        (lambda x: (x + 1).sum(), False),
        (lambda x: (x - 2).mean(), False),
        (lambda x: (x * 3.0).sum(), True),  # PyTorch saves the number, and frees it
        (lambda x: (x / 2).sum(), True),
        (lambda x: (x**2).sum(), True),
        (lambda x: x.relu().sum(), True),
        (lambda x: x.exp().sum(), True),
        (lambda x: (x + 1).reshape(2, 1).transpose(0, 1).sum(), False),
    ],
)
def test_which_graphs_are_freed_matches_torch(build, freed, error_of, torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = build(x)
        y.backward()
        if freed:
            assert error_of(y.backward)[1].startswith(FREED_START), lib
        else:
            y.backward()


def test_autograd_grad_also_frees_the_graph():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    chainrule.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        chainrule.autograd.grad(y, x)


# -- higher order ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, fn, derivatives",
    [
        ("cube", lambda x: x**3, [lambda v: 3 * v**2, lambda v: 6 * v, lambda v: 6 + 0 * v]),
        ("sin", lambda x: x.sin(), [np.cos, lambda v: -np.sin(v), lambda v: -np.cos(v)]),
    ],
)
def test_third_order_derivatives(name, fn, derivatives, torch_or_none):
    values = [0.3, -1.2, 2.0]

    def run(lib):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        out = fn(x).sum()
        results = []
        for order in range(3):
            (g,) = lib.autograd.grad(out, x, create_graph=order < 2)
            results.append(g.detach().numpy().copy())
            out = g.sum()
        return results

    ours = run(chainrule)
    for got, d in zip(ours, derivatives):
        np.testing.assert_allclose(got, d(np.array(values)), rtol=1e-12, atol=1e-12)
    if torch_or_none is not None:
        for got, theirs in zip(ours, run(torch_or_none)):
            np.testing.assert_allclose(got, theirs, rtol=1e-12, atol=1e-12)


def test_create_graph_backward_makes_grad_differentiable():
    x = f64([2.0])
    y = x**3
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.grad_fn is not None
    np.testing.assert_allclose(g.detach().numpy(), [12.0])
    (gg,) = chainrule.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), [12.0])  # d(3x^2)/dx = 6x


def test_grad_of_grad_mixed_partials(torch):
    def run(lib):
        x = lib.tensor(1.5, dtype=lib.float64, requires_grad=True)
        y = lib.tensor(-0.5, dtype=lib.float64, requires_grad=True)
        z = x * x * y + (x * y).sin()
        gx, gy = lib.autograd.grad(z, (x, y), create_graph=True)
        (gxy,) = lib.autograd.grad(gx, y)
        return [gx.item(), gy.item(), gxy.item()]

    np.testing.assert_allclose(run(chainrule), run(torch), rtol=1e-12)


# -- autograd.grad ---------------------------------------------------------------------------
def test_grad_returns_without_touching_dot_grad():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    (g,) = chainrule.autograd.grad((x * x).sum(), x)
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])
    assert x.grad is None


def test_grad_with_respect_to_an_interior_tensor():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    gh, gx = chainrule.autograd.grad(y, [h, x])
    np.testing.assert_allclose(gh.numpy(), [6.0, 12.0])
    np.testing.assert_allclose(gx.numpy(), [18.0, 36.0])


def test_grad_allow_unused_and_materialize_grads(error_of, torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        unused = lib.tensor([5.0], requires_grad=True)
        y = (x * 2).sum()
        assert error_of(
            lambda lib=lib, x=x, y=y, u=unused: lib.autograd.grad(y, [x, u], retain_graph=True)
        ) == (
            RuntimeError,
            "The differentiated Tensor at index 1 appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior.",
        ), lib
        gx, gu = lib.autograd.grad(y, [x, unused], retain_graph=True, allow_unused=True)
        assert gx.tolist() == [2.0, 2.0] and gu is None
        gx, gu = lib.autograd.grad(y, [x, unused], materialize_grads=True)
        assert gu.tolist() == [0.0] and gx.tolist() == [2.0, 2.0]


def test_grad_errors(error_of, torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        plain = lib.tensor([1.0])
        y = (x * 2).sum()
        assert error_of(lambda lib=lib, y=y, p=plain: lib.autograd.grad(y, p)) == (
            RuntimeError,
            "One of the differentiated Tensors does not require grad",
        ), lib
        assert error_of(
            lambda lib=lib, x=x, y=y: lib.autograd.grad(
                y, x, allow_unused=False, materialize_grads=True
            )
        ) == (
            ValueError,
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False.",
        ), lib
        assert error_of(lambda lib=lib, x=x: lib.autograd.grad(x * 2, x)) == (
            RuntimeError,
            "grad can be implicitly created only for scalar outputs",
        ), lib
        assert error_of(lambda lib=lib, x=x, p=plain: lib.autograd.grad(p * 2, x)) == (
            RuntimeError,
            "element 0 of tensors does not require grad and does not have a grad_fn",
        ), lib


def test_grad_with_grad_outputs_of_the_wrong_shape(error_of, torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        assert error_of(lambda lib=lib, x=x: lib.autograd.grad(x * 2, x, lib.ones(3))) == (
            RuntimeError,
            "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has "
            "a shape of torch.Size([2]).",
        ), lib


# -- backward(inputs=...) -----------------------------------------------------------------------
def test_backward_inputs_accumulates_only_into_those(torch):
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        y = (a * b).sum()
        y.backward(inputs=[a])
        return a.grad.tolist(), b.grad

    assert run(chainrule) == ([3.0, 4.0], None)
    assert run(torch) == run(chainrule)


def test_backward_inputs_can_be_an_interior_tensor(torch):
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        h = a * 2
        y = (h * h).sum()
        y.backward(inputs=[h])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return h.grad.tolist(), a.grad

    assert run(chainrule) == ([4.0, 8.0], None)
    assert run(torch) == run(chainrule)


def test_backward_inputs_empty_raises(error_of, torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0], requires_grad=True)
        assert error_of(lambda x=x: (x * 2).sum().backward(inputs=[])) == (
            RuntimeError,
            "`inputs` argument to `backward()` cannot be empty.",
        ), lib


# -- accumulation -----------------------------------------------------------------------------
def test_grad_accumulates_over_calls_until_zeroed():
    x = chainrule.tensor([1.0, -1.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, -6.0])
    x.grad = None
    (x * 5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])
    x.grad.zero_()
    (x * 5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])


def test_accumulated_grad_is_a_separate_tensor_from_the_seed():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    seed = chainrule.tensor([1.0, 1.0])
    (x * 1).backward(seed)
    (x * 1).backward(seed)
    assert seed.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [2.0, 2.0]


def test_broadcasting_is_summed_away(torch):
    def run(lib):
        a = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)  # (2, 3)
        b = lib.tensor([10.0, 20.0, 30.0], requires_grad=True)  # (3,)
        c = lib.tensor([[2.0], [3.0]], requires_grad=True)  # (2, 1)
        s = lib.tensor(7.0, requires_grad=True)  # ()
        y = ((a + b) * c * s).sum()
        y.backward()
        return [t.grad.tolist() for t in (a, b, c, s)]

    ours = run(chainrule)
    assert ours[1] == [35.0, 35.0, 35.0]
    assert ours[2] == [[7.0 * 66.0], [7.0 * 75.0]]
    assert run(torch) == ours


def test_diamond_graph_accumulates(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3  # used by both branches
        y = (h.sin() + h * h + h.exp()).sum()
        y.backward()
        return x.grad.detach().numpy().copy()

    ours = run(chainrule)
    h = np.array([3.0, 6.0])
    np.testing.assert_allclose(ours, 3 * (np.cos(h) + 2 * h + np.exp(h)), rtol=1e-6)
    # float32 exp/sin differ in the last bit between NumPy's and PyTorch's libm.
    np.testing.assert_allclose(ours, run(torch), rtol=3e-7)


def test_same_tensor_twice_in_one_op():
    x = chainrule.tensor([3.0], requires_grad=True)
    (x * x).backward(chainrule.tensor([1.0]))
    assert x.grad.tolist() == [6.0]


def test_long_chain_runs_without_recursion():
    limit = sys.getrecursionlimit()
    x = chainrule.tensor(2.0, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = -y
    assert sys.getrecursionlimit() == limit
    y.backward()
    assert x.grad.item() == 1.0
    del y  # freeing a million-node chain must not overflow either


# -- leaves, interior nodes and retain_grad ----------------------------------------------------
NON_LEAF_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead."
)


def _warning_texts(record):
    return [str(w.message) for w in record]


def test_interior_nodes_keep_no_grad_and_warn(torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        (h * h).sum().backward()
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            assert h.grad is None
        texts = _warning_texts(record)
        assert len(texts) == 1 and texts[0].startswith(NON_LEAF_WARNING), (lib, texts)
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            assert x.grad is not None
        assert record == []


def test_retain_grad(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        h.retain_grad()
        y = (h * h).sum()
        y.backward(retain_graph=True)
        first = h.grad.tolist()
        y.backward()
        return h.retains_grad, first, h.grad.tolist(), x.is_leaf, h.is_leaf

    assert run(chainrule) == (True, [4.0, 8.0], [8.0, 16.0], True, False)
    assert run(torch) == run(chainrule)


def test_retain_grad_on_leaf_is_a_no_op_and_needs_requires_grad(error_of, torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0], requires_grad=True)
        x.retain_grad()
        assert x.retains_grad is False
        plain = lib.tensor([1.0])
        assert error_of(plain.retain_grad) == (
            RuntimeError,
            "can't retain_grad on Tensor that has requires_grad=False",
        )


def test_requires_grad_propagates_and_is_leaf():
    a = chainrule.tensor([1.0], requires_grad=True)
    b = chainrule.tensor([2.0])
    c = a * b
    assert c.requires_grad and not c.is_leaf
    d = b * 3
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    e = c.detach()
    assert e.is_leaf and not e.requires_grad


# -- hooks ------------------------------------------------------------------------------------
def test_hook_on_leaf_sees_and_can_replace_the_grad(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        handle = x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
        (x * x).sum().backward()
        handle.remove()
        (x * x).sum().backward()
        return seen, x.grad.tolist()

    assert run(chainrule) == ([[2.0, 4.0]], [22.0, 44.0])
    assert run(torch) == run(chainrule)


def test_hook_on_interior_tensor_changes_upstream_grads(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        seen = []

        def hook(g):
            seen.append(g.tolist())
            return g * 0.5

        h.register_hook(hook)
        (h * h).sum().backward()
        return seen, x.grad.tolist()

    assert run(chainrule) == ([[6.0, 12.0]], [9.0, 18.0])
    assert run(torch) == run(chainrule)


def test_hook_returning_none_keeps_the_grad_and_several_hooks_chain():
    x = chainrule.tensor([1.0], requires_grad=True)
    order = []
    x.register_hook(lambda g: order.append("first"))
    x.register_hook(lambda g: (order.append("second"), g + 1)[1])
    x.register_hook(lambda g: (order.append(("third", g.item())), None)[1])
    (x * 2).sum().backward()
    assert order == ["first", "second", ("third", 3.0)]
    assert x.grad.tolist() == [3.0]


def test_hook_on_tensor_without_grad_raises(error_of, torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.tensor([1.0])
        assert error_of(lambda x=x: x.register_hook(lambda g: g)) == (
            RuntimeError,
            "cannot register a hook on a tensor that doesn't require gradient",
        )


def test_remove_handle_in_a_with_block():
    x = chainrule.tensor([1.0], requires_grad=True)
    calls = []
    with x.register_hook(lambda g: calls.append(1)):
        (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert calls == [1]


# -- what a grad_fn shows ------------------------------------------------------------------------
def _describe(fn, depth=3):
    if fn is None:
        return None
    if depth == 0:
        return fn.name()
    return (fn.name(), tuple((_describe(f, depth - 1), nr) for f, nr in fn.next_functions))


@pytest.mark.parametrize(
    "build",
    [
        lambda lib, a, b: a * b,
        lambda lib, a, b: a + b,
        lambda lib, a, b: a - 2 * b,
        lambda lib, a, b: (a / b).sum(),
        lambda lib, a, b: (a**2).exp().mean(),
        lambda lib, a, b: a.sin() * b.tanh(),
        lambda lib, a, b: a.reshape(3, 1).transpose(0, 1) * b.sigmoid(),
        lambda lib, a, b: a * 3.0,
        lambda lib, a, b: a.relu() + b.unsqueeze(0).expand(2, 3),
        lambda lib, a, b: -a.abs() + b.sqrt() + a.log(),
    ],
    ids=[
        "mul",
        "add",
        "sub",
        "div_sum",
        "pow_exp_mean",
        "sin_tanh",
        "view",
        "mul_scalar",
        "relu_expand",
        "neg_abs_sqrt_log",
    ],
)
def test_grad_fn_names_and_next_functions_match_torch(build, torch):
    def run(lib):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = lib.tensor([0.5, 1.5, 2.5], requires_grad=True)
        return _describe(build(lib, a, b).grad_fn)

    assert run(chainrule) == run(torch)


def test_next_functions_of_a_leaf_is_accumulate_grad_holding_the_leaf():
    a = chainrule.tensor([1.0], requires_grad=True)
    c = chainrule.tensor([2.0])
    y = a * c
    (acc, nr), (none, none_nr) = y.grad_fn.next_functions
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is a and nr == 0
    assert none is None and none_nr == 0
    assert (a * 2).grad_fn.next_functions[0][0] is acc  # one AccumulateGrad per leaf
    assert repr(y.grad_fn).startswith("<MulBackward0 object at 0x")


def test_grad_fn_hooks_register_hook_and_prehook():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    seen = []
    y.grad_fn.register_hook(
        lambda grad_inputs, grad_outputs: seen.append(
            ([g.tolist() for g in grad_inputs if g is not None], [g.tolist() for g in grad_outputs])
        )
    )
    y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 3,))
    y.sum().backward()
    assert seen == [([[6.0, 6.0]], [[3.0, 3.0]])]
    assert x.grad.tolist() == [6.0, 6.0]

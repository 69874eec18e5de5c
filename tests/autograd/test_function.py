"""chainrule.autograd.Function: user-written forward/backward on the engine's own Node machinery.

Each Function is written once, in a factory that takes the library, so the very
same code runs on chainrule and (when installed) on PyTorch for parity.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule.autograd import Function, gradcheck, gradgradcheck
from chainrule.autograd.graph import Node


def functions(lib):
    """The test's custom Functions, defined against `lib` (chainrule or torch)."""

    class Cube(lib.autograd.Function):
        """y = x**3, dy/dx = 3 x**2 (backward in differentiable ops)."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x**2

    class MulAdd(lib.autograd.Function):
        """Two outputs: (a * b, a + b), with a non-tensor scale argument."""

        @staticmethod
        def forward(ctx, a, b, scale):
            ctx.save_for_backward(a, b)
            ctx.scale = scale
            return a * b * scale, a + b

        @staticmethod
        def backward(ctx, g_prod, g_sum):
            a, b = ctx.saved_tensors
            ga = gb = None
            if ctx.needs_input_grad[0]:
                ga = g_prod * b * ctx.scale + g_sum
            if ctx.needs_input_grad[1]:
                gb = g_prod * a * ctx.scale + g_sum
            return ga, gb, None

    class ExpOut(lib.autograd.Function):
        """Saves its own output, as exp's derivative needs."""

        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    class SortWithIndex(lib.autograd.Function):
        """A value output and an index output marked non-differentiable."""

        @staticmethod
        def forward(ctx, x):
            scaled = x * 2
            mask = x > 0
            ctx.mark_non_differentiable(mask)
            return scaled, mask

        @staticmethod
        def backward(ctx, grad, grad_mask):
            return grad * 2

    return Cube, MulAdd, ExpOut, SortWithIndex


CR = functions(chainrule)
Cube, MulAdd, ExpOut, SortWithIndex = CR


def _run(lib, fns, arrays):
    Cube_, MulAdd_, ExpOut_, _ = fns
    a = lib.tensor(arrays[0], requires_grad=True)
    b = lib.tensor(arrays[1], requires_grad=True)
    p, s = MulAdd_.apply(Cube_.apply(a), ExpOut_.apply(b), 0.5)
    loss = (p * s).sum()
    loss.backward()
    return [loss.detach().numpy(), a.grad.numpy(), b.grad.numpy()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_and_gradients_match_torch(dtype, torch, rng):
    arrays = [rng.standard_normal(4).astype(dtype), rng.standard_normal(4).astype(dtype)]
    ours = _run(chainrule, CR, arrays)
    theirs = _run(torch, functions(torch), arrays)
    for o, t in zip(ours, theirs):
        assert o.dtype == t.dtype
        np.testing.assert_allclose(o, t, rtol=1e-6, atol=1e-6)


def test_cube_value_and_gradient():
    x = chainrule.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = Cube.apply(x)
    assert isinstance(y, chainrule.Tensor)
    assert y.requires_grad and not y.is_leaf
    np.testing.assert_allclose(y.detach().numpy(), [1.0, -8.0, 27.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0, 27.0])


def test_forward_receives_tensors_and_runs_under_no_grad():
    seen = {}

    class Spy(Function):
        @staticmethod
        def forward(ctx, x, k):
            seen["types"] = (type(x), type(k))
            seen["grad_enabled"] = chainrule.is_grad_enabled()
            y = x * k
            seen["inner_requires_grad"] = y.requires_grad
            return y

        @staticmethod
        def backward(ctx, grad):
            seen["backward_type"] = type(grad)
            return grad * 2, None

    x = chainrule.ones(2, requires_grad=True)
    Spy.apply(x, 2.0).sum().backward()
    assert seen == {
        "types": (chainrule.Tensor, float),
        "grad_enabled": False,
        "inner_requires_grad": False,
        "backward_type": chainrule.Tensor,
    }
    assert chainrule.is_grad_enabled()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_node_is_a_graph_node_named_like_torch(torch):
    x = chainrule.ones(3, requires_grad=True)
    y = Cube.apply(x)
    assert isinstance(y.grad_fn, Node)
    assert type(y.grad_fn).__name__ == "CubeBackward"
    assert y.grad_fn.name() == "CubeBackward"
    tx = torch.ones(3, requires_grad=True)
    assert functions(torch)[0].apply(tx).grad_fn.name() == "CubeBackward"
    # next_functions: one edge per tensor input, a leaf through its AccumulateGrad.
    (edge,) = y.grad_fn.next_functions
    assert type(edge[0]).__name__ == "AccumulateGrad" and edge[1] == 0
    assert edge[0].variable is x


def test_next_functions_skip_non_tensor_arguments_and_chain_to_ops(torch):
    a = chainrule.ones(2, requires_grad=True)
    b = chainrule.ones(2)
    p, s = MulAdd.apply(a * 2, b, 3.0)
    assert p.grad_fn is s.grad_fn
    assert p.grad_fn.name() == "MulAddBackward"
    names = [None if f is None else f.name() for f, _ in p.grad_fn.next_functions]
    assert names == ["MulBackward0", None]
    ta, tb = torch.ones(2, requires_grad=True), torch.ones(2)
    tp, _ = functions(torch)[1].apply(ta * 2, tb, 3.0)
    assert [None if f is None else f.name() for f, _ in tp.grad_fn.next_functions] == names


def test_two_outputs_one_unused_gets_zeros():
    a = chainrule.tensor([1.0, 2.0], requires_grad=True)
    b = chainrule.tensor([3.0, 4.0], requires_grad=True)
    p, s = MulAdd.apply(a, b, 1.0)
    s.sum().backward()  # p unused: its gradient arrives as zeros (materialized)
    np.testing.assert_allclose(a.grad.numpy(), [1.0, 1.0])
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])


def test_set_materialize_grads_false_passes_none():
    got = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            got.append((g1 is None, g2 is None))
            return g1 * 2 if g1 is not None else g2 * 3

    x = chainrule.ones(2, requires_grad=True)
    _, b = Two.apply(x)
    b.sum().backward()
    assert got == [(True, False)]
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_needs_input_grad():
    recorded = []

    class Record(Function):
        @staticmethod
        def forward(ctx, a, b, n):
            recorded.append(ctx.needs_input_grad)
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad, None

    a = chainrule.ones(1, requires_grad=True)
    b = chainrule.ones(1)
    Record.apply(a, b, 3)
    Record.apply(b, a, 3)
    with chainrule.no_grad():
        Record.apply(a, b, 3)
    assert recorded == [(True, False, False), (False, True, False), (False, False, False)]


def test_non_differentiable_output(torch):
    x = chainrule.tensor([-1.0, 2.0], requires_grad=True)
    scaled, mask = SortWithIndex.apply(x)
    assert scaled.requires_grad and not mask.requires_grad
    assert mask.dtype == chainrule.bool
    scaled.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
    tx = torch.tensor([-1.0, 2.0], requires_grad=True)
    tscaled, tmask = functions(torch)[3].apply(tx)
    assert (tscaled.requires_grad, tmask.requires_grad) == (True, False)


def test_mark_non_differentiable_float_output():
    class Half(Function):
        @staticmethod
        def forward(ctx, x):
            frozen = x * 0.5
            ctx.mark_non_differentiable(frozen)
            return x * 2, frozen

        @staticmethod
        def backward(ctx, g, g_frozen):
            assert float(g_frozen.abs().sum()) == 0.0  # materialized zeros
            return g * 2

    x = chainrule.ones(2, requires_grad=True)
    y, frozen = Half.apply(x)
    assert not frozen.requires_grad and frozen.grad_fn is None
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_saved_output_comes_back_with_the_node_as_grad_fn():
    seen = []

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            seen.append(y.grad_fn)
            return grad * y

    x = chainrule.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(x)
    y.sum().backward()
    assert seen == [y.grad_fn]
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]), rtol=1e-6)


def test_arbitrary_ctx_attributes():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            ctx.shape_seen = tuple(x.shape)
            return x * factor

        @staticmethod
        def backward(ctx, grad):
            assert ctx.shape_seen == (3,)
            return grad * ctx.factor, None

    x = chainrule.ones(3, requires_grad=True)
    Scale.apply(x, 5.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0, 5.0])


def test_saved_tensors_freed_after_backward(error_of, torch_or_none):
    expected = (
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed)."
    )
    for lib in [chainrule] + ([torch_or_none] if torch_or_none else []):
        cube = functions(lib)[0]
        x = lib.ones(2, requires_grad=True)
        y = cube.apply(x).sum()
        y.backward()
        kind, message = error_of(y.backward)
        assert kind is RuntimeError and message.startswith(expected), (lib, message)
        kind, message = error_of(lambda y=y: y.grad_fn.next_functions[0][0].saved_tensors)
        assert kind is RuntimeError and message.startswith(expected), (lib, message)


def test_retain_graph_keeps_saved_tensors():
    x = chainrule.tensor([2.0], requires_grad=True)
    y = Cube.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [24.0])


def test_saved_tensor_modified_in_place_raises_version_error(error_of, torch_or_none):
    expected = (
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation: [torch.FloatTensor [3]] is at version 1; expected version 0 "
        "instead. Hint: enable anomaly detection to find the operation that failed to compute "
        "its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )
    for lib in [chainrule] + ([torch_or_none] if torch_or_none else []):
        cube = functions(lib)[0]
        x = lib.ones(3, requires_grad=True)
        y = cube.apply(x)
        with lib.no_grad():
            x.add_(1)
        assert error_of(lambda y=y: y.sum().backward()) == (RuntimeError, expected), lib


def test_wrong_number_of_gradients(error_of, torch_or_none):
    for lib in [chainrule] + ([torch_or_none] if torch_or_none else []):

        class Short(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, grad):
                return grad

        class Long(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad, grad

        class TrailingNone(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad * 2, None, None

        x = lib.ones(2, requires_grad=True)
        assert error_of(lambda x=x, f=Short: f.apply(x, 2.0).sum().backward()) == (
            RuntimeError,
            "function ShortBackward returned an incorrect number of gradients (expected 2, got 1)",
        )
        assert error_of(lambda x=x, f=Long: f.apply(x).sum().backward()) == (
            RuntimeError,
            "function LongBackward returned an incorrect number of gradients (expected 1, got 2)",
        )
        TrailingNone.apply(x).sum().backward()  # extra Nones are allowed
        np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_gradient_for_non_tensor_argument_raises(error_of, torch_or_none):
    for lib in [chainrule] + ([torch_or_none] if torch_or_none else []):

        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, grad):
                return grad, grad

        x = lib.ones(2, requires_grad=True)
        assert error_of(lambda x=x, f=Scale: f.apply(x, 2.0).sum().backward()) == (
            RuntimeError,
            "function ScaleBackward returned a gradient different than None at position 2, "
            "but the corresponding forward input was not a Variable",
        )


def test_wrong_gradient_shape_raises(error_of, torch_or_none):
    for lib in [chainrule] + ([torch_or_none] if torch_or_none else []):

        class Total(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.sum()

            @staticmethod
            def backward(ctx, grad, lib=lib):
                return lib.ones(2)

        x = lib.ones(3, requires_grad=True)
        assert error_of(lambda x=x, f=Total: f.apply(x).backward()) == (
            RuntimeError,
            "Function TotalBackward returned an invalid gradient at index 0 - got [2] but "
            "expected shape compatible with [3]",
        )


def test_save_for_backward_rejects_non_tensors(error_of, torch_or_none):
    for lib in [chainrule] + ([torch_or_none] if torch_or_none else []):

        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 2

        x = lib.ones(2, requires_grad=True)
        assert error_of(lambda x=x, f=Bad: f.apply(x)) == (
            TypeError,
            "save_for_backward can only save variables, but argument 1 is of type int",
        )


def test_missing_forward_and_backward(error_of, torch_or_none):
    for lib in [chainrule] + ([torch_or_none] if torch_or_none else []):

        class NoForward(lib.autograd.Function):
            pass

        class NoBackward(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

        x = lib.ones(2, requires_grad=True)
        assert error_of(lambda x=x, f=NoForward: f.apply(x)) == (
            NotImplementedError,
            "You must implement the forward function for custom autograd.Function.",
        )
        assert error_of(lambda x=x, f=NoBackward: f.apply(x).sum().backward()) == (
            NotImplementedError,
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD.",
        )


def test_no_graph_when_nothing_requires_grad():
    x = chainrule.ones(2)
    y = Cube.apply(x)
    assert not y.requires_grad and y.grad_fn is None
    w = chainrule.ones(2, requires_grad=True)
    with chainrule.no_grad():
        z = Cube.apply(w)
    assert not z.requires_grad and z.grad_fn is None


def test_returning_an_input_gives_a_new_tensor(torch):
    def check(lib):
        class Identity(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad * 5

        x = lib.ones(2, requires_grad=True)
        y = Identity.apply(x)
        result = (y is x, y.requires_grad, y.grad_fn.name(), x.grad_fn)
        y.sum().backward()
        return result, x.grad.tolist()

    assert check(chainrule) == check(torch) == ((False, True, "IdentityBackward", None), [5.0, 5.0])


def test_mark_dirty(torch, error_of):
    def check(lib):
        class AddOne(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad * 3

        leaf = lib.ones(2, requires_grad=True)
        a = leaf * 2
        b = AddOne.apply(a)
        result = (b is a, a.grad_fn.name(), a._version, a.tolist())
        (b * b).sum().backward()
        message = error_of(lambda: AddOne.apply(leaf))
        return result, leaf.grad.tolist(), message

    expected = (
        (True, "AddOneBackward", 2, [3.0, 3.0]),
        [36.0, 36.0],
        (
            RuntimeError,
            "a leaf Variable that requires grad has been used in an in-place operation.",
        ),
    )
    assert check(chainrule) == expected
    assert check(torch) == expected


def test_double_backward_through_function(torch):
    def third_derivative(lib):
        x = lib.tensor([1.5, -0.5], dtype=lib.float64, requires_grad=True)
        y = functions(lib)[0].apply(x).sum()
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), x)
        return [g.detach().numpy().copy() for g in (g1, g2, g3)]

    ours = third_derivative(chainrule)
    np.testing.assert_allclose(ours[0], 3 * np.array([1.5, -0.5]) ** 2)
    np.testing.assert_allclose(ours[1], 6 * np.array([1.5, -0.5]))
    np.testing.assert_allclose(ours[2], [6.0, 6.0])
    for o, t in zip(ours, third_derivative(torch)):
        np.testing.assert_allclose(o, t)


def test_gradcheck_and_gradgradcheck_on_functions(rng):
    def x64(*shape):
        return chainrule.tensor(
            rng.standard_normal(shape), dtype=chainrule.float64
        ).requires_grad_()

    assert gradcheck(Cube.apply, (x64(3),))
    assert gradgradcheck(Cube.apply, (x64(3),))
    assert gradcheck(ExpOut.apply, (x64(2, 2),))
    assert gradgradcheck(ExpOut.apply, (x64(2, 2),))

    def muladd(a, b):
        return MulAdd.apply(a, b, 0.7)

    assert gradcheck(muladd, (x64(3), x64(3)))
    assert gradgradcheck(muladd, (x64(3), x64(3)))


def test_setup_context_style(torch):
    def check(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(x, scale):
                return x * x * scale

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, scale = inputs
                ctx.save_for_backward(x)
                ctx.scale = scale

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 2 * x * ctx.scale, None

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = Square.apply(x, 3.0)
        y.sum().backward()
        return y.tolist(), x.grad.tolist(), y.grad_fn.name()

    assert check(chainrule) == check(torch) == ([3.0, 12.0], [6.0, 12.0], "SquareBackward")


def test_once_differentiable(error_of, torch):
    def check(lib):
        from importlib import import_module

        once_differentiable = import_module(f"{lib.__name__}.autograd.function").once_differentiable

        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @once_differentiable
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 2 * x * grad

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (g,) = lib.autograd.grad(Square.apply(x).sum(), x)
        out = Square.apply(x * 1)
        (g2,) = lib.autograd.grad(out, x, lib.ones(2, requires_grad=True), create_graph=True)
        return g.tolist(), g2.requires_grad, error_of(lambda: g2.sum().backward())

    expected = (
        [2.0, 4.0],
        True,
        (
            RuntimeError,
            "trying to differentiate twice a function that was marked with @once_differentiable",
        ),
    )
    assert check(chainrule) == expected
    assert check(torch) == expected


def test_hooks_and_anomaly_name_the_function():
    class Nan(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad * float("nan")

    x = chainrule.ones(1, requires_grad=True)
    with pytest.warns(UserWarning, match="Error detected in NanBackward"):
        with chainrule.autograd.set_detect_anomaly(True):
            y = Nan.apply(x)
            with pytest.raises(
                RuntimeError, match=r"Function 'NanBackward' returned nan values in its 0th output."
            ):
                y.sum().backward()


def test_legacy_call_raises(error_of):
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        instance = Cube()
    kind, message = error_of(lambda: instance(chainrule.ones(1)))
    assert kind is RuntimeError
    assert message.startswith(
        "Legacy autograd function with non-static forward method is deprecated."
    )


def test_apply_accepts_keyword_arguments():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, factor=2.0):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor, None

    x = chainrule.ones(2, requires_grad=True)
    Scale.apply(x, factor=4.0).sum().backward()
    Scale.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])

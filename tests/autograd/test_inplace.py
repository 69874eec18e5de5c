"""In-place ops and autograd: version counters, PyTorch's checks, and correct gradients."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."


def libs(torch_or_none):
    return [chainrule] + ([torch_or_none] if torch_or_none is not None else [])


# -- version counters -------------------------------------------------------------------------
def test_version_counter_counts_in_place_writes(torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.ones(3)
        versions = [x._version]
        x.add_(1)
        versions.append(x._version)
        x.mul_(2)
        x += 1
        x -= 1
        x *= 2
        x /= 2
        versions.append(x._version)
        x.zero_()
        versions.append(x._version)
        y = x + 1  # out of place: no bump
        versions.append(x._version)
        assert versions == [0, 1, 6, 7, 7], lib
        assert y._version == 0


def test_views_and_detach_share_the_version_counter(torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.ones(2, 3)
        d = x.detach()
        v = x.reshape(6)
        d.add_(1)
        assert (x._version, d._version, v._version) == (1, 1, 1), lib
        v.mul_(2)
        assert (x._version, d._version) == (2, 2), lib
        assert x.tolist() == [[4.0] * 3] * 2


def test_optimizer_step_bumps_version_of_parameter():
    w = chainrule.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with chainrule.no_grad():
        w -= 0.5 * w.grad
    assert w._version == 1


# -- the error for a modified saved tensor ------------------------------------------------------
def _error(fn):
    try:
        fn()
    except RuntimeError as e:
        return str(e)
    raise AssertionError("no RuntimeError raised")


CASES = {
    # name: (build, literal expected message)
    "input_of_mul_changed_by_add_": (
        lambda lib, a: _modify(lambda x: x * x, lambda x: x.add_(1), a),
        "[torch.FloatTensor [3]], which is output 0 of Add, is at version 1; expected version 0",
    ),
    "input_of_sin_changed_by_mul_": (
        lambda lib, a: _modify(lambda x: x.sin(), lambda x: x.mul_(2), a),
        "[torch.FloatTensor [3]], which is output 0 of Mul, is at version 1; expected version 0",
    ),
    "output_of_exp_changed": (
        lambda lib, a: _modify_output(lambda x: x.exp(), a),
        "[torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; expected version 0",
    ),
    "output_of_sigmoid_changed_twice": (
        lambda lib, a: _modify_output(lambda x: x.sigmoid(), a, times=2),
        "[torch.FloatTensor [3]], which is output 0 of Sigmoid, is at version 2; expected "
        "version 0",
    ),
    "input_of_pow_changed_by_iadd": (
        lambda lib, a: _modify(lambda x: x**2, lambda x: x.__iadd__(1), a),
        "[torch.FloatTensor [3]], which is output 0 of Add, is at version 1; expected version 0",
    ),
    "leaf_changed_under_no_grad": (
        lambda lib, a: _modify_leaf(lib, a),
        "[torch.FloatTensor [3]] is at version 1; expected version 0",
    ),
}


def _modify(use, change, a):
    x = a * 2
    y = use(x)
    change(x)
    return lambda: y.sum().backward()


def _modify_output(make, a, times=1):
    y = make(a * 2)
    for _ in range(times):
        y.add_(1)
    return lambda: y.sum().backward()


def _modify_leaf(lib, a):
    y = a * a
    with lib.no_grad():
        a.mul_(2)
    return lambda: y.sum().backward()


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_modified_saved_tensor_raises_torch_message(case, torch_or_none):
    build, literal = CASES[case]
    expected = (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {literal} instead. {HINT}"
    )
    for lib in libs(torch_or_none):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        assert _error(build(lib, a)) == expected, lib


def test_modified_saved_tensor_message_for_float64_and_2d(torch_or_none):
    for lib in libs(torch_or_none):
        a = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
        x = a + 0
        y = x * x
        x.sub_(1)
        assert _error(lambda y=y: y.sum().backward()) == (
            "one of the variables needed for gradient computation has been modified by an "
            "inplace operation: [torch.DoubleTensor [2, 3]], which is output 0 of Sub, is at "
            f"version 1; expected version 0 instead. {HINT}"
        ), lib


def test_modifying_a_tensor_backward_does_not_need_is_fine(torch):
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        x = a * 2
        y = x + 1  # add saves nothing
        x.mul_(3)
        (y.sum() + x.sum()).backward()
        return a.grad.tolist()

    assert run(chainrule) == [8.0, 8.0]
    assert run(torch) == run(chainrule)


# -- leaves ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "op",
    [
        lambda x: x.add_(1),
        lambda x: x.mul_(2),
        lambda x: x.zero_(),
        lambda x: x.__iadd__(1),
        lambda x: x.__isub__(1),
        lambda x: x.__imul__(2),
    ],
    ids=["add_", "mul_", "zero_", "+=", "-=", "*="],
)
def test_in_place_on_leaf_requiring_grad_raises(op, torch_or_none):
    for lib in libs(torch_or_none):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        assert _error(lambda w=w: op(w)) == LEAF_MESSAGE, lib
        assert w.tolist() == [1.0, 2.0] and w._version == 0


def test_in_place_on_leaf_under_no_grad_is_allowed():
    w = chainrule.tensor([1.0, 2.0], requires_grad=True)
    lr = 0.1
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with chainrule.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    np.testing.assert_allclose(w.detach().numpy(), np.array([1.0, 2.0]) * 0.8**3, rtol=1e-6)
    assert w.is_leaf and w.requires_grad


def test_in_place_on_tensor_not_requiring_grad_is_allowed():
    c = chainrule.tensor([1.0, 2.0])
    c.add_(1)
    c *= 3
    assert c.tolist() == [6.0, 9.0]


# -- in-place ops recorded in the graph ------------------------------------------------------
def _in_place_chain(lib, arrays):
    a = lib.tensor(arrays[0], requires_grad=True)
    b = lib.tensor(arrays[1], requires_grad=True)
    x = a * 2
    x.add_(1)
    x.mul_(b)
    x -= a
    x += b * b
    x *= 0.5
    x /= b
    x.pow_(2)
    loss = x.sum()
    loss.backward()
    return x, [x.detach().numpy().copy(), a.grad.numpy().copy(), b.grad.numpy().copy()]


def test_in_place_chain_on_non_leaf_matches_torch(rng, torch_or_none):
    arrays = [rng.standard_normal(4).astype(np.float32), rng.uniform(1, 2, 4).astype(np.float32)]
    x, ours = _in_place_chain(chainrule, arrays)
    assert x.grad_fn.name() == "PowBackward0" and not x.is_leaf
    # Finite-difference check of the same chain, in float64.
    a64, b64 = (arr.astype(np.float64) for arr in arrays)

    def f(a, b):
        return ((((((a * 2 + 1) * b - a) + b * b) * 0.5) / b) ** 2).sum()

    eps = 1e-6
    for k, (arr, grad) in enumerate(zip((a64, b64), ours[1:])):
        numeric = np.zeros_like(arr)
        for i in range(arr.size):
            plus, minus = arr.copy(), arr.copy()
            plus[i] += eps
            minus[i] -= eps
            args_p = (plus, b64) if k == 0 else (a64, plus)
            args_m = (minus, b64) if k == 0 else (a64, minus)
            numeric[i] = (f(*args_p) - f(*args_m)) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-4)
    if torch_or_none is not None:
        _, theirs = _in_place_chain(torch_or_none, arrays)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o, t, rtol=1e-6, atol=1e-6)


def test_in_place_records_a_node_for_each_op(torch):
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        x = a * 2
        names = [x.grad_fn.name()]
        x.add_(1)
        names.append(x.grad_fn.name())
        x.mul_(a)
        names.append(x.grad_fn.name())
        x -= 1
        names.append(x.grad_fn.name())
        x.exp_()
        names.append(x.grad_fn.name())
        return names, x.grad_fn.next_functions[0][0].name()

    assert run(chainrule) == (
        ["MulBackward0", "AddBackward0", "MulBackward0", "SubBackward0", "ExpBackward0"],
        "SubBackward0",
    )
    assert run(torch) == run(chainrule)


def test_in_place_on_tensor_that_does_not_require_grad_with_one_that_does(torch):
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        buf = lib.zeros(2)
        buf.add_(a * 3)
        buf.mul_(a)
        buf.sum().backward()
        return buf.requires_grad, buf.is_leaf, buf.grad_fn.name(), a.grad.tolist()

    assert run(chainrule) == (True, False, "MulBackward0", [6.0, 12.0])
    assert run(torch) == run(chainrule)


def test_in_place_ops_return_self():
    a = chainrule.tensor([1.0], requires_grad=True)
    x = a * 1
    assert x.add_(1) is x
    assert x.mul_(2) is x
    y = x
    y += 1
    assert y is x


def test_augmented_assignment_on_non_leaf_gradients(torch):
    def run(lib):
        a = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        x = a.tanh()
        y = x * 1
        y += a
        y -= 2 * a
        y *= a
        y.sum().backward()
        return a.grad.detach().numpy().copy()

    np.testing.assert_allclose(run(chainrule), run(torch), rtol=1e-6)


def test_in_place_shape_mismatch(torch_or_none):
    for lib in libs(torch_or_none):
        x = lib.ones(3)
        message = _error(lambda x=x, lib=lib: x.add_(lib.ones(2, 3)))
        assert message == "output with shape [3] doesn't match the broadcast shape [2, 3]", lib

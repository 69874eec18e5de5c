"""Pointwise behaviour the op table does not see: grad_fn names, promotion, PyTorch's errors,
bit-exact lerp, and what Mul/Div save (which decides whether a later in-place op breaks them)."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from parity import assert_exact, assert_ulp_at_scale, vectorized_kernels


def _raises(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


def _names(lib):
    x = lib.ones(2, requires_grad=True)
    z = lib.zeros(2)
    return [
        type(y.grad_fn).__name__
        for y in (
            lib.clamp(x, 0, 1),
            x.clamp(min=0),
            x.clamp(max=0),
            lib.clamp_min(x, 0),
            lib.clamp_max(x, 0),
            lib.clamp(x, z, z + 1),
            x.clamp(min=z),
            lib.clamp_min(x, z),
            lib.lerp(x, x * 2, 0.3),
            lib.lerp(x, x * 2, lib.full((2,), 0.3)),
            x.round(),
            x.round(decimals=1),
            2**x,
            lib.pow(2, x),
            x**2,
            x**x,
            x.log1p(),
            lib.exp2(x),
            lib.erfc(x),
            lib.logaddexp(x, z),
        )
    ]


def test_grad_fn_names_match_pytorch(torch):
    assert _names(chainrule) == _names(torch)


def test_grad_fn_names_literal():
    names = _names(chainrule)
    assert names[:8] == [
        "ClampBackward1",
        "ClampBackward1",
        "ClampBackward1",
        "ClampMinBackward0",
        "ClampMaxBackward0",
        "ClampBackward0",
        "ClampBackward0",
        "ClampMinBackward1",
    ]
    assert names[8:13] == [
        "LerpBackward0",
        "LerpBackward1",
        "RoundBackward0",
        "RoundBackward1",
        "PowBackward2",
    ]
    assert names[16] == "Log1PBackward0"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weight", [0.2, 0.7, "tensor"])
def test_lerp_matches_pytorch(torch, dtype, weight, rng):
    a, b = rng.standard_normal((2, 200)).astype(dtype)
    w = rng.uniform(-0.5, 1.5, 200).astype(dtype)
    out = []
    for lib in (chainrule, torch):
        wt = lib.tensor(w) if weight == "tensor" else weight
        out.append(lib.lerp(lib.tensor(a), lib.tensor(b), wt).numpy())
    if vectorized_kernels(torch):
        # PyTorch's AVX2/AVX-512 kernel rounds a + w*(b-a) once (a fused multiply-add), as
        # chainrule does.
        assert_exact(out[0], out[1])
    else:
        # Its generic kernel (ATEN_CPU_CAPABILITY=default) rounds the product first: at most
        # half an ulp of |w*(b-a)| <= 3*max(|a|, |b|) apart, plus the sum's own rounding.
        assert_ulp_at_scale(out[0], out[1], np.maximum(np.abs(a), np.abs(b)), max_ulp=4)


def test_lerp_errors_match_pytorch(torch):
    cases = [
        lambda t: t.lerp(t.tensor([1.0, 2]), t.tensor([3.0, 4, 5]), 0.5),
        lambda t: t.lerp(t.tensor([1.0, 2]), t.tensor([3.0, 4], dtype=t.float64), 0.5),
        lambda t: t.lerp(t.tensor([1.0]), t.tensor([3.0]), t.tensor([0.5], dtype=t.float64)),
        lambda t: t.lerp(t.tensor([1, 2]), t.tensor([3, 4]), 0.5),
    ]
    for case in cases:
        assert _raises(lambda c=case: c(chainrule)) == _raises(lambda c=case: c(torch))


def test_clamp_with_tensor_bounds_gradients(torch):
    """Ties go wholly to the input, and where lo > hi the result is hi, as PyTorch."""
    results = []
    for lib in (chainrule, torch):
        x = lib.tensor([1.0, 5, 0, 2, 3], requires_grad=True)
        lo = lib.tensor([3.0, 3, 0, 1, 4], requires_grad=True)
        hi = lib.tensor([2.0, 6, 1, 3, 5], requires_grad=True)
        y = lib.clamp(x, lo, hi)
        (y * lib.tensor([1.0, 2, 3, 4, 5])).sum().backward()
        results.append([t.detach().numpy() for t in (y, x.grad, lo.grad, hi.grad)])
    for mine, theirs in zip(*results):
        np.testing.assert_array_equal(mine, theirs)
    assert results[0][1].tolist() == [0.0, 2.0, 3.0, 4.0, 0.0]


def test_clamp_promotes_integer_tensors(torch):
    cases = [
        lambda t: t.clamp(t.tensor([1, 2]), 0, 1.5),
        lambda t: t.clamp(t.tensor([True, False]), 0, 1),
        lambda t: t.clamp(t.tensor([1, 2], dtype=t.uint8), max=1),
        lambda t: t.clamp(t.tensor([1, 2]), t.tensor([1.5]), None),
        lambda t: t.clamp(t.ones(2), t.tensor([1.5, 1], dtype=t.float64)),
    ]
    for case in cases:
        mine, theirs = case(chainrule), case(torch)
        assert str(mine.dtype) == str(theirs.dtype)
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_where_with_two_numbers(torch):
    for x, y in ((1, 2), (1.0, 2), (True, False), (0.5, True)):
        mine = chainrule.where(chainrule.tensor([True, False]), x, y)
        theirs = torch.where(torch.tensor([True, False]), x, y)
        assert str(mine.dtype) == str(theirs.dtype)
        assert mine.tolist() == theirs.tolist()


def test_where_with_two_numbers_literal():
    out = chainrule.where(chainrule.tensor([True, False]), 1.0, 2)
    assert out.dtype is chainrule.float32 and out.tolist() == [1.0, 2.0]


BOOL_SUB = (
    "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
    "invert a mask, use the `~` or `logical_not()` operator instead."
)


@pytest.mark.parametrize(
    "case",
    [
        lambda t: t.tensor([True]) - t.tensor([1]),
        lambda t: t.tensor([1]) - True,
        lambda t: 1 - t.tensor([True]),
        lambda t: t.sub(t.tensor([1.0]), t.tensor([True]), alpha=2),
    ],
)
def test_subtraction_with_a_bool_operand_raises(case):
    assert _raises(lambda: case(chainrule)) == (RuntimeError, BOOL_SUB)


@pytest.mark.parametrize(
    "case",
    [
        lambda t: t.tensor([1, 2]) // 0,
        lambda t: t.tensor([1, 2]) % 0,
        lambda t: t.tensor([1, 2]) // t.tensor([0, 1]),
    ],
)
def test_integer_division_by_zero_raises(case, torch):
    assert _raises(lambda: case(chainrule)) == (RuntimeError, "ZeroDivisionError")
    assert _raises(lambda: case(torch)) == (RuntimeError, "ZeroDivisionError")


def test_float_division_by_zero_is_a_value():
    with np.errstate(divide="ignore"):
        assert (chainrule.tensor([1.0]) // 0).tolist() == [float("inf")]


def test_copy_shape_error_names_the_dimension():
    message = (
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"
    )
    assert _raises(lambda: chainrule.ones(2, 3).copy_(chainrule.ones(3, 2))) == (
        RuntimeError,
        message,
    )


@pytest.mark.parametrize("op", [lambda y: y * 2, lambda y: y / 2, lambda y: 2 * y])
def test_product_with_a_number_does_not_save_the_tensor(op, torch):
    """PyTorch's mul/div by a number save nothing of the tensor: changing it later in place
    does not break their backward."""
    grads = []
    for lib in (chainrule, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x + 0  # add saves nothing, so only what op saves can be invalidated
        z = op(y)
        y.add_(1)
        z.sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_product_of_tensors_still_detects_in_place_change():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_softplus_is_stable_and_matches_pytorch(torch):
    values = [1e3, -1e3, 0.0, 19.9, 20.1, 25.0, -30.0]
    results = []
    for lib, softplus in (
        (chainrule, chainrule.softplus),
        (torch, torch.nn.functional.softplus),
    ):
        x = lib.tensor(values, requires_grad=True)
        y = softplus(x)
        y.sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    for mine, theirs in zip(*results):
        assert np.all(np.isfinite(mine))
        np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-30)


def test_logaddexp_is_stable():
    x = chainrule.tensor([1e3, -1e3, 0.0], requires_grad=True)
    y = chainrule.logaddexp(x, chainrule.zeros(3))
    with np.errstate(over="ignore"):
        y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), [1e3, 0.0, np.log(2)], rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 0.0, 0.5], atol=1e-7)


def test_overflow_and_domain_errors_are_silent_as_in_pytorch():
    """log(0), 1/0, exp(1000) and sqrt's gradient at 0 give inf/nan without a warning;
    NumPy used directly still warns. A fresh interpreter, so no test's filters interfere."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(__file__).resolve().parents[2] / "src")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
    )

    code = (
        "import chainrule as torch, numpy as np\n"
        "a = torch.log(torch.tensor([0.0, -1.0]))\n"
        "b = torch.exp(torch.tensor([1000.0])) + torch.tensor([1.0]) / 0\n"
        "x = torch.tensor([0.0], requires_grad=True)\n"
        "torch.sqrt(x).sum().backward()\n"
        "print(a.tolist(), b.tolist(), x.grad.tolist())\n"
        "np.log(np.zeros(1))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "default", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert done.stdout.strip() == "[-inf, nan] [inf] [inf]"
    warnings = [line for line in done.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(warnings) == 1 and "<string>:7" in warnings[0], done.stderr


@pytest.mark.parametrize(
    "method, kwargs",
    [("add_", {}), ("add_", {"alpha": -0.1}), ("sub_", {"alpha": 3}), ("mul_", {}), ("div_", {})],
)
@pytest.mark.parametrize("other_kind", ["tensor", "row", "float", "int"])
def test_inplace_arithmetic_without_a_graph_matches_the_out_of_place_op(method, kwargs, other_kind):
    """The optimizer's path (no graph to record) writes one ufunc result into the tensor's own
    memory; its values must be the out-of-place op's, bit for bit, and the version must move."""
    rng = np.random.default_rng(7)
    a = chainrule.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    other = {
        "tensor": chainrule.tensor(rng.uniform(0.5, 2, (3, 4)).astype(np.float32)),
        "row": chainrule.tensor(rng.uniform(0.5, 2, (4,)).astype(np.float32)),
        "float": 0.3,
        "int": 2,
    }[other_kind]
    expected = getattr(a, method[:-1])(other, **kwargs)._data.copy()
    memory, version = a._data, a._version
    with chainrule.no_grad():
        out = getattr(a, method)(other, **kwargs)
    assert out is a and a._data is memory
    assert a._version == version + 1
    np.testing.assert_array_equal(a._data, expected)


def test_inplace_arithmetic_without_a_graph_keeps_the_errors():
    a = chainrule.ones(3)
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast"):
        a.add_(chainrule.ones(2, 3))
    ints = chainrule.ones(3, dtype=chainrule.int64)
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        ints.add_(0.5)
    expanded = chainrule.ones(1).expand(3)
    before = expanded.clone()
    with pytest.raises(RuntimeError):
        expanded.add_(1.0)
    np.testing.assert_array_equal(expanded._data, before._data)


def test_add_and_sub_with_alpha_keep_python_numbers_weak(torch):
    for name in ("add", "sub"):
        ours = getattr(chainrule.tensor([1.0, 2.0]), name)(0.3, alpha=-0.1)
        theirs = getattr(torch.tensor([1.0, 2.0]), name)(0.3, alpha=-0.1)
        assert str(ours.dtype) == str(theirs.dtype) == "torch.float32"
        # PyTorch's kernel fuses the multiply and the add (one rounding); chainrule rounds
        # twice, so the last bit may differ.
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1.2e-7, atol=0)


_ROUNDED_FLOATS = [7.5, -7.5, 3.0, -3.0, 0.0, -0.0, 1e300, float("inf"), float("nan"), 5.0, -2.25]
_ROUNDED_INTS = [7, -7, 3, -3, 0, 5, 2**62 + 1, -(2**62) - 3]


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_div_with_rounding_mode_as_pytorch(mode, torch):
    """div(rounding_mode=) values and dtypes, exactly (one IEEE division and a rounding, or
    exact integer arithmetic: int64 quotients beyond 2**53 are not rounded through floats);
    the result requires grad, as DivBackward2, with zero gradients of the inputs' shapes."""
    seen = []
    for lib in (torch, chainrule):
        out = []
        a = lib.tensor(_ROUNDED_FLOATS, dtype=lib.float64)
        b = lib.tensor(_ROUNDED_FLOATS[::-1], dtype=lib.float64)
        out.append(lib.div(a, b, rounding_mode=mode).tolist())
        half = lib.div(a.float(), 2, rounding_mode=mode)
        out.append((str(half.dtype), half.tolist()))
        out.append(lib.div(2.5, lib.tensor([1.5, -0.7]), rounding_mode=mode).tolist())
        ints = lib.div(
            lib.tensor(_ROUNDED_INTS), lib.tensor([2, 2, -2, -2, 3, -3, 3, 7]), rounding_mode=mode
        )
        out.append((str(ints.dtype), ints.tolist()))
        out.append(lib.div(lib.tensor(_ROUNDED_INTS), 2.5, rounding_mode=mode).tolist())
        x = lib.tensor([3.5, -2.5], requires_grad=True)
        y = lib.tensor([[2.0], [1.5]], requires_grad=True)
        q = lib.div(x, y, rounding_mode=mode)
        q.sum().backward()
        out.append((q.grad_fn.name(), q.tolist(), x.grad.tolist(), y.grad.tolist()))
        w = lib.tensor([3.5, -2.5])
        w.div_(2, rounding_mode=mode)
        out.append(w.tolist())
        seen.append(str(out))  # as text: NaN compares equal to NaN
    assert seen[1] == seen[0]


def test_rsqrt_of_a_0_dim_tensor_differentiates(torch):
    seen = []
    for lib in (torch, chainrule):
        x = lib.tensor(4.0, dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(lib.rsqrt(x), x)
        seen.append((tuple(g.shape), g.item()))
    assert seen[1] == seen[0] == ((), -0.0625)


def test_zero_as_a_function(torch):
    for lib in (torch, chainrule):
        x = lib.ones(2, 3)
        assert lib.zero_(x) is x
        assert x.tolist() == [[0.0] * 3] * 2


@pytest.mark.parametrize("name", ["fmax", "fmin", "maximum", "minimum"])
def test_fmax_fmin_skip_nan_and_send_ties_as_pytorch(torch, name):
    # fmax/fmin ignore a NaN operand (maximum/minimum propagate it); on ties fmax/fmin give
    # the whole gradient to the first operand, maximum/minimum split it.
    nan = float("nan")
    a_vals = [1.0, 2.0, nan, 3.0, nan, -0.0]
    b_vals = [1.0, 3.0, 1.0, nan, nan, 0.0]
    results = []
    for lib in (chainrule, torch):
        a = lib.tensor(a_vals, dtype=lib.float64, requires_grad=True)
        b = lib.tensor(b_vals, dtype=lib.float64, requires_grad=True)
        y = getattr(lib, name)(a, b)
        y.backward(lib.arange(1.0, 7.0, dtype=lib.float64))
        results.append((y, a.grad, b.grad, type(y.grad_fn).__name__))
    ours, theirs = results
    for o, t in zip(ours[:3], theirs[:3]):
        assert_exact(o.detach().numpy(), t.detach().numpy())
    assert ours[3] == theirs[3]


@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin_refuse_complex_as_pytorch(torch, name):
    errors = []
    for lib in (chainrule, torch):
        fn, a = getattr(lib, name), lib.tensor([1 + 1j])
        errors.append(_raises(lambda fn=fn, a=a: fn(a, a)))
    assert errors[0] == errors[1]

"""chainrule.use_pytorch_arithmetic: one switch, off by default (and under
CHAINRULE_PYTORCH_ARITHMETIC=1 on from import). Off, each kernel it governs computes what
NumPy's plain call computes: np.sum, np.mean, np.matmul, the sigmoid ufunc path, a + alpha * b
in two roundings, np.log in binary_cross_entropy."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F

SRC = Path(__file__).resolve().parents[1] / "src"
F32 = np.float32


@pytest.fixture
def numpy_arithmetic():
    before = chainrule.is_pytorch_arithmetic_enabled()
    chainrule.use_pytorch_arithmetic(False)
    yield
    chainrule.use_pytorch_arithmetic(before)


def _enabled_at_import(value):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("CHAINRULE_PYTORCH_ARITHMETIC", None)
    if value is not None:
        env["CHAINRULE_PYTORCH_ARITHMETIC"] = value
    code = "import chainrule; print(chainrule.is_pytorch_arithmetic_enabled())"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    "value, expected", [(None, "False"), ("", "False"), ("0", "False"), ("1", "True")]
)
def test_the_environment_variable_turns_it_on_at_import(value, expected):
    assert _enabled_at_import(value) == expected


def test_the_switch_turns_on_and_off(numpy_arithmetic):
    assert chainrule.is_pytorch_arithmetic_enabled() is False
    chainrule.use_pytorch_arithmetic(True)
    assert chainrule.is_pytorch_arithmetic_enabled() is True
    chainrule.use_pytorch_arithmetic(0)
    assert chainrule.is_pytorch_arithmetic_enabled() is False


def _data(rng, *shape):
    return rng.standard_normal(shape).astype(F32)


def test_off_sums_and_means_are_numpys(numpy_arithmetic, rng):
    a = _data(rng, 37, 53)
    t = chainrule.from_numpy(a)
    assert np.array_equal(t.sum().numpy(), np.sum(a))
    assert np.array_equal(t.sum(0).numpy(), np.sum(a, axis=0))
    assert np.array_equal(t.mean().numpy(), np.mean(a))
    assert np.array_equal(t.mean(1).numpy(), np.mean(a, axis=1))
    d = a.astype(np.float64)
    assert np.array_equal(chainrule.from_numpy(d).sum(1).numpy(), np.sum(d, axis=1))


def test_off_a_bias_gradient_and_a_loss_are_numpys(numpy_arithmetic, rng):
    x, w, b, y = _data(rng, 50, 7), _data(rng, 3, 7), _data(rng, 3), _data(rng, 50, 3)
    bias = chainrule.tensor(b, requires_grad=True)
    out = chainrule.from_numpy(x) @ chainrule.from_numpy(w).t() + bias
    g = _data(rng, 50, 3)
    out.backward(chainrule.from_numpy(g))
    assert np.array_equal(bias.grad.numpy(), np.sum(g, axis=0))
    pred = x @ w.T
    loss = F.mse_loss(chainrule.from_numpy(pred), chainrule.from_numpy(y))
    assert np.array_equal(loss.numpy(), np.asarray(((pred - y) ** 2).mean(), F32))


@pytest.mark.parametrize("m, k, n", [(8, 10, 5), (759, 8, 6), (1, 6, 1)])
def test_off_matrix_products_are_numpys(numpy_arithmetic, rng, m, k, n):
    a, b, c = _data(rng, m, k), _data(rng, k, n), _data(rng, n)
    ta, tb = chainrule.tensor(a, requires_grad=True), chainrule.tensor(b, requires_grad=True)
    out = chainrule.mm(ta, tb)
    assert np.array_equal(out.detach().numpy(), np.matmul(a, b))
    g = _data(rng, m, n)
    out.backward(chainrule.from_numpy(g))
    assert np.array_equal(ta.grad.numpy(), np.matmul(g, b.T))
    assert np.array_equal(tb.grad.numpy(), np.matmul(a.T, g))
    added = chainrule.addmm(chainrule.from_numpy(c), ta.detach(), tb.detach())
    expected = np.matmul(a, b)
    expected += c
    assert np.array_equal(added.numpy(), expected)


@pytest.mark.parametrize("n", [1, 10, 100, 5000])
def test_off_sigmoid_is_the_plain_path(numpy_arithmetic, rng, n):
    a = _data(rng, n) * 4
    expected = np.reciprocal(np.exp(-a) + F32(1))
    assert np.array_equal(chainrule.sigmoid(chainrule.from_numpy(a)).numpy(), expected)
    t = chainrule.tensor(a, requires_grad=True)
    assert np.array_equal(chainrule.sigmoid(t).detach().numpy(), expected)


def test_off_add_with_alpha_rounds_twice(numpy_arithmetic, rng):
    a, b = _data(rng, 1000), _data(rng, 1000)
    alpha = 0.1
    expected = a + b * alpha  # NumPy: the product rounded, then the sum
    ta, tb = chainrule.from_numpy(a), chainrule.from_numpy(b)
    assert np.array_equal(chainrule.add(ta, tb, alpha=alpha).numpy(), expected)
    assert np.array_equal(chainrule.sub(ta, tb, alpha=-alpha).numpy(), a - b * -alpha)
    p = chainrule.from_numpy(a.copy())
    p.add_(tb, alpha=alpha)
    assert np.array_equal(p.numpy(), expected)
    # ...which differs from one rounding somewhere in a thousand float32 elements
    once = (a.astype(np.float64) + b.astype(np.float64) * F32(alpha)).astype(F32)
    assert not np.array_equal(once, expected)


def test_off_binary_cross_entropy_takes_numpys_log(numpy_arithmetic, rng):
    x = 1 / (1 + np.exp(-_data(rng, 300)))
    y = (rng.random(300) < 0.5).astype(F32)
    loss = F.binary_cross_entropy(
        chainrule.from_numpy(x), chainrule.from_numpy(y), reduction="none"
    )
    expected = (y - 1) * np.maximum(np.log1p(-x), -100) - y * np.maximum(np.log(x), -100)
    assert np.array_equal(loss.numpy(), expected)

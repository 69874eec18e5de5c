"""The choice between the plain and the swapped form of a 2-D product (ops/_blas_layout.py):
both forms give the same bits where the swap is taken, a product never depends on which
form was faster, and mm, addmm and Linear give the same numbers whichever form runs."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops import _blas_layout as layout

# Shapes of the benchmark MLP's products (forward and backward) and a square one, each
# above the size from which the forms are timed.
_SHAPES = [(64, 784, 256), (64, 256, 128), (128, 64, 256), (256, 64, 784), (96, 96, 128)]


def _operands(m, k, n, la, lb, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    a = a if la == "C" else np.asfortranarray(a)
    b = b if lb == "C" else np.asfortranarray(b)
    return a, b


@pytest.fixture
def fresh_choices(monkeypatch):
    """An empty table of decisions, so each test decides afresh and leaves none behind."""
    monkeypatch.setattr(layout, "_CHOICES", {})
    return layout._CHOICES


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m,k,n", _SHAPES)
@pytest.mark.parametrize("la,lb", [("C", "F"), ("F", "C"), ("C", "C")])
def test_product_is_matmul_bit_for_bit(fresh_choices, m, k, n, la, lb, dtype):
    a, b = _operands(m, k, n, la, lb, dtype)
    want = np.matmul(a, b)
    for _ in range(2):  # the deciding call, then the remembered choice
        got = layout.product(a, b)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.flags.c_contiguous and got.flags.owndata
        np.testing.assert_array_equal(got, want)
    key = (np.dtype(dtype), m, k, n, la, lb)
    assert key in fresh_choices
    if fresh_choices[key]:  # taken only where both forms agree: check on other inputs too
        c, d = _operands(m, k, n, la, lb, dtype, seed=1)
        np.testing.assert_array_equal(layout._swapped(c, d), np.matmul(c, d))


def test_the_swap_is_refused_where_the_forms_differ(fresh_choices, monkeypatch):
    """A kernel that sums in another order when the roles swap: the plain form is kept,
    even though the swapped one is (here) much faster."""

    def other_order(a, b):
        out = np.ascontiguousarray(np.matmul(b.T, a.T).T)
        out[0, 0] = np.nextafter(out[0, 0], np.inf)
        return out

    monkeypatch.setattr(layout, "_swapped", other_order)
    a, b = _operands(64, 784, 256, "C", "F", np.float32)
    np.testing.assert_array_equal(layout.product(a, b), np.matmul(a, b))
    assert fresh_choices[(np.dtype(np.float32), 64, 784, 256, "C", "F")] is False


@pytest.mark.parametrize("faster", ["plain", "swapped"])
def test_the_faster_form_is_chosen(monkeypatch, faster):
    """Each form run on a clock that the slower one advances by two ticks, the faster by one
    (both computing the plain product, so that they agree on any CPU's kernels)."""
    clock = [0]
    monkeypatch.setattr(layout.time, "perf_counter", lambda: clock[0])

    def timed(ticks):
        def run(a, b):
            clock[0] += ticks
            return np.matmul(a, b)

        return run

    monkeypatch.setattr(layout, "_plain", timed(1 if faster == "plain" else 2))
    monkeypatch.setattr(layout, "_swapped", timed(2 if faster == "plain" else 1))
    assert layout._decide(np.dtype(np.float32), 64, 256, 128, "C", "F") is (faster == "swapped")


def test_small_odd_and_other_products_are_not_timed(fresh_choices):
    a, b = _operands(64, 128, 10, "C", "F", np.float32)  # too small to matter
    np.testing.assert_array_equal(layout.product(a, b), np.matmul(a, b))
    a, b = _operands(64, 784, 256, "C", "C", np.float32)
    strided = np.asarray(np.broadcast_to(a[:1], a.shape))  # rows of stride 0: neither layout
    np.testing.assert_array_equal(layout.product(strided, b), np.matmul(strided, b))
    big = _operands(2048, 256, 257, "C", "C", np.float32)  # 2**27 and a bit: too big to time
    np.testing.assert_array_equal(layout.product(*big), np.matmul(*big))
    ints = layout.product(a.astype(np.int64)[:, :8], b.astype(np.int64)[:8])
    np.testing.assert_array_equal(ints, np.matmul(a.astype(np.int64)[:, :8], b[:8].astype(int)))
    assert fresh_choices == {}


def test_the_table_is_bounded(fresh_choices, monkeypatch):
    monkeypatch.setattr(layout, "_MAX_CHOICES", 1)
    a, b = _operands(64, 256, 128, "C", "F", np.float32)
    layout.product(a, b)
    c, d = _operands(64, 256, 129, "C", "F", np.float32)
    np.testing.assert_array_equal(layout.product(c, d), np.matmul(c, d))
    assert len(fresh_choices) == 1


@pytest.mark.parametrize("swap", [False, True])
def test_linear_forward_and_backward_agree_in_either_form(fresh_choices, swap):
    """A Linear layer's step with every product in one form, then in the other: the same
    output and gradients, bit for bit (the forms were checked to agree, so force both)."""
    rng = np.random.default_rng(3)
    x = cr.tensor(rng.standard_normal((64, 784)).astype(np.float32))
    w0 = rng.standard_normal((256, 784)).astype(np.float32) / 28
    b0 = rng.standard_normal(256).astype(np.float32)

    def step():
        w = cr.tensor(w0, requires_grad=True)
        b = cr.tensor(b0, requires_grad=True)
        y = cr.nn.functional.linear(x, w, b)
        (y * y).sum().backward()
        return y.detach().numpy(), w.grad.numpy(), b.grad.numpy()

    plain = step()
    for key in fresh_choices:  # the swap, where the forms agree for this CPU's kernels
        dtype, m, k, n, la, lb = key
        a, b = _operands(m, k, n, la, lb, dtype)
        fresh_choices[key] = swap and np.array_equal(layout._swapped(a, b), np.matmul(a, b))
    forced = step()
    for p, f in zip(plain, forced):
        np.testing.assert_array_equal(p, f)
    assert forced[0].flags.c_contiguous and forced[1].flags.c_contiguous

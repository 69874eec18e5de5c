"""A product's gradients when the incoming gradient is one number broadcast (sum's and
mean's backward): written out once for both products, the same bits as a dense gradient."""

import numpy as np
import pytest

import chainrule as cr


def _leaves(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [
        cr.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in shapes
    ]


@pytest.mark.parametrize("reduce", ["sum", "mean"])
@pytest.mark.parametrize("shape", [(5, 7, 3), (64, 300, 128)])
def test_mm_gradients_of_a_reduced_product_are_the_dense_gradients(reduce, shape):
    m, k, n = shape
    a, b = _leaves(0, (m, k), (k, n))
    getattr(a @ b, reduce)().backward()
    c, d = _leaves(0, (m, k), (k, n))
    scale = 1.0 if reduce == "sum" else 1.0 / (m * n)
    (c @ d).backward(cr.full((m, n), scale, dtype=cr.float32))
    np.testing.assert_array_equal(a.grad.numpy(), c.grad.numpy())
    np.testing.assert_array_equal(b.grad.numpy(), d.grad.numpy())
    assert a.grad.is_contiguous() and b.grad.is_contiguous()


def test_addmm_and_linear_gradients_of_a_summed_output_are_the_dense_gradients():
    x, w, bias = _leaves(1, (64, 300), (128, 300), (128,))
    cr.nn.functional.linear(x, w, bias).sum().backward()
    y, v, c = _leaves(1, (64, 300), (128, 300), (128,))
    cr.nn.functional.linear(y, v, c).backward(cr.ones(64, 128))
    for p, q in ((x, y), (w, v), (bias, c)):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_a_broadcast_gradient_under_create_graph_is_still_recorded():
    a, b = _leaves(2, (4, 3), (3, 5))
    ga, gb = cr.autograd.grad((a @ b).sum(), (a, b), create_graph=True)
    assert ga.requires_grad and gb.requires_grad
    (ga.sum() + gb.sum()).backward()
    # sum(ga) = sum(ones(4, 5) @ b.T) has d/db = 4 everywhere; sum(gb) = sum(a.T @ ones(4, 5))
    # has d/da = 5 everywhere
    np.testing.assert_array_equal(a.grad.numpy(), np.full((4, 3), 5, np.float32))
    np.testing.assert_array_equal(b.grad.numpy(), np.full((3, 5), 4, np.float32))

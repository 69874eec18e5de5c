"""Where PyTorch's vectorised CPU kernels round a result once (a fused multiply-add), so does
chainrule: tanh's backward g * (1 - y*y), a + alpha * b (add, sub, their in-place forms,
the optimizers' steps) and addcmul's self + (value * t1) * t2. Exact against PyTorch on its
vectorised path; on its generic path (ATEN_CPU_CAPABILITY=default) PyTorch rounds the
product and the sum separately: the two results are then within one rounding of the
terms' magnitude (many units in the last place where the sum cancels)."""

import numpy as np
import pytest

import chainrule
from chainrule.ops.pointwise import tanh_backward
from parity import assert_exact, assert_ulp, vectorized_kernels

N = 20_000


def _data(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(N).astype(dtype) for _ in range(3)]


def _compare(ours, theirs, torch, scale):
    """Exact on PyTorch's vectorised path; elsewhere within one unit in the last place of
    `scale`, the size of the terms (the generic kernels' extra rounding of the product)."""
    if vectorized_kernels(torch):
        assert_exact(ours, theirs)
        return
    ours, theirs = np.asarray(ours.numpy()), np.asarray(theirs.numpy())
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert (np.abs(ours - theirs) <= np.spacing(np.abs(scale).astype(ours.dtype))).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_backward_rounds_once(dtype, torch):
    g, x, _ = _data(dtype)
    y = np.tanh(x)
    ours = tanh_backward(chainrule.tensor(g), chainrule.tensor(y))
    theirs = torch.ops.aten.tanh_backward(torch.tensor(g), torch.tensor(y))
    _compare(ours, theirs, torch, 2 * g)


def test_tanh_backward_rounds_once_in_a_graph(torch):
    g, x, _ = _data(np.float32, 1)
    y = torch.tanh(torch.tensor(x)).numpy()  # PyTorch's forward, so that only the backward differs
    ours = chainrule.tensor(y, requires_grad=True)
    theirs = torch.tensor(y, requires_grad=True)
    tanh_backward(chainrule.tensor(g), ours).sum().backward()
    torch.ops.aten.tanh_backward(torch.tensor(g), theirs).sum().backward()
    assert_ulp(ours.grad, theirs.grad, max_ulp=1)  # -2 * y * g: two roundings in both


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", [0.3, -0.01, 1e-3, 2.5])
def test_add_and_sub_with_alpha_round_once(dtype, alpha, torch):
    a, b, _ = _data(dtype)
    ca, cb, ta, tb = chainrule.tensor(a), chainrule.tensor(b), torch.tensor(a), torch.tensor(b)
    scale = 2 * (np.abs(a) + np.abs(alpha * b))
    _compare(chainrule.add(ca, cb, alpha=alpha), torch.add(ta, tb, alpha=alpha), torch, scale)
    _compare(chainrule.sub(ca, cb, alpha=alpha), torch.sub(ta, tb, alpha=alpha), torch, scale)
    _compare(ca.clone().add_(cb, alpha=alpha), ta.clone().add_(tb, alpha=alpha), torch, scale)
    _compare(ca.clone().sub_(cb, alpha=alpha), ta.clone().sub_(tb, alpha=alpha), torch, scale)
    # broadcasting an operand
    ours = chainrule.add(ca.reshape(100, -1), cb[:200], alpha=alpha)
    theirs = torch.add(ta.reshape(100, -1), tb[:200], alpha=alpha)
    _compare(ours, theirs, torch, 2 * (np.abs(a.reshape(100, -1)) + np.abs(alpha * b[:200])))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("value", [1, 0.01, -0.3])
def test_addcmul_rounds_once(dtype, value, torch):
    s, t1, t2 = _data(dtype, 2)
    c = [chainrule.tensor(v) for v in (s, t1, t2)]
    t = [torch.tensor(v) for v in (s, t1, t2)]
    scale = 2 * (np.abs(s) + np.abs(value * t1 * t2))
    _compare(chainrule.addcmul(*c, value=value), torch.addcmul(*t, value=value), torch, scale)
    in_place = c[0].clone().addcmul_(c[1], c[2], value=value)
    _compare(in_place, t[0].clone().addcmul_(t[1], t[2], value=value), torch, scale)


def test_addcmul_still_records_a_graph():
    s, t1, t2 = (chainrule.tensor(v, requires_grad=True) for v in _data(np.float64, 3))
    out = chainrule.addcmul(s, t1, t2, value=0.5)
    out.sum().backward()
    assert np.allclose(t1.grad.numpy(), 0.5 * t2.detach().numpy())


OPTIMIZERS = {
    "SGD": {"lr": 0.1},
    "SGD momentum": {"lr": 0.1, "momentum": 0.9},
    "SGD nesterov": {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    "SGD dampening": {"lr": 0.05, "momentum": 0.5, "dampening": 0.3},
    "ASGD": {"lr": 0.01},
    "Adamax": {"lr": 0.01},
    "Rprop": {"lr": 0.01},
}  # fmt: skip


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_steps_are_pytorch(name, torch):
    # the same parameters and gradients, twenty steps: every update rounds as PyTorch's does
    rng = np.random.default_rng(4)
    p0 = rng.standard_normal(1000).astype(np.float32)
    grads = [rng.standard_normal(1000).astype(np.float32) for _ in range(20)]
    results = []
    for lib in (chainrule, torch):
        p = lib.tensor(p0.copy(), requires_grad=True)
        optimizer = getattr(lib.optim, name.split()[0])([p], **OPTIMIZERS[name])
        for g in grads:
            p.grad = lib.tensor(g.copy())
            optimizer.step()
        results.append(p.detach())
    if vectorized_kernels(torch):
        assert_exact(*results)
    else:  # twenty steps, each with a rounding of its own
        np.testing.assert_allclose(*(r.numpy() for r in results), rtol=1e-5, atol=1e-5)

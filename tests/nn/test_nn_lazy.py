"""Lazy modules against PyTorch: reprs and placeholders before the first forward, what reading
a placeholder raises, materialization in place on the first forward (an optimizer built
before keeps working) or from a loaded state_dict, the class each turns into, and the
layer's numbers afterwards."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import chainrule


def _errors(fn):
    try:
        fn()
    except Exception as e:
        return f"{type(e).__name__}: {str(e)[:60]}"
    return "no error"


def placeholders(lib):
    nn = lib.nn
    m = nn.LazyLinear(4)
    return [
        repr(m),
        repr(m.weight),
        type(m.weight).__name__,
        isinstance(m.weight, nn.Parameter),
        m.has_uninitialized_params(),
        nn.parameter.is_lazy(m.weight),
        tuple(m.weight.size()),
        str(m.weight.dtype),
        _errors(lambda: m.weight.shape),
        # PyTorch names the function here (its __torch_function__ sees it); chainrule cannot.
        _errors(lambda: m.weight + 1)[: len("ValueError: Attempted to use an uninitialized")],
        [(k, repr(v)) for k, v in m.state_dict().items()],
        repr(nn.parameter.UninitializedParameter()),
        repr(nn.parameter.UninitializedBuffer()),
        type(nn.LazyBatchNorm1d().running_mean).__name__,
    ]


def first_forward(lib):
    nn = lib.nn
    lib.manual_seed(0)
    m = nn.LazyLinear(4)
    opt = lib.optim.SGD(m.parameters(), lr=0.1)
    w = m.weight
    y = m(lib.ones(2, 3))
    y.sum().backward()
    opt.step()
    return [type(m).__name__, repr(m), tuple(m.weight.shape), w is m.weight, type(w).__name__,
            tuple(w.grad.shape), hasattr(m, "_initialize_hook")]  # fmt: skip


def each_lazy_layer(lib):
    nn = lib.nn
    out = []
    for make, shape in (
        (lambda: nn.LazyConv1d(4, 2, groups=2), (4, 5)),
        (lambda: nn.LazyConv2d(8, 3, padding=1), (1, 2, 5, 5)),
        (lambda: nn.LazyConv3d(2, 2, bias=False), (1, 3, 3, 3, 3)),
        (lambda: nn.LazyConvTranspose1d(3, 2, stride=2), (1, 4, 3)),
        (lambda: nn.LazyConvTranspose2d(3, 2), (1, 4, 3, 3)),
        (lambda: nn.LazyConvTranspose3d(2, 2), (2, 3, 2, 2)),
        (lambda: nn.LazyBatchNorm1d(), (4, 3)),
        (lambda: nn.LazyBatchNorm2d(affine=False), (2, 3, 2, 2)),
        (lambda: nn.LazyBatchNorm3d(momentum=0.3), (2, 2, 2, 2, 2)),
        (lambda: nn.LazyInstanceNorm1d(), (2, 3, 4)),
        (lambda: nn.LazyInstanceNorm2d(affine=True), (2, 3, 4, 4)),
        (lambda: nn.LazyInstanceNorm3d(track_running_stats=False), (1, 2, 2, 2, 3)),
    ):
        m = make()
        before = repr(m)
        keys = [(k, type(v).__name__) for k, v in m.state_dict().items()]
        m(lib.ones(*shape))
        out.append([before, keys, type(m).__name__, repr(m),
                    [(n, tuple(p.shape)) for n, p in m.named_parameters()]])  # fmt: skip
    return out


def loading_and_copies(lib):
    nn = lib.nn
    m = nn.LazyLinear(4)
    m(lib.ones(1, 3))
    m2 = nn.LazyLinear(4)
    m2.load_state_dict(m.state_dict())
    after_load = [repr(m2), type(m2).__name__, tuple(m2.weight.shape)]
    m2(lib.ones(1, 3))
    m3 = copy.deepcopy(nn.LazyLinear(2))
    copied = [repr(m3), repr(m3.weight)]
    m3(lib.ones(1, 6))
    m3(lib.ones(1, 6))  # the copy's own hooks were removed
    m4 = nn.LazyLinear(3).double()
    dtype_before = [repr(m4.weight), str(m4.weight.dtype)]
    m4(lib.ones(2, 5, dtype=lib.float64))
    seq = nn.Sequential(nn.LazyConv2d(4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    seq(lib.ones(2, 1, 6, 6))
    return [after_load, type(m2).__name__, copied, repr(m3), dtype_before, str(m4.weight.dtype),
            repr(seq)]  # fmt: skip


def errors(lib):
    nn = lib.nn
    return [
        _errors(lambda: nn.LazyConv2d(4, 3, groups=2)(lib.ones(1, 3, 5, 5))),
        _errors(lambda: nn.LazyConv2d(4, 3)(lib.ones(5, 5))),
        _errors(lambda: nn.Linear(3, 3).load_state_dict(nn.LazyLinear(3).state_dict())),
    ]


@pytest.mark.parametrize(
    "scenario", [placeholders, first_forward, each_lazy_layer, loading_and_copies, errors]
)
def test_lazy_modules_match_torch(scenario, torch):
    assert scenario(chainrule) == scenario(torch)


def test_initialized_layer_computes_as_the_plain_one(torch):
    """After the first forward, a lazy layer is its plain layer: same numbers as PyTorch's
    from the same weights."""
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5))
    outs = []
    for lib in (chainrule, torch):
        m = lib.nn.LazyConv2d(4, 3, stride=2).double()
        m(lib.tensor(x))
        if lib is chainrule:
            state = {k: v.numpy().copy() for k, v in m.state_dict().items()}
        else:
            m.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        xt = lib.tensor(x, requires_grad=True)
        y = m(xt)
        y.sum().backward()
        outs.append((y.detach().numpy(), xt.grad.numpy(), m.weight.grad.numpy()))
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_lazy_layer_without_torch():
    m = chainrule.nn.LazyLinear(3)
    assert m.has_uninitialized_params()
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        _ = m.weight.shape
    y = m(chainrule.ones(2, 7))
    assert type(m) is chainrule.nn.Linear and y.shape == (2, 3) and m.in_features == 7
    bound = 1 / 7**0.5  # Linear's own initialisation ran on the materialized weight
    assert float(m.weight.detach().abs().max()) <= bound

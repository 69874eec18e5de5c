"""LBFGS against PyTorch's on the Rosenbrock function, with and without line search."""

import copy

import numpy as np
import pytest

import chainrule

START = [-1.5, 2.0, 0.5, -0.7]


def rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def run(lib, dtype, steps, fn=rosenbrock, **kwargs):
    x = lib.tensor(np.array(START, dtype=dtype), requires_grad=True)
    opt = lib.optim.LBFGS([x], **kwargs)

    def closure():
        opt.zero_grad()
        loss = fn(x)
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    state = opt.state[x]
    return x.detach().numpy(), losses, (state["func_evals"], state["n_iter"])


OPTIONS = [
    {},
    {"line_search_fn": "strong_wolfe"},
    {"lr": 0.5, "history_size": 3, "max_iter": 7},
    {"line_search_fn": "strong_wolfe", "history_size": 2, "max_iter": 10, "max_eval": 12},
    {"lr": 0.1, "tolerance_change": 1e-3},
]


@pytest.mark.parametrize("kwargs", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_rosenbrock_float64_matches_pytorch(torch, kwargs):
    x, losses, counts = run(chainrule, np.float64, 4, **kwargs)
    tx, tlosses, tcounts = run(torch, np.float64, 4, **kwargs)
    assert counts == tcounts
    np.testing.assert_allclose(x, tx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-10)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_float32_matches_pytorch_to_float_rounding(torch, line_search_fn):
    # A few iterations only: Rosenbrock in float32 amplifies last-bit differences.
    kw = {"line_search_fn": line_search_fn, "max_iter": 4}
    x, losses, counts = run(chainrule, np.float32, 1, **kw)
    tx, tlosses, tcounts = run(torch, np.float32, 1, **kw)
    assert counts == tcounts
    np.testing.assert_allclose(x, tx, rtol=1e-4, atol=1e-5)
    assert x.dtype == np.float32


def test_converges_on_a_quadratic():
    target = chainrule.tensor([1.0, -2.0, 3.0], dtype=chainrule.float64)
    x, _, _ = run(
        chainrule,
        np.float64,
        2,
        fn=lambda x: ((x[:3] - target) ** 2).sum(),
        line_search_fn="strong_wolfe",
    )
    np.testing.assert_allclose(x[:3], [1.0, -2.0, 3.0], atol=1e-8)


def test_step_needs_a_closure_and_one_group(torch):
    x = chainrule.zeros(2, requires_grad=True)
    opt = chainrule.optim.LBFGS([x])
    with pytest.raises(TypeError):
        opt.step()
    opt = chainrule.optim.LBFGS([x], line_search_fn="armijo")

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


def test_stops_at_once_when_the_gradient_is_zero():
    x = chainrule.ones(2, requires_grad=True)
    opt = chainrule.optim.LBFGS([x])

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 0.0
    assert opt.state[x]["func_evals"] == 1 and opt.state[x]["n_iter"] == 0


def test_state_dict_round_trip_continues_the_same(torch):
    def fresh(lib):
        x = lib.tensor(np.array(START), requires_grad=True)
        return x, lib.optim.LBFGS([x], history_size=4, max_iter=5)

    def closure_for(x, opt):
        def closure():
            opt.zero_grad()
            loss = rosenbrock(x)
            loss.backward()
            return loss

        return closure

    x, opt = fresh(chainrule)
    opt.step(closure_for(x, opt))
    y, other = fresh(chainrule)
    with chainrule.no_grad():
        y.copy_(x)
    other.load_state_dict(copy.deepcopy(opt.state_dict()))  # as saving to a file does
    opt.step(closure_for(x, opt))
    other.step(closure_for(y, other))
    assert np.array_equal(x.detach().numpy(), y.detach().numpy())
    assert set(opt.state_dict()["state"][0]) == {
        "func_evals",
        "n_iter",
        "d",
        "t",
        "old_dirs",
        "old_stps",
        "ro",
        "H_diag",
        "prev_flat_grad",
        "prev_loss",
        "al",
    }

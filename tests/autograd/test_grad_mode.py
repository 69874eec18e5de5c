"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode; thread-local state."""

from __future__ import annotations

import threading

import pytest

import chainrule


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    yield
    assert chainrule.is_grad_enabled(), "a test left grad mode off"
    assert not chainrule.is_inference_mode_enabled()


def _x():
    return chainrule.tensor([1.0, 2.0], requires_grad=True)


def test_no_grad_context_manager():
    x = _x()
    with chainrule.no_grad():
        assert not chainrule.is_grad_enabled()
        y = x * 2
    assert chainrule.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad


def test_no_grad_restores_mode_after_an_exception():
    with pytest.raises(ValueError):
        with chainrule.no_grad():
            raise ValueError("boom")
    assert chainrule.is_grad_enabled()


def test_no_grad_as_decorator_with_and_without_parentheses():
    x = _x()

    @chainrule.no_grad()
    def with_parens(t):
        return t * 2, chainrule.is_grad_enabled()

    @chainrule.no_grad
    def bare(t):
        return t * 2, chainrule.is_grad_enabled()

    for fn in (with_parens, bare):
        y, enabled = fn(x)
        assert not enabled and not y.requires_grad
    assert with_parens.__name__ == "with_parens" and bare.__name__ == "bare"


def test_no_grad_decorates_a_generator_function(torch_or_none):
    for lib in [chainrule] + ([torch_or_none] if torch_or_none else []):

        def gen(lib=lib):
            yield lib.is_grad_enabled()
            yield lib.is_grad_enabled()

        assert list(lib.no_grad()(gen)()) == [False, False], lib
        assert lib.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = _x()
    with chainrule.no_grad():
        with chainrule.enable_grad():
            assert chainrule.is_grad_enabled()
            y = x * 2
        assert not chainrule.is_grad_enabled()
        z = x * 2
    assert y.requires_grad and not z.requires_grad

    @chainrule.enable_grad()
    def doubled(t):
        return t * 2

    with chainrule.no_grad():
        assert doubled(x).requires_grad


def test_set_grad_enabled_as_call_context_and_decorator():
    x = _x()
    with chainrule.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert chainrule.is_grad_enabled()
    with chainrule.no_grad():
        with chainrule.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not chainrule.is_grad_enabled()

    chainrule.set_grad_enabled(False)  # as a plain function call
    try:
        assert not chainrule.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        chainrule.set_grad_enabled(True)
    assert chainrule.is_grad_enabled()

    @chainrule.set_grad_enabled(False)
    def off():
        return chainrule.is_grad_enabled()

    assert off() is False
    assert chainrule.is_grad_enabled()


def test_set_grad_enabled_with_a_flag_variable():
    x = _x()
    for is_train in (True, False):
        with chainrule.set_grad_enabled(is_train):
            y = x * 2
        assert y.requires_grad is is_train


def test_inference_mode():
    x = _x()
    with chainrule.inference_mode():
        assert not chainrule.is_grad_enabled()
        assert chainrule.is_inference_mode_enabled()
        y = x * 2
    assert not y.requires_grad
    with chainrule.inference_mode(False):
        assert chainrule.is_grad_enabled() and not chainrule.is_inference_mode_enabled()

    @chainrule.inference_mode()
    def run(t):
        return t * 2, chainrule.is_inference_mode_enabled()

    @chainrule.inference_mode
    def bare(t):
        return t * 2, chainrule.is_grad_enabled()

    out, inference = run(x)
    assert inference and not out.requires_grad
    out, enabled = bare(x)
    assert not enabled and not out.requires_grad


def test_in_place_under_no_grad_on_leaf_is_the_optimizer_pattern():
    w = chainrule.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with chainrule.no_grad():
        w -= 0.1 * w.grad
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    assert w.tolist() == pytest.approx([0.8, 1.6])


def test_backward_inside_no_grad_still_computes_gradients(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        with lib.no_grad():
            y.backward()
        return x.grad.tolist(), x.grad.requires_grad

    assert run(chainrule) == run(torch) == ([2.0, 4.0], False)


def test_grad_mode_is_thread_local():
    x = _x()
    results = {}
    inside = threading.Event()
    release = threading.Event()

    def worker():
        with chainrule.no_grad():
            inside.set()
            release.wait(5)
            results["worker_enabled"] = chainrule.is_grad_enabled()
            results["worker_requires_grad"] = (x * 2).requires_grad

    t = threading.Thread(target=worker)
    t.start()
    assert inside.wait(5)
    # The other thread is inside no_grad right now; this thread is unaffected.
    results["main_enabled"] = chainrule.is_grad_enabled()
    results["main_requires_grad"] = (x * 2).requires_grad
    release.set()
    t.join(5)
    assert results == {
        "worker_enabled": False,
        "worker_requires_grad": False,
        "main_enabled": True,
        "main_requires_grad": True,
    }


def test_new_thread_starts_with_grad_enabled():
    seen = []
    with chainrule.no_grad():
        t = threading.Thread(target=lambda: seen.append(chainrule.is_grad_enabled()))
        t.start()
        t.join(5)
    assert seen == [True]


def test_modes_are_exported_where_torch_has_them():
    for name in ("no_grad", "enable_grad", "set_grad_enabled", "inference_mode"):
        assert getattr(chainrule, name) is getattr(chainrule.autograd, name)
    assert chainrule.autograd.grad_mode.no_grad is chainrule.no_grad

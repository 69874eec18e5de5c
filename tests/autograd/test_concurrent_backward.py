"""Backward from several threads into the same leaves: every update lands in .grad.

Each leaf's accumulator holds a lock while it adds into .grad (NumPy lets go of the
interpreter lock inside np.add, and two threads could both find .grad empty), as
PyTorch's AccumulateGrad does. The first gradient, which .grad may keep without a copy,
must stay correct too when a second thread adds into it at once.
"""

from __future__ import annotations

import threading

import numpy as np

import chainrule


def _in_threads(n, work):
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except BaseException as e:  # noqa: BLE001 - reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_two_threads_backward_into_one_leaf_lose_no_update():
    """Two threads each run (w * 1.0).sum().backward() 150 times on a 200,000-element
    leaf: w.grad is 300 everywhere, every time."""
    for _ in range(3):
        w = chainrule.zeros(200_000, requires_grad=True)

        def work(i, w=w):
            for _ in range(150):
                (w * 1.0).sum().backward()

        _in_threads(2, work)
        np.testing.assert_array_equal(w.grad.numpy(), np.full(200_000, 300.0, np.float32))


def test_first_gradients_racing_into_an_empty_grad():
    """Fresh leaves, so each thread's gradient may become .grad uncopied: the other's is
    added to it, never lost, and neither thread's gradient is aliased by the other's."""
    for _ in range(40):
        w = chainrule.zeros(50_000, requires_grad=True)

        def work(i, w=w):
            (w * float(i + 1)).sum().backward()

        _in_threads(3, work)
        np.testing.assert_array_equal(w.grad.numpy(), np.full(50_000, 6.0, np.float32))


def test_backward_with_inputs_and_a_shared_graph_from_threads():
    w = chainrule.zeros(100_000, requires_grad=True)
    v = chainrule.ones(100_000, requires_grad=True)

    def work(i):
        for _ in range(40):
            loss = (w * v * 2.0).sum()
            loss.backward(inputs=[w])  # only w accumulates

    _in_threads(2, work)
    np.testing.assert_array_equal(w.grad.numpy(), np.full(100_000, 160.0, np.float32))
    assert v.grad is None


def test_a_leaf_gets_one_accumulator_whichever_thread_asks_first():
    for _ in range(50):
        w = chainrule.zeros(3, requires_grad=True)
        made = []
        _in_threads(4, lambda i, w=w, made=made: made.append(w._accumulator()))
        assert all(a is made[0] for a in made)

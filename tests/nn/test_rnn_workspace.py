"""The recurrent layers' reused scratch memory (nn/functional/_workspace.py): a buffer is
handed out again only once the array made from it is garbage, and layers whose graphs are
alive at the same time keep their own values."""

import gc

import numpy as np

import chainrule
from chainrule.nn.functional import _workspace


def test_small_arrays_are_plain_and_large_ones_reuse_a_freed_buffer():
    small = _workspace.empty((4, 5), np.float32)
    assert small.shape == (4, 5) and small.dtype == np.float32 and small.base is None
    first = _workspace.empty((300, 400), np.float32)
    address = first.__array_interface__["data"][0]
    second = _workspace.empty((300, 400), np.float32)  # first is alive: other memory
    assert not np.shares_memory(first, second)
    del first
    gc.collect()
    third = _workspace.empty((400, 300), np.float32)  # the same size, another shape
    assert third.shape == (400, 300) and third.flags.c_contiguous
    assert third.__array_interface__["data"][0] == address
    other = _workspace.empty((300, 400), np.float64)  # another dtype: never that buffer
    assert not np.shares_memory(other, third) and not np.shares_memory(other, second)


def test_free_buffers_are_capped_in_bytes():
    arrays = [_workspace.empty((1 << 22,), np.float32) for _ in range(8)]  # 16 MiB each
    del arrays
    gc.collect()
    assert sum(b.nbytes for b in _workspace._free) <= _workspace._MAX_BYTES


def _run(gru, x, lengths):
    packed = chainrule.nn.utils.rnn.pack_padded_sequence(x, lengths)
    out, h_n = gru(packed)
    return out.data, h_n


def test_two_live_graphs_of_a_gru_keep_their_own_saved_values(monkeypatch):
    """Each layer's saved gates come from reused memory (every size, here): two forward
    passes kept alive at once, then both backward, give what each gives alone."""
    monkeypatch.setattr(_workspace, "_MIN_BYTES", 0)
    chainrule.manual_seed(0)
    gru = chainrule.nn.GRU(3, 5, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(2)
    lengths = chainrule.tensor(np.sort(rng.integers(1, 7, 6))[::-1].copy())
    steps = int(lengths[0])
    xs = [chainrule.tensor(rng.standard_normal((steps, 6, 3)).astype(np.float32)) for _ in (0, 1)]

    def grads(loss):
        gru.zero_grad()
        loss.backward()
        return [p.grad.numpy().copy() for p in gru.parameters()]

    alone = []
    for x in xs:
        out, h_n = _run(gru, x, lengths)
        alone.append(grads(out.sum() + (h_n * h_n).sum()))
        del out, h_n
        gc.collect()
    first = _run(gru, xs[0], lengths)
    second = _run(gru, xs[1], lengths)  # the first graph's saved arrays are still in use
    together = [grads(second[0].sum() + (second[1] * second[1]).sum())]
    together.insert(0, grads(first[0].sum() + (first[1] * first[1]).sum()))
    for ours, ref in zip(together, alone):
        for a, b in zip(ours, ref):
            np.testing.assert_array_equal(a, b)

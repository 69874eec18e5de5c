"""The recurrent layers' and cells' outputs carry PyTorch's CPU grad_fn names (what course
scripts print), in every configuration and dtype; and an in-place change of an output does
not corrupt the layer's backward."""

from __future__ import annotations

import itertools

import numpy as np

import chainrule


def _names(lib, dtype):
    """(configuration, output grad_fn name, state grad_fn names) for every configuration."""
    dt = getattr(lib, dtype)
    x3 = lib.tensor(np.linspace(-1, 1, 30).reshape(2, 5, 3), dtype=dt)
    rows = []
    kinds = ("RNN", "LSTM", "GRU")
    for kind, layers, bf, bi, batched in itertools.product(
        kinds, (1, 2), (False, True), (False, True), (True, False)
    ):
        m = getattr(lib.nn, kind)(3, 4, num_layers=layers, batch_first=bf, bidirectional=bi)
        out, h = m.to(dt)(x3 if batched else x3[0])
        states = h if isinstance(h, tuple) else (h,)
        rows.append(
            (
                (kind, layers, bf, bi, batched),
                out.grad_fn.name(),
                [s.grad_fn.name() for s in states],
            )
        )
    for kind, layers, bi in itertools.product(kinds, (1, 2), (False, True)):
        m = getattr(lib.nn, kind)(3, 4, num_layers=layers, bidirectional=bi).to(dt)
        packed = lib.nn.utils.rnn.pack_padded_sequence(x3.transpose(0, 1), [2, 1])
        out, h = m(packed)
        states = h if isinstance(h, tuple) else (h,)
        rows.append(
            (
                ("packed", kind, layers, bi),
                out.data.grad_fn.name(),
                [s.grad_fn.name() for s in states],
            )
        )
    for kind, batched in itertools.product(("RNNCell", "LSTMCell", "GRUCell"), (True, False)):
        m = getattr(lib.nn, kind)(3, 4).to(dt)
        out = m(x3[0] if batched else x3[0, 0])
        outs = out if isinstance(out, tuple) else (out,)
        rows.append(((kind, batched), [o.grad_fn.name() for o in outs], None))
    relu = lib.nn.RNNCell(3, 4, nonlinearity="relu").to(dt)
    rows.append((("relu cell",), relu(x3[0]).grad_fn.name(), None))
    return rows


def test_recurrent_grad_fn_names_match_torch(torch):
    for dtype in ("float32", "float64"):
        assert _names(chainrule, dtype) == _names(torch, dtype)


def test_names_without_torch():
    rows = dict((r[0], r[1:]) for r in _names(chainrule, "float32"))
    assert rows[("GRU", 2, False, False, True)] == ("StackBackward0", ["StackBackward0"])
    assert rows[("GRU", 1, True, False, True)][0] == "TransposeBackward1"
    assert rows[("LSTM", 1, False, False, True)][0] == "MkldnnRnnLayerBackward0"
    assert rows[("RNN", 1, False, True, True)][0] == "CatBackward0"


def test_in_place_change_of_an_output_keeps_the_gradients(torch):
    """The output is a copy of the rows the layer keeps for its backward, as in PyTorch."""
    grads = []
    state = chainrule.nn.RNN(3, 4, num_layers=2).state_dict()
    for lib in (chainrule, torch):
        m = lib.nn.RNN(3, 4, num_layers=2, batch_first=True)
        m.load_state_dict({k: lib.tensor(v.numpy()) for k, v in state.items()})
        x = lib.tensor(np.linspace(-1, 1, 30).reshape(2, 5, 3), dtype=lib.float32)
        out, h = m(x)
        out.mul_(2)
        (out.sum() + h.sum()).backward()
        grads.append(m.weight_hh_l0.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5, atol=1e-6)

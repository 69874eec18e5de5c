"""Op table: the recurrent layer Ops (one step as a cell; several packed steps, both
directions) and the row gather/scatter behind packing and padding."""

from optable import A, OpCase

import chainrule.nn.functional.rnn as crf

H = 2  # hidden size
IN = 3  # input size
BATCH_SIZES = (3, 2, 2, 1)  # a packed batch: lengths 4, 3, 1
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
CELLS = {"RNN_TANH": "rnn_tanh_cell", "RNN_RELU": "rnn_relu_cell", "LSTM": "lstm_cell"}
CELLS["GRU"] = "gru_cell"
VF = {"RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu", "LSTM": "lstm", "GRU": "gru"}


def _is_torch(lib):
    return lib.__name__ == "torch"


def _cell(mode):
    name = CELLS[mode]

    def fn(lib, x, *rest):
        cell = getattr(lib, name)  # torch.gru_cell and chainrule.gru_cell alike
        if mode == "LSTM":
            h, c, *weights = rest
            return cell(x, (h, c), *weights)
        return cell(x, *rest)

    return fn


def _packed(mode):
    """One layer, both directions, over a packed batch (PyTorch's _VF.<mode> with batch_sizes)."""

    def fn(lib, x, *rest):
        if mode == "LSTM":
            h0, c0, *weights = rest
        else:
            (h0, *weights), c0 = rest, None
        if _is_torch(lib):
            hx = (h0, c0) if mode == "LSTM" else h0
            sizes = lib.tensor(BATCH_SIZES)
            return getattr(lib._VF, VF[mode])(x, sizes, hx, weights * 2, True, 1, 0.0, False, True)
        w_ih, w_hh, b_ih, b_hh = weights
        starts = [sum(BATCH_SIZES[:t]) for t in range(len(BATCH_SIZES))]
        steps = tuple(zip(starts, BATCH_SIZES))
        gi = lib.nn.functional.linear(x, w_ih, b_ih)
        results = [
            crf.recurrent_layer(
                mode, gi, h0[d], None if c0 is None else c0[d], w_hh, b_hh, steps, d == 1
            )
            for d in (0, 1)
        ]
        out = lib.cat([r[0] for r in results], 1)
        states = [lib.stack([r[k] for r in results]) for k in range(1, len(results[0]))]
        return (out, *states)

    return fn


CASES = []
for mode, g in GATES.items():
    states = (A(4, H), A(4, H)) if mode == "LSTM" else (A(4, H),)
    weights = (A(g * H, IN), A(g * H, H), A(g * H), A(g * H))
    CASES.append(
        OpCase(
            f"{CELLS[mode]}",
            _cell(mode),
            (A(4, IN), *states, *weights),
        )
    )
    n = sum(BATCH_SIZES)
    states = (A(2, 3, H), A(2, 3, H)) if mode == "LSTM" else (A(2, 3, H),)
    CASES.append(
        OpCase(
            f"{VF[mode]}_packed_bidirectional",
            _packed(mode),
            (A(n, IN), *states, *weights),
            # Second derivatives of the multi-step loop: once (tanh) is enough; the gated
            # ones take seconds and their step is second-differentiated by the cell cases.
            double=mode == "RNN_TANH",
        )
    )

CASES.append(
    OpCase(
        "gru_cell_no_bias",
        lambda t, x, h, wi, wh: t.gru_cell(x, h, wi, wh),
        (A(2, IN), A(2, H), A(3 * H, IN), A(3 * H, H)),
    )
)


def _pack(t, x):
    return t.nn.utils.rnn.pack_padded_sequence(x, [3, 2, 2, 1], enforce_sorted=False).data


def _pad(t, x):
    packed = t.nn.utils.rnn.pack_sequence([x[:2], x[2:5], x[5:6]], enforce_sorted=False)
    return t.nn.utils.rnn.pad_packed_sequence(packed, batch_first=True, padding_value=-1.0)[0]


CASES += [
    OpCase("pack_padded_sequence_unsorted", _pack, (A(3, 4, 2),)),
    OpCase("pad_packed_sequence_batch_first", _pad, (A(6, 2),)),
]


# The layers' outputs under PyTorch's grad_fn names (functional/_rnn_outputs.py): a module
# with fixed weights, the input differentiated.
def _layer(kind, take=0, cast=None, packed=False, **kw):
    def fn(t, x):
        m = getattr(t.nn, kind)(IN, H, **kw).to(x.dtype)
        with t.no_grad():
            for i, p in enumerate(m.parameters()):
                # Exact in both libraries (a linspace's last bit depends on the kernel).
                n = p.numel()
                p.copy_((t.arange(n, dtype=x.dtype) / n * (1 + 0.1 * i) - 0.5).reshape(p.shape))
        if cast is not None:
            m, x = m.to(getattr(t, cast)), x.to(getattr(t, cast))
        if packed:
            x = t.nn.utils.rnn.pack_padded_sequence(x, [3, 2, 1])
            return m(x)[0].data
        out = m(x)[take]
        return out[0] if isinstance(out, tuple) else out

    return fn


CASES += [
    OpCase("rnn_output_stacked", _layer("RNN"), (A(3, 2, IN),), double=False),
    OpCase("gru_output_batch_first", _layer("GRU", batch_first=True), (A(2, 3, IN),), double=False),
    OpCase("rnn_output_packed", _layer("RNN", packed=True), (A(3, 3, IN),), double=False),
    # float32 LSTMs end in PyTorch's oneDNN layer node, an identity whose values and names
    # tests/nn/test_nn_rnn_names.py compares with PyTorch; here it is only reached.
    OpCase(
        "lstm_output_float32",
        _layer("LSTM", cast="float32"),
        (A(3, 2, IN),),
        gradcheck=False,
        torch=False,
    ),
]

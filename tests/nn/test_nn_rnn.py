"""Recurrent layers and cells against PyTorch: values, states, gradients, parameters,
reprs and error messages."""

import warnings

import numpy as np
import pytest

import chainrule
from chainrule.autograd import gradcheck

DTYPES = {"float32": (np.float32, 2e-5), "float64": (np.float64, 1e-10)}


def _pair(torch, cls, *args, dtype=np.float32, **kwargs):
    """The same layer in both libraries, chainrule's loaded from PyTorch's state_dict."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, cls)(*args, **kwargs)
    ours = getattr(chainrule.nn, cls)(*args, **kwargs)
    if dtype == np.float64:
        theirs, ours = theirs.double(), ours.double()
    ours.load_state_dict(
        {k: chainrule.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    )
    return theirs, ours


def _leaf(lib, array):
    return lib.tensor(array.copy(), requires_grad=True)


def _close(ours, theirs, tol):
    a = ours.detach().numpy()
    b = theirs.detach().numpy()
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _flatten(result):
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _flatten(r)]
    return [result]


def _run_both(torch, theirs, ours, inputs, tol):
    """Call both, compare every output, backprop a fixed weighting of every output, and
    compare the gradients of the inputs and parameters."""
    rng = np.random.default_rng(5)
    their_in = [None if a is None else _leaf(torch, a) for a in inputs]
    our_in = [None if a is None else _leaf(chainrule, a) for a in inputs]

    def call(module, lib, args):
        x, *states = args
        if len(states) == 2:
            return module(x, None if states[0] is None else (states[0], states[1]))
        return module(x, *states)

    their_out = _flatten(call(theirs, torch, their_in))
    our_out = _flatten(call(ours, chainrule, our_in))
    assert len(their_out) == len(our_out)
    seeds = [rng.standard_normal(tuple(t.shape)) for t in their_out]
    for a, b in zip(our_out, their_out):
        _close(a, b, tol)
    sum((o * torch.tensor(s, dtype=o.dtype)).sum() for o, s in zip(their_out, seeds)).backward()
    sum((o * chainrule.tensor(s, dtype=o.dtype)).sum() for o, s in zip(our_out, seeds)).backward()
    for a, b in zip(our_in, their_in):
        if a is not None:
            _close(a.grad, b.grad, tol)
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, their_params[name].grad, tol)


LAYER_CONFIGS = [
    {},
    {"num_layers": 2, "bidirectional": True},
    {"batch_first": True, "bidirectional": True},
    {"num_layers": 2, "bias": False, "batch_first": True},
]


@pytest.mark.parametrize("dtype", DTYPES, ids=list(DTYPES))
@pytest.mark.parametrize("config", LAYER_CONFIGS, ids=lambda c: "-".join(c) or "plain")
@pytest.mark.parametrize("cls", ["RNN", "RNN_relu", "LSTM", "GRU"])
def test_layer_matches_pytorch(torch, cls, config, dtype):
    np_dtype, tol = DTYPES[dtype]
    kwargs = dict(config)
    if cls == "RNN_relu":
        cls, kwargs["nonlinearity"] = "RNN", "relu"
    theirs, ours = _pair(torch, cls, 3, 4, dtype=np_dtype, **kwargs)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 3) if config.get("batch_first") else (5, 2, 3))
    directions = 2 if config.get("bidirectional") else 1
    layers = config.get("num_layers", 1)
    h0 = rng.standard_normal((layers * directions, 2, 4)).astype(np_dtype)
    inputs = [x.astype(np_dtype), h0]
    if cls == "LSTM":
        inputs.append(rng.standard_normal(h0.shape).astype(np_dtype))
    _run_both(torch, theirs, ours, inputs, tol)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_layer_without_initial_state(torch, cls):
    theirs, ours = _pair(torch, cls, 3, 4, bidirectional=True)
    x = np.random.default_rng(1).standard_normal((4, 3, 3)).astype(np.float32)
    _run_both(torch, theirs, ours, [x], 2e-5)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_unbatched_input(torch, cls, batch_first):
    theirs, ours = _pair(torch, cls, 3, 4, num_layers=2, batch_first=batch_first)
    rng = np.random.default_rng(2)
    inputs = [rng.standard_normal((5, 3)).astype(np.float32)]
    inputs += [rng.standard_normal((2, 4)).astype(np.float32)] * (2 if cls == "LSTM" else 1)
    _run_both(torch, theirs, ours, inputs, 2e-5)
    out, _ = ours(chainrule.tensor(inputs[0]))
    assert out.shape == (5, 4)


@pytest.mark.parametrize("dtype", DTYPES, ids=list(DTYPES))
@pytest.mark.parametrize("cls", ["RNNCell", "RNNCell_relu", "LSTMCell", "GRUCell"])
def test_cell_matches_pytorch(torch, cls, dtype):
    np_dtype, tol = DTYPES[dtype]
    kwargs = {}
    if cls == "RNNCell_relu":
        cls, kwargs["nonlinearity"] = "RNNCell", "relu"
    theirs, ours = _pair(torch, cls, 3, 4, dtype=np_dtype, **kwargs)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3)).astype(np_dtype)
    states = [rng.standard_normal((2, 4)).astype(np_dtype)]
    if cls == "LSTMCell":
        states.append(rng.standard_normal((2, 4)).astype(np_dtype))
    _run_both(torch, theirs, ours, [x, *states], tol)
    _run_both(torch, theirs, ours, [x[0], *(s[0] for s in states)], tol)  # unbatched
    theirs.zero_grad()
    ours.zero_grad()
    _run_both(torch, theirs, ours, [x], tol)  # no initial state


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_gradcheck(cls):
    cell = getattr(chainrule.nn, cls)(2, 3).double()
    rng = np.random.default_rng(4)
    x = chainrule.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    h = chainrule.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    c = chainrule.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    states = (h, c) if cls == "LSTMCell" else (h,)

    def run(*_):  # gradcheck perturbs the tensors it is given in place: inputs or parameters
        return cell(x, states) if cls == "LSTMCell" else cell(x, h)

    assert gradcheck(run, (x, *states))
    assert gradcheck(run, tuple(cell.parameters()))


def test_gru_layer_gradcheck_packed_bidirectional():
    gru = chainrule.nn.GRU(2, 2, num_layers=2, bidirectional=True).double()
    rng = np.random.default_rng(6)
    seqs = [chainrule.tensor(rng.standard_normal((n, 2)), requires_grad=True) for n in (2, 3, 1)]

    def fn(*seqs):
        packed = chainrule.nn.utils.rnn.pack_sequence(list(seqs), enforce_sorted=False)
        out, h_n = gru(packed)
        return out.data, h_n

    assert gradcheck(fn, tuple(seqs))


def test_state_dict_names_shapes_and_order_match_pytorch(torch):
    for cls, kwargs in [
        ("GRU", {"num_layers": 2, "bidirectional": True}),
        ("LSTM", {"bias": False}),
        ("RNN", {"num_layers": 2}),
        ("GRUCell", {}),
        ("LSTMCell", {"bias": False}),
    ]:
        theirs = getattr(torch.nn, cls)(3, 5, **kwargs).state_dict()
        ours = getattr(chainrule.nn, cls)(3, 5, **kwargs).state_dict()
        assert list(ours) == list(theirs)
        assert [tuple(v.shape) for v in ours.values()] == [tuple(v.shape) for v in theirs.values()]
    ours = chainrule.nn.GRU(3, 5, num_layers=2, bidirectional=True)
    theirs = torch.nn.GRU(3, 5, num_layers=2, bidirectional=True)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    assert ours._flat_weights_names == theirs._flat_weights_names
    assert [len(w) for w in ours.all_weights] == [len(w) for w in theirs.all_weights]
    assert ours.all_weights[1][1] is ours.weight_hh_l0_reverse
    ours.flatten_parameters()


def test_initialisation_is_uniform_in_one_over_sqrt_hidden():
    chainrule.manual_seed(0)
    gru = chainrule.nn.GRU(10, 16, num_layers=2)
    bound = 1 / 4
    values = np.concatenate([p.detach().numpy().ravel() for p in gru.parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.9 * bound and values.max() > 0.9 * bound
    assert abs(values.mean()) < 0.01


def test_reprs_match_pytorch(torch):
    cases = [
        ("GRU", (100, 100), {"num_layers": 2, "bidirectional": True}),
        ("RNN", (3, 4), {"nonlinearity": "relu", "bias": False, "batch_first": True}),
        ("LSTM", (3, 4), {"num_layers": 2, "dropout": 0.5}),
        ("RNNCell", (3, 4), {"bias": False, "nonlinearity": "relu"}),
        ("LSTMCell", (3, 4), {}),
        ("GRUCell", (3, 4), {"bias": False}),
    ]
    for cls, args, kwargs in cases:
        assert repr(getattr(chainrule.nn, cls)(*args, **kwargs)) == repr(
            getattr(torch.nn, cls)(*args, **kwargs)
        )
    assert repr(chainrule.nn.GRU(100, 100, num_layers=2, bidirectional=True)) == (
        "GRU(100, 100, num_layers=2, bidirectional=True)"
    )


def test_dropout_between_layers_in_training_only():
    chainrule.manual_seed(0)
    gru = chainrule.nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = chainrule.randn(5, 2, 3)
    first, _ = gru(x)
    second, _ = gru(x)
    assert not np.allclose(first.detach().numpy(), second.detach().numpy())
    gru.eval()
    first, h1 = gru(x)
    second, h2 = gru(x)
    np.testing.assert_array_equal(first.detach().numpy(), second.detach().numpy())


def test_dropout_warning_with_one_layer(torch):
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        chainrule.nn.LSTM(3, 4, dropout=0.25)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.nn.LSTM(3, 4, dropout=0.25)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    assert len(ours) == 1


def _message(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib)
    return type(info.value).__name__, str(info.value)


def _same_error(torch, fn):
    assert _message(fn, chainrule) == _message(fn, torch)


ERRORS = {
    "input_size": lambda t: t.nn.GRU(3, 4)(t.zeros(5, 2, 2)),
    "input_dims": lambda t: t.nn.GRU(3, 4)(t.zeros(5, 2, 3, 1)),
    "rnn_input_dims": lambda t: t.nn.RNN(3, 4)(t.zeros(3)),
    "lstm_input_dims": lambda t: t.nn.LSTM(3, 4)(t.zeros(3)),
    "hidden_size": lambda t: t.nn.GRU(3, 4, 2)(t.zeros(5, 2, 3), t.zeros(1, 2, 4)),
    "hidden_batch": lambda t: t.nn.RNN(3, 4)(t.zeros(5, 2, 3), t.zeros(1, 3, 4)),
    "batched_hidden_dims": lambda t: t.nn.GRU(3, 4)(t.zeros(5, 2, 3), t.zeros(2, 4)),
    "unbatched_hidden_dims": lambda t: t.nn.RNN(3, 4)(t.zeros(5, 3), t.zeros(1, 1, 4)),
    "lstm_hidden_dims": lambda t: t.nn.LSTM(3, 4)(t.zeros(5, 2, 3), (t.zeros(2, 4), t.zeros(2, 4))),
    "lstm_cell_size": lambda t: t.nn.LSTM(3, 4)(
        t.zeros(5, 2, 3), (t.zeros(1, 2, 4), t.zeros(1, 2, 5))
    ),
    "dtype": lambda t: t.nn.GRU(3, 4)(t.zeros(5, 2, 3, dtype=t.float64)),
    "packed_input_size": lambda t: t.nn.GRU(3, 4)(
        t.nn.utils.rnn.pack_sequence([t.zeros(2, 2), t.zeros(1, 2)])
    ),
    "cell_input_size": lambda t: t.nn.GRUCell(3, 4)(t.zeros(2, 5)),
    "cell_batch": lambda t: t.nn.RNNCell(3, 4)(t.zeros(2, 3), t.zeros(3, 4)),
    "cell_hidden_size": lambda t: t.nn.GRUCell(3, 4)(t.zeros(2, 3), t.zeros(2, 5)),
    "lstm_cell_c_size": lambda t: t.nn.LSTMCell(3, 4)(
        t.zeros(2, 3), (t.zeros(2, 4), t.zeros(2, 5))
    ),
    "cell_input_dims": lambda t: t.nn.LSTMCell(3, 4)(t.zeros(1, 2, 3)),
    "cell_hidden_dims": lambda t: t.nn.GRUCell(3, 4)(t.zeros(2, 3), t.zeros(1, 2, 4)),
    "lstm_cell_hx_dims": lambda t: t.nn.LSTMCell(3, 4)(t.zeros(2, 3), (t.zeros(2, 4), t.zeros(3))),
    "nonlinearity": lambda t: t.nn.RNN(3, 4, nonlinearity="sigmoid"),
    "cell_nonlinearity": lambda t: t.nn.RNNCell(3, 4, nonlinearity="gelu")(t.zeros(1, 3)),
    "dropout_range": lambda t: t.nn.GRU(3, 4, dropout=1.5),
    "hidden_size_type": lambda t: t.nn.LSTM(3, 4.0),
    "hidden_size_zero": lambda t: t.nn.LSTM(3, 0),
    "num_layers_zero": lambda t: t.nn.GRU(3, 4, 0),
    "bias_type": lambda t: t.nn.GRU(3, 4, bias=1),
    "proj_size_gru": lambda t: t.nn.GRU(3, 4, proj_size=2),
    "proj_size_too_big": lambda t: t.nn.LSTM(3, 4, proj_size=4),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_pytorch(torch, name):
    _same_error(torch, ERRORS[name])


def test_lstm_projection_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="proj_size"):
        chainrule.nn.LSTM(3, 4, proj_size=2)


def test_grad_fn_is_recorded_and_backward_twice_needs_retain_graph():
    gru = chainrule.nn.GRU(2, 3)
    out, h = gru(chainrule.randn(4, 1, 2))
    assert type(h.grad_fn).__name__ != "NoneType"
    out.sum().backward(retain_graph=True)
    first = gru.weight_hh_l0.grad.clone()
    out.sum().backward()
    np.testing.assert_allclose(gru.weight_hh_l0.grad.numpy(), 2 * first.numpy(), rtol=1e-6)


def test_no_grad_records_nothing():
    gru = chainrule.nn.LSTM(2, 3, num_layers=2)
    with chainrule.no_grad():
        out, (h, c) = gru(chainrule.randn(4, 2, 2))
    assert out.grad_fn is None and h.grad_fn is None and not c.requires_grad


@pytest.mark.parametrize("mode", ["GRU", "LSTM", "RNN_TANH"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("initial", [False, True])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("grads", ["both", "states", "outputs"])
def test_layer_op_matches_its_composed_definition(mode, reverse, initial, bias, grads):
    """The layer Op's loop (its previous states read back from the rows it wrote, its
    final states gathered at each sequence's last step, a batch that shrinks along the
    loop and grows along the reversed one, a gradient reaching only the states or only
    the outputs) against the step-by-step loop in chainrule ops."""
    from chainrule.nn.functional.rnn import layer_composite, recurrent_layer

    rng = np.random.default_rng(11)
    hidden, gates = 3, {"GRU": 3, "LSTM": 4, "RNN_TANH": 1}[mode]
    sizes = (4, 4, 3, 1)
    steps = tuple(zip(np.cumsum((0,) + sizes[:-1]).tolist(), sizes))
    perm = np.array([2, 0, 3, 1])

    def leaf(*shape):
        return chainrule.tensor(rng.standard_normal(shape), requires_grad=True)

    gi, w_hh = leaf(sum(sizes), gates * hidden), leaf(gates * hidden, hidden)
    b_hh = leaf(gates * hidden) if bias else None
    h0 = leaf(4, hidden) if initial else None
    c0 = leaf(4, hidden) if initial and mode == "LSTM" else None
    operands = [t for t in (gi, h0, c0, w_hh, b_hh) if t is not None]
    weight = chainrule.tensor(rng.standard_normal((sum(sizes), hidden)))

    def run(layer):
        outs = layer(mode, gi, h0, c0, w_hh, b_hh, steps=steps, reverse=reverse, perm=perm)
        loss = 0
        if grads != "states":
            loss = loss + (outs[0] * weight).sum()
        if grads != "outputs":
            loss = loss + sum((o * (k + 2)).sum() for k, o in enumerate(outs[1:]))
        found = chainrule.autograd.grad(loss, operands, allow_unused=True)
        return [o.detach().numpy() for o in outs], [None if g is None else g.numpy() for g in found]

    def op_layer(mode, gi, h0, c0, w_hh, b_hh, *, steps, reverse, perm):
        return recurrent_layer(mode, gi, h0, c0, w_hh, b_hh, steps, reverse, perm)

    (our_outs, our_grads), (ref_outs, ref_grads) = run(op_layer), run(layer_composite)
    for ours, ref in zip(our_outs + our_grads, ref_outs + ref_grads):
        if ref is None:
            assert ours is None or not ours.any()
        else:
            np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)

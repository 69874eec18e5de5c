"""Packed and padded sequences against PyTorch, and recurrent layers on packed batches."""

import numpy as np
import pytest

import chainrule
from chainrule.nn.utils import rnn as cr_rnn

LENGTHS = [
    ([4, 3, 3, 1], True),
    ([2, 4, 1, 4, 3], False),  # unsorted, with a tie: the sort must keep 1 before 3
]


def _np(t):
    return None if t is None else t.detach().numpy()


def _same(ours, theirs, tol=1e-6):
    if theirs is None:
        assert ours is None
        return
    a, b = _np(ours), _np(theirs)
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _same_packed(ours, theirs, tol=1e-6):
    assert isinstance(ours, cr_rnn.PackedSequence)
    for a, b in zip(ours, theirs):
        _same(a, b, tol)


def _padded(rng, lengths, batch_first, dtype=np.float64):
    steps = max(lengths)
    shape = (len(lengths), steps, 2) if batch_first else (steps, len(lengths), 2)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce_sorted", LENGTHS)
def test_pack_and_pad_match_pytorch_with_gradients(torch, lengths, enforce_sorted, batch_first):
    rng = np.random.default_rng(0)
    x = _padded(rng, lengths, batch_first)
    results = {}
    for lib in (chainrule, torch):
        t = lib.tensor(x, requires_grad=True)
        packed = lib.nn.utils.rnn.pack_padded_sequence(
            t, lib.tensor(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted
        )
        padded, lens = lib.nn.utils.rnn.pad_packed_sequence(
            packed, batch_first=batch_first, padding_value=-3.0, total_length=6
        )
        weights = lib.tensor(np.arange(padded.numel(), dtype=np.float64).reshape(padded.shape))
        (padded * weights).sum().backward()
        results[lib.__name__] = (packed, padded, lens, t.grad)
    ours, theirs = results["chainrule"], results["torch"]
    _same_packed(ours[0], theirs[0])
    for a, b in zip(ours[1:], theirs[1:]):
        _same(a, b)


def test_lengths_as_list_or_tensor_and_float_lengths_are_cast(torch):
    x = np.random.default_rng(1).standard_normal((3, 2, 1)).astype(np.float32)
    for lengths in ([3, 2], (3, 2), chainrule.tensor([3.0, 2.0])):
        ours = cr_rnn.pack_padded_sequence(chainrule.tensor(x), lengths)
        theirs = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), [3, 2])
        _same_packed(ours, theirs)
        assert ours.batch_sizes.dtype == chainrule.int64


def test_packed_sequence_repr_and_tuple_behaviour(torch):
    x = np.arange(9, dtype=np.float32).reshape(3, 3)
    ours = cr_rnn.pack_padded_sequence(chainrule.tensor(x), [3, 2, 1], batch_first=True)
    theirs = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), [3, 2, 1], batch_first=True)
    assert repr(ours) == repr(theirs)
    data, batch_sizes, sorted_indices, unsorted_indices = ours
    assert data is ours.data and sorted_indices is None and unsorted_indices is None
    unsorted = cr_rnn.pack_sequence([chainrule.ones(1), chainrule.ones(2)], enforce_sorted=False)
    their_unsorted = torch.nn.utils.rnn.pack_sequence(
        [torch.ones(1), torch.ones(2)], enforce_sorted=False
    )
    assert repr(unsorted) == repr(their_unsorted)


def test_packed_sequence_conversions():
    packed = cr_rnn.pack_sequence([chainrule.ones(3, 2), chainrule.ones(1, 2)])
    assert packed.to(chainrule.float32) is packed
    doubled = packed.double()
    assert doubled.data.dtype == chainrule.float64
    assert doubled.batch_sizes is packed.batch_sizes
    assert packed.to(chainrule.float64).data.dtype == chainrule.float64
    assert packed.cpu() is packed and not packed.is_cuda
    assert packed.long().data.dtype == chainrule.int64
    rebuilt = cr_rnn.PackedSequence(packed.data, packed.batch_sizes)
    assert rebuilt.sorted_indices is None and rebuilt.unsorted_indices is None
    perm = chainrule.tensor([2, 0, 1])
    rebuilt = cr_rnn.PackedSequence(packed.data, packed.batch_sizes, perm)
    assert rebuilt.unsorted_indices.tolist() == [1, 2, 0]


@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_sequence_matches_pytorch_with_gradients(torch, batch_first, padding_side):
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal((n, 2, 3)) for n in (2, 4, 1)]
    results = {}
    for lib in (chainrule, torch):
        seqs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = lib.nn.utils.rnn.pad_sequence(
            seqs, batch_first=batch_first, padding_value=7.0, padding_side=padding_side
        )
        (out * out).sum().backward()
        results[lib.__name__] = [out] + [s.grad for s in seqs]
    for a, b in zip(results["chainrule"], results["torch"]):
        _same(a, b)


def test_pack_sequence_unpack_and_unpad_match_pytorch(torch):
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((n, 2)).astype(np.float32) for n in (1, 3, 2)]
    ours = cr_rnn.pack_sequence([chainrule.tensor(a) for a in arrays], enforce_sorted=False)
    theirs = torch.nn.utils.rnn.pack_sequence(
        [torch.tensor(a) for a in arrays], enforce_sorted=False
    )
    _same_packed(ours, theirs)
    for a, b in zip(cr_rnn.unpack_sequence(ours), torch.nn.utils.rnn.unpack_sequence(theirs)):
        _same(a, b)
    padded = cr_rnn.pad_sequence([chainrule.tensor(a) for a in arrays])
    back = cr_rnn.unpad_sequence(padded, chainrule.tensor([1, 3, 2]))
    for a, b in zip(back, arrays):
        np.testing.assert_array_equal(a.numpy(), b)


ERRORS = {
    "unsorted": lambda t: t.nn.utils.rnn.pack_padded_sequence(t.zeros(3, 2), [1, 3]),
    "zero_length": lambda t: t.nn.utils.rnn.pack_padded_sequence(t.zeros(3, 2), [3, 0]),
    "lengths_count": lambda t: t.nn.utils.rnn.pack_padded_sequence(t.zeros(3, 2), [3, 2, 1]),
    "lengths_2d": lambda t: t.nn.utils.rnn.pack_padded_sequence(t.zeros(3, 2), t.tensor([[3, 2]])),
    "total_length": lambda t: t.nn.utils.rnn.pad_packed_sequence(
        t.nn.utils.rnn.pack_sequence([t.zeros(3), t.zeros(2)]), total_length=2
    ),
    "pad_sequence_empty": lambda t: t.nn.utils.rnn.pad_sequence([]),
    "padding_side": lambda t: t.nn.utils.rnn.pad_sequence([t.zeros(2)], padding_side="top"),
    "pack_sequence_unsorted": lambda t: t.nn.utils.rnn.pack_sequence([t.zeros(1), t.zeros(2)]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_pytorch(torch, name):
    messages = []
    for lib in (chainrule, torch):
        with pytest.raises(Exception) as info:
            ERRORS[name](lib)
        messages.append((type(info.value).__name__, str(info.value)))
    assert messages[0] == messages[1]


def test_lengths_longer_than_the_input_are_refused():
    with pytest.raises(RuntimeError, match="longer than the input"):
        cr_rnn.pack_padded_sequence(chainrule.zeros(3, 2), [4, 2])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("cls", ["GRU", "LSTM", "RNN"])
def test_bidirectional_two_layer_layer_on_packed_batch(torch, cls, dtype):
    """Output data, final states at each sequence's true length in the caller's order,
    and gradients of the input, initial states and parameters, against PyTorch."""
    tol = 2e-5 if dtype == np.float32 else 1e-10
    torch.manual_seed(0)
    theirs = getattr(torch.nn, cls)(3, 4, num_layers=2, bidirectional=True)
    ours = getattr(chainrule.nn, cls)(3, 4, num_layers=2, bidirectional=True)
    if dtype == np.float64:
        theirs, ours = theirs.double(), ours.double()
    ours.load_state_dict(
        {k: chainrule.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    )
    rng = np.random.default_rng(4)
    lengths = [2, 5, 1, 5, 3]
    x = rng.standard_normal((5, 5, 3)).astype(dtype)
    h0 = rng.standard_normal((4, 5, 4)).astype(dtype)
    c0 = rng.standard_normal((4, 5, 4)).astype(dtype)
    results = {}
    for lib, module in ((chainrule, ours), (torch, theirs)):
        xt = lib.tensor(x, requires_grad=True)
        states = [lib.tensor(h0, requires_grad=True)]
        if cls == "LSTM":
            states.append(lib.tensor(c0, requires_grad=True))
        packed = lib.nn.utils.rnn.pack_padded_sequence(xt, lengths, enforce_sorted=False)
        out, h_n = module(packed, tuple(states) if cls == "LSTM" else states[0])
        finals = list(h_n) if cls == "LSTM" else [h_n]
        padded, _ = lib.nn.utils.rnn.pad_packed_sequence(out)
        loss = (padded * padded).sum() + sum((f * f * f).sum() for f in finals)
        loss.backward()
        grads = [xt.grad] + [s.grad for s in states]
        grads += [p.grad for p in module.parameters()]
        results[lib.__name__] = [out.data, out.batch_sizes, out.unsorted_indices, *finals, *grads]
    for a, b in zip(results["chainrule"], results["torch"]):
        _same(a, b, tol)


def test_gru_on_packed_batch_without_initial_state_sorted(torch):
    torch.manual_seed(1)
    theirs = torch.nn.GRU(2, 3, num_layers=2, bidirectional=True)
    ours = chainrule.nn.GRU(2, 3, num_layers=2, bidirectional=True)
    ours.load_state_dict(
        {k: chainrule.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    )
    x = np.random.default_rng(5).standard_normal((4, 3, 2)).astype(np.float32)
    outs = {}
    for lib, module in ((chainrule, ours), (torch, theirs)):
        packed = lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(x), lib.tensor([4, 2, 1]))
        out, h_n = module(packed)
        outs[lib.__name__] = (out.data, h_n)
    for a, b in zip(outs["chainrule"], outs["torch"]):
        _same(a, b, 2e-5)


def test_second_derivatives_through_an_unsorted_packed_gru():
    from chainrule.autograd import gradgradcheck

    gru = chainrule.nn.GRU(1, 2).double()
    rng = np.random.default_rng(7)
    x = chainrule.tensor(rng.standard_normal((3, 3, 1)), requires_grad=True)
    h0 = chainrule.tensor(rng.standard_normal((1, 3, 2)), requires_grad=True)

    def fn(x, h0):
        packed = cr_rnn.pack_padded_sequence(x, [2, 3, 1], enforce_sorted=False)
        out, h_n = gru(packed, h0)
        return out.data, h_n

    assert gradgradcheck(fn, (x, h0))

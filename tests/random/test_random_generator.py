"""The Generator and chainrule.random: seeding, the saved state (PyTorch's bytes, so states
move between the libraries), generator= arguments, fork_rng, and PyTorch's errors for bad
seeds and bad states."""

import struct
import subprocess
import sys

import numpy as np
import pytest

import chainrule
from parity import assert_exact, to_array


def _state_bytes(lib):
    return to_array(lib.get_rng_state())


def test_manual_seed_returns_the_default_generator():
    g = chainrule.manual_seed(3)
    assert g is chainrule.default_generator is chainrule.random.default_generator
    assert chainrule.initial_seed() == 3 == g.initial_seed()
    assert chainrule.random.manual_seed(4) is g and chainrule.random.initial_seed() == 4


@pytest.mark.parametrize(
    "seed", [0, 1, 2**32, 2**32 + 5, 2**63, 2**64 - 1, -1, -(2**63), "17", 2.9]
)
def test_seeds_are_read_as_pytorch_reads_them(seed, torch):
    # negative seeds are two's complement; only the low 32 bits seed the twister
    torch.manual_seed(seed)
    chainrule.manual_seed(seed)
    assert chainrule.initial_seed() == torch.initial_seed()
    assert_exact(_state_bytes(chainrule), _state_bytes(torch))
    assert_exact(chainrule.rand(5), torch.rand(5))


def test_a_new_generator_has_pytorch_default_seed(torch):
    assert chainrule.Generator().initial_seed() == torch.Generator().initial_seed()
    assert_exact(chainrule.Generator().get_state(), torch.Generator().get_state())
    g = chainrule.Generator()
    assert_exact(chainrule.rand(4, generator=g), torch.rand(4, generator=torch.Generator()))


def test_the_default_generator_is_seeded_from_the_system_at_import():
    code = "import chainrule; print(chainrule.initial_seed(), chainrule.rand(2).tolist())"
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
        for _ in range(2)
    }
    assert len(runs) == 2  # two interpreters, two streams (a 64-bit seed each)


def test_seed_reseeds_with_a_fresh_value():
    a = chainrule.seed()
    assert 0 <= a < 2**64 and chainrule.initial_seed() == a
    first = chainrule.rand(3).tolist()
    b = chainrule.random.seed()
    assert b != a and chainrule.rand(3).tolist() != first
    g = chainrule.Generator()
    s = g.seed()
    assert g.initial_seed() == s


@pytest.mark.parametrize("words", [0, 1, 2, 623, 624, 625, 1247, 1248, 5000])
def test_the_state_is_pytorch_bytes_at_every_position(words, torch):
    # the position counter turns over every 624 words: the state is compared on both sides
    torch.manual_seed(11)
    chainrule.manual_seed(11)
    if words:
        torch.randint(0, 2**10, (words,))
        chainrule.randint(0, 2**10, (words,))
    assert_exact(_state_bytes(chainrule), _state_bytes(torch))
    assert_exact(chainrule.randint(0, 1000, (700,)), torch.randint(0, 1000, (700,)))


def test_the_cached_normal_is_part_of_the_state(torch):
    # an odd count of serial normals leaves one in the generator for the next call
    torch.manual_seed(2)
    chainrule.manual_seed(2)
    assert_exact(chainrule.randn(3, dtype=chainrule.float64), torch.randn(3, dtype=torch.float64))
    state = _state_bytes(torch)
    # PyTorch's layout: the cached double normal at byte 5024, its valid flag at 5040
    (cached,) = struct.unpack_from("<d", state.tobytes(), 5024)
    (valid,) = struct.unpack_from("<i", state.tobytes(), 5040)
    assert valid == 1 and cached != 0
    assert_exact(_state_bytes(chainrule), state)
    assert_exact(chainrule.randn(1), torch.randn(1))  # the cached one, as float32
    assert_exact(_state_bytes(chainrule), _state_bytes(torch))


@pytest.mark.parametrize("prefix", [lambda L: None, lambda L: L.randn(5), lambda L: L.rand(700)])
def test_states_move_between_the_libraries(prefix, torch):
    torch.manual_seed(9)
    prefix(torch)
    chainrule.set_rng_state(chainrule.tensor(_state_bytes(torch)))
    assert_exact(chainrule.randn(7), torch.randn(7))
    assert_exact(chainrule.randperm(30), torch.randperm(30))
    chainrule.manual_seed(21)
    prefix(chainrule)
    torch.set_rng_state(torch.from_numpy(_state_bytes(chainrule)))
    assert_exact(chainrule.randn(9, dtype=chainrule.float64), torch.randn(9, dtype=torch.float64))
    assert_exact(_state_bytes(chainrule), _state_bytes(torch))


def test_a_state_restores_the_stream():
    chainrule.manual_seed(0)
    chainrule.randn(3)
    saved = chainrule.get_rng_state()
    first = chainrule.randn(40).tolist()
    chainrule.rand(100)
    chainrule.set_rng_state(saved)
    assert chainrule.randn(40).tolist() == first
    assert saved.dtype is chainrule.uint8 and saved.shape == (5056,)


def test_generator_objects_are_independent_streams(torch):
    g = chainrule.Generator().manual_seed(5)
    tg = torch.Generator().manual_seed(5)
    chainrule.manual_seed(0)
    before = chainrule.get_rng_state()
    calls = [
        lambda L, gen: L.rand(4, generator=gen),
        lambda L, gen: L.randn(10, generator=gen),
        lambda L, gen: L.randint(0, 9, (5,), generator=gen),
        lambda L, gen: L.randperm(8, generator=gen),
        lambda L, gen: L.normal(0.0, 2.0, (3,), generator=gen),
        lambda L, gen: L.bernoulli(L.full((6,), 0.5), generator=gen),
        lambda L, gen: L.multinomial(L.ones(5), 3, generator=gen),
        lambda L, gen: L.poisson(L.full((4,), 3.0), generator=gen),
        lambda L, gen: L.rand_like(L.zeros(3), generator=gen),
        lambda L, gen: L.empty(5).uniform_(-1, 1, generator=gen),
        lambda L, gen: L.empty(5).exponential_(generator=gen),
        lambda L, gen: L.empty(5).random_(0, 7, generator=gen),
    ]
    for call in calls:
        assert_exact(call(chainrule, g), call(torch, tg))
    assert_exact(chainrule.get_rng_state(), before)  # the default generator was not touched
    assert_exact(g.get_state(), tg.get_state())
    copy = g.clone_state()
    assert_exact(chainrule.rand(3, generator=copy), chainrule.rand(3, generator=g))


def test_generator_attributes(torch):
    g = chainrule.Generator("cpu")
    assert g.device == chainrule.device("cpu") and str(g.device) == str(torch.Generator().device)
    assert g.manual_seed(3) is g and g.set_state(g.get_state()) is g
    assert repr(g).startswith("<torch._C.Generator object at 0x")  # as PyTorch prints its own


def test_fork_rng_puts_the_stream_back():
    chainrule.manual_seed(1)
    with chainrule.random.fork_rng():
        inside = chainrule.rand(3).tolist()
    assert chainrule.rand(3).tolist() == inside
    chainrule.manual_seed(1)
    with chainrule.random.fork_rng(enabled=False):
        chainrule.rand(3)
    assert chainrule.rand(3).tolist() != inside


@pytest.mark.parametrize("seed", [2**64, -(2**63) - 1, 1.5, True, "x", np.int64(3)])
def test_bad_seeds_raise_pytorch_errors(seed, torch):
    for call in (lambda L: L.Generator().manual_seed(seed), lambda L: L.manual_seed(seed)):
        with pytest.raises(Exception) as theirs:
            call(torch)
            raise AssertionError("no error")  # torch.manual_seed takes int(seed): no error
        if theirs.type is AssertionError:
            call(chainrule)
            continue
        with pytest.raises(theirs.type) as ours:
            call(chainrule)
        assert str(ours.value) == str(theirs.value)


def _invalid_left(lib):
    state = lib.get_rng_state().numpy().copy()
    struct.pack_into("<i", state, 8, 0)
    return lib.from_numpy(state)


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.zeros(10, dtype=L.uint8),
        lambda L: L.zeros(5048, dtype=L.uint8),
        lambda L: L.zeros(5056),
        lambda L: L.get_rng_state().repeat(2)[::2],
        lambda L: "state",
        _invalid_left,
    ],
)
def test_bad_states_raise_pytorch_errors(make, torch):
    for call in (lambda L, s: L.set_rng_state(s), lambda L, s: L.Generator().set_state(s)):
        with pytest.raises(Exception) as theirs:
            call(torch, make(torch))
        with pytest.raises(theirs.type) as ours:
            call(chainrule, make(chainrule))
        assert str(ours.value) == str(theirs.value)

"""randperm's shuffles, computed without a loop over elements, against the loops they stand
for: PyTorch's forward Fisher-Yates (below n = 2**32 // 20) and its inside-out variant
(above). The large variant is checked here on small inputs, as a real one would need a
permutation of 214 million elements."""

import numpy as np
import pytest

import chainrule
from chainrule.random import _permutation


def _forward_loop(offsets):
    r = list(range(len(offsets) + 1))
    for i, z in enumerate(offsets):
        r[i], r[i + z] = r[i + z], r[i]
    return r


def _inside_out_loop(choices):
    r = [0] * len(choices)
    for i, z in enumerate(choices):
        r[i] = r[z]
        r[z] = i
    return r


@pytest.mark.parametrize("seed", range(4))
def test_shuffles_equal_their_loops(seed):
    rng = np.random.default_rng(seed)
    for n in [*range(1, 70), 257, 1000]:
        offsets = (rng.random(n - 1) * np.arange(n, 1, -1)).astype(np.int64)
        assert _permutation.forward_shuffle(offsets).tolist() == _forward_loop(offsets.tolist())
        choices = (rng.random(n) * np.arange(1, n + 1)).astype(np.int64)
        assert _permutation.inside_out_shuffle(choices).tolist() == _inside_out_loop(
            choices.tolist()
        )


def test_shuffles_of_extreme_draws():
    # every step swapping with itself, or always with the last position
    for n in (2, 5, 33):
        for offsets in (np.zeros(n - 1, np.int64), np.arange(n - 1, 0, -1)):
            assert _permutation.forward_shuffle(offsets).tolist() == _forward_loop(offsets.tolist())
        for choices in (np.zeros(n, np.int64), np.arange(n)):
            assert _permutation.inside_out_shuffle(choices).tolist() == _inside_out_loop(
                choices.tolist()
            )


def test_the_large_variant_draws_64_bit_words(monkeypatch):
    # with the switch lowered, randperm takes the inside-out path: n 64-bit draws
    monkeypatch.setattr(_permutation, "LARGE", 10)
    g = chainrule.Generator().manual_seed(3)
    words = chainrule.Generator().manual_seed(3).words64(50)
    expected = _inside_out_loop((words % np.arange(1, 51, dtype=np.uint64)).astype(int).tolist())
    assert chainrule.randperm(50, generator=g).tolist() == expected
    assert sorted(expected) == list(range(50))

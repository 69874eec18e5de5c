"""Generator: PyTorch's CPU random number generator, the 32-bit Mersenne Twister (MT19937).

Seeding, the order of the words drawn and the saved state are PyTorch's, so that after the
same seed every sampling function reads the same words PyTorch's CPU kernels read, and a
state taken from either library restores the stream in the other:

- manual_seed(s) keeps s (a 64-bit value) as the initial seed and initialises the twister
  from its low 32 bits, the classic init_genrand; nothing is drawn until the first use.
- A 32-bit draw is the twister's next tempered word. A 64-bit draw is two words, the first
  one the high half.
- Box-Muller makes normals in pairs; the serial sampler keeps the unused one for the next
  call. That cache is part of the state (and is dropped by manual_seed).

The engine itself is NumPy's MT19937 bit generator, which runs the same recurrence: its
key is the twister's 624 words and its position the index of the next word, so the stream
is drawn in C, many words per call. PyTorch counts the same position down ("left") instead.
"""

from __future__ import annotations

import os
import struct

import numpy as np

__all__ = ["Generator"]

# The seed of a new torch.Generator (PyTorch's default_rng_seed_val).
DEFAULT_SEED = 67280421310721

_N = 624  # words in the twister's state
_STATE_BYTES = 5056  # PyTorch's CPUGeneratorImplState, padding included
_U64 = (1 << 64) - 1

# PyTorch's state layout (little-endian, C struct padding): initial seed (uint64), left
# (int32), seeded (int32), next (uint64), the 624 words (each in a uint64), three doubles of
# a retired normal cache (x, y: the cached double normal, rho), its valid flag (int32, then
# 4 padding bytes), the cached float normal (float32) and its valid flag (bool).
_HEAD = struct.Struct("<QiiQ")
_WORDS_AT = _HEAD.size
_NORMAL_AT = _WORDS_AT + 8 * _N
_NORMAL = struct.Struct("<dddi")
_FLOAT_AT = _NORMAL_AT + 32  # after the 28 bytes of the old cache and 4 of padding
_FLOAT = struct.Struct("<f?")


def _type_name(x):
    t = type(x)
    if t.__module__ == "builtins":
        return t.__name__
    return "Tensor" if t.__name__ == "Tensor" else f"{t.__module__.split('.')[0]}.{t.__name__}"


def seed_as_uint64(seed):
    """A seed as PyTorch's Generator.manual_seed reads it: an int in [-2**63, 2**64), negative
    ones taken as their two's complement."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        if isinstance(seed, np.integer):
            raise TypeError("an integer is required")
        raise RuntimeError(f"manual_seed expected a long, but got {_type_name(seed)}")
    if not -(1 << 63) <= seed <= _U64:
        raise ValueError("Overflow when unpacking long long")
    return seed & _U64


def _seed_engine(engine, seed):
    """init_genrand from the low 32 bits of seed, the next word the state's first."""
    key = np.random.RandomState(seed & 0xFFFFFFFF).get_state()[1]
    engine.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N}}


class Generator:
    """A random stream: PyTorch's CPU generator, drawn in the same order and saved in the
    same bytes. `chainrule.default_generator` is the one sampling uses unless a function is
    given its own with generator=."""

    def __init__(self, device="cpu"):
        from ..device import check_device
        from ..device import device as _device

        check_device(device)
        self._device = _device(device) if not isinstance(device, _device) else device
        self._reseed(DEFAULT_SEED)

    def __getattr__(self, name):
        # The engine is made at the first draw or state read, not with the generator:
        # chainrule.default_generator is made when chainrule is imported, and NumPy's
        # random package, which the engine comes from, takes a while to import.
        if name in ("_engine", "_draw"):
            engine = np.random.MT19937()
            _seed_engine(engine, self.__dict__.pop("_pending_seed"))
            self._engine, self._draw = engine, np.random.Generator(engine)
            return self.__dict__[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    # -- seeding ------------------------------------------------------------------------------
    def _reseed(self, seed):
        engine = self.__dict__.get("_engine")
        if engine is None:
            self._pending_seed = seed  # (for the engine, when it is made)
        else:
            _seed_engine(engine, seed)
        self._initial_seed = seed
        # PyTorch's `next` field before the first draw (0 after seeding); once a word is
        # drawn it is the engine's position
        self._next_before_draw = 0
        self.next_double_normal = None
        self.next_float_normal = None

    def manual_seed(self, seed):
        """Seed the stream (an int in [-2**63, 2**64)); returns the generator."""
        self._reseed(seed_as_uint64(seed))
        return self

    def seed(self):
        """Seed with a fresh non-deterministic 64-bit value and return it."""
        value = int.from_bytes(os.urandom(8), "little")  # as secrets.randbits(64), which
        # would import hashlib and random with chainrule (its default generator is seeded so)
        self._reseed(value)
        return value

    def initial_seed(self):
        return self._initial_seed

    @property
    def device(self):
        return self._device

    # -- the stream ---------------------------------------------------------------------------
    def words(self, n):
        """The next n 32-bit words, as a uint32 array."""
        self._next_before_draw = None
        return self._draw.integers(0, 1 << 32, size=n, dtype=np.uint32)

    def words64(self, n):
        """The next n 64-bit values (two words each, the first the high half), as uint64."""
        w = self.words(2 * n).astype(np.uint64)
        hi = w[0::2]
        hi <<= np.uint64(32)
        hi |= w[1::2]
        return hi

    def random(self):
        """One 32-bit word, as a Python int."""
        return int(self.words(1)[0])

    def random64(self):
        return int(self.words64(1)[0])

    # -- state --------------------------------------------------------------------------------
    def get_state(self):
        """The state as PyTorch's 5056-byte ByteTensor."""
        from ..tensor import Tensor

        return Tensor._wrap(self._state_bytes())

    def _state_bytes(self):
        state = self._engine.state["state"]
        pos = int(state["pos"])
        left = _N + 1 - pos
        following = self._next_before_draw if self._next_before_draw is not None else pos
        buf = bytearray(_STATE_BYTES)
        _HEAD.pack_into(buf, 0, self._initial_seed, left, 1, following)
        words = np.frombuffer(buf, np.uint64, _N, _WORDS_AT)  # a view into buf
        words[:] = state["key"]
        cached = self.next_double_normal
        _NORMAL.pack_into(buf, _NORMAL_AT, 0.0, cached or 0.0, 0.0, cached is not None)
        cached32 = self.next_float_normal
        _FLOAT.pack_into(buf, _FLOAT_AT, cached32 or 0.0, cached32 is not None)
        return np.frombuffer(bytes(buf), np.uint8).copy()

    def set_state(self, new_state):
        """Restore a state from get_state (of this library or PyTorch's); returns the
        generator."""
        from ..tensor import Tensor

        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        arr = new_state._data
        if arr.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if not arr.flags.c_contiguous:
            raise RuntimeError("RNG state must be contiguous")
        if arr.size != _STATE_BYTES:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found the input "
                f"RNG state size to be {arr.size}"
            )
        buf = arr.tobytes()
        initial_seed, left, seeded, following = _HEAD.unpack_from(buf, 0)
        if not (seeded and 0 < left <= _N and following <= _N):
            raise RuntimeError("Invalid mt19937 state")
        words = np.frombuffer(buf, np.uint64, _N, _WORDS_AT).astype(np.uint32)
        _, cached, _, cached_valid = _NORMAL.unpack_from(buf, _NORMAL_AT)
        cached32, cached32_valid = _FLOAT.unpack_from(buf, _FLOAT_AT)
        self._engine.state = {
            "bit_generator": "MT19937",
            "state": {"key": words, "pos": _N + 1 - left},
        }
        self._initial_seed = initial_seed
        self._next_before_draw = following if left == 1 else None
        self.next_double_normal = cached if cached_valid else None
        self.next_float_normal = cached32 if cached32_valid else None
        return self

    def clone_state(self):
        """A new generator in this one's state."""
        other = Generator(self._device)
        return other.set_state(self.get_state())

    def __repr__(self):
        # what PyTorch prints for its generator, so scripts that print one print the same
        return f"<torch._C.Generator object at {hex(id(self))}>"

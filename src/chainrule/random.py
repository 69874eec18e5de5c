"""Random number generation: a seedable Generator and the global default one."""

from __future__ import annotations

import numpy as np


class Generator:
    """A source of random numbers; manual_seed makes its sequence reproducible."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy % (2**63))
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from .tensor import Tensor

        state = self._rng.bit_generator.state
        blob = repr(state).encode()
        return Tensor._wrap(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, new_state):
        import ast

        state = ast.literal_eval(bytes(new_state._data.tobytes()).decode())
        self._rng.bit_generator.state = state
        return self


default_generator = Generator()


def rng(generator=None):
    return (generator or default_generator)._rng


def manual_seed(seed):
    """Seed the default generator (and NumPy's global one, which user code may use)."""
    default_generator.manual_seed(seed)
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)

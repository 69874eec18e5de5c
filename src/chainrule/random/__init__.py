"""chainrule.random: PyTorch's CPU random stream and the functions that seed and save it.

The Generator (generator.py) is PyTorch's CPU generator: after the same seed, every sampling
function (sampling.py; the arithmetic of its transforms in _kernels.py and _normal.py,
randperm's shuffle in _permutation.py, multinomial in _multinomial.py) returns the numbers
PyTorch returns, and states move between the two libraries.
"""

from __future__ import annotations

import contextlib

from .generator import Generator

__all__ = [
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
    "thread_safe_generator",
]

# Seeded from the operating system at import, as PyTorch seeds its default generator: an
# unseeded script draws different numbers on every run.
default_generator = Generator()
default_generator.seed()


def manual_seed(seed):
    """Seed the default generator; returns it. Any value int() takes, in [-2**63, 2**64)."""
    return default_generator.manual_seed(int(seed))


def seed():
    """Seed the default generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state, as a ByteTensor (PyTorch's layout)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type=None
):
    """Within the block draw freely; on leaving it the default generator is back where it was."""
    if not enabled:
        yield
        return
    saved = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(saved)


def thread_safe_generator():
    """The generator a DataLoader thread worker should draw from: None (the default one), as
    chainrule's workers are processes."""
    return None

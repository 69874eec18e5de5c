"""Shared fixtures: a seeded NumPy generator and PyTorch, when it is installed."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def torch():
    """PyTorch as the oracle for parity tests; the test skips cleanly without it."""
    return pytest.importorskip("torch")

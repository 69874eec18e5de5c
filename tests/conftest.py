"""Shared fixtures: a seeded NumPy generator and PyTorch, when it is installed."""

import os

import numpy as np
import pytest
from hypothesis import settings

# Under CI the property tests draw the same examples every run, so a result does
# not depend on the luck of the draw; locally they explore new examples each time.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def torch():
    """PyTorch as the oracle for parity tests; the test skips cleanly without it."""
    return pytest.importorskip("torch")

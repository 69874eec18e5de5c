"""Shared fixtures: a seeded NumPy generator and PyTorch, when it is installed; and the
`parity` mark on every test that compares with PyTorch.

.ci/run runs the parity tests again under other CPU kernels of both libraries
(`python -m pytest -m parity` with ATEN_CPU_CAPABILITY, MKL_ENABLE_INSTRUCTIONS,
OPENBLAS_CORETYPE, ...), so a comparison that only holds on one vector unit fails in CI.
How each comparison is made (exact, within stated ulps, or within a stated tolerance) is
in tests/parity.py and docs/DESIGN.md.
"""

import os

import numpy as np
import pytest
from hypothesis import settings

# Under CI the property tests draw the same examples every run, so a result does
# not depend on the luck of the draw; locally they explore new examples each time.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Fixtures through which a test reaches PyTorch (the oracle, its live error messages, or
# what a script printed under it).
_TORCH_FIXTURES = {"torch", "torch_or_none", "torch_outputs", "torch_runs"}


def pytest_collection_modifyitems(config, items):
    """Mark as `parity` each test that compares with PyTorch: through one of the fixtures
    above, or in a module that imports PyTorch itself."""
    torch_module = _torch_if_imported()
    for item in items:
        module = getattr(item, "module", None)
        uses_torch = bool(_TORCH_FIXTURES.intersection(getattr(item, "fixturenames", ())))
        if not uses_torch and torch_module is not None and module is not None:
            uses_torch = any(v is torch_module for v in vars(module).values())
        if uses_torch:
            item.add_marker(pytest.mark.parity)


def _torch_if_imported():
    import sys

    return sys.modules.get("torch")


@pytest.fixture
def pytorch_arithmetic():
    """chainrule's PyTorch arithmetic switch on for the test, restored afterwards: the tests
    that claim PyTorch's exact digits (fused add, cascade sums, MKL's order, sigmoid)."""
    import chainrule

    before = chainrule.is_pytorch_arithmetic_enabled()
    chainrule.use_pytorch_arithmetic(True)
    yield
    chainrule.use_pytorch_arithmetic(before)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def torch():
    """PyTorch as the oracle for parity tests; the test skips cleanly without it."""
    return pytest.importorskip("torch")

"""Helpers for the autograd tests: PyTorch's live error messages, when it is installed."""

import pytest


def _torch_or_none():
    try:
        import torch
    except ImportError:  # pragma: no cover - the tests still run on their literal messages
        return None
    return torch


@pytest.fixture
def torch_or_none():
    """PyTorch when installed, else None: tests compare with it where they can."""
    return _torch_or_none()


@pytest.fixture
def error_of():
    """error_of(fn) -> (type, message) of the exception fn raises (fails if it raises none)."""

    def run(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - any exception is the answer here
            return type(e), str(e)
        raise AssertionError(f"{fn} raised no exception")

    return run

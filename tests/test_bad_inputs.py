"""Every case of the bad-input table (tests/bad_inputs.py) raises under chainrule what it
raises under PyTorch: the same exception type, and the same message unless TYPE_ONLY
gives a reason. A case PyTorch accepts fails too: the table holds bad inputs only."""

from __future__ import annotations

import warnings

import pytest

import chainrule
from bad_inputs import FAMILIES, TYPE_ONLY

CASES = [
    (f"{family}/{name}", fn) for family, cases in FAMILIES.items() for name, fn in cases.items()
]


def _raised(fn, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(lib)
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_as_in_pytorch(case, torch):
    name, fn = case
    theirs = _raised(fn, torch)
    assert theirs is not None, f"PyTorch accepts {name}: not a bad input"
    ours = _raised(fn, chainrule)
    assert ours is not None, f"chainrule accepts {name}; PyTorch raises {theirs}"
    if name in TYPE_ONLY:
        assert ours[0] == theirs[0]
    else:
        assert ours == theirs


def test_the_table_covers_every_family_widely():
    assert len(CASES) >= 300
    assert all(len(cases) >= 15 for cases in FAMILIES.values())
    assert set(TYPE_ONLY) <= {name for name, _ in CASES}

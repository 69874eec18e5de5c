"""is_tensor, result_type, can_cast, finfo, iinfo and the Tensor.new_* / random-fill methods."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def test_predicates():
    t = chainrule.tensor([1.0])
    assert chainrule.is_tensor(t) and not chainrule.is_tensor([1.0])
    assert chainrule.is_floating_point(t) and not chainrule.is_floating_point(chainrule.tensor(1))
    assert chainrule.numel(chainrule.zeros(2, 3)) == 6
    assert chainrule.is_nonzero(chainrule.tensor([2])) is True
    assert not t.is_complex() and not t.is_sparse
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        chainrule.is_nonzero(chainrule.tensor([1, 2]))


def test_result_type_and_can_cast_match_pytorch(torch):
    for a in DTYPES:
        for b in DTYPES:
            ca, cb = getattr(chainrule, a), getattr(chainrule, b)
            ta, tb = getattr(torch, a), getattr(torch, b)
            assert chainrule.can_cast(ca, cb) == torch.can_cast(ta, tb), (a, b)
            mine = chainrule.result_type(chainrule.ones(2, dtype=ca), chainrule.tensor(1, dtype=cb))
            theirs = torch.result_type(torch.ones(2, dtype=ta), torch.tensor(1, dtype=tb))
            assert str(mine) == str(theirs), (a, b)
        for number in (True, 2, 2.5):
            mine = chainrule.result_type(chainrule.ones(2, dtype=getattr(chainrule, a)), number)
            theirs = torch.result_type(torch.ones(2, dtype=getattr(torch, a)), number)
            assert str(mine) == str(theirs), (a, number)


def test_result_type_literal():
    assert chainrule.result_type(chainrule.tensor([1.0]), 2.5) is chainrule.float32
    assert chainrule.result_type(chainrule.tensor([1]), 2.5) is chainrule.float32
    assert chainrule.can_cast(chainrule.float32, chainrule.int32) is False


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_matches_pytorch(name, torch):
    mine, theirs = chainrule.finfo(getattr(chainrule, name)), torch.finfo(getattr(torch, name))
    assert repr(mine) == repr(theirs)
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(mine, attr) == getattr(theirs, attr), attr


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_pytorch(name, torch):
    mine, theirs = chainrule.iinfo(getattr(chainrule, name)), torch.iinfo(getattr(torch, name))
    assert repr(mine) == repr(theirs)
    assert (mine.bits, mine.min, mine.max) == (theirs.bits, theirs.min, theirs.max)


def test_finfo_literal():
    assert chainrule.finfo(chainrule.float32).eps == 2.0**-23
    assert chainrule.finfo().dtype == "float32"
    with pytest.raises(TypeError, match="requires a floating point input type"):
        chainrule.finfo(chainrule.int32)
    with pytest.raises(TypeError, match="torch.bool is not supported by torch.iinfo"):
        chainrule.iinfo(chainrule.bool)


def test_new_methods_keep_dtype():
    t = chainrule.zeros(2, dtype=chainrule.float64)
    assert t.new_zeros(3).dtype is chainrule.float64 and t.new_zeros(3).tolist() == [0.0] * 3
    assert t.new_ones((2, 2)).shape == (2, 2)
    assert t.new_full((2,), 3).tolist() == [3.0, 3.0]
    assert t.new_tensor([1, 2]).dtype is chainrule.float64
    assert t.new_empty(4, dtype=chainrule.int64).dtype is chainrule.int64
    assert t.new_zeros(2, requires_grad=True).requires_grad


def test_uniform_and_normal_fill_in_place():
    chainrule.manual_seed(0)
    t = chainrule.empty(10000)
    assert t.uniform_(-2, 3) is t
    assert t.min().item() >= -2 and t.max().item() < 3
    assert abs(t.mean().item() - 0.5) < 0.05
    t.normal_(1.0, 0.5)
    assert abs(t.mean().item() - 1.0) < 0.02 and abs(t.std().item() - 0.5) < 0.02
    chainrule.manual_seed(0)
    again = chainrule.empty(10000).uniform_(-2, 3)
    chainrule.manual_seed(0)
    assert np.array_equal(again.numpy(), chainrule.empty(10000).uniform_(-2, 3).numpy())


def test_random_fills_follow_the_in_place_rules():
    w = chainrule.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w.uniform_()
    with chainrule.no_grad():
        w.normal_()
    assert w.requires_grad and w.is_leaf and w._version == 1
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        chainrule.zeros(2, dtype=chainrule.int64).uniform_()

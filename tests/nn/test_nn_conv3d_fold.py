"""Conv3d and ConvTranspose3d, Unfold and Fold against PyTorch: modules' forward and
gradients (float32 and float64), reprs, and PyTorch's errors word for word. The functional
forms are in the op table (tests/ops/table_nn_conv.py)."""

from __future__ import annotations

import numpy as np
import pytest
from modcheck import compare

import chainrule


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


LAYERS = [
    ("conv3d", lambda t: t.nn.Conv3d(2, 3, (2, 3, 2), stride=(1, 2, 1), padding=1),
     (2, 2, 3, 5, 4)),
    ("conv3d_reflect", lambda t: t.nn.Conv3d(2, 2, 3, padding=1, padding_mode="reflect"),
     (1, 2, 3, 3, 3)),
    ("conv3d_same_groups", lambda t: t.nn.Conv3d(4, 2, 3, padding="same", groups=2, bias=False),
     (1, 4, 3, 4, 3)),
    ("conv3d_unbatched", lambda t: t.nn.Conv3d(2, 3, 2), (2, 3, 3, 3)),
    ("conv_transpose3d", lambda t: t.nn.ConvTranspose3d(2, 3, 3, stride=2, output_padding=1),
     (2, 2, 2, 3, 2)),
    ("unfold", lambda t: t.nn.Unfold((2, 3), padding=1, stride=2), (2, 3, 4, 5)),
    ("fold", lambda t: t.nn.Fold((4, 5), 2, stride=(1, 2)), (2, 8, 6)),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,make,shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_layers_match_torch(name, make, shape, dtype, torch):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # padding='same' with an even kernel warns once
        compare(torch, make, [_x(*shape)], dtype)


def test_reprs(torch):
    for make in (
        lambda t: t.nn.Conv3d(2, 4, 3, padding=1, padding_mode="reflect"),
        lambda t: t.nn.Conv3d(2, 4, (1, 2, 3), stride=2, dilation=(1, 1, 2), bias=False),
        lambda t: t.nn.ConvTranspose3d(2, 4, (1, 2, 3), stride=2, output_padding=1, groups=2),
        lambda t: t.nn.Unfold(2, padding=1),
        lambda t: t.nn.Fold((4, 5), 2, stride=2),
    ):
        ours, theirs = make(chainrule), make(torch)
        assert repr(ours) == repr(theirs)
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
            (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
        ]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.functional.conv_transpose3d(
            t.zeros(1, 1, 2, 2, 2), t.zeros(1, 1, 2, 2, 2), output_padding=1
        ),
        lambda t: t.nn.functional.conv3d(t.zeros(1, 1, 2, 2, 2), t.zeros(1, 1, 3, 3, 3)),
        lambda t: t.nn.functional.conv3d(t.zeros(1, 2, 2), t.zeros(1, 1, 1, 1, 1)),
        lambda t: t.nn.ConvTranspose3d(1, 1, 2)(t.zeros(1, 1, 2, 2, 2), output_size=(9, 9, 9)),
        lambda t: t.nn.functional.unfold(t.zeros(5, 4), 2),
        lambda t: t.nn.functional.unfold(t.zeros(1, 2, 3, 5, 4), 2),
        lambda t: t.nn.functional.unfold(t.zeros(1, 2, 3, 3), 4),
        lambda t: t.nn.functional.unfold(t.zeros(1, 2, 3, 3), 0),
        lambda t: t.nn.functional.unfold(t.zeros(1, 2, 3, 3), 2, stride=(1, 2, 3)),
        lambda t: t.nn.functional.unfold(t.zeros(1, 2, 3, 3), 2, padding=-1),
        lambda t: t.nn.functional.unfold(t.zeros(1, 2, 3, 3, dtype=t.int64), 2),
        lambda t: t.nn.functional.fold(t.zeros(2, 12, 6), (5, 4), 2),
        lambda t: t.nn.functional.fold(t.zeros(2, 13, 12), (5, 4), 2),
        lambda t: t.nn.functional.fold(t.zeros(12), (5, 4), 2),
        lambda t: t.nn.functional.fold(t.zeros(1, 8, 4), 3, 2, dilation=0),
    ],
)
def test_errors_match_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(chainrule)
    assert str(ours.value) == str(theirs.value)


def test_fold_of_unfold_counts_overlaps():
    x = chainrule.ones(1, 1, 3, 3)
    counts = chainrule.nn.functional.fold(chainrule.nn.functional.unfold(x, 2), (3, 3), 2)
    assert counts[0, 0].tolist() == [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]

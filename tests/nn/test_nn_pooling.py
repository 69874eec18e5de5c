# ruff: noqa: E501  (PyTorch's messages are compared whole, one per line)
"""Pooling, interpolation, channel dropout and BatchNorm2d: parity with PyTorch, golden
values, reprs and error messages."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F


def _distinct(rng, shape, dtype=np.float64):
    n = int(np.prod(shape))
    return (rng.permutation(n) / n * 4 - 2).reshape(shape).astype(dtype)


def _run(lib, make, x, dtype_seed):
    t = lib.tensor(x, requires_grad=True)
    out = make(lib)(t)
    values = out[0] if isinstance(out, tuple) else out
    g = np.random.default_rng(dtype_seed).standard_normal(tuple(values.shape)).astype(x.dtype)
    values.backward(lib.tensor(g))
    rest = [o.numpy() for o in out[1:]] if isinstance(out, tuple) else []
    return values.detach().numpy(), t.grad.numpy(), rest, type(values.grad_fn).__name__


# -- the lesson's golden value (no PyTorch needed) -----------------------------------------


def test_lesson10_max_pool_demo():
    data = [3, 4, 6, 5, 2, 4, 6, 8, 1, 6, 7, 8, 9, 7, 4, 6]
    x = chainrule.tensor(data, dtype=chainrule.float32).view(1, 1, 4, 4)
    y = nn.MaxPool2d(kernel_size=2)(x)
    assert y.tolist() == [[[[4.0, 8.0], [9.0, 8.0]]]]
    _, idx = F.max_pool2d(x, 2, return_indices=True)
    assert idx.tolist() == [[[[1, 7], [12, 11]]]]


def test_max_pool_gradient_goes_to_the_first_max():
    x = chainrule.tensor([[[[1.0, 5.0], [5.0, 0.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0], [0.0, 0.0]]]]


def test_avg_pool_values_without_pytorch():
    x = chainrule.arange(16.0).view(1, 1, 4, 4)
    assert F.avg_pool2d(x, 2).tolist() == [[[[2.5, 4.5], [10.5, 12.5]]]]
    # Padding counted in the divisor by default, left out with count_include_pad=False.
    y = F.avg_pool2d(chainrule.ones(1, 1, 2, 2), 2, 1, 1)
    assert y[0, 0, 0, 0].item() == 0.25
    y = F.avg_pool2d(chainrule.ones(1, 1, 2, 2), 2, 1, 1, count_include_pad=False)
    assert y.tolist() == [[[[1.0] * 3] * 3]]


# -- parity with PyTorch ---------------------------------------------------------------

MODULES = [
    ("MaxPool2d_2", lambda L: L.nn.MaxPool2d(2), (2, 3, 8, 8)),
    ("MaxPool2d_3_2_1", lambda L: L.nn.MaxPool2d(3, 2, 1), (2, 3, 7, 9)),
    ("MaxPool2d_ceil_dil", lambda L: L.nn.MaxPool2d((3, 2), (2, 1), 1, (2, 1), ceil_mode=True),
     (1, 2, 9, 6)),
    ("MaxPool2d_unbatched", lambda L: L.nn.MaxPool2d(2, 1), (3, 5, 5)),
    ("MaxPool2d_indices", lambda L: L.nn.MaxPool2d(3, 1, 1, return_indices=True), (2, 2, 5, 6)),
    ("MaxPool1d", lambda L: L.nn.MaxPool1d(3, 2, 1), (2, 3, 10)),
    ("MaxPool1d_indices", lambda L: L.nn.MaxPool1d(2, return_indices=True, ceil_mode=True),
     (3, 7)),
    ("AvgPool2d", lambda L: L.nn.AvgPool2d(3, 2, 1), (2, 3, 7, 8)),
    ("AvgPool2d_ceil_excl", lambda L: L.nn.AvgPool2d(3, 2, 1, True, False), (2, 3, 8, 6)),
    ("AvgPool2d_divisor", lambda L: L.nn.AvgPool2d(2, divisor_override=3), (3, 4, 4)),
    ("AvgPool1d", lambda L: L.nn.AvgPool1d(3, 2, 1, count_include_pad=False), (2, 3, 9)),
    ("AdaptiveAvgPool2d", lambda L: L.nn.AdaptiveAvgPool2d((3, 4)), (2, 3, 7, 9)),
    ("AdaptiveAvgPool2d_none", lambda L: L.nn.AdaptiveAvgPool2d((None, 2)), (2, 3, 5, 7)),
    ("AdaptiveAvgPool2d_global", lambda L: L.nn.AdaptiveAvgPool2d(1), (2, 3, 5, 7)),
    ("AdaptiveAvgPool1d", lambda L: L.nn.AdaptiveAvgPool1d(4), (2, 3, 9)),
    ("AdaptiveMaxPool2d", lambda L: L.nn.AdaptiveMaxPool2d((3, 4), True), (2, 3, 7, 9)),
    ("AdaptiveMaxPool2d_grow", lambda L: L.nn.AdaptiveMaxPool2d(6, True), (3, 4, 5)),
    ("AdaptiveMaxPool1d", lambda L: L.nn.AdaptiveMaxPool1d(4, True), (2, 3, 9)),
    ("Upsample_nearest", lambda L: L.nn.Upsample(scale_factor=2), (2, 3, 3, 4)),
    ("Upsample_bilinear", lambda L: L.nn.Upsample(size=(5, 7), mode="bilinear"), (2, 3, 3, 4)),
    ("UpsamplingBilinear2d", lambda L: L.nn.UpsamplingBilinear2d(scale_factor=2), (1, 2, 3, 3)),
    ("UpsamplingNearest2d", lambda L: L.nn.UpsamplingNearest2d(size=(5, 2)), (1, 2, 3, 3)),
    ("Upsample_linear", lambda L: L.nn.Upsample(scale_factor=1.5, mode="linear"), (2, 3, 4)),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name,make,shape", MODULES, ids=[m[0] for m in MODULES])
def test_module_parity(name, make, shape, dtype, torch):
    x = _distinct(np.random.default_rng(len(name)), shape, dtype)
    ours = _run(chainrule, make, x, 3)
    theirs = _run(torch, make, x, 3)
    tol = {"rtol": 2e-6, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-13}
    np.testing.assert_allclose(ours[0], theirs[0], **tol)
    assert ours[0].dtype == theirs[0].dtype
    np.testing.assert_allclose(ours[1], theirs[1], **tol)
    for a, b in zip(ours[2], theirs[2]):
        assert a.dtype == b.dtype and np.array_equal(a, b)  # indices exactly
    assert ours[3] == theirs[3]


@pytest.mark.parametrize(
    "call",
    [
        lambda L, x: L.nn.functional.max_pool2d(x, 3, 1, 1, return_indices=True),
        lambda L, x: L.nn.functional.max_pool2d(x, 2, ceil_mode=True, return_indices=True),
        lambda L, x: L.nn.functional.max_pool2d(x, 3, 2, 1, 2, return_indices=True),
        lambda L, x: L.nn.functional.adaptive_max_pool2d(x, (2, 3), return_indices=True),
        lambda L, x: L.nn.functional.adaptive_max_pool2d(x, 2, return_indices=True),
    ],
)
def test_max_pool_ties_nan_and_infinity_as_pytorch(call, torch):
    x = np.array(
        [[1, 1, 2, 2, 0], [np.nan, 1, np.nan, 2, 0], [-np.inf, -np.inf, 3, 3, -np.inf],
         [-np.inf, -np.inf, 3, np.nan, -np.inf], [5, 5, 5, 5, 5]],
    )[None, None]  # fmt: skip
    ours = call(chainrule, chainrule.tensor(x))
    theirs = call(torch, torch.tensor(x))
    np.testing.assert_array_equal(ours[0].numpy(), theirs[0].numpy())
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())


def test_max_pool_on_integers_and_empty_batch(torch):
    x = np.arange(36).reshape(1, 6, 6) % 7
    ours = F.max_pool2d(chainrule.tensor(x), 3, 2, 1, return_indices=True)
    theirs = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    assert ours[0].dtype == chainrule.int64
    assert ours[0].tolist() == theirs[0].tolist() and ours[1].tolist() == theirs[1].tolist()
    ours = F.avg_pool2d(chainrule.tensor(x - 3), 2)
    assert ours.tolist() == torch.nn.functional.avg_pool2d(torch.tensor(x - 3), 2).tolist()
    assert F.max_pool2d(chainrule.zeros(0, 3, 6, 6), 2).shape == (0, 3, 3, 3)


def test_max_unpool_inverts_max_pool(torch):
    x = _distinct(np.random.default_rng(0), (2, 3, 6, 5))
    v, i = F.max_pool2d(chainrule.tensor(x), 2, return_indices=True)
    tv, ti = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    u = nn.MaxUnpool2d(2)(v, i, output_size=(2, 3, 6, 5))
    tu = torch.nn.MaxUnpool2d(2)(tv, ti, output_size=(2, 3, 6, 5))
    np.testing.assert_array_equal(u.numpy(), tu.numpy())


def test_max_pool_is_differentiable_twice():
    x = chainrule.tensor(_distinct(np.random.default_rng(1), (1, 2, 5, 5)), requires_grad=True)
    (g,) = chainrule.autograd.grad((F.max_pool2d(x, 3, 1) ** 2).sum(), x, create_graph=True)
    assert g.grad_fn is not None
    assert chainrule.autograd.gradgradcheck(lambda t: F.max_pool2d(t, 3, 1), (x,))


# -- reprs ------------------------------------------------------------------------------

REPRS = [
    (lambda: nn.MaxPool2d(2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    (lambda: nn.MaxPool2d((2, 3), 1, 1, 2, True, True),
     "MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=2, ceil_mode=True)"),
    (lambda: nn.MaxPool1d(3), "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"),
    (lambda: nn.AvgPool2d(3, 2, 1, True, False, 4), "AvgPool2d(kernel_size=3, stride=2, padding=1)"),
    (lambda: nn.AvgPool1d(2), "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))"),
    (lambda: nn.AdaptiveAvgPool2d((None, 3)), "AdaptiveAvgPool2d(output_size=(None, 3))"),
    (lambda: nn.AdaptiveAvgPool1d(4), "AdaptiveAvgPool1d(output_size=4)"),
    (lambda: nn.AdaptiveMaxPool2d(2, return_indices=True), "AdaptiveMaxPool2d(output_size=2)"),
    (lambda: nn.AdaptiveMaxPool1d(3), "AdaptiveMaxPool1d(output_size=3)"),
    (lambda: nn.MaxUnpool2d(2), "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"),
    (lambda: nn.Upsample(scale_factor=2), "Upsample(scale_factor=2.0, mode='nearest')"),
    (lambda: nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True),
     "Upsample(size=(3, 4), mode='bilinear')"),
    (lambda: nn.Upsample(scale_factor=(2, 3)), "Upsample(scale_factor=(2.0, 3.0), mode='nearest')"),
    (lambda: nn.UpsamplingNearest2d(scale_factor=2), "UpsamplingNearest2d(scale_factor=2.0, mode='nearest')"),
    (lambda: nn.UpsamplingBilinear2d(size=5), "UpsamplingBilinear2d(size=5, mode='bilinear')"),
    (lambda: nn.Dropout2d(), "Dropout2d(p=0.5, inplace=False)"),
    (lambda: nn.Dropout1d(0.3, True), "Dropout1d(p=0.3, inplace=True)"),
    (lambda: nn.BatchNorm2d(4),
     "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
]  # fmt: skip


@pytest.mark.parametrize(
    "make,text", REPRS, ids=[r[1].split("(")[0] + str(i) for i, r in enumerate(REPRS)]
)
def test_repr(make, text):
    assert repr(make()) == text


# -- errors, word for word --------------------------------------------------------------

X4 = np.zeros((2, 3, 6, 6))
X3 = np.zeros((2, 3, 6))
ERRORS = [
    (lambda: F.max_pool2d(chainrule.tensor(X4), 0), RuntimeError, "stride should not be zero"),
    (lambda: F.max_pool2d(chainrule.tensor(X4), 0, 1), RuntimeError,
     "kernel size should be greater than zero, but got kH: 0 kW: 0"),
    (lambda: F.max_pool2d(chainrule.tensor(X4), 2, dilation=0), RuntimeError,
     "dilation should be greater than zero, but got dilationH: 0 dilationW: 0"),
    (lambda: F.max_pool2d(chainrule.tensor(X4), 2, padding=2), RuntimeError,
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1"),
    (lambda: F.max_pool2d(chainrule.tensor(X4), 3, padding=2, dilation=2), RuntimeError,
     "pad should be smaller than or equal to half of kernel size, but got padW = 2, padH = 2, kW = 3, kH = 3"),
    (lambda: F.max_pool2d(chainrule.tensor(X4), 2, padding=-1), RuntimeError,
     "pad must be non-negative, but got pad: -1"),
    (lambda: F.max_pool2d(chainrule.tensor(X4), 7), RuntimeError,
     "Given input size: (3x6x6). Calculated output size: (3x0x0). Output size is too small"),
    (lambda: F.max_pool2d(chainrule.zeros(3, 4), 2), RuntimeError,
     "non-empty 3D or 4D (batch mode) tensor expected for input"),
    (lambda: F.max_pool2d(chainrule.zeros(2, 0, 6, 6), 2), RuntimeError,
     "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[2, 0, 6, 6]"),
    (lambda: F.max_pool2d(chainrule.tensor(X4), (2, 2, 2)), RuntimeError,
     "max_pool2d: kernel_size must either be a single int, or a tuple of two ints"),
    (lambda: F.max_pool2d(chainrule.ones(1, 4, 4, dtype=chainrule.bool), 2), NotImplementedError,
     "\"max_pool2d\" not implemented for 'Bool'"),
    (lambda: F.max_pool1d(chainrule.tensor(X3), 7), RuntimeError,
     "max_pool1d() Invalid computed output size: 0"),
    (lambda: F.max_pool1d(chainrule.tensor(X3), 7, return_indices=True), RuntimeError,
     "Given input size: (3x1x6). Calculated output size: (3x1x0). Output size is too small"),
    (lambda: F.max_pool1d(chainrule.tensor(X3), 2, padding=2), RuntimeError,
     "max_pool1d() padding should be at most half of kernel size, but got padding=2 and kernel_size=2"),
    (lambda: F.max_pool1d(chainrule.zeros(1, 1, 3, 4), 2), RuntimeError,
     "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 1, 3, 4]"),
    (lambda: F.max_pool1d(chainrule.tensor(X3), (2, 2)), RuntimeError,
     "max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but got size 2"),
    (lambda: F.avg_pool2d(chainrule.tensor(X4), 2, divisor_override=0), RuntimeError,
     "divisor must be not zero"),
    (lambda: F.avg_pool2d(chainrule.zeros(3, 4), 2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got -3)"),
    (lambda: F.avg_pool1d(chainrule.tensor(X3), 7), RuntimeError,
     "Given input size: (3x1x6). Calculated output size: (3x1x0). Output size is too small"),
    (lambda: F.avg_pool1d(chainrule.zeros(1, 1, 3, 4), 2), RuntimeError,
     "Expected 2 to 3 dimensions, but got 4-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)"),
    (lambda: F.avg_pool1d(chainrule.tensor(X3), (2, 2)), RuntimeError,
     "avg_pool1d() argument 'kernel_size' should contain one int (got 2)"),
    (lambda: F.adaptive_avg_pool2d(chainrule.zeros(3, 4), 2), RuntimeError,
     "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [3, 4]"),
    (lambda: F.adaptive_avg_pool2d(chainrule.tensor(X4), -1), RuntimeError,
     "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {-1, -1}"),
    (lambda: F.adaptive_avg_pool2d(chainrule.zeros(2, 3, 0, 4), 2), RuntimeError,
     "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [2, 3, 0, 4] with dimension 2 being empty"),
    (lambda: F.adaptive_max_pool2d(chainrule.zeros(3, 4), 2), RuntimeError,
     "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: [3, 4]"),
    (lambda: F.adaptive_max_pool1d(chainrule.tensor(X4), 2), RuntimeError,
     "Expected 2 to 3 dimensions, but got 4-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_max_pool1d)"),
    (lambda: F.adaptive_avg_pool1d(chainrule.tensor(X3), (2, 2)), RuntimeError,
     "adaptive_avg_pool1d() argument 'output_size' should contain one int (got 2)"),
    (lambda: F.interpolate(chainrule.tensor(X4), size=3, scale_factor=2), ValueError,
     "only one of size or scale_factor should be defined"),
    (lambda: F.interpolate(chainrule.tensor(X4)), ValueError,
     "either size or scale_factor should be defined"),
    (lambda: F.interpolate(chainrule.tensor(X4), size=3, align_corners=True), ValueError,
     "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"),
    (lambda: F.interpolate(chainrule.tensor(X4), size=(3,)), ValueError,
     "Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [6, 6] and output size of (3,). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."),
    (lambda: F.interpolate(chainrule.tensor(X4), size=3, mode="linear"), NotImplementedError,
     "Got 4D input, but linear mode needs 3D input"),
    (lambda: F.interpolate(chainrule.zeros(3, 4), size=3), NotImplementedError,
     "Input Error: Only 3D, 4D and 5D input Tensors supported (got 2D) for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got nearest)"),
    (lambda: F.interpolate(chainrule.tensor(X4), size=(0, 3), mode="bilinear"), RuntimeError,
     "Input and output sizes should be greater than 0, but got input (H: 6, W: 6) output (H: 0, W: 3)"),
    (lambda: F.interpolate(chainrule.tensor(X3), size=0), RuntimeError,
     "Input and output sizes should be greater than 0, but got input (W: 6) and output (W: 0)"),
    (lambda: F.interpolate(chainrule.tensor(X4), size=4, recompute_scale_factor=True), ValueError,
     "recompute_scale_factor is not meaningful with an explicit size."),
    (lambda: F.dropout1d(chainrule.tensor(X4)), RuntimeError,
     "dropout1d: Expected 2D or 3D input, but received a 4D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."),
    (lambda: F.dropout2d(chainrule.tensor(X4), 1.5), ValueError,
     "dropout probability has to be between 0 and 1, but got 1.5"),
    (lambda: nn.BatchNorm2d(3)(chainrule.tensor(X3)), ValueError, "expected 4D input (got 3D input)"),
    (lambda: nn.BatchNorm3d(3)(chainrule.tensor(X4)), ValueError, "expected 5D input (got 4D input)"),
]  # fmt: skip


@pytest.mark.parametrize("call,kind,message", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_error_messages(call, kind, message):
    with pytest.raises(kind) as info:
        call()
    assert str(info.value) == message


# -- grad_fn names ------------------------------------------------------------------------


def test_grad_fn_names():
    x = chainrule.randn(1, 2, 4, 4, requires_grad=True)
    assert type(F.max_pool2d(x, 2).grad_fn).__name__ == "MaxPool2DWithIndicesBackward0"
    assert type(F.avg_pool2d(x, 2).grad_fn).__name__ == "AvgPool2DBackward0"
    assert type(F.adaptive_avg_pool2d(x, 3).grad_fn).__name__ == "AdaptiveAvgPool2DBackward0"
    assert type(F.adaptive_avg_pool2d(x, 1).grad_fn).__name__ == "MeanBackward1"
    assert type(F.adaptive_max_pool2d(x, 3).grad_fn).__name__ == "AdaptiveMaxPool2DBackward0"
    assert type(F.max_pool1d(x[0], 2).grad_fn).__name__ == "SqueezeBackward1"
    bil = F.interpolate(x, scale_factor=2, mode="bilinear")
    assert type(bil.grad_fn).__name__ == "UpsampleBilinear2DBackward0"
    (g,) = chainrule.autograd.grad(F.max_pool2d(x, 2).pow(2).sum(), x, create_graph=True)
    names = set()
    stack = [g.grad_fn]
    while stack:
        n = stack.pop()
        if n is not None:
            names.add(type(n).__name__)
            stack.extend(f for f, _ in n.next_functions)
    assert "MaxPool2DWithIndicesBackwardBackward0" in names


# -- channel dropout -------------------------------------------------------------------


def test_dropout2d_zeroes_whole_channels_and_scales():
    chainrule.manual_seed(0)
    x = chainrule.ones(64, 32, 3, 3)
    y = F.dropout2d(x, 0.25)
    per_channel = y.numpy().reshape(64, 32, 9)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # each channel all one value
    assert set(np.unique(per_channel)) <= {0.0, np.float32(1 / 0.75)}
    dropped = (per_channel[..., 0] == 0).mean()
    assert 0.2 < dropped < 0.3  # 2048 channels: p=0.25 within a few standard errors
    assert F.dropout2d(x, 0.25, training=False) is x
    m = nn.Dropout2d(0.5).eval()
    assert m(x) is x


def test_dropout2d_gradient_is_the_mask():
    chainrule.manual_seed(1)
    x = chainrule.ones(4, 6, 2, 2, requires_grad=True)
    y = F.dropout2d(x, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_dropout2d_warns_for_3d_input_and_dropout1d_takes_unbatched():
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(chainrule.ones(2, 3, 4), 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chainrule.manual_seed(2)
        y = nn.Dropout1d(0.5)(chainrule.ones(40, 5))
    rows = y.numpy()
    assert np.all(rows.min(1) == rows.max(1))  # (C, L): each channel one value


# -- BatchNorm2d -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm2d_train_and_eval_parity(dtype, momentum, torch):
    rng = np.random.default_rng(5)
    ours = nn.BatchNorm2d(3, momentum=momentum).to(
        chainrule.float64 if dtype == np.float64 else chainrule.float32
    )
    theirs = torch.nn.BatchNorm2d(3, momentum=momentum).to(
        torch.float64 if dtype == np.float64 else torch.float32
    )
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    for step in range(3):
        x = (rng.standard_normal((4, 3, 5, 5)) * (step + 1) + step).astype(dtype)
        a = chainrule.tensor(x, requires_grad=True)
        b = torch.tensor(x, requires_grad=True)
        ya, yb = ours(a), theirs(b)
        g = rng.standard_normal(x.shape).astype(dtype)
        ya.backward(chainrule.tensor(g))
        yb.backward(torch.tensor(g))
        np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), **tol)
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(
            getattr(ours, name).numpy(), getattr(theirs, name).numpy(), **tol
        )
    assert ours.num_batches_tracked.item() == 3
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), **tol)
    np.testing.assert_allclose(ours.bias.grad.numpy(), theirs.bias.grad.numpy(), **tol)
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((2, 3, 4, 4)).astype(dtype)
    np.testing.assert_allclose(
        ours(chainrule.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(), **tol
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.functional.batch_norm(t.zeros(0), t.zeros(0), t.zeros(0), training=True),
        lambda t: t.nn.functional.batch_norm(t.zeros(0), t.zeros(0), t.zeros(0), training=False),
        lambda t: t.nn.functional.batch_norm(t.zeros(0), None, None, training=True),
        lambda t: t.nn.functional.batch_norm(t.zeros(0), None, None, training=False),
        lambda t: t.nn.functional.batch_norm(t.ones(3), t.zeros(3), t.ones(3), training=False),
        lambda t: t.nn.functional.batch_norm(t.ones(3), t.zeros(0), t.zeros(0), training=False),
        lambda t: t.nn.functional.batch_norm(t.ones(3), None, None, training=True),
        lambda t: t.nn.functional.batch_norm(t.ones(3), None, None, training=False),
    ],
)
def test_batch_norm_of_a_vector_as_pytorch(call, torch):
    """A 1-D input has no channel dim: an empty one normalises to an empty result, the rest
    raise PyTorch's errors (in PyTorch's order)."""
    seen = []
    for lib in (torch, chainrule):
        try:
            y = call(lib)
            seen.append((tuple(y.shape), y.tolist()))
        except (RuntimeError, IndexError) as e:
            seen.append((type(e).__name__, str(e)))
    assert seen[1] == seen[0]

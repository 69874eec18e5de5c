"""Op table: convolutions (Convolution, ConvolutionWeight) and padding (ConstantPadNd, IndexPad)."""

from optable import A, OpCase


def F(lib):
    return lib.nn.functional


def _grad(t, out, wrt):
    """A gradient taken with create_graph inside the case, so its ops are in the table too."""
    (g,) = t.autograd.grad((out * out).sum(), wrt, create_graph=True)
    return g


CASES = [
    # conv2d
    OpCase("conv2d", lambda t, x, w, b: F(t).conv2d(x, w, b), (A(2, 2, 4, 5), A(3, 2, 2, 3), A(3))),
    OpCase("conv2d_no_bias", lambda t, x, w: F(t).conv2d(x, w), (A(1, 2, 4, 4), A(2, 2, 3, 3))),
    OpCase(
        "conv2d_stride_padding",
        lambda t, x, w, b: F(t).conv2d(x, w, b, stride=2, padding=1),
        (A(2, 1, 5, 4), A(2, 1, 3, 3), A(2)),
    ),
    OpCase(
        "conv2d_tuple_args",
        lambda t, x, w: F(t).conv2d(x, w, None, (2, 1), (0, 2), (1, 2)),
        (A(1, 2, 5, 4), A(2, 2, 2, 2)),
    ),
    OpCase(
        "conv2d_dilation",
        lambda t, x, w: F(t).conv2d(x, w, dilation=2, padding=1),
        (A(1, 1, 5, 5), A(2, 1, 2, 2)),
    ),
    OpCase(
        "conv2d_groups",
        lambda t, x, w, b: F(t).conv2d(x, w, b, groups=2),
        (A(2, 4, 3, 3), A(4, 2, 2, 2), A(4)),
    ),
    OpCase(
        "conv2d_depthwise",
        lambda t, x, w: F(t).conv2d(x, w, padding=1, groups=3),
        (A(1, 3, 3, 3), A(6, 1, 3, 3)),
    ),
    OpCase(
        "conv2d_same_odd",
        lambda t, x, w: F(t).conv2d(x, w, padding="same"),
        (A(1, 2, 4, 3), A(2, 2, 3, 3)),
    ),
    OpCase(
        "conv2d_same_even",
        lambda t, x, w: F(t).conv2d(x, w, padding="same"),
        (A(1, 1, 4, 5), A(2, 1, 2, 4)),
    ),
    OpCase(
        "conv2d_same_dilated",
        lambda t, x, w: F(t).conv2d(x, w, padding="same", dilation=(2, 1)),
        (A(1, 1, 5, 4), A(1, 1, 2, 2)),
    ),
    OpCase(
        "conv2d_valid",
        lambda t, x, w: F(t).conv2d(x, w, padding="valid"),
        (A(1, 1, 4, 4), A(1, 1, 2, 3)),
    ),
    OpCase(
        "conv2d_unbatched",
        lambda t, x, w, b: F(t).conv2d(x, w, b, stride=(1, 2)),
        (A(2, 4, 5), A(3, 2, 2, 2), A(3)),
    ),
    OpCase("conv2d_1x1", lambda t, x, w: F(t).conv2d(x, w), (A(2, 3, 2, 3), A(4, 3, 1, 1))),
    OpCase(
        "conv2d_weight_only",
        lambda t, w: F(t).conv2d(t.linspace(-1, 1, 32, dtype=w.dtype).reshape(2, 1, 4, 4), w),
        (A(2, 1, 3, 3),),
    ),
    # conv1d
    OpCase("conv1d", lambda t, x, w, b: F(t).conv1d(x, w, b), (A(2, 2, 6), A(3, 2, 3), A(3))),
    OpCase(
        "conv1d_stride_padding_dilation",
        lambda t, x, w: F(t).conv1d(x, w, stride=2, padding=2, dilation=2),
        (A(1, 2, 7), A(2, 2, 3)),
    ),
    OpCase(
        "conv1d_groups_same_even",
        lambda t, x, w: F(t).conv1d(x, w, padding="same", groups=2),
        (A(1, 4, 5), A(2, 2, 4)),
    ),
    OpCase("conv1d_unbatched", lambda t, x, w: F(t).conv1d(x, w), (A(2, 5), A(3, 2, 2))),
    # transposed
    OpCase(
        "conv_transpose2d",
        lambda t, x, w, b: F(t).conv_transpose2d(x, w, b),
        (A(2, 2, 3, 3), A(2, 3, 2, 2), A(3)),
    ),
    OpCase(
        "conv_transpose2d_stride_output_padding",
        lambda t, x, w: F(t).conv_transpose2d(x, w, stride=2, padding=1, output_padding=1),
        (A(1, 2, 3, 2), A(2, 1, 3, 3)),
    ),
    OpCase(
        "conv_transpose2d_groups_dilation",
        lambda t, x, w, b: F(t).conv_transpose2d(x, w, b, (1, 2), 0, (0, 1), 2, (2, 1)),
        (A(1, 4, 2, 3), A(4, 1, 2, 2), A(2)),
    ),
    OpCase(
        "conv_transpose2d_unbatched",
        lambda t, x, w: F(t).conv_transpose2d(x, w, stride=2),
        (A(1, 2, 2), A(1, 2, 2, 2)),
    ),
    OpCase(
        "conv_transpose1d",
        lambda t, x, w, b: F(t).conv_transpose1d(x, w, b, stride=3, padding=1, output_padding=2),
        (A(2, 2, 3), A(2, 2, 3), A(2)),
    ),
    # second derivatives as values: the weight gradient's and the input gradient's own ops
    OpCase(
        "conv2d_grad_weight",
        lambda t, x, w: _grad(t, F(t).conv2d(x, w, stride=2, padding=1), w),
        (A(1, 2, 4, 3), A(2, 2, 2, 2)),
    ),
    OpCase(
        "conv2d_grad_input",
        lambda t, x, w: _grad(t, F(t).conv2d(x, w, groups=2), x),
        (A(1, 2, 3, 3), A(2, 1, 2, 2)),
    ),
    OpCase(
        "conv_transpose2d_grad_weight",
        lambda t, x, w: _grad(t, F(t).conv_transpose2d(x, w, stride=2), w),
        (A(1, 1, 2, 2), A(1, 2, 2, 2)),
    ),
    OpCase(
        "conv1d_grad_weight",
        lambda t, x, w: _grad(t, F(t).conv1d(x, w, dilation=2), w),
        (A(2, 1, 5), A(1, 1, 2)),
    ),
    # pad
    OpCase("pad_constant", lambda t, x: F(t).pad(x, (1, 2)), (A(2, 3),)),
    OpCase(
        "pad_constant_value_2d", lambda t, x: F(t).pad(x, (1, 0, 2, 1), value=1.5), (A(2, 2, 3),)
    ),
    OpCase("pad_constant_negative", lambda t, x: F(t).pad(x, (-1, 2, 1, -1)), (A(3, 4),)),
    OpCase("pad_constant_three_dims", lambda t, x: F(t).pad(x, (1, 1, 0, 1, 1, 0)), (A(2, 2, 2),)),
    OpCase("pad_reflect_1d", lambda t, x: F(t).pad(x, (2, 1), mode="reflect"), (A(2, 4),)),
    OpCase(
        "pad_reflect_2d", lambda t, x: F(t).pad(x, (1, 2, 2, 1), mode="reflect"), (A(1, 2, 3, 4),)
    ),
    OpCase(
        "pad_reflect_negative", lambda t, x: F(t).pad(x, (-1, 2), mode="reflect"), (A(1, 2, 5),)
    ),
    OpCase("pad_replicate_1d", lambda t, x: F(t).pad(x, (3, 1), mode="replicate"), (A(2, 3),)),
    OpCase(
        "pad_replicate_2d",
        lambda t, x: F(t).pad(x, (1, 0, 2, 2), mode="replicate"),
        (A(1, 2, 2, 3),),
    ),
    OpCase("pad_circular_1d", lambda t, x: F(t).pad(x, (2, 1), mode="circular"), (A(1, 2, 3),)),
    OpCase(
        "pad_circular_2d", lambda t, x: F(t).pad(x, (1, 1, 2, 0), mode="circular"), (A(1, 1, 3, 3),)
    ),
    OpCase(
        "pad_reflect_grad",
        lambda t, x: _grad(t, F(t).pad(x, (1, 2, 1, 1), mode="reflect"), x),
        (A(1, 2, 3),),
    ),
    OpCase(
        "pad_replicate_grad",
        lambda t, x: _grad(t, F(t).pad(x, (2, 2), mode="replicate"), x),
        (A(2, 3),),
    ),
]

# 3-d convolutions: the same Ops over three spatial dims.
CASES += [
    OpCase(
        "conv3d",
        lambda t, x, w, b: F(t).conv3d(x, w, b, stride=(2, 1, 1), padding=(0, 1, 0)),
        (A(2, 2, 3, 4, 3), A(3, 2, 2, 2, 2), A(3)),
    ),
    OpCase(
        "conv3d_groups_dilation",
        lambda t, x, w: F(t).conv3d(x, w, groups=2, dilation=(1, 2, 1)),
        (A(1, 4, 2, 4, 3), A(2, 2, 1, 2, 2)),
    ),
    OpCase(
        "conv_transpose3d",
        lambda t, x, w, b: F(t).conv_transpose3d(x, w, b, stride=2, padding=1, output_padding=1),
        (A(1, 2, 2, 2, 3), A(2, 3, 3, 2, 2), A(3)),
    ),
]

# unfold and fold: im2col and its adjoint.
CASES += [
    OpCase(
        "unfold",
        lambda t, x: F(t).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
        (A(2, 2, 5, 4),),
    ),
    OpCase("unfold_unbatched", lambda t, x: F(t).unfold(x, 2), (A(2, 3, 3),)),
    OpCase(
        "fold",
        lambda t, x: F(t).fold(x, (5, 4), (2, 3), padding=1, stride=(2, 1)),
        (A(2, 12, 12),),
    ),
    OpCase("fold_unbatched_overlap", lambda t, x: F(t).fold(x, (3, 3), 2), (A(8, 4),)),
]

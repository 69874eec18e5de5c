"""Op table: the nn primitives (activations with kernels of their own, batch_norm, layer_norm)."""

from optable import A, OpCase


def F(lib):
    return lib.nn.functional


# Inputs in [-4, 4] reach every piece of the piecewise activations (|x| > 3 for
# hardswish/hardsigmoid); values sit at kinks with probability zero.
def W(*shape):
    return A(*shape, low=-4.0, high=4.0)


CASES = [
    OpCase("hardtanh", lambda t, a: F(t).hardtanh(a), (A(3, 4),)),
    OpCase("hardtanh_bounds", lambda t, a: F(t).hardtanh(a, -0.5, 1.5), (A(3, 4),)),
    OpCase("relu6", lambda t, a: F(t).relu6(a * 4), (A(3, 4),)),
    OpCase("leaky_relu", lambda t, a: F(t).leaky_relu(a, 0.2), (A(3, 4),)),
    OpCase("elu", lambda t, a: F(t).elu(a, 0.7), (A(3, 4),)),
    OpCase("selu", lambda t, a: F(t).selu(a), (A(3, 4),)),
    OpCase("celu", lambda t, a: F(t).celu(a, 1.5), (A(3, 4),)),
    OpCase("gelu", lambda t, a: F(t).gelu(a), (W(3, 4),)),
    OpCase("gelu_tanh", lambda t, a: F(t).gelu(a, approximate="tanh"), (W(3, 4),)),
    OpCase("silu", lambda t, a: F(t).silu(a), (W(3, 4),)),
    OpCase("mish", lambda t, a: F(t).mish(a), (W(3, 4),)),
    OpCase("hardsigmoid", lambda t, a: F(t).hardsigmoid(a), (W(3, 4),)),
    OpCase("hardswish", lambda t, a: F(t).hardswish(a), (W(3, 4),)),
    OpCase("logsigmoid", lambda t, a: F(t).logsigmoid(a), (W(3, 4),)),
    OpCase("hardshrink", lambda t, a: F(t).hardshrink(a, 0.6), (A(3, 4),)),
    OpCase("softshrink", lambda t, a: F(t).softshrink(a, 0.6), (A(3, 4),)),
    OpCase("threshold", lambda t, a: F(t).threshold(a, 0.3, -2.0), (A(3, 4),)),
    OpCase(
        "batch_norm_train",
        lambda t, x, w, b: F(t).batch_norm(x, None, None, w, b, training=True),
        (A(5, 3), A(3), A(3)),
    ),
    OpCase(
        "batch_norm_train_3d",
        lambda t, x, w, b: F(t).batch_norm(x, None, None, w, b, training=True, eps=1e-3),
        (A(4, 3, 2), A(3), A(3)),
    ),
    OpCase(  # BatchNorm2d's call: statistics over N, H and W
        "batch_norm_train_4d",
        lambda t, x, w, b: F(t).batch_norm(x, None, None, w, b, training=True),
        (A(3, 2, 2, 3), A(2), A(2)),
    ),
    OpCase(
        "batch_norm_eval_4d",
        lambda t, x, w, b: F(t).batch_norm(
            x, t.linspace(-1, 1, 2, dtype=x.dtype), t.linspace(0.5, 2, 2, dtype=x.dtype), w, b
        ),
        (A(3, 2, 2, 3), A(2), A(2)),
    ),
    OpCase(
        "batch_norm_no_affine",
        lambda t, x: F(t).batch_norm(x, None, None, training=True),
        (A(4, 3, 2),),
    ),
    OpCase(
        "batch_norm_eval",
        lambda t, x, w, b: F(t).batch_norm(
            x, t.linspace(-1, 1, 3, dtype=x.dtype), t.linspace(0.5, 2, 3, dtype=x.dtype), w, b
        ),
        (A(4, 3, 2), A(3), A(3)),
    ),
    OpCase(
        "layer_norm",
        lambda t, x, w, b: F(t).layer_norm(x, (4,), w, b),
        (A(2, 3, 4), A(4), A(4)),
    ),
    OpCase(
        "layer_norm_2d_shape",
        lambda t, x, w: F(t).layer_norm(x, (3, 4), w, eps=1e-3),
        (A(2, 3, 4), A(3, 4)),
    ),
    OpCase("layer_norm_no_affine", lambda t, x: F(t).layer_norm(x, [4]), (A(3, 4),)),
    OpCase(  # over every dim: weight and bias have the input's shape (no batch to sum over)
        "layer_norm_whole_input",
        lambda t, x, w, b: F(t).layer_norm(x, (2, 3), w, b, eps=0.5),
        (A(2, 3), A(2, 3), A(2, 3)),
    ),
]

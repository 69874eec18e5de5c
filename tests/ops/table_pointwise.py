"""Op table: pointwise arithmetic and unary math."""

from optable import A, OpCase, const, positive


def _first_derivative(t, fn, a):
    """d(sum(fn(a)))/da as a differentiable tensor (its graph holds fn's backward ops)."""
    (g,) = t.autograd.grad(fn(a).sum(), a, create_graph=True)
    return g


CASES = [
    OpCase("add", lambda t, a, b: a + b, (A(3, 4), A(3, 4))),
    OpCase("add_broadcast", lambda t, a, b: a + b, (A(2, 3, 4), A(4))),
    OpCase("add_scalar", lambda t, a: a + 1.5, (A(3),)),
    OpCase("radd_scalar", lambda t, a: 2 + a, (A(3),)),
    OpCase("add_alpha", lambda t, a, b: t.add(a, b, alpha=0.5), (A(3, 1), A(1, 4))),
    OpCase("sub", lambda t, a, b: a - b, (A(3, 4), A(4))),
    OpCase("sub_alpha", lambda t, a, b: t.sub(a, b, alpha=2.0), (A(3), A(3))),
    OpCase("rsub_scalar", lambda t, a: 1.0 - a, (A(2, 3),)),
    OpCase("mul", lambda t, a, b: a * b, (A(3, 4), A(3, 4))),
    OpCase("mul_broadcast", lambda t, a, b: a * b, (A(3, 1), A(1, 4))),
    OpCase("mul_scalar", lambda t, a: a * 0.25, (A(5),)),
    OpCase("mul_const", lambda t, a, b: a * b, (A(3), const(3))),
    OpCase("div", lambda t, a, b: a / b, (A(3, 4), positive(4))),
    # rounded quotients: a step function, zero gradients (inputs away from the steps)
    OpCase("div_floor", lambda t, a, b: t.div(a, b, rounding_mode="floor"), (A(3, 4), positive(4))),
    OpCase("div_trunc", lambda t, a, b: t.div(a, b, rounding_mode="trunc"), (A(3, 1), positive(4))),
    OpCase("rdiv_scalar", lambda t, a: 2.0 / a, (positive(3),)),
    # Python's floor division, zero derivative (values sit at its jumps with probability 0)
    OpCase("div_floor_times", lambda t, a, b: t.div(a, b, rounding_mode="floor") * a, (A(6), A(6))),
    # recorded with no derivative (backward raises, as PyTorch's): nothing to gradcheck here;
    # tests/ops/test_div_pow_edges.py compares it with PyTorch
    OpCase(
        "floor_divide", lambda t, a, b: a // b, (A(3), positive(3)), gradcheck=False, torch=False
    ),
    OpCase("neg", lambda t, a: -a, (A(3, 2),)),
    OpCase("pow_scalar", lambda t, a: a**3, (A(4),)),
    OpCase("pow_square", lambda t, a: a**2, (A(4),)),
    OpCase("pow_fraction", lambda t, a: a**0.5, (positive(4),)),
    OpCase("pow_tensor", lambda t, a, b: a**b, (positive(3, 2), A(2))),
    OpCase("rpow_scalar", lambda t, a: 2.0**a, (A(3),)),
    OpCase("remainder", lambda t, a, b: t.remainder(a, b), (A(4), positive(4))),
    OpCase("exp", lambda t, a: t.exp(a), (A(3, 2),)),
    OpCase("log", lambda t, a: t.log(a), (positive(3, 2),)),
    OpCase("log2", lambda t, a: t.log2(a), (positive(3),)),
    OpCase("log10", lambda t, a: t.log10(a), (positive(3),)),
    OpCase("log1p", lambda t, a: t.log1p(a), (positive(3),)),
    OpCase("expm1", lambda t, a: t.expm1(a), (A(3),)),
    OpCase("sqrt", lambda t, a: t.sqrt(a), (positive(3, 2),)),
    OpCase("rsqrt", lambda t, a: t.rsqrt(a), (positive(3, 2),)),
    OpCase("sin", lambda t, a: t.sin(a), (A(4),)),
    OpCase("cos", lambda t, a: t.cos(a), (A(4),)),
    OpCase("tan", lambda t, a: t.tan(a), (A(4, low=-1, high=1),)),
    OpCase("tanh", lambda t, a: t.tanh(a), (A(2, 3),)),
    OpCase("asin", lambda t, a: t.asin(a), (A(4, low=-0.9, high=0.9),)),
    OpCase("acos", lambda t, a: t.acos(a), (A(4, low=-0.9, high=0.9),)),
    OpCase("atan", lambda t, a: t.atan(a), (A(4),)),
    OpCase("sinh", lambda t, a: t.sinh(a), (A(4),)),
    OpCase("cosh", lambda t, a: t.cosh(a), (A(4),)),
    OpCase("sigmoid", lambda t, a: t.sigmoid(a), (A(2, 3, low=-6, high=6),)),
    OpCase("reciprocal", lambda t, a: t.reciprocal(a), (positive(3),)),
    OpCase("abs", lambda t, a: t.abs(a), (A(5),)),
    OpCase("erf", lambda t, a: t.erf(a), (A(5),)),
    OpCase("relu", lambda t, a: t.relu(a), (A(6),), double=False),
    OpCase("sign", lambda t, a: t.sign(a), (A(4),)),
    OpCase("sgn_real", lambda t, a: t.sgn(a) * a, (A(4),)),
    OpCase("floor", lambda t, a: t.floor(a), (A(4),)),
    OpCase("ceil", lambda t, a: t.ceil(a), (A(4),)),
    OpCase("trunc", lambda t, a: t.trunc(a), (A(4),)),
    OpCase("round", lambda t, a: t.round(a), (A(4),)),
    OpCase("frac", lambda t, a: t.frac(a), (A(4),)),
    OpCase("clamp", lambda t, a: t.clamp(a, -0.5, 0.5), (A(8),)),
    OpCase("clamp_min", lambda t, a: t.clamp(a, min=0.1), (A(8),)),
    OpCase("clamp_max", lambda t, a: a.clamp(max=0.1), (A(8),)),
    OpCase("maximum", lambda t, a, b: t.maximum(a, b), (A(6), A(6))),
    OpCase("minimum", lambda t, a, b: t.minimum(a, b), (A(2, 3), A(3))),
    OpCase("fmax", lambda t, a, b: t.fmax(a, b), (A(6), A(6))),
    OpCase("fmin", lambda t, a, b: t.fmin(a, b), (A(2, 3), A(3))),
    OpCase("where", lambda t, a, b: t.where(a > 0, a, b), (A(6), A(6))),
    OpCase("lerp", lambda t, a, b: t.lerp(a, b, 0.3), (A(4), A(4))),
    OpCase("lerp_high_weight", lambda t, a, b: a.lerp(b, 0.8), (A(2, 3), A(3))),
    OpCase("lerp_tensor_weight", lambda t, a, b, w: t.lerp(a, b, w), (A(2, 3), A(3), A(2, 1))),
    OpCase(
        "lerp_const_weight",
        lambda t, a, b, w: t.lerp(a, b, w),
        (A(4), A(4), const(4, low=-0.5, high=1.5)),
    ),
    OpCase("clamp_tensor", lambda t, a, lo, hi: t.clamp(a, lo, hi), (A(3, 4), A(4), A(3, 1))),
    OpCase("clamp_tensor_min", lambda t, a, lo: a.clamp(min=lo), (A(3, 4), A(4))),
    OpCase("clamp_tensor_max", lambda t, a, hi: t.clamp(a, max=hi), (A(2, 3), A(2, 3))),
    OpCase("clamp_min_fn", lambda t, a: t.clamp_min(a, 0.2), (A(5),)),
    OpCase("clamp_max_fn", lambda t, a: t.clamp_max(a, 0.2), (A(5),)),
    OpCase("exp2", lambda t, a: t.exp2(a), (A(4),)),
    OpCase("erfc", lambda t, a: a.erfc(), (A(5),)),
    OpCase("logaddexp", lambda t, a, b: t.logaddexp(a, b), (A(3, 4), A(4))),
    # PyTorch's derivative, grad / (1 + exp(b - a)), is finite here; its own derivative
    # overflows (inf / inf) as PyTorch's does, so no gradgradcheck.
    OpCase("logaddexp_large", lambda t, a, b: t.logaddexp(a * 500, b), (A(4), A(4)), double=False),
    OpCase("round_decimals", lambda t, a: t.round(a, decimals=1) + a, (A(4),)),
    OpCase(
        "softplus",
        lambda t, a: (
            t.nn.functional.softplus(a)
            if hasattr(t, "nn") and hasattr(t.nn, "functional")
            else a.softplus()
        ),
        (A(5),),
        torch=False,
    ),
    # A float32 cast can't pass a float64 finite-difference check; parity covers it.
    OpCase("cast_float32", lambda t, a: a.float() * 2, (A(3),), gradcheck=False),
    OpCase("cast_float64", lambda t, a, b: a.to(t.float64) * b, (A(3), const(3))),
    # First derivatives taken with create_graph=True: their own backward ops.
    OpCase("tanh_backward", lambda t, a: _first_derivative(t, t.tanh, a), (A(4),)),
    OpCase("sigmoid_backward", lambda t, a: _first_derivative(t, t.sigmoid, a), (A(4),)),
    OpCase("pow_backward", lambda t, a: _first_derivative(t, lambda x: x**3, a), (A(4),)),
    OpCase("clone", lambda t, a: a.clone() * a, (A(3),)),
    # In-place writes recorded on a non-leaf: the old value's gradient is zero.
    OpCase("zero_inplace", lambda t, a: (a * 1).zero_() + a * a, (A(2, 3),)),
    OpCase("fill_inplace", lambda t, a: (a * 2).fill_(1.5) * a, (A(2, 3),)),
    OpCase("fill_tensor_inplace", lambda t, a, v: (a * 2).fill_(v) * a, (A(2, 3), A())),
    OpCase("copy_inplace", lambda t, a, s: (a * 2).copy_(s) * a, (A(2, 3), A(3))),
]

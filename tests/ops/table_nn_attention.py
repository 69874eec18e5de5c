"""Op table: scaled_dot_product_attention's fused Op (ScaledDotProductAttention), with masks,
the causal hint, a scale and grouped heads."""

from optable import A, OpCase, mask


def _sdpa(**kw):
    def fn(t, q, k, v, *m):
        return t.nn.functional.scaled_dot_product_attention(q, k, v, *m, **kw)

    return fn


# Attention sums through matmuls and a softmax: float32 parity within a few ulps of 1.
_TOL = {"parity_rtol": 1e-5, "parity_atol": 1e-6}

CASES = [
    OpCase("sdpa", _sdpa(), (A(2, 2, 3, 4), A(2, 2, 5, 4), A(2, 2, 5, 4)), **_TOL),
    OpCase(
        "sdpa_causal", _sdpa(is_causal=True), (A(1, 2, 4, 3), A(1, 2, 4, 3), A(1, 2, 4, 3)), **_TOL
    ),
    OpCase(
        "sdpa_bool_mask_scale",
        _sdpa(scale=0.7),
        (A(1, 1, 3, 2), A(1, 1, 4, 2), A(1, 1, 4, 2), mask(3, 4)),
        **_TOL,
    ),
    OpCase(
        "sdpa_float_mask",
        _sdpa(),
        (A(2, 1, 3, 2), A(2, 1, 4, 2), A(2, 1, 4, 2), A(3, 4, grad=False)),
        **_TOL,
    ),
    OpCase(
        "sdpa_gqa", _sdpa(enable_gqa=True), (A(1, 4, 2, 3), A(1, 2, 3, 3), A(1, 2, 3, 3)), **_TOL
    ),
    OpCase("sdpa_math_3d", _sdpa(), (A(2, 3, 4), A(2, 5, 4), A(2, 5, 3)), **_TOL),
]

"""Op table: group_norm's Op (NativeGroupNorm), with and without affine parameters, on 2-D to
4-D input."""

from optable import A, OpCase


def _gn(groups, eps=1e-5):
    return lambda t, x, *wb: t.nn.functional.group_norm(x, groups, *wb, eps=eps)


# Statistics are sums over each group: float32 parity within a few ulps.
_TOL = {"parity_rtol": 1e-5, "parity_atol": 1e-6}

CASES = [
    OpCase("group_norm", _gn(2), (A(2, 4, 3), A(4), A(4)), **_TOL),
    OpCase("group_norm_4d_eps", _gn(3, 1e-3), (A(2, 6, 2, 2), A(6), A(6)), **_TOL),
    OpCase("group_norm_2d_no_affine", _gn(1), (A(3, 4),), **_TOL),
    OpCase("group_norm_weight_only", _gn(2), (A(2, 4, 3), A(4)), **_TOL),
]

"""Op table: more element-wise math (inverse hyperbolic functions, atan2, hypot, copysign,
deg2rad, nan_to_num, ldexp, frexp, logaddexp2, float_power, rsub, __rdiv__)."""

from optable import A, OpCase, positive

# NumPy's and PyTorch's vectorised acosh/asinh/atanh/atan2/hypot/logaddexp2 round
# differently in the last bit.
ULPS = {"parity_rtol": 4e-6}

CASES = [
    OpCase("acosh", lambda t, a: t.acosh(a), (A(5, low=1.2, high=4),), **ULPS),
    OpCase("arccosh_method", lambda t, a: a.arccosh(), (A(3, low=1.5, high=3),), **ULPS),
    OpCase("asinh", lambda t, a: t.asinh(a), (A(2, 3),), **ULPS),
    OpCase("atanh", lambda t, a: t.arctanh(a), (A(5, low=-0.8, high=0.8),), **ULPS),
    OpCase("atan2", lambda t, a, b: t.atan2(a, b), (A(3, 4), A(4)), **ULPS),
    OpCase("arctan2_method", lambda t, a, b: a.arctan2(b), (A(4), A(4)), **ULPS),
    OpCase("hypot", lambda t, a, b: t.hypot(a, b), (A(3, 4), A(3, 1)), **ULPS),
    OpCase("copysign", lambda t, a, b: t.copysign(a, b), (A(6), A(6))),
    OpCase("copysign_scalar", lambda t, a: a.copysign(-1.0), (A(6),)),
    OpCase("deg2rad", lambda t, a: t.deg2rad(a * 90), (A(4),)),
    OpCase("rad2deg", lambda t, a: a.rad2deg(), (A(4),)),
    OpCase("nan_to_num", lambda t, a: t.nan_to_num(a, posinf=1.0), (A(5),)),
    OpCase("float_power", lambda t, a, b: t.float_power(a, b), (positive(4), A(4))),
    OpCase("float_power_scalar", lambda t, a: a.float_power(2.5), (positive(4),)),
    OpCase("ldexp", lambda t, a, b: t.ldexp(a, b), (A(4), A(4))),
    OpCase("frexp", lambda t, a: t.frexp(a * 10).mantissa, (A(6),)),
    OpCase("logaddexp2", lambda t, a, b: t.logaddexp2(a, b), (A(3, 4), A(4)), **ULPS),
    OpCase("rsub", lambda t, a, b: t.rsub(a, b), (A(3, 4), A(4))),
    OpCase("rsub_alpha", lambda t, a, b: t.rsub(a, b, alpha=2.5), (A(4), A(4))),
    OpCase("rsub_fn_scalar", lambda t, a: t.rsub(a, 2.5), (A(4),)),
    OpCase("rdiv", lambda t, a: a.__rdiv__(3.0), (positive(4),)),
    OpCase("nextafter", lambda t, a, b: t.nextafter(a, b), (A(3, 2), A(2))),
    OpCase("deg2rad_inplace", lambda t, a: (a * 2).deg2rad_() * a, (A(4),)),
    # PyTorch has no derivative for asinh_/acosh_/atanh_ (its backward raises); chainrule
    # records them as it records every in-place op, so there is no oracle for this one.
    OpCase("asinh_inplace", lambda t, a: (a * 0.5).asinh_() * a, (A(4),), torch=False),
]

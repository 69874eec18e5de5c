"""The special functions against PyTorch (ulp-bounded: both libraries compute them with
different algorithms, each within a few ulps of the true value) and against the true
values (mpmath, scipy as a second oracle where installed); their edge values, dtypes and
errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule
from chainrule.ops import _special_kernels as K
from parity import assert_exact, assert_ulp, assert_ulp_at_scale

# (name, chainrule function, PyTorch function name, range, float64 bound, float32 bound).
# Bounds in ulps of PyTorch's value, over the range; each is the largest distance seen on
# 20000 points plus a margin. Reasons where they exceed 4: erfcx and log_ndtr, PyTorch's
# own erfcx is ~5 ulps from the true value (ours ~1); i1/i1e, exp(x) and the series
# multiply; erfc, exp(-x*x) times erfcx.
ACCURACY = [
    ("erfinv", lambda t: chainrule.erfinv(t), "erfinv", (-0.999, 0.999), 4, 2),
    ("lgamma_pos", lambda t: chainrule.lgamma(t), "lgamma", (0.01, 40), 6, 2),
    ("lgamma_large", lambda t: chainrule.lgamma(t), "lgamma", (40, 1e6), 3, 2),
    ("digamma", lambda t: chainrule.digamma(t), "digamma", (2, 30), 2, 4),
    ("trigamma", lambda t: chainrule.polygamma(1, t), "trigamma", (-9.9, 20), 3, 8),
    ("polygamma3", lambda t: chainrule.polygamma(3, t), "polygamma3", (0.1, 20), 5, 3),
    ("i0", lambda t: chainrule.i0(t), "i0", (-30, 30), 5, 5),
    ("i0e", lambda t: chainrule.special.i0e(t), "special.i0e", (-50, 50), 6, 5),
    ("i1", lambda t: chainrule.special.i1(t), "special.i1", (-30, 30), 16, 14),
    ("i1e", lambda t: chainrule.special.i1e(t), "special.i1e", (-50, 50), 12, 10),
    ("ndtri", lambda t: chainrule.special.ndtri(t), "special.ndtri", (1e-6, 1 - 1e-6), 7, 4),
    ("log_ndtr", lambda t: chainrule.special.log_ndtr(t), "special.log_ndtr", (-30, 2), 14, 8),
    ("erfcx", lambda t: chainrule.special.erfcx(t), "special.erfcx", (-5, 60), 10, 8),
    ("sinc", lambda t: chainrule.sinc(t), "sinc", (-4, 4), 2, 2),
    ("entr", lambda t: chainrule.special.entr(t), "special.entr", (0, 5), 2, 2),
]


def _torch_fn(torch, name):
    if name == "trigamma":
        return lambda t: torch.polygamma(1, t)
    if name == "polygamma3":
        return lambda t: torch.polygamma(3, t)
    obj = torch
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", ACCURACY, ids=lambda c: c[0])
def test_within_ulps_of_pytorch(case, dtype, torch):
    name, ours, theirs, (lo, hi), bound64, bound32 = case
    x = np.random.default_rng(len(name)).uniform(lo, hi, 2000).astype(dtype)
    got = ours(chainrule.tensor(x))
    want = _torch_fn(torch, theirs)(torch.tensor(x))
    assert_ulp(got, want, bound64 if dtype == np.float64 else bound32, name)


def test_ndtr_is_pytorchs_formula(torch):
    # (1 + erf(x/sqrt 2)) / 2: near 0 in the lower tail both round to multiples of ulp(1).
    x = np.random.default_rng(0).uniform(-9, 9, 2000)
    for dtype in (np.float64, np.float32):
        got = chainrule.special.ndtr(chainrule.tensor(x.astype(dtype)))
        want = torch.special.ndtr(torch.tensor(x.astype(dtype)))
        assert_ulp_at_scale(got, want, 1.0, 2)


def test_digamma_float32_near_its_root(torch):
    # float32 digamma is computed in float32 as PyTorch's is; near its root (1.4616) the
    # result cancels, so the bound is in ulps of the terms' size (about 2.5).
    x = np.random.default_rng(1).uniform(1.3, 1.6, 2000).astype(np.float32)
    got = chainrule.digamma(chainrule.tensor(x))
    assert_ulp_at_scale(got, torch.digamma(torch.tensor(x)), 2.5, 2)


def test_against_true_values():
    """Against mpmath at 40 digits, where the test environment has it (scipy's mpmath)."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(2)
    checks = [
        (K.lgamma, mpmath.loggamma, rng.uniform(0.5, 30, 200), 4),
        (K.erfinv, mpmath.erfinv, rng.uniform(-0.99, 0.99, 200), 3),
        (K.i0e, lambda v: mpmath.besseli(0, v) * mpmath.exp(-abs(v)), rng.uniform(-40, 40, 200), 4),
        (K.erfcx, lambda v: mpmath.exp(v * v) * mpmath.erfc(v), rng.uniform(-3, 40, 200), 3),
        (K.erf, mpmath.erf, rng.uniform(-5, 5, 200), 2),
        (K.erfc, mpmath.erfc, rng.uniform(-3, 25, 200), 4),
    ]
    for ours, true, x, bound in checks:
        want = np.array([float(true(mpmath.mpf(float(v)))) for v in x])
        assert_ulp(ours(x), want, bound, ours.__name__)


def test_scipy_agrees():
    """scipy.special as a second oracle (never a runtime dependency)."""
    special = pytest.importorskip("scipy.special")
    x = np.random.default_rng(3).uniform(0.1, 20, 500)
    # digamma away from its root, where PyTorch's algorithm (and so chainrule's) cancels.
    assert_ulp(K.digamma(x + 2), special.digamma(x + 2), 8)
    assert_ulp(K.polygamma(2, x), special.polygamma(2, x), 8)
    assert_ulp(K.zeta(2.5, x), special.zeta(2.5, x), 8)
    assert_ulp(K.ndtri(x / 21), special.ndtri(x / 21), 4)
    assert_ulp(K.i1e(x), special.i1e(x), 12)


@pytest.mark.parametrize(
    "fn, values",
    [
        ("lgamma", [0.0, -0.0, -1.0, -2.0, math.inf, -math.inf, math.nan, 1.0, 2.0, 3.0]),
        ("digamma", [0.0, -0.0, -1.0, -3.0, math.inf, math.nan, 1.0, 10.0, -2.5]),
        ("erfinv", [-1.0, 1.0, 1.5, -2.0, 0.0, math.nan]),
        ("i0", [0.0, math.inf, -math.inf, math.nan, 800.0]),
        ("sinc", [0.0, 1.0, -2.0, math.inf, math.nan]),
        ("special.ndtri", [0.0, 1.0, -0.5, 1.5, 0.5, math.nan]),
        ("special.log_ndtr", [-math.inf, math.inf, 0.0, -40.0, math.nan]),
        ("special.erfcx", [-math.inf, math.inf, -30.0, 0.0, math.nan, 1e9]),
        ("special.entr", [0.0, -1.0, math.inf, math.nan, 1.0]),
        ("special.i1e", [0.0, -0.0, math.inf, -math.inf, math.nan]),
    ],
)
def test_edge_values(fn, values, torch):
    x = np.array(values)

    def call(lib):
        obj = lib
        for part in fn.split("."):
            obj = getattr(obj, part)
        return obj(lib.tensor(x))

    assert_ulp(call(chainrule), call(torch), 2, fn)


def test_lgamma_of_negative_numbers(torch):
    # Reflection, log(pi / |x sin(pi x)|) - lgamma(-x): near lgamma's negative roots the
    # two terms cancel, so the bound is in ulps of the terms' size (up to about 3).
    x = np.random.default_rng(4).uniform(-20, 0, 2000)
    x = x[x != np.floor(x)]
    scale = np.maximum(np.abs(np.asarray(torch.lgamma(torch.tensor(-x)))), 1.0)
    assert_ulp_at_scale(
        chainrule.lgamma(chainrule.tensor(x)), torch.lgamma(torch.tensor(x)), scale, 8
    )


def test_integer_input_computes_in_default_float(torch):
    for name in ("lgamma", "digamma", "erfinv", "i0", "sinc"):
        ours = getattr(chainrule, name)(chainrule.tensor([0, 1, 2]))
        theirs = getattr(torch, name)(torch.tensor([0, 1, 2]))
        assert str(ours.dtype) == str(theirs.dtype).replace("torch", "chainrule").replace(
            "chainrule", "torch"
        )
        assert_ulp(ours, theirs, 4)


def test_zeta_and_polygamma(torch):
    x = np.array([1.0, 1.5, 2.0, 3.0, 0.9, 4.0])
    q = np.array([1.0, -2.0, 0.5, -1.5, 2.0, 1e-3])
    assert_ulp(
        chainrule.special.zeta(chainrule.tensor(x), chainrule.tensor(q)),
        torch.special.zeta(torch.tensor(x), torch.tensor(q)),
        4,
    )
    assert_ulp(
        chainrule.special.zeta(2.0, chainrule.tensor(q)),
        torch.special.zeta(2.0, torch.tensor(q)),
        4,
    )
    with pytest.raises(RuntimeError, match="does not support negative n"):
        chainrule.polygamma(-1, chainrule.tensor([1.0]))


def test_mvlgamma_and_logit(torch):
    x = np.array([1.5, 2.0, 3.25, 0.2])
    for p in (1, 2, 3):
        assert_ulp(
            chainrule.mvlgamma(chainrule.tensor(x), p), torch.mvlgamma(torch.tensor(x), p), 4
        )
    y = np.array([-0.5, 0.0, 0.05, 0.5, 0.97, 1.0, 2.0])
    for eps in (None, 0.1):
        assert_ulp(chainrule.logit(chainrule.tensor(y), eps), torch.logit(torch.tensor(y), eps), 1)


def test_xlogy_zero_and_nan(torch):
    x = np.array([0.0, 0.0, 1.0, 2.0, 0.0])
    y = np.array([0.0, math.nan, 0.0, 3.0, -1.0])
    # x * log(y) where x != 0: PyTorch's vectorised log is within an ulp of NumPy's.
    assert_ulp(
        chainrule.xlogy(chainrule.tensor(x), chainrule.tensor(y)),
        torch.xlogy(torch.tensor(x), torch.tensor(y)),
        2,
    )
    assert_ulp(
        chainrule.special.xlog1py(chainrule.tensor(x), chainrule.tensor(y - 1)),
        torch.special.xlog1py(torch.tensor(x), torch.tensor(y - 1)),
        2,
    )
    assert_ulp(chainrule.xlogy(2, chainrule.tensor(y)), torch.xlogy(2, torch.tensor(y)), 2)


def test_xlogy_gradient_where_x_is_zero(torch):
    # d/dx of x log y is log y at x == 0 too (0 where y is outside the log's domain, and NaN
    # where y is); d/dy is x / y, NaN at 0 / 0. Exact: the same log and division.
    x = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 2.0])
    y = np.array([0.5, 0.0, -0.5, -1.0, -2.0, np.nan, -0.5, 0.0, 1e-300, 3.0])
    for name in ("xlogy", "special.xlog1py"):
        grads = []
        for lib in (chainrule, torch):
            fn = lib.xlogy if name == "xlogy" else lib.special.xlog1py
            a = lib.tensor(x, requires_grad=True)
            b = lib.tensor(y, requires_grad=True)
            fn(a, b).sum().backward()
            grads.append((a.grad.numpy(), b.grad.numpy()))
        for ours, theirs in zip(grads[0], grads[1]):
            assert_exact(ours, theirs)


def test_grad_fn_names(torch):
    for fn in (
        lambda lib, x: lib.lgamma(x),
        lambda lib, x: lib.special.i0e(x),
        lambda lib, x: lib.special.i1(x),
        lambda lib, x: lib.special.ndtri(x / 4),
        lambda lib, x: lib.polygamma(2, x),
        lambda lib, x: lib.special.xlog1py(x, x),
        lambda lib, x: lib.xlogy(2.0, x),
        lambda lib, x: lib.special.zeta(2.0, x),
        lambda lib, x: lib.logit(x / 4),
        lambda lib, x: lib.mvlgamma(x + 2, 2),
    ):
        names = []
        for lib in (chainrule, torch):
            x = lib.tensor([0.5, 1.5], requires_grad=True)
            names.append(type(fn(lib, x).grad_fn).__name__)
        assert names[0] == names[1]


def test_special_namespace_has_pytorchs_names(torch):
    ours = {n for n in dir(chainrule.special) if not n.startswith("_")}
    for name in (
        "expit",
        "logit",
        "erf",
        "erfc",
        "erfinv",
        "erfcx",
        "exp2",
        "expm1",
        "log1p",
        "sinc",
        "round",
        "softmax",
        "log_softmax",
        "logsumexp",
        "gammaln",
        "digamma",
        "psi",
        "multigammaln",
        "polygamma",
        "zeta",
        "i0",
        "i0e",
        "i1",
        "i1e",
        "ndtr",
        "ndtri",
        "log_ndtr",
        "entr",
        "xlogy",
        "xlog1py",
    ):
        assert name in ours and hasattr(torch.special, name), name

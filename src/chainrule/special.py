"""chainrule.special: the torch.special functions, under PyTorch's names.

The special functions themselves are in ops/special.py; the rest are chainrule's
existing ops under the names torch.special gives them (expit is sigmoid, gammaln is
lgamma, psi is digamma, multigammaln is mvlgamma, ...).
"""

from __future__ import annotations

from . import erf, erfc, exp2, expm1, log1p, log_softmax, logsumexp, round, sigmoid, softmax
from .ops.numpy_names import accept_numpy_names as _accept_numpy_names
from .ops.special import (
    digamma,
    entr,
    erfcx,
    erfinv,
    i0,
    i0e,
    i1,
    i1e,
    lgamma,
    log_ndtr,
    logit,
    mvlgamma,
    ndtr,
    ndtri,
    polygamma,
    sinc,
    xlog1py,
    xlogy,
    zeta,
)

__all__ = [
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammaln",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "sinc",
    "softmax",
    "xlog1py",
    "xlogy",
    "zeta",
]

expit = sigmoid
gammaln = lgamma
psi = digamma


def multigammaln(input, p):
    """The multivariate log-gamma function of dimension p (torch.special.multigammaln)."""
    return mvlgamma(input, p)


# NumPy's argument names (axis=, keepdims=, x=) where PyTorch takes them, as for chainrule.*
_accept_numpy_names([globals()])

"""chainrule.distributions: probability distributions with PyTorch's interface (batch and
event shapes, sample/rsample/log_prob/entropy, mean/variance, argument validation) and
closed-form KL divergences.

rsample is reparameterised: gradients flow from samples back to the parameters (for Gamma,
Beta and Dirichlet through the implicit derivative of the sample, see _implicit.py). Random
draws come from chainrule's own generator (chainrule.manual_seed), through the same calls
PyTorch's distributions make. The special functions (lgamma, digamma, erfinv, xlogy) and
the Cholesky factor and triangular solves are chainrule's public ops.
"""

from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform

__all__ = [
    "Bernoulli",
    "Beta",
    "Categorical",
    "Dirichlet",
    "Distribution",
    "ExponentialFamily",
    "Gamma",
    "Independent",
    "MultivariateNormal",
    "Normal",
    "Uniform",
    "constraints",
    "kl_divergence",
    "register_kl",
]

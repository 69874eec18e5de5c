"""ExponentialFamily: the base of the distributions whose densities are exponential
families (Normal, Bernoulli, Gamma, Beta, Dirichlet), as in PyTorch."""

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """p(x; theta) = exp(<t(x), theta> - F(theta) + k(x)): subclasses may give
    _natural_params and _log_normalizer."""

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

"""chainrule.backends: flags PyTorch scripts set (cudnn.deterministic ...).

chainrule computes with NumPy on the CPU, so these flags change nothing; they exist so
that scripts that set or query them run unchanged.
"""

from . import cpu, cuda, cudnn, mkldnn, mps, openmp  # noqa: F401

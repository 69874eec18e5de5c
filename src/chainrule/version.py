"""Versions: chainrule's own, and the PyTorch release whose behaviour it follows.

`chainrule.__version__` (which scripts see as `torch.__version__` under `chainrule run`)
is "2.13.0+chainrule.0.1.0": PyTorch's release number, so that version checks in
PyTorch scripts take PyTorch 2.13's code path, with chainrule's release as the local
label, as PyTorch's own builds carry theirs ("2.13.0+cpu"). It is a TorchVersion, so
`torch.__version__ >= "1.6"` and `< (2, 2)` compare as versions.
"""

from .torch_version import TorchVersion

chainrule = "0.1.0"  # chainrule's own release
torch = "2.13.0"  # the PyTorch release whose behaviour chainrule follows
__version__ = TorchVersion(f"{torch}+chainrule.{chainrule}")

# What a CPU-only PyTorch build reports.
cuda = None
hip = None
rocm = None
xpu = None
debug = False
git_version = "unknown"

"""torchvision.models.mobilenet: MobileNet v2 and v3 under one module, as torchvision has it."""

from .mobilenetv2 import *  # noqa: F403
from .mobilenetv2 import __all__ as _v2
from .mobilenetv3 import *  # noqa: F403
from .mobilenetv3 import __all__ as _v3

__all__ = [n for n in _v2 + _v3 if n != "InvertedResidual"]

"""chainrule.vision.ops: the building blocks torchvision.ops offers that its models use."""

from .misc import Conv2dNormActivation, ConvNormActivation, SqueezeExcitation

__all__ = ["Conv2dNormActivation", "ConvNormActivation", "SqueezeExcitation"]

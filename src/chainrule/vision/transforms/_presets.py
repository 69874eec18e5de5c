"""ImageClassification: the preprocessing a weights enum's .transforms() gives, as torchvision
defines it: resize, centre crop, scale to [0, 1] floats, normalise with ImageNet's mean/std."""

from __future__ import annotations

from chainrule.nn import Module
from chainrule.tensor import Tensor

from . import functional as F
from .functional import InterpolationMode

__all__ = ["ImageClassification"]


class ImageClassification(Module):
    def __init__(
        self,
        *,
        crop_size,
        resize_size=256,
        mean=(0.485, 0.456, 0.406),
        std=(0.229, 0.224, 0.225),
        interpolation=InterpolationMode.BILINEAR,
        antialias=True,
    ):
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        img = F.resize(img, self.resize_size, self.interpolation, antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if not isinstance(img, Tensor):
            img = F.to_tensor(img)  # uint8 pixels scaled to [0, 1]
        elif not img.is_floating_point():
            img = img.float() / 255
        return F.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(\n"
            f"    crop_size={self.crop_size}\n"
            f"    resize_size={self.resize_size}\n"
            f"    mean={self.mean}\n"
            f"    std={self.std}\n"
            f"    interpolation={self.interpolation}\n"
            ")"
        )

"""VGG 11/13/16/19, with and without batch normalisation, as torchvision builds them."""

from __future__ import annotations

import chainrule
from chainrule import nn

from ._api import WeightsEnum, _builder
from ._utils import _weights

__all__ = [
    "VGG",
    "VGG11_BN_Weights",
    "VGG11_Weights",
    "VGG13_BN_Weights",
    "VGG13_Weights",
    "VGG16_BN_Weights",
    "VGG16_Weights",
    "VGG19_BN_Weights",
    "VGG19_Weights",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
]


class VGG(nn.Module):
    """features (3x3 convolutions and max pools), a 7x7 adaptive average pool, and a
    classifier of three fully connected layers. init_weights: Kaiming-normal convolutions
    (fan_out), N(0, 0.01) linear weights, zero biases, unit batch-norm scales."""

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = chainrule.flatten(x, 1)
        return self.classifier(x)


def make_layers(cfg, batch_norm=False):
    """The feature extractor for a configuration: channel counts, "M" for a 2x2 max pool."""
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        256,
        256,
        "M",
        512,
        512,
        512,
        512,
        "M",
        512,
        512,
        512,
        512,
        "M",
    ],  # fmt: skip
}


def _vgg(cfg, batch_norm, **kwargs):
    return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)


_VGG = {"min_size": (32, 32)}


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(132863336, **_VGG)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(132868840, **_VGG)
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(133047848, **_VGG)
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(133053736, **_VGG)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(138357544, **_VGG)
    IMAGENET1K_FEATURES = _weights(138357544, **_VGG)  # the feature-extraction variant
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(138365992, **_VGG)
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(143667240, **_VGG)
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(143678248, **_VGG)
    DEFAULT = IMAGENET1K_V1


@_builder(VGG11_Weights)
def vgg11(*, weights=None, progress=True, **kwargs):
    """VGG 11 (configuration "A")."""
    return _vgg("A", False, **kwargs)


@_builder(VGG11_BN_Weights)
def vgg11_bn(*, weights=None, progress=True, **kwargs):
    """VGG 11 with batch normalisation."""
    return _vgg("A", True, **kwargs)


@_builder(VGG13_Weights)
def vgg13(*, weights=None, progress=True, **kwargs):
    """VGG 13 (configuration "B")."""
    return _vgg("B", False, **kwargs)


@_builder(VGG13_BN_Weights)
def vgg13_bn(*, weights=None, progress=True, **kwargs):
    """VGG 13 with batch normalisation."""
    return _vgg("B", True, **kwargs)


@_builder(VGG16_Weights)
def vgg16(*, weights=None, progress=True, **kwargs):
    """VGG 16 (configuration "D")."""
    return _vgg("D", False, **kwargs)


@_builder(VGG16_BN_Weights)
def vgg16_bn(*, weights=None, progress=True, **kwargs):
    """VGG 16 with batch normalisation."""
    return _vgg("D", True, **kwargs)


@_builder(VGG19_Weights)
def vgg19(*, weights=None, progress=True, **kwargs):
    """VGG 19 (configuration "E")."""
    return _vgg("E", False, **kwargs)


@_builder(VGG19_BN_Weights)
def vgg19_bn(*, weights=None, progress=True, **kwargs):
    """VGG 19 with batch normalisation."""
    return _vgg("E", True, **kwargs)

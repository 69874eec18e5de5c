"""DenseNet 121/161/169/201, as torchvision builds them: dense blocks in which each layer
sees the concatenation of every earlier layer's output, joined by transition layers."""

from __future__ import annotations

from collections import OrderedDict

import chainrule
from chainrule import nn
from chainrule.nn import functional as F

from ._api import WeightsEnum, _builder
from ._utils import _weights

__all__ = [
    "DenseNet",
    "DenseNet121_Weights",
    "DenseNet161_Weights",
    "DenseNet169_Weights",
    "DenseNet201_Weights",
    "densenet121",
    "densenet161",
    "densenet169",
    "densenet201",
]


class _DenseLayer(nn.Module):
    """BN-ReLU-1x1 convolution (to bn_size * growth_rate), BN-ReLU-3x3 convolution (to
    growth_rate), on the concatenated earlier features. memory_efficient recomputes the
    first half in backward (activation checkpointing)."""

    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate, memory_efficient=False):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(
            num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False
        )
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(
            bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False
        )
        self.drop_rate = float(drop_rate)
        self.memory_efficient = memory_efficient

    def bn_function(self, inputs):
        concated_features = chainrule.cat(inputs, 1)
        return self.conv1(self.relu1(self.norm1(concated_features)))

    def any_requires_grad(self, inputs):
        return any(t.requires_grad for t in inputs)

    def call_checkpoint_bottleneck(self, inputs):
        from chainrule.utils.checkpoint import checkpoint

        return checkpoint(lambda *xs: self.bn_function(list(xs)), *inputs, use_reentrant=False)

    def forward(self, input):
        prev_features = [input] if isinstance(input, chainrule.Tensor) else input
        if self.memory_efficient and self.any_requires_grad(prev_features):
            bottleneck_output = self.call_checkpoint_bottleneck(prev_features)
        else:
            bottleneck_output = self.bn_function(prev_features)
        new_features = self.conv2(self.relu2(self.norm2(bottleneck_output)))
        if self.drop_rate > 0:
            new_features = F.dropout(new_features, p=self.drop_rate, training=self.training)
        return new_features


class _DenseBlock(nn.ModuleDict):
    _version = 2

    def __init__(
        self,
        num_layers,
        num_input_features,
        bn_size,
        growth_rate,
        drop_rate,
        memory_efficient=False,
    ):
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(
                num_input_features + i * growth_rate,
                growth_rate=growth_rate,
                bn_size=bn_size,
                drop_rate=drop_rate,
                memory_efficient=memory_efficient,
            )
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features):
        features = [init_features]
        for _, layer in self.items():
            features.append(layer(features))
        return chainrule.cat(features, 1)


class _Transition(nn.Sequential):
    """BN-ReLU-1x1 convolution halving the channels, then 2x2 average pooling."""

    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(
            num_input_features, num_output_features, kernel_size=1, stride=1, bias=False
        )
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    """features (a 7x7 stem, dense blocks of block_config layers with transitions, a final
    batch norm), ReLU, global average pooling, linear classifier. Convolutions
    Kaiming-normal, batch norms scale 1 shift 0, the classifier's bias 0."""

    def __init__(
        self,
        growth_rate=32,
        block_config=(6, 12, 24, 16),
        num_init_features=64,
        bn_size=4,
        drop_rate=0,
        num_classes=1000,
        memory_efficient=False,
    ):
        super().__init__()
        self.features = nn.Sequential(
            OrderedDict(
                [
                    (
                        "conv0",
                        nn.Conv2d(
                            3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False
                        ),
                    ),
                    ("norm0", nn.BatchNorm2d(num_init_features)),
                    ("relu0", nn.ReLU(inplace=True)),
                    ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
                ]
            )
        )
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            block = _DenseBlock(
                num_layers=num_layers,
                num_input_features=num_features,
                bn_size=bn_size,
                growth_rate=growth_rate,
                drop_rate=drop_rate,
                memory_efficient=memory_efficient,
            )
            self.features.add_module(f"denseblock{i + 1}", block)
            num_features = num_features + num_layers * growth_rate
            if i != len(block_config) - 1:
                trans = _Transition(
                    num_input_features=num_features, num_output_features=num_features // 2
                )
                self.features.add_module(f"transition{i + 1}", trans)
                num_features = num_features // 2
        self.features.add_module("norm5", nn.BatchNorm2d(num_features))
        self.classifier = nn.Linear(num_features, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        features = self.features(x)
        out = F.relu(features, inplace=True)
        out = F.adaptive_avg_pool2d(out, (1, 1))
        out = chainrule.flatten(out, 1)
        return self.classifier(out)


def _densenet(growth_rate, block_config, num_init_features, **kwargs):
    return DenseNet(growth_rate, block_config, num_init_features, **kwargs)


_DENSE = {"min_size": (29, 29)}


class DenseNet121_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(7978856, **_DENSE)
    DEFAULT = IMAGENET1K_V1


class DenseNet161_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(28681000, **_DENSE)
    DEFAULT = IMAGENET1K_V1


class DenseNet169_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(14149480, **_DENSE)
    DEFAULT = IMAGENET1K_V1


class DenseNet201_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(20013928, **_DENSE)
    DEFAULT = IMAGENET1K_V1


@_builder(DenseNet121_Weights)
def densenet121(*, weights=None, progress=True, **kwargs):
    """DenseNet-121: growth 32, blocks (6, 12, 24, 16), 64 stem channels."""
    return _densenet(32, (6, 12, 24, 16), 64, **kwargs)


@_builder(DenseNet161_Weights)
def densenet161(*, weights=None, progress=True, **kwargs):
    """DenseNet-161: growth 48, blocks (6, 12, 36, 24), 96 stem channels."""
    return _densenet(48, (6, 12, 36, 24), 96, **kwargs)


@_builder(DenseNet169_Weights)
def densenet169(*, weights=None, progress=True, **kwargs):
    """DenseNet-169: growth 32, blocks (6, 12, 32, 32)."""
    return _densenet(32, (6, 12, 32, 32), 64, **kwargs)


@_builder(DenseNet201_Weights)
def densenet201(*, weights=None, progress=True, **kwargs):
    """DenseNet-201: growth 32, blocks (6, 12, 48, 32)."""
    return _densenet(32, (6, 12, 48, 32), 64, **kwargs)

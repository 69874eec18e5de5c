"""A PyTorch twin of a chainrule.vision model, for the parity tests: the leaf layers are
rebuilt from torch.nn with the same settings, and every composite block's forward is written
out here by hand from torchvision's architecture (which branch feeds which, where the shortcut
joins, what is concatenated), independently of chainrule's model code. Loading chainrule's
state_dict into the twin (strictly) checks every parameter and buffer name and shape."""

from __future__ import annotations


def _leaf(torch, m):
    """The torch.nn twin of one chainrule leaf layer, or None if m is not a leaf layer."""
    nn = torch.nn
    kind = type(m).__name__
    if kind == "Conv2d":
        return nn.Conv2d(
            m.in_channels,
            m.out_channels,
            m.kernel_size,
            m.stride,
            m.padding,
            m.dilation,
            m.groups,
            m.bias is not None,
        )
    if kind == "BatchNorm2d":
        return nn.BatchNorm2d(m.num_features, m.eps, m.momentum)
    if kind == "Linear":
        return nn.Linear(m.in_features, m.out_features, m.bias is not None)
    if kind in ("ReLU", "ReLU6", "Hardswish", "Hardsigmoid"):
        return getattr(nn, kind)()
    if kind == "Sigmoid":
        return nn.Sigmoid()
    if kind == "Dropout":
        return nn.Dropout(m.p)
    if kind == "MaxPool2d":
        return nn.MaxPool2d(m.kernel_size, m.stride, m.padding, m.dilation, ceil_mode=m.ceil_mode)
    if kind == "AvgPool2d":
        return nn.AvgPool2d(m.kernel_size, m.stride, m.padding, m.ceil_mode)
    if kind == "AdaptiveAvgPool2d":
        return nn.AdaptiveAvgPool2d(m.output_size)
    return None


# -- how each composite block computes, by its class name (torchvision's wiring) ----------------
def _basic_block(t, m, x):
    out = m.relu(m.bn1(m.conv1(x)))
    out = m.bn2(m.conv2(out))
    identity = x if m.downsample is None else m.downsample(x)
    return m.relu(out + identity)


def _bottleneck(t, m, x):
    out = m.relu(m.bn1(m.conv1(x)))
    out = m.relu(m.bn2(m.conv2(out)))
    out = m.bn3(m.conv3(out))
    identity = x if m.downsample is None else m.downsample(x)
    return m.relu(out + identity)


def _resnet(t, m, x):
    x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
    x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
    return m.fc(t.flatten(m.avgpool(x), 1))


def _basic_conv(t, m, x):
    return t.relu(m.bn(m.conv(x)))


def _googlenet_inception(t, m, x):
    return t.cat([m.branch1(x), m.branch2(x), m.branch3(x), m.branch4(x)], 1)


def _googlenet_aux(t, m, x):
    x = m.conv(t.nn.functional.adaptive_avg_pool2d(x, (4, 4)))
    x = t.relu(m.fc1(t.flatten(x, 1)))
    return m.fc2(m.dropout(x))


def _googlenet(t, m, x):
    if m.transform_input:
        x = _imagenet_to_half(t, x)
    x = m.maxpool1(m.conv1(x))
    x = m.maxpool2(m.conv3(m.conv2(x)))
    x = m.maxpool3(m.inception3b(m.inception3a(x)))
    x = m.inception4a(x)
    first = m.aux1(x) if m.aux1 is not None and m.training else None
    x = m.inception4d(m.inception4c(m.inception4b(x)))
    second = m.aux2(x) if m.aux2 is not None and m.training else None
    x = m.maxpool4(m.inception4e(x))
    x = m.inception5b(m.inception5a(x))
    x = m.fc(m.dropout(t.flatten(m.avgpool(x), 1)))
    if m.training and m.aux_logits:
        # torchvision's GoogLeNetOutputs(logits, aux_logits2, aux_logits1) carries the first
        # auxiliary head as aux_logits2
        return (x, first, second)
    return x


def _imagenet_to_half(t, x):
    chans = [
        t.unsqueeze(x[:, i], 1) * (s / 0.5) + (mu - 0.5) / 0.5
        for i, (mu, s) in enumerate(((0.485, 0.229), (0.456, 0.224), (0.406, 0.225)))
    ]
    return t.cat(chans, 1)


def _inception_a(t, m, x):
    F = t.nn.functional
    b1 = m.branch1x1(x)
    b5 = m.branch5x5_2(m.branch5x5_1(x))
    b3 = m.branch3x3dbl_3(m.branch3x3dbl_2(m.branch3x3dbl_1(x)))
    bp = m.branch_pool(F.avg_pool2d(x, 3, 1, 1))
    return t.cat([b1, b5, b3, bp], 1)


def _inception_b(t, m, x):
    b3 = m.branch3x3(x)
    bd = m.branch3x3dbl_3(m.branch3x3dbl_2(m.branch3x3dbl_1(x)))
    return t.cat([b3, bd, t.nn.functional.max_pool2d(x, 3, 2)], 1)


def _inception_c(t, m, x):
    b1 = m.branch1x1(x)
    b7 = m.branch7x7_3(m.branch7x7_2(m.branch7x7_1(x)))
    bd = x
    for i in range(1, 6):
        bd = getattr(m, f"branch7x7dbl_{i}")(bd)
    bp = m.branch_pool(t.nn.functional.avg_pool2d(x, 3, 1, 1))
    return t.cat([b1, b7, bd, bp], 1)


def _inception_d(t, m, x):
    b3 = m.branch3x3_2(m.branch3x3_1(x))
    b7 = x
    for i in range(1, 5):
        b7 = getattr(m, f"branch7x7x3_{i}")(b7)
    return t.cat([b3, b7, t.nn.functional.max_pool2d(x, 3, 2)], 1)


def _inception_e(t, m, x):
    b1 = m.branch1x1(x)
    b3 = m.branch3x3_1(x)
    b3 = t.cat([m.branch3x3_2a(b3), m.branch3x3_2b(b3)], 1)
    bd = m.branch3x3dbl_2(m.branch3x3dbl_1(x))
    bd = t.cat([m.branch3x3dbl_3a(bd), m.branch3x3dbl_3b(bd)], 1)
    bp = m.branch_pool(t.nn.functional.avg_pool2d(x, 3, 1, 1))
    return t.cat([b1, b3, bd, bp], 1)


def _inception_aux(t, m, x):
    F = t.nn.functional
    x = m.conv1(m.conv0(F.avg_pool2d(x, 5, 3)))
    return m.fc(t.flatten(F.adaptive_avg_pool2d(x, (1, 1)), 1))


def _inception3(t, m, x):
    if m.transform_input:
        x = _imagenet_to_half(t, x)
    for name in ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1"):
        x = getattr(m, name)(x)
    for name in ("Conv2d_3b_1x1", "Conv2d_4a_3x3", "maxpool2"):
        x = getattr(m, name)(x)
    for name in ("Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c"):
        x = getattr(m, name)(x)
    x = m.Mixed_6e(m.Mixed_6d(x))
    aux = m.AuxLogits(x) if m.AuxLogits is not None and m.training else None
    x = m.Mixed_7c(m.Mixed_7b(m.Mixed_7a(x)))
    x = m.fc(t.flatten(m.dropout(m.avgpool(x)), 1))
    return (x, aux) if m.training and m.aux_logits else x


def _inverted_residual(t, m, x):
    body = m.conv if hasattr(m, "conv") else m.block  # v2 names it conv, v3 block
    out = body(x)
    return x + out if m.use_res_connect else out


def _squeeze_excitation(t, m, x):
    scale = m.scale_activation(m.fc2(m.activation(m.fc1(m.avgpool(x)))))
    return scale * x


def _mobilenet_v2(t, m, x):
    x = t.nn.functional.adaptive_avg_pool2d(m.features(x), (1, 1))
    return m.classifier(t.flatten(x, 1))


def _features_pool_classifier(t, m, x):
    return m.classifier(t.flatten(m.avgpool(m.features(x)), 1))


def _fire(t, m, x):
    x = m.squeeze_activation(m.squeeze(x))
    return t.cat(
        [m.expand1x1_activation(m.expand1x1(x)), m.expand3x3_activation(m.expand3x3(x))], 1
    )


def _squeezenet(t, m, x):
    return t.flatten(m.classifier(m.features(x)), 1)


def _dense_layer(t, m, features):
    x = t.cat(features, 1)
    x = m.conv1(m.relu1(m.norm1(x)))
    return m.conv2(m.relu2(m.norm2(x)))


def _dense_block(t, m, x):
    features = [x]
    for layer in m.children():
        features.append(layer(features))
    return t.cat(features, 1)


def _densenet(t, m, x):
    out = t.relu(m.features(x))
    out = t.nn.functional.adaptive_avg_pool2d(out, (1, 1))
    return m.classifier(t.flatten(out, 1))


WIRING = {
    "BasicBlock": _basic_block,
    "Bottleneck": _bottleneck,
    "ResNet": _resnet,
    "BasicConv2d": _basic_conv,
    "Inception": _googlenet_inception,
    "GoogLeNet": _googlenet,
    "InceptionA": _inception_a,
    "InceptionB": _inception_b,
    "InceptionC": _inception_c,
    "InceptionD": _inception_d,
    "InceptionE": _inception_e,
    "Inception3": _inception3,
    "InvertedResidual": _inverted_residual,
    "SqueezeExcitation": _squeeze_excitation,
    "MobileNetV2": _mobilenet_v2,
    "MobileNetV3": _features_pool_classifier,
    "AlexNet": _features_pool_classifier,
    "VGG": _features_pool_classifier,
    "Fire": _fire,
    "SqueezeNet": _squeezenet,
    "_DenseLayer": _dense_layer,
    "_DenseBlock": _dense_block,
    "DenseNet": _densenet,
}
# InceptionAux differs between GoogLeNet and Inception v3: told apart by their children
AUX = {"fc1": _googlenet_aux, "conv0": _inception_aux}
SEQUENTIAL = {"Sequential", "Conv2dNormActivation", "_Transition"}
KEPT = ("aux_logits", "transform_input", "use_res_connect")  # plain attributes forward reads


def twin(torch, module):
    """The torch.nn twin of a chainrule module tree (same child names, same settings)."""
    leaf = _leaf(torch, module)
    if leaf is not None:
        return leaf
    kind = type(module).__name__
    children = [(name, twin(torch, child)) for name, child in module.named_children()]
    if kind in SEQUENTIAL:
        from collections import OrderedDict

        return torch.nn.Sequential(OrderedDict(children))
    if kind == "InceptionAux":
        wiring = next(fn for child, fn in AUX.items() if hasattr(module, child))
    else:
        wiring = WIRING[kind]
    node = _Composite(torch, wiring)
    for name, child in children:
        node.add_module(name, child)
    for name in ("aux1", "aux2", "AuxLogits", "downsample"):
        if getattr(module, name, "absent") is None:  # an optional part left out
            setattr(node, name, None)
    for name in KEPT:
        if hasattr(module, name):
            object.__setattr__(node, name, getattr(module, name))
    return node


def _Composite(torch, wiring):
    class Composite(torch.nn.Module):
        def forward(self, x):
            return wiring(torch, self, x)

    return Composite()

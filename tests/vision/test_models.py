"""chainrule.vision.models against torchvision's architectures.

Structure: every builder's parameter count equals the num_params torchvision publishes for
its weights, and named parameters have torchvision's names and shapes. Numbers: each model's
PyTorch twin (models_reference.py: torch.nn leaf layers, block wiring written out by hand)
loads chainrule's state_dict strictly (every name and shape) and gives the same outputs and
input gradients on a batch. Initialisation: torchvision's distributions per layer kind.
Weights: none are downloaded; asking for them raises an error that says how to load a file.

A sample of the models runs by default (the larger ones cost seconds each);
CHAINRULE_ALL_MODELS=1 runs them all.
"""

import inspect
import math
import os
import warnings

import numpy as np
import pytest
from models_reference import twin

import chainrule
from chainrule.vision import models

ALL = os.environ.get("CHAINRULE_ALL_MODELS") == "1"

# the models run by default, with the input side they are checked at
SAMPLE = {
    "resnet18": 32,
    "googlenet": 32,
    "mobilenet_v3_small": 32,
    "squeezenet1_1": 32,
}
MORE = {
    "inception_v3": 75,
    "mobilenet_v2": 64,
    "alexnet": 63,
    "resnet34": 64,
    "resnet50": 64,
    "resnet101": 32,
    "resnet152": 32,
    "resnext50_32x4d": 32,
    "wide_resnet50_2": 32,
    "mobilenet_v3_large": 64,
    "squeezenet1_0": 64,
    "densenet121": 64,
    "densenet161": 32,
    "vgg11": 32,
    "vgg11_bn": 32,
    "vgg16": 32,
    "vgg19_bn": 32,
}
CHECKED = {**SAMPLE, **(MORE if ALL else {})}


@pytest.fixture
def no_init(monkeypatch):
    """Initialisers that leave memory as it is: builds even VGG in milliseconds, for tests
    that look at structure only."""
    for name in (
        "uniform_",
        "normal_",
        "kaiming_uniform_",
        "kaiming_normal_",
        "trunc_normal_",
        "constant_",
        "ones_",
        "zeros_",
    ):
        monkeypatch.setattr(chainrule.nn.init, name, lambda t, *a, **k: t)


def _build(name, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # GoogLeNet/Inception's init notice
        return models.get_model(name, **kwargs)


def test_every_parameter_count_is_torchvisions(no_init):
    builders = models.list_models()
    assert len(builders) == 30
    for name in builders:
        published = models.get_model_weights(name).DEFAULT.meta["num_params"]
        # torchvision's GoogLeNet weights come without the auxiliary classifiers
        kwargs = {"aux_logits": False} if name == "googlenet" else {}
        model = _build(name, **kwargs)
        assert sum(p.numel() for p in model.parameters()) == published, name


# names and shapes torchvision's state_dicts hold, one or two per architecture
KNOWN = {
    "resnet18": {"layer2.0.downsample.0.weight": (128, 64, 1, 1), "fc.weight": (1000, 512)},
    "resnet50": {"layer4.2.conv3.weight": (2048, 512, 1, 1), "layer1.0.bn3.running_var": (256,)},
    "googlenet": {
        "inception3a.branch3.1.conv.weight": (32, 16, 3, 3),
        "inception4e.branch4.1.bn.running_mean": (128,),
        "aux2.fc1.weight": (1024, 2048),
    },
    "inception_v3": {
        "Mixed_6e.branch7x7dbl_5.conv.weight": (192, 192, 1, 7),
        "AuxLogits.conv1.conv.weight": (768, 128, 5, 5),
        "Mixed_7c.branch3x3dbl_3b.bn.num_batches_tracked": (),
    },
    "mobilenet_v2": {"features.17.conv.2.weight": (320, 960, 1, 1), "classifier.1.bias": (1000,)},
    "mobilenet_v3_small": {
        "features.1.block.1.fc1.weight": (8, 16, 1, 1),
        "features.12.0.weight": (576, 96, 1, 1),
        "classifier.0.weight": (1024, 576),
    },
    "mobilenet_v3_large": {"features.16.0.weight": (960, 160, 1, 1)},
    "squeezenet1_0": {"features.12.expand3x3.weight": (256, 64, 3, 3)},
    "squeezenet1_1": {"classifier.1.weight": (1000, 512, 1, 1)},
    "densenet121": {
        "features.denseblock4.denselayer16.conv2.weight": (32, 128, 3, 3),
        "features.transition3.conv.weight": (512, 1024, 1, 1),
        "features.norm5.weight": (1024,),
    },
    "alexnet": {"classifier.1.weight": (4096, 9216)},
    "vgg16_bn": {"features.41.weight": (512,), "classifier.6.weight": (1000, 4096)},
}


@pytest.mark.parametrize("name", KNOWN)
def test_state_dict_names_and_shapes(no_init, name):
    state = _build(name).state_dict()
    for key, shape in KNOWN[name].items():
        assert tuple(state[key].shape) == shape, key


def _random_weights(model, seed=0):
    """Every parameter and batch-norm statistic redrawn at a scale that keeps activations
    of order one through the depth (the built-in inits shrink some outputs to the biases)."""
    rng = np.random.default_rng(seed)
    state = {}
    for key, value in model.state_dict().items():
        shape = tuple(value.shape)
        if key.endswith("num_batches_tracked"):
            state[key] = value.numpy()
            continue
        if key.endswith("running_var") or (key.endswith("weight") and len(shape) == 1):
            a = rng.uniform(0.5, 1.5, shape)
        elif key.endswith("running_mean") or key.endswith("bias"):
            a = rng.normal(0.0, 0.1, shape)
        else:
            fan_in = int(np.prod(shape[1:]))
            a = rng.normal(0.0, math.sqrt(2.0 / fan_in), shape)
        state[key] = a.astype(np.float32)
    return state


def _torch_twin(torch, model, state):
    reference = twin(torch, model)
    # strict: every parameter and buffer name and shape must be the same
    reference.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=True)
    model.load_state_dict({k: chainrule.tensor(v) for k, v in state.items()})
    return reference


def _close(ours, theirs, what, rel=1e-4):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, what
    scale = float(np.abs(theirs).max())
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=rel * scale, err_msg=what)


@pytest.mark.parametrize("name", CHECKED)
def test_outputs_and_input_gradients_match_pytorch(torch, name):
    torch.set_num_threads(1)
    side = CHECKED[name]
    model = _build(name, num_classes=10)
    reference = _torch_twin(torch, model, _random_weights(model))
    model.eval()
    reference.eval()
    x = np.random.default_rng(1).standard_normal((2, 3, side, side)).astype(np.float32)
    # float32: convolutions and matmuls round as each library's kernels do, compounded over
    # the depth, so logits agree within 1e-4 of their scale
    with chainrule.no_grad(), torch.no_grad():
        ours, theirs = model(chainrule.tensor(x)), reference(torch.tensor(x))
    _close(ours.numpy(), theirs.numpy(), f"{name} float32 logits")
    # float64 for the gradient: in float32 a ReLU input that lands within rounding of 0 (or
    # ReLU6's 6) in one library and not the other switches a unit's gradient on or off
    model.double()
    reference.double()
    ours_x = chainrule.tensor(x.astype(np.float64), requires_grad=True)
    theirs_x = torch.tensor(x.astype(np.float64), requires_grad=True)
    ours, theirs = model(ours_x), reference(theirs_x)
    _close(ours.detach().numpy(), theirs.detach().numpy(), f"{name} float64 logits", 1e-10)
    weights = np.linspace(-1, 1, 20).reshape(2, 10)
    (ours * chainrule.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    _close(ours_x.grad.numpy(), theirs_x.grad.numpy(), f"{name} input gradient", 1e-10)


TRAINING = [("googlenet", 32)] + ([("inception_v3", 299)] if ALL else [])


@pytest.mark.parametrize("name, side", TRAINING)
def test_training_outputs_carry_the_auxiliary_logits_as_torchvision(torch, name, side):
    torch.set_num_threads(1)
    no_dropout = {"dropout": 0.0, **({"dropout_aux": 0.0} if name == "googlenet" else {})}
    model = _build(name, num_classes=5, **no_dropout)
    reference = _torch_twin(torch, model, _random_weights(model, seed=3))
    # float64: training-mode batch norm over two samples amplifies rounding differences
    model.double()
    reference.double()
    x = np.random.default_rng(2).standard_normal((2, 3, side, side))
    ours = model.train()(chainrule.tensor(x))
    theirs = reference.train()(torch.tensor(x))
    expected = models.GoogLeNetOutputs if name == "googlenet" else models.InceptionOutputs
    assert type(ours) is expected and len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        _close(a.detach().numpy(), b.detach().numpy(), f"{name} {type(ours).__name__}", 1e-9)
    assert isinstance(model.eval()(chainrule.tensor(x)), chainrule.Tensor)


def _std(t):
    return float(t.detach().numpy().std())


def test_initialisation_follows_torchvision():
    chainrule.manual_seed(0)
    r = _build("resnet18")
    # Kaiming normal, fan_out, for ReLU: std sqrt(2 / (out * k * k))
    assert _std(r.layer3[0].conv1.weight) == pytest.approx(math.sqrt(2 / (256 * 9)), rel=0.05)
    assert r.layer1[0].bn1.weight.tolist() == [1.0] * 64 and not r.bn1.bias.any()
    bound = 1 / math.sqrt(512)  # the Linear default, left as it is
    assert float(r.fc.weight.detach().abs().max()) <= bound and _std(r.fc.weight) > 0.5 * bound

    g = _build("googlenet")
    assert _std(g.inception4a.branch2[1].conv.weight) == pytest.approx(0.01, rel=0.05)
    assert _std(g.aux1.fc1.weight) == pytest.approx(0.01, rel=0.05)

    i = _build("inception_v3")
    assert _std(i.Mixed_6e.branch7x7dbl_1.conv.weight) == pytest.approx(0.1, rel=0.05)
    assert _std(i.AuxLogits.fc.weight) == pytest.approx(0.001, rel=0.05)
    # torchvision marks the BasicConv2d, not its Conv2d: the convolution keeps std 0.1
    assert _std(i.AuxLogits.conv1.conv.weight) == pytest.approx(0.1, rel=0.05)

    m = _build("mobilenet_v3_small")
    assert _std(m.classifier[3].weight) == pytest.approx(0.01, rel=0.05)
    assert not m.classifier[0].bias.any() and not m.features[1].block[1].fc1.bias.any()
    assert _std(m.features[9].block[0][0].weight) == pytest.approx(math.sqrt(2 / 288), rel=0.05)

    s = _build("squeezenet1_1")
    assert _std(s.classifier[1].weight) == pytest.approx(0.01, rel=0.05)
    bound = math.sqrt(6 / (48 * 9))  # Kaiming uniform, fan_in, a=0
    w = s.features[9].expand3x3.weight
    assert float(w.detach().abs().max()) <= bound and _std(w) == pytest.approx(
        bound / 3**0.5, rel=0.05
    )
    assert not s.features[9].expand3x3.bias.any()

    d = _build("densenet121")
    assert not d.classifier.bias.any()
    conv = d.features.denseblock2.denselayer3.conv1.weight
    assert _std(conv) == pytest.approx(math.sqrt(2 / conv.shape[1]), rel=0.05)


def test_zero_init_residual_and_options():
    r = _build("resnet18", zero_init_residual=True)
    assert not r.layer2[1].bn2.weight.any() and r.layer2[1].bn1.weight.all()
    assert _build("googlenet", aux_logits=False).aux1 is None
    assert _build("inception_v3", aux_logits=False).AuxLogits is None
    assert _build("mobilenet_v2", width_mult=0.5).features[0][0].out_channels == 16
    assert _build("mobilenet_v3_large", reduced_tail=True).features[-1][0].out_channels == 480
    assert _build("squeezenet1_0", num_classes=7).classifier[1].out_channels == 7


# torchvision's constructor signatures (parameter names and defaults)
SIGNATURES = {
    models.GoogLeNet: "(self, num_classes=1000, aux_logits=True, transform_input=False, "
    "init_weights=None, blocks=None, dropout=0.2, dropout_aux=0.7)",
    models.Inception3: "(self, num_classes=1000, aux_logits=True, transform_input=False, "
    "inception_blocks=None, init_weights=None, dropout=0.5)",
    models.ResNet: "(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, "
    "width_per_group=64, replace_stride_with_dilation=None, norm_layer=None)",
    models.VGG: "(self, features, num_classes=1000, init_weights=True, dropout=0.5)",
    models.AlexNet: "(self, num_classes=1000, dropout=0.5)",
    models.SqueezeNet: "(self, version='1_0', num_classes=1000, dropout=0.5)",
    models.DenseNet: "(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, "
    "bn_size=4, drop_rate=0, num_classes=1000, memory_efficient=False)",
    models.MobileNetV2: "(self, num_classes=1000, width_mult=1.0, inverted_residual_setting=None, "
    "round_nearest=8, block=None, norm_layer=None, dropout=0.2)",
    models.googlenet.__wrapped__: "(*, weights=None, progress=True, **kwargs)",
}


@pytest.mark.parametrize("cls", SIGNATURES, ids=lambda c: c.__name__)
def test_constructor_signatures_are_torchvisions(cls):
    fn = cls.__init__ if isinstance(cls, type) else cls
    assert str(inspect.signature(fn)) == SIGNATURES[cls]


def test_module_paths_and_class_names():
    from chainrule.vision.models.googlenet import BasicConv2d, Inception, InceptionAux
    from chainrule.vision.models.resnet import BasicBlock, Bottleneck

    assert models.GoogLeNet.__module__ == "chainrule.vision.models.googlenet"
    block = Inception(192, 64, 96, 128, 16, 32, 32)
    assert [n for n, _ in block.named_children()] == ["branch1", "branch2", "branch3", "branch4"]
    assert isinstance(block.branch1, BasicConv2d) and InceptionAux(512, 10).fc2.out_features == 10
    assert BasicBlock.expansion == 1 and Bottleneck.expansion == 4
    assert callable(models.googlenet) and callable(models.alexnet)  # builders shadow modules
    for module in ("inception", "mobilenetv2", "mobilenetv3", "squeezenet", "densenet", "vgg"):
        assert hasattr(getattr(models, module), "__all__")


# -- weights ------------------------------------------------------------------------------
def test_weights_enums_have_default_and_torchvisions_members():
    assert models.ResNet18_Weights.DEFAULT is models.ResNet18_Weights.IMAGENET1K_V1
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert models.GoogLeNet_Weights.DEFAULT.meta["min_size"] == (15, 15)
    assert repr(models.VGG16_Weights.IMAGENET1K_FEATURES) == "VGG16_Weights.IMAGENET1K_FEATURES"
    assert models.get_weight("ResNet18_Weights.DEFAULT") is models.ResNet18_Weights.IMAGENET1K_V1
    assert models.get_model_weights("googlenet") is models.GoogLeNet_Weights
    preprocess = models.ResNet18_Weights.DEFAULT.transforms()
    image = chainrule.rand(3, 300, 260)
    assert tuple(preprocess(image).shape) == (3, 224, 224)


@pytest.mark.parametrize(
    "weights",
    [
        "DEFAULT",
        "IMAGENET1K_V1",
        "ResNet18_Weights.IMAGENET1K_V1",
        models.ResNet18_Weights.DEFAULT,
    ],
)
def test_asking_for_weights_says_how_to_load_a_file(weights):
    with pytest.raises(models.PretrainedWeightsUnavailable) as info:
        models.resnet18(weights=weights)
    message = str(info.value)
    assert "need a download" in message and "downloads none" in message
    assert "model = resnet18(); model.load_state_dict(torch.load(path))" in message
    assert isinstance(info.value, RuntimeError)


def test_the_old_pretrained_flag_warns_as_torchvision():
    with pytest.warns(UserWarning) as caught:
        model = models.resnet18(pretrained=False)
    assert isinstance(model, models.ResNet)
    assert [str(w.message) for w in caught] == [
        "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
        "please use 'weights' instead.",
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 "
        "and may be removed in the future. The current behavior is equivalent to passing "
        "`weights=None`.",
    ]
    with pytest.warns(UserWarning), pytest.raises(models.PretrainedWeightsUnavailable):
        models.googlenet(pretrained=True)


def test_bad_weights_are_refused():
    with pytest.raises(TypeError, match="expected ResNet18_Weights but received ResNet34_Weights"):
        models.resnet18(weights=models.ResNet34_Weights.DEFAULT)
    with pytest.raises(ValueError, match="Invalid weights name"):
        models.resnet18(weights="IMAGENET2K")
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model("resnet7")

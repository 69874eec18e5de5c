"""chainrule.vision.models: torchvision's image classification models, with its module paths,
class names, constructors, parameter names and initialisation. Weights are never downloaded:
weights=None (the default) builds a freshly initialised model; pretrained weights raise
PretrainedWeightsUnavailable, which says how to load a file you already have."""

from . import (
    densenet,
    googlenet,
    inception,
    mobilenet,
    mobilenetv2,
    mobilenetv3,
    resnet,
    squeezenet,
    vgg,
)
from ._api import (
    PretrainedWeightsUnavailable,
    Weights,
    WeightsEnum,
    get_model,
    get_model_builder,
    get_model_weights,
    get_weight,
    list_models,
)
from .alexnet import *
from .densenet import *
from .googlenet import *
from .inception import *
from .mobilenetv2 import *
from .mobilenetv3 import *
from .resnet import *
from .squeezenet import *
from .vgg import *

# As in torchvision, a builder shadows the module it shares a name with (models.alexnet,
# models.googlenet are functions); `from torchvision.models.googlenet import Inception`
# still finds the module.

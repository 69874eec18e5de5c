"""chainrule.nn: modules, parameters, layers and losses, as torch.nn."""

from . import functional, init, utils
from .modules import *
from .parameter import *

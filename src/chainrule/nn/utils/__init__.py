"""nn.utils: helpers for parameters and recurrent inputs."""

from . import rnn
from .clip_grad import *

"""nn.utils: helpers for parameters and recurrent inputs."""

from . import rnn

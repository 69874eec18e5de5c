"""The nn.Module classes, one family per file."""

from .activation import *
from .container import *
from .dropout import *
from .flatten import *
from .linear import *
from .loss import *
from .module import *
from .normalization import *
from .sparse import *

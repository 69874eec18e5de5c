"""chainrule.nn.functional: the functional forms of the nn layers and losses."""

from .activation import *
from .dropout import *
from .linear import *
from .loss import *
from .normalization import *
from .sparse import *

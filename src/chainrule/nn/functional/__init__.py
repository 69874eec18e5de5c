"""chainrule.nn.functional: the functional forms of the nn layers and losses."""

from .activation import *
from .attention import *
from .conv import *
from .distance import *
from .dropout import *
from .fold import *
from .fractional_pooling import *
from .grid_sample import *
from .linear import *
from .loss import *
from .margin_losses import *
from .nll_losses import *
from .normalization import *
from .padding import *
from .pixelshuffle import *
from .pooling import *
from .pooling3d import *
from .rnn import *
from .sparse import *
from .upsampling import *

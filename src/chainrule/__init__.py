"""chainrule: reverse-mode automatic differentiation on NumPy arrays, with PyTorch's API.

`import chainrule as torch` runs PyTorch teaching code unchanged.
"""

import gc as _gc
import importlib as _importlib
import warnings as _warnings

# The import makes tens of thousands of objects (functions, classes, NumPy's too) that live
# as long as the program: the cycle collector's passes over them while they are made find
# nothing to free and cost a tenth of the import's time, so it pauses meanwhile.
_gc_was_enabled = _gc.isenabled()
_gc.disable()
try:
    from . import autograd, ops, return_types  # noqa: F401  (ops attaches Tensor's math methods)
    from ._alias import alias_torch  # noqa: F401
    from ._allocation import OutOfMemoryError  # noqa: F401
    from ._arithmetic import is_pytorch_arithmetic_enabled, use_pytorch_arithmetic  # noqa: F401
    from ._legacy import *  # FloatTensor, LongTensor, ... set_default_tensor_type
    from .autograd.anomaly_mode import (  # noqa: F401
        detect_anomaly,
        is_anomaly_check_nan_enabled,
        is_anomaly_enabled,
        set_detect_anomaly,
    )
    from .autograd.grad_mode import (  # noqa: F401
        enable_grad,
        inference_mode,
        is_grad_enabled,
        is_inference_mode_enabled,
        no_grad,
        set_grad_enabled,
    )
    from .device import device, get_default_device, set_default_device  # noqa: F401
    from .dtypes import (
        bfloat16,
        complex32,
        complex64,
        complex128,
        dtype,
        float16,
        float32,
        float64,
        get_default_dtype,
        int8,
        int16,
        int32,
        int64,
        promote_types,
        set_default_dtype,
        uint8,
    )
    from .dtypes import (  # noqa: F401
        bool_ as bool,
    )
    from .layouts import *
    from .ops.comparison import *
    from .ops.conversion import *
    from .ops.creation import *
    from .ops.factories import *
    from .ops.indexing import *
    from .ops.inplace import *
    from .ops.joining import *
    from .ops.matmul import *
    from .ops.methods import *
    from .ops.pointwise import *
    from .ops.reduction import *
    from .ops.shape import *
    from .ops.unary import *
    from .random import (  # noqa: F401
        Generator,
        default_generator,
        get_rng_state,
        initial_seed,
        manual_seed,
        seed,
        set_rng_state,
    )
    from .random.sampling import *  # rand, randn, ... (and, through fills, Tensor.uniform_, ...)
    from .tensor import Size, Tensor  # noqa: F401
    from .threads import *
    from .type_info import *

    half = float16
    float = float32
    double = float64
    long = int64
    int = int32
    short = int16
    cfloat = complex64
    cdouble = complex128
    chalf = complex32

    # (The packages above the ops, written in Tensor operations only, load on first use:
    # _LAZY_MODULES below.)
    from .ops import _lazy as _lazy_ops
    from .ops.numpy_names import accept_numpy_names as _accept_numpy_names

    # Last, once every op is defined: axis=/keepdims= (NumPy's names) where PyTorch takes them.
    _accept_numpy_names([globals()], Tensor)
    # The op families that load on first use (ops/_lazy.py): their Tensor attributes are
    # placeholders until then, their names here come from __getattr__ below.
    _lazy_ops.install()

    # What the import made lives as long as the program: it joins the collector's oldest
    # generation at once (freeze then unfreeze moves every tracked object there without
    # visiting it), not through a young collection that visits it all and frees nothing.
    # (Not where the program has frozen objects of its own: unfreeze would release them.)
    if _gc_was_enabled and not _gc.get_freeze_count():
        _gc.freeze()
        _gc.unfreeze()
finally:
    if _gc_was_enabled:
        _gc.enable()

# Arithmetic that overflows or leaves the domain (log(0), 1/0, exp(1000)) gives
# inf or nan silently, as in PyTorch; anomaly mode is the tool that stops on a
# NaN gradient. NumPy would warn from inside chainrule's own modules, so those
# warnings, and only those, are ignored; NumPy used directly still warns.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"chainrule(\.|$)")


# Imported on first use (PEP 562), so that `import chainrule` stays quick: the packages a
# script may never touch, and the names taken from them. `import chainrule.utils.data`,
# `chainrule.distributions.Normal` and, under the torch alias, `import torch.distributions`
# all import them as usual.
_LAZY_MODULES = frozenset(
    {
        *("accelerator", "amp", "backends", "compiler", "cuda", "distributions", "fft"),
        *("func", "linalg", "nn", "onnx", "optim", "serialization", "signal", "special"),
        *("testing", "torch_version", "utils", "version", "viz"),
    }
)
_LAZY_NAMES = {
    "load": "serialization",
    "save": "serialization",
    "explain": "viz",
    "set_printoptions": "_printing",
    "compile": "compiler",
    "__version__": "version",
    **dict.fromkeys(
        ("autocast", "get_autocast_dtype", "is_autocast_enabled", "set_autocast_enabled"), "amp"
    ),
}
# nn's functions that PyTorch also has at the top level (torch.cdist, torch.gru_cell, ...):
# nn.functional._torch_level's __all__ and the four RNN cells (a test keeps the two in step).
_NN_NAMES = frozenset(
    {
        "cdist",
        "channel_shuffle",
        "conv3d",
        "conv_transpose3d",
        "cosine_similarity",
        "dist",
        "group_norm",
        "instance_norm",
        "max_pool3d",
        "native_channel_shuffle",
        "pairwise_distance",
        "pdist",
        "pixel_shuffle",
        "pixel_unshuffle",
        "rms_norm",
        "rrelu",
        "rrelu_",
        "gru_cell",
        "lstm_cell",
        "rnn_relu_cell",
        "rnn_tanh_cell",
    }
)


def _nn_names():
    """The top-level nn functions, taking NumPy's argument names as the others do."""
    from .nn.functional import _torch_level, rnn

    names = {n: getattr(_torch_level, n) for n in _torch_level.__all__}
    names.update(
        {n: getattr(rnn, n) for n in ("gru_cell", "lstm_cell", "rnn_relu_cell", "rnn_tanh_cell")}
    )
    _accept_numpy_names([names])
    return names


# `from chainrule import *` exports what it did when every package was imported eagerly:
# the public names above, and those that load on first use (which it loads).
__all__ = sorted(
    {n for n in globals() if not n.startswith("_")}
    | _LAZY_MODULES
    | {n for n in _LAZY_NAMES if not n.startswith("_")}
    | _NN_NAMES
    | set(_lazy_ops.TOP_LEVEL)
)


def __getattr__(name):
    family = _lazy_ops.TOP_LEVEL.get(name)
    if family is not None:
        # the family's module, as it loads, enters its names here (ops/_lazy.py's publish)
        _importlib.import_module(f"{__name__}.ops.{family}")
        return globals()[name]
    if name in _NN_NAMES:
        names = _nn_names()
        globals().update(names)
        return names[name]
    module = _LAZY_NAMES.get(name)
    if module is not None:
        value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value
    if name in _LAZY_MODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY_MODULES, *_LAZY_NAMES, *_NN_NAMES, *_lazy_ops.TOP_LEVEL})

"""Weights enums and the model registry, as torchvision.models has them.

chainrule downloads no weights. Each builder takes `weights=None` (the default: torchvision's
initialisation) and refuses any weights (an enum member, its name, or the old
`pretrained=True`) with an error saying how to load a file the user already has.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = [
    "PretrainedWeightsUnavailable",
    "Weights",
    "WeightsEnum",
    "get_model",
    "get_model_builder",
    "get_model_weights",
    "get_weight",
    "list_models",
]


class PretrainedWeightsUnavailable(RuntimeError):
    """Raised when a builder is asked for pretrained weights: chainrule downloads none."""


@dataclass(eq=False)
class Weights:
    """One set of pretrained weights: the preprocessing it expects (transforms) and facts
    about it (meta: num_params, min_size). url is None: chainrule fetches nothing."""

    url: Any
    transforms: Any
    meta: dict = field(default_factory=dict)


class WeightsEnum(Enum):
    """The weights published for one architecture; DEFAULT names the recommended member."""

    @classmethod
    def verify(cls, obj):
        """None, a member of this enum, or its name ('IMAGENET1K_V1', 'DEFAULT', or
        'ResNet18_Weights.DEFAULT') as a member; anything else is refused."""
        if obj is None:
            return None
        if isinstance(obj, str):
            name = obj.replace(cls.__name__ + ".", "")
            if name not in cls.__members__:
                raise ValueError(f"Invalid weights name {obj!r} for {cls.__name__}")
            obj = cls[name]
        if not isinstance(obj, cls):
            raise TypeError(
                f"Invalid Weight class provided; expected {cls.__name__} but received "
                f"{obj.__class__.__name__}."
            )
        return obj

    def get_state_dict(self, *args, **kwargs):
        raise _unavailable(self)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


def _unavailable(weights, builder=None):
    builder = builder or "the model's builder"
    name = f"{type(weights).__name__}.{weights.name}"
    return PretrainedWeightsUnavailable(
        f"{builder}(weights={name}): pretrained weights need a download, and chainrule "
        "downloads none. Build the model with weights=None (the default: torchvision's "
        "initialisation), then load a weights file you already have: "
        f"model = {builder}(); model.load_state_dict(torch.load(path))"
    )


# -- builders: weights handling and the registry ----------------------------------------------
_MODELS = {}


def _builder(weights_enum):
    """Decorate a model builder `fn(*, weights=None, progress=True, **kwargs)`: accept the old
    `pretrained` flag and a positional `weights` with torchvision's deprecation warnings,
    refuse pretrained weights, and register the builder by name."""

    def decorate(fn):
        name = fn.__name__

        @functools.wraps(fn)
        def builder(*args, weights=None, progress=True, **kwargs):
            if args:
                if len(args) > 1:
                    raise TypeError(
                        f"{name}() takes from 0 to 1 positional arguments but {len(args)} "
                        "were given"
                    )
                warnings.warn(
                    "Using 'weights' as positional parameter(s) is deprecated since 0.13 and "
                    "may be removed in the future. Please use keyword parameter(s) instead.",
                    UserWarning,
                    stacklevel=2,
                )
                weights = args[0]
            if "pretrained" in kwargs or isinstance(weights, bool):
                pretrained = kwargs.pop("pretrained") if "pretrained" in kwargs else weights
                warnings.warn(
                    "The parameter 'pretrained' is deprecated since 0.13 and may be "
                    "removed in the future, please use 'weights' instead.",
                    UserWarning,
                    stacklevel=2,
                )
                default = weights_enum.DEFAULT if pretrained else None
                if pretrained:
                    equivalent = f"{weights_enum.__name__}.{default.name}"
                    tail = (
                        f"You can also use `weights={weights_enum.__name__}.DEFAULT` to get the "
                        "most up-to-date weights."
                    )
                else:
                    equivalent, tail = "None", ""
                warnings.warn(
                    "Arguments other than a weight enum or `None` for 'weights' are deprecated "
                    "since 0.13 and may be removed in the future. The current behavior is "
                    f"equivalent to passing `weights={equivalent}`. {tail}".rstrip(),
                    UserWarning,
                    stacklevel=2,
                )
                weights = default
            weights = weights_enum.verify(weights)
            if weights is not None:
                raise _unavailable(weights, name)
            return fn(weights=None, progress=progress, **kwargs)

        builder.weights_enum = weights_enum
        _MODELS[name] = builder
        return builder

    return decorate


def list_models(module=None, include=None, exclude=None):
    """The names of the registered builders, sorted; optionally those of one module."""
    names = sorted(
        name
        for name, fn in _MODELS.items()
        if module is None or fn.__module__.rsplit(".", 1)[0] == module.__name__
    )
    if include is not None:
        import fnmatch

        patterns = [include] if isinstance(include, str) else include
        names = sorted({n for p in patterns for n in fnmatch.filter(names, p)})
    if exclude is not None:
        import fnmatch

        patterns = [exclude] if isinstance(exclude, str) else exclude
        names = [n for n in names if not any(fnmatch.fnmatch(n, p) for p in patterns)]
    return names


def get_model_builder(name):
    name = name.lower()
    try:
        return _MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config):
    """Build a registered model by name: get_model('resnet18', num_classes=10)."""
    return get_model_builder(name)(**config)


def get_model_weights(name):
    """The weights enum of a model, by builder or name."""
    fn = name if callable(name) else get_model_builder(name)
    return fn.weights_enum


def get_weight(name):
    """A weights enum member by its full name: get_weight('ResNet18_Weights.DEFAULT')."""
    enum_name, _, member = name.partition(".")
    for fn in _MODELS.values():
        if fn.weights_enum.__name__ == enum_name:
            return fn.weights_enum[member]
    raise ValueError(f"Unknown weight enum '{enum_name}'")

"""Adding a gradient into a leaf's .grad, and when the gradient itself may become .grad.

Without create_graph, a later gradient is added in place into .grad's memory, as
PyTorch does; under create_graph it is added out of place, so the sum is
recorded. A leaf's first gradient becomes its .grad without a copy ("stealing",
as PyTorch does it) only when nothing but the engine can reach its memory.

That is proved with reference counts: the gradient Tensor, its array and, for a
view that covers its base exactly (the t() of a t() that a Linear weight's
gradient is), the base array and the Tensor the view was made from must each be
held by the engine and the gradient alone, so no user tensor, hook, saved value
or other view can see or change it. The array must also be writeable and
C-contiguous (what a copy would give). The engine's own references are counted
once, at import, by sending gradients that nothing else holds through the very
same calls (a local in a caller -> accumulate_into -> _stealable), so the counts
agree on any interpreter; where they do not, the gradient is copied.
"""

from __future__ import annotations

from sys import getrefcount

import numpy as np

from .._narrow import round_in_place
from ..tensor import Tensor


def accumulate_into(var: Tensor | _Unseen, g: Tensor, create_graph: bool) -> None:
    """Add g to var.grad: in place when no graph is built, as PyTorch does."""
    if var._grad is None:
        if create_graph:
            var._grad = g
        else:
            data = _stealable(g)  # nothing else can see this array: keep it, uncopied
            var._grad = Tensor._wrap(g._data.copy() if data is None else data)
    elif create_graph:
        var._grad = var._grad + g
    else:
        existing = var._grad
        data = existing._data
        try:
            np.add(data, g._data, out=data)
        except ValueError:  # a read-only .grad (e.g. an expanded tensor the user set)
            var._grad = Tensor._wrap(data + g._data)
            return
        counter = existing._version_counter  # existing._bump_version(), inline
        if counter is None:
            existing._version_counter = [1]
        else:
            counter[0] += 1
        if data.dtype.metadata is not None:  # bfloat16, complex32: the sum is rounded
            round_in_place(data)


# The reference counts of gradients only the engine holds: (an array of its own, a view of
# a base, a view made from a tensor); None while they are being counted, at import.
_ENGINE_REFS: tuple | None = None
_CALIBRATION: list[tuple[int, int, int, int]] = []


def _stealable(g: Tensor) -> np.ndarray | None:
    """The array of g when .grad may take it without a copy, else None."""
    counts = _reference_counts(g)
    if _ENGINE_REFS is None:
        _CALIBRATION.append(counts)
        return None
    data = g._data
    flags = data.flags
    if not (flags.c_contiguous and flags.writeable) or data.__class__ is not np.ndarray:
        return None
    if flags.owndata:
        return data if counts == _ENGINE_REFS[0] and g._base is None else None
    base = data.base
    owner = g._base
    if (
        base.__class__ is not np.ndarray
        or not base.flags.owndata
        or base.shape != data.shape
        or base.strides != data.strides  # same extent: the view starts where base does
        or (owner is not None and owner._data is not base)
    ):
        return None
    return data if counts == _ENGINE_REFS[1 if owner is None else 2] else None


def _reference_counts(g: Tensor) -> tuple[int, int, int, int]:
    data = g._data
    base = data.base
    owner = g._base
    return (
        getrefcount(g),
        getrefcount(data),
        0 if base is None else getrefcount(base),
        0 if owner is None else getrefcount(owner),
    )


class _Unseen:
    """A stand-in leaf for counting: accumulate_into only sets its _grad."""

    _grad: Tensor | None = None


def _engine_refs() -> tuple:
    """Reference counts of gradients that only the engine holds: an array of its own, a
    view covering a base array, and such a view made from a Tensor (g._base). Each is held
    as the engine's loop over leaves holds a gradient: one local."""
    g = Tensor._wrap(np.zeros((2, 3)))
    accumulate_into(_Unseen(), g, False)
    g = Tensor._wrap(np.zeros((2, 3)).T.T)
    accumulate_into(_Unseen(), g, False)
    made_from = Tensor._wrap(np.zeros((2, 3)))
    g = Tensor._wrap(made_from._data.T.T)
    g._base = made_from
    made_from = None
    accumulate_into(_Unseen(), g, False)
    counts = tuple(_CALIBRATION)
    _CALIBRATION.clear()
    return counts


_ENGINE_REFS = _engine_refs()

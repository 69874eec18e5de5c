"""Small tensor helpers the linear-algebra ops and their derivatives share."""

from __future__ import annotations

import warnings

import numpy as np

from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor

_wrap = Tensor._wrap


def recording():
    """Whether the backward being run builds a graph (create_graph=True)."""
    return _grad_state.enabled


def const(array):
    return _wrap(np.asarray(array))


def real_np_dtype(t):
    return t._data.real.dtype if t._data.dtype.kind == "c" else t._data.dtype


def eps_of(t):
    """The machine epsilon of t's real type."""
    return float(np.finfo(real_np_dtype(t)).eps)


def eye(n, like):
    """An n x n identity of like's real dtype (a constant)."""
    return _wrap(np.eye(n, dtype=real_np_dtype(like)))


def diag(a):
    """The diagonals of a batch of matrices, (..., n)."""
    return a.diagonal(0, -2, -1)


def sym(x):
    return x + x.mH


def to_matrix(b, vector):
    return b.unsqueeze(-1) if vector else b


def to_vector(x, vector):
    return x.squeeze(-1) if vector else x


def wrap_pair(a, b):
    return _wrap(a), _wrap(b)


_WARNED = set()


def deprecated(name, message):
    """PyTorch's once-per-process deprecation warning of an older linear-algebra name."""
    if name not in _WARNED:
        _WARNED.add(name)
        warnings.warn(message, UserWarning, stacklevel=3)

"""torch.multinomial's two CPU algorithms.

- Without replacement, or a single sample: the exponential race. q = Exp(1) draws (one
  double uniform each, -log(1 - u), rounded to the input's dtype) in the input's memory
  order; the samples are the indices of the largest p / q, largest first (argmax for one).
- With replacement (two or more samples): per row, the running sum of the probabilities in
  the input's dtype, divided by the total, its last entry set to 1; each sample is the
  first category whose cumulative probability reaches a double uniform.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from . import _kernels as K


def _check(probs, num_samples, replacement):
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if probs.dtype.kind != "f":
        raise RuntimeError(
            "multinomial only supports floating-point dtypes for input, got: "
            f"{dtypes.scalar_type_name(dtypes.from_numpy_dtype(probs.dtype))}"
        )
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > probs.shape[-1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if probs.shape[-1] > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")


def _exponential_race(gen, probs, num_samples):
    with np.errstate(invalid="ignore"):
        valid = bool(np.all(probs >= 0) and np.max(probs) < np.inf)
    if not valid:
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = probs.reshape(-1, probs.shape[-1])
    if (rows.sum(axis=1, dtype=np.float64) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    u = K.unit_float64(gen.words64(probs.size))
    q = K.through_libm(lambda v: -np.log1p(-v), lambda v: -math.log1p(-v), [u], probs.dtype)
    q = K.values_in_memory_order(probs, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        keys = (probs / q).reshape(rows.shape)
    if num_samples == 1:
        return np.argmax(keys, axis=1)[:, None]
    # largest first; equal keys (zero probabilities) in index order
    order = np.argsort(-keys, axis=1, kind="stable")
    return order[:, :num_samples]


def _with_replacement(gen, probs, num_samples):
    rows = probs.reshape(-1, probs.shape[-1])
    out = np.empty((rows.shape[0], num_samples), np.int64)
    for i, row in enumerate(rows):
        bad = np.flatnonzero(~(row >= 0) | ~np.isfinite(row))
        if bad.size:
            first = row[bad[0]]
            if not first >= 0:  # NaN fails this test first, as in PyTorch's loop
                raise RuntimeError(
                    "invalid multinomial distribution (encountering probability entry < 0)"
                )
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry = infinity or "
                "NaN)"
            )
        acc = row.astype(np.float32) if row.dtype == np.float16 else row
        cumulative = np.cumsum(acc, dtype=acc.dtype)
        total = cumulative[-1]
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cumulative = cumulative / total
        cumulative[-1] = 1
        u = K.unit_float64(gen.words64(num_samples))
        out[i] = np.searchsorted(cumulative.astype(np.float64), u, side="left")
    return out


def multinomial_values(gen, probs, num_samples, replacement):
    """Indices drawn from each row of probs (a 1-D or 2-D NumPy array), shaped
    probs.shape[:-1] + (num_samples,)."""
    _check(probs, num_samples, replacement)
    shape = probs.shape[:-1] + (num_samples,)
    if probs.size == 0 or math.prod(shape) == 0:
        return np.zeros(shape, np.int64)
    if not replacement or num_samples == 1:
        result = _exponential_race(gen, probs, num_samples)
    else:
        result = _with_replacement(gen, probs, num_samples)
    return result.reshape(shape)

"""A 2-D float product handed to the BLAS in whichever of two equivalent forms runs faster.

a @ b can be computed as it is, or as (b.T @ a.T).T copied back to rows: the same
products and sums (each element is a row of a times a column of b), with the two operands'
roles swapped in the BLAS call. OpenBLAS blocks the two roles differently, so for some
shapes one form is markedly faster: a batch of 64 rows times a Linear's 784x256 weight
(given as weight.T) runs about a fifth faster swapped, on an AVX-512 CPU.

`product(a, b)` decides once per shape, dtype and operand layout, the first time a product
big enough to matter comes up: it times both forms on random matrices of that shape and
layout and remembers the faster. The swap is taken only where both forms give the same
bits on those matrices: some CPUs' kernels sum in another order when the roles swap, and
there the plain form is always used, so a result never depends on which form was faster.
Each decision is kept in `_CHOICES`; `_MAX_CHOICES` bounds them.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["product"]

# Products of fewer multiply-adds than _MIN_WORK are not timed: the forms differ by less
# than the timing would cost (the MLP's 64x128 by 128x10 product is 82 thousand). Nor are
# products of more than _MAX_WORK: deciding costs twenty of them (seconds' wait for one
# 4096-square product), and there the copy back to rows makes the swap dearer anyway.
_MIN_WORK = 1 << 20
_MAX_WORK = 1 << 27
_MAX_CHOICES = 256  # distinct shapes decided; later new shapes take the plain form
_ROUNDS = 9  # timings of each form, alternating; their medians are compared
_MARGIN = 0.95  # the swapped form must be this much faster than the plain one

# (dtype, m, k, n, a's layout, b's layout) -> whether the swapped form is taken
_CHOICES: dict[tuple, bool] = {}
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _layout(x: np.ndarray) -> str | None:
    flags = x.flags
    return "C" if flags.c_contiguous else "F" if flags.f_contiguous else None


def _plain(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.matmul(a, b)


def _swapped(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.matmul(b.T, a.T).T)


def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for 2-D arrays, as np.matmul gives it (a new C-contiguous array), in the faster
    of the two forms where both give the same bits."""
    dtype = a.dtype
    m, k = a.shape
    n = b.shape[1]
    if not _MIN_WORK <= m * k * n <= _MAX_WORK or dtype is not b.dtype or dtype not in _FLOATS:
        return np.matmul(a, b)
    if dtype.metadata is not None:  # bfloat16 is stored in float32: its own rounding applies
        return np.matmul(a, b)
    key = (dtype, m, k, n, _layout(a), _layout(b))
    swap = _CHOICES.get(key)
    if swap is None:
        if None in key[4:] or len(_CHOICES) >= _MAX_CHOICES:
            return np.matmul(a, b)
        swap = _CHOICES[key] = _decide(dtype, m, k, n, key[4], key[5])
    return _swapped(a, b) if swap else np.matmul(a, b)


def _probe(shape: tuple[int, int], layout: str, dtype: np.dtype, rng) -> np.ndarray:
    x = rng.standard_normal(shape).astype(dtype)
    return x if layout == "C" else np.asfortranarray(x)


def _decide(dtype: np.dtype, m: int, k: int, n: int, layout_a: str, layout_b: str) -> bool:
    """Whether the swapped form is faster and gives the plain form's bits, on random
    matrices of the shape and layouts. Each form's median of several wall-clock timings
    counts (a BLAS with threads works outside this thread's CPU time). Not the best: some
    kernels' times come in two bands, and a form's rare fast run decided the choice on
    one run and not on the next (the MLP's 64x784 by 784x256 product: plain best 233-270
    us, swapped 210-231 us, so best against best flipped; medians 243-262 against 220-239
    did not, in ten tries)."""
    rng = np.random.default_rng(0)
    a = _probe((m, k), layout_a, dtype, rng)
    b = _probe((k, n), layout_b, dtype, rng)
    if not np.array_equal(_plain(a, b), _swapped(a, b)):
        return False
    times: dict = {_plain: [], _swapped: []}
    for _ in range(_ROUNDS):
        for form, taken in times.items():
            start = time.perf_counter()
            form(a, b)
            taken.append(time.perf_counter() - start)
    return _median(times[_swapped]) < _MARGIN * _median(times[_plain])


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]  # (an odd number of rounds: the middle one)

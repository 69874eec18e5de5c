"""torch.poisson's sampler: PyTorch's CPU algorithm, one rate at a time.

Each rate takes a variable number of double uniforms, and where one sample's draws end
the next one's begin, so the samples are made in order. Rates of 10 or more use Hormann's
transformed rejection (PTRS: usually two uniforms), smaller ones multiply uniforms until
the product falls to exp(-rate). The uniforms are drawn ahead in blocks; the generator is
left exactly after the words used.
"""

from __future__ import annotations

import math

import numpy as np

from . import _kernels as K


def _c_lgamma():
    """The C library's lgamma, which PyTorch calls (Python's math.lgamma is its own)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("m")
    try:
        libm = ctypes.CDLL(name) if name else None
        fn = libm.lgamma if libm is not None else None
    except (OSError, AttributeError):
        fn = None
    if fn is None:
        return math.lgamma
    fn.restype = ctypes.c_double
    fn.argtypes = [ctypes.c_double]
    return fn


_lgamma = None  # the C library's lgamma, looked up on first use: finding the library may
# start a process, which importing chainrule must not


def lgamma(x):
    global _lgamma
    if _lgamma is None:
        _lgamma = _c_lgamma()
    return _lgamma(x)


class _Uniforms:
    """Double uniforms from gen, drawn a block at a time; `used` counts those consumed."""

    def __init__(self, gen, expected):
        self.gen = gen
        self.start = gen.get_state()
        self.buffer = []
        self.pos = 0
        self.used = 0
        self.block = max(64, expected)

    def next(self):
        if self.pos == len(self.buffer):
            self.buffer = K.unit_float64(self.gen.words64(self.block)).tolist()
            self.pos = 0
            self.block *= 2
        self.pos += 1
        self.used += 1
        return self.buffer[self.pos - 1]

    def finish(self):
        """Leave the generator right after the uniforms used."""
        self.gen.set_state(self.start)
        if self.used:
            self.gen.words64(self.used)


def _sample(rate, uniform):
    if rate >= 10:
        slam = math.sqrt(rate)
        loglam = math.log(rate)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniform() - 0.5
            v = uniform()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + rate + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            lhs = math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
            if lhs <= -rate + k * loglam - lgamma(k + 1.0):
                return k
    if rate == 0:
        return 0
    limit = math.exp(-rate)
    count = 0
    product = 1.0
    while True:
        product *= uniform()
        if product > limit:
            count += 1
        else:
            return count


def poisson_values(gen, rates):
    """One Poisson sample per rate (a float64 array, in memory order)."""
    draws = _Uniforms(gen, 2 * len(rates))
    out = [_sample(r, draws.next) for r in rates.tolist()]
    draws.finish()
    return np.array(out, np.float64)

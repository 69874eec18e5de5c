"""Small matrix products summed in the order of the BLAS behind PyTorch's CPU wheel.

PyTorch's x86-64 wheel multiplies float32 matrices with MKL, NumPy with OpenBLAS. Both
are accurate, but they add the K products of each output in different orders, so their
last bits differ, and a seeded training run prints other losses after a few steps. For
the shapes below, `product` computes what MKL computes, order for order; it returns None
for the others, whose products stay NumPy's (a few units in the last place from
PyTorch's). The orders were found by testing MKL with inputs that reveal the order
(+-2**40 at two positions among ones: which ones survive shows where the two met) and
then confirmed on random data, bit for bit (tests/ops/test_mkl_order.py).

How PyTorch calls MKL. PyTorch hands MKL a column-major problem: for a result with more
than one column it computes C^T = B^T A^T, so MKL's m, n are PyTorch's N, M; for a
single-column result it computes C = A B directly. An operand is passed transposed or
not according to which of its strides is 1 (`_operand_rows`).

What MKL does (AVX-512 kernels; the tests check each on AVX2 too):

- General products (MKL's m, n >= 2): each output is a chain of fused multiply-adds over
  k in order, in blocks of at most 384 (K up to 768 splits in two halves, the first the
  larger; beyond, 384 at a time until the rest fits in two halves); the blocks' sums are
  added in order, then the bias. Except for some shapes whose B is laid out by columns
  (a Linear layer's weight.t()) with fewer than 16 rows in A, which MKL gives other
  kernels: those are left to NumPy.
- Matrix times vector where the matrix's columns are contiguous (MKL's gemv without
  transpose): each output is one chain of fused multiply-adds over k, started from the
  bias. With T threads and K >= 128 T, K is cut in T equal parts (the first the larger),
  each part a chain from 0, the parts added in order. PyTorch reaches it for a
  one-column result whose A is column-major, and for a one-row A times a B laid out by
  rows with at most 8 columns.

Every step rounds to float32 once, as the FMA instruction does: float64 holds the exact
product, so `acc + a*b` rounds once in float64, and then to float32; the rare float64 sums
that land exactly halfway between two float32 numbers are redone exactly (ops/_fused.py).

Only float32, and only products of at most _MAX_WORK multiply-adds, with K at most
_MAX_CHAIN outside general products: each k is a NumPy call over the outputs, cheap where K
and the outputs are few and far slower than BLAS for large ones. Lesson 07's training
step (three layers on 759 rows, whose weight gradients are chains of 380 steps) takes
4.6 ms where it took 0.34 ms with NumPy's BLAS, half of it in these chains; lessons
05 and 06 (one weight) cost nothing measurable.

chainrule's ops call this module only while the PyTorch arithmetic switch is on
(chainrule.use_pytorch_arithmetic, off by default: chainrule/_arithmetic.py).
"""

from __future__ import annotations

import numpy as np

from .. import _cpu
from ..threads import get_num_threads
from ._fused import halfway, round_sum32

__all__ = ["product"]

_F32 = np.float32
_F64 = np.float64
_MAX_WORK = 1 << 16  # multiply-adds: M * N * K (the lessons 05-08 take up to 36432)
_KC = 384  # MKL's block of k for general products (so at most 384 steps)
_MAX_CHAIN = 1024  # the longest k followed for matrix-vector and dot products


def product(a, b, c=None):
    """a @ b (+ c, broadcast to the result) for 2-D float32 arrays, summed as PyTorch's MKL
    sums it, or None where that order is not implemented here."""
    if a.dtype != _F32 or b.dtype != _F32 or (c is not None and c.dtype != _F32):
        return None
    m, k = a.shape
    n = b.shape[1]
    # (MKL picks its kernels itself: PyTorch's ATEN_CPU_CAPABILITY does not change them)
    if k == 0 or m * n == 0 or m * n * k > _MAX_WORK:
        return None
    if _cpu.mkl_isa() != "avx512":
        return None
    kernel = _kernel(a, b, m, n, k)
    if kernel != "gemm" and k > _MAX_CHAIN:
        return None  # one NumPy step per k (or per 8 or 16 of them) would cost too much
    if kernel == "gemm":
        if k == 1 and c is not None:
            # MKL's rank-one update: one rounding (a float32 product is exact in float64)
            return round_sum32(a.astype(_F64) * b.astype(_F64), c.astype(_F64))
        return _chains(a, b, _gemm_blocks(k), bias=c)
    if kernel == "axpy":
        parts = _axpy_parts(k)
        if len(parts) == 1:
            start = None if c is None else np.broadcast_to(c, (m, n))
            return _chains(a, b, parts, start=start)
        out = _chains(a, b, parts)  # the threads' parts, then the bias
        return out if c is None else out + c
    if kernel == "dot":
        rows, vector = (a, b[:, 0]) if n == 1 else (b.T, a[0])
        out = _dots(rows, vector)
        out = out[:, None] if n == 1 else out[None, :]
        return out if c is None else round_sum32(out.astype(_F64), c.astype(_F64))
    return None


def _rows_contiguous(x):
    """Whether PyTorch passes x to the BLAS as stored by rows (True) or by columns (False),
    from its strides as PyTorch decides it; a matrix that is neither is copied by rows."""
    s0, s1 = (s // x.itemsize for s in x.strides)
    rows, cols = x.shape
    if s0 == 1 and s1 >= max(1, rows):
        return False
    return True


def _kernel(a, b, m, n, k):
    """Which of the orders above MKL takes for PyTorch's a (m x k) @ b (k x n)."""
    a_rows, b_rows = _rows_contiguous(a), _rows_contiguous(b)
    if n == 1 and m == 1:
        # a dot product: MKL's order follows b's layout (a column of stride 1: in order)
        return "axpy" if b.strides[1] == b.strides[0] == b.itemsize else "dot"
    if n == 1:
        if a_rows:
            return "dot" if m % 4 == 0 or k <= 32 else None
        # MKL unrolls k for 16 rows or more (not followed here), except for short k
        return "axpy" if m < 16 or k <= 5 else None
    if m == 1:
        if b_rows:
            return "axpy" if n <= 8 else None
        return "dot" if n % 4 == 0 or k <= 32 else None
    if b_rows or m >= 16:
        return "gemm"
    return None


def _gemm_blocks(k):
    """The lengths of MKL's blocks of k for a general product."""
    sizes = []
    while k > 2 * _KC:
        sizes.append(_KC)
        k -= _KC
    if k > _KC:
        sizes += [(k + 1) // 2, k // 2]
    else:
        sizes.append(k)
    return sizes


def _axpy_parts(k):
    threads = get_num_threads()
    if threads < 2 or k < 128 * threads:
        return [k]
    base, extra = divmod(k, threads)
    return [base + (i < extra) for i in range(threads)]


def _chains(a, b, sizes, start=None, bias=None):
    """Per output, one fused multiply-add chain over each block of k (lengths `sizes`, in
    order), the first from `start` (or 0), the others from 0; then `bias` plus the blocks'
    sums, added in order. The blocks run side by side, one NumPy step per k of the longest
    block; a shorter block starts later (zero products before its own leave its +0)."""
    m, n = a.shape[0], b.shape[1]
    nb, length = len(sizes), max(sizes)
    a64 = np.zeros((nb, m, length), _F64)
    b64 = np.zeros((nb, length, n), _F64)
    lo = 0
    for i, size in enumerate(sizes):
        a64[i, :, length - size :] = a[:, lo : lo + size]
        b64[i, length - size :, :] = b[lo : lo + size, :]
        lo += size
    acc = np.zeros((nb, m, n), _F32)
    if start is not None:
        acc[0] = start
    # One NumPy call per k: the float64 sum of the exact product and the running float32
    # sum (one rounding), stored as float32. Where such a float64 sum lies exactly halfway
    # between two float32 numbers, rounding it again is right only if it was exact: the
    # sums are formed again afterwards, all at once, and checked (Knuth's two-sum error);
    # the rare chain with an inexact one is redone with every step rounded exactly.
    products = np.einsum("imj,ijn->jimn", a64, b64)  # exact in float64
    running = np.empty((length + 1, nb, m, n), _F32)
    running[0] = acc
    for j in range(length):
        np.add(products[j], running[j], out=running[j + 1], dtype=_F64, casting="same_kind")
    acc = running[length]
    sums = products + running[:length]
    where = np.flatnonzero(halfway(sums.reshape(-1)))
    if where.size:
        x = products.reshape(-1)[where]
        y = running[:length].reshape(-1)[where].astype(_F64)
        total = sums.reshape(-1)[where]
        back = total - x
        if ((x - (total - back)) + (y - back) != 0).any():
            acc = running[0]
            for j in range(length):
                acc = round_sum32(a64[:, :, j, None] * b64[:, None, j, :], acc)
    # an array of its own (not a view of acc), which a gradient's .grad may keep uncopied
    out = acc[0].copy() if bias is None else bias + acc[0]
    for i in range(1, nb):
        out = out + acc[i]
    return out


# -- MKL's dot-product kernel (a matrix by rows times a vector) --------------------------------
# Per row: the first product p0 alone, then products 1..K-1 in 8- or 16-lane vector
# accumulators (fused multiply-adds per lane), summed across lanes by halving
# (lane i + lane i+8, then +4, +2, +1). Rows come four at a time; in those p0 starts lane 0
# of the accumulators and each block's sum starts the next block's lane 0: 16 lanes for
# whole vectors when there are 32 products or more, else blocks of 16 products in two
# 8-lane accumulators added lane by lane. The last rows (the number of rows mod 4) take
# a one-row kernel: 8-lane accumulators used in turn (16 lanes from 32 products: not
# followed here), their lane sums, then + p0.


def _dots(rows, vector):
    """MKL's dot product of each row with vector, float32."""
    products = rows.astype(_F64) * vector.astype(_F64)  # exact
    first = products[:, 0].astype(_F32)
    if products.shape[1] == 1:
        return first
    rest = products[:, 1:]
    whole = len(rows) // 4 * 4
    out = np.empty(len(rows), _F32)
    out[:whole] = _dots_by_four(rest[:whole], first[:whole])
    if whole < len(rows):
        lanes = _alternating_lanes(rest[whole:])
        out[whole:] = round_sum32(lanes.astype(_F64), first[whole:].astype(_F64))
    return out


def _dots_by_four(rest, running):
    count = rest.shape[1]
    start = 0
    if count >= 32:
        whole = count // 16
        acc = np.zeros((len(rest), 16), _F32)
        acc[:, 0] = running
        for v in range(whole):
            acc = round_sum32(rest[:, 16 * v : 16 * v + 16], acc)
        running = _lane_sum(acc)
        start = 16 * whole
    while start < count:
        first = np.zeros((len(rest), 8), _F32)
        first[:, 0] = running
        first = round_sum32(_lanes(rest, start, 8), first)
        second = _lanes(rest, start + 8, 8).astype(_F32)  # fma into zeros: rounded products
        running = _lane_sum(round_sum32(first.astype(_F64), second.astype(_F64)))
        start += 16
    return running


def _alternating_lanes(rest):
    """The one-row kernel below 32 products: two 8-lane accumulators in turn."""
    acc = [np.zeros((len(rest), 8), _F32), np.zeros((len(rest), 8), _F32)]
    for i, start in enumerate(range(0, rest.shape[1], 8)):
        acc[i % 2] = round_sum32(_lanes(rest, start, 8), acc[i % 2])
    return _lane_sum(round_sum32(acc[0].astype(_F64), acc[1].astype(_F64)))


def _lanes(products, start, width):
    """products[:, start:start+width], padded with zeros to the width."""
    part = products[:, start : start + width]
    if part.shape[1] == width:
        return part
    out = np.zeros((len(products), width), _F64)
    out[:, : part.shape[1]] = part
    return out


def _lane_sum(acc):
    """Sum across the lanes by halving: lane i + lane i + w/2 until one is left."""
    while acc.shape[1] > 1:
        half = acc.shape[1] // 2
        acc = acc[:, :half] + acc[:, half:]
    return acc[:, 0]

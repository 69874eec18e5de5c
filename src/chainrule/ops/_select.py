"""Index-exact selection for kthvalue and nanmedian: which element PyTorch reports when
several are equal.

The value of the k-th smallest element is unique; its index is not when it repeats, and
PyTorch reports the index its own selection algorithm happens to leave at position k:
kthvalue runs a median-of-three quickselect (Sedgewick's partitioning), median and
nanmedian with a dim run the C++ standard library's nth_element (introselect). Rows
where the k-th value is unique take the direct answer; rows with repeats or NaNs replay
the algorithm, so the index is PyTorch's. (nth_element's comparison breaks ties between
numbers by index, so there only rows whose median is NaN need the replay.)
"""

from __future__ import annotations

import math

import numpy as np


def _greater_or_nan(x, y):
    """x > y, with NaN greater than every number (and not than another NaN)."""
    return (math.isnan(x) and not math.isnan(y)) or x > y


def quickselect_index(values, k):
    """The index that PyTorch's kthvalue leaves at position k (0-based) of a row."""
    arr = [float(v) for v in values]
    idx = list(range(len(arr)))

    def swap(i, j):
        arr[i], arr[j] = arr[j], arr[i]
        idx[i], idx[j] = idx[j], idx[i]

    gt = _greater_or_nan
    lo, hi = 0, len(arr) - 1
    while True:
        if hi <= lo:
            return idx[k]
        if hi == lo + 1:
            if gt(arr[lo], arr[hi]):
                swap(lo, hi)
            return idx[k]
        mid = (lo + hi) >> 1
        swap(mid, lo + 1)
        if gt(arr[lo + 1], arr[hi]):
            swap(lo + 1, hi)
        if gt(arr[lo], arr[hi]):
            swap(lo, hi)
        if gt(arr[lo + 1], arr[lo]):
            swap(lo + 1, lo)
        i, j = lo + 1, hi
        pivot = arr[lo]
        while True:
            i += 1
            while gt(pivot, arr[i]):
                i += 1
            j -= 1
            while gt(arr[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1


def nth_element_index(values, k):
    """The index that the C++ standard library's nth_element (introselect over indices,
    NaN ordered last) leaves at position k of a row: median's and nanmedian's choice."""
    return _Introselect([float(v) for v in values]).run(k)


class _Introselect:
    """nth_element over the indices of one row, step for step: median-of-three pivots,
    an unguarded partition, a sort when the depth budget runs out, insertion sort last."""

    def __init__(self, arr):
        self.arr = arr
        self.order = list(range(len(arr)))

    def less(self, i, j):
        # Ties between numbers are broken by index, so only NaNs compare equal.
        a, b = self.arr[i], self.arr[j]
        return a < b or (a == b and i < j) or (math.isnan(b) and not math.isnan(a))

    def move_median_to_first(self, result, a, b, c):
        order, less = self.order, self.less
        oa, ob, oc = order[a], order[b], order[c]
        if less(oa, ob):
            pick = b if less(ob, oc) else (c if less(oa, oc) else a)
        else:
            pick = a if less(oa, oc) else (c if less(ob, oc) else b)
        order[result], order[pick] = order[pick], order[result]

    def unguarded_partition(self, first, last, pivot):
        order, less = self.order, self.less
        while True:
            while less(order[first], order[pivot]):
                first += 1
            last -= 1
            while less(order[pivot], order[last]):
                last -= 1
            if not first < last:
                return first
            order[first], order[last] = order[last], order[first]
            first += 1

    def run(self, k):
        order, arr = self.order, self.arr
        first, last = 0, len(order)
        depth = 2 * (len(order).bit_length() - 1) if order else 0
        while last - first > 3:
            if depth == 0:  # introselect's fall-back; the answer's value is still exact
                order[first:last] = sorted(
                    order[first:last], key=lambda i: (math.isnan(arr[i]), arr[i])
                )
                return order[k]
            depth -= 1
            mid = first + (last - first) // 2
            self.move_median_to_first(first, first + 1, mid, last - 1)
            cut = self.unguarded_partition(first + 1, last, first)
            if cut <= k:
                first = cut
            else:
                last = cut
        self.insertion_sort(first, last)
        return order[k]

    def insertion_sort(self, first, last):
        order, less = self.order, self.less
        for i in range(first + 1, last):
            val = order[i]
            if less(val, order[first]):
                order[first + 1 : i + 1] = order[first:i]
                order[first] = val
            else:
                j = i
                while less(val, order[j - 1]):
                    order[j] = order[j - 1]
                    j -= 1
                order[j] = val


def select_indices(rows, ks, algorithm):
    """For each row of a 2-D array, the index of its k-th smallest element (ks: one k per
    row), NaN ordered last, as `algorithm` picks it among equal values."""
    order = np.argsort(rows, axis=1, kind="stable")  # NaN last
    picked = np.take_along_axis(order, ks[:, None], axis=1)[:, 0]
    value = np.take_along_axis(rows, picked[:, None], axis=1)
    same = (rows == value) | (np.isnan(rows) & np.isnan(value))
    for r in np.nonzero(np.count_nonzero(same, axis=1) > 1)[0]:
        picked[r] = algorithm(rows[r], int(ks[r]))
    return picked

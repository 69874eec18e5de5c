"""randperm's shuffle, PyTorch's CPU algorithm computed without a loop over the elements.

PyTorch shuffles 0..n-1 with Fisher-Yates: for i = 0 .. n-2 it draws a word w and swaps
r[i] with r[i + w % (n - i)]. (From n = 2**32 // 20 on, it uses the inside-out variant with
64-bit draws instead: r[i] = r[z]; r[z] = i with z = w64 % (i + 1).)

The swaps depend on each other, but only through a simple structure, which makes the
result computable with sorts and pointer jumping:

Forward shuffle. Call j_i = i + w_i % (n - i) the far end of step i (a last step n-1 with
j = n-1 draws nothing). Position i is final after step i, so r[i] is whatever position j_i
holds just before step i. A position t is only ever written as the far end of a swap, so
just before step i it holds what the last earlier step k with j_k = t moved there: c_k, the
value that position k held just before step k, or t itself if no earlier step chose t. And
c_k is itself "what position k holds just before step k": the value at the root of a chain
k <- parent(k) <- ... with parent(k) the last step before k whose far end is k; the root is
a position nobody wrote, holding its own index. Pointer jumping finds every root in
log2(n) rounds.

Inside-out shuffle. The value at position p in the end is the last step m > p that chose
z_m = p, if any; otherwise what step p wrote there: p itself if z_p = p, else what z_p held
at time p, which is the last step m in (z_p, p) with z_m = z_p, or (if none) again what
step z_p wrote at z_p: a chain towards smaller indices, resolved the same way.
"""

from __future__ import annotations

import numpy as np

# PyTorch's switch to the inside-out shuffle with 64-bit draws
LARGE = 0xFFFFFFFF // 20


def _last_before(keys, times, query_keys, query_times):
    """For each query, the largest `times` value below query_times among entries whose key
    equals query_keys; -1 where there is none. times are the entries' own indices (so
    increasing within a key after a stable sort by key)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    sorted_times = times[order]
    # entries of the same key sorted by time: count those with time < query_time
    width = np.int64(len(keys) + 1)
    composite = sorted_keys * width + sorted_times
    target = query_keys * width + query_times
    pos = np.searchsorted(composite, target, side="left") - 1
    found = pos >= 0
    pos = np.maximum(pos, 0)
    ok = found & (sorted_keys[pos] == query_keys)
    return np.where(ok, sorted_times[pos], -1)


def _roots(parent):
    """Follow parent links (-1: none) to the end of each chain, by pointer jumping."""
    n = len(parent)
    idx = np.arange(n, dtype=np.int64)
    link = np.where(parent < 0, idx, parent)
    while True:
        nxt = link[link]
        if np.array_equal(nxt, link):
            return link
        link = nxt


def forward_shuffle(offsets):
    """r after PyTorch's forward Fisher-Yates; offsets[i] = w_i % (n - i), i < n - 1."""
    n = len(offsets) + 1
    steps = np.arange(n, dtype=np.int64)
    far = np.empty(n, np.int64)
    far[:-1] = steps[:-1] + offsets
    far[-1] = n - 1
    # which value each position held just before its own step (c), via its chain of parents
    parent = _last_before(far, steps, steps, steps)
    held = _roots(parent)
    # r[i]: what far[i] held just before step i
    previous = _last_before(far, steps, far, steps)
    return np.where(previous >= 0, held[np.maximum(previous, 0)], far)


def inside_out_shuffle(choices):
    """r after PyTorch's inside-out shuffle; choices[i] = w64_i % (i + 1)."""
    n = len(choices)
    steps = np.arange(n, dtype=np.int64)
    z = np.asarray(choices, np.int64)
    # what step p wrote at p: p, or what z_p held at time p (the last step m in (z_p, p)
    # choosing z_p), or failing that what step z_p wrote (a chain to smaller indices)
    last = _last_before(z, steps, z, steps)
    direct = np.where(z == steps, steps, np.where(last > z, last, -1))
    parent = np.where(direct >= 0, -1, z)
    root = _roots(parent)
    written = direct[root]
    # the final value: the last step after p that chose p, else what step p wrote
    later = _last_before(z, steps, steps, np.full(n, n, np.int64))
    return np.where(later > steps, later, written)


def randperm_values(gen, n):
    """PyTorch's randperm(n) as int64, drawing from gen as it does."""
    if n < LARGE:
        if n <= 1:
            return np.arange(n, dtype=np.int64)
        words = gen.words(n - 1).astype(np.int64)
        return forward_shuffle(words % np.arange(n, 1, -1, dtype=np.int64))
    draws = gen.words64(n)
    return inside_out_shuffle(draws % np.arange(1, n + 1, dtype=np.uint64))

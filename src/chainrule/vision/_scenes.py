"""Procedurally drawn coloured shapes on coloured backgrounds: the offline stand-in for CIFAR.

A class is a shape (disc, square, triangle, bars, ring, cross, diamond, two blobs, a striped
disc) with its own foreground and background hues; CIFAR-100's hundred classes combine ten
shapes with ten hues. A sample places its class's shape at a random position, size and
angle, jitters the colours, and adds a background gradient and a soft low-frequency
texture, rendered into 32 x 32 RGB with anti-aliased edges. Random draws come from a
chainrule Generator seeded with `seed`, so the result is deterministic in the seed.
"""

from __future__ import annotations

import numpy as np

import chainrule

SIZE = 32
CHUNK = 5000


def _shape_distance(kind, x, y):
    """A signed distance-like value of each point to shape `kind` (negative inside), in
    units of the shape's radius."""
    ax, ay, r = np.abs(x), np.abs(y), np.hypot(x, y)
    if kind == 0:  # disc
        return r - 1
    if kind == 1:  # square
        return np.maximum(ax, ay) - 0.8
    if kind == 2:  # triangle
        return np.maximum(y - 0.6, 0.87 * ax - 0.49 * y - 0.44)
    if kind == 3:  # horizontal bar
        return np.maximum(ay - 0.3, ax - 1)
    if kind == 4:  # vertical bar
        return np.maximum(ax - 0.3, ay - 1)
    if kind == 5:  # ring
        return np.abs(r - 0.75) - 0.25
    if kind == 6:  # cross
        return np.minimum(np.maximum(ax - 0.25, ay - 0.95), np.maximum(ay - 0.25, ax - 0.95))
    if kind == 7:  # diamond
        return (ax + ay - 1) * 0.7
    if kind == 8:  # two blobs
        return np.minimum(np.hypot(x - 0.45, y), np.hypot(x + 0.45, y)) - 0.45
    return np.maximum(r - 1, -0.3 * np.sin(2.5 * np.pi * y))  # striped disc


def _hsv_to_rgb(h, s, v):
    """Arrays of hue, saturation and value in [0, 1] as an (..., 3) RGB array."""
    h6 = (h % 1.0) * 6
    c = v * s
    x = c * (1 - np.abs(h6 % 2 - 1))
    z = np.zeros_like(h)
    sector = np.floor(h6).astype(np.int64) % 6
    table = [(c, x, z), (x, c, z), (z, c, x), (z, x, c), (x, z, c), (c, z, x)]
    rgb = np.zeros(h.shape + (3,))
    for k, (r, g, b) in enumerate(table):
        pick = sector == k
        rgb[pick] = np.stack([r[pick], g[pick], b[pick]], axis=-1)
    return rgb + (v - c)[..., None]


def _render(labels, p, num_classes):
    n = len(labels)
    shape = labels % 10
    hue_class = labels // 10 if num_classes == 100 else labels
    fg_h = hue_class / 10 + (p[:, 0] - 0.5) * 0.06
    bg_h = (shape / 10 + 0.5) if num_classes == 100 else (labels / 10 + 0.5)
    bg_h = bg_h + (p[:, 1] - 0.5) * 0.06
    fg = _hsv_to_rgb(fg_h, 0.55 + 0.45 * p[:, 2], 0.55 + 0.45 * p[:, 3])
    bg = _hsv_to_rgb(bg_h, 0.1 + 0.4 * p[:, 4], 0.2 + 0.6 * p[:, 5])
    c = (np.arange(SIZE) + 0.5) / SIZE * 2 - 1  # pixel centres in [-1, 1]
    gx, gy = np.meshgrid(c, c)
    gx, gy = gx.reshape(1, -1), gy.reshape(1, -1)
    cx, cy = (p[:, 6:7] - 0.5) * 0.4, (p[:, 7:8] - 0.5) * 0.4
    scale = 0.45 + 0.25 * p[:, 8:9]
    angle = 2 * np.pi * p[:, 9:10]
    dx, dy = gx - cx, gy - cy
    x = (np.cos(angle) * dx + np.sin(angle) * dy) / scale
    y = (-np.sin(angle) * dx + np.cos(angle) * dy) / scale
    distance = np.empty(x.shape)
    for kind in range(10):
        rows = shape == kind
        if rows.any():
            distance[rows] = _shape_distance(kind, x[rows], y[rows])
    pixel = (2 / SIZE) / scale  # one pixel in shape units
    alpha = np.clip(0.5 - distance / pixel, 0, 1)[..., None]
    direction = 2 * np.pi * p[:, 10:11]
    gradient = 1 + 0.3 * (p[:, 11:12] - 0.5) * (np.cos(direction) * gx + np.sin(direction) * gy)
    texture = 1 + 0.15 * p[:, 12:13] * np.sin(
        np.pi * (1 + 3 * p[:, 13:14]) * (gx + gy) + 2 * np.pi * p[:, 14:15]
    )
    background = bg[:, None, :] * gradient[..., None]
    foreground = fg[:, None, :] * texture[..., None]
    image = alpha * foreground + (1 - alpha) * background
    image = np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)
    return image.reshape(n, SIZE, SIZE, 3)


def generate(n, seed, num_classes=10):
    """n images (uint8, n x 32 x 32 x 3, HWC as CIFAR's arrays are once reshaped) and their
    labels (int64 in [0, num_classes)), deterministic in seed."""
    generator = chainrule.Generator().manual_seed(seed)
    labels = chainrule.randint(0, num_classes, (n,), generator=generator).numpy()
    labels = labels.astype(np.int64)
    params = chainrule.rand(n, 15, generator=generator, dtype=chainrule.float64).numpy()
    images = np.empty((n, SIZE, SIZE, 3), np.uint8)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        images[start:stop] = _render(labels[start:stop], params[start:stop], num_classes)
    return images, labels

"""Procedurally drawn clothing silhouettes: the offline stand-in for Fashion-MNIST.

Each of the ten classes is a silhouette made of polygons in a unit box (a T-shirt's body and
short sleeves, a trouser's two legs, a bag's body and handle with its hole, ...). A sample
maps its class's silhouette through a random affine map (scale, rotation, shear, shift),
fills it with a random grey level, a fabric texture (stripes of random frequency and
direction) and top-to-bottom shading, and renders it into 28 x 28 (the silhouettes are
blurred by about one output pixel first, for anti-aliased edges). Random draws come from a
chainrule Generator seeded with `seed`, so the result is deterministic in the seed;
everything is vectorised over samples.
"""

from __future__ import annotations

import numpy as np

import chainrule

SIZE = 28
SUB = 1  # samples per pixel and axis (the blurred templates anti-alias already)
TEMPLATE = 96  # resolution the silhouettes are rasterised at once
CHUNK = 4096

# class -> [(sign, polygon)]; +1 adds the polygon's area, -1 cuts it out (x right, y down)
_SHAPES = [
    [(1, [(.30, .10), (.42, .08), (.50, .14), (.58, .08), (.70, .10), (.95, .28), (.85, .42),
          (.75, .35), (.75, .92), (.25, .92), (.25, .35), (.15, .42), (.05, .28)])],  # T-shirt
    [(1, [(.30, .05), (.70, .05), (.74, .95), (.56, .95), (.50, .35), (.44, .95),
          (.26, .95)])],  # trouser
    [(1, [(.32, .08), (.50, .12), (.68, .08), (.88, .20), (.98, .88), (.85, .90), (.76, .40),
          (.76, .92), (.24, .92), (.24, .40), (.15, .90), (.02, .88), (.12, .20)])],  # pullover
    [(1, [(.38, .05), (.62, .05), (.60, .30), (.82, .95), (.18, .95), (.40, .30)])],  # dress
    [(1, [(.30, .05), (.50, .15), (.70, .05), (.90, .18), (.99, .92), (.86, .94), (.78, .42),
          (.78, .97), (.52, .97), (.50, .30), (.48, .97), (.22, .97), (.22, .42), (.14, .94),
          (.01, .92), (.10, .18)])],  # coat
    [(1, [(.05, .78), (.95, .70), (.95, .80), (.05, .88)]),
     (1, [(.25, .80), (.35, .45), (.42, .45), (.33, .80)]),
     (1, [(.55, .75), (.62, .40), (.70, .40), (.63, .75)])],  # sandal
    [(1, [(.32, .08), (.44, .08), (.50, .22), (.56, .08), (.68, .08), (.88, .20), (.96, .80),
          (.84, .82), (.76, .38), (.76, .92), (.24, .92), (.24, .38), (.16, .82), (.04, .80),
          (.12, .20)])],  # shirt
    [(1, [(.05, .55), (.35, .45), (.55, .30), (.70, .32), (.78, .45), (.97, .60), (.97, .75),
          (.05, .75)])],  # sneaker
    [(1, [(.10, .35), (.90, .35), (.95, .92), (.05, .92)]),
     (1, [(.30, .36), (.32, .12), (.68, .12), (.70, .36)]),
     (-1, [(.38, .35), (.40, .20), (.60, .20), (.62, .35)])],  # bag
    [(1, [(.20, .08), (.55, .08), (.58, .45), (.95, .62), (.97, .88), (.15, .88),
          (.18, .50)])],  # ankle boot
]  # fmt: skip


def _inside(points, polygon):
    """Even-odd test of each point (x, y) against a polygon's edges."""
    x, y = points[:, 0], points[:, 1]
    inside = np.zeros(len(points), bool)
    poly = np.asarray(polygon)
    for (x0, y0), (x1, y1) in zip(poly, np.roll(poly, -1, axis=0)):
        crosses = (y0 > y) != (y1 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            xc = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (x < xc)
    return inside


def _templates():
    """The ten silhouettes as TEMPLATE x TEMPLATE masks in [0, 1], zero-bordered."""
    c = (np.arange(TEMPLATE) + 0.5) / TEMPLATE
    grid = np.stack(np.meshgrid(c, c), axis=-1).reshape(-1, 2)
    masks = np.zeros((10, TEMPLATE * TEMPLATE))
    for k, parts in enumerate(_SHAPES):
        for sign, polygon in parts:
            masks[k] += sign * _inside(grid, polygon)
    masks = np.clip(masks, 0, 1).reshape(10, TEMPLATE, TEMPLATE)
    # a 5x5 box blur: about one output pixel's footprint, so edges come out anti-aliased
    padded = np.pad(masks, ((0, 0), (2, 2), (2, 2)))
    masks = (
        sum(padded[:, dy : dy + TEMPLATE, dx : dx + TEMPLATE] for dy in range(5) for dx in range(5))
        / 25
    )
    masks = masks.astype(np.float32)
    return np.pad(masks, ((0, 0), (1, 1), (1, 1)))  # the zero border _sample relies on


def _sample(templates, labels, u, v):
    """Bilinear samples of each label's template at unit-box coordinates u (x), v (y); zero
    outside the box. `templates` carries a one-pixel zero border, so every tap is one flat
    gather (a coordinate outside is clipped onto the border)."""
    width = TEMPLATE + 2
    fx = np.clip(u * TEMPLATE + 0.5, 0, width - 1.001).astype(np.float32)
    fy = np.clip(v * TEMPLATE + 0.5, 0, width - 1.001).astype(np.float32)
    x0, y0 = fx.astype(np.int32), fy.astype(np.int32)
    wx, wy = fx - x0, fy - y0
    flat = (labels[:, None] * (width * width) + y0 * width + x0).astype(np.int64)
    t = templates.reshape(-1)
    top = np.take(t, flat) * (1 - wx) + np.take(t, flat + 1) * wx
    bottom = np.take(t, flat + width) * (1 - wx) + np.take(t, flat + width + 1) * wx
    return top * (1 - wy) + bottom * wy


def _render(templates, labels, params):
    n = len(labels)
    params = params.astype(np.float32)
    sx, sy, angle, shear, tx, ty, level, amp, freq, theta, phase, shade = params.T
    # pixel (supersample) centres in [-0.5, 0.5]
    c = ((np.arange(SIZE * SUB) + 0.5) / (SIZE * SUB) - 0.5).astype(np.float32)
    gx, gy = np.meshgrid(c, c)
    gx, gy = gx.reshape(1, -1), gy.reshape(1, -1)
    # inverse of: scale, shear, rotate, shift (the silhouette into the image)
    px, py = gx - tx[:, None], gy - ty[:, None]
    cos, sin = np.cos(-angle)[:, None], np.sin(-angle)[:, None]
    rx, ry = cos * px - sin * py, sin * px + cos * py
    rx = rx - shear[:, None] * ry
    u, v = rx / sx[:, None] + 0.5, ry / sy[:, None] + 0.5
    mask = _sample(templates, labels, u, v)
    stripes = 0.5 * (
        1
        + np.sin(
            2 * np.pi * freq[:, None] * (gx * np.cos(theta)[:, None] + gy * np.sin(theta)[:, None])
            + phase[:, None]
        )
    )
    ink = level[:, None] * (1 - amp[:, None] * stripes) * (1 - shade[:, None] * (gy + 0.5))
    image = (mask * ink).reshape(n, SIZE, SUB, SIZE, SUB).mean(axis=(2, 4))
    return np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)


def generate(n, seed):
    """n images (uint8, n x 28 x 28) and their labels (int64, 0-9), deterministic in seed."""
    generator = chainrule.Generator().manual_seed(seed)
    labels = chainrule.randint(0, 10, (n,), generator=generator).numpy().astype(np.int64)
    r = chainrule.rand(n, 12, generator=generator, dtype=chainrule.float64).numpy()
    lo = np.array([0.78, 0.78, -0.14, -0.12, -0.06, -0.06, 0.45, 0.0, 2.0, 0.0, 0.0, 0.0])
    hi = np.array([0.98, 0.98, 0.14, 0.12, 0.06, 0.06, 1.0, 0.35, 9.0, np.pi, 2 * np.pi, 0.4])
    params = lo + (hi - lo) * r
    templates = _templates()
    images = np.empty((n, SIZE, SIZE), np.uint8)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        images[start:stop] = _render(templates, labels[start:stop], params[start:stop])
    return images, labels

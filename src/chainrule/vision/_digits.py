"""Procedurally drawn handwritten-looking digits: the offline stand-in for MNIST.

Each digit class has a few pen-stroke templates (polylines, arcs and smooth curves in a
unit box). A sample takes one template, resamples its strokes to a fixed number of pen
points, bends them with a smooth random displacement field and a random affine map
(slant, rotation, width), fits them into a 20x20 box and centres their mass in a 28x28
field as MNIST does, then inks them: every pen point is a Gaussian blot whose separable
form makes a whole batch one matrix product, and a saturating curve turns the summed
ink into solid strokes with anti-aliased edges. Everything is deterministic in the seed
and vectorised over samples.
"""

import numpy as np

SIZE = 28
BOX = 20.0  # MNIST fits each digit, strokes included, into a 20x20 box
POINTS = 96  # pen points per digit: denser than the thinnest stroke's blur
CHUNK = 4096  # samples inked at once (bounds the memory of the Gaussian factors)


# -- stroke templates in a unit box (x right, y down) -------------------------------------
def _line(*pts):
    return np.asarray(pts, dtype=np.float64)


def _arc(cx, cy, rx, ry, a0, a1, n=40):
    """Elliptic arc from angle a0 to a1 in degrees (y down: 90 is the bottom)."""
    t = np.radians(np.linspace(a0, a1, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def _curve(*pts, n=40):
    """A smooth curve through the given points (Catmull-Rom)."""
    p = np.asarray(pts, dtype=np.float64)
    p = np.concatenate([2 * p[:1] - p[1:2], p, 2 * p[-1:] - p[-2:-1]])
    t = np.linspace(0, 1, max(n // (len(pts) - 1), 4), endpoint=False)[:, None]
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(
            0.5
            * (
                2 * p1
                + (p2 - p0) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (3 * p1 - p0 - 3 * p2 + p3) * t**3
            )
        )
    out.append(p[-2][None])
    return np.concatenate(out)


def _eight(upper=0.22, lower=0.29):
    """A figure eight drawn in one stroke, the lower loop wider than the upper."""
    t = np.linspace(0, 2 * np.pi, 90)
    y = 0.5 - 0.5 * np.cos(t)
    return np.stack([0.5 + (upper + (lower - upper) * y) * np.sin(2 * t), y], axis=1)


TEMPLATES = {
    0: [
        [_arc(0.5, 0.5, 0.34, 0.5, -100, 265)],
        [_arc(0.5, 0.5, 0.3, 0.5, -80, 300)],
    ],
    1: [
        [_line((0.5, 0.0), (0.5, 1.0))],
        [_line((0.28, 0.22), (0.55, 0.0), (0.5, 1.0))],
        [_line((0.3, 0.18), (0.55, 0.0), (0.55, 1.0)), _line((0.3, 1.0), (0.8, 1.0))],
    ],
    2: [
        [_arc(0.5, 0.3, 0.33, 0.3, 195, 385), _line((0.8, 0.48), (0.12, 1.0), (0.9, 1.0))],
        [
            _arc(0.48, 0.28, 0.32, 0.28, 200, 400),
            _curve((0.74, 0.5), (0.4, 0.8), (0.15, 0.98), (0.28, 0.8), (0.55, 0.95), (0.9, 1.0)),
        ],
    ],
    3: [
        [_arc(0.47, 0.26, 0.3, 0.26, 200, 450), _arc(0.47, 0.74, 0.34, 0.26, 270, 520)],
        [_curve((0.15, 0.05), (0.75, 0.05), (0.4, 0.45)), _arc(0.47, 0.72, 0.34, 0.28, 270, 510)],
    ],
    4: [
        [_line((0.6, 0.0), (0.08, 0.68), (0.92, 0.68)), _line((0.66, 0.3), (0.66, 1.0))],
        [_line((0.22, 0.0), (0.15, 0.62), (0.88, 0.62)), _line((0.72, 0.05), (0.7, 1.0))],
    ],
    5: [
        [
            _line((0.85, 0.0), (0.25, 0.0), (0.2, 0.44)),
            _arc(0.46, 0.68, 0.34, 0.32, 215, 505),
        ],
        [
            _line((0.25, 0.0), (0.2, 0.44)),
            _arc(0.46, 0.7, 0.34, 0.3, 220, 510),
            _line((0.25, 0.02), (0.85, 0.0)),
        ],
    ],
    6: [
        [
            _curve((0.72, 0.0), (0.42, 0.22), (0.24, 0.52), (0.24, 0.76)),
            _arc(0.5, 0.75, 0.27, 0.25, 180, -180),
        ],
        [
            _curve(
                (0.6, 0.0),
                (0.3, 0.4),
                (0.25, 0.8),
                (0.5, 1.0),
                (0.75, 0.78),
                (0.5, 0.55),
                (0.27, 0.72),
            )
        ],
    ],
    7: [
        [_line((0.08, 0.0), (0.92, 0.0), (0.4, 1.0))],
        [_line((0.08, 0.0), (0.92, 0.0), (0.4, 1.0)), _line((0.35, 0.52), (0.8, 0.5))],
        [
            _line((0.1, 0.12), (0.12, 0.0), (0.9, 0.02)),
            _curve((0.9, 0.02), (0.6, 0.45), (0.5, 1.0)),
        ],
    ],
    8: [
        [_eight()],
        [_arc(0.5, 0.24, 0.25, 0.24, 90, 450), _arc(0.5, 0.73, 0.3, 0.27, -90, 270)],
    ],
    9: [
        [_arc(0.5, 0.28, 0.3, 0.27, 0, 360), _line((0.8, 0.28), (0.75, 1.0))],
        [_arc(0.48, 0.27, 0.3, 0.26, -20, 345), _curve((0.78, 0.2), (0.74, 0.7), (0.5, 1.0))],
    ],
}


def _resample(strokes, n=POINTS):
    """n pen points spread evenly by arc length over all strokes (no ink across pen lifts)."""
    segments = [(s[:-1], s[1:]) for s in strokes]
    a = np.concatenate([s[0] for s in segments])
    b = np.concatenate([s[1] for s in segments])
    length = np.linalg.norm(b - a, axis=1)
    ends = np.cumsum(length)
    at = (np.arange(n) + 0.5) / n * ends[-1]
    k = np.searchsorted(ends, at)
    frac = 1.0 - (ends[k] - at) / length[k]
    return a[k] + frac[:, None] * (b[k] - a[k])


_SHAPES = [(d, _resample(t) - 0.5) for d in range(10) for t in TEMPLATES[d]]
_BANK = np.stack([s for _, s in _SHAPES]).astype(np.float32)  # (templates, POINTS, 2)
_FIRST = np.searchsorted([d for d, _ in _SHAPES], np.arange(10))
_COUNT = np.bincount([d for d, _ in _SHAPES], minlength=10)


# -- sampling and inking -----------------------------------------------------------------
# How much writers vary, tuned so that the classes are as hard to tell apart as MNIST's
# (a linear classifier near 92%, a small MLP after one epoch in the mid 90s).
STYLE = {
    "wave_amp": 0.07,  # smooth bending of the strokes, in units of the digit's height
    "wave_freq": 3.5,
    "ripple_amp": 0.03,  # finer wobble
    "ripple_freq": 8.0,
    "width": (0.6, 1.2),  # width relative to the template
    "shear": (-0.1, 0.25),  # slant: mean, spread
    "angle": 10.0,  # rotation spread in degrees
    "sigma": (0.6, 1.1),  # pen blur in pixels
    "gain": (1.5, 5.0),  # ink saturation: more gain, a thicker stroke with sharper edges
    "trim": 0.08,  # up to this share of the path is left out at each end
    "jitter": 0.5,  # spread of the centre of mass about the field's centre, in pixels
}


def _waves(rng, p, n, amp, freq):
    """Add a random smooth displacement: one plane wave per axis."""
    f = rng.normal(0.0, freq, size=(n, 1, 2, 2)).astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1, 2)).astype(np.float32)
    a = rng.uniform(0.0, amp, size=(n, 1, 2)).astype(np.float32)
    wave = p[:, :, 0:1] * f[..., 0]
    wave += p[:, :, 1:2] * f[..., 1]
    wave += phase
    p += a * np.sin(wave, out=wave)


def _pen_points(rng, labels):
    """Distorted pen points in pixel coordinates, each sample's pen blur and ink gain."""
    n = len(labels)
    variant = _FIRST[labels] + (rng.random(n) * _COUNT[labels]).astype(np.int64)
    p = _BANK[variant].copy()  # (n, POINTS, 2)
    _waves(rng, p, n, STYLE["wave_amp"], STYLE["wave_freq"])
    _waves(rng, p, n, STYLE["wave_amp"], STYLE["wave_freq"])
    _waves(rng, p, n, STYLE["ripple_amp"], STYLE["ripple_freq"])

    # width, slant (shear; y points down, so a negative shear leans the top right) and
    # rotation, as writers vary them
    width = rng.uniform(*STYLE["width"], (n, 1)).astype(np.float32)
    shear = rng.normal(*STYLE["shear"], (n, 1)).astype(np.float32)
    angle = np.radians(np.clip(rng.normal(0.0, STYLE["angle"], (n, 1)), -30, 30))
    c, s = np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)
    x, y = p[:, :, 0], p[:, :, 1]
    x = x * width + y * shear
    p = np.stack([c * x - s * y, s * x + c * y], axis=2)

    # fit into the 20x20 box (strokes included), then centre the mass in the 28x28 field
    sigma = rng.uniform(*STYLE["sigma"], n)
    gain = rng.uniform(*STYLE["gain"], n)
    # ink saturates where the blur exceeds 1/gain: that radius plus one blur of soft edge
    margin = sigma * (np.sqrt(2 * np.log(gain)) + 1.0)
    lo, hi = p.min(axis=1), p.max(axis=1)
    extent = (hi - lo).max(axis=1)
    scale = (BOX - 2 * margin) / np.maximum(extent, 1e-6)
    p *= scale[:, None, None].astype(np.float32)
    centre = SIZE / 2 - 0.5 + rng.normal(0.0, STYLE["jitter"], size=(n, 1, 2))
    p += (centre - p.mean(axis=1, keepdims=True)).astype(np.float32)
    return p, sigma, gain


def _pressure(rng, n):
    """Each pen point's ink: a slow swell along the path, and nothing in the trimmed ends."""
    t = np.linspace(0, 2 * np.pi, POINTS)
    swell = rng.uniform(0.0, 0.25, (n, 1)) * np.sin(
        t * rng.uniform(0.5, 2.0, (n, 1)) + rng.uniform(0, 2 * np.pi, (n, 1))
    )
    k = np.arange(POINTS)
    start = rng.uniform(0, STYLE["trim"] * POINTS, (n, 1))
    stop = POINTS - rng.uniform(0, STYLE["trim"] * POINTS, (n, 1))
    return (1.0 + swell) * ((k >= start) & (k < stop))


def _blur(d, inv):
    """exp(-d**2 * inv) capped at exp(-40), computed in place in d."""
    np.square(d, out=d)
    np.multiply(d, inv, out=d)
    np.minimum(d, 40, out=d)
    np.negative(d, out=d)
    return np.exp(d, out=d)


def _ink(p, sigma, pressure):
    """Separable Gaussian blots at the pen points, summed and saturated into uint8 pixels."""
    grid = np.arange(SIZE, dtype=np.float32)
    inv = (1.0 / (2.0 * sigma**2)).astype(np.float32)[:, None, None]
    q = p.astype(np.float32)
    # Both factors are laid out for a contiguous batched matmul (a transposed view is ~15x
    # slower), and the exponent is capped so that neither they nor their products are
    # subnormal floats, which the matmul would crawl through.
    gy = _blur(grid[:, None] - q[:, None, :, 1], inv)  # (n, 28, POINTS)
    gx = _blur(grid - q[:, :, 0:1], inv)  # (n, POINTS, 28)
    # a blot's weight is its share of stroke length, so a stroke's ink does not depend on
    # how densely its points lie
    step = np.linalg.norm(np.diff(p, axis=1), axis=2)
    step = np.minimum(np.concatenate([step, step[:, -1:]], axis=1), 1.5)
    weight = (step / (np.sqrt(2 * np.pi) * sigma[:, None]) * pressure).astype(np.float32)
    ink = np.matmul(gy * weight[:, None, :], gx)  # (n, 28, 28)
    return np.round(255.0 * np.minimum(ink, 1.0) ** 1.3).astype(np.uint8)


def generate(n, seed):
    """n digit images (uint8, n x 28 x 28) and their labels (int64), deterministic in seed."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n)
    p, sigma, gain = _pen_points(rng, labels)
    pressure = _pressure(rng, n) * gain[:, None]
    images = np.empty((n, SIZE, SIZE), dtype=np.uint8)
    for start in range(0, n, CHUNK):
        part = slice(start, start + CHUNK)
        images[part] = _ink(p[part], sigma[part], pressure[part])
    return images, labels.astype(np.int64)

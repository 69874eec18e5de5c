"""Short text for tensors in pictures and explanations: a few values, or a summary.

A small tensor shows its values (`[-2]`, `[[1, 2], [3, 4]]`); a large one shows
its shape and min / mean / max. Numbers use four significant digits, so that
the same gradient prints the same from chainrule and from PyTorch. A picture's
label is shorter still (`compact`: the values of a tiny tensor, else its shape
and largest magnitude); the page's side panel shows every statistic (`stats`).
"""

import numpy as np

# Tensors with at most this many elements show every value.
MAX_VALUES = 8


def number(v):
    """One number, four significant digits: -2, 0.5, 1.25e-05, nan, inf."""
    v = float(v)
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    text = f"{v:.4g}"
    return "0" if text == "-0" else text


def as_array(value):
    """The NumPy array behind a tensor, array or number (None stays None)."""
    if value is None:
        return None
    data = getattr(value, "_data", None)
    if isinstance(data, np.ndarray):
        return data
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a PyTorch tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


def tensor(value, max_values=MAX_VALUES):
    """A tensor as short text: its values when few, else shape and min/mean/max."""
    a = as_array(value)
    if a is None:
        return "?"
    if a.dtype == np.bool_:
        a = a.astype(np.int64)
    if a.size <= max_values:
        if a.ndim == 0:
            return number(a)
        return np.array2string(
            a,
            separator=", ",
            formatter={"all": number},
            max_line_width=10_000,
            threshold=max_values + 1,
        ).replace("\n", "")
    if a.size == 0:
        return f"shape {list(a.shape)} (empty)"
    f = a.astype(np.float64, copy=False)
    return (
        f"shape {list(a.shape)} min {number(f.min())} mean {number(f.mean())} max {number(f.max())}"
    )


def shape(value):
    a = as_array(value)
    return None if a is None else list(a.shape)


# A label in a picture shows the values of a tensor with at most this many elements,
# when they fit in COMPACT_CHARS characters.
COMPACT_VALUES = 4
COMPACT_CHARS = 24


def compact(value):
    """A tensor in a few characters, for a label: `[-2]`, or `[64, 10] |x|≤2.33` (its
    shape and largest magnitude: what tells a vanishing or exploding value apart)."""
    a = as_array(value)
    if a is None:
        return "?"
    if a.size <= COMPACT_VALUES:
        text = tensor(a, max_values=COMPACT_VALUES)
        if len(text) <= COMPACT_CHARS:
            return text
    if a.size == 0:
        return f"{list(a.shape)} empty"
    if a.dtype == np.bool_:
        a = a.astype(np.int64)
    top = np.abs(a.astype(np.float64, copy=False)).max()
    return f"{list(a.shape)} |x|≤{number3(top)}"


def number3(v):
    """Three significant digits, for labels: 2.33, 0.0156, 1.2e-05."""
    v = float(v)
    if v != v or v in (float("inf"), float("-inf")):
        return number(v)
    text = f"{v:.3g}"
    return "0" if text == "-0" else text


def stats(value):
    """Every statistic the side panel lists for a tensor, as (name, text) pairs."""
    a = as_array(value)
    if a is None:
        return []
    out = [("shape", str(list(a.shape))), ("dtype", str(a.dtype))]
    if a.size == 0:
        return out
    if a.size <= MAX_VALUES:
        out.append(("values", tensor(a)))
    if a.dtype == np.bool_:
        a = a.astype(np.int64)
    f = a.astype(np.float64, copy=False)
    finite = f[np.isfinite(f)]
    out += [
        ("min", number(f.min())),
        ("max", number(f.max())),
        ("mean", number(f.mean())),
        ("std", number(f.std())),
        ("|x| max", number(np.abs(f).max())),
        ("norm", number(np.sqrt((finite * finite).sum()))),
    ]
    if finite.size != f.size:
        out.append(("not finite", f"{f.size - finite.size:,} of {f.size:,}"))
    zeros = int((f == 0).sum())
    if zeros:
        out.append(("zeros", f"{zeros:,} of {f.size:,}"))
    return out

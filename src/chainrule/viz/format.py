"""Short text for tensors in pictures and explanations: a few values, or a summary.

A small tensor shows its values (`[-2]`, `[[1, 2], [3, 4]]`); a large one shows
its shape and min / mean / max. Numbers use four significant digits, so that
the same gradient prints the same from chainrule and from PyTorch.
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

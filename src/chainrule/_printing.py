"""How tensors print: the same text PyTorch prints for repr() and str().

The layout rules, learnt by comparing with PyTorch's output:

- One format is chosen for the whole tensor from the elements that will be
  shown. Floats whose finite, nonzero values are all whole numbers print as
  `3.`; otherwise with `precision` decimals. Scientific notation is used when
  the largest magnitude is over 1000 times the smallest, over 1e8, or (for
  non-whole values) under 1e-4. Every element is right-aligned to the widest
  finite nonzero one (nan, inf and zeros do not set the width).
- Rows are wrapped so that each line fits `linewidth` columns; nested
  dimensions open with one more `[` and are separated by one blank line per
  level below the innermost.
- Above `threshold` elements, each dimension longer than 2 * `edgeitems`
  shows only its first and last `edgeitems` entries around `...`.
- Keyword suffixes (size=, dtype=, grad_fn=, requires_grad=) follow the data
  and move to a new line when they would pass `linewidth`.
"""

import math

import numpy as np

from .dtypes import bool_, default_complex_dtype, get_default_dtype, int64

__all__ = ["set_printoptions", "get_printoptions", "tensor_repr", "format_data"]

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


class _Options:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


options = _Options()


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
):
    """Set how tensors print, as torch.set_printoptions does.

    profile ("default", "short" or "full") sets the first four options at once;
    options given by name override it. sci_mode=None (the default, and what any
    call without sci_mode restores) lets each tensor choose; True or False forces it.
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"Invalid profile: {profile}. the profile must be one of {list(_PROFILES)}"
            )
        for name, value in _PROFILES[profile].items():
            setattr(options, name, value)
    if precision is not None:
        options.precision = precision
    if threshold is not None:
        options.threshold = threshold
    if edgeitems is not None:
        options.edgeitems = edgeitems
    if linewidth is not None:
        options.linewidth = linewidth
    options.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict."""
    return {
        "precision": options.precision,
        "threshold": options.threshold,
        "edgeitems": options.edgeitems,
        "linewidth": options.linewidth,
        "sci_mode": options.sci_mode,
    }


# -- choosing one element format for the whole tensor ---------------------------------------
def _shown_part(arr, edge):
    """The elements a summarised print shows: first and last `edge` along each long axis."""
    for axis, n in enumerate(arr.shape):
        if n > 2 * edge:
            keep = list(range(edge)) + list(range(n - edge, n))
            arr = np.take(arr, keep, axis=axis)
    return arr


class _ElementFormat:
    """Turns one Python scalar into its padded text; built once from the shown values."""

    def __init__(self, shown):
        self.is_float = shown.dtype.kind == "f"
        self.precision = options.precision
        self.sci = False
        self.whole = True
        self.width = 1
        if not self.is_float:
            for v in shown.ravel().tolist():
                self.width = max(self.width, len(str(v)))
            return
        values = shown.astype(np.float64).ravel()
        finite_nonzero = values[np.isfinite(values) & (values != 0)]
        if finite_nonzero.size:
            magnitudes = np.abs(finite_nonzero)
            smallest = float(magnitudes.min())
            largest = float(magnitudes.max())
            self.whole = bool(np.all(np.ceil(finite_nonzero) == finite_nonzero))
            if options.sci_mode is not None:
                self.sci = options.sci_mode
            else:
                self.sci = largest / smallest > 1000.0 or largest > 1.0e8
                if not self.whole and smallest < 1.0e-4:
                    self.sci = True
            self.width = max(len(self._text(v)) for v in finite_nonzero.tolist())
        # With no finite nonzero value (all zeros, nan, inf) the plain `0.` style
        # stays, whatever sci_mode says.

    def _text(self, value):
        if not self.is_float:
            return str(value)
        if self.sci:
            return f"{value:.{self.precision}e}"
        if self.whole:
            text = f"{value:.0f}"
            return text if math.isnan(value) or math.isinf(value) else text + "."
        return f"{value:.{self.precision}f}"

    def __call__(self, value):
        return self._text(value).rjust(self.width)


class _ComplexFormat:
    """Complex elements: the real parts and the imaginary parts each get a format of their
    own (chosen as for a real tensor), joined as `re+imj`, the imaginary part unpadded."""

    def __init__(self, shown):
        self.real = _ElementFormat(shown.real)
        self.imag = _ElementFormat(shown.imag)
        self.width = self.real.width + self.imag.width + 1

    def __call__(self, value):
        value = complex(value)
        imag = (self.imag(value.imag) + "j").lstrip()
        sign = "" if imag[0] in "+-" else "+"
        return self.real(value.real) + sign + imag


# -- layout ---------------------------------------------------------------------------------
def _format_row(values, indent, fmt, summarize):
    """One innermost dimension: `[a, b, c,` wrapped under its opening bracket."""
    edge = options.edgeitems
    if summarize and len(values) > 2 * edge:
        items = [fmt(v) for v in values[:edge]] + [" ..."] + [fmt(v) for v in values[-edge:]]
    else:
        items = [fmt(v) for v in values]
    per_line = max(1, int((options.linewidth - indent) // (fmt.width + 2)))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _format_nested(values, ndim, indent, fmt, summarize):
    """values: nested Python lists `ndim` deep."""
    if ndim == 0:
        return fmt(values)
    if ndim == 1:
        return _format_row(values, indent, fmt, summarize)
    edge = options.edgeitems
    if summarize and len(values) > 2 * edge:
        blocks = [_format_nested(v, ndim - 1, indent + 1, fmt, summarize) for v in values[:edge]]
        blocks.append("...")
        blocks += [_format_nested(v, ndim - 1, indent + 1, fmt, summarize) for v in values[-edge:]]
    else:
        blocks = [_format_nested(v, ndim - 1, indent + 1, fmt, summarize) for v in values]
    separator = "," + "\n" * (ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(blocks) + "]"


def format_data(arr, indent=0):
    """The bracketed text of a NumPy array's values, continuation lines indented by `indent`.

    This is the part inside `tensor(...)`; `indent` is the column the text
    starts at (7 after "tensor("), so wrapped lines line up under the brackets.
    """
    if arr.size == 0:
        return "[]"
    summarize = arr.size > options.threshold
    shown = _shown_part(arr, options.edgeitems) if summarize else arr
    fmt = _ComplexFormat(shown) if arr.dtype.kind == "c" else _ElementFormat(shown)
    # Keeping edgeitems + 1 per side leaves each long axis still longer than
    # 2 * edgeitems, so the layout knows to put `...` there, without converting
    # the hidden middle of a large tensor to Python numbers.
    values = (_shown_part(arr, options.edgeitems + 1) if summarize else arr).tolist()
    return _format_nested(values, arr.ndim, indent, fmt, summarize)


def _with_suffixes(text, suffixes, indent):
    """Append `, key=value` parts, starting a new line when one would pass linewidth."""
    # Measured as PyTorch measures it: the current line plus two, against linewidth.
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > options.linewidth:
            text += ",\n" + " " * indent + suffix
            line_len = indent + len(suffix)
        else:
            text += ", " + suffix
            line_len += len(suffix) + 2
    return text + ")"


def _dtype_suffix(t, empty):
    d = t.dtype
    default = get_default_dtype()
    if empty:
        return None if d is default else f"dtype={d!r}"
    return None if d in (default, default_complex_dtype(), int64, bool_) else f"dtype={d!r}"


def tensor_repr(t, prefix="tensor(", tensor_contents=None):
    """The text of repr(t) and str(t): `tensor([1., 2.], requires_grad=True)`."""
    arr = t._data
    indent = len(prefix)
    suffixes = []
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        body = "[]"
    else:
        body = format_data(arr, indent)
    dtype_text = _dtype_suffix(t, arr.size == 0)
    if dtype_text:
        suffixes.append(dtype_text)
    if t.grad_fn is not None:
        # the class's name: name() qualifies some (CopySlices), the repr does not
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    if tensor_contents is not None:
        body = tensor_contents
    return _with_suffixes(prefix + body, suffixes, indent)

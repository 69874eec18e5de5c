"""assert_close: are two values (tensors, NumPy arrays, numbers, or sequences and mappings of
them) equal up to a tolerance? Raises AssertionError with PyTorch's message otherwise.

Values match where |actual - expected| <= atol + rtol * |expected| (infinities of the same sign
match; NaNs match only with equal_nan=True). Without rtol and atol, each dtype's defaults apply
(the loosest of the two inputs'):

    float16 rtol 1e-3,   atol 1e-5        float64  rtol 1e-7, atol 1e-7
    float32 rtol 1.3e-6, atol 1e-5        integers and bool: exact
"""

from __future__ import annotations

import cmath
import collections.abc
import contextlib

import numpy as np

from .. import dtypes
from ..tensor import Tensor

_PRECISIONS = {"float16": (0.001, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}
# the dtype PyTorch gives each kind of Python number for its tolerances
_NUMBER_DTYPES = {int: "int64", float: "float64", complex: "complex128"}


class _Mismatch(Exception):
    """One failed comparison: the exception type and message to raise, and where it was."""

    def __init__(self, kind, msg, path=()):
        super().__init__(msg)
        self.kind, self.msg, self.path = kind, msg, path

    def to_error(self, msg=None):
        if isinstance(msg, str):
            return self.kind(msg)
        text = self.msg
        if self.path:
            text += "\n\nThe failure occurred for item " + "".join(str([k]) for k in self.path)
        return self.kind(msg(text) if callable(msg) else text)


class _Unsupported(Exception):
    """This kind of comparison does not handle these inputs; try the next one."""


def _tolerances(names, rtol, atol, path):
    if (rtol is None) ^ (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise _Mismatch(
            ValueError,
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}.",
            path,
        )
    if rtol is not None:
        return rtol, atol
    pairs = [_PRECISIONS.get(name, (0.0, 0.0)) for name in names]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_message(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0

    def line(kind, diff, idx, tol):
        text = (
            f"{kind.title()} difference: {diff}"
            if idx is None
            else (f"Greatest {kind} difference: {diff} at index {idx}")
        )
        return text + ("" if equality else f" (up to {tol} allowed)") + "\n"

    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += line("absolute", abs_diff, abs_idx, atol)
    msg += line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_message(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_message(
        "Scalars",
        f"Expected {expected} but got {actual}.",
        abs_diff,
        None,
        atol,
        rel_diff,
        None,
        rtol,
    )


# -- the kinds of comparison, tried in order ---------------------------------------------------
def _compare_none(actual, expected, path, options):
    if not (actual is None or expected is None):
        raise _Unsupported

    def compare():
        if not (actual is None and expected is None):
            message = f"None mismatch: {actual} is not {expected}"
            raise _Mismatch(AssertionError, message, path)

    return compare


def _compare_bool(actual, expected, path, options):
    kinds = (bool, np.bool_)
    if not (isinstance(actual, kinds) and isinstance(expected, kinds)):
        raise _Unsupported
    actual, expected = bool(actual), bool(expected)

    def compare():
        if actual is not expected:
            message = f"Booleans mismatch: {actual} is not {expected}"
            raise _Mismatch(AssertionError, message, path)

    return compare


def _compare_number(actual, expected, path, options):
    kinds = (int, float, complex, np.number)
    if not (isinstance(actual, kinds) and isinstance(expected, kinds)):
        raise _Unsupported
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    names = [_NUMBER_DTYPES[type(x)] for x in (actual, expected)]
    rtol, atol = _tolerances(names, options["rtol"], options["atol"], path)

    def compare():
        if options["check_dtype"] and type(actual) is not type(expected):
            raise _Mismatch(
                AssertionError,
                f"The (d)types do not match: {type(actual)} != {type(expected)}.",
                path,
            )
        if actual == expected:
            return
        if options["equal_nan"] and cmath.isnan(actual) and cmath.isnan(expected):
            return
        abs_diff = abs(actual - expected)
        if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
            return
        raise _Mismatch(AssertionError, _scalar_message(actual, expected, rtol, atol), path)

    return compare


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x.detach()
    if isinstance(x, np.ndarray):
        return Tensor._wrap(x)
    raise _Unsupported


def _compare_tensor(actual, expected, path, options):
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if not related or (not options["allow_subclasses"] and type(actual) is not type(expected)):
        raise _Unsupported
    actual, expected = _as_tensor(actual), _as_tensor(expected)
    names = [str(t.dtype).split(".")[-1] for t in (actual, expected)]
    rtol, atol = _tolerances(names, options["rtol"], options["atol"], path)
    return lambda: _compare_tensor_values(actual, expected, path, options, rtol, atol)


def _compare_tensor_values(actual, expected, path, options, rtol, atol):
    def differ(attribute, a, b):
        raise _Mismatch(
            AssertionError,
            f"The values for attribute '{attribute}' do not match: {a} != {b}.",
            path,
        )

    if actual.shape != expected.shape:
        differ("shape", actual.shape, expected.shape)
    if options["check_stride"] and actual.stride() != expected.stride():
        differ("stride()", actual.stride(), expected.stride())
    if options["check_device"] and actual.device != expected.device:
        differ("device", actual.device, expected.device)
    if options["check_dtype"] and actual.dtype != expected.dtype:
        differ("dtype", actual.dtype, expected.dtype)
    a, e = actual.numpy(), expected.numpy()
    if a.dtype != e.dtype:
        common = dtypes.promote_types(actual.dtype, expected.dtype)
        a, e = actual.to(common).numpy(), expected.to(common).numpy()
    matches = _isclose(a, e, rtol, atol, options["equal_nan"])
    if matches.all():
        return
    if a.ndim == 0:
        msg = _scalar_message(a.item(), e.item(), rtol, atol)
    else:
        msg = _tensor_message(a, e, matches, rtol, atol)
    raise _Mismatch(AssertionError, msg, path)


def _isclose(a, e, rtol, atol, equal_nan):
    """PyTorch's isclose: equal values (infinities included) match; otherwise finite values
    within atol + rtol * |e|; NaNs only with equal_nan."""
    if a.dtype.kind not in "fc":
        if rtol == 0 and atol == 0:
            return a == e
        a, e = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        close = a == e
        if equal_nan:
            close |= np.isnan(a) & np.isnan(e)
        if rtol != 0 or atol != 0:
            bound = atol + rtol * np.abs(e)
            close |= np.isfinite(e) & (np.abs(a - e) <= bound)
    return close


def _tensor_message(a, e, matches, rtol, atol):
    total = matches.size
    mismatched = total - int(matches.sum())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    shape = matches.shape
    a, e, matches = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    if a.dtype.kind not in "fc":
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[matches] = 0
        # integers' relative difference is a true division: the default float dtype
        rel_dtype = abs_diff.dtype if abs_diff.dtype.kind in "fc" else np.float32
        rel_diff = abs_diff.astype(rel_dtype) / np.abs(e).astype(rel_dtype)
        rel_diff[matches] = 0
    abs_idx, rel_idx = _argmax(abs_diff), _argmax(rel_diff)
    return _mismatch_message(
        "Tensor-likes",
        extra,
        abs_diff[abs_idx].item(),
        _unravel(abs_idx, shape),
        atol,
        rel_diff[rel_idx].item(),
        _unravel(rel_idx, shape),
        rtol,
    )


def _argmax(values):
    """The index of the largest value, NaN counting as the largest (as torch.max does)."""
    nan = np.isnan(values) if values.dtype.kind in "fc" else np.zeros(values.shape, bool)
    return int(np.argmax(nan)) if nan.any() else int(np.argmax(values))


def _unravel(flat, shape):
    return tuple(int(i) for i in np.unravel_index(flat, shape))


_KINDS = (_compare_none, _compare_bool, _compare_number, _compare_tensor)


def _pairs(actual, expected, path, options):
    """Each leaf comparison to make, as (kind, actual, expected, path); sequences and mappings
    are walked element by element."""
    is_seq = isinstance(actual, collections.abc.Sequence) and not isinstance(actual, str)
    if is_seq and isinstance(expected, collections.abc.Sequence) and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _Mismatch(
                AssertionError,
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                path,
            )
        for i in range(len(actual)):
            yield from _pairs(actual[i], expected[i], (*path, i), options)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(
        expected, collections.abc.Mapping
    ):
        actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
        if actual_keys != expected_keys:
            raise _Mismatch(
                AssertionError,
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(expected_keys - actual_keys)}\n"
                f"Additional keys in the actual mapping: {sorted(actual_keys - expected_keys)}",
                path,
            )
        keys = actual_keys
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        for key in keys:
            yield from _pairs(actual[key], expected[key], (*path, key), options)
        return
    yield actual, expected, path


def assert_close(
    actual,
    expected,
    *,
    allow_subclasses=True,
    rtol=None,
    atol=None,
    equal_nan=False,
    check_device=True,
    check_dtype=True,
    check_layout=True,
    check_stride=False,
    msg=None,
):
    """Raise AssertionError (PyTorch's message, or `msg`: a string, or a callable given the
    generated message) unless actual and expected are close."""
    __tracebackhide__ = True
    options = {
        "allow_subclasses": allow_subclasses,
        "rtol": rtol,
        "atol": atol,
        "equal_nan": equal_nan,
        "check_device": check_device,
        "check_dtype": check_dtype,
        "check_stride": check_stride,
    }
    # as PyTorch does: every leaf is first paired with its kind of comparison (errors in the
    # structure, the types or the tolerances are raised as they are, without `msg`), then the
    # values are compared, and the first mismatch raised
    try:
        comparisons = [
            _pair(a, e, path, options) for a, e, path in _pairs(actual, expected, (), options)
        ]
    except _Mismatch as mismatch:
        raise mismatch.to_error() from None
    try:
        for compare in comparisons:
            compare()
    except _Mismatch as mismatch:
        raise mismatch.to_error(msg) from None


def _pair(actual, expected, path, options):
    for kind in _KINDS:
        try:
            return kind(actual, expected, path, options)
        except _Unsupported:
            continue
    raise _Mismatch(
        TypeError,
        "No comparison pair was able to handle inputs of type "
        f"{type(actual)} and {type(expected)}.",
        path,
    )

"""TorchVersion: a version string that compares as a version.

`torch.__version__` is a str that scripts compare to pick a code path
(`if torch.__version__ >= "1.6"`), where plain string comparison gets "2.13" < "2.2"
wrong. As PyTorch's own TorchVersion does, comparisons with a string, a tuple such as
(2, 0) or a version object compare release numbers (then pre-, post- and dev-releases
and the local label, by PEP 440); anything that is not a version compares as a string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["TorchVersion"]

# Compiled on the first comparison (re.fullmatch compiles and caches it), not when
# chainrule is imported.
_PATTERN = (
    r"v?(\d+(?:\.\d+)*)"  # release
    r"(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?"  # pre-release
    r"(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?"  # post-release
    r"(?:[-_.]?dev[-_.]?(\d*))?"  # development release
    r"(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?"  # local label
)
_PRE = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_INF = float("inf")


class InvalidVersion(ValueError):
    """A string that is not a PEP 440 version."""


def _key(text):
    """A sort key for a PEP 440 version string (as packaging orders versions)."""
    m = re.fullmatch(_PATTERN, text.strip(), re.IGNORECASE)
    if m is None:
        raise InvalidVersion(f"Invalid version: {text!r}")
    release, pre_l, pre_n, post_a, post_b, dev, local = m.groups()
    numbers = [int(x) for x in release.split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()  # 2.13 == 2.13.0
    post = post_a if post_a is not None else post_b
    has_post = post_a is not None or post_b is not None or "post" in text.lower()
    if pre_l is None and post is None and dev is not None and not has_post:
        pre = (-_INF,)  # 1.0.dev0 sorts before 1.0a0
    elif pre_l is None:
        pre = (_INF,)
    else:
        pre = (_PRE[pre_l.lower()], int(pre_n or 0))
    post_key = (int(post or 0),) if has_post else (-_INF,)
    dev_key = (int(dev or 0),) if dev is not None else (_INF,)
    local_key = (
        tuple((0, int(p)) if p.isdigit() else (-1, p.lower()) for p in re.split(r"[-_.]", local))
        if local
        else ((-_INF, ""),)
    )
    return tuple(numbers), pre, post_key, dev_key, local_key


def _other_key(other):
    if isinstance(other, str):
        return _key(other)
    if isinstance(other, Iterable):
        return _key(".".join(str(x) for x in other))
    if hasattr(other, "release"):  # a version object, such as packaging's Version
        return _key(str(other))
    raise InvalidVersion(repr(other))


class TorchVersion(str):
    """A str (such as "2.13.0+chainrule.0.1.0") that compares as a version."""

    __slots__ = ()

    def _compare(self, other, op):
        try:
            return op(_key(self), _other_key(other))
        except InvalidVersion:
            return op(str(self), other)

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b)

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other):
        return not self == other

    __hash__ = str.__hash__

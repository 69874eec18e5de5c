"""Whether autocast is casting, and to what: set by chainrule.amp.autocast, read by the ops
that cast (ops/autocast.py) and cleared by the engine while it runs a backward pass. A
module of its own, importing no other part of chainrule, so that the engine can read it."""

from typing import Any


class _State:
    __slots__ = ("dtype",)

    def __init__(self) -> None:
        # autocast's lower-precision dtype (a chainrule dtype) while it is active on the CPU
        self.dtype: Any = None


state = _State()

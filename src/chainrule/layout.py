"""torch.layout values: chainrule's tensors are all dense (strided), so `strided` is the one
layout there is; the name exists so that PyTorch code passing layout=torch.strided runs and
`t.layout == torch.strided` holds."""

from __future__ import annotations

__all__ = ["strided"]


class layout:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return self.name  # pickled by reference: chainrule.layout.strided


strided = layout("strided")

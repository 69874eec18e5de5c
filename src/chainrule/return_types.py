"""The named tuples that ops returning (values, indices) give back, as torch.return_types."""

import collections

__all__ = [
    "aminmax",
    "cummax",
    "cummin",
    "frexp",
    "histogram",
    "kthvalue",
    "max",
    "median",
    "min",
    "mode",
    "nanmedian",
    "sort",
    "topk",
]


def structseq(name, fields=("values", "indices")):
    """A tuple type with named fields, printed as PyTorch prints torch.return_types.<name>."""
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__})
    cls.__module__ = "chainrule.return_types"
    return cls


max = structseq("max")
min = structseq("min")
median = structseq("median")
mode = structseq("mode")
sort = structseq("sort")
topk = structseq("topk")
kthvalue = structseq("kthvalue")
aminmax = structseq("aminmax", ("min", "max"))
nanmedian = structseq("nanmedian")
cummax = structseq("cummax")
cummin = structseq("cummin")
frexp = structseq("frexp", ("mantissa", "exponent"))
histogram = structseq("histogram", ("hist", "bin_edges"))

"""The named tuples that ops with several results give back, as torch.return_types."""

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
# The linear-algebra results (below) are added to __all__ where they are defined.


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

# Linear algebra (ops/linalg_*.py)
_LINALG = {
    "slogdet": ("sign", "logabsdet"),
    "linalg_slogdet": ("sign", "logabsdet"),
    "linalg_inv_ex": ("inverse", "info"),
    "linalg_solve_ex": ("result", "info"),
    "linalg_cholesky_ex": ("L", "info"),
    "linalg_lu_factor": ("LU", "pivots"),
    "linalg_lu_factor_ex": ("LU", "pivots", "info"),
    "linalg_lu": ("P", "L", "U"),
    "lu_unpack": ("P", "L", "U"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"),
    "linalg_eig": ("eigenvalues", "eigenvectors"),
    "linalg_svd": ("U", "S", "Vh"),
    "svd": ("U", "S", "V"),
    "linalg_qr": ("Q", "R"),
    "qr": ("Q", "R"),
    "geqrf": ("a", "tau"),
    "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
    "triangular_solve": ("solution", "cloned_coefficient"),
}
for _name, _fields in _LINALG.items():
    globals()[_name] = structseq(_name, _fields)
    __all__.append(_name)

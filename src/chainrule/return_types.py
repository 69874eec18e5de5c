"""The named tuples that ops with several results give back, as torch.return_types."""

import collections


def structseq(name, fields=("values", "indices")):
    """A tuple type with named fields, printed as PyTorch prints torch.return_types.<name>."""
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__})
    cls.__module__ = "chainrule.return_types"
    return cls


# Each result's field names. The types are made on first use (module __getattr__ below):
# making the thirty-odd named tuples costs more than a millisecond of `import chainrule`.
_FIELDS = {
    "max": ("values", "indices"),
    "min": ("values", "indices"),
    "median": ("values", "indices"),
    "mode": ("values", "indices"),
    "sort": ("values", "indices"),
    "topk": ("values", "indices"),
    "kthvalue": ("values", "indices"),
    "aminmax": ("min", "max"),
    "nanmedian": ("values", "indices"),
    "cummax": ("values", "indices"),
    "cummin": ("values", "indices"),
    "frexp": ("mantissa", "exponent"),
    "histogram": ("hist", "bin_edges"),
    # Linear algebra (ops/linalg_*.py)
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
__all__ = sorted(_FIELDS)


def __getattr__(name):
    fields = _FIELDS.get(name)
    if fields is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # setdefault: two threads that race here still get one type
    return globals().setdefault(name, structseq(name, fields))


def __dir__():
    return sorted({*globals(), *_FIELDS})

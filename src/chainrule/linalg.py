"""chainrule.linalg: the torch.linalg functions.

The ops live in ops/linalg_solve.py (det, inverses, solves), ops/linalg_factor.py (LU,
Cholesky),
ops/linalg_spectral.py (eigendecompositions, SVD, QR, pinv, lstsq, rank, cond) and
ops/linalg_products.py (cross, vecdot, multi_dot, matrix_power, vander, householder_product,
tensorinv, tensorsolve); the norms are written here from vector_norm and the singular
values.
"""

import math

from .ops.indexing import diagonal as _diagonal
from .ops.linalg_factor import linalg_cholesky as cholesky
from .ops.linalg_factor import linalg_cholesky_ex as cholesky_ex
from .ops.linalg_factor import linalg_lu as lu
from .ops.linalg_factor import linalg_lu_factor as lu_factor
from .ops.linalg_factor import linalg_lu_factor_ex as lu_factor_ex
from .ops.linalg_factor import linalg_lu_solve as lu_solve
from .ops.linalg_kernels import LinAlgError
from .ops.linalg_products import householder_product, matrix_power
from .ops.linalg_products import linalg_cross as cross
from .ops.linalg_products import linalg_multi_dot as multi_dot
from .ops.linalg_products import linalg_tensorinv as tensorinv
from .ops.linalg_products import linalg_tensorsolve as tensorsolve
from .ops.linalg_products import linalg_vander as vander
from .ops.linalg_products import linalg_vecdot as vecdot
from .ops.linalg_solve import det, solve_triangular
from .ops.linalg_solve import linalg_inv as inv
from .ops.linalg_solve import linalg_inv_ex as inv_ex
from .ops.linalg_solve import linalg_slogdet as slogdet
from .ops.linalg_solve import linalg_solve as solve
from .ops.linalg_solve import linalg_solve_ex as solve_ex
from .ops.linalg_spectral import linalg_cond as cond
from .ops.linalg_spectral import linalg_eig as eig
from .ops.linalg_spectral import linalg_eigh as eigh
from .ops.linalg_spectral import linalg_eigvals as eigvals
from .ops.linalg_spectral import linalg_eigvalsh as eigvalsh
from .ops.linalg_spectral import linalg_lstsq as lstsq
from .ops.linalg_spectral import linalg_matrix_rank as matrix_rank
from .ops.linalg_spectral import linalg_pinv as pinv
from .ops.linalg_spectral import linalg_qr as _linalg_qr
from .ops.linalg_spectral import linalg_svd as svd
from .ops.linalg_spectral import linalg_svdvals as svdvals
from .ops.linalg_spectral import matrix_norm_spectral as _spectral_norm
from .ops.matmul import matmul
from .ops.numpy_names import accept_numpy_names as _accept_numpy_names
from .ops.reduction import vector_norm

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "householder_product",
    "inv",
    "inv_ex",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "tensorinv",
    "tensorsolve",
    "vander",
    "vecdot",
    "vector_norm",
]


def qr(A, mode="reduced"):
    return _linalg_qr(A, mode)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of the matrices in dims (dim1, dim2) of A (a view)."""
    return _diagonal(A, offset, dim1, dim2)


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The 'fro', 'nuc', 1, -1, 2, -2, inf or -inf norm of the matrices in dims `dim` of A."""
    if A.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if dtype is not None:
        A = A.to(dtype)
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(
            f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}"
        )
    if ord not in _MATRIX_ORDS:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        raise RuntimeError(f"linalg.matrix_norm: Order {ord:g} not supported.")
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    if ord in ("nuc", 2, -2):
        return _spectral_norm(A, ord, dim, keepdim)
    row, col = (d % A.ndim for d in dim)
    if ord in (math.inf, -math.inf):
        row, col = col, row  # the max row sum instead of the max column sum
    summed = A.abs().sum(row, keepdim=keepdim)
    if not keepdim and col > row:
        col -= 1
    return summed.amax(col, keepdim=keepdim) if ord > 0 else summed.amin(col, keepdim=keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (1-D input or an int dim) or a matrix norm (2-D input or a 2-tuple dim)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            if isinstance(ord, str):
                raise RuntimeError(
                    f"linalg.norm: If dim is specified, it mut be of length 1 or 2. Got {list(dim)}"
                )
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        if len(dim) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
        raise RuntimeError(
            f"linalg.norm: If dim is specified, it mut be of length 1 or 2. Got {list(dim)}"
        )
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if A.ndim != 1 or isinstance(ord, str):
        if isinstance(ord, str) and A.ndim == 1:
            raise RuntimeError(
                "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
            )
        raise RuntimeError(
            "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
            f"Got {A.ndim}D."
        )
    return vector_norm(A, ord, None, keepdim, dtype=dtype)


# NumPy's argument names (axis=, keepdims=, x=) where PyTorch takes them, as for chainrule.*
_accept_numpy_names([globals()])

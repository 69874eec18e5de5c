"""chainrule.linalg: the torch.linalg functions (norms, matmul) written with chainrule's ops."""

from .ops.matmul import matmul
from .ops.reduction import vector_norm
from .ops.singular import svdvals as _svdvals  # private: no public linalg.svd here

__all__ = ["matmul", "matrix_norm", "norm", "vector_norm"]


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """'fro', 'nuc', 1, -1, 2, -2, inf or -inf norm of the matrices in dims `dim` of A."""
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
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    if ord in (1, -1, float("inf"), -float("inf")):
        row, col = (d % A.ndim for d in dim)
        if ord in (float("inf"), -float("inf")):
            row, col = col, row  # the max row sum instead of the max column sum
        summed = A.abs().sum(row, keepdim=keepdim)
        if not keepdim and col > row:
            col -= 1
        return summed.amax(col, keepdim=keepdim) if ord > 0 else summed.amin(col, keepdim=keepdim)
    if ord in ("nuc", 2, -2):
        return _spectral_norm(A, ord, dim, keepdim)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def _spectral_norm(A, ord, dim, keepdim):
    """The nuclear norm (sum), or ord 2 / -2 (largest / smallest) of the singular values."""
    row, col = (d % A.ndim for d in dim)
    s = _svdvals(A.movedim((row, col), (-2, -1)))
    if ord == "nuc":
        out = s.sum(-1)
    elif s.shape[-1] == 0:
        if ord == -2:
            raise IndexError("amin(): Expected reduction dim -1 to have non-zero size.")
        out = s.sum(-1)  # PyTorch's 2-norm of an empty matrix is 0
    else:
        out = s.amax(-1) if ord == 2 else s.amin(-1)
    if keepdim:
        for d in sorted((row, col)):
            out = out.unsqueeze(d)
    return out


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (1-D input or an int dim) or a matrix norm (2-D input or a 2-tuple dim)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
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

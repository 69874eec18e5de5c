"""Products and constructions of torch.linalg: cross, vecdot, multi_dot, matrix_power,
vander, householder_product (orgqr), tensorinv, tensorsolve; and geqrf.

Only cross is a primitive (one op for both gradients, as PyTorch's LinalgCrossBackward0);
the rest are composites of matmul, inv, solve, cumprod and indexing, in the order PyTorch
computes them, so their derivatives are those ops' and differentiate again.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from ..tensor import Tensor
from . import linalg_kernels as K
from ._lazy import publish
from .dtype_dispatch import OWN, set_complex_mode
from .joining import cat
from .linalg_common import deprecated, eye
from .linalg_solve import linalg_inv, linalg_solve
from .op import Op, tensor_method
from .promotion import promote

__all__ = ["chain_matmul", "cross", "geqrf", "matrix_power", "orgqr", "vander"]

_wrap = Tensor._wrap


class LinalgCross(Op):
    name = "LinalgCrossBackward0"
    formula = "d(a x b)/da: g -> b^* x g, d/db: g -> g x a^*"

    @staticmethod
    def forward(ctx, a, b, *, dim):
        ctx.dim = dim
        ctx.save_for_backward(a, b)
        return np.cross(a, b, axis=dim).astype(np.result_type(a, b), copy=False)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        dim = ctx.dim
        return (
            _cross(b.conj(), grad, dim) if ctx.needs_input_grad[0] else None,
            _cross(grad, a.conj(), dim) if ctx.needs_input_grad[1] else None,
        )


def _cross(a, b, dim):
    return LinalgCross.apply(a, b, dim=dim)


def linalg_cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along dim (broadcast)."""
    if input._data.ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    a, b = promote(input, other)
    shape = np.broadcast_shapes(a._data.shape, b._data.shape)
    nd = len(shape)
    if not -nd <= dim < nd:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})"
        )
    if input._data.shape[dim] != 3 or other._data.shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{input._data.shape[dim]} and {other._data.shape[dim]}"
        )
    return _cross(a, b, dim % nd)


@tensor_method("cross")
def cross(input, other, dim=None):
    """torch.cross: linalg.cross, but without dim the first dimension of size 3 (deprecated)."""
    if dim is None:
        deprecated(
            "cross",
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
            "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
            "change to agree with that of linalg.cross in a future release.",
        )
        shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
        if input._data.ndim == other._data.ndim and (
            input._data.shape[dim] != 3 or other._data.shape[dim] != 3
        ):
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim)


def linalg_vecdot(x, y, *, dim=-1):
    """sum(conj(x) * y) along dim (broadcast)."""
    if x._data.ndim == 1 and y._data.ndim == 1 and x._data.shape != y._data.shape:
        n, m = x._data.shape[0], y._data.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    for t in (x, y):
        K.check_float(t, "linalg.vecdot", "x")
    return (x.conj() * y).sum(dim)


# -- multi_dot --------------------------------------------------------------------------------
def _chain_order(dims):
    """The cheapest parenthesisation of a matrix chain (dims: n + 1 sizes): split[i][j]."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return _chain(mats, split, i, k) @ _chain(mats, split, k + 1, j)


def _check_multi_dot(tensors):
    """PyTorch's errors for a chain multi_dot cannot take: too short, wrong ranks, mixed
    dtypes."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0]._data.ndim, tensors[-1]._data.ndim
    if first not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t._data.ndim}D")
    dtype = tensors[0].dtype
    for i, t in enumerate(tensors[1:], 1):
        if t.dtype is not dtype:
            raise RuntimeError(
                f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{K.type_name(tensors[0])} and tensor {i} is {K.type_name(t)}"
            )


def linalg_multi_dot(tensors):
    """The product of a chain of matrices (the first and last may be vectors), multiplied in
    the order that costs least."""
    tensors = list(tensors)
    _check_multi_dot(tensors)
    n = len(tensors)
    first, last = tensors[0]._data.ndim, tensors[-1]._data.ndim
    mats = list(tensors)
    if first == 1:
        mats[0] = mats[0].unsqueeze(0)
    if last == 1:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i in range(n - 1):
        a, b = mats[i]._data.shape, mats[i + 1]._data.shape
        if a[1] != b[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                f"{list(tensors[i + 1].shape)} cannot be multiplied"
            )
    if n == 2:
        out = mats[0] @ mats[1]
    else:
        dims = [m._data.shape[0] for m in mats] + [mats[-1]._data.shape[1]]
        out = _chain(mats, _chain_order(dims), 0, n - 1)
    if first == 1 and last == 1:
        return out.reshape(())
    if first == 1:
        return out.squeeze(0)
    if last == 1:
        return out.squeeze(-1)
    return out


def chain_matmul(*matrices):
    """The product of matrices, in the cheapest order (deprecated: linalg.multi_dot)."""
    deprecated(
        "chain_matmul",
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather "
        "than multiple parameters.",
    )
    if len(matrices) == 1:
        return matrices[0].clone()
    return linalg_multi_dot(matrices)


# -- matrix_power -----------------------------------------------------------------------------
@tensor_method("matrix_power")
def matrix_power(input, n):
    """A^n for an integer n (A^{-1} for negative n), by repeated squaring as PyTorch does."""
    fn = "linalg.matrix_power"
    K.check_matrix(input, fn)
    K.check_square(input, fn)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(
            f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}"
        )
    n = int(n)
    a = input
    if n == 0:
        size = a._data.shape[-1]
        return (a * 0 + eye(size, a).to(a.dtype)) if a._data.size else a.clone()
    if n < 0:
        a = linalg_inv(a)
        n = -n
    if n == 1:
        return a.clone()
    if n == 2:
        return a @ a
    if n == 3:
        return (a @ a) @ a
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else z @ z
        if bit:
            result = z if result is None else result @ z
    return result


# -- vander -----------------------------------------------------------------------------------
def linalg_vander(x, *, N=None):
    """(..., n, N): the powers x^0 .. x^(N-1) of each element of x, along the last dim."""
    if x._data.dtype.kind not in "fciu" or x._data.dtype.itemsize < 4 and x._data.dtype.kind == "f":
        raise RuntimeError(
            "linalg.vander supports floating point, complex, and integer tensors, but got "
            f"{K.type_name(x)}"
        )
    xs = x.unsqueeze(-1) if x._data.ndim == 0 else x
    n = xs._data.shape[-1] if N is None else int(N)
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = xs.unsqueeze(-1).expand(xs.shape + (n - 1,)).cumprod(-1)
    return cat([powers[..., :1] * 0 + 1, powers], -1)


@tensor_method("vander")
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D tensor: powers decreasing along each row by default."""
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0] if N is None else int(N)
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if n <= 1:
        out = x.unsqueeze(-1)[:, :n] * 0 + 1
        if x._data.dtype.kind == "b":
            out = out.long()
    else:
        xs = x.to(np.int64) if x._data.dtype.kind in "biu" else x
        out = linalg_vander(xs, N=n)
    return out if increasing else out.flip(-1)


# -- householder_product ----------------------------------------------------------------------
def householder_product(A, tau):
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H, with v_i the i-th column
    of A below the diagonal and 1 on it (LAPACK's orgqr)."""
    fn = "torch.linalg.householder_product"
    if A._data.ndim < 2:
        raise RuntimeError(f"{fn}: input must have at least 2 dimensions.")
    if tau._data.ndim < 1:
        raise RuntimeError(f"{fn}: input.dim() must be greater than or equal to tau.dim() + 1")
    m, n = A._data.shape[-2:]
    k = tau._data.shape[-1]
    if m < n:
        raise RuntimeError(
            f"{fn}: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    if n < k:
        raise RuntimeError(f"{fn}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if A._data.ndim - tau._data.ndim != 1:
        raise RuntimeError(f"{fn}: input.dim() must be greater than or equal to tau.dim() + 1")
    if A._data.shape[:-2] != tau._data.shape[:-1]:
        raise RuntimeError(
            f"{fn}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
            f"{list(tau._data.shape[:-1])}"
        )
    if A._data.dtype != tau._data.dtype:
        raise RuntimeError(f"{fn}: tau dtype {tau.dtype} does not match input dtype {A.dtype}")
    ident = eye(m, A).to(A.dtype)
    # Column i of v: zeros above the diagonal, 1 on it, A's entries below.
    below = A.tril(-1)
    v = below + eye(m, A)[:, :n].to(A.dtype)
    q = ident.expand(A.shape[:-2] + (m, m)) if A._data.ndim > 2 else ident
    if k == 0:  # no reflector: the identity's columns, still a function of the inputs
        return q[..., :, :n] + A * 0 + tau.sum(-1, keepdim=True).unsqueeze(-1) * 0
    for i in range(k):
        vi = v[..., :, i : i + 1]
        ti = tau[..., i : i + 1].unsqueeze(-1)
        q = q - (q @ vi) * ti @ vi.mH
    return q[..., :, :n]


@tensor_method("orgqr")
def orgqr(input, tau):
    return householder_product(input, tau)


@tensor_method("geqrf")
def geqrf(input):
    """(a, tau): LAPACK's geqrf, the QR factors in Householder form (not differentiable)."""
    K.check_matrix(input, "geqrf", "input")
    a = input._data
    m, n = a.shape[-2:]
    flat = a.reshape((int(np.prod(a.shape[:-2], dtype=np.int64)), m, n))
    outs, taus = [], []
    for mat in flat:
        h, t = np.linalg.qr(mat, mode="raw")
        outs.append(h.T)
        taus.append(t)
    shape = a.shape[:-2]
    k = min(m, n)
    out = np.array(outs, dtype=a.dtype).reshape(shape + (m, n))
    tau = np.array(taus, dtype=a.dtype).reshape(shape + (k,))
    return return_types.geqrf(_wrap(out), _wrap(tau))


# -- tensorinv, tensorsolve -----------------------------------------------------------------
def linalg_tensorinv(A, ind=2):
    """The inverse of A seen as a matrix of prod(shape[:ind]) rows, reshaped to
    shape[ind:] + shape[:ind]."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shape = A._data.shape
    rows = int(np.prod(shape[:ind], dtype=np.int64))
    cols = int(np.prod(shape[ind:], dtype=np.int64))
    if rows != cols:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {cols} != {rows}"
        )
    inv = linalg_inv(A.reshape(rows, cols), _fn="inv")
    return inv.reshape(shape[ind:] + shape[:ind])


def linalg_tensorsolve(A, B, dims=None):
    """X with tensordot(A, X, X.ndim) = B."""
    nd = A._data.ndim
    a = A
    if dims is not None:
        dims = [d % nd for d in dims]
        a = a.movedim(dims, list(range(nd - len(dims), nd)))
    shape = a._data.shape[B._data.ndim :]
    size = int(np.prod(shape, dtype=np.int64))
    numel = int(np.prod(B._data.shape, dtype=np.int64))
    if size != numel:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {size} != {numel}"
        )
    return linalg_solve(a.reshape(size, size), B.flatten()).reshape(shape)


set_complex_mode(OWN, LinalgCross)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py

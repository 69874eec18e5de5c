"""Matrix products: matmul in all of PyTorch's cases, mm, bmm, mv, dot, addmm, einsum.

Each forward is one BLAS call (np.matmul) on the arrays as they are; each input's
gradient is one more (a transposed operand is a view, which BLAS reads directly).
The derivatives are written with these same ops, so double backward works.
Small 2-D float32 products (mm, addmm and the gradients of both) go through `_mm`, which
sums them in the order of PyTorch's BLAS where that order is known (_mkl_order.py).
"""

import numpy as np

from .. import _arithmetic, dtypes
from .._autocast import state as _autocast
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor
from ._mkl_order import product as _mkl_product
from .autocast import lower
from .errors import broadcast_shapes_error
from .op import Op, apply, tensor_method
from .shape import Reshape

__all__ = [
    "addmm",
    "baddbmm",
    "bmm",
    "dot",
    "einsum",
    "ger",
    "inner",
    "matmul",
    "mm",
    "mv",
    "outer",
]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"  # einsum's subscripts

_wrap = Tensor._wrap


def _dtype_of(t):
    return dtypes.from_numpy_dtype(t._data.dtype)


def _same_dtype(a, b):
    if a._data.dtype != b._data.dtype or a.dtype is not b.dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{dtypes.cpp_type_name(_dtype_of(a))} != {dtypes.cpp_type_name(_dtype_of(b))}"
        )


def _x(shape):
    return "x".join(str(s) for s in shape)


def _reshape(t, shape, name):
    return apply(Reshape, (t,), {"shape": tuple(shape)}, node_name=name)


# -- the primitives ------------------------------------------------------------------------
def _mm(a, b, c=None):
    """a @ b (+ c) for 2-D arrays: in MKL's order of summation where _mkl_order knows it
    for this shape and layout (small float32 products), else one BLAS call."""
    if _arithmetic.pytorch_order:
        out = _mkl_product(a, b, c)
        if out is not None:
            return out
    out = np.matmul(a, b)
    if c is not None:
        out += c
    return out


class Mm(Op):
    name = "MmBackward0"
    formula = "d(A@B)/dA = grad @ B^T, d(A@B)/dB = A^T @ grad"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _mm(a, b)

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        a, b = ctx.saved_tensors
        ga = _mm_mat1_backward(grad, a, b) if needs[0] else None
        gb = _mm_mat2_backward(grad, a, b) if needs[1] else None
        return ga, gb


def _column_major(t):
    d = t._data
    return d.strides[0] == d.itemsize and d.strides[1] == d.shape[0] * d.itemsize


# As in PyTorch's mm backward: an operand laid out by columns (a transposed view, such as a
# Linear's weight.t()) gets its gradient in that layout too, so that the t() taking it back
# to the weight is contiguous (and the engine can keep it as .grad without a copy).
# With no graph to record (a plain backward), the same products run on the arrays
# directly, saving two ops' bookkeeping. A column-major result stays a view (t()) of the
# product, as the recorded form gives it, so .grad can keep the product without a copy.
def _mm_mat1_backward(grad, a, b):
    if not _grad_state.enabled:
        g, bd = grad._data, b._data
        return _wrap(_mm(bd, g.T)).t() if _column_major(a) else _wrap(_mm(g, bd.T))
    return mm(b, grad.t()).t() if _column_major(a) else mm(grad, b.t())


def _mm_mat2_backward(grad, a, b):
    if not _grad_state.enabled:
        g, ad = grad._data, a._data
        return _wrap(_mm(g.T, ad)).t() if _column_major(b) else _wrap(_mm(ad.T, g))
    return mm(grad.t(), a).t() if _column_major(b) else mm(a.t(), grad)


class Mv(Op):
    name = "MvBackward0"
    formula = "d(A@v)/dA = outer(grad, v), d(A@v)/dv = A^T @ grad"

    @staticmethod
    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return np.matmul(a, v)

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        a, v = ctx.saved_tensors
        ga = outer(grad, v) if needs[0] else None
        gv = mv(a.t(), grad) if needs[1] else None
        return ga, gv


class Dot(Op):
    name = "DotBackward0"
    formula = "d(a.b)/da = grad * b, d(a.b)/db = grad * a"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.asarray(np.dot(a, b))

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        a, b = ctx.saved_tensors
        return (
            grad * b if needs[0] else None,
            grad * a if needs[1] else None,
        )


class Bmm(Op):
    name = "BmmBackward0"
    formula = "d(A@B)/dA = grad @ B^T, d(A@B)/dB = A^T @ grad (per batch)"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        a, b = ctx.saved_tensors
        ga = bmm(grad, b.transpose(1, 2)) if needs[0] else None
        gb = bmm(a.transpose(1, 2), grad) if needs[1] else None
        return ga, gb


class BatchedMatmul(Op):
    """matmul with batch dims that broadcast; PyTorch shows it as UnsafeViewBackward0
    (its matmul expands, reshapes to 3-D, runs bmm and views the result back)."""

    name = "UnsafeViewBackward0"
    formula = "d(A@B)/dA = grad @ B^T, d(A@B)/dB = A^T @ grad (summed over broadcast batch dims)"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        a, b = ctx.saved_tensors
        # A 1-D operand takes part as a one-row (or one-column) matrix.
        if a.ndim == 1:
            grad = grad.unsqueeze(-2)
        if b.ndim == 1:
            grad = grad.unsqueeze(-1)
        ga = gb = None
        if needs[0]:
            bm = b.unsqueeze(-1) if b.ndim == 1 else b
            ga = matmul(grad, bm.mT)
            if a.ndim == 1:
                ga = ga.squeeze(-2)
        if needs[1]:
            am = a.unsqueeze(0) if a.ndim == 1 else a
            gb = matmul(am.mT, grad)
            if b.ndim == 1:
                gb = gb.squeeze(-1)
        return ga, gb  # the engine sums these over the batch dims that were broadcast


class Addmm(Op):
    name = "AddmmBackward0"
    formula = "d(beta*C + alpha*A@B)/dC = beta*grad, /dA = alpha*grad @ B^T, /dB = alpha*A^T @ grad"
    product = staticmethod(lambda g, a, b: _mm_mat1_backward(g, a, b))
    product_t = staticmethod(lambda g, a, b: _mm_mat2_backward(g, a, b))

    @staticmethod
    def forward(ctx, c, a, b, *, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        if _arithmetic.pytorch_order and alpha == 1 and beta == 1 and a.ndim == 2:
            return _mm(a, b, c)
        out = np.matmul(a, b)
        # The product is a fresh array: scale and add the input into it in place.
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out += c if beta == 1 else beta * c
        return out

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        beta, alpha = ctx.beta, ctx.alpha
        needs = ctx.needs_input_grad
        gc = ga = gb = None
        if needs[0]:
            gc = grad if beta == 1 else grad * beta
        if needs[1]:
            ga = ctx.op.product(grad, a, b)
            ga = ga if alpha == 1 else ga * alpha
        if needs[2]:
            gb = ctx.op.product_t(grad, a, b)
            gb = gb if alpha == 1 else gb * alpha
        return gc, ga, gb


class Baddbmm(Addmm):
    name = "BaddbmmBackward0"
    formula = "d(beta*C + alpha*A@B)/dC = beta*grad, /dA = alpha*grad @ B^T (per batch), ..."
    product = staticmethod(lambda g, a, b: bmm(g, b.transpose(1, 2)))
    product_t = staticmethod(lambda g, a, b: bmm(a.transpose(1, 2), g))


# -- checks with PyTorch's messages --------------------------------------------------------
def _no_bool_product(a, kernel, out_size, inner):
    """PyTorch has no matrix product of bool tensors: its kernel (named in the message)
    refuses them, unless the product is empty or sums over nothing."""
    if a._data.dtype == np.bool_ and out_size and inner:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _check_mm(a, b, kernel="addmm_impl_cpu_"):
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a._data.shape[1] != b._data.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_x(a._data.shape)} and "
            f"{_x(b._data.shape)})"
        )
    _same_dtype(a, b)
    (n, k), m = a._data.shape, b._data.shape[1]
    _no_bool_product(a, kernel, n * m, k)


def _check_mv(a, v):
    if a._data.ndim != 2 or v._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {v._data.ndim}"
        )
    if a._data.shape[1] != v._data.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a._data.shape[0]}), mat ({_x(a._data.shape)}), "
            f"vec ({v._data.shape[0]})"
        )
    _same_dtype(a, v)
    _no_bool_product(a, "addmv_impl_cpu", a._data.shape[0], a._data.shape[1])


def _check_dot(a, b):
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors"
        )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{dtypes.scalar_type_name(_dtype_of(a))} and {dtypes.scalar_type_name(_dtype_of(b))}"
        )
    n, m = a._data.shape[0], b._data.shape[0]
    if n != m:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    _no_bool_product(a, "dot", 1, 1)  # even an empty dot


def _check_bmm(a, b, kernel="bmm"):
    if a._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    want = [a._data.shape[0], a._data.shape[2]]
    got = [b._data.shape[0], b._data.shape[1]]
    if want != got:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: {want} but got: {got}."
        )
    _same_dtype(a, b)
    (batch, n, k), m = a._data.shape, b._data.shape[2]
    _no_bool_product(a, kernel, batch * n * m, k)


def _check_bias(c, shape):
    own = c._data.shape
    lead = len(shape) - len(own)
    if lead >= 0 and all(s == 1 or s == t for s, t in zip(own, shape[lead:])):
        return
    for i, s in enumerate(own):
        target = shape[lead + i] if 0 <= lead + i < len(shape) else None
        if target is None or (s != 1 and s != target):
            sizes = ", ".join(map(str, shape))
            raise RuntimeError(
                f"The expanded size of the tensor ({target}) must match the existing size ({s}) "
                f"at non-singleton dimension {lead + i}.  Target sizes: [{sizes}].  Tensor "
                f"sizes: [{', '.join(map(str, own))}]"
            )


def _tensor(x):
    return x if isinstance(x, Tensor) else _wrap(np.asarray(x))


# -- the public functions --------------------------------------------------------------------
@tensor_method("mm")
def mm(input, mat2):
    if _autocast.dtype is not None:
        input, mat2 = lower(input, mat2)
    _check_mm(input, mat2)
    return Mm.apply(input, mat2)


@tensor_method("mv")
def mv(input, vec):
    _check_mv(input, vec)
    return Mv.apply(input, vec)


@tensor_method("dot")
def dot(input, other):
    _check_dot(input, other)
    return Dot.apply(input, other)


@tensor_method("bmm")
def bmm(input, mat2):
    if _autocast.dtype is not None:
        input, mat2 = lower(input, mat2)
    _check_bmm(input, mat2)
    return Bmm.apply(input, mat2)


@tensor_method("outer", "ger")
def outer(input, vec2):
    """outer(u, v)[i, j] = u[i] * v[j]; as in PyTorch, a reshape and a broadcast multiply."""
    for t, arg in ((input, "self"), (vec2, "vec2")):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {arg}, but got {t._data.ndim}-D")
    return input.reshape(-1, 1) * vec2


ger = outer


@tensor_method("inner")
def inner(input, other):
    """The sum over the last dims of both: a dot product for vectors."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.ndim == 1 and other._data.ndim == 1:
        return dot(input, other)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input._data.shape)} and {list(other._data.shape)}"
        )
    return tensordot(input, other, dims=([-1], [-1]))


@tensor_method("matmul", "__matmul__")
def matmul(input, other):
    """Matrix product with PyTorch's rules for 1-D operands and broadcast batch dims."""
    input, other = _tensor(input), _tensor(other)
    if _autocast.dtype is not None:
        input, other = lower(input, other)
    da, db = input._data.ndim, other._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        out = mm(input.unsqueeze(0), other)
        return _reshape(out, out._data.shape[1:], "SqueezeBackward4")
    if da == 2 and db == 2:
        return mm(input, other)
    if da >= 3 and db <= 2:
        # Fold the batch dims into the rows: one 2-D product instead of a loop of small ones.
        shape = input._data.shape
        rows = input.reshape(int(np.prod(shape[:-1])), shape[-1])  # -1 is ambiguous when empty
        out = mm(rows, other) if db == 2 else mv(rows, other)
        out_shape = shape[:-1] + (other._data.shape[-1],) if db == 2 else shape[:-1]
        return _reshape(out, out_shape, "UnsafeViewBackward0")
    return _batched(input, other)


def _batched(a, b):
    sa, sb = a._data.shape, b._data.shape
    batch_a = sa[:-2] if len(sa) > 2 else ()
    batch_b = sb[:-2] if len(sb) > 2 else ()
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise broadcast_shapes_error(batch_a, batch_b) from None
    k_a = sa[-1]
    k_b = sb[-2] if len(sb) >= 2 else sb[0]
    if k_a != k_b:
        n = int(np.prod(batch)) if batch else 1
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k_a}] but "
            f"got: [{n}, {k_b}]."
        )
    _same_dtype(a, b)
    n = sa[-2] if len(sa) >= 2 else 1
    m = sb[-1] if len(sb) >= 2 else 1
    _no_bool_product(a, "bmm", int(np.prod(batch, dtype=np.int64)) * n * m, k_a)
    # A matrix times a batch: PyTorch computes it transposed and shows CloneBackward0.
    name = "CloneBackward0" if len(sa) == 2 else None
    return apply(BatchedMatmul, (a, b), {}, node_name=name)


@tensor_method("__rmatmul__")
def _rmatmul(input, other):
    return matmul(other, input)


@tensor_method("addmm")
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2) in one op (nn.Linear's bias + x @ W^T)."""
    input = _tensor(input)
    if _autocast.dtype is not None:
        input, mat1, mat2 = lower(input, mat1, mat2)
    _check_mm(mat1, mat2)
    _check_bias(input, (mat1._data.shape[0], mat2._data.shape[1]))
    return Addmm.apply(input, mat1, mat2, beta=beta, alpha=alpha)


@tensor_method("baddbmm")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (batch1 @ batch2), per batch."""
    input = _tensor(input)
    if _autocast.dtype is not None:
        input, batch1, batch2 = lower(input, batch1, batch2)
    _check_bmm(batch1, batch2, "baddbmm")
    shape = (batch1._data.shape[0], batch1._data.shape[1], batch2._data.shape[2])
    _check_bias(input, shape)
    return Baddbmm.apply(input, batch1, batch2, beta=beta, alpha=alpha)


# -- einsum ----------------------------------------------------------------------------------
class Einsum(Op):
    name = "EinsumBackward0"
    formula = "d(einsum)/d(operand) = einsum of grad with the other operands, into its letters"

    @staticmethod
    def forward(ctx, *arrays, in_specs, out_spec, sizes):
        ctx.save_for_backward(*arrays)
        ctx.in_specs, ctx.out_spec, ctx.sizes = in_specs, out_spec, sizes
        eq = ",".join(in_specs) + "->" + out_spec
        out = np.einsum(eq, *arrays, optimize=len(arrays) > 1)
        # NumPy may hand back a view (a transpose, a diagonal): an op's output owns its data.
        if any(np.may_share_memory(out, a) for a in arrays):
            out = out.copy()
        return out

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        operands = ctx.saved_tensors
        in_specs, out_spec, sizes = ctx.in_specs, ctx.out_spec, ctx.sizes
        grads = []
        for i in range(len(in_specs)):
            if not needs[i]:
                grads.append(None)
                continue
            grads.append(_einsum_grad(grad, operands, i, in_specs, out_spec, sizes))
        return tuple(grads)


def _einsum_grad(grad, operands, i, in_specs, out_spec, sizes):
    """The gradient for operand i: grad contracted with the other operands into i's letters."""
    spec = in_specs[i]
    letters = "".join(dict.fromkeys(spec))
    specs = [out_spec] + [s for j, s in enumerate(in_specs) if j != i]
    args = [grad] + [t for j, t in enumerate(operands) if j != i]
    seen = set("".join(specs))
    dtype = grad._data.dtype
    for c in letters:
        if c not in seen:  # summed only within operand i: its gradient is constant along c
            specs.append(c)
            args.append(_wrap(np.ones(sizes[c], dtype)))
    g = _einsum_op(args, specs, letters, sizes)
    if letters == spec:
        return g
    # A letter repeated in operand i (a diagonal or trace): put the gradient on the diagonal.
    free = iter(c for c in _LETTERS if c not in sizes)
    target, eye_specs, eyes = [], [], []
    used = set()
    for c in spec:
        if c in used:
            fresh = next(free)
            target.append(fresh)
            eye_specs.append(c + fresh)
            eyes.append(_wrap(np.eye(sizes[c], dtype=dtype)))
        else:
            used.add(c)
            target.append(c)
    return _einsum_op([g, *eyes], [letters, *eye_specs], "".join(target), sizes)


def _einsum_op(operands, in_specs, out_spec, sizes):
    return Einsum.apply(*operands, in_specs=tuple(in_specs), out_spec=out_spec, sizes=sizes)


def einsum(equation, *operands):
    """Sums of products over the letters of an equation such as 'ij,jk->ik' ('...' broadcasts)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = [_tensor(t) for t in operands]
    if _autocast.dtype is not None:
        operands = list(lower(*operands))
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    in_specs = lhs.split(",")
    if len(in_specs) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(in_specs) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    used = set(eq) - set(".,->")
    for c in used:
        if c not in _LETTERS:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {eq.index(c)} in the "
                "equation string, subscripts must be in [a-zA-Z]"
            )
    spare = [c for c in _LETTERS if c not in used]
    ell = "".join(spare[: _ellipsis_dims(in_specs, operands)])
    specs = [_expand_ellipsis(spec, t, ell) for spec, t in zip(in_specs, operands)]
    sizes = _letter_sizes(specs, operands)
    for i, (spec, t) in enumerate(zip(specs, operands)):
        full = tuple(sizes[c] for c in spec)
        if full != t._data.shape:
            if len(set(spec)) != len(spec):
                raise RuntimeError("einsum(): a repeated subscript cannot broadcast a size-1 dim")
            operands[i] = t.expand(full)
    if arrow:
        out = rhs.replace("...", ell) if "..." in rhs else rhs
        _check_output_letters(out, sizes)
    else:
        counts = "".join(s.replace("...", "") for s in in_specs)
        out = ell + "".join(sorted(c for c in set(counts) if counts.count(c) == 1))
    return _einsum_op(operands, specs, out, sizes)


def _ellipsis_dims(in_specs, operands):
    """How many dims '...' stands for (the most any operand gives it), checking each
    operand's number of subscripts against its number of dims."""
    ell_dims = 0
    for i, (spec, t) in enumerate(zip(in_specs, operands)):
        n_named = len(spec.replace("...", ""))
        ndim = t._data.ndim
        if "..." in spec:
            if n_named > ndim:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({n_named}) is more than "
                    f"the number of dimensions ({ndim}) for operand {i}"
                )
            ell_dims = max(ell_dims, ndim - n_named)
        elif n_named != ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n_named}) does not match "
                f"the number of dimensions ({ndim}) for operand {i} and no ellipsis was given"
            )
    return ell_dims


def _expand_ellipsis(spec, t, ell):
    """An operand's subscripts with '...' replaced by the spare letters for its dims."""
    if "..." not in spec:
        return spec
    k = t._data.ndim - len(spec.replace("...", ""))
    return spec.replace("...", ell[len(ell) - k :])


def _letter_sizes(specs, operands):
    """The size of each letter; a size-1 dim broadcasts against a larger one, as in PyTorch."""
    sizes = {}
    for i, (spec, t) in enumerate(zip(specs, operands)):
        for c, s in zip(spec, t._data.shape):
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = s
            elif s != prev and s != 1:
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {s} for operand {i} which does not "
                    f"broadcast with previously seen size {prev}"
                )
    return sizes


def _check_output_letters(out, sizes):
    for c in out:
        if c not in sizes:
            raise RuntimeError(
                f"einsum(): output subscript {c} does not appear in the equation for any "
                "input operand"
            )
        if out.count(c) > 1:
            raise RuntimeError(
                f"einsum(): output subscript {c} appears more than once in the output"
            )


# -- composites of matmul --------------------------------------------------------------------
def tensordot(a, b, dims=2):
    """Sum over dims of a and b paired up (an int n pairs a's last n with b's first n)."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a = list(range(a._data.ndim - dims, a._data.ndim))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = dims
        if isinstance(dims_a, int):
            dims_a, dims_b = [dims_a], [dims_b]
        dims_a = [d % a._data.ndim for d in dims_a]
        dims_b = [d % b._data.ndim for d in dims_b]
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    for da, db in zip(dims_a, dims_b):
        sa, sb = a._data.shape[da], b._data.shape[db]
        if sa == sb:
            continue
        # a contracted dim of size 1 pairs with every entry of the other side's: that side
        # is summed over the dim first, as PyTorch does
        if sb == 1:
            a = a.sum(da, keepdim=True)
        elif sa == 1:
            b = b.sum(db, keepdim=True)
        else:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {sa} in dim {da} and "
                f"second has size {sb} in dim {db}"
            )
    free_a = [d for d in range(a._data.ndim) if d not in dims_a]
    free_b = [d for d in range(b._data.ndim) if d not in dims_b]
    k = int(np.prod([a._data.shape[d] for d in dims_a]))
    out_shape = [a._data.shape[d] for d in free_a] + [b._data.shape[d] for d in free_b]
    rows = int(np.prod([a._data.shape[d] for d in free_a]))
    cols = int(np.prod([b._data.shape[d] for d in free_b]))
    left = a.permute(*free_a, *dims_a).reshape(rows, k)  # sizes by count: -1 is ambiguous
    right = b.permute(*dims_b, *free_b).reshape(k, cols)  # when a size is 0
    return left.mm(right).reshape(out_shape)


@tensor_method("addmv")
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec)."""
    product = mv(mat, vec)
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return product + input * 0
    return (input if beta == 1 else input * beta) + product


__all__ += ["addmv", "tensordot"]

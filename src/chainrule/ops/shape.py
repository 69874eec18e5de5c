"""Movement ops: reshape/view, squeeze/unsqueeze, transpose/permute, expand, repeat, flip, ...

These rearrange elements without arithmetic; each derivative moves the
gradient back the opposite way. Outputs that share memory with their input
are views (Op.is_view): they share its version counter. Joining and splitting
(cat, stack, split) live in joining.py, indexing and slicing in indexing.py.
"""

import warnings

import numpy as np

from ..tensor import Tensor
from .conversion import to
from .dims import dim_index, normalize_dims, shape_arg
from .errors import broadcast_shapes_error
from .op import Op, apply, tensor_method

__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "expand",
    "flatten",
    "flip",
    "fliplr",
    "flipud",
    "movedim",
    "moveaxis",
    "narrow",
    "permute",
    "reshape",
    "roll",
    "squeeze",
    "swapaxes",
    "swapdims",
    "t",
    "transpose",
    "unbind",
    "unflatten",
    "unsqueeze",
]


def _infer_shape(shape, numel, own_shape):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {shape}")
            known *= s
    if -1 in shape:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class Reshape(Op):
    name = "ViewBackward0"
    formula = "d(reshape(a))/da = reshape back"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)

    @staticmethod
    def replay(input_shape, *, shape):
        return (lambda t: t.reshape(shape)), (lambda v: v.reshape(input_shape))


@tensor_method("reshape")
def reshape(input, *shape):
    shape = _infer_shape(shape_arg(shape), input._data.size, input._data.shape)
    if shape == input._data.shape:
        return apply(Reshape, (input,), {"shape": shape}, node_name="ViewBackward0")
    name = "ViewBackward0" if input._data.flags.c_contiguous else "UnsafeViewBackward0"
    return apply(Reshape, (input,), {"shape": shape}, node_name=name)


@tensor_method("view")
def view(input, *shape):
    if (
        len(shape) == 1
        and not isinstance(shape[0], (int, tuple, list))
        and not hasattr(shape[0], "__index__")
    ):
        return to(input, shape[0])
    shape = _infer_shape(shape_arg(shape), input._data.size, input._data.shape)
    if not input._data.flags.c_contiguous and input._data.size > 1:
        try:
            a = input._data.view()
            a.shape = shape  # raises if it would need a copy
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
    return Reshape.apply(input, shape=shape)


@tensor_method("view_as")
def view_as(input, other):
    return view(input, other.shape)


@tensor_method("reshape_as")
def reshape_as(input, other):
    return reshape(input, other.shape)


def broadcast_view(a, shape):
    """np.broadcast_to(a, shape): a read-only view of a, stride 0 along the expanded dims.

    For a C-contiguous a (the usual case: a sum's or mean's gradient expanded back to its
    input's shape) the view is made by NumPy's array constructor on a's memory, which costs
    a tenth of np.broadcast_to's Python-level setup on small arrays; its base is a, as
    np.broadcast_to's is. Other layouts, and shapes a does not expand to (which raise
    NumPy's error), go to np.broadcast_to."""
    lead = len(shape) - a.ndim
    if lead < 0 or not a.flags.c_contiguous or not a.size:
        return np.broadcast_to(a, shape)
    strides = [0] * lead
    for size, target, stride in zip(a.shape, shape[lead:], a.strides):
        if size == target:
            strides.append(stride)
        elif size == 1:
            strides.append(0)
        else:
            return np.broadcast_to(a, shape)
    view = np.ndarray(shape, a.dtype, a, 0, strides)
    view.flags.writeable = False
    return view


class Expand(Op):
    name = "ExpandBackward0"
    formula = "d(expand(a))/da = sum over the expanded dims"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a.shape
        return broadcast_view(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.shape)


@tensor_method("expand")
def expand(input, *sizes):
    sizes = shape_arg(sizes)
    own = input._data.shape
    if len(sizes) < len(own):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(own)}}}, size=[{', '.join(map(str, sizes))}]): the "
            "number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({len(own)})"
        )
    lead = len(sizes) - len(own)
    shape = list(sizes)
    # As PyTorch: from the last dim to the first, so the rightmost mismatch is named
    for i in reversed(range(len(sizes))):
        target = sizes[i]
        if i < lead:
            if target == -1:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            continue
        s = own[i - lead]
        if target == -1:
            shape[i] = s
        elif s != 1 and s != target:
            raise RuntimeError(
                f"The expanded size of the tensor ({target}) must match the existing size ({s}) "
                f"at non-singleton dimension {i}.  Target sizes: "
                f"[{', '.join(map(str, sizes))}].  Tensor sizes: [{', '.join(map(str, own))}]"
            )
    shape = tuple(shape)
    if shape == own:
        return apply(Expand, (input,), {"shape": shape})
    return Expand.apply(input, shape=shape)


@tensor_method("expand_as")
def expand_as(input, other):
    return expand(input, other.shape)


class Permute(Op):
    name = "PermuteBackward0"
    formula = "d(permute(a))/da = inverse permutation"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, dims):
        ctx.dims = dims
        return a.transpose(dims)  # the method: np.transpose's dispatch costs more than it does

    @staticmethod
    def backward(ctx, grad):
        # The inverse permutation, in Python: np.argsort costs more than the whole view.
        dims = ctx.dims
        return Permute.apply(grad, dims=tuple(sorted(range(len(dims)), key=dims.__getitem__)))

    @staticmethod
    def replay(input_shape, *, dims):
        inverse = tuple(int(d) for d in np.argsort(dims))
        return (lambda t: t.permute(dims)), (lambda v: v.permute(inverse))


@tensor_method("permute")
def permute(input, *dims):
    dims = shape_arg(dims)
    ndim = input._data.ndim
    if len(dims) != ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {ndim} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(dim_index(d, ndim) for d in dims)
    if len(set(dims)) != ndim:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


@tensor_method("transpose", "swapaxes", "swapdims")
def transpose(input, dim0, dim1):
    ndim = input._data.ndim
    if ndim == 0:
        return apply(Permute, (input,), {"dims": ()}, node_name="TransposeBackward0")
    d0, d1 = dim_index(dim0, ndim), dim_index(dim1, ndim)
    dims = list(range(ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return apply(Permute, (input,), {"dims": tuple(dims)}, node_name="TransposeBackward0")


@tensor_method("t")
def t(input):
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    if ndim < 2:
        return apply(Permute, (input,), {"dims": tuple(range(ndim))}, node_name="TBackward0")
    return apply(Permute, (input,), {"dims": (1, 0)}, node_name="TBackward0")


_T_WARNED = []


def _T(self):
    ndim = self._data.ndim
    if ndim != 2 and not _T_WARNED:
        _T_WARNED.append(True)  # once per process, as PyTorch warns
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.",
            UserWarning,
            stacklevel=2,
        )
    return apply(Permute, (self,), {"dims": tuple(range(ndim))[::-1]}, node_name="PermuteBackward0")


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
        )
    return transpose(self, -2, -1)


Tensor.T = property(_T)
Tensor.mT = property(_mT)
# (Tensor.H and mH, the conjugate transposes, are ops/complex.py's)


@tensor_method("unsqueeze")
def unsqueeze(input, dim):
    ndim = input._data.ndim + 1
    d = dim_index(dim, ndim)
    shape = list(input._data.shape)
    shape.insert(d, 1)
    return apply(Reshape, (input,), {"shape": tuple(shape)}, node_name="UnsqueezeBackward0")


@tensor_method("squeeze")
def squeeze(input, dim=None):
    own = input._data.shape
    if dim is None:
        shape = tuple(s for s in own if s != 1)
        return apply(Reshape, (input,), {"shape": shape}, node_name="SqueezeBackward0")
    single = not isinstance(dim, (tuple, list))
    dims = (dim,) if single else tuple(dim)
    ndim = max(len(own), 1)
    drop = {dim_index(d, ndim) for d in dims}
    shape = tuple(s for i, s in enumerate(own) if not (i in drop and s == 1))
    name = "SqueezeBackward1" if single else "SqueezeBackward2"
    return apply(Reshape, (input,), {"shape": shape}, node_name=name)


@tensor_method("flatten")
def flatten(input, start_dim=0, end_dim=-1):
    own = input._data.shape
    if not own:
        return reshape(input, 1)
    ndim = len(own)
    start, end = dim_index(start_dim, ndim), dim_index(end_dim, ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    n = 1
    for s in own[start : end + 1]:
        n *= s
    return reshape(input, own[:start] + (n,) + own[end + 1 :])


@tensor_method("unflatten")
def unflatten(input, dim, sizes):
    own = input._data.shape
    d = dim_index(dim, len(own))
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in sizes:
        if known == 0 or own[d] % known:
            raise RuntimeError(
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                f"{dim} ({own[d]}) in the input tensor"
            )
        sizes = tuple(own[d] // known if s == -1 else s for s in sizes)
    elif known != own[d]:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({own[d]}) in the input tensor"
        )
    return view(input, own[:d] + sizes + own[d + 1 :])


@tensor_method("movedim", "moveaxis")
def movedim(input, source, destination):
    ndim = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            "movedim: Invalid source or destination dims: source "
            f"({list(src)} dims) should contain the same number of dims as destination "
            f"({list(dst)} dims)"
        )
    src = [dim_index(d, ndim) for d in src]
    dst = [dim_index(d, ndim) for d in dst]
    if len(set(src)) != len(src):
        raise RuntimeError("movedim: repeated dim in `source` " + f"({list(src)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError("movedim: repeated dim in `destination` " + f"({list(dst)})")
    order = [d for d in range(ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return apply(Permute, (input,), {"dims": tuple(order)}, node_name="PermuteBackward0")


moveaxis = movedim
swapaxes = swapdims = transpose


class Repeat(Op):
    name = "RepeatBackward0"
    formula = "d(repeat(a))/da = sum of the gradient over the copies"

    @staticmethod
    def forward(ctx, a, *, repeats):
        lead = len(repeats) - a.ndim
        ctx.shape = a.shape
        ctx.repeats = repeats
        return np.tile(a.reshape((1,) * lead + a.shape), repeats)

    @staticmethod
    def backward(ctx, grad):
        # Split each dim of size r*s into (r, s) and sum over the r axes.
        repeats, shape = ctx.repeats, ctx.shape
        padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)
        split = []
        for r, s in zip(repeats, padded):
            split += [r, s]
        summed = grad.reshape(split).sum(tuple(range(0, 2 * len(repeats), 2)))
        return summed.reshape(shape)


@tensor_method("repeat")
def repeat(input, *sizes):
    repeats = shape_arg(sizes)
    if len(repeats) < input._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    if any(r < 0 for r in repeats):
        own = (1,) * (len(repeats) - input._data.ndim) + input._data.shape
        sizes = [s * r for s, r in zip(own, repeats)]
        bad = next(s for s in sizes if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {sizes}")
    return Repeat.apply(input, repeats=repeats)


class Flip(Op):
    name = "FlipBackward0"
    formula = "d(flip(a))/da = flip of the gradient"

    @staticmethod
    def forward(ctx, a, *, dims):
        ctx.dims = dims
        # PyTorch's flip makes a copy; a NumPy view with negative strides would alias.
        return np.flip(a, dims).copy() if dims else a.copy()

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, dims=ctx.dims)


@tensor_method("flip")
def flip(input, *args, dims=None):
    """input with the order of its entries reversed along dims (a sequence, given as
    flip(dims), flip(dims=dims) or, as the method allows, flip(0, 1))."""
    if args and dims is not None:
        raise TypeError("flip() got multiple values for argument 'dims'")
    if dims is None:
        if not args:
            raise TypeError('flip() missing 1 required positional arguments: "dims"')
        dims = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    elif isinstance(dims, int):
        dims = (dims,)
    return Flip.apply(input, dims=normalize_dims(tuple(dims), input._data.ndim))


@tensor_method("fliplr")
def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


@tensor_method("flipud")
def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class Roll(Op):
    name = "RollBackward0"
    formula = "d(roll(a, k))/da = roll of the gradient by -k"

    @staticmethod
    def forward(ctx, a, *, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:
            return np.roll(a, shifts)
        return np.roll(a, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        shifts = ctx.shifts
        back = -shifts if isinstance(shifts, int) else tuple(-s for s in shifts)
        return Roll.apply(grad, shifts=back, dims=ctx.dims)


@tensor_method("roll")
def roll(input, shifts, dims=None):
    single = isinstance(shifts, int) or hasattr(shifts, "__index__")
    shifts = int(shifts) if single else tuple(int(s) for s in shifts)
    if dims is None:
        if not single and len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        shift = shifts if single else shifts[0]
        return Roll.apply(input, shifts=shift, dims=None)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    shifts = (shifts,) if single else shifts
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    ndim = input._data.ndim
    dims = tuple(dim_index(d, ndim) for d in dims)
    return Roll.apply(input, shifts=shifts, dims=dims)


@tensor_method("narrow")
def narrow(input, dim, start, length):
    ndim = input._data.ndim
    d = dim_index(dim, ndim)
    size = input._data.shape[d]
    start, length = int(start), int(length)
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return input[(slice(None),) * d + (slice(start, start + length),)]


class Unbind(Op):
    name = "UnbindBackward0"
    formula = "d(unbind(a))/da = stack of the gradients"
    is_view = True

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        # Each piece is a NumPy view (the trailing Ellipsis keeps 0-d pieces arrays).
        return tuple(a[lead + (i, Ellipsis)] for i in range(a.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        from .joining import stack  # a cycle: joining.py imports this module

        return stack(grads, ctx.dim)


@tensor_method("unbind")
def unbind(input, dim=0):
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return Unbind.apply(input, dim=dim_index(dim, input._data.ndim))


def _atleast(nd, tensors):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and not single:
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        n = t._data.ndim
        if n >= nd:
            out.append(t)
        elif nd == 3 and n == 2:
            out.append(unsqueeze(t, -1))
        else:
            shape = {0: (1,) * nd, 1: (1,) * (nd - 1) + t._data.shape}[n]
            if nd == 3 and n == 1:
                shape = (1,) + t._data.shape + (1,)
            out.append(reshape(t, shape))
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    return _atleast(3, tensors)


# -- broadcasting and tiling, written with expand and repeat ----------------------------------
@tensor_method("broadcast_to")
def broadcast_to(input, size):
    return expand(input, size)


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape (views, as expand gives)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    try:
        shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    except ValueError:
        shapes = [t._data.shape for t in tensors]
        for i in range(1, len(shapes)):
            try:
                np.broadcast_shapes(*shapes[: i + 1])
            except ValueError:
                raise broadcast_shapes_error(np.broadcast_shapes(*shapes[:i]), shapes[i]) from None
        raise
    return tuple(expand(t, shape) for t in tensors)


@tensor_method("tile")
def tile(input, dims):
    """repeat, with dims padded by leading 1s when there are fewer than input's dimensions."""
    dims = tuple(shape_arg((dims,)))
    if len(dims) < input._data.ndim:
        dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


__all__ += ["broadcast_tensors", "broadcast_to", "tile"]

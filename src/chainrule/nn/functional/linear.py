"""Functional forms: linear and bilinear."""

from ... import dtypes
from ..._autocast import state as _autocast
from ...ops.autocast import lower
from ...ops.matmul import Addmm, addmm

__all__ = ["bilinear", "linear"]


def _check_dtypes(input, weight, bias):
    # PyTorch's addmm checks the bias against the weight first, then input against weight.
    for name, t in (("self", bias), ("mat1", input)):
        if t is not None and t._data.dtype != weight._data.dtype:
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got "
                f"{dtypes.scalar_type_name(t.dtype)} and {dtypes.scalar_type_name(weight.dtype)}"
            )


def linear(input, weight, bias=None):
    """input @ weight.T + bias over the last dim of input (any leading dims)."""
    if _autocast.dtype is not None:  # (autocast: in its lower-precision dtype)
        input, weight, bias = lower(input, weight, bias)
    x, w = input._data, weight._data
    if (
        bias is not None
        and x.ndim == 2
        and w.ndim == 2
        and x.shape[1] == w.shape[1]
        and bias._data.shape == w.shape[:1]
        and x.dtype == w.dtype == bias._data.dtype
    ):
        # The commonest case, already checked: one addmm, PyTorch's AddmmBackward0.
        return Addmm.apply(bias, input, weight.t(), beta=1, alpha=1)
    w_t = weight.t()
    if input.dim() == 2:
        # The common case: one addmm (or mm), PyTorch's AddmmBackward0 / MmBackward0.
        if bias is None:
            return input.mm(w_t)
        _check_dtypes(input, weight, bias)
        return addmm(bias, input, w_t)
    lead = input.shape[:-1]
    flat = input.reshape(-1, input.shape[-1]) if input.dim() else input.reshape(1, 1)
    if bias is None:
        out = flat.mm(w_t)
    else:
        _check_dtypes(input, weight, bias)
        out = addmm(bias, flat, w_t)
    return out.reshape(tuple(lead) + (out.shape[-1],))


def bilinear(input1, input2, weight, bias=None):
    """y_k = input1 @ weight[k] @ input2 + bias_k, over the last dims (any leading dims)."""
    out_features, in1, in2 = weight.shape
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            "bilinear(): input batch dimensions do not match: got "
            f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}"
        )
    if input1.shape[-1] != in1:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {in1}"
        )
    if input2.shape[-1] != in2:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {in2}"
        )
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (N, in1) @ (in1, out*in2) -> (N, out, in2), then contract in2 with input2.
    w = weight.permute(1, 0, 2).reshape(in1, out_features * in2)
    y = (x1.mm(w).reshape(-1, out_features, in2) * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (out_features,))

"""What running an op means for complex, bfloat16 and complex32 operands.

apply (ops/op.py) hands a call over to `adapt` and `finish` when an operand's NumPy
dtype is complex or carries a narrow type's name (chainrule/_narrow.py); float32 and
float64 arrays never come here.

Complex operands. Each op says how it treats them by a class attribute set where the
complex support is written (ops/complex.py), never inherited:

- "linear": its derivative is real-linear in the gradient (sums, reshapes, indexing,
  add): the same formula holds for complex values as it is;
- "holomorphic": its forward is a complex-analytic function (mul, div, exp, matmul...),
  whose derivative written for real numbers becomes PyTorch's conjugate Wirtinger
  derivative, grad * conj(f'(z)), by conjugating the incoming gradient and the result:
  conj(backward(conj(grad))) (backward is linear in grad, and conj(grad * f') = conj(grad)
  * conj(f')); the op runs as a subclass with that backward, under the same grad_fn name;
- "own": written for complex inputs (ops/complex.py, linear algebra, FFT);
- no attribute: the op raises NotImplementedError naming itself, rather than return numbers
  PyTorch would not (NumPy orders complex numbers lexicographically, and a real
  derivative formula without conjugates is wrong for complex inputs).

bfloat16 and complex32 operands: an op computes in float32 (complex64) as NumPy does, and
`finish` rounds its floating results back to the narrow type, as PyTorch rounds each op's
result on a CPU. Results that are views of an operand (reshape, transpose, indexing views)
are already rounded and stay views.
"""

from __future__ import annotations

import sys

import numpy as np

from .. import _narrow, dtypes

_ndarray = np.ndarray

# How ops treat complex operands: set by the modules that support them.
LINEAR, HOLOMORPHIC, OWN = "linear", "holomorphic", "own"
_VARIANTS = {}


def special(dt):
    """Whether a NumPy dtype needs `adapt`: complex, bfloat16 or complex32."""
    return dt.kind == "c" or dt.metadata is not None


def set_complex_mode(mode, *ops):
    for op in ops:
        op._complex_mode = mode


def adapt(op, arrays, kwargs):
    """(the op to run, the narrow type name or None, its keyword arguments) for operands
    `arrays`; Python numbers among them are converted in place where the type asks it."""
    narrow = None
    is_complex = False
    for a in arrays:
        if a.__class__ is _ndarray:
            dt = a.dtype
            if dt.kind == "c":
                is_complex = True
            if narrow is None and dt.metadata is not None:
                narrow = _narrow.narrow_name(dt)
    if is_complex:
        op = _complex_op(op, arrays)
    if narrow is not None and not op.__dict__.get("_keeps_wrapped_number"):
        # A Python number meeting a bfloat16 (complex32) tensor is first converted to that
        # type, as PyTorch converts a wrapped number to the operation's dtype (its mul and
        # div kernels are the exception: they read the number as it was given).
        for i, a in enumerate(arrays):
            if type(a) in (float, int, complex):
                arrays[i] = _narrow.narrow_scalar(a, narrow)
    if narrow is not None and kwargs:
        kwargs = narrow_kwargs(op, kwargs, narrow)
    return op, narrow, kwargs


def narrow_kwargs(op, kwargs, narrow):
    """kwargs with the numbers an op declares (add's alpha) in the narrow type, as PyTorch
    converts them."""
    names = op.__dict__.get("_narrow_kwargs") or getattr(op, "_narrow_kwargs", ())
    if not names:
        return kwargs
    out = dict(kwargs)
    for name in names:
        value = out.get(name)
        if type(value) in (float, int):
            out[name] = _narrow.narrow_scalar(value, narrow)
    return out


def round_kwargs(names, *ops):
    """Ops whose keyword numbers `names` take a bfloat16 tensor's type (alpha)."""
    for op in ops:
        op._narrow_kwargs = tuple(names)


def keep_wrapped_numbers(*ops):
    """Ops whose Python-number operand stays as given with bfloat16 tensors (mul, div)."""
    for op in ops:
        op._keeps_wrapped_number = True


def _complex_op(op, arrays):
    if "chainrule.ops.complex" not in sys.modules:
        # complex.py says which ops take complex operands; it loads on first use (_lazy.py)
        from . import complex  # noqa: F401
    mode = op.__dict__.get("_complex_mode")
    if mode == HOLOMORPHIC:
        variant = _VARIANTS.get(op)
        if variant is None:
            variant = _VARIANTS[op] = _conjugated(op)
        return variant
    if isinstance(mode, type):  # an op of its own for complex operands (abs)
        return mode
    if mode is not None:
        return op
    d = next(
        dtypes.from_numpy_dtype(a.dtype)
        for a in arrays
        if a.__class__ is _ndarray and a.dtype.kind == "c"
    )
    type_name = dtypes.scalar_type_name(d)
    known = _PYTORCH_REFUSES.get(op.__name__)
    if known is not None:  # an op PyTorch refuses for complex input, in its words
        error, message = known
        raise error(message.format(type=type_name))
    what = op.name or op.__name__
    if what.endswith("Backward0") or what.endswith("Backward1"):
        what = what[:-9]
    raise NotImplementedError(
        f"\"{what}\" is not implemented for '{type_name}' tensors in chainrule"
    )


_KERNEL = "\"{kernel}\" not implemented for '{{type}}'"
# The ops PyTorch itself refuses for complex input (by Op class name), with its errors.
_PYTORCH_REFUSES = {
    **{
        name: (NotImplementedError, _KERNEL.format(kernel=kernel))
        for name, kernel in {
            "MaxAll": "max_all",
            "MinAll": "min_all",
            "MedianAll": "median_cpu",
            "Amax": "max_values_cpu",
            "Amin": "min_values_cpu",
            "Lt": "lt_cpu",
            "Le": "le_cpu",
            "Gt": "gt_cpu",
            "Ge": "ge_cpu",
            "Round": "round_vml_cpu",
            "Remainder": "remainder_cpu",
            "Erf": "erf_vml_cpu",
            "Erfc": "erfc_vml_cpu",
        }.items()
    },
    "MaxDim": (RuntimeError, "max(): does not support complex input"),
    "MinDim": (RuntimeError, "min(): does not support complex input"),
    "Argmax": (RuntimeError, "argmax(): does not support complex input"),
    "Argmin": (RuntimeError, "argmin(): does not support complex input"),
    "Maximum": (RuntimeError, "maximum not implemented for complex tensors."),
    "Minimum": (RuntimeError, "minimum not implemented for complex tensors."),
    "Fmax": (RuntimeError, "fmax not implemented for complex tensors."),
    "Fmin": (RuntimeError, "fmin not implemented for complex tensors."),
    "Clamp": (NotImplementedError, "clamp is not supported for complex types"),
    "ClampTensor": (NotImplementedError, "clamp is not supported for complex types"),
    "Relu": (NotImplementedError, "clamp is not supported for complex types"),
    "Floor": (NotImplementedError, "floor is not supported for complex inputs"),
    "Ceil": (NotImplementedError, "ceil is not supported for complex inputs"),
    "Trunc": (NotImplementedError, "trunc is not supported for complex inputs"),
    "Sort": (RuntimeError, " Sort does not support complex dtypes on CPU"),
    "Topk": (RuntimeError, " topk does not support complex dtypes on CPU"),
    "Sign": (
        NotImplementedError,
        "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
        "torch.sgn instead.",
    ),
}


def _conjugated(op):
    """op with the conjugate Wirtinger derivative of a holomorphic function."""
    from .complex import conj_physical  # (a cycle: complex.py imports this module)

    original = op.backward

    def backward(ctx, *grads):
        grads = tuple(g if g is None else conj_physical(g) for g in grads)
        results = original(ctx, *grads)
        if type(results) is not tuple:
            return None if results is None else conj_physical(results)
        return tuple(r if r is None else conj_physical(r) for r in results)

    body = {
        "backward": staticmethod(backward),
        "_complex_mode": OWN,
        "_variant_of": op,
        "__module__": op.__module__,
    }
    return type(op.__name__, (op,), body)


def finish(op, arrays, out, narrow):
    """op's result(s) with floating outputs rounded to the narrow type of the operands."""
    if narrow is None or getattr(op, "keeps_dtype", False):
        return out
    if type(out) is tuple:
        return tuple(_round(o, arrays, narrow) for o in out)
    return _round(out, arrays, narrow)


def _round(o, arrays, narrow):
    o = o if o.__class__ is _ndarray else np.asarray(o)
    if _narrow.narrow_name(o.dtype) == narrow and any(
        a.__class__ is _ndarray and np.may_share_memory(o, a) for a in arrays
    ):
        return o  # a view of a rounded operand
    return _narrow.round_result(o, narrow)

"""gradcheck and gradgradcheck: compare autograd's Jacobians with central finite differences."""

import warnings

import numpy as np

from ..tensor import Tensor
from .engine import grad as autograd_grad
from .grad_mode import enable_grad


class GradcheckError(RuntimeError):
    """Raised when an analytical Jacobian disagrees with the numerical one."""


def _as_tuple(x):
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _differentiable(inputs):
    return [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _outputs(func, inputs):
    out = _as_tuple(func(*inputs))
    return [o for o in out if isinstance(o, Tensor)]


def _split(values, is_complex):
    """A flat output as real numbers: its real parts, then (complex) its imaginary parts."""
    values = values.reshape(-1)
    if is_complex:
        return np.concatenate([values.real, values.imag]).astype(np.float64)
    return values.astype(np.float64)


# Complex numbers are checked as pairs of reals, as PyTorch's gradcheck does: a complex
# input has a column for each element's real part, then one for each imaginary part; a
# complex output a row for each real part, then one for each imaginary part.
def numerical_jacobians(func, inputs, eps):
    """J[out][inp] as (rows_out, columns_in) arrays, by central differences."""
    # func runs with grad mode as the caller has it: it may take derivatives itself
    # (a first derivative under gradgradcheck). The perturbations write the raw
    # arrays, outside any graph, and put every value back.
    idx = _differentiable(inputs)
    outs = _outputs(func, inputs)
    kinds = [o._data.dtype.kind == "c" for o in outs]
    rows = [o.numel() * (2 if c else 1) for o, c in zip(outs, kinds)]
    jac = [[np.zeros((r, _columns(inputs[i]))) for i in idx] for r in rows]
    for k, i in enumerate(idx):
        flat = inputs[i]._data.reshape(-1)
        if not np.shares_memory(flat, inputs[i]._data):
            raise ValueError("gradcheck needs contiguous inputs")
        steps = (eps, eps * 1j) if flat.dtype.kind == "c" else (eps,)
        for s, step in enumerate(steps):
            for j in range(flat.size):
                orig = flat[j]
                flat[j] = orig + step
                plus = [_split(o._data, c) for o, c in zip(_outputs(func, inputs), kinds)]
                flat[j] = orig - step
                minus = [_split(o._data, c) for o, c in zip(_outputs(func, inputs), kinds)]
                flat[j] = orig
                for m in range(len(outs)):
                    jac[m][k][:, s * flat.size + j] = (plus[m] - minus[m]) / (2 * eps)
    return jac


def _columns(t):
    return t.numel() * (2 if t._data.dtype.kind == "c" else 1)


def analytical_jacobians(func, inputs):
    idx = _differentiable(inputs)
    outs = _outputs(func, inputs)
    diff_inputs = [inputs[i] for i in idx]
    jac = [
        [
            np.zeros((o.numel() * (2 if o._data.dtype.kind == "c" else 1), _columns(inputs[i])))
            for i in idx
        ]
        for o in outs
    ]
    for m, o in enumerate(outs):
        if not o.requires_grad:
            continue
        # A seed of 1 asks for the gradient of an element's real part, 1j of its imaginary
        # part; an input's gradient dL/dx + i dL/dy fills its real and imaginary columns.
        units = (1, 1j) if o._data.dtype.kind == "c" else (1,)
        for s, unit in enumerate(units):
            for r in range(o.numel()):
                seed = np.zeros(o.shape, dtype=o._data.dtype)
                seed.reshape(-1)[r] = unit
                grads = autograd_grad(
                    [o], diff_inputs, [Tensor._wrap(seed)], retain_graph=True, allow_unused=True
                )
                row = s * o.numel() + r
                for k, g in enumerate(grads):
                    if g is None:
                        continue
                    values = g._data.reshape(-1)
                    if values.dtype.kind == "c":
                        jac[m][k][row, :] = np.concatenate([values.real, values.imag])
                    else:
                        jac[m][k][row, :] = values.astype(np.float64)
    return jac


def gradcheck(
    func,
    inputs,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_backward_ad=True,
    fast_mode=False,
    masked=None,
):
    """True when autograd's gradients of func at inputs match finite differences.

    Inputs that require grad should be float64: float32 has too few digits for
    a finite-difference check to mean anything.
    """
    inputs = _as_tuple(inputs)
    for i in _differentiable(inputs):
        if inputs[i].dtype.name not in ("float64", "complex128"):
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision "
                "floating point. ",
                UserWarning,
                stacklevel=2,
            )
    if not _differentiable(inputs):
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of the "
            "them have requires_grad=True."
        )
    numerical = numerical_jacobians(func, inputs, eps)
    analytical = analytical_jacobians(func, inputs)
    idx = _differentiable(inputs)
    for m, (num_row, ana_row) in enumerate(zip(numerical, analytical)):
        for k, (n, a) in enumerate(zip(num_row, ana_row)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {m} with respect to input {idx[k]},\n"
                    f"numerical:{Tensor._wrap(n)}\nanalytical:{Tensor._wrap(a)}\n"
                )
    return True


def _random_like(rng, o):
    values = rng.standard_normal(o.shape)
    if o._data.dtype.kind == "c":
        values = values + 1j * rng.standard_normal(o.shape)
    return np.asarray(values, dtype=o._data.dtype)


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    gen_non_contig_grad_outputs=False,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_fwd_over_rev=False,
    check_rev_over_rev=True,
    fast_mode=False,
    masked=False,
):
    """gradcheck of the first derivative: checks that backward is itself differentiable."""
    inputs = _as_tuple(inputs)
    idx = _differentiable(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [
            Tensor._wrap(_random_like(rng, o)).requires_grad_()
            for o in outs
            if o._data.dtype.kind in "fc"  # integer outputs (indices) take no gradient
        ]
    grad_outputs = list(_as_tuple(grad_outputs))
    n_in = len(inputs)

    def first_derivative(*args):
        ins, gos = args[:n_in], args[n_in:]
        # Grad mode is forced on: under a caller's no_grad no derivative would be
        # computed and the check would compare nothing.
        with enable_grad():
            floats = [o for o in _outputs(func, ins) if o._data.dtype.kind in "fc"]
            pairs = [(o, g) for o, g in zip(floats, gos) if o.requires_grad]
            grads = autograd_grad(
                [o for o, _ in pairs],
                [ins[i] for i in idx],
                [g for _, g in pairs],
                create_graph=True,
                allow_unused=True,
            )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivative,
        tuple(inputs) + tuple(grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )

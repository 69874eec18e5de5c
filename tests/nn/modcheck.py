"""One module or function, run in chainrule and in PyTorch from the same weights and inputs:
outputs, input gradients and parameter gradients compared, in float32 and float64.

Comparison kind 2 (tests/parity.py): these layers sum through matmuls and reductions whose
order depends on the BLAS and vector unit, so float32 is held to a relative 1e-5 with an
absolute floor of 1e-5 (a few ulps of the values' scale), float64 to 1e-10.
"""

from __future__ import annotations

import numpy as np

import chainrule

TOLERANCE = {
    np.float32: {"rtol": 1e-5, "atol": 1e-5},
    np.float64: {"rtol": 1e-10, "atol": 1e-12},
}


def sync(ours, theirs, torch):
    """Copy our parameters and buffers into the PyTorch module (through NumPy)."""
    state = {k: torch.tensor(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _flat(x)]
    return [out]


def _check(a, b, dtype, what, tol=None):
    tol = tol or TOLERANCE[dtype]
    if a is None or b is None:
        assert a is None and b is None, f"{what}: {a is None} vs PyTorch {b is None}"
        return
    a, b = a.detach().numpy(), b.detach().numpy()
    assert a.shape == b.shape, f"{what}: shape {a.shape} != PyTorch's {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != PyTorch's {b.dtype}"
    np.testing.assert_allclose(a, b, err_msg=what, **tol)


def compare(
    torch,
    make,
    inputs,
    dtype,
    call=None,
    train=False,
    grad_inputs=None,
    tol=None,
    extra=(),
):
    """make(lib) builds the module; inputs are arrays (cast to dtype; int and bool arrays pass
    as they are); call(module, lib, *tensors) runs it (default: module(*tensors)).
    extra: arrays that are never differentiated (masks, targets; float ones cast to dtype).
    Returns both libraries' (outputs, gradients, grad_fn names)."""
    call = call or (lambda m, lib, *xs: m(*xs))
    ours, theirs = make(chainrule), make(torch)
    for m in (ours, theirs):
        m.train(train)
        if dtype == np.float64:
            m.double()
    sync(ours, theirs, torch)
    results = []
    for lib, module in ((chainrule, ours), (torch, theirs)):
        tensors = []
        for i, x in enumerate(inputs):
            x = np.asarray(x)
            if x.dtype.kind == "f":
                wants = grad_inputs is None or i in grad_inputs
                tensors.append(lib.tensor(x.astype(dtype), requires_grad=wants))
            else:
                tensors.append(lib.tensor(x))
        consts = [
            lib.tensor(np.asarray(e).astype(dtype) if np.asarray(e).dtype.kind == "f" else e)
            for e in extra
        ]
        out = call(module, lib, *tensors, *consts)
        outs = [o for o in _flat(out) if o is not None and getattr(o, "requires_grad", False)]
        rng = np.random.default_rng(7)
        seeds = [lib.tensor(rng.standard_normal(tuple(o.shape)).astype(dtype)) for o in outs]
        wrt = [t for t in tensors if t.requires_grad] + list(module.parameters())
        grads = lib.autograd.grad(outs, wrt, seeds, allow_unused=True) if outs and wrt else []
        results.append((_flat(out), grads, [type(o.grad_fn).__name__ for o in outs]))
    (oa, ga, na), (ob, gb, nb) = results
    assert len(oa) == len(ob)
    for i, (a, b) in enumerate(zip(oa, ob)):
        if hasattr(b, "detach"):
            _check(a, b, dtype, f"output {i}", tol)
        else:
            assert a == b
    names = [n for n, _ in ours.named_parameters()]
    assert names == [n for n, _ in theirs.named_parameters()]
    labels = [f"input {i}" for i in range(len(ga) - len(names))] + names
    for label, a, b in zip(labels, ga, gb):
        _check(a, b, dtype, f"gradient of {label}", tol)
    return results[0], results[1]

"""Every case of the op table: gradcheck, gradgradcheck and PyTorch parity; and coverage."""

from __future__ import annotations

import numpy as np
import pytest
from optable import load_cases, make_arrays, make_tensors

import chainrule
from chainrule.autograd import gradcheck, gradgradcheck
from chainrule.ops.op import Op

CASES = load_cases()
GRAD_CASES = [c for c in CASES if c.gradcheck]
DOUBLE_CASES = [c for c in CASES if c.gradcheck and c.double]
TORCH_CASES = [c for c in CASES if c.torch]


def _grad_inputs(tensors):
    return [t for t in tensors if isinstance(t, chainrule.Tensor) and t.requires_grad]


def _outputs(out):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if hasattr(o, "requires_grad")]


def test_case_names_are_unique():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("case", GRAD_CASES, ids=lambda c: c.id)
def test_gradcheck(case):
    tensors = make_tensors(chainrule, case, make_arrays(case))
    assert _grad_inputs(tensors), "a gradcheck case needs an input that requires grad"

    def fn(*args):
        return case.fn(chainrule, *args)

    assert gradcheck(fn, tuple(tensors), atol=case.atol, rtol=case.rtol)


@pytest.mark.parametrize("case", DOUBLE_CASES, ids=lambda c: c.id)
def test_gradgradcheck(case):
    tensors = make_tensors(chainrule, case, make_arrays(case))

    def fn(*args):
        return case.fn(chainrule, *args)

    assert gradgradcheck(fn, tuple(tensors), atol=case.atol, rtol=case.rtol)


def _run(lib, case, arrays):
    tensors = make_tensors(lib, case, arrays)
    outs = _outputs(case.fn(lib, *tensors))
    diff = [o for o in outs if o.requires_grad]
    rng = np.random.default_rng(7)
    seeds = [_seed(rng, o) for o in diff]
    grads = []
    inputs = _grad_inputs_lib(lib, tensors)
    if diff and inputs:
        g = lib.autograd.grad(diff, inputs, [lib.tensor(s) for s in seeds], allow_unused=True)
        grads = [None if x is None else _numpy(x) for x in g]
    values = [_numpy(o) for o in outs]
    return values, grads, [str(o.dtype) for o in outs]


def _numpy(t):
    """A copy of t's values (PyTorch's lazily conjugated tensors resolved first)."""
    return t.detach().resolve_conj().numpy().copy()


def _seed(rng, o):
    """A random cotangent of o's shape and dtype (complex parts for a complex output)."""
    dtype = _numpy(o).dtype
    values = rng.standard_normal(tuple(o.shape))
    if dtype.kind == "c":
        values = values + 1j * rng.standard_normal(tuple(o.shape))
    return values.astype(dtype)


def _grad_inputs_lib(lib, tensors):
    return [t for t in tensors if isinstance(t, lib.Tensor) and t.requires_grad]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", TORCH_CASES, ids=lambda c: c.id)
def test_parity_with_torch(case, dtype, torch):
    arrays = make_arrays(case, dtype)
    ours, our_grads, our_dtypes = _run(chainrule, case, arrays)
    theirs, their_grads, their_dtypes = _run(torch, case, arrays)
    assert our_dtypes == their_dtypes
    assert len(ours) == len(theirs)
    rtol = case.parity_rtol if dtype == np.float32 else 1e-10
    atol = case.parity_atol if dtype == np.float32 else 1e-12
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    assert len(our_grads) == len(their_grads)
    for a, b in zip(our_grads, their_grads):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _all_ops():
    seen, stack = set(), [Op]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    # An op's complex form (ops/dtype_dispatch.py) counts as the op itself.
    return {
        c
        for c in seen
        if c.differentiable and c.name is not None and "_variant_of" not in c.__dict__
    }


def _ops_reached(out):
    found, stack, seen = set(), [o.grad_fn for o in _outputs(out) if o.grad_fn is not None], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if node.op is not None:
            found.add(node.op.__dict__.get("_variant_of", node.op))
        stack.extend(n for n, _ in node.next_functions)
    return found


def test_every_differentiable_op_has_a_case():
    """A public op with derivative code but no table entry fails here, by name."""
    reached = set()
    for case in CASES:
        tensors = make_tensors(chainrule, case, make_arrays(case))
        reached |= _ops_reached(case.fn(chainrule, *tensors))
    missing = sorted(op.__name__ for op in _all_ops() - reached)
    assert not missing, f"ops with no case in the op table: {missing}"


def test_every_op_has_a_formula():
    missing = sorted(op.__name__ for op in _all_ops() if not op.formula)
    assert not missing, f"ops with no formula for people: {missing}"

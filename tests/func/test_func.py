"""chainrule.func against torch.func: grad, grad_and_value, vjp, jvp, vmap, jacrev, jacfwd,
hessian and functional_call give PyTorch's values, structures and errors, and nest."""

import numpy as np
import pytest

import chainrule

X = [0.5, -1.2, 2.0]


def _x(lib, values=X, dtype="float64"):
    return lib.tensor(np.asarray(values), dtype=getattr(lib, dtype))


def _np(tree):
    if hasattr(tree, "detach"):
        return tree.detach().numpy()
    if isinstance(tree, dict):
        return {k: _np(v) for k, v in tree.items()}
    if isinstance(tree, (tuple, list)):
        return type(tree)(_np(v) for v in tree)
    return tree


def _same(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, np.ndarray):
        assert a.shape == b.shape and a.dtype == b.dtype
        # float64 element-wise maths and small reductions: within a few ulps
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)
    else:
        assert a == b


CASES = {
    "grad": lambda L, F: F.grad(lambda x: (x.sin() * x).sum())(_x(L)),
    "grad-argnums": lambda L, F: F.grad(lambda x, y: (x * y.exp()).sum(), argnums=(0, 1))(
        _x(L), _x(L, [1.0, 2.0, 0.5])
    ),
    "grad-second-arg": lambda L, F: F.grad(lambda x, y: (x * y**2).sum(), argnums=1)(
        _x(L), _x(L, [1.0, 2.0, 0.5])
    ),
    "grad-aux": lambda L, F: F.grad(lambda x: ((x**2).sum(), x.mean()), has_aux=True)(_x(L)),
    "grad-dict": lambda L, F: F.grad(lambda p: (p["a"] * p["b"]).sum())(
        {"a": _x(L), "b": _x(L, [3.0, 1.0, -1.0])}
    ),
    "grad_and_value": lambda L, F: F.grad_and_value(lambda x: (x**3).sum())(_x(L)),
    "grad-of-grad": lambda L, F: F.grad(F.grad(lambda x: x.sin() * x**2))(_x(L, 0.7)),
    "vjp": lambda L, F: (lambda out, fn: (out, fn(_x(L, [1.0, -1.0, 2.0]))))(
        *F.vjp(lambda x: x.tanh() * 3, _x(L))
    ),
    "vjp-two": lambda L, F: (lambda out, fn: (out, fn(_x(L, [[1.0, 0.5, 2.0]]))))(
        *F.vjp(lambda x, y: x.unsqueeze(0) * y, _x(L), _x(L, [[1.0, 2.0, 3.0]]))
    ),
    "jvp": lambda L, F: F.jvp(lambda x: x.exp() * x, (_x(L),), (_x(L, [1.0, 0.0, 2.0]),)),
    "jvp-two": lambda L, F: F.jvp(
        lambda x, y: (x * y).sum(), (_x(L), _x(L, [1.0, 2.0, 3.0])), (_x(L, [1.0, 1.0, 1.0]),) * 2
    ),
    "vmap": lambda L, F: F.vmap(lambda v: (v * v).sum())(_x(L, [[1.0, 2.0], [3.0, 4.0]])),
    "vmap-in_dims": lambda L, F: F.vmap(lambda a, b: a @ b, in_dims=(1, None))(
        _x(L, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), _x(L, [1.0, -1.0, 0.5])
    ),
    "vmap-out_dims": lambda L, F: F.vmap(lambda v: v.outer(v), out_dims=1)(
        _x(L, [[1.0, 2.0], [3.0, 4.0], [0.5, 0.0]])
    ),
    "vmap-nested": lambda L, F: F.vmap(F.vmap(lambda a, b: a * b))(
        _x(L, [[1.0, 2.0], [3.0, 4.0]]), _x(L, [[5.0, 6.0], [7.0, 8.0]])
    ),
    "vmap-tuple-out": lambda L, F: F.vmap(lambda v: (v.sum(), v * 2))(_x(L, [[1.0, 2.0]])),
    "vmap-grad": lambda L, F: F.vmap(F.grad(lambda v: (v**3).sum()))(
        _x(L, [[1.0, 2.0], [3.0, 4.0]])
    ),
    "jacrev": lambda L, F: F.jacrev(lambda x: x.sin() * x.sum())(_x(L)),
    "jacrev-argnums": lambda L, F: F.jacrev(lambda x, y: x * y, argnums=(0, 1))(
        _x(L), _x(L, [1.0, 2.0, 3.0])
    ),
    "jacfwd": lambda L, F: F.jacfwd(lambda x: x.exp().cumsum(0))(_x(L)),
    "hessian": lambda L, F: F.hessian(lambda x: (x.sin() * x.prod()).sum())(_x(L)),
}


@pytest.mark.parametrize("case", CASES)
def test_transforms_match_torch_func(torch, case):
    import torch.func as torch_func

    ours = _np(CASES[case](chainrule, chainrule.func))
    theirs = _np(CASES[case](torch, torch_func))
    _same(ours, theirs)


def test_results_are_plain_tensors_at_the_top_level():
    x = _x(chainrule)
    g = chainrule.func.grad(lambda x: (x**2).sum())(x)
    assert g.grad_fn is None and not g.requires_grad
    assert repr(g) == "tensor([ 1.0000, -2.4000,  4.0000], dtype=torch.float64)"


def test_results_stay_differentiable_for_inputs_that_require_grad(torch):
    results = []
    for lib, F in ((chainrule, chainrule.func), (torch, __import__("torch.func").func)):
        x = _x(lib).requires_grad_()
        g = F.grad(lambda x: (x**3).sum())(x)
        (h,) = lib.autograd.grad(g.sum(), x)
        results.append(h.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-14)


def test_per_sample_gradients_with_functional_call(torch):
    import torch.func as torch_func

    rng = np.random.default_rng(0)
    w = rng.standard_normal((2, 3))
    b = rng.standard_normal(2)
    data = rng.standard_normal((5, 3))
    targets = rng.integers(0, 2, 5)
    results = []
    for lib, F in ((chainrule, chainrule.func), (torch, torch_func)):
        model = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            model.weight.copy_(lib.tensor(w))
            model.bias.copy_(lib.tensor(b))
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, x, y, lib=lib, F=F, model=model):
            logits = F.functional_call(model, p, (x.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(logits, y.unsqueeze(0))

        per_sample = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(
            params, lib.tensor(data), lib.tensor(targets)
        )
        results.append(_np(per_sample))
        assert model.weight.detach().numpy().tolist() == w.tolist()  # restored
    _same(results[0], results[1])


ERRORS = {
    "grad-vector": lambda L, F: F.grad(lambda x: x * 2)(_x(L)),
    "grad-aux-not-tuple": lambda L, F: F.grad(lambda x: x.sum(), has_aux=True)(_x(L)),
    "grad-argnum": lambda L, F: F.grad(lambda x: x.sum(), argnums=3)(_x(L)),
    "vmap-sizes": lambda L, F: F.vmap(lambda a, b: a + b)(L.ones(2, 3), L.ones(3, 3)),
    "vmap-all-none": lambda L, F: F.vmap(lambda a: a, in_dims=None)(L.ones(2)),
    "vmap-dim": lambda L, F: F.vmap(lambda a: a, in_dims=2)(L.ones(2, 3)),
    "jvp-not-tuple": lambda L, F: F.jvp(lambda x: x, _x(L), (_x(L),)),
    "jvp-shape": lambda L, F: F.jvp(lambda x: x, (_x(L),), (L.ones(2, dtype=L.float64),)),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors_match_torch_func(torch, case):
    import torch.func as torch_func

    raised = []
    for lib, F in ((chainrule, chainrule.func), (torch, torch_func)):
        with pytest.raises(Exception) as info:
            ERRORS[case](lib, F)
        raised.append((type(info.value).__name__, str(info.value).replace("<lambda>", "f")))
    assert raised[0][0] == raised[1][0]
    assert raised[0][1] == raised[1][1]

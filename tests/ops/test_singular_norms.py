"""Matrix norms through the singular values ('nuc', 2, -2): values, first and second
derivatives against PyTorch, and PyTorch's errors. (gradcheck and gradgradcheck of the same
norms are in the op table.)"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule


def _matrix(lib, shape, seed=3):
    values = np.random.default_rng(seed).standard_normal(shape)
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


CASES = [
    ("nuc", (3, 3), (-2, -1)),
    ("nuc", (4, 2), (-2, -1)),
    ("nuc", (2, 5), (-2, -1)),
    ("nuc", (2, 3, 4), (2, 0)),
    (2, (3, 4), (-2, -1)),
    (2, (2, 4, 3), (-2, -1)),
    (-2, (4, 3), (-2, -1)),
    (-2, (3, 5), (0, 1)),
]


def _second_order(lib, ord, shape, dim):
    a = _matrix(lib, shape)
    n = lib.linalg.matrix_norm(a, ord, dim=dim)
    (g,) = lib.autograd.grad(n.sum(), a, create_graph=True)
    (h,) = lib.autograd.grad((g * g.detach().sin()).sum(), a)
    return n.detach().numpy(), g.detach().numpy(), h.numpy()


@pytest.mark.parametrize("ord,shape,dim", CASES, ids=str)
def test_norm_and_its_derivatives_match_pytorch(ord, shape, dim, torch):
    ours = _second_order(chainrule, ord, shape, dim)
    theirs = _second_order(torch, ord, shape, dim)
    for a, b in zip(ours, theirs):  # LAPACK's SVD may differ in its last bits
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)


def test_torch_norm_nuc(torch):
    for lib in (chainrule, torch):
        a = _matrix(lib, (3, 4))
        assert lib.norm(a, p="nuc").grad_fn.name() == "SumBackward1"
    np.testing.assert_allclose(
        chainrule.norm(_matrix(chainrule, (3, 4)), p="nuc").item(),
        torch.norm(_matrix(torch, (3, 4)), p="nuc").item(),
        rtol=1e-12,
    )


ERRORS = {
    "neg2_of_empty": lambda t: t.linalg.matrix_norm(t.zeros(0, 3), -2),
    "unknown_order": lambda t: t.linalg.matrix_norm(t.ones(2, 3), 3),
    "nuc_of_a_vector": lambda t: t.norm(t.ones(3), p="nuc"),
    "nuc_of_3d_without_dim": lambda t: t.norm(t.ones(2, 3, 4), p="nuc"),
    "unknown_string": lambda t: t.norm(t.ones(3, 3), p="bad"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_are_pytorchs(name, torch):
    def error(lib):
        try:
            ERRORS[name](lib)
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e).__name__, str(e)
        return None

    assert error(torch) is not None
    assert error(chainrule) == error(torch)


@pytest.mark.parametrize("ord", ["nuc", 2])
def test_norms_of_empty_matrices_are_zero(ord, torch):
    for shape in [(0, 3), (3, 0), (2, 0, 0)]:
        ours = chainrule.linalg.matrix_norm(chainrule.zeros(shape), ord)
        theirs = torch.linalg.matrix_norm(torch.zeros(shape), ord)
        assert ours.tolist() == theirs.tolist()

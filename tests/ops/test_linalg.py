"""Linear algebra beyond the op table: PyTorch's errors (singular and non-square matrices,
bad shapes and dtypes), the results of singular and rank-deficient inputs, the named
results and their reprs, integer outputs (pivots, ranks, infos) exactly, and the gradient
conventions PyTorch has at singular matrices."""

import warnings

import numpy as np
import pytest

import chainrule

SINGULAR = [[1.0, 2.0], [2.0, 4.0]]


def _error(fn, lib):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(lib)
    except Exception as e:  # noqa: BLE001 - the error is the result compared
        return type(e), str(e)
    return None, None


ERRORS = {
    "det_not_square": lambda t: t.linalg.det(t.ones(2, 3)),
    "det_vector": lambda t: t.linalg.det(t.ones(3)),
    "det_integer": lambda t: t.linalg.det(t.ones(2, 2, dtype=t.long)),
    "inv_singular": lambda t: t.linalg.inv(t.tensor(SINGULAR)),
    "inv_singular_batched": lambda t: t.linalg.inv(t.stack([t.eye(2), t.tensor(SINGULAR)])),
    "inv_not_square": lambda t: t.linalg.inv(t.ones(2, 3)),
    "inverse_vector": lambda t: t.inverse(t.ones(3)),
    "solve_singular": lambda t: t.linalg.solve(t.tensor(SINGULAR), t.ones(2)),
    "solve_singular_batched": lambda t: t.linalg.solve(
        t.stack([t.eye(2), t.tensor(SINGULAR)]), t.ones(2)
    ),
    "solve_shapes": lambda t: t.linalg.solve(t.eye(2), t.ones(3)),
    "solve_shapes_matrix": lambda t: t.linalg.solve(t.eye(2), t.ones(3, 1)),
    "cholesky_not_pd": lambda t: t.linalg.cholesky(t.tensor(SINGULAR) - t.eye(2)),
    "cholesky_not_pd_first": lambda t: t.linalg.cholesky(-t.eye(2)),
    "cholesky_batched": lambda t: t.linalg.cholesky(t.stack([t.eye(2), -t.eye(2)])),
    "cholesky_not_square": lambda t: t.linalg.cholesky(t.ones(2, 3)),
    "eigh_not_square": lambda t: t.linalg.eigh(t.ones(2, 3)),
    "eig_not_square": lambda t: t.linalg.eig(t.ones(2, 3)),
    "eig_nan": lambda t: t.linalg.eig(t.tensor([[float("nan"), 0.0], [0.0, 1.0]])),
    "svd_vector": lambda t: t.linalg.svd(t.ones(3)),
    "qr_vector": lambda t: t.linalg.qr(t.ones(3)),
    "qr_mode": lambda t: t.linalg.qr(t.ones(3, 3), mode="x"),
    "solve_triangular_shapes": lambda t: t.linalg.solve_triangular(
        t.eye(2), t.ones(3, 2), upper=True
    ),
    "lu_factor_singular": lambda t: t.linalg.lu_factor(t.tensor(SINGULAR)),
    "lu_factor_zero": lambda t: t.linalg.lu_factor(t.zeros(2, 2)),
    "matrix_power_singular": lambda t: t.linalg.matrix_power(t.tensor(SINGULAR), -1),
    "matrix_power_not_square": lambda t: t.linalg.matrix_power(t.ones(2, 3), 2),
    "cross_length": lambda t: t.linalg.cross(t.ones(2), t.ones(2)),
    "cross_ndim": lambda t: t.linalg.cross(t.ones(3), t.ones(2, 3)),
    "lstsq_rows": lambda t: t.linalg.lstsq(t.ones(3, 2), t.ones(2, 1)),
    "pinv_vector": lambda t: t.linalg.pinv(t.ones(3)),
    "householder_wide": lambda t: t.linalg.householder_product(t.ones(2, 3), t.ones(1)),
    "multi_dot_one": lambda t: t.linalg.multi_dot([t.ones(2, 2)]),
    "multi_dot_shapes": lambda t: t.linalg.multi_dot([t.ones(2, 3), t.ones(4, 5)]),
    "tensorinv_shape": lambda t: t.linalg.tensorinv(t.ones(4, 3, 2), ind=1),
    "vecdot_sizes": lambda t: t.linalg.vecdot(t.ones(2), t.ones(3)),
    "cond_order": lambda t: t.linalg.cond(t.eye(2), 3),
    "matrix_norm_order": lambda t: t.linalg.matrix_norm(t.eye(2), 3),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_pytorch(torch, name):
    ours = _error(ERRORS[name], chainrule)
    theirs = _error(ERRORS[name], torch)
    assert theirs[0] is not None, "PyTorch raises here"
    assert ours[0] is not None, f"chainrule does not raise; PyTorch: {theirs}"
    assert issubclass(
        ours[0], theirs[0].__mro__[1] if theirs[0].__name__ == "_LinAlgError" else theirs[0]
    )
    assert ours[1] == theirs[1]


def test_singular_errors_are_linalg_errors():
    with pytest.raises(chainrule.linalg.LinAlgError):
        chainrule.linalg.inv(chainrule.tensor(SINGULAR))
    assert issubclass(chainrule.linalg.LinAlgError, RuntimeError)


def test_singular_results_match_pytorch(torch):
    cases = [
        lambda t: t.linalg.det(t.tensor(SINGULAR)),
        lambda t: t.linalg.slogdet(t.tensor(SINGULAR)),
        lambda t: t.logdet(t.tensor([[0.0, 1.0], [1.0, 0.0]])),  # det -1: nan
        lambda t: t.linalg.det(t.ones(2, 0, 0)),
        lambda t: t.linalg.slogdet(t.ones(0, 0)),
        lambda t: t.linalg.inv_ex(t.tensor(SINGULAR)).info,
        lambda t: t.linalg.solve_ex(t.tensor(SINGULAR), t.ones(2)).info,
        lambda t: t.linalg.cholesky_ex(t.tensor(SINGULAR) - t.eye(2)).info,
        lambda t: t.linalg.lu_factor_ex(t.zeros(2, 2)),
        lambda t: t.linalg.lu(t.zeros(2, 2)),
        lambda t: t.linalg.matrix_rank(t.tensor(SINGULAR)),
        lambda t: t.linalg.matrix_rank(t.tensor(SINGULAR), hermitian=True),
        lambda t: t.linalg.cond(t.tensor(SINGULAR), 1),
        lambda t: t.linalg.cond(t.tensor(SINGULAR), "fro"),
        lambda t: t.linalg.cond(t.ones(0, 0)),
        lambda t: t.linalg.pinv(t.tensor(SINGULAR, dtype=t.float64)),
    ]
    for make in cases:
        ours, theirs = make(chainrule), make(torch)
        assert repr(ours) == repr(theirs)


def test_pivots_and_integer_outputs_are_exact(torch):
    rng = np.random.default_rng(11)
    for shape in [(5, 5), (3, 4, 4), (6, 3), (3, 6)]:
        a = rng.standard_normal(shape)
        ours = chainrule.linalg.lu_factor(chainrule.tensor(a))
        theirs = torch.linalg.lu_factor(torch.tensor(a))
        np.testing.assert_array_equal(ours.pivots.numpy(), theirs.pivots.numpy())
        assert ours.pivots.dtype is chainrule.int32
        p_ours = chainrule.linalg.lu(chainrule.tensor(a)).P.numpy()
        np.testing.assert_array_equal(p_ours, torch.linalg.lu(torch.tensor(a)).P.numpy())
        np.testing.assert_allclose(ours.LU.numpy(), theirs.LU.numpy(), rtol=1e-12, atol=1e-12)
    for rank in range(4):
        m = rng.standard_normal((4, rank)) @ rng.standard_normal((rank, 5))
        assert chainrule.linalg.matrix_rank(chainrule.tensor(m)).item() == rank


def test_named_results_print_as_pytorch(torch):
    a = [[2.0, 1.0], [1.0, 3.0]]
    for make in (
        lambda t: t.linalg.slogdet(t.tensor(a)),
        lambda t: t.slogdet(t.tensor(a)),
        lambda t: t.linalg.inv_ex(t.tensor(a)),
        lambda t: t.linalg.cholesky_ex(t.tensor(a)),
        lambda t: t.linalg.lu_factor(t.tensor(a)),
        lambda t: t.linalg.eigh(t.tensor(a)).eigenvalues,
        lambda t: t.lu_unpack(*t.linalg.lu_factor(t.tensor(a))),
    ):
        ours, theirs = make(chainrule), make(torch)
        assert repr(ours) == repr(theirs)
    result = chainrule.linalg.svd(chainrule.eye(2))
    assert type(result).__name__ == "linalg_svd" and result._fields == ("U", "S", "Vh")
    assert chainrule.linalg.qr(chainrule.eye(2))._fields == ("Q", "R")


def test_lstsq_outputs_per_driver(torch):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 2))
    for driver in (None, "gels", "gelsy", "gelsd", "gelss"):
        ours = chainrule.linalg.lstsq(chainrule.tensor(a), chainrule.tensor(b), driver=driver)
        theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        for x, y in zip(ours, theirs):
            assert tuple(x.shape) == tuple(y.shape) and str(x.dtype) == str(y.dtype)
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12)


def test_det_gradient_at_a_singular_matrix_follows_pytorch(torch):
    """PyTorch's first derivative of det at an exactly singular matrix is 0 (its LU solve
    with eps on zero pivots, scaled by det = 0); under create_graph it is the adjugate."""

    def grads(lib):
        a = lib.tensor(SINGULAR, dtype=lib.float64, requires_grad=True)
        (first,) = lib.autograd.grad(lib.linalg.det(a), a)
        (graph,) = lib.autograd.grad(lib.linalg.det(a), a, create_graph=True)
        return first.numpy(), graph.detach().numpy()

    ours, theirs = grads(chainrule), grads(torch)
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours[1], [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)


def test_phase_dependent_eigenvector_loss_is_refused(torch):
    def run(lib):
        a = lib.tensor([[2.0, 1.0j], [-1.0j, 3.0]], requires_grad=True)
        _, v = lib.linalg.eigh(a)
        v.real.sum().backward()

    theirs = _error(run, torch)
    ours = _error(run, chainrule)
    assert theirs[0] is RuntimeError and ours[0] is RuntimeError
    assert ours[1] == theirs[1]


def test_values_whose_gradients_pytorch_cannot_take(torch):
    """cond in the 1 and Frobenius norms and torch.vander: PyTorch's backward of these fails
    (an in-place write into a value it saved), so their values are compared here and their
    gradients are gradchecked in the op table."""
    rng = np.random.default_rng(8)
    a = rng.standard_normal((2, 3, 3)) + 4 * np.eye(3)
    x = rng.standard_normal(4)
    for make in (
        lambda t: t.linalg.cond(t.tensor(a), 1),
        lambda t: t.linalg.cond(t.tensor(a), -1),
        lambda t: t.linalg.cond(t.tensor(a), float("inf")),
        lambda t: t.linalg.cond(t.tensor(a), "fro"),
        lambda t: t.vander(t.tensor(x)),
        lambda t: t.vander(t.tensor(x), 3, increasing=True),
        lambda t: t.vander(t.tensor([1, 2, 3])),
    ):
        ours, theirs = make(chainrule), make(torch)
        assert str(ours.dtype) == str(theirs.dtype)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_matrix_norms_every_order(torch):
    rng = np.random.default_rng(6)
    a = rng.standard_normal((2, 3, 4))
    for ord in ("fro", "nuc", 1, -1, 2, -2, float("inf"), -float("inf")):
        for dim in ((-2, -1), (0, 2)):
            ours = chainrule.linalg.matrix_norm(chainrule.tensor(a), ord, dim)
            theirs = torch.linalg.matrix_norm(torch.tensor(a), ord, dim)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
        ours = chainrule.linalg.norm(chainrule.tensor(a[0]), ord)
        theirs = torch.linalg.norm(torch.tensor(a[0]), ord)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    assert chainrule.norm(chainrule.tensor(a), "nuc", dim=(1, 2)).shape == (2,)


def test_deprecated_names_warn_once_as_pytorch(torch):
    a = chainrule.eye(3) + 0.1
    calls = {
        "torch.qr is deprecated": lambda: chainrule.qr(a),
        "torch.lu is deprecated": lambda: chainrule.lu(a),
        "torch.cholesky is deprecated": lambda: chainrule.cholesky(a),
        "torch.triangular_solve is deprecated": lambda: chainrule.triangular_solve(a, a),
        "torch.lu_solve is deprecated": lambda: chainrule.lu_solve(
            a, *chainrule.linalg.lu_factor(a)
        ),
        "torch.chain_matmul is deprecated": lambda: chainrule.chain_matmul(a, a),
    }
    from chainrule.ops import linalg_common

    linalg_common._WARNED.clear()
    for text, call in calls.items():
        with pytest.warns(UserWarning, match=text):
            call()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            call()  # once per process

"""Complex tensors against PyTorch: creation, printing, promotion, parts that are views,
the conjugate Wirtinger gradients, and the errors of ops that do not take complex input."""

import warnings

import numpy as np
import pytest

import chainrule
from parity import assert_exact, assert_ulp

NAMES = ["complex64", "complex128"]


def _both(torch, fn):
    return fn(chainrule), fn(torch)


def test_dtypes_and_aliases():
    assert chainrule.cfloat is chainrule.complex64
    assert chainrule.cdouble is chainrule.complex128
    assert chainrule.chalf is chainrule.complex32
    assert chainrule.complex64.is_complex and not chainrule.complex64.is_floating_point
    assert chainrule.complex64.to_real() is chainrule.float32
    assert chainrule.float64.to_complex() is chainrule.complex128
    assert chainrule.complex32.itemsize == 4 and chainrule.bfloat16.itemsize == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda t: t.tensor([1 + 2j, 3.5 - 1j]),
        lambda t: t.tensor([1 + 2j, 3 - 1j]),
        lambda t: t.tensor([[1.123456 + 2j, 3000 - 1j], [0j, float("nan") + 1j]], dtype=t.cdouble),
        lambda t: t.tensor([1e-5 + 2j, 3 - 1j]),
        lambda t: t.tensor(1 + 2j),
        lambda t: t.tensor([-1 - 2j, 3.5 - 1j]),
        lambda t: t.tensor([1e-10 + 2e-10j, 3.5e-10 - 1j]),
        lambda t: t.zeros(2, dtype=t.cfloat),
        lambda t: t.zeros(0, dtype=t.cfloat),
        lambda t: t.tensor([float("inf") + 1j, 2j]),
        lambda t: t.tensor([[0.5 - 0.25j] * 9] * 3).requires_grad_(),
        lambda t: t.arange(12.0).reshape(3, 4).to(t.cfloat) * (1 - 1j),
        lambda t: t.ones(2000, dtype=t.cdouble) * 1j,
    ],
)
def test_printing_matches_pytorch(torch, make):
    ours, theirs = _both(torch, make)
    assert repr(ours) == repr(theirs)


def test_creation_and_dtype_inference(torch):
    for make in (
        lambda t: t.tensor([1, 2j]),
        lambda t: t.tensor([[1.5, 1j]], dtype=t.complex128),
        lambda t: t.tensor(np.array([1 + 1j], np.complex64)),
        lambda t: t.full((2,), 1 + 2j),
        lambda t: t.ones(2).to(t.cfloat),
        lambda t: t.ones(2).cdouble(),
        lambda t: t.complex(t.ones(2), t.zeros(2)),
    ):
        ours, theirs = _both(torch, make)
        assert str(ours.dtype) == str(theirs.dtype)
        assert_exact(ours.numpy(), theirs.numpy())


def test_promotion_with_numbers_and_tensors(torch):
    cases = [
        lambda t: t.ones(2) * 1j,
        lambda t: t.ones(2, dtype=t.float64) + 1j,
        lambda t: t.ones(2, dtype=t.int64) * (2 + 1j),
        lambda t: t.ones(2, dtype=t.cfloat) * 2.5,
        lambda t: t.ones(2, dtype=t.cfloat) + t.ones(2, dtype=t.float64),
        lambda t: t.tensor(1j) * t.ones(2, dtype=t.float64),
        lambda t: t.ones(2, dtype=t.int32) / t.ones(2, dtype=t.cfloat),
        lambda t: t.ones(2, dtype=t.float16) + 1j,
    ]
    for make in cases:
        ours, theirs = _both(torch, make)
        assert str(ours.dtype) == str(theirs.dtype)
    pairs = [(a, b) for a in NAMES + ["float32", "float64", "int64"] for b in NAMES]
    for a, b in pairs:
        assert repr(chainrule.promote_types(getattr(chainrule, a), getattr(chainrule, b))) == str(
            torch.promote_types(getattr(torch, a), getattr(torch, b))
        )


def test_real_and_imag_are_views():
    z = chainrule.tensor([1 + 2j, 3 - 4j])
    z.real[0] = 10.0
    z.imag.mul_(2)
    assert z.tolist() == [10 + 4j, 3 - 8j]
    z.imag = chainrule.tensor([1.0, 1.0])
    assert z.tolist() == [10 + 1j, 3 + 1j]
    x = chainrule.ones(2)
    assert chainrule.real(x) is x
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex"):
        _ = x.imag
    r = chainrule.view_as_real(z)
    r[1, 1] = -5.0
    assert z[1].item() == 3 - 5j
    c = chainrule.view_as_complex(chainrule.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert c.tolist() == [1 + 2j, 3 + 4j]


def test_parts_conj_angle_abs_match_pytorch(torch):
    values = [1 + 2j, -3 - 0.5j, 0j, -2 + 0j, 1e-3j]
    fns = [
        lambda t, z: z.real,
        lambda t, z: z.imag,
        lambda t, z: z.conj(),
        lambda t, z: t.conj_physical(z),
        lambda t, z: z.angle(),
        lambda t, z: z.abs(),
        lambda t, z: t.sgn(z),
        lambda t, z: t.view_as_real(z),
        lambda t, z: t.polar(z.abs(), z.angle()),
        lambda t, z: z.resolve_conj(),
    ]
    for dtype in NAMES:
        for fn in fns:
            ours = fn(chainrule, chainrule.tensor(values, dtype=getattr(chainrule, dtype)))
            theirs = fn(torch, torch.tensor(values, dtype=getattr(torch, dtype)))
            # abs, angle, sgn and polar call hypot/atan2/cos/sin, vectorised differently in
            # the two libraries: within 2 ulp of PyTorch's, part by part
            assert_ulp(_parts(ours), _parts(theirs), 2)
    x = [-1.5, 0.0, 2.0, float("nan")]
    assert_exact(chainrule.tensor(x).angle().numpy(), torch.tensor(x).angle().numpy())
    assert chainrule.is_complex(chainrule.ones(1, dtype=chainrule.cfloat))
    assert not chainrule.ones(1).is_complex() and not chainrule.ones(1).is_conj()


def _parts(t):
    """A tensor's values as real numbers (a complex one's parts side by side)."""
    a = np.ascontiguousarray(t.detach().resolve_conj().numpy())
    return a.view(a.real.dtype) if a.dtype.kind == "c" else a


def _grad(lib, f, values, seed):
    z = lib.tensor(values).requires_grad_()
    out = f(lib, z)
    (g,) = lib.autograd.grad(out, z, lib.tensor(seed))
    return g.detach().resolve_conj().numpy()


def test_wirtinger_gradients_match_pytorch(torch):
    values = np.array([1 + 2j, -0.5 + 0.3j, 2 - 1j])
    complex_seed = np.array([0.3 - 1j, 1 + 0.5j, -2 + 0j])
    real_seed = np.array([0.3, -1.0, 2.0])
    cases = [
        (lambda t, z: z * z, complex_seed),
        (lambda t, z: z.conj() * (1 + 1j), complex_seed),
        (lambda t, z: z.abs(), real_seed),
        (lambda t, z: z.angle(), real_seed),
        (lambda t, z: z.real * z.imag, real_seed),
        (lambda t, z: (z / (z.abs() + 1)).exp(), complex_seed),
        (lambda t, z: t.view_as_real(z).sum(-1), real_seed),
        (lambda t, z: z @ z.conj() * z, complex_seed),
    ]
    for f, seed in cases:
        ours = _grad(chainrule, f, values, seed)
        theirs = _grad(torch, f, values, seed)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_real_input_gets_the_real_part_of_a_complex_gradient(torch):
    def f(lib):
        x = lib.tensor([1.0, -2.0], requires_grad=True)
        y = (x * (1 - 2j)).exp().abs().sum()
        y.backward()
        return x.grad.numpy()

    np.testing.assert_allclose(f(chainrule), f(torch), rtol=1e-6)


def test_complex_backward_needs_a_real_scalar():
    z = chainrule.tensor([1 + 1j], requires_grad=True)
    with pytest.raises(RuntimeError, match="only for real scalar outputs"):
        (z * z).sum().backward()


REFUSED = {
    "maximum": lambda t, z: t.maximum(z, z),
    "floor": lambda t, z: z.floor(),
    "relu": lambda t, z: t.relu(z),
    "sort": lambda t, z: z.sort(),
    "topk": lambda t, z: z.topk(1),
    "lt": lambda t, z: z < z,
    "max": lambda t, z: z.max(),
    "max_dim": lambda t, z: z.max(0),
    "amax": lambda t, z: z.amax(),
    "argmax": lambda t, z: z.argmax(),
    "clamp": lambda t, z: z.clamp(0, 1),
    "sign": lambda t, z: z.sign(),
    "round": lambda t, z: z.round(),
    "remainder": lambda t, z: z % 2,
    "erf": lambda t, z: t.erf(z),
    "median": lambda t, z: z.median(),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_ops_pytorch_refuses_for_complex_raise_its_error(torch, name):
    fn = REFUSED[name]
    with pytest.raises(Exception) as theirs:
        fn(torch, torch.tensor([1 + 1j, 2 - 1j]))
    with pytest.raises(Exception) as ours:
        fn(chainrule, chainrule.tensor([1 + 1j, 2 - 1j]))
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_ops_chainrule_lacks_for_complex_say_so():
    z = chainrule.tensor([1 + 1j, 2 - 1j])
    with pytest.raises(NotImplementedError, match="not implemented for 'ComplexFloat' tensors"):
        chainrule.nn.functional.gelu(z)


def test_casts_between_real_and_complex(torch):
    for make in (
        lambda t: t.tensor([1.5, -2.0]).to(t.cfloat),
        lambda t: t.tensor([1.5, -2.0], dtype=t.float64).cfloat(),
        lambda t: t.tensor([1 + 2j]).cdouble(),
    ):
        ours, theirs = _both(torch, make)
        assert str(ours.dtype) == str(theirs.dtype)
        assert_exact(ours.numpy(), theirs.numpy())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = chainrule.tensor([1 + 2j]).float()
    assert out.tolist() == [1.0]
    assert "discards the imaginary part" in str(caught[0].message)


def test_complex_matmul_and_reductions(torch):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    b = rng.standard_normal((4, 2)) + 1j * rng.standard_normal((4, 2))
    for f in (lambda t, x, y: x @ y, lambda t, x, y: (x @ y).sum(0), lambda t, x, y: x.mean()):
        ours = f(chainrule, chainrule.tensor(a), chainrule.tensor(b)).numpy()
        theirs = f(torch, torch.tensor(a), torch.tensor(b)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-13)
    x = chainrule.tensor(a)
    assert x.mH.tolist() == np.conj(a.T).tolist()
    assert x.adjoint().tolist() == np.conj(a.T).tolist()
    assert chainrule.vdot(x[0], x[1]).item() == pytest.approx(np.vdot(a[0], a[1]))


def test_finfo_of_complex_and_bfloat16(torch):
    for name in ("complex64", "complex128", "bfloat16"):
        assert repr(chainrule.finfo(getattr(chainrule, name))) == repr(
            torch.finfo(getattr(torch, name))
        )

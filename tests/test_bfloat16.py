"""bfloat16 (and complex32) against PyTorch: rounding to nearest even on every write,
printing, promotion, arithmetic, in-place ops, gradients and casts.

bfloat16 arithmetic is float32 arithmetic rounded once per op, in both libraries, so
results compare bit for bit where the float32 result is correctly rounded (add, mul,
div, sqrt) and within one bfloat16 ulp where PyTorch's vectorised float32 kernels round
differently from NumPy's (exp, sums).
"""

import numpy as np
import pytest

import chainrule
from chainrule import _narrow
from parity import assert_ulp, vectorized_kernels

pytestmark = pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")


def _bits(t):
    """The bfloat16 bit patterns of a tensor of either library."""
    if isinstance(t, chainrule.Tensor):
        return (t._data.view(np.uint32) >> 16).astype(np.uint16)
    return t.view(t.new_empty(0, dtype=__import__("torch").int16).dtype).numpy().view(np.uint16)


def test_rounding_to_nearest_even_matches_pytorch_bit_for_bit(torch):
    rng = np.random.default_rng(5)
    bits = rng.integers(0, 2**32, 20000, dtype=np.uint64).astype(np.uint32)
    values = bits.view(np.float32)
    # ties (the lower 16 bits exactly 0x8000), both parities, overflow to inf, subnormals
    special = np.array(
        [1.00390625, 1.01171875, -1.00390625, 3.3961e38, 3.4e38, 1e-40, -0.0, np.inf, np.nan],
        np.float32,
    )
    values = np.concatenate([values, special])
    ours = chainrule.tensor(values).bfloat16()
    theirs = torch.tensor(values).bfloat16()
    finite = np.isfinite(values) | np.isinf(values)
    np.testing.assert_array_equal(_bits(ours)[finite], _bits(theirs)[finite])
    assert np.isnan(ours.float().numpy()[~finite]).all()
    # every NaN becomes PyTorch's quiet NaN
    assert set(_bits(ours)[~finite].tolist()) <= {0x7FC0}
    np.testing.assert_array_equal(_narrow.bfloat16_bits(values[finite]), _bits(theirs)[finite])


def test_creation_printing_and_dtype(torch):
    makers = [
        lambda t: t.tensor([1.0, 2.5, 3.14159, -7.77, 1e-3], dtype=t.bfloat16),
        lambda t: t.tensor(3.14159, dtype=t.bfloat16),
        lambda t: t.full((2,), 1.2345, dtype=t.bfloat16),
        lambda t: t.arange(5, dtype=t.bfloat16) * 0.7,
        lambda t: t.zeros(0, dtype=t.bfloat16),
        lambda t: t.linspace(0, 1, 7, dtype=t.bfloat16),
        lambda t: t.tensor([1e30, 1e-30], dtype=t.bfloat16),
        lambda t: t.ones(3).bfloat16().requires_grad_(),
    ]
    for make in makers:
        ours, theirs = make(chainrule), make(torch)
        assert repr(ours) == repr(theirs)
        assert ours.dtype is chainrule.bfloat16
        np.testing.assert_array_equal(_bits(ours), _bits(theirs))
    t = chainrule.ones(3, dtype=chainrule.bfloat16)
    assert t.element_size() == 2 and t.nbytes == 6 and t.itemsize == 2
    assert t.type() == "torch.BFloat16Tensor"
    with pytest.raises(TypeError, match="Got unsupported ScalarType BFloat16"):
        t.numpy()


def test_promotion_matches_pytorch(torch):
    names = ["bool", "uint8", "int64", "float16", "bfloat16", "float32", "float64", "complex32"]
    names += ["complex64", "complex128"]
    for a in names:
        for b in names:
            ours = chainrule.promote_types(getattr(chainrule, a), getattr(chainrule, b))
            assert repr(ours) == str(torch.promote_types(getattr(torch, a), getattr(torch, b)))
    for make in (
        lambda t: t.ones(2, dtype=t.bfloat16) + t.ones(2),
        lambda t: t.ones(2, dtype=t.bfloat16) + t.ones(2, dtype=t.float16),
        lambda t: t.ones(2, dtype=t.bfloat16) * 2.5,
        lambda t: t.ones(2, dtype=t.bfloat16) * t.tensor(2.5),
        lambda t: t.ones(2, dtype=t.int64) * t.tensor(2.5, dtype=t.bfloat16),
        lambda t: t.ones(2, dtype=t.bfloat16) + 1j,
    ):
        ours, theirs = make(chainrule), make(torch)
        assert str(ours.dtype) == str(theirs.dtype)


def test_arithmetic_rounds_once_per_op(torch):
    rng = np.random.default_rng(2)
    a = rng.uniform(-3, 3, 64).astype(np.float32)
    b = rng.uniform(0.5, 3, 64).astype(np.float32)
    exact = [
        lambda x, y: x + y,
        lambda x, y: x * y,
        lambda x, y: x / y,
        lambda x, y: x - 1.1,
        lambda x, y: y.sqrt(),
        lambda x, y: -x,
        lambda x, y: x[::2] * 3,
    ]
    for f in exact:
        ours = f(chainrule.tensor(a).bfloat16(), chainrule.tensor(b).bfloat16())
        theirs = f(torch.tensor(a).bfloat16(), torch.tensor(b).bfloat16())
        assert ours.dtype is chainrule.bfloat16
        np.testing.assert_array_equal(_bits(ours), _bits(theirs))
    # float32 kernels that round differently (vectorised exp, reductions in another order):
    # at most one bfloat16 ulp apart
    near = [
        lambda x, y: x.exp(),
        lambda x, y: x.sum(),
        lambda x, y: x.mean(),
        lambda x, y: x.reshape(8, 8) @ y.reshape(8, 8),
        lambda x, y: x.tanh(),
    ]
    for f in near:
        ours = f(chainrule.tensor(a).bfloat16(), chainrule.tensor(b).bfloat16())
        theirs = f(torch.tensor(a).bfloat16(), torch.tensor(b).bfloat16())
        assert ours.dtype is chainrule.bfloat16
        assert_ulp(ours.float().numpy(), theirs.float().numpy(), 65536)  # 1 bfloat16 ulp


def test_writes_round(torch):
    def run(t):
        x = t.tensor([1.0, 2.0, 3.0, 4.0], dtype=t.bfloat16)
        x[0] = 1.23456
        x += 0.001
        x.mul_(3.3333)
        x[1:3] = t.tensor([0.1, 0.2])
        x.copy_(x * 1.01)
        return x

    ours, theirs = run(chainrule), run(torch)
    np.testing.assert_array_equal(_bits(ours), _bits(theirs))
    y = chainrule.zeros(2, dtype=chainrule.bfloat16)
    y.fill_(1 / 3)
    assert y.tolist() == [0.333984375, 0.333984375]


def test_gradients_are_bfloat16(torch):
    def run(t):
        w = t.tensor([1.5, -2.25, 0.3], dtype=t.bfloat16, requires_grad=True)
        for _ in range(2):  # the second backward accumulates into .grad, rounded
            (w * w * 1.37).sum().backward()
        return w.grad

    ours, theirs = run(chainrule), run(torch)
    assert ours.dtype is chainrule.bfloat16
    np.testing.assert_array_equal(_bits(ours), _bits(theirs))


def test_optimizer_step_on_bfloat16_parameters(torch):
    # 64 parameters: PyTorch's add kernel makes alpha bfloat16 in its vectorised body (32
    # or 16 elements a step) but keeps it float32 for a tail of fewer elements; chainrule
    # does what the body does.
    values = np.random.default_rng(3).uniform(-2, 2, 64).astype(np.float32)

    def run(t):
        w = t.nn.Parameter(t.tensor(values).bfloat16())
        opt = t.optim.SGD([w], lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
        return w.detach()

    ours, theirs = run(chainrule), run(torch)
    assert ours.dtype is chainrule.bfloat16
    if vectorized_kernels(torch):
        np.testing.assert_array_equal(_bits(ours), _bits(theirs))
    else:  # PyTorch's generic kernels keep alpha float32: a few bfloat16 ulps over 3 steps
        assert_ulp(ours.float().numpy(), theirs.float().numpy(), 16 * 65536)


def test_casts_from_and_to_bfloat16(torch):
    values = [1.0, 1.00390625, -2.5, 65504.0, 1e-8]
    for make in (
        lambda t: t.tensor(values).bfloat16().float(),
        lambda t: t.tensor(values, dtype=t.float64).bfloat16().double(),
        lambda t: t.tensor(values).bfloat16().half(),
        lambda t: t.tensor([1, 300, -7]).bfloat16().long(),
        lambda t: t.tensor(values).to(t.bfloat16).to(t.cfloat),
    ):
        ours, theirs = make(chainrule), make(torch)
        assert str(ours.dtype) == str(theirs.dtype)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_complex32_holds_half_precision_parts(torch):
    values = [1.0009765625 + 2j, -0.5 + 70000j]
    ours = chainrule.tensor(values).chalf()
    theirs = torch.tensor(values).chalf()
    assert ours.dtype is chainrule.complex32
    assert repr(ours) == repr(theirs)
    np.testing.assert_array_equal(ours.cfloat().numpy(), theirs.cfloat().numpy())

"""nn losses: values and gradients against PyTorch for every reduction and option (float32 and
float64), gradcheck in float64, PyTorch's errors and warnings, the deprecated keywords, grad_fn
names, and the loss modules."""

from __future__ import annotations

import warnings
import zlib
from dataclasses import dataclass

import numpy as np
import pytest

import chainrule
from chainrule.autograd import gradcheck, gradgradcheck

F = chainrule.nn.functional
nn = chainrule.nn


# -- inputs ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    kind: str  # normal | prob | index | weight
    shape: tuple
    grad: bool = False
    high: int = 0  # classes, for index
    ignore: bool = False  # put ignore_index (-100) at the first index


def X(*shape, grad=True):
    return Spec("normal", shape, grad)


def T(*shape, grad=False):
    return Spec("normal", shape, grad)


def P(*shape, grad=True):
    return Spec("prob", shape, grad)


def Y(*shape, grad=False):
    return Spec("prob", shape, grad)


def I(*shape, high, ignore=False):  # noqa: E743
    return Spec("index", shape, high=high, ignore=ignore)


def W(*shape):
    return Spec("weight", shape)


def _arrays(name, specs, dtype):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    out = []
    for s in specs:
        if s.kind == "normal":
            out.append(rng.standard_normal(s.shape).astype(dtype))
        elif s.kind == "prob":
            out.append(rng.uniform(0.05, 0.95, s.shape).astype(dtype))
        elif s.kind == "weight":
            out.append(rng.uniform(0.5, 2.0, s.shape).astype(dtype))
        else:
            a = rng.integers(0, s.high, s.shape).astype(np.int64)
            if s.ignore:
                a.reshape(-1)[0] = -100
            out.append(a)
    return out


def _tensors(lib, specs, arrays):
    return [lib.tensor(a, requires_grad=s.grad) for s, a in zip(specs, arrays)]


@dataclass
class Case:
    name: str
    fn: object  # fn(F, *tensors), F being chainrule.nn.functional or torch.nn.functional
    specs: tuple

    def __str__(self):
        return self.name


def _cases():
    cases = []
    for r in ("mean", "sum", "none"):

        def add(name, fn, *specs, r=r):
            cases.append(Case(f"{name}-{r}", lambda F, *a, fn=fn, r=r: fn(F, r, *a), specs))

        add("mse", lambda F, r, x, t: F.mse_loss(x, t, reduction=r), X(3, 4), T(3, 4))
        add(
            "mse_target_grad",
            lambda F, r, x, t: F.mse_loss(x, t, reduction=r),
            X(5),
            T(5, grad=True),
        )
        add("mse_3d", lambda F, r, x, t: F.mse_loss(x, t, reduction=r), X(2, 3, 2), T(2, 3, 2))
        add(
            "mse_weight",
            lambda F, r, x, t, w: F.mse_loss(x, t, r, weight=w),
            X(3, 4),
            T(3, 4),
            W(3, 4),
        )
        add("l1", lambda F, r, x, t: F.l1_loss(x, t, reduction=r), X(3, 4), T(3, 4, grad=True))
        add(
            "l1_weight",
            lambda F, r, x, t, w: F.l1_loss(x, t, r, weight=w),
            X(3, 4),
            T(3, 4),
            W(3, 4),
        )
        add("smooth_l1", lambda F, r, x, t: F.smooth_l1_loss(x, t, reduction=r), X(4, 5), T(4, 5))
        add(
            "smooth_l1_beta",
            lambda F, r, x, t: F.smooth_l1_loss(x, t, reduction=r, beta=0.3),
            X(4, 5),
            T(4, 5, grad=True),
        )
        add(
            "smooth_l1_beta0",
            lambda F, r, x, t: F.smooth_l1_loss(x, t, reduction=r, beta=0.0),
            X(4, 5),
            T(4, 5),
        )
        add("huber", lambda F, r, x, t: F.huber_loss(x, t, reduction=r), X(4, 5), T(4, 5))
        add(
            "huber_delta",
            lambda F, r, x, t: F.huber_loss(x, t, reduction=r, delta=0.4),
            X(4, 5),
            T(4, 5, grad=True),
        )
        add(
            "huber_weight",
            lambda F, r, x, t, w: F.huber_loss(x, t, r, 0.5, weight=w),
            X(3, 4),
            T(3, 4),
            W(3, 4),
        )
        add("bce", lambda F, r, p, y: F.binary_cross_entropy(p, y, reduction=r), P(3, 4), Y(3, 4))
        add(
            "bce_target_grad",
            lambda F, r, p, y: F.binary_cross_entropy(p, y, reduction=r),
            P(6),
            Y(6, grad=True),
        )
        add(
            "bce_weight",
            lambda F, r, p, y, w: F.binary_cross_entropy(p, y, w, reduction=r),
            P(3, 4),
            Y(3, 4),
            W(4),
        )
        add(
            "bce_logits",
            lambda F, r, x, y: F.binary_cross_entropy_with_logits(x, y, reduction=r),
            X(3, 4),
            Y(3, 4, grad=True),
        )
        add(
            "bce_logits_weights",
            lambda F, r, x, y, w, pw: F.binary_cross_entropy_with_logits(
                x, y, w, reduction=r, pos_weight=pw
            ),
            X(3, 4),
            Y(3, 4, grad=True),
            W(3, 1),
            W(4),
        )
        add(
            "nll",
            lambda F, r, x, i: F.nll_loss(x.log_softmax(1), i, reduction=r),
            X(5, 4),
            I(5, high=4),
        )
        add(
            "nll_weight_ignore",
            lambda F, r, x, i, w: F.nll_loss(x, i, w, reduction=r),
            X(6, 4),
            I(6, high=4, ignore=True),
            W(4),
        )
        add(
            "nll_ignore_index",
            lambda F, r, x, i: F.nll_loss(x, i, ignore_index=2, reduction=r),
            X(8, 3),
            I(8, high=3),
        )
        add("nll_1d", lambda F, r, x, i: F.nll_loss(x, i, reduction=r), X(4), I(high=4))
        add("nll_3d", lambda F, r, x, i: F.nll_loss(x, i, reduction=r), X(2, 3, 4), I(2, 4, high=3))
        add(
            "nll_4d_weight",
            lambda F, r, x, i, w: F.nll_loss(x, i, w, reduction=r),
            X(2, 3, 2, 3),
            I(2, 2, 3, high=3, ignore=True),
            W(3),
        )
        add(
            "nll_5d",
            lambda F, r, x, i: F.nll_loss(x, i, reduction=r),
            X(2, 3, 2, 1, 2),
            I(2, 2, 1, 2, high=3),
        )
        add("ce", lambda F, r, x, i: F.cross_entropy(x, i, reduction=r), X(5, 4), I(5, high=4))
        add("ce_1d", lambda F, r, x, i: F.cross_entropy(x, i, reduction=r), X(4), I(high=4))
        add(
            "ce_weight_ignore",
            lambda F, r, x, i, w: F.cross_entropy(x, i, w, reduction=r),
            X(6, 4),
            I(6, high=4, ignore=True),
            W(4),
        )
        add(
            "ce_nd",
            lambda F, r, x, i: F.cross_entropy(x, i, reduction=r),
            X(2, 3, 4, 2),
            I(2, 4, 2, high=3),
        )
        add(
            "ce_3d_weight",
            lambda F, r, x, i, w: F.cross_entropy(x, i, w, reduction=r),
            X(2, 3, 5),
            I(2, 5, high=3),
            W(3),
        )
        add(
            "ce_smoothing",
            lambda F, r, x, i: F.cross_entropy(x, i, reduction=r, label_smoothing=0.15),
            X(5, 4),
            I(5, high=4, ignore=True),
        )
        add(
            "ce_smoothing_weight",
            lambda F, r, x, i, w: F.cross_entropy(x, i, w, reduction=r, label_smoothing=0.3),
            X(2, 4, 3),
            I(2, 3, high=4, ignore=True),
            W(4),
        )
        add(
            "ce_smoothing_1d",
            lambda F, r, x, i: F.cross_entropy(x, i, reduction=r, label_smoothing=0.2),
            X(4),
            I(high=4),
        )
        add(
            "ce_probs",
            lambda F, r, x, y: F.cross_entropy(x, y, reduction=r),
            X(3, 4),
            Y(3, 4, grad=True),
        )
        add(
            "ce_probs_weight_smoothing",
            lambda F, r, x, y, w: F.cross_entropy(x, y, w, reduction=r, label_smoothing=0.1),
            X(2, 4, 3),
            Y(2, 4, 3),
            W(4),
        )
        add("ce_probs_1d", lambda F, r, x, y: F.cross_entropy(x, y, reduction=r), X(4), Y(4))
        add("kl", lambda F, r, x, y: F.kl_div(x, y, reduction=r), X(3, 4), Y(3, 4, grad=True))
        add(
            "kl_log_target",
            lambda F, r, x, t: F.kl_div(x, t, reduction=r, log_target=True),
            X(3, 4),
            T(3, 4, grad=True),
        )
    cases.append(
        Case(
            "kl-batchmean",
            lambda F, x, y: F.kl_div(x, y, reduction="batchmean"),
            (X(3, 4), Y(3, 4)),
        )
    )
    cases.append(
        Case(
            "kl_log_target-batchmean",
            lambda F, x, t: F.kl_div(x, t, reduction="batchmean", log_target=True),
            (X(3, 4), T(3, 4, grad=True)),
        )
    )
    return cases


CASES = _cases()


def _run(lib, case, arrays):
    tensors = _tensors(lib, case.specs, arrays)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warning is tested on its own
        out = case.fn(lib.nn.functional, *tensors)
    inputs = [t for t in tensors if t.requires_grad]
    seed = np.random.default_rng(3).standard_normal(tuple(out.shape)).astype(arrays[0].dtype)
    grads = lib.autograd.grad(out, inputs, lib.tensor(seed))
    return out, [g.detach().numpy() for g in grads]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity_with_torch(case, dtype, torch):
    arrays = _arrays(case.name, case.specs, dtype)
    ours, our_grads = _run(chainrule, case, arrays)
    theirs, their_grads = _run(torch, case, arrays)
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    rtol, atol = (2e-6, 1e-6) if dtype == np.float32 else (1e-10, 1e-12)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol, atol)
    assert len(our_grads) == len(their_grads)
    for a, b in zip(our_grads, their_grads):
        np.testing.assert_allclose(a, b, rtol, atol)


# Division of a tensor by a Python number is DivBackward1 in PyTorch, DivBackward0 in chainrule;
# the mean over class probabilities ends with one.
_SCALAR_DIVISION = {"ce_probs-mean", "ce_probs_weight_smoothing-mean", "ce_probs_1d-mean"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_grad_fn_names_match_torch(case, torch):
    arrays = _arrays(case.name, case.specs, np.float64)

    def name(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = case.fn(lib.nn.functional, *_tensors(lib, case.specs, arrays))
        return type(out.grad_fn).__name__

    if case.name in _SCALAR_DIVISION:
        assert (name(chainrule), name(torch)) == ("DivBackward0", "DivBackward1")
    else:
        assert name(chainrule) == name(torch)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_gradcheck(case):
    arrays = _arrays(case.name, case.specs, np.float64)
    tensors = _tensors(chainrule, case.specs, arrays)

    def fn(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return case.fn(F, *args)

    assert gradcheck(fn, tuple(tensors), atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.name.endswith("-mean") or c.name.endswith("-none")], ids=str
)
def test_gradgradcheck(case):
    arrays = _arrays(case.name, case.specs, np.float64)
    tensors = _tensors(chainrule, case.specs, arrays)

    def fn(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return case.fn(F, *args)

    assert gradgradcheck(fn, tuple(tensors), atol=1e-6, rtol=1e-4)


# -- special values ---------------------------------------------------------------------------
def test_bce_log_is_clamped_at_minus_100(torch):
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5], np.float32)
    ours = F.binary_cross_entropy(chainrule.tensor(p), chainrule.tensor(y), reduction="none")
    theirs = torch.nn.functional.binary_cross_entropy(
        torch.tensor(p), torch.tensor(y), reduction="none"
    )
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert ours.numpy()[0] == 100.0


def test_bce_gradient_at_the_edges_is_finite(torch):
    p = np.array([0.0, 1.0, 1e-9], np.float64)
    y = np.array([1.0, 0.0, 0.5], np.float64)
    a = chainrule.tensor(p, requires_grad=True)
    F.binary_cross_entropy(a, chainrule.tensor(y), reduction="sum").backward()
    b = torch.tensor(p, requires_grad=True)
    torch.nn.functional.binary_cross_entropy(b, torch.tensor(y), reduction="sum").backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_bce_with_logits_is_stable_for_large_logits(torch):
    x = np.array([-200.0, -50.0, 0.0, 50.0, 200.0], np.float32)
    y = np.array([1.0, 0.0, 0.5, 1.0, 0.0], np.float32)
    a = chainrule.tensor(x, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(a, chainrule.tensor(y), reduction="none")
    out.sum().backward()
    b = torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(b, torch.tensor(y), reduction="none")
    ref.sum().backward()
    assert np.isfinite(out.detach().numpy()).all()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)


def test_nll_mean_with_every_target_ignored_is_nan(torch):
    x = chainrule.randn(2, 3, requires_grad=True)
    out = F.nll_loss(x, chainrule.tensor([-100, -100]))
    ref = torch.nn.functional.nll_loss(torch.randn(2, 3), torch.tensor([-100, -100]))
    assert np.isnan(out.item()) and np.isnan(ref.item())
    assert F.nll_loss(x, chainrule.tensor([-100, -100]), reduction="sum").item() == 0.0


def test_nll_accepts_uint8_targets(torch):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    t = np.array([1, 3, 0], np.uint8)
    ours = F.nll_loss(chainrule.tensor(x), chainrule.tensor(t))
    theirs = torch.nn.functional.nll_loss(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)


def test_kl_div_target_zero_gives_zero_and_negative_gives_nan(torch):
    x = np.array([[0.3, -0.2, 0.5]], np.float32)
    y = np.array([[0.0, -1.0, 2.0]], np.float32)
    ours = F.kl_div(chainrule.tensor(x), chainrule.tensor(y), reduction="none").numpy()
    theirs = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(y), reduction="none")
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6)
    assert ours[0, 0] == 0.0 and np.isnan(ours[0, 1])


def test_kl_div_batchmean_on_a_scalar_is_the_sum():
    x, y = chainrule.tensor(0.3), chainrule.tensor(0.4)
    assert F.kl_div(x, y, reduction="batchmean").item() == F.kl_div(x, y, reduction="sum").item()


def test_cross_entropy_promotes_probability_targets(torch):
    x = np.random.default_rng(1).standard_normal((2, 3))
    y = np.random.default_rng(2).uniform(size=(2, 3)).astype(np.float32)
    ours = F.cross_entropy(chainrule.tensor(x), chainrule.tensor(y))
    theirs = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y))
    assert ours.dtype == chainrule.float64
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)


def test_mse_promotes_mixed_float_dtypes():
    out = F.mse_loss(chainrule.randn(3), chainrule.randn(3, dtype=chainrule.float64))
    assert out.dtype == chainrule.float64


# -- warnings ---------------------------------------------------------------------------------
SIZE_WARNING = (
    r"Using a target size \(torch.Size\(\[4\]\)\) that is different to the input size "
    r"\(torch.Size\(\[3, 4\]\)\)\. This will likely lead to incorrect results due to "
    r"broadcasting\. Please ensure they have the same size\."
)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_target_size_mismatch_warns_and_broadcasts(name, torch):
    x = np.random.default_rng(0).standard_normal((3, 4))
    t = np.random.default_rng(1).standard_normal(4)
    a = chainrule.tensor(x, requires_grad=True)
    with pytest.warns(UserWarning, match=SIZE_WARNING):
        out = getattr(F, name)(a, chainrule.tensor(t))
    out.backward()
    b = torch.tensor(x, requires_grad=True)
    with pytest.warns(UserWarning):
        ref = getattr(torch.nn.functional, name)(b, torch.tensor(t))
    ref.backward()
    np.testing.assert_allclose(out.item(), ref.item(), rtol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_target_size_that_does_not_broadcast_raises():
    with pytest.warns(UserWarning):
        with pytest.raises(RuntimeError, match=r"The size of tensor a \(4\) must match the size "):
            F.mse_loss(chainrule.randn(3, 4), chainrule.randn(5))


def test_same_size_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(chainrule.randn(3), chainrule.randn(3))


def test_kl_div_mean_warns_as_pytorch():
    with pytest.warns(UserWarning, match=r"reduction: 'mean' divides the total loss by both"):
        F.kl_div(chainrule.randn(2, 3), chainrule.rand(2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(chainrule.randn(2, 3), chainrule.rand(2, 3), reduction="batchmean")


LEGACY = [
    (None, False, "none"),
    (False, None, "sum"),
    (True, None, "mean"),
    (False, False, "none"),
    (True, True, "mean"),
    (False, True, "sum"),
]


@pytest.mark.parametrize("size_average, reduce, expected", LEGACY)
def test_deprecated_keywords_map_to_a_reduction_with_a_warning(size_average, reduce, expected):
    x, t = chainrule.randn(3, 4), chainrule.randn(3, 4)
    message = (
        f"size_average and reduce args will be deprecated, please use reduction='{expected}' "
        "instead."
    )
    with pytest.warns(UserWarning, match=message.replace("(", r"\(").replace(")", r"\)")):
        out = F.mse_loss(x, t, size_average=size_average, reduce=reduce, reduction="sum")
    reference = F.mse_loss(x, t, reduction=expected)
    np.testing.assert_array_equal(out.numpy(), reference.numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda x, i, p: F.nll_loss(x, i, size_average=False),
        lambda x, i, p: F.cross_entropy(x, i, reduce=False),
        lambda x, i, p: F.binary_cross_entropy(p, p, size_average=False),
        lambda x, i, p: F.binary_cross_entropy_with_logits(x, p[:, :1].expand(3, 4), reduce=False),
        lambda x, i, p: F.l1_loss(x, x, reduce=False),
        lambda x, i, p: F.smooth_l1_loss(x, x, size_average=True),
        lambda x, i, p: F.kl_div(x, p, size_average=False),
    ],
)
def test_every_legacy_loss_warns(call):
    x, p = chainrule.randn(3, 4), chainrule.rand(3, 4)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        call(x, chainrule.tensor([0, 1, 2]), p)


def test_kl_div_legacy_keywords_do_not_give_the_mean_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F.kl_div(chainrule.randn(2, 3), chainrule.rand(2, 3), reduce=True)
    assert [str(w.message)[:26] for w in caught] == ["size_average and reduce ar"]


def test_elementwise_mean_is_deprecated_mean():
    x, t = chainrule.randn(3), chainrule.randn(3)
    with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated"):
        out = F.mse_loss(x, t, reduction="elementwise_mean")
    assert out.item() == F.mse_loss(x, t).item()


# -- errors -----------------------------------------------------------------------------------
def _x(t):
    return t.randn(3, 4, requires_grad=True)


ERRORS = [
    (
        "ce_out_of_range",
        lambda t, F: F.cross_entropy(_x(t), t.tensor([0, 1, 5])),
        IndexError,
        "Target 5 is out of bounds.",
    ),
    (
        "ce_negative",
        lambda t, F: F.cross_entropy(_x(t), t.tensor([0, -1, 2])),
        IndexError,
        "Target -1 is out of bounds.",
    ),
    (
        "ce_int_target",
        lambda t, F: F.cross_entropy(_x(t), t.tensor([0, 1, 2], dtype=t.int32)),
        RuntimeError,
        "expected target dtype to be Long or Byte, but got Int",
    ),
    (
        "ce_float_1d_target",
        lambda t, F: F.cross_entropy(_x(t), t.rand(3)),
        RuntimeError,
        "expected target dtype to be Long or Byte, but got Float",
    ),
    (
        "ce_wrong_float_shape",
        lambda t, F: F.cross_entropy(_x(t), t.rand(3, 5)),
        RuntimeError,
        "0D or 1D target tensor expected, multi-target not supported",
    ),
    (
        "ce_multi_target",
        lambda t, F: F.cross_entropy(_x(t), t.tensor([[0], [1], [2]])),
        RuntimeError,
        "0D or 1D target tensor expected, multi-target not supported",
    ),
    (
        "ce_batch",
        lambda t, F: F.cross_entropy(_x(t), t.tensor([0, 1])),
        ValueError,
        "Expected input batch_size (3) to match target batch_size (2).",
    ),
    (
        "ce_batch_2d",
        lambda t, F: F.cross_entropy(_x(t), t.tensor([[0, 1, 2]])),
        ValueError,
        "Expected input batch_size (3) to match target batch_size (1).",
    ),
    (
        "ce_long_probs",
        lambda t, F: F.cross_entropy(_x(t), t.zeros(3, 4, dtype=t.int64)),
        RuntimeError,
        "Expected floating point type for target with class probabilities, got Long",
    ),
    (
        "ce_probs_ignore",
        lambda t, F: F.cross_entropy(_x(t), t.rand(3, 4), ignore_index=1),
        RuntimeError,
        "ignore_index is not supported for floating point target",
    ),
    (
        "ce_smoothing_range",
        lambda t, F: F.cross_entropy(_x(t), t.tensor([0, 1, 2]), label_smoothing=1.5),
        RuntimeError,
        "label_smoothing must be between 0.0 and 1.0. Got: 1.5",
    ),
    (
        "ce_weight_shape",
        lambda t, F: F.cross_entropy(_x(t), t.tensor([0, 1, 2]), t.rand(3)),
        RuntimeError,
        "weight tensor should be defined either for all 4 classes or no classes but got weight "
        "tensor of shape: [3]",
    ),
    (
        "ce_probs_weight_shape",
        lambda t, F: F.cross_entropy(_x(t), t.rand(3, 4), t.rand(3)),
        RuntimeError,
        "cross_entropy: weight tensor should be defined either for all 4 classes or no classes "
        "but got weight tensor of shape: [3]",
    ),
    (
        "ce_reduction",
        lambda t, F: F.cross_entropy(_x(t), t.tensor([0, 1, 2]), reduction="foo"),
        ValueError,
        "foo is not a valid value for reduction",
    ),
    (
        "ce_int_input",
        lambda t, F: F.cross_entropy(t.tensor([[1, 2]]), t.tensor([1])),
        NotImplementedError,
        "\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'",
    ),
    (
        "nll_int_input",
        lambda t, F: F.nll_loss(t.tensor([[-1, -2]]), t.tensor([1])),
        NotImplementedError,
        "\"nll_loss_out_frame\" not implemented for 'Long'",
    ),
    (
        "nll_2d_int_input",
        lambda t, F: F.nll_loss(t.ones(1, 2, 3, 3, dtype=t.int32), t.zeros(1, 3, 3).long()),
        NotImplementedError,
        "\"nll_loss2d_forward_out_frame\" not implemented for 'Int'",
    ),
    (
        "nll_0d",
        lambda t, F: F.nll_loss(t.tensor(1.0), t.tensor(1)),
        ValueError,
        "Expected 1 or more dimensions (got 0)",
    ),
    (
        "nll_1d_target_size",
        lambda t, F: F.nll_loss(t.randn(3), t.tensor([1, 2])),
        ValueError,
        "For 1D input, 1D target must have size 1, but got target size: 2",
    ),
    (
        "nll_3d_target",
        lambda t, F: F.nll_loss(t.randn(2, 3, 4), t.zeros(2, 5, dtype=t.int64)),
        RuntimeError,
        "Expected target size [2, 4], got [2, 5]",
    ),
    (
        "nll_3d_target_dims",
        lambda t, F: F.nll_loss(t.randn(2, 3, 4), t.tensor([1, 1])),
        RuntimeError,
        "Expected target size [2, 4], got [2]",
    ),
    (
        "nll_4d_target_dims",
        lambda t, F: F.nll_loss(t.randn(2, 3, 4, 5), t.zeros(2, 4, dtype=t.int64)),
        RuntimeError,
        "only batches of spatial targets supported (3D tensors) but got targets of dimension: 2",
    ),
    (
        "nll_4d_size",
        lambda t, F: F.nll_loss(t.randn(2, 3, 4, 5), t.zeros(2, 5, 5, dtype=t.int64)),
        RuntimeError,
        "size mismatch (got input: [2, 3, 4, 5] , target: [2, 5, 5]",
    ),
    (
        "nll_5d_size",
        lambda t, F: F.nll_loss(t.randn(2, 3, 4, 5, 6), t.zeros(2, 4, 5, 7, dtype=t.int64)),
        RuntimeError,
        "Expected target size [2, 4, 5, 6], got [2, 4, 5, 7]",
    ),
    (
        "nll_float_target",
        lambda t, F: F.nll_loss(_x(t), t.tensor([0.0, 1, 2])),
        RuntimeError,
        "expected target dtype to be Long or Byte, but got Float",
    ),
    (
        "nll_weight_dtype",
        lambda t, F: F.nll_loss(_x(t).double(), t.tensor([0, 1, 2]), t.rand(4)),
        RuntimeError,
        "expected scalar type Double but found Float",
    ),
    (
        "nll_weight_grad",
        lambda t, F: F.nll_loss(_x(t), t.tensor([0, 1, 2]), t.rand(4, requires_grad=True)),
        RuntimeError,
        "The function 'nll_loss_forward' is not differentiable with respect to argument "
        "'weight'. This input cannot have requires_grad True.",
    ),
    (
        "bce_input_range",
        lambda t, F: F.binary_cross_entropy(t.tensor([0.5, 1.5, 0.2]), t.rand(3)),
        RuntimeError,
        "all elements of input should be between 0 and 1",
    ),
    (
        "bce_input_negative",
        lambda t, F: F.binary_cross_entropy(t.tensor([-0.1]), t.rand(1)),
        RuntimeError,
        "all elements of input should be between 0 and 1",
    ),
    (
        "bce_target_range",
        lambda t, F: F.binary_cross_entropy(t.rand(3), t.rand(3) + 1.5),
        RuntimeError,
        "all elements of target should be between 0 and 1",
    ),
    (
        "bce_size",
        lambda t, F: F.binary_cross_entropy(t.rand(3, 4), t.rand(4)),
        ValueError,
        "Using a target size (torch.Size([4])) that is different to the input size "
        "(torch.Size([3, 4])) is deprecated. Please ensure they have the same size.",
    ),
    (
        "bce_dtype",
        lambda t, F: F.binary_cross_entropy(t.rand(2), t.rand(2).double()),
        RuntimeError,
        "Found dtype Double but expected Float",
    ),
    (
        "bce_int",
        lambda t, F: F.binary_cross_entropy(t.tensor([1, 0]), t.tensor([1, 0])),
        NotImplementedError,
        "\"binary_cross_entropy\" not implemented for 'Long'",
    ),
    (
        "bce_weight_grad",
        lambda t, F: F.binary_cross_entropy(t.rand(2), t.rand(2), t.rand(2, requires_grad=True)),
        RuntimeError,
        "The function 'binary_cross_entropy' is not differentiable with respect to argument "
        "'weight'. This input cannot have requires_grad True.",
    ),
    (
        "bce_logits_size",
        lambda t, F: F.binary_cross_entropy_with_logits(_x(t), t.rand(3, 5)),
        ValueError,
        "Target size (torch.Size([3, 5])) must be the same as input size (torch.Size([3, 4]))",
    ),
    (
        "bce_logits_pos_weight_grad",
        lambda t, F: F.binary_cross_entropy_with_logits(
            _x(t), t.rand(3, 4), pos_weight=t.rand(4, requires_grad=True)
        ),
        RuntimeError,
        "The function 'binary_cross_entropy_with_logits' is not differentiable with respect to "
        "argument 'pos_weight'. This input cannot have requires_grad True.",
    ),
    (
        "mse_reduction",
        lambda t, F: F.mse_loss(_x(t), _x(t), reduction="batchmean"),
        ValueError,
        "batchmean is not a valid value for reduction",
    ),
    (
        "mse_int",
        lambda t, F: F.mse_loss(t.tensor([1, 2]), t.tensor([1, 2])),
        NotImplementedError,
        "\"mse_cpu\" not implemented for 'Long'",
    ),
    (
        "mse_weight_size",
        lambda t, F: F.mse_loss(_x(t), _x(t), weight=t.rand(4)),
        ValueError,
        "Weights and input must have the same size.",
    ),
    (
        "kl_reduction",
        lambda t, F: F.kl_div(_x(t), _x(t), reduction="foo"),
        ValueError,
        "foo is not a valid value for reduction",
    ),
    (
        "smooth_l1_beta",
        lambda t, F: F.smooth_l1_loss(_x(t), _x(t), beta=-1),
        RuntimeError,
        "smooth_l1_loss does not support negative values for beta.",
    ),
    (
        "huber_delta",
        lambda t, F: F.huber_loss(_x(t), _x(t), delta=0),
        RuntimeError,
        "huber_loss does not support non-positive values for delta.",
    ),
    (
        "huber_reduction",
        lambda t, F: F.huber_loss(_x(t), _x(t), reduction="foo"),
        ValueError,
        "foo is not a valid value for reduction",
    ),
]


@pytest.mark.parametrize(
    "call, error, message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call(chainrule, F)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "call, error, message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_errors_match_torch(call, error, message, torch):
    """The same call on PyTorch raises the same error type and message."""
    with pytest.raises(error) as info:
        call(torch, torch.nn.functional)
    assert str(info.value) == message


def test_loss_weights_under_no_grad_may_require_grad():
    w = chainrule.rand(4, requires_grad=True)
    with chainrule.no_grad():
        F.nll_loss(chainrule.randn(3, 4), chainrule.tensor([0, 1, 2]), w)


# -- modules ----------------------------------------------------------------------------------
MODULES = [
    ("L1Loss", {}, "x"),
    ("MSELoss", {"reduction": "sum"}, "x"),
    ("SmoothL1Loss", {"beta": 0.5, "reduction": "none"}, "x"),
    ("HuberLoss", {"delta": 0.5}, "x"),
    ("BCELoss", {"weight": "w"}, "p"),
    ("BCEWithLogitsLoss", {"weight": "w", "pos_weight": "w"}, "y"),
    ("NLLLoss", {"weight": "w", "ignore_index": 1}, "i"),
    ("CrossEntropyLoss", {"label_smoothing": 0.1, "reduction": "sum"}, "i"),
    ("CrossEntropyLoss", {"weight": "w"}, "p"),
    ("KLDivLoss", {"reduction": "batchmean"}, "p"),
    ("KLDivLoss", {"log_target": True, "reduction": "none"}, "x"),
]


@pytest.mark.parametrize("name, kwargs, target", MODULES, ids=[m[0] for m in MODULES])
def test_modules_match_torch(name, kwargs, target, rng, torch):
    arrays = {
        "x": rng.standard_normal((3, 4)),
        "p": rng.uniform(0.05, 0.95, (3, 4)),
        "y": rng.uniform(0, 1, (3, 4)),
        "i": np.array([0, 1, 3]),
        "w": rng.uniform(0.5, 2, 4),
    }
    x = arrays["p"] if name == "BCELoss" else arrays["x"]

    def run(lib):
        kw = {k: lib.tensor(arrays[v]) if v == "w" else v for k, v in kwargs.items()}
        module = getattr(lib.nn, name)(**kw)
        inp = lib.tensor(x, requires_grad=True)
        out = module(inp, lib.tensor(arrays[target]))
        out.sum().backward()
        return module, out.detach().numpy(), inp.grad.numpy()

    ours, theirs = run(chainrule), run(torch)
    assert repr(ours[0]) == repr(theirs[0]) == f"{name}()"
    assert ours[0].reduction == theirs[0].reduction
    assert list(ours[0].state_dict()) == list(theirs[0].state_dict())
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)


def test_module_attributes_match_torch(torch):
    for lib in (chainrule, torch):
        ce = lib.nn.CrossEntropyLoss(ignore_index=3, label_smoothing=0.2)
        assert (ce.ignore_index, ce.label_smoothing, ce.weight, ce.reduction) == (
            3,
            0.2,
            None,
            "mean",
        )
        assert lib.nn.SmoothL1Loss().beta == 1.0 and lib.nn.HuberLoss().delta == 1.0
        assert lib.nn.KLDivLoss().log_target is False
        assert lib.nn.NLLLoss().ignore_index == -100
        assert lib.nn.BCEWithLogitsLoss().pos_weight is None


@pytest.mark.parametrize("size_average, reduce, expected", LEGACY)
def test_module_deprecated_keywords(size_average, reduce, expected):
    with pytest.warns(UserWarning, match=f"please use reduction='{expected}' instead"):
        loss = nn.MSELoss(size_average=size_average, reduce=reduce, reduction="sum")
    assert loss.reduction == expected
    with pytest.warns(UserWarning):
        assert nn.CrossEntropyLoss(size_average=size_average, reduce=reduce).reduction == expected


def test_module_bad_reduction_raises_when_called():
    loss = nn.CrossEntropyLoss(reduction="foo")
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        loss(chainrule.randn(2, 3), chainrule.tensor([0, 1]))


def test_module_weight_is_a_buffer_that_moves_with_the_module():
    loss = nn.NLLLoss(weight=chainrule.ones(3))
    assert [n for n, _ in loss.named_buffers()] == ["weight"]
    assert list(loss.parameters()) == []
    loss.double()
    assert loss.weight.dtype == chainrule.float64

"""torch.fft beyond the op table: PyTorch's errors, result dtypes and grad_fn names, the
frequencies exactly, and the transforms of every norm= against NumPy's definitions."""

import warnings

import numpy as np
import pytest

import chainrule


def _error(fn, lib):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(lib)
    except Exception as e:  # noqa: BLE001 - the error is the result compared
        return type(e).__name__, str(e)
    return None, None


ERRORS = {
    "rfft_complex": lambda t: t.fft.rfft(t.ones(4, dtype=t.cfloat)),
    "ihfft_complex": lambda t: t.fft.ihfft(t.ones(4, dtype=t.cfloat)),
    "n_zero": lambda t: t.fft.fft(t.ones(4), n=0),
    "dim_out_of_range": lambda t: t.fft.fft(t.ones(4), dim=1),
    "bad_norm": lambda t: t.fft.fft(t.ones(4), norm="bad"),
    "s_and_dim_lengths": lambda t: t.fft.fftn(t.ones(2, 2), s=(2,), dim=(0, 1)),
    "repeated_dims": lambda t: t.fft.fftn(t.ones(2, 2), dim=(0, 0)),
    "irfft_one_point": lambda t: t.fft.irfft(t.ones(1)),
    "half": lambda t: t.fft.fft(t.ones(4, dtype=t.half)),
    "bfloat16": lambda t: t.fft.fft(t.ones(4, dtype=t.bfloat16)),
    "zero_dim": lambda t: t.fft.fft(t.tensor(1.0)),
    "fft2_of_vector": lambda t: t.fft.fft2(t.ones(4)),
    "rfftn_no_axes": lambda t: t.fft.rfftn(t.ones(2, 3), dim=()),
    "too_many_sizes": lambda t: t.fft.fftn(t.ones(3), s=(2, 2)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_pytorch(torch, name):
    theirs = _error(ERRORS[name], torch)
    assert theirs[0] is not None
    assert _error(ERRORS[name], chainrule) == theirs


def test_dtypes_shapes_and_grad_fns_match_pytorch(torch):
    def make(t):
        x = t.ones(4, requires_grad=True)
        z = t.complex(t.ones(4), t.zeros(4)).requires_grad_()
        return [
            t.fft.fft(x),
            t.fft.fft(z),
            t.fft.fft(x, n=6),
            t.fft.ifft(x),
            t.fft.rfft(x),
            t.fft.irfft(z),
            t.fft.hfft(z),
            t.fft.ihfft(x),
            t.fft.fft(t.arange(4)),
            t.fft.rfft(t.arange(4)),
            t.fft.fftn(t.tensor(1.0)),
            t.fft.fftn(t.ones(2, 3, dtype=t.float64), dim=()),
            t.fft.fftshift(x),
            t.fft.fftfreq(5, dtype=t.float64),
        ]

    for ours, theirs in zip(make(chainrule), make(torch)):
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert str(ours.dtype) == str(theirs.dtype)
        names = [
            type(o.grad_fn).__name__ if o.grad_fn is not None else None for o in (ours, theirs)
        ]
        assert names[0] == names[1]


@pytest.mark.parametrize("n", [1, 4, 5, 8])
def test_frequencies_exactly(torch, n):
    for d in (1.0, 0.1, 2.5):
        for dtype in ("float32", "float64"):
            for fn in ("fftfreq", "rfftfreq"):
                ours = getattr(chainrule.fft, fn)(n, d, dtype=getattr(chainrule, dtype))
                theirs = getattr(torch.fft, fn)(n, d, dtype=getattr(torch, dtype))
                np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert chainrule.fft.fftfreq(4, requires_grad=True).requires_grad


@pytest.mark.parametrize("norm", [None, "backward", "forward", "ortho"])
def test_transforms_follow_their_definitions(norm):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 8))
    z = x + 1j * rng.standard_normal((3, 8))
    np_norm = norm or "backward"
    pairs = [
        (chainrule.fft.fft(chainrule.tensor(z), norm=norm), np.fft.fft(z, norm=np_norm)),
        (chainrule.fft.ifft(chainrule.tensor(z), norm=norm), np.fft.ifft(z, norm=np_norm)),
        (chainrule.fft.rfft(chainrule.tensor(x), norm=norm), np.fft.rfft(x, norm=np_norm)),
        (chainrule.fft.irfft(chainrule.tensor(z), norm=norm), np.fft.irfft(z, norm=np_norm)),
        (chainrule.fft.hfft(chainrule.tensor(z), norm=norm), np.fft.hfft(z, norm=np_norm)),
        (chainrule.fft.ihfft(chainrule.tensor(x), norm=norm), np.fft.ihfft(x, norm=np_norm)),
        (chainrule.fft.fft2(chainrule.tensor(z), norm=norm), np.fft.fft2(z, norm=np_norm)),
        (chainrule.fft.rfftn(chainrule.tensor(x), norm=norm), np.fft.rfftn(x, norm=np_norm)),
    ]
    for ours, expected in pairs:
        np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_roundtrips():
    rng = np.random.default_rng(4)
    x = chainrule.tensor(rng.standard_normal((2, 6, 5)))
    back = chainrule.fft.irfftn(chainrule.fft.rfftn(x), s=x.shape)
    np.testing.assert_allclose(back.numpy(), x.numpy(), atol=1e-12)
    back = chainrule.fft.ifftshift(chainrule.fft.fftshift(x, dim=(1, 2)), dim=(1, 2))
    np.testing.assert_array_equal(back.numpy(), x.numpy())
    h = chainrule.fft.ihfft(x[0, 0])
    np.testing.assert_allclose(chainrule.fft.hfft(h, n=5).numpy(), x[0, 0].numpy(), atol=1e-12)

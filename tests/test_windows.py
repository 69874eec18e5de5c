"""Window functions against PyTorch: torch.*_window and torch.signal.windows.

Values are computed by PyTorch's recipe in the window's dtype, so float64 windows agree bit
for bit with PyTorch's vectorised kernels (within 2 ulp of its generic ones) but for
kaiser's Bessel function (within 8 ulp: NumPy's and PyTorch's I0 are both
Chebyshev series, evaluated in different orders); float32 windows agree within 2 ulp of the
window's peak (PyTorch's vectorised cos, sin and exp round differently from NumPy's).
"""

import numpy as np
import pytest

import chainrule
from parity import assert_exact, assert_ulp, assert_ulp_at_scale, vectorized_kernels

LENGTHS = [0, 1, 2, 5, 8, 11]

SIGNAL = [
    ("hann", {}),
    ("hamming", {}),
    ("blackman", {}),
    ("bartlett", {}),
    ("kaiser", {}),
    ("kaiser", {"beta": 0.9}),
    ("gaussian", {"std": 0.7}),
    ("cosine", {}),
    ("exponential", {"tau": 0.5}),
    ("general_cosine", {"a": [0.46, 0.23, 0.31]}),
    ("general_hamming", {"alpha": 0.6}),
    ("nuttall", {}),
]
FACTORIES = [
    ("hann_window", {}),
    ("hamming_window", {}),
    ("hamming_window", {"alpha": 0.5, "beta": 0.3}),
    ("blackman_window", {}),
    ("bartlett_window", {}),
    ("kaiser_window", {}),
    ("kaiser_window", {"beta": 3.0}),
]


def _compare(ours, theirs, name, vectorized):
    ours, theirs = ours.numpy(), theirs.numpy()
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    if "kaiser" in name:
        assert_ulp(ours, theirs, 8)
    elif "bartlett" in name or (ours.dtype == np.float64 and vectorized):
        assert_exact(ours, theirs)
    else:  # float32, or PyTorch's generic (ATEN_CPU_CAPABILITY=default) exp and cos
        assert_ulp_at_scale(ours, theirs, 1.0, 2)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, kw", SIGNAL, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SIGNAL)])
def test_signal_windows_match_pytorch(torch, name, kw, dtype):
    for M in LENGTHS:
        for sym in (True, False):
            args = dict(kw)
            if name == "exponential" and not sym:
                args["center"] = 1.0
            ours = getattr(chainrule.signal.windows, name)(
                M, sym=sym, dtype=getattr(chainrule, dtype), **args
            )
            theirs = getattr(torch.signal.windows, name)(
                M, sym=sym, dtype=getattr(torch, dtype), **args
            )
            _compare(ours, theirs, name, vectorized_kernels(torch))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "name, kw", FACTORIES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(FACTORIES)]
)
def test_window_factories_match_pytorch(torch, name, kw, dtype):
    for M in LENGTHS:
        for periodic in (True, False):
            ours = getattr(chainrule, name)(M, periodic, dtype=getattr(chainrule, dtype), **kw)
            theirs = getattr(torch, name)(M, periodic, dtype=getattr(torch, dtype), **kw)
            _compare(ours, theirs, name, vectorized_kernels(torch))


def test_defaults_flags_and_errors(torch):
    w = chainrule.hann_window(4, requires_grad=True)
    assert w.requires_grad and w.is_leaf and w.dtype is chainrule.float32
    assert chainrule.signal.windows.hann(4, dtype=chainrule.float64).dtype is chainrule.float64
    for make in (
        lambda t: t.hann_window(3, dtype=t.long),
        lambda t: t.hamming_window(-1),
        lambda t: t.signal.windows.hann(-1),
        lambda t: t.signal.windows.hann(3, dtype=t.float16),
        lambda t: t.signal.windows.gaussian(3, std=0),
        lambda t: t.signal.windows.exponential(3, tau=-1),
        lambda t: t.signal.windows.exponential(3, center=1.0),
        lambda t: t.signal.windows.kaiser(3, beta=-1),
        lambda t: t.signal.windows.general_cosine(3, a=[]),
    ):
        with pytest.raises(Exception) as ours:
            make(chainrule)
        with pytest.raises(Exception) as theirs:
            make(torch)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value)

"""How a test compares chainrule with PyTorch: one of three kinds (docs/DESIGN.md, "Comparing
with PyTorch").

1. exact (`assert_exact`): the arithmetic is the same sequence of IEEE operations in both
   libraries on every CPU (element-wise ops whose order chainrule copies, integer results,
   indices, reprs, error messages).
2. ulp-bounded (`assert_ulp`, the bound stated at the call with its reason): PyTorch
   vectorises, fuses a*b+c into one rounding, or calls a BLAS or vector math library whose
   kernel depends on the CPU (reductions, matmul, optimizer steps, exp/log/tanh).
3. tolerance (a relative tolerance stated at the call): long chaotic runs, where a last-bit
   difference early on grows with every step. The first printed steps are compared exactly
   or within ulps, the later ones within the tolerance.

Every test that reaches PyTorch is marked `parity` (tests/conftest.py), and .ci/run runs
them again under other CPU kernels of both libraries.
"""

from __future__ import annotations

import numpy as np

_SIGNED = {2: np.int16, 4: np.int32, 8: np.int64}


def to_array(x):
    """A tensor of either library, or anything NumPy takes, as a NumPy array."""
    if hasattr(x, "detach"):
        x = x.detach()
    if hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    return np.asarray(x)


def ulp_distance(a, b):
    """Per element, how many representable floats lie between a and b (0 where equal; +0 and
    -0 are equal, as are two NaNs). Both arrays must have the same float dtype."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.dtype.kind == "f", (a.dtype, b.dtype)
    signed = _SIGNED[a.dtype.itemsize]

    magnitude = np.int64(np.iinfo(signed).max)

    def ordinal(x):
        # The float's bit pattern as an integer in the order of the floats' values: negative
        # floats have the sign bit set and count down from -0, which maps to 0 as +0 does.
        bits = x.view(signed).astype(np.int64)
        return np.where(bits < 0, -(bits & magnitude), bits)

    oa, ob = ordinal(a), ordinal(b)
    same_side = (oa >= 0) == (ob >= 0)
    with np.errstate(over="ignore"):
        near = np.abs(oa - ob).astype(np.float64)  # exact where both lie on one side of zero
    # Across zero the distance is the sum of both magnitudes, which may not fit an int64.
    far = np.abs(oa.astype(np.float64)) + np.abs(ob.astype(np.float64))
    dist = np.where(same_side, near, far)
    return np.where(np.isnan(a) & np.isnan(b), 0.0, dist)


def _same_layout(ours, theirs):
    assert ours.shape == theirs.shape, f"shape {ours.shape} != PyTorch's {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"dtype {ours.dtype} != PyTorch's {theirs.dtype}"


def assert_exact(ours, theirs, msg=""):
    """Kind 1: the same shape, dtype and values, bit for bit (NaNs in the same places)."""
    ours, theirs = to_array(ours), to_array(theirs)
    _same_layout(ours, theirs)
    np.testing.assert_array_equal(ours, theirs, err_msg=msg, strict=True)


def assert_ulp(ours, theirs, max_ulp, msg=""):
    """Kind 2: every element within max_ulp units in the last place of PyTorch's value."""
    ours, theirs = to_array(ours), to_array(theirs)
    _same_layout(ours, theirs)
    if ours.dtype.kind != "f":
        assert_exact(ours, theirs, msg)
        return
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)), f"NaNs differ {msg}"
    dist = ulp_distance(ours, theirs)
    if dist.size and dist.max() > max_ulp:
        i = np.unravel_index(int(np.argmax(dist)), dist.shape)
        raise AssertionError(
            f"{int(dist.max())} ulp apart at {i} (bound {max_ulp}): "
            f"chainrule {ours[i]!r}, PyTorch {theirs[i]!r} {msg}"
        )


def assert_ulp_at_scale(ours, theirs, scale, max_ulp, msg=""):
    """Kind 2 where the result may cancel to near zero: every element within max_ulp units
    in the last place of `scale` (the operands' magnitude, per element or one number), the
    bound that two roundings instead of one obey whatever the result's size."""
    ours, theirs = to_array(ours), to_array(theirs)
    _same_layout(ours, theirs)
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)), f"NaNs differ {msg}"
    unit = np.spacing(np.abs(np.asarray(scale, dtype=ours.dtype)))
    err = np.abs(ours.astype(np.float64) - theirs.astype(np.float64)) / unit
    err = np.where(np.isnan(ours), 0.0, err)
    if err.size and err.max() > max_ulp:
        i = np.unravel_index(int(np.argmax(err)), err.shape)
        raise AssertionError(
            f"{err.max():.3g} ulp of the operands' scale apart at {i} (bound {max_ulp}): "
            f"chainrule {ours[i]!r}, PyTorch {theirs[i]!r} {msg}"
        )


def vectorized_kernels(torch):
    """True where PyTorch runs its AVX2/AVX-512 kernels, False under its generic scalar ones
    (ATEN_CPU_CAPABILITY=default), which round some element-wise formulas differently."""
    return torch.backends.cpu.get_cpu_capability() != "DEFAULT"

"""Which of PyTorch's CPU code paths chainrule's arithmetic follows.

PyTorch's x86-64 wheel carries each element-wise kernel three times (generic, AVX2,
AVX-512) and picks one at start-up from the processor, or from ATEN_CPU_CAPABILITY. The
paths round differently: the vectorised builds fuse `a * b + c` into one rounding, and a
vectorised loop handles whole blocks of 2 vectors (16 floats on AVX2, 32 on AVX-512) with
its vector code and the rest with its scalar code, whose math functions are the C
library's. Its BLAS (MKL) likewise picks AVX-512 or AVX2 kernels (MKL_ENABLE_INSTRUCTIONS;
AMD processors run the AVX2 ones), which sum matrix products in different orders.

chainrule computes what PyTorch computes on the same machine with the same environment:
these functions read the same variables and the same processor features, once.
"""

from __future__ import annotations

import functools
import os
import platform

__all__ = ["capability", "mkl_isa", "vector_block"]


def _features():
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_features__
    return __cpu_features__


def _is_x86():
    return platform.machine().lower() in ("x86_64", "amd64", "i686", "x86")


@functools.cache
def capability() -> str:
    """'avx512', 'avx2' or 'default': the kernels PyTorch runs here (what
    torch.backends.cpu.get_cpu_capability() reports, lower-cased)."""
    if not _is_x86():
        return "default"
    f = _features()
    hardware = "default"
    if f.get("AVX2") and f.get("FMA3"):
        hardware = "avx2"
        if all(f.get(k) for k in ("AVX512F", "AVX512BW", "AVX512VL", "AVX512DQ")):
            hardware = "avx512"
    asked = os.environ.get("ATEN_CPU_CAPABILITY", "").strip().lower()
    order = ("default", "avx2", "avx512")
    if asked in order and order.index(asked) <= order.index(hardware):
        return asked
    return hardware


def fused() -> bool:
    """Whether PyTorch's element-wise kernels round `a * b + c` once (the vectorised builds
    are compiled with floating-point contraction; the generic one is not)."""
    return capability() != "default"


def vector_block(itemsize: int) -> int:
    """Elements of that size per block of PyTorch's vectorised element-wise loop (two
    vectors); 0 on the generic path, where every element takes the scalar code."""
    cap = capability()
    if cap == "default":
        return 0
    width = 64 if cap == "avx512" else 32  # bytes per vector register
    return 2 * width // itemsize


@functools.cache
def mkl_isa() -> str:
    """'avx512' or 'avx2': the kernels MKL runs here. MKL_ENABLE_INSTRUCTIONS caps them;
    MKL runs its AVX-512 kernels on Intel processors that have AVX-512 and its AVX2 ones
    elsewhere (AMD's included). 'other' under MKL_CBWR, whose reproducible modes pick
    other kernels."""
    if os.environ.get("MKL_CBWR", "").strip():
        return "other"
    f = _features() if _is_x86() else {}
    has512 = bool(f.get("AVX512F")) and _vendor() == "GenuineIntel"
    asked = os.environ.get("MKL_ENABLE_INSTRUCTIONS", "").strip().upper()
    if asked and not asked.startswith("AVX512"):
        return "avx2"
    return "avx512" if has512 else "avx2"


def _vendor():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("vendor_id"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "GenuineIntel" if "intel" in platform.processor().lower() else ""

"""chainrule._cpu names the CPU path PyTorch takes in the same environment: its kernels'
capability (ATEN_CPU_CAPABILITY caps it) and MKL's instruction set
(MKL_ENABLE_INSTRUCTIONS caps it)."""

import os
import subprocess
import sys

from chainrule import _cpu


def test_capability_is_pytorchs(torch):
    assert _cpu.capability() == torch.backends.cpu.get_cpu_capability().lower()


def test_vector_block_is_two_vectors():
    block = {"default": 0, "avx2": 16, "avx512": 32}[_cpu.capability()]
    assert _cpu.vector_block(4) == block
    assert _cpu.vector_block(8) == block // 2
    assert _cpu.fused() == (block != 0)


def _ask(env, expression):
    env = {**os.environ, **env}
    code = f"from chainrule import _cpu; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_environment_caps_the_paths():
    assert _ask({"ATEN_CPU_CAPABILITY": "default"}, "_cpu.capability()") == "default"
    assert _ask({"ATEN_CPU_CAPABILITY": "default"}, "_cpu.fused()") == "False"
    assert _ask({"MKL_ENABLE_INSTRUCTIONS": "AVX2"}, "_cpu.mkl_isa()") == "avx2"
    assert _ask({"MKL_CBWR": "COMPATIBLE"}, "_cpu.mkl_isa()") == "other"
    # asking for more than the processor has gives what it has
    hardware = _ask({"ATEN_CPU_CAPABILITY": ""}, "_cpu.capability()")
    assert _ask({"ATEN_CPU_CAPABILITY": "avx512"}, "_cpu.capability()") == hardware
    assert hardware in ("default", "avx2", "avx512")

"""A hand-written GPT (tests/data/gpt_tiny.py, a plain PyTorch script) prints the same losses
and samples under `python -m chainrule run` as under PyTorch.

Two ways to make the runs comparable:

- shared weights, fixed draws (always run): PyTorch saves its seeded initial weights
  (--save-init), chainrule starts from them (--init), and both take their batch offsets and
  sampling uniforms from Python's random.Random (--fixed-random) instead of torch.randint and
  torch.multinomial; once with hand-written attention, once with
  F.scaled_dot_product_attention (--sdpa).
- seeded: both runs start from torch.manual_seed alone, so initialisation, batches and
  torch.multinomial must agree too (chainrule's random streams are PyTorch's).

Losses are compared as comparison kind 3 (tests/parity.py): the first within 4 float32 ulps
(matmul and softmax sums round in a different order), the following ones within a relative
2e-5, as every AdamW step carries the earlier last-bit differences along. Samples and every
other printed line must be equal.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "data" / "gpt_tiny.py"
LOSS = re.compile(r"^step (\d+): loss (\S+)$")
FIRST_STEP_ULPS = 4
LATER_RTOL = 2e-5

_DRIVER = """
import contextlib, json, runpy, sys
for script, args, out in json.loads(sys.argv[1]):
    sys.argv = [script, *args]
    with open(out, "w") as f, contextlib.redirect_stdout(f):
        runpy.run_path(script, run_name="__main__")
"""


def _env():
    import os

    env = dict(os.environ)
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONWARNINGS"] = "ignore"
    # Small runs on a shared machine: one BLAS/OpenMP thread each.
    env.update(dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1"))
    return env


def _run(command, cwd):
    result = subprocess.run(
        command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stderr[-3000:]}"
    return result.stdout


def _streams_match(torch):
    """Whether chainrule's seeded draws are PyTorch's, for what the script draws."""
    draws = []
    for lib in (chainrule, torch):
        lib.manual_seed(0)
        w = lib.empty(3, 4)
        lib.nn.init.normal_(w, std=0.02)
        probs = lib.tensor([[0.1, 0.6, 0.3]])
        draws.append(
            [
                lib.rand(5).numpy(),
                lib.randn(5).numpy(),
                w.numpy(),
                lib.randint(40, (6,)).numpy(),
                lib.multinomial(probs, 1).numpy(),
            ]
        )
    return all(np.array_equal(a, b) for a, b in zip(*draws))


def _compare(theirs, ours):
    t_lines, o_lines = theirs.strip().splitlines(), ours.strip().splitlines()
    assert len(t_lines) == len(o_lines), (theirs, ours)
    steps = 0
    for t, o in zip(t_lines, o_lines):
        tm, om = LOSS.match(t), LOSS.match(o)
        if tm is None:
            assert o == t
            continue
        assert om is not None and om.group(1) == tm.group(1), (t, o)
        a, b = np.float32(om.group(2)), np.float32(tm.group(2))
        if steps == 0:
            assert abs(int(a.view(np.int32)) - int(b.view(np.int32))) <= FIRST_STEP_ULPS, (t, o)
        else:
            assert abs(float(a) - float(b)) <= LATER_RTOL * abs(float(b)), (t, o)
        steps += 1
    assert steps >= 10
    assert "sample:" in t_lines[-1]


def test_gpt_prints_what_pytorch_prints(torch, tmp_path):
    init = tmp_path / "init.npz"
    variants = {"manual": [], "sdpa": ["--sdpa"]}
    jobs = [
        [str(SCRIPT), ["--fixed-random", *extra, *(["--save-init", str(init)] if i == 0 else [])],
         str(tmp_path / f"torch_{name}.txt")]
        for i, (name, extra) in enumerate(variants.items())
    ]  # fmt: skip
    assert _streams_match(torch), "the seeded run needs PyTorch's random streams"
    jobs.append([str(SCRIPT), [], str(tmp_path / "torch_seeded.txt")])
    _run([sys.executable, "-c", _DRIVER, json.dumps(jobs)], tmp_path)
    for name, extra in variants.items():
        ours = _run(
            [sys.executable, "-m", "chainrule", "run", str(SCRIPT), "--fixed-random",
             "--init", str(init), *extra],
            tmp_path,
        )  # fmt: skip
        _compare((tmp_path / f"torch_{name}.txt").read_text(), ours)
    ours = _run([sys.executable, "-m", "chainrule", "run", str(SCRIPT)], tmp_path)
    _compare((tmp_path / "torch_seeded.txt").read_text(), ours)


def test_compare_rejects_a_different_sample_or_drifting_loss():
    base = "x\nstep 0: loss 3.0\n" + "".join(f"step {i}: loss 2.5\n" for i in range(1, 10))
    _compare(base + "sample: 'ab'", base + "sample: 'ab'")
    with pytest.raises(AssertionError):
        _compare(base + "sample: 'ab'", base + "sample: 'ac'")
    with pytest.raises(AssertionError):
        _compare(base + "sample: 'ab'", base.replace("2.5", "2.5001", 1) + "sample: 'ab'")

"""Course-style PyTorch scripts (tests/data/course_scripts) print the same under `chainrule run`
as under PyTorch.

Each script is plain PyTorch code of the kind a beginner course uses; those that draw random
numbers seed them with torch.manual_seed, and print PyTorch's numbers under chainrule as
they are (initial weights, dropout masks, shuffles, sampling: s16-s18). PyTorch runs them
all in one interpreter (so it is imported once); chainrule runs each one as a user would,
`python -m chainrule run script.py`.
Outputs must be equal after masking object addresses; only the scripts listed in
FLOAT_TOLERANCE may differ, in printed numbers only, by the stated relative tolerance.
"""

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
SCRIPTS = ROOT / "tests" / "data" / "course_scripts"
NAMES = sorted(p.name for p in SCRIPTS.glob("s*.py"))

# Training runs whose full-precision prints (loss.item()) can differ by float32 rounding:
# PyTorch's CPU kernels fuse `p + alpha * g` (SGD's add_ with alpha) and a matmul's sums
# into fused multiply-adds, which round once where NumPy rounds twice. The difference is
# a few units in the last place of float32, carried along by the following steps.
FLOAT_TOLERANCE = {"s04_linear_module.py": 1e-5}

ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+e[-+]?\d+|nan|inf")

DRIVER = """
import contextlib, json, os, runpy, sys
import torch
for script, out in json.loads(sys.argv[1]):
    sys.argv = [script]
    sys.path.insert(0, os.path.dirname(script))
    torch.set_printoptions(profile="default")
    torch.set_grad_enabled(True)
    with open(out, "w") as f, contextlib.redirect_stdout(f):
        runpy.run_path(script, run_name="__main__")
    sys.path.pop(0)
"""


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONWARNINGS"] = "ignore"
    return env


@pytest.fixture(scope="module")
def torch_outputs(tmp_path_factory):
    """script name -> what it printed under PyTorch."""
    pytest.importorskip("torch")
    out = tmp_path_factory.mktemp("torch_outputs")
    jobs = [(str(SCRIPTS / name), str(out / (name + ".txt"))) for name in NAMES]
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(jobs)],
        cwd=out,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"PyTorch run failed:\n{result.stderr[-3000:]}"
    return {name: Path(path).read_text() for name, (_, path) in zip(NAMES, jobs)}


def _chainrule_output(name, cwd):
    result = subprocess.run(
        [sys.executable, "-m", "chainrule", "run", str(SCRIPTS / name)],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{name} failed under chainrule:\n{result.stderr[-3000:]}"
    return result.stdout


def _close(expected, actual, rel):
    """Equal text around the numbers, and every number within rel of PyTorch's."""
    if NUMBER.split(expected) != NUMBER.split(actual):
        return False
    pairs = zip(NUMBER.findall(expected), NUMBER.findall(actual))
    return all(
        e == a or math.isclose(float(a), float(e), rel_tol=rel, abs_tol=1e-7) for e, a in pairs
    )


def test_every_script_is_collected():
    assert len(NAMES) >= 10


@pytest.mark.parametrize("name", NAMES)
def test_script_prints_what_pytorch_prints(name, torch_outputs, tmp_path):
    expected = ADDRESS.sub("0x...", torch_outputs[name])
    actual = ADDRESS.sub("0x...", _chainrule_output(name, tmp_path))
    assert expected.strip(), f"{name} printed nothing under PyTorch"
    if name in FLOAT_TOLERANCE and actual != expected:
        assert _close(expected, actual, FLOAT_TOLERANCE[name]), (expected, actual)
        return
    assert actual == expected


def test_close_compares_numbers_only_within_tolerance():
    assert _close("loss 0.06602515280246735\n", "loss 0.06602513790130615\n", 1e-5)
    assert not _close("loss 0.0660\n", "loss 0.0670\n", 1e-5)
    assert not _close("loss 0.0660\n", "lost 0.0660\n", 1e-5)

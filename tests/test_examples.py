"""The lessons in examples/ run on chainrule and print what PyTorch prints.

The reference transcript in tests/data/ was recorded by running the same
script with `import torch` under PyTorch 2.13.0 (CPU). chainrule must
reproduce it character for character: same numbers, same float formatting.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
BACKPROP = ROOT / "examples" / "backprop.py"
TRANSCRIPT = ROOT / "tests" / "data" / "backprop_torch_2.13.0.txt"
IMPORT_CHAINRULE = "import chainrule as torch\n"


def run_script(path, cwd=ROOT):
    """Run a Python file in a fresh interpreter with src/ importable; return its stdout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, str(path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{path} failed:\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def chainrule_output():
    return run_script(BACKPROP)


def test_backprop_script_imports_chainrule_as_torch():
    assert IMPORT_CHAINRULE in BACKPROP.read_text()


def test_backprop_prints_first_line_and_a_known_gradient(chainrule_output):
    lines = chainrule_output.splitlines()
    assert lines[0] == "predict (before training) 4 4.0"
    # epoch 0, second sample: w = 1.0 - 0.01 * (-2.0) = 1.02 in float32,
    # dl/dw = 2 * x * (x*w - y) = 4 * (2.04 - 4.0), rounded through float32.
    assert "\tgrad: 2.0 4.0 -7.840000152587891" in lines


def test_backprop_matches_recorded_pytorch_transcript(chainrule_output):
    expected = TRANSCRIPT.read_text()
    assert chainrule_output == expected


def test_backprop_matches_live_pytorch(torch, tmp_path, chainrule_output):
    source = BACKPROP.read_text()
    assert IMPORT_CHAINRULE in source
    torch_script = tmp_path / "backprop_torch.py"
    torch_script.write_text(source.replace(IMPORT_CHAINRULE, "import torch\n"))
    # Run outside the repository so that nothing but the installed torch is imported.
    torch_output = run_script(torch_script, cwd=tmp_path)
    assert chainrule_output == torch_output
    if torch.__version__.split("+")[0] == "2.13.0":
        assert torch_output == TRANSCRIPT.read_text()

"""The developer tools agree with CI: pre-commit runs the ruff that pyproject.toml pins,
and CI type-checks the files the mypy configuration lists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_pre_commit_runs_the_pinned_ruff():
    pinned = re.search(r'"ruff==([\d.]+)"', (ROOT / "pyproject.toml").read_text()).group(1)
    hooks = (ROOT / ".pre-commit-config.yaml").read_text()
    versions = re.findall(r'"ruff==([\d.]+)"', hooks)
    assert versions and set(versions) == {pinned}
    assert "ruff check" in hooks and "ruff format --check" in hooks


def test_ci_runs_mypy_on_files_that_exist():
    assert re.search(r"^mypy$", (ROOT / ".ci" / "run").read_text(), re.M)
    config = (ROOT / "pyproject.toml").read_text()
    files = re.search(r"\[tool\.mypy\].*?files = \[(.*?)\]", config, re.S).group(1)
    paths = re.findall(r'"([^"]+)"', files)
    assert "src/chainrule/ops/op.py" in paths and "src/chainrule/autograd/engine.py" in paths
    for path in paths:
        assert (ROOT / path).is_file(), path

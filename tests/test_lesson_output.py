"""What running a lesson leaves behind and shows: run from a checkout's root it leaves no
untracked files (plots go to the git-ignored examples/output), its printed lines are not
broken by the progress bars, and a one-epoch MNIST run draws a readable plot."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from lesson_runner import ROOT, SRC


def _git(cwd, *args):
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def checkout(tmp_path):
    """A git checkout holding the tracked lessons and .gitignore, committed, with a small
    MNIST where the lessons look for it (a git-ignored folder)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    files = _git(ROOT, "ls-files", "examples", ".gitignore").split()
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "lessons")
    from chainrule.vision import _digits
    from chainrule.vision.datasets import _idx

    raw = tmp_path / "examples" / "data" / "mnist" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for split, n, seed in (("train", 256, 1), ("t10k", 64, 2)):
        images, labels = _digits.generate(n, seed)
        _idx.write(str(raw / f"{split}-images-idx3-ubyte.gz"), images)
        _idx.write(str(raw / f"{split}-labels-idx1-ubyte.gz"), labels.astype("uint8"))
    (raw / "STANDIN.txt").write_text("generated\n")
    return tmp_path


def _run(cwd, lesson, *args):
    env = dict(os.environ, PYTHONPATH=str(SRC))
    command = [sys.executable, "-m", "chainrule", "run", f"examples/{lesson}", *args]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def _untracked(checkout):
    return _git(checkout, "status", "--porcelain", "--untracked-files=all")


def test_an_mnist_lesson_from_the_root(checkout):
    """Its plot lands in the git-ignored examples/output, a bar runs over each epoch on
    stderr, the stand-in is mentioned once, and stdout holds whole lines only."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    result = _run(
        checkout, "09_mnist_softmax.py", "--quick", "--epochs", "2", "--log-interval", "2"
    )
    assert (checkout / "examples" / "output" / "09_mnist_softmax.png").is_file()
    assert _untracked(checkout) == ""
    assert "epoch 1: " in result.stderr and "epoch 2: " in result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("MNIST:")]
    assert notes == ["MNIST: using chainrule's generated stand-in digits, not the real MNIST"]
    lines = result.stdout.splitlines()
    assert lines and all(
        re.fullmatch(r"\[\d, +\d+\] loss: \S+|accuracy on test set: \d+ % |Plot written to .*", x)
        for x in lines
    ), lines


def test_05_optimizers_from_the_root(checkout):
    """Its printed lines stay whole beside the optimizers' progress bars."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    result = _run(checkout, "05_optimizers.py", "--epochs", "10", "--print-every", "5")
    assert (checkout / "examples" / "output" / "05_optimizers.png").is_file()
    assert _untracked(checkout) == ""
    line = re.compile(r"^\w+ \| (Epoch: \d+ \| Loss: \S+|Prediction for 4\.0 after training: \S+)$")
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("Plot written to ") and "\r" not in result.stdout
    assert len(lines) == 8 * 4 + 1 and all(line.match(x) for x in lines[:-1]), lines
    assert "Adagrad: " in result.stderr  # the bars themselves, on stderr


def test_one_epoch_plots_the_loss_with_the_accuracy_in_its_title(tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    import chainrule

    chainrule.alias_torch()
    try:
        import lesson_mnist
    finally:
        chainrule._alias.unalias_torch()

    figures = []
    monkeypatch.setattr(
        lesson_mnist, "save_figure", lambda plt, fig, args, name: figures.append(fig)
    )
    args = type("Args", (), {"no_plot": False, "log_interval": 10, "out": str(tmp_path)})()
    lesson_mnist.plot(args, [2.3, 1.1, 0.7], [87.25], "Lesson 09", "x.png")
    lesson_mnist.plot(args, [2.3, 1.1, 0.7], [80.0, 90.0], "Lesson 09", "y.png")
    one, two = figures
    assert len(one.axes) == 1 and "test accuracy after 1 epoch: 87.2 %" in one._suptitle.get_text()
    assert len(two.axes) == 2
    plt.close("all")

"""The course lessons 09-13 (MNIST MLP, CNN, Inception, ResNet, hello -> ohlol, the GRU name
classifier) run end to end under `chainrule run` with --quick, and learn: the printed loss
falls and the accuracy passes a threshold stated in each test.

Where PyTorch is installed, lessons 09, 10, 12 and 13 also run under PyTorch (one
interpreter for all), seeded as chainrule's runs are (--seed 0: the same initial weights
in both libraries); chainrule must print the same losses and accuracies (data in file
order, so that both see the same batches). The Inception and ResNet lessons are only
checked for learning: their float32 rounding differences grow through SGD into the third
printed decimal.

MNIST is chainrule's offline stand-in, drawn small (3,200 / 1,000 images) into a temporary
folder. One BLAS/OpenMP thread per process: the runs are small, and the test machine may
be busy.
"""

import gzip
import re
import sys

import pytest

import lesson_runner
from lesson_runner import EXAMPLES, run, run_under_torch
from parity import vectorized_kernels

MNIST_LOSS = re.compile(r"^\[(\d+), +(\d+)\] loss: (\S+)$", re.M)
MNIST_ACCURACY = re.compile(r"^accuracy on test set: (\d+) % $", re.M)
HELLO = re.compile(r"^Predicted(?: string)?: +(\w+), Epoch \[(\d+)/(\d+)\] loss ?= ?(\S+)$", re.M)
NAMES_LOSS = re.compile(r"^\[\d+m \d+s\] Epoch (\d+) \[(\d+)/(\d+)\] loss=(\S+)$", re.M)
NAMES_ACCURACY = re.compile(r"^Test set: Accuracy (\d+)/(\d+) (\S+)%$", re.M)


def under_chainrule(lesson, cwd, *args):
    return lesson_runner.under_chainrule(lesson, cwd, *args, one_thread=True)


@pytest.fixture(scope="module")
def mnist(tmp_path_factory):
    """A root folder holding a small MNIST stand-in: 3,200 training and 1,000 test images."""
    from chainrule.vision import _digits
    from chainrule.vision.datasets import _idx

    root = tmp_path_factory.mktemp("mnist")
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for split, n, seed in (("train", 3200, 1), ("t10k", 1000, 2)):
        images, labels = _digits.generate(n, seed)
        _idx.write(str(raw / f"{split}-images-idx3-ubyte.gz"), images)
        _idx.write(str(raw / f"{split}-labels-idx1-ubyte.gz"), labels.astype("uint8"))
    return str(root)


def lesson_args(mnist):
    """Each lesson's arguments, the same under PyTorch and under chainrule."""
    data = ["--data", mnist, "--quick", "--no-shuffle"]
    return {
        "09_mnist_softmax.py": [*data, "--epochs", "2"],
        "10_cnn.py": data,
        "12_rnn_hello.py": ["--quick"],
        "13_name_classifier.py": ["--quick", "--no-shuffle"],
    }


# PyTorch's runs stop where the comparison does (the first printed loss of 09 and 10,
# the first epoch of 13): argparse takes the last of a repeated option.
TORCH_ONLY = {
    "09_mnist_softmax.py": ["--epochs", "1", "--train-size", "640", "--test-size", "64"],
    "10_cnn.py": ["--train-size", "640", "--test-size", "64"],
    "13_name_classifier.py": ["--epochs", "1"],
}


@pytest.fixture(scope="module")
def torch_runs(tmp_path_factory, mnist):
    """lesson -> PyTorch's output, seeded with --seed 0; empty without PyTorch."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return {}
    tmp = tmp_path_factory.mktemp("torch_lessons")
    jobs, results = [], {}
    for lesson, args in lesson_args(mnist).items():
        out = tmp / f"{lesson}.txt"
        args = [*args, *TORCH_ONLY.get(lesson, []), "--no-plot", "--seed", "0"]
        jobs.append((lesson, args, out))
        results[lesson] = out
    run_under_torch(jobs, tmp, one_thread=True)
    return {lesson: out.read_text() for lesson, out in results.items()}


def run_lesson(lesson, tmp_path, mnist, torch_runs, *extra):
    """chainrule's output, seeded as PyTorch's run was; and PyTorch's output (None without
    PyTorch)."""
    args = [*lesson_args(mnist)[lesson], *extra, "--seed", "0"]
    return under_chainrule(lesson, tmp_path, *args), torch_runs.get(lesson)


def mnist_results(output):
    losses = [float(m.group(3)) for m in MNIST_LOSS.finditer(output)]
    accuracies = [int(a) for a in MNIST_ACCURACY.findall(output)]
    return losses, accuracies


def assert_same_mnist_run(ours, theirs):
    """The same first printed loss (the mean over 10 batches), up to float32 rounding.
    Later ones drift apart: SGD at these rates amplifies rounding differences, and the
    kinks of ReLU and max-pooling make them jump (the gradients agree to 1e-6)."""
    if theirs is None:
        return
    assert mnist_results(ours)[0][0] == pytest.approx(mnist_results(theirs)[0][0], abs=2e-3)


def test_09_mnist_softmax(tmp_path, mnist, torch_runs):
    ours, theirs = run_lesson("09_mnist_softmax.py", tmp_path, mnist, torch_runs, "--no-plot")
    losses, accuracies = mnist_results(ours)
    # 3,200 images = 50 batches of 64, the loss every 10: 5 per epoch, 2 epochs
    assert [m[:2] for m in MNIST_LOSS.findall(ours)][4:6] == [("1", "50"), ("2", "10")]
    assert len(losses) == 10 and len(accuracies) == 2
    assert losses[0] > 2.2  # ten classes by chance: ln(10) = 2.30
    assert losses[-1] < 0.8
    assert accuracies[-1] >= 75
    assert_same_mnist_run(ours, theirs)


def test_10_cnn(tmp_path, mnist, torch_runs):
    ours, theirs = run_lesson("10_cnn.py", tmp_path, mnist, torch_runs, "--out", "plots")
    losses, accuracies = mnist_results(ours)
    assert len(losses) == 5 and len(accuracies) == 1
    assert losses[-1] < losses[0] - 1.0
    assert accuracies[0] >= 80
    assert_same_mnist_run(ours, theirs)
    assert_png(tmp_path / "plots" / "10_cnn.png")


@pytest.mark.parametrize(
    "lesson, extra, threshold",
    [
        # 30 batches: Inception is the costliest network of the course (about 4x the CNN)
        ("11_inception.py", ["--train-size", "1920", "--test-size", "500"], 30),
        ("11_resnet.py", [], 80),
    ],
)
def test_11_inception_and_resnet_learn(tmp_path, mnist, lesson, extra, threshold):
    args = ["--data", mnist, "--quick", "--seed", "0", "--no-plot", *extra]
    losses, accuracies = mnist_results(under_chainrule(lesson, tmp_path, *args))
    assert len(accuracies) == 1
    assert losses[-1] < losses[0] - 0.3
    assert accuracies[0] >= threshold


def test_12_rnn_hello_every_model_learns(tmp_path, mnist, torch_runs):
    ours, theirs = run_lesson("12_rnn_hello.py", tmp_path, mnist, torch_runs)
    models = re.findall(r"^-- (\w+): (\w+)$", ours, re.M)
    assert models == [
        ("rnncell", "RNNCell"),
        ("rnn", "RNN"),
        ("embedding", "RNN"),
        ("lstm", "LSTM"),
        ("gru", "GRU"),
    ]
    epochs = HELLO.findall(ours)
    assert len(epochs) == 5 * 15
    for k, (name, _) in enumerate(models):
        run_ = epochs[15 * k : 15 * (k + 1)]
        first, last = float(run_[0][3]), float(run_[-1][3])
        assert last < 0.6 * first, (name, first, last)
        predicted = run_[-1][0]
        assert sum(a == b for a, b in zip(predicted, "ohlol")) >= 4, (name, predicted)
    if theirs is not None:  # the same predictions and the same losses, digit for digit
        if vectorized_kernels(pytest.importorskip("torch")):
            assert ours == theirs
        else:  # the generic kernels round the initial weights' uniforms differently
            assert HELLO.findall(ours)[-1][0] == HELLO.findall(theirs)[-1][0]


def test_13_name_classifier(tmp_path, mnist, torch_runs):
    ours, theirs = run_lesson("13_name_classifier.py", tmp_path, mnist, torch_runs, "--out", "p")
    assert ours.startswith("Training for 2 epochs...\n")
    losses = NAMES_LOSS.findall(ours)
    accuracies = NAMES_ACCURACY.findall(ours)
    # 2,560 names in batches of 256: the running loss after the 10th batch of each epoch
    assert [loss[:3] for loss in losses] == [("1", "2560", "2560"), ("2", "2560", "2560")]
    assert float(losses[1][3]) < 0.6 * float(losses[0][3])
    assert [total for _, total, _ in accuracies] == ["1000", "1000"]
    # the majority class (Russian) is 47% of the names: 65% is learning
    assert float(accuracies[-1][2]) >= 65
    assert_png(tmp_path / "p" / "13_name_classifier.png")
    if theirs is not None:  # the first epoch: Adam keeps the two runs within rounding
        (*_, their_loss), *_ = NAMES_LOSS.findall(theirs)
        assert float(losses[0][3]) == pytest.approx(float(their_loss), rel=1e-4)
        their_correct = int(NAMES_ACCURACY.findall(theirs)[0][0])
        assert int(accuracies[0][0]) == pytest.approx(their_correct, abs=2)


def test_names_tables_are_regenerated_exactly(tmp_path):
    run([sys.executable, str(EXAMPLES / "data" / "make_names.py"), str(tmp_path)], tmp_path)
    for name in ("names_train.csv.gz", "names_test.csv.gz"):
        made, shipped = (tmp_path / name).read_bytes(), (EXAMPLES / "data" / name).read_bytes()
        assert gzip.decompress(made) == gzip.decompress(shipped)
        assert made == shipped  # no time stamp or file name in the gzip header


def test_names_tables_have_the_real_tables_shape():
    import csv

    counts, total = {}, {}
    for part in ("train", "test"):
        with gzip.open(EXAMPLES / "data" / f"names_{part}.csv.gz", "rt") as f:
            rows = list(csv.reader(f))
        total[part] = len(rows)
        assert all(len(row) == 2 and row[0] and row[0].isascii() for row in rows)
        for _, country in rows:
            counts[country] = counts.get(country, 0) + 1
    assert total == {"train": 13374, "test": 6700}
    assert sorted(counts) == [
        "Arabic", "Chinese", "Czech", "Dutch", "English", "French", "German", "Greek",
        "Irish", "Italian", "Japanese", "Korean", "Polish", "Portuguese", "Russian",
        "Scottish", "Spanish", "Vietnamese",
    ]  # fmt: skip
    assert counts["Russian"] == 9408 and counts["Vietnamese"] == 73  # the real skew


def assert_png(path):
    """The plot is there when matplotlib is (without it the lesson says so and draws none)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert not path.exists()
        return
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

"""The course lessons in examples/ (05-08) print the same losses under PyTorch and under
`chainrule run`, seeded alike (--seed 0): the same seed gives the same initial weights and
the same shuffles in both libraries.

Where PyTorch's BLAS (MKL) runs its AVX-512 kernels (an Intel processor with AVX-512,
whatever ATEN_CPU_CAPABILITY says), every lesson prints PyTorch's losses character for
character: chainrule follows MKL's order of summation for the lessons' small products
(ops/_mkl_order.py), PyTorch's cascade for sums and means, its sigmoid's and BCELoss's
roundings, its fused `p + alpha * g` on the vectorised kernels and its two roundings on the
generic ones. Elsewhere (MKL's AVX2 kernels, as on AMD processors or under
MKL_ENABLE_INSTRUCTIONS=AVX2) the products are NumPy's, added in another order, and the
losses must agree to 1e-5 relative (1e-8 absolute for losses at float32's noise floor,
where one rounding is the whole value). Lesson 05's one-weight products are exact on
PyTorch's vectorised kernels as well. --epochs keeps the runs short.
"""

import math
import re
import sys

import numpy as np
import pytest

from chainrule import _cpu
from lesson_runner import EXAMPLES, run, run_under_torch, under_chainrule
from parity import vectorized_kernels

# Whether PyTorch's matrix products run the MKL kernels whose order chainrule follows.
MKL_ORDER = _cpu.mkl_isa() == "avx512"

LOSS = re.compile(r"^(.*)Loss: (\S+)$")


def losses(output):
    """(label, loss) for every printed line that ends in 'Loss: <number>'."""
    found = [LOSS.match(line) for line in output.splitlines()]
    return [(m.group(1), float(m.group(2))) for m in found if m]


def assert_same_losses(expected_output, actual_output, count, exact=False):
    expected, actual = losses(expected_output), losses(actual_output)
    assert len(expected) == count
    assert [label for label, _ in actual] == [label for label, _ in expected]
    if exact:
        assert actual == expected
        return
    for (label, e), (_, a) in zip(expected, actual):
        assert math.isclose(a, e, rel_tol=1e-5, abs_tol=1e-8), f"{label}: {a} != {e}"


# Every lesson's PyTorch run, with its arguments; one interpreter runs them all, so that
# PyTorch is imported once.
TORCH_RUNS = {
    "05_linear_regression.py": ["--epochs", "60"],
    "05_optimizers.py": ["--epochs", "10", "--print-every", "1"],
    "06_logistic_regression.py": ["--epochs", "150"],
    "07_diabetes.py": ["--epochs", "40"],
    "08_dataloader.py": ["--epochs", "2", "--no-shuffle"],
    "08_dataloader.py#shuffled": ["--epochs", "2"],
}


@pytest.fixture(scope="module")
def torch_runs(tmp_path_factory):
    """lesson -> PyTorch's output, seeded with --seed 0."""
    pytest.importorskip("torch")
    tmp = tmp_path_factory.mktemp("torch_lessons")
    jobs, results = [], {}
    for name, args in TORCH_RUNS.items():
        out = tmp / f"{name}.txt"
        jobs.append((name.split("#")[0], [*args, "--seed", "0", "--no-plot"], out))
        results[name] = out
    run_under_torch(jobs, tmp)
    return {lesson: out.read_text() for lesson, out in results.items()}


def compare(torch_runs, tmp_path, name, count, extra=(), exact=MKL_ORDER):
    """Run the lesson under chainrule with the same seed; compare the losses."""
    torch_out = torch_runs[name]
    args = [*TORCH_RUNS[name], "--seed", "0", "--out", "c", *extra]
    ours = under_chainrule(name.split("#")[0], tmp_path, *args)
    assert_same_losses(torch_out, ours, count, exact=exact)
    return torch_out, ours


def assert_png(path):
    pytest.importorskip("matplotlib")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_05_linear_regression(torch_runs, tmp_path, torch):
    exact = MKL_ORDER or vectorized_kernels(torch)
    torch_out, ours = compare(torch_runs, tmp_path, "05_linear_regression.py", 60, exact=exact)
    prediction = [line for line in ours.splitlines() if line.startswith("Prediction")]
    expected = [line for line in torch_out.splitlines() if line.startswith("Prediction")]
    assert len(prediction) == 1
    assert math.isclose(
        float(prediction[0].split()[-1]), float(expected[0].split()[-1]), rel_tol=1e-5
    )


def test_05_optimizers(torch_runs, tmp_path):
    _, ours = compare(torch_runs, tmp_path, "05_optimizers.py", 8 * 10)
    names = {label.split(" |")[0] for label, _ in losses(ours)}
    assert names == {"Adagrad", "Adam", "Adamax", "ASGD", "LBFGS", "RMSprop", "Rprop", "SGD"}
    assert_png(tmp_path / "c" / "05_optimizers.png")


def test_06_logistic_regression(torch_runs, tmp_path):
    _, ours = compare(torch_runs, tmp_path, "06_logistic_regression.py", 150)
    assert "Above 50%" in ours
    assert_png(tmp_path / "c" / "06_logistic_regression.png")


def test_07_diabetes(torch_runs, tmp_path):
    _, ours = compare(torch_runs, tmp_path, "07_diabetes.py", 40)
    assert "X's shape: torch.Size([759, 8]) | Y's shape: torch.Size([759, 1])" in ours
    assert_png(tmp_path / "c" / "07_diabetes.png")


def test_08_dataloader_in_file_order_with_workers(torch_runs, tmp_path):
    # 759 rows in batches of 32: 24 batches per epoch, the last one of 23 rows. chainrule
    # loads them in two worker processes, PyTorch in the main one: the batches are the same.
    _, ours = compare(torch_runs, tmp_path, "08_dataloader.py", 48, extra=("--num-workers", "2"))
    assert_png(tmp_path / "c" / "08_dataloader.png")


def test_08_dataloader_shuffles_as_pytorch(torch_runs, tmp_path):
    # the seeded shuffle gives both libraries the same batches, epoch after epoch
    compare(torch_runs, tmp_path, "08_dataloader.py#shuffled", 48)


def test_08_dataloader_shuffled_trains(tmp_path):
    # Start far from the answer (every prediction near 0.12 while 66% of the labels
    # are 1), so that a falling loss is training and not the luck of the first batches.
    rng = np.random.default_rng(0)
    shapes = {"l1": (6, 8), "l2": (4, 6), "l3": (1, 4)}
    state = {}
    for name, (out, inp) in shapes.items():
        state[f"{name}.weight"] = (0.3 * rng.standard_normal((out, inp))).astype(np.float32)
        state[f"{name}.bias"] = np.zeros(out, np.float32)
    state["l3.bias"][:] = -2.0
    np.savez(tmp_path / "far.npz", **state)
    out = under_chainrule(
        "08_dataloader.py",
        tmp_path,
        "--init",
        str(tmp_path / "far.npz"),
        "--epochs",
        "6",
        "--seed",
        "0",
        "--out",
        str(tmp_path),
    )
    values = [loss for _, loss in losses(out)]
    assert len(values) == 6 * 24
    first, last = np.mean(values[:24]), np.mean(values[-24:])
    assert last < first - 0.2, (first, last)
    assert_png(tmp_path / "08_dataloader.png")


def test_lessons_run_without_matplotlib_and_tqdm(tmp_path):
    blocked = tmp_path / "blocked"
    for name in ("matplotlib", "tqdm"):
        (blocked / name).mkdir(parents=True)
        (blocked / name / "__init__.py").write_text(f"raise ImportError('no {name} here')\n")
    out = under_chainrule(
        "05_optimizers.py", tmp_path, "--epochs", "1", "--out", "x", pythonpath=[blocked]
    )
    assert "matplotlib is not installed: no plot is drawn" in out
    assert "tqdm is not installed: no progress bars" in out
    assert len(losses(out)) == 8
    assert not (tmp_path / "x").exists()


def test_diabetes_table_is_regenerated_exactly(tmp_path):
    out = tmp_path / "diabetes.csv"
    run([sys.executable, str(EXAMPLES / "data" / "make_diabetes.py"), str(out)], cwd=tmp_path)
    assert out.read_bytes() == (EXAMPLES / "data" / "diabetes.csv").read_bytes()
    table = np.loadtxt(out, delimiter=",", dtype=np.float32)
    assert table.shape == (759, 9)
    assert table[:, :8].min() == -1.0 and table[:, :8].max() == 1.0
    assert set(np.unique(table[:, 8])) == {0.0, 1.0}

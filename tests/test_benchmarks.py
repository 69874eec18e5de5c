"""Smoke tests for benchmarks/run.py: each workload still runs, at a tiny size, on chainrule.

These time nothing; the benchmark itself is run by hand (see benchmarks/README.md).
"""

import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest

import chainrule

RUN_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("chainrule_benchmarks_run", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_workloads_and_targets_are_listed(bench):
    assert list(bench.WORKLOADS) == ["lesson", "chain50", "matmul1024", "mlp", "cnn", "gru", "rng"]
    assert bench.NAMES == [*bench.WORKLOADS, "memory200", "import"]
    assert bench.TARGETS == {
        "lesson": 0.35,
        "chain50": 0.5,
        "matmul1024": 1.0,
        "mlp": 1.0,
        "cnn": 0.9,
        "gru": 0.9,
        "rng": 2.0,
        "memory200": 1.5,
        "import": 1.5,
    }


def test_lesson_workload_trains_w(bench):
    w = bench.lesson(chainrule, tiny=True)()
    # Two epochs of the lesson's SGD, in float64: w moves from 1.0 towards 2.0.
    expected = 1.0
    for _ in range(2):
        for x, y in zip([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]):
            expected -= 0.01 * 2 * x * (x * expected - y)
    assert w.shape == (1,)
    assert w.item() == pytest.approx(expected, rel=1e-5)


def test_chain_workload_gives_the_chain_rule_gradient(bench):
    grad = bench.chain50(chainrule, tiny=True)()
    # tiny chain: sigmoid(tanh(0.9 * x) + 0.1) at x = 0.5
    x = 0.5
    t = np.tanh(0.9 * x)
    s = 1 / (1 + np.exp(-(t + 0.1)))
    expected = s * (1 - s) * (1 - t**2) * 0.9
    assert grad.item() == pytest.approx(expected, rel=1e-5)


def test_matmul_workload_gives_matmul_gradients(bench):
    if not hasattr(chainrule, "matmul"):
        pytest.skip("chainrule has no matmul yet (ops/linalg.py)")
    run = bench.matmul1024(chainrule, tiny=True)
    grad_a, grad_b = run()
    rng = np.random.default_rng(0)
    a = rng.standard_normal((8, 8), dtype=np.float32)
    b = rng.standard_normal((8, 8), dtype=np.float32)
    # d sum(A @ B) / dA = ones @ B.T ; d sum(A @ B) / dB = A.T @ ones
    ones = np.ones((8, 8), dtype=np.float32)
    np.testing.assert_allclose(grad_a.numpy(), ones @ b.T, rtol=1e-5)
    np.testing.assert_allclose(grad_b.numpy(), a.T @ ones, rtol=1e-5)
    # gradients are reset after each run, so a second run does not accumulate
    grad_a_again, _ = run()
    np.testing.assert_allclose(grad_a_again.numpy(), ones @ b.T, rtol=1e-5)


def test_mlp_workload_trains(bench):
    run = bench.mlp(chainrule, tiny=True)
    losses = [run().item() for _ in range(30)]
    assert all(np.isfinite(losses))
    assert losses[-1] < losses[0]  # SGD on one batch: the loss falls


def test_mlp_workload_uses_the_same_weights_in_both_libraries(bench, torch):
    ours = bench.mlp(chainrule, tiny=True)
    theirs = bench.mlp(torch, tiny=True)
    for _ in range(3):
        np.testing.assert_allclose(ours().item(), theirs().item(), rtol=1e-5)


def missing(bench, *names):
    try:
        bench.require(chainrule, *names)
    except bench.Skipped as skip:
        return str(skip)
    return None


def test_cnn_workload_trains_or_says_what_is_missing(bench):
    reason = missing(bench, "nn.Conv2d", "nn.MaxPool2d")
    if reason:
        with pytest.raises(bench.Skipped, match="missing nn."):
            bench.cnn(chainrule, tiny=True)
        pytest.skip(reason)
    run = bench.cnn(chainrule, tiny=True)
    losses = [run().item() for _ in range(15)]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]


def test_gru_workload_trains_or_says_what_is_missing(bench):
    reason = missing(bench, "nn.GRU", "nn.Embedding", "nn.utils.rnn.pack_padded_sequence")
    if reason:
        with pytest.raises(bench.Skipped, match="missing nn."):
            bench.gru(chainrule, tiny=True)
        pytest.skip(reason)
    run = bench.gru(chainrule, tiny=True)
    losses = [run().item() for _ in range(15)]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]


def test_rng_workload_draws_pytorch_numbers(bench, torch):
    uniforms, normals = bench.rng(chainrule, tiny=True)()
    their_uniforms, their_normals = bench.rng(torch, tiny=True)()
    assert uniforms.shape == normals.shape == (1000,) and uniforms.dtype is chainrule.float32
    assert np.array_equal(uniforms.numpy(), their_uniforms.numpy())
    if torch.backends.cpu.get_cpu_capability() != "DEFAULT":  # see tests/random
        assert np.array_equal(normals.numpy(), their_normals.numpy())


def test_memory_profile_samples_every_step(bench):
    profile = bench.memory_profile(chainrule, steps=5, tiny=True)
    assert profile["baseline"] > 0
    assert len(profile["steps"]) == 5 and min(profile["steps"]) > 0
    peak, growth = bench.summarize_memory(profile)
    assert peak == max(profile["steps"]) - profile["baseline"]
    assert growth == profile["steps"][-1] - profile["steps"][4]


def test_summarize_memory_measures_growth_from_step_20(bench):
    steps = [100] * 19 + [150] + [160] * 180
    peak, growth = bench.summarize_memory({"baseline": 40, "steps": steps})
    assert (peak, growth) == (120, 10)


def test_runner_prints_a_row_per_workload_and_exits_0(bench):
    out = io.StringIO()
    assert bench.main(["--tiny", "--no-torch", "--repeat", "1"], out=out) == 0
    text = out.getvalue()
    rows = {line.split()[0] for line in text.splitlines() if line.strip()}
    assert {"lesson", "chain50", "matmul1024", "mlp", "cnn", "gru", "memory200", "import"} <= rows
    assert "error" not in text
    # A workload whose layers do not exist yet says so instead of failing.
    for names in (("nn.Conv2d", "nn.MaxPool2d"), ("nn.GRU",)):
        reason = missing(bench, *names)
        if reason:
            assert f"skipped: {reason}" in text


def test_runner_skips_a_workload_whose_feature_is_missing(bench, monkeypatch):
    def needs_something(torch, tiny=False):
        bench.require(torch, "nn.NoSuchLayer")

    monkeypatch.setitem(bench.WORKLOADS, "cnn", needs_something)
    out = io.StringIO()
    assert bench.main(["--tiny", "--no-torch", "--repeat", "1", "--only", "cnn"], out=out) == 0
    assert "cnn          skipped: missing nn.NoSuchLayer" in out.getvalue()
    assert "error" not in out.getvalue()


def test_runner_reports_a_failing_workload_instead_of_crashing(bench, monkeypatch):
    def broken(torch, tiny=False):
        raise NotImplementedError("no such op")

    monkeypatch.setitem(bench.WORKLOADS, "chain50", broken)
    out = io.StringIO()
    code = bench.main(["--tiny", "--no-torch", "--repeat", "1", "--only", "chain50"], out=out)
    assert code == 0
    assert "chain50 on chainrule: error: NotImplementedError: no such op" in out.getvalue()
    assert "lesson" not in out.getvalue()


def test_import_row_compares_chainrule_with_numpy(bench):
    out = io.StringIO()
    assert bench.main(["--tiny", "--no-torch", "--only", "import"], out=out) == 0
    (row,) = [line for line in out.getvalue().splitlines() if line.startswith("import")]
    ours, numpy_time = row.split()[1:3], row.split()[3:5]
    assert ours[1] == "ms" and numpy_time[1] == "ms", row
    # chainrule imports numpy, so its import takes longer; the ratio is theirs.
    assert float(ours[0]) > float(numpy_time[0])
    assert float(row.split()[5]) == pytest.approx(float(ours[0]) / float(numpy_time[0]), abs=0.006)


def _per_op_module():
    import sys

    path = RUN_PY.parent / "per_op.py"
    sys.path.insert(0, str(RUN_PY.parent))
    try:
        spec = importlib.util.spec_from_file_location("chainrule_benchmarks_per_op", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(RUN_PY.parent))
    return module


def test_per_op_chains_give_pytorchs_gradients(torch):
    per_op = _per_op_module()
    for name in per_op.OPS:
        ours = per_op.workload(chainrule, name)()
        theirs = per_op.workload(torch, name)()
        assert np.isfinite(ours.numpy()).all(), name  # the chain stays finite
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, err_msg=name)

"""PyTorch's own OpInfo samples for every op chainrule has, against PyTorch, held to the
reviewed list of known failures (opinfo_known_failures.py).

The test fails on a sample that fails and is not listed (a regression, or a new op's
failure), and on a listed sample that now passes or fails at another stage (so the list
only shrinks). It needs PyTorch and expecttest (PyTorch's OpInfo database imports it) and
skips without them.

How many samples run: by default a bounded share, every third sample of each op and dtype
plus every listed one (about a third of the samples); `CHAINRULE_OPINFO=all` runs every
sample, and `CHAINRULE_OPINFO=softmax,flip` every sample of the named OpInfos only. The
pass rate and each failure go to stdout (`pytest -s`) and to
$CHAINRULE_TEST_ARTIFACTS/opinfo.txt when that is set. The same report without pytest:
`python tests/ops/opinfo_runner.py [op ...]`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from opinfo_known_failures import KNOWN_FAILURES
from opinfo_runner import load_op_db, run

EVERY = 3  # the bounded run takes sample indices divisible by this


def _selection():
    choice = os.environ.get("CHAINRULE_OPINFO", "").strip()
    if choice == "all":
        return None, None
    if choice:
        return None, {name.strip() for name in choice.split(",") if name.strip()}
    listed = {key.split(" ", 1)[1] for key in KNOWN_FAILURES}

    def selected(key, index):
        return index % EVERY == 0 or key in listed

    return selected, None


def test_opinfo_samples(torch):
    pytest.importorskip("expecttest")
    selected, ops = _selection()
    report = run(load_op_db(), selected=selected, ops=ops)
    text = report.summary()
    print(text)
    artifacts = os.environ.get("CHAINRULE_TEST_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        (Path(artifacts) / "opinfo.txt").write_text(text + "\n")

    assert report.count() > 0, "no OpInfo sample ran"
    failing = {f"{o.stage} {o.key}": o.detail for o in report.outcomes if o.stage != "pass"}
    ran = {o.key for o in report.outcomes}
    new = sorted(f"{k}: {d}" for k, d in failing.items() if k not in KNOWN_FAILURES)
    fixed = sorted(
        f"{k} (listed as: {KNOWN_FAILURES[k]})"
        for k in KNOWN_FAILURES
        if k.split(" ", 1)[1] in ran and k not in failing
    )
    assert not new, "OpInfo samples that fail and are not in opinfo_known_failures.py:\n" + (
        "\n".join(new)
    )
    assert not fixed, (
        "OpInfo samples listed as failing that now pass (or fail at another stage): take "
        "them off opinfo_known_failures.py:\n" + "\n".join(fixed)
    )
    if selected is not None:  # the bounded run reaches every listed sample
        missing = sorted(k for k in KNOWN_FAILURES if k.split(" ", 1)[1] not in ran)
        assert not missing, "listed samples that no longer exist:\n" + "\n".join(missing)

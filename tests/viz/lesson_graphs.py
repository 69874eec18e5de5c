"""The graphs of the course lessons, built in-process for the viewer's tests.

Each lesson's model class is loaded from examples/ (with `import torch` resolved to
chainrule), and one training batch of the lesson's shape runs through it inside a
recording, as `chainrule explain` runs it: `outputs = model(inputs)`, `loss =
criterion(outputs, target)`, then backward. The backprop lesson runs whole, through
`chainrule explain`, since its names come from its own functions.
"""

import runpy
import sys
from pathlib import Path

import numpy as np

import chainrule as cr
from chainrule import _alias, viz

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# the lessons whose graphs the viewer must show well (lesson_graph(name) in conftest.py)
LESSONS = ("10_cnn", "11_resnet", "11_inception", "13_name_classifier")


def _lesson(name):
    """The globals of examples/<name>.py, run as a module (its main() does not run)."""
    was_aliased = _alias.is_aliased()
    _alias.alias_torch()
    sys.path.insert(0, str(EXAMPLES))
    try:
        return runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="lesson")
    finally:
        sys.path.remove(str(EXAMPLES))
        if not was_aliased:
            _alias.unalias_torch()


def _train_step(model, inputs, target):
    criterion = cr.nn.CrossEntropyLoss()
    with viz.record():
        outputs = model(inputs)
        loss = criterion(outputs, target)
    graph = viz.trace(loss)
    loss.backward()
    return graph


def mnist_lesson(name, batch=64):
    """The graph of one training batch of lesson 10 (10_cnn), 11_resnet or 11_inception."""
    cr.manual_seed(0)
    model = _lesson(name)["Net"]()
    rng = np.random.default_rng(0)
    inputs = cr.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32))
    target = cr.tensor(rng.integers(0, 10, batch))
    return _train_step(model, inputs, target)


def gru_lesson(batch=32, length=9):
    """The graph of one training batch of lesson 13 (a bidirectional GRU over names)."""
    cr.manual_seed(0)
    lesson = _lesson("13_name_classifier")
    model = lesson["RNNClassifier"](lesson["N_CHARS"], 100, 18, lesson["N_LAYER"])
    rng = np.random.default_rng(0)
    lengths = np.sort(rng.integers(2, length + 1, batch))[::-1].copy()
    lengths[0] = length
    codes = rng.integers(65, 123, (batch, length))
    codes[np.arange(length)[None, :] >= lengths[:, None]] = 0
    criterion = cr.nn.CrossEntropyLoss()
    inputs, seq_lengths = cr.tensor(codes), cr.tensor(lengths)
    target = cr.tensor(rng.integers(0, 18, batch))
    with viz.record():
        outputs = model(inputs, seq_lengths)
        loss = criterion(outputs, target)
    graph = viz.trace(loss)
    loss.backward()
    return graph


def backprop_lesson(out_dir):
    """`chainrule explain examples/backprop.py`: its first backward call, written to
    out_dir (explain.txt, graph.html, graph.svg); the script's own output is returned."""
    import contextlib
    import io

    from chainrule.viz.explain_script import explain_main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        code = explain_main(["--out", str(out_dir), str(EXAMPLES / "backprop.py")])
    assert code == 0, buf.getvalue()
    return buf.getvalue()

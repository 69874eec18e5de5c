"""`chainrule explain script.py`: explain one backward call of an unmodified script."""

import textwrap

import pytest

from chainrule.viz.explain_script import explain_main

SCRIPT = textwrap.dedent(
    """
    import sys
    import torch

    w = torch.tensor([1.0], requires_grad=True)
    for x, y in [(1.0, 2.0), (2.0, 4.0), (3.0, 6.0)]:
        l = (x * w - y) ** 2
        l.backward()
        print("grad", w.grad.item())
        w.data = w.data - 0.01 * w.grad.data
        w.grad.data.zero_()
    print("done", sys.argv[1:])
    """
)


@pytest.fixture
def script(tmp_path):
    p = tmp_path / "lesson.py"
    p.write_text(SCRIPT)
    return p


def test_first_backward_is_explained_and_the_script_finishes(script, tmp_path, capsys):
    out = tmp_path / "out"
    code = explain_main(["--out", str(out), str(script), "a", "b"])
    captured = capsys.readouterr()
    assert code == 0
    # The script ran to its end, with its own arguments, printing what it prints without
    # explain (the explanation changed no gradient).
    from chainrule._alias import run_path

    run_path(str(script), ["a", "b"])
    plain = capsys.readouterr().out
    assert captured.out == plain
    assert plain.splitlines()[0] == "grad -2.0" and plain.splitlines()[-1] == "done ['a', 'b']"
    text = (out / "explain.txt").read_text()
    assert text.startswith("explain(l): the chain rule")
    # the code's own order and names: `x * w` with the number x = 1, not `w * 1`
    assert "[2] sub = mul - y    (SubBackward0)" in text
    assert "[3] mul = x * w    (MulBackward0)" in text
    assert "with a = x = 1, b = w = [1]" in text
    assert "dl/dw = upstream * local = [-2] * [1] = [-2]" in text
    assert "w.grad += dl/dw = [-2]   (w.grad is [-2] now)" in text
    assert "backward call 1 explained" in captured.err
    # the page and the picture need no outside tool
    assert 'class="cr-data"' in (out / "graph.html").read_text()
    assert "mul = x * w" in (out / "graph.svg").read_text()


def test_call_n_picks_a_later_backward(script, tmp_path, capsys):
    out = tmp_path / "out3"
    assert explain_main(["--call", "3", "--out", str(out), str(script)]) == 0
    text = (out / "explain.txt").read_text()
    # Third sample (x=3, y=6) after two steps: w = 1 + 0.02 + 0.0784 = 1.0984.
    assert "with a = x = 3, b = w = [1.098]" in text
    assert "dl/dw = upstream * local = [-5.41] * [3] = [-16.23]" in text


def test_a_call_that_never_comes(script, tmp_path, capsys):
    code = explain_main(["--call", "9", "--out", str(tmp_path / "o"), str(script)])
    err = capsys.readouterr().err
    assert code == 1
    assert "called backward 3 time(s); backward call 9 never happened" in err
    assert not (tmp_path / "o").exists()


def test_missing_script_and_bad_call(tmp_path, capsys):
    assert explain_main([str(tmp_path / "nope.py")]) == 2
    assert "can't open file" in capsys.readouterr().err
    assert explain_main(["--call", "0", str(tmp_path / "nope.py")]) == 2


def test_the_chainrule_command_dispatches_here(script, tmp_path, capsys):
    from chainrule.cli import main

    assert main(["explain", "--out", str(tmp_path / "o"), str(script)]) == 0
    assert (tmp_path / "o" / "explain.txt").exists()


def test_options_right_after_the_script_are_explains_own(script, tmp_path, capsys):
    """The issue's form `chainrule explain script.py --call N --out DIR`; after `--`, or after
    the first argument that is not explain's, the rest goes to the script."""
    out = tmp_path / "after"
    code = explain_main([str(script), "--call", "2", "--out", str(out), "x", "--out", "y"])
    captured = capsys.readouterr()
    assert code == 0
    assert "with a = x = 2, b = w = [1.02]" in (out / "explain.txt").read_text()
    assert captured.out.splitlines()[-1] == "done ['x', '--out', 'y']"
    out2 = tmp_path / "dashdash"
    assert explain_main([str(script), f"--out={out2}", "--", "--call", "5"]) == 0
    assert (out2 / "explain.txt").exists()
    assert capsys.readouterr().out.splitlines()[-1] == "done ['--call', '5']"

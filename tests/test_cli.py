"""The chainrule command: `chainrule run script.py args...`, exit codes, explain dispatch."""

import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from chainrule import _alias
from chainrule.cli import main

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def write(tmp_path, source, name="script.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def test_run_passes_arguments_and_aliases_torch(tmp_path, capsys):
    script = write(
        tmp_path,
        """
        import sys
        import torch
        import torch.nn.functional as F
        print(torch.__name__, F.__name__, sys.argv[1:])
        """,
    )
    assert main(["run", str(script), "--epochs", "2", "-h"]) == 0
    out = capsys.readouterr().out
    assert out == "chainrule chainrule.nn.functional ['--epochs', '2', '-h']\n"
    assert not _alias.is_aliased()


@pytest.mark.parametrize("code, expected", [("0", 0), ("3", 3), ("None", None), ("'bye'", "bye")])
def test_system_exit_code_passes_through(tmp_path, code, expected):
    script = write(tmp_path, f"import sys\nsys.exit({code})\n")
    assert main(["run", str(script)]) == expected


def test_exception_prints_traceback_from_the_script_and_returns_1(tmp_path, capsys):
    script = write(
        tmp_path,
        """
        def f():
            raise ValueError("boom")
        f()
        """,
    )
    assert main(["run", str(script)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert err.rstrip().endswith("ValueError: boom")
    assert str(script) in err
    assert "runpy" not in err and "_alias.py" not in err


def test_missing_script_is_an_error(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.py")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_help_lists_both_subcommands(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "run" in out and "explain" in out


def test_no_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


def test_explain_dispatches_to_viz(monkeypatch):
    seen = []
    fake = types.ModuleType("chainrule.viz.explain_script")
    fake.explain_main = lambda argv: seen.append(argv) or 5
    monkeypatch.setitem(sys.modules, "chainrule.viz.explain_script", fake)
    assert main(["explain", "lesson.py", "--step", "2", "--help"]) == 5
    assert seen == [["lesson.py", "--step", "2", "--help"]]


def test_explain_without_viz_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "chainrule.viz.explain_script", None)  # import fails
    assert main(["explain", "lesson.py"]) == 2
    assert "explain is not available" in capsys.readouterr().err


def run_command(args, cwd):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_python_dash_m_chainrule_run(tmp_path):
    script = write(tmp_path, "import sys, torch\nprint(torch.__name__)\nsys.exit(4)\n")
    result = run_command([sys.executable, "-m", "chainrule", "run", str(script)], tmp_path)
    assert result.stdout == "chainrule\n"
    assert result.returncode == 4


def test_console_script_reports_failure(tmp_path):
    exe = Path(sys.executable).with_name("chainrule")
    if not exe.exists():
        pytest.skip("the chainrule console script is not installed in this environment")
    script = write(tmp_path, "import torch\n1 / 0\n")
    result = run_command([str(exe), "run", str(script)], tmp_path)
    assert result.returncode == 1
    assert "ZeroDivisionError" in result.stderr


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == "chainrule 0.1.0 (PyTorch 2.13.0 API)\n"


@pytest.mark.parametrize(
    "args",
    [
        ["--", "--epochs", "3"],
        ["--epochs", "3", "--", "x"],
        ["--", "--"],
        ["-h"],
        [],
    ],
)
def test_run_passes_everything_after_the_script_as_python_does(tmp_path, capsys, args):
    script = write(tmp_path, "import sys\nprint(sys.argv[1:])\n")
    expected = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True
    ).stdout
    assert main(["run", str(script), *args]) == 0
    assert capsys.readouterr().out == expected == f"{args}\n"


def test_run_accepts_dashdash_before_the_script(tmp_path, capsys):
    script = write(tmp_path, "import sys\nprint(sys.argv[1:])\n")
    assert main(["run", "--", str(script), "-v"]) == 0
    assert capsys.readouterr().out == "['-v']\n"


def test_run_help_and_options_before_the_script(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "--help"])
    assert info.value.code == 0 and "the Python file to run" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["run", "--bogus", "x.py"])
    assert info.value.code == 2


def _explain_notes(monkeypatch, capsys, args):
    seen = []
    fake = types.ModuleType("chainrule.viz.explain_script")
    fake.explain_main = lambda argv: seen.append(argv) or 0
    monkeypatch.setitem(sys.modules, "chainrule.viz.explain_script", fake)
    assert main(["explain", *args]) == 0
    assert seen == [args]  # the arguments themselves are explain's to read, unchanged
    return capsys.readouterr().err


def test_explain_says_when_its_option_would_go_to_the_script(monkeypatch, capsys, tmp_path):
    script = write(tmp_path, "print('no options of its own')\n")
    err = _explain_notes(monkeypatch, capsys, [str(script), "--epochs", "2", "--out", "d"])
    assert "--out comes after the script's own arguments, so" in err
    assert f"{script} gets it, not chainrule explain" in err
    assert "chainrule explain --out ..." in err
    # explain's options in their places, or after `--` on purpose: nothing to say
    for args in (
        ["--out", "d", str(script), "--epochs", "2"],
        [str(script), "--out", "d", "--epochs", "2"],
        [str(script), "--call=2", "--", "--out", "x"],
    ):
        assert _explain_notes(monkeypatch, capsys, args) == ""


def test_explain_says_when_it_takes_an_option_the_script_has(monkeypatch, capsys, tmp_path):
    script = write(tmp_path, "import argparse\nargparse.ArgumentParser().add_argument('--out')\n")
    err = _explain_notes(monkeypatch, capsys, [str(script), "--out", "plots"])
    assert "--out plots right after the script is chainrule explain's option" in err
    assert f"write it after `--`: chainrule explain {script} -- --out plots" in err
    assert _explain_notes(monkeypatch, capsys, [str(script), "--", "--out", "plots"]) == ""

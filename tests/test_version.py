"""torch.__version__ under chainrule: PyTorch 2.13's number with chainrule's release as the
local label, comparing as a version as PyTorch's TorchVersion does."""

import textwrap

import pytest

import chainrule
from chainrule.cli import main
from chainrule.torch_version import TorchVersion

V = chainrule.__version__


def test_the_string():
    assert V == TorchVersion("2.13.0+chainrule.0.1.0") and isinstance(V, str)
    assert str(V) == "2.13.0+chainrule.0.1.0" and V.split("+")[0] == "2.13.0"
    assert chainrule.version.__version__ is V and chainrule.version.chainrule == "0.1.0"
    assert chainrule.version.cuda is None
    assert {str(V): 1}[V] == 1  # hashes as its string


@pytest.mark.parametrize(
    "expr",
    [
        'V >= "1.6"',
        'V >= "1.10"',  # "2.13" < "2.2" as strings; as versions it is newer
        'V > "2.2"',
        'V >= "2.13"',
        'V >= "2.13.0"',  # the local label sorts after the plain release
        'V < "2.14"',
        'V < "2.14.0a0"',
        'V > "2.13.0rc1"',
        "V > (2, 12)",
        "V >= (2, 13, 0)",
        "V < [3]",
        'not V < "2.13"',
        'V != "2.13.0"',  # as PyTorch's "2.13.0+cpu" != "2.13.0"
        'V == "2.13.0+chainrule.0.1.0"',
    ],
)
def test_comparisons_take_the_2_13_path(expr):
    assert eval(expr, {"V": V})


def test_matches_pytorchs_own_comparisons(torch):
    from torch.torch_version import TorchVersion as Theirs

    theirs = Theirs(str(V))
    for other in ["1.6", "2.2", "2.13", "2.13.0", "2.13.0+chainrule.0.1.0", "2.14.0.dev0",
                  "2.13.0.post1", "2.13.0rc2", (2, 13), (2, 13, 1), "3"]:  # fmt: skip
        for op in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__"):
            assert getattr(V, op)(other) == getattr(theirs, op)(other), (other, op)


def test_packaging_parses_it():
    version = pytest.importorskip("packaging.version")
    parsed = version.parse(V)
    assert parsed.release == (2, 13, 0) and parsed.local == "chainrule.0.1.0"
    assert parsed >= version.parse("2.0") and V >= version.parse("2.13")


def test_not_a_version_compares_as_a_string():
    assert (V == "parrot") is False and V < "parrot"


def test_a_script_under_chainrule_run_takes_the_new_path(tmp_path, capsys):
    script = tmp_path / "s.py"
    script.write_text(
        textwrap.dedent(
            """
            import torch
            from packaging import version
            new = version.parse(torch.__version__) >= version.parse("2.0")
            if torch.__version__ >= "1.10" and new:
                print("new path", torch.version.cuda)
            else:
                print("old path")
            """
        )
    )
    pytest.importorskip("packaging")
    assert main(["run", str(script)]) == 0
    assert capsys.readouterr().out == "new path None\n"

"""The graph viewer as a pip user gets it: the built wheel, installed in a fresh virtual
environment outside the checkout, with no network, no Node and no Graphviz, writes
graph.html, graph.svg, a notebook page of two graphs, and runs `chainrule explain`.

The wheel is built from a copy of the project (nothing is written into the checkout)
without build isolation, so nothing is downloaded; numpy, the one dependency, is lent
to the fresh environment from this one. Skips cleanly where that cannot work offline
(no setuptools here, or a pip without --python).
"""

import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Run first in the fresh interpreter: any attempt to reach the network fails loudly.
NO_NETWORK = """
import socket
def _refused(*args, **kwargs):
    raise OSError("this test has no network")
socket.socket.connect = socket.socket.connect_ex = _refused
socket.create_connection = socket.getaddrinfo = _refused
"""

NOTEBOOK = """
import pathlib
import xml.etree.ElementTree as ET

import chainrule as torch

checkout = pathlib.Path(CHECKOUT)
where = pathlib.Path(torch.__file__).resolve()
assert "site-packages" in where.parts and checkout not in where.parents, where

w = torch.tensor([1.0], requires_grad=True)
x, y = 1.0, torch.tensor([2.0])
with torch.viz.record():
    y_pred = x * w
    l = (y_pred - y) ** 2
graph = torch.viz.trace(l)
l.backward()
assert graph.save("graph.html") is not None and graph.save("graph.svg") is not None
ET.fromstring(pathlib.Path("graph.svg").read_text().split("\\n", 1)[1])

a = torch.tensor([2.0, 3.0], requires_grad=True)
with torch.viz.record():
    s = (a * a).sum()
second = torch.viz.trace(s)
s.backward()
cells = [graph._repr_html_(), second._repr_html_()]
assert all(c is not None for c in cells) and graph._repr_svg_().startswith("<?xml")
pathlib.Path("notebook.html").write_text(
    "<!DOCTYPE html><html><body>" + "<p>next cell</p>".join(cells) + "</body></html>",
    encoding="utf-8",
)
print("written")
"""

LESSON = """
import torch

w = torch.tensor([1.0], requires_grad=True)
for x, y in [(1.0, 2.0), (2.0, 4.0)]:
    l = (x * w - y) ** 2
    l.backward()
    w.data = w.data - 0.01 * w.grad.data
    w.grad.data.zero_()
print("trained")
"""


def _run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="session")
def fresh_env(tmp_path_factory):
    """A fresh venv with the built wheel installed; its python."""
    try:
        import numpy
        import setuptools  # noqa: F401  (builds the wheel without downloading a backend)
    except ImportError as e:
        pytest.skip(f"cannot build the wheel offline: {e}")
    base = tmp_path_factory.mktemp("wheel")
    project = base / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(
        ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    dist = base / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(dist), str(project)],
    )  # fmt: skip
    if built.returncode != 0:
        pytest.skip(f"pip could not build the wheel offline:\n{built.stderr[-2000:]}")
    (wheel,) = dist.glob("chainrule-*.whl")
    env = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
                .stdout.strip())  # fmt: skip
    # numpy lent from this environment (it alone: not torch, not this checkout)
    lent = base / "lent"
    lent.mkdir()
    numpy_dir = Path(numpy.__file__).parent
    for p in numpy_dir.parent.iterdir():
        if p.name == "numpy" or p.name.startswith(("numpy.libs", "numpy-", "numpy_")):
            (lent / p.name).symlink_to(p)
    (site / "lent_numpy.pth").write_text(str(lent) + "\n")
    installed = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index",
         "--no-deps", "-q", str(wheel)],
    )  # fmt: skip
    if installed.returncode != 0:
        pytest.skip(f"pip could not install into the fresh venv offline:\n{installed.stderr}")
    return python


def _offline_env(python):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = str(python.parent)  # no node, no dot: only the fresh venv's own programs
    return env


def test_the_installed_wheel_draws_without_network_node_or_graphviz(fresh_env, tmp_path):
    python = fresh_env
    script = tmp_path / "notebook.py"
    script.write_text(NO_NETWORK + f"CHECKOUT = {str(ROOT)!r}\n" + NOTEBOOK)
    done = _run([python, str(script)], cwd=tmp_path, env=_offline_env(python))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "written\n" and done.stderr == ""
    page = (tmp_path / "graph.html").read_text()
    assert 'class="cr-data"' in page and "y_pred = x * w" in page
    assert "x = 1" in (tmp_path / "graph.svg").read_text()
    notebook = (tmp_path / "notebook.html").read_text()
    assert notebook.count('<div class="chainrule-viz cr-embed"') == 2

    # `chainrule explain`, the installed command
    lesson = tmp_path / "lesson.py"
    lesson.write_text(textwrap.dedent(LESSON))
    sitecustomize = tmp_path / "offline"
    sitecustomize.mkdir()
    (sitecustomize / "sitecustomize.py").write_text(NO_NETWORK)
    env = _offline_env(python)
    env["PYTHONPATH"] = str(sitecustomize)
    command = python.parent / ("chainrule.exe" if os.name == "nt" else "chainrule")
    done = _run([command, "explain", "--out", "out", str(lesson)], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "trained\n"
    assert "[3] mul = x * w    (MulBackward0)" in (tmp_path / "out" / "explain.txt").read_text()
    assert "sub = mul - y" in (tmp_path / "out" / "graph.svg").read_text()
    assert 'class="cr-data"' in (tmp_path / "out" / "graph.html").read_text()

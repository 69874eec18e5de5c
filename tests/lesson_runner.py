"""Running the course lessons in examples/ as scripts, for the lesson tests: under
`chainrule run`, and a batch of them under PyTorch in one interpreter (PyTorch is imported
once), each writing its output to a file."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
EXAMPLES = ROOT / "examples"

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run(args, cwd, pythonpath=(), one_thread=False):
    """Run a command with chainrule's src/ importable; its stdout. one_thread: one
    BLAS/OpenMP thread (small runs on a possibly busy machine)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [*map(str, pythonpath), str(SRC), *filter(None, [env.get("PYTHONPATH")])]
    )
    if one_thread:
        env.update(dict.fromkeys(_THREAD_VARIABLES, "1"))
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-2000:]}\n{result.stderr}"
    return result.stdout


def under_chainrule(lesson, cwd, *args, pythonpath=(), one_thread=False):
    command = [sys.executable, "-m", "chainrule", "run", str(EXAMPLES / lesson), *args]
    return run(command, cwd, pythonpath=pythonpath, one_thread=one_thread)


_DRIVER = """
import contextlib, json, os, runpy, sys
import torch
jobs = json.loads(sys.argv[1])
for script, args, out in jobs:
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(script))
    with open(out, "w") as f, contextlib.redirect_stdout(f):
        runpy.run_path(script, run_name="__main__")
    sys.path.pop(0)
"""


def run_under_torch(jobs, cwd, one_thread=False):
    """Run (lesson, args, output file) jobs in order in one PyTorch interpreter (a lesson
    seeds itself: --seed)."""
    jobs = [[str(EXAMPLES / lesson), list(args), str(out)] for lesson, args, out in jobs]
    run([sys.executable, "-c", _DRIVER, json.dumps(jobs)], cwd, one_thread=one_thread)

"""Instructions per run of run.py's workloads under chainrule, counted by callgrind.

    python benchmarks/callgrind.py lesson chain50 mlp:tiny     # needs valgrind
    python benchmarks/callgrind.py --runs 50 chain50
    python benchmarks/callgrind.py --torch lesson chain50   # PyTorch's side, for reference

On a shared, noisy machine timings wander; instruction counts do not. Each workload
runs in two processes under `valgrind --tool=callgrind`: one that only sets it up and
warms it up, one that then runs it N more times; the difference over N is one run's
count. `NAME:tiny` runs the workload at its tiny size. Hash randomisation is off and
the BLAS runs one thread, so the counts repeat (to within garbage collection).
"""

import argparse
import compileall
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_RUNS = {"lesson": 10}  # one lesson run is 300 training steps


def child(name, runs, tiny, library):
    """The body of the counted process: set up, warm up, then `runs` runs."""
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(HERE))
    import run as bench

    if library == "torch":
        import torch as module

        module.set_num_threads(1)
    else:
        import chainrule as module

    fn = bench.WORKLOADS[name](module, tiny)
    for _ in range(3):
        fn()
    for _ in range(runs):
        fn()


def count(name, runs, tiny, tmp, library="chainrule"):
    """Instructions of a process that runs the workload `runs` times after its warm-up."""
    out = Path(tmp) / f"{name}.{runs}.out"
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable]
    command += [__file__, "--child", name, str(runs), "--library", library]
    command += ["--tiny"] if tiny else []
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
    subprocess.run(command, check=True, env=env, capture_output=True)
    summary = re.search(r"^summary: (\d+)", out.read_text(), re.M)
    return int(summary.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", default=["lesson", "chain50", "mlp:tiny"])
    parser.add_argument("--runs", type=int, help="counted runs (default 200; lesson 10)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--library", default="chainrule", help=argparse.SUPPRESS)
    parser.add_argument("--torch", action="store_true", help="count PyTorch's side instead")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.tiny, args.library)
        return
    compileall.compile_dir(str(ROOT / "src"), quiet=1)  # so neither process compiles
    library = "torch" if args.torch else "chainrule"
    print(f"{'workload':<12} {'instructions per run':>22}  ({library})")
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.workloads:
            name, _, size = spec.partition(":")
            runs = args.runs or DEFAULT_RUNS.get(name, 200)
            base = count(name, 0, size == "tiny", tmp, library)
            total = count(name, runs, size == "tiny", tmp, library)
            print(f"{spec:<12} {(total - base) // runs:>22,}")


if __name__ == "__main__":
    main()

"""Side-by-side timings of chainrule and PyTorch on the same workloads.

    python benchmarks/run.py                  # every workload, both libraries
    python benchmarks/run.py --only chain50   # one workload (repeatable option)
    python benchmarks/run.py --repeat 21      # more timed samples per median

Each workload is written once against a module argument `torch`, which is
either chainrule or PyTorch, so both libraries run exactly the same Python
code in the same process. PyTorch is pinned to the thread count of NumPy's
BLAS, so that neither library gets more cores than the other.

Not a test: pytest never runs it (tests/test_benchmarks.py only checks that each
workload still runs, at a tiny size).
"""

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

SRC = Path(__file__).resolve().parents[1] / "src"


# --- workloads ----------------------------------------------------------------
# Each takes the library module and `tiny` (a small size for smoke tests) and
# returns a function of no arguments: one timed run. Setup stays outside it.


def lesson(torch, tiny=False):
    """The backprop lesson's training loop (examples/backprop.py) without prints."""
    epochs = 2 if tiny else 100
    x_data = [1.0, 2.0, 3.0]
    y_data = [2.0, 4.0, 6.0]

    def run():
        w = torch.tensor([1.0])
        w.requires_grad = True
        for _ in range(epochs):
            for x, y in zip(x_data, y_data):
                y_pred = x * w
                l = (y_pred - y) ** 2
                l.backward()
                w.data = w.data - 0.01 * w.grad.data
                w.grad.data.zero_()
        return w

    return run


def chain50(torch, tiny=False):
    """50 pointwise ops in a chain on a one-element tensor, forward and backward."""
    length = 4 if tiny else 50
    steps = [
        lambda t: t * 0.9,
        torch.tanh,
        lambda t: t + 0.1,
        torch.sigmoid,
    ]

    def run():
        x = torch.tensor([0.5], requires_grad=True)
        t = x
        for i in range(length):
            t = steps[i % len(steps)](t)
        t.backward()
        return x.grad

    return run


def matmul1024(torch, tiny=False):
    """(A @ B).sum().backward() for two 1024x1024 float32 matrices that require grad."""
    n = 8 if tiny else 1024
    rng = np.random.default_rng(0)
    a = torch.tensor(rng.standard_normal((n, n), dtype=np.float32), requires_grad=True)
    b = torch.tensor(rng.standard_normal((n, n), dtype=np.float32), requires_grad=True)

    def run():
        (a @ b).sum().backward()
        grads = a.grad, b.grad
        a.grad = None  # so every run does the same work (no accumulation)
        b.grad = None
        return grads

    return run


WORKLOADS = {"lesson": lesson, "chain50": chain50, "matmul1024": matmul1024}

# chainrule's targets: the ratio chainrule/PyTorch must not exceed these.
TARGETS = {"lesson": 0.5, "chain50": 0.5, "matmul1024": 1.25}


# --- threads ------------------------------------------------------------------


def blas_threads():
    """The number of threads NumPy's BLAS uses (call before PyTorch is imported)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        blas = [info for info in threadpool_info() if info.get("user_api") == "blas"]
        numpy_blas = [info for info in blas if "numpy" in info.get("filepath", "")]
        for info in numpy_blas or blas:
            return info["num_threads"], f"threadpoolctl ({info.get('internal_api')})"
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value), var
    # OpenBLAS, NumPy's usual BLAS, starts one thread per core it may run on.
    try:
        return len(os.sched_getaffinity(0)), "CPU affinity"
    except AttributeError:
        return os.cpu_count() or 1, "os.cpu_count()"


# --- timing -------------------------------------------------------------------


def calibrate(run, warmup=2, min_sample_s=0.05):
    """Warm run() up; return how many calls one timed sample makes.

    The count grows until one sample takes at least min_sample_s, so that
    sub-millisecond workloads are not measured at the timer's resolution.
    """
    for _ in range(warmup):
        run()
    number = 1
    while True:
        elapsed = sample(run, number) * number
        if elapsed >= min_sample_s or number >= 1_000_000:
            return number
        number *= 2 if elapsed == 0 else max(2, min(10, int(min_sample_s / elapsed) + 1))


def sample(run, number):
    """Seconds per call of run(), averaged over `number` calls in a row."""
    start = time.perf_counter()
    for _ in range(number):
        run()
    return (time.perf_counter() - start) / number


def describe(error):
    message = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {message}"


def measure(name, libraries, repeat, tiny):
    """Time one workload on each library: {label: (median seconds or None, error or None)}.

    The libraries' samples alternate (chainrule, PyTorch, chainrule, ...), so
    that a change in the machine's load during the run hits both alike. A
    library whose workload raises gets its error instead of a time; the
    others go on.
    """
    results, runs = {}, {}
    for label, module in libraries.items():
        try:
            run = WORKLOADS[name](module, tiny=tiny)
            runs[label] = run, calibrate(run)
        except Exception as error:  # a workload that fails must not stop the others
            results[label] = None, describe(error)
    samples = {label: [] for label in runs}
    gc.collect()
    for _ in range(repeat):
        for label, (run, number) in list(runs.items()):
            try:
                samples[label].append(sample(run, number))
            except Exception as error:
                results[label] = None, describe(error)
                del runs[label]
    for label in runs:
        results[label] = statistics.median(samples[label]), None
    return results


def format_time(seconds):
    if seconds is None:
        return "-"
    if seconds >= 1.0:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.1f} us"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=11, help="timed samples per median (default 11)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(WORKLOADS),
        metavar="NAME",
        help=f"run only this workload (repeatable): {', '.join(WORKLOADS)}",
    )
    parser.add_argument(
        "--tiny", action="store_true", help="tiny sizes: checks that workloads run, times nothing"
    )
    parser.add_argument("--no-torch", action="store_true", help="time chainrule alone")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def import_chainrule():
    try:
        import chainrule
    except ImportError:
        sys.path.insert(0, str(SRC))  # run from a checkout without installing
        import chainrule
    return chainrule


def main(argv=None, out=None):
    args = parse_args(argv)
    out = out or sys.stdout
    names = [name for name in WORKLOADS if not args.only or name in args.only]

    chainrule = import_chainrule()
    threads, source = blas_threads()  # before PyTorch loads its own thread pools
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: timing chainrule alone.", file=out)
    if torch is not None:
        torch.set_num_threads(threads)

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}", file=out)
    print(f"chainrule {getattr(chainrule, '__version__', '?')}", file=out)
    if torch is not None:
        print(
            f"torch {torch.__version__}, pinned to {torch.get_num_threads()} threads "
            f"(NumPy's BLAS: {threads}, from {source})",
            file=out,
        )
    else:
        print(f"NumPy's BLAS threads: {threads} (from {source})", file=out)
    print(
        f"median of {args.repeat} samples per workload{', TINY sizes' if args.tiny else ''}",
        file=out,
    )
    print(file=out)

    header = f"{'workload':<12} {'chainrule':>12} {'PyTorch':>12} {'ratio':>7}  target"
    print(header, file=out)
    print("-" * len(header), file=out)
    errors = []
    libraries = {"chainrule": chainrule}
    if torch is not None:
        libraries["PyTorch"] = torch
    for name in names:
        results = measure(name, libraries, args.repeat, args.tiny)
        ours, our_error = results["chainrule"]
        theirs, their_error = results.get("PyTorch", (None, None))
        ratio = ours / theirs if ours is not None and theirs else None
        target = TARGETS[name]
        verdict = ""
        if ratio is not None:
            verdict = "met" if ratio <= target else "MISSED"
        print(
            f"{name:<12} {format_time(ours):>12} "
            f"{format_time(theirs) if torch is not None else 'n/a':>12} "
            f"{f'{ratio:.2f}' if ratio is not None else '-':>7}  "
            f"<= {target:<4} {verdict}".rstrip(),
            file=out,
        )
        for library, error in (("chainrule", our_error), ("PyTorch", their_error)):
            if error:
                errors.append(f"{name} on {library}: error: {error}")
    if errors:
        print(file=out)
        for line in errors:
            print(line, file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

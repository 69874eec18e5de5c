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
import compileall
import gc
import os
import statistics
import subprocess
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


class Skipped(Exception):
    """Raised by a workload's setup when the library lacks a feature it needs."""


def require(torch, *names):
    """Skip the workload unless the library has each dotted name (e.g. "nn.Conv2d")."""
    for name in names:
        obj = torch
        for part in name.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                raise Skipped(f"missing {name}")


def init_parameters(torch, model, seed=0):
    """The same initial weights in both libraries: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))
    from one NumPy generator, in parameter order (a bias takes its weight's bound)."""
    rng = np.random.default_rng(seed)
    bound = 0.1
    with torch.no_grad():
        for p in model.parameters():
            shape = tuple(p.shape)
            if len(shape) > 1:
                bound = 1.0 / np.sqrt(int(np.prod(shape[1:])))
            values = rng.uniform(-bound, bound, shape).astype(np.float32)
            p.copy_(torch.tensor(values))


def training_step(model, criterion, optimizer, inputs, target):
    """One step of the course's training loop, as a function of nothing: zero_grad, the
    forward pass and the loss, backward, the optimizer's step."""

    def run():
        optimizer.zero_grad()
        loss = criterion(model(*inputs), target)
        loss.backward()
        optimizer.step()
        return loss

    return run


def mlp_parts(torch, tiny=False):
    """Lesson 09's network at 784-256-128-10 with ReLU, its loss (CrossEntropyLoss), its
    optimizer (SGD, momentum 0.5) and one batch of 64 MNIST-sized images and labels."""
    sizes = (12, 8, 6, 3) if tiny else (784, 256, 128, 10)
    batch = 4 if tiny else 64
    side = 2 if tiny else 28  # tiny: 3 x 2 x 2 = 12 inputs
    F = torch.nn.functional

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = torch.nn.Linear(sizes[0], sizes[1])
            self.l2 = torch.nn.Linear(sizes[1], sizes[2])
            self.l3 = torch.nn.Linear(sizes[2], sizes[3])

        def forward(self, x):
            x = x.view(-1, sizes[0])
            x = F.relu(self.l1(x))
            x = F.relu(self.l2(x))
            return self.l3(x)

    model = Net()
    init_parameters(torch, model)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    rng = np.random.default_rng(1)
    channels = sizes[0] // (side * side)
    x = torch.tensor(rng.standard_normal((batch, channels, side, side), dtype=np.float32))
    y = torch.tensor(rng.integers(0, sizes[3], batch))
    return model, criterion, optimizer, x, y


def mlp(torch, tiny=False):
    """One training step of a 784-256-128-10 ReLU MLP on a batch of 64 (lesson 09's loop)."""
    model, criterion, optimizer, x, y = mlp_parts(torch, tiny)
    return training_step(model, criterion, optimizer, (x,), y)


def cnn(torch, tiny=False):
    """One training step of lesson 10's CNN (two 5x5 convolutions, 2x2 max pooling, ReLU,
    Linear 320->10) on a batch of 64 1x28x28 images, CrossEntropyLoss, SGD momentum 0.5."""
    require(torch, "nn.Conv2d", "nn.MaxPool2d")
    batch = 2 if tiny else 64
    F = torch.nn.functional

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = torch.nn.Conv2d(10, 20, kernel_size=5)
            self.pooling = torch.nn.MaxPool2d(2)
            self.fc = torch.nn.Linear(320, 10)

        def forward(self, x):
            batch_size = x.size(0)
            x = F.relu(self.pooling(self.conv1(x)))
            x = F.relu(self.pooling(self.conv2(x)))
            x = x.view(batch_size, -1)
            return self.fc(x)

    model = Net()
    init_parameters(torch, model)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    rng = np.random.default_rng(2)
    x = torch.tensor(rng.standard_normal((batch, 1, 28, 28), dtype=np.float32))
    y = torch.tensor(rng.integers(0, 10, batch))
    return training_step(model, criterion, optimizer, (x,), y)


def gru(torch, tiny=False):
    """One training step of lesson 13's name classifier: Embedding(128, 100), a 2-layer
    bidirectional GRU(100, 100) over a packed batch of 256 names of 3-19 characters, the
    final forward and backward hidden states concatenated into Linear(200, 18),
    CrossEntropyLoss, backward, Adam."""
    require(torch, "nn.GRU", "nn.Embedding", "nn.utils.rnn.pack_padded_sequence")
    batch, hidden, n_chars, n_countries = (4, 6, 128, 18) if tiny else (256, 100, 128, 18)
    low, high = (2, 6) if tiny else (3, 20)
    pack_padded_sequence = torch.nn.utils.rnn.pack_padded_sequence

    class RNNClassifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(n_chars, hidden)
            self.gru = torch.nn.GRU(hidden, hidden, 2, bidirectional=True)
            self.fc = torch.nn.Linear(hidden * 2, n_countries)

        def forward(self, input, seq_lengths):
            input = input.t()  # (batch, seq) -> (seq, batch)
            batch_size = input.size(1)
            h0 = torch.zeros(2 * 2, batch_size, hidden)
            embedding = self.embedding(input)
            gru_input = pack_padded_sequence(embedding, seq_lengths)
            output, h_n = self.gru(gru_input, h0)
            hidden_cat = torch.cat([h_n[-1], h_n[-2]], dim=1)
            return self.fc(hidden_cat)

    model = RNNClassifier()
    init_parameters(torch, model)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    rng = np.random.default_rng(3)
    lengths = np.sort(rng.integers(low, high, batch))[::-1].copy()  # longest first, as packed
    names = np.zeros((batch, int(lengths[0])), dtype=np.int64)
    for i, n in enumerate(lengths):
        names[i, :n] = rng.integers(ord("A"), ord("z") + 1, n)  # ASCII letters, 0-padded
    inputs = torch.tensor(names)
    seq_lengths = torch.tensor(lengths)
    target = torch.tensor(rng.integers(0, n_countries, batch))
    return training_step(model, criterion, optimizer, (inputs, seq_lengths), target)


def rng(torch, tiny=False):
    """10**7 float32 uniforms (rand) and 10**7 float32 normals (randn) from the default
    generator: the same numbers in both libraries."""
    n = 1000 if tiny else 10_000_000
    torch.manual_seed(0)

    def run():
        return torch.rand(n), torch.randn(n)

    return run


WORKLOADS = {
    "lesson": lesson,
    "chain50": chain50,
    "matmul1024": matmul1024,
    "mlp": mlp,
    "cnn": cnn,
    "gru": gru,
    "rng": rng,
}

# chainrule's targets: the ratio chainrule/PyTorch must not exceed these (for `import`, the
# ratio chainrule/NumPy).
TARGETS = {
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


# --- import -------------------------------------------------------------------
# The CPU time of `import X` in a fresh process (time.process_time around the import
# statement: the interpreter's own start-up is left out), for chainrule, NumPy, which
# chainrule cannot start faster than, and PyTorch. The samples alternate between the
# three; the median is reported.

IMPORT_CODE = "import time; t = time.process_time(); import {}; print(time.process_time() - t)"


def import_seconds(module_name, pythonpath):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_CODE.format(module_name)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.split()[-1])


def measure_import(chainrule, has_torch, repeat, tiny):
    """{name: (median seconds or None, error or None)} for chainrule, numpy and torch."""
    package = Path(chainrule.__file__).resolve().parent
    if not tiny:
        # Compiled first, as an installed package is: with PYTHONDONTWRITEBYTECODE set, each
        # process would otherwise compile what changed since the bytecode was written.
        compileall.compile_dir(str(package), quiet=1)
    names = ["chainrule", "numpy"] + (["torch"] if has_torch else [])
    samples = {name: [] for name in names}
    results = {}
    for _ in range(1 if tiny else repeat):
        for name in list(samples):
            try:
                samples[name].append(import_seconds(name, str(package.parent)))
            except (subprocess.CalledProcessError, ValueError, IndexError) as error:
                results[name] = None, describe(error)
                del samples[name]
    for name, values in samples.items():
        results[name] = statistics.median(values), None
    return results


# --- memory -------------------------------------------------------------------
# Each library trains the MLP for 200 steps in a process of its own (so that one
# library's allocations never count against the other), reading its resident set
# size after the forward pass, after backward and after the optimizer's step.

MEMORY_STEPS = 200
GROWTH_FROM = 20  # growth is measured from this step to the last
# "Flat": less growth than this from step 20 to 200. A leak of what one step allocates (the
# MLP's activations and gradients, over 1 MiB) would show as hundreds of MiB.
FLAT_LIMIT = 1 << 20


def rss_bytes():
    """This process's resident set size now, in bytes (Linux: /proc/self/statm)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource  # elsewhere: the peak so far, the best the platform offers

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def memory_profile(torch, steps=MEMORY_STEPS, tiny=False):
    """Train the MLP for `steps` steps: {"baseline": bytes before training, "steps": the
    highest RSS seen within each step}."""
    model, criterion, optimizer, x, y = mlp_parts(torch, tiny)
    gc.collect()
    baseline = rss_bytes()
    per_step = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        after_forward = rss_bytes()
        loss.backward()
        after_backward = rss_bytes()
        optimizer.step()
        del loss
        per_step.append(max(after_forward, after_backward, rss_bytes()))
    return {"baseline": baseline, "steps": per_step}


def memory_child(library, threads, steps, tiny):
    """The body of `run.py --memory-child LIB`: print the profile as JSON."""
    import json

    if library == "chainrule":
        module = import_chainrule()
    else:
        import torch as module

        module.set_num_threads(threads)
    print(json.dumps(memory_profile(module, steps, tiny)))


def memory_in_subprocess(library, threads, steps, tiny):
    """Run memory_child in a fresh interpreter; its profile, or raise with its stderr."""
    import json
    import subprocess

    command = [sys.executable, str(Path(__file__).resolve()), "--memory-child", library]
    command += ["--threads", str(threads), "--steps", str(steps)] + (["--tiny"] if tiny else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise RuntimeError(lines[-1])
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarize_memory(profile):
    """(peak above the baseline, growth from step GROWTH_FROM to the last), in bytes."""
    per_step = profile["steps"]
    peak = max(per_step) - profile["baseline"]
    start = min(GROWTH_FROM, len(per_step)) - 1
    growth = per_step[-1] - per_step[start]
    return peak, growth


def format_bytes(n):
    if n is None:
        return "-"
    sign = "-" if n < 0 else ""
    n = abs(n)
    if n >= 1 << 20:
        return f"{sign}{n / (1 << 20):.1f} MiB"
    return f"{sign}{n / 1024:.0f} KiB"


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
    others go on. A workload chainrule cannot run yet (Skipped) is not timed
    on any library.
    """
    results, runs = {}, {}
    for label, module in libraries.items():
        try:
            run = WORKLOADS[name](module, tiny=tiny)
            runs[label] = (
                run,
                (calibrate(run, warmup=1, min_sample_s=0) if tiny else calibrate(run)),
            )
        except Skipped as skip:
            return {label: (None, f"skipped: {skip}") for label in libraries}
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


def measure_memory(libraries, threads, steps, tiny):
    """Peak and growth of each library's MLP training, each in its own process:
    {label: ((peak, growth) or None, error or None)}."""
    results = {}
    for label in libraries:
        library = "chainrule" if label == "chainrule" else "torch"
        try:
            results[label] = summarize_memory(memory_in_subprocess(library, threads, steps, tiny))
            results[label] = results[label], None
        except Exception as error:
            results[label] = None, describe(error)
    return results


def format_time(seconds):
    if seconds is None:
        return "-"
    if seconds >= 1.0:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.1f} us"


NAMES = [*WORKLOADS, "memory200", "import"]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=11, help="timed samples per median (default 11)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=NAMES,
        metavar="NAME",
        help=f"run only this workload (repeatable): {', '.join(NAMES)}",
    )
    parser.add_argument(
        "--tiny", action="store_true", help="tiny sizes: checks that workloads run, times nothing"
    )
    parser.add_argument("--no-torch", action="store_true", help="time chainrule alone")
    # The memory workload's child processes (internal).
    parser.add_argument("--memory-child", choices=["chainrule", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=MEMORY_STEPS, help=argparse.SUPPRESS)
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


def verdict(ratio, target):
    if ratio is None:
        return ""
    return "met" if ratio <= target else "MISSED"


def print_timing_row(name, results, has_torch, out, errors):
    ours, our_error = results["chainrule"]
    theirs, their_error = results.get("PyTorch", (None, None))
    if our_error and our_error.startswith("skipped: "):
        print(f"{name:<12} {our_error}", file=out)
        return
    ratio = ours / theirs if ours is not None and theirs else None
    target = TARGETS[name]
    print(
        f"{name:<12} {format_time(ours):>12} "
        f"{format_time(theirs) if has_torch else 'n/a':>12} "
        f"{f'{ratio:.2f}' if ratio is not None else '-':>7}  "
        f"<= {target:<4} {verdict(ratio, target)}".rstrip(),
        file=out,
    )
    for library, error in (("chainrule", our_error), ("PyTorch", their_error)):
        if error:
            errors.append(f"{name} on {library}: error: {error}")


def print_import_row(results, out, errors):
    """chainrule's import against NumPy's (the target), PyTorch's beside them."""
    ours, numpy_time, torch_time = (results.get(n, (None, None))[0] for n in IMPORT_NAMES)
    ratio = ours / numpy_time if ours is not None and numpy_time else None
    target = TARGETS["import"]
    print(
        f"{'import':<12} {format_time(ours):>12} {format_time(numpy_time):>12} "
        f"{f'{ratio:.2f}' if ratio is not None else '-':>7}  "
        f"<= {target:<4} {verdict(ratio, target)}".rstrip()
        + f"  (CPU; 2nd column: numpy; PyTorch: {format_time(torch_time)})",
        file=out,
    )
    for name in IMPORT_NAMES:
        error = results.get(name, (None, None))[1]
        if error:
            errors.append(f"import of {name}: error: {error}")


IMPORT_NAMES = ("chainrule", "numpy", "torch")


def print_memory_rows(results, has_torch, steps, out, errors):
    ours, our_error = results["chainrule"]
    theirs, their_error = results.get("PyTorch", (None, None))
    peak_ratio = None
    if ours is not None and theirs is not None and theirs[0] > 0:
        peak_ratio = ours[0] / theirs[0]
    target = TARGETS["memory200"]
    na = "n/a" if not has_torch else "-"
    print(
        f"{'memory200':<12} {format_bytes(ours and ours[0]):>12} "
        f"{format_bytes(theirs[0]) if theirs else na:>12} "
        f"{f'{peak_ratio:.2f}' if peak_ratio is not None else '-':>7}  "
        f"<= {target:<4} {verdict(peak_ratio, target)}".rstrip(),
        file=out,
    )
    flat = ""
    if ours is not None:
        flat = "flat" if ours[1] <= FLAT_LIMIT else "GROWS"
    print(
        f"{'  growth':<12} {format_bytes(ours and ours[1]):>12} "
        f"{format_bytes(theirs[1]) if theirs else na:>12} {'':>7}  "
        f"<= {format_bytes(FLAT_LIMIT)} {flat} (RSS from step {min(GROWTH_FROM, steps)} to "
        f"{steps})",
        file=out,
    )
    for library, error in (("chainrule", our_error), ("PyTorch", their_error)):
        if error:
            errors.append(f"memory200 on {library}: error: {error}")


def main(argv=None, out=None):
    args = parse_args(argv)
    out = out or sys.stdout
    if args.memory_child:
        memory_child(args.memory_child, args.threads, args.steps, args.tiny)
        return 0
    names = [name for name in NAMES if not args.only or name in args.only]

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
    if "memory200" in names:
        steps = 3 if args.tiny else args.steps
        print(
            f"memory200: {steps} MLP steps per library, each in its own process; peak RSS "
            "above the pre-training baseline, then its growth",
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
        if name == "memory200":
            results = measure_memory(libraries, threads, steps, args.tiny)
            print_memory_rows(results, torch is not None, steps, out, errors)
            continue
        if name == "import":
            results = measure_import(chainrule, torch is not None, args.repeat, args.tiny)
            print_import_row(results, out, errors)
            continue
        results = measure(name, libraries, args.repeat, args.tiny)
        print_timing_row(name, results, torch is not None, out, errors)
        out.flush()
    if errors:
        print(file=out)
        for line in errors:
            print(line, file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

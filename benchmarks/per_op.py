"""Per-op cost on one-element tensors, forward and backward, chainrule beside PyTorch.

    python benchmarks/per_op.py               # every op
    python benchmarks/per_op.py --repeat 21   # more samples per median (default 11)

A row times a chain of CHAIN applications of one op to a one-element float32 tensor that
requires grad, then `backward()`, and divides by CHAIN: the op's forward, its graph node
and its step of the backward pass, with the fixed cost of the backward call spread
over the chain. Both libraries run the same code and alternate samples in one process
(run.py's timing functions). Starting values keep every chain finite and away from
subnormals.
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402  (the runner's timing and library set-up)

CHAIN = 20

# name -> (starting value, the step as a function of the library module)
OPS = {
    "t + 0.1": (0.5, lambda torch: lambda t, x: t + 0.1),
    "t - 0.1": (0.5, lambda torch: lambda t, x: t - 0.1),
    "t * 0.9": (0.5, lambda torch: lambda t, x: t * 0.9),
    "t / 1.1": (0.5, lambda torch: lambda t, x: t / 1.1),
    "t + x": (0.5, lambda torch: lambda t, x: t + x),
    "t * x": (0.9, lambda torch: lambda t, x: t * x),
    "-t": (0.5, lambda torch: lambda t, x: -t),
    "t ** 2": (1.0, lambda torch: lambda t, x: t**2),
    "sqrt": (0.5, lambda torch: lambda t, x: t.sqrt()),
    "sin": (0.5, lambda torch: lambda t, x: t.sin()),
    "log1p": (0.5, lambda torch: lambda t, x: t.log1p()),
    "tanh": (0.5, lambda torch: lambda t, x: torch.tanh(t)),
    "sigmoid": (0.5, lambda torch: lambda t, x: torch.sigmoid(t)),
    "relu": (0.5, lambda torch: lambda t, x: torch.relu(t)),
    "sum": (0.5, lambda torch: lambda t, x: t.sum()),
}


def workload(torch, name):
    start, make = OPS[name]
    step = make(torch)

    def run():
        x = torch.tensor([start], requires_grad=True)
        t = x
        for _ in range(CHAIN):
            t = step(t, x)
        t.sum().backward()
        return x.grad

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=11, help="samples per median")
    args = parser.parse_args(argv)
    threads, _ = bench.blas_threads()
    import chainrule

    libraries = {"chainrule": chainrule}
    try:
        import torch

        torch.set_num_threads(threads)
        libraries["PyTorch"] = torch
    except ImportError:
        pass
    print(f"microseconds per op (forward + backward), chains of {CHAIN}, one-element float32")
    print(f"{'op':10} {'chainrule':>10} {'PyTorch':>10} {'ratio':>7}")
    for name in OPS:
        runs = {label: workload(module, name) for label, module in libraries.items()}
        numbers = {label: bench.calibrate(run) for label, run in runs.items()}
        samples = {label: [] for label in runs}
        for _ in range(args.repeat):
            for label, run in runs.items():
                samples[label].append(bench.sample(run, numbers[label]))
        us = {label: sorted(s)[len(s) // 2] / CHAIN * 1e6 for label, s in samples.items()}
        ours, theirs = us["chainrule"], us.get("PyTorch")
        ratio = f"{ours / theirs:7.2f}" if theirs else "      -"
        other = f"{theirs:10.2f}" if theirs else "         -"
        print(f"{name:10} {ours:10.2f} {other} {ratio}")


if __name__ == "__main__":
    main()

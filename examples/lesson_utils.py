"""Plumbing shared by the lessons (not a lesson itself): command-line options (--seed makes
a run repeatable: the same seed gives the same weights and shuffles under PyTorch and
chainrule, and under chainrule it turns on PyTorch's order of arithmetic, so that the
printed numbers are PyTorch's), saving and loading initial weights as .npz, and the optional extras
(matplotlib plots, tqdm bars). Plots go to examples/output/ (which git ignores) unless
--out says elsewhere.

Written against PyTorch's API, so it runs under PyTorch and under `chainrule run` alike.
"""

import argparse
import os

import numpy as np
import torch

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")


class _Seed(argparse.Action):
    """--seed N: a seeded lesson's point is to print PyTorch's numbers, so under chainrule it
    follows PyTorch's order of arithmetic (off by default, as it costs time)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        use = getattr(torch, "use_pytorch_arithmetic", None)  # chainrule's switch
        if use is not None:
            use(True)


def parser(description, epochs):
    """The options every lesson takes; a lesson may add its own before parse_args()."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--epochs", type=int, default=epochs, help=f"epochs to train (default {epochs})")
    p.add_argument(
        "--out", default=OUTPUT, help="directory for the PNG plots (default: examples/output)"
    )
    p.add_argument(
        "--seed",
        type=int,
        action=_Seed,
        help="seed the random numbers (torch.manual_seed); under chainrule this also turns on "
        "PyTorch's order of arithmetic (torch.use_pytorch_arithmetic), slower but printing "
        "PyTorch's numbers",
    )
    p.add_argument("--init", metavar="FILE.npz", help="load the initial weights from this file")
    p.add_argument("--save-init", metavar="FILE.npz", help="save the initial weights here")
    p.add_argument("--no-plot", action="store_true", help="draw no plot")
    return p


def save_state(model, path):
    """Write model.state_dict() as one NumPy array per entry."""
    np.savez(path, **{k: v.detach().numpy() for k, v in model.state_dict().items()})


def load_state(model, path):
    """Load a state_dict written by save_state (the same model, any library)."""
    with np.load(path) as arrays:
        model.load_state_dict({k: torch.from_numpy(arrays[k]) for k in arrays.files})


def setup_init(model, args):
    """Apply --init and --save-init to a freshly built model."""
    if args.init:
        load_state(model, args.init)
    if args.save_init:
        save_state(model, args.save_init)


def pyplot(args):
    """matplotlib.pyplot drawing off-screen (Agg), or None: with --no-plot, or (with a
    note) when matplotlib is not installed."""
    if args.no_plot:
        return None
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no plot is drawn")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(plt, fig, args, name):
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, name)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"Plot written to {path}")


_said = set()


def _tqdm():
    try:
        from tqdm import tqdm
    except ImportError:
        if "tqdm" not in _said:
            _said.add("tqdm")
            print("tqdm is not installed: no progress bars")
        return None
    return tqdm


def progress(iterable, **kwargs):
    """A tqdm progress bar (on stderr) around iterable when tqdm is installed, else
    iterable itself."""
    tqdm = _tqdm()
    return iterable if tqdm is None else tqdm(iterable, **kwargs)


def say(text):
    """print(text), through tqdm when it is installed, so that a progress bar on the
    screen is redrawn below the line instead of being broken by it."""
    tqdm = _tqdm()
    if tqdm is None:
        print(text)
    else:
        tqdm.write(text)

"""The names added for scripts beyond the course resolve as torch.* and torchvision.* under
`chainrule run`, and exist on chainrule itself for a notebook's `import chainrule as torch`."""

import importlib
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import chainrule

SRC = Path(__file__).resolve().parents[1] / "src"


# -- reachable as torch.* under `chainrule run` --------------------------------------------------
SCRIPT = """
import torch
import torch.accelerator
import torch.amp
import torch.distributions as D
import torch.func
import torch.onnx
import torch.testing
import torch.utils.checkpoint
from torch.amp import GradScaler, autocast
from torch.cuda.amp import GradScaler as OldScaler
from torch.func import grad, vmap
from torch.utils.checkpoint import checkpoint
from torchvision.models import GoogLeNet, resnet18
from torchvision.models.googlenet import Inception
from torchvision.datasets import CIFAR10, FashionMNIST, ImageFolder

print(torch.accelerator.is_available(), torch.get_default_device())
torch.set_default_device("cpu")
net = torch.compile(torch.nn.Linear(2, 2))
print(type(torch.optim.Adadelta(net.parameters())).__name__)
print(type(Inception(192, 64, 96, 128, 16, 32, 32)).__name__, GoogLeNet.__module__)
torch.testing.assert_close(torch.ones(2), torch.ones(2))
print(D.Normal(0.0, 1.0).log_prob(torch.tensor(0.0)).item() < 0)
print(grad(lambda x: (x ** 2).sum())(torch.ones(2)).tolist())
"""


def test_the_new_names_resolve_under_chainrule_run(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(SCRIPT))
    env = dict(os.environ, PYTHONPATH=str(SRC))
    out = subprocess.run(
        [sys.executable, "-m", "chainrule", "run", str(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:5] == [
        "False cpu",
        "Adadelta",
        "Inception chainrule.vision.models.googlenet",
        "True",
        "[2.0, 2.0]",
    ]


def test_the_new_modules_exist_in_a_notebook_import():
    for name in ("accelerator", "amp", "compiler", "onnx", "testing", "distributions", "func"):
        assert hasattr(chainrule, name), name
    assert chainrule.utils.checkpoint.checkpoint is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importlib.import_module("chainrule.cuda.amp")

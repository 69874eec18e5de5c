"""Mistakes beginners make, and the messages they get."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def attempt(label, fn):
    try:
        out = fn()
        print(label, "->", out)
    except Exception as e:
        print(label, "->", type(e).__name__ + ":", e)


x = torch.tensor([[1.0, 2.0, 3.0]])
lin = nn.Linear(4, 2)
attempt("linear shape", lambda: lin(x))
attempt("matmul shape", lambda: torch.ones(2, 3) @ torch.ones(2, 3))
attempt("mm shape", lambda: torch.mm(torch.ones(2, 3), torch.ones(2, 3)))
attempt("add shape", lambda: torch.ones(2, 3) + torch.ones(3, 2))
attempt("view", lambda: torch.arange(6).view(4, -1))
attempt("view t", lambda: torch.ones(2, 3).t().view(6))
attempt("item", lambda: torch.ones(2).item())
attempt("0-d index", lambda: torch.tensor(1.5)[0])
attempt("ce float target", lambda: F.cross_entropy(torch.ones(2, 3), torch.tensor([0.0, 1.0])))
attempt("ce target range", lambda: F.cross_entropy(torch.ones(2, 3), torch.tensor([0, 3])))
attempt(
    "nll int input", lambda: F.nll_loss(torch.ones(2, 3, dtype=torch.long), torch.tensor([0, 1]))
)
attempt("bce range", lambda: F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0])))
attempt("bce long target", lambda: nn.BCELoss()(torch.tensor([0.5]), torch.tensor([1])))
attempt("mse size", lambda: F.mse_loss(torch.ones(3, 1), torch.ones(3)))
attempt("long linear", lambda: nn.Linear(2, 1)(torch.tensor([[1, 2]])))
attempt("double linear", lambda: nn.Linear(2, 1)(torch.tensor([[1.0, 2.0]], dtype=torch.float64)))
w = torch.tensor([1.0], requires_grad=True)
attempt("leaf inplace", lambda: w.add_(1))
attempt("numpy grad", lambda: w.numpy())
y = (w * w).sum()
y.backward()
attempt("backward twice", lambda: y.backward())
attempt("backward non-scalar", lambda: (w * torch.ones(3)).backward())
attempt("no grad tensor", lambda: torch.tensor([1.0]).sum().backward())
attempt("int requires grad", lambda: torch.tensor([1, 2], requires_grad=True))
attempt("grad of nonleaf", lambda: (w * 2).grad)
attempt("cat dims", lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 2)]))
attempt("stack shapes", lambda: torch.stack([torch.ones(2), torch.ones(3)]))
attempt("index", lambda: torch.arange(3)[5])
attempt("dim", lambda: torch.ones(2, 3).sum(2))
attempt("optim empty", lambda: torch.optim.SGD([], lr=0.1))
attempt("optim lr", lambda: torch.optim.SGD(lin.parameters(), lr=-1))
attempt("optim tensor", lambda: torch.optim.SGD(torch.ones(2), lr=0.1))
attempt("no forward", lambda: nn.Module()(x))
attempt(
    "missing super",
    lambda: type(
        "M", (nn.Module,), {"__init__": lambda self: setattr(self, "l", nn.Linear(1, 1))}
    )(),
)
attempt("module attr", lambda: lin.weights)
attempt("sequential idx", lambda: nn.Sequential(nn.ReLU())[3])
attempt("load bad", lambda: lin.load_state_dict({"weight": torch.ones(2, 4)}))
attempt("tensor from ragged", lambda: torch.tensor([[1, 2], [3]]))
attempt("from_numpy list", lambda: torch.from_numpy([1, 2]))
attempt("reshape", lambda: torch.ones(5).reshape(2, 3))
attempt("squeeze", lambda: torch.ones(2, 1).squeeze(1).shape)
attempt("max empty", lambda: torch.tensor([]).max())

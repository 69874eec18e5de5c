"""Lesson 05, exercise: the same linear regression trained by each of PyTorch's optimizers.

Every optimizer starts from the same initial weights and trains for the same number of
epochs; the loss curves are drawn side by side in a grid (05_optimizers.png in --out).
"""

import torch
import torch.nn as nn
import torch.optim as optim
from lesson_utils import parser, progress, pyplot, save_figure, say, setup_init

p = parser("Lesson 05: comparing optimizers", epochs=200)
p.add_argument("--lr", type=float, default=0.01, help="learning rate for all (default 0.01)")
p.add_argument("--print-every", type=int, default=20, help="print the loss every N epochs")
args = p.parse_args()
if args.seed is not None:
    torch.manual_seed(args.seed)

x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


OPTIMIZERS = {
    "Adagrad": optim.Adagrad,
    "Adam": optim.Adam,
    "Adamax": optim.Adamax,
    "ASGD": optim.ASGD,
    "LBFGS": optim.LBFGS,
    "RMSprop": optim.RMSprop,
    "Rprop": optim.Rprop,
    "SGD": optim.SGD,
}

# One set of initial weights for every optimizer, so that only the optimizer differs.
initial = Model()
setup_init(initial, args)
initial_state = {k: v.clone() for k, v in initial.state_dict().items()}

criterion = nn.MSELoss(reduction="sum")


def train(name, make_optimizer):
    """Train a fresh model from the initial weights; return the loss of every epoch."""
    model = Model()
    model.load_state_dict(initial_state)
    optimizer = make_optimizer(model.parameters(), lr=args.lr)

    # LBFGS evaluates the loss several times per step, so every optimizer gets the loss
    # through a closure; for the others step(closure) is the usual zero_grad, backward, step.
    def closure():
        optimizer.zero_grad()
        loss = criterion(model(x_data), y_data)
        loss.backward()
        return loss

    losses = []
    for epoch in progress(range(args.epochs), desc=name, leave=False):
        loss = optimizer.step(closure)
        losses.append(loss.item())
        if epoch % args.print_every == 0 or epoch == args.epochs - 1:
            say(f"{name} | Epoch: {epoch} | Loss: {loss.item()}")
    prediction = model(torch.tensor([[4.0]])).item()
    say(f"{name} | Prediction for 4.0 after training: {prediction}")
    return losses


curves = {name: train(name, make_optimizer) for name, make_optimizer in OPTIMIZERS.items()}

plt = pyplot(args)
if plt is not None:
    fig, axes = plt.subplots(2, 4, figsize=(16, 7), sharex=True)
    for ax, (name, losses) in zip(axes.flat, curves.items()):
        ax.plot(range(len(losses)), losses)
        ax.set_yscale("log")
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
    fig.suptitle(f"Linear regression, lr={args.lr}: loss per epoch")
    fig.tight_layout()
    save_figure(plt, fig, args, "05_optimizers.png")

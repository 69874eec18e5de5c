"""Lesson 07: a wide and deep network, 8 -> 6 -> 4 -> 1 with sigmoids, on a diabetes table.

Reads the table with numpy.loadtxt (data/diabetes.csv: 8 scaled features, then the 0/1
label; see data/make_diabetes.py), trains with BCELoss and SGD on the whole table at once,
and draws the loss curve (07_diabetes.png in --out).
"""

import os

import numpy as np
import torch
import torch.nn as nn
from lesson_utils import parser, pyplot, save_figure, setup_init

p = parser("Lesson 07: diabetes classification", epochs=100)
p.add_argument(
    "--data",
    default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "diabetes.csv"),
    help="the CSV table (default: data/diabetes.csv next to this lesson)",
)
args = p.parse_args()
if args.seed is not None:
    torch.manual_seed(args.seed)

xy = np.loadtxt(args.data, delimiter=",", dtype=np.float32)
x_data = torch.from_numpy(xy[:, 0:-1])
y_data = torch.from_numpy(xy[:, [-1]])
print(f"X's shape: {x_data.shape} | Y's shape: {y_data.shape}")


class Model(nn.Module):
    def __init__(self):
        """Three nn.Linear layers, each followed by a sigmoid."""
        super().__init__()
        self.l1 = nn.Linear(8, 6)
        self.l2 = nn.Linear(6, 4)
        self.l3 = nn.Linear(4, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        """The probability of the positive label for each row of x."""
        out1 = self.sigmoid(self.l1(x))
        out2 = self.sigmoid(self.l2(out1))
        y_pred = self.sigmoid(self.l3(out2))
        return y_pred


model = Model()
setup_init(model, args)

criterion = nn.BCELoss(reduction="mean")
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

losses = []
for epoch in range(args.epochs):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    print(f"Epoch: {epoch + 1}/{args.epochs} | Loss: {loss.item()}")
    losses.append(loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    accuracy = ((model(x_data) > 0.5).float() == y_data).float().mean().item()
print(f"Accuracy on the table: {accuracy:.4f}")

plt = pyplot(args)
if plt is not None:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(range(1, len(losses) + 1), losses)
    ax.set_xlabel("epoch")
    ax.set_ylabel("BCE loss")
    ax.set_title("8-6-4-1 sigmoid network, SGD lr=0.1")
    save_figure(plt, fig, args, "07_diabetes.png")

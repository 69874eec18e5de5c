"""Lesson 06: logistic regression, hours studied -> probability of passing.

nn.Linear(1, 1) followed by a sigmoid gives a probability; BCELoss compares it with the
pass (1) / fail (0) labels; SGD trains it. The learned probability curve is drawn with
the data (06_logistic_regression.png in --out).
"""

import torch
import torch.nn as nn
from lesson_utils import parser, pyplot, save_figure, setup_init

args = parser("Lesson 06: logistic regression", epochs=1000).parse_args()
if args.seed is not None:
    torch.manual_seed(args.seed)

# hours studied, and whether the student passed
x_data = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
y_data = torch.tensor([[0.0], [0.0], [1.0], [1.0]])


class Model(nn.Module):
    def __init__(self):
        """One nn.Linear module, its output squashed into (0, 1) by a sigmoid."""
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        """The probability of passing after x hours of study."""
        y_pred = torch.sigmoid(self.linear(x))
        return y_pred


model = Model()
setup_init(model, args)

# Binary cross entropy, averaged over the four students.
criterion = nn.BCELoss(reduction="mean")
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(args.epochs):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    print(f"Epoch {epoch + 1}/{args.epochs} | Loss: {loss.item()}")

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

# After training
print("\nLet's predict the hours needed to score above 50%\n" + "=" * 50)
for hours in (1.0, 7.0):
    y_pred = model(torch.tensor([[hours]]))
    print(
        f"Prediction after {hours:g} hour(s) of study: {y_pred.item():.4f} | "
        f"Above 50%: {y_pred.item() > 0.5}"
    )

plt = pyplot(args)
if plt is not None:
    hours = torch.linspace(0, 10, 200).reshape(-1, 1)
    with torch.no_grad():
        probability = model(hours)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(hours.numpy().ravel(), probability.numpy().ravel(), label="P(pass | hours)")
    ax.scatter(x_data.numpy().ravel(), y_data.numpy().ravel(), color="red", label="data")
    ax.axhline(0.5, color="gray", linestyle=":")
    ax.set_xlabel("hours studied")
    ax.set_ylabel("probability of passing")
    ax.set_title(f"Logistic regression after {args.epochs} epochs")
    ax.legend(loc="lower right")
    save_figure(plt, fig, args, "06_logistic_regression.png")

"""Lesson 05: linear regression the PyTorch way (nn.Module, a loss, an optimizer).

Learns y = 2x from three points with nn.Linear(1, 1), MSELoss(reduction='sum') and SGD.
Runs under PyTorch (`python 05_linear_regression.py`) and chainrule
(`chainrule run 05_linear_regression.py`) unchanged.
"""

import torch
import torch.nn as nn
from lesson_utils import parser, setup_init

args = parser("Lesson 05: linear regression", epochs=500).parse_args()
if args.seed is not None:
    torch.manual_seed(args.seed)

x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])


class Model(nn.Module):
    def __init__(self):
        """One nn.Linear module: one input, one output."""
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        """Return the prediction for the input x."""
        y_pred = self.linear(x)
        return y_pred


model = Model()
setup_init(model, args)

# The loss sums the squared errors; SGD updates the parameters with lr 0.01.
criterion = nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

# Training: forward, loss, zero the gradients, backward, step.
for epoch in range(args.epochs):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    print(f"Epoch: {epoch} | Loss: {loss.item()}")

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

# After training
hour_var = torch.tensor([[4.0]])
y_pred = model(hour_var)
print("Prediction (after training)", 4, model(hour_var).data[0][0].item())

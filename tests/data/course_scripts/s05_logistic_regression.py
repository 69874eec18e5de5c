"""Logistic regression: sigmoid + BCELoss (lecture 6)."""

import torch
import torch.nn.functional as F

x_data = torch.Tensor([[1.0], [2.0], [3.0], [4.0]])
y_data = torch.Tensor([[0.0], [0.0], [1.0], [1.0]])


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


model = Model()
with torch.no_grad():
    model.linear.weight.fill_(0.3)
    model.linear.bias.fill_(-0.5)

criterion = torch.nn.BCELoss(reduction="mean")
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

for epoch in range(100):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    if epoch % 20 == 0:
        print(f"Epoch {epoch + 1}/100 | Loss: {loss.item():.4f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f"\nLet's predict the hours need to score above 50%\n{'=' * 50}")
hour_var = model(torch.tensor([[1.0]]))
print(
    f"Prediction after 1 hour of training: {hour_var.item():.4f} | Above 50%: {hour_var.item() > 0.5}"
)
hour_var = model(torch.tensor([[7.0]]))
print(
    f"Prediction after 7 hours of training: {hour_var.item():.4f} | Above 50%: {hour_var.item() > 0.5}"
)
print(model(x_data))
print((model(x_data) > 0.5).float())
print(F.sigmoid(torch.tensor([0.0, 1.0])))
print(F.binary_cross_entropy(torch.tensor([0.2, 0.8]), torch.tensor([0.0, 1.0])))
print(F.binary_cross_entropy_with_logits(torch.tensor([0.2, -0.8]), torch.tensor([0.0, 1.0])))
print(torch.nn.BCEWithLogitsLoss()(torch.tensor([[0.3], [-1.2]]), torch.tensor([[1.0], [0.0]])))

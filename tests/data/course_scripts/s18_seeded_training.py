"""A seeded training run: a small network with PyTorch's default initial weights and
dropout, random data from torch.randn, mini-batches shuffled by a DataLoader, trained with
SGD (momentum) and then Adam. The seed fixes everything random in the run."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(123)
x = torch.randn(64, 4)
w_true = torch.tensor([[1.5], [-2.0], [0.5], [1.0]])
y = (x @ w_true + 0.1 * torch.randn(64, 1) > 0).float()
loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 1))
print(model[0].weight[0], model[3].bias)
criterion = nn.BCEWithLogitsLoss()

for name, optimizer in [
    ("SGD", torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)),
    ("Adam", torch.optim.Adam(model.parameters(), lr=0.01)),
]:
    for epoch in range(3):
        model.train()
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item()
        model.eval()
        with torch.no_grad():
            accuracy = ((model(x) > 0).float() == y).float().mean().item()
        print(f"{name} epoch {epoch}: loss {total / len(loader):.3f} accuracy {accuracy:.3f}")

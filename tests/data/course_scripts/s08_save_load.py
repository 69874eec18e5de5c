"""Saving and loading: state_dict, torch.save/torch.load, optimizer state, checkpoints."""

import os
import shutil
import tempfile

import torch
import torch.nn as nn
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.fc2 = nn.Linear(3, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def fixed(model):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(torch.linspace(-1, 1, p.numel()).view_as(p) * (i + 1) / 4)


model = Net()
fixed(model)
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
x = torch.tensor([[1.0, 2.0], [3.0, -1.0]])
y = torch.tensor([[1.0], [0.0]])
for _ in range(3):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
print(loss)

print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

d = tempfile.mkdtemp()
path = os.path.join(d, "model.pth")
torch.save(model.state_dict(), path)
model2 = Net()
print(model2.load_state_dict(torch.load(path)))
model2.eval()
print(torch.equal(model(x), model2(x)))
print(model2(x))

ckpt = os.path.join(d, "ckpt.tar")
torch.save(
    {
        "epoch": 3,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": loss,
    },
    ckpt,
)
checkpoint = torch.load(ckpt)
model3 = Net()
opt3 = optim.SGD(model3.parameters(), lr=0.5)
model3.load_state_dict(checkpoint["model_state_dict"])
opt3.load_state_dict(checkpoint["optimizer_state_dict"])
print(checkpoint["epoch"], checkpoint["loss"])
print(opt3)
print(opt3.state_dict()["state"])
model3.train()

torch.save(torch.tensor([1, 2, 3]), os.path.join(d, "t.pt"))
print(torch.load(os.path.join(d, "t.pt")))
torch.save(
    [torch.ones(2), {"a": torch.zeros(1, dtype=torch.int64)}, 5, "s"], os.path.join(d, "l.pt")
)
print(torch.load(os.path.join(d, "l.pt"), weights_only=True))
print(torch.load(path, map_location="cpu")["fc2.bias"])
print(torch.load(path, map_location=torch.device("cpu")).keys())

sd = model.state_dict()
sd["fc1.weight"][0, 0] = 100.0
print(model.fc1.weight[0, 0])
missing = model2.load_state_dict({"fc1.weight": torch.zeros(3, 2)}, strict=False)
print(missing)
print(missing.missing_keys, missing.unexpected_keys)
try:
    model2.load_state_dict({"fc1.weight": torch.zeros(3, 2)})
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    model2.load_state_dict({**model.state_dict(), "fc1.weight": torch.zeros(2, 2)})
except RuntimeError as e:
    print("RuntimeError:", e)

shutil.rmtree(d)

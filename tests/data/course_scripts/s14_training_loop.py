"""A full course-style training loop: DataLoader, train/test functions, BatchNorm, accuracy."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(device)

n = 24
xs = np.stack(
    [
        np.cos(np.arange(n) * 0.7),
        np.sin(np.arange(n) * 1.3),
        np.arange(n) / n,
        (np.arange(n) % 5) / 5.0,
    ],
    axis=1,
).astype(np.float32)
ys = (np.arange(n) * 7 % 3).astype(np.int64)
train_loader = DataLoader(
    TensorDataset(torch.from_numpy(xs), torch.from_numpy(ys)), batch_size=8, shuffle=False
)
test_loader = DataLoader(
    TensorDataset(torch.from_numpy(xs[:12]), torch.from_numpy(ys[:12])), batch_size=6
)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.l1 = nn.Linear(4, 8)
        self.bn = nn.BatchNorm1d(8)
        self.l2 = nn.Linear(8, 3)

    def forward(self, x):
        x = x.view(-1, 4)
        x = F.relu(self.bn(self.l1(x)))
        return F.log_softmax(self.l2(x), dim=1)


model = Net().to(device)
sd = model.state_dict()
for i, (k, v) in enumerate(sd.items()):
    if v.dtype == torch.float32 and k.endswith(("weight", "bias")) and not k.startswith("bn"):
        sd[k] = (
            torch.from_numpy(
                np.sin(np.arange(v.numel()) + i).astype(np.float32).reshape(tuple(v.shape))
            )
            * 0.5
        )
model.load_state_dict(sd)
print(model.bn.running_mean, model.bn.running_var, model.bn.num_batches_tracked)
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.5)


def train(epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        print(
            "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                epoch,
                batch_idx * len(data),
                len(train_loader.dataset),
                100.0 * batch_idx / len(train_loader),
                loss.item(),
            )
        )


def test():
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.data.max(1, keepdim=True)[1]
            correct += pred.eq(target.data.view_as(pred)).cpu().sum()
    test_loss /= len(test_loader.dataset)
    print(
        "\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n".format(
            test_loss, correct, len(test_loader.dataset), 100.0 * correct / len(test_loader.dataset)
        )
    )
    return correct


for epoch in range(1, 4):
    train(epoch)
    c = test()
print(type(c).__name__, c.dtype, c)
print(model.bn.running_mean.numpy().round(3), model.bn.num_batches_tracked)
print(model.bn.running_var.numpy().round(3))
total = 0
correct = 0
with torch.no_grad():
    for images, labels in test_loader:
        outputs = model(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
print(f"Accuracy of the network: {100 * correct // total} %")
print("Accuracy: %d %%" % (100 * correct / total))

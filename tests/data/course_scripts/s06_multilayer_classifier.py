"""A multi-layer classifier: Sequential, ReLU, CrossEntropyLoss, softmax, accuracy."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.tensor(
    [
        [0.1, 0.9, 0.2],
        [0.8, 0.1, 0.3],
        [0.2, 0.2, 0.9],
        [0.7, 0.3, 0.1],
        [0.3, 0.8, 0.4],
        [0.1, 0.3, 0.7],
    ]
)
y = torch.tensor([1, 0, 2, 0, 1, 2])

model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3))
w1 = np.array(
    [[0.5, -0.2, 0.1], [-0.3, 0.8, 0.2], [0.1, 0.1, 0.9], [0.4, -0.5, 0.3]], dtype=np.float32
)
b1 = np.array([0.0, 0.1, -0.1, 0.2], dtype=np.float32)
w2 = np.array(
    [[0.6, -0.4, 0.1, 0.3], [-0.2, 0.7, -0.1, 0.1], [0.1, 0.2, 0.8, -0.3]], dtype=np.float32
)
b2 = np.zeros(3, dtype=np.float32)
state = {
    "0.weight": torch.from_numpy(w1),
    "0.bias": torch.from_numpy(b1),
    "2.weight": torch.from_numpy(w2),
    "2.bias": torch.from_numpy(b2),
}
print(model.load_state_dict(state))
print(model)
print(model[0], model[2].weight.shape, len(model))
print(sum(p.numel() for p in model.parameters()))
print([name for name, _ in model.named_parameters()])
print(list(model.state_dict().keys()))

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

for epoch in range(30):
    optimizer.zero_grad()
    output = model(x)
    loss = criterion(output, y)
    loss.backward()
    optimizer.step()
    if epoch % 10 == 9:
        _, predicted = torch.max(output.data, 1)
        correct = (predicted == y).sum().item()
        print(f"epoch {epoch + 1} loss {loss.item():.4f} correct {correct}/{y.size(0)}")

model.eval()
with torch.no_grad():
    out = model(x)
    probs = F.softmax(out, dim=1)
    print(out.shape, probs.sum(dim=1))
    pred = out.argmax(dim=1)
    print(pred, pred.dtype)
    print(out.max(1))
    print(out.max(1)[1], out.max(dim=1).indices)
    print(out.data.max(1, keepdim=True)[1].shape)
    correct = pred.eq(y.data.view_as(pred)).sum()
    print(correct, correct.item(), 100.0 * correct.item() / len(y))
    print((pred == y).float().mean())
    print(torch.argmax(probs, 1).tolist())
    print(F.log_softmax(out, dim=1).exp().sum(1).round())
print(F.nll_loss(F.log_softmax(torch.tensor([[1.0, 2.0, 0.5]]), dim=1), torch.tensor([1])))
print(
    F.cross_entropy(
        torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]]), torch.tensor([1, 2]), reduction="none"
    )
)
print(nn.NLLLoss()(torch.tensor([[-1.0, -2.0], [-0.5, -3.0]]), torch.tensor([0, 1])))

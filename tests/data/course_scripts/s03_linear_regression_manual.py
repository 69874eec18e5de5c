"""Linear regression with a hand-made weight and manual gradient descent (lectures 2-4)."""

import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

w = torch.tensor([1.0], requires_grad=True)


def forward(x):
    return x * w


def loss(y_pred, y_val):
    return (y_pred - y_val) ** 2


print("Prediction (before training)", 4, forward(4).item())

for epoch in range(10):
    for x_val, y_val in zip(x_data, y_data):
        y_pred = forward(x_val)
        l = loss(y_pred, y_val)
        l.backward()
        print("\tgrad: ", x_val, y_val, w.grad.item())
        w.data = w.data - 0.01 * w.grad.item()
        w.grad.data.zero_()
    print(f"Epoch: {epoch} | Loss: {l.item()}")

print("Prediction (after training)", 4, forward(4).item())
print(w)

# the same with a bias and tensors of data, updated under no_grad
X = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
Y = torch.tensor([[3.0], [5.0], [7.0], [9.0]])
W = torch.zeros(1, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.05
for step in range(20):
    pred = X @ W + b
    mse = ((pred - Y) ** 2).mean()
    mse.backward()
    with torch.no_grad():
        W -= lr * W.grad
        b -= lr * b.grad
        W.grad.zero_()
        b.grad.zero_()
    if step % 5 == 4:
        print(step, mse.item(), W.item(), b.item())
print(W, b)
print(mse)

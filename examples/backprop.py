"""The backprop lesson: fit y = w * x by gradient descent, with autograd doing the chain rule.

Written for PyTorch; runs unchanged on chainrule. Run it with
    python examples/backprop.py
"""

import chainrule as torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

w = torch.tensor([1.0])  # the weight we learn, starting from a guess
w.requires_grad = True  # ask autograd to track it


def forward(x):
    return x * w


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


print("predict (before training)", 4, forward(4).item())

for epoch in range(100):
    for x, y in zip(x_data, y_data):
        l = loss(x, y)  # forward pass: builds the graph
        l.backward()  # backward pass: dl/dw lands in w.grad
        print("\tgrad:", x, y, w.grad.item())
        w.data = w.data - 0.01 * w.grad.data  # step against the gradient
        w.grad.data.zero_()  # clear it for the next sample
    print("progress:", epoch, l.item())

print("predict (after training)", 4, forward(4).item())

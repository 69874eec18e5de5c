"""Autograd basics: requires_grad, backward, .grad, grad_fn, no_grad, detach."""

import torch

x = torch.tensor(2.0, requires_grad=True)
y = x**2 + 3 * x + 1
print(y)
print(y.grad_fn)
y.backward()
print(x.grad)
print(x.grad.data, x.grad.item())

w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
print(w)
z = (w * w).sum()
print(z, z.requires_grad, z.is_leaf, w.is_leaf)
z.backward()
print(w.grad)
z = (w * w).sum()
z.backward()
print(w.grad)
w.grad.data.zero_()
print(w.grad)
w.grad.zero_()

a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
b = a * 3
c = b.mean()
print(b)
print(c)
print(b.grad_fn, c.grad_fn)
print(b.grad_fn.next_functions)
c.backward()
print(a.grad)

with torch.no_grad():
    d = a * 2
print(d, d.requires_grad, d.grad_fn)

e = a.detach()
print(e, e.requires_grad)
print(a.data)
print(a.requires_grad_(False))

v = torch.tensor([1.0, 2.0], requires_grad=True)
out = v * 2
out.backward(torch.tensor([1.0, 0.1]))
print(v.grad)

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
print(y)
z = y * y * 3
out = z.mean()
print(z, out)
out.backward()
print(x.grad)

x = torch.tensor([0.5, -1.0], requires_grad=True)
y = torch.relu(x).sum() + torch.sigmoid(x).sum() + torch.tanh(x).sum()
y.backward()
print(y, x.grad)

print(torch.is_grad_enabled())
with torch.no_grad():
    print(torch.is_grad_enabled())
torch.set_grad_enabled(False)
print((x * 2).requires_grad)
torch.set_grad_enabled(True)
print((x * 2).requires_grad)

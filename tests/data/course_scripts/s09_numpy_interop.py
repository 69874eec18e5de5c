"""NumPy interop: from_numpy, .numpy(), shared memory, dtypes, tensors from lists and arrays."""

import numpy as np
import torch

a = np.ones(5)
b = torch.from_numpy(a)
np.add(a, 1, out=a)
print(a)
print(b)
t = torch.ones(5)
n = t.numpy()
t.add_(1)
print(t)
print(n)
print(n.dtype, type(n).__name__)

arr = np.array([[1, 2], [3, 4]])
print(torch.from_numpy(arr), torch.from_numpy(arr).dtype)
print(torch.tensor(arr, dtype=torch.float32))
print(torch.as_tensor(arr))
print(torch.Tensor(arr))
print(torch.FloatTensor([1, 2, 3]), torch.LongTensor([1, 2]))
print(torch.from_numpy(np.array([1.5, 2.5], dtype=np.float32)).dtype)
print(torch.tensor(np.float32(2.5)), torch.tensor(np.array(3)))
print(torch.tensor([np.float64(1.0), 2.0]).dtype)

x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = x * 2
print(y.detach().numpy())
print(y.data.numpy())
print(x.detach().cpu().numpy().sum())
try:
    y.numpy()
except RuntimeError as e:
    print("RuntimeError:", e)

print(np.array(torch.tensor([1.0, 2.0])))
print(np.asarray(torch.arange(3)))
print(float(torch.tensor(2.5)), int(torch.tensor(7)), bool(torch.tensor(0)))
print(torch.tensor(3.0) * np.float32(2.0))
print(np.mean(torch.tensor([1.0, 2.0, 3.0]).numpy()))
print(torch.tensor([1.0, 2.0]).numpy().tolist())
xs = np.linspace(0, 1, 4, dtype=np.float32)
ts = torch.from_numpy(xs).unsqueeze(1)
print(ts, ts.shape)
print(torch.stack([torch.from_numpy(np.array([i, i * 2])) for i in range(3)]))
print(torch.tensor([[1, 2], [3, 4]]).numpy().T)
print(torch.zeros(2, 3).numpy().shape)
idx = np.array([0, 2])
print(torch.arange(10, 15)[idx])
print(torch.arange(10, 15)[torch.tensor([4, 1])])
print(torch.from_numpy(np.arange(6).reshape(2, 3)).float().mean(0))

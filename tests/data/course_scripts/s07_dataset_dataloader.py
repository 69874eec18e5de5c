"""Dataset and DataLoader: a custom Dataset, TensorDataset, batching, random_split sizes."""

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset


class DiabetesDataset(Dataset):
    """A small table of features and 0/1 labels."""

    def __init__(self):
        xy = np.arange(40, dtype=np.float32).reshape(10, 4) / 40.0
        xy[:, -1] = (np.arange(10) % 2).astype(np.float32)
        self.len = xy.shape[0]
        self.x_data = torch.from_numpy(xy[:, 0:-1])
        self.y_data = torch.from_numpy(xy[:, [-1]])

    def __getitem__(self, index):
        return self.x_data[index], self.y_data[index]

    def __len__(self):
        return self.len


dataset = DiabetesDataset()
print(len(dataset))
print(dataset[3])
train_loader = DataLoader(dataset=dataset, batch_size=4, shuffle=False, num_workers=0)
print(len(train_loader))
for i, data in enumerate(train_loader, 0):
    inputs, labels = data
    print(i, inputs.shape, labels.shape, labels.view(-1))
print(inputs)

loader = DataLoader(dataset, batch_size=3, drop_last=True)
print(len(loader), [b[0].shape[0] for b in loader])

tds = TensorDataset(torch.arange(6.0).view(3, 2), torch.tensor([0, 1, 0]))
print(tds[1])
for xb, yb in DataLoader(tds, batch_size=2):
    print(xb, yb)


class Pairs(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": float(i), "y": i * 2, "name": f"item{i}", "arr": np.array([i, i + 1])}


for batch in DataLoader(Pairs(), batch_size=2):
    print(batch)

torch.manual_seed(0)
train, test = torch.utils.data.random_split(dataset, [7, 3])
print(len(train), len(test))
shuffled = DataLoader(dataset, batch_size=5, shuffle=True)
seen = sorted(int(round(v * 40)) for xb, _ in shuffled for v in xb[:, 0].tolist())
print(seen)

loader = DataLoader(list(range(7)), batch_size=3)
print(list(loader))
it = iter(DataLoader(tds, batch_size=3))
print(next(it))
print(type(dataset[0][0]).__name__, type(next(iter(loader))).__name__)

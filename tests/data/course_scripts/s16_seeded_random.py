"""Seeded random numbers: after torch.manual_seed the draws, the initial weights, the
dropout masks and the shuffles are the same in every run (and in every library that
shares PyTorch's generator)."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, random_split

torch.manual_seed(0)
print(torch.rand(3))
print(torch.randn(2, 3))
print(torch.randn(20))  # 16 or more normals are made in blocks of 16
print(torch.randint(0, 10, (8,)))
print(torch.randperm(10))
print(torch.normal(0.0, 2.0, size=(4,)))
print(torch.normal(torch.arange(4.0), torch.ones(4)))
print(torch.bernoulli(torch.full((8,), 0.3)))
print(torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 5, replacement=True))
print(torch.multinomial(torch.tensor([0.1, 0.2, 0.3, 0.4]), 3))
print(torch.rand_like(torch.zeros(2, 2)), torch.randn(3, dtype=torch.float64))
print(torch.empty(5).uniform_(-1, 1), torch.empty(3).normal_(10, 0.5))
print(torch.empty(4).exponential_(), torch.empty(4, dtype=torch.int64).random_(0, 100))

# the state: save it, draw, restore it, draw the same again
state = torch.get_rng_state()
a = torch.rand(2)
torch.set_rng_state(state)
b = torch.rand(2)
print(a, b, torch.equal(a, b))

# a generator of one's own, independent of the global seed
g = torch.Generator().manual_seed(42)
print(torch.randn(3, generator=g), g.initial_seed(), torch.initial_seed())

# layers' default initial weights
torch.manual_seed(1)
layer = nn.Linear(3, 2)
print(layer.weight, layer.bias)
conv = nn.Conv2d(1, 2, 2)
print(conv.weight.shape, conv.bias)
rnn = nn.GRU(2, 3)
print(rnn.weight_hh_l0[0], nn.Embedding(4, 2).weight)

# dropout masks in training mode; eval mode passes the input through
drop = nn.Dropout(0.5)
x = torch.ones(2, 6)
print(drop(x))
drop.eval()
print(drop(x))
print(F.dropout(torch.ones(6), 0.25, training=True))

# shuffled batches and a random split
torch.manual_seed(2)
data = TensorDataset(torch.arange(10.0), torch.arange(10))
for epoch in range(2):
    print([batch[1].tolist() for batch in DataLoader(data, batch_size=4, shuffle=True)])
train, test = random_split(data, [7, 3])
print(list(train.indices), list(test.indices))

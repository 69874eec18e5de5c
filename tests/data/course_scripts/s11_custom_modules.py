"""Custom modules: submodules, ModuleList/ModuleDict, buffers, freezing, train/eval, apply."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.fc = nn.Linear(n_in, n_out)
        self.drop = nn.Dropout(0.3)
        self.register_buffer("scale", torch.tensor(2.0))

    def forward(self, x):
        return self.drop(F.relu(self.fc(x))) * self.scale


class Net(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.blocks = nn.ModuleList([Block(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.heads = nn.ModuleDict({"cls": nn.Linear(sizes[-1], 2), "reg": nn.Linear(sizes[-1], 1)})
        self.temperature = nn.Parameter(torch.tensor(1.5))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.heads["cls"](x) / self.temperature, self.heads["reg"](x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        with torch.no_grad():
            n = m.weight.numel()
            m.weight.copy_((torch.arange(n, dtype=torch.float32).view_as(m.weight) - n / 2) / n)
            if m.bias is not None:
                m.bias.fill_(0.01)


net = Net([3, 4, 4])
print(net.apply(init_weights) is net)
print(net)
print([type(m).__name__ for m in net.modules()])
print([name for name, _ in net.named_modules()])
print([name for name, _ in net.named_children()])
print([type(c).__name__ for c in net.children()])
print(list(net.state_dict().keys()))
print(sum(p.numel() for p in net.parameters() if p.requires_grad))
print(net.training, net.blocks[0].drop.training)
net.eval()
print(net.training, net.blocks[0].drop.training)
x = torch.tensor([[1.0, -1.0, 0.5], [0.2, 0.3, -0.4]])
cls, reg = net(x)
print(cls, reg)
net.train()
print(net.training)
for p in net.blocks.parameters():
    p.requires_grad = False
print(sum(p.numel() for p in net.parameters() if p.requires_grad))
print([n for n, p in net.named_parameters() if p.requires_grad])
opt = torch.optim.SGD(filter(lambda p: p.requires_grad, net.parameters()), lr=0.1)
net.eval()
cls, reg = net(x)
loss = F.cross_entropy(cls, torch.tensor([0, 1])) + F.mse_loss(reg, torch.tensor([[1.0], [0.0]]))
loss.backward()
print(net.blocks[0].fc.weight.grad, net.temperature.grad)
opt.step()
print(net.temperature)
net.zero_grad()
print(net.temperature.grad)
net.requires_grad_(True)
print(all(p.requires_grad for p in net.parameters()))
print(net.blocks[1].scale, net.get_buffer("blocks.0.scale") if hasattr(net, "get_buffer") else None)
print(net.get_submodule("heads.cls"))
net.blocks.append(Block(4, 4))
print(len(net.blocks), net.blocks[-1])
print(isinstance(net.temperature, nn.Parameter), isinstance(net.temperature, torch.Tensor))
net.extra = nn.Linear(1, 1)
print("extra" in dict(net.named_children()))
del net.extra
print("extra" in dict(net.named_children()))
seq = nn.Sequential()
seq.add_module("first", nn.Linear(2, 2))
seq.add_module("act", nn.ReLU())
print(seq, seq.first)
from collections import OrderedDict

seq2 = nn.Sequential(OrderedDict([("fc1", nn.Linear(2, 3)), ("relu", nn.ReLU())]))
print(seq2, seq2.fc1.out_features, seq2[0].in_features)
print(seq2[:1])

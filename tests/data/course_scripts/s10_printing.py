"""Printing tensors, models, parameters and optimizers."""

import torch
import torch.nn as nn

print(torch.tensor([1.0, 2.5, -3.25]))
print(torch.tensor([1e-5, 1.0, 1e5]))
print(torch.tensor([1e-10, 1.0]))
print(torch.tensor([123456.0, 0.5]))
print(torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64))
print(torch.tensor([1, 2, 3], dtype=torch.int32))
print(torch.tensor([True, False]))
print(torch.tensor([float("nan"), float("inf"), -float("inf"), 1.0]))
print(torch.tensor([]))
print(torch.zeros(0, 3))
print(torch.arange(2000.0))
print(torch.arange(24).view(2, 3, 4))
print(torch.arange(1200.0).view(30, 40))
print(torch.tensor([[1.123456789, 2.0], [3.0, 4.0]]))
print(torch.tensor(1.0, requires_grad=True))
print(torch.tensor([1.0, 2.0], requires_grad=True) * 2)
print(torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True))
print(nn.Parameter(torch.tensor([1.0, 2.0])))
print(repr(torch.tensor([1.0, 2.0])), str(torch.tensor(5)))
print(f"{torch.tensor(0.123456):.3f}", "{:.2f}".format(torch.tensor(2.0).item()))
print(torch.tensor([1, 2]).shape, torch.Size([2, 3]), torch.tensor(1.0).shape)
print(torch.float32, torch.int64, torch.float, torch.long, torch.double)
torch.set_printoptions(precision=2)
print(torch.tensor([1.23456, 2.0]))
torch.set_printoptions(precision=4)
torch.set_printoptions(sci_mode=False)
print(torch.tensor([1e-5, 1.0, 1e5]))
torch.set_printoptions(sci_mode=None)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(10, 20), nn.ReLU(inplace=True), nn.Dropout(0.5))
        self.bn = nn.BatchNorm1d(20)
        self.head = nn.Linear(20, 2, bias=False)
        self.act = nn.Sigmoid()
        self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
        self.soft = nn.Softmax(dim=1)
        self.lsm = nn.LogSoftmax(dim=-1)
        self.tanh = nn.Tanh()
        self.lrelu = nn.LeakyReLU(0.1)
        self.flat = nn.Flatten()
        self.ident = nn.Identity()


net = Net()
print(net)
print(nn.Linear(3, 4))
print(nn.Sequential())
print(nn.Sequential(nn.Linear(1, 1)))
print(
    nn.MSELoss(), nn.CrossEntropyLoss(), nn.BCELoss(), nn.NLLLoss(), nn.L1Loss(), nn.SmoothL1Loss()
)
print(
    nn.Dropout(),
    nn.Dropout(p=0.2),
    nn.BatchNorm1d(5, momentum=0.2),
    nn.ELU(),
    nn.GELU(),
    nn.Softplus(),
)
for name, p in net.named_parameters():
    print(name, tuple(p.shape))
for name, b in net.named_buffers():
    print(name, b)
print(net.bn.running_mean.shape, net.bn.num_batches_tracked)
print(nn.Linear(2, 1).weight.shape)

params = [nn.Parameter(torch.ones(2))]
print(torch.optim.SGD(params, lr=0.1))
print(torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=1e-4, nesterov=True))
print(torch.optim.Adam(params))
print(torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.99), weight_decay=0.01))
print(torch.optim.AdamW(params))
print(torch.optim.RMSprop(params, lr=0.01))
print(torch.optim.Adagrad(params, lr=0.1))
opt = torch.optim.SGD(params, lr=0.1)
print(opt.param_groups[0]["lr"], len(opt.param_groups), sorted(opt.param_groups[0].keys()))
print(opt.state_dict())
print(opt.defaults)

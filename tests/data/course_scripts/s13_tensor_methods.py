"""Tensor methods common in course scripts: reductions, indexing, sorting, in-place, comparisons."""

import torch
import torch.nn.functional as F

x = torch.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]])
print(x.max(1), x.min(dim=0))
print(torch.max(x, 1, keepdim=True))
values, indices = x.max(dim=1)
print(values, indices)
print(torch.max(x, torch.zeros_like(x)))
print(x.argmax(), x.argmax(1), x.argmin(0), x.argmax(dim=1, keepdim=True))
print(x.sort(), x.sort(dim=0, descending=True))
print(torch.sort(x, 1)[1])
print(x.topk(2), x.topk(1, dim=0, largest=False))
print(x.sum().item(), x.prod(), x.cumsum(1), x.mean(1, keepdim=True), x.median())
print(x.norm(), x.norm(dim=1), torch.norm(x, p=1))
print(x.std(0), x.var(1, unbiased=False))
print(x.abs().sqrt(), x.pow(2), x.exp().log(), x.sign(), x.floor(), x.ceil(), x.round())
print(x.flatten(), x.view(-1, 2).shape, x.view(3, -1), x.permute(1, 0), x.expand(2, 2, 3).shape)
print(
    x.repeat(2, 1).shape, x.unsqueeze(-1).shape, x.squeeze(0).shape, x.contiguous().is_contiguous()
)
print(x.flip(1), torch.flip(x, [0]), x.roll(1, 1))
print(x.index_select(1, torch.tensor([0, 2])), x.gather(1, torch.tensor([[0], [1]])))
print(x.masked_fill(x > 2, 0.0), x.clamp(min=0), x.clamp_(max=3.5), x)
print(x.eq(1.0), x.ne(1.0), x.gt(1), x.lt(1), x.ge(2), x.le(0.5))
print((x > 1).sum(), (x > 1).sum().item(), (x > 1).any(), (x > 1).all(), (x > 1).float().mean())
print(torch.nonzero(x > 1), (x > 1).nonzero(as_tuple=True))
print(
    torch.unique(torch.tensor([3, 1, 2, 3, 1])), torch.tensor([3, 1, 3]).unique(return_counts=True)
)
print(
    torch.allclose(x, x + 1e-9),
    torch.equal(x, x.clone()),
    torch.isnan(torch.tensor([1.0, float("nan")])),
)
print(F.one_hot(torch.tensor([0, 2, 1]), num_classes=3))
print(
    torch.tensor([1, 2, 3]).float().mean(),
    torch.tensor([1, 2, 3]).sum(),
    torch.tensor([1, 2, 3]).sum().dtype,
)
y = torch.zeros(2, 3)
y.add_(1).mul_(3).sub_(0.5).div_(2)
print(y)
y.fill_(2)
y.zero_()
y[0] = torch.tensor([1.0, 2.0, 3.0])
y[1, :2] += 5
print(y)
y.copy_(x)
print(y)
y.uniform_(0, 1)
print(y.shape, ((y >= 0) & (y <= 1)).all())
y.normal_()
print(y.shape)
z = torch.arange(12)
print(z.view(3, 4)[:, 1::2], z[z % 3 == 0], z[-3:], z[[0, 5]], z.view(3, 4)[[0, 2]][:, [1]])
print(z.view(3, 4).sum(0), z.view(3, 4).float().mean(-1), z.max(), z.float().std())
print(
    torch.cat((torch.ones(2, 2), torch.zeros(1, 2)), 0),
    torch.cat([torch.ones(2, 1), torch.zeros(2, 2)], 1),
)
print(torch.mean(torch.tensor([1.0, 2.0, 4.0])), torch.sum(torch.tensor([[1, 2], [3, 4]]), dim=0))
print(
    torch.exp(torch.tensor([0.0, 1.0])),
    torch.log(torch.tensor([1.0, 2.0])),
    torch.abs(torch.tensor([-1, 2])),
)
print(torch.softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0), torch.relu(torch.tensor([-1.0, 1.0])))
print(torch.mul(x, 2), torch.add(x, x, alpha=2), torch.sub(x, 1), torch.div(x, 2), torch.pow(x, 2))
print(
    torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 3, 1)),
    torch.outer(torch.tensor([1, 2]), torch.tensor([3, 4])),
)
print(x.size(), x.size(-1), x.shape[0], len(x), x.ndim, x.ndimension(), x.nelement())
print(
    x.is_cuda,
    x.device,
    x.to("cpu").device,
    x.cpu().dtype,
    x.to(torch.float64).dtype,
    x.type(torch.LongTensor),
)
print(x.new_zeros(2), x.new_ones((1, 2)), x.new_tensor([1, 2]), x.new_full((2,), 3.0))
print(
    torch.tensor([[1, 2], [3, 4]]) * torch.tensor([10, 20]),
    torch.tensor([1.0]) + torch.tensor([[1.0], [2.0]]),
)
print(torch.tensor(5) / 2, torch.tensor(5) // 2, torch.tensor(5.0) // 2, torch.tensor([5, -5]) % 3)
print(torch.tensor([1, 2]) + 0.5, torch.tensor([1, 2]) * 1.5, torch.tensor([True, False]) + 1)
print(torch.tensor([1.0, 2.0, 3.0])[1:].data, x.data[0], x[0].data.tolist())
print(
    torch.tensor([[1.0, 2.0]]).T.shape,
    torch.tensor([2.0]).expand(3),
    torch.tensor([[1, 2, 3]]).squeeze(),
)
print(
    torch.tril(torch.ones(3, 3)), torch.triu(torch.ones(3, 3), 1), torch.diag(torch.tensor([1, 2]))
)
print(torch.linspace(-1, 1, steps=5).view(-1, 1), torch.logspace(0, 2, 3))

"""Optimizers and schedulers: SGD/Adam/RMSprop/Adagrad steps, param_groups, StepLR."""

import torch


def quadratic(params):
    w, b = params
    return ((w * torch.tensor([1.0, 2.0]) - 1.0) ** 2).sum() + (b - 3.0) ** 2


for name, make in [
    ("SGD", lambda p: torch.optim.SGD(p, lr=0.1)),
    ("SGD-momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    (
        "SGD-nesterov-wd",
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.01),
    ),
    ("Adam", lambda p: torch.optim.Adam(p, lr=0.1)),
    ("AdamW", lambda p: torch.optim.AdamW(p, lr=0.1)),
    ("RMSprop", lambda p: torch.optim.RMSprop(p, lr=0.01)),
    ("Adagrad", lambda p: torch.optim.Adagrad(p, lr=0.5)),
]:
    w = torch.tensor([0.5, -0.5], requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    opt = make([w, b])
    for step in range(5):
        opt.zero_grad()
        loss = quadratic([w, b])
        loss.backward()
        opt.step()
    print(
        f"{name:16s} loss={loss.item():.5f} w={w.detach().numpy().round(4).tolist()} b={b.item():.4f}"
    )

w = torch.tensor([1.0, 1.0], requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)
opt = torch.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.01}], lr=0.1, momentum=0.9)
print(opt)
print([g["lr"] for g in opt.param_groups])
scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
for epoch in range(6):
    opt.zero_grad()
    quadratic([w, b]).backward()
    opt.step()
    scheduler.step()
    print(epoch, scheduler.get_last_lr(), [round(g["lr"], 6) for g in opt.param_groups])
print(opt.state_dict()["param_groups"])
print(sorted(opt.state_dict()["state"].keys()), list(opt.state_dict()["state"][0].keys()))
print(opt.state[w]["momentum_buffer"])
for g in opt.param_groups:
    g["lr"] = 0.001
print(opt.param_groups[1]["lr"])
opt.zero_grad()
print(w.grad)
opt.zero_grad(set_to_none=False)
print(w.grad)
opt.add_param_group({"params": [torch.zeros(1, requires_grad=True)], "lr": 1.0})
print(len(opt.param_groups), opt.param_groups[2]["momentum"])

opt = torch.optim.Adam([w], lr=0.1)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
for _ in range(3):
    opt.step()
    sched.step()
print(sched.get_last_lr(), sched.last_epoch)
opt = torch.optim.SGD([w], lr=1.0)
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 3], gamma=0.1)
for _ in range(4):
    opt.step()
    sched.step()
    print(opt.param_groups[0]["lr"])
opt = torch.optim.SGD([w], lr=1.0)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda e: 1 / (e + 1))
for _ in range(3):
    opt.step()
    sched.step()
print(sched.get_last_lr())
opt = torch.optim.SGD([w], lr=1.0)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
for val in [1.0, 0.9, 0.95, 0.96, 0.97, 0.98]:
    sched.step(val)
    print(opt.param_groups[0]["lr"])
print(sched.state_dict()["best"])

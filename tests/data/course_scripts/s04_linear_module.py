"""Linear regression the PyTorch way: nn.Module, MSELoss, SGD (lecture 5)."""

import torch
from torch.autograd import Variable

x_data = Variable(torch.Tensor([[1.0], [2.0], [3.0]]))
y_data = Variable(torch.Tensor([[2.0], [4.0], [6.0]]))


class Model(torch.nn.Module):
    def __init__(self):
        super(Model, self).__init__()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, x):
        y_pred = self.linear(x)
        return y_pred


model = Model()
model.load_state_dict({"linear.weight": torch.tensor([[0.5]]), "linear.bias": torch.tensor([-0.2])})
print(model)
print(list(model.parameters()))
for name, param in model.named_parameters():
    print(name, param.shape, param.requires_grad, param)
print(model.state_dict())
print(model.linear.weight, model.linear.bias)

criterion = torch.nn.MSELoss(size_average=False)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
print(criterion)
print(optimizer)

for epoch in range(50):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    if epoch % 10 == 0:
        print(epoch, loss.data, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

hour_var = Variable(torch.Tensor([[4.0]]))
y_pred = model(hour_var)
print("predict (after training)", 4, model(hour_var).data[0][0])
print(y_pred)
print(model.linear.weight.grad, model.linear.bias.grad)

criterion2 = torch.nn.MSELoss(reduction="sum")
print(criterion2(model(x_data), y_data))
print(torch.nn.MSELoss()(model(x_data), y_data))
print(torch.nn.L1Loss()(model(x_data), y_data))

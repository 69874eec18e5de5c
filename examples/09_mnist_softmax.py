"""Lesson 09: a softmax classifier for the MNIST digits, 784-512-256-128-64-10 with ReLU.

Each 28 x 28 image is scaled to [0, 1] and normalised with MNIST's mean and spread
(ToTensor, Normalize((0.1307,), (0.3081,)); see lesson_mnist.loaders), flattened to 784
values and mapped to 10 scores; CrossEntropyLoss is log-softmax and the negative
log-likelihood in one. SGD with momentum 0.5 trains on batches of 64. Every 300 batches
the mean loss is printed as `[epoch, batch] loss: x.xxx`, after every epoch the accuracy
on the 10,000 test images; the curves are drawn as 09_mnist_softmax.png.

The data is read from --data (MNIST/raw/*-ubyte[.gz]); without network access chainrule
writes its offline stand-in there (drawn digits with MNIST's shapes). --quick trains on
the first 3,200 images and tests on 1,000, for a run of a few seconds (at lr 0.1, so that
the network learns within those 50 batches).
"""

import torch
import torch.nn.functional as F
import torch.optim as optim
from lesson_mnist import arguments, loaders, plot
from lesson_utils import progress, say, setup_init


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = torch.nn.Linear(784, 512)
        self.l2 = torch.nn.Linear(512, 256)
        self.l3 = torch.nn.Linear(256, 128)
        self.l4 = torch.nn.Linear(128, 64)
        self.l5 = torch.nn.Linear(64, 10)

    def forward(self, x):
        x = x.view(-1, 784)  # flatten each 1 x 28 x 28 image
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        x = F.relu(self.l4(x))
        return self.l5(x)  # scores: CrossEntropyLoss applies the softmax


def main():
    args = arguments("Lesson 09: MNIST softmax classifier", epochs=10, lr=0.01, quick_lr=0.1)
    if args.seed is not None:
        torch.manual_seed(args.seed)
    train_loader, test_loader = loaders(args)

    model = Net()
    setup_init(model, args)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.5)
    losses, accuracies = [], []

    def train(epoch):
        running_loss = 0.0
        # a progress bar over the epoch's batches (tqdm, when installed)
        batches = progress(train_loader, desc=f"epoch {epoch + 1}", leave=False)
        for batch_idx, data in enumerate(batches, 0):
            inputs, target = data
            optimizer.zero_grad()

            # forward + backward + update
            outputs = model(inputs)
            loss = criterion(outputs, target)
            loss.backward()
            optimizer.step()

            running_loss += loss.item()
            if batch_idx % args.log_interval == args.log_interval - 1:
                mean = running_loss / args.log_interval
                say(f"[{epoch + 1}, {batch_idx + 1:5d}] loss: {mean:.3f}")  # print, beside the bar
                losses.append(mean)
                running_loss = 0.0

    def test():
        correct = 0
        total = 0
        with torch.no_grad():
            for data in test_loader:
                images, labels = data
                outputs = model(images)
                _, predicted = torch.max(outputs.data, dim=1)  # the highest score's class
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
        print(f"accuracy on test set: {int(100 * correct / total)} % ")
        accuracies.append(100 * correct / total)

    for epoch in range(args.epochs):
        train(epoch)
        test()
    plot(
        args,
        losses,
        accuracies,
        "784-512-256-128-64-10, SGD lr=0.01 momentum=0.5",
        "09_mnist_softmax.png",
    )


if __name__ == "__main__":
    main()

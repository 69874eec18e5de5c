"""Plumbing shared by the MNIST lessons 09-11 (not a lesson itself): their command-line
options, the course's train and test loaders, its training loop (lesson 09's, which the
course repeats in lessons 10 and 11) and the plot of the results.

Images go through ToTensor (uint8 -> [0, 1]) and Normalize((0.1307,), (0.3081,)), MNIST's
mean and spread. torchvision is used when installed (under `chainrule run` it is
chainrule.vision); PyTorch without torchvision reads the same files through
lesson_vision. --quick (and --train-size, --test-size) keep the first images only.
"""

import os

from lesson_utils import parser, progress, pyplot, save_figure, say
from torch.utils.data import DataLoader, Subset

try:
    from torchvision import datasets, transforms
except ImportError:  # PyTorch without torchvision: the same files and transforms
    from lesson_vision import datasets, transforms

HERE = os.path.dirname(os.path.abspath(__file__))


def arguments(description, epochs, lr, quick_lr=None):
    """The lessons' options (lesson_utils.parser's and these), parsed. --quick sets the
    defaults to the first 3,200 training and 1,000 test images, one epoch, the loss every
    10 batches and quick_lr (if given): a rate at which the network learns within the 50
    batches of the subset."""
    quick_lr = quick_lr or lr
    p = parser(description, epochs=epochs)
    p.add_argument("--lr", type=float, default=lr, help=f"learning rate (default {lr})")
    p.add_argument(
        "--data",
        default=os.path.join(HERE, "data", "mnist"),
        help="MNIST's root: MNIST/raw/*-ubyte[.gz] (default: data/mnist next to the lesson)",
    )
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--log-interval", type=int, default=300, help="batches per printed loss")
    p.add_argument("--train-size", type=int, help="train on the first N images only")
    p.add_argument("--test-size", type=int, help="test on the first N images only")
    p.add_argument(
        "--quick",
        action="store_true",
        help="the first 3200 training and 1000 test images, one epoch, the loss "
        f"every 10 batches, lr {quick_lr}",
    )
    p.add_argument("--no-shuffle", action="store_true", help="keep the images in file order")
    if p.parse_known_args()[0].quick:
        p.set_defaults(epochs=1, log_interval=10, lr=quick_lr, train_size=3200, test_size=1000)
    return p.parse_args()


def loaders(args):
    """(train_loader, test_loader) as the course builds them."""
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]
    )
    train_dataset = datasets.MNIST(args.data, train=True, download=True, transform=transform)
    test_dataset = datasets.MNIST(args.data, train=False, download=True, transform=transform)
    if args.train_size is not None:
        train_dataset = Subset(train_dataset, range(min(args.train_size, len(train_dataset))))
    if args.test_size is not None:
        test_dataset = Subset(test_dataset, range(min(args.test_size, len(test_dataset))))
    train_loader = DataLoader(
        train_dataset, shuffle=not args.no_shuffle, batch_size=args.batch_size
    )
    test_loader = DataLoader(test_dataset, shuffle=False, batch_size=args.batch_size)
    return train_loader, test_loader


def plot(args, losses, accuracies, title, name):
    """Loss per log interval and test accuracy per epoch, side by side (unless --no-plot).
    After a single epoch (--quick) the accuracy is one number: it goes in the title and
    the loss has the figure to itself."""
    plt = pyplot(args)
    if plt is None or not losses:
        return
    if len(accuracies) < 2:
        fig, left = plt.subplots(1, 1, figsize=(6, 4))
        if accuracies:
            title = f"{title}\ntest accuracy after {len(accuracies)} epoch: {accuracies[0]:.1f} %"
    else:
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        right.plot(range(1, len(accuracies) + 1), accuracies, marker="o")
        right.set_xlabel("epoch")
        right.set_ylabel("test accuracy (%)")
    left.plot(range(1, len(losses) + 1), losses)
    left.set_xlabel(f"batches (x{args.log_interval})")
    left.set_ylabel("cross-entropy loss")
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(plt, fig, args, name)


def fit(model, args, title, name):
    """Lesson 09's training loop and test, on the device PyTorch offers: for each epoch,
    train (the mean loss printed every --log-interval batches) and print the test
    accuracy; then draw the curves as name in --out."""
    import torch

    train_loader, test_loader = loaders(args)
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    model.to(device)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.5)
    losses, accuracies = [], []

    def train(epoch):
        running_loss = 0.0
        batches = progress(train_loader, desc=f"epoch {epoch + 1}", leave=False)
        for batch_idx, data in enumerate(batches, 0):
            inputs, target = data
            inputs, target = inputs.to(device), target.to(device)
            optimizer.zero_grad()

            # forward + backward + update
            outputs = model(inputs)
            loss = criterion(outputs, target)
            loss.backward()
            optimizer.step()

            running_loss += loss.item()
            if batch_idx % args.log_interval == args.log_interval - 1:
                mean = running_loss / args.log_interval
                say(f"[{epoch + 1}, {batch_idx + 1:5d}] loss: {mean:.3f}")
                losses.append(mean)
                running_loss = 0.0

    def test():
        correct = 0
        total = 0
        with torch.no_grad():
            for data in test_loader:
                images, labels = data
                images, labels = images.to(device), labels.to(device)
                outputs = model(images)
                _, predicted = torch.max(outputs.data, dim=1)
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
        print(f"accuracy on test set: {int(100 * correct / total)} % ")
        accuracies.append(100 * correct / total)

    for epoch in range(args.epochs):
        train(epoch)
        test()
    plot(args, losses, accuracies, title, name)

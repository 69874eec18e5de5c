"""Lesson 11 (b): residual blocks on MNIST.

A residual block adds its input to what two 3x3 convolutions make of it, relu(x + F(x)):
the block learns a correction to the identity, and the gradient has a direct path back
through the sum, so deeper stacks still train. Padding 1 keeps the size, so x and F(x)
can be added.

    1x28x28 -conv5,relu,pool-> 16x12x12 -residual-> 16x12x12
            -conv5,relu,pool-> 32x4x4 -residual-> 32x4x4 -> 512 -> 10

Trained as lesson 10 (lesson_mnist.fit: CrossEntropyLoss, SGD lr 0.01 momentum 0.5,
batches of 64); prints the loss every 300 batches and the test accuracy after each epoch;
draws 11_resnet.png. --quick: the first 3,200 training and 1,000 test images, one epoch,
lr 0.05.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from lesson_mnist import arguments, fit
from lesson_utils import setup_init


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.channels = channels
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return F.relu(x + y)  # the skip connection: x + F(x), then the activation


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.mp = nn.MaxPool2d(2)

        self.rblock1 = ResidualBlock(16)
        self.rblock2 = ResidualBlock(32)

        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        in_size = x.size(0)
        x = self.mp(F.relu(self.conv1(x)))
        x = self.rblock1(x)
        x = self.mp(F.relu(self.conv2(x)))
        x = self.rblock2(x)
        x = x.view(in_size, -1)  # 32 x 4 x 4 = 512
        x = self.fc(x)
        return x


def main():
    args = arguments("Lesson 11: residual blocks on MNIST", epochs=10, lr=0.01, quick_lr=0.05)
    if args.seed is not None:
        torch.manual_seed(args.seed)
    model = Net()
    setup_init(model, args)
    fit(model, args, "Residual network (fc 512-10)", "11_resnet.png")


if __name__ == "__main__":
    main()

"""Lesson 11 (a): GoogLeNet's Inception block on MNIST.

An Inception block runs four branches side by side on the same input and stacks their
channels: a 1x1 convolution (16 channels); 1x1 then 5x5 (24); 1x1, 3x3, 3x3 (24); and
3x3 average pooling then 1x1 (24): 16 + 24 + 24 + 24 = 88 channels, the spatial size
kept by padding. 1x1 convolutions mix channels cheaply before the wide kernels.

    1x28x28 -conv5-> 10x24x24 -pool,relu-> 10x12x12 -inception-> 88x12x12
            -conv5-> 20x8x8 -pool,relu-> 20x4x4 -inception-> 88x4x4 -> 1408 -> 10

Trained as lesson 10 (lesson_mnist.fit: CrossEntropyLoss, SGD lr 0.01 momentum 0.5,
batches of 64); prints the loss every 300 batches and the test accuracy after each epoch;
draws 11_inception.png. --quick: the first 3,200 training and 1,000 test images, one
epoch, lr 0.05.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from lesson_mnist import arguments, fit
from lesson_utils import setup_init


class InceptionA(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)

        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)

        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)

        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)

        branch5x5 = self.branch5x5_1(x)
        branch5x5 = self.branch5x5_2(branch5x5)

        branch3x3 = self.branch3x3_1(x)
        branch3x3 = self.branch3x3_2(branch3x3)
        branch3x3 = self.branch3x3_3(branch3x3)

        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1)
        branch_pool = self.branch_pool(branch_pool)

        outputs = [branch1x1, branch5x5, branch3x3, branch_pool]
        return torch.cat(outputs, dim=1)  # (b, 88, h, w): channels stacked


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)

        self.incep1 = InceptionA(in_channels=10)
        self.incep2 = InceptionA(in_channels=20)

        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(1408, 10)

    def forward(self, x):
        in_size = x.size(0)
        x = F.relu(self.mp(self.conv1(x)))
        x = self.incep1(x)
        x = F.relu(self.mp(self.conv2(x)))
        x = self.incep2(x)
        x = x.view(in_size, -1)  # 88 x 4 x 4 = 1408
        x = self.fc(x)
        return x


def main():
    args = arguments("Lesson 11: Inception blocks on MNIST", epochs=10, lr=0.01, quick_lr=0.05)
    if args.seed is not None:
        torch.manual_seed(args.seed)
    model = Net()
    setup_init(model, args)
    fit(model, args, "Inception network (88 channels, fc 1408-10)", "11_inception.png")


if __name__ == "__main__":
    main()

"""Lesson 10: a convolutional network for the MNIST digits.

Two 5x5 convolutions (1 -> 10 -> 20 channels), each followed by 2x2 max pooling and a
ReLU, shrink each 1 x 28 x 28 image to 20 x 4 x 4 = 320 features, which one linear layer
maps to the 10 scores:

    1x28x28 -conv5-> 10x24x24 -pool-> 10x12x12 -conv5-> 20x8x8 -pool-> 20x4x4 -> 320 -> 10

Trained as lesson 09 (CrossEntropyLoss, SGD lr 0.01 momentum 0.5, batches of 64), on
the device PyTorch offers (the CPU here; see lesson_mnist.fit). Prints the loss every 300
batches and the test accuracy after each epoch; draws 10_cnn.png. --quick: the first
3,200 training and 1,000 test images, one epoch, lr 0.05.
"""

import torch
import torch.nn.functional as F
from lesson_mnist import arguments, fit
from lesson_utils import setup_init


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = torch.nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(320, 10)

    def forward(self, x):
        # flatten data from (n, 1, 28, 28) to (n, 320) after the two conv blocks
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))
        x = F.relu(self.pooling(self.conv2(x)))
        x = x.view(batch_size, -1)
        x = self.fc(x)
        return x


def main():
    args = arguments("Lesson 10: a CNN for MNIST", epochs=10, lr=0.01, quick_lr=0.05)
    if args.seed is not None:
        torch.manual_seed(args.seed)
    model = Net()
    setup_init(model, args)
    # lesson 09's training loop, with inputs and model on the device PyTorch offers
    fit(model, args, "Conv 1-10-20, k5, max-pool 2, fc 320-10", "10_cnn.png")


if __name__ == "__main__":
    main()

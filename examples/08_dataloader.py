"""Lesson 08: the diabetes network of lesson 07, fed by a Dataset and a DataLoader.

The Dataset reads the table once and returns one (features, label) row per index; the
DataLoader batches rows (32 at a time), shuffles them every epoch and can load them in
worker processes (--num-workers). The loss per batch is drawn as 08_dataloader.png.
"""

import os

import numpy as np
import torch
import torch.nn as nn
from lesson_utils import parser, pyplot, save_figure, setup_init
from torch.utils.data import DataLoader, Dataset

HERE = os.path.dirname(os.path.abspath(__file__))


class DiabetesDataset(Dataset):
    """The diabetes table: 8 features and a 0/1 label per row."""

    def __init__(self, path):
        xy = np.loadtxt(path, delimiter=",", dtype=np.float32)
        self.len = xy.shape[0]
        self.x_data = torch.from_numpy(xy[:, 0:-1])
        self.y_data = torch.from_numpy(xy[:, [-1]])

    def __getitem__(self, index):
        return self.x_data[index], self.y_data[index]

    def __len__(self):
        return self.len


class Model(nn.Module):
    def __init__(self):
        """Three nn.Linear layers, each followed by a sigmoid."""
        super().__init__()
        self.l1 = nn.Linear(8, 6)
        self.l2 = nn.Linear(6, 4)
        self.l3 = nn.Linear(4, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        out1 = self.sigmoid(self.l1(x))
        out2 = self.sigmoid(self.l2(out1))
        y_pred = self.sigmoid(self.l3(out2))
        return y_pred


def main():
    p = parser("Lesson 08: Dataset and DataLoader", epochs=2)
    p.add_argument("--data", default=os.path.join(HERE, "data", "diabetes.csv"))
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--num-workers", type=int, default=0, help="loader processes (default 0)")
    p.add_argument("--no-shuffle", action="store_true", help="keep the rows in file order")
    args = p.parse_args()

    if args.seed is not None:
        torch.manual_seed(args.seed)
    dataset = DiabetesDataset(args.data)
    train_loader = DataLoader(
        dataset=dataset,
        batch_size=args.batch_size,
        shuffle=not args.no_shuffle,
        num_workers=args.num_workers,
    )

    model = Model()
    setup_init(model, args)
    criterion = nn.BCELoss(reduction="mean")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    losses = []
    for epoch in range(args.epochs):
        for i, data in enumerate(train_loader, 0):
            # get the inputs
            inputs, labels = data

            # Forward pass: compute the predictions and the loss
            y_pred = model(inputs)
            loss = criterion(y_pred, labels)
            print(f"Epoch {epoch + 1} | Batch: {i + 1} | Loss: {loss.item()}")
            losses.append(loss.item())

            # Zero gradients, perform a backward pass, and update the weights.
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    plt = pyplot(args)
    if plt is not None:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        ax.plot(range(1, len(losses) + 1), losses)
        ax.set_xlabel("batch")
        ax.set_ylabel("BCE loss")
        ax.set_title(f"Mini-batches of {args.batch_size}, SGD lr=0.1")
        save_figure(plt, fig, args, "08_dataloader.png")


# Worker processes may import this file again; the guard keeps them from training.
if __name__ == "__main__":
    main()

"""Lesson 13: which country does a surname come from? A bidirectional GRU reads it.

Each name is a sequence of ASCII codes (0-127). An Embedding turns each code into 100
numbers, a 2-layer bidirectional GRU (hidden 100) reads the sequence both ways, and the
last hidden states of the two directions (200 numbers) go through a Linear layer to the
scores of the 18 countries. Names in a batch have different lengths: they are padded
with zeros to the longest, sorted by length (longest first), and packed with
pack_padded_sequence, so the GRU stops at each name's true end.

The tables are data/names_train.csv.gz and names_test.csv.gz (`name,country` rows), read
with gzip and csv as the course does; data/make_names.py writes them (a generated
stand-in with the real tables' shape). Adam lr 0.001, batches of 256, 100 epochs; the
running loss is printed every 10 batches, the test accuracy after each epoch, and the
accuracy per epoch is drawn as 13_name_classifier.png. --quick: the first 2,560 training
and 1,000 test names, 2 epochs at lr 0.01, for a run of a few seconds.
"""

import csv
import gzip
import math
import os
import time

import numpy as np
import torch
from lesson_utils import parser, pyplot, save_figure, setup_init
from torch.nn.utils.rnn import pack_padded_sequence
from torch.utils.data import DataLoader, Dataset, Subset

HERE = os.path.dirname(os.path.abspath(__file__))

HIDDEN_SIZE = 100
BATCH_SIZE = 256
N_LAYER = 2
N_CHARS = 128  # ASCII
USE_GPU = torch.cuda.is_available()


class NameDataset(Dataset):
    """(name, country index) pairs; countries are numbered in alphabetical order."""

    def __init__(self, data_dir, is_train_set=True):
        filename = "names_train.csv.gz" if is_train_set else "names_test.csv.gz"
        with gzip.open(os.path.join(data_dir, filename), "rt") as f:
            reader = csv.reader(f)
            rows = list(reader)
        self.names = [row[0] for row in rows]
        self.len = len(self.names)
        self.countries = [row[1] for row in rows]
        self.country_list = list(sorted(set(self.countries)))
        self.country_dict = self.getCountryDict()
        self.country_num = len(self.country_list)

    def __getitem__(self, index):
        return self.names[index], self.country_dict[self.countries[index]]

    def __len__(self):
        return self.len

    def getCountryDict(self):
        country_dict = dict()
        for idx, country_name in enumerate(self.country_list, 0):
            country_dict[country_name] = idx
        return country_dict

    def idx2country(self, index):
        return self.country_list[index]

    def getCountriesNum(self):
        return self.country_num


def create_tensor(tensor):
    if USE_GPU:
        device = torch.device("cuda:0")
        tensor = tensor.to(device)
    return tensor


class RNNClassifier(torch.nn.Module):
    def __init__(self, input_size, hidden_size, output_size, n_layers=1, bidirectional=True):
        super().__init__()
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.n_directions = 2 if bidirectional else 1

        self.embedding = torch.nn.Embedding(input_size, hidden_size)
        self.gru = torch.nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=bidirectional)
        self.fc = torch.nn.Linear(hidden_size * self.n_directions, output_size)

    def _init_hidden(self, batch_size):
        hidden = torch.zeros(self.n_layers * self.n_directions, batch_size, self.hidden_size)
        return create_tensor(hidden)

    def forward(self, input, seq_lengths):
        # input shape: B x S -> S x B
        input = input.t()
        batch_size = input.size(1)

        hidden = self._init_hidden(batch_size)
        embedding = self.embedding(input)  # S x B x hidden

        # pack them up: the GRU skips the padding after each name's end
        gru_input = pack_padded_sequence(embedding, seq_lengths)

        output, hidden = self.gru(gru_input, hidden)
        if self.n_directions == 2:  # the last layer's forward and backward final states
            hidden_cat = torch.cat([hidden[-1], hidden[-2]], dim=1)
        else:
            hidden_cat = hidden[-1]
        fc_output = self.fc(hidden_cat)
        return fc_output


def name2list(name):
    arr = [ord(c) for c in name]
    return arr, len(arr)


def make_tensors(names, countries):
    sequences_and_lengths = [name2list(name) for name in names]
    name_sequences = [sl[0] for sl in sequences_and_lengths]
    seq_lengths = torch.LongTensor([sl[1] for sl in sequences_and_lengths])
    countries = countries.long()

    # make tensor of name, BatchSize x SeqLen, padded with zeros
    seq_tensor = torch.zeros(len(name_sequences), seq_lengths.max()).long()
    for idx, (seq, seq_len) in enumerate(zip(name_sequences, seq_lengths), 0):
        seq_tensor[idx, :seq_len] = torch.LongTensor(seq)

    # sort by length to use pack_padded_sequence
    seq_lengths, perm_idx = seq_lengths.sort(dim=0, descending=True)
    seq_tensor = seq_tensor[perm_idx]
    countries = countries[perm_idx]

    return create_tensor(seq_tensor), seq_lengths, create_tensor(countries)


def time_since(since):
    s = time.time() - since
    m = math.floor(s / 60)
    s -= m * 60
    return f"{m}m {int(s)}s"


def main():
    p = parser("Lesson 13: surname -> country with a bidirectional GRU", epochs=100)
    p.add_argument("--data", default=os.path.join(HERE, "data"), help="folder of the tables")
    p.add_argument("--lr", type=float, default=0.001, help="Adam's learning rate")
    p.add_argument("--quick", action="store_true", help="2,560 / 1,000 names, 2 epochs, lr 0.01")
    p.add_argument("--no-shuffle", action="store_true", help="keep the names in file order")
    if p.parse_known_args()[0].quick:
        p.set_defaults(epochs=2, lr=0.01)
    args = p.parse_args()
    if args.seed is not None:
        torch.manual_seed(args.seed)

    trainset = NameDataset(args.data, is_train_set=True)
    testset = NameDataset(args.data, is_train_set=False)
    N_COUNTRY = trainset.getCountriesNum()
    if args.quick:
        trainset = Subset(trainset, range(2560))
        testset = Subset(testset, range(1000))
    trainloader = DataLoader(trainset, batch_size=BATCH_SIZE, shuffle=not args.no_shuffle)
    testloader = DataLoader(testset, batch_size=BATCH_SIZE, shuffle=False)

    classifier = RNNClassifier(N_CHARS, HIDDEN_SIZE, N_COUNTRY, N_LAYER)
    setup_init(classifier, args)
    if USE_GPU:
        classifier.to(torch.device("cuda:0"))
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(classifier.parameters(), lr=args.lr)

    def trainModel(epoch, start):
        total_loss = 0
        for i, (names, countries) in enumerate(trainloader, 1):
            inputs, seq_lengths, target = make_tensors(names, countries)
            output = classifier(inputs, seq_lengths)
            loss = criterion(output, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            total_loss += loss.item()
            if i % 10 == 0:
                print(f"[{time_since(start)}] Epoch {epoch} ", end="")
                print(f"[{i * len(inputs)}/{len(trainset)}] ", end="")
                print(f"loss={total_loss / (i * len(inputs))}")
        return total_loss

    def testModel():
        correct = 0
        total = len(testset)
        print("evaluating trained model ...")
        with torch.no_grad():
            for names, countries in testloader:
                inputs, seq_lengths, target = make_tensors(names, countries)
                output = classifier(inputs, seq_lengths)
                pred = output.max(dim=1, keepdim=True)[1]
                correct += pred.eq(target.view_as(pred)).sum().item()
        percent = "%.2f" % (100 * correct / total)
        print(f"Test set: Accuracy {correct}/{total} {percent}%")
        return correct / total

    start = time.time()
    print(f"Training for {args.epochs} epochs...")
    acc_list = []
    for epoch in range(1, args.epochs + 1):
        trainModel(epoch, start)
        acc = testModel()
        acc_list.append(acc)

    plt = pyplot(args)
    if plt is not None:
        epochs = np.arange(1, len(acc_list) + 1, 1)
        fig, ax = plt.subplots(figsize=(7, 4.5))
        ax.plot(epochs, np.array(acc_list))
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Accuracy")
        ax.grid()
        ax.set_title("Bidirectional GRU name classifier, test accuracy")
        save_figure(plt, fig, args, "13_name_classifier.png")


if __name__ == "__main__":
    main()

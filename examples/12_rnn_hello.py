"""Lesson 12: recurrent networks learn to turn 'hello' into 'ohlol'.

The letters e, h, l, o are classes 0-3; at each of the five steps the network sees one
letter of 'hello' and must output the letter of 'ohlol' at the same place. Five ways to
build it, as the course does (--model, default: all five in turn):

  rnncell    nn.RNNCell(4, 4) stepped by hand over one-hot letters; the hidden state
             is the output (4 scores). Adam lr 0.1.
  rnn        nn.RNN(4, 4) over the whole one-hot sequence at once. Adam lr 0.1.
  embedding  nn.Embedding(4, 10) -> 2-layer nn.RNN(10, 8, batch_first) -> nn.Linear(8, 4):
             letter indices in, no one-hot. Adam lr 0.05.
  lstm, gru  the embedding network with nn.LSTM or nn.GRU in place of nn.RNN.

Each epoch prints the predicted string and the loss (15 epochs). --quick is accepted for
uniformity with the other lessons: this lesson is quick already. --init/--save-init hold
the weights of every model run, under the model's name.
"""

import torch
import torch.nn as nn
from lesson_utils import parser, setup_init

idx2char = ["e", "h", "l", "o"]
x_data = [1, 0, 2, 2, 3]  # hello
y_data = [3, 1, 2, 3, 2]  # ohlol
one_hot_lookup = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
x_one_hot = [one_hot_lookup[x] for x in x_data]

input_size = 4
hidden_size = 4
batch_size = 1
seq_len = 5


class CellModel(nn.Module):
    """One RNNCell, called once per letter; the caller carries the hidden state."""

    def __init__(self, input_size, hidden_size, batch_size):
        super().__init__()
        self.batch_size = batch_size
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.rnncell = nn.RNNCell(input_size=self.input_size, hidden_size=self.hidden_size)

    def forward(self, input, hidden):
        hidden = self.rnncell(input, hidden)
        return hidden

    def init_hidden(self):
        return torch.zeros(self.batch_size, self.hidden_size)


class RNNModel(nn.Module):
    """nn.RNN over the whole sequence: (seq_len, batch, input) in, one row per step out."""

    def __init__(self, input_size, hidden_size, batch_size, num_layers=1):
        super().__init__()
        self.num_layers = num_layers
        self.batch_size = batch_size
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.rnn = nn.RNN(
            input_size=self.input_size, hidden_size=self.hidden_size, num_layers=num_layers
        )

    def forward(self, input):
        hidden = torch.zeros(self.num_layers, self.batch_size, self.hidden_size)
        out, _ = self.rnn(input, hidden)
        return out.view(-1, self.hidden_size)  # (seq_len * batch, hidden)


num_class = 4
embedding_size = 10
embedding_hidden = 8
num_layers = 2


class EmbeddingModel(nn.Module):
    """Letter index -> embedding -> recurrent layers (batch first) -> linear -> 4 scores."""

    def __init__(self, cell="rnn"):
        super().__init__()
        self.cell = cell
        self.emb = nn.Embedding(input_size, embedding_size)
        layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = layer(
            input_size=embedding_size,
            hidden_size=embedding_hidden,
            num_layers=num_layers,
            batch_first=True,
        )
        self.fc = nn.Linear(embedding_hidden, num_class)

    def forward(self, x):
        hidden = torch.zeros(num_layers, x.size(0), embedding_hidden)
        if self.cell == "lstm":
            hidden = (hidden, torch.zeros(num_layers, x.size(0), embedding_hidden))
        x = self.emb(x)  # (batch, seq_len, embedding_size)
        x, _ = self.rnn(x, hidden)
        x = self.fc(x)
        return x.view(-1, num_class)


def train_cell(net, epochs):
    inputs = torch.Tensor(x_one_hot).view(-1, batch_size, input_size)  # (seq, batch, input)
    labels = torch.LongTensor(y_data).view(-1, 1)  # (seq, 1)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.1)
    for epoch in range(epochs):
        loss = 0
        optimizer.zero_grad()
        hidden = net.init_hidden()
        print("Predicted string: ", end="")
        for input, label in zip(inputs, labels):  # one letter at a time
            hidden = net(input, hidden)
            loss += criterion(hidden, label)  # the sum over the sequence is the loss
            _, idx = hidden.max(dim=1)
            print(idx2char[idx.item()], end="")
        loss.backward()
        optimizer.step()
        print(f", Epoch [{epoch + 1}/{epochs}] loss={loss.item():.4f}")


def train_sequence(net, inputs, lr, epochs):
    labels = torch.LongTensor(y_data)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    for epoch in range(epochs):
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()

        _, idx = outputs.max(dim=1)
        idx = idx.data.numpy()
        print("Predicted: ", "".join([idx2char[x] for x in idx]), end="")
        print(f", Epoch [{epoch + 1}/{epochs}] loss = {loss.item():.3f}")


MODELS = ["rnncell", "rnn", "embedding", "lstm", "gru"]


def main():
    p = parser("Lesson 12: hello -> ohlol with recurrent networks", epochs=15)
    p.add_argument("--model", choices=[*MODELS, "all"], default="all")
    p.add_argument("--quick", action="store_true", help="accepted; the lesson is quick")
    args = p.parse_args()
    if args.seed is not None:
        torch.manual_seed(args.seed)

    names = MODELS if args.model == "all" else [args.model]
    nets = nn.ModuleDict()
    for name in names:
        if name == "rnncell":
            nets[name] = CellModel(input_size, hidden_size, batch_size)
        elif name == "rnn":
            nets[name] = RNNModel(input_size, hidden_size, batch_size)
        else:
            nets[name] = EmbeddingModel("rnn" if name == "embedding" else name)
    setup_init(nets, args)

    for name, net in nets.items():
        print(f"-- {name}: {type(net.rnncell if name == 'rnncell' else net.rnn).__name__}")
        if name == "rnncell":
            train_cell(net, args.epochs)
        elif name == "rnn":
            inputs = torch.Tensor(x_one_hot).view(seq_len, batch_size, input_size)
            train_sequence(net, inputs, 0.1, args.epochs)
        else:
            inputs = torch.LongTensor([x_data])  # (batch, seq_len) of letter indices
            train_sequence(net, inputs, 0.05, args.epochs)


if __name__ == "__main__":
    main()

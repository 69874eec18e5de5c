"""The recurrent cells' steps as Ops, used by nn.RNN/LSTM/GRU and their cells."""

__all__ = []

"""nn.utils.rnn: packed and padded sequences for recurrent layers."""

__all__ = []

"""nn.utils.rnn: packed and padded sequences for recurrent layers.

A PackedSequence holds a batch of sequences of different lengths, time-major
and without padding: the rows of step t are the batch's first batch_sizes[t]
sequences (sorted by decreasing length). Packing and padding move whole rows,
so each is one differentiable gather or scatter (GatherRows / ScatterRows).
"""

from collections import namedtuple

import numpy as np

from ...dtypes import scalar_type_name
from ...tensor import Tensor
from ..functional.rnn import gather_rows, inverse_permutation, scatter_rows

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]

_wrap = Tensor._wrap


def _long(array):
    return _wrap(np.ascontiguousarray(array, dtype=np.int64))


def invert_permutation(permutation):
    """The permutation that undoes `permutation` (None stays None)."""
    if permutation is None:
        return None
    return _wrap(inverse_permutation(permutation._data))


class PackedSequence(
    namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])
):
    """data (sum of lengths, *), batch_sizes (int64, one per time step), and the
    permutation that sorted the batch by length (and its inverse), or None."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data):
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        """dtype and/or device conversion of data (batch_sizes stays int64 on the CPU)."""
        return self._with_data(self.data.to(*args, **kwargs))

    def cpu(self, *args, **kwargs):
        return self._with_data(self.data.cpu(*args, **kwargs))

    def cuda(self, *args, **kwargs):
        return self._with_data(self.data.cuda(*args, **kwargs))

    def pin_memory(self):
        return self

    def double(self):
        return self._with_data(self.data.double())

    def float(self):
        return self._with_data(self.data.float())

    def half(self):
        return self._with_data(self.data.half())

    def long(self):
        return self._with_data(self.data.long())

    def int(self):
        return self._with_data(self.data.int())

    def short(self):
        return self._with_data(self.data.short())

    def char(self):
        return self._with_data(self.data.char())

    def byte(self):
        return self._with_data(self.data.byte())

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        if lengths.is_cuda or lengths._data.ndim != 1:
            kind = "cpu" if not lengths.is_cuda else str(lengths.device)
            raise RuntimeError(
                "'lengths' argument should be a 1D CPU int64 tensor, but got "
                f"{lengths._data.ndim}D {kind} {scalar_type_name(lengths.dtype)} tensor"
            )
        return lengths._data.astype(np.int64)
    arr = np.asarray(lengths)
    if arr.ndim != 1:
        raise RuntimeError(
            "'lengths' argument should be a 1D CPU int64 tensor, but got "
            f"{arr.ndim}D cpu Long tensor"
        )
    return arr.astype(np.int64)


def _batch_sizes(lengths):
    """batch_sizes[t] = how many of the (descending) lengths exceed t."""
    steps = int(lengths[0])
    return (lengths[None, :] > np.arange(steps)[:, None]).sum(1).astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *) with batch_first) of sequences with the
    given lengths; with enforce_sorted=False the batch need not be sorted by length."""
    lengths = _lengths_array(lengths)
    batch = input.shape[0] if batch_first else input.shape[1]
    steps_in = input.shape[1] if batch_first else input.shape[0]
    if enforce_sorted:
        sorted_indices = None
        order = np.arange(lengths.shape[0])
        if lengths.shape[0] > 1 and np.any(lengths[1:] > lengths[:-1]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = _long(order)
    if lengths.shape[0] != batch:
        raise RuntimeError(
            "Expected `len(lengths)` to be equal to batch_size, but got "
            f"{lengths.shape[0]} (batch_size={batch})"
        )
    if lengths.shape[0] == 0 or lengths[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    if lengths[0] > steps_in:
        raise RuntimeError(
            f"pack_padded_sequence: a length of {int(lengths[0])} is longer than the input's "
            f"{steps_in} time steps"
        )
    batch_sizes = _batch_sizes(lengths)
    # Row of the flattened input for each packed row: step t, sorted sequence j < batch_sizes[t].
    rows = []
    for t, n in enumerate(batch_sizes.tolist()):
        b = order[:n]
        rows.append(b * steps_in + t if batch_first else t * batch + b)
    index = np.concatenate(rows)
    flat = input.reshape((batch * steps_in,) + tuple(input.shape[2:]))
    data = gather_rows(flat, index)
    return PackedSequence(data, _long(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of pack_padded_sequence: (padded batch, lengths), in the original order."""
    data, batch_sizes, sorted_indices, unsorted_indices = sequence
    sizes = batch_sizes._data.astype(np.int64)
    max_len = sizes.shape[0]
    if total_length is not None:
        if total_length < max_len:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_len}"
            )
        max_len = total_length
    batch = int(sizes[0])
    lengths = (sizes[None, :] > np.arange(batch)[:, None]).sum(1)  # per sorted sequence
    # Column of each sorted sequence in the output (the original order when it was sorted).
    column = np.arange(batch) if sorted_indices is None else sorted_indices._data
    rows = []
    for t, n in enumerate(sizes.tolist()):
        c = column[:n]
        rows.append(c * max_len + t if batch_first else t * batch + c)
    index = np.concatenate(rows)
    padded = scatter_rows(data, index, batch * max_len, padding_value)
    shape = (batch, max_len) if batch_first else (max_len, batch)
    padded = padded.reshape(shape + tuple(data.shape[1:]))
    if unsorted_indices is not None:
        lengths = lengths[unsorted_indices._data]
    return padded, _long(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shapes (L_i, *) into (T, B, *) (or (B, T, *)), padded to the longest."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    try:
        sequences = tuple(sequences)
    except TypeError:
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        ) from None
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    from ...ops.joining import cat

    lens = [int(s.shape[0]) for s in sequences]
    batch, max_len = len(sequences), max(lens)
    rows = []
    for b, n in enumerate(lens):
        t = np.arange(n) + (max_len - n if padding_side == "left" else 0)
        rows.append(b * max_len + t if batch_first else t * batch + b)
    index = np.concatenate(rows).astype(np.int64)
    data = cat(list(sequences)) if batch > 1 else sequences[0]
    padded = scatter_rows(data, index, batch * max_len, padding_value)
    shape = (batch, max_len) if batch_first else (max_len, batch)
    return padded.reshape(shape + tuple(sequences[0].shape[1:]))


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences of shapes (L_i, *) (by decreasing length unless
    enforce_sorted=False)."""
    lengths = [int(s.shape[0]) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences a padded batch holds, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)
    return [padded_sequences[b, : int(n)] for b, n in enumerate(lens)]


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)

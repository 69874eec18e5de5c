"""nn modules: RNN, LSTM, GRU and their cells (RNNCell, LSTMCell, GRUCell).

Parameters, their names, shapes, order and initialisation are PyTorch's, so
state_dicts move between the two. Each layer and direction runs as one Op
(nn.functional.rnn): the input projections of all time steps in one matmul,
then the loop over time inside the Op.
"""

import math
import numbers
import warnings

import numpy as np

from .. import functional as F
from .. import init
from ..functional import _rnn_outputs as _outputs
from ..functional.rnn import cell_step, recurrent_layer
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .linear import _empty
from .module import Module

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """The multi-layer recurrent layers' shared parameters, checks and loop over layers."""

    def __init__(
        self,
        mode,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        proj_size=0,
        device=None,
        dtype=None,
    ):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        if (
            not isinstance(dropout, numbers.Number)
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of "
                "an element being zeroed"
            )
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(
                f"batch_first should be of type bool, got: {type(batch_first).__name__}"
            )
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size > 0:
            raise NotImplementedError("LSTM with proj_size > 0 is not supported by chainrule yet")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else hidden_size * directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [
                    (f"weight_ih_l{layer}{suffix}", (gate_size, layer_input)),
                    (f"weight_hh_l{layer}{suffix}", (gate_size, hidden_size)),
                ]
                if bias:
                    shapes += [
                        (f"bias_ih_l{layer}{suffix}", (gate_size,)),
                        (f"bias_hh_l{layer}{suffix}", (gate_size,)),
                    ]
                for name, shape in shapes:
                    setattr(self, name, Parameter(_empty(shape, device, dtype)))
                names = [name for name, _ in shapes]
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """PyTorch packs the weights for cuDNN here; on the CPU it does nothing."""

    @property
    def _flat_weights(self):
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # -- checks, as PyTorch words them ----------------------------------------------------
    def check_input(self, input, batch_sizes):
        weight_dtype = self.weight_ih_l0.dtype
        if input.dtype != weight_dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                f"Convert input: input.to({weight_dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.size(-1)}"
            )

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        directions = 2 if self.bidirectional else 1
        return (self.num_layers * directions, mini_batch, self.hidden_size)

    def check_hidden_size(self, hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != expected:
            raise RuntimeError(msg.format(expected, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    # -- the computation ------------------------------------------------------------------
    def _prepare(self, input, hx, name, lstm=False):
        """The time-major rows, the steps, the states and how to shape the results back."""
        if isinstance(input, PackedSequence):
            data, batch_sizes, sorted_indices, _ = input
            sizes = batch_sizes._data.tolist()
            perm = None if sorted_indices is None else sorted_indices._data
            shape = None
        else:
            batch_sizes = perm = None
            if input.dim() not in (2, 3):
                if lstm or name == "GRU":
                    raise ValueError(
                        f"{name}: Expected input to be 2D or 3D, got {input.dim()}D instead"
                    )
                raise ValueError(
                    f"{name}: Expected input to be 2D or 3D, got {input.dim()}D tensor instead"
                )
            batched = input.dim() == 3
            if not batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
                hx = self._unbatch_hidden(hx, lstm)
            else:
                self._check_batched_hidden(hx, lstm)
            data = input
            shape = (input.shape[0], input.shape[1], batched)
            sizes = None
        if lstm:
            self._check_lstm_args(data, hx, batch_sizes)
        elif hx is not None:
            self.check_forward_args(data, hx, batch_sizes)
        else:
            self.check_input(data, batch_sizes)
        if sizes is None:
            if self.batch_first:
                data = data.transpose(0, 1)
            steps_n, batch = data.shape[0], data.shape[1]
            data = data.reshape(steps_n * batch, data.shape[2])
            sizes = [batch] * steps_n
        starts = np.cumsum([0] + sizes[:-1]).tolist()
        steps = tuple(zip(starts, sizes))
        return data, steps, perm, hx, shape

    def _unbatch_hidden(self, hx, lstm):
        if hx is None:
            return None
        if lstm:
            if hx[0].dim() != 2 or hx[1].dim() != 2:
                raise RuntimeError(
                    "For unbatched 2-D input, hx and cx should also be 2-D but got "
                    f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
                )
            return (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        if hx.dim() != 2:
            raise RuntimeError(
                f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor"
            )
        return hx.unsqueeze(1)

    def _check_batched_hidden(self, hx, lstm):
        if hx is None:
            return
        if lstm:
            if hx[0].dim() != 3 or hx[1].dim() != 3:
                raise RuntimeError(
                    "For batched 3-D input, hx and cx should also be 3-D but got "
                    f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
                )
        elif hx.dim() != 3:
            raise RuntimeError(
                f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor"
            )

    def _check_lstm_args(self, data, hx, batch_sizes):
        self.check_input(data, batch_sizes)
        if hx is not None:
            expected = self.get_expected_hidden_size(data, batch_sizes)
            self.check_hidden_size(hx[0], expected, "Expected hidden[0] size {}, got {}")
            self.check_hidden_size(hx[1], expected, "Expected hidden[1] size {}, got {}")

    def _run(self, input, hx, cx, name):
        from ...ops.joining import cat, stack

        lstm = self.mode == "LSTM"
        states = None if hx is None else ((hx, cx) if lstm else hx)
        data, steps, perm, states, shape = self._prepare(input, states, name, lstm)
        if states is not None:
            hx, cx = states if lstm else (states, None)
        directions = 2 if self.bidirectional else 1
        weights = self.all_weights
        h_n, c_n = [], []
        layer_input = data
        dropout = self.dropout if self.training else 0.0
        for layer in range(self.num_layers):
            outs = []
            for direction in range(directions):
                k = layer * directions + direction
                w = weights[k]
                w_ih, w_hh = w[0], w[1]
                b_ih, b_hh = (w[2], w[3]) if self.bias else (None, None)
                gi = F.linear(layer_input, w_ih, b_ih)
                h0 = None if hx is None else hx[k]
                c0 = None if cx is None else cx[k]
                res = recurrent_layer(
                    self.mode, gi, h0, c0, w_hh, b_hh, steps, direction == 1, perm
                )
                outs.append(res[0])
                h_n.append(res[1])
                if lstm:
                    c_n.append(res[2])
            if layer == self.num_layers - 1:
                break
            layer_input = outs[0] if directions == 1 else cat(outs, 1)
            if dropout > 0:
                layer_input = F.dropout(layer_input, dropout, True)
        h_n = stack(h_n)
        c_n = stack(c_n) if lstm else None
        # The last layer's output, through the node PyTorch's CPU kernels end with
        # (see functional/_rnn_outputs.py).
        if shape is None:
            rows = _outputs.packed_output(outs[0]) if directions == 1 else cat(outs, 1)
            output = PackedSequence(rows, *input[1:])
        else:
            first, second, batched = shape
            steps_n, batch = (second, first) if self.batch_first else (first, second)
            size = (steps_n, batch, self.hidden_size)
            if directions == 1:
                output = _outputs.steps_output(outs[0], size, self.mode)
            else:
                output = cat([o.reshape(size) for o in outs], 2)
            if self.batch_first:
                output = _outputs.batch_first(output, self.mode)
            if not batched:
                output = output.squeeze(0 if self.batch_first else 1)
                h_n = h_n.squeeze(1)
                c_n = None if c_n is None else c_n.squeeze(1)
        return output, (h_n if not lstm else (h_n, c_n))


class RNN(RNNBase):
    """Elman RNN: h_t = tanh (or relu)(x_t @ W_ih^T + b_ih + h_(t-1) @ W_hh^T + b_hh)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self_nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self_nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self_nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self_nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{self_nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = self_nonlinearity

    def forward(self, input, hx=None):
        return self._run(input, hx, None, "RNN")


class LSTM(RNNBase):
    """Long short-term memory, gates i, f, g, o in that order along W_ih / W_hh rows."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        if hx is None:
            return self._run(input, None, None, "LSTM")
        return self._run(input, hx[0], hx[1], "LSTM")


class GRU(RNNBase):
    """Gated recurrent unit, gates r, z, n in that order; n = tanh(W_in x + b_in +
    r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._run(input, hx, None, "GRU")


class RNNCellBase(Module):
    """The cells' parameters (weight_ih, weight_hh, bias_ih, bias_hh) and checks."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(_empty((gates, input_size), device, dtype))
        self.weight_hh = Parameter(_empty((gates, hidden_size), device, dtype))
        if bias:
            self.bias_ih = Parameter(_empty((gates,), device, dtype))
            self.bias_hh = Parameter(_empty((gates,), device, dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check(self, input, states):
        if input.size(1) != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}"
            )
        for label, h in enumerate(states):
            if input.size(0) != h.size(0):
                raise RuntimeError(
                    f"Input batch size {input.size(0)} doesn't match hidden{label} batch size "
                    f"{h.size(0)}"
                )
            if h.size(1) != self.hidden_size:
                raise RuntimeError(
                    f"hidden{label} has inconsistent hidden_size: got {h.size(1)}, expected "
                    f"{self.hidden_size}"
                )

    def _forward_one_state(self, name, input, hx):
        """RNNCell's and GRUCell's forward: one state in, the next one out."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
            hx = None if hx is None else hx.unsqueeze(0)
        mode = self._mode()
        self._check(input, () if hx is None else (hx,))
        out = _outputs.cell_output(mode, self._step(mode, input, hx)[1])
        return out if batched else out.squeeze(0)

    def _step(self, mode, input, h, c=None):
        weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return cell_step(mode, input, h, c, *weights)


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh (or relu)(x @ W_ih^T + b_ih + h @ W_hh^T + b_hh)."""

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def _mode(self):
        if self.nonlinearity == "tanh":
            return "RNN_TANH"
        if self.nonlinearity == "relu":
            return "RNN_RELU"
        raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")

    def forward(self, input, hx=None):
        return self._forward_one_state("RNNCell", input, hx)


class LSTMCell(RNNCellBase):
    """One LSTM step: returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(
                        f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead"
                    )
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
            hx = None if hx is None else (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = (None, None) if hx is None else hx
        self._check(input, () if hx is None else (h, c))
        _, h_n, c_n = self._step("LSTM", input, h, c)
        h_n, c_n = _outputs.cell_output("LSTM", h_n), _outputs.cell_state(c_n)
        return (h_n, c_n) if batched else (h_n.squeeze(0), c_n.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: h' = (1 - z) * n + z * h."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def _mode(self):
        return "GRU"

    def forward(self, input, hx=None):
        return self._forward_one_state("GRUCell", input, hx)

"""The recurrent layers' time loops and the packing of sequences, as Ops.

A recurrent layer is one Op per layer and direction (RnnTanhLayer, RnnReluLayer,
LstmLayer, GruLayer). The input projections x @ W_ih^T + b_ih of every time
step arrive as one (N, gates * hidden) array `gi`, computed beforehand by one
matmul; the Op runs the loop over time in NumPy: per step one matmul with
W_hh and the gate arithmetic in place. Rows are time-major and packed: step t
owns rows steps[t] = (start, n), the first n sequences of the batch (sorted by
decreasing length, as a PackedSequence is), so the batch shrinks along the
loop. The backward is backpropagation through time in NumPy, with dW_hh as one
matmul over all steps. Under create_graph the backward instead rebuilds the
loop from chainrule ops (`layer_composite`) and differentiates that, so
higher derivatives work.

Packing is row gathering and scattering: GatherRows (PyTorch's
PackPaddedSequenceBackward0) and ScatterRows, each the other's derivative.
"""

import numpy as np

from ...autograd.grad_mode import state as _grad_state
from ...ops.op import NULL_CTX, Op, apply
from ...tensor import Tensor
from . import _rnn_outputs as _outputs
from . import _workspace
from .linear import linear

__all__ = []

_wrap = Tensor._wrap


def _sigmoid_(x):
    """x <- 1 / (1 + exp(-x)) in place (overflow of exp to inf gives the right 0)."""
    np.negative(x, out=x)
    np.exp(x, out=x)
    x += 1
    np.reciprocal(x, out=x)


def inverse_permutation(perm):
    """The index array that undoes the permutation array perm."""
    out = np.empty_like(perm)
    out[perm] = np.arange(perm.shape[0], dtype=perm.dtype)
    return out


def _initial(state, perm, batch, hidden, dtype):
    if state is None:
        return np.zeros((batch, hidden), dtype)
    return state[perm] if perm is not None else state.copy()


class _RecurrentLayer(Op):
    """One layer, one direction, over all time steps. Operands: gi (N, G*H) the input
    projections, h0 (B, H), c0 (B, H) for LSTM, w_hh (G*H, H), b_hh (G*H,). Outputs: the
    hidden state of every step (N, H), and the final states (B, H) of each sequence at its
    true length. `perm` (sorted_indices of a PackedSequence) maps the initial states into
    the sorted order; the final states come back in the caller's order."""

    mode = None

    @classmethod
    def forward(cls, ctx, gi, h0, c0, w_hh, b_hh, *, steps, reverse=False, perm=None):
        hidden = w_hh.shape[1]
        batch = steps[0][1]
        dtype = gi.dtype
        h = _initial(h0, perm, batch, hidden, dtype)
        n_rows = gi.shape[0]
        out = np.empty((n_rows, hidden), dtype)
        h_prev = _workspace.empty((n_rows, hidden), dtype)
        order = steps[::-1] if reverse else steps
        w_t = w_hh.T
        mode = cls.mode
        # the outputs only where the backward reads them (tanh and relu), so that the
        # saved arrays do not keep a lower layer's outputs alive for nothing
        saved = {"h_prev": h_prev} if mode in ("GRU", "LSTM") else {"h_prev": h_prev, "out": out}
        c = None
        with np.errstate(over="ignore"):
            if mode == "GRU":
                h = _gru_forward(gi, h, w_t, b_hh, order, out, h_prev, saved)
            elif mode == "LSTM":
                c = _initial(c0, perm, batch, hidden, dtype)
                gates = np.empty((n_rows, 4 * hidden), dtype)
                c_new = np.empty((n_rows, hidden), dtype)
                c_prev = np.empty((n_rows, hidden), dtype)
                tanh_c = np.empty((n_rows, hidden), dtype)
                h2, h3 = 2 * hidden, 3 * hidden
                for s, n in order:
                    e = s + n
                    hp = h[:n]
                    h_prev[s:e] = hp
                    g = gates[s:e]
                    np.matmul(hp, w_t, out=g)
                    g += gi[s:e]
                    if b_hh is not None:
                        g += b_hh
                    _sigmoid_(g[:, :h2])
                    np.tanh(g[:, h2:h3], out=g[:, h2:h3])
                    _sigmoid_(g[:, h3:])
                    cp = c[:n]
                    c_prev[s:e] = cp
                    cn = c_new[s:e]
                    np.multiply(g[:, hidden:h2], cp, out=cn)
                    cn += g[:, :hidden] * g[:, h2:h3]
                    tc = tanh_c[s:e]
                    np.tanh(cn, out=tc)
                    hn = out[s:e]
                    np.multiply(g[:, h3:], tc, out=hn)
                    h[:n] = hn
                    c[:n] = cn
                saved.update(gates=gates, c_new=c_new, c_prev=c_prev, tanh_c=tanh_c)
            else:
                relu = mode == "RNN_RELU"
                for s, n in order:
                    e = s + n
                    hp = h[:n]
                    h_prev[s:e] = hp
                    hn = out[s:e]
                    np.matmul(hp, w_t, out=hn)
                    hn += gi[s:e]
                    if b_hh is not None:
                        hn += b_hh
                    if relu:
                        np.maximum(hn, 0, out=hn)
                    else:
                        np.tanh(hn, out=hn)
                    h[:n] = hn
        unperm = None
        if perm is not None:
            unperm = inverse_permutation(perm)
            h = h[unperm]
            if c is not None:
                c = c[unperm]
        if ctx is not NULL_CTX:
            ctx.save_for_backward(gi, h0, c0, w_hh, b_hh)
            ctx.arrays = saved
            ctx.settings = (steps, reverse, perm, unperm)
        return (out, h) if c is None else (out, h, c)

    @classmethod
    def backward(cls, ctx, grad_out, grad_h, grad_c=None):
        gi, h0, c0, w_hh, b_hh = ctx.saved_tensors
        steps, reverse, perm, unperm = ctx.settings
        needs = ctx.needs_input_grad
        if _grad_state.enabled:
            return _backward_composite(
                cls.mode,
                (gi, h0, c0, w_hh, b_hh),
                needs,
                steps,
                reverse,
                perm,
                (grad_out, grad_h, grad_c),
            )
        return _backward_arrays(
            cls.mode,
            ctx.arrays,
            w_hh._data,
            b_hh is not None,
            needs,
            steps,
            reverse,
            perm,
            unperm,
            grad_out,
            grad_h,
            grad_c,
        )


def _backward_arrays(
    mode, saved, w, has_bias, needs, steps, reverse, perm, unperm, grad_out, grad_h, grad_c
):
    """Backpropagation through time on the arrays the forward kept."""
    hidden = w.shape[1]
    h_prev = saved["h_prev"]
    n_rows, dtype = h_prev.shape[0], h_prev.dtype
    batch = steps[0][1]
    d_out = None if grad_out is None else grad_out._data

    def start(g):
        if g is None:
            return np.zeros((batch, hidden), dtype)
        g = g._data
        return g[perm] if perm is not None else g.copy()

    dh = start(grad_h)
    order = steps if reverse else steps[::-1]
    d_gi = np.empty((n_rows, w.shape[0]), dtype)
    d_gh = d_gi
    dc = None
    if mode == "GRU":
        d_gh = _gru_backward(saved, w, order, d_out, dh, d_gi)
    elif mode == "LSTM":
        gates, c_prev, tanh_c = saved["gates"], saved["c_prev"], saved["tanh_c"]
        dc = np.zeros((batch, hidden), dtype) if grad_c is None else grad_c._data
        dc = dc[perm] if perm is not None else dc.copy()
        h2, h3 = 2 * hidden, 3 * hidden
        for s, n in order:
            e = s + n
            d = dh[:n] if d_out is None else dh[:n] + d_out[s:e]
            g = gates[s:e]
            i, f, gg, o = g[:, :hidden], g[:, hidden:h2], g[:, h2:h3], g[:, h3:]
            tc = tanh_c[s:e]
            dg = d_gi[s:e]
            dcn = dc[:n]
            dcn += d * o * (1 - tc * tc)
            do = dg[:, h3:]
            np.multiply(d, tc, out=do)
            do *= o * (1 - o)
            di = dg[:, :hidden]
            np.multiply(dcn, gg, out=di)
            di *= i * (1 - i)
            df = dg[:, hidden:h2]
            np.multiply(dcn, c_prev[s:e], out=df)
            df *= f * (1 - f)
            dgg = dg[:, h2:h3]
            np.multiply(dcn, i, out=dgg)
            dgg *= 1 - gg * gg
            dcn *= f
            dh[:n] = dg @ w
    else:
        relu = mode == "RNN_RELU"
        out = saved["out"]
        for s, n in order:
            e = s + n
            dg = d_gi[s:e]
            if d_out is None:
                dg[...] = dh[:n]
            else:
                np.add(dh[:n], d_out[s:e], out=dg)
            hn = out[s:e]
            if relu:
                dg *= hn > 0
            else:
                dg *= 1 - hn * hn
            dh[:n] = dg @ w
    result = [_wrap(d_gi), None, None, None, None]
    if needs[1]:
        result[1] = _wrap(dh[unperm] if perm is not None else dh)
    if needs[2] and dc is not None:
        result[2] = _wrap(dc[unperm] if perm is not None else dc)
    if needs[3]:
        result[3] = _wrap(d_gh.T @ h_prev)
    if has_bias and needs[4]:
        result[4] = _wrap(d_gh.sum(0))
    return tuple(result)


def _gru_forward(gi, h, w_t, b_hh, order, out, h_prev, saved):
    """The GRU's loop over time; returns the final states (B, H), in the sorted order.

    Per step: one matmul of the previous states with W_hh^T into a scratch array that
    every step reuses (it stays in cache; a fresh array per step, or one (N, 3H) array for
    all steps, costs more in allocation and first-touch page faults than the copy of its
    n-gate third that is kept), then the gates in place. r and z share one (N, 2H) array,
    so that their sigmoid runs on contiguous rows. The previous states are read from the
    rows the step before wrote (and, where the batch grows along a reversed loop, from
    the initial states)."""
    n_rows, hidden = out.shape
    h2 = 2 * hidden
    dtype = out.dtype
    rz = _workspace.empty((n_rows, h2), dtype)
    new = _workspace.empty((n_rows, hidden), dtype)
    gh_n = _workspace.empty((n_rows, hidden), dtype)
    scratch = np.empty((h.shape[0], 3 * hidden), dtype)
    prev_s = prev_n = 0
    for s, n in order:
        e = s + n
        hp = h_prev[s:e]
        m = min(n, prev_n)
        hp[:m] = out[prev_s : prev_s + m]
        if n > m:
            hp[m:] = h[m:n]
        g = np.matmul(hp, w_t, out=scratch[:n])
        if b_hh is not None:
            g += b_hh
        a = rz[s:e]
        np.add(gi[s:e, :h2], g[:, :h2], out=a)
        _sigmoid_(a)
        ghn = gh_n[s:e]
        ghn[...] = g[:, h2:]
        nw = new[s:e]
        np.multiply(a[:, :hidden], ghn, out=nw)
        nw += gi[s:e, h2:]
        np.tanh(nw, out=nw)
        # PyTorch's order: h' = (h - n) * z + n
        hn = out[s:e]
        np.subtract(hp, nw, out=hn)
        hn *= a[:, hidden:]
        hn += nw
        prev_s, prev_n = s, n
    # Each sequence's final state is its row at the last step that reached it.
    done = 0
    for s, n in reversed(order):
        if n > done:
            h[done:n] = out[s + done : s + n]
            done = n
    saved.update(rz=rz, new=new, gh_n=gh_n)
    return h


def _gru_backward(saved, w, order, d_out, dh, d_gi):
    """Backpropagation through the GRU's loop: fills d_gi (the gradient of the input
    projections) and returns d_gh (of the recurrent projections); dh ends as the
    gradient of the initial states. Each step's products go into scratch arrays that
    every step reuses, in the order of the step-by-step formula."""
    rz, new, gh_n, h_prev = saved["rz"], saved["new"], saved["gh_n"], saved["h_prev"]
    hidden = new.shape[1]
    h2 = 2 * hidden
    d_gh = _workspace.empty(d_gi.shape, d_gi.dtype)
    d_buf, t1_buf, t2_buf = (np.empty_like(dh) for _ in range(3))
    for s, n in order:
        e = s + n
        if d_out is None:
            d = dh[:n]
        else:
            d = np.add(dh[:n], d_out[s:e], out=d_buf[:n])
        a = rz[s:e]
        r, z, nw = a[:, :hidden], a[:, hidden:], new[s:e]
        t1, t2 = t1_buf[:n], t2_buf[:n]
        dgi = d_gi[s:e]
        dgh = d_gh[s:e]
        # d_new = d * (1 - z) * (1 - n^2)
        d_new = dgi[:, h2:]
        np.subtract(1, z, out=t1)
        np.multiply(d, t1, out=d_new)
        np.multiply(nw, nw, out=t1)
        np.subtract(1, t1, out=t1)
        d_new *= t1
        np.multiply(d_new, r, out=dgh[:, h2:])
        # d_r = d_new * gh_n * r (1 - r)
        dr = dgi[:, :hidden]
        np.multiply(d_new, gh_n[s:e], out=dr)
        np.subtract(1, r, out=t1)
        t1 *= r
        dr *= t1
        # d_z = (h - n) * d * z (1 - z)
        dz = dgi[:, hidden:h2]
        np.subtract(h_prev[s:e], nw, out=dz)
        dz *= d
        np.subtract(1, z, out=t1)
        t1 *= z
        dz *= t1
        dgh[:, :h2] = dgi[:, :h2]
        np.multiply(d, z, out=t2)
        dhp = np.matmul(dgh, w, out=dh[:n])
        dhp += t2
    return d_gh


def _backward_composite(mode, operands, needs, steps, reverse, perm, grads):
    """The derivative as a graph of chainrule ops, for create_graph: the loop is rebuilt
    from the saved operands and differentiated, so the result can be differentiated again."""
    from ...autograd import grad as autograd_grad
    from ...autograd.grad_mode import enable_grad

    inputs = [t for t, need in zip(operands, needs) if need and t is not None]
    with enable_grad():
        outs = layer_composite(mode, *operands, steps=steps, reverse=reverse, perm=perm)
    outs = [o for o, g in zip(outs, grads) if g is not None]
    grads = [g for g in grads if g is not None]
    found = iter(autograd_grad(outs, inputs, grads, create_graph=True, allow_unused=True))
    return tuple(
        next(found) if need and t is not None else None for t, need in zip(operands, needs)
    )


def layer_composite(mode, gi, h0, c0, w_hh, b_hh, *, steps, reverse=False, perm=None):
    """What the layer Ops compute, written step by step in chainrule ops."""
    from ...ops.creation import zeros
    from ...ops.joining import cat

    hidden = w_hh.shape[1]
    batch = steps[0][1]
    perm_t = None if perm is None else _wrap(perm)
    h = zeros((batch, hidden), dtype=gi.dtype) if h0 is None else h0
    c = None
    if mode == "LSTM":
        c = zeros((batch, hidden), dtype=gi.dtype) if c0 is None else c0
    if perm_t is not None:
        h = h.index_select(0, perm_t)
        c = None if c is None else c.index_select(0, perm_t)
    w_t = w_hh.t()
    outs = [None] * len(steps)
    order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
    for k in order:
        s, n = steps[k]
        x = gi[s : s + n]
        hp = h[:n]
        gh = hp.mm(w_t)
        if b_hh is not None:
            gh = gh + b_hh
        if mode == "GRU":
            xr, xz, xn = x.chunk(3, 1)
            hr, hz, hn_ = gh.chunk(3, 1)
            r = (xr + hr).sigmoid()
            z = (xz + hz).sigmoid()
            new = (xn + r * hn_).tanh()
            hn = (hp - new) * z + new
        elif mode == "LSTM":
            i, f, g, o = (x + gh).chunk(4, 1)
            cn = f.sigmoid() * c[:n] + i.sigmoid() * g.tanh()
            hn = o.sigmoid() * cn.tanh()
            c = cn if n == batch else cat([cn, c[n:]])
        else:
            pre = x + gh
            hn = pre.relu() if mode == "RNN_RELU" else pre.tanh()
        outs[k] = hn
        h = hn if n == batch else cat([hn, h[n:]])
    if perm_t is not None:
        unperm = _wrap(inverse_permutation(perm))
        h = h.index_select(0, unperm)
        c = None if c is None else c.index_select(0, unperm)
    out = cat(outs)
    return (out, h) if c is None else (out, h, c)


class RnnTanhLayer(_RecurrentLayer):
    name = "RnnTanhLayerBackward0"
    formula = "h_t = tanh(gi_t + h_(t-1) @ W_hh^T + b_hh); backpropagation through time"
    mode = "RNN_TANH"


class RnnReluLayer(_RecurrentLayer):
    name = "RnnReluLayerBackward0"
    formula = "h_t = relu(gi_t + h_(t-1) @ W_hh^T + b_hh); backpropagation through time"
    mode = "RNN_RELU"


class LstmLayer(_RecurrentLayer):
    name = "LstmLayerBackward0"
    formula = (
        "i,f,g,o = s,s,tanh,s(gi_t + h @ W_hh^T + b_hh); c_t = f*c + i*g; h_t = o*tanh(c_t); "
        "backpropagation through time"
    )
    mode = "LSTM"


class GruLayer(_RecurrentLayer):
    name = "GruLayerBackward0"
    formula = (
        "r,z = s(gi_rz + gh_rz); n = tanh(gi_n + r*gh_n), gh = h @ W_hh^T + b_hh; "
        "h_t = (h - n)*z + n; backpropagation through time"
    )
    mode = "GRU"


_LAYER_OPS = {
    "RNN_TANH": RnnTanhLayer,
    "RNN_RELU": RnnReluLayer,
    "LSTM": LstmLayer,
    "GRU": GruLayer,
}


def recurrent_layer(mode, gi, h0, c0, w_hh, b_hh, steps, reverse=False, perm=None):
    """Run one layer and direction: (outputs (N, H), h_n (B, H)[, c_n (B, H)]).

    steps: ((start, n), ...) per time step in time order; perm: the sorted order of the
    batch as a NumPy int64 array, or None."""
    kwargs = {"steps": steps, "reverse": reverse, "perm": perm}
    return apply(_LAYER_OPS[mode], (gi, h0, c0, w_hh, b_hh), kwargs)


class GatherRows(Op):
    """out = a[index] along dim 0, the index free of repeats (packing a padded batch)."""

    name = "PackPaddedSequenceBackward0"
    formula = "d(a[idx])/da = the gradient written into zeros at rows idx"

    @staticmethod
    def forward(ctx, a, *, index):
        ctx.rows = a.shape[0]
        ctx.index = index
        return a[index]

    @staticmethod
    def backward(ctx, grad):
        return apply(ScatterRows, (grad,), {"index": ctx.index, "rows": ctx.rows})


class ScatterRows(Op):
    """out (rows, ...) = fill everywhere, then out[index] = a (padding a packed batch)."""

    name = "PadPackedSequenceBackward0"
    formula = "d(out)/da = the gradient read at rows idx"

    @staticmethod
    def forward(ctx, a, *, index, rows, fill=0.0):
        ctx.index = index
        out = np.full((rows,) + a.shape[1:], fill, a.dtype)
        out[index] = a
        return out

    @staticmethod
    def backward(ctx, grad):
        return apply(GatherRows, (grad,), {"index": ctx.index})


def gather_rows(input, index):
    return apply(GatherRows, (input,), {"index": index})


def scatter_rows(input, index, rows, fill=0.0):
    return apply(ScatterRows, (input,), {"index": index, "rows": rows, "fill": fill})


def cell_step(mode, input, hx, cx, w_ih, w_hh, b_ih, b_hh):
    """One step of a cell, as a one-step layer: (h' (B, H), h' (B, H)[, c' (B, H)])."""
    gi = linear(input, w_ih, b_ih)
    return recurrent_layer(mode, gi, hx, cx, w_hh, b_hh, ((0, input.shape[0]),))


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of an Elman RNN cell with tanh (PyTorch's torch.rnn_tanh_cell)."""
    h = cell_step("RNN_TANH", input, hx, None, w_ih, w_hh, b_ih, b_hh)[1]
    return _outputs.cell_output("RNN_TANH", h)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of an Elman RNN cell with relu (PyTorch's torch.rnn_relu_cell)."""
    h = cell_step("RNN_RELU", input, hx, None, w_ih, w_hh, b_ih, b_hh)[1]
    return _outputs.cell_output("RNN_RELU", h)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step; hx = (h, c); returns (h', c') (PyTorch's torch.lstm_cell)."""
    _, h, c = cell_step("LSTM", input, hx[0], hx[1], w_ih, w_hh, b_ih, b_hh)
    return _outputs.cell_output("LSTM", h), _outputs.cell_state(c)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step (PyTorch's torch.gru_cell)."""
    h = cell_step("GRU", input, hx, None, w_ih, w_hh, b_ih, b_hh)[1]
    return _outputs.cell_output("GRU", h)

"""Random programs run under chainrule and PyTorch: values, first and second derivatives.

A program is `run_program(lib, seed)`: it draws leaf tensors (float64, with 0-dim, size-1
and zero-size dims), then applies 3-12 random steps, each an op on tensors drawn from the
pool made so far: element-wise math (smooth and piecewise), broadcasting binary ops,
reductions, views (reshape, transpose, slicing, expand ...), joins, matrix products and
in-place ops (on fresh results and on views of them). Every choice depends only on the
seed and on the shapes of the tensors so far, so both libraries run the same program as
long as they agree; a step that raises is recorded (its exception type) and skipped.

At the end a scalar loss (a random weighting of the last tensors) is differentiated with
create_graph=True, and a random projection of that gradient is differentiated again. The
trace holds, in order: each step's value, dtype and requires_grad (or its error), the
first derivatives and whether they require grad, and the second derivatives.

`compare(seed)` runs both and returns the first difference (None when they agree).
`python tests/autograd/fuzz_programs.py [N] [FIRST_SEED]` runs N programs and prints each
mismatch and the count.
"""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np

RTOL = 1e-7  # float64; the libraries sum and multiply in different orders
ATOL = 1e-9  # times (1 + the largest magnitude in the array compared)


# -- drawing shapes and leaves --------------------------------------------------------------
def _shape(rng):
    """0-dim, or 1-3 dims of sizes 0-4 (size 0 rare, 1 common)."""
    if rng.random() < 0.15:
        return ()
    ndim = int(rng.integers(1, 4))
    sizes = rng.choice([0, 1, 1, 2, 2, 3, 3, 4], size=ndim, p=[0.06] + [0.94 / 7] * 7)
    return tuple(int(s) for s in sizes)


def _leaf(lib, rng, shape, positive=False):
    values = rng.uniform(0.3, 1.5, shape) if positive else rng.uniform(-1.5, 1.5, shape)
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def _broadcastable_to(rng, shape):
    """A shape that broadcasts to `shape` (dims dropped from the left or set to 1)."""
    keep = int(rng.integers(0, len(shape) + 1))
    tail = list(shape[len(shape) - keep :])
    return tuple(1 if rng.random() < 0.3 else s for s in tail)


# -- the ops: each draws its parameters from rng first, then returns a thunk -----------------
def _smooth(lib):
    F = lib.nn.functional
    return {
        "exp": lambda x: x.exp(),
        "expm1": lambda x: x.expm1(),
        "tanh": lambda x: x.tanh(),
        "sigmoid": lambda x: x.sigmoid(),
        "sin": lambda x: x.sin(),
        "cos": lambda x: x.cos(),
        "neg": lambda x: -x,
        "square": lambda x: x * x,
        "cube": lambda x: x**3,
        "log": lambda x: (x.abs() + 0.5).log(),
        "log1p": lambda x: x.abs().log1p(),
        "sqrt": lambda x: (x.abs() + 0.2).sqrt(),
        "rsqrt": lambda x: (x.abs() + 0.3).rsqrt(),
        "reciprocal": lambda x: (x.abs() + 0.5).reciprocal(),
        "scalar_div": lambda x: 1.5 / (x.abs() + 0.5),
        "scalar_pow": lambda x: 2**x,
        "self_pow": lambda x: (x.abs() + 0.5) ** (x.abs() + 0.5),
        "pow_frac": lambda x: (x.abs() + 0.5) ** 1.5,
        "erf": lambda x: x.erf(),
        "atan": lambda x: x.atan(),
        "asin": lambda x: (x.tanh() * 0.9).asin(),
        "softplus": lambda x: F.softplus(x),
        "gelu": lambda x: F.gelu(x),
        "silu": lambda x: F.silu(x),
        "elu": lambda x: F.elu(x),
        "logsigmoid": lambda x: F.logsigmoid(x),
        "sinh": lambda x: x.sinh(),
        "cosh": lambda x: x.cosh(),
        "asinh": lambda x: x.asinh(),
        "acosh": lambda x: (x.abs() + 1.2).acosh(),
        "atanh": lambda x: (x.tanh() * 0.8).atanh(),
        "exp2": lambda x: x.exp2(),
        "log2": lambda x: (x.abs() + 0.5).log2(),
        "erfc": lambda x: x.erfc(),
        "erfinv": lambda x: (x.tanh() * 0.8).erfinv(),
        "lgamma": lambda x: (x.abs() + 0.5).lgamma(),
        "digamma": lambda x: (x.abs() + 0.5).digamma(),
        "sinc": lambda x: (x + 0.05).sinc(),
        "logit": lambda x: (x.sigmoid() * 0.8 + 0.1).logit(),
        "mish": lambda x: F.mish(x),
    }


def _piecewise(lib):
    F = lib.nn.functional
    return {
        "relu": lambda x: x.relu(),
        "abs": lambda x: x.abs(),
        "leaky_relu": lambda x: F.leaky_relu(x, 0.1),
        "hardtanh": lambda x: F.hardtanh(x, -0.7, 0.7),
        "relu6": lambda x: F.relu6(x * 4),
        "hardshrink": lambda x: F.hardshrink(x, 0.3),
        "softshrink": lambda x: F.softshrink(x, 0.3),
        "threshold": lambda x: F.threshold(x, 0.2, -1.0),
        "hardswish": lambda x: F.hardswish(x * 4),
        "clamp": lambda x: x.clamp(-0.6, 0.8),
        "clamp_min": lambda x: x.clamp(min=0.1),
        "sign_times": lambda x: x.sign() * x,
        "floor_times": lambda x: x.floor() * x,
        "round_plus": lambda x: x.round() + x,
        "where_self": lambda x: lib.where(x > 0.2, x, x * 0.5),
        "masked_fill": lambda x: x.masked_fill(x < -0.5, 0.25),
        "div_floor": lambda x: lib.div(x, 0.7, rounding_mode="floor") * x,
        "trunc_times": lambda x: x.trunc() * x,
        "frac": lambda x: x.frac(),
        "fmod": lambda x: lib.fmod(x, 0.7),
        "remainder": lambda x: lib.remainder(x, 0.7),
        "nan_to_num": lambda x: lib.nan_to_num(x.log(), nan=0.5, neginf=-2.0),
    }


def _binary(lib):
    return {
        "add": lambda x, y: x + y,
        "sub": lambda x, y: x - y,
        "mul": lambda x, y: x * y,
        "div": lambda x, y: x / (y.abs() + 0.5),
        "maximum": lambda x, y: lib.maximum(x, y),
        "minimum": lambda x, y: lib.minimum(x, y),
        "pow": lambda x, y: (x.abs() + 0.5) ** y.tanh(),
        "where": lambda x, y: lib.where(x > y, x, y * 2),
        "lerp": lambda x, y: lib.lerp(x, y, 0.3),
        "add_alpha": lambda x, y: lib.add(x, y, alpha=-0.5),
        "atan2": lambda x, y: lib.atan2(x, y.abs() + 0.5),
        "hypot": lambda x, y: lib.hypot(x + 2.0, y),
        "logaddexp": lambda x, y: lib.logaddexp(x, y),
        "xlogy": lambda x, y: lib.xlogy(x, y.abs() + 0.5),
        "copysign": lambda x, y: lib.copysign(x, y),
        "addcmul": lambda x, y: lib.addcmul(x, x, y, value=0.5),
        "addcdiv": lambda x, y: lib.addcdiv(x, y, y.abs() + 0.5, value=-0.3),
    }


def _reduce(lib, rng, x):
    """A reduction of x, its parameters drawn now (dim 0 or -1 of a 0-dim tensor too)."""
    nd = x.dim()
    dim = int(rng.integers(-nd, nd)) if nd else int(rng.choice([0, -1]))
    keepdim = bool(rng.random() < 0.4)
    kind = rng.choice(
        ["sum", "sum_dim", "mean", "mean_dim", "amax", "logsumexp", "softmax", "log_softmax"]
        + ["prod", "var", "norm", "cumsum", "max_dim", "std"]
    )
    if kind == "sum":
        return kind, lambda: x.sum()
    if kind == "mean":
        return kind, lambda: x.mean()
    if kind == "sum_dim":
        return kind, lambda: x.sum(dim, keepdim=keepdim)
    if kind == "mean_dim":
        return kind, lambda: x.mean(dim, keepdim=keepdim)
    if kind == "amax":  # ties (relu's zeros) split the gradient, as in PyTorch
        return kind, lambda: x.amax(dim, keepdim=keepdim)
    if kind == "max_dim":
        return kind, lambda: x.max(dim, keepdim=keepdim).values
    if kind == "logsumexp":
        return kind, lambda: x.logsumexp(dim, keepdim=keepdim)
    if kind == "softmax":
        return kind, lambda: x.softmax(dim)
    if kind == "log_softmax":
        return kind, lambda: x.log_softmax(dim)
    if kind == "prod":
        return kind, lambda: x.prod(dim, keepdim=keepdim)
    if kind == "var":
        return kind, lambda: x.var(dim, keepdim=keepdim)
    if kind == "std":
        return kind, lambda: x.std(dim, keepdim=keepdim)
    if kind == "norm":
        return kind, lambda: (x * x + 0.1).norm(2, dim, keepdim=keepdim)
    return kind, lambda: x.cumsum(dim)


def _view(lib, rng, x):
    """A view or reshaping of x."""
    shape = tuple(x.shape)
    nd = len(shape)
    kinds = ["reshape_flat", "unsqueeze", "expand", "flip", "clone"]
    if nd:
        kinds += ["slice", "select", "squeeze", "reshape_split", "narrow", "index"]
    if nd >= 2:
        kinds += ["transpose", "permute", "t_like", "flatten", "diagonal", "tril"]
    kind = str(rng.choice(kinds))
    if kind == "reshape_flat":
        return kind, lambda: x.reshape(-1) if x.numel() else x.reshape(0)
    if kind == "unsqueeze":
        d = int(rng.integers(-nd - 1, nd + 1))
        return kind, lambda: x.unsqueeze(d)
    if kind == "expand":
        lead = int(rng.integers(1, 3))
        target = (lead,) + tuple(2 if s == 1 and rng.random() < 0.5 else s for s in shape)
        return kind, lambda: x.expand(*target)
    if kind == "flip":
        dims = [d for d in range(nd) if rng.random() < 0.6]
        return kind, lambda: x.flip(dims) if dims else x * 1.0
    if kind == "clone":
        return kind, lambda: x.clone()
    d = int(rng.integers(0, nd)) if nd else 0
    size = shape[d] if nd else 0
    if kind == "slice":
        start = int(rng.integers(0, size + 1))
        stop = int(rng.integers(start, size + 1))
        step = int(rng.choice([1, 1, 2]))
        key = (slice(None),) * d + (slice(start, stop, step),)
        return kind, lambda: x[key]
    if kind == "select":
        if size == 0:
            return kind, lambda: x.sum(d)
        i = int(rng.integers(-size, size))
        return kind, lambda: x.select(d, i)
    if kind == "index":
        count = int(rng.integers(0, 4))
        idx = [int(i) for i in rng.integers(-size, size, size=count)] if size else []
        return kind, lambda: x[(slice(None),) * d + (lib.tensor(idx, dtype=lib.int64),)]
    if kind == "narrow":
        start = int(rng.integers(0, size + 1))
        length = int(rng.integers(0, size - start + 1))
        return kind, lambda: x.narrow(d, start, length)
    if kind == "squeeze":
        return kind, lambda: x.squeeze(d)
    if kind == "reshape_split":
        if size % 2 == 0 and size:
            new = shape[:d] + (2, size // 2) + shape[d + 1 :]
        else:
            new = shape[:d] + (1, size) + shape[d + 1 :]
        return kind, lambda: x.reshape(new)
    if kind == "transpose":
        a, b = (int(v) for v in rng.integers(-nd, nd, size=2))
        return kind, lambda: x.transpose(a, b)
    if kind == "permute":
        order = [int(v) for v in rng.permutation(nd)]
        return kind, lambda: x.permute(*order)
    if kind == "t_like":
        return kind, lambda: x.mT
    if kind == "flatten":
        return kind, lambda: x.flatten(0, 1)
    if kind == "diagonal":
        offset = int(rng.integers(-1, 2))
        return kind, lambda: x.diagonal(offset, -2, -1)
    k = int(rng.integers(-1, 2))
    upper = bool(rng.random() < 0.5)
    return kind, lambda: x.triu(k) if upper else x.tril(k)


def _indexed(lib, rng, x):
    """Ops that pick elements by index, sort, or normalise along a dim."""
    F = lib.nn.functional
    shape = tuple(x.shape)
    nd = len(shape)
    d = int(rng.integers(0, nd)) if nd else 0
    size = shape[d] if nd else 1
    kind = str(
        rng.choice(["gather", "index_select", "take", "sort", "cumprod", "normalize"] + ["mse"])
    )
    if kind == "gather" and nd:
        idx = rng.integers(0, max(size, 1), size=shape) if size else np.zeros(shape, np.int64)
        return kind, lambda: x.gather(d, lib.tensor(idx, dtype=lib.int64))
    if kind == "index_select":
        idx = [int(i) for i in rng.integers(0, size, size=int(rng.integers(0, 4)))] if size else []
        return kind, lambda: x.index_select(d if nd else 0, lib.tensor(idx, dtype=lib.int64))
    if kind == "take":
        n = x.numel()
        idx = [int(i) for i in rng.integers(-n, n, size=int(rng.integers(0, 4)))] if n else []
        return kind, lambda: x.take(lib.tensor(idx, dtype=lib.int64))
    if kind == "sort":  # ties only where relu or clamp made them; both sort stably
        return kind, lambda: x.sort(dim=d if nd else 0, stable=True).values
    if kind == "cumprod":
        return kind, lambda: x.cumprod(d if nd else 0)
    if kind == "normalize" and nd:
        return kind, lambda: F.normalize(x, dim=d)
    return "mse", lambda: F.mse_loss(x, x.detach() * 0.5 + 0.1)


def _inplace(lib, rng, x, y):
    """An in-place op on a fresh result made from x (or on a view of it); y may be the
    other operand. Returns the written tensor (the base when a view was written)."""
    shape = tuple(x.shape)
    nd = len(shape)
    kinds = ["add_", "mul_", "relu_", "clamp_", "tanh_", "sigmoid_", "masked_fill_", "exp_"]
    kinds += ["div_", "sub_", "copy_", "zero_"]
    if nd:
        kinds += ["setitem", "view_mul_", "select_add_", "index_add_", "slice_relu_"]
    kind = str(rng.choice(kinds))
    other_ok = y is not None and _broadcasts(tuple(y.shape), shape)
    scale = float(rng.uniform(-1.5, 1.5))
    d = int(rng.integers(0, nd)) if nd else 0
    size = shape[d] if nd else 0
    start = int(rng.integers(0, size + 1))
    stop = int(rng.integers(start, size + 1))

    def fresh():
        # A contiguous copy: whether reshape() gives a view or a copy (and so whether an
        # in-place op on it writes through) depends on the memory layout, which each
        # library chooses for its own element-wise results.
        return x.clone(memory_format=lib.contiguous_format)

    def run():
        t = fresh()
        if kind == "add_":
            return t.add_(y if other_ok else scale)
        if kind == "sub_":
            return t.sub_(y if other_ok else scale)
        if kind == "mul_":
            return t.mul_(y if other_ok else scale)
        if kind == "div_":
            return t.div_((y.abs() + 0.5) if other_ok else 1.5)
        if kind == "relu_":
            return t.relu_()
        if kind == "clamp_":
            return t.clamp_(-0.5, 0.9)
        if kind == "tanh_":
            return t.tanh_()
        if kind == "sigmoid_":
            return t.sigmoid_()
        if kind == "exp_":
            return t.exp_()
        if kind == "masked_fill_":
            return t.masked_fill_(t > 0.3, scale)
        if kind == "copy_":
            return t.copy_(y) if other_ok else t.copy_(t * scale)
        if kind == "zero_":
            return t.zero_() + x
        key = (slice(None),) * d + (slice(start, stop),)
        if kind == "setitem":
            t[key] = t[key] * scale + 1.0
            return t
        if kind == "index_add_":
            source = t.narrow(d, 0, 1) * scale if size else t * 0.0
            return t.index_add_(d, lib.tensor([start % size if size else 0][:size]), source)
        if kind == "slice_relu_":  # in-place on a slicing view writes through to t
            t[key].relu_()
            return t
        if kind == "view_mul_":  # in-place on a reshaped view writes through to t
            t.view(-1).mul_(scale) if t.numel() else None
            return t
        t.select(d, start % size if size else 0).add_(scale) if size else None
        return t

    return kind, run


def _broadcasts(small, big):
    if len(small) > len(big):
        return False
    return all(s in (1, b) for s, b in zip(small[::-1], big[::-1]))


def _join(lib, rng, x, y):
    shape = tuple(x.shape)
    if tuple(y.shape) != shape:
        return "cat_self", lambda: lib.cat([x, x * 2], 0) if shape else lib.stack([x, x])
    if shape and rng.random() < 0.5:
        d = int(rng.integers(0, len(shape)))
        return "cat", lambda: lib.cat([x, y], d)
    d = int(rng.integers(0, len(shape) + 1))
    return "stack", lambda: lib.stack([x, y], d)


def _matmul(lib, rng, x, fresh):
    """x @ a new leaf of a shape that fits (matrix, vector or batch)."""
    shape = tuple(x.shape)
    if not shape:
        return "matmul_scalar", lambda: x * 2.0, None
    k = shape[-1]
    n = int(rng.choice([0, 1, 2, 3]))
    other = (k,) if rng.random() < 0.3 else (k, n)
    leaf = fresh(other)
    return "matmul", lambda: x @ leaf, leaf


# -- running a program ---------------------------------------------------------------------
def _record(trace, label, t, lib):
    if isinstance(t, lib.Tensor):
        trace.append((label, str(t.dtype), tuple(t.shape), t.requires_grad, _np(t)))
    else:
        trace.append((label, type(t).__name__, None, None, None))


def _np(t):
    a = t.detach()
    try:
        return np.array(a.numpy(), copy=True)
    except RuntimeError:  # PyTorch's ZeroTensor
        return np.array(a.numpy(force=True), copy=True)


def run_program(lib, seed):
    """The trace of program `seed` under lib (chainrule or torch)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NaN and division warnings, deprecations
        return _run(lib, seed)


def _run(lib, seed):
    rng = np.random.default_rng([20240531, seed])
    trace = []
    inputs = []

    def fresh(shape, positive=False):
        t = _leaf(lib, rng, shape, positive)
        inputs.append(t)
        return t

    pool = [fresh(_shape(rng)) for _ in range(int(rng.integers(1, 4)))]
    for i, t in enumerate(pool):
        _record(trace, f"input {i}", t, lib)
    smooth, piecewise, binary = _smooth(lib), _piecewise(lib), _binary(lib)
    for step in range(int(rng.integers(3, 13))):
        xi, yi = int(rng.integers(0, len(pool))), int(rng.integers(0, len(pool)))
        x, y = pool[xi], pool[yi]
        family = str(
            rng.choice(
                ["smooth", "piecewise", "binary", "reduce", "view", "inplace", "join", "matmul"]
                + ["indexed"],
                p=[0.2, 0.14, 0.17, 0.11, 0.13, 0.1, 0.04, 0.05, 0.06],
            )
        )
        if family == "smooth":
            name = str(rng.choice(sorted(smooth)))
            thunk = lambda x=x, name=name: smooth[name](x)  # noqa: E731
        elif family == "piecewise":
            name = str(rng.choice(sorted(piecewise)))
            thunk = lambda x=x, name=name: piecewise[name](x)  # noqa: E731
        elif family == "binary":
            name = str(rng.choice(sorted(binary)))
            if not _broadcasts(tuple(y.shape), tuple(x.shape)) and rng.random() < 0.8:
                y = fresh(_broadcastable_to(rng, tuple(x.shape)))
            thunk = lambda x=x, y=y, name=name: binary[name](x, y)  # noqa: E731
        elif family == "reduce":
            name, thunk = _reduce(lib, rng, x)
        elif family == "view":
            name, thunk = _view(lib, rng, x)
        elif family == "inplace":
            name, thunk = _inplace(lib, rng, x, y)
        elif family == "join":
            name, thunk = _join(lib, rng, x, y)
        elif family == "indexed":
            name, thunk = _indexed(lib, rng, x)
        else:
            name, thunk, _ = _matmul(lib, rng, x, fresh)
        label = f"step {step} {family}:{name} (pool {xi}, {yi})"
        try:
            out = thunk()
        except Exception as e:  # noqa: BLE001 - a step that raises is part of the trace
            trace.append((label, "raises " + type(e).__name__, None, None, None))
            continue
        _record(trace, label, out, lib)
        if isinstance(out, lib.Tensor) and out.dtype == lib.float64:
            pool.append(out)
    _derivatives(lib, rng, pool, inputs, trace)
    return trace


def _derivatives(lib, rng, pool, inputs, trace):
    last = [t for t in pool[-3:] if t.requires_grad]
    weights = [rng.uniform(-1, 1, tuple(t.shape)) for t in last]
    projections = [rng.uniform(-1, 1, tuple(t.shape)) for t in inputs]
    if not last:
        trace.append(("loss", "none", None, None, None))
        return
    try:
        loss = sum(((t * lib.tensor(w)).sum() for t, w in zip(last, weights)), lib.tensor(0.0))
        grads = lib.autograd.grad(loss, inputs, create_graph=True, allow_unused=True)
    except Exception as e:  # noqa: BLE001
        trace.append(("first derivatives", "raises " + type(e).__name__, None, None, None))
        return
    _record(trace, "loss", loss, lib)
    for i, (g, t) in enumerate(zip(grads, inputs)):
        value = np.zeros(tuple(t.shape)) if g is None else _np(g)
        needs = g is not None and g.requires_grad
        trace.append((f"grad {i}", "float64", value.shape, needs, value))
    terms = [
        (g * lib.tensor(p)).sum()
        for g, p in zip(grads, projections)
        if g is not None and g.requires_grad
    ]
    if not terms:
        trace.append(("second derivatives", "none", None, None, None))
        return
    try:
        hess = lib.autograd.grad(sum(terms), inputs, allow_unused=True)
    except Exception as e:  # noqa: BLE001
        trace.append(("second derivatives", "raises " + type(e).__name__, None, None, None))
        return
    for i, (h, t) in enumerate(zip(hess, inputs)):
        value = np.zeros(tuple(t.shape)) if h is None else _np(h)
        trace.append((f"second {i}", "float64", value.shape, None, value))


def _same(a, b):
    if a.shape != b.shape:
        return False
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        return np.array_equal(a, b)
    finite = np.isfinite(b)
    scale = 1.0 + (float(np.max(np.abs(b[finite]))) if finite.any() else 0.0)
    with np.errstate(invalid="ignore"):
        return bool(np.allclose(a, b, rtol=RTOL, atol=ATOL * scale, equal_nan=True))


def compare(seed, torch=None):
    """None when program `seed` runs the same under chainrule and PyTorch, else where and
    how it first differs."""
    import chainrule

    if torch is None:
        import torch
    ours = run_program(chainrule, seed)
    theirs = run_program(torch, seed)
    for mine, other in zip(ours, theirs):
        label = other[0]
        if mine[:4] != other[:4]:
            return f"program {seed}, {label}: chainrule {mine[:4]}, PyTorch {other[:4]}"
        if other[4] is not None and not _same(mine[4], other[4]):
            diff = _largest_difference(mine[4], other[4])
            return f"program {seed}, {label}: values differ by up to {diff:.3g}"
    if len(ours) != len(theirs):
        return f"program {seed}: {len(ours)} trace entries, PyTorch {len(theirs)}"
    return None


def _largest_difference(a, b):
    with np.errstate(invalid="ignore"):
        d = np.abs(a.astype(np.float64) - b.astype(np.float64))
    d = d[np.isfinite(d)]
    return float(d.max()) if d.size else math.nan


def main(argv):
    count = int(argv[0]) if argv else 200
    first = int(argv[1]) if len(argv) > 1 else 0
    mismatches = 0
    for seed in range(first, first + count):
        why = compare(seed)
        if why:
            mismatches += 1
            print(why)
    print(f"{count} programs (seeds {first}..{first + count - 1}): {mismatches} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

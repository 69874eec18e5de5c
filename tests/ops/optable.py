"""The op table: one OpCase per way of calling an op, read by test_op_table.py.

A case names a function written once for both libraries: `fn(lib, *tensors)`,
where `lib` is chainrule or torch, so the same code is the chainrule call and
its PyTorch oracle. Each Arg says how to make one input. The harness runs every
case through gradcheck (float64), gradgradcheck where `double` is set, and a
PyTorch parity check (values and gradients, float32 and float64).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Arg:
    """How to make one tensor input."""

    shape: tuple
    low: float = -2.0
    high: float = 2.0
    grad: bool = True  # requires_grad
    kind: str = "float"  # float | complex | int | bool | index (int64 in [0, high))
    distinct: bool = False  # float values far apart (for max/min/sort ties)


def A(*shape, **kw):
    return Arg(tuple(shape), **kw)


def positive(*shape, **kw):
    return Arg(tuple(shape), low=0.5, high=2.0, **kw)


def const(*shape, **kw):
    return Arg(tuple(shape), grad=False, **kw)


def cplx(*shape, **kw):
    """A complex input (complex128 where the case runs in float64, complex64 in float32)."""
    return Arg(tuple(shape), kind="complex", **kw)


def index(*shape, high):
    return Arg(tuple(shape), kind="index", grad=False, high=high)


def mask(*shape):
    return Arg(tuple(shape), kind="bool", grad=False)


@dataclass
class OpCase:
    name: str
    fn: object
    args: tuple
    double: bool = True  # run gradgradcheck
    gradcheck: bool = True
    torch: bool = True  # run the PyTorch parity check
    atol: float = 1e-5
    rtol: float = 1e-3
    parity_rtol: float = 1.3e-6
    parity_atol: float = 1e-5
    tags: tuple = field(default_factory=tuple)

    @property
    def id(self):
        return self.name


def make_arrays(case, dtype=np.float64):
    """The case's inputs as NumPy arrays (Python values pass through), seeded by its name."""
    rng = np.random.default_rng(zlib.crc32(case.name.encode()))
    out = []
    for spec in case.args:
        if not isinstance(spec, Arg):
            out.append(spec)
            continue
        if spec.kind == "float":
            n = int(np.prod(spec.shape)) if spec.shape else 1
            if spec.distinct:
                vals = rng.permutation(n) * (spec.high - spec.low) / max(n, 1) + spec.low
                vals = vals + rng.uniform(0, 0.1 / max(n, 1), n)
                arr = vals.reshape(spec.shape)
            else:
                arr = rng.uniform(spec.low, spec.high, spec.shape)
            out.append(np.asarray(arr, dtype=dtype))
        elif spec.kind == "complex":
            parts = rng.uniform(spec.low, spec.high, (2,) + spec.shape)
            ctype = np.complex128 if np.dtype(dtype) == np.float64 else np.complex64
            out.append(np.asarray(parts[0] + 1j * parts[1], dtype=ctype))
        elif spec.kind == "index":
            out.append(rng.integers(0, spec.high, spec.shape).astype(np.int64))
        elif spec.kind == "int":
            out.append(rng.integers(int(spec.low), int(spec.high) + 1, spec.shape).astype(np.int64))
        elif spec.kind == "bool":
            out.append(rng.random(spec.shape) < 0.5)
        else:
            raise ValueError(spec.kind)
    return out


def make_tensors(lib, case, arrays):
    tensors = []
    for spec, arr in zip(case.args, arrays):
        if isinstance(spec, Arg):
            t = lib.tensor(np.array(arr))
            if spec.grad and spec.kind in ("float", "complex"):
                t.requires_grad_(True)
            tensors.append(t)
        else:
            tensors.append(arr)
    return tensors


def load_cases():
    """Every OpCase from the table_*.py modules beside this file."""
    import importlib
    import pkgutil
    import sys
    from pathlib import Path

    here = Path(__file__).parent
    if str(here) not in sys.path:
        sys.path.insert(0, str(here))
    cases = []
    for info in pkgutil.iter_modules([str(here)]):
        if info.name.startswith("table_"):
            cases.extend(importlib.import_module(info.name).CASES)
    return cases

"""PyTorch's own OpInfo samples run through chainrule: forward values, then gradients.

PyTorch describes each of its operators by an OpInfo (`op_db`, in its internal testing
package) whose `sample_inputs` yield the calls its own test suite makes: edge shapes
(0-dim, zero-size, size-1), keyword forms, broadcasting, dtype arguments. This module runs
every sample of every OpInfo that chainrule has an op for, in float64 and float32, under
both libraries, and compares

- forward: the same exception type when PyTorch raises; else the same structure, shapes,
  dtypes and values (PyTorch's default `assert_close` tolerances for the dtype; shapes and
  dtypes only for random and uninitialised results);
- backward: where PyTorch's output requires grad, the gradients of a seeded random
  cotangent with respect to every input that requires grad (a missing gradient counts as
  zeros), within a tolerance stated in `GRAD_TOLERANCE`.

A float32 (or complex64) result outside the tolerance still passes when it is as close to
PyTorch's float64 result on the same inputs as PyTorch's own float32 result is (see
`_close`): BLAS and vectorised kernels round differently on different CPUs, and the list
of known failures must not depend on the machine. Complex results compare as complex. A
result also passes when it agrees after the sample's own output_process_fn_grad, where
PyTorch's OpInfo states what an output is defined up to (eigenvectors and singular
vectors: up to sign or phase, which PyTorch's MKL and NumPy's OpenBLAS choose
differently). Samples come from each OpInfo's generator seeded with 0 (not
OpInfo.sample_inputs, whose per-sample bookkeeping is slower than the samples), and Python's
random with 0 too (some generators draw options with it); PyTorch runs on one thread
meanwhile.

A sample's outcome is "pass", "forward" or "backward" (the check it failed first), with a
detail string. `python tests/ops/opinfo_runner.py [op ...]` prints the pass rate and
every failure; tests/ops/test_opinfo.py holds it to the reviewed list of known failures.
"""

from __future__ import annotations

import math
import random
import sys
import types
import warnings
from dataclasses import dataclass, field

import numpy as np

DTYPES = ("float64", "float32")

# (rtol, atol): PyTorch's own assert_close defaults for values; gradients in float32 go
# through several roundings more (a product of the cotangent and every local derivative).
VALUE_TOLERANCE = {"float64": (1e-7, 1e-7), "float32": (1.3e-6, 1e-5)}
GRAD_TOLERANCE = {"float64": (1e-7, 1e-7), "float32": (1e-5, 1e-5)}

# Ops whose values are random or uninitialised: only structure, shapes and dtypes compare.
UNCOMPARED_VALUES = {
    "bernoulli",
    "empty",
    "empty_like",
    "empty_permuted",
    "empty_strided",
    "multinomial",
    "new_empty",
    "new_empty_strided",
    "nn.functional.alpha_dropout",
    "nn.functional.dropout",
    "nn.functional.dropout2d",
    "nn.functional.dropout3d",
    "normal",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
}


@dataclass
class Outcome:
    key: str  # "<op>[<variant>] <dtype> #<index>", stable for one PyTorch version
    stage: str  # "pass", "forward" or "backward"
    detail: str = ""


@dataclass
class Report:
    outcomes: list = field(default_factory=list)
    ops: list = field(default_factory=list)  # OpInfo names that chainrule has

    def count(self, stage=None):
        return sum(1 for o in self.outcomes if stage is None or o.stage == stage)

    def summary(self):
        total = self.count()
        passed = self.count("pass")
        forward_ok = total - self.count("forward")
        backward_ran = forward_ok
        backward_ok = passed
        rate = 100.0 * passed / total if total else 100.0
        lines = [
            f"OpInfo samples of the {len(self.ops)} OpInfos chainrule has: "
            f"{passed} of {total} pass ({rate:.1f}%)",
            f"  forward  {forward_ok} of {total}",
            f"  backward {backward_ok} of {backward_ran} (of the samples whose forward passed)",
        ]
        for o in self.outcomes:
            if o.stage != "pass":
                lines.append(f"  FAIL {o.stage:8} {o.key}: {o.detail}")
        return "\n".join(lines)


def load_op_db():
    """PyTorch's OpInfo list (needs torch and expecttest; about ten seconds to import)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.testing._internal.common_methods_invocations import op_db
    return op_db


def opinfo_name(opinfo):
    v = opinfo.variant_test_name
    return f"{opinfo.name}[{v}]" if v else opinfo.name


def resolve(opinfo, torch, cr):
    """The chainrule callable standing for opinfo.op, or None where chainrule has no such op."""
    fn = opinfo.op
    if (
        getattr(fn, "__name__", "") == "<lambda>"
        or isinstance(fn, types.FunctionType)
        and (fn.__module__ or "").startswith("torch.testing")
    ):
        # A lambda or wrapper of the test suite (x.float(), torch.where(c, x, y), ...): the
        # same code, its global `torch` bound to chainrule. It counts as an op chainrule has
        # when the OpInfo's name does.
        if _lookup(cr, opinfo.name) is None and not callable(
            getattr(cr.Tensor, opinfo.name.split(".")[-1], None)
        ):
            return None
        return rebind(fn, torch, cr)
    if getattr(torch.Tensor, getattr(fn, "__name__", ""), None) is fn:
        method = getattr(cr.Tensor, fn.__name__, None)
        return method if callable(method) else None
    found = _lookup(cr, opinfo.name)
    if found is None:
        method = getattr(cr.Tensor, opinfo.name, None)
        if callable(method):
            return method
    return found


def _lookup(cr, dotted):
    obj = cr
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    if isinstance(obj, (type, cr.dtype)) or not callable(obj):
        return None
    return obj


def rebind(fn, torch, cr):
    """fn with its globals `torch` and `F` naming chainrule (closures keep their cells)."""
    if not isinstance(fn, types.FunctionType):
        return fn
    names = dict(fn.__globals__)
    names["torch"] = cr
    names["F"] = cr.nn.functional
    if "wrapper_set_seed" in names:  # the test suite's seeding of random ops, for chainrule's
        names["wrapper_set_seed"] = _seeding_wrapper(cr)
    return types.FunctionType(fn.__code__, names, fn.__name__, fn.__defaults__, fn.__closure__)


def _seeding_wrapper(cr):
    """The test suite's wrapper_set_seed for chainrule: op called right after
    manual_seed(42), the generator's state put back afterwards (PyTorch's does the same)."""

    def wrapper_set_seed(op, *args, **kwargs):
        state = cr.get_rng_state()
        cr.manual_seed(42)
        try:
            return op(*args, **kwargs)
        finally:
            cr.set_rng_state(state)

    return wrapper_set_seed


# Where PyTorch's C functions say they live (torch.pairwise_distance, torch._C._nn.*).
_TORCH_FUNCTION_MODULES = {
    "torch",
    "torch._C",
    "torch._C._nn",
    "torch._C._special",
    "torch._C._linalg",
    "torch._C._fft",
    "torch.nn.functional",
}


class Unconvertible(Exception):
    """A sample argument chainrule has no counterpart for (a complex dtype, a layout...)."""


class Converter:
    """PyTorch sample arguments as chainrule values; each tensor becomes a fresh chainrule
    tensor (a leaf, requiring grad where PyTorch's does), the same tensor the same leaf."""

    def __init__(self, torch, cr):
        self.torch, self.cr = torch, cr
        self.pairs = []  # (PyTorch tensor requiring grad, its chainrule leaf)
        self._seen = {}

    def __call__(self, x):
        torch, cr = self.torch, self.cr
        if isinstance(x, torch.Tensor):
            made = self._seen.get(id(x))
            if made is None:
                made = self._tensor(x)
                self._seen[id(x)] = made
            return made
        if isinstance(x, torch.dtype):
            return self._named(str(x))
        if isinstance(x, (torch.memory_format, torch.layout)):
            return self._named(str(x))
        if isinstance(x, torch.device):
            return cr.device(str(x))
        if isinstance(x, torch.Size):
            return cr.Size(tuple(x))
        if isinstance(x, torch.Generator):
            return None  # random ops: only shapes and dtypes are compared
        if isinstance(x, torch.nn.Module):
            return self._module(x)
        if isinstance(x, types.FunctionType):  # a Python function calling torch: chainrule's
            return rebind(x, torch, cr)
        if isinstance(x, types.BuiltinFunctionType) and x.__module__ in _TORCH_FUNCTION_MODULES:
            return self._builtin(x)
        if isinstance(x, tuple) and hasattr(x, "_fields"):
            return type(x)(*(self(v) for v in x))
        if isinstance(x, (list, tuple)):
            return type(x)(self(v) for v in x)
        if isinstance(x, dict):
            return {k: self(v) for k, v in x.items()}
        if isinstance(x, complex):
            raise Unconvertible("a complex number")
        return x

    def _module(self, module):
        """chainrule's module of the same class and settings (parameterless modules only,
        such as the distance_function= a loss is given)."""
        if any(True for _ in module.parameters()) or any(True for _ in module.buffers()):
            raise Unconvertible(f"a {type(module).__name__} module with parameters")
        cls = getattr(self.cr.nn, type(module).__name__, None)
        if cls is None:
            raise Unconvertible(f"chainrule has no nn.{type(module).__name__}")
        ours = cls()
        for name, value in vars(module).items():
            if not name.startswith("_") and name in vars(ours):
                setattr(ours, name, self(value))
        ours.train(module.training)
        return ours

    def _builtin(self, fn):
        """chainrule's function of the same name (torch.* or torch.nn.functional.*)."""
        for space in (self.cr, self.cr.nn.functional):
            found = getattr(space, fn.__name__, None)
            if callable(found):
                return found
        raise Unconvertible(f"chainrule has no {fn.__name__}")

    def _named(self, qualified):
        value = getattr(self.cr, qualified.removeprefix("torch."), None)
        if value is None:
            raise Unconvertible(f"chainrule has no {qualified}")
        return value

    def _tensor(self, x):
        cr = self.cr
        if x.is_complex() or x.dtype == self.torch.bfloat16:
            raise Unconvertible(f"a {x.dtype} tensor")
        if x.layout != self.torch.strided:
            raise Unconvertible(f"a {x.layout} tensor")
        array = x.detach().cpu().numpy().copy()
        t = cr.tensor(array, dtype=self._named(str(x.dtype)))
        if x.requires_grad:
            t.requires_grad_(True)
            self.pairs.append((x, t))
        return t


def _flatten(x, torch, out):
    """The tensors in a nested output, in order, with None where a tensor is missing."""
    if isinstance(x, (list, tuple)):
        for v in x:
            _flatten(v, torch, out)
    else:
        out.append(x)
    return out


def _as_array(x):
    x = x.detach()
    name = str(x.dtype)
    if name.endswith("bfloat16") or name.endswith("complex32"):  # no NumPy type: widen
        x = x.float() if name.endswith("bfloat16") else x.cfloat()
    if hasattr(x, "resolve_conj"):
        x = x.resolve_conj()
    try:
        return np.asarray(x.numpy())
    except RuntimeError:  # PyTorch's ZeroTensor (an efficient zero gradient)
        return np.asarray(x.numpy(force=True))


def compare_values(ours, theirs, torch, cr, dtype, check_values, where="output", reference=None):
    """None when ours matches theirs (structure, shapes, dtypes, values), else why not.

    `reference()` gives PyTorch's result in float64 (of the same structure) for the float32
    fallback in `_close`."""
    if isinstance(theirs, torch.Tensor):
        if not isinstance(ours, cr.Tensor):
            return f"{where}: {type(ours).__name__} where PyTorch gives a Tensor"
        if tuple(ours.shape) != tuple(theirs.shape):
            return f"{where}: shape {tuple(ours.shape)}, PyTorch {tuple(theirs.shape)}"
        if str(ours.dtype) != str(theirs.dtype):
            return f"{where}: dtype {ours.dtype}, PyTorch {theirs.dtype}"
        if not check_values:
            return None
        a, b = _as_array(ours), _as_array(theirs)
        return _close(a, b, VALUE_TOLERANCE[dtype], where, reference)
    if isinstance(theirs, (list, tuple)):
        if not isinstance(ours, (list, tuple)) or len(ours) != len(theirs):
            return f"{where}: {_describe(ours)}, PyTorch {_describe(theirs)}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            ref = None if reference is None else _item(reference, i)
            why = compare_values(o, t, torch, cr, dtype, check_values, f"{where}[{i}]", ref)
            if why:
                return why
        return None
    if isinstance(theirs, torch.Size):
        return None if tuple(ours) == tuple(theirs) else f"{where}: {ours}, PyTorch {theirs}"
    if isinstance(theirs, (bool, int, float)):
        if isinstance(ours, cr.Tensor) or type(ours) is not type(theirs):
            return f"{where}: {_describe(ours)}, PyTorch {_describe(theirs)}"
        if not check_values:
            return None
        if isinstance(theirs, float) and math.isnan(theirs) and math.isnan(ours):
            return None
        same = (
            ours == theirs
            if not isinstance(theirs, float)
            else math.isclose(
                ours, theirs, rel_tol=VALUE_TOLERANCE[dtype][0], abs_tol=VALUE_TOLERANCE[dtype][1]
            )
        )
        return None if same else f"{where}: {ours!r}, PyTorch {theirs!r}"
    if theirs is None:
        return None if ours is None else f"{where}: {_describe(ours)}, PyTorch None"
    return None if ours == theirs else f"{where}: {ours!r}, PyTorch {theirs!r}"


def _describe(x):
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return f"{type(x).__name__}{tuple(x.shape)} {x.dtype}"
    if isinstance(x, (list, tuple)):
        return f"{type(x).__name__} of {len(x)}"
    return repr(x)


def _close(a, b, tolerance, where, reference=None):
    """None when a (chainrule's) is close to b (PyTorch's), else why not.

    In float32 a BLAS or vectorised kernel may round differently from NumPy's (sums that
    cancel lose most of their digits either way), so where a float32 result is not within
    the tolerance of PyTorch's, it still passes when it is no further from the float64
    result (`reference()`, PyTorch on the same inputs in float64) than the tolerance plus
    twice PyTorch's own distance from it: as accurate as PyTorch, if not the same."""
    rtol, atol = tolerance
    if a.dtype.kind in "biu" or b.dtype.kind in "biu":
        if np.array_equal(a, b):
            return None
    else:
        wide = np.complex128 if a.dtype.kind == "c" or b.dtype.kind == "c" else np.float64
        a64, b64 = a.astype(wide), b.astype(wide)  # complex values compare as complex
        with np.errstate(invalid="ignore"):
            if np.allclose(a64, b64, rtol=rtol, atol=atol, equal_nan=True):
                return None
            single = a.dtype in (np.float32, np.complex64)
            exact = _as_float64(reference, wide) if single else None
            if exact is not None and exact.shape == a.shape:
                ours = np.abs(a64 - exact)
                theirs = np.abs(b64 - exact)
                bound = atol + rtol * np.abs(exact) + 2 * theirs
                same_nan = np.isnan(a64) == np.isnan(b64)
                if same_nan.all() and (np.isnan(a64) | (ours <= bound)).all():
                    return None
    with np.errstate(invalid="ignore", over="ignore"):
        wide = np.complex128 if a.dtype.kind == "c" or b.dtype.kind == "c" else np.float64
        diff = np.abs(a.astype(wide) - b.astype(wide))
        worst = np.nanmax(diff) if diff.size and not np.isnan(diff).all() else float("nan")
    return f"{where}: values differ (largest difference {worst:.3g})"


def _as_float64(reference, wide=np.float64):
    if reference is None:
        return None
    try:
        value = reference()
    except Exception:  # noqa: BLE001 - no float64 reference for this sample
        return None
    if value is None or not hasattr(value, "detach"):
        return None
    return _as_array(value).astype(wide)


def _item(reference, i):
    """The i-th part of a structured reference, computed once."""

    def part():
        value = reference()
        return value[i] if isinstance(value, (list, tuple)) else None

    return part


class _Once:
    """A float64 reference computed on first use and kept."""

    def __init__(self, compute):
        self._compute, self._done, self._value = compute, False, None

    def __call__(self):
        if not self._done:
            self._done = True
            try:
                self._value = self._compute()
            except Exception:  # noqa: BLE001
                self._value = None
        return self._value


def _upcast(x, torch, seen):
    """The sample with every float32 tensor as float64 (a fresh leaf where it required
    grad, the same tensor the same leaf)."""
    if isinstance(x, torch.Tensor):
        made = seen.get(id(x))
        if made is None:
            if x.dtype == torch.float32:
                made = x.detach().double().requires_grad_(x.requires_grad)
            else:
                made = x
            seen[id(x)] = made
        return made
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*(_upcast(v, torch, seen) for v in x))
    if isinstance(x, (list, tuple)):
        return type(x)(_upcast(v, torch, seen) for v in x)
    if isinstance(x, dict):
        return {k: _upcast(v, torch, seen) for k, v in x.items()}
    return x


def run_sample(opinfo, fn, sample, dtype, torch, cr):
    """(stage, detail) for one sample: ("pass", ""), ("forward", why) or ("backward", why)."""
    convert = Converter(torch, cr)
    try:
        c_input = convert(sample.input)
        c_args = convert(sample.args)
        c_kwargs = convert(sample.kwargs)
    except Unconvertible as e:
        return "forward", f"argument not representable in chainrule: {e}"
    pairs = convert.pairs
    upcast = {}
    wide = (
        _upcast((sample.input, sample.args, sample.kwargs), torch, upcast)
        if dtype == "float32"
        else None
    )

    # chainrule first: an in-place sample must not see PyTorch's writes. Both start from
    # the same seed: chainrule's generator is PyTorch's, so ops that draw random numbers
    # (fractional max pooling's regions, rrelu's slopes) draw the same ones.
    ours_error = None
    cr.manual_seed(0)
    try:
        ours = fn(c_input, *c_args, **c_kwargs)
    except Exception as e:  # noqa: BLE001 - any failure is a result to compare
        ours, ours_error = None, e
    torch.manual_seed(0)
    try:
        theirs = opinfo.op(sample.input, *sample.args, **sample.kwargs)
    except Exception as e:  # noqa: BLE001
        if ours_error is None:
            return "forward", f"PyTorch raises {type(e).__name__}, chainrule does not"
        if not _same_error_type(ours_error, e):
            return "forward", (
                f"raises {type(ours_error).__name__}: {_short(ours_error)}; "
                f"PyTorch {type(e).__name__}"
            )
        return "pass", ""
    if ours_error is not None:
        return "forward", f"raises {type(ours_error).__name__}: {_short(ours_error)}"

    reference = None
    if wide is not None:
        reference = _Once(lambda: _seeded(torch, opinfo.op, wide[0], *wide[1], **wide[2]))
    check_values = opinfo.name not in UNCOMPARED_VALUES
    why = compare_values(ours, theirs, torch, cr, dtype, check_values, reference=reference)
    if why and _equal_up_to_gauge(sample, ours, theirs, torch, cr, dtype):
        why = None
    if why:
        return "forward", why

    if not pairs or not check_values:
        return "pass", ""
    return _compare_backward(sample, ours, theirs, pairs, dtype, torch, cr, reference, upcast)


def _seeded(torch, op, *args, **kwargs):
    torch.manual_seed(0)
    return op(*args, **kwargs)


def _equal_up_to_gauge(sample, ours, theirs, torch, cr, dtype):
    """Whether the results agree after the sample's output_process_fn_grad, where PyTorch's
    OpInfo states what an output is defined up to (eigenvectors and singular vectors: up to
    sign or phase, compared as magnitudes), which LAPACK builds choose differently."""
    process = sample.output_process_fn_grad
    if getattr(process, "__name__", "") in ("<lambda>", "identity") or process is None:
        return False
    try:
        theirs_p = process(theirs)
        ours_p = rebind(process, torch, cr)(ours)
    except Exception:  # noqa: BLE001 - no processed form to compare
        return False
    return compare_values(ours_p, theirs_p, torch, cr, dtype, True) is None


def _compare_backward(sample, ours, theirs, pairs, dtype, torch, cr, reference, upcast):
    try:
        theirs_out = _flatten(sample.output_process_fn_grad(theirs), torch, [])
    except Exception as e:  # noqa: BLE001
        return "pass", f"(output_process_fn_grad fails under PyTorch: {_short(e)})"
    wanted = [isinstance(o, torch.Tensor) and o.requires_grad for o in theirs_out]
    if not any(wanted):
        return "pass", ""
    try:
        process = rebind(sample.output_process_fn_grad, torch, cr)
        ours_out = _flatten(process(ours), torch, [])
    except Exception as e:  # noqa: BLE001
        return "backward", f"output_process_fn_grad raises {type(e).__name__}: {_short(e)}"
    if len(ours_out) != len(theirs_out):
        return "backward", "outputs differ after output_process_fn_grad"
    our_outs, their_outs, cotangents = [], [], []
    gen = np.random.default_rng(20)
    for o, t, w in zip(ours_out, theirs_out, wanted):
        if not w:
            continue
        if not (isinstance(o, cr.Tensor) and o.requires_grad):
            return "backward", "an output that requires grad in PyTorch does not in chainrule"
        our_outs.append(o)
        their_outs.append(t)
        cotangents.append(gen.standard_normal(tuple(t.shape)).astype(_as_array(t).dtype))
    their_inputs = [p[0] for p in pairs]
    our_inputs = [p[1] for p in pairs]
    try:
        their_grads = torch.autograd.grad(
            their_outs,
            their_inputs,
            [torch.from_numpy(c.copy()) for c in cotangents],
            allow_unused=True,
        )
    except Exception as e:  # noqa: BLE001 - no gradient to compare with
        return "pass", f"(PyTorch's backward raises {type(e).__name__})"
    try:
        our_grads = cr.autograd.grad(
            our_outs, our_inputs, [cr.tensor(c.copy()) for c in cotangents], allow_unused=True
        )
    except Exception as e:  # noqa: BLE001
        return "backward", f"raises {type(e).__name__}: {_short(e)}"

    def wide_grads():  # PyTorch's gradients in float64, for the float32 fallback
        outs = _flatten(sample.output_process_fn_grad(reference()), torch, [])
        outs = [o for o, w in zip(outs, wanted) if w]
        leaves = [upcast[id(x)] for x in their_inputs]
        cots = [torch.from_numpy(c.astype(np.float64)) for c in cotangents]
        return torch.autograd.grad(outs, leaves, cots, allow_unused=True)

    wide = _Once(wide_grads) if reference is not None else None
    for i, (g_ours, g_theirs, x) in enumerate(zip(our_grads, their_grads, their_inputs)):
        zeros = np.zeros(tuple(x.shape), _as_array(x).dtype)
        a = zeros if g_ours is None else _as_array(g_ours)
        b = zeros if g_theirs is None else _as_array(g_theirs)
        if a.shape != b.shape:
            return "backward", f"grad {i}: shape {a.shape}, PyTorch {b.shape}"
        if a.dtype != b.dtype:
            return "backward", f"grad {i}: dtype {a.dtype}, PyTorch {b.dtype}"
        exact = None if wide is None else _grad_part(wide, i, x, torch)
        why = _close(a, b, GRAD_TOLERANCE[dtype], f"grad {i}", exact)
        if why:
            return "backward", why
    return "pass", ""


def _grad_part(wide, i, x, torch):
    def part():
        grads = wide()
        if grads is None:
            return None
        g = grads[i]
        return torch.zeros(tuple(x.shape), dtype=torch.float64) if g is None else g

    return part


def _same_error_type(ours, theirs):
    """Both raise the same class, or chainrule raises a subclass of PyTorch's (PyTorch's
    own error classes, e.g. torch.OutOfMemoryError, count by the builtin they derive from)."""
    if type(ours).__name__ == type(theirs).__name__:
        return True
    for base in type(theirs).__mro__:
        if base.__module__ == "builtins" and base is not Exception and base is not object:
            return isinstance(ours, base) and base is not BaseException
    return False


def _short(e, limit=160):
    text = str(e).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def run(op_db=None, selected=None, ops=None, progress=None):
    """Run the samples of every OpInfo chainrule has (or only those named in `ops`).

    `selected(key, index)` may skip a sample (the bounded CI run); a skipped sample is not
    in the report.
    """
    import torch

    import chainrule as cr

    if op_db is None:
        op_db = load_op_db()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small samples: PyTorch's worker threads would only spin
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecations and the like, from either library
            return _run(op_db, selected, ops, progress, torch, cr)
    finally:
        torch.set_num_threads(threads)


def _run(op_db, selected, ops, progress, torch, cr):
    report = Report()
    for opinfo in op_db:
        name = opinfo_name(opinfo)
        if ops and opinfo.name not in ops and name not in ops:
            continue
        fn = resolve(opinfo, torch, cr)
        if fn is None:
            continue
        report.ops.append(name)
        supported = {str(d).removeprefix("torch.") for d in opinfo.supported_dtypes("cpu")}
        for dtype in DTYPES:
            if dtype not in supported:
                continue
            tdtype = getattr(torch, dtype)
            requires_grad = bool(opinfo.supports_autograd)
            if progress:
                progress(f"{name} {dtype}")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # The generator itself, not OpInfo.sample_inputs: that wrapper inspects the
                # call stack and reseeds for every sample, which costs more than the samples.
                torch.random.default_generator.manual_seed(0)
                random.seed(0)  # some generators draw options with Python's random (eigh's UPLO)
                try:
                    make = opinfo.sample_inputs_func
                    samples = list(make(opinfo, "cpu", tdtype, requires_grad))
                except Exception:  # noqa: BLE001 - PyTorch's own generator fails: no samples
                    continue
                for i, sample in enumerate(samples):
                    key = f"{name} {dtype} #{i}"
                    if selected is not None and not selected(key, i):
                        continue
                    stage, detail = run_sample(opinfo, fn, sample, dtype, torch, cr)
                    report.outcomes.append(Outcome(key, stage, detail))
    return report


def main(argv):
    ops = [a for a in argv if not a.startswith("-")]
    report = run(ops=ops or None)
    print(report.summary())


if __name__ == "__main__":
    main(sys.argv[1:])

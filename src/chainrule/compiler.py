"""torch.compile and chainrule.compiler: compiling is a no-op here.

chainrule runs every op eagerly in NumPy; there is no graph compiler. `compile` checks its
options as PyTorch does and returns the module or function it was given, itself, so code
written for a compiled model runs unchanged (also as `@compile` and `@compile(...)`).
Unlike PyTorch, a compiled module is not wrapped: its state_dict keys keep their names
(PyTorch's wrapper adds an `_orig_mod.` prefix).
"""

from __future__ import annotations

__all__ = [
    "compile",
    "disable",
    "is_compiling",
    "is_dynamo_compiling",
    "is_exporting",
    "reset",
]

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


def compile(
    model=None,
    *,
    fullgraph=False,
    dynamic=None,
    backend="inductor",
    mode=None,
    options=None,
    disable=False,
    **kwargs,
):
    """Return `model` unchanged once its options are checked; without a model, a decorator."""
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if model is None:

        def decorate(fn):
            return compile(
                fn,
                fullgraph=fullgraph,
                dynamic=dynamic,
                backend=backend,
                mode=mode,
                options=options,
                disable=disable,
                **kwargs,
            )

        return decorate
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model


def disable(fn=None, recursive=True, *, reason=None):
    """Mark code to run eagerly: it always does here, so `fn` is returned as it is."""
    if fn is None:
        return lambda f: f
    return fn


def is_compiling():
    """False: nothing is ever being traced by a compiler in chainrule."""
    return False


is_dynamo_compiling = is_compiling


def is_exporting():
    return False


def reset():
    """Forget compiled code: there is none."""

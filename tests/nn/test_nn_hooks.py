"""Module hooks against PyTorch: full backward hooks and pre-hooks (what they see, what
their results replace, their order, global ones first), forward hooks with kwargs,
prepend and always_call, the state_dict and load_state_dict hooks, the registration
hooks, and PyTorch's errors and warnings.

Each scenario is written once as `scenario(lib)` and returns the events it recorded
(names, shapes, values as nested lists), so the same code runs on both libraries and
the two event lists must be equal. The values are small exact sums and products
(kind 1 in tests/parity.py).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule


def _v(t):
    """A recorded value: None, or a tensor's values as nested lists (floats rounded to the
    float32 grid of PyTorch's and ours alike)."""
    if t is None:
        return None
    if isinstance(t, (tuple, list)):
        return tuple(_v(x) for x in t)
    if hasattr(t, "detach"):
        return np.asarray(t.detach().numpy()).tolist()
    return t


def _linear(lib, n_in, n_out):
    m = lib.nn.Linear(n_in, n_out)
    with lib.no_grad():
        m.weight.copy_(lib.arange(n_in * n_out, dtype=lib.float32).reshape(n_out, n_in) / 4)
        m.bias.fill_(0.5)
    return m


def full_backward_hook_on_linear(lib):
    events = []
    m = _linear(lib, 3, 2)
    m.register_full_backward_hook(lambda mod, gi, go: events.append(("hook", _v(gi), _v(go))))
    x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    y = m(x)
    events.append(("grad_fn", type(y.grad_fn).__name__))
    y.sum().backward()
    events.append(("x.grad", _v(x.grad)))
    events.append(("w.grad", _v(m.weight.grad)))
    return events


class _TwoInTwoOut:
    """A module of (x, y, scale) -> (x * y * scale, x + 1): one output may go unused."""

    @staticmethod
    def make(lib):
        class TwoInTwoOut(lib.nn.Module):
            def forward(self, x, y, scale):
                return x * y * scale, x + 1

        return TwoInTwoOut()


def hooks_see_none_for_non_tensors_and_unused_outputs(lib):
    events = []
    m = _TwoInTwoOut.make(lib)
    m.register_full_backward_pre_hook(lambda mod, go: events.append(("pre", _v(go))))
    m.register_full_backward_hook(lambda mod, gi, go: events.append(("hook", _v(gi), _v(go))))
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = lib.tensor([3.0, 4.0])  # no grad
    a, b = m(x, y, 2.0)
    (a * lib.tensor([1.0, 10.0])).sum().backward()
    events.append(("x.grad", _v(x.grad)))
    return events


def pre_hook_and_hook_replace_gradients(lib):
    events = []
    m = _linear(lib, 2, 2)
    m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 3,))
    m.register_full_backward_hook(lambda mod, gi, go: events.append(("first", _v(gi), _v(go))))
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] + 100,))
    m.register_full_backward_hook(lambda mod, gi, go: events.append(("last", _v(gi))))
    m.register_full_backward_hook(
        lambda mod, gi, go: events.append(("prepended", _v(gi))), prepend=True
    )
    x = lib.tensor([[1.0, -1.0]], requires_grad=True)
    m(x).sum().backward()
    events.append(("x.grad", _v(x.grad)))
    events.append(("w.grad", _v(m.weight.grad)))
    return events


def hooks_inside_a_sequential(lib):
    events = []
    net = lib.nn.Sequential(_linear(lib, 2, 3), lib.nn.ReLU(), _linear(lib, 3, 1))
    for name, mod in net.named_children():
        mod.register_full_backward_pre_hook(lambda m, go, n=name: events.append(("pre", n)))
        mod.register_full_backward_hook(lambda m, gi, go, n=name: events.append(("hook", n)))
        mod.register_forward_pre_hook(lambda m, args, n=name: events.append(("fpre", n)))
        mod.register_forward_hook(lambda m, args, out, n=name: events.append(("fhook", n)))
    net.register_full_backward_hook(lambda m, gi, go: events.append(("hook", "net", _v(gi))))
    x = lib.tensor([[1.0, 2.0]], requires_grad=True)
    net(x).sum().backward()
    events.append(("x.grad", _v(x.grad)))
    return events


def no_input_requires_grad(lib):
    events = []
    m = _linear(lib, 2, 1)
    m.register_full_backward_hook(lambda mod, gi, go: events.append(("hook", _v(gi), _v(go))))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m(lib.tensor([[1.0, 2.0]])).sum().backward()
    events.append(("warnings", [str(w.message)[:60] for w in caught]))
    events.append(("w.grad", _v(m.weight.grad)))
    return events


def global_backward_hooks_run_first(lib):
    events = []
    mm = lib.nn.modules.module
    m = _linear(lib, 2, 1)
    m.register_full_backward_hook(lambda mod, gi, go: events.append("local"))
    m.register_full_backward_pre_hook(lambda mod, go: events.append("local-pre"))
    h1 = mm.register_module_full_backward_hook(lambda mod, gi, go: events.append("global"))
    h2 = mm.register_module_full_backward_pre_hook(lambda mod, go: events.append("global-pre"))
    try:
        x = lib.tensor([[1.0, 2.0]], requires_grad=True)
        m(x).sum().backward()
    finally:
        h1.remove()
        h2.remove()
    m(x).sum().backward()  # the global hooks are gone
    return events


def forward_hooks_with_kwargs_and_always_call(lib):
    events = []

    class Scale(lib.nn.Module):
        def forward(self, x, *, factor=1.0):
            if factor < 0:
                raise ValueError("negative factor")
            return x * factor

    m = Scale()
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: (args, {"factor": kwargs.get("factor", 1.0) * 2}),
        with_kwargs=True,
    )
    m.register_forward_hook(
        lambda mod, args, kwargs, out: events.append(("kw", dict(kwargs), _v(out))),
        with_kwargs=True,
    )
    m.register_forward_hook(
        lambda mod, args, out: events.append(("always", _v(out))), always_call=True
    )
    m.register_forward_hook(lambda mod, args, out: events.append(("first",)), prepend=True)
    events.append(("out", _v(m(lib.tensor([1.0, 2.0]), factor=3.0))))
    try:
        m(lib.tensor([1.0]), factor=-1.0)
    except ValueError as e:
        events.append(("raised", str(e)))
    return events


def state_dict_hooks(lib):
    events = []
    net = lib.nn.Sequential(_linear(lib, 2, 1))
    net[0].register_state_dict_pre_hook(
        lambda mod, prefix, keep_vars: events.append(("pre", prefix, keep_vars))
    )

    def post(mod, sd, prefix, meta):
        events.append(("post", prefix, sorted(sd), meta))
        sd[prefix + "extra"] = lib.tensor(1.0)

    net[0].register_state_dict_post_hook(post)
    net._register_state_dict_hook(lambda mod, sd, prefix, meta: {"replaced": 1})
    events.append(("keys", list(net.state_dict(keep_vars=True))))
    events.append(("child keys", list(net[0].state_dict())))

    def bad(mod, sd, prefix, meta):
        return {}

    m = lib.nn.Linear(1, 1)
    m.register_state_dict_post_hook(bad)
    try:
        m.state_dict()
    except RuntimeError as e:
        events.append(("error", str(e)))
    try:
        m._register_state_dict_hook(bad)
    except RuntimeError as e:
        events.append(("error", str(e)))
    return events


def load_state_dict_hooks(lib):
    events = []
    net = lib.nn.Sequential(_linear(lib, 2, 1), _linear(lib, 1, 1))
    sd = net.state_dict()

    def pre(mod, state, prefix, meta, strict, missing, unexpected, errors):
        events.append(("pre", type(mod).__name__, prefix, sorted(state), strict))
        state[prefix + "bias"] = state[prefix + "bias"] * 0 + 7

    def post(mod, keys):
        events.append(
            ("post", type(mod).__name__, list(keys.missing_keys), list(keys.unexpected_keys))
        )
        keys.unexpected_keys.clear()

    net[1].register_load_state_dict_pre_hook(pre)
    net[1].register_load_state_dict_post_hook(post)
    net.register_load_state_dict_post_hook(post)
    sd = dict(sd)
    sd["stray"] = lib.tensor(0.0)
    result = net.load_state_dict(sd)
    events.append(("result", repr(result)))
    events.append(("bias", _v(net[1].bias)))
    net.register_load_state_dict_post_hook(lambda mod, keys: 1)
    try:
        net.load_state_dict(net.state_dict())
    except AssertionError as e:
        events.append(("error", str(e)))
    return events


def registration_hooks(lib):
    events = []
    mm = lib.nn.modules.module
    handles = [
        mm.register_module_parameter_registration_hook(
            lambda mod, name, p: events.append(("param", type(mod).__name__, name))
        ),
        mm.register_module_buffer_registration_hook(
            lambda mod, name, b: events.append(("buffer", type(mod).__name__, name))
        ),
        mm.register_module_module_registration_hook(
            lambda mod, name, sub: events.append(("module", type(mod).__name__, name))
        ),
    ]
    try:
        lib.nn.Sequential(lib.nn.Linear(1, 1), lib.nn.BatchNorm1d(1))
        m = lib.nn.Module()
        m.register_buffer("b", lib.zeros(1))
        m.p = lib.nn.Parameter(lib.zeros(1))
        m.sub = lib.nn.Identity()
    finally:
        for h in handles:
            h.remove()
    lib.nn.Linear(1, 1)  # removed: nothing more recorded
    return events


def hook_errors(lib):
    events = []
    m = _linear(lib, 2, 1)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    try:
        m(lib.ones(1, 2, requires_grad=True)).sum().backward()
    except RuntimeError as e:
        events.append(str(e))
    m = _linear(lib, 2, 1)
    m.register_full_backward_pre_hook(lambda mod, go: ())
    try:
        m(lib.ones(1, 2, requires_grad=True)).sum().backward()
    except RuntimeError as e:
        events.append(str(e))
    m = _linear(lib, 2, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.register_backward_hook(lambda *a: None)
    try:
        m.register_full_backward_hook(lambda *a: None)
    except RuntimeError as e:
        events.append(str(e))
    m = _linear(lib, 2, 1)
    m.register_full_backward_hook(lambda *a: None)
    try:
        m.register_backward_hook(lambda *a: None)
    except RuntimeError as e:
        events.append(str(e))
    m = lib.nn.Identity()
    m.register_forward_pre_hook(lambda mod, args, kwargs: 1, with_kwargs=True)
    try:
        m(lib.ones(1))
    except RuntimeError as e:
        events.append(str(e))
    return events


def handles_remove_and_work_as_context_managers(lib):
    events = []
    m = _linear(lib, 2, 1)
    with m.register_forward_hook(lambda *a: events.append("fwd")):
        m(lib.ones(1, 2))
    h = m.register_full_backward_hook(lambda *a: events.append("bwd"))
    x = lib.ones(1, 2, requires_grad=True)
    m(x).sum().backward()
    h.remove()
    h.remove()  # twice is harmless
    m(x).sum().backward()
    events.append(len(m._backward_hooks))
    return events


SCENARIOS = [
    full_backward_hook_on_linear,
    hooks_see_none_for_non_tensors_and_unused_outputs,
    pre_hook_and_hook_replace_gradients,
    hooks_inside_a_sequential,
    no_input_requires_grad,
    global_backward_hooks_run_first,
    forward_hooks_with_kwargs_and_always_call,
    state_dict_hooks,
    load_state_dict_hooks,
    registration_hooks,
    hook_errors,
    handles_remove_and_work_as_context_managers,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_hooks_match_torch(scenario, torch):
    ours = scenario(chainrule)
    theirs = scenario(torch)
    assert ours == theirs


def test_hook_recorded_values_without_torch():
    """The scenarios' numbers, checked by hand so the file tests something without PyTorch."""
    events = full_backward_hook_on_linear(chainrule)
    # y = x @ W.T + b with W = [[0, .25, .5], [.75, 1, 1.25]]: dy/dx = column sums of W.
    assert events[0] == ("grad_fn", "BackwardHookFunctionBackward")
    assert events[1] == ("hook", ([[0.75, 1.25, 1.75]],), ([[1.0, 1.0]],))
    # W = [[0, .25], [.5, .75]]: column sums [.5, 1], times the pre-hook's 3, plus 100.
    events = pre_hook_and_hook_replace_gradients(chainrule)
    assert events[-2] == ("x.grad", [[101.5, 103.0]])


def test_legacy_backward_hook_replacing_grad_input_is_refused():
    m = _linear(chainrule, 2, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.register_backward_hook(lambda mod, gi, go: gi)
    with pytest.raises(RuntimeError, match="cannot replace grad_input"):
        m(chainrule.ones(1, 2, requires_grad=True)).sum().backward()

"""Anomaly detection: NaN gradients stop backward, naming the node and where it was made."""

from __future__ import annotations

import math
import warnings

import pytest

import chainrule
from chainrule.autograd import Function

NAN_MESSAGE = "Function 'SqrtBackward0' returned nan values in its 0th output."
ENABLED_WARNING = (
    "Anomaly Detection has been enabled. This mode will increase the runtime and should only "
    "be enabled for debugging."
)


@pytest.fixture(autouse=True)
def _anomaly_off_after():
    yield
    assert not chainrule.is_anomaly_enabled(), "a test left anomaly detection on"


def libs(torch_or_none):
    return [chainrule] + ([torch_or_none] if torch_or_none is not None else [])


def _sqrt_at_zero(lib):
    """d/dx of sqrt(x) * 0 at x = 0 is 0 * inf = nan, produced by SqrtBackward0."""
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    return x, (x.sqrt() * 0).sum()


def _quietly(fn):
    # NumPy's own "invalid value" RuntimeWarning is not what these tests are about.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn()


def test_nan_without_anomaly_mode_is_just_a_value(torch_or_none):
    for lib in libs(torch_or_none):
        x, y = _sqrt_at_zero(lib)
        _quietly(y.backward)
        g = x.grad.tolist()
        assert math.isnan(g[0]) and g[1] == 0.0, lib


def _run_with_anomaly(lib, enter):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with enter(lib):
            x, y = _sqrt_at_zero(lib)  # the forward line the warning must point at
            try:
                y.backward()
            except RuntimeError as e:
                error = str(e)
            else:
                error = None
    return error, [str(w.message) for w in record if w.category is UserWarning]


@pytest.mark.parametrize(
    "enter",
    [
        lambda lib: lib.autograd.detect_anomaly(),
        lambda lib: lib.autograd.set_detect_anomaly(True),
    ],
    ids=["detect_anomaly", "set_detect_anomaly"],
)
def test_anomaly_mode_raises_naming_the_node(enter, torch_or_none):
    for lib in libs(torch_or_none):
        error, messages = _run_with_anomaly(lib, enter)
        assert error == NAN_MESSAGE, lib
        traces = [m for m in messages if m.startswith("Error detected in SqrtBackward0.")]
        assert len(traces) == 1, (lib, messages)
        trace = traces[0]
        assert trace.startswith(
            "Error detected in SqrtBackward0. Traceback of forward call that caused the error:\n"
        )
        assert "test_anomaly.py" in trace and "_sqrt_at_zero" in trace
        assert "x.sqrt() * 0" in trace


def test_detect_anomaly_warns_that_it_is_enabled(torch_or_none):
    for lib in libs(torch_or_none):
        with pytest.warns(UserWarning) as record:
            with lib.autograd.detect_anomaly():
                assert lib.is_anomaly_enabled()
        assert [str(w.message) for w in record] == [ENABLED_WARNING], lib


def test_check_nan_false_lets_nan_through(torch_or_none):
    for lib in libs(torch_or_none):
        with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
            with lib.autograd.detect_anomaly(check_nan=False):
                assert not lib.is_anomaly_check_nan_enabled()
                x, y = _sqrt_at_zero(lib)
                _quietly(y.backward)
        assert math.isnan(x.grad.tolist()[0])
        assert lib.is_anomaly_check_nan_enabled()


def test_set_detect_anomaly_as_a_call_and_restored_by_context():
    assert not chainrule.is_anomaly_enabled()
    chainrule.autograd.set_detect_anomaly(True)
    try:
        assert chainrule.is_anomaly_enabled()
    finally:
        chainrule.autograd.set_detect_anomaly(False)
    assert not chainrule.is_anomaly_enabled()
    with chainrule.autograd.set_detect_anomaly(True):
        assert chainrule.is_anomaly_enabled()
        with chainrule.autograd.set_detect_anomaly(False):
            assert not chainrule.is_anomaly_enabled()
        assert chainrule.is_anomaly_enabled()
    assert not chainrule.is_anomaly_enabled()


def test_detect_anomaly_as_decorator():
    with pytest.warns(UserWarning) as record:

        @chainrule.autograd.detect_anomaly()
        def run():
            x, y = _sqrt_at_zero(chainrule)
            y.backward()

        with pytest.raises(RuntimeError, match=r"^Function 'SqrtBackward0' returned nan"):
            _quietly(run)
    messages = [str(w.message) for w in record]
    assert ENABLED_WARNING in messages
    assert any(m.startswith("Error detected in SqrtBackward0.") for m in messages)
    assert not chainrule.is_anomaly_enabled()


def test_nan_in_an_earlier_node_is_caught_at_that_node():
    x = chainrule.tensor([-1.0, 4.0], requires_grad=True)
    with chainrule.autograd.set_detect_anomaly(True):
        y = _quietly(x.log)  # nan at -1 in forward: LogBackward0 gives 1/x, Mul gives nan
        z = (y * y).sum()
        with pytest.warns(UserWarning, match="Error detected in MulBackward0"):
            with pytest.raises(
                RuntimeError, match=r"^Function 'MulBackward0' returned nan values in its 0th"
            ):
                _quietly(z.backward)


def test_nan_in_second_output_is_named():
    class Split(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad * float("nan")

    a = chainrule.ones(2, requires_grad=True)
    b = chainrule.ones(2, requires_grad=True)
    with chainrule.autograd.set_detect_anomaly(True):
        y = Split.apply(a, b).sum()
        with pytest.warns(UserWarning, match="Error detected in SplitBackward"):
            with pytest.raises(
                RuntimeError, match=r"^Function 'SplitBackward' returned nan values in its 1th"
            ):
                y.backward()


def test_an_exception_in_backward_warns_with_the_forward_trace():
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            raise ValueError("broken backward")

    x = chainrule.ones(2, requires_grad=True)
    with chainrule.autograd.set_detect_anomaly(True):
        y = Broken.apply(x).sum()
        with pytest.warns(UserWarning, match="Error detected in BrokenBackward") as record:
            with pytest.raises(ValueError, match="broken backward"):
                y.backward()
    assert any("Broken.apply(x)" in str(w.message) for w in record)


def test_anomaly_mode_is_off_by_default_and_costs_nothing_then():
    x, y = _sqrt_at_zero(chainrule)
    assert y.grad_fn._anomaly_trace is None
    with chainrule.autograd.set_detect_anomaly(True):
        x, y = _sqrt_at_zero(chainrule)
    assert "x.sqrt() * 0" in y.grad_fn.next_functions[0][0]._anomaly_trace

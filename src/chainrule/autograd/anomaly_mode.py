"""Anomaly detection: record where each node was made and stop at the first NaN gradient."""

import functools
import os
import threading
import warnings


class _State(threading.local):
    enabled = False
    check_nan = True


state = _State()
# Whether any thread has ever turned anomaly mode on. The recorder reads this plain flag
# first, so that while nobody uses anomaly mode each op skips a thread-local read.
used = False


def _turned_on():
    global used
    used = True


def is_anomaly_enabled():
    return state.enabled


def is_anomaly_check_nan_enabled():
    return state.check_nan


def record_forward_trace(node):
    # Called by the recorder (graph.py's record and its forms for one and two operands):
    # its frames, then the apply path and the op's public function (or Function.apply),
    # are left out, so the trace ends at the user's line.
    import traceback  # here, not at the top: importing chainrule stays quick

    stack = traceback.extract_stack()
    end = len(stack) - 1  # this frame
    while end > 0 and stack[end - 1].filename.endswith(_GRAPH_FILE):
        end -= 1
    node._anomaly_trace = "".join(traceback.format_list(stack[: max(end - 2, 0)]))


_GRAPH_FILE = os.path.join("autograd", "graph.py")


def warn_forward_trace(node):
    trace = node._anomaly_trace
    if trace:
        warnings.warn(
            f"Error detected in {type(node).__name__}. Traceback of forward call that caused "
            f"the error:\n{trace}",
            stacklevel=2,
        )


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on inside it."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = (state.enabled, state.check_nan)
        state.enabled, state.check_nan = True, self.check_nan
        _turned_on()
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            stacklevel=2,
        )

    def __exit__(self, *exc):
        state.enabled, state.check_nan = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Sets anomaly detection on or off, as a call or as a context manager."""

    def __init__(self, mode, check_nan=True):
        self._prev = (state.enabled, state.check_nan)
        state.enabled, state.check_nan = bool(mode), check_nan
        if mode:
            _turned_on()

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        state.enabled, state.check_nan = self._prev
        return False

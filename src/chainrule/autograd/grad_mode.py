"""Grad mode: whether ops record the graph. Thread-local, as in PyTorch."""

import functools
import inspect
import threading


class _State(threading.local):
    enabled = True
    inference = False


state = _State()


def is_grad_enabled():
    return state.enabled


def is_inference_mode_enabled():
    return state.inference


class _GradModeContext:
    """Base for context managers that are also decorators (with or without parentheses)."""

    def _set(self):
        raise NotImplementedError

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            return self._wrap_generator(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, fn):
        """The generator's own code runs in the mode; the caller's code between yields doesn't."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return wrapper

    def clone(self):
        return type(self)()

    def __enter__(self):
        self._prev = (state.enabled, state.inference)
        self._set()
        return None

    def __exit__(self, *exc):
        state.enabled, state.inference = self._prev
        return False


class no_grad(_GradModeContext):
    """Ops inside run without recording the graph (results have requires_grad=False)."""

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            return cls()(orig_func)
        return self

    def __init__(self, orig_func=None):
        pass

    def _set(self):
        state.enabled = False


class enable_grad(no_grad):
    """Re-enables graph recording inside a no_grad block."""

    def _set(self):
        state.enabled = True


class set_grad_enabled(_GradModeContext):
    """Sets grad mode on construction (usable as a plain call) and restores it on exit."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._prev = (state.enabled, state.inference)
        state.enabled = self.mode

    def clone(self):
        return set_grad_enabled(self.mode)

    def __call__(self, fn):
        # Used as a decorator, construction must not change the mode of the caller.
        state.enabled, state.inference = self._prev
        return super().__call__(fn)

    def __enter__(self):
        return None

    def _set(self):
        state.enabled = self.mode


class inference_mode(_GradModeContext):
    """Like no_grad; tensors made inside are marked as inference tensors."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            return cls()(mode)
        return self

    def __init__(self, mode=True):
        self.mode = mode if isinstance(mode, bool) else True

    def clone(self):
        return inference_mode(self.mode)

    def _set(self):
        if self.mode:
            state.enabled = False
            state.inference = True

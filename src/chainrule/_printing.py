"""Tensor repr (being written: currently NumPy's layout inside tensor(...))."""


def tensor_repr(t):
    return f"tensor({t._data!r})"

"""Helpers the layer modules share."""


def _ntuple(v, n):
    """A size argument as a tuple: a sequence as it is, one value repeated n times."""
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n

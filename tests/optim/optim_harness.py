"""Helpers for running a chainrule optimizer and PyTorch's side by side on the same numbers."""

import numpy as np

import chainrule

SHAPES = [(3, 4), (5,), (2, 1, 3)]


def make_params(lib, arrays):
    return [lib.tensor(a.copy(), requires_grad=True) for a in arrays]


def to_numpy(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def run_side_by_side(torch, name, kwargs, dtype=np.float32, steps=20, seed=0, groups=None):
    """Run optimizer `name` on both libraries for `steps` steps with one gradient sequence.

    Returns the two optimizers and the two parameter lists. `groups`, when given, is a list of
    (parameter indices, extra options) making one param group each.
    """
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    ours, theirs = make_params(chainrule, arrays), make_params(torch, arrays)

    def build(lib, params):
        if groups is None:
            spec = params
        else:
            spec = [dict(params=[params[i] for i in idx], **extra) for idx, extra in groups]
        return getattr(lib.optim, name)(spec, **kwargs)

    opt_ours, opt_theirs = build(chainrule, ours), build(torch, theirs)
    for _ in range(steps):
        for i, s in enumerate(SHAPES):
            g = rng.standard_normal(s).astype(dtype)
            ours[i].grad = chainrule.tensor(g.copy())
            theirs[i].grad = torch.tensor(g.copy())
        opt_ours.step()
        opt_theirs.step()
    return opt_ours, opt_theirs, ours, theirs

"""Op table: sorting (sort, topk) and the non-differentiable argsort."""

from optable import A, OpCase


def D(*shape, **kw):
    """Distinct values: no ties, so the order (and so the gradient) is unambiguous."""
    return A(*shape, distinct=True, **kw)


CASES = [
    OpCase("sort_default", lambda t, a: a.sort(), (D(3, 4),)),
    OpCase("sort_dim0_descending", lambda t, a: t.sort(a, 0, descending=True), (D(4, 3),)),
    OpCase("sort_values_3d", lambda t, a: a.sort(dim=1).values * 2, (D(2, 3, 4),)),
    OpCase("sort_stable_kw", lambda t, a: t.sort(a, stable=True, dim=-1), (D(5),)),
    OpCase("sort_scalar", lambda t, a: a.sort(), (A(),)),
    OpCase("topk", lambda t, a: a.topk(2), (D(3, 5),)),
    OpCase("topk_smallest_dim0", lambda t, a: t.topk(a, 3, dim=0, largest=False), (D(4, 2),)),
    OpCase("topk_values_all", lambda t, a: a.topk(4).values.exp(), (D(4),)),
    # gradgradcheck cannot perturb an empty gradient, so only the first derivative here
    OpCase("topk_zero", lambda t, a: a.topk(0, dim=1).values, (D(2, 3),), double=False),
    OpCase("argsort", lambda t, a: a.argsort(), (D(3, 4),), gradcheck=False),
    OpCase(
        "argsort_descending_dim0",
        lambda t, a: t.argsort(a, dim=0, descending=True),
        (D(4, 3),),
        gradcheck=False,
    ),
]

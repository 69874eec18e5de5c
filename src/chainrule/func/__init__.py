"""chainrule.func: PyTorch's function transforms over chainrule's autograd engine.

grad, grad_and_value and vjp differentiate by building the graph and calling
chainrule.autograd.grad; inside another transform (grad of grad, jacrev of grad, ...) they
keep the graph (create_graph), so transforms nest. jvp uses the double-vjp trick: the vjp
u -> J^T u is linear in u, and differentiating it with respect to u along the tangent gives
J t. vmap runs the function once per slice along the mapped dimension and stacks the
results: the same values as PyTorch's batching rules, one call per example rather than one
batched call (randomness inside behaves like randomness='different'). jacrev and jacfwd build
Jacobians row by row from vjps (jacfwd's values are the same; it is not forward mode), and
hessian is jacfwd(jacrev(f)). functional_call runs a module with some of its parameters and
buffers replaced.
"""

from ._transforms import (
    functional_call,
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    vjp,
    vmap,
)

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "vjp",
    "vmap",
]

"""The function transforms of chainrule.func (see its docstring)."""

from __future__ import annotations

import contextlib
import functools

import chainrule
from chainrule.tensor import Tensor

_depth = 0  # how many differentiating transforms are running a function right now


@contextlib.contextmanager
def _level():
    global _depth
    _depth += 1
    try:
        with chainrule.enable_grad():
            yield
    finally:
        _depth -= 1


# -- pytrees: nested tuples, lists and dicts of tensors ----------------------------------------
def _flatten(tree):
    """(leaves, rebuild): the tensors (and other leaves) of a nested structure in order."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(x) for x in tree]
        leaves = [leaf for p in parts for leaf in p[0]]
        sizes = [len(p[0]) for p in parts]
        kind = type(tree)

        def rebuild(values):
            out, start = [], 0
            for (_, sub), n in zip(parts, sizes):
                out.append(sub(values[start : start + n]))
                start += n
            return kind(out) if kind in (tuple, list) else kind(*out)

        return leaves, rebuild
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, rebuild_values = _flatten([tree[k] for k in keys])
        return leaves, lambda values: type(tree)(zip(keys, rebuild_values(values)))
    return [tree], lambda values: values[0]


def _track(x):
    """x as a tensor this transform differentiates with respect to: a copy that stays
    connected to x's own graph (so an outer transform sees through it), or a fresh leaf."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"Expected a Tensor to differentiate with respect to, got {type(x).__name__}"
        )
    if x.requires_grad and chainrule.is_grad_enabled():
        return x.clone()
    return x.detach().requires_grad_()


def _outer_graph(values):
    """Whether results must stay differentiable: inside another transform, or with inputs
    that require grad."""
    return _depth > 0 or any(isinstance(v, Tensor) and v.requires_grad for v in values)


def _finish(tree, keep_graph):
    leaves, rebuild = _flatten(tree)
    return rebuild([leaf.detach() if isinstance(leaf, Tensor) and not keep_graph else leaf
                    for leaf in leaves])  # fmt: skip


def _argnums_tuple(argnums, nargs, name):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if not isinstance(n, int):
            raise RuntimeError(f"{name}: argnums must be int or Tuple[int, ...], got: {argnums}")
        if not -nargs <= n < nargs:
            raise RuntimeError(f"Got argnum={n}, but only {nargs} positional inputs")
    return tuple(n % nargs for n in nums)


def _grads_of(outputs, inputs, grad_outputs, create_graph):
    grads = chainrule.autograd.grad(
        outputs,
        inputs,
        grad_outputs,
        retain_graph=True,
        create_graph=create_graph,
        allow_unused=True,
    )
    return [chainrule.zeros_like(i) if g is None else g for g, i in zip(grads, inputs)]


# -- grad, grad_and_value, vjp --------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (gradient of func's scalar output with respect to the argnums
    arguments, func's value) (value being (output, aux) with has_aux)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), "grad_and_value")
        keep = _outer_graph(_flatten(args)[0])
        with _level():
            args = list(args)
            tracked = {}
            for n in nums:
                leaves, rebuild = _flatten(args[n])
                fresh = [_track(leaf) for leaf in leaves]
                tracked[n] = (fresh, rebuild)
                args[n] = rebuild(fresh)
            result = func(*args, **kwargs)
            if has_aux:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        "grad_and_value(f)(*args): output of function f should be a tuple: "
                        "(output, aux) if has_aux is True"
                    )
                output, aux = result
            else:
                output, aux = result, None
            if not isinstance(output, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(output)}"
                )
            if output.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                    f"got tensor with {output.dim()} dims. Maybe you wanted to use the vjp or "
                    "jacrev APIs instead?"
                )
            flat = [t for n in nums for t in tracked[n][0]]
            grads = _grads_of([output], flat, None, create_graph=True)
        per_arg, start = [], 0
        for n in nums:
            fresh, rebuild = tracked[n]
            per_arg.append(rebuild(grads[start : start + len(fresh)]))
            start += len(fresh)
        gradient = per_arg[0] if isinstance(argnums, int) else tuple(per_arg)
        gradient = _finish(gradient, keep)
        value = _finish(output, keep)
        if has_aux:
            return gradient, (value, _finish(aux, keep))
        return gradient, value

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of func's scalar output with respect to its
    argnums arguments (and func's aux output, with has_aux)."""
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        gradient, value = inner(*args, **kwargs)
        if has_aux:
            return gradient, value[1]
        return gradient

    return wrapper


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) gives a tuple with the
    vector-Jacobian product for each primal."""
    keep = _outer_graph(_flatten(primals)[0])
    with _level():
        flat, rebuild = _flatten(list(primals))
        fresh = [_track(p) for p in flat]
        result = func(*rebuild(fresh))
        if has_aux:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError(
                    "vjp(f, *primals): output of function f should be a tuple: (output, aux) "
                    "if has_aux is True"
                )
            output, aux = result
        else:
            output, aux = result, None
    out_leaves, _ = _flatten(output)
    for leaf in out_leaves:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(
                "vjp(f, *primals): Expected f to be a function that has non-empty output "
                f"(got output = {output}) and all outputs are Tensors"
            )

    def vjp_fn(cotangents):
        cot_leaves, _ = _flatten(cotangents)
        if len(cot_leaves) != len(out_leaves):
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure "
                "of outputs to the function"
            )
        for c, o in zip(cot_leaves, out_leaves):
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[0] has a shape of {c.shape} and "
                    f"output[0] has a shape of {o.shape}."
                )
        with _level():
            grads = _grads_of(out_leaves, fresh, cot_leaves, create_graph=True)
        return tuple(_finish(rebuild(grads), keep))

    outputs = (_finish(output, keep), vjp_fn)
    if has_aux:
        return outputs + (_finish(aux, keep),)
    return outputs


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), the Jacobian of func at primals applied to tangents): computed as the
    derivative of the (linear) vjp with respect to its cotangent."""
    if not isinstance(primals, tuple):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be "
            "valid to call f(*primals)."
        )
    if not isinstance(tangents, tuple) or len(tangents) != len(primals):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
            "structure. For example, if primals is a tuple of 3 tensors, tangents also must "
            f"be. Got primals with structure {primals} and tangents with structure {tangents}"
        )
    keep = _outer_graph(_flatten(primals)[0] + _flatten(tangents)[0])
    with _level():
        flat, rebuild = _flatten(list(primals))
        tangent_leaves, _ = _flatten(list(tangents))
        for p, t in zip(flat, tangent_leaves):
            if tuple(p.shape) != tuple(t.shape):
                raise RuntimeError(
                    "Trying to set a forward gradient that has a different size than that of "
                    "the original Tensor, this is not supported. Tensor is of size "
                    f"{list(p.shape)} while the given forward gradient is of size "
                    f"{list(t.shape)}."
                )
        fresh = [_track(p) for p in flat]
        result = func(*rebuild(fresh))
        output, aux = result if has_aux else (result, None)
        out_leaves, out_rebuild = _flatten(output)
        dummies = [chainrule.zeros_like(o).requires_grad_() for o in out_leaves]
        vjps = chainrule.autograd.grad(
            out_leaves, fresh, dummies, create_graph=True, allow_unused=True
        )
        pairs = [(v, t) for v, t in zip(vjps, tangent_leaves) if v is not None and v.requires_grad]
        if pairs:
            directional = chainrule.autograd.grad(
                [v for v, _ in pairs],
                dummies,
                [t for _, t in pairs],
                create_graph=keep,
                allow_unused=True,
            )
        else:
            directional = [None] * len(dummies)
        jvps = [
            chainrule.zeros_like(o) if d is None else d for d, o in zip(directional, out_leaves)
        ]
    out = (_finish(output, keep), _finish(out_rebuild(jvps), keep))
    return out + (_finish(aux, keep),) if has_aux else out


# -- Jacobians ------------------------------------------------------------------------------
def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """A function returning the Jacobian of func with respect to its argnums arguments:
    shape output.shape + input.shape, one vjp per output element."""

    @functools.wraps(func)
    def wrapper(*args):
        nums = _argnums_tuple(argnums, len(args), "jacrev")

        def restricted(*picked):
            full = list(args)
            for n, v in zip(nums, picked):
                full[n] = v
            return func(*full)

        results = vjp(restricted, *(args[n] for n in nums), has_aux=has_aux)
        output, vjp_fn = results[0], results[1]
        out_leaves, out_rebuild = _flatten(output)
        jac_per_output = []
        for o in out_leaves:
            rows = []
            for k in range(o.numel()):
                basis = [chainrule.zeros_like(x) for x in out_leaves]
                basis[out_leaves.index(o)] = _one_hot(o, k)
                rows.append(vjp_fn(_flatten(output)[1](basis)))
            per_input = []
            for i in range(len(nums)):
                in_leaves, in_rebuild = _flatten(rows[0][i]) if rows else ([], None)
                stacked = []
                for j, leaf in enumerate(in_leaves):
                    parts = [_flatten(r[i])[0][j] for r in rows]
                    stacked.append(
                        chainrule.stack(parts).reshape(tuple(o.shape) + tuple(leaf.shape))
                    )
                per_input.append(in_rebuild(stacked))
            jac_per_output.append(per_input[0] if isinstance(argnums, int) else tuple(per_input))
        jacobian = out_rebuild(jac_per_output)
        return (jacobian, results[2]) if has_aux else jacobian

    return wrapper


def _one_hot(t, k):
    basis = chainrule.zeros(t.numel(), dtype=t.dtype)
    basis[k] = 1
    return basis.reshape(tuple(t.shape))


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian, as jacrev computes it (the same values; chainrule has no forward mode)."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """The matrix of second derivatives: jacfwd(jacrev(func))."""
    return jacfwd(jacrev(func, argnums), argnums)


# -- vmap -----------------------------------------------------------------------------------
def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """func mapped over a dimension of its inputs (in_dims: an int, None, or one per
    argument, nested like the arguments) with the results stacked along out_dims."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        name = getattr(func, "__name__", repr(func))
        if not isinstance(in_dims, (int, tuple)):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int "
                "or a (potentially nested) tuple matching the structure of inputs, got: "
                f"{type(in_dims)}."
            )
        dims = in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible "
                f"with the structure of `inputs`. in_dims has structure {len(dims)} but "
                f"inputs has structure {len(args)}."
            )
        plans = []  # per leaf: (tensor or value, mapped dim or None)
        rebuilds = []
        for arg, dim in zip(args, dims):
            leaves, rebuild = _flatten(arg)
            leaf_dims = (
                _flatten(dim)[0] if isinstance(dim, (tuple, list, dict)) else [dim] * len(leaves)
            )
            rebuilds.append((rebuild, len(leaves)))
            for leaf, d in zip(leaves, leaf_dims):
                if d is not None and not isinstance(leaf, Tensor):
                    raise ValueError(
                        f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                        f"input but the input is of type {type(leaf)}. We cannot vmap over "
                        "non-Tensor arguments, please use None as the respective in_dim"
                    )
                if d is not None and not -leaf.dim() <= d < leaf.dim():
                    raise ValueError(
                        f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for "
                        f"some input, but that input is a Tensor of dimensionality {leaf.dim()} "
                        f"so expected in_dim to satisfy -{leaf.dim()} <= in_dim < {leaf.dim()}."
                    )
                plans.append((leaf, None if d is None else d % leaf.dim()))
        sizes = [leaf.shape[d] for leaf, d in plans if d is not None]
        if not sizes:
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim=None for all "
                "inputs, but at least one input must be batched (have in_dim != None)."
            )
        if len(set(sizes)) != 1:
            raise ValueError(
                "vmap: Expected all tensors to have the same size in the mapped dimension, "
                f"got sizes {sizes} for the mapped dimension"
            )
        outputs = []
        for i in range(sizes[0]):
            leaves = [leaf if d is None else leaf.select(d, i) for leaf, d in plans]
            call_args, start = [], 0
            for rebuild, n in rebuilds:
                call_args.append(rebuild(leaves[start : start + n]))
                start += n
            outputs.append(func(*call_args, **kwargs))
        first_leaves, out_rebuild = _flatten(outputs[0])
        odims = out_dims if isinstance(out_dims, (tuple, list)) else [out_dims] * len(first_leaves)
        stacked = []
        for j, leaf in enumerate(first_leaves):
            if not isinstance(leaf, Tensor):
                raise ValueError(
                    f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                    f"{type(leaf)}. Did you mean to set out_dims= to None for output?"
                )
            parts = [_flatten(o)[0][j] for o in outputs]
            stacked.append(chainrule.stack(parts, dim=odims[j] if odims[j] is not None else 0))
        return out_rebuild(stacked)

    return wrapper


# -- functional_call ------------------------------------------------------------------------
def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):  # fmt: skip
    """module(*args, **kwargs) with the named parameters and buffers replaced by the given
    tensors for the duration of the call (names as in module.state_dict())."""
    if isinstance(parameter_and_buffer_dicts, dict):
        replacements = dict(parameter_and_buffer_dicts)
    else:
        replacements = {}
        for d in parameter_and_buffer_dicts:
            overlap = set(d) & set(replacements)
            if overlap:
                raise ValueError(
                    f"{sorted(overlap)} appeared in multiple dictionaries; behavior of "
                    "functional call is ambiguous"
                )
            replacements.update(d)
    if strict:
        expected = set(dict(module.named_parameters())) | set(dict(module.named_buffers()))
        missing, unexpected = expected - set(replacements), set(replacements) - expected
        if missing or unexpected:
            raise RuntimeError(
                "Error(s) in reparametrizing for {}:\n\t{}".format(
                    type(module).__name__,
                    "\n\t".join(
                        [f"Missing key(s): {sorted(missing)}."] * bool(missing)
                        + [f"Unexpected key(s): {sorted(unexpected)}."] * bool(unexpected)
                    ),
                )
            )
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    saved = []
    try:
        for name, value in replacements.items():
            owner, _, key = name.rpartition(".")
            sub = module.get_submodule(owner) if owner else module
            for store in (sub._parameters, sub._buffers):
                if key in store:
                    saved.append((store, key, store[key]))
                    store[key] = value
                    break
            else:
                raise AttributeError(f"{type(sub).__name__} has no parameter or buffer '{key}'")
        return module(*args, **(kwargs or {}))
    finally:
        for store, key, old in reversed(saved):
            store[key] = old

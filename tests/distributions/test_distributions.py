"""chainrule.distributions against torch.distributions: log_prob, entropy, moments, cdf and
icdf, KL divergences, their gradients, shapes, reprs and validation errors; rsample's
gradients (the implicit ones of Gamma, Beta and Dirichlet against PyTorch's and an exact
reference); sampling statistics."""

import math

import numpy as np
import pytest

import chainrule

COV = [[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 1.5]]


def _t(lib, values, dtype, grad=False):
    return lib.tensor(np.asarray(values), dtype=getattr(lib, dtype), requires_grad=grad)


# name -> (make(lib, dtype, grad) -> distribution, a value in its support)
CASES = {
    "Normal": (
        lambda L, d, g: L.distributions.Normal(_t(L, [0.0, 1.0], d, g), _t(L, [1.0, 2.0], d, g)),
        [0.5, -1.0],
    ),
    "Uniform": (
        lambda L, d, g: L.distributions.Uniform(_t(L, [0.0, 1.0], d, g), _t(L, [1.0, 3.0], d, g)),
        [0.5, 2.0],
    ),
    "Bernoulli-logits": (
        lambda L, d, g: L.distributions.Bernoulli(logits=_t(L, [0.3, -1.0], d, g)),
        [1.0, 0.0],
    ),
    "Bernoulli-probs": (
        lambda L, d, g: L.distributions.Bernoulli(probs=_t(L, [0.3, 0.9], d, g)),
        [0.0, 1.0],
    ),
    "Categorical": (
        lambda L, d, g: L.distributions.Categorical(
            probs=_t(L, [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]], d, g)
        ),
        "index",
    ),
    "Categorical-logits": (
        lambda L, d, g: L.distributions.Categorical(logits=_t(L, [[0.2, -0.3, 1.5]], d, g)),
        "index",
    ),
    "Gamma": (
        lambda L, d, g: L.distributions.Gamma(_t(L, [2.0, 0.5], d, g), _t(L, [1.5, 3.0], d, g)),
        [0.7, 0.1],
    ),
    "Beta": (
        lambda L, d, g: L.distributions.Beta(_t(L, [2.0, 0.5], d, g), _t(L, [1.5, 3.0], d, g)),
        [0.7, 0.1],
    ),
    "Dirichlet": (
        lambda L, d, g: L.distributions.Dirichlet(_t(L, [[2.0, 0.5, 1.0], [1.0, 4.0, 3.0]], d, g)),
        [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]],
    ),
    "MultivariateNormal-cov": (
        lambda L, d, g: L.distributions.MultivariateNormal(
            _t(L, [0.0, 1.0, 2.0], d, g), covariance_matrix=_t(L, COV, d, g)
        ),
        [[0.5, 1.0, 0.0], [1.0, 1.0, 1.0]],
    ),
    "MultivariateNormal-precision": (
        lambda L, d, g: L.distributions.MultivariateNormal(
            _t(L, [0.0, 1.0, 2.0], d, g), precision_matrix=_t(L, COV, d, g)
        ),
        [0.5, 1.0, 0.0],
    ),
    "MultivariateNormal-tril": (
        lambda L, d, g: L.distributions.MultivariateNormal(
            _t(L, [[0.0, 1.0], [1.0, 0.0]], d, g),
            scale_tril=_t(L, [[1.0, 0.0], [0.3, 2.0]], d, g),
        ),
        [0.5, -1.0],
    ),
    "Independent": (
        lambda L, d, g: L.distributions.Independent(
            L.distributions.Normal(_t(L, [[0.0, 1.0]], d, g), _t(L, [[1.0, 2.0]], d, g)), 1
        ),
        [[0.5, -1.0]],
    ),
}


def _value(lib, case, dtype):
    spec = CASES[case][1]
    if spec == "index":
        return lib.tensor([2, 0]) if "logits" not in case else lib.tensor([1])
    return _t(lib, spec, dtype)


def _array(x):
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def _close(ours, theirs, dtype, what):
    ours, theirs = _array(ours), _array(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, what
    # the special functions and the matrix factorisations round differently in the last bits
    rtol = 2e-6 if dtype == "float32" else 1e-7
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES)
def test_values_and_gradients_match_pytorch(torch, case, dtype):
    results = {}
    for lib in (chainrule, torch):
        dist = CASES[case][0](lib, dtype, True)
        value = _value(lib, case, dtype)
        out = {
            "batch_shape": tuple(dist.batch_shape),
            "event_shape": tuple(dist.event_shape),
            "log_prob": dist.log_prob(value),
            "entropy": dist.entropy(),
            "mean": dist.mean,
            "variance": dist.variance,
            "stddev": dist.stddev,
            "repr": repr(dist),
        }
        if case in ("Normal", "Uniform"):
            out["cdf"] = dist.cdf(value)
            out["icdf"] = dist.icdf(_t(lib, [0.3, 0.8], dtype))
        if not case.startswith("Categorical"):
            out["mode"] = dist.mode
        # gradients of log_prob and entropy with respect to every parameter
        params = [p for p in _leaves(dist)]
        total = dist.log_prob(value).sum() + dist.entropy().sum()
        out["grads"] = lib.autograd.grad(total, params, allow_unused=True)
        results[lib.__name__] = out
    ours, theirs = results["chainrule"], results["torch"]
    for key in theirs:
        if key in ("batch_shape", "event_shape", "repr"):
            assert ours[key] == theirs[key], key
        elif key == "grads":
            for i, (a, b) in enumerate(zip(ours[key], theirs[key])):
                assert (a is None) == (b is None), f"grad {i}"
                if a is not None:
                    _close(a, b, dtype, f"grad {i}")
        else:
            _close(ours[key], theirs[key], dtype, key)


def _leaves(dist):
    """The tensors a test distribution was built from (leaves that require grad)."""
    seen, found = set(), []

    def walk(obj):
        for value in vars(obj).values():
            if hasattr(value, "grad_fn"):
                node = value
                stack = [node.grad_fn] if node.grad_fn is not None else []
                if node.is_leaf and node.requires_grad and id(node) not in seen:
                    seen.add(id(node))
                    found.append(node)
                while stack:
                    fn = stack.pop()
                    for nxt, _ in fn.next_functions:
                        if nxt is None:
                            continue
                        var = getattr(nxt, "variable", None)
                        if var is not None and id(var) not in seen:
                            seen.add(id(var))
                            found.append(var)
                        stack.append(nxt)
            elif hasattr(value, "batch_shape") and value is not obj:
                walk(value)

    walk(dist)
    return found


# -- KL divergences -----------------------------------------------------------------------
KL = {
    "Normal": lambda L, d: (
        L.distributions.Normal(_t(L, [0.0, 1.0], d, True), _t(L, [1.0, 2.0], d, True)),
        L.distributions.Normal(_t(L, [1.0, 1.0], d), _t(L, [0.5, 3.0], d)),
    ),
    "Gamma": lambda L, d: (
        L.distributions.Gamma(_t(L, [2.0, 0.7], d, True), _t(L, [1.0, 2.0], d, True)),
        L.distributions.Gamma(_t(L, [3.0, 1.0], d), _t(L, [0.5, 1.0], d)),
    ),
    "Beta": lambda L, d: (
        L.distributions.Beta(_t(L, [2.0], d, True), _t(L, [3.0], d, True)),
        L.distributions.Beta(_t(L, [1.0], d), _t(L, [1.5], d)),
    ),
    "Dirichlet": lambda L, d: (
        L.distributions.Dirichlet(_t(L, [2.0, 1.0, 0.5], d, True)),
        L.distributions.Dirichlet(_t(L, [1.0, 1.0, 1.0], d)),
    ),
    "Categorical": lambda L, d: (
        L.distributions.Categorical(logits=_t(L, [0.2, -1.0, 0.5], d, True)),
        L.distributions.Categorical(probs=_t(L, [0.5, 0.5, 0.0], d)),
    ),
    "Bernoulli": lambda L, d: (
        L.distributions.Bernoulli(probs=_t(L, [0.2, 0.0, 1.0], d, True)),
        L.distributions.Bernoulli(probs=_t(L, [0.5, 0.5, 0.5], d)),
    ),
    "Uniform": lambda L, d: (
        L.distributions.Uniform(_t(L, [0.0, 0.0], d, True), _t(L, [1.0, 2.0], d, True)),
        L.distributions.Uniform(_t(L, [-1.0, 0.5], d), _t(L, [2.0, 3.0], d)),
    ),
    "MultivariateNormal": lambda L, d: (
        L.distributions.MultivariateNormal(
            _t(L, [0.0, 1.0, 2.0], d, True), covariance_matrix=_t(L, COV, d, True)
        ),
        L.distributions.MultivariateNormal(
            _t(L, [1.0, 1.0, 2.0], d), scale_tril=_t(L, np.diag([1.0, 2.0, 3.0]), d)
        ),
    ),
    "Independent": lambda L, d: (
        L.distributions.Independent(
            L.distributions.Normal(_t(L, [[0.0, 1.0]], d, True), _t(L, [[1.0, 2.0]], d)), 1
        ),
        L.distributions.Independent(
            L.distributions.Normal(_t(L, [[1.0, 1.0]], d), _t(L, [[1.0, 1.0]], d)), 1
        ),
    ),
    "Uniform-Normal": lambda L, d: (
        L.distributions.Uniform(_t(L, [0.0], d, True), _t(L, [2.0], d)),
        L.distributions.Normal(_t(L, [1.0], d), _t(L, [1.0], d)),
    ),
    "Normal-Uniform": lambda L, d: (
        L.distributions.Normal(_t(L, [0.0], d), _t(L, [1.0], d)),
        L.distributions.Uniform(_t(L, [0.0], d), _t(L, [1.0], d)),
    ),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("pair", KL)
def test_kl_divergence_matches_pytorch(torch, pair, dtype):
    results = []
    for lib in (chainrule, torch):
        p, q = KL[pair](lib, dtype)
        kl = lib.distributions.kl_divergence(p, q)
        params = _leaves(p)
        finite = kl[lib.isfinite(kl)].sum() if params else None
        grads = lib.autograd.grad(finite, params, allow_unused=True) if params else []
        results.append((kl, grads))
    (kl_ours, g_ours), (kl_theirs, g_theirs) = results
    _close(kl_ours, kl_theirs, dtype, "kl")
    for a, b in zip(g_ours, g_theirs):
        _close(a, b, dtype, "kl gradient")


def test_kl_without_a_formula_says_so(torch):
    p = chainrule.distributions.Gamma(1.0, 1.0)
    q = chainrule.distributions.Normal(0.0, 1.0)
    with pytest.raises(NotImplementedError) as ours:
        chainrule.distributions.kl_divergence(p, q)
    assert str(ours.value) == ("No KL(p || q) is implemented for p type Gamma and q type Normal")


# -- derivatives through the special functions and factorisations ------------------------
def test_log_prob_and_entropy_pass_gradcheck():
    D = chainrule.distributions
    a = chainrule.tensor([2.0, 0.7], dtype=chainrule.float64, requires_grad=True)
    b = chainrule.tensor([1.5, 3.0], dtype=chainrule.float64, requires_grad=True)
    x = chainrule.tensor([0.3, 0.6], dtype=chainrule.float64)
    gradcheck = chainrule.autograd.gradcheck
    gradgradcheck = chainrule.autograd.gradgradcheck
    for fn in (
        lambda a, b: D.Gamma(a, b).log_prob(x) + D.Gamma(a, b).entropy(),
        lambda a, b: D.Beta(a, b).log_prob(x) + D.Beta(a, b).entropy(),
        lambda a, b: D.Dirichlet(chainrule.stack([a, b], -1)).entropy(),
    ):
        assert gradcheck(fn, (a, b)) and gradgradcheck(fn, (a, b))
    m = np.array(COV)
    cov = chainrule.tensor(m, requires_grad=True)
    loc = chainrule.tensor([0.0, 1.0, 2.0], dtype=chainrule.float64, requires_grad=True)
    v = chainrule.tensor([[0.5, 1.0, 0.0]], dtype=chainrule.float64)

    def mvn(loc, cov):
        sym = (cov + cov.transpose(-2, -1)) / 2
        return D.MultivariateNormal(loc, covariance_matrix=sym, validate_args=False).log_prob(v)

    assert gradcheck(mvn, (loc, cov)) and gradgradcheck(mvn, (loc, cov))


# -- rsample ------------------------------------------------------------------------------
def test_location_scale_rsample_gradients_are_the_reparameterisation():
    chainrule.manual_seed(0)
    loc = chainrule.tensor([0.5, -1.0], requires_grad=True)
    scale = chainrule.tensor([2.0, 0.5], requires_grad=True)
    x = chainrule.distributions.Normal(loc, scale).rsample((1000,))
    x.sum().backward()
    eps = (x.detach() - loc.detach()) / scale.detach()
    assert loc.grad.tolist() == [1000.0, 1000.0]
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0).numpy(), rtol=1e-4)
    low = chainrule.tensor([0.0], requires_grad=True)
    high = chainrule.tensor([2.0], requires_grad=True)
    u = chainrule.distributions.Uniform(low, high).rsample((500,))
    u.sum().backward()
    np.testing.assert_allclose(high.grad.numpy(), (u.detach() / 2).sum(0).numpy(), rtol=1e-5)
    L = chainrule.tensor([[1.0, 0.0], [0.3, 2.0]], requires_grad=True)
    mean = chainrule.zeros(2, requires_grad=True)
    y = chainrule.distributions.MultivariateNormal(mean, scale_tril=L).rsample((200,))
    y[:, 1].sum().backward()
    e = chainrule.linalg.matmul(y.detach(), chainrule.tensor([[1.0, -0.15], [0.0, 0.5]]))
    np.testing.assert_allclose(L.grad.numpy()[1], e.sum(0).numpy(), rtol=1e-4)


def test_gamma_rsample_gradient_matches_pytorchs(torch):
    chainrule.manual_seed(1)
    alpha = chainrule.tensor([0.3, 1.0, 2.5, 7.0, 40.0], dtype=chainrule.float64)
    rate = chainrule.tensor(1.7, dtype=chainrule.float64)
    concentration = alpha.clone().requires_grad_()
    x = chainrule.distributions.Gamma(concentration, rate).rsample((200,))
    x.sum().backward()
    standard = (x.detach() * rate).numpy()
    theirs = torch._standard_gamma_grad(
        torch.tensor(alpha.numpy()).expand(200, 5), torch.tensor(standard)
    )
    theirs = (theirs / 1.7).sum(0).numpy()
    # PyTorch approximates dx/dalpha in closed form (within about 1e-3); chainrule integrates
    np.testing.assert_allclose(concentration.grad.numpy(), theirs, rtol=2e-3)


def test_dirichlet_and_beta_rsample_gradients_match_pytorchs(torch):
    chainrule.manual_seed(2)
    base = np.array([[0.5, 3.0, 1.0], [2.0, 0.4, 8.0], [9.0, 7.0, 0.3]])
    concentration = chainrule.tensor(base, requires_grad=True)
    x = chainrule.distributions.Dirichlet(concentration).rsample((100,))
    weights = np.linspace(-1.0, 2.0, 9).reshape(3, 3)
    (x * chainrule.tensor(weights)).sum().backward()
    tx = torch.tensor(x.detach().numpy())
    tc = torch.tensor(base).expand_as(tx)
    g = torch.tensor(weights).expand_as(tx)
    scaled = torch._dirichlet_grad(tx, tc, tc.sum(-1, keepdim=True).expand_as(tx))
    theirs = (scaled * (g - (tx * g).sum(-1, keepdim=True))).sum(0).numpy()
    np.testing.assert_allclose(concentration.grad.numpy(), theirs, rtol=5e-3, atol=1e-3)
    # Beta is the first coordinate of a two-coordinate Dirichlet
    a = chainrule.tensor([2.0, 0.5], dtype=chainrule.float64, requires_grad=True)
    b = chainrule.tensor([3.0, 0.7], dtype=chainrule.float64, requires_grad=True)
    y = chainrule.distributions.Beta(a, b).rsample((300,))
    y.sum().backward()
    ty = torch.tensor(y.detach().numpy())
    pair = torch.stack([ty, 1 - ty], -1)
    conc = torch.tensor(np.stack([a.detach().numpy(), b.detach().numpy()], -1)).expand_as(pair)
    scaled = torch._dirichlet_grad(pair, conc, conc.sum(-1, keepdim=True).expand_as(pair))
    grad_out = torch.zeros_like(pair)
    grad_out[..., 0] = 1
    full = scaled * (grad_out - (pair * grad_out).sum(-1, keepdim=True))
    np.testing.assert_allclose(a.grad.numpy(), full[..., 0].sum(0).numpy(), rtol=5e-3)
    np.testing.assert_allclose(b.grad.numpy(), full[..., 1].sum(0).numpy(), rtol=5e-3)


def test_implicit_gradients_are_exact():
    special = pytest.importorskip("scipy.special")
    stats = pytest.importorskip("scipy.stats")
    from chainrule.distributions._implicit import beta_grad, gamma_grad

    rng = np.random.default_rng(0)
    for alpha in (0.2, 1.0, 3.0, 50.0):
        x = rng.gamma(alpha, size=50)
        h = 1e-6 * alpha
        dF = (special.gammainc(alpha + h, x) - special.gammainc(alpha - h, x)) / (2 * h)
        exact = -dF / stats.gamma.pdf(x, alpha)
        np.testing.assert_allclose(gamma_grad(np.full(50, alpha), x), exact, rtol=1e-5)
    for a, b in ((0.3, 0.6), (0.5, 4.0), (3.0, 0.5), (2.0, 3.0), (20.0, 9.0)):
        x = np.clip(rng.beta(a, b, size=50), 1e-9, 1 - 1e-9)
        h = 1e-6 * a
        dF = (special.betainc(a + h, b, x) - special.betainc(a - h, b, x)) / (2 * h)
        exact = -dF / stats.beta.pdf(x, a, b)
        np.testing.assert_allclose(beta_grad(a, b, x), exact, rtol=2e-5, atol=1e-12)


@pytest.mark.parametrize(
    "make, mean, var",
    [
        (lambda D: D.Gamma(0.4, 2.0), 0.2, 0.1),
        (lambda D: D.Gamma(5.0, 0.5), 10.0, 20.0),
        (lambda D: D.Beta(0.5, 2.0), 0.2, 0.0457142857),
        (lambda D: D.Dirichlet(chainrule.tensor([1.0, 2.0, 3.0])), 1 / 3, 2 / 63),
        (lambda D: D.Normal(1.0, 3.0), 1.0, 9.0),
        (lambda D: D.Uniform(-1.0, 3.0), 1.0, 16 / 12),
        (lambda D: D.Bernoulli(0.3), 0.3, 0.21),
    ],
)
def test_samples_have_the_distributions_moments(make, mean, var):
    chainrule.manual_seed(3)
    dist = make(chainrule.distributions)
    n = 20000
    x = dist.sample((n,)).double()
    if x.dim() > 1:
        x = x[:, 1]  # the Dirichlet's second coordinate: Beta(2, 4)
    sample_mean = x.mean().item()
    assert abs(sample_mean - mean) < 5 * math.sqrt(var / n)
    assert abs(x.var().item() - var) < 0.1 * var


def test_categorical_samples_follow_the_probabilities():
    chainrule.manual_seed(4)
    dist = chainrule.distributions.Categorical(probs=chainrule.tensor([[0.1, 0.6, 0.3]]))
    x = dist.sample((6000,))
    assert tuple(x.shape) == (6000, 1) and x.dtype == chainrule.int64
    counts = np.bincount(x.numpy().ravel(), minlength=3) / 6000
    np.testing.assert_allclose(counts, [0.1, 0.6, 0.3], atol=0.03)


def test_shapes_of_samples_and_enumerated_supports(torch):
    for lib in (chainrule, torch):
        D = lib.distributions
        assert tuple(D.Normal(lib.zeros(2, 3), 1.0).sample((4,)).shape) == (4, 2, 3)
        mvn = D.MultivariateNormal(lib.zeros(2, 3), lib.eye(3))
        assert tuple(mvn.rsample((5,)).shape) == (5, 2, 3)
        assert tuple(D.Dirichlet(lib.ones(4, 3)).sample().shape) == (4, 3)
        support = D.Bernoulli(lib.tensor([0.2, 0.7])).enumerate_support()
        assert support.tolist() == [[0.0, 0.0], [1.0, 1.0]]
        expanded = D.Normal(0.0, 1.0).expand((3,))
        assert tuple(expanded.batch_shape) == (3,)
        assert tuple(D.Independent(D.Normal(lib.zeros(3, 2), 1.0), 1).event_shape) == (2,)


ERRORS = [
    lambda L: L.distributions.Normal(0.0, -1.0),
    lambda L: L.distributions.Normal(L.tensor([0.0, 1.0]), L.tensor([1.0, 0.0])),
    lambda L: L.distributions.Uniform(0.0, 1.0).log_prob(L.tensor(2.0)),
    lambda L: L.distributions.Normal(L.zeros(3), 1.0).log_prob(L.zeros(2)),
    lambda L: L.distributions.Bernoulli(probs=0.5, logits=0.0),
    lambda L: L.distributions.Categorical(probs=L.tensor([0.5, -0.5])),
    lambda L: L.distributions.Categorical(logits=L.tensor(1.0)),
    lambda L: L.distributions.MultivariateNormal(L.zeros(2)),
    lambda L: L.distributions.MultivariateNormal(L.zeros(2), L.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda L: L.distributions.Gamma(L.tensor([1.0]), 1.0).log_prob(L.tensor([-1.0])),
    lambda L: L.distributions.Dirichlet(L.tensor([1.0, 1.0])).log_prob(L.tensor([0.5, 0.6])),
    lambda L: L.distributions.Independent(L.distributions.Normal(0.0, 1.0), 1),
]


@pytest.mark.parametrize("make", ERRORS)
def test_validation_errors_match_pytorchs(torch, make):
    raised = []
    for lib in (chainrule, torch):
        with pytest.raises(Exception) as info:
            make(lib)
        raised.append((type(info.value).__name__, str(info.value)))
    assert raised[0] == raised[1]


def test_validation_can_be_switched_off():
    dist = chainrule.distributions.Normal(0.0, -1.0, validate_args=False)
    assert math.isnan(dist.log_prob(chainrule.tensor(0.0)).item())
    chainrule.distributions.Distribution.set_default_validate_args(False)
    try:
        chainrule.distributions.Uniform(0.0, 1.0).log_prob(chainrule.tensor(2.0))
    finally:
        chainrule.distributions.Distribution.set_default_validate_args(True)

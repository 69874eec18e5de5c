"""Bad arguments to the sampling functions raise PyTorch's exception type and message."""

import warnings

import pytest

import chainrule

INF, NAN = float("inf"), float("nan")

BAD_CALLS = {
    "uniform_ from > to": lambda L: L.empty(3).uniform_(3, 2),
    "uniform_ too wide": lambda L: L.empty(3).uniform_(-3e38, 3e38),
    "uniform_ too wide, double": lambda L: L.empty(3, dtype=L.float64).uniform_(-1e308, 1e308),
    "uniform_ nan bound": lambda L: L.empty(3).uniform_(NAN, 1),
    "uniform_ inf bound": lambda L: L.empty(3).uniform_(0, INF),
    "uniform_ of integers": lambda L: L.empty(3, dtype=L.int64).uniform_(),
    "rand of integers": lambda L: L.rand(3, dtype=L.int64),
    "normal_ negative std": lambda L: L.empty(3).normal_(0, -1),
    "normal_ nan std": lambda L: L.empty(3).normal_(0, NAN),
    "normal_ of integers": lambda L: L.empty(3, dtype=L.int64).normal_(),
    "randn of integers": lambda L: L.randn(2, dtype=L.int32),
    "normal negative std": lambda L: L.normal(0, -1.0, (2,)),
    "normal tensor std < 0": lambda L: L.normal(L.zeros(2), L.tensor([1, -1.0])),
    "normal float std < 0 with tensor mean": lambda L: L.normal(L.zeros(2), -1.0),
    "normal shapes": lambda L: L.normal(L.zeros(2), L.ones(3)),
    "exponential_ lambda 0": lambda L: L.empty(3).exponential_(0),
    "exponential_ lambda < 0": lambda L: L.empty(3).exponential_(-1),
    "exponential_ of integers": lambda L: L.empty(3, dtype=L.int64).exponential_(),
    "geometric_ p 0": lambda L: L.empty(3).geometric_(0),
    "geometric_ p 1": lambda L: L.empty(3).geometric_(1),
    "geometric_ of bools": lambda L: L.empty(3, dtype=L.bool).geometric_(0.5),
    "log_normal_ std 0": lambda L: L.empty(3).log_normal_(0, 0),
    "log_normal_ of integers": lambda L: L.empty(3, dtype=L.int64).log_normal_(),
    "cauchy_ sigma 0": lambda L: L.empty(3).cauchy_(0, 0),
    "cauchy_ of integers": lambda L: L.empty(3, dtype=L.int64).cauchy_(),
    "bernoulli_ p > 1": lambda L: L.empty(3).bernoulli_(1.5),
    "bernoulli_ p < 0": lambda L: L.empty(3).bernoulli_(-0.5),
    "bernoulli tensor p > 1": lambda L: L.bernoulli(L.tensor([0.5, 2, 0.1])),
    "bernoulli tensor p nan": lambda L: L.bernoulli(L.tensor([0.5, NAN, 0.1])),
    "bernoulli integer p": lambda L: L.bernoulli(L.tensor([1, 0])),
    "bernoulli p > 1": lambda L: L.bernoulli(L.tensor([0.5]), 1.5),
    "random_ from == to": lambda L: L.empty(3).random_(5, 5),
    "random_ to out of range": lambda L: L.empty(3, dtype=L.uint8).random_(0, 300),
    "random_ from out of range": lambda L: L.empty(3, dtype=L.uint8).random_(-1, 3),
    "random_ bool range": lambda L: L.empty(3, dtype=L.bool).random_(0, 3),
    "randint low == high": lambda L: L.randint(5, 5, (3,)),
    "randint high too large": lambda L: L.randint(0, 2**63, (3,)),
    "randperm negative": lambda L: L.randperm(-1),
    "randperm too many for float16": lambda L: L.randperm(2050, dtype=L.float16),
    "randperm too many for uint8": lambda L: L.randperm(257, dtype=L.uint8),
    "randperm of bools": lambda L: L.randperm(5, dtype=L.bool),
    "multinomial negative": lambda L: L.multinomial(L.tensor([1.0, -1]), 1),
    "multinomial inf": lambda L: L.multinomial(L.tensor([1.0, INF]), 1),
    "multinomial nan": lambda L: L.multinomial(L.tensor([1.0, NAN]), 1),
    "multinomial all zero": lambda L: L.multinomial(L.tensor([0.0, 0]), 1),
    "multinomial a zero row": lambda L: L.multinomial(L.tensor([[1.0, 1], [0, 0]]), 1),
    "multinomial replacement negative": lambda L: L.multinomial(L.tensor([1.0, -1]), 2, True),
    "multinomial replacement inf": lambda L: L.multinomial(L.tensor([1.0, INF]), 2, True),
    "multinomial replacement nan": lambda L: L.multinomial(L.tensor([1.0, NAN]), 2, True),
    "multinomial replacement all zero": lambda L: L.multinomial(L.tensor([0.0, 0]), 2, True),
    "multinomial too many": lambda L: L.multinomial(L.tensor([1.0, 1]), 3),
    "multinomial no samples": lambda L: L.multinomial(L.tensor([1.0, 1]), 0),
    "multinomial of integers": lambda L: L.multinomial(L.tensor([1, 1]), 1),
    "multinomial 0-D": lambda L: L.multinomial(L.tensor(1.0), 1),
    "multinomial 3-D": lambda L: L.multinomial(L.ones(2, 2, 2), 1),
    "poisson negative rate": lambda L: L.poisson(L.tensor([-1.0])),
    "poisson of integers": lambda L: L.poisson(L.tensor([1])),
    "dropout p > 1": lambda L: L.nn.functional.dropout(L.ones(3), 1.5),
    "dropout2d of a vector": lambda L: L.nn.functional.dropout2d(L.ones(3), 0.5),
}


@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_bad_input_raises_pytorch_error(name, torch):
    call = BAD_CALLS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            call(torch)
        with pytest.raises(theirs.type) as ours:
            call(chainrule)
    assert str(ours.value) == str(theirs.value)


def test_float_random_beyond_the_mantissa_warns_as_pytorch(torch):
    with pytest.warns(UserWarning) as theirs:
        torch.empty(3).random_(0, 2**25)
    with pytest.warns(UserWarning) as ours:
        chainrule.empty(3).random_(0, 2**25)
    # PyTorch appends where in its C++ sources the warning was raised
    assert str(theirs[0].message).startswith(str(ours[0].message) + " (Triggered internally")

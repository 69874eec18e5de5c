"""Legacy constructors (Tensor(...), FloatTensor, LongTensor ...), t.type() and Variable,
compared with PyTorch's."""

import warnings

import numpy as np
import pytest

import chainrule


def outcome(fn, lib, values=True):
    """What fn(lib) does: ('ok', values, dtype, shape) or ('raise', type, message)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = fn(lib)
    except Exception as e:  # noqa: BLE001
        return ("raise", type(e).__name__, str(e))
    if not hasattr(t, "dtype"):
        return ("ok", t)
    data = t.detach().numpy().tolist() if values else None
    return ("ok", data, str(t.dtype), tuple(t.shape), t.requires_grad)


I64 = np.array([1, 2])
F64 = np.array([1.5, -2.0])

CONSTRUCTED = {
    "Tensor(list)": lambda t: t.Tensor([[1, 2], [3, 4]]),
    "Tensor(bools)": lambda t: t.Tensor([True, False]),
    "Tensor(tuple) is data": lambda t: t.Tensor((2, 3)),
    "Tensor(int ndarray)": lambda t: t.Tensor(I64),
    "Tensor(float ndarray)": lambda t: t.Tensor(F64),
    "Tensor(0-d ndarray)": lambda t: t.Tensor(np.array(3.0)),
    "Tensor()": lambda t: t.Tensor(),
    "Tensor(0)": lambda t: t.Tensor(0),
    "Tensor(int tensor) keeps dtype": lambda t: t.Tensor(t.tensor([1, 2])),
    "Tensor(0-d int tensor)": lambda t: t.Tensor(t.tensor(3)),
    "Tensor(list of tensors)": lambda t: t.Tensor([t.tensor(1.0), t.tensor(2.0)]),
    "Tensor(cpu device)": lambda t: t.Tensor([1], device="cpu"),
    "Tensor(cpu device object)": lambda t: t.Tensor(I64, device=t.device("cpu")),
    "Tensor(cuda device)": lambda t: t.Tensor([1], device="cuda"),
    "Tensor(requires_grad=)": lambda t: t.Tensor([1], requires_grad=True),
    "Tensor(float)": lambda t: t.Tensor(2.5),
    "Tensor(bool)": lambda t: t.Tensor(True),
    "Tensor(None)": lambda t: t.Tensor(None),
    "Tensor(np.float64)": lambda t: t.Tensor(np.float64(3)),
    "Tensor(str)": lambda t: t.Tensor("ab"),
    "Tensor(ragged)": lambda t: t.Tensor([[1, 2], [3]]),
    "Tensor(negative size)": lambda t: t.Tensor(2, -3),
    "Tensor(size, float)": lambda t: t.Tensor(2, 3.5),
    "Tensor(list, list)": lambda t: t.Tensor([1], [2]),
    "FloatTensor(int ndarray)": lambda t: t.FloatTensor(I64),
    "FloatTensor(list)": lambda t: t.FloatTensor([[1, 2]]),
    "FloatTensor(long tensor)": lambda t: t.FloatTensor(t.tensor([1, 2])),
    "FloatTensor(float)": lambda t: t.FloatTensor(2.5),
    "DoubleTensor(list)": lambda t: t.DoubleTensor([1, 2]),
    "DoubleTensor(float tensor)": lambda t: t.DoubleTensor(t.ones(2)),
    "HalfTensor(list)": lambda t: t.HalfTensor([1.5]),
    "LongTensor(list)": lambda t: t.LongTensor([1, 2]),
    "LongTensor(float list)": lambda t: t.LongTensor([1.5, -2.7]),
    "LongTensor(float ndarray)": lambda t: t.LongTensor(F64),
    "LongTensor(float tensor)": lambda t: t.LongTensor(t.tensor([1.5])),
    "LongTensor(long tensor)": lambda t: t.LongTensor(t.tensor([1, 2])),
    "IntTensor(list)": lambda t: t.IntTensor([1, 2]),
    "ShortTensor(list)": lambda t: t.ShortTensor([1, 2]),
    "CharTensor(list)": lambda t: t.CharTensor([1, -2]),
    "ByteTensor(list)": lambda t: t.ByteTensor([1, 255]),
    "BoolTensor(list)": lambda t: t.BoolTensor([1, 0]),
    "LongTensor(requires_grad=)": lambda t: t.LongTensor([1], requires_grad=True),
    "LongTensor(cuda)": lambda t: t.LongTensor(2, 3, device="cuda"),
    "FloatTensor(alias of a leaf)": lambda t: t.FloatTensor(t.ones(2, requires_grad=True)),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTED))
def test_constructor_matches_pytorch(torch, name):
    fn = CONSTRUCTED[name]
    ours, theirs = outcome(fn, chainrule), outcome(fn, torch)
    if name == "Tensor(list, list)":
        # PyTorch details which argument failed in each signature; chainrule lists them.
        ours, theirs = ours[:2] + (ours[2][:80],), theirs[:2] + (theirs[2][:80],)
    assert ours == theirs


SIZED = {
    "Tensor(2, 3)": lambda t: t.Tensor(2, 3),
    "Tensor(Size)": lambda t: t.Tensor(t.Size([2, 3])),
    "Tensor(3)": lambda t: t.Tensor(3),
    "FloatTensor(2, 3)": lambda t: t.FloatTensor(2, 3),
    "LongTensor(3)": lambda t: t.LongTensor(3),
    "BoolTensor(2)": lambda t: t.BoolTensor(2),
    "DoubleTensor(1, 0)": lambda t: t.DoubleTensor(1, 0),
}


@pytest.mark.parametrize("name", sorted(SIZED))
def test_sized_constructor_matches_pytorch_shape_and_dtype(torch, name):
    # PyTorch leaves the memory uninitialized; chainrule fills zeros.
    fn = SIZED[name]
    assert outcome(fn, chainrule, values=False) == outcome(fn, torch, values=False)
    assert not fn(chainrule).numpy().any()


def test_tensor_alias_shares_memory():
    source = chainrule.tensor([1.0, 2.0])
    for alias in (chainrule.Tensor(source), chainrule.FloatTensor(source)):
        assert alias is not source
        alias[0] = 7.0
        assert source[0].item() == 7.0
        source[1] = 9.0
        assert alias[1].item() == 9.0


def test_gradient_flows_through_a_typed_alias():
    x = chainrule.ones(2, requires_grad=True)
    chainrule.FloatTensor(x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_tensor_follows_the_default_dtype(torch):
    for lib in (chainrule, torch):
        lib.set_default_dtype(lib.float64)
        try:
            t = lib.Tensor([1])
            assert str(t.dtype) == "torch.float64"
            assert isinstance(t, lib.DoubleTensor)
            assert lib.FloatTensor([1]).dtype == lib.float32
        finally:
            lib.set_default_dtype(lib.float32)


TYPED = ["Float", "Double", "Half", "Long", "Int", "Short", "Char", "Byte", "Bool"]
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


@pytest.mark.parametrize("kind", TYPED)
def test_isinstance_by_dtype(torch, kind):
    for lib in (chainrule, torch):
        cls = getattr(lib, f"{kind}Tensor")
        hits = [isinstance(lib.zeros(1, dtype=getattr(lib, d)), cls) for d in DTYPES]
        assert hits == [k == kind for k in TYPED]
        assert isinstance(cls([1]), lib.Tensor)
        assert not isinstance([1.0], cls)
    ours, theirs = getattr(chainrule, f"{kind}Tensor"), getattr(torch, f"{kind}Tensor")
    assert repr(ours) == repr(theirs)
    assert str(ours.dtype) == str(theirs.dtype)
    assert ours.__name__ == theirs.__name__
    assert ours.is_cuda is False


def test_made_tensors_are_plain_tensors():
    t = chainrule.LongTensor([1, 2])
    assert type(t) is chainrule.Tensor
    assert type(chainrule.Tensor([1.0])) is chainrule.Tensor


TYPE_CALLS = {
    "type()": lambda t: t.ones(2).type(),
    "long.type()": lambda t: t.ones(2, dtype=t.long).type(),
    "bool.type()": lambda t: t.ones(2, dtype=t.bool).type(),
    "type(LongTensor)": lambda t: t.tensor([1.7, -2.5]).type(t.LongTensor),
    "type('torch.LongTensor')": lambda t: t.tensor([1.7]).type("torch.LongTensor"),
    "type('torch.DoubleTensor')": lambda t: t.tensor([1.7]).type("torch.DoubleTensor"),
    "type(float64)": lambda t: t.tensor([1.7]).type(t.float64),
    "type(Tensor)": lambda t: t.tensor([1, 2]).type(t.Tensor),
    "type(ByteTensor)": lambda t: t.tensor([1, 2]).type(t.ByteTensor),
    "type(bad name)": lambda t: t.ones(2).type("torch.Foo"),
    "grad through type": lambda t: t.ones(2, requires_grad=True).type(t.DoubleTensor),
}


@pytest.mark.parametrize("name", sorted(TYPE_CALLS))
def test_type_matches_pytorch(torch, name):
    fn = TYPE_CALLS[name]
    assert outcome(fn, chainrule) == outcome(fn, torch)


def test_type_cast_keeps_the_gradient_path():
    x = chainrule.ones(2, requires_grad=True)
    (x.type(chainrule.DoubleTensor) * 3).sum().backward()
    assert x.grad.dtype == chainrule.float32
    assert x.grad.tolist() == [3.0, 3.0]


def test_set_default_tensor_type_warns():
    with pytest.warns(UserWarning, match="deprecated as of PyTorch 2.1"):
        chainrule.set_default_tensor_type(chainrule.FloatTensor)


def test_set_default_tensor_type(torch):
    # PyTorch warns once per process, so warnings are not compared here.
    for lib in (chainrule, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lib.set_default_tensor_type(lib.DoubleTensor)
            try:
                assert str(lib.tensor([1.0]).dtype) == "torch.float64"
                lib.set_default_tensor_type("torch.FloatTensor")
                assert str(lib.tensor([1.0]).dtype) == "torch.float32"
                with pytest.raises(TypeError, match="floating-point"):
                    lib.set_default_tensor_type("torch.LongTensor")
            finally:
                lib.set_default_dtype(lib.float32)


# -- Variable ---------------------------------------------------------------------------------
VARIABLE = {
    "Variable(t)": lambda t: t.autograd.Variable(t.ones(2)),
    "Variable(t, requires_grad)": lambda t: t.autograd.Variable(t.ones(2), requires_grad=True),
    "Variable(t, True)": lambda t: t.autograd.Variable(t.ones(2), True),
    "Variable(long, requires_grad)": lambda t: t.autograd.Variable(
        t.ones(2, dtype=t.long), requires_grad=True
    ),
    "Variable(list)": lambda t: t.autograd.Variable([1, 2]),
    "Variable()": lambda t: t.autograd.Variable(),
    "Variable(volatile)": lambda t: t.autograd.Variable(t.ones(2), volatile=True),
    "Variable(non-leaf)": lambda t: t.autograd.Variable(t.ones(2, requires_grad=True) * 2),
    "Variable(non-leaf).is_leaf": lambda t: (
        t.autograd.Variable(t.ones(2, requires_grad=True) * 2, requires_grad=True).is_leaf
    ),
    "isinstance(t, Variable)": lambda t: isinstance(t.ones(2), t.autograd.Variable),
    "isinstance(list, Variable)": lambda t: isinstance([1], t.autograd.Variable),
}


@pytest.mark.parametrize("name", sorted(VARIABLE))
def test_variable_matches_pytorch(torch, name):
    fn = VARIABLE[name]
    assert outcome(fn, chainrule) == outcome(fn, torch)


def test_variable_returns_a_tensor_sharing_memory():
    source = chainrule.tensor([1.0, 2.0])
    v = chainrule.autograd.Variable(source, requires_grad=True)
    assert type(v) is chainrule.Tensor
    assert v.is_leaf and v.requires_grad
    source[0] = 5.0
    assert v[0].item() == 5.0


def test_variable_volatile_warns():
    with pytest.warns(UserWarning, match="volatile was removed"):
        chainrule.autograd.Variable(chainrule.ones(1), volatile=True)


def test_old_style_training_step_with_variable():
    x = chainrule.autograd.Variable(chainrule.Tensor([[1.0], [2.0]]))
    w = chainrule.autograd.Variable(chainrule.Tensor([1.0]), requires_grad=True)
    loss = ((x * w - 2 * x) ** 2).sum()
    loss.backward()
    # d/dw sum((x w - 2x)^2) = sum(2 x (x w - 2x)) = 2*1*(-1) + 2*2*(-2) = -10
    assert w.grad.data[0].item() == -10.0

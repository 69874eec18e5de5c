"""Tensor attributes and conversions (shape, requires_grad, data, item, numpy) against PyTorch."""

import warnings

import numpy as np
import pytest

import chainrule


def _describe(lib, make):
    """What make(lib) gives, with its warnings: dtype, shape, values and autograd flags
    for a tensor, repr for anything else, or the error's type and message."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = make(lib)
    except Exception as e:  # the error is part of what is compared
        return ("error", type(e).__name__, str(e))
    messages = [str(w.message).split(" (Triggered internally")[0] for w in caught]
    if hasattr(r, "requires_grad") and hasattr(r, "tolist"):
        return (
            "tensor",
            str(r.dtype),
            tuple(r.shape),
            r.tolist(),
            r.requires_grad,
            r.is_leaf,
            messages,
        )
    return ("value", repr(r), messages)


def leaf(L):
    return L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)


def nonleaf(L):
    return leaf(L) * 2


def setrg(t, v):
    t.requires_grad = v
    return t


def setdata(t, d):
    t.data = d
    return t


def seq(*fs):
    def run(L):
        out = None
        for f in fs:
            out = f(L)
        return out

    return run


CASES = [
    ("shape", lambda L: leaf(L).shape),
    ("size()", lambda L: leaf(L).size()),
    ("size(1)", lambda L: leaf(L).size(1)),
    ("size(-1)", lambda L: leaf(L).size(-1)),
    ("size(2)", lambda L: leaf(L).size(2)),
    ("size(-3)", lambda L: leaf(L).size(-3)),
    ("0d size(0)", lambda L: L.tensor(1.0).size(0)),
    ("0d size(-1)", lambda L: L.tensor(1.0).size(-1)),
    ("0d size(1)", lambda L: L.tensor(1.0).size(1)),
    ("dim", lambda L: leaf(L).dim()),
    ("ndim", lambda L: leaf(L).ndim),
    ("numel", lambda L: leaf(L).numel()),
    ("nelement", lambda L: leaf(L).nelement()),
    ("device", lambda L: leaf(L).device),
    ("str device", lambda L: str(leaf(L).device)),
    ("is_cuda", lambda L: leaf(L).is_cuda),
    ("dtype", lambda L: leaf(L).dtype),
    ("shape[0]", lambda L: leaf(L).shape[0]),
    ("shape[1:]", lambda L: leaf(L).shape[1:]),
    ("shape eq tuple", lambda L: leaf(L).shape == (2, 3)),
    ("shape eq list", lambda L: leaf(L).shape == [2, 3]),
    ("shape numel", lambda L: leaf(L).shape.numel()),
    ("shape str", lambda L: str(leaf(L).shape)),
    ("Size()", lambda L: L.Size([2, 3])),
    ("Size empty", lambda L: L.Size([])),
    ("Size add", lambda L: L.Size([2]) + (3,)),
    ("Size radd", lambda L: (1,) + L.Size([2])),
    ("Size mul", lambda L: L.Size([2]) * 2),
    ("requires_grad default", lambda L: L.tensor([1.0]).requires_grad),
    ("rg leaf", lambda L: leaf(L).requires_grad),
    ("rg nonleaf", lambda L: nonleaf(L).requires_grad),
    ("set rg leaf True", lambda L: setrg(L.tensor([1.0]), True)),
    ("set rg leaf False", lambda L: setrg(leaf(L), False)),
    ("set rg nonleaf False", lambda L: setrg(nonleaf(L), False)),
    ("set rg nonleaf True", lambda L: setrg(nonleaf(L), True)),
    ("set rg int", lambda L: setrg(L.tensor([1]), True)),
    ("set rg int False", lambda L: setrg(L.tensor([1]), False)),
    ("requires_grad_", lambda L: L.tensor([1.0]).requires_grad_()),
    ("requires_grad_ False", lambda L: leaf(L).requires_grad_(False)),
    ("requires_grad_ int", lambda L: L.tensor([1]).requires_grad_()),
    ("requires_grad_ nonleaf False", lambda L: nonleaf(L).requires_grad_(False)),
    ("requires_grad_ nonleaf True", lambda L: nonleaf(L).requires_grad_(True)),
    ("is_leaf leaf", lambda L: leaf(L).is_leaf),
    ("is_leaf plain", lambda L: L.tensor([1.0]).is_leaf),
    ("is_leaf nonleaf", lambda L: nonleaf(L).is_leaf),
    ("is_leaf no rg op", lambda L: (L.tensor([1.0]) * 2).is_leaf),
    ("grad_fn leaf", lambda L: leaf(L).grad_fn),
    ("grad_fn name", lambda L: nonleaf(L).grad_fn.name()),
    ("data", lambda L: nonleaf(L).data),
    ("data shares", lambda L: (lambda t: (t.data.add_(1), t)[1])(L.tensor([1.0, 2.0]))),
    ("data set", lambda L: setdata(L.tensor([1.0, 2.0]), L.tensor([5.0, 6.0, 7.0]))),
    ("data set keeps rg", lambda L: setdata(leaf(L), L.zeros(1))),
    ("data set dtype", lambda L: setdata(L.tensor([1.0, 2.0]), L.tensor([5, 6]))),
    ("data set list", lambda L: setdata(L.tensor([1.0, 2.0]), [5, 6])),
    ("T", lambda L: leaf(L).T),
    ("T 3d", lambda L: L.zeros(2, 3, 4).T.shape),
    ("mT", lambda L: L.zeros(2, 3, 4).mT.shape),
    ("item", lambda L: L.tensor([2.5]).item()),
    ("item int", lambda L: L.tensor(3).item()),
    ("item bool", lambda L: L.tensor(True).item()),
    ("item f32", lambda L: L.tensor(0.1).item()),
    ("item many", lambda L: leaf(L).item()),
    ("item empty", lambda L: L.tensor([]).item()),
    ("tolist", lambda L: leaf(L).tolist()),
    ("tolist 0d", lambda L: L.tensor(2).tolist()),
    ("tolist int", lambda L: L.tensor([[1, 2]]).tolist()),
    ("tolist bool", lambda L: L.tensor([True]).tolist()),
    ("tolist types", lambda L: [type(x).__name__ for x in L.tensor([1, 2]).tolist()]),
    ("numpy rg", lambda L: leaf(L).numpy()),
    ("numpy nonleaf", lambda L: nonleaf(L).numpy()),
    ("numpy plain", lambda L: repr(L.tensor([1.0, 2.0]).numpy())),
    ("numpy detach", lambda L: repr(leaf(L).detach().numpy())),
    ("numpy force", lambda L: repr(leaf(L).numpy(force=True))),
    (
        "numpy shares",
        lambda L: (lambda t: (t.numpy().__setitem__(0, 9.0), t)[1])(L.tensor([1.0, 2.0])),
    ),
    ("detach", lambda L: nonleaf(L).detach()),
    ("detach shares", lambda L: (lambda t: (t.detach().add_(1), t)[1])(L.tensor([1.0, 2.0]))),
    ("detach_ nonleaf", lambda L: nonleaf(L).detach_()),
    ("detach_ leaf", lambda L: leaf(L).detach_()),
    ("clone", lambda L: leaf(L).clone()),
    ("clone fn", lambda L: leaf(L).clone().grad_fn.name()),
    ("clone plain", lambda L: L.tensor([1.0]).clone()),
    ("clone indep", lambda L: (lambda t: (t.clone().add_(1), t)[1])(L.tensor([1.0, 2.0]))),
    ("contiguous", lambda L: leaf(L).contiguous().is_leaf),
    ("contiguous same", lambda L: (lambda t: t.contiguous() is t)(leaf(L))),
    ("T contiguous", lambda L: leaf(L).T.is_contiguous()),
    ("T contiguous()", lambda L: leaf(L).T.contiguous().is_contiguous()),
    ("T contig fn", lambda L: leaf(L).T.contiguous().grad_fn.name()),
    ("__array__", lambda L: repr(np.asarray(L.tensor([1.0, 2.0])))),
    ("__array__ dtype", lambda L: repr(np.asarray(L.tensor([1.0, 2.0]), dtype=np.float64))),
    ("__array__ rg", lambda L: repr(np.asarray(leaf(L)))),
    ("len", lambda L: len(leaf(L))),
    ("len 0d", lambda L: len(L.tensor(1.0))),
    ("len empty", lambda L: len(L.zeros(0, 3))),
    ("iter", lambda L: [x.tolist() for x in leaf(L)]),
    ("iter 0d", lambda L: list(L.tensor(1.0))),
    ("iter fn", lambda L: [x.grad_fn.name() for x in leaf(L)]),
    ("iter 1d", lambda L: [x for x in L.tensor([1, 2])]),
    ("bool 1", lambda L: bool(L.tensor([0.0]))),
    ("bool 0d", lambda L: bool(L.tensor(2))),
    ("bool many", lambda L: bool(L.tensor([1.0, 2.0]))),
    ("bool empty", lambda L: bool(L.tensor([]))),
    ("bool nan", lambda L: bool(L.tensor(float("nan")))),
    ("if tensor", lambda L: "yes" if L.tensor([[3]]) else "no"),
    ("float", lambda L: float(L.tensor([2.5]))),
    ("float int", lambda L: float(L.tensor(3))),
    ("float many", lambda L: float(L.tensor([1.0, 2.0]))),
    ("float rg", lambda L: float(nonleaf(L).sum())),
    ("int", lambda L: int(L.tensor(2.7))),
    ("int neg", lambda L: int(L.tensor(-2.7))),
    ("int many", lambda L: int(L.tensor([1, 2]))),
    ("int empty", lambda L: int(L.tensor([]))),
    ("int nan", lambda L: int(L.tensor(float("nan")))),
    ("index", lambda L: [10, 20, 30][L.tensor(1)]),
    ("index float", lambda L: [10, 20, 30][L.tensor(1.0)]),
    ("index many", lambda L: [10, 20][L.tensor([1, 0])]),
    ("range index", lambda L: list(range(L.tensor(3)))),
    ("hash", lambda L: (lambda t: hash(t) == id(t))(L.tensor([1.0]))),
    ("in dict", lambda L: (lambda t: {t: 1}[t])(L.tensor([1.0]))),
    ("in set", lambda L: len({L.tensor([1.0]), L.tensor([1.0])})),
    ("format 0d", lambda L: f"{L.tensor(2.5):.2f}"),
    ("format 1d", lambda L: f"{L.tensor([2.5]):.2f}"),
    ("format plain", lambda L: f"{L.tensor([2.5])}"),
    ("format int 0d", lambda L: f"{L.tensor(3):>4}"),
    ("element_size", lambda L: L.tensor([1.0]).element_size()),
    ("itemsize", lambda L: L.tensor([1.0]).itemsize),
    ("nbytes", lambda L: L.zeros(3).nbytes),
    ("is_floating_point", lambda L: L.tensor([1]).is_floating_point()),
    ("stride", lambda L: leaf(L).stride()),
    ("stride T", lambda L: leaf(L).T.stride()),
    ("stride(0)", lambda L: leaf(L).stride(0)),
    ("grad none", lambda L: leaf(L).grad),
    ("grad nonleaf warn", lambda L: nonleaf(L).grad),
    ("grad_fn nonrg", lambda L: (L.tensor([1.0]) + 1).grad_fn),
    ("type()", lambda L: leaf(L).type()),
    ("type int", lambda L: L.tensor([1]).type()),
    ("type cast", lambda L: leaf(L).type(L.float64).dtype),
    ("eq tensors", lambda L: L.tensor([1.0]) == L.tensor([1.0])),
    ("dim_order/ndimension", lambda L: leaf(L).ndimension()),
    ("requires_grad_ wrong arg", lambda L: L.tensor([1.0]).requires_grad_(requires_grad=True)),
    ("is_contiguous", lambda L: leaf(L).is_contiguous()),
    ("retains_grad", lambda L: nonleaf(L).retains_grad),
    ("version", lambda L: (lambda t: (t.add_(1), t._version)[1])(L.tensor([1.0]))),
]


@pytest.mark.parametrize("make", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_attribute_matches_torch(torch, make):
    assert _describe(chainrule, make) == _describe(torch, make)


# -- the same facts without PyTorch -----------------------------------------------------------
def test_shape_and_size():
    t = chainrule.zeros(2, 3)
    assert t.shape == (2, 3) and t.size() == (2, 3)
    assert repr(t.shape) == "torch.Size([2, 3])" and str(t.shape) == "torch.Size([2, 3])"
    assert t.size(-1) == 3 and t.dim() == t.ndim == 2 and t.numel() == 6
    assert repr(t.shape[1:]) == "torch.Size([3])"
    assert repr((1,) + t.shape) == "torch.Size([1, 2, 3])"
    with pytest.raises(IndexError, match=r"expected to be in range of \[-2, 1\], but got 2"):
        t.size(2)
    with pytest.raises(IndexError, match="Dimension specified as 0 but tensor has no dimensions"):
        chainrule.tensor(1.0).size(0)


def test_requires_grad_rules():
    x = chainrule.tensor([1.0, 2.0])
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    y = x * 2
    assert y.requires_grad and not y.is_leaf
    assert y.requires_grad_() is y
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="floating point and complex dtype"):
        chainrule.tensor([1]).requires_grad = True
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype"):
        chainrule.tensor([1]).requires_grad_()


def test_data_detach_and_clone():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    d[0] = 5.0
    assert x.tolist()[0] == 5.0
    x.data = chainrule.tensor([7.0, 8.0, 9.0])
    assert x.shape == (3,) and x.requires_grad
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0"
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        x.data = [1.0]


def test_python_conversions():
    assert chainrule.tensor([2.5]).item() == 2.5
    assert type(chainrule.tensor(3).item()) is int
    assert chainrule.tensor([[1, 2]]).tolist() == [[1, 2]]
    assert float(chainrule.tensor(2.5)) == 2.5 and int(chainrule.tensor(-2.7)) == -2
    assert bool(chainrule.tensor([1])) is True
    assert [10, 20, 30][chainrule.tensor(1)] == 20
    with pytest.raises(
        RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"
    ):
        chainrule.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value"):
        bool(chainrule.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values"):
        bool(chainrule.tensor([]))
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(chainrule.tensor(1.0))


def test_numpy_interop():
    x = chainrule.tensor([1.0, 2.0])
    a = x.numpy()
    a[0] = 9.0
    assert x.tolist() == [9.0, 2.0]
    assert np.asarray(x).dtype == np.float32
    w = chainrule.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Use tensor.detach\\(\\).numpy\\(\\) instead"):
        w.numpy()
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(w)
    assert w.detach().numpy().tolist() == [1.0]


def test_hash_is_identity():
    a, b = chainrule.tensor([1.0]), chainrule.tensor([1.0])
    assert hash(a) == id(a)
    assert len({a, b}) == 2 and {a: 1}[a] == 1


def test_warnings_for_grad_and_float_only_where_pytorch_warns():
    import warnings

    x = chainrule.tensor([2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * 1).sum().backward()
    z = x * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is not None  # retained: no warning
        with chainrule.no_grad():
            assert float(x) == 2.0  # no warning under no_grad
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert z.grad is None
    with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True"):
        float(x)


def test_layout_and_memory_format_names(torch):
    """torch.strided is every tensor's layout; it and the memory formats print as PyTorch's,
    are accepted where PyTorch takes them, and pickle and copy as the same objects."""
    import copy
    import pickle

    x = chainrule.ones(2)
    assert x.layout == chainrule.strided and x.layout is chainrule.strided
    assert repr(chainrule.strided) == repr(torch.strided) == "torch.strided"
    assert repr(chainrule.channels_last) == repr(torch.channels_last)
    y = chainrule.normal(0.3, chainrule.ones(3), layout=chainrule.strided, dtype=chainrule.float64)
    assert y.layout is chainrule.strided and tuple(y.shape) == (3,)
    names = (chainrule.strided, chainrule.preserve_format, chainrule.contiguous_format)
    names += (chainrule.channels_last, chainrule.channels_last_3d)
    for name in names:
        assert pickle.loads(pickle.dumps(name)) is name
        assert copy.deepcopy(name) is name

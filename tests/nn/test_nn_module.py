"""Module: registration by attribute, traversal, state_dict, modes, conversion, hooks, errors."""

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
from chainrule.nn.modules.module import (
    register_module_forward_hook,
    register_module_forward_pre_hook,
)


def _net(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = lib.nn.Parameter(lib.ones(1))
            self.body = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.BatchNorm1d(4))
            self.head = lib.nn.Linear(4, 2)
            self.register_buffer("step", lib.zeros(1))
            self.register_buffer("cache", lib.zeros(2), persistent=False)

        def forward(self, x):
            return self.head(self.body(x)) * self.scale

    return Net()


def test_registration_and_traversal_match_torch(torch):
    ours, theirs = _net(chainrule), _net(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in ours.body.named_parameters(prefix="body")] == [
        "body.0.weight",
        "body.0.bias",
        "body.2.weight",
        "body.2.bias",
    ]
    assert len(list(ours.modules())) == len(list(theirs.modules())) == 6
    assert all(isinstance(p, nn.Parameter) for p in ours.parameters())
    assert all(isinstance(p, chainrule.Tensor) for p in ours.parameters())


def test_shared_parameters_and_modules_are_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert len(list(seq.modules())) == 2
    assert len(list(seq.named_modules(remove_duplicate=False))) == 3


def test_setattr_rules():
    m = nn.Module()
    m.w = nn.Parameter(chainrule.zeros(2))
    assert "w" in m._parameters and "w" not in m.__dict__
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter 'w'"):
        m.w = chainrule.zeros(2)
    m.w = None
    assert m.w is None and list(m.parameters()) == []
    m.sub = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'sub'"):
        m.sub = 3
    m.register_buffer("b", chainrule.ones(1))
    m.b = chainrule.zeros(1)
    assert m._buffers["b"].tolist() == [0.0]
    with pytest.raises(TypeError, match="cannot assign 'str' as buffer 'b'"):
        m.b = "x"
    m.plain = 3
    assert m.plain == 3 and "plain" in m.__dict__
    del m.sub, m.b, m.plain
    assert not hasattr(m, "sub") and not hasattr(m, "b")
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nothing'"):
        _ = m.nothing


def test_registering_before_init_raises():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(chainrule.zeros(1))

    class EarlyModule(nn.Module):
        def __init__(self):
            self.l = nn.Linear(1, 1)

    with pytest.raises(
        AttributeError, match=r"cannot assign parameters before Module.__init__\(\) call"
    ):
        Early()
    with pytest.raises(
        AttributeError, match=r"cannot assign module before Module.__init__\(\) call"
    ):
        EarlyModule()


@pytest.mark.parametrize(
    "call",
    [
        lambda t, m: m.register_buffer("a.b", t.zeros(1)),
        lambda t, m: m.register_buffer("", t.zeros(1)),
        lambda t, m: m.register_buffer(3, t.zeros(1)),
        lambda t, m: m.register_buffer("x", 3),
        lambda t, m: m.register_buffer("training", t.zeros(1)),
        lambda t, m: m.register_parameter("x", t.zeros(1)),
        lambda t, m: m.register_parameter("a.b", None),
        lambda t, m: m.register_parameter("x", t.nn.Parameter(t.zeros(1)) * 2),
        lambda t, m: m.add_module("x", 3),
        lambda t, m: m.add_module("a.b", t.nn.ReLU()),
        lambda t, m: m.add_module("", t.nn.ReLU()),
        lambda t, m: m.add_module("training", t.nn.ReLU()),
        lambda t, m: m.get_submodule("0.nope"),
        lambda t, m: m.get_submodule("0.weight"),
        lambda t, m: m.get_parameter("0.nope"),
        lambda t, m: m.get_parameter("1.training"),
        lambda t, m: m.get_buffer("0.weight"),
        lambda t, m: m.train("yes"),
        lambda t, m: m.to(t.int64),
        lambda t, m: m.cuda(),
        lambda t, m: m.to("cuda"),
        lambda t, m: t.nn.Module()(1),
        lambda t, m: m.load_state_dict([1]),
    ],
)
def test_errors_match_torch(call, torch):
    theirs_m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
    ours_m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    with pytest.raises(Exception) as theirs:
        call(torch, theirs_m)
    with pytest.raises(type(theirs.value)) as ours:
        call(chainrule, ours_m)
    assert str(ours.value) == str(theirs.value)


def test_get_submodule_parameter_buffer():
    m = _net(chainrule)
    assert m.get_submodule("") is m
    assert m.get_submodule("body.2") is m.body[2]
    assert m.get_parameter("body.0.weight") is m.body[0].weight
    assert m.get_parameter("scale") is m.scale
    assert m.get_buffer("body.2.running_mean") is m.body[2].running_mean


def test_state_dict_values_are_detached_and_share_memory():
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not sd["weight"].requires_grad and not isinstance(sd["weight"], nn.Parameter)
    with chainrule.no_grad():
        m.weight.fill_(3.0)
    assert sd["weight"].tolist() == [[3.0, 3.0], [3.0, 3.0]]
    kept = m.state_dict(keep_vars=True)
    assert kept["weight"] is m.weight
    assert "cache" not in _net(chainrule).state_dict()


def test_load_state_dict_round_trip_and_results(torch):
    src, dst = _net(chainrule), _net(chainrule)
    result = dst.load_state_dict(src.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (_, a), (_, b) in zip(src.state_dict().items(), dst.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    w = dst.head.weight
    dst.load_state_dict(src.state_dict())
    assert dst.head.weight is w  # copied into, not replaced


def _messages(lib, state_change, strict=True):
    m = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3))
    sd = OrderedDict((k, v.clone()) for k, v in m.state_dict().items())
    state_change(lib, sd)
    try:
        return repr(m.load_state_dict(sd, strict=strict))
    except RuntimeError as e:
        return "RuntimeError: " + str(e)


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    "change",
    [
        lambda t, sd: sd.pop("0.bias"),
        lambda t, sd: sd.update({"extra": t.zeros(1), "0.extra": t.zeros(1)}),
        lambda t, sd: (sd.pop("0.weight"), sd.update({"2.weight": t.zeros(1)})),
        lambda t, sd: sd.update({"0.weight": t.zeros(4, 2)}),
        lambda t, sd: sd.update({"0.bias": 3.0}),
        lambda t, sd: sd.pop("1.num_batches_tracked"),
    ],
)
def test_load_state_dict_errors_and_results_match_torch(change, strict, torch):
    assert _messages(chainrule, change, strict) == _messages(torch, change, strict)


def test_load_state_dict_accepts_a_scalar_for_a_one_element_shape():
    m = nn.BatchNorm1d(1)
    sd = m.state_dict()
    sd["num_batches_tracked"] = chainrule.tensor([5])
    m.load_state_dict(sd)
    assert m.num_batches_tracked.item() == 5


def test_train_eval_propagate():
    m = _net(chainrule)
    assert m.training and m.body[2].training
    assert m.eval() is m
    assert not any(mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())
    m.body.train(False)
    assert m.training and not m.body[0].training


def test_zero_grad_and_requires_grad_():
    m = nn.Linear(2, 1)
    m(chainrule.ones(3, 2)).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert m.weight.grad.tolist() == [[0.0, 0.0]]
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_children_first():
    order = []
    m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    m.apply(lambda mod: order.append(type(mod).__name__))
    assert order == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_dtype_conversion_keeps_parameter_identity():
    m = _net(chainrule)
    w = m.head.weight
    m(chainrule.randn(5, 3)).sum().backward()
    assert m.double() is m
    assert m.head.weight is w and w.dtype == chainrule.float64
    assert w.grad.dtype == chainrule.float64
    assert m.body[2].running_mean.dtype == chainrule.float64
    assert m.body[2].num_batches_tracked.dtype == chainrule.int64  # integers are left alone
    m.float()
    assert w.dtype == chainrule.float32
    m.to(chainrule.float64)
    assert w.dtype == chainrule.float64
    m.to(chainrule.zeros(1))  # a tensor's dtype
    assert w.dtype == chainrule.float32
    m.half()
    assert w.dtype == chainrule.float16
    assert m.to("cpu") is m and m.cpu() is m
    assert nn.ReLU().cuda() is not None  # nothing to move: no error, as in PyTorch


def test_optimizer_style_update_after_double():
    m = nn.Linear(2, 1).double()
    y = m(chainrule.ones(1, 2, dtype=chainrule.float64)).sum()
    y.backward()
    with chainrule.no_grad():
        for p in m.parameters():
            p -= 0.1 * p.grad
    assert m.weight.dtype == chainrule.float64


def test_forward_hooks(torch):
    calls = []
    m = nn.Linear(2, 2)
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append(("pre", mod)) or None)
    h2 = m.register_forward_hook(lambda mod, args, out: out * 0)
    x = chainrule.ones(1, 2)
    assert m(x).tolist() == [[0.0, 0.0]]
    assert calls == [("pre", m)]
    h2.remove()
    assert m(x).tolist() != [[0.0, 0.0]]
    assert len(calls) == 2
    h1.remove()
    m(x)
    assert len(calls) == 2
    # A pre-hook's non-tuple result becomes the single argument.
    m.register_forward_pre_hook(lambda mod, args: args[0] * 0)
    assert m(x).tolist() == [m.bias.tolist()]


def test_forward_hook_order_prepend_and_kwargs():
    seen = []
    m = nn.Identity()
    m.register_forward_hook(lambda *a: seen.append("a"))
    m.register_forward_hook(lambda *a: seen.append("b"), prepend=True)
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: ((args[0] + 1,), kwargs), with_kwargs=True
    )
    m.register_forward_hook(lambda mod, args, kwargs, out: out * 10, with_kwargs=True)
    assert m(1) == 20
    assert seen == ["b", "a"]


def test_global_hooks_run_before_module_hooks_and_are_removable():
    seen = []
    m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    m[0].register_forward_pre_hook(lambda mod, args: seen.append("local-pre"))
    h_pre = register_module_forward_pre_hook(
        lambda mod, args: seen.append(("pre", type(mod).__name__))
    )
    h_post = register_module_forward_hook(
        lambda mod, args, out: seen.append(("post", type(mod).__name__))
    )
    try:
        m(chainrule.ones(1, 2))
    finally:
        h_pre.remove()
        h_post.remove()
    assert seen == [
        ("pre", "Sequential"),
        ("pre", "Linear"),
        "local-pre",
        ("post", "Linear"),
        ("pre", "ReLU"),
        ("post", "ReLU"),
        ("post", "Sequential"),
    ]
    seen.clear()
    m(chainrule.ones(1, 2))
    assert seen == ["local-pre"]
    with register_module_forward_hook(lambda mod, args, out: out + 1):
        assert nn.Identity()(1) == 2
    assert nn.Identity()(1) == 1


def test_global_hooks_exported_from_torch_paths():
    import chainrule.nn.modules.module as module_mod

    assert module_mod.register_module_forward_hook is register_module_forward_hook
    assert nn.modules.module.register_module_forward_pre_hook is register_module_forward_pre_hook


def test_parameter_basics(torch):
    p = nn.Parameter(chainrule.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf
    assert not nn.Parameter(chainrule.ones(1), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    y = p * 2
    assert type(y) is chainrule.Tensor and type(p.detach()) is chainrule.Tensor
    y.sum().backward()
    (p * 3).sum().backward()
    assert p.grad.tolist() == [5.0, 5.0]
    with pytest.raises(RuntimeError) as ours:
        nn.Parameter(chainrule.tensor([1, 2]))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Parameter(torch.tensor([1, 2]))
    assert str(ours.value) == str(theirs.value)


def test_parameter_copies():
    p = nn.Parameter(chainrule.tensor([1.0, 2.0]))
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter and q.requires_grad and q.tolist() == [1.0, 2.0]
    data = chainrule.tensor([1.0])
    shared = nn.Parameter(data)
    with chainrule.no_grad():
        shared.add_(1)
    assert data.tolist() == [2.0]


@pytest.mark.parametrize("pickled", [False, True])
def test_deepcopy_and_pickle_a_model(pickled):
    if pickled:  # pickle needs an importable class
        m = nn.Sequential(OrderedDict(body=nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))))
        m.head = nn.Linear(2, 2)
        copies = [pickle.loads(pickle.dumps(m))]
    else:
        m = _net(chainrule)
        copies = [copy.deepcopy(m)]
    for c in copies:
        assert list(c.state_dict()) == list(m.state_dict())
        assert c.head.weight is not m.head.weight
        assert isinstance(c.head.weight, nn.Parameter)
        x = chainrule.randn(4, 3)
        np.testing.assert_allclose(c(x).detach().numpy(), m(x).detach().numpy())


def test_buffer_class_registers_a_buffer():
    m = nn.Module()
    m.stats = nn.Buffer(chainrule.zeros(2))
    m.tmp = nn.Buffer(chainrule.ones(1), persistent=False)
    assert list(dict(m.named_buffers())) == ["stats", "tmp"]
    assert list(m.state_dict()) == ["stats"]


def test_missing_forward():
    with pytest.raises(
        NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'
    ):
        nn.Module()(chainrule.ones(1))


def test_dir_lists_members():
    names = dir(_net(chainrule))
    assert {"scale", "body", "head", "step", "forward"} <= set(names)


def test_sequential_indexing_and_editing():
    a, b, c = nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    assert [k for k, _ in sub.named_children()] == ["1", "2"]  # slices keep their keys
    with pytest.raises(IndexError, match="index 3 is out of range"):
        seq[3]
    seq.append(nn.Tanh())
    assert len(seq) == 4
    del seq[1]
    assert [k for k, _ in seq.named_children()] == ["0", "1", "2"] and seq[1] is c
    seq[0] = nn.Identity()
    assert isinstance(seq[0], nn.Identity)
    seq.insert(1, b)
    assert seq[1] is b and len(seq) == 4
    assert seq.pop(1) is b and len(seq) == 3
    assert len(seq + nn.Sequential(nn.ReLU())) == 4
    named = nn.Sequential(OrderedDict(first=a, second=b))
    assert named.first is a and named[1] is b
    x = chainrule.ones(3, 2)
    np.testing.assert_allclose(nn.Sequential(a, b)(x).detach().numpy(), b(a(x)).detach().numpy())


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
    layers.append(nn.Tanh())
    layers.extend([nn.Sigmoid()])
    layers += [nn.Identity()]
    assert len(layers) == 5 and isinstance(layers[-1], nn.Identity)
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    layers.insert(0, nn.ELU())
    assert isinstance(layers[0], nn.ELU) and isinstance(layers[1], nn.Linear)
    del layers[0]
    assert [k for k, _ in layers.named_children()] == ["0", "1", "2", "3", "4"]
    assert len(list(layers.parameters())) == 2
    with pytest.raises(IndexError, match="index 9 is out of range"):
        layers[9]
    with pytest.raises(NotImplementedError):
        layers(chainrule.ones(1))
    d = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 1)})
    assert list(d.keys()) == ["b", "a"] and "a" in d and len(d) == 2
    d["c"] = nn.Tanh()
    assert [k for k, _ in d.named_children()] == ["b", "a", "c"]
    assert isinstance(d.pop("b"), nn.ReLU) and list(d) == ["a", "c"]
    assert [n for n, _ in d.named_parameters()] == ["a.weight", "a.bias"]


def test_parameter_list_and_dict_register():
    pl = nn.ParameterList([nn.Parameter(chainrule.zeros(2)), chainrule.ones(1)])
    assert len(pl) == 2 and all(isinstance(p, nn.Parameter) for p in pl)
    pl.append(chainrule.zeros(3))
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    pd = nn.ParameterDict({"w": chainrule.zeros(2)})
    pd["v"] = nn.Parameter(chainrule.ones(1))
    assert [n for n, _ in pd.named_parameters()] == ["w", "v"]
    assert isinstance(pd["w"], nn.Parameter) and "v" in pd and len(pd) == 2

"""Checkpoints crossing between PyTorch and chainrule, both ways and in both of PyTorch's
formats: every dtype, views and shared storage, a CNN + BatchNorm + GRU model, an Adam
state, and the whole trip (torch.save -> chainrule trains a step -> chainrule.save ->
torch.load(weights_only=True))."""

import io
import warnings

import numpy as np
import pytest

import chainrule

FORMATS = [True, False]  # _use_new_zipfile_serialization: the zip format, the legacy one
DTYPES = [
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
    "complex64", "complex128",
]  # fmt: skip


def _values(name):
    """Values that exercise a dtype's whole range (and NaN, infinities and -0.0)."""
    if name == "bool":
        return np.array([[True, False, True], [False, False, True]])
    dt = np.dtype(name)
    if dt.kind == "c":
        real = _values(f"float{dt.itemsize * 4}").reshape(-1)
        z = np.empty(real.shape, dt)
        z.real, z.imag = real, real[::-1]  # infinities and NaN in both parts
        return z.reshape(2, -1)
    if dt.kind == "f":
        info = np.finfo(dt)
        vals = [0.0, -0.0, 1.5, -2.25, info.max, info.min, info.tiny, np.inf, -np.inf, np.nan]
    else:
        info = np.iinfo(dt)
        vals = [0, 1, info.max, info.min, 7, info.max // 3]
    return np.array(vals, dtype=dt).reshape(2, -1)


def _torch_to_chainrule(torch, obj, new_format):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=new_format)
    buf.seek(0)
    return chainrule.load(buf)


def _chainrule_to_torch(torch, obj, new_format):
    buf = io.BytesIO()
    chainrule.save(obj, buf, _use_new_zipfile_serialization=new_format)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


def _bits(a):
    a = np.ascontiguousarray(a)
    if a.dtype.kind == "c":  # a complex number's bits are its two parts'
        a = a.view(f"f{a.dtype.itemsize // 2}")
    return a.view(np.uint8) if a.dtype == np.bool_ else a.view(f"u{a.dtype.itemsize}")


@pytest.mark.parametrize("new_format", FORMATS)
@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_from_pytorch(torch, name, new_format):
    values = _values(name)
    out = _torch_to_chainrule(torch, {"t": torch.from_numpy(values.copy())}, new_format)["t"]
    assert out.dtype == getattr(chainrule, name) and out.shape == values.shape
    np.testing.assert_array_equal(_bits(out.numpy()), _bits(values))  # bit for bit


@pytest.mark.parametrize("new_format", FORMATS)
@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_to_pytorch(torch, name, new_format):
    values = _values(name)
    out = _chainrule_to_torch(torch, {"t": chainrule.from_numpy(values.copy())}, new_format)["t"]
    assert out.dtype == getattr(torch, name) and tuple(out.shape) == values.shape
    np.testing.assert_array_equal(_bits(out.numpy()), _bits(values))


@pytest.mark.parametrize("new_format", FORMATS)
def test_bfloat16_both_ways_bit_for_bit(torch, new_format):
    values = [1.0, -2.5, 3.0e38, 1.0e-38, float("inf"), -0.0, float("nan"), 1.0e-40]
    t = torch.tensor(values, dtype=torch.bfloat16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning: chainrule has bfloat16
        out = _torch_to_chainrule(torch, {"t": t, "v": t[1:3]}, new_format)
    assert out["t"].dtype == chainrule.bfloat16 and out["v"].dtype == chainrule.bfloat16
    theirs = t.view(torch.int16).numpy().view(np.uint16)
    ours = lambda x: (x._data.view(np.uint32) >> 16).astype(np.uint16)  # noqa: E731
    np.testing.assert_array_equal(ours(out["t"]), theirs)
    np.testing.assert_array_equal(ours(out["v"]), theirs[1:3])
    out["v"][0] = 5.0  # a view of the same storage
    assert out["t"][1].item() == 5.0
    back = _chainrule_to_torch(torch, out, new_format)
    assert back["t"].dtype == torch.bfloat16
    expected = t.clone()
    expected[1] = 5.0
    np.testing.assert_array_equal(
        back["t"].view(torch.int16).numpy(), expected.view(torch.int16).numpy()
    )
    assert back["v"].untyped_storage().data_ptr() == back["t"].untyped_storage().data_ptr()


def test_complex32_both_ways(torch):
    # PyTorch writes complex32 as an untyped storage with the dtype beside each tensor (its
    # legacy format cannot hold it: PyTorch cannot load its own such files).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch: complex32 support is experimental
        t = torch.tensor([1 + 2j, -0.5 + 0.25j, 65504j, float("inf")], dtype=torch.chalf)
        out = _torch_to_chainrule(torch, {"t": t}, True)["t"]
        assert out.dtype == chainrule.complex32
        parts = t.view(torch.float16).numpy()
        np.testing.assert_array_equal(out._data.view(np.float32).astype(np.float16), parts)
        back = _chainrule_to_torch(torch, {"t": out}, True)["t"]
        assert back.dtype == torch.complex32
        np.testing.assert_array_equal(back.view(torch.float16).numpy(), parts)


@pytest.mark.parametrize("name", ["uint16", "float8_e4m3fn"])
def test_a_dtype_chainrule_lacks_is_named(torch, name):
    t = torch.zeros(2, dtype=getattr(torch, name))
    with pytest.raises(chainrule.serialization.CheckpointError, match=f"torch.{name}"):
        _torch_to_chainrule(torch, {"t": t}, True)


def _views(lib):
    x = lib.arange(24.0).reshape(4, 6)
    return {
        "x": x,
        "row": x[2],
        "block": x[1:3, 2:5],
        "t": x.t(),
        "every_other": x[:, ::2],
        "flat": x.reshape(-1),
        "scalar": x[3, 5],
    }


@pytest.mark.parametrize("new_format", FORMATS)
def test_views_from_pytorch_share_memory(torch, new_format):
    theirs = _views(torch)
    ours = _torch_to_chainrule(torch, theirs, new_format)
    for k, v in theirs.items():
        assert ours[k].shape == tuple(v.shape) and ours[k].stride() == v.stride(), k
        np.testing.assert_array_equal(ours[k].numpy(), v.numpy())
    ours["x"][2, 4] = -1.0  # one write, seen through every view of that memory
    assert ours["row"][4].item() == -1.0
    assert ours["block"][1, 2].item() == -1.0
    assert ours["t"][4, 2].item() == -1.0
    assert ours["every_other"][2, 2].item() == -1.0
    assert ours["flat"][16].item() == -1.0


@pytest.mark.parametrize("new_format", FORMATS)
def test_views_to_pytorch_share_memory(torch, new_format):
    ours = _views(chainrule)
    theirs = _chainrule_to_torch(torch, ours, new_format)
    ptr = theirs["x"].untyped_storage().data_ptr()
    for k, v in ours.items():
        assert tuple(theirs[k].shape) == v.shape and theirs[k].stride() == v.stride(), k
        assert theirs[k].untyped_storage().data_ptr() == ptr, k
        np.testing.assert_array_equal(theirs[k].numpy(), v.numpy())
    theirs["x"][2, 4] = -1.0
    assert theirs["block"][1, 2].item() == -1.0 and theirs["t"][4, 2].item() == -1.0


def test_expanded_and_offset_views_from_pytorch(torch):
    base = torch.arange(10.0)
    theirs = {"expanded": base[:3].expand(4, 3), "tail": base[7:], "alone": base[5:6]}
    ours = _torch_to_chainrule(torch, theirs, True)
    assert ours["expanded"].stride() == (0, 1)
    for k, v in theirs.items():
        np.testing.assert_array_equal(ours[k].numpy(), v.numpy())
    ours["tail"][0] = 100.0
    assert ours["alone"].item() == 5.0  # different elements of the storage stay apart


def test_parameters_requires_grad_and_plain_values_from_pytorch(torch):
    p = torch.nn.Parameter(torch.ones(2))
    frozen = torch.nn.Parameter(torch.zeros(1), requires_grad=False)
    obj = {
        "p": p,
        "again": p,
        "frozen": frozen,
        "rg": torch.ones(3, requires_grad=True),
        "values": (1, 2.5, "s", None, True, b"raw", 1 + 2j, {3, 4}, torch.Size([2, 5])),
        "dtype": torch.int16,
        "device": torch.device("cpu"),
        "step": torch.tensor(3.0),
    }
    out = _torch_to_chainrule(torch, obj, True)
    assert type(out["p"]) is chainrule.nn.Parameter and out["p"].requires_grad
    assert out["again"] is out["p"]
    assert type(out["frozen"]) is chainrule.nn.Parameter and not out["frozen"].requires_grad
    assert out["rg"].requires_grad and out["rg"].is_leaf
    assert out["values"] == (1, 2.5, "s", None, True, b"raw", 1 + 2j, {3, 4}, (2, 5))
    assert type(out["values"][-1]) is chainrule.Size
    assert out["dtype"] is chainrule.int16 and out["device"] == chainrule.device("cpu")
    assert out["step"].item() == 3.0 and out["step"].shape == ()


def test_parameters_and_plain_values_to_pytorch(torch):
    p = chainrule.nn.Parameter(chainrule.ones(2))
    obj = {
        "p": p,
        "again": p,
        "values": (1, 2**70, -(2**40), 2.5, "s", None, b"raw", 1 + 2j, {3}, chainrule.Size([2])),
        "dtype": chainrule.float64,
        "device": chainrule.device("cpu"),
    }
    out = _chainrule_to_torch(torch, obj, True)
    assert type(out["p"]) is torch.nn.Parameter and out["p"].requires_grad
    assert out["again"] is out["p"]
    assert out["values"] == (1, 2**70, -(2**40), 2.5, "s", None, b"raw", 1 + 2j, {3}, (2,))
    assert type(out["values"][-1]) is torch.Size
    assert out["dtype"] is torch.float64 and out["device"] == torch.device("cpu")


# -- a CNN + BatchNorm + GRU model, and Adam -------------------------------------------------
def _model(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = lib.nn.Conv2d(1, 4, 3)
            self.bn = lib.nn.BatchNorm2d(4)
            self.gru = lib.nn.GRU(24, 8, batch_first=True)
            self.fc = lib.nn.Linear(8, 3)

        def forward(self, x):
            h = lib.relu(self.bn(self.conv(x)))  # (N, 4, 6, 6)
            rows = h.permute(0, 2, 1, 3).reshape(x.shape[0], 6, 24)  # rows as time steps
            out, _ = self.gru(rows)
            return self.fc(out[:, -1])

    return Net()


def _arrays(seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((5, 1, 8, 8)).astype(np.float32), rng.integers(0, 3, 5)


def _batch(lib, seed):
    x, y = _arrays(seed)
    return lib.from_numpy(x), lib.from_numpy(y)


def _train(lib, model, optimizer, steps, seed=0):
    for i in range(steps):
        x, y = _batch(lib, seed + i)
        optimizer.zero_grad()
        lib.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()


def _assert_state_equal(ours, theirs):
    assert list(ours) == list(theirs)
    for k in theirs:
        assert ours[k].dtype == getattr(chainrule, str(theirs[k].dtype).split(".")[1]), k
        np.testing.assert_array_equal(ours[k].numpy(), theirs[k].numpy(), err_msg=k)


@pytest.mark.parametrize("new_format", FORMATS)
def test_cnn_batchnorm_gru_model_from_pytorch(torch, new_format):
    torch.manual_seed(0)
    theirs = _model(torch)
    _train(torch, theirs, torch.optim.SGD(theirs.parameters(), lr=0.1), 2)  # running stats move
    state = _torch_to_chainrule(torch, theirs.state_dict(), new_format)
    _assert_state_equal(state, theirs.state_dict())
    ours = _model(chainrule)
    ours.load_state_dict(state)
    _assert_state_equal(ours.state_dict(), theirs.state_dict())
    assert state._metadata == theirs.state_dict()._metadata
    x, _ = _arrays(9)
    theirs.eval(), ours.eval()
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    # ulp-bounded (kind 2): conv, GRU and Linear run through matmuls whose BLAS kernels
    # differ between the libraries and CPUs; measured: at most 4e-8 (a few float32 ulps).
    np.testing.assert_allclose(
        ours(chainrule.from_numpy(x)).detach().numpy(), expected, rtol=1e-5, atol=2e-7
    )


@pytest.mark.parametrize("new_format", FORMATS)
def test_cnn_batchnorm_gru_model_to_pytorch(torch, new_format):
    chainrule.manual_seed(0)
    ours = _model(chainrule)
    _train(chainrule, ours, chainrule.optim.SGD(ours.parameters(), lr=0.1), 2)
    state = _chainrule_to_torch(torch, ours.state_dict(), new_format)
    theirs = _model(torch)
    theirs.load_state_dict(state)
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(theirs.state_dict()[k].numpy(), v.numpy(), err_msg=k)
    assert state._metadata == ours.state_dict()._metadata


def _same_start(torch):
    torch.manual_seed(1)
    theirs = _model(torch)
    ours = _model(chainrule)
    ours.load_state_dict(
        {k: chainrule.from_numpy(v.numpy().copy()) for k, v in theirs.state_dict().items()}
    )
    return theirs, ours


def _assert_optimizer_states_equal(ours, theirs):
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for i, s in theirs["state"].items():
        assert list(ours["state"][i]) == list(s)
        for k, v in s.items():
            np.testing.assert_array_equal(
                np.asarray(ours["state"][i][k]), v.numpy(), err_msg=f"{i}.{k}"
            )


def _adam(lib, model):
    return lib.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.99), weight_decay=0.001)


def test_adam_state_from_pytorch(torch):
    theirs, ours = _same_start(torch)
    their_opt = _adam(torch, theirs)
    _train(torch, theirs, their_opt, 2)
    ours.load_state_dict(_torch_to_chainrule(torch, theirs.state_dict(), True))
    state = _torch_to_chainrule(torch, their_opt.state_dict(), True)
    our_opt = _adam(chainrule, ours)
    our_opt.load_state_dict(state)
    _assert_optimizer_states_equal(our_opt.state_dict(), their_opt.state_dict())
    _train(torch, theirs, their_opt, 1, seed=5)  # one more step in each, from the same state
    _train(chainrule, ours, our_opt, 1, seed=5)
    for k, v in theirs.state_dict().items():
        # ulp-bounded (kind 2): gradients through conv/GRU matmuls differ in their last
        # bits, and Adam divides by sqrt(v), so a small gradient's step moves by up to about
        # lr * 1e-4; measured at most 5e-7.
        np.testing.assert_allclose(
            ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-5, atol=2e-6, err_msg=k
        )


def test_adam_state_to_pytorch(torch):
    theirs, ours = _same_start(torch)
    our_opt = _adam(chainrule, ours)
    _train(chainrule, ours, our_opt, 2)
    state = _chainrule_to_torch(torch, our_opt.state_dict(), True)
    theirs.load_state_dict(_chainrule_to_torch(torch, ours.state_dict(), True))
    their_opt = _adam(torch, theirs)
    their_opt.load_state_dict(state)
    _assert_optimizer_states_equal(our_opt.state_dict(), their_opt.state_dict())


def test_the_whole_trip(torch, tmp_path):
    """torch.save -> chainrule loads, trains a step, saves -> torch.load(weights_only=True)."""
    theirs, _ = _same_start(torch)
    torch.save(theirs.state_dict(), tmp_path / "from_torch.pt")
    ours = _model(chainrule)
    ours.load_state_dict(chainrule.load(tmp_path / "from_torch.pt"))
    _train(chainrule, ours, chainrule.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9), 1)
    chainrule.save(ours.state_dict(), tmp_path / "from_chainrule.pt")
    back = torch.load(tmp_path / "from_chainrule.pt", weights_only=True)
    _train(torch, theirs, torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9), 1)
    assert list(back) == list(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape
        # ulp-bounded (kind 2): one SGD step through conv/GRU matmuls; measured at most
        # 3e-8, a few float32 ulps
        np.testing.assert_allclose(back[k].numpy(), v.numpy(), rtol=1e-5, atol=2e-7, err_msg=k)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PyTorch reads the file with no complaint
        torch.load(tmp_path / "from_chainrule.pt", weights_only=True, mmap=True)

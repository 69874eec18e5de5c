"""chainrule.save / chainrule.load: round trips, refusing pickle, safetensors both ways."""

import collections
import io
import os
import pickle
import sys
import zipfile

import numpy as np
import pytest

import chainrule

ALL_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _tensors_equal(a, b):
    assert isinstance(b, chainrule.Tensor)
    assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def _state_dict():
    sd = collections.OrderedDict()
    sd["z.weight"] = chainrule.randn(3, 4)
    sd["a.bias"] = chainrule.randn(3, dtype=chainrule.float64)
    sd["m.num_batches_tracked"] = chainrule.tensor(7)
    sd["scalar"] = chainrule.tensor(2.5)
    sd["empty"] = chainrule.zeros(0, 3)
    sd["transposed"] = chainrule.arange(6.0).reshape(2, 3).t()
    return sd


@pytest.mark.parametrize("how", ["str", "pathlib", "file"])
def test_state_dict_round_trip_keeps_order_values_and_dtypes(tmp_path, how):
    sd = _state_dict()
    path = tmp_path / "model.pt"
    if how == "file":
        buf = io.BytesIO()
        chainrule.save(sd, buf)
        buf.seek(0)
        out = chainrule.load(buf)
    else:
        target = str(path) if how == "str" else path
        chainrule.save(sd, target)
        out = chainrule.load(target)
    assert type(out) is collections.OrderedDict
    assert list(out) == list(sd)
    for k in sd:
        _tensors_equal(sd[k], out[k])


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_every_dtype_round_trips(tmp_path, name):
    d = getattr(chainrule, name if name != "bool" else "bool")
    t = chainrule.tensor([[0, 1, 1], [1, 0, 1]]).to(d)
    chainrule.save({"t": t}, tmp_path / "t.pt")
    _tensors_equal(t, chainrule.load(tmp_path / "t.pt")["t"])


def test_requires_grad_is_kept(tmp_path):
    w = chainrule.randn(2, 2, requires_grad=True)
    chainrule.save([w, w.detach()], tmp_path / "w.pt")
    a, b = chainrule.load(tmp_path / "w.pt")
    assert a.requires_grad and a.is_leaf and not b.requires_grad


def test_optimizer_state_dict_and_plain_values_round_trip(tmp_path):
    state = {
        "state": {0: {"step": chainrule.tensor(3.0), "exp_avg": chainrule.ones(2)}, 1: {}},
        "param_groups": [
            {
                "lr": 0.001,
                "betas": (0.9, 0.999),
                "eps": 1e-08,
                "weight_decay": 0,
                "amsgrad": False,
                "foreach": None,
                "params": [0, 1],
                "name": "group",
            }
        ],
        "specials": [
            float("inf"),
            float("-inf"),
            2**70,
            -1,
            b"\x00raw",
            chainrule.float64,
            chainrule.Size([2, 3]),
        ],
        "nested": ((1, [2, (3,)]), {"k": {(1, "a"): True}}),
    }
    chainrule.save(state, tmp_path / "opt.pt")
    out = chainrule.load(tmp_path / "opt.pt")
    assert type(out) is dict and list(out) == list(state)
    assert list(out["state"]) == [0, 1] and out["state"][1] == {}
    _tensors_equal(state["state"][0]["exp_avg"], out["state"][0]["exp_avg"])
    _tensors_equal(state["state"][0]["step"], out["state"][0]["step"])
    assert out["param_groups"] == state["param_groups"]
    assert type(out["param_groups"][0]["betas"]) is tuple
    assert type(out["param_groups"][0]["weight_decay"]) is int
    assert out["specials"][:5] == state["specials"][:5]
    assert out["specials"][5] is chainrule.float64
    assert out["specials"][6] == (2, 3) and type(out["specials"][6]) is chainrule.Size
    assert out["nested"] == state["nested"]
    nan = chainrule.load(_saved(float("nan")))
    assert nan != nan


def _saved(obj):
    buf = io.BytesIO()
    chainrule.save(obj, buf)
    buf.seek(0)
    return buf


def test_numpy_arrays_and_scalars_round_trip():
    out = chainrule.load(
        _saved({"a": np.arange(4, dtype=np.int16), "s": np.float32(1.5), "b": np.bool_(True)})
    )
    assert out["a"].dtype == np.int16 and out["a"].tolist() == [0, 1, 2, 3]
    assert type(out["s"]) is np.float32 and out["s"] == 1.5
    assert type(out["b"]) is np.bool_ and out["b"]


def test_state_dict_metadata_is_kept():
    sd = collections.OrderedDict(w=chainrule.ones(1))
    sd._metadata = {"": {"version": 1}, "bn": {"version": 2}}
    assert chainrule.load(_saved(sd))._metadata == sd._metadata


def test_shared_tensors_and_shared_memory():
    w = chainrule.randn(3)
    detached = w.detach()  # a second tensor over the same array, as a state_dict holds it
    buf = _saved({"a": w, "b": w, "c": detached})
    with zipfile.ZipFile(buf) as zf:
        assert sum(n.endswith(".npy") for n in zf.namelist()) == 1  # stored once
    buf.seek(0)
    out = chainrule.load(buf)
    assert out["a"] is out["b"]  # the same object stays one object
    assert out["c"] is not out["a"]
    out["c"][0] = 100.0  # and tensors that shared memory share it again
    assert out["a"][0].item() == 100.0


def test_unsupported_objects_are_refused():
    with pytest.raises(TypeError, match="got an object of type object"):
        chainrule.save({"x": object()}, io.BytesIO())
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        chainrule.save(loop, io.BytesIO())


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo hacked > /dev/null",))


def test_a_pickle_file_is_refused_without_running_it(tmp_path, monkeypatch):
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(_Evil(), protocol=2))
    calls = []
    monkeypatch.setattr(os, "system", lambda cmd: calls.append(cmd))
    with pytest.raises(RuntimeError, match="is a pickle file") as err:
        chainrule.load(path)
    assert "safetensors" in str(err.value)
    assert calls == []


def test_a_pytorch_checkpoint_is_refused_with_how_to_convert(torch, tmp_path):
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(RuntimeError, match="is a PyTorch checkpoint") as err:
        chainrule.load(path)
    assert "save_file" in str(err.value) and "never unpickles" in str(err.value)


def test_a_tampered_checkpoint_with_object_arrays_is_refused(tmp_path):
    good = _saved({"t": chainrule.ones(2)})
    path = tmp_path / "tampered.pt"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        dst.writestr("chainrule/manifest.json", src.read("chainrule/manifest.json"))
        arr = io.BytesIO()
        np.save(arr, np.array([_Evil()], dtype=object), allow_pickle=True)
        dst.writestr("chainrule/data/0.npy", arr.getvalue())
    with pytest.raises(ValueError, match="allow_pickle"):
        chainrule.load(path)


@pytest.mark.parametrize("content", [b"", b"hello world, not a checkpoint", b"PK\x03\x04garbage"])
def test_other_files_get_a_clear_error(tmp_path, content):
    path = tmp_path / "other.bin"
    path.write_bytes(content)
    with pytest.raises(
        RuntimeError, match=r"neither a chainrule checkpoint.* nor a safetensors file"
    ):
        chainrule.load(path)


def test_a_zip_that_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(RuntimeError, match="zip archive but not a chainrule checkpoint"):
        chainrule.load(path)


def test_map_location():
    buf = _saved({"t": chainrule.ones(1)})
    assert chainrule.load(buf, map_location="cpu")["t"].item() == 1.0
    buf.seek(0)
    assert chainrule.load(buf, map_location=lambda t, loc: t * 2)["t"].item() == 2.0
    buf.seek(0)
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        chainrule.load(buf, map_location="cuda")


# -- safetensors --------------------------------------------------------------------------------
def test_safetensors_round_trip_keeps_key_order(tmp_path):
    sd = _state_dict()
    sd["transposed"] = sd["transposed"].contiguous()
    path = tmp_path / "model.safetensors"
    chainrule.save(sd, path)
    out = chainrule.load(path)
    assert list(out) == list(sd)
    for k in sd:
        _tensors_equal(sd[k], out[k])
    out["z.weight"].add_(1.0)  # loaded tensors are writable


def test_safetensors_to_pytorch(torch, tmp_path):
    from safetensors.torch import load_file

    sd = {
        "w": chainrule.randn(2, 3),
        "i": chainrule.arange(4),
        "h": chainrule.ones(2, dtype=chainrule.float16),
    }
    path = str(tmp_path / "from_chainrule.safetensors")
    chainrule.save(sd, path)
    theirs = load_file(path)
    assert sorted(theirs) == sorted(sd)
    for k in sd:
        assert str(theirs[k].dtype) == str(sd[k].dtype)
        np.testing.assert_array_equal(theirs[k].numpy(), sd[k].numpy())


def test_safetensors_from_pytorch(torch, tmp_path):
    from safetensors.torch import save_file

    model = torch.nn.Linear(3, 2)
    path = tmp_path / "from_torch.safetensors"
    save_file(model.state_dict(), str(path))
    out = chainrule.load(path)
    assert sorted(out) == ["bias", "weight"]
    for k, v in model.state_dict().items():
        assert out[k].dtype == chainrule.float32
        np.testing.assert_array_equal(out[k].numpy(), v.numpy())
    with open(path, "rb") as f:  # by content, from a file object too
        assert sorted(chainrule.load(f)) == ["bias", "weight"]


@pytest.mark.parametrize(
    "obj, message",
    [
        ({"a": {"nested": chainrule.ones(1)}}, "entry 'a' is a dict"),
        ({1: chainrule.ones(1)}, "entry 1 is a Tensor"),
        ([chainrule.ones(1)], "got an object of type list"),
    ],
)
def test_safetensors_takes_only_a_flat_dict_of_tensors(tmp_path, obj, message):
    with pytest.raises(TypeError, match=message):
        chainrule.save(obj, tmp_path / "bad.safetensors")


def test_safetensors_without_the_package(tmp_path, monkeypatch):
    path = tmp_path / "w.safetensors"
    chainrule.save({"w": chainrule.ones(1)}, path)
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match="pip install safetensors"):
        chainrule.save({"w": chainrule.ones(1)}, tmp_path / "v.safetensors")
    with pytest.raises(ImportError, match="pip install safetensors"):
        chainrule.load(path)


def test_pickle_module_is_refused():
    with pytest.raises(TypeError, match="does not use pickle"):
        chainrule.save({}, io.BytesIO(), pickle_module=pickle)


def test_module_state_dict_and_parameters_round_trip():
    model = chainrule.nn.Linear(3, 2)
    out = chainrule.load(_saved({"model": model.state_dict(), "p": model.weight}))
    assert type(out["p"]) is chainrule.nn.Parameter and out["p"].requires_grad
    fresh = chainrule.nn.Linear(3, 2)
    fresh.load_state_dict(out["model"])
    _tensors_equal(model.weight, fresh.weight)
    _tensors_equal(model.bias, fresh.bias)

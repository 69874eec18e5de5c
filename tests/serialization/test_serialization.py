"""chainrule.save / chainrule.load on their own: round trips, the loading options, files
in chainrule's earlier format, refusing what is not a checkpoint, safetensors both ways.
(PyTorch's side: test_serialization_torch.py; damaged and hostile files:
test_serialization_hostile.py.)"""

import collections
import io
import json
import os
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import v1_files

import chainrule
import chainrule.serialization

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
        assert [n for n in zf.namelist() if "/data/" in n] == ["archive/data/0"]  # stored once
    buf.seek(0)
    out = chainrule.load(buf)
    assert out["a"] is out["b"]  # the same object stays one object
    assert out["c"] is not out["a"]
    out["c"][0] = 100.0  # and tensors that shared memory share it again
    assert out["a"][0].item() == 100.0


def test_views_share_memory_after_load():
    x = chainrule.arange(12.0).reshape(3, 4)
    out = chainrule.load(_saved({"x": x, "row": x[1], "block": x[1:, 2:], "t": x.t()}))
    assert out["block"].stride() == (4, 1) and out["t"].stride() == (1, 4)
    out["x"][1, 2] = -1.0
    assert out["row"][2].item() == -1.0
    assert out["block"][0, 0].item() == -1.0
    assert out["t"][2, 1].item() == -1.0
    np.testing.assert_array_equal(out["t"].numpy(), out["x"].numpy().T)


def test_a_view_alone_is_saved_with_only_the_memory_it_reaches():
    big = chainrule.zeros(1000, 100)
    buf = _saved({"row": big[3]})
    with zipfile.ZipFile(buf) as zf:
        assert zf.getinfo("archive/data/0").file_size == 100 * 4


def test_unsupported_objects_are_refused_and_cycles_are_kept():
    with pytest.raises(TypeError, match="got an object of type object"):
        chainrule.save({"x": object()}, io.BytesIO())
    loop = []
    loop.append(loop)  # pickle (and torch.save) keep a list that contains itself
    out = chainrule.load(_saved(loop))
    assert out[0] is out


def test_a_failed_save_creates_no_file(tmp_path):
    with pytest.raises(TypeError):
        chainrule.save({"x": object()}, tmp_path / "no.pt")
    assert not (tmp_path / "no.pt").exists()


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo hacked > /dev/null",))


def test_a_pickle_that_calls_os_system_is_refused_without_running_it(tmp_path, monkeypatch):
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(_Evil(), protocol=2))
    calls = []
    monkeypatch.setattr(os, "system", lambda cmd: calls.append(cmd))
    with pytest.raises(chainrule.serialization.CheckpointError, match="system") as err:
        chainrule.load(path)
    assert "would run code or commands" in str(err.value) and str(path) in str(err.value)
    assert isinstance(err.value, RuntimeError) and isinstance(err.value, pickle.UnpicklingError)
    assert calls == []


def test_a_whole_pickled_model_is_refused_with_save_its_state_dict(torch, tmp_path):
    path = tmp_path / "model.pt"
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 1)), path)
    with pytest.raises(RuntimeError, match="whole pickled model") as err:
        chainrule.load(path)
    assert "torch.nn.modules.container.Sequential" in str(err.value)
    assert "save its state_dict instead" in str(err.value)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"hello world, not a checkpoint", "neither a PyTorch checkpoint"),
        (b"PK\x03\x04garbage", "no end-of-archive record"),
    ],
)
def test_other_files_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "other.bin"
    path.write_bytes(content)
    with pytest.raises(chainrule.serialization.CheckpointError, match=message) as err:
        chainrule.load(path)
    assert str(path) in str(err.value)


def test_a_zip_that_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(RuntimeError, match="no single <name>/data.pkl, so it is not a checkpoint"):
        chainrule.load(path)


def test_map_location():
    buf = _saved({"t": chainrule.ones(1)})
    assert chainrule.load(buf, map_location="cpu")["t"].item() == 1.0
    buf.seek(0)
    assert chainrule.load(buf, map_location=lambda t, loc: t * 2)["t"].item() == 2.0
    buf.seek(0)
    with pytest.raises(RuntimeError, match="on a CUDA device but torch.cuda.is_available"):
        chainrule.load(buf, map_location="cuda")
    buf.seek(0)
    assert chainrule.load(buf, map_location={"cuda:0": "cpu"})["t"].item() == 1.0
    buf.seek(0)
    assert chainrule.load(buf, map_location=chainrule.device("cpu"))["t"].item() == 1.0
    buf.seek(0)
    seen = []
    chainrule.load(buf, map_location=lambda storage, loc: seen.append((storage.numel(), loc)))
    assert seen == [(1, "cpu")]
    buf.seek(0)
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        chainrule.load(buf, map_location=lambda storage, loc: storage.cuda())


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


def test_pickle_module_and_weights_only_are_taken_as_pytorch_takes_them():
    buf = io.BytesIO()
    chainrule.save({"a": 1}, buf, pickle_module=pickle, pickle_protocol=2)
    with pytest.raises(TypeError, match="pickle_module must be pickle"):
        chainrule.save({}, io.BytesIO(), pickle_module=json)
    for weights_only in (True, False, None):
        buf.seek(0)
        assert chainrule.load(buf, weights_only=weights_only) == {"a": 1}
    buf.seek(0)
    with pytest.raises(RuntimeError, match="Can not safely load weights when explicit"):
        chainrule.load(buf, pickle_module=pickle)
    buf.seek(0)
    assert chainrule.load(buf, pickle_module=pickle, weights_only=False) == {"a": 1}
    buf.seek(0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'fancy'"):
        chainrule.load(buf, fancy=1)


def test_python2_strings_follow_encoding():
    data = b"\x80\x02U\x04caf\xe9q\x00."  # SHORT_BINSTRING, as Python 2 wrote a str
    with pytest.raises(RuntimeError, match="does not decode as utf-8"):
        chainrule.load(_legacy_stream(data))
    assert chainrule.load(_legacy_stream(data), encoding="latin1") == "caf\xe9"
    assert chainrule.load(_legacy_stream(data), encoding="bytes") == b"caf\xe9"


def _legacy_stream(obj_pickle):
    from chainrule.serialization import _torch_load

    parts = [
        pickle.dumps(_torch_load.MAGIC_NUMBER, protocol=2),
        pickle.dumps(_torch_load.PROTOCOL_VERSION, protocol=2),
        pickle.dumps({"little_endian": True}, protocol=2),
        obj_pickle,
        pickle.dumps([], protocol=2),
    ]
    return io.BytesIO(b"".join(parts))


def test_mmap_maps_storages_from_the_file(tmp_path):
    path = tmp_path / "m.pt"
    chainrule.save({"w": chainrule.arange(4.0)}, path)
    out = chainrule.load(path, mmap=True)
    assert out["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
    out["w"].add_(1.0)  # copy-on-write: the file is not changed
    assert chainrule.load(path)["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="f must be a file path"):
        chainrule.load(io.BytesIO(path.read_bytes()), mmap=True)
    chainrule.save({"w": chainrule.ones(1)}, path, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="mmap can only be used with files saved with"):
        chainrule.load(path, mmap=True)


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


def test_safe_globals_allow_a_class_of_ones_own(tmp_path):
    path = tmp_path / "p.pt"
    path.write_bytes(
        b"".join(
            pickle.dumps(v, protocol=2)
            for v in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}, Point(1, 2), [])
        )
    )
    serialization = chainrule.serialization
    with pytest.raises(RuntimeError, match="add_safe_globals\\(\\[Point\\]\\)"):
        chainrule.load(path)
    with serialization.safe_globals([Point]):
        assert serialization.get_safe_globals() == [Point]
        p = chainrule.load(path)
    assert type(p) is Point and (p.x, p.y) == (1, 2)
    assert serialization.get_safe_globals() == []
    serialization.add_safe_globals([Point])
    try:
        assert chainrule.load(path).y == 2
    finally:
        serialization.clear_safe_globals()
    assert serialization.get_safe_globals() == []
    with pytest.raises(TypeError, match="takes classes"):
        serialization.add_safe_globals([print])
    with pytest.raises(ValueError, match="never loads objects from"):
        serialization.add_safe_globals([subprocess.Popen])


def test_torch_serialization_is_chainrule_serialization_under_the_alias():
    chainrule.alias_torch()
    try:
        import torch.serialization as ts

        assert ts is chainrule.serialization
        assert callable(ts.add_safe_globals) and callable(ts.safe_globals)
    finally:
        chainrule._alias.unalias_torch()


# -- chainrule's earlier format -----------------------------------------------------------
def test_files_in_the_earlier_format_still_load(tmp_path):
    sd = v1_files.state_dict()
    sd._metadata = {"": {"version": 1}}
    p = chainrule.nn.Parameter(chainrule.ones(2))
    obj = {
        "sd": sd,
        "p": p,
        "again": p,
        "rg": chainrule.ones(1, requires_grad=True),
        "values": [float("inf"), b"\x00raw", chainrule.float16, chainrule.Size([2]), (1, "a")],
        "np": np.arange(3, dtype=np.int8),
        "scalar": np.float32(0.5),
    }
    path = tmp_path / "old.pt"
    path.write_bytes(v1_files.v1_bytes(obj))
    out = chainrule.load(path)
    assert list(out["sd"]) == ["w", "b"] and out["sd"]._metadata == {"": {"version": 1}}
    _tensors_equal(sd["w"], out["sd"]["w"])
    _tensors_equal(sd["b"], out["sd"]["b"])
    assert type(out["p"]) is chainrule.nn.Parameter and out["p"] is out["again"]
    assert out["rg"].requires_grad and out["values"][0] == float("inf")
    assert out["values"][1:] == [b"\x00raw", chainrule.float16, (2,), (1, "a")]
    assert out["np"].tolist() == [0, 1, 2] and type(out["scalar"]) is np.float32


def test_module_state_dict_and_parameters_round_trip():
    model = chainrule.nn.Linear(3, 2)
    out = chainrule.load(_saved({"model": model.state_dict(), "p": model.weight}))
    assert type(out["p"]) is chainrule.nn.Parameter and out["p"].requires_grad
    fresh = chainrule.nn.Linear(3, 2)
    fresh.load_state_dict(out["model"])
    _tensors_equal(model.weight, fresh.weight)
    _tensors_equal(model.bias, fresh.bias)


def test_a_legacy_file_whose_pickle_is_longer_than_the_first_read(monkeypatch):
    from chainrule.serialization import _torch_load

    sd = {f"layer{i}.weight": chainrule.full((2,), float(i)) for i in range(50)}
    buf = io.BytesIO()
    chainrule.save(sd, buf, _use_new_zipfile_serialization=False)
    monkeypatch.setattr(_torch_load, "FIRST_CHUNK", 64)  # the pickle is read again, longer
    buf.seek(0)
    out = chainrule.load(buf)
    assert list(out) == list(sd) and out["layer49.weight"].tolist() == [49.0, 49.0]


def test_files_written_on_a_big_endian_machine():
    import struct

    from hostile_files import float_tensor_dict, legacy_stream, torch_zip

    pkl, little = float_tensor_dict([1.5, -2.0, 3.25])
    big = struct.pack(">3f", 1.5, -2.0, 3.25)
    archive = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(torch_zip(pkl, {"0": big}))) as src:
        with zipfile.ZipFile(archive, "w") as dst:
            for info in src.infolist():
                body = src.read(info)
                dst.writestr(info.filename, b"big" if info.filename.endswith("byteorder") else body)
    out = chainrule.load(io.BytesIO(archive.getvalue()))
    assert out["w"].tolist() == [1.5, -2.0, 3.25]
    pkl, _ = float_tensor_dict([1.5, -2.0, 3.25], legacy=True)
    stream = legacy_stream(pkl, {"0": little})
    stream = stream.replace(
        pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2),
        pickle.dumps({"protocol_version": 1001, "little_endian": False}, protocol=2),
    )
    count = struct.pack("<q", 3)
    stream = stream.replace(count + little, struct.pack(">q", 3) + big)
    assert chainrule.load(io.BytesIO(stream))["w"].tolist() == [1.5, -2.0, 3.25]

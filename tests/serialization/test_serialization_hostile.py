"""Damaged and hostile files, made by the tests themselves: pickles that would run code,
forged storages, zip bombs and lying headers, truncations, bit flips and deep nesting.

Each must be refused with chainrule.serialization.CheckpointError (a RuntimeError that
names the file and says what is wrong), quickly, with peak memory under the load's
budget (twice the file's size plus a fixed allowance for the Python objects; none of
these files earns the allowance a real storage adds), and
without running anything: every pickle that would run code targets a sentinel file,
which must not appear. CHAINRULE_FULL_CORPUS=1 runs the 512 MiB bombs (64 MiB by
default), every truncation and bit flip instead of a sample, and 5,000 pickle edits.
"""

import copyreg
import io
import json
import os
import pickle
import struct
import subprocess
import time
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from hostile_files import Pickle, float_tensor_dict, legacy_stream, torch_zip
from v1_files import manifest_and_arrays, npy_bytes, state_dict, v1_bytes, write

import chainrule
from chainrule.serialization import CheckpointError
from chainrule.serialization._errors import Budget

FULL = os.environ.get("CHAINRULE_FULL_CORPUS") == "1"
BOMB = (512 if FULL else 64) << 20


def refused(tmp_path, data, match=None):
    """Load data from a file: it must raise CheckpointError naming the file, within the
    memory budget, quickly."""
    path = tmp_path / "hostile.pt"
    path.write_bytes(data)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(CheckpointError, match=match) as err:
            chainrule.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - start
    assert str(path) in str(err.value)
    assert peak < 2 * len(data) + Budget.ALLOWANCE, f"{peak:,} bytes for a {len(data):,}-byte file"
    assert elapsed < 10, f"{elapsed:.1f} s"  # a guard against hangs, not a timing
    return err.value


# -- pickles that would run code -----------------------------------------------------------
class _Reduce:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _payloads(sentinel):
    """(name, pickle bytes) of pickles that create `sentinel` when unpickled by pickle."""
    touch = f"touch {sentinel}"
    opener = f"open({str(sentinel)!r}, 'w').close()"
    getattr_chain = (  # getattr(__import__('os'), 'system')('touch ...')
        Pickle()
        .glob("builtins", "getattr")
        .mark()
        .glob("builtins", "__import__")
        .mark()
        .str("os")
        .tuple()
        .reduce()
        .str("system")
        .tuple()
        .reduce()
        .mark()
        .str(touch)
        .tuple()
        .reduce()
    )
    return [
        ("os.system", pickle.dumps(_Reduce(os.system, touch), protocol=2)),
        ("os.system, protocol 4", pickle.dumps(_Reduce(os.system, touch), protocol=4)),
        ("builtins.eval", pickle.dumps(_Reduce(eval, opener), protocol=2)),
        ("builtins.exec", pickle.dumps(_Reduce(exec, opener), protocol=2)),
        ("subprocess.call", pickle.dumps(_Reduce(subprocess.call, ["touch", str(sentinel)]))),
        ("getattr chain", bytes(getattr_chain)),
        ("INST", f"(S'{touch}'\nios\nsystem\n.".encode()),
        ("OBJ", f"(cos\nsystem\nS'{touch}'\no.".encode()),
    ]


def _extension_payload(sentinel):
    copyreg.add_extension("posix", "system", 0x7A)
    try:
        return pickle.dumps(_Reduce(os.system, f"touch {sentinel}"), protocol=2)
    finally:
        copyreg.remove_extension("posix", "system", 0x7A)


def _wrappings(pkl):
    yield "a bare pickle", pkl
    yield "the legacy stream", legacy_stream(pkl)
    yield "a zip archive", torch_zip(pkl)


def test_the_payloads_do_run_code_under_pickle(tmp_path):
    """The corpus is real: plain pickle.loads runs each payload."""
    sentinel = tmp_path / "sentinel"
    for name, pkl in [*_payloads(sentinel), ("EXT", _extension_payload(sentinel))]:
        if name == "EXT":
            copyreg.add_extension("posix", "system", 0x7A)
        try:
            pickle.loads(pkl)
        finally:
            if name == "EXT":
                copyreg.remove_extension("posix", "system", 0x7A)
        assert sentinel.exists(), name
        sentinel.unlink()


def test_pickles_that_would_run_code_are_refused_and_nothing_runs(tmp_path):
    sentinel = tmp_path / "sentinel"
    cases = [*_payloads(sentinel), ("EXT", _extension_payload(sentinel))]
    copyreg.add_extension("posix", "system", 0x7A)  # even where pickle would resolve it
    try:
        for name, pkl in cases:
            for wrapping, data in _wrappings(pkl):
                err = refused(tmp_path, data)
                assert not sentinel.exists(), (name, wrapping)
                text = str(err)
                assert any(
                    word in text
                    for word in ("would run code", "INST", "OBJ", "extension", "neither")
                ), (name, wrapping, text)
    finally:
        copyreg.remove_extension("posix", "system", 0x7A)


@pytest.mark.parametrize(
    "module, name, message",
    [
        ("torch.nn.modules.linear", "Linear", "whole pickled model"),
        ("__main__", "Net", r"add_safe_globals\(\[Net\]\)"),
        ("argparse", "Namespace", r"add_safe_globals\(\[Namespace\]\)"),
        ("torch._utils", "_rebuild_qtensor", "torch._utils._rebuild_qtensor"),
        ("torch._utils", "_rebuild_device_tensor_from_numpy", "_rebuild_device_tensor"),
        ("torch.serialization", "load", "torch.serialization.load"),
    ],
)
def test_other_globals_are_refused_by_name(tmp_path, module, name, message):
    pkl = bytes(Pickle().glob(module, name).raw(b")R"))
    refused(tmp_path, torch_zip(pkl), match=message)


def test_calls_on_data_or_allowed_names_misused_are_refused(tmp_path):
    cases = {
        "a string called": Pickle().str("os.system").mark().str("x").tuple().reduce(),
        "a dtype called": Pickle().glob("torch", "float32").raw(b")R"),
        "bytearray of a size": Pickle().glob("builtins", "bytearray").int(10**9).raw(b"\x85R"),
        "encode with rot13": Pickle().glob("_codecs", "encode").str("x").str("rot13").raw(b"\x86R"),
        "NEWOBJ of a dict": Pickle().glob("collections", "OrderedDict").raw(b")\x81"),
        "BUILD on a list": Pickle().raw(b"]").raw(b"}b"),
        "append to a dict": Pickle().raw(b"}").int(1).raw(b"a"),
        "numpy object dtype": Pickle().glob("numpy", "dtype").mark().str("O").tuple().reduce(),
        "module persistent id": Pickle().mark().str("module").str("x").tuple().raw(b"Q"),
        "a storage of int id": Pickle().int(3).raw(b"Q"),
        "a complex of strings": Pickle().glob("builtins", "complex").str("1").raw(b"\x85R"),
    }
    for what, p in cases.items():
        refused(tmp_path, torch_zip(bytes(p)))
        refused(tmp_path, legacy_stream(bytes(p)))
        assert what


def test_build_with_hostile_state_sets_plain_attributes_only(tmp_path):
    """OrderedDict's state becomes attributes, as PyTorch does; nothing is called."""
    p = Pickle().glob("collections", "OrderedDict").raw(b")R")
    p.raw(b"}").str("__reduce__").str("os.system").raw(b"sb")
    out = chainrule.load(io.BytesIO(torch_zip(bytes(p))))
    assert out.__dict__ == {"__reduce__": "os.system"} and out == {}
    p = Pickle().glob("collections", "OrderedDict").raw(b")R").raw(b"}").int(1).int(2).raw(b"sb")
    refused(tmp_path, torch_zip(bytes(p)), match="not a dict of attributes")


# -- forged storages ------------------------------------------------------------------------
def _one_tensor(key="0", numel=3, offset=0, size=(3,), stride=(1,), storage="FloatStorage"):
    p = Pickle().raw(b"}").mark().str("w")
    p.tensor(key, numel, offset, list(size), list(stride), storage=storage).raw(b"u")
    return bytes(p)


DATA = struct.pack("<3f", 1.0, 2.0, 3.0)


@pytest.mark.parametrize(
    "pkl, storages, message",
    [
        (_one_tensor(key="../../../etc/passwd"), {"0": DATA}, "missing from the archive"),
        (_one_tensor(key="/etc/passwd"), {"0": DATA}, "missing from the archive"),
        (_one_tensor(key="9"), {"0": DATA}, "missing from the archive"),
        (_one_tensor(numel=10**12), {"0": DATA}, "declares 1,000,000,000,000 elements"),
        (_one_tensor(numel=2), {"0": DATA}, "entry holds 12 bytes"),
        (_one_tensor(numel=-1), {"0": DATA}, "declares -1 elements"),
        (_one_tensor(offset=1), {"0": DATA}, "reaches element 3"),
        (_one_tensor(size=(4,)), {"0": DATA}, "reaches element 3"),
        (_one_tensor(size=(2, 2), stride=(2, 1)), {"0": DATA}, "reaches element 3"),
        (_one_tensor(size=(-3,)), {"0": DATA}, "integers >= 0"),
        (_one_tensor(stride=(-1,)), {"0": DATA}, "integers >= 0"),
        (_one_tensor(size=(3,), stride=(1, 1)), {"0": DATA}, "differ in length"),
        (_one_tensor(size=(10**6, 10**6), stride=(0, 0)), {"0": DATA}, "an expanded tensor"),
        (_one_tensor(storage="QInt8Storage", numel=12), {"0": DATA}, "qint8"),
        (_one_tensor(storage="ComplexFloatStorage", numel=1), {"0": DATA[:8]}, "reaches element 2"),
        (_one_tensor(storage="NoSuchStorage"), {"0": DATA}, "torch.NoSuchStorage"),
    ],
)
def test_forged_storages_in_a_zip(tmp_path, pkl, storages, message):
    refused(tmp_path, torch_zip(pkl, storages), match=message)


def test_one_storage_used_with_two_dtypes(tmp_path):
    p = Pickle().mark()
    p.tensor("0", 3, 0, [3], [1]).tensor("0", 3, 0, [3], [1], storage="IntStorage").tuple()
    refused(tmp_path, torch_zip(bytes(p), {"0": DATA}), match="used with two dtypes")


def _legacy_tensor(numel=3, view=None):
    p = Pickle().raw(b"}").mark().str("w").glob("torch._utils", "_rebuild_tensor_v2").mark()
    p.mark().str("storage").glob("torch", "FloatStorage").str("k").str("cpu").int(numel)
    p.raw(view if view is not None else b"N").tuple().raw(b"Q")
    p.int(0).ints([3]).ints([1]).raw(b"\x89").glob("collections", "OrderedDict").raw(b")R")
    return bytes(p.tuple().reduce().raw(b"u"))


def test_forged_storages_in_the_legacy_stream(tmp_path):
    good = legacy_stream(_legacy_tensor(), {"k": DATA})
    assert chainrule.load(io.BytesIO(good))["w"].tolist() == [1.0, 2.0, 3.0]
    cases = [
        (legacy_stream(_legacy_tensor(numel=10**12), {"k": DATA}), "more than the file holds"),
        (legacy_stream(_legacy_tensor(), {"k": DATA}, keys=[]), "does not match"),
        (legacy_stream(_legacy_tensor(), {"k": DATA, "k2": DATA}), "does not match"),
        (legacy_stream(_legacy_tensor(), {"k": DATA}) + b"tail", "bytes after its last"),
        (legacy_stream(_legacy_tensor(), {"k": DATA[:8]}), "declares 3 elements"),
        (good[:-4], "truncated"),
        (
            legacy_stream(_legacy_tensor(view=b"(X\x01\x00\x00\x00vK\x02K\x05t"), {"k": DATA}),
            "outside",
        ),
        (
            good.replace(
                pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2),
                pickle.dumps(5, protocol=2),
            ),
            "system information is not a dict",
        ),  # fmt: skip
    ]
    for data, message in cases:
        refused(tmp_path, data, match=message)
    refused(tmp_path, pickle.dumps(12345, protocol=2), match="not a PyTorch checkpoint")


# -- zip bombs and lying zip headers ------------------------------------------------------
def _bomb(name, size, extra=()):
    """A zip holding `name`, deflated from `size` bytes of repeated JSON-ish text."""
    out = io.BytesIO()
    block = b"[0," * (1 << 18)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open(name, "w", force_zip64=True) as f:
            for _ in range(size // len(block)):
                f.write(block)
        for n, data in extra:
            zf.writestr(n, data)
    return out.getvalue()


def test_a_manifest_that_inflates_is_refused_without_inflating(tmp_path):
    data = _bomb("chainrule/manifest.json", BOMB)
    assert len(data) < BOMB // 500
    refused(tmp_path, data, match="compressed")


def test_a_deflated_array_or_storage_or_pickle_is_refused(tmp_path):
    manifest, _ = manifest_and_arrays({"w": chainrule.ones(1)})
    npy = _bomb("chainrule/data/0.npy", BOMB, [("chainrule/manifest.json", json.dumps(manifest))])
    refused(tmp_path, npy, match="compressed")
    pkl, storage = float_tensor_dict([1.0, 2.0])
    refused(
        tmp_path, torch_zip(pkl, {"0": storage}, compression=zipfile.ZIP_DEFLATED), "compressed"
    )


def _patch(data, at, fmt, value):
    out = bytearray(data)
    struct.pack_into(fmt, out, at, value)
    return bytes(out)


def _eocd(data):
    return data.rfind(b"PK\x05\x06")


def test_lying_zip_headers(tmp_path):
    pkl, storage = float_tensor_dict([1.0, 2.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's "Duplicate name", for the duplicate
        duplicate = torch_zip(pkl, {"0": storage}, extra=[("archive/data.pkl", pkl)])
    good = torch_zip(pkl, {"0": storage})
    assert chainrule.load(io.BytesIO(good))["w"].tolist() == [1.0, 2.0, 3.0]
    end = _eocd(good)
    cd = struct.unpack_from("<I", good, end + 16)[0]
    storage_at = good.index(storage)
    cases = [
        (_patch(_patch(good, end + 8, "<H", 0xFFFE), end + 10, "<H", 0xFFFE), "65,534 entries"),
        (_patch(good, end + 8, "<H", 0xFFFE), "multi-part"),
        (_patch(good, end + 16, "<I", len(good)), "outside the file"),  # directory offset
        (_patch(good, end + 12, "<I", 10**9), "outside the file"),  # directory size
        (_patch(good, cd + 20, "<I", 10**9), "two different sizes"),  # compressed size
        (_patch(_patch(good, cd + 20, "<I", 10**9), cd + 24, "<I", 10**9), "outside"),
        (_patch(good, cd + 42, "<I", 7), "no local header"),  # local header offset
        (_patch(good, cd + 8, "<H", 1), "encrypted"),
        (_patch(good, cd + 10, "<H", 12), "compressed"),  # bzip2
        (_patch(good, cd, "<I", 0x12345678), "bad entry signature"),
        (_patch(good, storage_at, "<f", 9.0), "CRC-32"),  # the storage's bytes
        (duplicate, "appears twice"),
        (good[:end] + b"PK\x05\x06" + b"\0" * 3, "no end-of-archive record"),
        (_patch(good, 26, "<H", 200), "different name"),  # the local name's length
    ]
    for data, message in cases:
        refused(tmp_path, data, match=message)


# -- truncations and bit flips of real files ------------------------------------------------
def _sample(n, every):
    return range(0, n, 1 if FULL else every)


def _real_files(torch):
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    files = {}
    for new in (True, False):
        buf = io.BytesIO()
        torch.save(model.state_dict(), buf, _use_new_zipfile_serialization=new)
        files["zip" if new else "legacy"] = buf.getvalue()
    files["v1"] = v1_bytes(state_dict())
    return files


def test_every_truncation_is_a_clear_error(torch, tmp_path):
    for kind, data in _real_files(torch).items():
        for cut in _sample(len(data), 7):
            refused(tmp_path, data[:cut])
        assert kind


def test_bit_flips_give_a_clear_error_or_the_same_values(torch, tmp_path):
    """A flip inside a zip entry is caught by its CRC; elsewhere (padding, unused header
    fields) the file loads unchanged. The legacy stream has no checksum: a flip in its
    data changes values (as in PyTorch), but never raises anything but CheckpointError."""
    for kind, data in _real_files(torch).items():
        expected = chainrule.load(io.BytesIO(data))
        for at in _sample(len(data), 13):
            flipped = bytearray(data)
            flipped[at] ^= 1 << (at % 8)
            try:
                out = chainrule.load(io.BytesIO(bytes(flipped)))
            except CheckpointError:
                continue
            if kind != "legacy":
                assert list(out) == list(expected), (kind, at)
                for k in expected:
                    np.testing.assert_array_equal(out[k].numpy(), expected[k].numpy())


def test_damaged_pickles_inside_intact_archives(tmp_path):
    """Random edits of data.pkl, re-archived with a correct CRC so that the unpickler
    itself meets them: each loads or is a CheckpointError, never another exception."""
    model = chainrule.nn.Sequential(chainrule.nn.Linear(3, 4), chainrule.nn.BatchNorm1d(4))
    x = chainrule.arange(6.0).reshape(2, 3)
    obj = {
        "sd": model.state_dict(),
        "opt": chainrule.optim.Adam(model.parameters()).state_dict(),
        "values": [1, 2.5, "s", b"b", (3,), {4}, chainrule.Size([2]), chainrule.int8],
        "view": x[1:],
        "base": x,
        "p": chainrule.nn.Parameter(chainrule.ones(2)),
    }
    buf = io.BytesIO()
    chainrule.save(obj, buf)
    with zipfile.ZipFile(buf) as zf:
        entries = {info.filename: zf.read(info) for info in zf.infolist()}
    pkl = entries["archive/data.pkl"]
    rng = np.random.default_rng(0)
    for _ in range(5000 if FULL else 300):
        edited = bytearray(pkl)
        for _ in range(rng.integers(1, 4)):
            at, how = int(rng.integers(len(edited))), rng.random()
            if how < 0.5:
                edited[at] = int(rng.integers(256))
            elif how < 0.7:
                del edited[at]
            elif how < 0.85:
                edited.insert(at, int(rng.integers(256)))
            else:
                del edited[max(at, 2) :]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            for name, data in entries.items():
                zf.writestr(name, bytes(edited) if name.endswith("data.pkl") else data)
        try:
            chainrule.load(io.BytesIO(out.getvalue()))
        except CheckpointError:
            pass


# -- chainrule's earlier format: the damaged manifests -----------------------------------------
def _v1(manifest=None, arrays=None, raw_manifest=None):
    m, a = manifest_and_arrays(state_dict())
    return write(manifest if manifest is not None else m, a if arrays is None else arrays,
                 raw_manifest=raw_manifest)  # fmt: skip


def _v1_with(root=None, tensors=None):
    m, a = manifest_and_arrays(state_dict())
    if root is not None:
        m["root"] = root
    if tensors is not None:
        m["tensors"] = tensors
    return _v1(m, a)


def _tensor_entry(**changes):
    entry = {"array": 0, "dtype": "float32", "shape": [2, 3], "requires_grad": False}
    entry.update(changes)
    return [entry, {"array": 1, "dtype": "int16", "shape": [2], "requires_grad": False}]


V1_CASES = [
    (dict(raw_manifest='{"format": "chainrule-checkpoint", "version": 1, "ro'), "not valid JSON"),
    (dict(raw_manifest=b"\xff\xfe"), "not valid JSON"),
    (dict(raw_manifest="[1, 2]"), "not a chainrule checkpoint"),
    (dict(raw_manifest='{"format": "x"}'), "not a chainrule checkpoint"),
    (dict(manifest={"format": "chainrule-checkpoint", "version": "1", "root": 0}), "version"),
    (dict(manifest={"format": "chainrule-checkpoint", "version": 2, "root": 0}), "newer"),
    (dict(manifest={"format": "chainrule-checkpoint", "version": 1, "tensors": []}), "no root"),
    (dict(manifest={"format": "chainrule-checkpoint", "version": 1, "root": 1}), "no list"),
    (dict(root={"tensor": 7}), "tensor 7, which does not exist"),
    (dict(root={"tensor": -1}), "does not exist"),
    (dict(root={"tensor": True}), "does not exist"),
    (dict(root={"tensor": "0"}), "does not exist"),
    (dict(root={"ndarray": 5}), "array 5 is missing"),
    (dict(root={"tensor": 0}, tensors=_tensor_entry(dtype="float128")), "unknown dtype"),
    (dict(root={"tensor": 0}, tensors=_tensor_entry(dtype=["float32"])), "unknown dtype"),
    (dict(root={"dtype": "torch.evil"}), "unknown dtype"),
    (dict(root={"scalar": 1, "dtype": "O"}), "dtype 'O'"),
    (dict(root={"scalar": 1, "dtype": "<U10"}), "dtype '<U10'"),
    (dict(root={"scalar": 10**30, "dtype": "<i2"}), "does not fit"),
    (dict(root={"scalar": [1], "dtype": "<f4"}), "not a number"),
    (dict(root={"tensor": 0}, tensors=_tensor_entry(shape=[-2, 3])), "not a list of sizes"),
    (dict(root={"tensor": 0}, tensors=_tensor_entry(shape=[10**12, 10**12])), "does not match"),
    (dict(root={"tensor": 0}, tensors=_tensor_entry(shape="2x3")), "not a list of sizes"),
    (
        dict(
            root={"tensor": 1},
            tensors=_tensor_entry()[:1] + _tensor_entry(dtype="int16", shape=[2])[:1],
        ),
        "does not match",
    ),
    (
        dict(
            root={"tensor": 1},
            tensors=[{}, {"array": 1, "dtype": "int16", "shape": [2], "requires_grad": True}],
        ),
        "requires grad",
    ),  # fmt: skip
    (dict(root={"tensor": 0}, tensors=["x"]), "not a JSON object"),
    (dict(root={"bytes": "!!!!"}), "not valid base64"),
    (dict(root={"bytes": "YWJj\n"}), "not valid base64"),
    (dict(root={"bytes": 5}), "not a base64 string"),
    (dict(root={"float": "1e999"}), "float '1e999'"),
    (dict(root={"size": [1, "x"]}), "torch.Size"),
    (dict(root={"tuple": 5}), "tuple"),
    (dict(root={"dict": [[1]]}), "list of pairs"),
    (dict(root={"dict": 5}), "list of pairs"),
    (dict(root={"dict": [[[1, 2], 3]]}), "dict key"),
    (dict(root={"odict": [[{"tuple": [[1]]}, 1]]}), "dict key"),
    (dict(root={"surprise": 1}), "unknown kind"),
    (dict(root={}), "unknown kind"),
    (dict(root={"tensor": 0}, tensors=_tensor_entry(requires_grad="yes")), "true or false"),
]


@pytest.mark.parametrize("case, message", V1_CASES)
def test_damaged_manifests_of_the_earlier_format(tmp_path, case, message):
    data = _v1(raw_manifest=case["raw_manifest"]) if "raw_manifest" in case else None
    if "manifest" in case:
        data = _v1(manifest=case["manifest"])
    if data is None:
        data = _v1_with(case.get("root"), case.get("tensors"))
    refused(tmp_path, data, match=message)


def test_damaged_arrays_of_the_earlier_format(tmp_path):
    m, a = manifest_and_arrays(state_dict())
    header_only = npy_bytes(a[0])[:-24]
    obj = io.BytesIO()
    np.save(obj, np.array([object()], dtype=object), allow_pickle=True)
    big_header = npy_bytes(a[0])
    shape_lie = big_header.replace(b"(2, 3)", b"(9999999999, 9999999999)".ljust(6))
    cases = [
        ([header_only, a[1]], "needs 24 bytes"),
        ([obj.getvalue(), a[1]], "dtype object"),
        ([b"not an npy file at all", a[1]], "not a .npy array"),
        ([b"\x93NUMPY\x01\x00\xff\xff" + b" " * 30, a[1]], "header of 65,535 bytes"),
        ([big_header.replace(b"'descr'", b"'dascr'"), a[1]], "damaged header"),
        ([shape_lie, a[1]], "damaged header|needs"),
        ([big_header.replace(b"<f4", b"|V4"), a[1]], "dtype"),
    ]
    for arrays, message in cases:
        refused(tmp_path, _v1(m, arrays), match=message)


def test_deep_nesting_is_refused(tmp_path):
    m, a = manifest_and_arrays(state_dict())
    m["root"] = "ROOT"
    for depth in (300, 100000):  # deeper than chainrule's limit, and than JSON's own
        raw = json.dumps(m).replace('"ROOT"', "[" * depth + "]" * depth)
        refused(tmp_path, _v1(m, a, raw_manifest=raw), match="nested|would need")
    nested = "ROOT"
    for _ in range(300):
        nested = {"tuple": [nested]}
    m["root"] = nested
    refused(tmp_path, _v1(m, a), match="nested more than")
    tuples = Pickle().int(1)
    for _ in range(100000):
        tuples.raw(b"\x85")  # TUPLE1: a tuple in a tuple in a tuple...
    refused(tmp_path, torch_zip(bytes(tuples)), match="nested more than")
    lists = Pickle().raw(b"]" * 100000 + b"a" * 99999)
    refused(tmp_path, torch_zip(bytes(lists)), match="nested more than")


# -- memory: what the pickle's opcodes claim ----------------------------------------------------
def test_pickles_that_claim_more_than_they_hold(tmp_path):
    cases = [
        (Pickle().raw(b"X\xff\xff\xff\x7f"), "needs 2,147,483,647 bytes"),
        (Pickle().raw(b"\x8e" + struct.pack("<Q", 2**62)), "truncated"),
        (Pickle().raw(b"\x8b\xff\xff\xff\x7f"), "truncated|would need"),
        (Pickle().raw(b"\x8b\xff\xff\xff\xff"), "negative length"),
        (Pickle().raw(b"j\xff\xff\xff\x00"), "never stored"),
        (Pickle().raw(b"(K\x01"), "data left on the stack|truncated"),
        (Pickle().raw(b"t"), "no MARK"),
        (Pickle().raw(b"a"), "stack empty"),
        (Pickle().raw(b"\xff"), "unknown opcode"),
        (Pickle(protocol=6), "unknown pickle protocol"),
        (Pickle().raw(b"I" + b"9" * 10000 + b"\n"), "corrupt"),
        (Pickle().raw(b"\x97"), "out-of-band buffer"),
    ]
    for p, message in cases:
        refused(tmp_path, torch_zip(bytes(p)), match=message)


def test_many_small_objects_exhaust_the_budget_not_memory(tmp_path):
    """A few MiB of one-byte opcodes that each make a 200-byte set: refused at the
    budget, long before the objects would fill memory."""
    count = 6 << 20
    sets = Pickle().raw(b"]" + b"(" + b"\x8f" * count + b"e")
    err = refused(tmp_path, torch_zip(bytes(sets)), match="would need more than")
    assert "twice the file's size" in str(err)


def test_many_small_tensors_fit_the_budget(tmp_path):
    """A real checkpoint of 5,000 one-element tensors needs Python objects worth several
    times its size; each storage it holds adds to the budget, so it loads, and within
    that budget."""
    sd = {f"layer{i}.bias": chainrule.tensor([float(i)]) for i in range(5000)}
    path = tmp_path / "small.pt"
    chainrule.save(sd, path)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        out = chainrule.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out["layer4999.bias"].item() == 4999.0
    assert peak < 2 * size + Budget.ALLOWANCE + 5000 * Budget.PER_STORAGE
    assert peak > 2 * size  # (so the per-storage allowance is what lets it load)


def test_a_huge_but_honest_file_loads_in_about_its_own_size(tmp_path):
    """The other side of the budget: a real 16 MiB checkpoint loads with peak memory
    close to the storages it holds."""
    sd = {f"w{i}": chainrule.ones(1 << 20) for i in range(4)}
    path = tmp_path / "big.pt"
    chainrule.save(sd, path)
    size = path.stat().st_size
    for kind in ("zip", "legacy"):
        if kind == "legacy":
            chainrule.save(sd, path, _use_new_zipfile_serialization=False)
        tracemalloc.start()
        try:
            out = chainrule.load(path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert out["w3"].sum().item() == 1 << 20
        assert peak < 1.1 * size + (2 << 20), (kind, peak, size)

"""MNIST: reading IDX files, the not-found error, download with checksums, and the offline
stand-in (deterministic, marked as generated, one short line per run that reads it, and
replaced by the real files once a later run can download them)."""

import gzip
import hashlib
import io
import os
import warnings

import numpy as np
import pytest

import chainrule
from chainrule.vision import _digits, datasets, transforms
from chainrule.vision.datasets import _idx, mnist

Image = pytest.importorskip("PIL.Image")

UNREACHABLE = ["http://127.0.0.1:9/"]  # the discard port: refused at once, no waiting


def _idx_bytes(array):
    code = {np.uint8: 0x08}[array.dtype.type]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">i4").tobytes()
    return header + array.tobytes()


def _write_split(raw, split, images, labels, compress):
    os.makedirs(raw, exist_ok=True)
    for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
        path = os.path.join(raw, f"{split}-{kind}-ubyte")
        blob = _idx_bytes(array)
        if compress:
            with gzip.open(path + ".gz", "wb") as f:
                f.write(blob)
        else:
            with open(path, "wb") as f:
                f.write(blob)


@pytest.fixture
def small_mnist(tmp_path):
    """Train split gzip-compressed, test split plain, with known pixels and labels."""
    rng = np.random.default_rng(0)
    raw = tmp_path / "MNIST" / "raw"
    train = (
        rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        np.array([5, 0, 4, 1, 9, 2], np.uint8),
    )
    test = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), np.array([7, 2, 1], np.uint8)
    _write_split(str(raw), "train", *train, compress=True)
    _write_split(str(raw), "t10k", *test, compress=False)
    return tmp_path, train, test


@pytest.fixture(autouse=True)
def new_process(monkeypatch):
    """Each test starts as a new run would: nothing announced or retried yet."""
    monkeypatch.setattr(mnist, "_said", set())
    monkeypatch.setattr(mnist, "_retried", set())


@pytest.fixture
def offline(monkeypatch):
    """Mirrors that refuse at once and a small stand-in, so no test waits or draws 70,000."""
    monkeypatch.setattr(datasets.MNIST, "mirrors", UNREACHABLE)
    monkeypatch.setattr(datasets.MNIST, "timeout", 1.0)
    monkeypatch.setattr(mnist, "_STANDIN_SIZES", {"train": 300, "t10k": 100})


# -- reading ------------------------------------------------------------------------------
def test_reads_gzip_and_plain_idx_files(small_mnist):
    root, (train_x, train_y), (test_x, test_y) = small_mnist
    train = datasets.MNIST(str(root))
    test = datasets.MNIST(str(root), train=False)
    assert len(train) == 6 and len(test) == 3
    assert train.data.dtype is chainrule.uint8 and tuple(train.data.shape) == (6, 28, 28)
    assert train.targets.dtype is chainrule.int64
    np.testing.assert_array_equal(train.data.numpy(), train_x)
    np.testing.assert_array_equal(test.data.numpy(), test_x)
    assert train.targets.tolist() == [5, 0, 4, 1, 9, 2]
    assert test.targets.tolist() == [7, 2, 1]


def test_items_are_pil_images_and_int_labels(small_mnist):
    root, (train_x, _), _ = small_mnist
    img, label = datasets.MNIST(str(root))[2]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), train_x[2])
    assert label == 4 and type(label) is int


def test_transform_and_target_transform_are_applied(small_mnist):
    root, (train_x, _), _ = small_mnist
    ds = datasets.MNIST(
        str(root),
        transform=transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]),
        target_transform=lambda y: y * 100,
    )
    x, y = ds[0]
    assert y == 500
    assert tuple(x.shape) == (1, 28, 28) and x.dtype is chainrule.float32
    expected = (train_x[0].astype(np.float32) / 255 - 0.5) / 0.5
    np.testing.assert_allclose(x.numpy()[0], expected, rtol=1e-6)


def test_items_are_arrays_without_pillow(small_mnist, monkeypatch):
    root, (train_x, _), _ = small_mnist
    monkeypatch.setattr(mnist, "Image", None)
    ds = datasets.MNIST(str(root), transform=None)
    img, label = ds[1]
    assert isinstance(img, np.ndarray) and img.dtype == np.uint8 and img.shape == (28, 28)
    np.testing.assert_array_equal(img, train_x[1])
    img[:] = 0  # a copy: the dataset keeps its pixels
    assert ds.data.numpy()[1].tolist() == train_x[1].tolist()
    assert tuple(transforms.ToTensor()(ds[1][0]).shape) == (1, 28, 28)


def test_classes_and_repr(small_mnist):
    root, _, _ = small_mnist
    ds = datasets.MNIST(str(root), transform=transforms.ToTensor())
    assert ds.classes[0] == "0 - zero" and ds.classes[9] == "9 - nine" and len(ds.classes) == 10
    assert ds.class_to_idx["3 - three"] == 3
    assert repr(ds) == (
        "Dataset MNIST\n"
        "    Number of datapoints: 6\n"
        f"    Root location: {root}\n"
        "    Split: Train\n"
        "    StandardTransform\n"
        "Transform: ToTensor()"
    )
    test = datasets.MNIST(str(root), train=False)
    assert repr(test).splitlines()[-1] == "    Split: Test"


def test_missing_files_raise_pytorchs_error(tmp_path):
    with pytest.raises(RuntimeError, match="^Dataset not found. You can use download=True to "):
        datasets.MNIST(str(tmp_path))


def test_corrupt_idx_files_are_reported(tmp_path):
    path = str(tmp_path / "x-idx1-ubyte")
    with open(path, "wb") as f:
        f.write(b"\x01\x02\x08\x01")
    with pytest.raises(RuntimeError, match="bad magic number"):
        _idx.read(path)
    with open(path, "wb") as f:
        f.write(_idx_bytes(np.arange(5, dtype=np.uint8))[:-1])
    with pytest.raises(RuntimeError, match="the header says"):
        _idx.read(path)


def test_idx_write_read_round_trip(tmp_path):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    _idx.write(str(tmp_path / "a.gz"), a)
    _idx.write(str(tmp_path / "a"), a)
    with gzip.open(tmp_path / "a.gz") as f:
        assert f.read(12) == b"\x00\x00\x08\x03" + b"\x00\x00\x00\x02\x00\x00\x00\x03"
    np.testing.assert_array_equal(_idx.read(str(tmp_path / "a.gz")), a)
    np.testing.assert_array_equal(_idx.read(str(tmp_path / "a")), a)


# -- download -----------------------------------------------------------------------------
def test_download_checks_md5_and_extracts(tmp_path, monkeypatch):
    blobs = {}
    resources = []
    for name, array in [
        ("train-images-idx3-ubyte.gz", np.zeros((2, 28, 28), np.uint8)),
        ("train-labels-idx1-ubyte.gz", np.array([3, 8], np.uint8)),
        ("t10k-images-idx3-ubyte.gz", np.ones((1, 28, 28), np.uint8)),
        ("t10k-labels-idx1-ubyte.gz", np.array([6], np.uint8)),
    ]:
        blobs[name] = gzip.compress(_idx_bytes(array))
        resources.append((name, hashlib.md5(blobs[name]).hexdigest()))
    tried = []

    def fake_urlopen(url, timeout):
        tried.append(url)
        if url.startswith("http://bad/"):
            return io.BytesIO(b"not the file")  # served, but fails the checksum
        return io.BytesIO(blobs[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(mnist.urllib.request, "urlopen", fake_urlopen)
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://bad/", "http://good/"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = datasets.MNIST(str(tmp_path), download=True)
    assert ds.targets.tolist() == [3, 8]
    assert tried[:2] == [
        "http://bad/train-images-idx3-ubyte.gz",
        "http://good/train-images-idx3-ubyte.gz",
    ]
    raw = tmp_path / "MNIST" / "raw"
    assert (raw / "t10k-labels-idx1-ubyte").is_file() and (
        raw / "t10k-labels-idx1-ubyte.gz"
    ).is_file()


def test_checksum_failure_everywhere_falls_back(tmp_path, monkeypatch, offline, capsys):
    monkeypatch.setattr(mnist.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"x"))
    ds = datasets.MNIST(str(tmp_path), download=True)
    assert len(ds) == 300
    assert capsys.readouterr().err == (
        "MNIST: could not be downloaded (MD5 checksum mismatch); using chainrule's generated "
        "stand-in digits instead, not the real MNIST\n"
    )


def test_offline_download_writes_a_deterministic_standin_and_says_so_once(
    tmp_path, offline, capsys
):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train = datasets.MNIST(str(tmp_path / "a"), download=True)
        test = datasets.MNIST(str(tmp_path / "a"), train=False, download=True)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("MNIST: could not be downloaded (")
    assert lines[0].endswith(
        "using chainrule's generated stand-in digits instead, not the real MNIST"
    )
    assert len(train) == 300 and len(test) == 100
    assert train.data.dtype is chainrule.uint8 and tuple(train.data.shape[1:]) == (28, 28)
    assert train.targets.dtype is chainrule.int64
    assert sorted(set(train.targets.tolist())) == list(range(10))
    assert isinstance(train[0][0], Image.Image) and type(train[0][1]) is int
    assert not np.array_equal(train.data.numpy()[:100], test.data.numpy())
    assert (tmp_path / "a" / "MNIST" / "raw" / "STANDIN.txt").is_file()  # marked generated

    # the same stand-in in another folder
    again = datasets.MNIST(str(tmp_path / "b"), download=True)
    np.testing.assert_array_equal(again.data.numpy(), train.data.numpy())
    np.testing.assert_array_equal(again.targets.numpy(), train.targets.numpy())
    assert len(capsys.readouterr().err.splitlines()) == 1

    # a later run reads it back, and says so in one short line
    mnist._said.clear()
    mnist._retried.clear()
    reread = datasets.MNIST(str(tmp_path / "a"), download=False)
    datasets.MNIST(str(tmp_path / "a"), train=False, download=True)  # still offline
    np.testing.assert_array_equal(reread.data.numpy(), train.data.numpy())
    assert capsys.readouterr().err == (
        "MNIST: using chainrule's generated stand-in digits, not the real MNIST\n"
    )


def _real_files(monkeypatch):
    """Mirrors that serve a tiny 'real' MNIST, with the right checksums."""
    blobs, resources = {}, []
    for name, array in [
        ("train-images-idx3-ubyte.gz", np.full((2, 28, 28), 7, np.uint8)),
        ("train-labels-idx1-ubyte.gz", np.array([1, 2], np.uint8)),
        ("t10k-images-idx3-ubyte.gz", np.ones((1, 28, 28), np.uint8)),
        ("t10k-labels-idx1-ubyte.gz", np.array([3], np.uint8)),
    ]:
        blobs[name] = gzip.compress(_idx_bytes(array))
        resources.append((name, hashlib.md5(blobs[name]).hexdigest()))
    timeouts = []

    def urlopen(url, timeout):
        timeouts.append(timeout)
        return io.BytesIO(blobs[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(mnist.urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://good/"])
    return timeouts


def test_a_later_run_with_network_replaces_the_standin(tmp_path, monkeypatch, offline, capsys):
    datasets.MNIST(str(tmp_path), download=True)
    capsys.readouterr()
    mnist._said.clear()
    mnist._retried.clear()
    timeouts = _real_files(monkeypatch)
    monkeypatch.setattr(datasets.MNIST, "timeout", 10.0)
    ds = datasets.MNIST(str(tmp_path), download=True)
    assert ds.targets.tolist() == [1, 2] and int(ds.data[0, 0, 0]) == 7
    assert not (tmp_path / "MNIST" / "raw" / "STANDIN.txt").exists()
    assert capsys.readouterr().err == (
        "MNIST: downloaded the real digits; they replace the generated stand-in\n"
    )
    assert set(timeouts) == {3.0}  # a retry waits briefly for each mirror, not 10 s
    datasets.MNIST(str(tmp_path), train=False, download=True)
    assert len(timeouts) == 4 and capsys.readouterr().err == ""  # real now: fetched once


def test_a_standin_is_retried_once_per_process(tmp_path, monkeypatch, offline, capsys):
    datasets.MNIST(str(tmp_path), download=True)
    mnist._said.clear()
    mnist._retried.clear()
    tried = []

    def urlopen(url, timeout):
        tried.append(url)
        raise OSError("still offline")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", urlopen)
    datasets.MNIST(str(tmp_path), download=True)
    datasets.MNIST(str(tmp_path), train=False, download=True)
    assert len(tried) == 1  # the first file failed, so this process stops trying


def test_standin_has_mnists_full_sizes(tmp_path, monkeypatch):
    # the full-size plumbing, with blank images standing in for the drawing
    monkeypatch.setattr(datasets.MNIST, "mirrors", UNREACHABLE)
    assert mnist._STANDIN_SIZES == {"train": 60000, "t10k": 10000}
    monkeypatch.setattr(
        _digits,
        "generate",
        lambda n, seed: (np.zeros((n, 28, 28), np.uint8), np.arange(n, dtype=np.int64) % 10),
    )
    train = datasets.MNIST(str(tmp_path), download=True)
    test = datasets.MNIST(str(tmp_path), train=False)
    assert tuple(train.data.shape) == (60000, 28, 28) and tuple(test.data.shape) == (10000, 28, 28)
    assert tuple(train.targets.shape) == (60000,) and tuple(test.targets.shape) == (10000,)


# -- the drawn digits ---------------------------------------------------------------------
def test_generated_digits_look_like_mnist():
    images, labels = _digits.generate(2000, seed=5)
    assert images.dtype == np.uint8 and images.shape == (2000, 28, 28)
    assert labels.dtype == np.int64 and set(labels.tolist()) == set(range(10))
    assert images.max() == 255 and 20 < images.mean() < 50  # MNIST's mean is 33
    ys, xs = np.mgrid[:28, :28]
    mass = images.reshape(2000, -1).sum(axis=1)
    com_y = (images * ys).reshape(2000, -1).sum(axis=1) / mass
    com_x = (images * xs).reshape(2000, -1).sum(axis=1) / mass
    assert abs(np.median(com_y) - 13.5) < 1 and abs(np.median(com_x) - 13.5) < 1
    assert (images[:, :2].max(axis=(1, 2)) == 0).mean() > 0.9  # margins mostly blank


def test_generated_digits_are_deterministic_in_the_seed():
    a, la = _digits.generate(50, seed=1)
    b, lb = _digits.generate(50, seed=1)
    c, _ = _digits.generate(50, seed=2)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert not np.array_equal(a, c)


def test_generated_classes_are_learnable_but_not_trivial():
    # nearest class mean: far above chance (10%), far from perfect, like on MNIST (~82%)
    x, y = _digits.generate(3000, seed=7)
    x = x.reshape(3000, -1).astype(np.float64) / 255
    means = np.stack([x[:2000][y[:2000] == d].mean(axis=0) for d in range(10)])
    guess = ((x[2000:, None, :] - means[None]) ** 2).sum(axis=2).argmin(axis=1)
    accuracy = (guess == y[2000:]).mean()
    assert 0.5 < accuracy < 0.95

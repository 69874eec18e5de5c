"""FashionMNIST, KMNIST, CIFAR10/100, DatasetFolder and ImageFolder: real files in their
formats written by the tests, downloads (checksums, safe extraction), the offline
stand-ins, and torchvision's attributes and errors."""

import gzip
import hashlib
import io
import os
import pickle
import tarfile
import warnings

import numpy as np
import pytest

import chainrule
from chainrule.vision import _clothes, _scenes, datasets, transforms
from chainrule.vision.datasets import _mnist_siblings, cifar, folder

Image = pytest.importorskip("PIL.Image")

UNREACHABLE = ["http://127.0.0.1:9/"]  # the discard port: refused at once


def _idx_bytes(array):
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, ">i4").tobytes()
    return header + array.tobytes()


# -- FashionMNIST and KMNIST ----------------------------------------------------------------
@pytest.mark.parametrize("cls", [datasets.FashionMNIST, datasets.KMNIST])
def test_mnist_siblings_read_their_own_folder(tmp_path, cls):
    rng = np.random.default_rng(0)
    raw = tmp_path / cls.__name__ / "raw"
    raw.mkdir(parents=True)
    images = rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
    labels = np.array([9, 0, 3, 7], np.uint8)
    for split in ("train", "t10k"):
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            with gzip.open(raw / f"{split}-{kind}-ubyte.gz", "wb") as f:
                f.write(_idx_bytes(array))
    ds = cls(str(tmp_path), transform=transforms.ToTensor())
    x, y = ds[0]
    assert y == 9 and tuple(x.shape) == (1, 28, 28)
    np.testing.assert_array_equal(ds.data.numpy(), images)
    assert ds.targets.tolist() == [9, 0, 3, 7]
    assert repr(ds).startswith(f"Dataset {cls.__name__}\n    Number of datapoints: 4\n")
    assert len(ds.classes) == 10 and ds.raw_folder.endswith(os.path.join(cls.__name__, "raw"))


def test_mnist_siblings_have_torchvisions_classes_and_files():
    assert datasets.FashionMNIST.classes[0] == "T-shirt/top"
    assert datasets.FashionMNIST.classes[9] == "Ankle boot"
    assert datasets.KMNIST.classes == ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
    for cls in (datasets.FashionMNIST, datasets.KMNIST):
        names = [name for name, _ in cls.resources]
        assert names == [name for name, _ in datasets.MNIST.resources]
        assert all(len(md5) == 32 for _, md5 in cls.resources)
        assert issubclass(cls, datasets.MNIST)


@pytest.mark.parametrize("cls", [datasets.FashionMNIST, datasets.KMNIST])
def test_mnist_siblings_write_a_marked_standin_offline(tmp_path, monkeypatch, capsys, cls):
    monkeypatch.setattr(cls, "mirrors", UNREACHABLE)
    monkeypatch.setattr(_mnist_siblings, "_SIZES", {"train": 200, "t10k": 50})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train = cls(str(tmp_path), download=True)
        test = cls(str(tmp_path), train=False, download=True)
    said = capsys.readouterr().err.splitlines()
    # one line, once: the stand-in is written and used
    assert len(said) == 1 and said[0].startswith(f"{cls.__name__}: could not be downloaded (")
    assert "generated stand-in" in said[0]
    note = (tmp_path / cls.__name__ / "raw" / "STANDIN.txt").read_text()
    assert note.startswith(f"These IDX files are NOT the real {cls.__name__}.")
    assert len(train) == 200 and len(test) == 50
    assert train.data.dtype is chainrule.uint8
    assert sorted(set(train.targets.tolist())) == list(range(10))
    # each sibling draws its own images
    other = datasets.KMNIST if cls is datasets.FashionMNIST else datasets.FashionMNIST
    assert not np.array_equal(train.data.numpy(), other._draw(200, other._seeds["train"])[0])


def test_a_sibling_standin_is_replaced_once_the_real_files_arrive(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(_mnist_siblings, "_SIZES", {"train": 20, "t10k": 10})
    monkeypatch.setattr(datasets.KMNIST, "mirrors", UNREACHABLE)
    datasets.KMNIST(str(tmp_path), download=True)
    raw = tmp_path / "KMNIST" / "raw"
    assert (raw / "STANDIN.txt").is_file()
    # a later process (fresh per-process memory) with the real files served
    monkeypatch.setattr(_mnist_siblings, "_retried", set())
    monkeypatch.setattr(_mnist_siblings, "_said", set())
    real = np.full((3, 28, 28), 7, np.uint8), np.array([1, 2, 3], np.uint8)
    blobs = {}
    for split in ("train", "t10k"):
        blobs[f"{split}-images-idx3-ubyte.gz"] = gzip.compress(_idx_bytes(real[0]))
        blobs[f"{split}-labels-idx1-ubyte.gz"] = gzip.compress(_idx_bytes(real[1]))
    sums = [(name, hashlib.md5(blob).hexdigest()) for name, blob in blobs.items()]
    monkeypatch.setattr(datasets.KMNIST, "resources", sums)
    monkeypatch.setattr(datasets.KMNIST, "mirrors", ["http://good/"])
    monkeypatch.setattr(
        _mnist_siblings.urllib.request,
        "urlopen",
        lambda url, timeout: io.BytesIO(blobs[url.rsplit("/", 1)[1]]),
    )
    capsys.readouterr()
    ds = datasets.KMNIST(str(tmp_path), download=True)
    assert ds.targets.tolist() == [1, 2, 3] and not (raw / "STANDIN.txt").exists()
    assert capsys.readouterr().err.startswith("KMNIST: downloaded the real files")


def test_drawn_clothes_are_deterministic_and_learnable():
    a, la = _clothes.generate(1500, seed=3)
    b, lb = _clothes.generate(1500, seed=3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert a.dtype == np.uint8 and a.shape == (1500, 28, 28) and set(la.tolist()) == set(range(10))
    assert 30 < a.mean() < 90 and (a[:, 0, :].max(axis=1) == 0).mean() > 0.5  # dark margins
    x = a.reshape(1500, -1).astype(np.float64) / 255
    means = np.stack([x[:1000][la[:1000] == k].mean(axis=0) for k in range(10)])
    guess = ((x[1000:, None] - means[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert 0.5 < (guess == la[1000:]).mean() < 0.99  # far above chance, not trivial


# -- CIFAR ------------------------------------------------------------------------------------
def _cifar_files(folder_path, files, meta_name, meta, labels_key, rng, per_file=6):
    """Write CIFAR batches as CIFAR's python pickles (protocol 2); return {name: md5} and the
    images (N x 32 x 32 x 3) and labels written, in order."""
    folder_path.mkdir(parents=True, exist_ok=True)
    sums, all_images, all_labels = {}, [], []
    for name in files:
        images = rng.integers(0, 256, (per_file, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, per_file).tolist()
        entry = {
            "batch_label": "testing batch",
            labels_key: labels,
            "data": images.transpose(0, 3, 1, 2).reshape(per_file, 3072),
            "filenames": ["x.png"] * per_file,
        }
        blob = pickle.dumps(entry, protocol=2)
        (folder_path / name).write_bytes(blob)
        sums[name] = hashlib.md5(blob).hexdigest()
        all_images.append(images)
        all_labels += labels
    blob = pickle.dumps(meta, protocol=2)
    (folder_path / meta_name).write_bytes(blob)
    sums[meta_name] = hashlib.md5(blob).hexdigest()
    return sums, np.concatenate(all_images), all_labels


@pytest.fixture
def small_cifar10(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    meta = {"label_names": list(cifar._CIFAR10_CLASSES)}
    sums, images, labels = _cifar_files(
        tmp_path / "cifar-10-batches-py", names, "batches.meta", meta, "labels", rng
    )
    monkeypatch.setattr(datasets.CIFAR10, "train_list", [[n, sums[n]] for n in names[:5]])
    monkeypatch.setattr(datasets.CIFAR10, "test_list", [["test_batch", sums["test_batch"]]])
    monkeypatch.setattr(
        datasets.CIFAR10, "meta", dict(datasets.CIFAR10.meta, md5=sums["batches.meta"])
    )
    return tmp_path, images, labels


def test_cifar10_reads_pickled_batches(small_cifar10):
    root, images, labels = small_cifar10
    train = datasets.CIFAR10(str(root))
    test = datasets.CIFAR10(str(root), train=False)
    assert len(train) == 30 and len(test) == 6
    assert isinstance(train.data, np.ndarray) and train.data.shape == (30, 32, 32, 3)
    np.testing.assert_array_equal(train.data, images[:30])  # back in HWC order
    np.testing.assert_array_equal(test.data, images[30:])
    assert train.targets == labels[:30] and isinstance(train.targets, list)
    assert train.classes == cifar._CIFAR10_CLASSES and train.class_to_idx["cat"] == 3
    img, target = train[4]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(img), images[4])
    assert target == labels[4]
    x, _ = datasets.CIFAR10(str(root), transform=transforms.ToTensor())[0]
    assert tuple(x.shape) == (3, 32, 32) and x.dtype is chainrule.float32
    assert repr(test).splitlines()[:2] == ["Dataset CIFAR10", "    Number of datapoints: 6"]
    assert repr(test).splitlines()[-1] == "    Split: Test"


def test_cifar_refuses_missing_or_corrupted_files(small_cifar10):
    root, _, _ = small_cifar10
    path = root / "cifar-10-batches-py" / "data_batch_3"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(RuntimeError, match="^Dataset not found or corrupted. You can use"):
        datasets.CIFAR10(str(root))


def test_a_batch_that_names_other_objects_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({"data": Evil()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load posix.system|refusing"):
        cifar._load_batch(str(path))
    path.write_bytes(pickle.dumps([1, 2], protocol=2))
    with pytest.raises(RuntimeError, match="is not a CIFAR batch"):
        cifar._load_batch(str(path))


def test_cifar_download_checks_the_archive_and_extracts_only_its_batches(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    src = tmp_path / "src"
    names = ["train", "test"]
    meta = {"fine_label_names": cifar._CIFAR100_CLASSES}
    sums, images, labels = _cifar_files(
        src / "cifar-100-python", names, "meta", meta, "fine_labels", rng
    )
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        for name in names + ["meta"]:
            tar.add(src / "cifar-100-python" / name, arcname=f"cifar-100-python/{name}")
        evil = tarfile.TarInfo("../escaped")  # outside the data set's folder: ignored
        evil.size = 3
        tar.addfile(evil, io.BytesIO(b"bad"))
    blob = archive.getvalue()
    monkeypatch.setattr(datasets.CIFAR100, "tgz_md5", hashlib.md5(blob).hexdigest())
    monkeypatch.setattr(datasets.CIFAR100, "train_list", [["train", sums["train"]]])
    monkeypatch.setattr(datasets.CIFAR100, "test_list", [["test", sums["test"]]])
    monkeypatch.setattr(datasets.CIFAR100, "meta", dict(datasets.CIFAR100.meta, md5=sums["meta"]))
    monkeypatch.setattr(cifar.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(blob))
    root = tmp_path / "root"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = datasets.CIFAR100(str(root), download=True)
    assert ds.targets == labels[:6] and ds.classes[:2] == ["apple", "aquarium_fish"]
    assert sorted(os.listdir(root / "cifar-100-python")) == ["meta", "test", "train"]
    assert not (tmp_path / "escaped").exists()


def test_cifar_offline_standin_is_marked_verified_and_read_back(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(datasets.CIFAR10, "url", UNREACHABLE[0] + "cifar.tgz")
    small = [[f"data_batch_{i}", "x"] for i in range(1, 3)]
    monkeypatch.setattr(datasets.CIFAR10, "train_list", small)
    monkeypatch.setattr(cifar, "_STANDIN_SIZES", {"train": 200, "test": 40})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train = datasets.CIFAR10(str(tmp_path), download=True)
        again = datasets.CIFAR10(str(tmp_path), train=False, download=True)
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 1 and said[0].startswith("CIFAR10: could not be downloaded (")
    folder_path = tmp_path / "cifar-10-batches-py"
    note = (folder_path / "STANDIN.txt").read_text()
    assert note.startswith("These files are NOT the real CIFAR10.")
    assert len(train) == 200 and train.data.shape == (200, 32, 32, 3)
    assert train.classes == cifar._CIFAR10_CLASSES and len(again) == 40
    # the recorded checksums still guard the stand-in's files
    batch = folder_path / "test_batch"
    batch.write_bytes(batch.read_bytes()[:-1])
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(str(tmp_path), train=False)


def test_drawn_scenes_are_deterministic_and_learnable():
    a, la = _scenes.generate(1500, seed=4)
    np.testing.assert_array_equal(a, _scenes.generate(1500, seed=4)[0])
    assert a.dtype == np.uint8 and a.shape == (1500, 32, 32, 3) and la.max() == 9
    x = a.reshape(1500, -1).astype(np.float64) / 255
    means = np.stack([x[:1000][la[:1000] == k].mean(axis=0) for k in range(10)])
    guess = ((x[1000:, None] - means[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert 0.4 < (guess == la[1000:]).mean() < 0.99
    images, fine = _scenes.generate(400, seed=4, num_classes=100)
    assert fine.max() <= 99 and len(set(fine.tolist())) > 90 and images.shape == (400, 32, 32, 3)


# -- DatasetFolder / ImageFolder --------------------------------------------------------------
@pytest.fixture
def image_tree(tmp_path):
    rng = np.random.default_rng(2)
    layout = {"cat": ["b.png", "a.jpg", "notes.txt"], "dog": ["z.png", "sub/c.bmp"], "emu": []}
    for cls, names in layout.items():
        (tmp_path / cls).mkdir()
        for name in names:
            path = tmp_path / cls / name
            path.parent.mkdir(exist_ok=True)
            if name.endswith(".txt"):
                path.write_text("not an image")
            else:
                Image.fromarray(rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)).save(path)
    (tmp_path / "loose.png").write_bytes(b"")  # files at the top are not classes
    return tmp_path


def test_image_folder_lists_classes_and_samples_as_torchvision(image_tree):
    ds = datasets.ImageFolder(str(image_tree), allow_empty=True)
    assert ds.classes == ["cat", "dog", "emu"]
    assert ds.class_to_idx == {"cat": 0, "dog": 1, "emu": 2}
    rel = [(os.path.relpath(p, image_tree), t) for p, t in ds.samples]
    assert rel == [("cat/a.jpg", 0), ("cat/b.png", 0), ("dog/z.png", 1), ("dog/sub/c.bmp", 1)]
    assert ds.targets == [0, 0, 1, 1] and ds.imgs is ds.samples and len(ds) == 4
    img, target = ds[3]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (7, 5)
    assert target == 1
    x, _ = datasets.ImageFolder(str(image_tree), transform=transforms.ToTensor(), allow_empty=True)[
        0
    ]
    assert tuple(x.shape) == (3, 5, 7)


def test_folder_errors_are_torchvisions(image_tree):
    with pytest.raises(FileNotFoundError) as info:
        datasets.ImageFolder(str(image_tree))
    assert str(info.value) == (
        "Found no valid file for the classes emu. Supported extensions are: .jpg, .jpeg, "
        ".png, .ppm, .bmp, .pgm, .tif, .tiff, .webp"
    )
    with pytest.raises(FileNotFoundError, match="^Couldn't find any class folder in "):
        folder.find_classes(str(image_tree / "cat"))  # files only, no class folders
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None"):
        folder.make_dataset(str(image_tree), extensions=(".png",), is_valid_file=lambda p: True)
    with pytest.raises(ValueError, match="'class_to_index' must have at least one entry"):
        folder.make_dataset(str(image_tree), class_to_idx={}, extensions=(".png",))
    with pytest.raises(ValueError, match="The class_to_idx parameter cannot be None."):
        datasets.DatasetFolder.make_dataset(str(image_tree), None, extensions=(".png",))


def test_dataset_folder_with_its_own_loader_and_filter(tmp_path):
    for cls, values in (("neg", [-1.0, -2.0]), ("pos", [3.0])):
        (tmp_path / cls).mkdir()
        for i, v in enumerate(values):
            np.save(tmp_path / cls / f"{i}.npy", np.full(2, v))
    ds = datasets.DatasetFolder(str(tmp_path), loader=np.load, extensions=(".npy",))
    assert [ds[i][0].tolist() for i in range(3)] == [[-1.0, -1.0], [-2.0, -2.0], [3.0, 3.0]]
    assert ds.targets == [0, 0, 1]
    only_first = datasets.DatasetFolder(
        str(tmp_path), loader=np.load, is_valid_file=lambda p: p.endswith("0.npy")
    )
    assert len(only_first) == 2 and only_first.extensions is None


def test_without_pillow_ppm_files_still_load(tmp_path, monkeypatch):
    monkeypatch.setattr(folder, "Image", None)
    (tmp_path / "a").mkdir()
    pixels = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    (tmp_path / "a" / "x.ppm").write_bytes(b"P6\n# made by a test\n3 2\n255\n" + pixels.tobytes())
    grey = np.array([[1, 2], [3, 4]], np.uint8)
    (tmp_path / "a" / "y.pgm").write_bytes(b"P5 2 2 255\n" + grey.tobytes())
    (tmp_path / "a" / "z.png").write_bytes(b"\x89PNG")
    ds = datasets.ImageFolder(str(tmp_path))
    np.testing.assert_array_equal(ds[0][0], pixels)
    np.testing.assert_array_equal(ds[1][0], np.repeat(grey[:, :, None], 3, axis=2))
    with pytest.raises(RuntimeError, match="needs Pillow, which is not installed"):
        ds[2]

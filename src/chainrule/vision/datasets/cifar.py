"""CIFAR-10 and CIFAR-100: 32 x 32 colour images read from CIFAR's python batches under
root/cifar-10-batches-py (root/cifar-100-python).

The batches are pickles, which can run code when loaded; they are read with a restricted
unpickler that builds only dicts, lists, strings, numbers and NumPy arrays, and refuses any
other object the file names. `data` is a uint8 array N x 32 x 32 x 3 (HWC) and `targets`
a list of ints, as in torchvision; items are (PIL image, label), or (HWC uint8 array,
label) without Pillow.

download=True fetches the archive, checks its MD5 and extracts only the batch files.
Offline, a stand-in is written instead (coloured shapes drawn by chainrule.vision._scenes,
with CIFAR's sizes, file format and class names), marked by a STANDIN.txt that also records
the stand-in files' MD5 sums, by which they are verified. Every run that reads a stand-in
says so in one short line on stderr, and a later run with download=True tries the real
archive again (once per process, with a short timeout) and, once it arrives, replaces the
stand-in.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tarfile
import urllib.request

import numpy as np

from .. import _scenes
from .vision import VisionDataset

try:
    from PIL import Image
except ImportError:  # Pillow is optional: images are then NumPy arrays
    Image = None

__all__ = ["CIFAR10", "CIFAR100"]

_STANDIN = "STANDIN.txt"
_STANDIN_SEED = 20250701
_STANDIN_SIZES = {"train": 50000, "test": 10000}  # CIFAR's
_RETRY_TIMEOUT = 3.0  # seconds to wait for the server when a stand-in is already there
_said = set()  # folders whose stand-in this process has announced
_retried = set()  # folders whose real archive this process has tried to fetch
_CIFAR10_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
]  # fmt: skip
_CIFAR100_CLASSES = """apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl
boy bridge bus butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud
cockroach couch crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl hamster
house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle
mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree
plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew
skunk skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank
telephone television tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf
woman worm""".split()
_CIFAR100_COARSE = """aquatic_mammals fish flowers food_containers fruit_and_vegetables
household_electrical_devices household_furniture insects large_carnivores
large_man-made_outdoor_things large_natural_outdoor_scenes large_omnivores_and_herbivores
medium_mammals non-insect_invertebrates people reptiles small_mammals trees vehicles_1
vehicles_2""".split()


# -- reading the batches -------------------------------------------------------------------------
class _BatchUnpickler(pickle.Unpickler):
    """Builds only what CIFAR batches hold: containers, strings, numbers and NumPy arrays."""

    # an array's constructor, its type and dtype; and the str -> bytes encoder protocol-2
    # pickles written by Python 3 use for bytes (a pure function)
    _ALLOWED = {
        ("_codecs", "encode"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module, name):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: a CIFAR batch holds only arrays, lists, "
                "strings and numbers"
            )
        import importlib

        return getattr(importlib.import_module(module), name)


def _load_batch(path):
    """The dict a CIFAR batch file holds (keys as str), read with the restricted unpickler."""
    with open(path, "rb") as f:
        entry = _BatchUnpickler(f, encoding="latin1").load()
    if not isinstance(entry, dict):
        raise RuntimeError(f"{path} is not a CIFAR batch (it holds a {type(entry).__name__})")
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in entry.items()}


def _md5(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class CIFAR10(VisionDataset):
    """CIFAR-10: 50,000 training and 10,000 test colour images of 32 x 32, ten classes."""

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {
        "filename": "batches.meta",
        "key": "label_names",
        "md5": "5ff9c542aee3614f3951f8cda6e48888",
    }
    # seconds to wait for the server
    timeout = 30.0

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(
                "Dataset not found or corrupted. You can use download=True to download it"
            )
        files = self.train_list if self.train else self.test_list
        data, self.targets = [], []
        for file_name, _ in files:
            entry = _load_batch(os.path.join(self.root, self.base_folder, file_name))
            data.append(np.asarray(entry["data"], dtype=np.uint8))
            self.targets.extend(int(t) for t in entry.get("labels", entry.get("fine_labels")))
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))  # to HWC
        self._load_meta()
        if self._standin_md5s() is not None and self._folder() not in _said:
            _said.add(self._folder())
            self._say("using chainrule's generated stand-in (drawn shapes), not the real data")

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not self._file_ok(self.meta["filename"], self.meta["md5"]):
            raise RuntimeError(
                "Dataset metadata file not found or corrupted. You can use download=True to "
                "download it"
            )
        self.classes = list(_load_batch(path)[self.meta["key"]])
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def __getitem__(self, index):
        img, target = self.data[index], self.targets[index]
        img = Image.fromarray(img) if Image is not None else img.copy()
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"

    # -- files ------------------------------------------------------------------------------
    def _folder(self):
        return os.path.join(self.root, self.base_folder)

    def _standin_md5s(self):
        """{file: md5} recorded by a stand-in, or None when the folder holds the real data."""
        path = os.path.join(self._folder(), _STANDIN)
        if not os.path.isfile(path):
            return None
        sums = {}
        with open(path) as f:
            for line in f:
                if line.startswith("md5 "):
                    _, name, digest = line.split()
                    sums[name] = digest
        return sums

    def _file_ok(self, name, md5):
        path = os.path.join(self._folder(), name)
        standin = self._standin_md5s()
        expected = standin.get(name) if standin is not None else md5
        return os.path.isfile(path) and expected is not None and _md5(path) == expected

    def _check_integrity(self):
        return all(self._file_ok(name, md5) for name, md5 in self.train_list + self.test_list)

    # -- download ---------------------------------------------------------------------------
    def download(self):
        """Fetch and extract the archive unless the files are there (a stand-in is retried
        once per process); offline, write the stand-in instead."""
        standin = self._standin_md5s() is not None
        if self._check_integrity() and (not standin or self._folder() in _retried):
            return
        _retried.add(self._folder())
        os.makedirs(self.root, exist_ok=True)
        timeout = min(self.timeout, _RETRY_TIMEOUT) if standin else self.timeout
        try:
            blob = self._fetch(timeout)
        except OSError as error:
            if not standin:
                _said.add(self._folder())
                reason = str(error).split(": ", 1)[-1][:80]
                self._say(
                    f"could not be downloaded ({reason}); using chainrule's generated "
                    "stand-in (drawn shapes) instead, not the real data"
                )
                self._write_standin()
            return
        if standin:
            os.remove(os.path.join(self._folder(), _STANDIN))
        self._extract(blob)
        if standin:
            self._say("downloaded the real files; they replace the generated stand-in")

    def _say(self, message):
        print(f"{type(self).__name__}: {message}", file=sys.stderr)

    def _fetch(self, timeout=None):
        try:
            with urllib.request.urlopen(self.url, timeout=timeout or self.timeout) as response:
                blob = response.read()
        except (OSError, ValueError) as error:
            raise OSError(f"{self.url}: {getattr(error, 'reason', error)}") from None
        if hashlib.md5(blob).hexdigest() != self.tgz_md5:
            raise OSError(f"{self.url}: MD5 checksum mismatch")
        return blob

    def _extract(self, blob):
        """Write the archive's batch and meta files (regular files in base_folder, nothing
        else) under root."""
        wanted = {name for name, _ in self.train_list + self.test_list} | {self.meta["filename"]}
        os.makedirs(self._folder(), exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as archive:
            for member in archive.getmembers():
                folder, _, name = member.name.rpartition("/")
                if member.isfile() and folder == self.base_folder and name in wanted:
                    with open(os.path.join(self._folder(), name), "wb") as out:
                        out.write(archive.extractfile(member).read())

    # -- the offline stand-in ---------------------------------------------------------------
    _num_classes = 10
    _labels_key = "labels"

    def _standin_meta(self):
        return {"label_names": _CIFAR10_CLASSES, "num_cases_per_batch": 10000, "num_vis": 3072}

    def _write_standin(self):
        folder = self._folder()
        os.makedirs(folder, exist_ok=True)
        files = self.train_list + self.test_list
        per_train_file = _STANDIN_SIZES["train"] // len(self.train_list)
        sizes = [per_train_file] * len(self.train_list) + [_STANDIN_SIZES["test"]]
        sums = {}
        for k, ((name, _), size) in enumerate(zip(files, sizes)):
            images, labels = _scenes.generate(size, _STANDIN_SEED + k, self._num_classes)
            entry = {
                "batch_label": f"chainrule stand-in {name}",
                self._labels_key: [int(v) for v in labels],
                "data": images.transpose(0, 3, 1, 2).reshape(size, 3072),  # CIFAR's layout
                "filenames": [f"standin_{i:05d}.png" for i in range(size)],
            }
            sums[name] = self._write_pickle(name, entry)
        sums[self.meta["filename"]] = self._write_pickle(
            self.meta["filename"], self._standin_meta()
        )
        with open(os.path.join(folder, _STANDIN), "w") as f:
            f.write(
                f"These files are NOT the real {type(self).__name__}. It could not be "
                "downloaded when they were written, so\nchainrule wrote an offline stand-in: "
                "drawn coloured shapes with its sizes, file format and\nclass names. The next "
                "run with download=True and network access replaces them\nwith the real "
                "data.\n"
            )
            f.writelines(f"md5 {name} {digest}\n" for name, digest in sums.items())

    def _write_pickle(self, name, entry):
        path = os.path.join(self._folder(), name)
        with open(path + ".part", "wb") as f:
            pickle.dump(entry, f, protocol=2)
        os.replace(path + ".part", path)
        return _md5(path)


class CIFAR100(CIFAR10):
    """CIFAR-100: like CIFAR-10 with 100 classes (fine labels; 600 images each)."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {
        "filename": "meta",
        "key": "fine_label_names",
        "md5": "7973b15100ade9c7d40fb424638fde48",
    }
    _num_classes = 100
    _labels_key = "fine_labels"

    def _standin_meta(self):
        return {"fine_label_names": _CIFAR100_CLASSES, "coarse_label_names": _CIFAR100_COARSE}

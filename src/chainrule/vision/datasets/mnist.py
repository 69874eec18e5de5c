"""MNIST: handwritten digits read from the four IDX files under root/MNIST/raw.

Items are (image, label): the image a PIL Image of mode 'L' when Pillow is installed,
otherwise a 28 x 28 uint8 NumPy array (which the transforms accept too).

download=True fetches the files from the mirrors and checks their MD5 sums. Where that
fails (no network), an offline stand-in is written in their place: procedurally drawn
digits with MNIST's shapes and types (chainrule.vision._digits), stored as the same IDX
files and marked as generated (STANDIN.txt beside them). Every run that reads the
stand-in says so in one short line on stderr, and a later run with download=True tries
the real files again and, once they arrive, replaces the stand-in with them.
"""

import gzip
import hashlib
import os
import sys
import urllib.request
import warnings

import numpy as np

from chainrule.tensor import Tensor

from .. import _digits
from . import _idx
from .vision import VisionDataset

try:
    from PIL import Image
except ImportError:  # Pillow is optional: images are then NumPy arrays
    Image = None

# Samples in the offline stand-in's splits (MNIST's), and the seeds that draw them.
_STANDIN_SIZES = {"train": 60000, "t10k": 10000}
_STANDIN_SEEDS = {"train": 20250601, "t10k": 20250602}
_STANDIN_MARK = "STANDIN.txt"
# Seconds to wait for a mirror when a stand-in is already there: the retry of every later
# run stays short when the network is still missing.
_RETRY_TIMEOUT = 3.0
_said = set()  # raw folders whose stand-in this process has announced
_retried = set()  # raw folders whose real files this process has tried to fetch
_STANDIN_NOTE = """\
These IDX files are NOT the real MNIST. MNIST could not be downloaded when they were
written, so chainrule wrote an offline stand-in: procedurally drawn handwritten-looking
digits with MNIST's shapes and types (28x28 uint8 images, labels 0-9, 60000 training and
10000 test samples). The next run with download=True and network access replaces them
with the real MNIST (and removes this note).
"""


class MNIST(VisionDataset):
    """The MNIST digits: 60,000 training and 10,000 test images of 28 x 28 pixels."""

    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    # seconds to wait for a mirror before trying the next one
    timeout = 10.0

    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]

    classes = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()
        if self._is_standin() and self.raw_folder not in _said:
            _said.add(self.raw_folder)
            _say("using chainrule's generated stand-in digits, not the real MNIST")

    # -- files ----------------------------------------------------------------------------
    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def _raw_path(self, filename):
        """Where a resource lives once extracted (its name without .gz)."""
        return os.path.join(self.raw_folder, os.path.splitext(filename)[0])

    def _check_exists(self):
        return all(_idx.find(self._raw_path(name)) for name, _ in self.resources)

    def _is_standin(self):
        return os.path.isfile(os.path.join(self.raw_folder, _STANDIN_MARK))

    def _load_data(self):
        split = "train" if self.train else "t10k"
        images = _idx.read(_idx.find(self._raw_path(f"{split}-images-idx3-ubyte")))
        labels = _idx.read(_idx.find(self._raw_path(f"{split}-labels-idx1-ubyte")))
        if images.dtype != np.uint8 or images.ndim != 3:
            raise RuntimeError(f"expected uint8 images of 3 dimensions, got {images.dtype}")
        if labels.dtype != np.uint8 or labels.ndim != 1 or len(labels) != len(images):
            raise RuntimeError("expected one uint8 label per image")
        return Tensor._wrap(images), Tensor._wrap(labels.astype(np.int64))

    # -- download -------------------------------------------------------------------------
    def download(self):
        """Fetch the four files unless present (a stand-in is retried once per process);
        offline, write the stand-in instead."""
        standin = self._is_standin()
        if self._check_exists() and (not standin or self.raw_folder in _retried):
            return
        _retried.add(self.raw_folder)
        os.makedirs(self.raw_folder, exist_ok=True)
        timeout = min(self.timeout, _RETRY_TIMEOUT) if standin else self.timeout
        try:
            blobs = [self._fetch(name, md5, timeout) for name, md5 in self.resources]
        except OSError as error:
            if not standin:
                _said.add(self.raw_folder)
                _say(
                    f"could not be downloaded ({_short(error)}); using chainrule's generated "
                    "stand-in digits instead, not the real MNIST"
                )
                self._write_standin()
            return
        for (name, _), blob in zip(self.resources, blobs):
            with open(os.path.join(self.raw_folder, name), "wb") as f:
                f.write(blob)
            with open(self._raw_path(name), "wb") as f:
                f.write(gzip.decompress(blob))
        if standin:
            os.remove(os.path.join(self.raw_folder, _STANDIN_MARK))
            _say("downloaded the real digits; they replace the generated stand-in")

    def _fetch(self, name, md5, timeout=None):
        """The bytes of one resource from the first mirror that serves them intact."""
        reasons = []
        for mirror in self.mirrors:
            url = f"{mirror}{name}"
            try:
                with urllib.request.urlopen(url, timeout=timeout or self.timeout) as response:
                    blob = response.read()
            except (OSError, ValueError) as error:
                reasons.append(f"{url}: {getattr(error, 'reason', error)}")
                continue
            if hashlib.md5(blob).hexdigest() == md5:
                return blob
            reasons.append(f"{url}: MD5 checksum mismatch")
        raise OSError("; ".join(reasons) or "no mirrors to try")

    def _write_standin(self):
        for split in ("train", "t10k"):
            images_path = self._raw_path(f"{split}-images-idx3-ubyte")
            labels_path = self._raw_path(f"{split}-labels-idx1-ubyte")
            if _idx.find(images_path) and _idx.find(labels_path):
                continue
            images, labels = _digits.generate(_STANDIN_SIZES[split], _STANDIN_SEEDS[split])
            _idx.write(images_path + ".gz", images)
            _idx.write(labels_path + ".gz", labels.astype(np.uint8))
        with open(os.path.join(self.raw_folder, _STANDIN_MARK), "w") as f:
            f.write(_STANDIN_NOTE)

    # -- items ----------------------------------------------------------------------------
    def __getitem__(self, index):
        if isinstance(index, Tensor):
            index = index.item()
        data, targets = self.data, self.targets
        images = data._data if isinstance(data, Tensor) else np.asarray(data)
        labels = targets._data if isinstance(targets, Tensor) else np.asarray(targets)
        img, target = images[index], int(labels[index])
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

    # the names older code uses
    @property
    def train_labels(self):
        warnings.warn("train_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def test_labels(self):
        warnings.warn("test_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def train_data(self):
        warnings.warn("train_data has been renamed data", stacklevel=2)
        return self.data

    @property
    def test_data(self):
        warnings.warn("test_data has been renamed data", stacklevel=2)
        return self.data


def _say(message):
    print(f"MNIST: {message}", file=sys.stderr)


def _short(error):
    """The first reason in a download error, without its URL."""
    first = str(error).split("; ")[0]
    return first.split(": ", 1)[-1][:80]


# FashionMNIST and KMNIST: MNIST's siblings, found here as in torchvision
from ._mnist_siblings import KMNIST, FashionMNIST  # noqa: E402, F401

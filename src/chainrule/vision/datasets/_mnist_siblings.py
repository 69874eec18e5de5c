"""FashionMNIST and KMNIST: MNIST's file format and sizes (four IDX files under
root/<ClassName>/raw), their own mirrors, checksums and classes.

Offline, download=True writes a generated stand-in with the data set's shapes and types,
marked as such by a STANDIN.txt beside the files: drawn clothing silhouettes for
FashionMNIST (chainrule.vision._clothes), drawn digit strokes standing for the ten
characters for KMNIST (chainrule.vision._digits). Every run that reads a stand-in says so in
one short line on stderr, and a later run with download=True tries the real files again
(once per process, with a short timeout) and, once they arrive, replaces the stand-in.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import urllib.request

import numpy as np

from .. import _clothes, _digits
from . import _idx
from .mnist import MNIST
from .vision import VisionDataset

__all__ = ["FashionMNIST", "KMNIST"]

_SIZES = {"train": 60000, "t10k": 10000}
_MARK = "STANDIN.txt"
_RETRY_TIMEOUT = 3.0  # seconds per mirror when a stand-in is already there
_said = set()  # raw folders whose stand-in this process has announced
_retried = set()  # raw folders whose real files this process has tried to fetch


class _StandInMNIST(MNIST):
    """An MNIST-format data set whose offline stand-in is drawn by _draw(n, seed)."""

    _what = "drawn images"
    _seeds = {"train": 0, "t10k": 1}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        # MNIST's own steps, with this class's download and stand-in notice
        VisionDataset.__init__(self, root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()
        if self._is_standin() and self.raw_folder not in _said:
            _said.add(self.raw_folder)
            self._say(f"using chainrule's generated stand-in ({self._what}), not the real data")

    def _is_standin(self):
        return os.path.isfile(os.path.join(self.raw_folder, _MARK))

    def _say(self, message):
        print(f"{type(self).__name__}: {message}", file=sys.stderr)

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
            blobs = [self._fetch_one(name, md5, timeout) for name, md5 in self.resources]
        except OSError as error:
            if not standin:
                _said.add(self.raw_folder)
                reason = str(error).split("; ")[0].split(": ", 1)[-1][:80]
                self._say(
                    f"could not be downloaded ({reason}); using chainrule's generated "
                    f"stand-in ({self._what}) instead, not the real data"
                )
                self._write_standin()
            return
        for (name, _), blob in zip(self.resources, blobs):
            with open(os.path.join(self.raw_folder, name), "wb") as f:
                f.write(blob)
            with open(self._raw_path(name), "wb") as f:
                f.write(gzip.decompress(blob))
        if standin:
            os.remove(os.path.join(self.raw_folder, _MARK))
            self._say("downloaded the real files; they replace the generated stand-in")

    def _fetch_one(self, name, md5, timeout):
        """The bytes of one resource from the first mirror that serves them intact."""
        reasons = []
        for mirror in self.mirrors:
            url = f"{mirror}{name}"
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
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
            images, labels = self._draw(_SIZES[split], self._seeds[split])
            _idx.write(images_path + ".gz", images)
            _idx.write(labels_path + ".gz", labels.astype(np.uint8))
        name = type(self).__name__
        with open(os.path.join(self.raw_folder, _MARK), "w") as f:
            f.write(
                f"These IDX files are NOT the real {name}. {name} could not be downloaded "
                "when they were\nwritten, so chainrule wrote an offline stand-in: "
                f"{self._what} with {name}'s shapes and\ntypes (28x28 uint8 images, labels "
                "0-9, 60000 training and 10000 test samples). The next\nrun with "
                f"download=True and network access replaces them with the real {name}.\n"
            )


class FashionMNIST(_StandInMNIST):
    """Fashion-MNIST: 28 x 28 grey images of ten kinds of clothing."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
    _what = "drawn clothing silhouettes"
    _seeds = {"train": 20250611, "t10k": 20250612}

    @staticmethod
    def _draw(n, seed):
        return _clothes.generate(n, seed)


class KMNIST(_StandInMNIST):
    """Kuzushiji-MNIST: 28 x 28 grey images of ten cursive Japanese characters."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
    # not kuzushiji: drawn digit strokes, each digit standing for one character class
    _what = "drawn handwritten-looking strokes (digit shapes standing for the characters)"
    _seeds = {"train": 20250621, "t10k": 20250622}

    @staticmethod
    def _draw(n, seed):
        return _digits.generate(n, seed)

"""The bits of torchvision the MNIST lessons use (datasets.MNIST, transforms.Compose,
ToTensor, Normalize), for PyTorch installs without torchvision. Not a lesson itself.

The lessons import torchvision when it is installed; under `chainrule run`, torchvision
is chainrule.vision. This fallback reads the same IDX files under root/MNIST/raw and gives
the same tensors (ToTensor: uint8 / 255 in float32; Normalize: (x - mean) / std). Missing
files are fetched, or drawn offline, by chainrule.vision's MNIST, so both libraries
train on the same data.
"""

import gzip
import os
import sys
import types

import numpy as np
import torch
from torch.utils.data import Dataset

_said = set()  # folders whose stand-in this run has announced
_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _find(path):
    for candidate in (path, path + ".gz"):
        if os.path.isfile(candidate):
            return candidate
    return None


def _read_idx(path):
    """The array in an IDX file: zero, zero, a type code and the rank, then big-endian
    dimensions, then the values."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        blob = f.read()
    if blob[:2] != b"\0\0" or blob[2] not in _TYPES:
        raise RuntimeError(f"{path} is not an IDX file")
    dims = np.frombuffer(blob, ">i4", count=blob[3], offset=4)
    data = np.frombuffer(blob, _TYPES[blob[2]], offset=4 + 4 * blob[3])
    return data.reshape(dims).astype(np.dtype(_TYPES[blob[2]]).newbyteorder("="))


class MNIST(Dataset):
    """(image, label) pairs: a 28 x 28 uint8 array (through transform) and an int."""

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        raw = os.path.join(root, "MNIST", "raw")
        split = "train" if train else "t10k"
        names = [
            os.path.join(raw, f"{split}-{kind}-ubyte") for kind in ("images-idx3", "labels-idx1")
        ]
        if not all(_find(name) for name in names):
            if not download:
                raise RuntimeError("Dataset not found. You can use download=True to download it")
            try:
                from chainrule.vision.datasets import MNIST as Fetcher
            except ImportError:
                raise RuntimeError(
                    "MNIST is missing and neither torchvision nor chainrule is installed to "
                    "fetch it"
                ) from None
            Fetcher(root, train=train, download=True)
        if os.path.isfile(os.path.join(raw, "STANDIN.txt")) and raw not in _said:
            _said.add(raw)
            print("MNIST: using chainrule's generated stand-in digits, not the real MNIST",
                  file=sys.stderr)  # fmt: skip
        self.data = torch.from_numpy(_read_idx(_find(names[0])))
        self.targets = torch.from_numpy(_read_idx(_find(names[1])).astype(np.int64))
        self.transform, self.target_transform = transform, target_transform

    def __getitem__(self, index):
        img, target = self.data[index].numpy(), int(self.targets[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img


class ToTensor:
    """H x W uint8 image -> 1 x H x W float32 tensor in [0, 1]."""

    def __call__(self, pic):
        array = np.array(pic, dtype=np.uint8)
        return torch.from_numpy(array).unsqueeze(0).float().div(255)


class Normalize:
    def __init__(self, mean, std):
        self.mean, self.std = mean, std

    def __call__(self, tensor):
        mean = torch.as_tensor(self.mean, dtype=tensor.dtype).view(-1, 1, 1)
        std = torch.as_tensor(self.std, dtype=tensor.dtype).view(-1, 1, 1)
        return tensor.sub(mean).div(std)


datasets = types.SimpleNamespace(MNIST=MNIST)
transforms = types.SimpleNamespace(Compose=Compose, ToTensor=ToTensor, Normalize=Normalize)

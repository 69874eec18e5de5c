"""Image functions behind the transforms, for the three kinds of image they accept.

A PIL Image (when Pillow is installed) is handled with Pillow. A chainrule Tensor image
is [..., C, H, W] and is handled with Tensor operations, so gradients flow through
resize, crop, pad and flip. A NumPy array is H x W or H x W x C, the form MNIST's images
take when Pillow is missing, and is handled with NumPy.
"""

import numbers
from enum import Enum

import numpy as np

import chainrule
from chainrule.tensor import Tensor

try:
    from PIL import Image
except ImportError:  # Pillow is optional: images are then NumPy arrays
    Image = None


class InterpolationMode(Enum):
    """How resize computes new pixels (the values are PyTorch's names for them)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {"nearest": 0, "lanczos": 1, "bilinear": 2, "bicubic": 3, "box": 4, "hamming": 5}


def _is_pil(img):
    return Image is not None and isinstance(img, Image.Image)


def _unexpected(img):
    return TypeError(f"Unexpected type {type(img)}")


def get_dimensions(img):
    """[channels, height, width] of an image."""
    if isinstance(img, Tensor):
        if img.ndim < 2:
            raise TypeError("Tensor is not a torch image.")
        channels = 1 if img.ndim == 2 else img.shape[-3]
        return [channels, img.shape[-2], img.shape[-1]]
    if _is_pil(img):
        return [len(img.getbands()), img.height, img.width]
    if isinstance(img, np.ndarray) and img.ndim in (2, 3):
        return [1 if img.ndim == 2 else img.shape[2], img.shape[0], img.shape[1]]
    raise _unexpected(img)


_BYTE_MODES = ("L", "LA", "RGB", "RGBA", "CMYK")


# -- conversion ---------------------------------------------------------------------------
def to_tensor(pic):
    """A PIL Image or H x W (x C) array as a C x H x W tensor; uint8 is scaled to [0, 1]."""
    if _is_pil(pic):
        if pic.mode in _BYTE_MODES:  # raw bytes: twice as fast as np.array(pic)
            array = np.frombuffer(pic.tobytes(), np.uint8).reshape(pic.height, pic.width, -1)
        else:
            array = np.array(pic)
        if pic.mode == "1":
            array = 255 * array.astype(np.uint8)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if array.ndim == 2:
        array = array[:, :, None]
    array = np.ascontiguousarray(array.transpose(2, 0, 1))
    if array.dtype == np.uint8:
        kind = chainrule.get_default_dtype().np
        array = array.astype(kind) / kind.type(255)
    return Tensor._wrap(array)


def to_pil_image(pic, mode=None):
    """A C x H x W tensor or H x W x C array as a PIL Image (floats are scaled by 255)."""
    if Image is None:
        raise ModuleNotFoundError("to_pil_image needs Pillow (pip install pillow)")
    if isinstance(pic, Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic.unsqueeze(0)
        if pic.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-3]} channels.")
        array = pic.detach().numpy()
        if array.dtype.kind == "f" and mode != "F":
            array = (array * array.dtype.type(255)).astype(np.uint8)
        array = array.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
        if array.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {array.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if array.shape[2] == 1:
        array = array[:, :, 0]
        expected = {"uint8": "L", "int16": "I;16", "int32": "I", "float32": "F"}.get(
            array.dtype.name
        )
        if mode is not None and mode != expected:
            raise ValueError(
                f"Incorrect mode ({mode}) supplied for input type {array.dtype}. "
                f"Should be {expected}"
            )
        mode = expected
    elif mode is None:
        mode = {2: "LA", 3: "RGB", 4: "RGBA"}[array.shape[2]] if array.dtype == np.uint8 else None
    if mode is None:
        raise TypeError(f"Input type {array.dtype} is not supported")
    image = Image.fromarray(np.ascontiguousarray(array))
    return image if image.mode == mode else image.convert(mode)


# -- pixel values -------------------------------------------------------------------------
def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean) / std per channel of a float [..., C, H, W] tensor."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError(
            "Expected tensor to be a tensor image of size (..., C, H, W). Got "
            f"tensor.size() = {tensor.size()}"
        )
    kind = tensor._data.dtype
    mean = np.asarray(mean, dtype=kind)
    std = np.asarray(std, dtype=kind)
    if not std.all():
        raise ValueError(
            f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by "
            "zero."
        )
    if mean.ndim == 1:
        mean = mean.reshape(-1, 1, 1)
    if std.ndim == 1:
        std = std.reshape(-1, 1, 1)
    if mean.ndim or std.ndim:
        try:
            shape = np.broadcast_shapes(tensor._data.shape, mean.shape, std.shape)
        except ValueError:
            shape = None  # the arithmetic below raises PyTorch's error for these
        if shape is not None and shape != tensor._data.shape:
            # PyTorch writes into the image in place (also on its copy), so it cannot grow
            raise RuntimeError(
                f"output with shape {list(tensor.shape)} doesn't match the broadcast shape "
                f"{list(shape)}"
            )
    mean, std = Tensor._wrap(mean), Tensor._wrap(std)
    if inplace:
        return tensor.sub_(mean).div_(std)
    return (tensor - mean) / std  # the same values as on a copy, in a quarter of the time


# -- geometry -----------------------------------------------------------------------------
def hflip(img):
    """The image mirrored left to right."""
    if isinstance(img, Tensor):
        return img.flip(-1)
    if _is_pil(img):
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if isinstance(img, np.ndarray):
        return np.ascontiguousarray(img[:, ::-1])
    raise _unexpected(img)


def vflip(img):
    """The image mirrored top to bottom."""
    if isinstance(img, Tensor):
        return img.flip(-2)
    if _is_pil(img):
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    if isinstance(img, np.ndarray):
        return np.ascontiguousarray(img[::-1])
    raise _unexpected(img)


def crop(img, top, left, height, width):
    """The height x width window at (top, left); parts outside the image are zeros."""
    _, h, w = get_dimensions(img)
    if _is_pil(img):
        return img.crop((left, top, left + width, top + height))
    if left < 0 or top < 0 or left + width > w or top + height > h:
        ltrb = [max(-left, 0), max(-top, 0), max(left + width - w, 0), max(top + height - h, 0)]
        img = pad(img, ltrb, fill=0)
        top, left = max(top, 0), max(left, 0)
    if isinstance(img, Tensor):
        return img[..., top : top + height, left : left + width]
    return np.ascontiguousarray(img[top : top + height, left : left + width])


def center_crop(img, output_size):
    """The central window of the given size (the image is zero-padded if smaller)."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, h, w = get_dimensions(img)
    th, tw = output_size
    if tw > w or th > h:
        ltrb = [
            (tw - w) // 2 if tw > w else 0,
            (th - h) // 2 if th > h else 0,
            (tw - w + 1) // 2 if tw > w else 0,
            (th - h + 1) // 2 if th > h else 0,
        ]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if tw == w and th == h:
            return img
    return crop(img, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw)


def _pad_sides(padding):
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if isinstance(padding, numbers.Number):
        return [int(padding)] * 4
    if len(padding) not in (1, 2, 4):
        raise ValueError(
            f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} "
            "element tuple"
        )
    if len(padding) == 1:
        return [int(padding[0])] * 4
    if len(padding) == 2:
        return [int(padding[0]), int(padding[1])] * 2
    return [int(p) for p in padding]


_NUMPY_PAD_MODES = {"edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders: padding is one int, (left/right, top/bottom) or (l, t, r, b)."""
    if not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    left, top, right, bottom = _pad_sides(padding)
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if min(left, top, right, bottom) < 0:  # a negative padding crops that side
        _, h, w = get_dimensions(img)
        cut = [min(p, 0) for p in (left, top, right, bottom)]
        img = crop(img, -cut[1], -cut[0], h + cut[1] + cut[3], w + cut[0] + cut[2])
        left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    if isinstance(img, Tensor):
        return _pad_tensor(img, left, top, right, bottom, fill, padding_mode)
    if _is_pil(img):
        out = _pad_array(np.asarray(img), left, top, right, bottom, fill, padding_mode)
        padded = Image.fromarray(out, mode=img.mode) if img.mode != "P" else Image.fromarray(out)
        if img.mode == "P":
            padded.putpalette(img.getpalette())
        return padded
    if isinstance(img, np.ndarray):
        return _pad_array(img, left, top, right, bottom, fill, padding_mode)
    raise _unexpected(img)


def _pad_array(a, left, top, right, bottom, fill, mode):
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (a.ndim - 2)
    if mode != "constant":
        return np.pad(a, widths, mode=_NUMPY_PAD_MODES[mode])
    out = np.empty((a.shape[0] + top + bottom, a.shape[1] + left + right) + a.shape[2:], a.dtype)
    out[...] = np.asarray(fill, dtype=a.dtype)  # a tuple fill is one value per channel
    out[top : top + a.shape[0], left : left + a.shape[1]] = a
    return out


def _pad_tensor(img, left, top, right, bottom, fill, mode):
    if not isinstance(fill, numbers.Number):
        raise TypeError("Got inappropriate fill arg")
    h, w = img.shape[-2:]
    if mode == "constant":
        lead = tuple(img.shape[:-2])

        def block(rows, cols):
            return chainrule.full(lead + (rows, cols), fill, dtype=img.dtype)

        middle = [block(h, left), img, block(h, right)] if left or right else [img]
        rows = [
            block(top, w + left + right),
            chainrule.cat(middle, -1),
            block(bottom, w + left + right),
        ]
        return chainrule.cat([r for r in rows if r.shape[-2]], -2)
    # other modes repeat pixels of the image: NumPy's pad of the index ranges says which
    rows = np.pad(np.arange(h), (top, bottom), mode=_NUMPY_PAD_MODES[mode])
    cols = np.pad(np.arange(w), (left, right), mode=_NUMPY_PAD_MODES[mode])
    return img.index_select(-2, Tensor._wrap(rows)).index_select(-1, Tensor._wrap(cols))


# -- resize -------------------------------------------------------------------------------
def _output_size(h, w, size, max_size):
    if isinstance(size, int):
        size = [size]
    if max_size is not None and len(size) != 1:
        raise ValueError(
            "max_size should only be passed if size specifies the length of the smaller edge, "
            "i.e. size should be an int or a sequence of length 1 in torchscript mode."
        )
    if len(size) == 2:
        return [int(size[0]), int(size[1])]
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = int(size[0]), int(int(size[0]) * long / short)
    if max_size is not None:
        if max_size <= new_short:
            raise ValueError(
                f"max_size = {max_size} must be strictly greater than the requested size for "
                f"the smaller edge size = {size}"
            )
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def _resize_weights(n_in, n_out, mode, antialias):
    """The (n_out, n_in) matrix that resamples one axis.

    Bilinear is a triangle filter about each output pixel's centre; with antialias and
    fewer output pixels it is widened by the scale, as PyTorch's antialiased resize (and
    Pillow's) does, so every input pixel contributes. Weights outside the image are
    dropped and each row renormalised, which clamps at the borders as PyTorch does.
    """
    scale = n_in / n_out
    out = np.arange(n_out)
    weights = np.zeros((n_out, n_in))
    if mode == "nearest":
        weights[out, np.minimum(np.floor(out * scale).astype(np.int64), n_in - 1)] = 1.0
        return weights
    if mode == "nearest-exact":
        weights[out, np.minimum(np.floor((out + 0.5) * scale).astype(np.int64), n_in - 1)] = 1.0
        return weights
    support = scale if antialias and scale > 1 else 1.0
    centre = (out + 0.5) * scale
    distance = np.abs(np.arange(n_in)[None, :] + 0.5 - centre[:, None]) / support
    weights = np.maximum(0.0, 1.0 - distance)
    return weights / weights.sum(axis=1, keepdims=True)


def _mode_name(interpolation):
    mode = InterpolationMode(interpolation).value
    if mode not in ("nearest", "nearest-exact", "bilinear"):
        raise NotImplementedError(
            f"resize with interpolation={mode} is supported for PIL Images only; chainrule "
            "resizes tensors and arrays with nearest, nearest-exact or bilinear"
        )
    return mode


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """The image resized to size: (h, w), or an int for the smaller edge (aspect kept)."""
    _, h, w = get_dimensions(img)
    out_h, out_w = _output_size(h, w, size, max_size)
    if [h, w] == [out_h, out_w]:
        return img
    if _is_pil(img):
        return img.resize((out_w, out_h), _PIL_FILTERS[InterpolationMode(interpolation).value])
    mode = _mode_name(interpolation)
    wh = _resize_weights(h, out_h, mode, antialias)
    ww = _resize_weights(w, out_w, mode, antialias)
    if isinstance(img, Tensor):
        source = img if img.is_floating_point() else img.to(chainrule.float32)
        kind = source._data.dtype
        out = Tensor._wrap(wh.astype(kind)) @ source @ Tensor._wrap(ww.T.astype(kind))
        if img.is_floating_point():
            return out
        info = np.iinfo(img._data.dtype)
        return out.round().clamp(info.min, info.max).to(img.dtype)
    # an H x W (x C) array: resample rows, then columns
    out = np.tensordot(wh, img.astype(np.float64), axes=(1, 0))
    out = np.moveaxis(np.tensordot(ww, out, axes=(1, 1)), 0, 1)
    if img.dtype.kind in "iub":
        info = np.iinfo(img.dtype)
        return np.clip(np.round(out), info.min, info.max).astype(img.dtype)
    return out.astype(img.dtype)


__all__ = [
    "InterpolationMode",
    "center_crop",
    "crop",
    "get_dimensions",
    "hflip",
    "normalize",
    "pad",
    "resize",
    "to_pil_image",
    "to_tensor",
    "vflip",
]

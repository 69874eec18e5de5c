"""Transforms: values against hand-computed expectations and PyTorch, reprs, errors, seeding."""

import numpy as np
import pytest

import chainrule
from chainrule.vision import transforms as T
from chainrule.vision.transforms import functional as F

Image = pytest.importorskip("PIL.Image")


def _tensor(array):
    return chainrule.tensor(np.asarray(array))


# -- ToTensor -----------------------------------------------------------------------------
def test_to_tensor_scales_uint8_and_moves_channels_first():
    a = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10  # H x W x C
    t = T.ToTensor()(a)
    assert t.dtype is chainrule.float32
    assert tuple(t.shape) == (3, 2, 3)
    np.testing.assert_array_equal(t.numpy(), a.transpose(2, 0, 1).astype(np.float32) / 255)
    assert t.numpy()[2, 1, 2] == np.float32(170) / np.float32(255)


def test_to_tensor_of_grayscale_array_and_pil_image_agree():
    a = np.array([[0, 255, 128], [1, 2, 3]], dtype=np.uint8)
    from_array = T.ToTensor()(a)
    from_pil = T.ToTensor()(Image.fromarray(a))
    assert tuple(from_array.shape) == (1, 2, 3)
    np.testing.assert_array_equal(from_pil.numpy(), from_array.numpy())
    assert from_pil.numpy()[0, 0, 1] == 1.0


def test_to_tensor_leaves_float_arrays_unscaled():
    a = np.full((2, 2), 3.5, dtype=np.float64)
    t = T.ToTensor()(a)
    assert t.dtype is chainrule.float64
    np.testing.assert_array_equal(t.numpy(), np.full((1, 2, 2), 3.5))


def test_to_tensor_rejects_other_inputs():
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([1, 2])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 1 dimensions."):
        T.ToTensor()(np.zeros(3, np.uint8))


def test_to_tensor_matches_pytorch_on_rgb(torch):
    a = np.random.default_rng(0).integers(0, 256, (4, 5, 3), dtype=np.uint8)
    expected = torch.from_numpy(a.transpose(2, 0, 1).copy()).float().div(255).numpy()
    np.testing.assert_array_equal(T.ToTensor()(Image.fromarray(a)).numpy(), expected)


# -- Normalize ----------------------------------------------------------------------------
def test_normalize_per_channel():
    x = _tensor(np.ones((2, 2, 2), np.float32))
    out = T.Normalize((0.5, 0.25), (0.5, 0.25))(x)
    np.testing.assert_allclose(out.numpy()[0], 1.0)
    np.testing.assert_allclose(out.numpy()[1], 3.0)
    assert x.numpy().max() == 1.0  # not in place by default


def test_normalize_scalar_and_inplace():
    x = _tensor(np.full((1, 2, 2), 0.75, np.float32))
    out = T.Normalize(0.5, 0.5, inplace=True)(x)
    assert out is x
    np.testing.assert_allclose(x.numpy(), 0.5)


def test_normalize_matches_pytorch(torch):
    a = np.random.default_rng(1).random((3, 4, 4), dtype=np.float32)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    m = torch.tensor(mean).view(-1, 1, 1)
    s = torch.tensor(std).view(-1, 1, 1)
    expected = torch.from_numpy(a).sub(m).div(s).numpy()
    np.testing.assert_array_equal(T.Normalize(mean, std)(_tensor(a)).numpy(), expected)


def test_normalize_errors():
    x = _tensor(np.zeros((1, 2, 2), np.float32))
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to torch.float32"):
        T.Normalize((0.5,), (0.0,))(x)
    for inplace in (False, True):
        with pytest.raises(RuntimeError, match=r"output with shape \[1, 2, 2\] doesn't match the"):
            T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5), inplace=inplace)(x)
    with pytest.raises(RuntimeError):
        T.Normalize((0.5, 0.5), (0.5, 0.5))(_tensor(np.zeros((3, 2, 2), np.float32)))
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        T.Normalize(0.5, 0.5)(_tensor(np.zeros((1, 2, 2), np.uint8)))
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size \(..., C"):
        T.Normalize(0.5, 0.5)(_tensor(np.zeros((2, 2), np.float32)))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        T.Normalize(0.5, 0.5)(np.zeros((1, 2, 2), np.float32))


# -- Resize -------------------------------------------------------------------------------
def test_resize_int_matches_the_smaller_edge():
    x = _tensor(np.zeros((1, 20, 40), np.float32))
    assert tuple(T.Resize(10)(x).shape) == (1, 10, 20)
    assert tuple(T.Resize((7, 9))(x).shape) == (1, 7, 9)
    assert tuple(T.Resize([5])(x).shape) == (1, 5, 10)
    assert tuple(T.Resize(10, max_size=15)(x).shape) == (1, 7, 15)
    img = Image.fromarray(np.zeros((20, 40), np.uint8))
    assert T.Resize(10)(img).size == (20, 10)  # PIL sizes are (width, height)
    assert T.Resize(10)(np.zeros((40, 20, 3), np.uint8)).shape == (20, 10, 3)


def test_resize_bilinear_by_hand():
    # upsampling 2 -> 4: output centres at 0.25, 0.75, 1.25, 1.75 in input pixel units
    x = _tensor(np.array([[[0.0, 4.0]]], np.float32))
    out = T.Resize((1, 4))(x)
    np.testing.assert_allclose(out.numpy(), [[[0.0, 1.0, 3.0, 4.0]]])
    # downsampling 4 -> 2 with antialias: a triangle twice as wide about centres 1 and 3,
    # weights (0.75, 0.75, 0.25, 0) and (0, 0.25, 0.75, 0.75), each divided by 1.75
    x = _tensor(np.array([[[0.0, 4.0, 8.0, 12.0]]], np.float32))
    np.testing.assert_allclose(T.Resize((1, 2))(x).numpy(), [[[20 / 7, 64 / 7]]], rtol=1e-6)


@pytest.mark.parametrize("size", [(5, 7), (13, 11), (8, 3)])
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_matches_pytorch(torch, size, antialias):
    a = np.random.default_rng(2).random((2, 9, 6), dtype=np.float32)
    expected = torch.nn.functional.interpolate(
        torch.from_numpy(a)[None], size=size, mode="bilinear", antialias=antialias
    )[0].numpy()
    out = T.Resize(size, antialias=antialias)(_tensor(a))
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-5)


def test_resize_is_differentiable():
    x = chainrule.rand(1, 6, 6, requires_grad=True)
    T.Resize(3)(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy().sum(), 9.0, rtol=1e-5)


def test_resize_argument_errors():
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        T.Resize((1, 2, 3))


# -- crops and flips ----------------------------------------------------------------------
def test_center_crop_and_padding_of_small_images():
    a = np.arange(25, dtype=np.float32).reshape(1, 5, 5)
    np.testing.assert_array_equal(T.CenterCrop(3)(_tensor(a)).numpy(), a[:, 1:4, 1:4])
    big = T.CenterCrop((7, 5))(_tensor(a)).numpy()
    assert big.shape == (1, 7, 5)
    np.testing.assert_array_equal(big[:, 1:6], a)
    assert big[:, 0].sum() == 0 and big[:, 6].sum() == 0


def test_random_crop_is_reproducible_under_manual_seed():
    a = np.arange(64, dtype=np.float32).reshape(1, 8, 8)
    crop = T.RandomCrop(4)
    chainrule.manual_seed(3)
    first = [crop(_tensor(a)).numpy() for _ in range(5)]
    chainrule.manual_seed(3)
    second = [crop(_tensor(a)).numpy() for _ in range(5)]
    for f, s in zip(first, second):
        np.testing.assert_array_equal(f, s)
        top, left = divmod(int(f[0, 0, 0]), 8)  # the window really is a window of a
        np.testing.assert_array_equal(f, a[:, top : top + 4, left : left + 4])
    assert len({f.tobytes() for f in first}) > 1


def test_random_crop_padding_and_pad_if_needed():
    a = np.ones((1, 4, 4), np.float32)
    out = T.RandomCrop(8, padding=2)(_tensor(a)).numpy()
    assert out.shape == (1, 8, 8) and out.sum() == 16  # zero border of 2 all round
    out = T.RandomCrop(6, pad_if_needed=True, fill=7)(_tensor(a)).numpy()
    assert out.shape == (1, 6, 6) and (out == 7).sum() == 36 - 16
    with pytest.raises(ValueError, match=r"Required crop size \(6, 6\) is larger than input"):
        T.RandomCrop(6)(_tensor(a))


@pytest.mark.parametrize("mode", ["edge", "reflect", "symmetric"])
def test_pad_modes_match_numpy_on_tensors_arrays_and_images(mode):
    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    expected = np.pad(a, ((2, 1), (1, 2)), mode=mode)
    np.testing.assert_array_equal(F.pad(a, [1, 2, 2, 1], padding_mode=mode), expected)
    t = F.pad(_tensor(a[None].astype(np.float32)), [1, 2, 2, 1], padding_mode=mode)
    np.testing.assert_array_equal(t.numpy()[0], expected)
    img = F.pad(Image.fromarray(a), [1, 2, 2, 1], padding_mode=mode)
    np.testing.assert_array_equal(np.asarray(img), expected)


def test_pad_errors():
    a = np.zeros((2, 2), np.uint8)
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge"):
        F.pad(a, 1, padding_mode="wrap")
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple"):
        F.pad(a, (1, 2, 3))
    with pytest.raises(TypeError, match="Got inappropriate padding arg"):
        F.pad(a, "1")


def test_random_crop_and_flip_on_pil_images_and_arrays():
    a = np.arange(36, dtype=np.uint8).reshape(6, 6)
    chainrule.manual_seed(0)
    from_pil = np.asarray(T.RandomCrop(4, padding=1)(Image.fromarray(a)))
    chainrule.manual_seed(0)
    from_array = T.RandomCrop(4, padding=1)(a)
    np.testing.assert_array_equal(from_pil, from_array)
    np.testing.assert_array_equal(np.asarray(F.hflip(Image.fromarray(a))), a[:, ::-1])
    np.testing.assert_array_equal(F.hflip(a), a[:, ::-1])


def test_random_horizontal_flip_probability_and_seed():
    x = _tensor(np.arange(6, dtype=np.float32).reshape(1, 2, 3))
    flipped = x.numpy()[..., ::-1]
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(x).numpy(), flipped)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(x).numpy(), x.numpy())
    flip = T.RandomHorizontalFlip()
    chainrule.manual_seed(11)
    first = [bool((flip(x).numpy() == flipped).all()) for _ in range(40)]
    chainrule.manual_seed(11)
    second = [bool((flip(x).numpy() == flipped).all()) for _ in range(40)]
    assert first == second and 5 < sum(first) < 35


# -- Compose, Lambda, ToPILImage, reprs ---------------------------------------------------
def test_compose_applies_in_order():
    log = []
    t = T.Compose([T.Lambda(lambda x: log.append("a") or x + 1), T.Lambda(lambda x: x * 10)])
    assert t(1) == 20 and log == ["a"]
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


def test_to_pil_image_round_trip():
    a = np.random.default_rng(4).integers(0, 256, (5, 6), dtype=np.uint8)
    img = T.ToPILImage()(T.ToTensor()(a))
    assert img.mode == "L" and img.size == (6, 5)
    np.testing.assert_array_equal(np.asarray(img), a)
    assert T.ToPILImage()(np.zeros((2, 2, 3), np.uint8)).mode == "RGB"


def test_reprs_match_pytorch_vision():
    t = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    assert repr(t) == "Compose(\n    ToTensor()\n    Normalize(mean=(0.1307,), std=(0.3081,))\n)"
    assert repr(T.Resize(32)) == (
        "Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)"
    )
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.CenterCrop(10)) == "CenterCrop(size=(10, 10))"
    assert repr(T.Lambda(abs)) == "Lambda()"
    assert repr(T.ToPILImage()) == "ToPILImage()"
    assert repr(T.ToPILImage(mode="L")) == "ToPILImage(mode=L)"


def test_transforms_are_modules_like_pytorch_vision():
    assert isinstance(T.Normalize(0.5, 0.5), chainrule.nn.Module)
    assert not isinstance(T.Compose([]), chainrule.nn.Module)

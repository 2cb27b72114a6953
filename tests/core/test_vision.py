"""attn_lib.vision: patches come out in reading order, go back exactly, and bad input is named."""

import numpy as np
import pytest

from attn_lib import patchify, unpatchify


def labelled_image(rows, cols, p, channels=None):
    """An image whose every pixel holds the index its patch should get in reading order."""
    labels = np.arange(rows * cols).reshape(rows, cols)                     # (rows, cols)
    image = np.kron(labels, np.ones((p, p)))                                # (rows*p, cols*p)
    return image if channels is None else np.repeat(image[..., None], channels, axis=2)


# ----------------------------------------------------------------------------------- patch order

@pytest.mark.parametrize("rows, cols, p", [(6, 6, 8), (2, 3, 4), (3, 2, 5), (1, 4, 2), (4, 1, 3)])
@pytest.mark.parametrize("channels", [None, 3])
def test_patches_come_row_by_row_left_to_right(rows, cols, p, channels):
    patches = patchify(labelled_image(rows, cols, p, channels), p)
    assert patches.shape == (rows * cols, p * p * (channels or 1))
    for k, patch in enumerate(patches):
        assert np.all(patch == k), f"patch {k} holds pixels of patches {np.unique(patch)}"


def test_each_patch_is_its_block_flattened(rng):
    image = rng.uniform(size=(16, 24, 3))
    p = 8
    patches = patchify(image, p)
    for k, patch in enumerate(patches):
        r, c = divmod(k, 24 // p)
        np.testing.assert_array_equal(patch, image[r * p:(r + 1) * p, c * p:(c + 1) * p].reshape(-1))


def test_inside_a_patch_pixels_go_row_by_row_with_their_channels_together(rng):
    image = rng.uniform(size=(4, 4, 3))
    first = patchify(image, 2)[0]                                  # the top-left 2 x 2 block
    np.testing.assert_array_equal(first[0:3], image[0, 0])         # pixel (0, 0): red, green, blue
    np.testing.assert_array_equal(first[3:6], image[0, 1])         # then the pixel to its right
    np.testing.assert_array_equal(first[6:9], image[1, 0])         # then the next pixel row


def test_grey_images_give_one_number_per_pixel(rng):
    image = rng.uniform(size=(12, 8))
    assert patchify(image, 4).shape == (6, 16)
    np.testing.assert_array_equal(patchify(image, 4), patchify(image[..., None], 4))


def test_patch_size_one_and_whole_image(rng):
    image = rng.uniform(size=(6, 6, 3))
    np.testing.assert_array_equal(patchify(image, 1), image.reshape(36, 3))
    np.testing.assert_array_equal(patchify(image, 6), image.reshape(1, -1))


def test_integer_images_are_accepted_as_floats():
    image = np.arange(16).reshape(4, 4)
    out = patchify(image, 2)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[1], [2, 3, 6, 7])


# ------------------------------------------------------------------------------------ round trip

@pytest.mark.parametrize("shape, p", [((48, 48, 3), 8), ((16, 24, 3), 4), ((8, 12), 2), ((10, 5), 5),
                                      ((6, 6, 1), 3), ((7, 7, 3), 1), ((9, 9), 9)])
def test_unpatchify_undoes_patchify(rng, shape, p):
    image = rng.uniform(size=shape)
    patches = patchify(image, p)
    back = unpatchify(patches, image.shape, p)
    assert back.shape == image.shape
    np.testing.assert_array_equal(back, image)


def test_patchify_undoes_unpatchify(rng):
    patches = rng.uniform(size=(6, 4 * 4 * 3))
    np.testing.assert_array_equal(patchify(unpatchify(patches, (8, 12, 3), 4), 4), patches)


def test_patchify_does_not_change_its_input(rng):
    image = rng.uniform(size=(8, 8, 3))
    copy = image.copy()
    patchify(image, 4)[:] = 0.0
    np.testing.assert_array_equal(image, copy)


# ------------------------------------------------------------------------------------ bad input

@pytest.mark.parametrize("shape, p, size", [((48, 48, 3), 5, "48 x 48"), ((48, 48), 10, "48 x 48"),
                                            ((32, 48, 3), 12, "32 x 48"), ((30, 32, 3), 4, "30 x 32"),
                                            ((8, 8, 3), 16, "8 x 8")])
def test_a_patch_size_that_does_not_divide_names_itself_and_the_image_size(shape, p, size):
    with pytest.raises(ValueError) as error:
        patchify(np.zeros(shape), p)
    message = str(error.value)
    assert f"patch_size={p}" in message and size in message, message
    assert "try a patch size among" in message


def test_the_suggested_sizes_all_work():
    with pytest.raises(ValueError, match=r"among \[1, 2, 3, 4, 6, 8, 12, 16\]"):
        patchify(np.zeros((48, 48, 3)), 5)
    for p in (1, 2, 3, 4, 6, 8, 12, 16):
        assert len(patchify(np.zeros((48, 48, 3)), p)) == (48 // p) ** 2


@pytest.mark.parametrize("patch_size, exception", [(8.0, TypeError), (True, TypeError), ("8", TypeError),
                                                   (None, TypeError), ([8], TypeError), (0, ValueError),
                                                   (-8, ValueError)])
def test_bad_patch_sizes_are_named(patch_size, exception):
    with pytest.raises(exception, match="patch_size"):
        patchify(np.zeros((8, 8, 3)), patch_size)


def test_numpy_integer_patch_sizes_are_accepted():
    assert patchify(np.zeros((8, 8, 3)), np.int64(4)).shape == (4, 48)


@pytest.mark.parametrize("image, exception, fragment", [
    ([[0.0, 1.0], [1.0, 0.0]], TypeError, "np.array"),
    ("an image", TypeError, "numpy array"),
    (np.zeros((4, 4), dtype=bool), TypeError, "real numbers"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, "real numbers"),
    (np.zeros(16), ValueError, "(H, W) or (H, W, C)"),
    (np.zeros((2, 4, 4, 3)), ValueError, "(H, W) or (H, W, C)"),
    (np.zeros((0, 4, 3)), ValueError, "empty"),
    (np.where(np.eye(4) == 1, np.nan, 0.0), ValueError, "finite"),
    (np.full((4, 4), np.inf), ValueError, "finite"),
])
def test_bad_images_are_named(image, exception, fragment):
    with pytest.raises(exception) as error:
        patchify(image, 2)
    assert "image" in str(error.value) and fragment in str(error.value), str(error.value)


@pytest.mark.parametrize("args, name", [
    ((np.zeros((36, 192)), (40, 48, 3), 8), "image_shape"),
    ((np.zeros((35, 192)), (48, 48, 3), 8), "patches"),
    ((np.zeros((36, 192)), (48, 48, 3), 7), "patch_size"),
    ((np.zeros((36, 192)), (48, 48, 3), 8.0), "patch_size"),
    ((np.zeros((36, 192)), (48, 48, 3), 0), "patch_size"),
    ((np.zeros((36, 192)), 48, 8), "image_shape"),
], ids=["shape does not match", "a patch missing", "wrong patch size", "float patch size", "zero patch size",
        "shape not a tuple"])
def test_unpatchify_names_the_bad_argument(args, name):
    with pytest.raises((TypeError, ValueError), match=name):
        unpatchify(*args)

"""Checkers for notebook 08: vision transformers."""

from __future__ import annotations

import numpy as np

from ._base import Result, _as_number, _right, _wrong


def _grid_08(height, width, patch_size):
    """A checker's own input (not the learner's answer): the patch grid ``(rows, cols)`` of an image."""
    for name, v in (("height", height), ("width", width), ("patch_size", patch_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a whole number >= 1; got {v!r}")
    if height % patch_size or width % patch_size:
        raise ValueError(f"patch_size={patch_size} must divide the image's height and width; "
                         f"got {height} x {width} pixels")
    return height // patch_size, width // patch_size


def _whole_number_08(answer, what):
    """Turn an answer into an int, or explain why it is not a whole number."""
    value, problem = _as_number(answer, what)
    if problem is not None:
        return None, problem
    if not float(value).is_integer():
        return None, _wrong(f"expected a whole number ({what}); yours has a fractional part.")
    return int(value), None


def number_of_patches(answer, height: int, width: int, patch_size: int) -> Result:
    """Exercise: how many ``patch_size`` x ``patch_size`` patches an image of ``height`` x ``width`` pixels gives.

    Parameters
    ----------
    answer : int
    height, width : int
        The image's size in pixels.
    patch_size : int
        Side of a square patch; it divides both height and width.
    """
    rows, cols = _grid_08(height, width, patch_size)
    value, problem = _whole_number_08(answer, "the number of patches, one whole number")
    if problem is not None:
        return problem
    truth = rows * cols
    if value == truth:
        return _right(f"{rows} rows of {cols} patches. A ViT adds one [CLS] token to them, so its "
                      f"sequence is one token longer.")
    if value == truth + 1:
        return _wrong("that counts the [CLS] token too; it is not cut from the image. Count the patches only.")
    if value in (rows, cols):
        return _wrong("that is how many patches fit along one side. The image has that many rows of "
                      "patches, and every row holds a whole line of them.")
    if value == height * width:
        return _wrong("that is the number of pixels; one patch covers patch_size x patch_size of them.")
    if value in (height * width // patch_size, (height // patch_size) + (width // patch_size)):
        return _wrong("a patch is a square: it is patch_size pixels high and patch_size pixels wide. "
                      "Count the patches down the image and across it, then multiply.")
    if value <= 0:
        return _wrong("a count of patches is positive.")
    return _wrong("count how many patches fit down the image (height / patch_size) and across it "
                  "(width / patch_size), then multiply the two.")


def patch_vector_length(answer, patch_size: int, channels: int = 3) -> Result:
    """Exercise: how many numbers one flattened patch holds (``patch_size * patch_size * channels``).

    Parameters
    ----------
    answer : int
    patch_size : int
    channels : int, default 3
        3 for an RGB image.
    """
    _grid_08(patch_size, patch_size, patch_size)
    if isinstance(channels, bool) or not isinstance(channels, (int, np.integer)) or channels < 1:
        raise ValueError(f"channels must be a whole number >= 1; got {channels!r}")
    value, problem = _whole_number_08(answer, "the length of one patch vector, one whole number")
    if problem is not None:
        return problem
    p, C = patch_size, channels
    if value == p * p * C:
        return _right(f"{p} x {p} pixels, {C} numbers each: the width of one row of patchify's output.")
    if value == p * p:
        return _wrong(f"that counts every pixel once, but a colour pixel holds {C} numbers "
                      f"(red, green and blue).")
    if value == p * C:
        return _wrong("a patch is a square of pixels: patch_size pixels in each of its patch_size rows.")
    if value in (p, C):
        return _wrong("that is only one of the factors. Multiply the pixels per row, the rows, and the "
                      "numbers per pixel.")
    if value == p * p * C + 1:
        return _wrong("there is no extra number per patch; count the pixels' colour values only.")
    return _wrong("a flattened patch lists every colour value of every pixel: (pixels per row) x "
                  "(rows) x (colour channels).")


def patch_index(answer, row: int, col: int, height: int, width: int, patch_size: int) -> Result:
    """Exercise: the index (in :func:`attn_lib.patchify`'s order) of the patch at ``row``, ``col``.

    Patches are numbered from 0, row by row, left to right: ``index = row * cols + col``.

    Parameters
    ----------
    answer : int
    row, col : int
        The patch's place in the grid, counted from 0 at the top left.
    height, width, patch_size : int
        The image and the patch size, which fix the grid.
    """
    rows, cols = _grid_08(height, width, patch_size)
    for name, v, n in (("row", row, rows), ("col", col, cols)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < n:
            raise ValueError(f"{name} must be a whole number from 0 to {n - 1}; got {v!r}")
    value, problem = _whole_number_08(answer, "the patch's index, one whole number")
    if problem is not None:
        return problem
    truth = row * cols + col
    if value == truth:
        return _right(f"the rows above it hold {row} x {cols} patches, and {col} more come before it in "
                      f"its own row.")
    if value == col * rows + row:
        return _wrong("that numbers the patches column by column. patchify reads them row by row, "
                      "left to right, like lines of text.")
    if value == truth + 1 and truth > 0:
        return _wrong("almost: patchify counts from zero, like a Python index, not from one.")
    if value == row * rows + col:
        return _wrong("multiply the row by the number of patches in one row of the grid: that is the "
                      "number of columns, not the number of rows.")
    if value == col * cols + row:
        return _wrong("the row and the column are swapped: whole rows of patches come before the "
                      "patch's own row.")
    if not 0 <= value < rows * cols:
        return _wrong("that number is outside the grid: no index is negative, and every index is smaller "
                      "than the number of patches.")
    return _wrong("count the patches in the full rows above it, then add the patches before it in its own row.")

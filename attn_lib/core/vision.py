"""Images as tokens: cut an image into square patches, as Vision Transformers do."""

from __future__ import annotations

import numbers

import numpy as np

from .validate import as_array


def patchify(image, patch_size: int) -> np.ndarray:
    """Cut an image into non-overlapping square patches and flatten each into a vector.

    Patches are numbered row by row, left to right (the order a ViT reads them).

    Parameters
    ----------
    image : np.ndarray, shape (H, W) or (H, W, C)
        Grey-scale or colour image; H and W must be multiples of ``patch_size``.
    patch_size : int
        Side of each square patch, in pixels.

    Returns
    -------
    np.ndarray, shape (n_patches, patch_size * patch_size * C)
        ``n_patches = (H // patch_size) * (W // patch_size)``; C = 1 for grey images.
    """
    image = as_array(image, "image", "(H, W) or (H, W, C)", min_ndim=2, max_ndim=3)
    _check_patch_size(patch_size)
    if image.ndim == 2:
        image = image[:, :, None]                                           # (H, W, 1)
    H, W, C = image.shape
    if H % patch_size or W % patch_size:
        raise ValueError(f"patch_size={patch_size} must divide the image's height and width; got an image "
                         f"of {H} x {W} pixels (try a patch size among {_divisors(H, W)})")
    rows, cols = H // patch_size, W // patch_size
    patches = image.reshape(rows, patch_size, cols, patch_size, C)        # (rows, p, cols, p, C)
    patches = patches.transpose(0, 2, 1, 3, 4)                             # (rows, cols, p, p, C)
    return patches.reshape(rows * cols, patch_size * patch_size * C)       # (n_patches, p*p*C)


def unpatchify(patches, image_shape, patch_size: int) -> np.ndarray:
    """Put flattened patches back into an image (the inverse of :func:`patchify`).

    Parameters
    ----------
    patches : np.ndarray, shape (n_patches, patch_size * patch_size * C)
    image_shape : tuple
        ``(H, W)`` or ``(H, W, C)`` of the original image.
    patch_size : int

    Returns
    -------
    np.ndarray, shape ``image_shape``
    """
    patches = as_array(patches, "patches", "(n_patches, patch_size * patch_size * C)", min_ndim=2, max_ndim=2)
    if not isinstance(image_shape, tuple) or len(image_shape) not in (2, 3) or not all(
            isinstance(v, numbers.Integral) and v > 0 for v in image_shape):
        raise TypeError(f"image_shape must be a tuple (H, W) or (H, W, C) of positive whole numbers; "
                        f"got {image_shape!r}")
    _check_patch_size(patch_size)
    H, W = image_shape[:2]
    C = image_shape[2] if len(image_shape) == 3 else 1
    if H % patch_size or W % patch_size:
        raise ValueError(f"patch_size={patch_size} must divide image_shape's height and width; got "
                         f"image_shape={image_shape}")
    rows, cols = H // patch_size, W // patch_size
    if patches.shape != (rows * cols, patch_size * patch_size * C):
        raise ValueError(f"patches must have shape (n_patches, patch_size * patch_size * C) = "
                         f"({rows * cols}, {patch_size * patch_size * C}) for image_shape={image_shape} and "
                         f"patch_size={patch_size}; got shape {patches.shape}")
    x = np.asarray(patches).reshape(rows, cols, patch_size, patch_size, C)  # (rows, cols, p, p, C)
    x = x.transpose(0, 2, 1, 3, 4)                                          # (rows, p, cols, p, C)
    return x.reshape(image_shape)                                           # (H, W[, C])


def _check_patch_size(patch_size):
    if isinstance(patch_size, bool) or not isinstance(patch_size, numbers.Integral):
        raise TypeError(f"patch_size must be a whole number; got {patch_size!r}")
    if patch_size < 1:
        raise ValueError(f"patch_size must be >= 1; got {patch_size}")


def _divisors(H, W):
    return [p for p in range(1, min(H, W) + 1) if H % p == 0 and W % p == 0][:8]

"""Images as tokens: cut an image into square patches, as Vision Transformers do.

Taught in notebook 08.
"""

from __future__ import annotations

import numpy as np

from . import validate


def patchify(image, patch_size: int) -> np.ndarray:
    """Cut an image into non-overlapping square patches and flatten each into a vector.

    Patches are numbered row by row, left to right (the order a ViT reads them).

    Taught in notebook 08, section 2 (Cutting the image into patches).

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
    image, p = validate.patchify_inputs(image, patch_size)
    rows, cols = image.shape[0] // p, image.shape[1] // p
    patches = image.reshape(rows, p, cols, p, -1)                       # (rows, p, cols, p, C); C = 1 if grey
    patches = patches.transpose(0, 2, 1, 3, 4)                          # (rows, cols, p, p, C)
    return patches.reshape(rows * cols, -1)                             # (n_patches, p*p*C)


def unpatchify(patches, image_shape, patch_size: int) -> np.ndarray:
    """Put flattened patches back into an image (the inverse of :func:`patchify`).

    Taught in notebook 08, section 2 (Cutting the image into patches).

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
    patches, image_shape, p = validate.unpatchify_inputs(patches, image_shape, patch_size)
    H, W = image_shape[:2]
    x = patches.reshape(H // p, W // p, p, p, -1)                       # (rows, cols, p, p, C)
    x = x.transpose(0, 2, 1, 3, 4)                                      # (rows, p, cols, p, C)
    return x.reshape(image_shape)                                       # (H, W) or (H, W, C)

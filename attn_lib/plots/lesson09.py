"""Notebook 09's image of a whole model: one tile per layer and head, shaded with cividis.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps

from .palette import HEATMAP_CMAP


def _rgb(values) -> np.ndarray:
    """Heatmap colours (cividis, 0 to 1) of an array, as uint8 RGB, shape (..., 3)."""
    return (colormaps[HEATMAP_CMAP](np.clip(values, 0.0, 1.0))[..., :3] * 255).astype(np.uint8)


def mosaic(attentions) -> np.ndarray:
    """Every head's weights side by side, one pixel per weight, a 1-pixel white gap between heads.

    Parameters
    ----------
    attentions : np.ndarray, shape (n_layers, n_heads, n, n)

    Returns
    -------
    np.ndarray of uint8, shape (n_layers * (n + 1) - 1, n_heads * (n + 1) - 1, 3)
    """
    L, H, n, _ = attentions.shape
    tiles = np.full((L, H, n + 1, n + 1, 3), 255, dtype=np.uint8)             # white gaps
    tiles[:, :, :n, :n] = _rgb(attentions)                                   # (L, H, n, n, 3)
    image = tiles.transpose(0, 2, 1, 3, 4).reshape(L * (n + 1), H * (n + 1), 3)  # rows: layer, query
    return image[:-1, :-1]

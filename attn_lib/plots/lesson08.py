"""Notebook 08's figures: the drawn image, its patch grid, the patches as a sequence, feature maps,
and one patch's attention laid over the image.
"""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..core.validate import as_array
from ..core.vision import patchify
from ..lessons.lesson08 import CONTENT_FEATURES, PATCH_SIZE, grid_shape
from .palette import FONT_SIZE, HEATMAP_CMAP, OKABE_ITO

_DARKEST = 0.75          # overlay opacity of a patch that gets no attention


# ----- static figures ---------------------------------------------------------------------------
def _outlined(**kwargs):
    return {"color": "white", "ha": "center", "va": "center", "fontsize": FONT_SIZE - 2,
            "path_effects": [patheffects.withStroke(linewidth=3, foreground="black")], **kwargs}


def _new_axes(figsize):
    fig = Figure(facecolor="white", figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def image_figure(image, title="The image", ax=None):
    """The image with pixel coordinates on the axes.

    Returns
    -------
    matplotlib.figure.Figure
    """
    image = as_array(image, "image", "(H, W, 3)", min_ndim=3, max_ndim=3)
    fig, ax = _new_axes((4.6, 4.6)) if ax is None else (ax.figure, ax)
    ax.imshow(image, interpolation="nearest")
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    ax.set_xlabel("x (pixels)", fontsize=FONT_SIZE)
    ax.set_ylabel("y (pixels)", fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE - 2)
    return fig


def patch_grid_figure(image, patch_size: int = PATCH_SIZE, title=None, ax=None):
    """The image with the patch grid drawn on it and each patch's number in its corner.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows, cols = grid_shape(image, patch_size)
    fig, ax = _new_axes((5.2, 5.2)) if ax is None else (ax.figure, ax)
    ax.imshow(image, interpolation="nearest")
    for k in range(rows + 1):
        ax.axhline(k * patch_size - 0.5, color="white", linewidth=2)
    for k in range(cols + 1):
        ax.axvline(k * patch_size - 0.5, color="white", linewidth=2)
    for i in range(rows * cols):
        r, c = divmod(i, cols)
        ax.text((c + 0.5) * patch_size - 0.5, (r + 0.5) * patch_size - 0.5, str(i), **_outlined())
    ax.set_xticks([(c + 0.5) * patch_size - 0.5 for c in range(cols)], range(cols))
    ax.set_yticks([(r + 0.5) * patch_size - 0.5 for r in range(rows)], range(rows))
    ax.tick_params(labelsize=FONT_SIZE - 2, length=0)
    ax.set_xlabel("column", fontsize=FONT_SIZE)
    ax.set_ylabel("row", fontsize=FONT_SIZE)
    ax.set_title(title or f"{rows} x {cols} = {rows * cols} patches of {patch_size} x {patch_size} pixels",
                 fontsize=FONT_SIZE + 2)
    return fig


def patch_sequence_figure(image, patch_size: int = PATCH_SIZE, per_line: int = 12):
    """The patches laid out as a sequence, in the order a ViT reads them, numbered.

    Returns
    -------
    matplotlib.figure.Figure
    """
    patches = patchify(image, patch_size)                                   # (n, p*p*3)
    n, lines = len(patches), -(-len(patches) // per_line)
    fig = Figure(facecolor="white", figsize=(0.85 * per_line, 1.15 * lines + 0.6), layout="constrained")
    axes = fig.subplots(lines, per_line, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            ax.imshow(patches[i].reshape(patch_size, patch_size, 3), interpolation="nearest")
            ax.set_title(str(i), fontsize=FONT_SIZE - 2, pad=2)
    fig.suptitle("The same image as a sequence of patches, read row by row", fontsize=FONT_SIZE + 2)
    return fig


def feature_maps_figure(tokens, rows: int, cols: int, names=CONTENT_FEATURES, title=None):
    """One small map per token feature, laid out on the patch grid, with values printed.

    Parameters
    ----------
    tokens : np.ndarray, shape (rows * cols, d)
    names : list of str
        Which columns to show: the first ``len(names)`` columns of ``tokens``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    tokens = as_array(tokens, "tokens", "(n_patches, d)", min_ndim=2, max_ndim=2)
    fig = Figure(facecolor="white", figsize=(3.1 * len(names), 3.6), layout="constrained")
    limit = float(np.abs(tokens[:, :len(names)]).max())
    for j, (ax, name) in enumerate(zip(fig.subplots(1, len(names), squeeze=False).flat, names)):
        grid = tokens[:, j].reshape(rows, cols)                              # (rows, cols)
        image = ax.imshow(grid, cmap=HEATMAP_CMAP, vmin=-limit, vmax=limit)
        for (r, c), v in np.ndenumerate(grid):
            ax.text(c, r, f"{v:.1f}".replace("-0.0", "0.0"), ha="center", va="center",
                    fontsize=FONT_SIZE - 4, color="black" if v > 0 else "white")
        ax.set_title(name, fontsize=FONT_SIZE)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(image, ax=fig.axes, shrink=0.8)
    if title:
        fig.suptitle(title, fontsize=FONT_SIZE + 2)
    return fig


def overlay_darkness(weights_row):
    """Overlay opacity per patch: 0 for the most attended patch, up to 0.75 for none."""
    w = np.asarray(weights_row, dtype=np.float64)
    return _DARKEST * (1.0 - w / w.max())


def overlay_figure(image, weights_row, patch: int, patch_size: int = PATCH_SIZE, title=None, ax=None,
                   values=True):
    """The image, darkened where the chosen patch pays little attention, with the weights printed.

    Parameters
    ----------
    image : np.ndarray, shape (H, W, 3)
    weights_row : np.ndarray, shape (n_patches,)
        The chosen patch's attention weights.
    patch : int
        The chosen patch, outlined in orange.
    values : bool
        Print each weight in its patch (two decimals).

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows, cols = grid_shape(image, patch_size)
    w = np.asarray(weights_row, dtype=np.float64)
    if w.shape != (rows * cols,):
        raise ValueError(f"weights_row must have shape ({rows * cols},), one weight per patch; got {w.shape}")
    fig, ax = _new_axes((5.2, 5.2)) if ax is None else (ax.figure, ax)
    dark = np.kron(overlay_darkness(w).reshape(rows, cols), np.ones((patch_size, patch_size)))   # (H, W)
    ax.imshow(np.asarray(image) * (1.0 - dark[..., None]), interpolation="nearest")
    if values:
        for i, v in enumerate(w):
            r, c = divmod(i, cols)
            ax.text((c + 0.5) * patch_size - 0.5, (r + 0.5) * patch_size - 0.5, f"{v:.2f}", **_outlined())
    r, c = divmod(int(patch), cols)
    ax.add_patch(Rectangle((c * patch_size - 0.5, r * patch_size - 0.5), patch_size, patch_size,
                           fill=False, edgecolor=OKABE_ITO["orange"], linewidth=4))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title or f"Attention of patch {patch}", fontsize=FONT_SIZE + 2)
    return fig

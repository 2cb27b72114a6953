"""Images as tokens, for notebook 08: a drawn scene, its patches, and where one patch looks.

The image is drawn in code (no files). :func:`attn_lib.patchify` cuts it into patches;
a designed, readable linear projection turns each patch into 5 content features (mean
red, green and blue, and two edge detectors), and :func:`grid_positions` adds 4 position
features (sine and cosine of the patch's row and of its column). The tokens then go
through :func:`attn_lib.self_attention`, the same function the course uses for words.

:class:`PatchAttentionView` is the live view: pick a patch and see its attention over the
image. Like :class:`attn_lib.AttentionExplorer` it repaints one HTML view built in the
kernel (the image is a PNG encoded once, at construction; the attention is an SVG grid on
top), and shows a matplotlib snapshot and a text table where no kernel runs.
"""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as widgets
import numpy as np
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ._validate import as_array, as_positive_int, as_positive_number
from .attention import self_attention
from .display import FONT_SIZE, HEATMAP_CMAP, OKABE_ITO, Table, bar_chart
from .vision import patchify
from .widgets import LiveView, bars_html

IMAGE_SIZE = 48
PATCH_SIZE = 8
CONTENT_FEATURES = ("red", "green", "blue", "top-bottom", "left-right")
"""What each column of :func:`embedding_matrix` measures in a patch."""
POSITION_FEATURES = ("row sin", "row cos", "col sin", "col cos")
"""The columns of :func:`grid_positions`."""
TOKEN_FEATURES = CONTENT_FEATURES + POSITION_FEATURES
POSITION_STRENGTH = 1.5
"""Position features (each between -1 and 1) are multiplied by this before joining the tokens."""
TOP_K = 5

_DARKEST = 0.75          # overlay opacity of a patch that gets no attention


# ----- the image --------------------------------------------------------------------------------
def sample_image(size: int = IMAGE_SIZE) -> np.ndarray:
    """A small, deterministic RGB scene: sky, sun, a house with a roof, door and window, and grass.

    Every shape is defined in fractions of the image side, so any size draws the same scene;
    each pixel averages 4 x 4 sub-pixels, which smooths the edges.

    Parameters
    ----------
    size : int, default 48
        Width and height in pixels (>= 4).

    Returns
    -------
    np.ndarray, shape (size, size, 3)
        Red, green and blue, each a float in [0, 1].
    """
    size = as_positive_int(size, "size")
    if size < 4:
        raise ValueError(f"size must be >= 4 pixels to draw the scene; got {size}")
    sub = 4
    t = (np.arange(size * sub) + 0.5) / (size * sub)                     # (size*sub,) sub-pixel centres
    x, y = np.meshgrid(t, t)                                              # (S, S) each; y grows downwards
    img = np.empty((size * sub, size * sub, 3))
    img[..., 0] = 0.25 + 0.30 * y                                         # sky: deep blue at the top,
    img[..., 1] = 0.45 + 0.25 * y                                         # paler towards the horizon
    img[..., 2] = 0.95 + 0.0 * y

    def paint(region, rgb):
        img[region] = rgb

    paint((x - 0.80) ** 2 + (y - 0.20) ** 2 < 0.12 ** 2, (1.00, 0.82, 0.15))     # sun
    paint(y > 0.74, (0.22, 0.74, 0.20))                                           # grass
    paint((y > 0.86) & ((x * 7 + y * 3) % 1 < 0.5), (0.16, 0.62, 0.14))          # grass stripes
    paint((x > 0.14) & (x < 0.52) & (y > 0.50) & (y < 0.84), (0.82, 0.36, 0.24))  # walls
    roof = (y > 0.28) & (y <= 0.50) & (np.abs(x - 0.33) < (y - 0.28) / 0.22 * 0.25)
    paint(roof, (0.40, 0.16, 0.12))                                               # roof
    paint((x > 0.30) & (x < 0.40) & (y > 0.64) & (y < 0.84), (0.30, 0.17, 0.08))  # door
    paint((x > 0.18) & (x < 0.27) & (y > 0.56) & (y < 0.66), (0.98, 0.92, 0.55))  # window
    img = img.reshape(size, sub, size, sub, 3).mean(axis=(1, 3))        # (size, size, 3)
    return np.clip(img, 0.0, 1.0)


def grid_shape(image, patch_size: int) -> tuple:
    """``(rows, cols)``: how many patches fit down and across the image.

    Raises the same errors as :func:`attn_lib.patchify` when ``patch_size`` does not divide the image.
    """
    patchify(image, patch_size)                       # checks image and patch_size, naming them
    H, W = np.shape(image)[:2]
    return H // patch_size, W // patch_size


# ----- patches to tokens ------------------------------------------------------------------------
def embedding_matrix(patch_size: int, channels: int = 3) -> np.ndarray:
    """A designed patch embedding: one column per feature of :data:`CONTENT_FEATURES`.

    A flattened patch (``patchify``'s row order: pixel rows, then pixels, then channels)
    times this matrix gives the patch's mean red, green and blue, its brightness in the top
    half minus the bottom half, and in the left half minus the right half.

    Parameters
    ----------
    patch_size : int
        Side of a patch (even, so that the halves are equal).
    channels : int, default 3
        3 for RGB. Brightness is the mean over channels.

    Returns
    -------
    np.ndarray, shape (patch_size * patch_size * channels, 5)
    """
    p, C = as_positive_int(patch_size, "patch_size"), as_positive_int(channels, "channels")
    if p % 2:
        raise ValueError(f"patch_size must be even so that a patch splits into equal halves; got {p}")
    if C != 3:
        raise ValueError(f"channels must be 3 (red, green, blue); got {C}")
    r, c, k = np.meshgrid(np.arange(p), np.arange(p), np.arange(C), indexing="ij")   # (p, p, C) each
    n_pixels = p * p
    E = np.zeros((p, p, C, len(CONTENT_FEATURES)))
    for channel in range(3):
        E[..., channel] = (k == channel) / n_pixels                                # mean of one channel
    brightness = np.ones((p, p, C)) / (n_pixels * C)                               # mean of everything
    E[..., 3] = np.where(r < p // 2, 2, -2) * brightness                           # top half - bottom half
    E[..., 4] = np.where(c < p // 2, 2, -2) * brightness                           # left half - right half
    return E.reshape(n_pixels * C, len(CONTENT_FEATURES))                          # (p*p*C, 5)


def standardize(features) -> np.ndarray:
    """Shift and scale each column to mean 0 and standard deviation 1 over the rows.

    A column that is constant over the rows becomes all zeros.

    Parameters
    ----------
    features : np.ndarray, shape (n, d)

    Returns
    -------
    np.ndarray, shape (n, d)
    """
    F = as_array(features, "features", "(n, d)", min_ndim=2, max_ndim=2)
    spread = F.std(axis=0)                                                 # (d,)
    return (F - F.mean(axis=0)) / np.where(spread > 1e-12, spread, 1.0)   # (n, d)


def grid_positions(rows: int, cols: int) -> np.ndarray:
    """2-D position features: sine and cosine of the patch's row and of its column times theta.

    ``theta = pi / max(rows, cols)``, so that across the grid the angle turns by less than
    half a circle: the dot product of two patches' row features, ``cos(theta * (r_i - r_j))``,
    then falls steadily as the rows move apart (the same holds for columns).

    Parameters
    ----------
    rows, cols : int
        The patch grid.

    Returns
    -------
    np.ndarray, shape (rows * cols, 4)
        Columns :data:`POSITION_FEATURES`; patches in ``patchify``'s order (row by row).
    """
    rows, cols = as_positive_int(rows, "rows"), as_positive_int(cols, "cols")
    theta = np.pi / max(rows, cols)
    r, c = np.divmod(np.arange(rows * cols), cols)                         # (n,), (n,) row and column
    return np.column_stack([np.sin(r * theta), np.cos(r * theta),
                            np.sin(c * theta), np.cos(c * theta)])         # (n, 4)


def patch_tokens(image, patch_size: int = PATCH_SIZE, use_positions: bool = True) -> np.ndarray:
    """The token of every patch: 5 content features, then 4 position features.

    ``tokens[:, :5] = standardize(patchify(image, p) @ embedding_matrix(p))``;
    ``tokens[:, 5:] = POSITION_STRENGTH * grid_positions(rows, cols)``, or zeros without positions.

    Parameters
    ----------
    image : np.ndarray, shape (H, W, 3)
    patch_size : int
    use_positions : bool

    Returns
    -------
    np.ndarray, shape (n_patches, 9)
        Columns :data:`TOKEN_FEATURES`.
    """
    image = as_array(image, "image", "(H, W, 3)", min_ndim=3, max_ndim=3)
    if image.shape[2] != 3:
        raise ValueError(f"image must have 3 colour channels, shape (H, W, 3); got shape {image.shape}")
    patches = patchify(image, patch_size)                                        # (n, p*p*3)
    content = standardize(patches @ embedding_matrix(patch_size))                # (n, 5)
    rows, cols = grid_shape(image, patch_size)
    positions = POSITION_STRENGTH * grid_positions(rows, cols)                   # (n, 4)
    return np.hstack([content, positions if use_positions else np.zeros_like(positions)])  # (n, 9)


def identity_weights(d: int = len(TOKEN_FEATURES)) -> tuple:
    """``W_Q = W_K = W_V = I``: queries, keys and values are the tokens themselves."""
    return np.eye(d), np.eye(d), np.eye(d)


def patch_attention(image, patch_size: int = PATCH_SIZE, use_positions: bool = True,
                    temperature: float = 1.0) -> tuple:
    """Self-attention over the patches with :func:`identity_weights`.

    Parameters
    ----------
    image : np.ndarray, shape (H, W, 3)
    patch_size : int
    use_positions : bool
        As in :func:`patch_tokens`.
    temperature : float
        As in :func:`attn_lib.attention`.

    Returns
    -------
    output : np.ndarray, shape (n_patches, 9)
    weights : np.ndarray, shape (n_patches, n_patches)
        Row ``i``: how patch ``i`` spreads its attention over all patches.
    """
    X = patch_tokens(image, patch_size, use_positions)                    # (n, 9)
    return self_attention(X, *identity_weights(X.shape[1]), temperature=temperature)


def top_patches(weights_row, k: int = TOP_K) -> np.ndarray:
    """Indices of the ``k`` largest weights, largest first (ties: lower index first)."""
    w = np.asarray(weights_row, dtype=np.float64)
    return np.argsort(-w, kind="stable")[:k]


# ----- static figures ---------------------------------------------------------------------------
def _outlined(**kwargs):
    return {"color": "white", "ha": "center", "va": "center", "fontsize": FONT_SIZE - 2,
            "path_effects": [patheffects.withStroke(linewidth=3, foreground="black")], **kwargs}


def _new_axes(figsize):
    fig = Figure(figsize=figsize, layout="constrained")
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
    fig = Figure(figsize=(0.85 * per_line, 1.15 * lines + 0.6), layout="constrained")
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
    fig = Figure(figsize=(3.1 * len(names), 3.6), layout="constrained")
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


def _shade(weights_row):
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
    dark = np.kron(_shade(w).reshape(rows, cols), np.ones((patch_size, patch_size)))   # (H, W)
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


def _png_data_uri(image) -> str:
    from matplotlib.image import imsave
    buffer = io.BytesIO()
    imsave(buffer, np.clip(np.asarray(image, dtype=np.float64), 0, 1), format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# ----- the live view ----------------------------------------------------------------------------
_STYLE = """<style>
.vit-attention {font-family: sans-serif; font-size: 16px}
.vit-attention .vit-title {font-weight: bold; font-size: 18px; margin: 4px 0 8px}
.vit-attention .vit-row {display: flex; flex-wrap: wrap; gap: 16px 32px; align-items: flex-start}
.vit-attention .vit-note {color: #333; margin-top: 8px; max-width: 420px}
.vit-attention svg text {font-family: sans-serif; fill: #fff; stroke: #000; stroke-width: 3px;
                         paint-order: stroke; text-anchor: middle; dominant-baseline: central}
</style>"""


class PatchAttentionView(LiveView, widgets.VBox):
    """Pick a patch of the image and see how it spreads its attention over all patches.

    Parameters
    ----------
    image : np.ndarray, shape (H, W, 3), optional
        Default: :func:`sample_image`.
    patch_size : int, default 8
    patch : int, optional
        The starting patch; default the one with the most yellow-orange colour (the sun).
    temperature : float, default 1.0
    use_positions : bool, default True
    display_size : int, default 384
        Width of the live image, in screen pixels.

    Attributes
    ----------
    rows, cols : int
        The patch grid.
    row_slider, col_slider : ipywidgets.IntSlider
        The chosen patch's row and column.
    temperature_slider : ipywidgets.FloatLogSlider
    positions_box : ipywidgets.Checkbox
    view : ipywidgets.HTML
        The live view, repainted after each change; its root has ``data-version``.
    version : int
        How many times the view has been painted.
    """

    STYLE = _STYLE

    def __init__(self, image=None, patch_size=PATCH_SIZE, patch=None, temperature=1.0, use_positions=True,
                 display_size=384):
        self.image = sample_image() if image is None else as_array(image, "image", "(H, W, 3)",
                                                                     min_ndim=3, max_ndim=3)
        self.patch_size = patch_size
        self.rows, self.cols = grid_shape(self.image, patch_size)
        self.display_size = as_positive_int(display_size, "display_size")
        self._tokens = {flag: patch_tokens(self.image, patch_size, flag) for flag in (True, False)}
        self._uri = _png_data_uri(self.image)                              # encoded once
        self._holding = False
        self.version = 0
        if patch is None:
            patch = int(np.argmax(self._tokens[True][:, 0] + self._tokens[True][:, 1]
                                  - 2 * self._tokens[True][:, 2]))          # red + green - blue: the sun
        r, c = self._row_col(patch)

        style = {"description_width": "7em"}
        self.row_slider = widgets.IntSlider(value=r, min=0, max=self.rows - 1, description="Patch row",
                                            style=style, continuous_update=True)
        self.col_slider = widgets.IntSlider(value=c, min=0, max=self.cols - 1, description="Patch column",
                                            style=style, continuous_update=True)
        self.temperature_slider = widgets.FloatLogSlider(
            value=as_positive_number(temperature, "temperature"), base=10, min=-1, max=1, step=0.01,
            description="Temperature", readout_format=".2f", style=style, continuous_update=True)
        self.positions_box = widgets.Checkbox(value=bool(use_positions), description="use positions",
                                              indent=False)
        self.view = widgets.HTML()
        controls = widgets.VBox([self.row_slider, self.col_slider, self.temperature_slider, self.positions_box])
        super().__init__([controls, self.view])
        self.add_class("vit-attention-widget")
        for control in (self.row_slider, self.col_slider, self.temperature_slider, self.positions_box):
            control.observe(self.refresh, names="value")
        self.refresh()

    # ----- controls -------------------------------------------------------------------------
    def _row_col(self, patch):
        n = self.rows * self.cols
        if isinstance(patch, bool) or not isinstance(patch, (int, np.integer)):
            raise TypeError(f"patch must be a whole number from 0 to {n - 1}; got {patch!r}")
        if not 0 <= patch < n:
            raise ValueError(f"patch must be from 0 to {n - 1} ({self.rows} x {self.cols} patches); got {patch}")
        return divmod(int(patch), self.cols)

    @property
    def patch(self) -> int:
        """The chosen patch's index: ``row * cols + col``."""
        return self.row_slider.value * self.cols + self.col_slider.value

    def set_patch(self, patch):
        """Choose a patch by its index (one repaint)."""
        r, c = self._row_col(patch)
        with self._batch():
            self.row_slider.value, self.col_slider.value = r, c

    # ----- computation ----------------------------------------------------------------------
    def state(self) -> dict:
        """Everything the view shows, computed with :func:`attn_lib.self_attention`.

        Returns
        -------
        dict
            ``X`` (n, 9) tokens; ``weights`` (n, n); ``output`` (n, 9); ``patch``, ``row``, ``col``;
            ``temperature``; ``use_positions``; ``top`` (indices of the 5 largest weights of the patch).
        """
        use_positions = bool(self.positions_box.value)
        X = self._tokens[use_positions]                                      # (n, 9)
        temperature = float(self.temperature_slider.value)
        output, weights = self_attention(X, *identity_weights(X.shape[1]), temperature=temperature)
        patch = self.patch
        return {"X": X, "weights": weights, "output": output, "patch": patch,
                "row": self.row_slider.value, "col": self.col_slider.value, "temperature": temperature,
                "use_positions": use_positions, "top": top_patches(weights[patch])}

    # ----- views ----------------------------------------------------------------------------
    def render_html(self, s) -> str:
        """The live view as one HTML string: image, SVG overlay with the weights, top-5 bars."""
        size, rows, cols = self.display_size, self.rows, self.cols
        cell_w = cell_h = size / cols                                     # patches are square
        height = cell_h * rows
        w = s["weights"][s["patch"]]                                       # (n,)
        shade = _shade(w)
        cells, labels = [], []
        for i, (v, dark) in enumerate(zip(w, shade)):
            r, c = divmod(i, cols)
            x, y = c * cell_w, r * cell_h
            cells.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{cell_w:.1f}' height='{cell_h:.1f}' "
                         f"fill='#000' fill-opacity='{dark:.3f}' data-patch='{i}'/>")
            labels.append(f"<text x='{x + cell_w / 2:.1f}' y='{y + cell_h / 2:.1f}' "
                          f"font-size='{max(11, min(16, cell_w / 4)):.0f}px'>{v:.2f}</text>")
        r, c = s["row"], s["col"]
        outline = (f"<rect class='vit-query' x='{c * cell_w + 2:.1f}' y='{r * cell_h + 2:.1f}' "
                   f"width='{cell_w - 4:.1f}' height='{cell_h - 4:.1f}' fill='none' "
                   f"stroke='{OKABE_ITO['orange']}' stroke-width='4'/>")
        svg = (f"<svg class='vit-overlay' width='{size}' height='{height:.0f}' "
               f"viewBox='0 0 {size} {height:.0f}' xmlns='http://www.w3.org/2000/svg'>"
               f"<image href='{self._uri}' x='0' y='0' width='{size}' height='{height:.0f}' "
               f"preserveAspectRatio='none' style='image-rendering:pixelated'/>"
               f"<g class='vit-cells'>{''.join(cells)}</g><g class='vit-values'>{''.join(labels)}</g>"
               f"{outline}</svg>")
        top = s["top"]
        bar_labels = [f"{j} ({j // cols},{j % cols})" for j in top]
        own = [k for k, j in enumerate(top) if j == s["patch"]]
        bars = bars_html(bar_labels, w[top], own[0] if own else None,
                         title=f"Top {len(top)} patches (row, column)")
        positions = "on" if s["use_positions"] else "off"
        note = (f"<div class='vit-note'>Brighter = more attention (the most attended patch is not "
                f"darkened). Itself: {w[s['patch']]:.2f}; top {len(top)} together: {w[top].sum():.2f}. "
                f"Positions {positions}, temperature {s['temperature']:.2f}.</div>")
        title = f"Patch {s['patch']} (row {r}, column {c}): where it looks"
        return (f"<div class='vit-attention' data-version='{self.version}'>"
                f"<div class='vit-title'>{html.escape(title)}</div>"
                f"<div class='vit-row'>{svg}<div class='vit-side'>{bars}{note}</div></div></div>")

    def table(self) -> Table:
        """The chosen patch's weights on the patch grid, as text."""
        s = self.state()
        grid = s["weights"][s["patch"]].reshape(self.rows, self.cols)       # (rows, cols)
        return Table(grid, [f"row {r}" for r in range(self.rows)], [f"col {c}" for c in range(self.cols)],
                     title=f"Attention of patch {s['patch']} (row {s['row']}, column {s['col']}) "
                           f"over the patches")

    def static_figure(self):
        """The overlay and the top-5 bars as one matplotlib figure (the snapshot)."""
        s = self.state()
        w = s["weights"][s["patch"]]
        fig = Figure(figsize=(10.5, 5.0), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1.1, 1])
        overlay_figure(self.image, w, s["patch"], self.patch_size, ax=left,
                       title=f"Attention of patch {s['patch']} (snapshot)")
        top = s["top"]
        own = [k for k, j in enumerate(top) if j == s["patch"]]
        bar_chart([str(j) for j in top], w[top], ax=right, highlight=own[0] if own else None,
                  title=f"Top {len(top)} patches", ylim=(0, max(0.05, 1.15 * float(w[top].max()))))
        right.set_xlabel("patch", fontsize=FONT_SIZE)
        return fig

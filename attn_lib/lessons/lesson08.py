"""Notebook 08's data and experiments: an image drawn in code, cut into patches, each patch turned
into a token of colour, edge and position features, and the attention between patches.
"""

from __future__ import annotations

import numpy as np

from ..core.attention import self_attention
from ..core.validate import as_array, as_positive_int, describe
from ..core.vision import patchify

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


def score_parts(tokens, query: int, n_content: int = len(CONTENT_FEATURES)) -> tuple:
    """Split one patch's raw scores into a content part and a position part.

    The tokens of this lesson *append* the position features after the content features,
    so the two use separate entries and a dot product has no cross terms:
    ``x_q . x_j = content_q . content_j + position_q . position_j``. With
    :func:`identity_weights` the raw score of patch ``query`` for patch ``j`` is exactly
    that dot product (the attention score divides it by ``sqrt(d)``).

    Parameters
    ----------
    tokens : np.ndarray, shape (n, d)
        One row per patch, as :func:`patch_tokens` returns.
    query : int
        The patch whose scores are split, from 0 to n - 1.
    n_content : int, default 5
        How many leading columns are content; the rest are positions.

    Returns
    -------
    content : np.ndarray, shape (n,)
        ``content_q . content_j`` for every patch ``j``.
    position : np.ndarray, shape (n,)
        ``position_q . position_j`` for every patch ``j``.
    """
    X = as_array(tokens, "tokens", "(n, d)", min_ndim=2, max_ndim=2)
    n, d = X.shape
    if isinstance(query, bool) or not isinstance(query, (int, np.integer)):
        raise TypeError(f"query must be a whole number, a patch index from 0 to {n - 1}; got {describe(query)}")
    if not 0 <= query < n:
        raise ValueError(f"query must be a patch index from 0 to {n - 1}; got {query}")
    n_content = as_positive_int(n_content, "n_content")
    if n_content >= d:
        raise ValueError(f"n_content must leave at least one position column: at most {d - 1} for "
                         f"tokens of shape {X.shape}; got {n_content}")
    content = X[:, :n_content] @ X[query, :n_content]          # (n, c) @ (c,) -> (n,)
    position = X[:, n_content:] @ X[query, n_content:]         # (n, d - c) @ (d - c,) -> (n,)
    return content, position

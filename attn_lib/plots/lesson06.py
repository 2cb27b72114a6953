"""Notebook 06's figure: the sinusoidal position encodings as a heatmap.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ..core.validate import as_array
from .palette import FONT_SIZE, HEATMAP_CMAP, OKABE_ITO


# ----------------------------------------------------------------------------- static figure
def encoding_figure(P, title="Sinusoidal position encodings", highlight=None, ax=None):
    """A heatmap of position encodings: one row per position, one column per dimension.

    Parameters
    ----------
    P : np.ndarray, shape (n, d_model)
        E.g. :func:`attn_lib.sinusoidal_positions`; values in [-1, 1].
    title : str
    highlight : int, optional
        A position whose row gets an orange frame.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    P = as_array(P, "P", "(n, d_model)", min_ndim=2, max_ndim=2)
    n, d = P.shape
    if ax is None:
        fig = Figure(facecolor="white", figsize=(min(14.0, 3.0 + 0.32 * d), min(9.0, 2.2 + 0.16 * n)), layout="constrained")
        ax = fig.add_subplot()
    fig = ax.figure
    image = ax.imshow(P, cmap=HEATMAP_CMAP, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_xlabel("dimension (column of P)", fontsize=FONT_SIZE)
    ax.set_ylabel("position", fontsize=FONT_SIZE)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    ax.tick_params(labelsize=FONT_SIZE - 2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if highlight is not None:
        ax.add_patch(Rectangle((-0.5, highlight - 0.5), d, 1, fill=False, edgecolor=OKABE_ITO["orange"],
                               linewidth=3))
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8)
    colorbar.ax.tick_params(labelsize=FONT_SIZE - 2)
    return fig

"""The course's two workhorse figures: an annotated attention heatmap and a bar chart of weights.

Both use the colour-blind-safe palette of :mod:`attn_lib.plots.palette`, labels of at least 14 pt,
and the matplotlib ``Figure`` API (no pyplot state), so a notebook cell that returns the figure
shows it exactly once.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .palette import FONT_SIZE, HEATMAP_CMAP, OKABE_ITO
from .table import _check_labels


def heatmap(weights, row_labels, col_labels=None, title="Attention weights", annotate=True,
            xlabel="key (attended to)", ylabel="query (attending)", vmin=0.0, vmax=1.0, ax=None):
    """A heatmap of a matrix with token labels and (optionally) each value printed in its cell.

    Parameters
    ----------
    weights : array_like, shape (n_q, n_k)
    row_labels : list of str, length n_q
    col_labels : list of str, length n_k, optional
        Defaults to ``row_labels`` (self-attention).
    vmin, vmax : float or None
        Colour range; None lets matplotlib choose (for raw scores).
    ax : matplotlib Axes, optional
        Draw into an existing axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2:
        raise ValueError(f"weights must have shape (n_q, n_k); got shape {weights.shape}")
    rows = _check_labels(row_labels, weights.shape[0], "row_labels")
    cols = _check_labels(col_labels if col_labels is not None else row_labels, weights.shape[1], "col_labels")
    if ax is None:
        size = 1.1 + 0.75 * max(weights.shape)
        fig = Figure(facecolor="white", figsize=(size + 1.5, size), layout="constrained")
        ax = fig.add_subplot()
    fig = ax.figure
    image = ax.imshow(weights, cmap=HEATMAP_CMAP, vmin=vmin, vmax=vmax)
    ax.set_xticks(range(len(cols)), cols, fontsize=FONT_SIZE, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), rows, fontsize=FONT_SIZE)
    ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    if annotate:
        lo, hi = image.get_clim()
        middle = (lo + hi) / 2
        for (i, j), v in np.ndenumerate(weights):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=FONT_SIZE - 2,
                    color="black" if v > middle else "white")
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def bar_chart(labels, values, title="", ylabel="attention weight", highlight=None, ylim=(0, 1), ax=None):
    """Vertical bars with the value printed above each bar.

    Parameters
    ----------
    labels : list of str, length n
    values : array_like, shape (n,)
    highlight : int, optional
        Index of a bar drawn in a contrasting colour (e.g. the query word).
    ylim : tuple or None
        y-axis range; None lets matplotlib choose.

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"values must have shape (n,); got shape {values.shape}")
    labels = _check_labels(labels, len(values), "labels")
    if ax is None:
        fig = Figure(facecolor="white", figsize=(1.2 + 1.1 * len(values), 4.2), layout="constrained")
        ax = fig.add_subplot()
    fig = ax.figure
    colors = [OKABE_ITO["orange"] if i == highlight else OKABE_ITO["blue"] for i in range(len(values))]
    x = np.arange(len(values))
    ax.bar(x, values, color=colors)
    ax.set_xticks(x, labels, fontsize=FONT_SIZE)
    ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    ax.tick_params(axis="y", labelsize=FONT_SIZE - 2)
    if ylim is not None:
        ax.set_ylim(*ylim)
    for xi, v in zip(x, values):
        ax.annotate(f"{v:.2f}", (xi, v), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom" if v >= 0 else "top", fontsize=FONT_SIZE - 2)
    return fig


def figure_png(fig) -> bytes:
    """Render a figure to PNG bytes (for static snapshots of live widgets)."""
    import io
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()

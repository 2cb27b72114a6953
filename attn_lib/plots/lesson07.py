"""Notebook 07's figures and tables: which columns of a weight matrix belong to which head, and the
attention weights of every head side by side.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..lessons.lesson07 import check_heads
from .charts import heatmap
from .table import Table


def column_map(d_model: int, n_heads: int) -> Table:
    """A table: for each column of Q (or K, V), the head that owns it and its column inside that head.

    Returns
    -------
    Table, 2 rows x d_model columns
    """
    d_model, n_heads = check_heads(d_model, n_heads)
    d_head = d_model // n_heads
    columns = np.arange(d_model)
    return Table(np.stack([columns // d_head, columns % d_head]), ["head", "column inside the head"],
                 [str(j) for j in columns], digits=0,
                 title=f"Column of Q, K or V (d_model = {d_model}, n_heads = {n_heads}, d_head = {d_head})")


# ----- static figures ---------------------------------------------------------------------------
def heads_figure(weights, tokens, titles=None, active=None, per_row: int = 4, fig=None):
    """One attention heatmap per head, with every value printed; switched-off heads are faded.

    Parameters
    ----------
    weights : array_like, shape (n_heads, n, n)
    tokens : list of str, length n
    titles : list of str, optional
        One per head; default ``"head h"``.
    active : sequence of bool, optional
        Heads drawn faded and titled "(off)" where False.
    per_row : int
        Heatmaps per row of the figure.
    fig : matplotlib Figure or SubFigure, optional
        Draw into it instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 3 or weights.shape[1:] != (len(tokens), len(tokens)):
        raise ValueError(f"weights must have shape (n_heads, n, n) with n = {len(tokens)} tokens; "
                         f"got shape {weights.shape}")
    n_heads, n = weights.shape[0], len(tokens)
    titles = list(titles) if titles is not None else [f"head {h}" for h in range(n_heads)]
    active = np.ones(n_heads, bool) if active is None else np.asarray(active, dtype=bool)
    cols = min(n_heads, per_row)
    rows = -(-n_heads // cols)
    size = 1.1 + 0.75 * n
    if fig is None:
        fig = Figure(facecolor="white", figsize=(cols * (size + 1.5), rows * (size + 0.3)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for h, ax in enumerate(axes):
        if h >= n_heads:
            ax.set_visible(False)
            continue
        heatmap(weights[h], tokens, ax=ax, title=titles[h] + ("" if active[h] else " (off)"))
        if not active[h]:
            for artist in [*ax.images, *ax.texts]:
                artist.set_alpha(0.3)
    return fig

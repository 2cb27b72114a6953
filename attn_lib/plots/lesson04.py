"""Notebook 04's figure: feature-by-feature bars that compare context vectors.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..core.embeddings import FEATURES
from ..core.validate import as_array
from .palette import FONT_SIZE, OKABE_ITO

# ----------------------------------------------------------------------------- static figure
_DEFAULT_COLORS = ("blue", "orange", "green", "vermillion", "purple", "sky", "black")


def compare_features(vectors, title="", features=FEATURES, colors=None, ylabel="value"):
    """Grouped bars: one group per named feature, one bar per vector.

    Parameters
    ----------
    vectors : dict of str -> np.ndarray, each shape (n_features,)
        Legend label -> vector, drawn in this order.
    title : str
    features : sequence of str, default :data:`attn_lib.FEATURES`
        The feature names, in the vectors' order.
    colors : list of str, optional
        Names of :data:`attn_lib.display.OKABE_ITO` colours, one per vector.
    ylabel : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(vectors, dict) or not vectors:
        raise TypeError(f"vectors must be a non-empty dict of label -> vector; got a {type(vectors).__name__}")
    features = [str(f) for f in features]
    colors = list(colors) if colors is not None else list(_DEFAULT_COLORS[: len(vectors)])
    if len(colors) != len(vectors) or any(c not in OKABE_ITO for c in colors):
        raise ValueError(f"colors must name one Okabe-Ito colour per vector ({len(vectors)}), "
                         f"from {sorted(OKABE_ITO)}; got {colors}")
    rows = []
    for label, v in vectors.items():
        v = as_array(np.asarray(v) if isinstance(v, (list, tuple)) else v, f"vectors[{label!r}]",
                     f"({len(features)},)", max_ndim=1)
        if v.shape != (len(features),):
            raise ValueError(f"vectors[{label!r}] must have one value per feature, shape "
                             f"({len(features)},); got shape {v.shape}")
        rows.append(v)
    n_vec, x = len(rows), np.arange(len(features))
    width = 0.8 / n_vec
    fig = Figure(facecolor="white", figsize=(1.6 + 1.25 * len(features), 4.8), layout="constrained")
    ax = fig.add_subplot()
    for k, (label, v, color) in enumerate(zip(vectors, rows, colors)):
        ax.bar(x + (k - (n_vec - 1) / 2) * width, v, width=width, label=str(label), color=OKABE_ITO[color])
    ax.axhline(0, color="#666666", linewidth=0.8)
    ax.set_xticks(x, features, fontsize=FONT_SIZE, rotation=30, ha="right")
    ax.tick_params(axis="y", labelsize=FONT_SIZE - 2)
    ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    ax.legend(fontsize=FONT_SIZE - 1, frameon=False)
    return fig

"""Notebook 03's figures: query and key arrows in 2-D, and softmax saturation against d with and
without the division by sqrt(d).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..core.validate import as_array, as_positive_int
from ..lessons.lesson03 import D_VALUES, max_weight, score_spread
from .palette import FONT_SIZE, OKABE_ITO


def vectors_figure(vectors, labels, title: str = ""):
    """2-D vectors drawn as arrows from the origin, the first in orange and on top.

    Parameters
    ----------
    vectors : np.ndarray, shape (n, 2)
        One vector per row; at most 7.
    labels : list of str, length n
        Written at the tip of each arrow.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    vectors = as_array(vectors, "vectors", "(n, 2)", min_ndim=2, max_ndim=2)
    if vectors.shape[1] != 2 or vectors.shape[0] > 7:
        raise ValueError(f"vectors must have shape (n, 2) with n <= 7; got shape {vectors.shape}")
    labels = [str(label) for label in labels]
    if len(labels) != len(vectors):
        raise ValueError(f"labels must have one label per vector: expected {len(vectors)}; got {len(labels)}")
    colors = [OKABE_ITO[c] for c in ("orange", "blue", "green", "vermillion", "purple", "sky", "black")]
    reach = float(np.abs(vectors).max()) * 1.35
    fig = Figure(facecolor="white", figsize=(6.5, 6.5), layout="constrained")
    ax = fig.add_subplot()
    ax.axhline(0, color="0.7", lw=1)
    ax.axvline(0, color="0.7", lw=1)
    for i, ((x, y), label, color) in enumerate(zip(vectors, labels, colors)):
        ax.annotate("", xy=(x, y), xytext=(0, 0), zorder=10 - i,              # the first arrow on top
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 3, "mutation_scale": 22})
        ax.annotate(label, (x, y), xytext=(6 if x >= 0 else -6, 6 if y >= 0 else -6),
                    textcoords="offset points", ha="left" if x >= 0 else "right",
                    va="bottom" if y >= 0 else "top", color=color, fontsize=FONT_SIZE, fontweight="bold")
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.grid(True, color="0.9")
    ax.tick_params(labelsize=FONT_SIZE - 2)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    return fig


def scaling_figure(ds=D_VALUES, n_keys: int = 8, seed: int = 0):
    """Two panels: the variance of the scores, and the largest softmax weight, against d.

    Left: the variance of ``q . k`` (grows like ``d``) and of ``q . k / sqrt(d)``
    (stays near 1), from :func:`score_spread`. Right: the average largest of
    ``n_keys`` softmax weights without and with the division, from
    :func:`max_weight`, with the even spread ``1 / n_keys`` marked.

    Parameters
    ----------
    ds : sequence of int, default :data:`D_VALUES`
        The widths to compare, each >= 1.
    n_keys : int, default 8
    seed : int, default 0

    Returns
    -------
    matplotlib.figure.Figure
    """
    ds = [as_positive_int(d, "each entry of ds") for d in ds]
    if len(ds) < 2:
        raise ValueError(f"ds must hold at least 2 widths; got {len(ds)}")
    spreads = [score_spread(d, seed=seed) for d in ds]
    raw_max = [max_weight(d, n_keys, scale=False, seed=seed) for d in ds]
    scaled_max = [max_weight(d, n_keys, scale=True, seed=seed) for d in ds]
    raw_style = {"color": OKABE_ITO["vermillion"], "marker": "o", "ls": "-", "lw": 2.5, "ms": 9}
    scaled_style = {"color": OKABE_ITO["blue"], "marker": "s", "ls": "--", "lw": 2.5, "ms": 9}

    fig = Figure(facecolor="white", figsize=(13, 5.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(ds, [s["raw_variance"] for s in spreads], label="q·k (raw)", **raw_style)
    left.plot(ds, [s["scaled_variance"] for s in spreads], label="q·k / √d (scaled)", **scaled_style)
    left.set_xscale("log", base=2)
    left.set_yscale("log", base=2)
    left.set_yticks([1] + ds, [str(v) for v in [1] + ds])
    left.set_ylabel("variance of the scores", fontsize=FONT_SIZE)
    left.set_title("Score variance grows like d", fontsize=FONT_SIZE + 2)

    right.plot(ds, raw_max, label="raw scores", **raw_style)
    right.plot(ds, scaled_max, label="scaled scores", **scaled_style)
    right.axhline(1 / n_keys, color=OKABE_ITO["black"], ls=":", lw=2, label=f"even spread (1/{n_keys})")
    right.set_xscale("log", base=2)
    right.set_ylim(0, 1.05)
    right.set_ylabel(f"largest of {n_keys} softmax weights", fontsize=FONT_SIZE)
    right.set_title("Without scaling, softmax saturates", fontsize=FONT_SIZE + 2)
    for ax in (left, right):
        ax.set_xticks(ds, [str(d) for d in ds])
        ax.set_xlabel("d (width of queries and keys)", fontsize=FONT_SIZE)
        ax.tick_params(labelsize=FONT_SIZE - 2)
        ax.grid(True, color="0.9")
        ax.legend(fontsize=FONT_SIZE - 2)
    return fig

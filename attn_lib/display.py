"""Showing arrays with token labels: text tables and static matplotlib figures.

Figures are built with ``matplotlib.figure.Figure`` rather than ``pyplot``, so
nothing accumulates in pyplot's figure list; a notebook cell that returns one
shows it once. Colours come from colour-blind-safe palettes (cividis for
heatmaps, Okabe-Ito for bars), and labels are large enough for a projector.
"""

from __future__ import annotations

import html

import numpy as np
from matplotlib.figure import Figure

# Okabe & Ito (2008), a palette distinguishable with every common colour-vision deficiency.
OKABE_ITO = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "sky": "#56B4E9",
             "vermillion": "#D55E00", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000"}
HEATMAP_CMAP = "cividis"
FONT_SIZE = 14


def _check_labels(labels, n, name):
    if labels is None:
        return [str(i) for i in range(n)]
    labels = [str(x) for x in labels]
    if len(labels) != n:
        raise ValueError(f"{name} must have one label per entry: expected {n}; got {len(labels)}")
    return labels


class Table:
    """A matrix with row and column labels; prints as text, renders as a large HTML table.

    Parameters
    ----------
    values : array_like, shape (n_rows, n_cols) or (n_cols,)
    row_labels, col_labels : list of str, optional
    title : str, optional
    digits : int, default 2
        Decimal places shown (fixed, so outputs are identical run to run).
    """

    def __init__(self, values, row_labels=None, col_labels=None, title=None, digits=2):
        values = np.asarray(values, dtype=np.float64)
        if values.ndim == 1:
            values = values[None, :]                                  # (1, n_cols)
            row_labels = row_labels if row_labels is not None else [""]
        if values.ndim != 2:
            raise ValueError(f"values must be a vector or a matrix; got shape {values.shape}")
        self.values = values
        self.row_labels = _check_labels(row_labels, values.shape[0], "row_labels")
        self.col_labels = _check_labels(col_labels, values.shape[1], "col_labels")
        self.title = title
        self.digits = digits

    def _cell(self, v):
        text = f"{v:.{self.digits}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text   # "-0.00" -> "0.00"

    def __repr__(self):
        cells = [[self._cell(v) for v in row] for row in self.values]
        width = max([len(c) for c in self.col_labels] + [len(c) for row in cells for c in row])
        label_w = max(len(r) for r in self.row_labels)
        lines = [self.title] if self.title else []
        lines.append(" " * label_w + " " + " ".join(c.rjust(width) for c in self.col_labels))
        for label, row in zip(self.row_labels, cells):
            lines.append(label.ljust(label_w) + " " + " ".join(c.rjust(width) for c in row))
        return "\n".join(lines)

    def _repr_html_(self):
        esc = html.escape
        head = "".join(f"<th style='padding:2px 8px'>{esc(c)}</th>" for c in self.col_labels)
        body = "".join(
            "<tr><th style='padding:2px 8px;text-align:left'>" + esc(r) + "</th>"
            + "".join(f"<td style='padding:2px 8px;text-align:right'>{self._cell(v)}</td>" for v in row)
            + "</tr>"
            for r, row in zip(self.row_labels, self.values))
        caption = f"<caption style='text-align:left;font-weight:bold'>{esc(self.title)}</caption>" if self.title else ""
        return (f"<table style='font-size:{FONT_SIZE + 2}px;font-family:monospace'>{caption}"
                f"<tr><th></th>{head}</tr>{body}</table>")


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
        fig = Figure(figsize=(size + 1.5, size), layout="constrained")
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
        fig = Figure(figsize=(1.2 + 1.1 * len(values), 4.2), layout="constrained")
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

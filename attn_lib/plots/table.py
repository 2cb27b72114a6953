"""A labelled numeric table that prints as aligned plain text and renders as HTML.

Every number a notebook's prose talks about is printed by a cell; :class:`Table` prints it with
fixed digits, so the stored outputs are stable. numpy only: no matplotlib.
"""

from __future__ import annotations

import html

import numpy as np

from .palette import FONT_SIZE


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

"""The head viewer of notebook 07: switch attention heads on and off, see what reaches the output."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..core.multi_head import multi_head_steps
from ..core.tokens import tokenize
from ..lessons.lesson07 import (
    LESSON_SENTENCE,
    check_heads,
    divisors,
    lesson_inputs,
    lesson_weights,
    output_with_heads,
)
from ..plots.charts import heatmap
from ..plots.lesson07 import heads_figure
from ..plots.table import Table
from ._base import LiveView
from ._html import HEAD_VIEWER_STYLE, div, matrix_html, root_html, row_html, text_div


def _clean(values):
    """Round to the 2 printed digits and turn -0.0 into 0.0, so no "-0.00" is shown."""
    return np.round(values, 2) + 0.0


def _on_list(active) -> str:
    return ", ".join(str(h) for h in np.flatnonzero(active))


class HeadViewer(LiveView, widgets.VBox):
    """Switch attention heads on and off and watch what reaches the output.

    Parameters
    ----------
    X : np.ndarray, shape (n, d_model), optional
        Default: :func:`lesson_inputs` of :data:`LESSON_SENTENCE`.
    tokens : list of str, optional
        Row labels; default the tokens of the lesson's sentence (or ``0..n-1`` when X is given).
    weights : dict, optional
        ``W_q``, ``W_k``, ``W_v``, ``W_o``, each (d_model, d_model); default :func:`lesson_weights`.
    n_heads : int, default 2
        Must divide d_model; the picker offers every divisor.
    columns : list of str, optional
        Labels of the output columns; default ``d1 .. d{d_model}``.

    Attributes
    ----------
    heads_picker : ipywidgets.Dropdown
        The number of heads.
    toggles : list of ipywidgets.Checkbox
        One per head; ticked heads contribute to the output.
    view : ipywidgets.HTML
        Every view, rebuilt in the kernel after each change (one message per repaint).
    version : int
        Increases by one per repaint; shown as ``data-version`` on the root element.
    """

    STYLE = HEAD_VIEWER_STYLE

    def __init__(self, X=None, tokens=None, weights=None, n_heads=2, columns=None):
        if X is None:
            tokens = tokenize(LESSON_SENTENCE) if tokens is None else list(tokens)
            X = lesson_inputs(tokens)
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must have shape (n, d_model); got shape {X.shape}")
        self.X = X
        n, d_model = X.shape
        self.tokens = [str(t) for t in tokens] if tokens is not None else [str(i) for i in range(n)]
        if len(self.tokens) != n:
            raise ValueError(f"tokens must have one label per row of X: expected {n}; got {len(self.tokens)}")
        self.weights = {k: np.asarray(v, dtype=np.float64).copy()
                        for k, v in (weights if weights is not None else lesson_weights()).items()}
        if sorted(self.weights) != ["W_k", "W_o", "W_q", "W_v"]:
            raise ValueError(f"weights must have the keys W_q, W_k, W_v and W_o; got {sorted(self.weights)}")
        self.columns = list(columns) if columns is not None else [f"d{j + 1}" for j in range(d_model)]
        if len(self.columns) != d_model:
            raise ValueError(f"columns must have one label per column of X: expected {d_model}; "
                             f"got {len(self.columns)}")
        check_heads(d_model, n_heads)
        self.version = 0
        self._holding = False

        self.heads_picker = widgets.Dropdown(options=divisors(d_model), value=int(n_heads),
                                             description="Heads", style={"description_width": "4em"},
                                             layout=widgets.Layout(width="160px"))
        self.toggle_box = widgets.HBox()
        self.toggles = []
        self.view = widgets.HTML()
        super().__init__([widgets.HBox([self.heads_picker, widgets.Label("Contribute to the output:"),
                                        self.toggle_box]), self.view])
        self.add_class("head-viewer-widget")
        self.heads_picker.observe(self._on_heads, names="value")
        self._on_heads()

    # ----- controls -------------------------------------------------------------------------
    def _on_heads(self, change=None):
        n_heads = int(self.heads_picker.value)
        self._steps = multi_head_steps(self.X, **self.weights, n_heads=n_heads)
        for box in self.toggles:
            box.unobserve(self.refresh, names="value")
        self.toggles = [widgets.Checkbox(value=True, description=f"head {h}", indent=False,
                                         layout=widgets.Layout(width="auto", margin="0 12px 0 0"))
                        for h in range(n_heads)]
        for box in self.toggles:
            box.observe(self.refresh, names="value")
        self.toggle_box.children = self.toggles
        self.refresh()

    def set_active(self, heads):
        """Switch on exactly the heads listed (indices), the others off, with one repaint."""
        heads = {int(h) for h in heads}
        unknown = sorted(heads - set(range(len(self.toggles))))
        if unknown:
            raise ValueError(f"heads must be numbered 0 to {len(self.toggles) - 1}; got {unknown}")
        with self._batch():
            for h, box in enumerate(self.toggles):
                box.value = h in heads

    # ----- computation ----------------------------------------------------------------------
    def state(self) -> dict:
        """Everything the view shows.

        Returns
        -------
        dict
            ``tokens``; ``n_heads``, ``d_head``; ``active`` (n_heads,) bool; ``weights``
            (n_heads, n, n); ``heads`` (n_heads, n, d_head); ``merged`` and ``output``
            (n, d_model), computed with only the active heads; ``full_output`` (n, d_model),
            with every head.
        """
        s = self._steps
        active = np.array([box.value for box in self.toggles], dtype=bool)
        merged, output = output_with_heads(s["heads"], self.weights["W_o"], active)
        n_heads = len(active)
        return {"tokens": list(self.tokens), "n_heads": n_heads, "d_head": self.X.shape[1] // n_heads,
                "active": active, "weights": s["weights"], "heads": s["heads"], "merged": merged,
                "output": output, "full_output": s["output"]}

    # ----- views ----------------------------------------------------------------------------
    def render_html(self, s) -> str:
        """The whole view as one HTML string."""
        tokens, active, d_head = s["tokens"], s["active"], s["d_head"]
        panels = []
        for h in range(s["n_heads"]):
            cols = f"{h * d_head}-{(h + 1) * d_head - 1}" if d_head > 1 else f"{h * d_head}"
            title = f"Head {h} (columns {cols})" + ("" if active[h] else ": off")
            panels.append(div(matrix_html(s["weights"][h], tokens, tokens, title, colored=True),
                              "hv-on" if active[h] else "hv-off", {"head": h}))
        if active.any():
            note = text_div("hv-note", f"Heads on: {_on_list(active)} of {s['n_heads']} (d_head = {d_head}). "
                                       "Rows: queries; columns: keys.")
        else:
            note = text_div("hv-alert", "Every head is off: merged is all zeros, so the output is all zeros.")
        merged_cols = [f"h{j // d_head}.{j % d_head}" for j in range(len(self.columns))]
        outputs = [
            matrix_html(_clean(s["merged"]), tokens, merged_cols,
                        "Merged: the heads side by side (h1.2 = head 1, its column 2; 0 when the head is off)"),
            matrix_html(_clean(s["output"]), tokens, self.columns, "Output = merged @ W_o"),
        ]
        return root_html("head-viewer", self.version, note + row_html(panels) + row_html(outputs),
                         {"n_heads": s["n_heads"], "active": _on_list(active)})

    def table(self) -> Table:
        """The output rows with the current heads, as text."""
        s = self.state()
        if s["active"].any():
            title = f"Output rows (heads on: {_on_list(s['active'])} of {s['n_heads']})"
        else:
            title = "Output rows: every head is off, so the output is all zeros"
        return Table(s["output"], s["tokens"], self.columns, title=title)

    def static_figure(self):
        """Every head's heatmap (switched-off heads faded) and the output, as one matplotlib figure."""
        s = self.state()
        n, n_heads = len(s["tokens"]), s["n_heads"]
        cols, rows = min(n_heads, 4), -(-n_heads // 4)
        size = 1.1 + 0.75 * n
        width = max(cols * (size + 1.5), 1.1 + 0.75 * len(self.columns) + 1.5)
        fig = Figure(facecolor="white", figsize=(width, (rows + 1) * (size + 0.3)), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[rows, 1])
        heads_figure(s["weights"], s["tokens"], active=s["active"], fig=top)
        on = _on_list(s["active"])
        title = f"Output (heads on: {on})" if on else "Output: every head is off, so all zeros"
        grid = bottom.add_gridspec(1, max(cols, 2))
        heatmap(_clean(s["output"]), s["tokens"], self.columns, title=title, xlabel="output column",
                ylabel="token", vmin=None, vmax=None, ax=bottom.add_subplot(grid[0, :2]))
        return fig

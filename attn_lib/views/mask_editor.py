"""The mask editor of notebook 05: tick which keys each query may attend to, see the weights repaint."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..core.attention import attention, scores
from ..core.tokens import tokenize
from ..lessons.lesson02 import MATRICES, explorer_inputs, preset_weights
from ..lessons.lesson05 import MASK_PRESETS, empty_row_message, preset_mask
from ..plots.charts import heatmap
from ..plots.palette import FONT_SIZE, OKABE_ITO
from ..plots.table import Table
from ._base import LiveView
from ._html import (
    MASK_EDITOR_STYLE,
    bold,
    heat_td,
    number_td,
    root_html,
    row_html,
    stacked_lines,
    table_html,
    td,
    text_div,
)


def _mask_html(mask, tokens) -> str:
    cells = [[td("1", "attn-on") if m else td("0", "attn-off") for m in row] for row in mask]
    return table_html(cells, tokens, tokens, "Mask (1 = may attend)", "mask")


def _scores_html(masked_scores, tokens) -> str:
    cells = [[td("−∞", "attn-off") if np.isneginf(v) else number_td(v) for v in row] for row in masked_scores]
    return table_html(cells, tokens, tokens, "Scores after masking (−∞ = hidden)", "scores")


def _weights_html(weights, tokens, empty_rows) -> str:
    """The weights; a row of a query with no key is one cell explaining why it has no weights."""
    cells = [[td(empty_row_message(label, i), "attn-error", colspan=len(tokens))] if i in empty_rows
             else [heat_td(v) for v in row] for i, (label, row) in enumerate(zip(tokens, weights))]
    return table_html(cells, tokens, tokens, "Attention weights (rows: queries, columns: keys)", "weights",
                      row_classes={i: "attn-empty" for i in empty_rows})


class MaskEditor(LiveView, widgets.VBox):
    """Edit an attention mask cell by cell and watch the attention weights repaint.

    Parameters
    ----------
    sentence : str, default "The cat sat on the mat"
        Tokenized with :func:`attn_lib.tokenize`.
    pattern : str, default "attend to nouns"
        The weights W_Q, W_K, W_V: one of the explorer's presets
        (:data:`attn_lib.lessons.lesson02.PRESETS`), applied to
        :func:`attn_lib.lessons.lesson02.explorer_inputs`.
    mask : array_like of bool, shape (n, n), optional
        The starting mask (True = may attend); by default every key is allowed. "reset"
        returns to it.
    d_k : int, default 4
        Width of queries, keys and values.

    Attributes
    ----------
    tokens : list of str
    boxes : list of list of ipywidgets.Checkbox
        ``boxes[i][j]`` is ticked when query ``i`` may attend to key ``j``.
    buttons : dict of str to ipywidgets.Button
        One button per name in :data:`MASK_PRESETS`.
    view : ipywidgets.HTML
        The live view, rebuilt after every change; its root carries ``data-version``.
    version : int
        How many times the view has been rebuilt.
    """

    STYLE = MASK_EDITOR_STYLE

    def __init__(self, sentence="The cat sat on the mat", pattern="attend to nouns", mask=None, d_k=4):
        self.tokens = tokenize(sentence)
        n = len(self.tokens)
        weights = preset_weights(pattern, d_k)
        X = explorer_inputs(self.tokens)                                       # (n, 10)
        self.Q, self.K, self.V = (X @ weights[name] for name in MATRICES)      # (n, d_k) each
        self._initial = self._check_mask(np.ones((n, n), dtype=bool) if mask is None else mask)
        self._mask = self._initial.copy()
        self._holding = False
        self.version = 0

        # The description names the box for screen readers ("'cat' may attend to 'mat'"); the style
        # sheet hides it on screen, where the grid's row and column labels say the same.
        self.boxes = [[widgets.Checkbox(value=bool(self._mask[i, j]), indent=False,
                                        description=f"'{q}' may attend to '{k}'",
                                        tooltip=f"'{q}' may attend to '{k}'",
                                        layout=widgets.Layout(width="2.6em", height="1.8em"))
                       for j, k in enumerate(self.tokens)] for i, q in enumerate(self.tokens)]
        self.buttons = {name: widgets.Button(description=label, layout=widgets.Layout(width="auto"))
                        for name, label in zip(MASK_PRESETS, ("all (BERT)", "causal (GPT)", "only itself", "reset"))}
        self.view = widgets.HTML(layout=widgets.Layout(flex="1 1 520px", overflow="auto"))

        label = {"layout": widgets.Layout(width="auto"), "style": {"font_size": "16px", "font_weight": "bold"}}
        header = [widgets.HTML(stacked_lines(["keys →", "queries ↓"]))]
        header += [widgets.Label(t, **label) for t in self.tokens]
        cells = [item for i, q in enumerate(self.tokens) for item in [widgets.Label(q, **label), *self.boxes[i]]]
        grid = widgets.GridBox(header + cells, layout=widgets.Layout(
            grid_template_columns=f"8em repeat({n}, 3.4em)", grid_gap="4px 2px", align_items="center"))
        grid.add_class("attn-mask-grid")
        controls = widgets.VBox([widgets.HTML(bold("Tick the keys each query may attend to")), grid,
                                 widgets.HBox(list(self.buttons.values()))],
                                layout=widgets.Layout(flex="0 0 auto"))
        # The grid beside the view, so a learner sees the weights change as they tick a box.
        super().__init__([widgets.HBox([controls, self.view], layout=widgets.Layout(flex_flow="row wrap"))])
        self.add_class("attn-mask-editor-widget")

        for i, row in enumerate(self.boxes):
            for j, box in enumerate(row):
                box.observe(self._on_box(i, j), names="value")
        for name, button in self.buttons.items():
            button.on_click(lambda _, name=name: self.apply_preset(name))
        self.refresh()

    # ----- controls -------------------------------------------------------------------------
    def _check_mask(self, mask) -> np.ndarray:
        n = len(self.tokens)
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"mask must have dtype bool (True = may attend); got dtype {mask.dtype}")
        if mask.shape != (n, n):
            raise ValueError(f"mask must have shape (n, n) = ({n}, {n}), one row and one column per token "
                             f"of {self.tokens}; got shape {mask.shape}")
        return mask.copy()

    def _on_box(self, i, j):
        def handler(change):
            self._mask[i, j] = bool(change["new"])
            self.refresh()
        return handler

    @property
    def mask(self) -> np.ndarray:
        """A copy of the current mask, shape (n, n), dtype bool."""
        return self._mask.copy()

    def set_mask(self, mask):
        """Tick the boxes of ``mask`` (bool, shape (n, n)) and repaint once."""
        mask = self._check_mask(mask)
        with self._batch():
            for i, row in enumerate(self.boxes):
                for j, box in enumerate(row):
                    box.value = bool(mask[i, j])
            self._mask = mask

    def apply_preset(self, name: str):
        """Fill the grid with one of :data:`MASK_PRESETS` and repaint once."""
        if name not in MASK_PRESETS:
            raise ValueError(f"name must be one of {MASK_PRESETS}; got {name!r}")
        self.set_mask(self._initial if name == "reset" else preset_mask(name, len(self.tokens)))

    # ----- computation ----------------------------------------------------------------------
    def state(self) -> dict:
        """Everything the view shows, computed with attn_lib.

        Returns
        -------
        dict
            ``tokens``; ``mask`` (n, n) bool; ``scores`` (n, n), scaled by sqrt(d_k);
            ``masked_scores`` (n, n), -inf where the mask is False; ``weights`` (n, n) and
            ``output`` (n, d_k) from :func:`attn_lib.attention` with this mask, except the rows
            of ``empty_rows`` (queries that may attend to nothing), which are NaN: undefined.
        """
        mask = self._mask.copy()
        s = scores(self.Q, self.K)                                             # (n, n)
        ok = mask.any(axis=1)                                                  # (n,) rows with a key
        weights = np.full(s.shape, np.nan)
        output = np.full((len(self.tokens), self.V.shape[1]), np.nan)
        if ok.any():
            output[ok], weights[ok] = attention(self.Q[ok], self.K, self.V, mask=mask[ok])
        return {"tokens": list(self.tokens), "mask": mask, "scores": s,
                "masked_scores": np.where(mask, s, -np.inf), "weights": weights, "output": output,
                "empty_rows": [int(i) for i in np.flatnonzero(~ok)]}

    # ----- views ----------------------------------------------------------------------------
    def render_html(self, s) -> str:
        """The weights, the masked scores and the mask as one HTML string."""
        tokens, empty = s["tokens"], s["empty_rows"]
        note = ""
        if empty:
            names = ", ".join(f"'{tokens[i]}'" for i in empty)
            note = text_div("attn-note", f"{len(empty)} {'query has' if len(empty) == 1 else 'queries have'} "
                                         f"nothing to attend to ({names}); the other rows are still computed.")
        parts = [_weights_html(s["weights"], tokens, set(empty)), _scores_html(s["masked_scores"], tokens),
                 _mask_html(s["mask"], tokens)]
        return root_html("attn-mask-editor", self.version, note + row_html(parts))

    def table(self) -> Table:
        """The current weights with token labels (rows of queries with no key show as nan)."""
        s = self.state()
        title = "Attention weights with the current mask"
        if s["empty_rows"]:
            names = ", ".join(f"'{s['tokens'][i]}'" for i in s["empty_rows"])
            title += f" (nan: {names} may attend to nothing)"
        return Table(s["weights"], s["tokens"], s["tokens"], title=title)

    def static_figure(self):
        """The mask and the weights side by side (the snapshot for readers without a kernel)."""
        s = self.state()
        tokens, n = s["tokens"], len(s["tokens"])
        fig = Figure(facecolor="white", figsize=(3.0 + 1.8 * n, 1.8 + 0.8 * n), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1, 1.2])
        left.imshow(s["mask"].astype(int), cmap=ListedColormap(["#eeeeee", OKABE_ITO["blue"]]), vmin=0, vmax=1)
        for (i, j), m in np.ndenumerate(s["mask"]):
            left.text(j, i, "1" if m else "0", ha="center", va="center", fontsize=FONT_SIZE,
                      color="white" if m else "#555555")
        left.set_xticks(range(n), tokens, fontsize=FONT_SIZE, rotation=45, ha="right")
        left.set_yticks(range(n), tokens, fontsize=FONT_SIZE)
        left.set_xlabel("key (attended to)", fontsize=FONT_SIZE)
        left.set_ylabel("query (attending)", fontsize=FONT_SIZE)
        left.set_title("Mask (1 = may attend)", fontsize=FONT_SIZE + 2)

        heatmap(s["weights"], tokens, ax=right, annotate=False, title="Attention weights (snapshot)")
        for (i, j), v in np.ndenumerate(s["weights"]):
            if not np.isnan(v):
                right.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=FONT_SIZE - 2,
                           color="black" if v > 0.5 else "white")
        for i in s["empty_rows"]:
            right.text((n - 1) / 2, i, f"'{tokens[i]}' may attend to nothing (0/0)", ha="center",
                       va="center", fontsize=FONT_SIZE - 1, color=OKABE_ITO["vermillion"], fontweight="bold")
        return fig

"""The attention explorer of notebook 02: edit W_Q, W_K and W_V and watch every step respond."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..core.attention import attention, causal_mask, scores
from ..core.tokens import tokenize
from ..lessons.lesson02 import (
    INPUT_FEATURES,
    MATRICES,
    PRESETS,
    THETA,
    explorer_inputs,
    preset_weights,
)
from ..plots.charts import bar_chart, heatmap
from ..plots.table import Table
from ._base import LiveView
from ._html import (
    EXPLORER_STYLE,
    bars_html,
    matrix_html,
    panel_html,
    root_html,
    row_html,
    text_div,
)


LONG_SENTENCE = 12
"""Above this many tokens the two n x n score tables start folded away: painting them made a
32-token repaint miss its 100 ms target (they are ~2,000 of its ~3,600 table cells).
The weights table, the bars and Q, K, V and the outputs stay.
"""


class AttentionExplorer(LiveView, widgets.VBox):
    """Edit W_Q, W_K and W_V for a sentence and watch attention respond.

    Parameters
    ----------
    sentence : str, default "The cat sat on the mat"
    preset : str, default "attend to nouns"
        Starting weights; one of :data:`PRESETS`.
    d_k : int, default 4
        Width of queries, keys and values.
    seed : int, default 0
        Seed of the ``"random"`` preset.
    query : str or int, optional
        The word (or its index) whose softmax bars are shown; default the second token.

    Attributes
    ----------
    tokens : list of str
    weights : dict of np.ndarray, each (10, d_k)
        The current ``W_Q``, ``W_K``, ``W_V``.
    view : ipywidgets.HTML
        Every live view, repainted together after each change.
    """

    STYLE = EXPLORER_STYLE

    def __init__(self, sentence="The cat sat on the mat", preset="attend to nouns", d_k=4, seed=0, query=None):
        self.d_k = int(d_k)
        self._initial = (sentence, preset, seed, query)
        self._holding = False
        self.version = 0
        self.tokens = tokenize(sentence)
        self.weights = preset_weights(preset, self.d_k, seed)

        style = {"description_width": "7em"}
        self.sentence_box = widgets.Text(value=sentence, description="Sentence", continuous_update=False,
                                         layout=widgets.Layout(width="420px"), style=style)
        self.query_picker = widgets.Dropdown(description="Query word", style=style)
        self.preset_picker = widgets.Dropdown(options=PRESETS, value=preset, description="Preset", style=style,
                                              layout=widgets.Layout(width="420px"))
        self.seed_box = widgets.BoundedIntText(value=seed, min=0, max=10**6, description="Seed", style=style,
                                               layout=widgets.Layout(width="200px"))
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        self.scale_box = widgets.Checkbox(value=True, description="divide by √d_k", indent=False)
        self.causal_box = widgets.Checkbox(value=False, description="causal mask (GPT)", indent=False)
        self.scores_box = widgets.Checkbox(value=len(self.tokens) <= LONG_SENTENCE,
                                           description="show the score tables", indent=False)
        self.temperature_slider = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.01,
                                                         description="Temperature", readout_format=".2f",
                                                         style=style, continuous_update=True)
        # Each cell is named "W_Q row 'cat-like', column d1" for screen readers; the grid's own
        # labels show the same, so the description label takes no room (description_width 0).
        self.cells = {name: [[widgets.FloatText(value=float(self.weights[name][i, j]), step=0.1,
                                                description=f"{name} row '{feature}', column d{j + 1}",
                                                style={"description_width": "0px"},
                                                layout=widgets.Layout(width="4.6em"))
                              for j in range(self.d_k)] for i, feature in enumerate(INPUT_FEATURES)]
                      for name in MATRICES}
        self.view = widgets.HTML(layout=widgets.Layout(flex="1 1 480px", overflow="auto"))

        editors = widgets.Tab(children=[self._grid(name) for name in MATRICES], titles=list(MATRICES))
        controls = widgets.VBox([
            self.sentence_box, self.query_picker,
            self.preset_picker, widgets.HBox([self.seed_box, self.reset_button]),
            widgets.HBox([self.scale_box, self.causal_box]), self.scores_box, self.temperature_slider, editors])
        controls.layout = widgets.Layout(flex="0 0 auto", width="470px")
        # Controls beside the views, so a learner sees the heatmap while editing a weight.
        super().__init__([widgets.HBox([controls, self.view], layout=widgets.Layout(flex_flow="row wrap"))])
        self.add_class("attn-explorer-widget")

        self._set_query_options(query if query is not None else min(1, len(self.tokens) - 1))
        self.sentence_box.observe(self._on_sentence, names="value")
        self.preset_picker.observe(self._on_preset, names="value")
        self.seed_box.observe(self._on_seed, names="value")
        self.reset_button.on_click(self._on_reset)
        for box in (self.query_picker, self.scale_box, self.causal_box, self.scores_box, self.temperature_slider):
            box.observe(self.refresh, names="value")
        for name in MATRICES:
            for i, row in enumerate(self.cells[name]):
                for j, cell in enumerate(row):
                    cell.observe(self._on_cell(name, i, j), names="value")
        self.refresh()

    # ----- controls -------------------------------------------------------------------------
    def _grid(self, name):
        header = [widgets.Label("")] + [widgets.Label(f"d{j + 1}") for j in range(self.d_k)]
        rows = [item for i, feature in enumerate(INPUT_FEATURES)
                for item in [widgets.Label(feature), *self.cells[name][i]]]
        return widgets.GridBox(header + rows, layout=widgets.Layout(
            grid_template_columns=f"6.5em repeat({self.d_k}, 5em)", grid_gap="2px 4px"))

    def _set_query_options(self, query):
        index = self.tokens.index(query) if isinstance(query, str) and query in self.tokens else query
        if not isinstance(index, (int, np.integer)) or not 0 <= index < len(self.tokens):
            index = 0
        with self._batch(repaint=False):
            self.query_picker.options = [(f"{i}: {t}", i) for i, t in enumerate(self.tokens)]
            self.query_picker.value = int(index)

    def _on_cell(self, name, i, j):
        def handler(change):
            self.weights[name][i, j] = change["new"]
            self.refresh()
        return handler

    def _on_sentence(self, change):
        try:
            tokens = tokenize(change["new"])
        except ValueError as error:
            self.view.value = root_html("attn-explorer", None, text_div("attn-error", error))
            return
        old_query = self.query_picker.value
        with self._batch():
            self.tokens = tokens                 # weights do not depend on the sentence: keep them
            self._set_query_options(min(old_query, len(tokens) - 1))
            self.scores_box.value = len(tokens) <= LONG_SENTENCE

    def _on_preset(self, change=None):
        self.set_weights(**preset_weights(self.preset_picker.value, self.d_k, self.seed_box.value))

    def _on_seed(self, change):
        if self.preset_picker.value == "random":
            self._on_preset()

    def _on_reset(self, button=None):
        sentence, preset, seed, query = self._initial
        with self._batch():
            self.sentence_box.value, self.preset_picker.value, self.seed_box.value = sentence, preset, seed
            self.scale_box.value, self.causal_box.value, self.temperature_slider.value = True, False, 1.0
            self.tokens = tokenize(sentence)
            self.scores_box.value = len(self.tokens) <= LONG_SENTENCE
            self._set_query_options(query if query is not None else min(1, len(self.tokens) - 1))
            self.set_weights(**preset_weights(preset, self.d_k, seed))

    def set_weights(self, **matrices):
        """Replace any of ``W_Q``, ``W_K``, ``W_V`` (each shape (10, d_k)) and repaint once."""
        for name, W in matrices.items():
            if name not in MATRICES:
                raise TypeError(f"set_weights takes W_Q, W_K and W_V; got {name!r}")
            W = np.asarray(W, dtype=np.float64)
            if W.shape != (len(INPUT_FEATURES), self.d_k):
                raise ValueError(f"{name} must have shape ({len(INPUT_FEATURES)}, {self.d_k}); got {W.shape}")
            self.weights[name] = W.copy()
        with self._batch():
            for name in matrices:
                for i, row in enumerate(self.cells[name]):
                    for j, cell in enumerate(row):
                        cell.value = float(self.weights[name][i, j])

    # ----- computation ----------------------------------------------------------------------
    def state(self) -> dict:
        """Everything the views show, computed with attn_lib.

        Returns
        -------
        dict
            ``tokens``; ``X`` (n, 10); ``Q``, ``K``, ``V`` (n, d_k); ``raw_scores`` and
            ``scaled_scores`` (n, n); ``weights`` (n, n); ``output`` (n, d_k); ``query`` (int).
        """
        X = explorer_inputs(self.tokens)                                       # (n, 10)
        Q, K, V = (X @ self.weights[name] for name in MATRICES)                # (n, d_k) each
        mask = causal_mask(len(self.tokens)) if self.causal_box.value else None
        scale = bool(self.scale_box.value)
        output, weights = attention(Q, K, V, mask=mask, temperature=self.temperature_slider.value, scale=scale)
        return {"tokens": list(self.tokens), "X": X, "Q": Q, "K": K, "V": V,
                "raw_scores": scores(Q, K, scale=False), "scaled_scores": scores(Q, K, scale=scale),
                "weights": weights, "output": output, "query": int(self.query_picker.value or 0)}

    # ----- views ----------------------------------------------------------------------------
    def render_html(self, s) -> str:
        """All views as one HTML string."""
        tokens, q = s["tokens"], s["query"]
        cols = [f"d{j + 1}" for j in range(self.d_k)]
        label = "scaled scores (÷√d_k)" if self.scale_box.value else "scores (not scaled)"
        parts = [
            matrix_html(s["weights"], tokens, tokens, "Attention weights (rows: queries, columns: keys)",
                        colored=True, highlight_row=q),
            panel_html(bars_html(tokens, s["weights"][q], q, f"Softmax scores of '{tokens[q]}'"), "bars"),
            *([matrix_html(s["raw_scores"], tokens, tokens, "Raw scores Q·Kᵀ", highlight_row=q),
               matrix_html(s["scaled_scores"], tokens, tokens, label.capitalize(), highlight_row=q)]
              if self.scores_box.value else
              [text_div("attn-note", f"The two {len(tokens)} × {len(tokens)} score tables are folded away "
                                     f"for a sentence this long; tick 'show the score tables' to see them.")]),
            matrix_html(s["Q"], tokens, cols, "Q (queries)", highlight_row=q),
            matrix_html(s["K"], tokens, cols, "K (keys)"),
            matrix_html(s["V"], tokens, cols, "V (values)"),
            matrix_html(s["output"], tokens, cols, "Output (context vectors)", highlight_row=q),
        ]
        period = round(2 * np.pi / THETA)
        note = (text_div("attn-note", f"This sentence has more than {period} tokens: the two position "
                                      f"features repeat every {period} tokens, so position-based presets "
                                      f"confuse word i with word i+{period}.") if len(tokens) > period else "")
        return root_html("attn-explorer", self.version, note + row_html(parts))

    def table(self) -> Table:
        s = self.state()
        return Table(s["weights"], s["tokens"], s["tokens"], title="Attention weights")

    def static_figure(self):
        """Heatmap and the query's softmax bars as one matplotlib figure (the snapshot)."""
        s = self.state()
        n = len(s["tokens"])
        fig = Figure(facecolor="white", figsize=(3.0 + 1.6 * n, 1.5 + 0.7 * n), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1.2, 1])
        heatmap(s["weights"], s["tokens"], ax=left, title="Attention weights (snapshot)")
        bar_chart(s["tokens"], s["weights"][s["query"]], ax=right, highlight=s["query"],
                  title=f"Softmax scores of '{s['tokens'][s['query']]}'")
        return fig

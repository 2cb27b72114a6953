"""The attention viewer of notebook 09: head view and model view of a pretrained model's attention."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..lessons.lesson09 import PATTERNS, pattern_scores
from ..plots.lesson09 import mosaic
from ..plots.palette import FONT_SIZE, HEATMAP_CMAP, OKABE_ITO
from ..plots.table import Table
from ._base import LiveView
from ._html import (
    ATTENTION_VIEWER_STYLE,
    details_html,
    head_lines_svg,
    matrix_html,
    mosaic_svg,
    panel_html,
    png_data_uri,
    root_html,
    row_html,
    text_div,
)

ROW = 24            # px between tokens in the head view
TILE = 44           # px per head in the model view


class AttentionViewer(LiveView, widgets.VBox):
    """Head view and model view of a pretrained model's attention, with layer and head pickers.

    Parameters
    ----------
    model : callable
        Takes a sentence and returns an object with ``tokens`` and ``attentions``
        (n_layers, n_heads, n, n), such as :class:`attn_lib.model.PretrainedModel`.
    sentence : str, default "The cat sat on the mat"
    layer, head : int, default 0
        The head shown first (counted from 0, like numpy indices).

    Attributes
    ----------
    result : object
        What ``model(sentence)`` returned for the current sentence.
    tokens : list of str
    attentions : np.ndarray, shape (n_layers, n_heads, n, n)
    view : ipywidgets.HTML
        Both views, repainted together after each change; its root element has the
        class ``attn-model-viewer`` and a ``data-version`` that grows by one per repaint.
    """

    STYLE = ATTENTION_VIEWER_STYLE

    def __init__(self, model, sentence="The cat sat on the mat", layer=0, head=0):
        self.model = model
        self._run(sentence)
        L, H = self.attentions.shape[:2]
        if not (0 <= layer < L and 0 <= head < H):
            raise ValueError(f"layer must be in 0..{L - 1} and head in 0..{H - 1}; got layer={layer}, head={head}")
        style = {"description_width": "5em"}
        self.sentence_box = widgets.Text(value=sentence, description="Sentence", continuous_update=False,
                                         layout=widgets.Layout(width="460px"), style=style)
        self.layer_slider = widgets.IntSlider(value=layer, min=0, max=L - 1, description="Layer",
                                              continuous_update=True, style=style)
        self.head_slider = widgets.IntSlider(value=head, min=0, max=H - 1, description="Head",
                                             continuous_update=True, style=style)
        self.token_picker = widgets.Dropdown(description="Query", style=style)
        self.view = widgets.HTML()
        super().__init__([widgets.HBox([widgets.VBox([self.sentence_box, self.token_picker]),
                                        widgets.VBox([self.layer_slider, self.head_slider])]), self.view])
        self.add_class("attn-model-viewer-widget")
        self._set_token_options()
        self.sentence_box.observe(self._on_sentence, names="value")
        for control in (self.layer_slider, self.head_slider, self.token_picker):
            control.observe(self.refresh, names="value")
        self.refresh()

    # ----- state -------------------------------------------------------------------------------
    def _run(self, sentence):
        """Run the model and precompute what does not depend on the layer and head."""
        self.result = self.model(sentence)
        self.tokens = list(self.result.tokens)
        self.attentions = np.asarray(self.result.attentions, dtype=np.float64)  # (L, H, n, n)
        self._mosaic_uri = png_data_uri(mosaic(self.attentions))
        self._scores = pattern_scores(self.attentions, self.tokens)
        self._head_svgs = {}                                                      # (layer, head, query) -> svg

    def _set_token_options(self):
        with self._batch(repaint=False):
            self.token_picker.options = [("all tokens", -1)] + [(f"{i}: {t}", i) for i, t in enumerate(self.tokens)]
            self.token_picker.value = -1

    def _on_sentence(self, change):
        try:
            self._run(change["new"])
        except (TypeError, ValueError) as error:
            self.version += 1
            self.view.value = root_html("attn-model-viewer", self.version, text_div("attn-error", error))
            return
        self._set_token_options()
        self.refresh()

    @property
    def layer(self) -> int:
        return int(self.layer_slider.value)

    @property
    def head(self) -> int:
        return int(self.head_slider.value)

    @property
    def weights(self) -> np.ndarray:
        """The chosen head's attention weights, shape (n, n)."""
        return self.attentions[self.layer, self.head]

    def state(self) -> dict:
        """What the views show: ``tokens``, ``layer``, ``head``, ``query`` (-1: all tokens),
        ``weights`` (n, n) of the chosen head, and its pattern ``scores`` (a dict of floats)."""
        query = self.token_picker.value if self.token_picker.value is not None else -1
        return {"tokens": self.tokens, "layer": self.layer, "head": self.head, "query": int(query),
                "weights": self.weights,
                "scores": {name: float(self._scores[name][self.layer, self.head]) for name in PATTERNS}}

    # ----- views -------------------------------------------------------------------------------
    def render_html(self, s) -> str:
        """Both views as one HTML string."""
        key = (s["layer"], s["head"], s["query"])
        if key not in self._head_svgs:                     # each head's SVG is built once per sentence
            self._head_svgs[key] = head_lines_svg(self.tokens, s["weights"], s["query"], ROW)
        scores = ", ".join(f"{name} {value:.2f}" for name, value in s["scores"].items())
        L, H = self.attentions.shape[:2]
        numbers = details_html("Weights as numbers", matrix_html(
            s["weights"], self.tokens, self.tokens, f"Layer {s['layer']}, head {s['head']}: weights "
            f"(rows: queries, columns: keys)", "weights", colored=True, highlight_row=None if s["query"] < 0
            else s["query"]))
        head_view = panel_html(self._head_svgs[key] + text_div("attn-note", f"mean weight on: {scores}") + numbers,
                               "head", f"Head view: layer {s['layer']}, head {s['head']}")
        model_view = panel_html(mosaic_svg(self._mosaic_uri, L, H, len(self.tokens), s["layer"], s["head"], TILE),
                                "model", f"Model view: all {L * H} heads")
        return root_html("attn-model-viewer", self.version, row_html([head_view, model_view]))

    # ----- static picture ----------------------------------------------------------------------
    def table(self) -> Table:
        """The chosen head's weights as a labelled table."""
        return Table(self.weights, self.tokens, self.tokens,
                     title=f"Layer {self.layer}, head {self.head}: attention weights (rows: queries)")

    def static_figure(self):
        """The head view and the model view as one matplotlib figure (the snapshot)."""
        n = len(self.tokens)
        L, H = self.attentions.shape[:2]
        fig = Figure(facecolor="white", figsize=(15, max(4.5, 0.42 * n + 1.5)), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1, 2.6])
        for i in range(n):
            for j in range(n):
                w = self.weights[i, j]
                if w >= 0.01:
                    left.plot([0.1, 0.9], [i, j], color=OKABE_ITO["blue"], alpha=float(w), lw=1 + 4 * w)
        for i, token in enumerate(self.tokens):
            left.text(0.08, i, token, ha="right", va="center", fontsize=FONT_SIZE)
            left.text(0.92, i, token, ha="left", va="center", fontsize=FONT_SIZE)
        left.set_xlim(-0.45, 1.45)
        left.set_ylim(n - 0.5, -0.5)
        left.axis("off")
        left.set_title(f"Head view: layer {self.layer}, head {self.head}", fontsize=FONT_SIZE + 2)
        image = mosaic(self.attentions)
        right.imshow(image, interpolation="nearest")
        step = n + 1
        right.set_xticks([h * step + (n - 1) / 2 for h in range(H)], range(H), fontsize=FONT_SIZE - 2)
        right.set_yticks([l * step + (n - 1) / 2 for l in range(L)], range(L), fontsize=FONT_SIZE - 2)
        right.set_xlabel("head", fontsize=FONT_SIZE)
        right.set_ylabel("layer", fontsize=FONT_SIZE)
        right.add_patch(Rectangle((self.head * step - 0.9, self.layer * step - 0.9), n + 0.8, n + 0.8,
                                  fill=False, edgecolor=OKABE_ITO["orange"], lw=2.5, clip_on=False))
        right.set_title(f"Model view: all {L * H} heads (snapshot)", fontsize=FONT_SIZE + 2)
        bar = fig.colorbar(ScalarMappable(Normalize(0, 1), HEATMAP_CMAP), ax=right, shrink=0.8)
        bar.set_label("attention weight", fontsize=FONT_SIZE)
        bar.ax.tick_params(labelsize=FONT_SIZE - 2)
        return fig

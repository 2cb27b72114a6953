"""The permutation view of notebook 06: reorder a sentence, is its attention just reordered?"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..core.tokens import tokenize
from ..lessons.lesson06 import (
    LESSON_SENTENCE,
    MAX_SHUFFLE_SEED,
    lesson_weights,
    order_of,
    permutation_matrix,
    sentence_attention,
    shuffled_order,
)
from ..plots.charts import heatmap
from ..plots.palette import FONT_SIZE, OKABE_ITO
from ..plots.table import Table
from ._base import LiveView
from ._html import (
    POSITION_STYLE,
    matrix_html,
    root_html,
    row_html,
    text_div,
    verdict_div,
)


# ----------------------------------------------------------------------------- PermutationView
class PermutationView(LiveView, widgets.VBox):
    """Reorder a sentence and see whether its attention is just the old attention, reordered.

    Three matrices are shown side by side: the attention weights of the original
    sentence; those of the reordered sentence, computed afresh with
    :func:`sentence_attention`; and the original weights with rows and columns
    moved to the new order, ``P @ W @ P.T``. The readout says whether the last two
    agree (``np.allclose``). Without positions they always do; with sinusoidal
    positions added to the embeddings they do not.

    Parameters
    ----------
    sentence : str, default :data:`LESSON_SENTENCE`
    reordered : str, optional
        The same words in another order; default the original order.
    positions : bool, default False
        Start with "add positions" ticked.
    weights : tuple of np.ndarray, optional
        ``(W_q, W_k, W_v)``, each with :data:`attn_lib.D_MODEL` rows; default :func:`lesson_weights`.

    Attributes
    ----------
    tokens : list of str
        The original sentence.
    order : list of int
        New position k holds original word ``order[k]``.
    sentence_box, reordered_box : ipywidgets.Text
    shuffle_slider : ipywidgets.IntSlider
        0 keeps the original order; every other value is a seed for a random order.
    word_picker : ipywidgets.Dropdown
        The word the buttons move; its row and column are outlined.
    left_button, right_button, original_button : ipywidgets.Button
    positions_box : ipywidgets.Checkbox
    view : ipywidgets.HTML
        Root element ``div.permutation-view`` with ``data-version``.
    version : int
        Number of repaints so far.
    """

    STYLE = POSITION_STYLE

    def __init__(self, sentence=LESSON_SENTENCE, reordered=None, positions=False, weights=None):
        self.tokens = tokenize(sentence)
        self.order = order_of(self.tokens, tokenize(reordered)) if reordered is not None \
            else list(range(len(self.tokens)))
        W = lesson_weights() if weights is None else weights
        if not isinstance(W, (tuple, list)) or len(W) != 3:
            raise TypeError("weights must be a tuple (W_q, W_k, W_v)")
        self.weights = tuple(np.array(w, dtype=np.float64) for w in W)
        sentence_attention(self.tokens[:1], *self.weights)              # validates the shapes
        self.version = 0
        self._holding = False
        self._error = None

        style = {"description_width": "8em"}
        wide = widgets.Layout(width="460px")
        self.sentence_box = widgets.Text(value=" ".join(self.tokens), description="Sentence",
                                         continuous_update=False, layout=wide, style=style)
        self.reordered_box = widgets.Text(value=" ".join(self.reordered_tokens), description="Reordered",
                                          continuous_update=False, layout=wide, style=style)
        self.shuffle_slider = widgets.IntSlider(value=0, min=0, max=MAX_SHUFFLE_SEED,
                                                description="Shuffle (seed)", continuous_update=True,
                                                layout=wide, style=style)
        self.word_picker = widgets.Dropdown(description="Word to move", style=style,
                                            layout=widgets.Layout(width="260px"))
        self.left_button = widgets.Button(description="move left", icon="arrow-left")
        self.right_button = widgets.Button(description="move right", icon="arrow-right")
        self.original_button = widgets.Button(description="original order", icon="undo")
        self.positions_box = widgets.Checkbox(value=bool(positions), description="add positions (sinusoidal)",
                                              indent=False)
        self.view = widgets.HTML()
        controls = widgets.VBox([
            self.sentence_box, self.reordered_box, self.shuffle_slider,
            widgets.HBox([self.word_picker, self.left_button, self.right_button, self.original_button]),
            self.positions_box])
        super().__init__([controls, self.view])
        self.add_class("permutation-view-widget")

        self._set_picker(0)
        self.sentence_box.observe(self._on_sentence, names="value")
        self.reordered_box.observe(self._on_reordered, names="value")
        self.shuffle_slider.observe(self._on_shuffle, names="value")
        self.word_picker.observe(self.refresh, names="value")
        self.positions_box.observe(self.refresh, names="value")
        self.left_button.on_click(lambda button: self.move(self.word_picker.value, -1))
        self.right_button.on_click(lambda button: self.move(self.word_picker.value, +1))
        self.original_button.on_click(lambda button: self.set_order(list(range(len(self.tokens)))))
        self.refresh()

    # ----- controls -------------------------------------------------------------------------
    @property
    def reordered_tokens(self) -> list:
        """The words in their new order."""
        return [self.tokens[i] for i in self.order]

    def _set_picker(self, index):
        with self._batch(repaint=False):
            self.word_picker.options = [(f"{k}: {t}", k) for k, t in enumerate(self.reordered_tokens)]
            self.word_picker.value = int(min(max(index, 0), len(self.tokens) - 1))

    def set_order(self, order, picked=None):
        """Put the words in ``order`` (new position k holds original word ``order[k]``); one repaint."""
        n = len(permutation_matrix(order))                                 # checks it is a rearrangement
        if n != len(self.tokens):
            raise ValueError(f"order must list each position 0..{len(self.tokens) - 1} exactly once; "
                             f"got {list(order)}")
        self.order = [int(k) for k in order]
        self._error = None
        with self._batch():
            self.reordered_box.value = " ".join(self.reordered_tokens)
            self._set_picker(self.word_picker.value if picked is None else picked)

    def move(self, k, step):
        """Move the word at position ``k`` one place left (step -1) or right (+1), if it can go there."""
        j = k + step
        if not 0 <= j < len(self.tokens):
            return
        order = list(self.order)
        order[k], order[j] = order[j], order[k]
        self.set_order(order, picked=j)

    def _on_sentence(self, change):
        try:
            tokens = tokenize(change["new"])
        except ValueError as error:
            self._show_error(str(error))
            return
        self.tokens = tokens
        with self._batch(repaint=False):
            self.shuffle_slider.value = 0
        self.set_order(list(range(len(tokens))), picked=0)

    def _on_reordered(self, change):
        if self._holding:                       # set by set_order itself
            return
        try:
            order = order_of(self.tokens, tokenize(change["new"]))
        except ValueError as error:
            self._show_error(str(error))
            return
        self.set_order(order)

    def _on_shuffle(self, change):
        if not self._holding:
            self.set_order(shuffled_order(len(self.tokens), change["new"]))

    def _show_error(self, message):
        self._error = message
        self.refresh()

    # ----- computation ----------------------------------------------------------------------
    def state(self) -> dict:
        """Everything the view shows, computed with attn_lib.

        Returns
        -------
        dict
            ``tokens``, ``reordered_tokens`` (lists), ``order`` (list), ``positions`` (bool);
            ``weights`` (n, n) of the original sentence, ``reordered_weights`` (n, n) of the
            reordered one, ``moved_weights`` = ``P @ weights @ P.T``; ``outputs`` and
            ``reordered_outputs`` (n, d_v); ``same_weights`` and ``same_outputs`` (bool);
            ``largest_difference`` (float), between ``reordered_weights`` and ``moved_weights``.
        """
        positions = bool(self.positions_box.value)
        P = permutation_matrix(self.order)                                         # (n, n)
        out, W = sentence_attention(self.tokens, *self.weights, positions=positions)
        out_r, W_r = sentence_attention(self.reordered_tokens, *self.weights, positions=positions)
        moved = P @ W @ P.T                                                        # rows and columns moved
        return {"tokens": list(self.tokens), "reordered_tokens": self.reordered_tokens,
                "order": list(self.order), "positions": positions,
                "weights": W, "reordered_weights": W_r, "moved_weights": moved,
                "outputs": out, "reordered_outputs": out_r,
                "same_weights": bool(np.allclose(W_r, moved)),
                "same_outputs": bool(np.allclose(out_r, P @ out)),
                "largest_difference": float(np.abs(W_r - moved).max())}

    # ----- views ----------------------------------------------------------------------------
    def render_html(self, s) -> str:
        """The whole view as one HTML string."""
        same = s["same_weights"]
        where = "with positions added" if s["positions"] else "without positions"
        pick = self.word_picker.value
        parts = [
            matrix_html(s["weights"], s["tokens"], s["tokens"], "Original sentence", "original", colored=True),
            matrix_html(s["reordered_weights"], s["reordered_tokens"], s["reordered_tokens"],
                        "Reordered: computed afresh", "reordered", colored=True, mark=pick),
            matrix_html(s["moved_weights"], s["reordered_tokens"], s["reordered_tokens"],
                        "Original, rows and columns moved (P W Pᵀ)", "moved", colored=True, mark=pick),
        ]
        body = ((text_div("attn-error", self._error) if self._error else "")
                + text_div("pos-caption", f"“{' '.join(s['reordered_tokens'])}”, {where}")
                + verdict_div("pos-readout", f"Same weights, just reordered: {same}", same)
                + text_div("pos-caption", f"largest difference: {s['largest_difference']:.2f}; "
                                          f"same outputs, just reordered: {s['same_outputs']}")
                + row_html(parts))
        return root_html("pos-view permutation-view", self.version, body,
                         {"same": same, "positions": s["positions"]})

    def table(self) -> Table:
        """The reordered sentence's weights, titled with the readout."""
        s = self.state()
        where = "with positions" if s["positions"] else "without positions"
        return Table(s["reordered_weights"], s["reordered_tokens"], s["reordered_tokens"],
                     title=f"'{' '.join(s['reordered_tokens'])}' {where}: same weights, just reordered: "
                           f"{s['same_weights']}")

    def static_figure(self):
        """The three matrices as one matplotlib figure (the snapshot)."""
        s = self.state()
        n = len(s["tokens"])
        size = 1.6 + 0.75 * n
        fig = Figure(facecolor="white", figsize=(3 * size + 1.5, size + 0.9), layout="constrained")
        axes = fig.subplots(1, 3)
        heatmap(s["weights"], s["tokens"], ax=axes[0], title="Original sentence")
        heatmap(s["reordered_weights"], s["reordered_tokens"], ax=axes[1], title="Reordered: computed afresh")
        heatmap(s["moved_weights"], s["reordered_tokens"], ax=axes[2], title="Original, moved (P W Pᵀ)")
        where = "With positions" if s["positions"] else "Without positions"
        fig.suptitle(f"{where}: same weights, just reordered: {s['same_weights']}", fontsize=FONT_SIZE + 4,
                     color=OKABE_ITO["blue"] if s["same_weights"] else OKABE_ITO["vermillion"])
        return fig

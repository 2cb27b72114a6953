"""The score sliders of notebook 01: one raw score per word, its softmax drawn as bars."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..core.softmax import softmax
from ..core.tokens import tokenize
from ..plots.charts import bar_chart
from ..plots.table import Table
from ._base import SnapshotMixin, style_widget
from ._html import LIVE_STYLE, bars_html, bold


class ScoreSliders(SnapshotMixin, widgets.VBox):
    """One slider per word sets the raw score; softmax bars update as you drag.

    Parameters
    ----------
    sentence : str
        Tokenized with :func:`attn_lib.tokenize`.
    raw_scores : array_like, shape (n_tokens,)
        Starting raw scores (logits).
    query : str
        The word whose attention is shown (used in titles and highlighted).

    Attributes
    ----------
    tokens : list of str
    sliders : list of ipywidgets.FloatSlider
    bars : ipywidgets.HTML
        The live view of the probabilities.
    """

    def __init__(self, sentence, raw_scores, query="cat", score_range=(-4.0, 4.0)):
        self.tokens = tokenize(sentence)
        raw_scores = np.asarray(raw_scores, dtype=np.float64)
        if raw_scores.shape != (len(self.tokens),):
            raise ValueError(f"raw_scores must have shape ({len(self.tokens)},), one per token of "
                             f"{sentence!r}; got shape {raw_scores.shape}")
        if query not in self.tokens:
            raise ValueError(f"query must be one of the tokens {self.tokens}; got {query!r}")
        self.query = query
        lo, hi = score_range
        self.sliders = [
            widgets.FloatSlider(value=float(np.clip(s, lo, hi)), min=lo, max=hi, step=0.01,
                                description=f"{t}", readout_format=".2f", continuous_update=True,
                                layout=widgets.Layout(width="420px"),
                                style={"description_width": "4em"})
            for t, s in zip(self.tokens, raw_scores)]
        self.bars = widgets.HTML(layout=widgets.Layout(min_width="460px"))
        for slider in self.sliders:
            slider.observe(self._update, names="value")
        header = widgets.HTML(bold(f"Raw scores of '{query}' for each word"))
        # The bars wrap under the sliders when the page is narrow (a projector at 1280 x 720 with a
        # side panel open), instead of squeezing the sliders into a scroll box.
        super().__init__([style_widget(LIVE_STYLE), widgets.HBox([widgets.VBox([header, *self.sliders]), self.bars],
                                                                 layout=widgets.Layout(flex_flow="row wrap"))])
        self.add_class("attn-live")
        self._update()

    @property
    def raw_scores(self) -> np.ndarray:
        """The sliders' values, shape (n_tokens,)."""
        return np.array([s.value for s in self.sliders])

    @property
    def probabilities(self) -> np.ndarray:
        """softmax of the raw scores, shape (n_tokens,)."""
        return softmax(self.raw_scores)

    def _update(self, change=None):
        self.bars.value = bars_html(self.tokens, self.probabilities, self.tokens.index(self.query),
                                    title=f"Attention of '{self.query}' (softmax)")

    def table(self) -> Table:
        """The current raw scores and probabilities as a labelled table."""
        return Table(np.stack([self.raw_scores, self.probabilities]), ["raw score", "probability"],
                     self.tokens)

    def static_figure(self):
        """A bar chart of the current probabilities."""
        return bar_chart(self.tokens, self.probabilities, highlight=self.tokens.index(self.query),
                         title=f"Attention of '{self.query}' (snapshot of the sliders)")

"""Live controls for notebooks, each with a static picture for places without a kernel.

A widget here shows itself three ways in one output: the live ipywidgets view
(JupyterLab, Notebook 7, Voila), a PNG snapshot of its current state (GitHub,
nbviewer, exported HTML, where widgets are dead), and a plain-text table.
Live updates build HTML in the kernel instead of redrawing matplotlib, which
is several times faster per event.
"""

from __future__ import annotations

import base64
import contextlib
import html

import ipywidgets as widgets
import numpy as np

from .display import OKABE_ITO, Table, bar_chart, figure_png
from .softmax import softmax
from .tokens import tokenize


def bars_html(labels, values, highlight=None, title="") -> str:
    """Horizontal HTML bars with values, one per label (fast to update live).

    Parameters
    ----------
    labels : list of str, length n
    values : array_like, shape (n,), each in [0, 1]
    highlight : int, optional
        Index of the bar drawn in a contrasting colour.
    """
    rows = []
    for i, (label, v) in enumerate(zip(labels, values)):
        color = OKABE_ITO["orange"] if i == highlight else OKABE_ITO["blue"]
        rows.append(
            "<div style='display:flex;align-items:center;margin:2px 0'>"
            f"<span style='width:6em;text-align:right;padding-right:8px'>{html.escape(label)}</span>"
            f"<span style='display:inline-block;height:1.1em;width:{300 * v:.1f}px;background:{color}'></span>"
            f"<span style='padding-left:8px' class='attn-value'>{v:.2f}</span></div>")
    head = f"<div style='font-weight:bold;margin-bottom:4px'>{html.escape(title)}</div>" if title else ""
    return f"<div class='attn-bars' style='font-size:16px;font-family:sans-serif'>{head}{''.join(rows)}</div>"


class SnapshotMixin:
    """Adds a PNG snapshot and a text table to a widget's display, for readers without a kernel."""

    def static_figure(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["image/png"] = base64.b64encode(figure_png(self.static_figure())).decode("ascii")
        bundle["text/plain"] = repr(self.table())
        return bundle


LIVE_STYLE = "<style>.attn-live {contain: content}</style>"
"""Layout and paint of a live widget stay inside it. Without this, moving a slider made the browser
repaint the whole notebook (7 ms per input, measured in a Chromium trace) before it could read
the kernel's answer; with it, about 1 ms."""


def style_widget(style: str) -> widgets.HTML:
    """A hidden HTML widget holding a ``<style>`` block (the rules apply to the page all the same)."""
    return widgets.HTML(style, layout=widgets.Layout(display="none"))


class LiveView(SnapshotMixin):
    """A live widget whose views are one HTML string, rebuilt from ``state()`` on every change.

    Subclasses give ``self.view`` (an ``ipywidgets.HTML``), ``state()``,
    ``render_html(state)``, ``table()`` and ``static_figure()``. One HTML update
    per change keeps a repaint to a single message, so a view is never half
    updated; ``version`` counts repaints (the root element's ``data-version``).
    """

    STYLE = ""
    """The view's ``<style>`` block, sent once in a widget of its own: inside every repaint it would
    make the browser restyle the whole page each time (20 ms of a 6-token explorer repaint, measured)."""
    _holding = False
    version = 0

    def __init__(self, children=(), **kwargs):
        super().__init__([style_widget(LIVE_STYLE + self.STYLE), *children], **kwargs)
        self.add_class("attn-live")

    @contextlib.contextmanager
    def _batch(self, repaint=True):
        """Change several controls with one repaint at the end (nested batches repaint once)."""
        outer, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = outer
        if repaint:
            self.refresh()

    def refresh(self, change=None):
        """Recompute and repaint (skipped while several controls change at once)."""
        if self._holding:
            return
        self.version += 1
        self.view.value = self.render_html(self.state())


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
        header = widgets.HTML(f"<b>Raw scores of '{html.escape(query)}' for each word</b>")
        super().__init__([style_widget(LIVE_STYLE), widgets.HBox([widgets.VBox([header, *self.sliders]), self.bars])])
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

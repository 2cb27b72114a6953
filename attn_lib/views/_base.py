"""What every live view shares: the PNG and text snapshot, the style widget, :class:`LiveView`."""

from __future__ import annotations

import base64
import contextlib

import ipywidgets as widgets

from ..plots.charts import figure_png
from ._html import LIVE_STYLE


class SnapshotMixin:
    """Adds a PNG snapshot and a text table to a widget's display, for readers without a kernel."""

    def static_figure(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["image/png"] = base64.b64encode(figure_png(self.static_figure())).decode("ascii")
        bundle["text/plain"] = repr(self.table())
        return bundle


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

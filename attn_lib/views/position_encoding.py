"""The position encoding view of notebook 06: a position's sinusoidal encoding and its similarities."""

from __future__ import annotations

import numbers

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..core.positions import sinusoidal_positions
from ..core.validate import as_positive_int
from ..plots.lesson06 import encoding_figure
from ..plots.palette import FONT_SIZE, OKABE_ITO
from ..plots.table import Table
from ._base import LiveView
from ._html import (
    POSITION_STYLE,
    encoding_heat_html,
    heat_rects,
    root_html,
    row_html,
    signed_bars_html,
    similarity_html,
    text_div,
)


def _similarity_floor(similarity) -> float:
    """The bottom of a similarity axis: 0, or lower when some dot product is negative."""
    return min(0.0, float(np.floor(np.min(similarity))))


# ----------------------------------------------------------------------------- PositionEncodingView
def _dimension_labels(d_model) -> list:
    return [f"{j} {'sin' if j % 2 == 0 else 'cos'}" for j in range(d_model)]


class PositionEncodingView(LiveView, widgets.VBox):
    """Pick a position and see its sinusoidal encoding and its similarity to every other position.

    The view shows the whole encoding matrix ``P = sinusoidal_positions(n_positions, d_model)``
    as a heatmap with the chosen row framed, that row as signed bars with their values,
    and the dot products ``P[position] @ P[j]`` for every position j. A dot product
    adds up ``cos((position - j) * rate)`` over the frequencies, so it depends only on
    the distance, is largest (``d_model / 2``) at the position itself, and is high for
    neighbours.

    Parameters
    ----------
    position : int, default 3
    d_model : int, default 16
        Even, between 2 and :attr:`MAX_D_MODEL`.
    n_positions : int, default 32
        Rows of the heatmap, between 2 and :attr:`MAX_POSITIONS`.

    Attributes
    ----------
    position_slider, d_model_slider : ipywidgets.IntSlider
    view : ipywidgets.HTML
        Root element ``div.position-encoding-view`` with ``data-version``.
    version : int
    """

    STYLE = POSITION_STYLE

    MAX_D_MODEL = 32
    MAX_POSITIONS = 64
    CELL = 11                           # px per heatmap cell

    def __init__(self, position: int = 3, d_model: int = 16, n_positions: int = 32):
        n_positions = as_positive_int(n_positions, "n_positions")
        if not 2 <= n_positions <= self.MAX_POSITIONS:
            raise ValueError(f"n_positions must be between 2 and {self.MAX_POSITIONS}; got {n_positions}")
        d_model = as_positive_int(d_model, "d_model")
        if d_model % 2 or d_model > self.MAX_D_MODEL:
            raise ValueError(f"d_model must be even and between 2 and {self.MAX_D_MODEL}; got {d_model}")
        if isinstance(position, bool) or not isinstance(position, numbers.Integral) \
                or not 0 <= position < n_positions:
            raise ValueError(f"position must be a whole number from 0 to {n_positions - 1}; got {position!r}")
        self.n_positions = n_positions
        self.version = 0
        self._heat_cache = {}
        style = {"description_width": "7em"}
        self.position_slider = widgets.IntSlider(value=int(position), min=0, max=n_positions - 1,
                                                 description="position", continuous_update=True,
                                                 layout=widgets.Layout(width="460px"), style=style)
        self.d_model_slider = widgets.IntSlider(value=d_model, min=2, max=self.MAX_D_MODEL, step=2,
                                                description="d_model", continuous_update=True,
                                                layout=widgets.Layout(width="460px"), style=style)
        self.view = widgets.HTML()
        super().__init__([self.position_slider, self.d_model_slider, self.view])
        self.add_class("position-encoding-view-widget")
        self.position_slider.observe(self.refresh, names="value")
        self.d_model_slider.observe(self.refresh, names="value")
        self.refresh()

    # ----- numbers --------------------------------------------------------------------------
    @property
    def position(self) -> int:
        return int(self.position_slider.value)

    @property
    def d_model(self) -> int:
        return int(self.d_model_slider.value)

    def state(self) -> dict:
        """The encodings and the chosen position's similarities, computed with attn_lib.

        Returns
        -------
        dict
            ``position``, ``d_model`` (int); ``P`` (n_positions, d_model); ``encoding`` (d_model,),
            the row ``P[position]``; ``similarity`` (n_positions,), ``P @ P[position]``.
        """
        P = sinusoidal_positions(self.n_positions, self.d_model)                 # (n, d_model)
        encoding = P[self.position]                                               # (d_model,)
        return {"position": self.position, "d_model": self.d_model, "P": P, "encoding": encoding,
                "similarity": P @ encoding}                                       # (n,)

    # ----- views ----------------------------------------------------------------------------
    def _heat(self, s) -> str:
        """The encoding matrix with the chosen row framed (its cells are drawn once per d_model)."""
        P = s["P"]
        if P.shape not in self._heat_cache:
            self._heat_cache[P.shape] = heat_rects(P, self.CELL)
        return encoding_heat_html(self._heat_cache[P.shape], self.n_positions, s["d_model"], self.CELL,
                                  s["position"])

    @staticmethod
    def neighbours(s) -> dict:
        """The chosen position's dot product with itself, its neighbours and the least similar position."""
        sim, p = s["similarity"], s["position"]
        out = {"itself": float(sim[p])}
        for k in (1, 5):
            near = [sim[j] for j in (p - k, p + k) if 0 <= j < len(sim)]
            out[f"{k} away"] = float(np.mean(near)) if near else float("nan")
        far = int(np.argmin(sim))
        out["least similar"] = (far, float(sim[far]))
        return out

    def render_html(self, s) -> str:
        """The whole view as one HTML string."""
        near = self.neighbours(s)
        far, far_value = near["least similar"]
        readout = (f"P[{s['position']}] · itself = {near['itself']:.2f} (= d_model / 2); "
                   f"1 away: {near['1 away']:.2f}; 5 away: {near['5 away']:.2f}; "
                   f"least similar: position {far} ({far_value:.2f})")
        parts = [self._heat(s),
                 signed_bars_html(_dimension_labels(s["d_model"]), s["encoding"], 1.0,
                                  f"Encoding of position {s['position']}", "encoding", half=110),
                 similarity_html(s["similarity"], s["position"], s["d_model"] / 2,
                                 _similarity_floor(s["similarity"]))]
        return root_html("pos-view position-encoding-view", self.version,
                         text_div("pos-caption", readout) + row_html(parts),
                         {"position": s["position"], "d_model": s["d_model"]})

    def table(self) -> Table:
        """The chosen position's encoding as a labelled row."""
        s = self.state()
        return Table(s["encoding"], [f"P[{s['position']}]"], _dimension_labels(s["d_model"]),
                     title=f"Encoding of position {s['position']}, d_model = {s['d_model']}")

    def static_figure(self):
        """The heatmap, the chosen row as bars and its similarities as one figure (the snapshot)."""
        s = self.state()
        fig = Figure(facecolor="white", figsize=(16, 5.2), layout="constrained")
        heat, bars, line = fig.subplots(1, 3, width_ratios=[1, 1.2, 1.3])
        encoding_figure(s["P"], title="All encodings", highlight=s["position"], ax=heat)
        x = np.arange(s["d_model"])
        colors = [OKABE_ITO["blue"] if v >= 0 else OKABE_ITO["vermillion"] for v in s["encoding"]]
        bars.bar(x, s["encoding"], color=colors)
        bars.axhline(0, color="#666666", linewidth=0.8)
        bars.set_ylim(-1.1, 1.1)
        bars.set_xlabel("dimension", fontsize=FONT_SIZE)
        bars.set_title(f"Encoding of position {s['position']}", fontsize=FONT_SIZE + 2)
        bars.tick_params(labelsize=FONT_SIZE - 2)
        j = np.arange(self.n_positions)
        line.plot(j, s["similarity"], "o-", color=OKABE_ITO["blue"], markersize=4)
        line.plot([s["position"]], [s["similarity"][s["position"]]], "o", color=OKABE_ITO["orange"],
                  markersize=12)
        line.axhline(0, color="#bbbbbb", linewidth=1)
        line.set_ylim(_similarity_floor(s["similarity"]) - 0.5, s["d_model"] / 2 + 0.5)
        line.set_xlabel("position j", fontsize=FONT_SIZE)
        line.set_title(f"P[{s['position']}] · P[j]", fontsize=FONT_SIZE + 2)
        line.tick_params(labelsize=FONT_SIZE - 2)
        return fig

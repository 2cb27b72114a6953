""""""

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
from ._html import POSITION_STYLE, shade


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
    def _heatmap_svg(self, P) -> str:
        """The encoding matrix as SVG rectangles (cached per d_model: only the frame moves)."""
        key = P.shape
        if key not in self._heat_cache:
            c = self.CELL
            rects = "".join(f"<rect x='{j * c}' y='{i * c}' width='{c}' height='{c}' fill='{shade(v, -1, 1)}'/>"
                            for (i, j), v in np.ndenumerate(P))
            self._heat_cache[key] = rects
        return self._heat_cache[key]

    def _heat(self, s) -> str:
        n, d, c = self.n_positions, s["d_model"], self.CELL
        left, top = 34, 8
        w, h = d * c, n * c
        p = s["position"]
        ticks = "".join(f"<text x='{left - 6}' y='{top + i * c + c - 1}' text-anchor='end'>{i}</text>"
                        for i in range(0, n, 8))
        return (f"<div><div class='pos-title'>All encodings (rows: positions)</div>"
                f"<svg class='pos-heat' width='{left + w + 6}' height='{top + h + 28}' "
                f"xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='13'>"
                f"<g transform='translate({left},{top})'>{self._heatmap_svg(s['P'])}"
                f"<rect class='pos-frame' x='-1' y='{p * c - 1}' width='{w + 2}' height='{c + 2}' fill='none' "
                f"stroke='{OKABE_ITO['orange']}' stroke-width='3'/></g>{ticks}"
                f"<text x='{left + w / 2}' y='{top + h + 20}' text-anchor='middle'>dimension →</text></svg></div>")

    @staticmethod
    def _bars(s) -> str:
        half = 110.0
        rows = []
        for label, v in zip(_dimension_labels(s["d_model"]), s["encoding"]):
            size = abs(v) * half
            left = half if v >= 0 else half - size
            color = OKABE_ITO["blue"] if v >= 0 else OKABE_ITO["vermillion"]
            rows.append(
                f"<div class='pos-bar' style='display:flex;align-items:center;height:20px'>"
                f"<span style='width:4.5em;text-align:right;padding-right:8px;font-family:monospace'>{label}</span>"
                f"<span style='position:relative;display:inline-block;width:{2 * half:.0f}px;height:15px'>"
                f"<span style='position:absolute;left:{half:.0f}px;top:-3px;bottom:-3px;border-left:1px solid #666'></span>"
                f"<span style='position:absolute;left:{left:.1f}px;width:{size:.1f}px;top:0;bottom:0;"
                f"background:{color}'></span></span>"
                f"<span class='pos-value' style='padding-left:8px;font-family:monospace'>{v:+.2f}</span></div>")
        return (f"<div><div class='pos-title'>Encoding of position {s['position']}</div>"
                f"<div class='pos-bars'>{''.join(rows)}</div></div>")

    def _similarity_svg(self, s) -> str:
        sim, p, d = s["similarity"], s["position"], s["d_model"]
        n = len(sim)
        width, height, left, top = 420, 260, 46, 12
        plot_w, plot_h = width - left - 12, height - top - 48
        half, low = d / 2, _similarity_floor(sim)

        def x(j):
            return left + plot_w * j / (n - 1)

        def y(v):
            return top + plot_h * (half - v) / (half - low)

        points = " ".join(f"{x(j):.1f},{y(v):.1f}" for j, v in enumerate(sim))
        dots = "".join(f"<circle cx='{x(j):.1f}' cy='{y(v):.1f}' r='3' fill='{OKABE_ITO['blue']}'/>"
                       for j, v in enumerate(sim))
        labels = "".join(f"<text x='{left - 6}' y='{y(v) + 5:.1f}' text-anchor='end'>{v:g}</text>"
                         for v in sorted({low, 0.0, half}))
        xticks = "".join(f"<text x='{x(j):.1f}' y='{top + plot_h + 18}' text-anchor='middle'>{j}</text>"
                         for j in range(0, n, 8))
        return (f"<div><div class='pos-title'>Similarity P[{p}] · P[j] for every position j</div>"
                f"<svg class='pos-similarity' width='{width}' height='{height}' "
                f"xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='14'>"
                f"<rect width='{width}' height='{height}' fill='white'/>"
                f"<line x1='{left}' y1='{y(0):.1f}' x2='{left + plot_w}' y2='{y(0):.1f}' stroke='#bbbbbb'/>"
                f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='#888888'/>"
                f"<polyline points='{points}' fill='none' stroke='{OKABE_ITO['blue']}' stroke-width='2'/>{dots}"
                f"<circle class='pos-self' cx='{x(p):.1f}' cy='{y(sim[p]):.1f}' r='7' fill='{OKABE_ITO['orange']}'/>"
                f"{labels}{xticks}<text x='{left + plot_w / 2}' y='{height - 6}' text-anchor='middle'>"
                f"position j</text></svg></div>")

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
        return (f"<div class='pos-view position-encoding-view' data-version='{self.version}' "
                f"data-position='{s['position']}' data-d-model='{s['d_model']}'>"
                f"<div class='pos-caption'>{readout}</div>"
                f"<div class='pos-row'>{self._heat(s)}{self._bars(s)}{self._similarity_svg(s)}</div></div>")

    def table(self) -> Table:
        """The chosen position's encoding as a labelled row."""
        s = self.state()
        return Table(s["encoding"], [f"P[{s['position']}]"], _dimension_labels(s["d_model"]),
                     title=f"Encoding of position {s['position']}, d_model = {s['d_model']}")

    def static_figure(self):
        """The heatmap, the chosen row as bars and its similarities as one figure (the snapshot)."""
        s = self.state()
        fig = Figure(figsize=(16, 5.2), layout="constrained")
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

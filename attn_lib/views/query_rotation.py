""""""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..core.attention import scores
from ..core.softmax import softmax
from ..core.validate import as_array
from ..lessons.lesson04 import QUERY_KEYS, rotated_query
from ..plots.charts import bar_chart
from ..plots.palette import FONT_SIZE, OKABE_ITO
from ..plots.table import Table
from ._base import LiveView
from ._html import arrow_svg, bars_html, signed_bars_html

_CSS = """<style>
.query-rotation {font-family: sans-serif; font-size: 16px}
.query-rotation .qr-row {display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start}
.query-rotation .qr-caption {margin: 4px 0 8px 0}
.query-rotation .qr-title {font-weight: bold; margin: 4px 0}
</style>"""


class QueryRotation(LiveView, widgets.VBox):
    """Turn a 2-D query vector and watch its dot-product scores and softmax weights follow.

    The view is one inline SVG plus HTML bars, rebuilt in the kernel on every
    change (one message per event). Scores are raw dot products ``q . k``
    (:func:`attn_lib.scores` with ``scale=False``), weights their softmax.

    Parameters
    ----------
    key_vectors : dict of str -> (x, y), default :data:`QUERY_KEYS`
        The fixed keys, labelled with words (at least two, none of length 0).
    angle : float, default 30.0
        Starting direction of the query, in degrees.
    length : float, default 1.5
        Starting length of the query.

    Attributes
    ----------
    words : list of str
    key_matrix : np.ndarray, shape (n_keys, 2)
    angle_slider, length_slider : ipywidgets.FloatSlider
    view : ipywidgets.HTML
        The SVG and the bars; its root element has the class ``query-rotation``
        and a ``data-version`` attribute that grows by one per repaint.
    version : int
        Number of repaints so far.
    """

    SIZE = 340                      # px, width and height of the SVG
    MAX_LENGTH = 3.0

    def __init__(self, key_vectors=None, angle: float = 30.0, length: float = 1.5):
        key_vectors = QUERY_KEYS if key_vectors is None else key_vectors
        if not isinstance(key_vectors, dict) or len(key_vectors) < 2:
            raise ValueError("key_vectors must be a dict of at least two word -> (x, y) pairs")
        self.words = [str(w) for w in key_vectors]
        K = as_array(np.asarray(list(key_vectors.values()), dtype=np.float64), "key_vectors",
                     "(n_keys, 2)", min_ndim=2, max_ndim=2)
        if K.shape[1] != 2:
            raise ValueError(f"each key must be an (x, y) pair; got keys of shape {K.shape}")
        if (np.linalg.norm(K, axis=1) == 0).any():
            raise ValueError("no key may be the zero vector (0, 0): it has no direction to draw")
        self.key_matrix = K                                             # (n_keys, 2)
        rotated_query(angle, length)                                    # validates both
        self.version = 0
        self._scale = (self.SIZE / 2 - 34) / max(self.MAX_LENGTH, float(np.abs(K).max()))   # px per unit
        self._score_limit = self.MAX_LENGTH * float(np.linalg.norm(K, axis=1).max())
        self.angle_slider = widgets.FloatSlider(
            value=float(angle) % 360, min=0.0, max=359.0, step=1.0, description="angle (°)",
            readout_format=".0f", continuous_update=True, layout=widgets.Layout(width="460px"),
            style={"description_width": "6em"})
        self.length_slider = widgets.FloatSlider(
            value=float(length), min=0.25, max=self.MAX_LENGTH, step=0.05, description="length",
            readout_format=".2f", continuous_update=True, layout=widgets.Layout(width="460px"),
            style={"description_width": "6em"})
        self.view = widgets.HTML()
        super().__init__([self.angle_slider, self.length_slider, self.view])
        self.add_class("query-rotation-widget")
        self.angle_slider.observe(self.refresh, names="value")
        self.length_slider.observe(self.refresh, names="value")
        self.refresh()

    # ----- numbers --------------------------------------------------------------------------
    @property
    def angle(self) -> float:
        """The query's direction in degrees (the angle slider)."""
        return float(self.angle_slider.value)

    @property
    def length(self) -> float:
        """The query's length (the length slider)."""
        return float(self.length_slider.value)

    @property
    def query(self) -> np.ndarray:
        """The query vector, shape (2,)."""
        return rotated_query(self.angle, self.length)

    def state(self) -> dict:
        """The query, its raw scores ``q . k`` and their softmax, computed with attn_lib.

        Returns
        -------
        dict
            ``words`` (list), ``angle``, ``length`` (float), ``query`` (2,),
            ``scores`` (n_keys,), ``weights`` (n_keys,).
        """
        q = self.query
        s = scores(q[None, :], self.key_matrix, scale=False)[0]         # (1, 2) vs (n_keys, 2) -> (n_keys,)
        return {"words": list(self.words), "angle": self.angle, "length": self.length,
                "query": q, "scores": s, "weights": softmax(s)}

    @property
    def scores(self) -> np.ndarray:
        """Raw scores ``q . k`` for each key, shape (n_keys,)."""
        return self.state()["scores"]

    @property
    def weights(self) -> np.ndarray:
        """softmax of the scores, shape (n_keys,)."""
        return self.state()["weights"]

    # ----- views ----------------------------------------------------------------------------
    def _svg(self, s) -> str:
        size, c, k = self.SIZE, self.SIZE / 2, self._scale
        parts = [f"<svg class='qr-plot' width='{size}' height='{size}' viewBox='0 0 {size} {size}' "
                 f"xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='16'>",
                 f"<rect width='{size}' height='{size}' fill='white'/>",
                 f"<g transform='translate({c:.1f},{c:.1f})'>",
                 f"<line x1='{-c:.0f}' y1='0' x2='{c:.0f}' y2='0' stroke='#bbbbbb'/>",
                 f"<line x1='0' y1='{-c:.0f}' x2='0' y2='{c:.0f}' stroke='#bbbbbb'/>",
                 f"<circle class='qr-circle' r='{s['length'] * k:.1f}' fill='none' stroke='#999999' "
                 f"stroke-dasharray='4 4'/>"]
        best = int(np.argmax(s["weights"]))
        for i, (word, (x, y), w) in enumerate(zip(s["words"], self.key_matrix, s["weights"])):
            px, py = x * k, -y * k                                      # SVG's y axis points down
            attrs = f" data-word='{html.escape(word)}' data-weight='{w:.4f}'"
            parts.append(arrow_svg(px, py, OKABE_ITO["blue"], 1.5 + 6.0 * w, "qr-key", attrs))
            ux, uy = px / np.hypot(px, py), py / np.hypot(px, py)
            weight = "bold" if i == best else "normal"
            parts.append(f"<text x='{px + 16 * ux:.1f}' y='{py + 16 * uy + 5:.1f}' text-anchor='middle' "
                         f"font-weight='{weight}' fill='black'>{html.escape(word)}</text>")
        qx, qy = s["query"][0] * k, -s["query"][1] * k
        parts.append(arrow_svg(qx, qy, OKABE_ITO["orange"], 4.0, "qr-query",
                                f" data-x='{s['query'][0]:.6f}' data-y='{s['query'][1]:.6f}'"))
        ux, uy = qx / np.hypot(qx, qy), qy / np.hypot(qx, qy)
        parts.append(f"<text x='{qx + 22 * ux:.1f}' y='{qy + 22 * uy + 5:.1f}' text-anchor='middle' "
                     f"font-weight='bold' fill='{OKABE_ITO['vermillion']}'>query</text>")
        parts.append("</g></svg>")
        return "".join(parts)

    def render_html(self, s) -> str:
        """The whole view (SVG, score bars, weight bars) as one HTML string."""
        q = s["query"]
        caption = (f"<div class='qr-caption'>query at {s['angle']:.0f}°, length {s['length']:.2f}: "
                   f"q = ({q[0]:+.2f}, {q[1]:+.2f})</div>")
        bars = (signed_bars_html(s["words"], s["scores"], self._score_limit, "Scores q·k (not scaled)")
                + "<div class='qr-weights' style='margin-top:10px'>"
                + bars_html(s["words"], s["weights"], title="Softmax weights") + "</div>")
        return (f"{_CSS}<div class='query-rotation' data-version='{self.version}' "
                f"data-angle='{s['angle']:.2f}' data-length='{s['length']:.2f}'>{caption}"
                f"<div class='qr-row'>{self._svg(s)}<div>{bars}</div></div></div>")

    def table(self) -> Table:
        """The current scores and weights as a labelled table."""
        s = self.state()
        return Table(np.stack([s["scores"], s["weights"]]), ["score q·k", "weight"], s["words"],
                     title=f"Query at {s['angle']:.0f}°, length {s['length']:.2f}")

    def static_figure(self):
        """The arrows and the softmax weights as one matplotlib figure (the snapshot)."""
        s = self.state()
        fig = Figure(figsize=(12, 5.2), layout="constrained")
        ax, bars = fig.subplots(1, 2, width_ratios=[1, 1.25])
        limit = max(self.MAX_LENGTH, float(np.abs(self.key_matrix).max())) + 0.6
        ax.axhline(0, color="#bbbbbb", linewidth=1)
        ax.axvline(0, color="#bbbbbb", linewidth=1)
        theta = np.linspace(0, 2 * np.pi, 200)
        ax.plot(s["length"] * np.cos(theta), s["length"] * np.sin(theta), ":", color="#999999")
        arrow = dict(length_includes_head=True, head_width=0.16, head_length=0.26)
        for word, (x, y), w in zip(s["words"], self.key_matrix, s["weights"]):
            ax.arrow(0, 0, x, y, width=0.02 + 0.08 * w, color=OKABE_ITO["blue"], **arrow)
            r = np.hypot(x, y)
            ax.text(x + 0.5 * x / r, y + 0.5 * y / r, word, ha="center", va="center", fontsize=FONT_SIZE)
        q = s["query"]
        ax.arrow(0, 0, q[0], q[1], width=0.06, color=OKABE_ITO["orange"], **arrow)
        r = np.hypot(*q)
        ax.text(q[0] + 0.7 * q[0] / r, q[1] + 0.7 * q[1] / r, "query", ha="center", va="center",
                fontsize=FONT_SIZE, fontweight="bold", color=OKABE_ITO["vermillion"])
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=FONT_SIZE - 2)
        ax.set_title(f"Query at {s['angle']:.0f}°, length {s['length']:.2f}", fontsize=FONT_SIZE + 2)
        labels = [f"{w}\n{v:+.2f}" for w, v in zip(s["words"], s["scores"])]
        bar_chart(labels, s["weights"], ax=bars, title="Softmax weights (score q·k under each word)")
        return fig

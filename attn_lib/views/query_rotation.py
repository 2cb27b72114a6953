"""The rotating query of notebook 04: turn a 2-D query, watch its scores and softmax weights follow."""

from __future__ import annotations

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
from ._html import (
    QUERY_ROTATION_STYLE,
    bars_html,
    div,
    root_html,
    rotation_svg,
    row_html,
    signed_bars_html,
    text_div,
)


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

    STYLE = QUERY_ROTATION_STYLE
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
    def render_html(self, s) -> str:
        """The whole view (SVG, score bars, weight bars) as one HTML string."""
        q, k = s["query"], self._scale
        flip = np.array([k, -k])                                        # SVG's y axis points down
        caption = text_div("qr-caption", f"query at {s['angle']:.0f}°, length {s['length']:.2f}: "
                                         f"q = ({q[0]:+.2f}, {q[1]:+.2f})")
        plot = rotation_svg(s["words"], self.key_matrix * flip, s["weights"], q * flip, q, s["length"] * k,
                            self.SIZE)
        bars = (signed_bars_html(s["words"], s["scores"], self._score_limit, "Scores q·k (not scaled)", "scores")
                + div(bars_html(s["words"], s["weights"], title="Softmax weights"), "qr-weights"))
        return root_html("query-rotation", self.version, caption + row_html([plot, div(bars)]),
                         {"angle": f"{s['angle']:.2f}", "length": f"{s['length']:.2f}"})

    def table(self) -> Table:
        """The current scores and weights as a labelled table."""
        s = self.state()
        return Table(np.stack([s["scores"], s["weights"]]), ["score q·k", "weight"], s["words"],
                     title=f"Query at {s['angle']:.0f}°, length {s['length']:.2f}")

    def static_figure(self):
        """The arrows and the softmax weights as one matplotlib figure (the snapshot)."""
        s = self.state()
        fig = Figure(facecolor="white", figsize=(12, 5.2), layout="constrained")
        ax, bars = fig.subplots(1, 2, width_ratios=[1, 1.25])
        limit = max(self.MAX_LENGTH, float(np.abs(self.key_matrix).max())) + 0.6
        ax.axhline(0, color="#bbbbbb", linewidth=1)
        ax.axvline(0, color="#bbbbbb", linewidth=1)
        theta = np.linspace(0, 2 * np.pi, 200)
        ax.plot(s["length"] * np.cos(theta), s["length"] * np.sin(theta), ":", color="#999999")
        arrow = {"length_includes_head": True, "head_width": 0.16, "head_length": 0.26}
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

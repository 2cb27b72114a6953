"""Context vectors: what a word becomes after self-attention, and how to compare vectors.

Self-attention replaces each word's fixed embedding with a weighted average of
the value vectors of its sentence, its **context vector**. This module holds
the small tools of the lesson on that step: running self-attention on a
sentence with token labels attached (:func:`context_vectors`), measuring how
alike two vectors point (:func:`cosine_similarity`), a grouped bar chart of
named features (:func:`compare_features`), and a live 2-D view in which a
query vector turns and its scores against fixed keys follow
(:class:`QueryRotation`).
"""

from __future__ import annotations

import html
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._validate import as_array, as_positive_number
from .attention import scores, self_attention
from .display import FONT_SIZE, OKABE_ITO, Table, bar_chart
from .embeddings import FEATURES, embed
from .softmax import softmax
from .tokens import tokenize
from .widgets import LiveView, bars_html


# ----------------------------------------------------------------------------- context vectors
class ContextVectors(NamedTuple):
    """Self-attention on one sentence, with its tokens attached (unpacks like a tuple)."""

    tokens: list
    """The sentence's tokens, length n."""
    embeddings: np.ndarray
    """X, shape (n, d_model): the context-free vector of each token."""
    weights: np.ndarray
    """Shape (n, n): row i is how much token i attends to each token."""
    outputs: np.ndarray
    """Shape (n, d_v): row i is token i's context vector, ``weights[i] @ V``."""


def context_vectors(sentence, W_q, W_k, W_v, mask=None, temperature: float = 1.0,
                    scale: bool = True) -> ContextVectors:
    """Embed a sentence and run self-attention on it, keeping the tokens as labels.

    Parameters
    ----------
    sentence : str or list of str
        A sentence (tokenized with :func:`attn_lib.tokenize`) or its tokens.
    W_q, W_k : np.ndarray, shape (D_MODEL, d_k)
    W_v : np.ndarray, shape (D_MODEL, d_v)
    mask, temperature, scale
        As in :func:`attn_lib.self_attention`.

    Returns
    -------
    ContextVectors
        ``(tokens, embeddings, weights, outputs)`` with shapes ``n``, ``(n, D_MODEL)``,
        ``(n, n)`` and ``(n, d_v)``.
    """
    tokens = tokenize(sentence) if isinstance(sentence, str) else sentence
    X = embed(tokens)                                                   # (n, D_MODEL)
    outputs, weights = self_attention(X, W_q, W_k, W_v, mask=mask, temperature=temperature,
                                      scale=scale)                      # (n, d_v), (n, n)
    return ContextVectors(list(tokens), X, weights, outputs)


# ----------------------------------------------------------------------------- cosine similarity
def _unit_rows(v, name):
    """Divide each vector (last axis) by its length; refuse vectors of length 0."""
    peak = np.abs(v).max(axis=-1, keepdims=True)                        # (..., 1)
    if (peak == 0).any():
        where = tuple(int(i) for i in np.argwhere(peak[..., 0] == 0)[0])
        at = f" at batch index {where}" if where else ""
        raise ValueError(f"{name} must not be a zero vector{at}: cosine similarity divides by the "
                         f"vector's length, which is 0, so the direction (and the answer) is undefined")
    v = v / peak                                                        # largest entry +-1: no overflow
    return v / np.linalg.norm(v, axis=-1, keepdims=True)                # (..., d), length 1


def cosine_similarity(a, b):
    """How alike two vectors point: ``a . b / (|a| |b|)``, between -1 and 1.

    1 means the same direction, 0 perpendicular (nothing in common), -1 opposite.
    Lengths do not matter: scaling either vector by a positive number leaves it
    unchanged.

    Parameters
    ----------
    a : np.ndarray, shape (..., d)
    b : np.ndarray, shape (..., d)
        Leading (batch) dimensions broadcast, so one vector can be compared with
        the rows of a matrix.

    Returns
    -------
    float or np.ndarray, shape (...)
        A Python float when both inputs are single vectors.

    Raises
    ------
    TypeError
        ``a`` or ``b`` is not a numeric numpy array.
    ValueError
        Shapes do not match, an entry is NaN or infinite, or a vector is all zeros
        (it has no direction).
    """
    a = as_array(a, "a", "(..., d)")
    b = as_array(b, "b", "(..., d)")
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"a and b must have the same length d (last dimension); "
                         f"got a of shape {a.shape} and b of shape {b.shape}")
    try:
        np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    except ValueError:
        raise ValueError(f"the batch dimensions of a {a.shape[:-1]} and b {b.shape[:-1]} do not "
                         f"broadcast (shapes {a.shape} and {b.shape})") from None
    cos = np.sum(_unit_rows(a, "a") * _unit_rows(b, "b"), axis=-1)    # (...)
    cos = np.clip(cos, -1.0, 1.0)                                       # rounding could give 1.0000000002
    return float(cos) if cos.ndim == 0 else cos


# ----------------------------------------------------------------------------- static figure
_DEFAULT_COLORS = ("blue", "orange", "green", "vermillion", "purple", "sky", "black")


def compare_features(vectors, title="", features=FEATURES, colors=None, ylabel="value"):
    """Grouped bars: one group per named feature, one bar per vector.

    Parameters
    ----------
    vectors : dict of str -> np.ndarray, each shape (n_features,)
        Legend label -> vector, drawn in this order.
    title : str
    features : sequence of str, default :data:`attn_lib.FEATURES`
        The feature names, in the vectors' order.
    colors : list of str, optional
        Names of :data:`attn_lib.display.OKABE_ITO` colours, one per vector.
    ylabel : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(vectors, dict) or not vectors:
        raise TypeError(f"vectors must be a non-empty dict of label -> vector; got a {type(vectors).__name__}")
    features = [str(f) for f in features]
    colors = list(colors) if colors is not None else list(_DEFAULT_COLORS[: len(vectors)])
    if len(colors) != len(vectors) or any(c not in OKABE_ITO for c in colors):
        raise ValueError(f"colors must name one Okabe-Ito colour per vector ({len(vectors)}), "
                         f"from {sorted(OKABE_ITO)}; got {colors}")
    rows = []
    for label, v in vectors.items():
        v = as_array(np.asarray(v) if isinstance(v, (list, tuple)) else v, f"vectors[{label!r}]",
                     f"({len(features)},)", max_ndim=1)
        if v.shape != (len(features),):
            raise ValueError(f"vectors[{label!r}] must have one value per feature, shape "
                             f"({len(features)},); got shape {v.shape}")
        rows.append(v)
    n_vec, x = len(rows), np.arange(len(features))
    width = 0.8 / n_vec
    fig = Figure(figsize=(1.6 + 1.25 * len(features), 4.8), layout="constrained")
    ax = fig.add_subplot()
    for k, (label, v, color) in enumerate(zip(vectors, rows, colors)):
        ax.bar(x + (k - (n_vec - 1) / 2) * width, v, width=width, label=str(label), color=OKABE_ITO[color])
    ax.axhline(0, color="#666666", linewidth=0.8)
    ax.set_xticks(x, features, fontsize=FONT_SIZE, rotation=30, ha="right")
    ax.tick_params(axis="y", labelsize=FONT_SIZE - 2)
    ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    ax.legend(fontsize=FONT_SIZE - 1, frameon=False)
    return fig


# ----------------------------------------------------------------------------- rotating a query
QUERY_KEYS = {"river": (2.0, 0.3), "water": (1.4, -1.1), "money": (0.2, 2.0),
              "paid": (-1.2, 1.3), "the": (-0.6, -0.6)}
"""The default 2-D keys of :class:`QueryRotation`, word -> (x, y)."""


def rotated_query(angle: float, length: float = 1.0) -> np.ndarray:
    """The 2-D query vector at ``angle`` degrees (anticlockwise from the x axis).

    Parameters
    ----------
    angle : float
        Degrees; any real number (360 is a full turn).
    length : float, default 1.0
        > 0.

    Returns
    -------
    np.ndarray, shape (2,)
        ``length * (cos(angle), sin(angle))``.
    """
    if isinstance(angle, bool) or not isinstance(angle, (int, float, np.integer, np.floating)) \
            or not np.isfinite(angle):
        raise TypeError(f"angle must be a finite number of degrees; got {angle!r}")
    length = as_positive_number(length, "length")
    theta = np.deg2rad(float(angle))
    return length * np.array([np.cos(theta), np.sin(theta)])          # (2,)


_CSS = """<style>
.query-rotation {font-family: sans-serif; font-size: 16px}
.query-rotation .qr-row {display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start}
.query-rotation .qr-caption {margin: 4px 0 8px 0}
.query-rotation .qr-title {font-weight: bold; margin: 4px 0}
</style>"""


def _arrow_svg(x, y, color, width, css_class, attrs=""):
    """An arrow from the SVG point (0, 0) of the plot to (x, y), given in pixels (y down)."""
    length = np.hypot(x, y)
    ux, uy = (x / length, y / length) if length > 0 else (1.0, 0.0)
    head = min(14.0 + width, 0.45 * length) if length > 0 else 0.0
    bx, by = x - head * ux, y - head * uy                               # base of the head
    px, py = -uy * head * 0.45, ux * head * 0.45                        # half-width of the head
    return (f"<g class='{css_class}'{attrs}>"
            f"<line x1='0' y1='0' x2='{bx:.1f}' y2='{by:.1f}' stroke='{color}' stroke-width='{width:.1f}'/>"
            f"<polygon points='{x:.1f},{y:.1f} {bx + px:.1f},{by + py:.1f} {bx - px:.1f},{by - py:.1f}' "
            f"fill='{color}'/></g>")


def _signed_bars_html(labels, values, limit, title) -> str:
    """Bars that grow right (positive, blue) or left (negative, vermillion) from a centre line."""
    half = 150.0
    rows = []
    for label, v in zip(labels, values):
        size = min(half, abs(v) / limit * half)
        left = half if v >= 0 else half - size
        color = OKABE_ITO["blue"] if v >= 0 else OKABE_ITO["vermillion"]
        rows.append(
            f"<div class='qr-score' data-word='{html.escape(label)}' data-score='{v:.6f}' "
            "style='display:flex;align-items:center;margin:2px 0'>"
            f"<span style='width:6em;text-align:right;padding-right:8px'>{html.escape(label)}</span>"
            f"<span style='position:relative;display:inline-block;width:{2 * half:.0f}px;height:1.1em'>"
            f"<span style='position:absolute;left:{half:.0f}px;top:-2px;bottom:-2px;border-left:1px solid #666'></span>"
            f"<span style='position:absolute;left:{left:.1f}px;width:{size:.1f}px;top:0;bottom:0;"
            f"background:{color}'></span></span>"
            f"<span style='padding-left:8px;width:4em;text-align:right' class='attn-value'>{v:+.2f}</span></div>")
    return (f"<div class='qr-scores'><div class='qr-title'>{html.escape(title)}</div>{''.join(rows)}</div>")


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
            parts.append(_arrow_svg(px, py, OKABE_ITO["blue"], 1.5 + 6.0 * w, "qr-key", attrs))
            ux, uy = px / np.hypot(px, py), py / np.hypot(px, py)
            weight = "bold" if i == best else "normal"
            parts.append(f"<text x='{px + 16 * ux:.1f}' y='{py + 16 * uy + 5:.1f}' text-anchor='middle' "
                         f"font-weight='{weight}' fill='black'>{html.escape(word)}</text>")
        qx, qy = s["query"][0] * k, -s["query"][1] * k
        parts.append(_arrow_svg(qx, qy, OKABE_ITO["orange"], 4.0, "qr-query",
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
        bars = (_signed_bars_html(s["words"], s["scores"], self._score_limit, "Scores q·k (not scaled)")
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

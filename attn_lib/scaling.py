"""Why attention divides its scores by sqrt(d), and why softmax subtracts the maximum.

A dot product of two random vectors with ``d`` independent entries of mean 0
and variance 1 is a sum of ``d`` products of variance 1, so its variance is
``d``. Large scores push softmax to put almost all the weight on one key
(*saturation*). Dividing by ``sqrt(d)`` brings the variance back to 1.

This module measures that (:func:`score_spread`, :func:`max_weight`), draws it
(:func:`scaling_figure`, :func:`vectors_figure`), lets learners change ``d``
live (:class:`ScalingExplorer`), and keeps one deliberate counter-example,
:func:`naive_softmax`, to show why :func:`attn_lib.softmax` subtracts the
largest score first.
"""

from __future__ import annotations

import html
import numbers

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._validate import _describe, as_array, as_flag, as_positive_int
from .display import FONT_SIZE, OKABE_ITO, Table, bar_chart
from .softmax import softmax
from .widgets import LiveView, bars_html

D_VALUES = (4, 16, 64, 256, 1024)
"""The widths compared in the lesson's table and figure."""

D_OPTIONS = tuple(2 ** k for k in range(1, 11))
"""The widths offered by the slider of :class:`ScalingExplorer`: 2, 4, ..., 1024."""


def _as_seed(seed) -> int:
    """Check that ``seed`` is a whole number >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a whole number >= 0; got {_describe(seed)}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0; got {seed}")
    return int(seed)


def _as_count(value, name: str, minimum: int) -> int:
    """Check that ``value`` is a whole number >= ``minimum``."""
    value = as_positive_int(value, name)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return value


def score_spread(d: int, n_pairs: int = 2000, seed: int = 0) -> dict:
    """Variance of the raw and of the scaled dot product of random vectors.

    Draws ``n_pairs`` pairs ``(q, k)`` whose ``d`` entries are independent
    standard normal numbers (mean 0, variance 1), and measures the variance of
    ``q . k`` and of ``q . k / sqrt(d)`` over the pairs.

    Parameters
    ----------
    d : int
        Width of the vectors, >= 1.
    n_pairs : int, default 2000
        Number of random pairs, >= 2.
    seed : int, default 0
        Seed of the random draws (>= 0); the same seed gives the same numbers.

    Returns
    -------
    dict
        ``d``, ``n_pairs``; ``raw_variance`` (close to ``d``) and
        ``scaled_variance`` (close to 1), as floats.

    Raises
    ------
    TypeError
        An argument is not a whole number.
    ValueError
        ``d < 1``, ``n_pairs < 2`` or ``seed < 0``.
    """
    d = as_positive_int(d, "d")
    n_pairs = _as_count(n_pairs, "n_pairs", 2)
    rng = np.random.default_rng(_as_seed(seed))
    q = rng.standard_normal((n_pairs, d))                # (n_pairs, d)
    k = rng.standard_normal((n_pairs, d))                # (n_pairs, d)
    raw = (q * k).sum(axis=1)                            # (n_pairs,) one dot product per pair
    return {"d": d, "n_pairs": n_pairs, "raw_variance": float(raw.var()),
            "scaled_variance": float((raw / np.sqrt(d)).var())}


def max_weight(d: int, n_keys: int = 8, n_trials: int = 500, scale: bool = True, seed: int = 0) -> float:
    """Average of the largest softmax weight of one random query over random keys.

    Each trial draws a query and ``n_keys`` keys with ``d`` standard normal
    entries, computes the scores ``q . k_j`` (divided by ``sqrt(d)`` when
    ``scale``), applies softmax and keeps the largest weight. A value near
    ``1 / n_keys`` means attention is spread out; near 1 means softmax is
    saturated (one key takes almost everything).

    Parameters
    ----------
    d : int
        Width of queries and keys, >= 1.
    n_keys : int, default 8
        Keys per query, >= 2.
    n_trials : int, default 500
        Number of random queries averaged over, >= 1.
    scale : bool, default True
        Divide the scores by ``sqrt(d)`` before the softmax.
    seed : int, default 0
        Seed of the random draws (>= 0). ``scale=True`` and ``scale=False``
        with the same seed use the same vectors.

    Returns
    -------
    float
        Mean over the trials of ``max_j softmax(scores)_j``, in ``[1 / n_keys, 1]``.

    Raises
    ------
    TypeError
        A count or seed is not a whole number, or ``scale`` is not True/False.
    ValueError
        ``d < 1``, ``n_keys < 2``, ``n_trials < 1`` or ``seed < 0``.
    """
    d = as_positive_int(d, "d")
    n_keys = _as_count(n_keys, "n_keys", 2)
    n_trials = as_positive_int(n_trials, "n_trials")
    scale = as_flag(scale, "scale")
    rng = np.random.default_rng(_as_seed(seed))
    q = rng.standard_normal((n_trials, 1, d))            # (n_trials, 1, d)
    K = rng.standard_normal((n_trials, n_keys, d))       # (n_trials, n_keys, d)
    s = (q * K).sum(axis=-1)                             # (n_trials, n_keys) raw scores
    if scale:
        s = s / np.sqrt(d)
    return float(softmax(s, axis=-1).max(axis=-1).mean())


def naive_softmax(x, axis: int = -1) -> np.ndarray:
    """A softmax that overflows: ``exp(x) / sum(exp(x))`` with no shift. Do not use it.

    This is a **teaching counter-example**. ``np.exp`` overflows to ``inf`` above
    about 709.78, so scores such as ``[1000, 999, 998]`` give ``inf / inf = nan``
    (with a ``RuntimeWarning``); scores below about -745 underflow to 0 and give
    ``0 / 0 = nan``. :func:`attn_lib.softmax` subtracts the largest score first and
    has neither problem.

    Parameters
    ----------
    x : np.ndarray, shape (..., n)
        Raw scores; finite or ``-inf``.
    axis : int, default -1
        The axis that should sum to 1.

    Returns
    -------
    np.ndarray, same shape as ``x``
        The weights, or ``nan`` where the computation overflowed or underflowed.

    Raises
    ------
    TypeError
        ``x`` is not a numeric numpy array, or ``axis`` is not an int.
    ValueError
        ``x`` is empty or holds NaN / +inf, or ``axis`` is out of range.
    """
    x = as_array(x, "x", "(..., n)", allow_neg_inf=True)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int; got a {type(axis).__name__}")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis must be in [{-x.ndim}, {x.ndim - 1}] for x of shape {x.shape}; got {axis}")
    e = np.exp(x)                                        # overflows to inf for x > ~709.78
    return e / e.sum(axis=axis, keepdims=True)           # inf / inf or 0 / 0 -> nan


# ----------------------------------------------------------------------------------- figures

def vectors_figure(vectors, labels, title: str = ""):
    """2-D vectors drawn as arrows from the origin, the first in orange and on top.

    Parameters
    ----------
    vectors : np.ndarray, shape (n, 2)
        One vector per row; at most 7.
    labels : list of str, length n
        Written at the tip of each arrow.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    vectors = as_array(vectors, "vectors", "(n, 2)", min_ndim=2, max_ndim=2)
    if vectors.shape[1] != 2 or vectors.shape[0] > 7:
        raise ValueError(f"vectors must have shape (n, 2) with n <= 7; got shape {vectors.shape}")
    labels = [str(label) for label in labels]
    if len(labels) != len(vectors):
        raise ValueError(f"labels must have one label per vector: expected {len(vectors)}; got {len(labels)}")
    colors = [OKABE_ITO[c] for c in ("orange", "blue", "green", "vermillion", "purple", "sky", "black")]
    reach = float(np.abs(vectors).max()) * 1.35
    fig = Figure(figsize=(6.5, 6.5), layout="constrained")
    ax = fig.add_subplot()
    ax.axhline(0, color="0.7", lw=1)
    ax.axvline(0, color="0.7", lw=1)
    for i, ((x, y), label, color) in enumerate(zip(vectors, labels, colors)):
        ax.annotate("", xy=(x, y), xytext=(0, 0), zorder=10 - i,              # the first arrow on top
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 3, "mutation_scale": 22})
        ax.annotate(label, (x, y), xytext=(6 if x >= 0 else -6, 6 if y >= 0 else -6),
                    textcoords="offset points", ha="left" if x >= 0 else "right",
                    va="bottom" if y >= 0 else "top", color=color, fontsize=FONT_SIZE, fontweight="bold")
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.grid(True, color="0.9")
    ax.tick_params(labelsize=FONT_SIZE - 2)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    return fig


def scaling_figure(ds=D_VALUES, n_keys: int = 8, seed: int = 0):
    """Two panels: the variance of the scores, and the largest softmax weight, against d.

    Left: the variance of ``q . k`` (grows like ``d``) and of ``q . k / sqrt(d)``
    (stays near 1), from :func:`score_spread`. Right: the average largest of
    ``n_keys`` softmax weights without and with the division, from
    :func:`max_weight`, with the even spread ``1 / n_keys`` marked.

    Parameters
    ----------
    ds : sequence of int, default :data:`D_VALUES`
        The widths to compare, each >= 1.
    n_keys : int, default 8
    seed : int, default 0

    Returns
    -------
    matplotlib.figure.Figure
    """
    ds = [as_positive_int(d, "each entry of ds") for d in ds]
    if len(ds) < 2:
        raise ValueError(f"ds must hold at least 2 widths; got {len(ds)}")
    spreads = [score_spread(d, seed=seed) for d in ds]
    raw_max = [max_weight(d, n_keys, scale=False, seed=seed) for d in ds]
    scaled_max = [max_weight(d, n_keys, scale=True, seed=seed) for d in ds]
    raw_style = {"color": OKABE_ITO["vermillion"], "marker": "o", "ls": "-", "lw": 2.5, "ms": 9}
    scaled_style = {"color": OKABE_ITO["blue"], "marker": "s", "ls": "--", "lw": 2.5, "ms": 9}

    fig = Figure(figsize=(13, 5.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(ds, [s["raw_variance"] for s in spreads], label="q·k (raw)", **raw_style)
    left.plot(ds, [s["scaled_variance"] for s in spreads], label="q·k / √d (scaled)", **scaled_style)
    left.set_xscale("log", base=2)
    left.set_yscale("log", base=2)
    left.set_yticks([1] + ds, [str(v) for v in [1] + ds])
    left.set_ylabel("variance of the scores", fontsize=FONT_SIZE)
    left.set_title("Score variance grows like d", fontsize=FONT_SIZE + 2)

    right.plot(ds, raw_max, label="raw scores", **raw_style)
    right.plot(ds, scaled_max, label="scaled scores", **scaled_style)
    right.axhline(1 / n_keys, color=OKABE_ITO["black"], ls=":", lw=2, label=f"even spread (1/{n_keys})")
    right.set_xscale("log", base=2)
    right.set_ylim(0, 1.05)
    right.set_ylabel(f"largest of {n_keys} softmax weights", fontsize=FONT_SIZE)
    right.set_title("Without scaling, softmax saturates", fontsize=FONT_SIZE + 2)
    for ax in (left, right):
        ax.set_xticks(ds, [str(d) for d in ds])
        ax.set_xlabel("d (width of queries and keys)", fontsize=FONT_SIZE)
        ax.tick_params(labelsize=FONT_SIZE - 2)
        ax.grid(True, color="0.9")
        ax.legend(fontsize=FONT_SIZE - 2)
    return fig


# ------------------------------------------------------------------------------------ widget

_STYLE = """<style>
.attn-scaling {font-family: sans-serif; font-size: 16px}
.attn-scaling .attn-scaling-head {font-weight: bold; margin: 4px 0 8px 0}
.attn-scaling table {border-collapse: collapse; font-family: monospace; margin-bottom: 8px}
.attn-scaling td, .attn-scaling th {padding: 2px 8px; text-align: right}
.attn-scaling tr.attn-active {background: #E69F0033; font-weight: bold}
</style>"""


class ScalingExplorer(LiveView, widgets.VBox):
    """Change the width d and the division by sqrt(d); watch the scores' spread and softmax respond.

    Every random draw is made once, when the explorer is built: one query and
    ``n_keys`` keys of width 1024 (a smaller ``d`` uses their first ``d``
    entries), and :func:`score_spread` for every width on the slider. Moving a
    control then only looks numbers up and rebuilds one HTML string.

    The view's root element has the css class ``attn-scaling`` and a
    ``data-version`` attribute that increases by one on every repaint (plus
    ``data-d`` and ``data-scale``); the widget itself has the class
    ``attn-scaling-widget``.

    Parameters
    ----------
    d : int, default 64
        Starting width; one of :data:`D_OPTIONS`.
    scale : bool, default True
        Start with the scores divided by ``sqrt(d)``.
    n_keys : int, default 8
        Keys of the one query shown, >= 2.
    n_pairs : int, default 2000
        Pairs per variance estimate (see :func:`score_spread`).
    seed : int, default 0

    Attributes
    ----------
    d_slider : ipywidgets.SelectionSlider
    scale_box : ipywidgets.Checkbox
    view : ipywidgets.HTML
    version : int
        Number of repaints so far.
    """

    STYLE = _STYLE

    def __init__(self, d: int = 64, scale: bool = True, n_keys: int = 8, n_pairs: int = 2000, seed: int = 0):
        if isinstance(d, bool) or not isinstance(d, numbers.Integral):
            raise TypeError(f"d must be a whole number, one of {D_OPTIONS}; got {_describe(d)}")
        if d not in D_OPTIONS:
            raise ValueError(f"d must be one of {D_OPTIONS}; got {d}")
        scale = as_flag(scale, "scale")
        self.n_keys = _as_count(n_keys, "n_keys", 2)
        self.n_pairs = _as_count(n_pairs, "n_pairs", 2)
        seed = _as_seed(seed)
        self.key_labels = [f"k{j + 1}" for j in range(self.n_keys)]
        self.version = 0

        rng = np.random.default_rng([seed, 1])               # a stream of its own, apart from score_spread's
        d_max = max(D_OPTIONS)
        q = rng.standard_normal(d_max)                        # (d_max,)
        K = rng.standard_normal((self.n_keys, d_max))         # (n_keys, d_max)
        partial = np.cumsum(K * q, axis=1)                    # (n_keys, d_max): [:, d-1] = K[:, :d] @ q[:d]
        self._raw = {w: partial[:, w - 1].copy() for w in D_OPTIONS}                 # each (n_keys,)
        self._spread = {w: score_spread(w, self.n_pairs, seed) for w in D_OPTIONS}
        self._weights = {(w, s): softmax(self._raw[w] / np.sqrt(w) if s else self._raw[w])
                         for w in D_OPTIONS for s in (False, True)}                  # each (n_keys,)

        self.d_slider = widgets.SelectionSlider(options=D_OPTIONS, value=int(d), description="d",
                                                continuous_update=True, layout=widgets.Layout(width="420px"))
        self.scale_box = widgets.Checkbox(value=scale, description="divide the scores by √d", indent=False)
        self.view = widgets.HTML(layout=widgets.Layout(min_width="460px"))
        super().__init__([widgets.HBox([self.d_slider, self.scale_box]), self.view])
        self.add_class("attn-scaling-widget")
        self.d_slider.observe(self.refresh, names="value")
        self.scale_box.observe(self.refresh, names="value")
        self.refresh()

    def state(self) -> dict:
        """What the view shows.

        Returns
        -------
        dict
            ``d`` (int), ``scale`` (bool); ``raw_scores``, ``scores`` (the ones fed
            to softmax) and ``weights``, each shape (n_keys,); ``raw_variance`` and
            ``scaled_variance`` (floats, from :func:`score_spread`).
        """
        d, scale = int(self.d_slider.value), bool(self.scale_box.value)
        raw = self._raw[d]
        spread = self._spread[d]
        return {"d": d, "scale": scale, "raw_scores": raw, "scores": raw / np.sqrt(d) if scale else raw,
                "weights": self._weights[(d, scale)], "raw_variance": spread["raw_variance"],
                "scaled_variance": spread["scaled_variance"]}

    def render_html(self, s) -> str:
        """The whole view as one HTML string."""
        d, scale, weights = s["d"], s["scale"], s["weights"]
        used = f"divided by √d = {np.sqrt(d):.2f}" if scale else "not divided"
        rows = [("q·k", s["raw_variance"], not scale),
                ("q·k / √d", s["scaled_variance"], scale)]
        active_row = " class='attn-active'"
        stats = "".join(f"<tr{active_row if active else ''}><th>{html.escape(name)}</th>"
                        f"<td>{value:.2f}</td></tr>" for name, value, active in rows)
        scores = "".join(f"<td>{v:.2f}</td>" for v in s["scores"])
        head = "".join(f"<th>{k}</th>" for k in self.key_labels)
        best = int(np.argmax(weights))
        return (f"<div class='attn-scaling' data-version='{self.version}' data-d='{d}' "
                f"data-scale='{str(scale).lower()}'>"
                f"<div class='attn-scaling-head'>d = {d}, scores {used}</div>"
                f"<table class='attn-scaling-spread'><caption>variance over {self.n_pairs} random pairs</caption>"
                f"{stats}</table>"
                f"<table class='attn-scaling-scores'><tr><th>one query's scores</th>{head}</tr>"
                f"<tr><th></th>{scores}</tr></table>"
                + bars_html(self.key_labels, weights, best, title="softmax weights")
                + f"<div class='attn-scaling-max'>largest weight: {weights[best]:.2f} "
                  f"(an even spread gives 1/{self.n_keys} to each key)</div></div>")

    def table(self) -> Table:
        """The current scores and weights as a labelled table (the text snapshot)."""
        s = self.state()
        title = (f"d = {s['d']}, divided by sqrt(d): {'yes' if s['scale'] else 'no'}; variance of q.k "
                 f"{s['raw_variance']:.2f}, of q.k/sqrt(d) {s['scaled_variance']:.2f}")
        return Table(np.stack([s["raw_scores"], s["scores"], s["weights"]]),
                     ["raw score q.k", "score used", "softmax weight"], self.key_labels, title=title)

    def static_figure(self):
        """The scores used and their softmax weights as two bar charts (the PNG snapshot)."""
        s = self.state()
        fig = Figure(figsize=(13, 4.4), layout="constrained")
        left, right = fig.subplots(1, 2)
        label = "q·k / √d" if s["scale"] else "q·k (not divided)"
        bar_chart(self.key_labels, s["scores"], title=f"Scores {label}, d = {s['d']}", ylabel="score",
                  ylim=None, ax=left)
        left.axhline(0, color="0.5", lw=1)
        bar_chart(self.key_labels, s["weights"], title="Softmax weights", highlight=int(np.argmax(s["weights"])),
                  ax=right)
        return fig

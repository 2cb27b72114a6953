"""The scaling explorer of notebook 03: change d and the division by sqrt(d), watch softmax saturate."""

from __future__ import annotations

import numbers

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..core.softmax import softmax
from ..core.validate import as_count, as_flag, as_seed, describe
from ..lessons.lesson03 import D_OPTIONS, score_spread
from ..plots.charts import bar_chart
from ..plots.table import Table
from ._base import LiveView
from ._html import (
    SCALING_STYLE,
    bars_html,
    matrix_html,
    number_td,
    root_html,
    table_html,
    text_div,
)


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

    STYLE = SCALING_STYLE

    def __init__(self, d: int = 64, scale: bool = True, n_keys: int = 8, n_pairs: int = 2000, seed: int = 0):
        if isinstance(d, bool) or not isinstance(d, numbers.Integral):
            raise TypeError(f"d must be a whole number, one of {D_OPTIONS}; got {describe(d)}")
        if d not in D_OPTIONS:
            raise ValueError(f"d must be one of {D_OPTIONS}; got {d}")
        scale = as_flag(scale, "scale")
        self.n_keys = as_count(n_keys, "n_keys", 2)
        self.n_pairs = as_count(n_pairs, "n_pairs", 2)
        seed = as_seed(seed)
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
        spread = table_html([[number_td(s["raw_variance"])], [number_td(s["scaled_variance"])]],
                            ["q·k", "q·k / √d"], None, f"variance over {self.n_pairs} random pairs", "spread",
                            row_classes={int(scale): "attn-active"})      # the variance of the scores used
        best = int(np.argmax(weights))
        body = (text_div("attn-scaling-head", f"d = {d}, scores {used}") + spread
                + matrix_html([s["scores"]], ["score"], self.key_labels, "one query's scores", "scores")
                + bars_html(self.key_labels, weights, best, title="softmax weights")
                + text_div("attn-scaling-max", f"largest weight: {weights[best]:.2f} "
                                               f"(an even spread gives 1/{self.n_keys} to each key)"))
        return root_html("attn-scaling", self.version, body, {"d": d, "scale": scale})

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
        fig = Figure(facecolor="white", figsize=(13, 4.4), layout="constrained")
        left, right = fig.subplots(1, 2)
        label = "q·k / √d" if s["scale"] else "q·k (not divided)"
        bar_chart(self.key_labels, s["scores"], title=f"Scores {label}, d = {s['d']}", ylabel="score",
                  ylim=None, ax=left)
        left.axhline(0, color="0.5", lw=1)
        bar_chart(self.key_labels, s["weights"], title="Softmax weights", highlight=int(np.argmax(s["weights"])),
                  ax=right)
        return fig

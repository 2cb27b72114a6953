"""The training replay of notebook 10: a slider over the training steps replays one sentence's attention."""

from __future__ import annotations

import numbers

import ipywidgets as widgets
import numpy as np

from ..core.validate import describe
from ..lessons.lesson10 import animal_position, lowest_possible_loss
from ..plots.lesson10 import replay_figure
from ..plots.table import Table
from ._base import LiveView
from ._html import (
    BLUE,
    ORANGE,
    TRAINING_REPLAY_STYLE,
    bars_html,
    legend_html,
    loss_curve_svg,
    matrix_html,
    panel_html,
    readout_div,
    root_html,
    row_html,
)

HELP = ("Drag the slider, or click it and press the arrow keys, to move through training one saved step at "
        "a time; the play button runs the replay by itself. The table shows the attention weights of one "
        "sentence at that step (rows: queries, columns: keys); the row of 'it' is outlined.")

_HISTORY_KEYS = ("steps", "weights", "losses", "sound_losses", "tokens")


def _check_history(history) -> dict:
    """The parts of :func:`attn_lib.lessons.lesson10.train`'s result the replay needs, checked."""
    if not isinstance(history, dict) or any(k not in history for k in _HISTORY_KEYS):
        raise TypeError(f"history must be the dict that lesson10.train() returns (with the keys "
                        f"{list(_HISTORY_KEYS)}); got {describe(history)}")
    steps = np.asarray(history["steps"])
    weights = np.asarray(history["weights"], dtype=np.float64)
    tokens = [str(t) for t in history["tokens"]]
    n = len(tokens)
    if steps.ndim != 1 or len(steps) == 0 or weights.shape != (len(steps), n, n):
        raise ValueError(f"history['weights'] must have shape (saved steps, n, n) = ({len(steps)}, {n}, {n}); "
                         f"got {weights.shape}")
    if "it" not in tokens:
        raise ValueError(f"history['tokens'] must contain 'it' (the query the replay follows); got {tokens}")
    return {"steps": steps.astype(int), "weights": weights, "tokens": tokens,
            "losses": np.asarray(history["losses"], dtype=np.float64),
            "sound_losses": np.asarray(history["sound_losses"], dtype=np.float64)}


def _number(value) -> str:
    """Two decimals, or three significant digits once training has blown the losses up."""
    return f"{value:.2f}" if abs(value) < 1000 else f"{value:.3g}"


class TrainingReplay(LiveView, widgets.VBox):
    """Replay training: move the slider and watch one sentence's attention weights take shape.

    Nothing is computed while the slider moves: :func:`attn_lib.lessons.lesson10.train` saved the
    weights of its example sentence every few steps, and the view looks them up.

    The view's root element has the class ``training-replay``, ``data-version`` (one more per
    repaint) and ``data-step``; the widget has the class ``training-replay-widget``.

    Parameters
    ----------
    history : dict
        What :func:`attn_lib.lessons.lesson10.train` returns.
    step : int, default 0
        The step shown first (the nearest saved step at or before it).

    Attributes
    ----------
    step_slider : ipywidgets.IntSlider
        From 0 to the last saved step, in steps of the saving interval.
    play : ipywidgets.Play
        Moves the slider by itself (linked in the browser).
    view : ipywidgets.HTML
    """

    STYLE = TRAINING_REPLAY_STYLE

    def __init__(self, history, step: int = 0):
        self.history = _check_history(history)
        steps = self.history["steps"]
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise TypeError(f"step must be a whole number from 0 to {steps[-1]}; got {describe(step)}")
        if not steps[0] <= step <= steps[-1]:
            raise ValueError(f"step must be from {steps[0]} to {steps[-1]}; got {step}")
        self.tokens = self.history["tokens"]
        self.query = self.tokens.index("it")
        self.animal = animal_position(self.tokens)
        self.lowest = lowest_possible_loss()
        self.version = 0
        self._holding = False
        interval = int(steps[1] - steps[0]) if len(steps) > 1 else 1
        self.step_slider = widgets.IntSlider(
            value=int(step), min=int(steps[0]), max=int(steps[-1]), step=interval, description="Training step",
            continuous_update=True, style={"description_width": "8em"}, layout=widgets.Layout(width="520px"),
            tooltip="Training step shown: use the arrow keys to move one saved step")
        self.play = widgets.Play(value=int(step), min=int(steps[0]), max=int(steps[-1]), step=interval,
                                 interval=120, description="Play the training replay",
                                 tooltip="Play the training replay")
        widgets.jslink((self.play, "value"), (self.step_slider, "value"))
        self.view = widgets.HTML(layout=widgets.Layout(min_width="460px"))
        help_text = widgets.HTML(f"<div class='replay-help'>{HELP}</div>")
        super().__init__([help_text, widgets.HBox([self.play, self.step_slider]), self.view])
        self.add_class("training-replay-widget")
        self.step_slider.observe(self.refresh, names="value")
        self.refresh()

    def state(self) -> dict:
        """What the view shows at the slider's step.

        Returns
        -------
        dict
            ``step`` (the saved step shown: the last one at or before the slider), ``last_step``;
            ``tokens``; ``weights`` (n, n); ``query_row`` (n,), the row of "it"; ``on_animal``
            (its weight on the animal); ``loss`` and ``sound_loss`` (the batch losses measured at
            that step; None after training blew up); ``query`` and ``animal`` (indices).
        """
        h = self.history
        frame = int(np.searchsorted(h["steps"], self.step_slider.value, side="right")) - 1
        step = int(h["steps"][frame])
        weights = h["weights"][frame]
        at = min(step, len(h["losses"]) - 1)

        def measured(values):
            value = float(values[at]) if len(values) else float("nan")
            return value if np.isfinite(value) else None

        return {"step": step, "last_step": int(h["steps"][-1]), "tokens": list(self.tokens), "weights": weights,
                "query_row": weights[self.query], "on_animal": float(weights[self.query, self.animal]),
                "loss": measured(h["losses"]), "sound_loss": measured(h["sound_losses"]),
                "query": self.query, "animal": self.animal}

    def sentence(self, s) -> str:
        """The state in one sentence (the view's spoken readout and the table's title)."""
        it, animal = s["tokens"][s["query"]], s["tokens"][s["animal"]]
        losses = ("" if s["loss"] is None or s["sound_loss"] is None else
                  f"; loss {_number(s['loss'])} over every word, {_number(s['sound_loss'])} on the sound")
        return (f"Step {s['step']} of {s['last_step']}: '{it}' gives {s['on_animal']:.2f} of its attention "
                f"to '{animal}'{losses}")

    def render_html(self, s) -> str:
        """The whole view as one HTML string."""
        tokens, q = s["tokens"], s["query"]
        curve = loss_curve_svg(self.history["losses"], self.history["sound_losses"], s["step"], self.lowest)
        legend = legend_html([(BLUE, False, "loss over every word"), (ORANGE, True, "loss on the sound")])
        parts = [
            matrix_html(s["weights"], tokens, tokens, f"Attention weights at step {s['step']}", view="weights",
                        colored=True, highlight_row=q),
            panel_html(bars_html(tokens[:q + 1], s["query_row"][:q + 1], s["animal"]), "bars",
                       f"Attention of '{tokens[q]}' (the animal in orange)"),
            panel_html(curve + legend, "curve", "Loss, with this step marked"),
        ]
        body = readout_div("replay-readout", self.sentence(s)) + row_html(parts)
        return root_html("training-replay", self.version, body, {"step": s["step"]})

    def table(self) -> Table:
        """The weights at the current step as a labelled table (the text snapshot)."""
        s = self.state()
        return Table(s["weights"], s["tokens"], s["tokens"], title=self.sentence(s))

    def static_figure(self):
        """The heatmap at the current step and the loss curves with the step marked (the PNG snapshot)."""
        s = self.state()
        return replay_figure(s["tokens"], s["weights"], s["query"], s["step"], self.history["losses"],
                             self.history["sound_losses"], self.lowest)

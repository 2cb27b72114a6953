"""The online-softmax stepper of notebook 12: read one block of keys at a time and watch the running numbers."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..core.softmax import softmax
from ..core.validate import as_positive_int
from ..lessons.lesson12 import ONLINE_ROW, ONLINE_VALUES, online_softmax_trace
from ..plots.lesson12 import online_softmax_figure
from ..plots.table import Table
from ._base import LiveView
from ._html import (
    ONLINE_SOFTMAX_STYLE,
    matrix_html,
    number_td,
    root_html,
    row_html,
    table_html,
    td,
    text_div,
    verdict_div,
)


class OnlineSoftmaxView(LiveView, widgets.VBox):
    """Step through the online softmax of one row of scores, one block of keys per slider step.

    Every number is computed once, when the view is built (:func:`online_softmax_trace`); the
    slider only picks a step. The view shows, after the blocks read so far: each key's score and
    weight (the current block marked), the running maximum, rescale factor and running sum of
    every step, and the partial output being rescaled and extended.

    The root element has the css class ``online-softmax``, ``data-version`` (one more per repaint)
    and ``data-step``; the widget has the class ``online-softmax-widget``.

    Parameters
    ----------
    x : np.ndarray, shape (n,), default :data:`ONLINE_ROW`
        One query's scores, finite.
    V : np.ndarray, shape (n, d_v), default :data:`ONLINE_VALUES`
        The keys' values.
    block_size : int, default 4
        Keys per block, >= 1.
    step : int, default 1
        Blocks read at the start, 1 to the number of blocks.

    Attributes
    ----------
    steps : list of dict
        The trace, one entry per block.
    step_slider : ipywidgets.IntSlider
    view : ipywidgets.HTML
    version : int
    """

    STYLE = ONLINE_SOFTMAX_STYLE

    def __init__(self, x=ONLINE_ROW, V=ONLINE_VALUES, block_size: int = 4, step: int = 1):
        self.steps = online_softmax_trace(x, V, block_size)          # checks x, V and block_size
        self.x = np.asarray(x, dtype=np.float64)
        self.V = np.asarray(V, dtype=np.float64)
        self.block_size = as_positive_int(block_size, "block_size")
        n_blocks = len(self.steps)
        step = as_positive_int(step, "step")
        if step > n_blocks:
            raise ValueError(f"step must be from 1 to {n_blocks} (the number of blocks); got {step}")
        self.final_output = softmax(self.x) @ self.V                 # (n,) @ (n, d_v) -> (d_v,)
        self.key_labels = [f"k{j + 1}" for j in range(self.x.size)]
        self.value_labels = [f"v[{c}]" for c in range(self.V.shape[1])]
        self.version = 0

        self.step_slider = widgets.IntSlider(
            value=step, min=1, max=n_blocks, description="Blocks read", continuous_update=True,
            tooltip=f"How many blocks of {self.block_size} keys have been folded in, 1 to {n_blocks}",
            style={"description_width": "7em"}, layout=widgets.Layout(width="420px"))
        self.help = widgets.Label(f"Move the slider (or focus it and press the arrow keys) to read one more "
                                  f"block of {self.block_size} keys, or one fewer.")
        self.view = widgets.HTML(layout=widgets.Layout(min_width="460px"))
        super().__init__([self.step_slider, self.help, self.view])
        self.add_class("online-softmax-widget")
        self.step_slider.observe(self.refresh, names="value")
        self.refresh()

    # ----- numbers --------------------------------------------------------------------------
    def state(self) -> dict:
        """What the view shows after ``step`` blocks.

        Returns
        -------
        dict
            ``step`` (int), ``n_blocks`` (int), ``now`` (the trace entry of this block, see
            :func:`online_softmax_trace`), ``history`` (the entries of blocks 1 to ``step``),
            ``final_output`` (d_v,), ``softmax(x) @ V``, and ``finished`` (bool).
        """
        step = int(self.step_slider.value)
        return {"step": step, "n_blocks": len(self.steps), "now": self.steps[step - 1],
                "history": self.steps[:step], "final_output": self.final_output,
                "finished": step == len(self.steps)}

    # ----- views ----------------------------------------------------------------------------
    @staticmethod
    def explain(now, step) -> str:
        """One sentence on what this block did to the running maximum."""
        if step == 1:
            return (f"First block: the running maximum starts at its largest score, {now['running_max']:.2f}, "
                    f"and the running sum at the sum of exp(score − {now['running_max']:.2f}). (The rescale factor "
                    f"is exp(−∞) = 0: there was nothing before to rescale.)")
        if now["block_max"] > now["previous_max"]:
            return (f"This block's largest score, {now['block_max']:.2f}, beats the running maximum "
                    f"{now['previous_max']:.2f}: the maximum rises to {now['running_max']:.2f}, so the old sum and "
                    f"the old partial output are multiplied by exp({now['previous_max']:.2f} − "
                    f"{now['running_max']:.2f}) = {now['rescale']:.3f} before this block is added.")
        return (f"This block's largest score, {now['block_max']:.2f}, does not beat the running maximum "
                f"{now['running_max']:.2f}: nothing to rescale (factor exp(0) = 1), the block is simply added.")

    def _scores_table(self, now) -> str:
        def status(j):
            return "os-seen" if j < now["start"] else "os-current" if j < now["stop"] else "os-unseen"

        blocks = [td(str(j // self.block_size + 1), status(j)) for j in range(self.x.size)]
        scores = [td(f"{v:.2f}", status(j)) for j, v in enumerate(self.x)]
        weights = [td(f"{w:.3f}" if j < now["stop"] else "·", status(j)) for j, w in enumerate(now["weights"])]
        return table_html([blocks, scores, weights], ["block", "score", "weight so far"], self.key_labels,
                          "Scores and the weights known so far (· = not read yet)", "scores")

    def _history_table(self, s) -> str:
        rows = [[td(f"{h['start'] + 1}–{h['stop']}"), number_td(h["block_max"]), number_td(h["running_max"]),
                 td(f"{h['rescale']:.3f}"), td(f"{h['running_sum']:.3f}")] for h in s["history"]]
        return table_html(rows, [f"block {k + 1}" for k in range(s["step"])],
                          ["keys", "block max", "running max", "rescale", "running sum"],
                          "Running numbers, block by block", "running", row_classes={s["step"] - 1: "attn-active"})

    def _output_table(self, s) -> str:
        now = s["now"]
        rows = [now["acc_before"], now["acc_rescaled"], now["block_output"], now["acc"], now["output"],
                s["final_output"]]
        labels = ["old partial output", f"× rescale {now['rescale']:.3f}", "+ this block: p @ V",
                  "= new partial output", f"÷ running sum {now['running_sum']:.3f}", "softmax(x) @ V (all keys)"]
        return matrix_html(rows, labels, self.value_labels, "The partial output, rescaled and extended", "output",
                           highlight_row=4)

    def render_html(self, s) -> str:
        """The whole view as one HTML string."""
        now, step = s["now"], s["step"]
        head = text_div("os-head", f"Block {step} of {s['n_blocks']}: keys {now['start'] + 1} to {now['stop']} "
                                   f"(k{now['start'] + 1}–k{now['stop']})")
        if s["finished"]:
            same = bool(np.allclose(now["output"], s["final_output"], rtol=0, atol=1e-12))
            verdict = verdict_div("os-verdict", "Every block read: the output equals softmax(x) @ V, computed "
                                  "without ever holding all the weights at once." if same else
                                  "Every block read, but the output differs from softmax(x) @ V.", same)
        else:
            verdict = text_div("os-verdict", f"Not finished: the output so far leaves out keys "
                                             f"k{now['stop'] + 1} to k{self.x.size}.")
        body = (head + text_div("os-note", self.explain(now, step)) + self._scores_table(now)
                + row_html([self._history_table(s), self._output_table(s)]) + verdict)
        return root_html("online-softmax", self.version, body, {"step": step})

    def table(self) -> Table:
        """The running numbers of every block read so far, and the output after each (the text snapshot)."""
        s = self.state()
        values = [[h["block_max"], h["running_max"], h["rescale"], h["running_sum"], *h["output"]]
                  for h in s["history"]]
        title = (f"Online softmax after block {s['step']} of {s['n_blocks']} (blocks of {self.block_size} keys); "
                 f"softmax(x) @ V = [{', '.join(f'{v:.3f}' for v in s['final_output'])}]")
        return Table(values, [f"block {k + 1}" for k in range(s["step"])],
                     ["block max", "running max", "rescale", "running sum",
                      *(f"output {label}" for label in self.value_labels)], title=title, digits=3)

    def static_figure(self):
        """The scores by block and the weights so far, at the current step (the PNG snapshot)."""
        return online_softmax_figure(self.x, self.steps, int(self.step_slider.value))

"""The sampling view of notebook 11: temperature and top-k reshape the next token's distribution."""

from __future__ import annotations

import numbers

import ipywidgets as widgets
import numpy as np

from ..core.validate import as_positive_int, as_positive_number, as_seed, describe
from ..lessons.lesson11 import (
    apply_temperature_and_top_k,
    config_of,
    decode,
    encode,
    next_token_logits,
    write_samples,
)
from ..plots.lesson11 import sampling_figure
from ..plots.table import Table
from ._base import LiveView
from ._html import (
    SAMPLING_STYLE,
    bars_html,
    bold,
    number_td,
    panel_html,
    root_html,
    row_html,
    samples_html,
    table_html,
    td,
    text_div,
)

PROMPTS = ("the", "the big", "the dogs slept on the", "the cat sat on the mat . it")
"""The prompts offered by the view: 9, 6, 4 and 1 tokens the grammar allows next."""

HELP = ("Temperature divides every logit (the model's score for each possible next token) before the "
        "softmax: below 1 the likely tokens get likelier, above 1 the probabilities even out. Top-k keeps "
        "only the k tokens with the largest logits and gives the others probability 0; k = 24 keeps all.")

NOTE = ("This temperature acts on the logits of the next token, once per written token. The attention "
        "weights inside the model do not change at all; the temperature of notebook 03 acted inside "
        "attention instead.")


class SamplingView(LiveView, widgets.VBox):
    """Move the temperature and top-k: watch the next-token probabilities and a few samples change.

    The bars show the ``n_shown`` tokens with the largest logits (in a fixed order, so a bar never
    jumps) and one bar for all the others together; the table prints each shown token's logit,
    logit / temperature and probability. Below them, ``n_samples`` texts written from the prompt
    with the current settings; sample ``i`` always uses the seed ``seed + i``, so the same settings
    give the same samples.

    Parameters
    ----------
    params : dict
        A trained tiny GPT (:func:`attn_lib.lessons.lesson11.train`).
    prompt : str, default "the"
        Tokens of the course's vocabulary, separated by spaces; added to :data:`PROMPTS` if new.
    temperature : float, default 1.0
        From 0.1 to 10.
    top_k : int or None, default None
        1 to 24; None keeps every token.
    n_samples : int, default 5
    n_shown : int, default 12
        Bars and table rows; the remaining tokens share one bar.
    seed : int, default 0

    Attributes
    ----------
    temperature_slider : ipywidgets.FloatLogSlider
    top_k_slider : ipywidgets.IntSlider
    prompt_picker : ipywidgets.Dropdown
    help_text : ipywidgets.HTML
        What each control does, in words, beside the controls.
    view : ipywidgets.HTML
    version : int
        Number of repaints so far (the root's ``data-version``).
    """

    STYLE = SAMPLING_STYLE

    def __init__(self, params, prompt="the", temperature=1.0, top_k=None, n_samples=5, n_shown=12, seed=0):
        if not isinstance(params, dict) or "tok_emb" not in params:
            raise TypeError(f"params must be the dict of a trained tiny GPT (lesson11.train()); got {describe(params)}")
        self.params = params
        self.vocab_size = config_of(params)["vocab_size"]
        self.block_size = config_of(params)["block_size"]
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a str of tokens separated by spaces, such as 'the big'; "
                            f"got {describe(prompt)}")
        if not 1 <= len(encode(prompt)) < self.block_size:
            raise ValueError(f"prompt must hold 1 to {self.block_size - 1} tokens; got {len(prompt.split())}")
        temperature = as_positive_number(temperature, "temperature")
        if not 0.1 <= temperature <= 10:
            raise ValueError(f"temperature must be from 0.1 to 10; got {temperature}")
        top_k = self.vocab_size if top_k is None else top_k
        if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or not 1 <= top_k <= self.vocab_size:
            raise ValueError(f"top_k must be a whole number from 1 to {self.vocab_size}, or None; got {top_k!r}")
        self.n_samples = as_positive_int(n_samples, "n_samples")
        self.n_shown = min(as_positive_int(n_shown, "n_shown"), self.vocab_size)
        self.seed = as_seed(seed)
        self.version = 0
        self._logits = {}                                   # prompt -> (V,), computed once per prompt

        style = {"description_width": "7em"}
        self.prompt_picker = widgets.Dropdown(options=list(dict.fromkeys([*PROMPTS, prompt])), value=prompt,
                                              description="Prompt", style=style,
                                              tooltip="The text the model continues",
                                              layout=widgets.Layout(width="420px"))
        self.temperature_slider = widgets.FloatLogSlider(
            value=temperature, base=10, min=-1, max=1, step=0.01, description="Temperature", readout_format=".2f",
            continuous_update=True, style=style, layout=widgets.Layout(width="420px"),
            tooltip="Temperature: every logit is divided by it before the softmax")
        self.top_k_slider = widgets.IntSlider(
            value=int(top_k), min=1, max=self.vocab_size, step=1, description="Top-k", continuous_update=True,
            style=style, layout=widgets.Layout(width="420px"),
            tooltip=f"Top-k: keep the k most likely tokens ({self.vocab_size} keeps every token)")
        self.view = widgets.HTML(layout=widgets.Layout(min_width="460px"))
        self.help_text = widgets.HTML(f"<div class='gpt-help'>{bold('How the controls act. ')}{HELP}</div>")
        super().__init__([widgets.VBox([self.prompt_picker, self.temperature_slider, self.top_k_slider,
                                        self.help_text]), self.view])
        self.add_class("gpt-sampling-widget")
        for control in (self.prompt_picker, self.temperature_slider, self.top_k_slider):
            control.observe(self.refresh, names="value")
        self.refresh()

    def _prompt_logits(self, prompt) -> np.ndarray:
        if prompt not in self._logits:
            self._logits[prompt] = next_token_logits(self.params, encode(prompt))       # (V,)
        return self._logits[prompt]

    def state(self) -> dict:
        """What the view shows, computed with :mod:`attn_lib.lessons.lesson11`.

        Returns
        -------
        dict
            ``prompt`` (str), ``temperature`` (float), ``top_k`` (int); ``logits`` and
            ``probabilities`` (V,); ``order`` (V,) token ids by decreasing logit; ``labels``
            (n_shown + 1 str: the shown tokens, then the others) and ``shown`` (n_shown + 1,) their
            probabilities; ``samples`` (list of str, what each sample wrote after the prompt).
        """
        prompt = self.prompt_picker.value
        temperature, top_k = float(self.temperature_slider.value), int(self.top_k_slider.value)
        logits = self._prompt_logits(prompt)
        probabilities = apply_temperature_and_top_k(logits, temperature, top_k)          # (V,)
        order = np.argsort(-logits, kind="stable")                                        # (V,)
        shown, rest = order[:self.n_shown], order[self.n_shown:]
        labels = decode(shown) + ([f"({len(rest)} others)"] if len(rest) else [])
        n_prompt = len(encode(prompt))
        samples = [" ".join(decode(ids[n_prompt:]))
                   for ids in write_samples(self.params, prompt, self.n_samples, temperature, top_k, self.seed)]
        return {"prompt": prompt, "temperature": temperature, "top_k": top_k, "logits": logits,
                "probabilities": probabilities, "order": order, "labels": labels,
                "shown": np.append(probabilities[shown], probabilities[rest].sum())[:len(labels)],
                "samples": samples}

    def _settings(self, s) -> str:
        every = " (every token)" if s["top_k"] == self.vocab_size else ""
        return f"temperature {s['temperature']:.2f}, top-k {s['top_k']}{every}"

    def render_html(self, s) -> str:
        """The whole view as one HTML string."""
        T, kept = s["temperature"], s["probabilities"] > 0
        cells, classes = [], {}
        for row, token in enumerate(s["order"][:self.n_shown]):
            divided = number_td(s["logits"][token] / T) if kept[token] else td("cut")
            cells.append([number_td(s["logits"][token]), divided, number_td(s["probabilities"][token])])
            if not kept[token]:
                classes[row] = "gpt-cut"
        table = table_html(cells, s["labels"][:self.n_shown], ["logit", "logit ÷ T", "probability"],
                           "Next-token scores and probabilities", "table", row_classes=classes)
        bars = panel_html(bars_html(s["labels"], s["shown"], title="Probability of each next token"), "bars")
        body = (text_div("gpt-head", f"After “{s['prompt']}”: {self._settings(s)}")
                + row_html([bars, table])
                + samples_html(s["prompt"], s["samples"], "Samples (the same settings always give the same samples)")
                + text_div("gpt-note", NOTE))
        return root_html("gpt-sampling", self.version, body, {"temperature": f"{T:.4f}", "top_k": s["top_k"]})

    def table(self) -> Table:
        """Logit, logit / T and probability of every token (the text snapshot), the samples in the title."""
        s = self.state()
        order = s["order"]
        values = np.stack([s["logits"][order], s["logits"][order] / s["temperature"], s["probabilities"][order]])
        samples = "\n".join(f"  sample {i + 1}: {s['prompt']} {text}" for i, text in enumerate(s["samples"]))
        title = f"Next token after '{s['prompt']}': {self._settings(s)}\n{samples}"
        return Table(values.T, decode(order), ["logit", "logit/T", "probability"], title=title)

    def static_figure(self):
        """The probabilities as bars and the samples as text (the PNG snapshot)."""
        s = self.state()
        samples = [f"{s['prompt']} {text}" for text in s["samples"]]
        return sampling_figure(s["labels"], s["shown"], samples, f"After '{s['prompt']}': {self._settings(s)}")


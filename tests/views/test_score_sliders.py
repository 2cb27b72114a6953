"""The score sliders of notebook 01: one slider per word, the softmax redrawn as bars on every move."""

import base64

import numpy as np
from _html_tree import parse

from attn_lib.core import softmax
from attn_lib.views.score_sliders import ScoreSliders

SCORES = [0.0, 1.0, 0.5, -1.0, 0.0, 0.2]


def shown(widget) -> list:
    """The probabilities printed beside the bars."""
    return [v.text for v in parse(widget.bars.value).one("div", "attn-bars").find_all("span", "attn-value")]


class TestScoreSliders:
    def test_moving_a_slider_updates_the_bars(self):
        w = ScoreSliders("The cat sat on the mat", SCORES)
        assert len(w.sliders) == 6
        np.testing.assert_allclose(w.probabilities, softmax(np.array(SCORES)))
        before_html, before_p = w.bars.value, w.probabilities
        w.sliders[5].value = 3.0                               # raise "mat"
        assert w.bars.value != before_html
        assert w.probabilities[5] > before_p[5]
        assert int(np.argmax(w.probabilities)) == 5
        np.testing.assert_allclose(w.probabilities.sum(), 1.0)
        assert shown(w) == [f"{p:.2f}" for p in w.probabilities]

    def test_the_bars_are_labelled_and_the_query_is_highlighted(self):
        w = ScoreSliders("The cat sat on the mat", SCORES, query="sat")
        bars = parse(w.bars.value).one("div", "attn-bars")
        assert bars.elements[0].text == "Attention of 'sat' (softmax)"
        rows = bars.elements[1:]
        assert [row.elements[0].text for row in rows] == ["The", "cat", "sat", "on", "the", "mat"]
        colours = [row.elements[1]["style"].rsplit("background:", 1)[1] for row in rows]
        assert colours[2] != colours[0] and len(set(colours[:2] + colours[3:])) == 1
        header = parse(w.children[1].children[0].children[0].value).one("b")
        assert header.text == "Raw scores of 'sat' for each word"

    def test_mimebundle_has_png_and_text_table(self):
        w = ScoreSliders("The cat sat on the mat", SCORES)
        w.sliders[0].value = 2.5
        bundle = w._repr_mimebundle_()
        assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
        text = bundle["text/plain"]
        assert text.splitlines()[0].split() == ["The", "cat", "sat", "on", "the", "mat"]
        raw_line = next(line for line in text.splitlines() if line.startswith("raw score"))
        assert raw_line.split()[2:] == ["2.50", "1.00", "0.50", "-1.00", "0.00", "0.20"]
        prob_line = next(line for line in text.splitlines() if line.startswith("probability"))
        assert prob_line.split()[1:] == [f"{p:.2f}" for p in w.probabilities]

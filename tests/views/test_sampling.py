"""The sampling view of notebook 11, driven from Python: the bars, the table and the samples always show
what lesson11 computes for the current temperature, top-k and prompt, and the same settings give the
same samples."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

from attn_lib.lessons import lesson11 as gpt
from attn_lib.views import SamplingView
from attn_lib.views.sampling import PROMPTS


@pytest.fixture(scope="module")
def params():
    return gpt.train(steps=150)[0]


@pytest.fixture
def view(params):
    return SamplingView(params)


def rendered_bars(view) -> np.ndarray:
    bars = view.view.value.split("data-view='bars'")[1].split("data-view=")[0]
    return np.array(re.findall(r"class='attn-value'>(\d+\.\d+)<", bars), dtype=float)


def rendered_samples(view) -> list:
    return re.findall(r"<li><span class='gpt-prompt'>[^<]*</span> ([^<]*)</li>", view.view.value)


def test_the_view_shows_what_lesson11_computes(view, params):
    s = view.state()
    logits = gpt.next_token_logits(params, gpt.encode("the"))
    np.testing.assert_allclose(s["logits"], logits)
    np.testing.assert_allclose(s["probabilities"], gpt.apply_temperature_and_top_k(logits, 1.0, None))
    order = np.argsort(-logits, kind="stable")
    assert s["labels"] == gpt.decode(order[:12]) + ["(12 others)"]
    np.testing.assert_allclose(s["shown"][:12], s["probabilities"][order[:12]])
    assert s["shown"][12] == pytest.approx(s["probabilities"][order[12:]].sum())
    np.testing.assert_allclose(rendered_bars(view), np.round(s["shown"], 2), atol=0.006)
    samples = gpt.write_samples(params, "the", 5, 1.0, None, seed=0)
    assert s["samples"] == [" ".join(gpt.decode(ids[1:])) for ids in samples]
    assert rendered_samples(view) == s["samples"]


def test_temperature_reshapes_the_bars_and_never_the_order(view):
    before = view.state()
    version = view.version
    view.temperature_slider.value = 0.3
    assert view.version == version + 1
    after = view.state()
    assert after["temperature"] == pytest.approx(0.3)
    assert after["probabilities"].max() > before["probabilities"].max()
    assert np.array_equal(np.argsort(after["probabilities"]), np.argsort(before["probabilities"]))
    np.testing.assert_allclose(after["logits"], before["logits"])                  # the model is untouched
    np.testing.assert_allclose(rendered_bars(view), np.round(after["shown"], 2), atol=0.006)
    assert "data-temperature='0.3000'" in view.view.value


def test_top_k_cuts_tokens_to_zero_and_marks_them(view):
    view.top_k_slider.value = 3
    s = view.state()
    assert (s["probabilities"] > 0).sum() == 3
    assert s["probabilities"].sum() == pytest.approx(1.0)
    table = view.view.value.split("data-view='table'")[1]
    assert table.count("class='gpt-cut'") == 9 and table.count(">cut<") == 9
    for text in s["samples"]:                                                      # the first word is a top-3 token
        assert gpt.TOKEN_ID[text.split()[0]] in np.argsort(-s["logits"])[:3]


def test_the_same_settings_give_the_same_samples(view):
    first = view.state()["samples"]
    view.temperature_slider.value = 3.0
    hot = view.state()["samples"]
    view.temperature_slider.value = 1.0
    assert view.state()["samples"] == first and hot != first
    other = SamplingView(view.params, seed=1)
    assert other.state()["samples"] != first


def test_a_very_low_temperature_writes_the_greedy_story(view, params):
    view.temperature_slider.value = 0.1
    view.top_k_slider.value = 1
    greedy, _ = gpt.generate_with_cache(params, "the", 15, stop_at_story_end=True)
    assert set(view.state()["samples"]) == {" ".join(gpt.decode(greedy[1:]))}


@pytest.mark.parametrize("prompt", PROMPTS)
def test_every_prompt_continues_its_own_text(view, params, prompt):
    view.prompt_picker.value = prompt
    s = view.state()
    np.testing.assert_allclose(s["logits"], gpt.next_token_logits(params, gpt.encode(prompt)))
    assert f"After “{prompt}”" in view.view.value


def test_snapshot_table_and_figure(view):
    view.top_k_slider.value = 5
    text = repr(view.table())
    assert text.startswith("Next token after 'the': temperature 1.00, top-k 5")
    assert text.count("sample ") == 5 and len(text.splitlines()) == 1 + 5 + 1 + 24
    bundle = view._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert bundle["text/plain"] == text
    assert len(view.static_figure().axes) == 2


def test_controls_say_what_they_do(view):
    assert view.temperature_slider.description == "Temperature" and "divided" in view.temperature_slider.tooltip
    assert view.top_k_slider.description == "Top-k" and view.top_k_slider.max == 24
    assert "divides every logit" in view.help_text.value
    assert "attention weights inside the model do not change" in view.view.value


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"params": {"x": 1}}, TypeError, "params"),
    ({"prompt": 3}, TypeError, "prompt"),
    ({"prompt": "the kitten"}, ValueError, "'kitten'"),
    ({"prompt": "the " * 16}, ValueError, "prompt must hold 1 to 15 tokens"),
    ({"temperature": 0}, ValueError, "temperature"),
    ({"temperature": 20.0}, ValueError, "from 0.1 to 10"),
    ({"top_k": 0}, ValueError, "top_k"),
    ({"top_k": 25}, ValueError, "top_k"),
    ({"n_samples": 0}, ValueError, "n_samples"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_bad_arguments_are_named(params, kwargs, error, fragment):
    args = {"params": params} | kwargs
    with pytest.raises(error, match=fragment):
        SamplingView(**args)

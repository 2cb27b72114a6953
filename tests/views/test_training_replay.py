"""The training replay of notebook 10, driven from Python: the slider picks a saved step, and the view
shows that step's attention weights, the row of "it", and the loss curves with the step marked."""

import base64

import numpy as np
import pytest
from _html_tree import parse, printed, view_table

from attn_lib.lessons import lesson10 as L
from attn_lib.views import TrainingReplay
from attn_lib.views._html import loss_curve_svg


@pytest.fixture(scope="module")
def history():
    return L.train()


@pytest.fixture(scope="module")
def sparse():
    """A short run that saves every fifth step only."""
    return L.train(steps=20, save_every=5)


def root(replay):
    return parse(replay.view.value).one("div", "training-replay")


def test_the_view_shows_the_saved_weights_of_the_slider_step(history):
    replay = TrainingReplay(history, step=32)
    s, view = replay.state(), root(replay)
    assert s["step"] == 32 and view["data-step"] == "32" and view["data-version"] == str(replay.version)
    np.testing.assert_array_equal(s["weights"], history["weights"][32])
    weights = view_table(view, "weights")
    assert weights.caption == "Attention weights at step 32"
    assert weights.rows == weights.columns == history["tokens"]
    assert weights.texts() == printed(history["weights"][32])
    assert [tr.one("th").text for tr in view.find_all("tr", "attn-query")] == ["it"]
    bars = view.one("div", "attn-view", data_view="bars").one("div", "attn-bars")
    assert [float(v.text) for v in bars.find_all("span", "attn-value")] == \
        [float(f"{v:.2f}") for v in history["weights"][32][9]]
    assert s["on_animal"] == pytest.approx(history["weights"][32][9, 2])


def test_moving_the_slider_repaints_once_and_changes_the_step(history):
    replay = TrainingReplay(history)
    before, version = replay.view.value, replay.version
    replay.step_slider.value = 150
    assert replay.version == version + 1 and replay.view.value != before
    s = replay.state()
    assert s["step"] == 150 and root(replay)["data-step"] == "150"
    assert s["loss"] == pytest.approx(history["losses"][150])
    assert s["sound_loss"] == pytest.approx(history["sound_losses"][150])
    marker = root(replay).one("line", "replay-step")
    assert marker["data-step"] == "150"


def test_the_readout_says_the_state_in_words_for_screen_readers(history):
    replay = TrainingReplay(history, step=200)
    readout = root(replay).one("div", "replay-readout")
    assert readout["aria-live"] == "polite"
    s = replay.state()
    assert readout.text == (f"Step 200 of 200: 'it' gives {s['on_animal']:.2f} of its attention to 'dog'; "
                            f"loss {history['losses'][-1]:.2f} over every word, "
                            f"{history['sound_losses'][-1]:.2f} on the sound")
    assert replay.step_slider.description == "Training step" and replay.step_slider.tooltip
    assert replay.play.description == "Play the training replay"


def test_a_step_between_saved_steps_shows_the_last_saved_one(sparse):
    replay = TrainingReplay(sparse)
    assert replay.step_slider.step == 5 and replay.step_slider.max == 20
    replay.step_slider.value = 7
    s = replay.state()
    assert s["step"] == 5
    np.testing.assert_array_equal(s["weights"], sparse["weights"][1])


def test_the_loss_curve_has_one_point_per_step(history):
    view = root(TrainingReplay(history, step=50))
    curve = view.one("div", "attn-view", data_view="curve").one("svg", "replay-curve")
    for css in ("replay-loss", "replay-sound"):
        assert len(curve.one("polyline", css)["points"].split()) == len(history["losses"])
    xs = [float(p.split(",")[0]) for p in curve.one("polyline", "replay-loss")["points"].split()]
    assert float(curve.one("line", "replay-step")["x1"]) == pytest.approx(xs[50], abs=0.1)
    lowest = curve.one("line", "replay-lowest")
    assert float(lowest["y1"]) == float(lowest["y2"])


def test_loss_curve_svg_scales_to_the_largest_loss():
    svg = parse(loss_curve_svg([4.0, 2.0, 1.0], [2.0, 1.0, 0.0], 1, lowest=1.0, width=240, height=130))
    ys = [float(p.split(",")[1]) for p in svg.one("polyline", "replay-loss")["points"].split()]
    assert ys[0] == pytest.approx(10.0) and ys[1] == pytest.approx(10 + 80 * 0.5)   # top and half-way
    assert float(svg.one("line", "replay-lowest")["y1"]) == pytest.approx(10 + 80 * 0.75)


def test_a_run_that_blew_up_can_still_be_replayed():
    fast = L.train(lr=20.0)
    replay = TrainingReplay(fast, step=int(fast["steps"][-1]))
    s = replay.state()
    assert s["step"] == fast["blew_up_at"] - 1
    assert "e+" in root(replay).one("div", "replay-readout").text          # huge losses, 3 digits


def test_mimebundle_has_png_and_text_table(history):
    replay = TrainingReplay(history, step=40)
    bundle = replay._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    text = bundle["text/plain"]
    assert text.splitlines()[0] == replay.sentence(replay.state())
    assert text.splitlines()[-1].split()[0] == "it"


def test_snapshot_follows_the_slider(history):
    replay = TrainingReplay(history)
    first = repr(replay.table())
    replay.step_slider.value = 100
    assert repr(replay.table()) != first and repr(replay.table()).startswith("Step 100 of 200")
    fig = replay.static_figure()
    assert fig.axes[0].get_title() == "Attention weights at step 100"


@pytest.mark.parametrize("history_, step, error, match", [
    (None, 0, TypeError, "history must be the dict"),
    ({"steps": [0]}, 0, TypeError, "history must be the dict"),
    ("ok", 500, ValueError, "step must be from 0 to 200"),
    ("ok", 2.5, TypeError, "step must be a whole number"),
    ("no it", 0, ValueError, "must contain 'it'"),
    ("bad shape", 0, ValueError, "history\\['weights'\\] must have shape"),
])
def test_bad_input_names_the_argument(history, history_, step, error, match):
    if history_ == "ok":
        history_ = history
    elif history_ == "no it":
        history_ = dict(history, tokens=["The", "dog"] + ["x"] * 8)
    elif history_ == "bad shape":
        history_ = dict(history, weights=history["weights"][:, :3, :3])
    with pytest.raises(error, match=match):
        TrainingReplay(history_, step=step)

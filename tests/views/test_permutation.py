"""The permutation view of notebook 06, driven from Python: every control repaints, the three
tables show the weights attn_lib computes, and the readout says whether they are just reordered."""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
from _html_tree import parse, printed, view_table

import attn_lib as al
from attn_lib.lessons import lesson06 as pv
from attn_lib.views.permutation import PermutationView

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
SWAPPED = "The mat sat on the cat"


def root(view):
    return parse(view.view.value).one("div", "permutation-view")


def data_version(view) -> int:
    return int(root(view)["data-version"])


def readout(view) -> str:
    text = root(view).one("div", "pos-readout").text
    assert text.startswith("Same weights, just reordered: ")
    return text.rsplit(" ", 1)[1]


def shown_matrix(view, name) -> np.ndarray:
    """The numbers printed in one of the view's tables (data-view='name')."""
    return view_table(root(view), name).values()


@pytest.fixture
def perm():
    return PermutationView()


class TestPermutationView:
    def test_starts_in_the_original_order_and_shows_what_attn_lib_computes(self, perm):
        s = perm.state()
        assert perm.version == data_version(perm) == 1
        assert s["order"] == list(range(6)) and s["same_weights"]
        _, w = al.self_attention(al.embed(perm.tokens), *pv.lesson_weights())
        np.testing.assert_allclose(s["weights"], w)
        np.testing.assert_allclose(shown_matrix(perm, "original"), np.round(w, 2), atol=0.006)

    def test_typed_reordering_gives_the_same_weights_just_reordered(self, perm):
        perm.reordered_box.value = SWAPPED
        s = perm.state()
        assert s["reordered_tokens"] == al.tokenize(SWAPPED)
        assert s["same_weights"] is True and s["same_outputs"] is True
        assert readout(perm) == "True" and root(perm)["data-same"] == "true"
        _, w_swapped = al.self_attention(al.embed(al.tokenize(SWAPPED)), *pv.lesson_weights())
        np.testing.assert_allclose(s["reordered_weights"], w_swapped)
        np.testing.assert_allclose(shown_matrix(perm, "reordered"), np.round(w_swapped, 2), atol=0.006)
        P = pv.permutation_matrix([0, 5, 2, 3, 4, 1])
        np.testing.assert_allclose(s["moved_weights"], P @ s["weights"] @ P.T)

    def test_positions_make_the_readout_false(self, perm):
        perm.reordered_box.value = SWAPPED
        version = perm.version
        perm.positions_box.value = True
        s = perm.state()
        assert perm.version == version + 1 == data_version(perm)
        assert s["same_weights"] is False and s["same_outputs"] is False
        assert readout(perm) == "False" and root(perm)["data-positions"] == "true"
        assert s["largest_difference"] > 0.1
        X = al.embed(al.tokenize(SWAPPED)) + al.sinusoidal_positions(6, 8)         # positions stay with the slots
        np.testing.assert_allclose(s["reordered_weights"], al.self_attention(X, *pv.lesson_weights())[1])
        perm.positions_box.value = False
        assert readout(perm) == "True"

    def test_the_original_order_is_the_same_even_with_positions(self):
        view = PermutationView(positions=True)
        assert view.state()["same_weights"] is True

    def test_every_shuffle_is_just_reordered_without_positions(self, perm):
        for seed in range(1, 21):
            perm.shuffle_slider.value = seed
            assert perm.order == pv.shuffled_order(6, seed)
            assert readout(perm) == "True"
        perm.positions_box.value = True
        falses = 0
        for seed in range(1, 21):
            perm.shuffle_slider.value = seed
            falses += readout(perm) == "False"
        assert falses >= 18

    @pytest.mark.parametrize("act", ["shuffle", "type", "pick", "left", "right", "original", "positions",
                                     "sentence"])
    def test_each_control_changes_the_view_and_bumps_the_version_once(self, act):
        view = PermutationView(reordered="The cat sat on the mat")
        view.shuffle_slider.value = 4                                   # somewhere to move from
        view.word_picker.value = 2
        before, version = view.view.value, view.version
        {"shuffle": lambda: setattr(view.shuffle_slider, "value", 7),
         "type": lambda: setattr(view.reordered_box, "value", SWAPPED),
         "pick": lambda: setattr(view.word_picker, "value", 4),
         "left": view.left_button.click,
         "right": view.right_button.click,
         "original": view.original_button.click,
         "positions": lambda: setattr(view.positions_box, "value", True),
         "sentence": lambda: setattr(view.sentence_box, "value", "I paid at the bank")}[act]()
        assert view.view.value != before
        assert view.version == version + 1 == data_version(view)

    def test_buttons_move_the_picked_word_and_keep_it_picked(self, perm):
        perm.word_picker.value = 1                                      # "cat"
        for _ in range(4):
            perm.right_button.click()
        assert perm.reordered_tokens == ["The", "sat", "on", "the", "mat", "cat"]
        assert perm.word_picker.value == 5
        assert perm.reordered_box.value == "The sat on the mat cat"
        version = perm.version
        perm.right_button.click()                                       # already last: nothing moves
        assert perm.version == version
        perm.word_picker.value = 4
        perm.left_button.click()
        assert perm.reordered_tokens == ["The", "sat", "on", "mat", "the", "cat"]
        perm.original_button.click()
        assert perm.order == list(range(6))

    def test_picked_word_is_outlined(self, perm):
        perm.word_picker.value = 3
        view = root(perm)
        for name, marked in (("original", []), ("reordered", ["on", "on"]), ("moved", ["on", "on"])):
            panel = view.one("div", "attn-view", data_view=name)
            ths = panel.find_all("th", "attn-mark")                          # its column, then its row
            assert [th.text for th in ths] == marked
            assert [th["scope"] for th in ths] == ["col", "row"][:len(marked)]

    def test_a_new_sentence_resets_the_order(self, perm):
        perm.shuffle_slider.value = 5
        perm.sentence_box.value = "I paid at the bank"
        assert perm.tokens == ["I", "paid", "at", "the", "bank"]
        assert perm.order == list(range(5)) and perm.shuffle_slider.value == 0
        assert perm.reordered_box.value == "I paid at the bank"
        assert shown_matrix(perm, "reordered").shape == (5, 5)

    def test_bad_reordering_shows_an_error_and_keeps_the_last_order(self, perm):
        perm.reordered_box.value = SWAPPED
        order, version = list(perm.order), perm.version
        perm.reordered_box.value = "The dog sat on the cat"
        assert perm.order == order
        assert "'dog' is not one of them" in root(perm).one("div", "attn-error").text
        assert perm.version == version + 1
        perm.reordered_box.value = "The cat sat on the mat"
        assert root(perm).find_all("div", "attn-error") == []

    def test_an_empty_sentence_shows_an_error(self, perm):
        perm.sentence_box.value = "  "
        assert "text must contain" in root(perm).one("div", "attn-error").text
        assert perm.tokens == al.tokenize("The cat sat on the mat")

    def test_mimebundle_has_png_and_text_table(self):
        view = PermutationView(reordered=SWAPPED, positions=True)
        bundle = view._repr_mimebundle_()
        assert WIDGET_MIME in bundle
        assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
        lines = bundle["text/plain"].splitlines()
        assert lines[0] == "'The mat sat on the cat' with positions: same weights, just reordered: False"
        assert lines[1].split() == al.tokenize(SWAPPED)
        w = view.state()["reordered_weights"]
        assert lines[2].split()[1:] == [f"{v:.2f}" for v in w[0]]

    def test_static_figure_shows_the_current_state(self):
        view = PermutationView(reordered=SWAPPED)
        fig = view.static_figure()
        titles = [ax.get_title() for ax in fig.axes[:3]]                        # colour bars come after
        assert titles == ["Original sentence", "Reordered: computed afresh", "Original, moved (P W Pᵀ)"]
        assert fig._suptitle.get_text() == "Without positions: same weights, just reordered: True"
        np.testing.assert_allclose(fig.axes[1].get_images()[0].get_array(), view.state()["reordered_weights"])

    def test_bad_weights(self):
        with pytest.raises(TypeError, match="weights"):
            PermutationView(weights="W")
        with pytest.raises(ValueError, match="W_q must have shape"):
            PermutationView(weights=(np.ones((5, 4)), np.ones((8, 4)), np.ones((8, 4))))
        with pytest.raises(ValueError, match="not one of them"):
            PermutationView(reordered="The dog")

    def test_three_labelled_tables_show_the_state(self, perm):
        perm.reordered_box.value = SWAPPED
        s, view = perm.state(), root(perm)
        for name, caption, key, labels in (
                ("original", "Original sentence", "weights", s["tokens"]),
                ("reordered", "Reordered: computed afresh", "reordered_weights", s["reordered_tokens"]),
                ("moved", "Original, rows and columns moved (P W Pᵀ)", "moved_weights", s["reordered_tokens"])):
            table = view_table(view, name)
            assert table.caption == caption
            assert table.rows == table.columns == labels
            assert table.texts() == printed(s[key])
        captions = [div.text for div in view.find_all("div", "pos-caption")]
        assert captions == ["“The mat sat on the cat”, without positions",
                            "largest difference: 0.00; same outputs, just reordered: True"]

    def test_the_readout_is_blue_when_true_and_vermillion_when_false(self, perm):
        perm.reordered_box.value = SWAPPED
        assert root(perm).one("div", "pos-readout")["style"] == "color:var(--attn-ink-blue)"
        perm.positions_box.value = True
        assert root(perm).one("div", "pos-readout")["style"] == "color:var(--attn-ink-vermillion)"

    def test_set_order_checks_the_order(self, perm):
        perm.set_order([5, 4, 3, 2, 1, 0])
        assert perm.reordered_tokens == ["mat", "the", "on", "sat", "cat", "The"]
        for bad, error in (([0, 1, 2], ValueError), ([0, 0, 1, 2, 3, 4], ValueError), ("abc", TypeError)):
            with pytest.raises(error, match="order"):
                perm.set_order(bad)
        assert perm.order == [5, 4, 3, 2, 1, 0]


def test_report_update_times(capsys):
    """Not a timing assertion: prints the kernel time of 100 updates per control (see benchmarks/)."""
    perm = PermutationView()
    cases = {
        "PermutationView shuffle slider": lambda i: setattr(perm.shuffle_slider, "value", i % 21),
        "PermutationView add positions": lambda i: setattr(perm.positions_box, "value", i % 2 == 0),
        "PermutationView move right": lambda i: (perm.right_button.click() if perm.word_picker.value < 5
                                                 else perm.original_button.click()),
    }
    with capsys.disabled():
        for name, step in cases.items():
            start = time.perf_counter()
            for i in range(1, 101):
                step(i)
            per_event = (time.perf_counter() - start) / 100 * 1000
            print(f"\n{name}: {per_event:.2f} ms per update (100 updates)", end="")
    assert perm.version > 200 and data_version(perm) == perm.version

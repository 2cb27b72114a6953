"""attn_lib.position_views: orders and permutation matrices, the shift rotation, and the two live views
driven from Python (every control repaints, the readouts are computed, snapshots for readers without a kernel)."""

from __future__ import annotations

import base64
import re
import time

import numpy as np
import pytest
from matplotlib.figure import Figure

import attn_lib as al
from attn_lib import position_views as pv
from attn_lib.position_views import PermutationView, PositionEncodingView

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
SWAPPED = "The mat sat on the cat"


def data_version(view_html) -> int:
    return int(re.search(r"data-version='(\d+)'", view_html).group(1))


def readout(view_html) -> str:
    return re.search(r"Same weights, just reordered: (True|False)", view_html).group(1)


def shown_matrix(view_html, name) -> np.ndarray:
    """The numbers printed in one of the PermutationView's tables (data-view='name')."""
    part = view_html.split(f"data-view='{name}'")[1].split("</table>")[0]
    cells = np.array(re.findall(r"<td style='[^']*'>(-?\d+\.\d+)</td>", part), dtype=float)
    n = int(round(np.sqrt(len(cells))))
    return cells.reshape(n, n)


# ------------------------------------------------------------------------------ helpers
class TestOrders:
    def test_permutation_matrix_moves_rows(self, rng):
        order = [2, 0, 3, 1]
        P = pv.permutation_matrix(order)
        X = rng.normal(size=(4, 3))
        np.testing.assert_array_equal(P @ X, X[order])
        np.testing.assert_array_equal(P @ P.T, np.eye(4))
        W = rng.normal(size=(4, 4))
        np.testing.assert_array_equal(P @ W @ P.T, W[np.ix_(order, order)])

    @pytest.mark.parametrize("order, error", [
        ([0, 0, 1], ValueError), ([1, 2, 3], ValueError), ([], TypeError), ("012", TypeError),
        ([0, 1.5], TypeError), ([True, False], TypeError),
    ])
    def test_bad_orders(self, order, error):
        with pytest.raises(error, match="order"):
            pv.permutation_matrix(order)

    def test_shuffled_order_is_reproducible_and_zero_is_the_identity(self):
        assert pv.shuffled_order(6, 0) == [0, 1, 2, 3, 4, 5]
        assert pv.shuffled_order(6, 3) == pv.shuffled_order(6, 3)
        assert sorted(pv.shuffled_order(6, 3)) == list(range(6))
        assert len({tuple(pv.shuffled_order(6, s)) for s in range(1, 21)}) > 10
        with pytest.raises(ValueError, match="seed"):
            pv.shuffled_order(6, -1)
        with pytest.raises(ValueError, match="^n must be >= 1"):
            pv.shuffled_order(0, 1)

    def test_order_of_matches_repeated_words_left_to_right(self):
        tokens = al.tokenize("The cat sat on the mat")
        assert pv.order_of(tokens, al.tokenize(SWAPPED)) == [0, 5, 2, 3, 4, 1]
        assert pv.order_of(tokens, al.tokenize("the mat sat on The cat")) == [4, 5, 2, 3, 0, 1]
        assert pv.order_of(["a", "b", "a"], ["a", "a", "b"]) == [0, 2, 1]
        with pytest.raises(ValueError, match="'dog' is not one of them"):
            pv.order_of(tokens, al.tokenize("The dog sat on the mat"))
        with pytest.raises(ValueError, match=r"\['mat'\] are missing"):
            pv.order_of(tokens, al.tokenize("The cat sat on the"))

    def test_sentence_attention_is_self_attention_with_positions_added(self):
        tokens = al.tokenize("The cat sat on the mat")
        W_q, W_k, W_v = pv.lesson_weights()
        X = al.embed(tokens)
        for positions, X_in in ((False, X), (True, X + al.sinusoidal_positions(6, 8))):
            out, w = pv.sentence_attention(tokens, W_q, W_k, W_v, positions=positions)
            out_ref, w_ref = al.self_attention(X_in, W_q, W_k, W_v)
            np.testing.assert_allclose(w, w_ref)
            np.testing.assert_allclose(out, out_ref)

    def test_lesson_weights_are_fixed(self):
        a, b = pv.lesson_weights(), pv.lesson_weights()
        assert [W.shape for W in a] == [(8, 4)] * 3
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
        np.testing.assert_allclose(a[0], 3.0 * al.random_weights(8, 4, seed=3))


class TestShiftMatrix:
    @pytest.mark.parametrize("k", [1, 3, -2, 10])
    @pytest.mark.parametrize("d_model", [2, 8, 16])
    def test_moves_every_encoding_k_positions_on(self, k, d_model):
        P = al.sinusoidal_positions(40, d_model)
        M = pv.shift_matrix(k, d_model)
        lo, hi = max(0, -k), 40 - max(0, k)
        np.testing.assert_allclose(P[lo:hi] @ M, P[lo + k: hi + k], atol=1e-9)
        np.testing.assert_allclose(M.T @ M, np.eye(d_model), atol=1e-12)

    def test_shifts_compose_and_zero_is_the_identity(self):
        np.testing.assert_allclose(pv.shift_matrix(0, 8), np.eye(8), atol=1e-15)
        np.testing.assert_allclose(pv.shift_matrix(2, 8) @ pv.shift_matrix(3, 8), pv.shift_matrix(5, 8), atol=1e-12)

    @pytest.mark.parametrize("k, d_model, error, fragment", [
        (1.5, 8, TypeError, "^k must"), (True, 8, TypeError, "^k must"), (1, 7, ValueError, "^d_model must be even"),
        (1, 0, ValueError, "^d_model must be >= 1"),
    ])
    def test_bad_input(self, k, d_model, error, fragment):
        with pytest.raises(error, match=fragment):
            pv.shift_matrix(k, d_model)


def test_encoding_figure():
    fig = pv.encoding_figure(al.sinusoidal_positions(50, 32), highlight=4)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_images()[0].get_array().shape == (50, 32)
    assert ax.get_ylabel() == "position"
    assert ax.patches[0].get_y() == pytest.approx(3.5)
    with pytest.raises(ValueError, match="^P must have shape"):
        pv.encoding_figure(np.ones(5))


# ------------------------------------------------------------------------------ PermutationView
@pytest.fixture
def perm():
    return PermutationView()


class TestPermutationView:
    def test_starts_in_the_original_order_and_shows_what_attn_lib_computes(self, perm):
        s = perm.state()
        assert perm.version == data_version(perm.view.value) == 1
        assert s["order"] == list(range(6)) and s["same_weights"]
        out, w = al.self_attention(al.embed(perm.tokens), *pv.lesson_weights())
        np.testing.assert_allclose(s["weights"], w)
        np.testing.assert_allclose(shown_matrix(perm.view.value, "original"), np.round(w, 2), atol=0.006)

    def test_typed_reordering_gives_the_same_weights_just_reordered(self, perm):
        perm.reordered_box.value = SWAPPED
        s = perm.state()
        assert s["reordered_tokens"] == al.tokenize(SWAPPED)
        assert s["same_weights"] is True and s["same_outputs"] is True
        assert readout(perm.view.value) == "True" and "data-same='true'" in perm.view.value
        _, w_swapped = al.self_attention(al.embed(al.tokenize(SWAPPED)), *pv.lesson_weights())
        np.testing.assert_allclose(s["reordered_weights"], w_swapped)
        np.testing.assert_allclose(shown_matrix(perm.view.value, "reordered"), np.round(w_swapped, 2), atol=0.006)
        P = pv.permutation_matrix([0, 5, 2, 3, 4, 1])
        np.testing.assert_allclose(s["moved_weights"], P @ s["weights"] @ P.T)

    def test_positions_make_the_readout_false(self, perm):
        perm.reordered_box.value = SWAPPED
        version = perm.version
        perm.positions_box.value = True
        s = perm.state()
        assert perm.version == version + 1 == data_version(perm.view.value)
        assert s["same_weights"] is False and s["same_outputs"] is False
        assert readout(perm.view.value) == "False" and "data-positions='true'" in perm.view.value
        assert s["largest_difference"] > 0.1
        X = al.embed(al.tokenize(SWAPPED)) + al.sinusoidal_positions(6, 8)         # positions stay with the slots
        np.testing.assert_allclose(s["reordered_weights"], al.self_attention(X, *pv.lesson_weights())[1])
        perm.positions_box.value = False
        assert readout(perm.view.value) == "True"

    def test_the_original_order_is_the_same_even_with_positions(self):
        view = PermutationView(positions=True)
        assert view.state()["same_weights"] is True

    def test_every_shuffle_is_just_reordered_without_positions(self, perm):
        for seed in range(1, 21):
            perm.shuffle_slider.value = seed
            assert perm.order == pv.shuffled_order(6, seed)
            assert readout(perm.view.value) == "True"
        perm.positions_box.value = True
        falses = 0
        for seed in range(1, 21):
            perm.shuffle_slider.value = seed
            falses += readout(perm.view.value) == "False"
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
        assert view.version == version + 1 == data_version(view.view.value)

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
        reordered_part = perm.view.value.split("data-view='reordered'")[1].split("</table>")[0]
        assert reordered_part.count("class='pos-mark'") == 2                 # its row and its column
        assert "<th class='pos-mark'>on</th>" in reordered_part

    def test_a_new_sentence_resets_the_order(self, perm):
        perm.shuffle_slider.value = 5
        perm.sentence_box.value = "I paid at the bank"
        assert perm.tokens == ["I", "paid", "at", "the", "bank"]
        assert perm.order == list(range(5)) and perm.shuffle_slider.value == 0
        assert perm.reordered_box.value == "I paid at the bank"
        assert shown_matrix(perm.view.value, "reordered").shape == (5, 5)

    def test_bad_reordering_shows_an_error_and_keeps_the_last_order(self, perm):
        perm.reordered_box.value = SWAPPED
        order, version = list(perm.order), perm.version
        perm.reordered_box.value = "The dog sat on the cat"
        assert perm.order == order
        assert "class='pos-error'" in perm.view.value and "&#x27;dog&#x27; is not one of them" in perm.view.value
        assert perm.version == version + 1
        perm.reordered_box.value = "The cat sat on the mat"
        assert "class='pos-error'" not in perm.view.value

    def test_an_empty_sentence_shows_an_error(self, perm):
        perm.sentence_box.value = "  "
        assert "class='pos-error'" in perm.view.value and "text must contain" in perm.view.value
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


# ------------------------------------------------------------------------------ PositionEncodingView
@pytest.fixture
def enc():
    return PositionEncodingView()


class TestPositionEncodingView:
    def test_state_is_the_sinusoidal_matrix(self, enc):
        s = enc.state()
        P = al.sinusoidal_positions(32, 16)
        np.testing.assert_allclose(s["P"], P)
        np.testing.assert_allclose(s["encoding"], P[3])
        np.testing.assert_allclose(s["similarity"], P @ P[3])
        assert data_version(enc.view.value) == enc.version == 1

    def test_view_prints_the_encoding_and_frames_the_row(self, enc):
        for position in (0, 3, 17, 31):
            enc.position_slider.value = position
            view = enc.view.value
            shown = [float(v) for v in re.findall(r"class='pos-value'[^>]*>([+-]\d+\.\d+)<", view)]
            np.testing.assert_allclose(shown, np.round(al.sinusoidal_positions(32, 16)[position], 2), atol=0.006)
            assert f"class='pos-frame' x='-1' y='{position * enc.CELL - 1}'" in view
            assert f"data-position='{position}'" in view
            assert f"P[{position}] · itself = 8.00" in view

    @pytest.mark.parametrize("slider, value", [("position_slider", 10), ("d_model_slider", 8)])
    def test_each_control_changes_the_view_and_bumps_the_version_once(self, enc, slider, value):
        before, version = enc.view.value, enc.version
        getattr(enc, slider).value = value
        assert enc.view.value != before
        assert enc.version == version + 1 == data_version(enc.view.value)

    def test_d_model_changes_the_number_of_bars_and_columns(self, enc):
        enc.d_model_slider.value = 8
        view = enc.view.value
        assert view.count("class='pos-bar'") == 8
        assert view.count("<rect x=") == 32 * 8
        assert "data-d-model='8'" in view and "itself = 4.00" in view

    def test_similarity_axis_spans_the_values(self, enc):
        for d_model, labels in ((16, ["0", "8"]), (2, ["-1", "0", "1"])):
            enc.d_model_slider.value = d_model
            svg = enc.view.value.split("class='pos-similarity'")[1]
            assert re.findall(r"text-anchor='end'>(-?\d+)</text>", svg) == labels
            assert f"class='pos-self' cx='{46 + 362 * 3 / 31:.1f}' cy='12.0'" in svg    # the peak is at the top

    def test_the_similarity_peaks_at_the_position_and_the_neighbour_is_next(self, enc):
        for position in (2, 12, 25):
            enc.position_slider.value = position
            s = enc.state()
            order = np.argsort(s["similarity"])[::-1]
            assert order[0] == position
            assert abs(order[1] - position) == 1
            near = enc.neighbours(s)
            assert near["itself"] == pytest.approx(8.0)
            assert near["1 away"] > near["5 away"]

    def test_mimebundle_has_png_and_text_table(self, enc):
        enc.position_slider.value = 7
        bundle = enc._repr_mimebundle_()
        assert WIDGET_MIME in bundle
        assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
        lines = bundle["text/plain"].splitlines()
        assert lines[0] == "Encoding of position 7, d_model = 16"
        assert lines[1].split()[:4] == ["0", "sin", "1", "cos"]
        assert lines[2].split()[1:] == [f"{v:.2f}" for v in al.sinusoidal_positions(8, 16)[7]]

    def test_static_figure_shows_the_current_state(self, enc):
        enc.position_slider.value = 9
        fig = enc.static_figure()
        heat, bars, line = fig.axes[:3]                                         # the colour bar comes after
        assert heat.get_images()[0].get_array().shape == (32, 16)
        np.testing.assert_allclose([p.get_height() for p in bars.patches], enc.state()["encoding"])
        assert bars.get_title() == "Encoding of position 9"
        np.testing.assert_allclose(line.lines[0].get_ydata(), enc.state()["similarity"])

    @pytest.mark.parametrize("kwargs, fragment", [
        ({"d_model": 7}, "d_model must be even"), ({"d_model": 64}, "d_model must be even"),
        ({"position": 40}, "position must be"), ({"position": -1}, "position must be"),
        ({"n_positions": 1}, "n_positions must be between"), ({"n_positions": 100}, "n_positions must be between"),
    ])
    def test_bad_start_values(self, kwargs, fragment):
        with pytest.raises(ValueError, match=fragment):
            PositionEncodingView(**kwargs)


def test_report_update_times(capsys):
    """Not a timing assertion: prints the kernel time of 100 updates per control (see benchmarks/)."""
    perm, enc = PermutationView(), PositionEncodingView()
    cases = {
        "PermutationView shuffle slider": lambda i: setattr(perm.shuffle_slider, "value", i % 21),
        "PermutationView add positions": lambda i: setattr(perm.positions_box, "value", i % 2 == 0),
        "PermutationView move right": lambda i: (perm.right_button.click() if perm.word_picker.value < 5
                                                 else perm.original_button.click()),
        "PositionEncodingView position": lambda i: setattr(enc.position_slider, "value", (i * 7) % 32),
        "PositionEncodingView d_model": lambda i: setattr(enc.d_model_slider, "value", 2 + (2 * i) % 32),
    }
    with capsys.disabled():
        for name, step in cases.items():
            start = time.perf_counter()
            for i in range(1, 101):
                step(i)
            per_event = (time.perf_counter() - start) / 100 * 1000
            print(f"\n{name}: {per_event:.2f} ms per update (100 updates)", end="")
    assert perm.version > 200 and enc.version > 200

"""attn_lib.context: context vectors, cosine similarity, the feature bar chart and the rotating query."""

import base64
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

import attn_lib as al
from attn_lib import context
from attn_lib.context import QUERY_KEYS, QueryRotation, compare_features, context_vectors, cosine_similarity


# ------------------------------------------------------------------------------ cosine_similarity

class TestCosineSimilarity:
    @pytest.mark.parametrize("a, b, expected", [
        ([1.0, 0.0], [3.0, 0.0], 1.0),                        # same direction, other length
        ([1.0, 2.0, 3.0], [-2.0, -4.0, -6.0], -1.0),          # opposite
        ([1.0, 0.0], [0.0, 5.0], 0.0),                        # perpendicular
        ([1.0, 0.0], [1.0, 1.0], 1 / np.sqrt(2)),             # 45 degrees
        ([1.0, 0.0], [-1.0, np.sqrt(3.0)], -0.5),             # 120 degrees
        ([3.0, 4.0], [4.0, 3.0], 24 / 25),                    # by hand: 24 / (5 * 5)
    ])
    def test_known_values(self, a, b, expected):
        result = cosine_similarity(np.array(a), np.array(b))
        assert isinstance(result, float)
        assert result == pytest.approx(expected, abs=1e-12)

    def test_matches_the_formula_and_is_symmetric(self, rng):
        a, b = rng.normal(size=8), rng.normal(size=8)
        expected = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
        assert cosine_similarity(a, b) == pytest.approx(expected, abs=1e-12)
        assert cosine_similarity(b, a) == pytest.approx(expected, abs=1e-12)

    def test_positive_scaling_changes_nothing(self, rng):
        a, b = rng.normal(size=5), rng.normal(size=5)
        assert cosine_similarity(7.5 * a, 0.01 * b) == pytest.approx(cosine_similarity(a, b), abs=1e-12)
        assert cosine_similarity(-a, b) == pytest.approx(-cosine_similarity(a, b), abs=1e-12)

    def test_huge_and_tiny_vectors_do_not_overflow_or_underflow(self):
        assert cosine_similarity(np.array([1e200, 1e200]), np.array([1e200, 0.0])) == pytest.approx(1 / np.sqrt(2))
        assert cosine_similarity(np.array([1e-200, 0.0]), np.array([0.0, 1e-200])) == pytest.approx(0.0)

    def test_result_stays_within_minus_one_and_one(self, rng):
        for _ in range(200):
            v = rng.normal(size=6)
            assert -1.0 <= cosine_similarity(v, 3 * v) <= 1.0
            assert -1.0 <= cosine_similarity(v, -v) <= 1.0

    def test_one_vector_against_the_rows_of_a_matrix(self, rng):
        M, v = rng.normal(size=(4, 3)), rng.normal(size=3)
        result = cosine_similarity(M, v)
        assert result.shape == (4,)
        np.testing.assert_allclose(result, [cosine_similarity(row, v) for row in M], atol=1e-12)

    def test_integer_vectors(self):
        assert cosine_similarity(np.array([2, 0]), np.array([5, 5])) == pytest.approx(1 / np.sqrt(2))

    @pytest.mark.parametrize("which", ["a", "b"])
    def test_a_zero_vector_is_refused_by_name(self, which):
        good, zero = np.array([1.0, 2.0]), np.zeros(2)
        args = (zero, good) if which == "a" else (good, zero)
        with pytest.raises(ValueError, match=rf"^{which} must not be a zero vector.*length, which is 0"):
            cosine_similarity(*args)

    def test_a_zero_row_is_located(self):
        with pytest.raises(ValueError, match=r"a must not be a zero vector at batch index \(1,\)"):
            cosine_similarity(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([1.0, 1.0]))

    def test_lengths_must_match(self):
        with pytest.raises(ValueError, match=r"same length d.*\(3,\).*\(2,\)"):
            cosine_similarity(np.ones(3), np.ones(2))

    def test_batches_must_broadcast(self):
        with pytest.raises(ValueError, match="do not broadcast"):
            cosine_similarity(np.ones((3, 2)), np.ones((4, 2)))

    @pytest.mark.parametrize("bad, error, fragment", [
        ([1.0, 2.0], TypeError, "a must be a numpy array.*np.array"),
        (np.array([1.0, np.nan]), ValueError, "a must contain only finite numbers"),
        (np.array([True, False]), TypeError, "a must hold real numbers"),
        (np.array(3.0), ValueError, "a must have shape"),
    ])
    def test_bad_input_names_the_argument(self, bad, error, fragment):
        with pytest.raises(error, match=fragment):
            cosine_similarity(bad, np.array([1.0, 1.0]))


# ------------------------------------------------------------------------------ context_vectors

def _rule_weights():
    W_q = np.zeros((al.D_MODEL, al.D_MODEL))
    W_q[al.FEATURES.index("money"), al.FEATURES.index("money")] = 6.0
    W_q[al.FEATURES.index("nature"), al.FEATURES.index("nature")] = 6.0
    return W_q, np.eye(al.D_MODEL), np.eye(al.D_MODEL)


class TestContextVectors:
    @pytest.mark.parametrize("sentence", ["I sat on the river bank", ["I", "paid", "at", "the", "bank"]])
    def test_matches_self_attention(self, sentence):
        W_q, W_k, W_v = _rule_weights()
        result = context_vectors(sentence, W_q, W_k, W_v)
        tokens = al.tokenize(sentence) if isinstance(sentence, str) else sentence
        X = al.embed(tokens)
        outputs, weights = al.self_attention(X, W_q, W_k, W_v)
        assert result.tokens == tokens
        np.testing.assert_array_equal(result.embeddings, X)
        np.testing.assert_allclose(result.weights, weights, atol=1e-12)
        np.testing.assert_allclose(result.outputs, outputs, atol=1e-12)
        np.testing.assert_allclose(result.outputs, result.weights @ (X @ W_v), atol=1e-12)

    def test_unpacks_like_a_tuple_and_forwards_options(self, rng):
        W_q, W_k, W_v = (rng.normal(size=(al.D_MODEL, 4)) for _ in range(3))
        tokens, X, weights, outputs = context_vectors("The cat sat on the mat", W_q, W_k, W_v,
                                                      mask=al.causal_mask(6), temperature=0.5, scale=False)
        expected_out, expected_w = al.self_attention(X, W_q, W_k, W_v, mask=al.causal_mask(6),
                                                     temperature=0.5, scale=False)
        np.testing.assert_allclose(weights, expected_w, atol=1e-12)
        np.testing.assert_allclose(outputs, expected_out, atol=1e-12)
        assert np.allclose(np.triu(weights, k=1), 0.0)

    def test_the_same_word_gets_different_context_vectors(self):
        W_q, W_k, W_v = _rule_weights()
        river = context_vectors("I sat on the river bank", W_q, W_k, W_v)
        money = context_vectors("I paid at the bank", W_q, W_k, W_v)
        bank_r, bank_m = river.outputs[river.tokens.index("bank")], money.outputs[money.tokens.index("bank")]
        nature, cash = al.FEATURES.index("nature"), al.FEATURES.index("money")
        assert bank_r[nature] > bank_m[nature] and bank_m[cash] > bank_r[cash]

    def test_bad_weights_raise_the_library_error(self):
        with pytest.raises(ValueError, match="W_q must have shape"):
            context_vectors("The cat", np.ones((3, 2)), np.ones((8, 2)), np.ones((8, 2)))


# ------------------------------------------------------------------------------ compare_features

class TestCompareFeatures:
    def test_grouped_bars_colours_and_labels(self):
        vectors = {"before": al.embedding_of("bank"), "after": al.embedding_of("river")}
        fig = compare_features(vectors, title="bank", colors=["black", "green"])
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert [t.get_text() for t in ax.get_xticklabels()] == list(al.FEATURES)
        assert len(ax.patches) == 2 * al.D_MODEL
        heights = [p.get_height() for p in ax.patches]
        np.testing.assert_allclose(heights[:8], vectors["before"])
        np.testing.assert_allclose(heights[8:], vectors["after"])
        assert ax.patches[0].get_facecolor()[:3] == pytest.approx((0, 0, 0))
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["before", "after"]
        assert min(t.get_fontsize() for t in ax.get_xticklabels()) >= 14

    def test_default_colours_differ(self):
        fig = compare_features({"a": np.ones(8), "b": np.ones(8), "c": np.ones(8)})
        colours = {fig.axes[0].patches[i * 8].get_facecolor() for i in range(3)}
        assert len(colours) == 3

    @pytest.mark.parametrize("vectors, colors, fragment", [
        ({"a": np.ones(7)}, None, r"vectors\['a'\] must have one value per feature"),
        ({"a": np.ones(8)}, ["red"], "Okabe-Ito"),
        ({"a": np.ones(8)}, ["blue", "green"], "one Okabe-Ito colour per vector"),
    ])
    def test_bad_input(self, vectors, colors, fragment):
        with pytest.raises(ValueError, match=fragment):
            compare_features(vectors, colors=colors)

    def test_vectors_must_be_a_dict(self):
        with pytest.raises(TypeError, match="dict"):
            compare_features([np.ones(8)])


# ------------------------------------------------------------------------------ the rotating query

class TestRotatedQuery:
    @pytest.mark.parametrize("angle, length, expected", [
        (0, 1.0, (1.0, 0.0)), (90, 2.0, (0.0, 2.0)), (180.0, 1.0, (-1.0, 0.0)),
        (-90, 0.5, (0.0, -0.5)), (450, 1.0, (0.0, 1.0)), (60, 2.0, (1.0, np.sqrt(3.0))),
    ])
    def test_values(self, angle, length, expected):
        np.testing.assert_allclose(context.rotated_query(angle, length), expected, atol=1e-12)

    @pytest.mark.parametrize("angle, length, error, fragment", [
        ("30", 1.0, TypeError, "angle must be a finite number of degrees"),
        (float("nan"), 1.0, TypeError, "angle"),
        (True, 1.0, TypeError, "angle"),
        (30, 0.0, ValueError, "length must be a finite number > 0"),
        (30, -1.0, ValueError, "length"),
    ])
    def test_bad_input(self, angle, length, error, fragment):
        with pytest.raises(error, match=fragment):
            context.rotated_query(angle, length)


def _svg_query_tip(view_html):
    """The query arrow's tip in the SVG (pixels, y down), read from its polygon's first point."""
    group = re.search(r"<g class='qr-query'[^>]*>.*?</g>", view_html).group(0)
    x, y = re.search(r"points='(-?[\d.]+),(-?[\d.]+)", group).groups()
    return float(x), float(y)


def _data_version(view_html):
    return int(re.search(r"class='query-rotation' data-version='(\d+)'", view_html).group(1))


class TestQueryRotation:
    def test_scores_are_dot_products_at_the_displayed_angle(self):
        w = QueryRotation(angle=30.0, length=1.5)
        K = np.array(list(QUERY_KEYS.values()))
        for angle, length in [(30.0, 1.5), (117.0, 0.75), (250.0, 3.0), (0.0, 1.0)]:
            w.angle_slider.value, w.length_slider.value = angle, length
            theta = np.deg2rad(angle)
            q = length * np.array([np.cos(theta), np.sin(theta)])
            np.testing.assert_allclose(w.query, q, atol=1e-12)
            np.testing.assert_allclose(w.scores, K @ q, atol=1e-12)
            np.testing.assert_allclose(w.weights, np.exp(K @ q) / np.exp(K @ q).sum(), atol=1e-12)
            view = w.view.value
            for word, score, weight in zip(w.words, K @ q, w.weights):
                assert f"data-word='{word}' data-score='{score:.6f}'" in view
                assert f"{score:+.2f}</span>" in view
                assert f">{weight:.2f}</span>" in view
            assert f"data-angle='{angle:.2f}'" in view
            tip_x, tip_y = _svg_query_tip(view)                      # the drawn arrow points along q
            assert np.degrees(np.arctan2(-tip_y, tip_x)) % 360 == pytest.approx(angle % 360, abs=0.5)
            assert np.hypot(tip_x, tip_y) == pytest.approx(length * w._scale, abs=0.2)

    def test_moving_the_angle_repaints_the_view(self):
        w = QueryRotation(angle=30.0)
        before_html, before_version, before_scores = w.view.value, w.version, w.scores
        assert _data_version(before_html) == before_version == 1
        w.angle_slider.value = 200.0
        assert w.view.value != before_html
        assert w.version == _data_version(w.view.value) == before_version + 1
        assert not np.allclose(w.scores, before_scores)
        assert _svg_query_tip(w.view.value) != _svg_query_tip(before_html)
        w.length_slider.value = 2.5
        assert _data_version(w.view.value) == before_version + 2

    def test_the_best_key_follows_the_query(self):
        w = QueryRotation()
        for word, (x, y) in QUERY_KEYS.items():
            w.angle_slider.value = float(round(np.degrees(np.arctan2(y, x)) % 360))
            w.length_slider.value = 3.0
            best = w.words[int(np.argmax(w.weights))]
            assert best == word
            assert f"font-weight='bold' fill='black'>{best}</text>" in w.view.value

    def test_a_longer_query_sharpens_the_weights(self):
        w = QueryRotation(angle=30.0, length=0.5)
        soft = w.weights.max()
        w.length_slider.value = 3.0
        assert w.weights.max() > soft

    def test_mimebundle_has_png_and_text_table(self):
        w = QueryRotation(angle=45.0, length=2.0)
        w.angle_slider.value = 100.0
        bundle = w._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
        lines = bundle["text/plain"].splitlines()
        assert lines[0] == "Query at 100°, length 2.00"
        assert lines[1].split() == list(QUERY_KEYS)
        score_line = next(line for line in lines if line.startswith("score q·k"))
        assert score_line.split()[2:] == [f"{s:.2f}" for s in w.scores]
        weight_line = next(line for line in lines if line.startswith("weight"))
        assert weight_line.split()[1:] == [f"{p:.2f}" for p in w.weights]

    def test_static_figure_shows_the_current_state(self):
        w = QueryRotation(angle=10.0)
        fig = w.static_figure()
        assert isinstance(fig, Figure)
        arrows, bars = fig.axes[:2]
        assert arrows.get_title() == "Query at 10°, length 1.50"
        np.testing.assert_allclose([p.get_height() for p in bars.patches], w.weights)

    def test_custom_keys(self):
        w = QueryRotation({"left": (-1.0, 0.0), "right": (1.0, 0.0)}, angle=0.0, length=1.0)
        np.testing.assert_allclose(w.scores, [-1.0, 1.0], atol=1e-12)
        assert w.words == ["left", "right"]

    @pytest.mark.parametrize("keys, fragment", [
        ({"only": (1.0, 0.0)}, "at least two"),
        ({"a": (1.0, 0.0, 0.0), "b": (0.0, 1.0, 0.0)}, r"\(x, y\) pair"),
        ({"a": (1.0, 0.0), "b": (0.0, 0.0)}, "zero vector"),
        ({"a": (1.0, np.nan), "b": (0.0, 1.0)}, "finite"),
    ])
    def test_bad_keys(self, keys, fragment):
        with pytest.raises(ValueError, match=fragment):
            QueryRotation(keys)

    def test_bad_start_values(self):
        with pytest.raises(ValueError, match="length"):
            QueryRotation(length=0.0)
        with pytest.raises(TypeError, match="angle"):
            QueryRotation(angle="north")

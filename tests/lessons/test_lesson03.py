"""attn_lib.scaling: the spread of dot products, softmax saturation, the naive softmax, the d explorer."""

import base64

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_lib import scores, softmax
from attn_lib.scaling import (D_OPTIONS, D_VALUES, ScalingExplorer, max_weight, naive_softmax, scaling_figure,
                              score_spread, vectors_figure)


# ---------------------------------------------------------------------------------- score_spread

class TestScoreSpread:
    @pytest.mark.parametrize("d", [1, 4, 16, 64, 256, 1024])
    def test_raw_variance_is_about_d_and_scaled_about_one(self, d):
        spread = score_spread(d)
        assert spread["d"] == d and spread["n_pairs"] == 2000
        assert spread["raw_variance"] == pytest.approx(d, rel=0.15)
        assert spread["scaled_variance"] == pytest.approx(1.0, rel=0.15)

    def test_scaled_is_raw_divided_by_d(self):
        spread = score_spread(37, n_pairs=500, seed=3)
        assert spread["scaled_variance"] == pytest.approx(spread["raw_variance"] / 37, rel=1e-12)

    def test_matches_an_independent_computation(self):
        rng = np.random.default_rng(5)
        q, k = rng.standard_normal((300, 20)), rng.standard_normal((300, 20))
        expected = np.var(np.diag(scores(q, k, scale=False)))         # the diagonal of Q K^T: q_i . k_i
        assert score_spread(20, n_pairs=300, seed=5)["raw_variance"] == pytest.approx(expected, rel=1e-10)

    def test_seed_makes_it_repeatable_and_changes_the_draw(self):
        assert score_spread(16, seed=1) == score_spread(16, seed=1)
        assert score_spread(16, seed=1)["raw_variance"] != score_spread(16, seed=2)["raw_variance"]

    @pytest.mark.parametrize("kwargs, error, name", [
        ({"d": 0}, ValueError, "d"), ({"d": -4}, ValueError, "d"), ({"d": 2.5}, TypeError, "d"),
        ({"d": True}, TypeError, "d"), ({"d": "64"}, TypeError, "d"),
        ({"d": 4, "n_pairs": 1}, ValueError, "n_pairs"), ({"d": 4, "n_pairs": 10.0}, TypeError, "n_pairs"),
        ({"d": 4, "seed": -1}, ValueError, "seed"), ({"d": 4, "seed": 0.5}, TypeError, "seed"),
    ])
    def test_bad_input_names_the_argument(self, kwargs, error, name):
        with pytest.raises(error, match=rf"^{name} must"):
            score_spread(**kwargs)


# ------------------------------------------------------------------------------------ max_weight

class TestMaxWeight:
    def test_saturates_without_scaling_as_d_grows(self):
        raw = [max_weight(d, scale=False) for d in D_VALUES]
        assert all(a < b for a, b in zip(raw, raw[1:])), raw
        assert raw[-1] > 0.9

    def test_scaling_keeps_it_flat_and_far_from_one(self):
        scaled = [max_weight(d, scale=True) for d in D_VALUES]
        assert max(scaled) - min(scaled) < 0.1, scaled
        assert all(1 / 8 < w < 0.6 for w in scaled), scaled
        assert all(max_weight(d, scale=False) > w for d, w in zip(D_VALUES, scaled))

    def test_matches_an_independent_computation(self):
        rng = np.random.default_rng(2)
        q = rng.standard_normal((50, 1, 16))
        K = rng.standard_normal((50, 4, 16))
        s = np.stack([scores(q[i], K[i]) for i in range(50)])[:, 0, :]     # (50, 4) scaled scores
        assert max_weight(16, n_keys=4, n_trials=50, seed=2) == pytest.approx(softmax(s).max(axis=1).mean())

    def test_bounds(self):
        for scale in (False, True):
            w = max_weight(8, n_keys=5, n_trials=50, scale=scale)
            assert 1 / 5 <= w <= 1

    @pytest.mark.parametrize("kwargs, error, name", [
        ({"d": 0}, ValueError, "d"), ({"d": 1.0}, TypeError, "d"),
        ({"d": 4, "n_keys": 1}, ValueError, "n_keys"), ({"d": 4, "n_keys": "8"}, TypeError, "n_keys"),
        ({"d": 4, "n_trials": 0}, ValueError, "n_trials"),
        ({"d": 4, "scale": 1}, TypeError, "scale"), ({"d": 4, "scale": "yes"}, TypeError, "scale"),
        ({"d": 4, "seed": -3}, ValueError, "seed"),
    ])
    def test_bad_input_names_the_argument(self, kwargs, error, name):
        with pytest.raises(error, match=rf"^{name} must"):
            max_weight(**kwargs)


# --------------------------------------------------------------------------------- naive_softmax

class TestNaiveSoftmax:
    def test_agrees_with_softmax_on_small_scores(self, rng):
        x = rng.normal(size=(3, 5))
        np.testing.assert_allclose(naive_softmax(x), softmax(x), rtol=1e-12)
        np.testing.assert_allclose(naive_softmax(x, axis=0), softmax(x, axis=0), rtol=1e-12)

    def test_masked_entries_get_zero(self):
        np.testing.assert_allclose(naive_softmax(np.array([0.0, -np.inf, 0.0])), [0.5, 0.0, 0.5])

    def test_overflows_on_large_scores(self):
        with pytest.warns(RuntimeWarning, match="overflow"), np.errstate(invalid="ignore"):
            out = naive_softmax(np.array([1000.0, 999.0, 998.0]))
        assert np.isnan(out).all()
        assert np.isfinite(softmax(np.array([1000.0, 999.0, 998.0]))).all()

    def test_underflows_on_very_negative_scores(self):
        with np.errstate(invalid="ignore"):
            out = naive_softmax(np.array([-1000.0, -999.0]))
        assert np.isnan(out).all()

    @pytest.mark.parametrize("x, axis, error, name", [
        ([1.0, 2.0], -1, TypeError, "x"), (np.array([]), -1, ValueError, "x"),
        (np.array([1.0, np.nan]), -1, ValueError, "x"), (np.array([1.0, 2.0]), 1, ValueError, "axis"),
        (np.array([1.0, 2.0]), 0.0, TypeError, "axis"),
    ])
    def test_bad_input_names_the_argument(self, x, axis, error, name):
        with pytest.raises(error, match=rf"^{name} must"):
            naive_softmax(x, axis=axis)


# --------------------------------------------------------------------------------------- figures

class TestFigures:
    def test_scaling_figure_plots_what_the_functions_compute(self):
        fig = scaling_figure(ds=(4, 64), n_keys=8)
        assert isinstance(fig, Figure)
        left, right = fig.axes
        raw_line, scaled_line = left.get_lines()
        np.testing.assert_allclose(raw_line.get_ydata(), [score_spread(d)["raw_variance"] for d in (4, 64)])
        np.testing.assert_allclose(scaled_line.get_ydata(), [score_spread(d)["scaled_variance"] for d in (4, 64)])
        raw_max, scaled_max = right.get_lines()[:2]
        np.testing.assert_allclose(raw_max.get_ydata(), [max_weight(d, scale=False) for d in (4, 64)])
        np.testing.assert_allclose(scaled_max.get_ydata(), [max_weight(d) for d in (4, 64)])
        assert raw_line.get_color() != scaled_line.get_color()
        assert all(t.get_fontsize() >= 12 for ax in fig.axes for t in ax.get_xticklabels())
        assert all(ax.xaxis.label.get_fontsize() >= 14 for ax in fig.axes)

    def test_scaling_figure_needs_two_widths(self):
        with pytest.raises(ValueError, match="ds"):
            scaling_figure(ds=(4,))
        with pytest.raises(ValueError, match="ds"):
            scaling_figure(ds=(4, 0))

    def test_vectors_figure_draws_one_arrow_and_label_per_vector(self):
        fig = vectors_figure(np.array([[2.0, 1.0], [-1.0, 2.0]]), ["q", "k"], title="t")
        ax = fig.axes[0]
        labels = [t.get_text() for t in ax.texts if t.get_text()]
        assert labels == ["q", "k"]
        assert [t.xy for t in ax.texts if t.get_text()] == [(2.0, 1.0), (-1.0, 2.0)]

    @pytest.mark.parametrize("vectors, labels, match", [
        (np.zeros((2, 3)), ["a", "b"], "vectors"), (np.ones((2, 2)), ["a"], "labels"),
        ([[1.0, 2.0]], ["a"], "vectors"),
    ])
    def test_vectors_figure_bad_input(self, vectors, labels, match):
        with pytest.raises((TypeError, ValueError), match=match):
            vectors_figure(vectors, labels)


# ------------------------------------------------------------------------------ ScalingExplorer

class TestScalingExplorer:
    def test_view_changes_with_d(self):
        w = ScalingExplorer(d=4, scale=False)
        before_html, before_version = w.view.value, w.version
        w.d_slider.value = 1024
        assert w.view.value != before_html
        assert w.version == before_version + 1
        assert f"data-version='{w.version}'" in w.view.value
        assert "data-d='1024'" in w.view.value and "class='attn-scaling'" in w.view.value
        s = w.state()
        assert s["d"] == 1024
        assert s["raw_variance"] == pytest.approx(score_spread(1024)["raw_variance"])
        assert f"{s['raw_variance']:.2f}" in w.view.value
        assert s["weights"].max() > 0.9                         # unscaled at d = 1024: saturated

    def test_view_changes_with_the_checkbox(self):
        w = ScalingExplorer(d=1024, scale=False)
        raw_html, raw_weights = w.view.value, w.state()["weights"]
        w.scale_box.value = True
        s = w.state()
        assert w.view.value != raw_html and "data-scale='true'" in w.view.value
        np.testing.assert_allclose(s["scores"], s["raw_scores"] / 32.0)
        assert s["weights"].max() < raw_weights.max()
        assert f"{s['weights'].max():.2f}" in w.view.value

    def test_scores_are_the_dot_products_of_one_query_with_its_keys(self):
        w = ScalingExplorer(d=16, seed=4)
        rng = np.random.default_rng([4, 1])
        q, K = rng.standard_normal(1024), rng.standard_normal((8, 1024))
        for d in (2, 16, 1024):
            w.d_slider.value = d
            np.testing.assert_allclose(w.state()["raw_scores"], K[:, :d] @ q[:d])
            np.testing.assert_allclose(w.state()["weights"], softmax(K[:, :d] @ q[:d] / np.sqrt(d)))

    def test_every_slider_position_repaints(self):
        w = ScalingExplorer(d=2)
        seen = {w.view.value}
        for d in D_OPTIONS[1:]:
            w.d_slider.value = d
            seen.add(w.view.value)
        assert len(seen) == len(D_OPTIONS)
        assert w.version == len(D_OPTIONS)

    def test_mimebundle_has_png_and_text_table(self):
        w = ScalingExplorer(d=256, scale=True)
        bundle = w._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
        lines = bundle["text/plain"].splitlines()
        assert lines[0].startswith("d = 256, divided by sqrt(d): yes")
        assert lines[1].split() == [f"k{j}" for j in range(1, 9)]
        weight_line = next(line for line in lines if line.startswith("softmax weight"))
        assert weight_line.split()[2:] == [f"{v:.2f}" for v in w.state()["weights"]]

    def test_snapshot_follows_the_controls(self):
        w = ScalingExplorer(d=64, scale=True)
        before = repr(w.table())
        w.scale_box.value = False
        assert repr(w.table()) != before and "divided by sqrt(d): no" in repr(w.table())
        left, right = w.static_figure().axes
        np.testing.assert_allclose([p.get_height() for p in right.patches], w.state()["weights"])
        np.testing.assert_allclose([p.get_height() for p in left.patches], w.state()["raw_scores"])

    @pytest.mark.parametrize("kwargs, error, name", [
        ({"d": 3}, ValueError, "d"), ({"d": 64.0}, TypeError, "d"), ({"scale": "no"}, TypeError, "scale"),
        ({"n_keys": 1}, ValueError, "n_keys"), ({"seed": -1}, ValueError, "seed"),
    ])
    def test_bad_input_names_the_argument(self, kwargs, error, name):
        with pytest.raises(error, match=rf"^{name} must"):
            ScalingExplorer(**kwargs)

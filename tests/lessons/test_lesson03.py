"""attn_lib.lessons.lesson03: the spread of dot products, softmax saturation, the naive softmax."""

import numpy as np
import pytest

from attn_lib import scores, softmax
from attn_lib.lessons.lesson03 import (
    D_OPTIONS,
    D_VALUES,
    STABLE_SCORES,
    max_weight,
    naive_softmax,
    score_spread,
)

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


def test_the_widths_of_the_lesson():
    assert D_VALUES == (4, 16, 64, 256, 1024)
    assert D_OPTIONS == tuple(2 ** k for k in range(1, 11))
    with pytest.warns(RuntimeWarning, match="overflow"), np.errstate(invalid="ignore"):
        assert np.isnan(naive_softmax(STABLE_SCORES)).all()          # the exercise's scores break the naive one
    np.testing.assert_allclose(softmax(STABLE_SCORES), softmax(STABLE_SCORES - 1000.0))

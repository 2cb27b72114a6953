"""attn_lib.model.encoder: the maths of a BERT layer that attn_lib.core does not have (erf, gelu,
layer norm), against the standard library."""

import math

import numpy as np

from attn_lib.model.encoder import erf, gelu, layer_norm


def test_erf_matches_math_erf_to_well_below_1e_7():
    grid = np.concatenate([np.linspace(-10, 10, 200_001), [0.0, 1e-300, -1e-20, 0.46875, -0.46875,
                                                            0.46875 + 1e-12, 4.0, -4.0, 4.0 + 1e-12, 26.6, -40.0]])
    exact = np.array([math.erf(x) for x in grid])
    error = np.abs(erf(grid) - exact)
    assert error.max() < 1e-14, f"max error {error.max():.2e} at x = {grid[error.argmax()]}"


def test_erf_is_odd_keeps_shape_and_saturates():
    x = np.linspace(-6, 6, 24).reshape(2, 3, 4)
    assert erf(x).shape == (2, 3, 4)
    np.testing.assert_array_equal(erf(-x), -erf(x))
    assert erf(np.array([np.inf, -np.inf, 50.0])).tolist() == [1.0, -1.0, 1.0]
    assert erf(0.0) == 0.0 and erf(0.5) > 0


def test_gelu_is_the_exact_erf_gelu_not_the_tanh_approximation():
    x = np.linspace(-8, 8, 3001)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x])
    np.testing.assert_allclose(gelu(x), exact, rtol=0, atol=1e-14)
    tanh_gelu = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    assert np.abs(gelu(x) - tanh_gelu).max() > 1e-4                      # the two really differ


def test_layer_norm_gives_mean_0_variance_1_before_scale_and_shift(rng):
    x = 3 + 5 * rng.standard_normal((4, 10))
    y = layer_norm(x, np.ones(10), np.zeros(10), 1e-12)
    np.testing.assert_allclose(y.mean(axis=-1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=-1), 1, atol=1e-9)
    gamma, beta = rng.standard_normal(10), rng.standard_normal(10)
    np.testing.assert_allclose(layer_norm(x, gamma, beta, 1e-12), y * gamma + beta)

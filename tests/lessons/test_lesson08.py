"""attn_lib.lessons.lesson08: the drawn image, patches as tokens, and attention between patches."""

from __future__ import annotations

import numpy as np
import pytest

import attn_lib as al
from attn_lib.lessons import lesson08 as vit_views
from attn_lib.lessons.lesson08 import patch_tokens, sample_image

I9 = np.eye(len(vit_views.TOKEN_FEATURES))


# -------------------------------------------------------------------------------- sample image

def test_sample_image_is_deterministic_float_rgb_in_range():
    a, b = sample_image(), sample_image()
    assert a.shape == (48, 48, 3) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert a.std() > 0.1                                            # a scene, not a flat colour


@pytest.mark.parametrize("size", [8, 16, 48, 64, 96])
def test_sample_image_draws_the_same_scene_at_every_size(size):
    img = sample_image(size)
    assert img.shape == (size, size, 3)
    assert img.min() >= 0.0 and img.max() <= 1.0

    def at(fx, fy):
        return img[int(fy * size), int(fx * size)]
    sky, sun, grass, wall = at(0.05, 0.05), at(0.80, 0.20), at(0.75, 0.95), at(0.47, 0.70)
    assert sky[2] > sky[0] and sky[2] > sky[1]                      # blue sky
    assert sun[0] > 0.9 and sun[1] > 0.7 and sun[2] < 0.3           # yellow sun
    assert grass[1] > grass[0] and grass[1] > grass[2]              # green grass
    assert wall[0] > wall[1] and wall[0] > wall[2]                  # red walls


def test_sample_image_does_not_depend_on_global_random_state():
    np.random.seed(1)
    a = sample_image()
    np.random.seed(2)
    np.testing.assert_array_equal(a, sample_image())


@pytest.mark.parametrize("size, exception", [(0, ValueError), (3, ValueError), (-48, ValueError),
                                             (48.0, TypeError), (True, TypeError), ("48", TypeError)])
def test_sample_image_rejects_bad_sizes(size, exception):
    with pytest.raises(exception, match="size"):
        sample_image(size)


# ---------------------------------------------------------------------------- patches to tokens

def test_embedding_matrix_computes_colour_means_and_half_differences(rng):
    image = rng.uniform(size=(16, 16, 3))
    features = al.patchify(image, 8) @ vit_views.embedding_matrix(8)        # (4, 5)
    for k in range(4):
        r, c = divmod(k, 2)
        block = image[r * 8:(r + 1) * 8, c * 8:(c + 1) * 8]
        light = block.mean(axis=2)
        expected = [*block.mean(axis=(0, 1)), light[:4].mean() - light[4:].mean(),
                    light[:, :4].mean() - light[:, 4:].mean()]
        np.testing.assert_allclose(features[k], expected, atol=1e-12)


@pytest.mark.parametrize("args, exception", [((7,), ValueError), ((8, 1), ValueError), ((0,), ValueError),
                                             ((8.0,), TypeError)])
def test_embedding_matrix_rejects_what_it_cannot_build(args, exception):
    with pytest.raises(exception):
        vit_views.embedding_matrix(*args)


def test_standardize_gives_mean_zero_and_unit_spread(rng):
    F = rng.normal(3.0, 5.0, size=(20, 4))
    Z = vit_views.standardize(F)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)
    F[:, 2] = 7.0                                                           # a constant column
    np.testing.assert_array_equal(vit_views.standardize(F)[:, 2], 0.0)


def test_grid_positions_are_sin_and_cos_of_row_and_column():
    P = vit_views.grid_positions(4, 6)
    theta = np.pi / 6
    assert P.shape == (24, 4)
    r, c = divmod(15, 6)
    np.testing.assert_allclose(P[15], [np.sin(r * theta), np.cos(r * theta), np.sin(c * theta), np.cos(c * theta)])


def test_position_dot_products_fall_with_distance_in_the_grid():
    P = vit_views.grid_positions(6, 6)
    along_row = [P[0] @ P[c] for c in range(6)]                            # patch 0 with (0, c)
    down_column = [P[0] @ P[6 * r] for r in range(6)]                      # patch 0 with (r, 0)
    assert np.all(np.diff(along_row) < 0) and np.all(np.diff(down_column) < 0)
    assert P[17] @ P[23] > P[17] @ P[18]                                   # below beats "next in the count"


def test_patch_tokens_are_standardised_content_then_scaled_positions():
    img = sample_image()
    X = patch_tokens(img, 8)
    assert X.shape == (36, len(vit_views.TOKEN_FEATURES))
    content = vit_views.standardize(al.patchify(img, 8) @ vit_views.embedding_matrix(8))
    np.testing.assert_allclose(X[:, :5], content)
    np.testing.assert_allclose(X[:, 5:], vit_views.POSITION_STRENGTH * vit_views.grid_positions(6, 6))
    X_off = patch_tokens(img, 8, use_positions=False)
    np.testing.assert_array_equal(X_off[:, 5:], 0.0)
    np.testing.assert_allclose(X_off[:, :5], content)


def test_patch_tokens_need_a_colour_image():
    with pytest.raises(ValueError, match="3 colour channels"):
        patch_tokens(np.zeros((16, 16, 4)), 8)
    with pytest.raises(ValueError, match="image"):
        patch_tokens(np.zeros((16, 16)), 8)


def test_patch_attention_is_self_attention_with_identity_weights():
    img = sample_image()
    output, weights = vit_views.patch_attention(img, 8, temperature=0.5)
    X = patch_tokens(img, 8)
    np.testing.assert_allclose(weights, al.softmax(X @ X.T / 3.0 / 0.5, axis=-1))
    np.testing.assert_allclose(output, weights @ X)


def test_top_patches_are_largest_first_with_ties_by_index():
    assert list(vit_views.top_patches([0.1, 0.3, 0.3, 0.2, 0.1], k=3)) == [1, 2, 3]


def test_identity_weights_and_grid_shape():
    W_q, W_k, W_v = vit_views.identity_weights()
    for W in (W_q, W_k, W_v):
        np.testing.assert_array_equal(W, I9)
    assert vit_views.grid_shape(np.zeros((64, 48, 3)), 8) == (8, 6)
    with pytest.raises(ValueError):
        vit_views.grid_shape(np.zeros((60, 48, 3)), 8)

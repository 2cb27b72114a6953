"""attn_lib.lessons.lesson08.score_parts: appended positions split a score into content + position, exactly."""

from __future__ import annotations

import numpy as np
import pytest

import attn_lib as al
from attn_lib.core.vision import patchify
from attn_lib.lessons.lesson08 import (
    POSITION_STRENGTH,
    embedding_matrix,
    grid_positions,
    identity_weights,
    patch_tokens,
    sample_image,
    score_parts,
    standardize,
)

IMAGE = sample_image(48)


@pytest.mark.parametrize("query", [0, 10, 19, 30, 35])
def test_the_two_parts_add_up_to_the_raw_score(query):
    X = patch_tokens(IMAGE, 8)
    content, position = score_parts(X, query)
    assert content.shape == position.shape == (36,)
    np.testing.assert_allclose(content + position, X @ X[query], atol=1e-12)


@pytest.mark.parametrize("query", [0, 10, 30])
def test_each_part_is_the_dot_product_of_its_own_features(query):
    content_features = standardize(patchify(IMAGE, 8) @ embedding_matrix(8))          # (36, 5)
    positions = POSITION_STRENGTH * grid_positions(6, 6)                              # (36, 4)
    content, position = score_parts(patch_tokens(IMAGE, 8), query)
    np.testing.assert_allclose(content, content_features @ content_features[query], atol=1e-12)
    np.testing.assert_allclose(position, positions @ positions[query], atol=1e-12)


def test_without_positions_the_position_part_is_zero():
    content, position = score_parts(patch_tokens(IMAGE, 8, use_positions=False), 10)
    assert np.all(position == 0)
    assert content[10] > 0


def test_the_softmax_of_the_parts_gives_the_lessons_attention_weights():
    X = patch_tokens(IMAGE, 8)
    _, weights = al.self_attention(X, *identity_weights(X.shape[1]))
    content, position = score_parts(X, 30)
    np.testing.assert_allclose(al.softmax((content + position) / np.sqrt(X.shape[1])), weights[30], atol=1e-12)


def test_a_patch_of_uniform_grass_prefers_its_nearest_neighbours_by_position():
    # The lesson's exercise: the grass in the bottom row looks alike, so position decides the order.
    X = patch_tokens(IMAGE, 8)
    _, position = score_parts(X, 30)
    bottom_row = [30, 31, 32, 33, 34, 35]
    assert np.all(np.diff(position[bottom_row]) < 0)


def test_a_split_that_is_not_content_first_gives_other_parts():
    X = np.arange(12.0).reshape(3, 4)
    content, position = score_parts(X, 1, n_content=1)
    np.testing.assert_allclose(content, X[:, 0] * X[1, 0])
    np.testing.assert_allclose(position, X[:, 1:] @ X[1, 1:])


@pytest.mark.parametrize("tokens, query, n_content, error, words", [
    ([[1.0, 2.0]], 0, 1, TypeError, "tokens"),
    (np.ones(4), 0, 1, ValueError, "tokens"),
    (np.ones((3, 4)), 3, 1, ValueError, "query"),
    (np.ones((3, 4)), -1, 1, ValueError, "query"),
    (np.ones((3, 4)), 1.0, 1, TypeError, "query"),
    (np.ones((3, 4)), True, 1, TypeError, "query"),
    (np.ones((3, 4)), 0, 4, ValueError, "n_content"),
    (np.ones((3, 4)), 0, 0, ValueError, "n_content"),
    (np.full((3, 4), np.nan), 0, 1, ValueError, "tokens"),
])
def test_bad_arguments_are_named(tokens, query, n_content, error, words):
    with pytest.raises(error, match=words):
        score_parts(tokens, query, n_content)

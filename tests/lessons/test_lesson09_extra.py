"""attn_lib.lessons.lesson09.mean_cosine_to_groups: where a vector sits between groups of vectors."""

from __future__ import annotations

import numpy as np
import pytest

from attn_lib.lessons.lesson04 import cosine_similarity
from attn_lib.lessons.lesson09 import mean_cosine_to_groups


def test_known_directions():
    vectors = np.array([[1.0, 0.0], [0.0, 2.0]])
    groups = [np.array([[3.0, 0.0], [1.0, 1.0]]), np.array([[0.0, -1.0]])]
    expected = [[(1 + np.sqrt(0.5)) / 2, 0.0], [np.sqrt(0.5) / 2, -1.0]]
    np.testing.assert_allclose(mean_cosine_to_groups(vectors, groups), expected, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_matches_the_mean_of_pairwise_cosine_similarities(seed):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(3, 7))
    groups = [rng.normal(size=(k, 7)) for k in (1, 4, 2)]
    got = mean_cosine_to_groups(vectors, groups)
    assert got.shape == (3, 3)
    for i, v in enumerate(vectors):
        for g, group in enumerate(groups):
            assert got[i, g] == pytest.approx(np.mean([cosine_similarity(v, u) for u in group]), abs=1e-12)


def test_lengths_do_not_matter():
    rng = np.random.default_rng(1)
    vectors, group = rng.normal(size=(2, 5)), rng.normal(size=(3, 5))
    scaled = mean_cosine_to_groups(vectors * [[10.0], [0.01]], [group * 7.0])
    np.testing.assert_allclose(scaled, mean_cosine_to_groups(vectors, [group]), atol=1e-12)


def test_a_vector_of_the_group_itself_scores_one_with_a_group_of_copies():
    v = np.array([[0.3, -0.4, 1.2]])
    np.testing.assert_allclose(mean_cosine_to_groups(v, [np.repeat(v * 2, 3, axis=0)]), [[1.0]])


@pytest.mark.parametrize("vectors, groups, error, words", [
    ([[1.0, 2.0]], [np.ones((1, 2))], TypeError, "vectors"),
    (np.ones(2), [np.ones((1, 2))], ValueError, "vectors"),
    (np.ones((1, 2)), np.ones((2, 2)), TypeError, "groups"),
    (np.ones((1, 2)), [], TypeError, "groups"),
    (np.ones((1, 2)), 3, TypeError, "groups"),
    (np.ones((1, 2)), [np.ones((1, 3))], ValueError, r"groups\[0\]"),
    (np.ones((1, 2)), [np.ones((1, 2)), [[1.0, 2.0]]], TypeError, r"groups\[1\]"),
    (np.zeros((1, 2)), [np.ones((1, 2))], ValueError, "vectors"),
    (np.ones((1, 2)), [np.zeros((2, 2))], ValueError, r"groups\[0\]"),
])
def test_bad_arguments_are_named(vectors, groups, error, words):
    with pytest.raises(error, match=words):
        mean_cosine_to_groups(vectors, groups)

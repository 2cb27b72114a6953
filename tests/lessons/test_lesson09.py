"""attn_lib.lessons.lesson09: how much of a head's attention goes to each pattern."""

import numpy as np
import pytest

from attn_lib.lessons.lesson09 import PATTERNS, pattern_scores


def test_pattern_scores_of_hand_made_heads():
    tokens = ["[CLS]", "a", "b", "c", "[SEP]"]
    n = len(tokens)
    previous = np.eye(n, k=-1)
    previous[0, 0] = 1.0
    itself = np.eye(n)
    to_cls = np.zeros((n, n))
    to_cls[:, 0] = 1.0
    half_sep = np.full((n, n), 0.5 / (n - 1))
    half_sep[:, -1] = 0.5
    A = np.stack([np.stack([previous, itself]), np.stack([to_cls, half_sep])])   # (2 layers, 2 heads, n, n)
    s = pattern_scores(A, tokens)
    assert list(s) == list(PATTERNS)
    np.testing.assert_allclose(s["previous"], [[1.0, 0.0], [0.25, 0.5 / 4]])
    np.testing.assert_allclose(s["itself"], [[0.2, 1.0], [0.2, 0.125 * 4 / 5 + 0.5 / 5]])
    np.testing.assert_allclose(s["[CLS]"], [[0.4, 0.2], [1.0, 0.125]])     # [CLS] and "a" look at [CLS]
    np.testing.assert_allclose(s["[SEP]"], [[0.0, 0.2], [0.0, 0.5]])


def test_pattern_scores_add_up_several_sep_tokens():
    tokens = ["[CLS]", "a", "[SEP]", "b", "[SEP]"]
    A = np.full((1, 1, 5, 5), 0.2)
    assert pattern_scores(A, tokens)["[SEP]"][0, 0] == pytest.approx(0.4)


@pytest.mark.parametrize("shape", [(2, 5, 5), (1, 1, 5, 4), (1, 1, 4, 4)])
def test_pattern_scores_reject_shapes_that_do_not_fit_the_tokens(shape):
    with pytest.raises(ValueError, match="attentions must have shape"):
        pattern_scores(np.zeros(shape), ["[CLS]", "a", "b", "c", "[SEP]"])

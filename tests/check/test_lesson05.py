"""Notebook 05's checkers: right answers pass, each common mistake gets its own hint, no hint gives the answer away."""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_right

import attn_lib as al
from attn_lib import check

SENTENCE = "The cat sat on the mat"
ON_ROW = [True, True, True, True, False, False]


# ------------------------------------------------------------------------------------ causal_row_of

class TestCausalRowOf:
    def test_the_expected_answer_is_the_library_row(self):
        np.testing.assert_array_equal(al.causal_mask(6)[3], ON_ROW)

    @pytest.mark.parametrize("answer", [
        ON_ROW, tuple(ON_ROW), np.array(ON_ROW), [1, 1, 1, 1, 0, 0], np.array([1.0, 1, 1, 1, 0, 0]),
        list(al.causal_mask(6)[3]),
    ], ids=["list", "tuple", "array", "ints", "floats", "numpy bools"])
    def test_right(self, answer):
        assert_right(check.causal_row_of(answer, SENTENCE, "on"))

    def test_other_words(self):
        assert_right(check.causal_row_of([True] + [False] * 5, SENTENCE, "The"))
        assert_right(check.causal_row_of([True] * 6, SENTENCE, "mat"))
        assert_hint(check.causal_row_of(ON_ROW, SENTENCE, "mat"), "different token")

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        ("TTTTFF", "not text"),
        ([True, True, True, True], "expected 6 entries"),
        ([[True] * 6], "expected 6 entries"),
        ([1, 1, 1, 1, 0, 2], "True or False"),
        ([0.5, 1, 1, 1, 0, 0], "True or False"),
        ([1, 1, 1, float("nan"), 0, 0], "True or False"),
        ([True] * 6, "bidirectional (BERT)"),
        ([True, True, True, False, False, False], "different token"),
        ([True, True, True, True, True, False], "different token"),
        ([True, True, True, False, True, False], "attend to itself"),
        ([True, True, True, True, False, True], "cannot look ahead"),
        ([False, False, False, True, True, True], "cannot look ahead"),
        ([False, True, True, True, False, False], "up to and including"),
    ])
    def test_hints(self, answer, fragment):
        result = check.causal_row_of(answer, SENTENCE, "on")
        assert_hint(result, fragment)
        assert "True, True, True, True, False, False" not in result.message
        assert "[1, 1, 1, 1, 0, 0]" not in result.message


# ---------------------------------------------------------------------------- keys_visible_in_batch

BATCH = [al.tokenize(SENTENCE), al.tokenize("The dog slept")]        # lengths 6 and 3, padded to 6
DOG = (1, 1)                                                         # sentence 1, position 1


class TestKeysVisibleInBatch:
    def test_the_expected_answers_come_from_the_library_masks(self):
        padded, lengths = al.pad_batch(BATCH)
        assert padded[1][3:] == [al.PAD] * 3
        assert int(np.broadcast_to(al.padding_mask(lengths), (2, 6, 6))[DOG].sum()) == 3
        assert int(al.causal_padding_mask(lengths)[DOG].sum()) == 2

    @pytest.mark.parametrize("answer", [3, 3.0, np.int64(3), np.array([3])])
    def test_right_bert(self, answer):
        assert_right(check.keys_visible_in_batch(answer, BATCH, *DOG))

    def test_right_gpt_and_other_queries(self):
        assert_right(check.keys_visible_in_batch(2, BATCH, *DOG, causal=True))
        assert_right(check.keys_visible_in_batch(6, BATCH, 0, 2))           # the long sentence: all 6
        assert_right(check.keys_visible_in_batch(3, BATCH, 0, 2, causal=True))
        assert_right(check.keys_visible_in_batch(3, BATCH, 1, 4, causal=True))  # a [PAD] query sees 3

    @pytest.mark.parametrize("answer, causal, fragment", [
        (None, False, "replace the ..."),
        (..., True, "replace the ..."),
        ("3", False, "not text"),
        (True, False, "not True or False"),
        ([3, 2], False, "expected one number"),
        (2.5, False, "whole number"),
        (-1, False, "whole number"),
        (0, False, "never 0"),
        (6, False, "[PAD] keys"),
        (6, True, "[PAD] keys"),
        (2, False, "causal (GPT) batch would allow"),
        (3, True, "padding mask alone allows"),
        (1, True, "one short"),
        (5, False, "count its 1s"),
        (4, True, "up to and including itself"),
    ])
    def test_hints(self, answer, causal, fragment):
        result = check.keys_visible_in_batch(answer, BATCH, *DOG, causal=causal)
        assert_hint(result, fragment)
        truth = "2" if causal else "3"
        assert truth not in result.message, "the hint must not give the count away"


# --------------------------------------------------------------------------- self_and_previous_mask

WINDOW = np.eye(6, dtype=bool) | np.eye(6, k=-1, dtype=bool)


class TestSelfAndPreviousMask:
    def test_the_expected_answer(self):
        assert WINDOW[3].tolist() == [False, False, True, True, False, False]
        assert WINDOW[0].tolist() == [True] + [False] * 5

    @pytest.mark.parametrize("answer", [
        WINDOW, WINDOW.astype(int), WINDOW.tolist(), np.tril(np.triu(np.ones((6, 6), dtype=bool), k=-1)),
        al.causal_mask(6) & ~np.tri(6, k=-2, dtype=bool),
    ], ids=["bool", "ints", "nested list", "tril of triu", "causal minus the far past"])
    def test_right(self, answer):
        assert_right(check.self_and_previous_mask(answer, 6))

    def test_other_sizes(self):
        assert_right(check.self_and_previous_mask(np.array([[True, False], [True, True]]), 2))
        assert_right(check.self_and_previous_mask(np.array([[True]]), 1))

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        (np.ones((6, 5), dtype=bool), "shape (6, 6)"),
        (WINDOW[0], "shape (6, 6)"),
        (WINDOW * 2, "True or False"),
        (np.where(WINDOW, "yes", "no"), "True or False"),
        (WINDOW.T, "token *after* it"),
        (al.causal_mask(6), "full causal mask"),
        (np.eye(6, dtype=bool), "add the token just before"),
        (np.eye(6, k=-1, dtype=bool), "diagonal is missing"),
        (WINDOW & ~np.diag([True, False, False, False, False, False]), "all False"),
        (WINDOW & ~np.diag([False, False, True, False, False, False]), "diagonal must be True"),
        (WINDOW | np.eye(6, k=2, dtype=bool), "above the diagonal"),
        (WINDOW | np.eye(6, k=-2, dtype=bool), "np.eye(n, k=...)"),
    ])
    def test_hints(self, answer, fragment):
        result = check.self_and_previous_mask(answer, 6)
        assert_hint(result, fragment)
        assert "k=-1" not in result.message, "the hint must not give the offset away"

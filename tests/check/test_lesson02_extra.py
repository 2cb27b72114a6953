"""check.attention_favourites (notebook 02, exercise 4): right lists pass, each mistake gets its hint, no hint leaks."""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check, softmax, tokenize
from attn_lib.lessons.lesson01 import CAT_SENTENCE
from attn_lib.lessons.lesson02 import explorer_inputs, preset_weights

LONG_SENTENCE = "The cat sat on the mat by the river"


def previous_word_row(sentence, query="cat"):
    """The attention weights of ``query`` under the preset "attend to the previous word", scaled by √d_k."""
    tokens = tokenize(sentence)
    X = explorer_inputs(tokens)                                             # (n, 10)
    P = preset_weights("attend to the previous word")
    Q, K = X @ P["W_Q"], X @ P["W_K"]                                       # (n, 4) each
    return tokens, softmax(Q @ K.T / np.sqrt(Q.shape[1]))[tokens.index(query)]


TOKENS, ROW = previous_word_row(LONG_SENTENCE)


def favourites(answer, tokens=TOKENS, row=ROW, query="cat"):
    return check.attention_favourites(answer, tokens, row, query)


def test_the_rows_here_are_the_explorers():
    """The tests judge the very row the notebook passes: the explorer's, for its default switches."""
    from attn_lib import AttentionExplorer

    explorer = AttentionExplorer(sentence=LONG_SENTENCE, preset="attend to the previous word")
    assert np.allclose(explorer.state()["weights"][TOKENS.index("cat")], ROW)


def test_the_favourites_are_the_first_and_last_word():
    """Word 8 is a full turn of the position circle after word 0, so their keys, and weights, are equal."""
    assert np.flatnonzero(ROW > 0.25).tolist() == [0, 8]
    assert np.isclose(ROW[0], ROW[8])


@pytest.mark.parametrize("answer", [
    ["The", "river"], ["river", "The"], ["the", "river"], ["THE", "River"], [" The ", "river."],
    ("The", "river"), {"The", "river"}, frozenset({"river", "the"}), np.array(["The", "river"]),
])
def test_right_in_any_order_and_capitalisation(answer):
    assert_right(favourites(answer))


def test_a_single_favourite_is_right_in_the_six_word_sentence():
    tokens, row = previous_word_row(CAT_SENTENCE)
    assert_right(favourites(["The"], tokens, row))
    assert_hint(favourites(["The", "mat"], tokens, row), "every favourite")


WRONG = [
    (["The"], "the word right before 'cat' is one of them"),
    (["the"], "the word right before 'cat' is one of them"),
    (["cat"], "is the query itself"),
    (["The", "cat", "river"], "is the query itself"),
    (["sat"], "right after 'cat'"),
    (["The", "sat"], "right after 'cat'"),
    (["river"], "1 more word also gets"),
    (["The", "river", "mat"], "every favourite, but 1 of your words gets"),
    (["The", "river", "mat", "on"], "every favourite, but 2 of your words get"),
    (["river", "mat"], "1 of your 2 words is right"),
    (["river", "mat", "on"], "1 of your 3 words is right"),
    (["mat", "on"], "none of your words"),
    (["by"], "none of your words"),
    (["dog"], "'dog' is not a word of the sentence"),
    (["dog", "fish"], "'dog', 'fish' are not words"),
    (["The", "the", "river"], "the same word more than once"),
    ([], "your list is empty"),
    ("river", "even for a single word"),
    ("The river", "even for a single word"),
    ([0, 8], "every item of your list should be a word"),
    (["The", 8], "every item of your list should be a word"),
    ([["The"], ["river"]], "every item of your list should be a word"),
    (0, "answer with a list of words"),
    ({"The": 1}, "answer with a list of words"),
    (np.array([0, 8]), "answer with a list of words"),
    (np.array([["The", "river"]]), "answer with a list of words"),
    (None, "replace the ..."),
    (..., "replace the ..."),
]


@pytest.mark.parametrize("answer, fragment", WRONG)
def test_each_mistake_gets_its_hint(answer, fragment):
    assert_hint(favourites(answer), fragment)


@pytest.mark.parametrize("answer, fragment", WRONG)
def test_no_hint_names_a_favourite(answer, fragment):
    forbidden = {"river", "River", "'The'", "'the'", '"The"', "word 0", "word 8", "position 0", "position 8"}
    assert_no_leak(favourites(answer), forbidden)


def test_the_not_a_word_hint_quotes_at_most_three_short_words():
    message = favourites(["a" * 50, "b", "c", "d"]).message
    assert "'" + "a" * 20 + "'" in message and "a" * 21 not in message
    assert "'d'" not in message


@pytest.mark.parametrize("answer", [["The\nriver"], ["line\rbreak", "x"], [""], ["   "]])
def test_odd_words_get_a_one_line_hint(answer):
    result = favourites(answer)
    assert not result and "\n" not in result.message and "\r" not in result.message


@pytest.mark.parametrize("tokens, row, query, match", [
    (TOKENS, ROW[:-1], "cat", "weights_row must have shape"),
    (TOKENS, ROW * 2, "cat", "add up to 1"),
    (TOKENS, ROW, "dog", "query must be a token"),
    ("The cat", ROW, "cat", "tokens must be a list of str"),
    (TOKENS, np.full(9, 1 / 9), "cat", "some word must get more than it"),
])
def test_the_notebooks_own_mistakes_still_raise(tokens, row, query, match):
    with pytest.raises(ValueError, match=match):
        check.attention_favourites(["The"], tokens, row, query)

"""Notebook 07's checkers: right answers pass, each common mistake gets its own hint, no hint gives the answer away."""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_right

import attn_lib as al
from attn_lib import check


def assert_no_leak(result, forbidden):
    message = repr(result)
    leaked = [s for s in forbidden if s in message]
    assert not leaked, f"message {message!r} gives away {leaked}"


# ------------------------------------------------------------------------------ split_heads_shape

N, D, H = 10, 12, 3                                         # the notebook's exercise 1
SHAPE = (3, 10, 4)
SHAPE_LEAKS = ["(3, 10, 4)", "3, 10, 4", "(3,10,4)"]


def test_the_expected_shape_is_what_split_heads_gives():
    assert al.split_heads(np.zeros((N, D)), H).shape == SHAPE


@pytest.mark.parametrize("answer", [SHAPE, list(SHAPE), np.array(SHAPE), al.split_heads(np.zeros((N, D)), H).shape,
                                    (3.0, 10.0, 4.0), tuple(np.int64(v) for v in SHAPE)])
def test_split_heads_shape_right(answer):
    assert_right(check.split_heads_shape(answer, N, D, H))


@pytest.mark.parametrize("answer, fragment", [
    (..., "replace the ..."),
    (None, "replace the ..."),
    ((10, 3, 4), "before the axes are swapped"),
    ((10, 12), "before the split"),
    ((3, 10, 12), "not get all d_model columns"),
    ((10, 3, 12), "not get all d_model columns"),
    ((3, 4, 10), "wrong order"),
    ((4, 10, 3), "wrong order"),
    ((3, 10, 36), "check the last size"),
    ((3, 10), "3-D array"),
    ((1, 3, 10, 4), "3-D array"),
    ((2, 5, 6), "follow the two steps"),
    ("(3, 10, 4)", "answer with a shape"),
    (120, "answer with a shape"),
    (np.zeros(SHAPE), "that is an array"),
    ((3, 10, 4.5), "whole numbers only"),
    ((3, 10, float("nan")), "whole numbers only"),
    (("a", "b", "c"), "whole numbers only"),
])
def test_split_heads_shape_hints(answer, fragment):
    result = check.split_heads_shape(answer, N, D, H)
    assert_hint(result, fragment)
    assert_no_leak(result, SHAPE_LEAKS)


def test_split_heads_shape_follows_its_sizes():
    assert_right(check.split_heads_shape((2, 6, 4), 6, 8, 2))
    assert_hint(check.split_heads_shape((3, 10, 4), 6, 8, 2), "follow the two steps")
    with pytest.raises(ValueError, match="n_heads must divide d_model"):
        check.split_heads_shape((3, 10, 4), 10, 12, 5)


# -------------------------------------------------------------------------------- columns_of_head

COLUMNS = [8, 9, 10, 11]                                    # the notebook's exercise 2: head 2 of 3, d_model 12
COLUMN_LEAKS = ["8, 9, 10, 11", "8:12", "range(8", "slice(8", "columns 8", "column 8"]


def test_the_expected_columns_are_those_split_heads_gives():
    labels = np.arange(D)[None, :]
    assert al.split_heads(labels, H)[2, 0].tolist() == COLUMNS


@pytest.mark.parametrize("answer", [COLUMNS, tuple(COLUMNS), range(8, 12), np.arange(8, 12), slice(8, 12),
                                    slice(8, None), [8.0, 9.0, 10.0, 11.0]])
def test_columns_of_head_right(answer):
    assert_right(check.columns_of_head(answer, D, H, 2))


@pytest.mark.parametrize("answer, fragment", [
    (..., "replace the ..."),
    ([11, 10, 9, 8], "increasing order"),
    ([9, 10, 11, 12], "counts columns from 0"),
    ([4, 5, 6, 7], "columns of head 1"),
    ([0, 1, 2, 3], "columns of head 0"),
    ([2, 5, 8, 11], "interleaved"),
    ([8, 9, 10], "you listed 3 column(s)"),
    ([8, 9, 10, 11, 12], "you listed 5 column(s)"),
    ([20, 21, 22, 23], "between 0 and d_model - 1"),
    ([8, 9, 11, 10.5], "whole numbers only"),
    ([7, 8, 9, 10], "one block of neighbouring columns"),
    ("8, 9, 10, 11", "a list of column numbers"),
    (8, "a list of column numbers"),
    (slice("a", 3), "a slice needs whole numbers"),
])
def test_columns_of_head_hints(answer, fragment):
    result = check.columns_of_head(answer, D, H, 2)
    assert_hint(result, fragment)
    assert_no_leak(result, COLUMN_LEAKS)


def test_columns_of_head_checks_its_own_inputs():
    assert_right(check.columns_of_head([4, 5, 6, 7], 8, 2, 1))
    with pytest.raises(ValueError, match="head must be between 0 and 2"):
        check.columns_of_head([8], 12, 3, 3)


# -------------------------------------------------------------------------- multi_head_parameters

D_BERT, H_BERT = 768, 12                                    # the notebook's exercise 3
TOTAL = 4 * 768 ** 2
TOTAL_LEAKS = [str(TOTAL), f"{TOTAL:,}", f"{TOTAL:_}", "4 d_model²", "4 × d_model", "4 * d_model"]


def test_the_total_is_the_sum_of_the_matrix_sizes():
    d_head = D_BERT // H_BERT
    assert sum(3 * D_BERT * d_head for _ in range(H_BERT)) + D_BERT * D_BERT == TOTAL == 2_359_296


@pytest.mark.parametrize("answer", [TOTAL, np.int64(TOTAL), float(TOTAL), np.array([TOTAL])])
def test_multi_head_parameters_right(answer):
    assert_right(check.multi_head_parameters(answer, D_BERT, H_BERT))


d2, dh = D_BERT ** 2, D_BERT // H_BERT


@pytest.mark.parametrize("answer, fragment", [
    (..., "replace the ..."),
    ("2359296", "not text"),
    (True, "not True or False"),
    (3 * d2, "W_o has weights too"),
    (3 * D_BERT * dh, "share of one head"),
    (4 * D_BERT * dh, "share of one head"),
    (3 * D_BERT * dh + d2, "share of one head"),
    (4 * dh * dh * H_BERT, "d_model rows"),                # d_head x d_head per head: the same number
    (4 * d2 * H_BERT, "too many"),
    (3 * d2 * H_BERT + d2, "too many"),
    (4 * d2 + 4 * D_BERT, "includes biases"),
    (-5, "whole number"),
    (TOTAL + 0.5, "whole number"),
    (d2, "add up the entries"),
    (float("inf"), "NaN or infinity"),
])
def test_multi_head_parameters_hints(answer, fragment):
    result = check.multi_head_parameters(answer, D_BERT, H_BERT)
    assert_hint(result, fragment)
    assert_no_leak(result, TOTAL_LEAKS)


def test_multi_head_parameters_for_one_head():
    assert_right(check.multi_head_parameters(4 * 64, 8, 1))
    assert_hint(check.multi_head_parameters(3 * 64, 8, 1), "W_o has weights too")

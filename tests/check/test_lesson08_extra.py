"""check.most_attended_patches (notebook 08, exercise 4): right sets pass, each mistake gets its hint, no hint leaks.

The weights are the notebook's: the corner of the lawn (patch 30) in the toy image, positions
on, temperature 1, computed here with the lesson's own functions.
"""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check, self_attention
from attn_lib.lessons.lesson08 import identity_weights, patch_tokens, sample_image

PATCH_SIZE, COLS, CORNER = 8, 6, 30                                   # a 6 x 6 grid; row 5, column 0


def corner_row(use_positions=True):
    X = patch_tokens(sample_image(48), PATCH_SIZE, use_positions)     # (36, 9)
    _, weights = self_attention(X, *identity_weights(X.shape[1]))     # (36, 36)
    return weights[CORNER]


ROW = corner_row()
TOP = [30, 31, 32]


def judge(answer, row=ROW, **kwargs):
    kwargs = {"k": 3, "query": CORNER, "cols": COLS} | kwargs
    return check.most_attended_patches(answer, row, **kwargs)


def leak_free(result):
    """No weight and no spelling of the right set appears in a hint."""
    weights = {f"{v:.2f}" for v in ROW} | {f"{v:.3f}" for v in ROW}
    assert_no_leak(result, weights | {"30, 31, 32", "[30, 31, 32]", "31, 32", "32", "(5, 0)"})


def test_the_corner_attends_most_to_itself_and_its_row_neighbours():
    """The exercise's premise: the bottom row's nearest grass wins, and patch 24 (above) is next but one."""
    assert np.argsort(-ROW, kind="stable")[:3].tolist() == TOP
    assert 24 in np.argsort(-ROW, kind="stable")[:6]


def test_the_notebooks_view_gives_the_same_row():
    from attn_lib.views import PatchAttentionView

    lab = PatchAttentionView(sample_image(48), PATCH_SIZE, patch=CORNER)
    assert np.allclose(lab.state()["weights"][CORNER], ROW)


@pytest.mark.parametrize("answer", [TOP, [32, 30, 31], (31, 30, 32), {30, 31, 32}, frozenset(TOP), np.array(TOP),
                                    [30.0, 31.0, 32.0], np.array([32, 31, 30], dtype=np.int16)],
                         ids=["list", "shuffled", "tuple", "set", "frozenset", "array", "floats", "int16"])
def test_right_in_any_order(answer):
    result = judge(answer)
    assert_right(result)
    assert "patch 30 attends to most" in result.message


def test_right_without_the_optional_arguments():
    assert_right(check.most_attended_patches([31, 32, 30], ROW))


def test_a_tie_for_the_last_place_accepts_either_patch():
    row = np.array([0.4, 0.2, 0.1, 0.2, 0.1])
    assert_right(check.most_attended_patches([0, 1], row, k=2))
    assert_right(check.most_attended_patches([0, 3], row, k=2))
    assert_hint(check.most_attended_patches([0, 2], row, k=2), "1 of your 2 patches")


def test_k_other_than_3():
    order = np.argsort(-ROW, kind="stable")
    assert_right(judge(order[:5].tolist(), k=5))
    assert_right(judge([CORNER], k=1))
    assert_right(judge(CORNER, k=1))                                  # one number for one patch


MISTAKES = [
    (None, "replace the ..."),
    (..., "replace the ..."),
    ("30, 31, 32", "not text"),
    ({"a": 30}, "not a dict"),
    (True, "not True or False"),
    ([True, True, False], "not True or False"),
    ([30.5, 31, 32], "whole number"),
    ([30, np.nan, 32], "whole number"),
    ([[30, 31, 32]], "flat list"),
    ([30, 31], "name exactly 3 different patches; your list has 2"),
    ([30, 31, 33, 34], "your list has 4"),
    ([], "your list has 0"),
    ([30, 30, 31], "more than once"),
    ([30, 31, 36], "patch indices go from 0 to 35 (index = row x 6 + column)"),
    ([-1, 30, 31], "patch indices go from 0 to 35"),
    ([(5, 0), (5, 1), (5, 2)], "right patches, but give each as one index, row x 6 + column"),
    ([(5, 0), (5, 1), (4, 0)], "not as a pair"),
    ([5, 11, 17], "numbered column by column"),
    ([31, 32, 33], "count patch 30 itself"),                       # left itself out (also 1-based)
    ([0, 1, 2], "count patch 30 itself"),
    ([30, 31, 24], "2 of your 3 patches are right. A patch in another row can sit close by"),
    ([30, 24, 25], "1 of your 3 patches is right. A patch in another row"),
    ([30, 31, 33], "The position part falls as patches move apart"),
    ([30, 34, 35], "1 of your 3 patches is right. The position part falls"),
]


@pytest.mark.parametrize("answer, fragment", MISTAKES, ids=[str(i) for i in range(len(MISTAKES))])
def test_each_mistake_gets_its_hint_without_the_answer(answer, fragment):
    result = judge(answer)
    assert_hint(result, fragment)
    leak_free(result)


def test_counted_from_one_when_the_query_is_not_asked_about():
    assert_hint(check.most_attended_patches([31, 32, 33], ROW), "numbered from 0")


def test_the_patch_itself_when_it_is_not_among_them():
    row = np.array([0.05, 0.3, 0.3, 0.3, 0.05])
    assert_hint(check.most_attended_patches([0, 1, 2], row, query=0), "patch 0 itself is not among them")


def test_same_row_but_not_the_nearest_look_alike():
    """A wrong patch as near as a missing one, in the query's own row: the last, generic grid hint."""
    row = np.array([0.25, 0.30, 0.05, 0.05, 0.20, 0.15])             # 2 x 3 grid; top 1, 0, 4
    assert_hint(check.most_attended_patches([1, 0, 2], row, query=1, cols=3), "A patch close by can still look")


def test_without_a_grid_the_hint_counts_the_right_patches():
    result = check.most_attended_patches([30, 31, 24], ROW)
    assert_hint(result, "2 of your 3 patches are among the 3 with the largest weights")
    leak_free(result)


def test_without_positions_the_answer_is_judged_on_the_row_given():
    """The checker judges the weights it is passed, not a stored answer."""
    row = corner_row(use_positions=False)
    top = np.argsort(-row, kind="stable")[:3].tolist()
    assert sorted(top) != TOP
    assert_right(judge(top, row=row))
    assert not judge(TOP, row=row)


@pytest.mark.parametrize("kwargs, message", [
    ({"weights_row": np.ones((6, 6))}, "weights_row must be a 1-D vector"),
    ({"weights_row": np.array([0.5, np.nan, 0.5])}, "finite"),
    ({"weights_row": "weights"}, "weights_row must be"),
    ({"k": 0}, "k must be a whole number from 1 to 35"),
    ({"k": 36}, "k must be"),
    ({"query": 36}, "query must be None or a patch index"),
    ({"cols": 5}, "cols must be None or a whole number that divides the 36 patches"),
])
def test_a_broken_exercise_cell_still_raises(kwargs, message):
    arguments = {"weights_row": ROW, "k": 3, "query": CORNER, "cols": COLS} | kwargs
    with pytest.raises(ValueError, match=message):
        check.most_attended_patches(TOP, **arguments)

"""The checkers of notebook 08: right answers pass, common mistakes get their own hint, no hint gives the answer."""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_right

from attn_lib import check, patchify


def assert_no_leak(result, truth):
    """The message of a wrong answer never spells the right one."""
    assert str(truth) not in repr(result), f"{result!r} gives away {truth}"


COMMON = [(None, "replace the ..."), (..., "replace the ..."), ("196", "not text"), (True, "not True or False"),
          ([1.0, 2.0], "expected one number"), (np.nan, "NaN or infinity"), ({"a": 1}, "should be a number"),
          (12.5, "whole number")]


# ------------------------------------------------------------------------------- number_of_patches

def true_count(height, width, p):
    """Counted by patchify itself, independently of the checker's arithmetic."""
    return len(patchify(np.zeros((height, width)), p))


class TestNumberOfPatches:
    @pytest.mark.parametrize("height, width, p", [(224, 224, 16), (48, 48, 8), (32, 64, 8), (384, 384, 16),
                                                  (224, 224, 14), (30, 20, 10)])
    @pytest.mark.parametrize("kind", [int, float, np.int64, np.float64])
    def test_right(self, height, width, p, kind):
        assert_right(check.number_of_patches(kind(true_count(height, width, p)), height, width, p))

    def test_right_answer_mentions_the_cls_token(self):
        assert "[CLS]" in check.number_of_patches(196, 224, 224, 16).message

    @pytest.mark.parametrize("answer, fragment", COMMON + [
        (197, "[CLS] token too"),
        (14, "along one side"),
        (50176, "number of pixels"),
        (224 * 224 // 16, "a patch is a square"),
        (28, "a patch is a square"),
        (0, "positive"),
        (-196, "positive"),
        (195, "then multiply"),
        (392, "then multiply"),
    ])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        result = check.number_of_patches(answer, 224, 224, 16)
        assert_hint(result, fragment)
        assert_no_leak(result, 196)

    def test_a_non_square_grid_has_two_sides(self):
        assert_hint(check.number_of_patches(4, 32, 64, 8), "along one side")     # rows
        assert_hint(check.number_of_patches(8, 32, 64, 8), "along one side")     # columns
        assert_right(check.number_of_patches(32, 32, 64, 8))

    @pytest.mark.parametrize("args", [(224, 224, 15), (0, 224, 16), (224, 224, 0), (224.0, 224, 16),
                                      (224, 224, True)])
    def test_the_checkers_own_inputs_are_checked(self, args):
        with pytest.raises(ValueError):
            check.number_of_patches(196, *args)


# ----------------------------------------------------------------------------- patch_vector_length

class TestPatchVectorLength:
    @pytest.mark.parametrize("p, channels", [(16, 3), (8, 3), (14, 3), (16, 1), (4, 4)])
    def test_right(self, p, channels):
        truth = patchify(np.zeros((p, p, channels)), p).shape[1]
        assert_right(check.patch_vector_length(truth, p, channels))
        assert_right(check.patch_vector_length(float(truth), p, channels))

    @pytest.mark.parametrize("answer, fragment", COMMON + [
        (256, "counts every pixel once"),
        (48, "a square of pixels"),
        (16, "only one of the factors"),
        (3, "only one of the factors"),
        (769, "no extra number"),
        (196, "every colour value of every pixel"),
        (512, "every colour value of every pixel"),
    ])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        result = check.patch_vector_length(answer, 16, 3)
        assert_hint(result, fragment)
        assert_no_leak(result, 768)

    @pytest.mark.parametrize("args", [(0, 3), (16, 0), (16.0, 3), (16, 3.0), (True, 3)])
    def test_the_checkers_own_inputs_are_checked(self, args):
        with pytest.raises(ValueError):
            check.patch_vector_length(768, *args)


# ------------------------------------------------------------------------------------ patch_index

def true_index(row, col, height, width, p):
    """Found by marking the patch and asking patchify where it went."""
    marked = np.zeros((height, width))
    marked[row * p:(row + 1) * p, col * p:(col + 1) * p] = 1.0
    (index,) = np.flatnonzero(patchify(marked, p).any(axis=1))
    return int(index)


class TestPatchIndex:
    @pytest.mark.parametrize("row, col, height, width, p", [(1, 6, 32, 64, 8), (0, 0, 32, 64, 8),
                                                            (3, 7, 32, 64, 8), (1, 4, 48, 48, 8),
                                                            (5, 1, 48, 16, 8), (2, 0, 30, 20, 10)])
    def test_right(self, row, col, height, width, p):
        truth = true_index(row, col, height, width, p)
        assert_right(check.patch_index(truth, row, col, height, width, p))
        assert_right(check.patch_index(np.int64(truth), row, col, height, width, p))

    @pytest.mark.parametrize("answer, fragment", [a for a in COMMON if a[0] != "196"] + [
        ("14", "not text"),
        (25, "column by column"),
        (15, "counts from zero"),
        (10, "number of columns, not the number of rows"),
        (49, "swapped"),
        (32, "outside the grid"),
        (-1, "outside the grid"),
        (20, "full rows above it"),
        (7, "full rows above it"),
    ])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        result = check.patch_index(answer, 1, 6, 32, 64, 8)
        assert_hint(result, fragment)
        assert_no_leak(result, 14)

    @pytest.mark.parametrize("row, col", [(0, 0), (3, 7), (2, 5), (1, 0)])
    def test_no_hint_spells_the_answer_anywhere_in_the_grid(self, row, col):
        truth = true_index(row, col, 32, 64, 8)
        for answer in range(-2, 34):
            if answer != truth:
                result = check.patch_index(answer, row, col, 32, 64, 8)
                assert not result
                assert not any(str(truth) == word.strip(".,:;()") for word in result.message.split()), result

    @pytest.mark.parametrize("args", [(4, 0, 32, 64, 8), (0, 8, 32, 64, 8), (-1, 0, 32, 64, 8),
                                      (0, 0, 32, 60, 8), (1.0, 0, 32, 64, 8)])
    def test_the_checkers_own_inputs_are_checked(self, args):
        with pytest.raises(ValueError):
            check.patch_index(0, *args)

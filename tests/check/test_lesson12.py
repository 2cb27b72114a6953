"""Checkers for notebook 12: the two-block online softmax, the weights' memory, the sliding window's pairs.

Right answers pass, each typical mistake gets the hint that names it, odd answers get a one-line
hint, and no hint gives the numbers away. The right implementations here are written from
scratch (loops and plain numpy), not calls to attn_lib.
"""

import math

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check, softmax

# ------------------------------------------------------------------------- two_block_softmax_function


def online(x, split):
    """The right way, with Python floats and one loop per block."""
    m1 = max(x[:split])
    l1 = sum(math.exp(v - m1) for v in x[:split])
    m = max(m1, max(x[split:]))
    l_total = l1 * math.exp(m1 - m) + sum(math.exp(v - m) for v in x[split:])
    return [math.exp(v - m) / l_total for v in x]


def online_numpy(x, split):
    """The right way in numpy, the second block folded in first (order does not matter)."""
    a, b = x[:split], x[split:]
    m2 = b.max()
    l2 = np.exp(b - m2).sum()
    m = max(m2, a.max())
    return np.exp(x - m) / (l2 * np.exp(m2 - m) + np.exp(a - m).sum())


def _blocks(x, split):
    a, b = x[:split], x[split:]
    m1, m = a.max(), max(a.max(), b.max())
    return a, b, m1, m, np.exp(a - m1).sum()


def no_rescale(x, split):
    _, b, _, m, l1 = _blocks(x, split)
    return np.exp(x - m) / (l1 + np.exp(b - m).sum())


def upside_down(x, split):
    _, b, m1, m, l1 = _blocks(x, split)
    return np.exp(x - m) / (l1 * np.exp(m - m1) + np.exp(b - m).sum())


def no_max(x, split):
    return np.exp(x) / (np.exp(x[:split]).sum() + np.exp(x[split:]).sum())


def each_block_alone(x, split):
    a, b = x[:split], x[split:]
    return np.concatenate([np.exp(a - a.max()) / np.exp(a - a.max()).sum(),
                           np.exp(b - b.max()) / np.exp(b - b.max()).sum()])


def first_block_left_behind(x, split):
    a, b, m1, m, l1 = _blocks(x, split)
    return np.concatenate([np.exp(a - m1), np.exp(b - m)]) / (l1 * np.exp(m1 - m) + np.exp(b - m).sum())


def own_maxima(x, split):
    a, b = x[:split], x[split:]
    e = np.concatenate([np.exp(a - a.max()), np.exp(b - b.max())])
    return e / e.sum()


class TestTwoBlockSoftmaxFunction:
    @pytest.mark.parametrize("fn", [online, online_numpy, lambda x, split: softmax(np.asarray(x, dtype=np.float32))],
                             ids=["loops", "numpy, second block first", "float32"])
    def test_right(self, fn):
        assert_right(check.two_block_softmax_function(fn))

    @pytest.mark.parametrize("fn, fragment", [
        (no_rescale, "multiply it by exp(old max − new max)"),
        (upside_down, "upside down"),
        (no_max, "overflows"),
        (each_block_alone, "normalised by its own sum"),
        (first_block_left_behind, "still relative to its own maximum"),
        (own_maxima, "bring both to the common maximum"),
        (lambda x, split: np.exp(x) / np.exp(x).sum(), "overflows"),
        (lambda x, split: np.exp(x - x.max()), "add up to 1"),
    ], ids=["no rescale", "upside down", "no max", "each block alone", "first block left behind", "own maxima",
            "whole-row naive", "not normalised"])
    def test_each_bug_gets_its_hint(self, fn, fragment):
        assert_hint(check.two_block_softmax_function(fn), fragment)

    def test_the_old_sum_bug_is_caught_on_the_course_row_already(self):
        """The course's row raises its maximum in the second block, so the first case tells the bug."""
        calls = []

        def learner(x, split):
            calls.append(split)
            return no_rescale(x, split)

        assert_hint(check.two_block_softmax_function(learner), "exp(old max − new max)")
        assert calls == [4]

    @pytest.mark.parametrize("fn, fragment", [
        (lambda x, split: None, "forget the return"),
        (lambda x, split: print(online(x, split)), "printed its result but returned None"),
        (lambda x, split: online_numpy(x, split)[:split], "should have shape"),
        (lambda x, split: 1 / 0, "raised ZeroDivisionError"),
        (lambda x: x, "raised TypeError"),
        (lambda x, split: "weights", "not text"),
    ], ids=["None", "printed", "first block only", "raises", "one argument", "text"])
    def test_broken_functions_get_a_hint(self, fn, fragment):
        assert_hint(check.two_block_softmax_function(fn), fragment)

    def test_a_value_instead_of_the_function(self):
        assert_hint(check.two_block_softmax_function(online([1.0, 2.0], 1)), "pass the function itself")
        assert_hint(check.two_block_softmax_function(...), "replace the ...")

    def test_hints_never_give_the_weights_away(self):
        inputs = []

        def recording(x, split):
            inputs.append((np.array(x), split))
            return each_block_alone(x, split)

        result = check.two_block_softmax_function(recording)
        forbidden = {f"{v:.{digits}f}" for x, _ in inputs for v in softmax(x) for digits in (2, 3, 4)
                     if 0.01 < v < 0.99}
        assert_no_leak(result, forbidden)

    def test_the_learners_input_cannot_change_the_checker(self):
        def vandal(x, split):
            weights = online_numpy(x, split)
            x[:] = 0.0                                             # scribbles on its input
            return weights

        assert_right(check.two_block_softmax_function(vandal))
        assert_right(check.two_block_softmax_function(online))


# ---------------------------------------------------------------------------------- weights_memory

class TestWeightsMemory:
    @pytest.mark.parametrize("n, answer", [(16384, 2048), (16384, 2048.4), (1000, 1000 * 1000 * 8 / 2 ** 20),
                                           (16384, np.float32(2048))])
    def test_right(self, n, answer):
        assert_right(check.weights_memory(answer, n))

    @pytest.mark.parametrize("answer, fragment", [
        (16384 ** 2 * 8, "looks like bytes"),
        (16384 ** 2 * 8 / 1e6, "megabytes"),
        (16384 ** 2, "how many numbers"),
        (512, "grows like n², not like n"),
        (1024, "8 bytes each"),
        (8192, "four matrices"),
        (-5, "positive"),
        (3, "n × n numbers of 8 bytes"),
    ])
    def test_mistakes(self, answer, fragment):
        result = check.weights_memory(answer, 16384)
        assert_hint(result, fragment)
        assert_no_leak(result, {"2048", "2,048"})

    @pytest.mark.parametrize("answer, fragment", [
        (..., "replace the ..."), ("2048", "not text"), ([2048, 1], "expected one number"),
        (float("nan"), "NaN"), (10 ** 400, "too large"), (True, "not True or False"),
    ])
    def test_odd_answers(self, answer, fragment):
        assert_hint(check.weights_memory(answer, 16384), fragment)

    def test_the_notebooks_own_mistake_stays_loud(self):
        with pytest.raises(ValueError, match="n must be a whole number"):
            check.weights_memory(2048, 0)


# ---------------------------------------------------------------------------------- sliding_window_pairs

class TestSlidingWindowPairs:
    def test_right(self):
        count = sum(min(i + 1, 256) for i in range(4096))
        assert_right(check.sliding_window_pairs(count, 4096, 256))
        assert_right(check.sliding_window_pairs(float(count), 4096, 256))
        assert_right(check.sliding_window_pairs(15, 5, 10))               # window wider than n: causal

    @pytest.mark.parametrize("answer, fragment", [
        (4096 * 256, "the first tokens have fewer"),
        (4096 * 4096, "every pair"),
        (4096 * 4097 // 2, "causal mask without a window"),
        (4096 * 255, "check the edges"),
        (sum(min(i + 1, 256) for i in range(4096)) + 0.5, "whole number"),
        (12, "add that up"),
    ])
    def test_mistakes(self, answer, fragment):
        result = check.sliding_window_pairs(answer, 4096, 256)
        assert_hint(result, fragment)
        assert_no_leak(result, {str(sum(min(i + 1, 256) for i in range(4096)))})

    @pytest.mark.parametrize("answer", [None, "1015936", {1: 2}, 1j, [[1, 2], [3]]])
    def test_odd_answers_get_one_line(self, answer):
        result = check.sliding_window_pairs(answer, 4096, 256)
        assert not result and "\n" not in result.message and "could not be read" not in result.message

    def test_the_notebooks_own_mistake_stays_loud(self):
        with pytest.raises(ValueError, match="window must be a whole number"):
            check.sliding_window_pairs(10, 8, 0)


def test_the_checkers_are_exported():
    for name in ("two_block_softmax_function", "weights_memory", "sliding_window_pairs"):
        assert name in check.__all__

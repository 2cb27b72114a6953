"""Checkers for notebook 12: the cost of attention."""

from __future__ import annotations

import numbers

import numpy as np

from ..core.softmax import softmax
from ..lessons.lesson12 import MIB, ONLINE_ROW, attended_pairs, weights_bytes
from ._base import (
    Result,
    _as_number,
    _check_function,
    _checker,
    _CheckerArgumentError,
    _right,
    _wrong,
)


def _whole_number_argument(value, name, minimum=1):
    """A checker's own argument (set by the notebook): a whole number >= minimum, or a loud error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise _CheckerArgumentError(f"{name} must be a whole number >= {minimum}; got {value!r}")
    return int(value)


def _near(a, b, rtol=5e-3):
    return bool(np.isclose(a, b, rtol=rtol, atol=0))


# ----- the two-block online softmax ---------------------------------------------------------------

def _naive_softmax_12(x):
    """exp(x) / sum(exp(x)) without subtracting anything: overflows for scores near 1e4."""
    e = np.exp(x)
    return e / e.sum()


def _two_block_mistakes_12(x, split):
    """The typical wrong two-block softmaxes of x (1-D) split at ``split``, each with its hint."""
    a, b = x[:split], x[split:]
    m1, m2 = a.max(), b.max()
    m = max(m1, m2)
    l1 = np.exp(a - m1).sum()                                  # the first block's sum, relative to m1
    l2_new = np.exp(b - m).sum()                               # the second block's sum, relative to m
    right_sum = l1 * np.exp(m1 - m) + l2_new
    own = np.concatenate([np.exp(a - m1), np.exp(b - m2)])     # (n,) each block relative to its own max
    mistakes = [
        (("when the second block raises the maximum, the first block's sum was computed relative to the old "
          "maximum: multiply it by exp(old max − new max) before adding the second block's sum."),
         np.exp(x - m) / (l1 + l2_new)),
        (("the rescale factor is upside down: it is exp(old max − new max), at most 1, which shrinks the old "
          "sum; exp(new max − old max) blows it up."),
         np.exp(x - m) / (l1 * np.exp(m - m1) + l2_new)),
        (("each block was normalised by its own sum, so the weights add up to 2: divide every exp() by the "
          "one combined sum of both blocks."),
         np.concatenate([softmax(a), softmax(b)])),
        (("the sum is right but the first block's exp() values are still relative to its own maximum: "
          "compute every weight as exp(x − m) / l with the final maximum m."),
         np.concatenate([np.exp(a - m1), np.exp(b - m)]) / right_sum),
        (("each block's exp() values and sum are relative to its own maximum: bring both to the common "
          "maximum m = max(m1, m2) by multiplying by exp(m1 − m) and exp(m2 − m)."),
         own / own.sum()),
        (("exp() of a score near 1e4 overflows to inf, and inf / inf is NaN: subtract the running maximum "
          "before exp(), in each block."), _naive_softmax_12(x)),
    ]
    return [(hint, {0: candidate}) for hint, candidate in mistakes]


def _two_block_cases_12():
    rng = np.random.default_rng(12)
    low_then_high = np.concatenate([rng.normal(0.0, 1.0, 6), rng.normal(4.0, 1.0, 5)])     # (11,) max in block 2
    large = np.array([1.0e4, 9998.0, 10003.0, 9999.0, 10001.0])                          # overflows naively
    inputs = [(ONLINE_ROW, 4), (ONLINE_ROW[::-1].copy(), 8), (low_then_high, 6),
              (rng.normal(0.0, 3.0, 9), 3), (np.array([2.0, 5.0]), 1), (large, 2), (-large, 3)]
    cases = []
    for x, split in inputs:
        big = np.abs(x).max() > 100
        cases.append({"args": (x, split), "truth": (softmax(x),), "mistakes": _two_block_mistakes_12(x, split),
                      "nonfinite": ("your function gives NaN or infinity for scores near 1e4: exp() overflows. "
                                    "Subtract the running maximum before exp()." if big else
                                    "your function gives NaN or infinity for ordinary scores; check for a "
                                    "division by 0, or an exp() of something that is not shifted by a maximum.")})
    return cases


def _two_block_generic_12(arrays, truth):
    (weights,) = arrays
    if not np.isclose(weights.sum(), 1.0, atol=1e-6):
        return ("the weights should add up to 1: divide exp(x − m) by the combined sum l of both blocks, "
                "l = l1·exp(m1 − m) + l2·exp(m2 − m).")
    if np.any(weights < 0):
        return "softmax weights are never negative: exp() of anything is positive."
    return ("the weights add up to 1 but are not softmax(x). Combine the blocks: m = max(m1, m2), "
            "l = l1·exp(m1 − m) + l2·exp(m2 − m), then exp(x − m) / l for every entry.")


@_checker("a function two_block_softmax(x, split)")
def two_block_softmax_function(fn) -> Result:
    """Exercise: the learner's ``two_block_softmax(x, split)``, softmax of a row from two blocks.

    ``x`` is one row of scores, shape (n,); the blocks are ``x[:split]`` and ``x[split:]``, both
    non-empty. The function is compared with :func:`attn_lib.softmax` on the course's row, on
    seeded random rows (the maximum in the first or in the second block) and on scores near
    1e4; the typical mistakes (the old sum not rescaled, the rescale upside down, each block
    normalised on its own, the first block's exp() left relative to its own maximum, no maximum
    subtracted) get their own hint. The checker sees results, not how they were computed.

    Parameters
    ----------
    fn : callable
        ``fn(x, split) -> weights``, weights of shape (n,).
    """
    problem = _check_function(fn, "two_block_softmax(x, split)", ("weights",), _two_block_cases_12(),
                              _two_block_generic_12, meanings=("one weight per score",))
    if problem is not None:
        return problem
    return _right("your two blocks combine into exactly softmax(x), with the maximum in either block and "
                  "with scores near 1e4: that is the online softmax inside FlashAttention.")


# ----- predict, then run: the memory of the weights -----------------------------------------------

@_checker("one number")
def weights_memory(answer, n: int) -> Result:
    """Exercise: the MiB of one ``n x n`` matrix of float64 attention weights (``n * n * 8 / 2**20``).

    Parameters
    ----------
    answer : float
        The learner's prediction, in MiB.
    n : int
        Tokens in the sequence.
    """
    n = _whole_number_argument(n, "n")
    value, problem = _as_number(answer, "the memory of the weights in MiB, one number")
    if problem is not None:
        return problem
    truth = weights_bytes(n, n) / MIB
    if _near(value, truth):
        return _right("n × n numbers of 8 bytes each: the weights grow like n², so every doubling of the "
                      "context multiplies them by 4.")
    if value <= 0:
        return _wrong("memory is a positive number of MiB.")
    if _near(value, truth * MIB):
        return _wrong("that looks like bytes; the question asks for MiB: divide by 2**20 = 1048576.")
    if _near(value, truth * MIB / 1e6):
        return _wrong("you divided by 10**6 (megabytes); the course counts MiB, 1 MiB = 2**20 = 1048576 bytes.")
    if _near(value, n * n):
        return _wrong("that is how many numbers the matrix holds; each takes 8 bytes, and 2**20 bytes make a MiB.")
    if _near(value, truth / 2):
        return _wrong("numpy's default numbers are float64, 8 bytes each (float32 would be 4); and check that "
                      "you squared the growth: memory grows like n².")
    if _near(value, truth / 4) or _near(value, truth / 8):
        return _wrong("memory grows like n², not like n: a sequence 4 times longer needs 4 × 4 = 16 times the "
                      "memory.")
    if _near(value, 4 * truth):
        return _wrong("that is attention's peak, four matrices of n × n at once; the question asks for one "
                      "matrix of weights.")
    return _wrong("one matrix of weights holds n × n numbers of 8 bytes (float64); divide the bytes by "
                  "2**20 for MiB.")


# ----- the cost of a sliding window ---------------------------------------------------------------

@_checker("one whole number")
def sliding_window_pairs(answer, n: int, window: int) -> Result:
    """Exercise: how many (query, key) pairs a causal sliding window of ``window`` scores over ``n`` tokens.

    Parameters
    ----------
    answer : int
        The learner's count.
    n, window : int
        Tokens and window width (each query sees itself and the ``window - 1`` tokens before it).
    """
    n, window = _whole_number_argument(n, "n"), _whole_number_argument(window, "window")
    value, problem = _as_number(answer, "the number of (query, key) pairs, one whole number")
    if problem is not None:
        return problem
    truth = attended_pairs(n, window)
    w = min(window, n)
    if abs(value - truth) < 0.5:
        return _right(f"{truth / attended_pairs(n):.1%} of the causal pairs: the cost grows like n × window, "
                      f"not n², so doubling n only doubles it.")
    if abs(value - n * w) < 0.5:
        return _wrong("almost: the first tokens have fewer than window tokens to look at (token 0 sees only "
                      "itself, token 1 two keys, ...). Count them separately.")
    if abs(value - n * n) < 0.5:
        return _wrong("that is every pair, attention without any mask; the window keeps only the last few "
                      "keys of each query.")
    if abs(value - attended_pairs(n)) < 0.5:
        return _wrong("that is the causal mask without a window (every earlier key); the window keeps at most "
                      "window keys per query.")
    if abs(value - n * (w - 1)) < 0.5 or abs(value - (n - w + 1) * w) < 0.5:
        return _wrong("close: check the edges. Each query sees itself too, and the first window − 1 "
                      "queries see 1, 2, ... keys.")
    if abs(value - round(value)) > 1e-9:
        return _wrong("a number of pairs is a whole number.")
    return _wrong("query i sees min(i + 1, window) keys: add that up over the n queries (the first few "
                  "see fewer than window keys, every later one exactly window).")
